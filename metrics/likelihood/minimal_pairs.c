/* Minimal-pair summaries from scored pairs: per bias category, the preference for the more
 * stereotypical side among pairs whose sides have equal token counts, tested with target-word
 * clusters as the units (pairs that swap the same two target words share the model's view of
 * those words, so they are not independent); pairs of unequal token counts counted and rated
 * apart. Also the change before/after fine-tuning, and the difference between two languages'
 * parallel sets. */
#include "mizani/alloc.h"
#include "mizani/likelihood.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_CATEGORIES 64

void mz_pairs_options_default(mz_pairs_options *o) {
    *o = (mz_pairs_options){
        .ci_level = 0.95, .alpha = 0.05, .n_bootstrap = 2000, .n_resamples = 20000, .seed = 1};
}

static double preference(const mz_pair_score *s) { return mz_lik_preference(s->more, s->less); }

static int tested(const mz_pair_score *s) { return s->computable && !s->count_mismatch; }

/* Clusters of items by n_keys keys each (keys[k][i]): items sharing any key are one cluster
 * (union-find over the items; a NULL or empty key links nothing). cluster[i] gets 0..k-1 in
 * order of first item. */
static size_t find(size_t *parent, size_t i) {
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

static int same_key(const char *a, const char *b) { return a && b && *a && !strcmp(a, b); }

static size_t cluster_items(size_t *cluster, const char *const *const *keys, int n_keys, size_t n,
                            size_t *parent) {
    for (size_t i = 0; i < n; i++)
        parent[i] = i;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            for (int k = 0; k < n_keys; k++)
                if (same_key(keys[k][i], keys[k][j])) {
                    size_t a = find(parent, i), b = find(parent, j);
                    /* the smaller index is the root: every member comes after its root */
                    if (a != b) parent[a > b ? a : b] = a < b ? a : b;
                }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t root = find(parent, i);
        if (root == i)
            cluster[i] = k++;
        else
            cluster[i] = cluster[root];
    }
    return k;
}

/* Per cluster: the sum of centred values and the number of items. */
typedef struct clustered {
    double *sum, *pref; /* [k] centred sums; raw preference sums (for the rate) */
    size_t *size, k;
} clustered;

static void clustered_free(clustered *c) { mz_free(c->sum), mz_free(c->pref), mz_free(c->size); }

static mz_status gather(clustered *c, const double *value, const size_t *cluster, size_t n,
                        size_t k, mz_ctx *ctx) {
    c->k = k;
    c->sum = mz_calloc(k ? k : 1, sizeof *c->sum), c->pref = mz_calloc(k ? k : 1, sizeof *c->pref);
    c->size = mz_calloc(k ? k : 1, sizeof *c->size);
    if (!c->sum || !c->pref || !c->size) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        c->sum[cluster[i]] += value[i] - 0.5;
        c->pref[cluster[i]] += value[i];
        c->size[cluster[i]]++;
    }
    return MZ_OK;
}

static double resampled_rate(const size_t *idx, void *data, void *scratch) {
    const clustered *c = data;
    double p = 0, n = 0;
    (void)scratch;
    for (size_t i = 0; i < c->k; i++)
        p += c->pref[idx[i]], n += (double)c->size[idx[i]];
    return n > 0 ? p / n : NAN;
}

/* The sign-flip test over clusters, what it can detect, and (for the rate) a cluster-bootstrap
 * interval. */
static mz_status cluster_test(double *p, mz_inference *inf, double *lo, double *hi,
                              const clustered *c, const mz_pairs_options *o, mz_ctx *ctx) {
    double k_eff = mz_stats_effective_clusters(c->size, c->k);
    double min_p = c->k ? fmin(1, 2 / ldexp(1, (int)(c->k < 1000 ? c->k : 1000))) : 1;
    mz_stats_inference_set(inf, "target clusters", c->k, mz_stats_mde_rate(k_eff, o->alpha, 0.8),
                           min_p, o->alpha);
    *p = NAN;
    mz_status rc = MZ_OK;
    if (inf->can_reach) {
        mz_perm_options po = {
            .max_exact = 1u << 20, .n_resamples = o->n_resamples, .seed = o->seed};
        mz_perm_result r;
        rc = mz_stats_sign_flip(&r, c->sum, c->k, &po, ctx);
        if (!rc) *p = r.p_value;
    }
    if (!rc && lo && c->k > 1 && o->n_bootstrap)
        rc = mz_stats_bootstrap_ci(lo, hi, resampled_rate, (void *)c, 0, &c->k, 1, o->n_bootstrap,
                                   o->ci_level, o->seed, ctx);
    return rc;
}

/* Distinct non-NULL strings among n. */
static size_t distinct(const char *const *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && !(s[j] && s[i] && !strcmp(s[j], s[i])))
            j++;
        k += s[i] && j == i;
    }
    return k;
}

typedef struct scratch {
    const char **target, **frame, **contrast;
    double *value;
    size_t *cluster, *parent;
} scratch;

static mz_status summarise(mz_pair_summary *s, const mz_pairs_result *r, const char *category,
                           const mz_pairs_options *o, scratch *w, mz_ctx *ctx) {
    memset(s, 0, sizeof *s);
    snprintf(s->category, sizeof s->category, "%s", category ? category : "all");
    double mismatched = 0, pref = 0;
    size_t m = 0;
    for (size_t i = 0; i < r->n_scores; i++) {
        const mz_pair_score *x = &r->scores[i];
        if (category && strcmp(x->pair->category, category)) continue;
        if (!x->computable) {
            s->not_computable++;
            continue;
        }
        s->n++;
        s->split_mismatches += (unsigned long)x->split_mismatch;
        if (x->count_mismatch) {
            s->count_mismatches++, mismatched += preference(x);
            continue;
        }
        w->target[m] = x->pair->target_id, w->frame[m] = x->pair->frame_id;
        w->contrast[m] = x->contrast;
        w->value[m++] = preference(x);
        pref += preference(x);
    }
    s->n_matched = m;
    s->prefers_more = (unsigned long)pref;
    s->rate = m ? pref / (double)m : NAN;
    s->ci_lo = s->ci_hi = NAN;
    s->rate_mismatched = s->count_mismatches ? mismatched / (double)s->count_mismatches : NAN;
    s->n_frames = distinct(w->frame, m);
    /* pairs sharing a target id or the tokens that differ are one cluster; a pair with neither
     * is a cluster of its own */
    const char *const *keys[2] = {w->target, w->contrast};
    size_t k = cluster_items(w->cluster, keys, 2, m, w->parent);
    s->n_clusters = k;
    clustered c = {0};
    mz_status rc = gather(&c, w->value, w->cluster, m, k, ctx);
    if (!rc) rc = cluster_test(&s->p_value, &s->inference, &s->ci_lo, &s->ci_hi, &c, o, ctx);
    clustered_free(&c);
    return rc;
}

static mz_status scratch_new(scratch *w, size_t n, mz_ctx *ctx) {
    n = n ? n : 1;
    w->target = mz_malloc(n * sizeof *w->target), w->frame = mz_malloc(n * sizeof *w->frame);
    w->contrast = mz_malloc(n * sizeof *w->contrast);
    w->value = mz_malloc(n * sizeof *w->value), w->cluster = mz_malloc(n * sizeof *w->cluster);
    w->parent = mz_malloc(n * sizeof *w->parent);
    return w->target && w->frame && w->contrast && w->value && w->cluster && w->parent
               ? MZ_OK
               : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

static void scratch_free(scratch *w) {
    mz_free(w->target), mz_free(w->frame), mz_free(w->contrast), mz_free(w->value);
    mz_free(w->cluster);
    mz_free(w->parent);
}

/* Categories in order of first appearance. */
static size_t categories(const char **cats, const mz_probe_set *set) {
    size_t nc = 0;
    for (size_t i = 0; i < set->n_pairs; i++) {
        size_t j = 0;
        while (j < nc && strcmp(cats[j], set->pairs[i].category))
            j++;
        if (j == nc && nc < MAX_CATEGORIES) cats[nc++] = set->pairs[i].category;
    }
    return nc;
}

mz_status mz_lik_pairs_summarise(mz_pairs_result *r, const mz_probe_set *set,
                                 const mz_pairs_options *o, mz_ctx *ctx) {
    const char *cats[MAX_CATEGORIES];
    size_t nc = categories(cats, set);
    scratch w = {0};
    mz_status rc = scratch_new(&w, r->n_scores, ctx);
    mz_free(r->summaries);
    if (!rc && !(r->summaries = mz_calloc(nc + 1, sizeof *r->summaries)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i <= nc; i++)
        rc = summarise(&r->summaries[i], r, i < nc ? cats[i] : NULL, o, &w, ctx);
    r->n_summaries = rc ? 0 : nc + 1;
    double p[MAX_CATEGORIES];
    for (size_t i = 0; !rc && i < nc; i++)
        p[i] = r->summaries[i].p_value; /* NAN: cannot reach significance, left out of Holm */
    if (!rc && nc) rc = mz_stats_holm_present(p, p, nc, ctx);
    for (size_t i = 0; !rc && i < nc; i++)
        r->summaries[i].p_holm = p[i];
    if (!rc) r->summaries[nc].p_holm = r->summaries[nc].p_value;
    scratch_free(&w);
    return rc;
}

void mz_pairs_result_free(mz_pairs_result *r) {
    for (size_t i = 0; r->scores && i < r->n_scores; i++)
        mz_free(r->scores[i].per_token_more), mz_free(r->scores[i].per_token_less);
    mz_free(r->scores);
    mz_free(r->summaries);
    memset(r, 0, sizeof *r);
}

double mz_lik_preference(double more, double less) {
    return more > less ? 1 : more < less ? 0 : 0.5;
}

mz_status mz_lik_pairs_change(mz_pairs_change *out, const double *before, const double *after,
                              const char *const *target, size_t n, const mz_pairs_options *o,
                              mz_ctx *ctx) {
    *out = (mz_pairs_change){.ci_lo = NAN, .ci_hi = NAN, .p_value = NAN};
    size_t *cluster = mz_malloc((n ? n : 1) * sizeof *cluster), strata[2];
    if (!cluster) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t k = mz_stats_paired_clusters(cluster, strata, target, NULL, n);
    mz_paired d = {before, after, n, 1, NULL, cluster, k, strata, 1, mz_paired_mean};
    mz_paired_result r;
    mz_status rc =
        mz_stats_paired_change(&r, &d, o->n_resamples, o->n_bootstrap, o->ci_level, o->seed, ctx);
    if (!rc)
        *out = (mz_pairs_change){r.before,  r.after, r.change, r.ci_lo, r.ci_hi, r.ci_level,
                                 r.p_value, r.mc_se, r.exact,  n,       k};
    mz_free(cluster);
    return rc;
}

/* ---- Two languages ---------------------------------------------------------------------- */

/* "sw-gender-001" -> "gender-001": the id after the language prefix. */
static const char *item_key(const char *id) {
    const char *dash = strchr(id, '-');
    return dash ? dash + 1 : id;
}

static const mz_pair_score *counterpart(const mz_pairs_result *b, const mz_pair_score *x) {
    for (size_t j = 0; j < b->n_scores; j++)
        if (!strcmp(item_key(b->scores[j].pair->id), item_key(x->pair->id))) return &b->scores[j];
    return NULL;
}

static mz_status language_diff(mz_pairs_language_diff *d, const mz_pairs_result *a,
                               const mz_pairs_result *b, const char *category,
                               const mz_pairs_options *o, scratch *w, const char **tb,
                               const char **cb, mz_ctx *ctx) {
    memset(d, 0, sizeof *d);
    snprintf(d->category, sizeof d->category, "%s", category ? category : "all");
    double ra = 0, rb = 0;
    size_t m = 0;
    for (size_t i = 0; i < a->n_scores; i++) {
        const mz_pair_score *x = &a->scores[i], *y = counterpart(b, x);
        if ((category && strcmp(x->pair->category, category)) || !tested(x) || !y || !tested(y))
            continue;
        w->target[m] = x->pair->target_id, tb[m] = y->pair->target_id;
        w->contrast[m] = x->contrast, cb[m] = y->contrast;
        /* centred at 1/2 by gather: (pa - pb + 1) / 2 - 1/2 = (pa - pb) / 2 */
        w->value[m++] = (preference(x) - preference(y) + 1) / 2;
        ra += preference(x), rb += preference(y);
    }
    d->n = m;
    d->rate_a = m ? ra / (double)m : NAN, d->rate_b = m ? rb / (double)m : NAN;
    const char *const *keys[4] = {w->target, tb, w->contrast, cb};
    size_t k = cluster_items(w->cluster, keys, 4, m, w->parent);
    d->n_clusters = k;
    clustered c = {0};
    mz_status rc = gather(&c, w->value, w->cluster, m, k, ctx);
    if (!rc) rc = cluster_test(&d->p_value, &d->inference, NULL, NULL, &c, o, ctx);
    d->inference.unit = "clusters";
    clustered_free(&c);
    return rc;
}

mz_status mz_lik_pairs_language_diff(mz_pairs_language_diff *out, size_t *n_out,
                                     const mz_pairs_result *a, const mz_pairs_result *b,
                                     const mz_pairs_options *o, mz_ctx *ctx) {
    size_t nc = a->n_summaries ? a->n_summaries - 1 : 0;
    scratch w = {0};
    const char **tb = mz_malloc((a->n_scores ? a->n_scores : 1) * sizeof *tb),
               **cb = mz_malloc((a->n_scores ? a->n_scores : 1) * sizeof *cb);
    mz_status rc = tb && cb ? scratch_new(&w, a->n_scores, ctx)
                            : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    *n_out = 0;
    for (size_t i = 0; !rc && i <= nc && a->n_summaries; i++) {
        rc = language_diff(&out[*n_out], a, b, i < nc ? a->summaries[i].category : NULL, o, &w, tb,
                           cb, ctx);
        *n_out += !rc && out[*n_out].n > 0;
    }
    double p[MAX_CATEGORIES];
    size_t nh = *n_out && !strcmp(out[*n_out - 1].category, "all") ? *n_out - 1 : *n_out;
    for (size_t i = 0; !rc && i < nh; i++)
        p[i] = out[i].p_value;
    if (!rc && nh) rc = mz_stats_holm_present(p, p, nh, ctx);
    for (size_t i = 0; !rc && i < *n_out; i++)
        out[i].p_holm = i < nh ? p[i] : out[i].p_value;
    scratch_free(&w);
    mz_free(tb), mz_free(cb);
    return rc;
}
