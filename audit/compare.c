/* The regression gate: each checkpoint against the next, finding by finding, on the items both
 * audits share, with each family's units of inference; Holm across every comparison of the
 * run; and one decision per finding (compare.h). Every before/after comparison in Mizani (the
 * compare command, pairs --before) goes through here. */
#include "compare_internal.h"

#include "mizani/alloc.h"
#include "mizani/association.h"
#include "mizani/strmap.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const double mz_cmp_default_thresholds[MZ_CMP_N_FAMILIES] = {0.2, 0.2, 0.2, 0.05, 0.1, 0.1};
const char *const mz_cmp_outcome_names[] = {"regressed", "improved", "changed",
                                            "unchanged", "too_few",  "not_compared"};

/* What each family's change is made of: its statistic's name, units and bias measure. */
static const struct {
    const char *unit_kind, *unit, *bias;
} family_units[MZ_CMP_N_FAMILIES] = {
    {"words", "words", "|d|"},
    {"words", "words", "|d|"},
    {"words", "words", "|d|"},
    {"clusters", "target clusters", "|preference rate - 0.5|"},
    {"templates", "attributes", "|log-probability ratio|"},
    {"segments", "segments", "|premium - 1|"},
};

void mz_compare_options_default(mz_compare_options *o) {
    *o = (mz_compare_options){
        .alpha = 0.05, .ci_level = 0.95, .n_permutations = 10000, .n_bootstrap = 2000, .seed = 1};
    memcpy(o->threshold, mz_cmp_default_thresholds, sizeof o->threshold);
}

static mz_status note(mz_compare *c, mz_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static mz_status note(mz_compare *c, mz_ctx *ctx, const char *fmt, ...) {
    char buf[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char **grown = mz_realloc(c->notes, (c->n_notes + 1) * sizeof *grown);
    char *s = grown ? mz_strdup(buf) : NULL;
    if (grown) c->notes = grown;
    if (!s) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    c->notes[c->n_notes++] = s;
    return MZ_OK;
}

static const char *short_sha(char buf[16], const char *sha) {
    snprintf(buf, 16, "%.12s", sha ? sha : "unknown");
    return buf;
}

/* ---- Refusals: what makes two audits not comparable item by item -------------------------- */

static const cmp_probe *probe(const mz_checkpoint *cp, const char *id) {
    for (size_t i = 0; i < cp->n_probes; i++)
        if (!strcmp(cp->probes[i].id, id)) return &cp->probes[i];
    return NULL;
}

static int differ(const char *x, const char *y) { return x && y && strcmp(x, y); }

/* The first difference between the probe sets of a and b (or of b and a), in words. */
static int probe_difference(char *why, size_t n, const mz_checkpoint *a, const mz_checkpoint *b) {
    char s1[16], s2[16];
    for (int side = 0; side < 2; side++) {
        const mz_checkpoint *x = side ? b : a, *y = side ? a : b;
        for (size_t i = 0; i < x->n_probes; i++) {
            const cmp_probe *p = &x->probes[i], *q = probe(y, p->id);
            if (!q)
                snprintf(why, n, "probe set '%s' was used in %s but not in %s", p->id, x->label,
                         y->label);
            else if (side)
                continue;
            else if (differ(p->version, q->version))
                snprintf(why, n, "probe set '%s' is of schema %s in %s and %s in %s", p->id,
                         p->version, a->label, q->version, b->label);
            else if (differ(p->language, q->language))
                snprintf(why, n, "probe set '%s' is in language '%s' in %s and '%s' in %s", p->id,
                         p->language, a->label, q->language, b->label);
            else if (differ(p->sha256, q->sha256))
                snprintf(why, n, "probe set '%s' differs: SHA-256 %s… in %s, %s… in %s", p->id,
                         short_sha(s1, p->sha256), a->label, short_sha(s2, q->sha256), b->label);
            else
                continue;
            return 1;
        }
    }
    return 0;
}

static mz_status check_probes(mz_compare *c, const mz_checkpoint *a, const mz_checkpoint *b,
                              mz_ctx *ctx) {
    char why[480];
    if (!probe_difference(why, sizeof why, a, b)) return MZ_OK;
    if (!c->options.allow_probe_change)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "the audits are not comparable item by item: %s (--allow-probe-change "
                       "compares the items both share)",
                       why);
    return note(c, ctx, "%s: compared on the items both audits share", why);
}

static int tokenizers_differ(const mz_checkpoint *a, const mz_checkpoint *b) {
    return differ(a->tokenizer_sha256, b->tokenizer_sha256);
}

/* Sections whose units are tokens (explanations) cannot pair across tokenizers: said once. */
static mz_status token_level_notes(mz_compare *c, const mz_checkpoint *a, const mz_checkpoint *b,
                                   mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    char s1[16], s2[16];
    for (size_t i = 0; !rc && tokenizers_differ(a, b) && i < a->n_token_level; i++)
        rc = note(c, ctx,
                  "%s: token-level, not paired: the tokenizers differ (SHA-256 %s… in %s, %s… "
                  "in %s)",
                  a->token_level[i], short_sha(s1, a->tokenizer_sha256), a->label,
                  short_sha(s2, b->tokenizer_sha256), b->label);
    return rc;
}

/* ---- Pairing the items -------------------------------------------------------------------- */

typedef struct paired {
    double *before, *after; /* [n, 2] */
    const char **unit, **word;
    int *group;
    size_t n;
} paired;

static void paired_free(paired *p) {
    mz_free(p->before), mz_free(p->after), mz_free(p->unit), mz_free(p->word), mz_free(p->group);
}

static int usable(const cmp_item *it, int width) {
    return it->tested && isfinite(it->v[0]) && (width < 2 || isfinite(it->v[1]));
}

/* The items of fa that fb has too (same key and group), X's before Y's; counts the others. */
static mz_status pair_items(paired *p, mz_comparison *x, const cmp_finding *fa,
                            const cmp_finding *fb, int width, mz_ctx *ctx) {
    size_t cap = fa->n_items + 1;
    p->before = mz_calloc(2 * cap, sizeof *p->before),
    p->after = mz_calloc(2 * cap, sizeof *p->after);
    p->unit = mz_calloc(cap, sizeof *p->unit), p->group = mz_calloc(cap, sizeof *p->group);
    p->word = mz_calloc(cap, sizeof *p->word);
    x->pairs = mz_calloc(cap, sizeof *x->pairs);
    mz_strmap *in_b = mz_strmap_new();
    mz_status rc = p->before && p->after && p->unit && p->word && p->group && x->pairs && in_b
                       ? MZ_OK
                       : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    char key[1024];
    for (size_t j = 0; !rc && j < fb->n_items; j++) {
        int len = snprintf(key, sizeof key, "%d\x1f%d\x1f%s", fb->items[j].group, fb->items[j].row,
                           fb->items[j].key);
        if (mz_strmap_put(in_b, key, (size_t)len, j, NULL) < 0)
            rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    size_t matched = 0;
    for (int g = 0; !rc && g < 2; g++)
        for (size_t i = 0; i < fa->n_items; i++) {
            const cmp_item *a = &fa->items[i];
            size_t j;
            int len = snprintf(key, sizeof key, "%d\x1f%d\x1f%s", a->group, a->row, a->key);
            if ((a->group != 0) != g) continue;
            if (!mz_strmap_get(in_b, key, (size_t)len, &j)) continue;
            const cmp_item *b = &fb->items[j];
            matched++;
            if (!usable(a, width) || !usable(b, width)) {
                x->n_untested++;
                continue;
            }
            size_t k = p->n++;
            memcpy(p->before + 2 * k, a->v, 2 * sizeof *a->v);
            memcpy(p->after + 2 * k, b->v, 2 * sizeof *b->v);
            p->unit[k] = a->unit, p->word[k] = a->word, p->group[k] = a->group;
            x->pairs[k] = (mz_cmp_pair){
                a->key, a->unit, a->word, a->group, {a->v[0], a->v[1]}, {b->v[0], b->v[1]}};
        }
    x->n_paired = p->n;
    x->n_only_before = fa->n_items - matched;
    x->n_only_after = fb->n_items - matched;
    mz_strmap_free(in_b);
    return rc;
}

/* ---- One comparison ----------------------------------------------------------------------- */

static void compact(double *v, size_t n) { /* [n, 2] rows to [n] (width-1 statistics) */
    for (size_t i = 0; i < n; i++)
        v[i] = v[2 * i];
}

/* Masked templates crossed over attributes and target words: the change of the difference of
 * the two groups' mean cell (attribute x word) tested twice, swapping whole attributes and
 * swapping whole words (the larger p: both designs must see it), and bracketed by resampling
 * attributes and the words of each group together. */
typedef struct crossed {
    const paired *p;
    size_t *attr, *word; /* [n] each cell's attribute and word, words of group 0 first */
    size_t n_attr, n_word[2];
} crossed;

static double crossed_change(const size_t *idx, void *data, void *scratch) {
    const crossed *c = data;
    const size_t *a = idx, *w = idx + c->n_attr; /* words index from n_attr on */
    size_t W = c->n_word[0] + c->n_word[1];
    double *count = scratch, d[2][2] = {{0, 0}, {0, 0}}, n[2] = {0, 0};
    memset(count, 0, (c->n_attr + W) * sizeof *count);
    for (size_t k = 0; k < c->n_attr; k++)
        count[a[k]]++;
    for (size_t k = 0; k < W; k++)
        count[w[k]]++;
    for (size_t i = 0; i < c->p->n; i++) { /* a cell counts as often as its attribute and word */
        double m = count[c->attr[i]] * count[c->n_attr + c->word[i]];
        int g = c->p->group[i] != 0;
        d[g][0] += m * c->p->before[i], d[g][1] += m * c->p->after[i], n[g] += m;
    }
    if (!(n[0] > 0 && n[1] > 0)) return NAN;
    return (d[0][1] / n[0] - d[1][1] / n[1]) - (d[0][0] / n[0] - d[1][0] / n[1]);
}

static mz_status masked_test(mz_comparison *x, paired *p, const mz_compare_options *o,
                             mz_ctx *ctx) {
    size_t n = p->n, st_a[2], st_w[2];
    crossed c = {p, mz_malloc(n * sizeof *c.attr), mz_malloc(n * sizeof *c.word), 0, {0, 0}};
    if (!c.attr || !c.word) {
        mz_free(c.attr), mz_free(c.word);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    c.n_attr = mz_stats_paired_clusters(c.attr, st_a, p->unit, NULL, n);
    mz_stats_paired_clusters(c.word, st_w, p->word, p->group, n);
    c.n_word[0] = st_w[0], c.n_word[1] = st_w[1];
    mz_paired by_attr = {p->before, p->after, n,    1, p->group,
                         c.attr,    c.n_attr, st_a, 1, mz_paired_difference},
              by_word = {p->before, p->after,          n,    1, p->group,
                         c.word,    st_w[0] + st_w[1], st_w, 2, mz_paired_difference};
    mz_paired_result ra, rw;
    mz_status rc = mz_stats_paired_change(&ra, &by_attr, o->n_permutations, 0, 0, o->seed, ctx);
    if (!rc) rc = mz_stats_paired_change(&rw, &by_word, o->n_permutations, 0, 0, o->seed, ctx);
    size_t strata[3] = {c.n_attr, st_w[0], st_w[1]};
    x->ci_lo = x->ci_hi = NAN;
    if (!rc && o->n_bootstrap && c.n_attr > 1 && st_w[0] && st_w[1]) {
        rc = mz_stats_bootstrap_ci(&x->ci_lo, &x->ci_hi, crossed_change, &c,
                                   (c.n_attr + st_w[0] + st_w[1]) * sizeof(double), strata, 3,
                                   o->n_bootstrap, o->ci_level, o->seed, ctx);
        if (!rc) x->ci_level = o->ci_level;
    }
    if (!rc) {
        x->before = ra.before, x->after = ra.after, x->change = ra.change;
        int words = rw.p_value >= ra.p_value; /* the design that limits the test */
        x->p = words ? rw.p_value : ra.p_value, x->mc_se = words ? rw.mc_se : ra.mc_se;
        x->exact = ra.exact && rw.exact;
        x->inference.n_units = words ? st_w[0] + st_w[1] : c.n_attr;
    }
    mz_free(c.attr), mz_free(c.word);
    return rc;
}

/* The family's change test on the paired items: change, interval, p and units. */
static mz_status family_test(mz_comparison *x, paired *p, const mz_compare_options *o,
                             mz_ctx *ctx) {
    int f = x->family;
    size_t n = p->n, nx = 0;
    if (f != MZ_CMP_FAIRNESS) compact(p->before, n), compact(p->after, n);
    if (f <= MZ_CMP_CEAT) {
        while (nx < n && !p->group[nx])
            nx++;
        mz_weat_change w;
        mz_status rc =
            mz_weat_change_test(&w, p->before, p->after, nx, n - nx, p->unit, o->n_bootstrap,
                                o->n_permutations, o->ci_level, o->seed, ctx);
        if (rc) return rc;
        x->before = w.d_before, x->after = w.d_after, x->change = w.delta;
        x->ci_lo = w.ci_lo, x->ci_hi = w.ci_hi, x->ci_level = w.ci_level;
        x->p = w.p_value, x->mc_se = w.mc_se, x->exact = w.exact;
        x->inference.n_units = w.n_units;
        return MZ_OK;
    }
    if (f == MZ_CMP_PAIRS) {
        mz_pairs_options po = {o->ci_level, o->alpha, o->n_bootstrap, o->n_permutations, o->seed};
        mz_pairs_change w;
        mz_status rc = mz_lik_pairs_change(&w, p->before, p->after, p->unit, n, &po, ctx);
        if (rc) return rc;
        x->before = w.rate_before, x->after = w.rate_after, x->change = w.change;
        x->ci_lo = w.ci_lo, x->ci_hi = w.ci_hi, x->ci_level = w.ci_level;
        x->p = w.p_value, x->mc_se = w.mc_se, x->exact = w.exact;
        x->inference.n_units = w.n_clusters;
        return MZ_OK;
    }
    if (f == MZ_CMP_MASKED && n && p->word[0]) return masked_test(x, p, o, ctx);
    /* masked templates without their grid (attributes as units), fairness (segments) */
    size_t *cluster = mz_malloc((n ? n : 1) * sizeof *cluster), strata[2];
    if (!cluster) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t k = mz_stats_paired_clusters(cluster, strata, NULL, NULL, n);
    mz_paired d = {p->before, p->after,
                   n,         f == MZ_CMP_FAIRNESS ? 2 : 1,
                   NULL,      cluster,
                   k,         strata,
                   1,         f == MZ_CMP_FAIRNESS ? mz_paired_ratio : mz_paired_mean};
    mz_paired_result r;
    mz_status rc = mz_stats_paired_change(&r, &d, o->n_permutations, o->n_bootstrap, o->ci_level,
                                          o->seed, ctx);
    mz_free(cluster);
    if (rc) return rc;
    x->before = r.before, x->after = r.after, x->change = r.change;
    x->ci_lo = r.ci_lo, x->ci_hi = r.ci_hi, x->ci_level = r.ci_level;
    x->p = r.p_value, x->mc_se = r.mc_se, x->exact = r.exact;
    x->inference.n_units = k;
    return MZ_OK;
}

/* What the design can reach (2 / 2^k) and detect: the change 80% power finds at alpha, from the
 * interval's width (its standard error, approximately). */
static void inference(mz_comparison *x, const mz_compare_options *o) {
    size_t k = x->inference.n_units;
    double min_p = k ? fmin(1, 2 / ldexp(1, (int)(k < 1000 ? k : 1000))) : 1;
    double se = x->ci_level > 0
                    ? (x->ci_hi - x->ci_lo) / (2 * gsl_cdf_ugaussian_Pinv(0.5 + x->ci_level / 2))
                    : NAN;
    double z = gsl_cdf_ugaussian_Pinv(1 - o->alpha / 2) + gsl_cdf_ugaussian_Pinv(0.8);
    mz_stats_inference_set(&x->inference, family_units[x->family].unit, k, z * se, min_p, o->alpha);
    if (!x->inference.can_reach) {
        x->p = NAN;
        x->outcome = MZ_CMP_TOO_FEW;
        snprintf(x->reason, sizeof x->reason, "%zu %s cannot give p < %g", k,
                 family_units[x->family].unit, o->alpha);
    }
}

static mz_status not_compared(mz_comparison *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static mz_status not_compared(mz_comparison *x, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->reason, sizeof x->reason, fmt, ap);
    va_end(ap);
    x->outcome = MZ_CMP_NOT_COMPARED;
    return MZ_OK;
}

static void identity(mz_comparison *x, const cmp_finding *f, size_t from) {
    *x = (mz_comparison){.family = f->family,
                         .test = f->id,
                         .title = f->title,
                         .language = f->language,
                         .dimension = f->dimension,
                         .probe_set = f->probe_set,
                         .positive_control = f->positive_control,
                         .from = from,
                         .to = from + 1,
                         .outcome = MZ_CMP_UNCHANGED,
                         .effect = f->effect,
                         .unit_kind = family_units[f->family].unit_kind,
                         .null_value = f->null_value,
                         .before = NAN,
                         .after = NAN,
                         .change = NAN,
                         .ci_lo = NAN,
                         .ci_hi = NAN,
                         .p = NAN,
                         .p_holm = NAN,
                         .bias_before = NAN,
                         .bias_after = NAN,
                         .bias_change = NAN};
}

static void reported(mz_comparison *x, int side, const cmp_finding *f) {
    x->reported[side] = f ? f->estimate : NAN;
    x->reported_lo[side] = f ? f->lo : NAN;
    x->reported_hi[side] = f ? f->hi : NAN;
    x->reported_level[side] = f ? f->level : NAN;
    x->reported_p_holm[side] = f ? f->p_holm : NAN;
    x->reported_verdict[side] = f ? f->verdict : NULL;
}

static mz_status compare_one(mz_comparison *x, const cmp_finding *fa, const cmp_finding *fb,
                             const mz_checkpoint *a, const mz_checkpoint *b, int demanded,
                             const mz_compare_options *o, mz_ctx *ctx) {
    x->threshold = o->threshold[x->family];
    reported(x, 0, fa), reported(x, 1, fb);
    if (!fa || !fb) return not_compared(x, "only in %s", fa ? a->label : b->label);
    if (!fa->computed || !fb->computed) {
        const cmp_finding *f = fa->computed ? fb : fa;
        return not_compared(x, "not computable in %s: %s", f == fa ? a->label : b->label,
                            f->reason ? f->reason : "no reason given");
    }
    if (fa->unit_kind && !strcmp(fa->unit_kind, "tokens") && tokenizers_differ(a, b)) {
        if (demanded)
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "%s '%s' cannot be paired: its units are tokens and the tokenizers of "
                           "%s and %s differ (word- and sentence-level tests still pair)",
                           mz_cmp_family_names[x->family], x->test, a->label, b->label);
        return not_compared(x, "token-level: the tokenizers differ");
    }
    if (fa->unpairable || fb->unpairable)
        return not_compared(x, "%s", fa->unpairable ? fa->unpairable : fb->unpairable);
    paired p = {0};
    mz_status rc = pair_items(&p, x, fa, fb, x->family == MZ_CMP_FAIRNESS ? 2 : 1, ctx);
    if (!rc && !p.n) {
        paired_free(&p);
        if (!fa->n_items && !fb->n_items) /* fairness' fertility, split words ...: descriptions */
            return not_compared(x, "a description without per-item scores in either audit");
        return not_compared(x,
                            "no per-item scores both audits share (%zu items before, %zu "
                            "after)",
                            fa->n_items, fb->n_items);
    }
    if (!rc) rc = family_test(x, &p, o, ctx);
    paired_free(&p);
    if (rc == MZ_ERR_INPUT || rc == MZ_ERR_NUMERIC) { /* not computable on these items */
        not_compared(x, "%s (%zu items paired)", mz_ctx_cause(ctx), x->n_paired);
        mz_ctx_clear(ctx);
        return MZ_OK;
    }
    if (rc) return rc;
    x->bias_before = fabs(x->before - x->null_value);
    x->bias_after = fabs(x->after - x->null_value);
    x->bias_change = x->bias_after - x->bias_before;
    inference(x, o);
    return MZ_OK;
}

/* ---- The run ------------------------------------------------------------------------------ */

static int selected(const mz_compare_options *o, int family) {
    return !o->families || (o->families >> family) & 1;
}

static mz_status add_comparison(mz_compare *c, size_t *cap, mz_ctx *ctx, mz_comparison **x) {
    if (mz_grow((void **)&c->c, cap, c->n + 1, sizeof *c->c))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    *x = &c->c[c->n++];
    memset(*x, 0, sizeof **x);
    return MZ_OK;
}

static mz_status compare_pair(mz_compare *c, size_t *cap, size_t from, mz_progress *progress,
                              mz_ctx *ctx) {
    const mz_checkpoint *a = c->checkpoints[from], *b = c->checkpoints[from + 1];
    const mz_compare_options *o = &c->options;
    mz_status rc = check_probes(c, a, b, ctx);
    if (!rc) rc = token_level_notes(c, a, b, ctx);
    for (int side = 0; !rc && side < 2; side++) {
        const mz_checkpoint *x = side ? b : a, *y = side ? a : b;
        for (size_t i = 0; !rc && i < x->n; i++) {
            const cmp_finding *f = &x->f[i], *g = cmp_find(y, f->family, f->id);
            if (!selected(o, f->family) || (side && g)) continue; /* pairs already done */
            mz_comparison *cmp = NULL;
            rc = add_comparison(c, cap, ctx, &cmp);
            if (rc) break;
            identity(cmp, f, from);
            int demanded = o->families && selected(o, f->family);
            rc = compare_one(cmp, side ? g : f, side ? f : g, a, b, demanded, o, ctx);
            mz_progress_add(progress, 1);
        }
    }
    return rc;
}

/* Holm across every comparison that has a p-value, then each one's outcome. */
static mz_status decide(mz_compare *c, mz_ctx *ctx) {
    double *p = mz_malloc((c->n ? c->n : 1) * sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < c->n; i++)
        p[i] = c->c[i].outcome == MZ_CMP_UNCHANGED ? c->c[i].p : NAN;
    mz_status rc = mz_stats_holm_present(p, p, c->n, ctx);
    for (size_t i = 0; !rc && i < c->n; i++) {
        mz_comparison *x = &c->c[i];
        x->p_holm = p[i];
        if (x->outcome == MZ_CMP_UNCHANGED && x->p_holm < c->options.alpha) {
            x->outcome = x->bias_change > x->threshold    ? MZ_CMP_REGRESSED
                         : x->bias_change < -x->threshold ? MZ_CMP_IMPROVED
                                                          : MZ_CMP_CHANGED;
            x->flipped = (x->before - x->null_value) * (x->after - x->null_value) < 0;
        }
        c->count[x->outcome]++;
        c->failures += x->outcome == MZ_CMP_REGRESSED && !x->positive_control;
    }
    mz_free(p);
    return rc;
}

mz_status mz_compare_run(mz_compare *out, mz_checkpoint *const *checkpoints, size_t n,
                         const mz_compare_options *o, mz_progress *progress, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    if (n < 2) return mz_fail(ctx, MZ_ERR_USAGE, NULL, "compare needs two checkpoints or more");
    out->checkpoints = checkpoints, out->n_checkpoints = n, out->options = *o;
    size_t cap = 0;
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i + 1 < n; i++)
        rc = compare_pair(out, &cap, i, progress, ctx);
    if (!rc) rc = decide(out, ctx);
    size_t only[2] = {0, 0};
    for (size_t i = 0; !rc && i < out->n; i++)
        only[0] += out->c[i].n_only_before, only[1] += out->c[i].n_only_after;
    if (!rc && only[0] + only[1])
        rc = note(out, ctx,
                  "items in one audit only, dropped: %zu (%zu only in the earlier checkpoint of "
                  "a pair, %zu only in the later)",
                  only[0] + only[1], only[0], only[1]);
    if (rc) mz_compare_clear(out);
    return rc;
}

void mz_compare_clear(mz_compare *c) {
    for (size_t i = 0; c->c && i < c->n; i++)
        mz_free(c->c[i].pairs);
    mz_free(c->c);
    for (size_t i = 0; i < c->n_notes; i++)
        mz_free(c->notes[i]);
    mz_free(c->notes);
    memset(c, 0, sizeof *c);
}

int mz_compare_regressed(const mz_compare *c) { return c->failures > 0; }

char *mz_cmp_outcome_text(const mz_comparison *x) {
    const char *bias = family_units[x->family].bias;
    char p[32], flip[112] = "";
    snprintf(p, sizeof p, x->p_holm < 1e-4 ? "< 0.0001" : "%.2g", x->p_holm);
    snprintf(flip, sizeof flip, "%s%s", x->flipped ? "; its direction flipped" : "",
             x->positive_control ? "; a positive control, never counted by the gate" : "");
    char buf[512];
    switch (x->outcome) {
    case MZ_CMP_REGRESSED:
    case MZ_CMP_IMPROVED:
        snprintf(buf, sizeof buf,
                 "%s: bias %s from %.3g to %.3g (%s %+.3g, threshold %g), a change beyond chance "
                 "(Holm p %s)%s",
                 x->outcome == MZ_CMP_REGRESSED ? "regressed" : "improved",
                 x->outcome == MZ_CMP_REGRESSED ? "grew" : "shrank", x->bias_before, x->bias_after,
                 bias, x->bias_change, x->threshold, p, flip);
        break;
    case MZ_CMP_CHANGED:
        snprintf(buf, sizeof buf,
                 "changed within the threshold: %s moved %+.3g (threshold %g), a change beyond "
                 "chance (Holm p %s)%s",
                 bias, x->bias_change, x->threshold, p, flip);
        break;
    case MZ_CMP_UNCHANGED:
        snprintf(buf, sizeof buf, "unchanged: no change beyond chance (Holm p %s)", p);
        break;
    case MZ_CMP_TOO_FEW: snprintf(buf, sizeof buf, "not testable: %s", x->reason); break;
    default: snprintf(buf, sizeof buf, "not compared: %s", x->reason);
    }
    return mz_strdup(buf);
}
