/* One replication of the calibration study (see families.h). */
#include "families.h"
#include "cli.h"
#include "mizani/alloc.h"
#include "mizani/ceat.h"
#include "mizani/likelihood_run.h"
#include "mizani/seat.h"
#include "null_model.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const family_names[F_COUNT] = {
    "static WEAT", "static RND", "SEAT words only",  "CEAT words only",
    "SEAT",        "CEAT",       "masked templates", "masked sw vs en",
    "pairs PLL",   "pairs AUL",  "pairs causal",     "pairs sw vs en"};

static mz_status load(mz_probe_set ***sets, size_t *n, const char *corpora, mz_probe_kind kind,
                      mz_ctx *ctx) {
    mz_cli cli = {.ctx = ctx};
    return mz_cli_load_probe_sets(&cli, corpora, kind, sets, n);
}

void study_defaults(study *s, int hidden, const char *workdir, uint64_t permutations) {
    *s = (study){.bert_tokenizer = "calibration/unigram-mask.tokenizer.json",
                 .gpt2_tokenizer = "golden/tokenizers/bpe-byte-level.json",
                 .layers = 2,
                 .hidden = hidden,
                 .heads = 4,
                 .positions = 128,
                 .workdir = workdir,
                 .permutations = permutations,
                 .copies = 10};
    for (int f = 0; f < F_COUNT; f++)
        s->families[f] = 1;
}

mz_status study_load(study *s, const char *corpora, mz_ctx *ctx) {
    mz_status rc = load(&s->assoc, &s->n_assoc, corpora, MZ_PROBE_ASSOCIATION, ctx);
    if (!rc) rc = load(&s->tpl, &s->n_tpl, corpora, MZ_PROBE_TEMPLATES, ctx);
    if (!rc) rc = load(&s->pairs, &s->n_pairs, corpora, MZ_PROBE_MINIMAL_PAIRS, ctx);
    if (!rc) rc = load(&s->masked, &s->n_masked, corpora, MZ_PROBE_MASKED, ctx);
    return rc;
}

void study_free(study *s) {
    mz_cli_free_sets(s->assoc, s->n_assoc), mz_cli_free_sets(s->tpl, s->n_tpl);
    mz_cli_free_sets(s->pairs, s->n_pairs), mz_cli_free_sets(s->masked, s->n_masked);
    mz_free(s->kept.r[0]), mz_free(s->kept.r[1]), mz_free(s->kept.shared[0]),
        mz_free(s->kept.shared[1]);
}

/* The p-values of one family in one run: counted raw, then Holm across them. */
typedef struct run_ps {
    double p[256];
    size_t n;
} run_ps;

static void add_p(tally *t, run_ps *r, double p, int can_reach) {
    if (!can_reach) {
        t->too_few++;
        return;
    }
    t->tests++, t->hits += p < 0.05;
    if (r->n < 256) r->p[r->n++] = p;
}

static mz_status close_run(tally *t, run_ps *r, mz_ctx *ctx) {
    t->runs++;
    if (!r->n) return MZ_OK;
    mz_status rc = mz_stats_holm(r->p, r->p, r->n, ctx);
    int any = 0;
    for (size_t i = 0; !rc && i < r->n; i++)
        any |= r->p[i] < 0.05;
    t->runs_any += any;
    return rc;
}

/* ---- Static vectors ----------------------------------------------------------------------- */

#define DIM 50

/* Every word's vector from its own seeded generator: the same word (shared attribute lists)
 * gets the same vector across the sets of one replication. */
static void word_vector(float *v, const char *word, unsigned long seed, gsl_rng *rng) {
    unsigned long h = 5381;
    for (const char *c = word; *c; c++)
        h = h * 33 + (unsigned char)*c;
    gsl_rng_set(rng, mz_stats_block_seed(seed, h));
    for (int i = 0; i < DIM; i++)
        v[i] = (float)gsl_ran_gaussian_ziggurat(rng, 1);
}

static mz_status static_set(const mz_probe_set *set, unsigned long seed, const study *s, tally *t,
                            run_ps *rw, run_ps *rr, gsl_rng *rng, mz_ctx *ctx) {
    const mz_probe_list *l[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                 &set->attributes[1]};
    size_t n = l[0]->n + l[1]->n + l[2]->n + l[3]->n, at = 0;
    float *v = mz_malloc(n * DIM * sizeof *v);
    if (!v) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_word_set w[4];
    for (int k = 0; k < 4; k++) {
        w[k] = (mz_word_set){l[k]->name, l[k]->texts, v + at * DIM, l[k]->n};
        for (size_t i = 0; i < l[k]->n; i++, at++)
            word_vector(v + at * DIM, l[k]->words[i].text, seed, rng);
    }
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    wo.n_permutations = s->permutations, wo.n_bootstrap = 0, wo.seed = seed;
    mz_weat_result r;
    mz_status rc = mz_weat(&r, &w[0], &w[1], &w[2], &w[3], DIM, &wo, ctx);
    if (!rc) add_p(&t[F_WEAT], rw, r.perm.p_value, 1);
    mz_metric_options mo = {.n_bootstrap = 0, .n_permutations = s->permutations, .seed = seed};
    mz_metric_result m;
    if (!rc) rc = mz_assoc_rnd(&m, NULL, &w[0], &w[2], &w[3], DIM, &mo, ctx); /* S = X */
    if (!rc) add_p(&t[F_RND], rr, m.p_value, 1);
    mz_free(v);
    return rc;
}

static mz_status static_families(const study *s, unsigned long seed, tally *t, mz_ctx *ctx) {
    run_ps rw = {0}, rr = {0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    mz_status rc = rng ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < s->n_assoc; i++)
        rc = static_set(s->assoc[i], seed, s, t, &rw, &rr, rng, ctx);
    if (rng) gsl_rng_free(rng);
    if (!rc) rc = close_run(&t[F_WEAT], &rw, ctx);
    if (!rc) rc = close_run(&t[F_RND], &rr, ctx);
    return rc;
}

/* ---- Models ------------------------------------------------------------------------------- */

static mz_status open_null(mz_model **m, mz_tokenizer **tok, const study *s, int causal,
                           unsigned long seed, mz_ctx *ctx) {
    null_spec spec = {causal,   s->layers,    s->hidden,
                      s->heads, s->positions, causal ? s->gpt2_tokenizer : s->bert_tokenizer,
                      seed};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s-%lu", s->workdir, causal ? "gpt2" : "bert", seed);
    null_model nm;
    mz_status rc = null_model_make(&nm, &spec, ctx);
    if (!rc) rc = null_model_write(&nm, &spec, dir, ctx);
    null_model_free(&nm);
    if (!rc) rc = mz_model_open(m, dir, ctx);
    if (!rc) rc = mz_tokenizer_load(tok, dir, ctx);
    null_model_remove(dir); /* the model keeps its map of the weights */
    return rc;
}

/* Room for one more replication's SEAT and CEAT tests. */
static mz_status keep_room(kept_tests *k, size_t n, mz_ctx *ctx) {
    for (int f = 0; f < 2; f++)
        if (mz_grow((void **)&k->r[f], &k->cap[f], (k->runs + 1) * n, sizeof *k->r[f]) ||
            mz_grow((void **)&k->shared[f], &k->cap_shared[f], (k->runs + 1) * n,
                    sizeof *k->shared[f]))
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    return MZ_OK;
}

/* Set i's test into the kept ones (NAN z when not computed) and its raw count. */
static void keep(kept_tests *k, int f, size_t i, size_t n, const mz_suite_entry *e,
                 const mz_weat_units_result *w) {
    mz_weat_units_result *x = &k->r[f][k->runs * n + i];
    *x = *w;
    k->shared[f][k->runs * n + i] = e->shared_pieces;
    if (!e->computed) x->effect_size = x->z = NAN, x->inference.can_reach = 0;
    if (i < 64 && x->inference.can_reach) k->tests[f][i]++, k->hits[f][i] += x->p_value < 0.05;
}

static mz_status suites(study *s, mz_model *m, const mz_tokenizer *tok, unsigned long seed,
                        tally *t, mz_ctx *ctx) {
    size_t n = s->n_assoc;
    int run_seat = s->families[F_SEAT] || s->families[F_SEAT_REF],
        run_ceat = s->families[F_CEAT] || s->families[F_CEAT_REF];
    mz_seat_result *seat = mz_calloc(n, sizeof *seat);
    mz_ceat_result *ceat = mz_calloc(n, sizeof *ceat);
    mz_status rc = seat && ceat ? keep_room(&s->kept, n, ctx)
                                : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    wo.n_permutations = s->permutations, wo.n_bootstrap = 0, wo.seed = seed;
    mz_ceat_options co = {.embed = eo,
                          .n_samples = 20,
                          .ci_level = 0.95,
                          .seed = seed,
                          .n_permutations = s->permutations};
    if (!rc && run_seat)
        rc = mz_seat_suite(seat, m, tok, s->assoc, n, s->tpl, s->n_tpl, &eo, &wo, ctx);
    if (!rc && run_ceat) rc = mz_ceat_suite(ceat, m, tok, s->assoc, n, s->tpl, s->n_tpl, &co, ctx);
    run_ps rs = {0}, rc2 = {0};
    for (size_t i = 0; !rc && i < n; i++) {
        if (s->families[F_SEAT] && seat[i].entry.computed)
            add_p(&t[F_SEAT], &rs, seat[i].weat.p_value, seat[i].weat.inference.can_reach);
        if (s->families[F_CEAT] && ceat[i].entry.computed)
            add_p(&t[F_CEAT], &rc2, ceat[i].words.p_value, ceat[i].words.inference.can_reach);
        if (run_seat) keep(&s->kept, 0, i, n, &seat[i].entry, &seat[i].weat);
        if (run_ceat) keep(&s->kept, 1, i, n, &ceat[i].entry, &ceat[i].words);
    }
    if (!rc) s->kept.runs++;
    if (!rc && s->families[F_SEAT]) rc = close_run(&t[F_SEAT], &rs, ctx);
    if (!rc && s->families[F_CEAT]) rc = close_run(&t[F_CEAT], &rc2, ctx);
    mz_suite_clear(seat, sizeof *seat, n), mz_suite_clear(ceat, sizeof *ceat, n);
    mz_free(seat), mz_free(ceat);
    return rc;
}

/* Replication r's test i with its reference from the next s->copies replications' models. */
static mz_status referred(mz_weat_units_result *out, const study *s, int f, size_t r, size_t i,
                          mz_ctx *ctx) {
    const kept_tests *k = &s->kept;
    size_t n = s->n_assoc;
    double z[64], d[64];
    *out = k->r[f][r * n + i];
    for (size_t c = 0; c < s->copies && c < 64; c++) {
        const mz_weat_units_result *x = &k->r[f][((r + 1 + c) % k->runs) * n + i];
        z[c] = x->z, d[c] = x->effect_size;
    }
    if (!isfinite(out->z)) return MZ_OK;        /* not computed, or nothing can move */
    if (!k->shared[f][r * n + i]) return MZ_OK; /* distinct tokens: the permutation is exact */
    mz_status rc = mz_weat_units_reference(out, z, d, s->copies < 64 ? s->copies : 64, ctx);
    if (rc == MZ_ERR_INPUT) { /* too few copies where the test was computable */
        mz_ctx_clear(ctx);
        out->inference.can_reach = 0, rc = MZ_OK;
    }
    return rc;
}

mz_status study_reference(study *s, tally *t, mz_ctx *ctx) {
    kept_tests *k = &s->kept;
    if (s->copies < 3 || s->copies >= k->runs) return MZ_OK;
    static const int fam[2] = {F_SEAT_REF, F_CEAT_REF};
    mz_status rc = MZ_OK;
    for (int f = 0; f < 2; f++) {
        if (!s->families[fam[f]]) continue;
        for (size_t r = 0; !rc && r < k->runs; r++) {
            run_ps ps = {0};
            for (size_t i = 0; !rc && i < s->n_assoc; i++) {
                mz_weat_units_result w;
                rc = referred(&w, s, f, r, i, ctx);
                if (rc || !isfinite(w.effect_size)) continue; /* not computed, as above */
                add_p(&t[fam[f]], &ps, w.p_value, w.inference.can_reach);
                if (i < 64 && w.inference.can_reach)
                    k->tests[2 + f][i]++, k->hits[2 + f][i] += w.p_value < 0.05;
            }
            if (!rc) rc = close_run(&t[fam[f]], &ps, ctx);
        }
    }
    return rc;
}

void study_print_sets(FILE *o, const study *s) {
    const kept_tests *k = &s->kept;
    fprintf(
        o,
        "p < 0.05 per association set, of the runs where it could reach it (words: words as units "
        "alone; default: with the null reference where words share tokens):\n%-30s %9s %9s %9s "
        "%9s\n",
        "set", "SEAT words", "default", "CEAT words", "default");
    for (size_t i = 0; i < s->n_assoc && i < 64; i++) {
        fprintf(o, "%-30s", s->assoc[i]->id);
        for (int f = 0; f < 4; f++) {
            int c = f == 1 ? 2 : f == 2 ? 1 : f; /* SEAT, SEAT + ref, CEAT, CEAT + ref */
            char cell[32];
            snprintf(cell, sizeof cell, "%lu/%lu", k->hits[c][i], k->tests[c][i]);
            fprintf(o, " %9s", k->tests[c][i] ? cell : "too few");
        }
        fprintf(o, "\n");
    }
}

/* Every masked-template set; with `lang`, each two parallel sets compared. */
static mz_status masked(const study *s, mz_model *m, const mz_tokenizer *tok, unsigned long seed,
                        tally *t, mz_ctx *ctx) {
    run_ps r = {0}, rl = {0};
    size_t n = s->n_masked;
    mz_masked_result *x = mz_calloc(n + 1, sizeof *x);
    mz_status rc = x ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mz_lik_masked(&x[i], m, tok, s->masked[i], 0, 0.95, seed, NULL, ctx);
        if (!rc && s->families[F_MASKED])
            add_p(&t[F_MASKED], &r, x[i].p_value, x[i].inference.can_reach);
    }
    if (!rc && s->families[F_MASKED]) rc = close_run(&t[F_MASKED], &r, ctx);
    for (size_t i = 0; !rc && s->families[F_MASKED_LANG] && i < n; i++)
        for (size_t j = i + 1; !rc && j < n; j++)
            if (mz_lik_masked_parallel(s->masked[i], s->masked[j])) {
                mz_masked_languages l = {0};
                rc = mz_lik_masked_languages_test(&l, &x[i], &x[j], 0, 0.95, 0.05, seed, ctx);
                if (!rc) add_p(&t[F_MASKED_LANG], &rl, l.p_value, l.inference.can_reach);
            }
    if (!rc && s->families[F_MASKED_LANG]) rc = close_run(&t[F_MASKED_LANG], &rl, ctx);
    for (size_t i = 0; x && i < n; i++)
        mz_masked_result_free(&x[i]);
    mz_free(x);
    return rc;
}

/* Both languages' pairs with one method; with `lang`, the two compared. */
static mz_status pairs(const study *s, mz_model *m, const mz_tokenizer *tok, mz_lik_method method,
                       unsigned long seed, tally *tf, tally *lang, mz_ctx *ctx) {
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    o.n_bootstrap = 0, o.seed = seed, o.n_resamples = s->permutations;
    mz_pairs_result r[8] = {0};
    size_t n = s->n_pairs < 8 ? s->n_pairs : 8;
    run_ps rp = {0}, rl = {0};
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mz_lik_pairs(&r[i], m, tok, s->pairs[i], method, &o, NULL, ctx);
        for (size_t k = 0; !rc && k + 1 < r[i].n_summaries; k++) /* categories, not "all" */
            add_p(tf, &rp, r[i].summaries[k].p_value, r[i].summaries[k].inference.can_reach);
    }
    if (!rc) rc = close_run(tf, &rp, ctx);
    if (!rc && lang && n == 2) {
        mz_pairs_language_diff d[65];
        size_t nd = 0;
        rc = mz_lik_pairs_language_diff(d, &nd, &r[0], &r[1], &o, ctx);
        for (size_t k = 0; !rc && k < nd; k++)
            if (strcmp(d[k].category, "all"))
                add_p(lang, &rl, d[k].p_value, d[k].inference.can_reach);
        if (!rc) rc = close_run(lang, &rl, ctx);
    }
    for (size_t i = 0; i < n; i++)
        mz_pairs_result_free(&r[i]);
    return rc;
}

static mz_status encoder_families(study *s, unsigned long seed, tally *t, mz_ctx *ctx) {
    mz_model *m = NULL;
    mz_tokenizer *tok = NULL;
    mz_status rc = open_null(&m, &tok, s, 0, seed, ctx);
    if (!rc && (s->families[F_SEAT] || s->families[F_CEAT] || s->families[F_SEAT_REF] ||
                s->families[F_CEAT_REF]))
        rc = suites(s, m, tok, seed, t, ctx);
    if (!rc && (s->families[F_MASKED] || s->families[F_MASKED_LANG]))
        rc = masked(s, m, tok, seed, t, ctx);
    if (!rc && (s->families[F_PLL] || s->families[F_LANG]))
        rc = pairs(s, m, tok, MZ_LIK_PLL, seed, &t[F_PLL], s->families[F_LANG] ? &t[F_LANG] : NULL,
                   ctx);
    if (!rc && s->families[F_AUL]) rc = pairs(s, m, tok, MZ_LIK_AUL, seed, &t[F_AUL], NULL, ctx);
    mz_tokenizer_free(tok);
    mz_model_free(m);
    return rc;
}

mz_status study_replicate(study *s, unsigned long seed, tally *t, mz_ctx *ctx) {
    mz_status rc =
        s->families[F_WEAT] || s->families[F_RND] ? static_families(s, seed, t, ctx) : MZ_OK;
    if (!rc) rc = encoder_families(s, seed, t, ctx);
    if (!rc && s->families[F_CAUSAL]) {
        mz_model *m = NULL;
        mz_tokenizer *tok = NULL;
        rc = open_null(&m, &tok, s, 1, seed, ctx);
        if (!rc) rc = pairs(s, m, tok, MZ_LIK_CAUSAL, seed, &t[F_CAUSAL], NULL, ctx);
        mz_tokenizer_free(tok);
        mz_model_free(m);
    }
    return rc;
}

int tally_ok(const tally *t) {
    return t->hits <= mz_stats_binom_upper(t->tests, 0.05, 0.99) &&
           t->runs_any <= mz_stats_binom_upper(t->runs, 0.05, 0.99);
}

void tally_print(FILE *o, const tally *t) {
    fprintf(o, "%-18s %6s %8s %7s %7s %6s %9s %7s %6s\n", "family", "runs", "tests", "p<.05",
            "rate", "bound", "any Holm", "rate", "bound");
    for (int f = 0; f < F_COUNT; f++) {
        const tally *x = &t[f];
        if (!x->runs) continue;
        fprintf(o, "%-18s %6lu %8lu %7lu %7.3f %6lu %9lu %7.3f %6lu %s (%lu too few)\n",
                family_names[f], x->runs, x->tests, x->hits,
                x->tests ? (double)x->hits / (double)x->tests : NAN,
                mz_stats_binom_upper(x->tests, 0.05, 0.99), x->runs_any,
                (double)x->runs_any / (double)x->runs, mz_stats_binom_upper(x->runs, 0.05, 0.99),
                tally_ok(x) ? "ok" : "EXCEEDS", x->too_few);
    }
}
