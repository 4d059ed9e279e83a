/* Statistics against the numpy/scipy reference in tests/golden/stats.json
 * (tests/reference/stats_reference.py) and against cases whose answer is known exactly. */
#include "check.h"
#include "golden_json.h"
#include "mizani/association.h"
#include "mizani/mizani.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdint.h>

static mz_ctx *ctx;

static void test_permutation(const json_t *cases) {
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        size_t n;
        double *s = golden_doubles(json_object_get(c, "s"), &n);
        size_t n_first = (size_t)json_integer_value(json_object_get(c, "n_first"));
        int exact = json_is_true(json_object_get(c, "exact"));
        mz_perm_options opt = {.max_exact = exact ? 1000000 : 0, .n_resamples = 200000, .seed = 7};
        mz_perm_result r;
        CHECK_INT(mz_stats_perm_split(&r, s, n, n_first, &opt, ctx), MZ_OK);
        double want = golden_num(c, "p_value");
        if (exact) {
            CHECK_INT(r.exact, 1);
            CHECK_NEAR(r.p_value, want, 1e-15); /* a ratio of counts: exact */
        } else {
            double se_ref = golden_num(c, "mc_se");
            CHECK_NEAR(r.p_value, want, 3 * sqrt(r.mc_se * r.mc_se + se_ref * se_ref));
            CHECK(r.mc_se > 0);
            /* the same seed gives the same p whatever the thread count */
            mz_set_threads(1);
            mz_perm_result r1;
            mz_stats_perm_split(&r1, s, n, n_first, &opt, ctx);
            mz_set_threads(2);
            CHECK(r1.p_value == r.p_value);
        }
        free(s);
    }
}

static void load_sets(const json_t *c, mz_word_set sets[4], float *m[4], size_t *dim) {
    for (int k = 0; k < 4; k++) {
        size_t rows;
        m[k] = golden_matrix(json_array_get(json_object_get(c, "sets"), (size_t)k), &rows, dim);
        sets[k] = (mz_word_set){.name = "set", .vectors = m[k], .n = rows};
    }
}

static void test_weat(const json_t *cases) {
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        mz_word_set sets[4];
        float *m[4];
        size_t dim;
        load_sets(c, sets, m, &dim);
        mz_weat_options opt;
        mz_weat_options_default(&opt);
        opt.n_bootstrap = 2000;
        mz_weat_result r;
        CHECK_INT(mz_weat(&r, &sets[0], &sets[1], &sets[2], &sets[3], dim, &opt, ctx), MZ_OK);
        CHECK_NEAR(r.effect_size, golden_num(c, "effect_size"), 1e-9);
        CHECK_NEAR(r.mean_diff, golden_num(c, "mean_diff"), 1e-9);
        CHECK_NEAR(r.statistic, golden_num(c, "statistic"), 1e-9);
        CHECK_NEAR(r.perm.p_value, golden_num(c, "p_value"), 1e-15);
        CHECK_INT(r.perm.n_splits, golden_num(c, "splits"));
        CHECK(r.ci_lo < r.effect_size && r.effect_size < r.ci_hi);

        size_t nt;
        double *want = golden_doubles(json_object_get(c, "scores"), &nt);
        double *got = calloc(sets[0].n, sizeof *got);
        CHECK_INT(mz_assoc_word_scores(got, &sets[0], &sets[2], &sets[3], dim, ctx), MZ_OK);
        for (size_t w = 0; w < sets[0].n; w++)
            CHECK_NEAR(got[w], want[w], 1e-12);
        free(got);
        free(want);

        mz_weat_result again; /* one seed, one interval, any thread count */
        mz_set_threads(1);
        mz_weat(&again, &sets[0], &sets[1], &sets[2], &sets[3], dim, &opt, ctx);
        mz_set_threads(2);
        CHECK(again.ci_lo == r.ci_lo && again.ci_hi == r.ci_hi);
        opt.seed = 2;
        mz_weat(&again, &sets[0], &sets[1], &sets[2], &sets[3], dim, &opt, ctx);
        CHECK(again.ci_lo != r.ci_lo);
        for (int k = 0; k < 4; k++)
            free(m[k]);
    }
}

/* WEAT's scores come from the target-attribute cosine table when it is no larger than the
 * vectors, else from the attributes' mean unit vectors (O(n d) memory either way). The same
 * words with zero dimensions appended take the other form: d, the statistic, p and the interval
 * must agree. */
static void test_weat_both_forms(void) {
    enum { N = 30, SMALL = 6, BIG = 80 };
    float *small = malloc(4 * N * SMALL * sizeof *small), *big = calloc(4 * N * BIG, sizeof *big);
    unsigned long state = 7;
    for (size_t i = 0; i < 4 * N * SMALL; i++) {
        state = state * 6364136223846793005UL + 1442695040888963407UL;
        small[i] = (float)((double)(state >> 11) / 9007199254740992.0 - 0.5) +
                   (i / (N * SMALL) % 2 == 0 && i % SMALL == 0); /* X and A lean along e1 */
        big[i / SMALL * BIG + i % SMALL] = small[i];
    }
    mz_weat_options opt;
    mz_weat_options_default(&opt);
    opt.n_bootstrap = 500, opt.n_permutations = 2000;
    mz_weat_result r[2];
    for (int form = 0; form < 2; form++) {
        const float *m = form ? big : small;
        size_t dim = form ? BIG : SMALL;
        mz_word_set w[4];
        for (int k = 0; k < 4; k++)
            w[k] = (mz_word_set){.name = "set", .vectors = m + (size_t)k * N * dim, .n = N};
        CHECK_INT(mz_weat(&r[form], &w[0], &w[1], &w[2], &w[3], dim, &opt, ctx), MZ_OK);
    }
    CHECK(r[0].effect_size > 0.5);
    CHECK_NEAR(r[0].effect_size, r[1].effect_size, 1e-12);
    CHECK_NEAR(r[0].statistic, r[1].statistic, 1e-12);
    CHECK_NEAR(r[0].perm.p_value, r[1].perm.p_value, 1e-15);
    CHECK_NEAR(r[0].ci_lo, r[1].ci_lo, 1e-12);
    CHECK_NEAR(r[0].ci_hi, r[1].ci_hi, 1e-12);
    free(small);
    free(big);
}

/* X = {e1, e1}, Y = {e2, e2}, A = {e1}, B = {e2}: s = (1, 1, -1, -1), so
 * d = 2 / sd(1, 1, -1, -1) = sqrt(3), and only the observed split of the six reaches it. */
static void test_weat_analytic(void) {
    const float e1[] = {1, 0, 1, 0}, e2[] = {0, 1, 0, 1};
    mz_word_set x = {.name = "X", .vectors = e1, .n = 2}, y = {.name = "Y", .vectors = e2, .n = 2};
    mz_word_set a = {.name = "A", .vectors = e1, .n = 1}, b = {.name = "B", .vectors = e2, .n = 1};
    mz_weat_options opt;
    mz_weat_options_default(&opt);
    opt.n_bootstrap = 0;
    mz_weat_result r;
    CHECK_INT(mz_weat(&r, &x, &y, &a, &b, 2, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.effect_size, sqrt(3.0), 1e-12);
    CHECK_NEAR(r.mean_diff, 2.0, 1e-12);
    CHECK_NEAR(r.statistic, 4.0, 1e-12);
    CHECK_NEAR(r.perm.p_value, 1.0 / 6.0, 1e-15);
    CHECK_INT(r.perm.n_splits, 6);
    CHECK_INT(r.ci_level, 0);

    /* degenerate inputs: a clear error, never NaN */
    const float zero[] = {0, 0, 1, 0};
    mz_word_set z = {
        .name = "Z", .vectors = zero, .n = 2, .words = (const char *[]){"sifuri", "x"}};
    CHECK_INT(mz_weat(&r, &z, &y, &a, &b, 2, &opt, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "'sifuri'");
    CHECK_CONTAINS(mz_ctx_message(ctx), "all zeros");
    mz_word_set same = {.name = "same", .vectors = e1, .n = 2};
    CHECK_INT(mz_weat(&r, &x, &same, &a, &b, 2, &opt, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "not computable");
    mz_word_set empty = {.name = "tupu", .vectors = e1, .n = 0};
    CHECK_INT(mz_weat(&r, &x, &y, &empty, &b, 2, &opt, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "attribute A set 'tupu' has 0 words");
}

/* RND, MAC, ECT, RIPA and RNSB against numpy/scipy from the papers' definitions. */
/* A metric's value against golden `key` and, where the golden has them, its per-word values
 * against `key`_per_word (to word_tol) and its permutation p against `key`_p (within three
 * Monte Carlo standard errors of both). */
static void check_metric(const mz_metric_result *r, const double *got, const json_t *c,
                         const char *key, double tol, double word_tol) {
    char k[64];
    CHECK_NEAR(r->value, golden_num(c, key), tol);
    snprintf(k, sizeof k, "%s_per_word", key);
    size_t n;
    double *want = json_object_get(c, k) ? golden_doubles(json_object_get(c, k), &n) : NULL;
    for (size_t w = 0; want && w < n; w++)
        CHECK_NEAR(got[w], want[w], word_tol);
    free(want);
    snprintf(k, sizeof k, "%s_p", key);
    if (!json_object_get(c, k)) return;
    double ref_p = golden_num(c, k), ref_se = sqrt(ref_p * (1 - ref_p) / 20000);
    CHECK_NEAR(r->p_value, ref_p, 3 * sqrt(r->mc_se * r->mc_se + ref_se * ref_se));
}

static void test_metrics(const json_t *cases) {
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        mz_word_set sets[3];
        float *m[3];
        size_t dim, n;
        for (int k = 0; k < 3; k++) {
            m[k] = golden_matrix(json_array_get(json_object_get(c, "sets"), (size_t)k), &n, &dim);
            sets[k] = (mz_word_set){.name = "set", .vectors = m[k], .n = n};
        }
        const mz_word_set *s = &sets[0], *a = &sets[1], *b = &sets[2];
        mz_metric_options opt;
        mz_metric_options_default(&opt);
        opt.n_permutations = 20000;
        mz_metric_result r;
        double got[64];

        CHECK_INT(mz_assoc_rnd(&r, got, s, a, b, dim, &opt, ctx), MZ_OK);
        check_metric(&r, got, c, "rnd", 1e-9, 1e-9);
        CHECK(r.ci_lo <= r.value && r.value <= r.ci_hi);
        CHECK_INT(mz_assoc_mac(&r, got, s, a, b, dim, &opt, ctx), MZ_OK);
        check_metric(&r, got, c, "mac", 1e-9, 1e-9);
        CHECK(isnan(r.p_value));

        /* the peers' conventions: RND on the vectors as given, MAC as cosine similarity */
        opt.rnd_as_given = opt.mac_similarity = 1;
        CHECK_INT(mz_assoc_rnd(&r, got, s, a, b, dim, &opt, ctx), MZ_OK);
        check_metric(&r, got, c, "rnd_as_given", 1e-9, 1e-9);
        CHECK_INT(mz_assoc_mac(&r, got, s, a, b, dim, &opt, ctx), MZ_OK);
        check_metric(&r, got, c, "mac_similarity", 1e-9, 1e-9);
        opt.rnd_as_given = opt.mac_similarity = 0;

        CHECK_INT(mz_assoc_ect(&r, got, s, a, b, dim, &opt, ctx), MZ_OK);
        check_metric(&r, got, c, "ect", 1e-9, 1e-9);
        CHECK(r.ci_lo < r.ci_hi);

        if (a->n == b->n) {
            CHECK_INT(mz_assoc_ripa(&r, got, s, a, b, dim, &opt, ctx), MZ_OK);
            check_metric(&r, got, c, "ripa", 1e-9, 1e-9);
        } else {
            CHECK_INT(mz_assoc_ripa(&r, got, s, a, b, dim, &opt, ctx), MZ_ERR_INPUT);
            CHECK_CONTAINS(mz_ctx_message(ctx), "paired groups of equal size (got 5 and 7)");
        }

        opt.n_bootstrap = 200; /* each draw refits the classifier */
        CHECK_INT(mz_assoc_rnsb(&r, got, s, a, b, dim, &opt, ctx), MZ_OK);
        check_metric(&r, got, c, "rnsb", 1e-7, 1e-8);
        CHECK(r.ci_lo < r.ci_hi);
        for (int k = 0; k < 3; k++)
            free(m[k]);
    }
}

/* RIPA's sign is a contract: words along A - B score positive, whatever sign the
 * eigen-solver gives the principal direction. Pairs differ by 1, 2, 3 along e1 (plus a
 * shared offset on e2), so beta = e1 and s = 2 e1 scores exactly 2; swapping A and B
 * scores -2. */
static void test_ripa_orientation(void) {
    const float a[] = {1, 5, 2, 5, 3, 5}, b[] = {0, 5, 0, 5, 0, 5}, s[] = {2, 0};
    mz_word_set sa = {.name = "A", .vectors = a, .n = 3}, sb = {.name = "B", .vectors = b, .n = 3};
    mz_word_set ss = {.name = "S", .vectors = s, .n = 1};
    mz_metric_options opt = {.ci_level = 0.95};
    mz_metric_result r;
    CHECK_INT(mz_assoc_ripa(&r, NULL, &ss, &sa, &sb, 2, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.value, 2.0, 1e-12);
    CHECK_INT(mz_assoc_ripa(&r, NULL, &ss, &sb, &sa, 2, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.value, -2.0, 1e-12);
}

/* Separable data in more dimensions than samples (every RNSB fit on a few dozen words):
 * the regularised fit must still converge to the optimum, where the gradient
 * w + sum_i c (sigma(y_i w.x_i) - 1) y_i x_i vanishes. */
static void test_logistic_separable(void) {
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    enum { M = 14, D = 100 };
    static double x[M * D], w[D + 1];
    int y[M];
    for (int trial = 0; trial < 40; trial++) {
        for (size_t i = 0; i < M * D; i++)
            x[i] = gsl_ran_gaussian(r, 1.0);
        for (size_t i = 0; i < M; i++)
            y[i] = i < M / 2 ? -1 : 1;
        CHECK_INT(mz_stats_logistic_fit(w, x, y, M, D, 1.0, ctx), MZ_OK);
        double g[D + 1], norm = 0;
        memcpy(g, w, sizeof g);
        for (size_t i = 0; i < M; i++) {
            double z = w[D];
            for (size_t k = 0; k < D; k++)
                z += w[k] * x[i * D + k];
            double coef = (1 / (1 + exp(-y[i] * z)) - 1) * y[i];
            for (size_t k = 0; k < D; k++)
                g[k] += coef * x[i * D + k];
            g[D] += coef;
        }
        for (size_t k = 0; k <= D; k++)
            norm += g[k] * g[k];
        CHECK(sqrt(norm) < 1e-8);
    }
    gsl_rng_free(r);
}

/* The change of d before/after against numpy. */
static void test_change(const json_t *cases) {
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        size_t n, nx = (size_t)golden_num(c, "nx"), ny = (size_t)golden_num(c, "ny");
        double *before = golden_doubles(json_object_get(c, "before"), &n);
        double *after = golden_doubles(json_object_get(c, "after"), &n);
        mz_weat_change r, again;
        CHECK_INT(mz_weat_change_test(&r, before, after, nx, ny, NULL, 2000, 20000, 0.95, 4, ctx),
                  MZ_OK);
        CHECK_NEAR(r.d_before, golden_num(c, "d_before"), 1e-12);
        CHECK_NEAR(r.d_after, golden_num(c, "d_after"), 1e-12);
        CHECK_NEAR(r.delta, golden_num(c, "delta"), 1e-12);
        double p = golden_num(c, "p"), se = sqrt(p * (1 - p) / golden_num(c, "resamples"));
        CHECK_NEAR(r.p_value, p, 3 * sqrt(se * se + r.mc_se * r.mc_se));
        CHECK(r.ci_lo <= r.delta && r.delta <= r.ci_hi);
        mz_set_threads(1);
        CHECK_INT(
            mz_weat_change_test(&again, before, after, nx, ny, NULL, 2000, 20000, 0.95, 4, ctx),
            MZ_OK);
        mz_set_threads(2);
        CHECK(again.p_value == r.p_value && again.ci_lo == r.ci_lo);
        free(before);
        free(after);
    }
}

static void test_binomial(const json_t *cases) {
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        unsigned long k = (unsigned long)golden_num(c, "k"), n = (unsigned long)golden_num(c, "n");
        double p, lo, hi;
        CHECK_INT(mz_stats_sign_test(&p, k, n, ctx), MZ_OK);
        CHECK_NEAR(p, golden_num(c, "p_value"), 1e-12);
        CHECK_INT(mz_stats_binom_ci_exact(&lo, &hi, k, n, 0.95, ctx), MZ_OK);
        CHECK_NEAR(lo, golden_num(c, "exact_lo"), 1e-9);
        CHECK_NEAR(hi, golden_num(c, "exact_hi"), 1e-9);
        CHECK_INT(mz_stats_binom_ci_wilson(&lo, &hi, k, n, 0.90, ctx), MZ_OK);
        CHECK_NEAR(lo, golden_num(c, "wilson90_lo"), 1e-12);
        CHECK_NEAR(hi, golden_num(c, "wilson90_hi"), 1e-12);
    }
    double lo, hi;
    CHECK_INT(mz_stats_binom_ci_exact(&lo, &hi, 3, 2, 0.95, ctx), MZ_ERR_INPUT);
    CHECK_INT(mz_stats_binom_ci_wilson(&lo, &hi, 0, 0, 0.95, ctx), MZ_ERR_INPUT);
    CHECK_INT(mz_stats_binom_ci_exact(&lo, &hi, 1, 2, 1.5, ctx), MZ_ERR_USAGE);
}

static void test_adjust(const json_t *c) {
    size_t n, m;
    double *p = golden_doubles(json_object_get(c, "p"), &n);
    double *holm = golden_doubles(json_object_get(c, "holm"), &m);
    double *bh = golden_doubles(json_object_get(c, "bh"), &m);
    double got[64];
    CHECK_INT(mz_stats_holm(got, p, n, ctx), MZ_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_NEAR(got[i], holm[i], 1e-15);
    CHECK_INT(mz_stats_bh(got, p, n, ctx), MZ_OK);
    for (size_t i = 0; i < n; i++)
        CHECK_NEAR(got[i], bh[i], 1e-15);
    p[2] = NAN;
    CHECK_INT(mz_stats_bh(got, p, n, ctx), MZ_ERR_INPUT);
    free(p);
    free(holm);
    free(bh);
}

static void test_meta(const json_t *cases) {
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        size_t k;
        double *e = golden_doubles(json_object_get(c, "effects"), &k);
        double *v = golden_doubles(json_object_get(c, "variances"), &k);
        mz_meta_result r;
        CHECK_INT(mz_stats_meta_dl(&r, e, v, k, 0.95, ctx), MZ_OK);
        CHECK_NEAR(r.effect, golden_num(c, "effect"), 1e-12);
        CHECK_NEAR(r.se, golden_num(c, "se"), 1e-12);
        CHECK_NEAR(r.ci_lo, golden_num(c, "ci_lo"), 1e-9);
        CHECK_NEAR(r.ci_hi, golden_num(c, "ci_hi"), 1e-9);
        CHECK_NEAR(r.p_value, golden_num(c, "p_value"), 1e-12);
        CHECK_NEAR(r.q, golden_num(c, "q"), 1e-12);
        CHECK_NEAR(r.q_p_value, golden_num(c, "q_p_value"), 1e-12);
        CHECK_NEAR(r.i2, golden_num(c, "i2"), 1e-12);
        CHECK_NEAR(r.tau2, golden_num(c, "tau2"), 1e-12);
        v[0] = 0;
        CHECK_INT(mz_stats_meta_dl(&r, e, v, k, 0.95, ctx), MZ_ERR_INPUT);
        free(e);
        free(v);
    }
}

static void test_percentile(const json_t *c) {
    size_t n;
    double *d = golden_doubles(json_object_get(c, "draws"), &n), lo, hi;
    d[5] = NAN; /* an uncomputable draw is left out, not propagated */
    d[n - 1] = d[5 + 1];
    CHECK_INT(mz_stats_percentile_ci(&lo, &hi, d, n, 0.95, ctx), MZ_OK);
    CHECK(lo < hi);
    free(d);
    d = golden_doubles(json_object_get(c, "draws"), &n);
    CHECK_INT(mz_stats_percentile_ci(&lo, &hi, d, n, 0.95, ctx), MZ_OK);
    CHECK_NEAR(lo, golden_num(c, "lo"), 1e-12);
    CHECK_NEAR(hi, golden_num(c, "hi"), 1e-12);
    for (size_t i = 0; i < n; i++)
        d[i] = NAN;
    CHECK_INT(mz_stats_percentile_ci(&lo, &hi, d, n, 0.95, ctx), MZ_ERR_NUMERIC);
    free(d);
}

/* Tests that could not be computed (NaN) are left out of the family and stay NaN. */
static void test_holm_present(void) {
    double p[3] = {0.01, NAN, 0.04}, adj[3];
    CHECK_INT(mz_stats_holm_present(adj, p, 3, ctx), MZ_OK);
    CHECK_NEAR(adj[0], 0.02, 1e-15);
    CHECK(isnan(adj[1]));
    CHECK_NEAR(adj[2], 0.04, 1e-15);
}

/* Restricted randomisation against brute force: every relabelling (all 2^n label vectors, the
 * ones keeping each stratum's count of first labels) and every sign pattern enumerated here,
 * independently of the library's subset enumeration and Monte Carlo. */
static void test_restricted(void) {
    const double s[10] = {0.3, -1.2, 2.5, 0.7, 0.1, -0.4, 1.9, -2.2, 0.8, 0.05};
    const int first[10] = {1, 1, 0, 0, 1, 0, 1, 0, 0, 1},
              label[10] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
    double observed = 0;
    for (int i = 0; i < 10; i++)
        observed += first[i] ? s[i] : 0;
    unsigned hits = 0, total = 0;
    double sum1 = 0, sum2 = 0; /* of the admissible sums: the z-score's mean and variance */
    for (unsigned m = 0; m < 1u << 10; m++) {
        int ok = 1;
        double sum = 0;
        for (int st = 0; st < 3; st++) {
            int want = 0, got = 0;
            for (int i = 0; i < 10; i++)
                if (label[i] == st) want += first[i], got += m >> i & 1;
            ok &= want == got;
        }
        for (int i = 0; ok && i < 10; i++)
            sum += m >> i & 1 ? s[i] : 0;
        if (ok) total++, hits += sum >= observed - 1e-12, sum1 += sum, sum2 += sum * sum;
    }
    double z, mean = sum1 / total;
    CHECK_INT(mz_stats_strata_z(&z, s, first, label, 10, ctx), MZ_OK);
    CHECK_NEAR(z, (observed - mean) / sqrt(sum2 / total - mean * mean), 1e-9);
    const int alone[10] = {1, 1, 1, 1, 1, 0, 0, 0, 0, 0}; /* no stratum holds both labels */
    CHECK_INT(
        mz_stats_strata_z(&z, s, alone, (const int[10]){0, 0, 0, 0, 0, 1, 1, 1, 1, 1}, 10, ctx),
        MZ_OK);
    CHECK(isnan(z));
    mz_perm_options opt = {.max_exact = 1000000, .n_resamples = 200000, .seed = 3};
    mz_perm_result r;
    CHECK_INT(mz_stats_perm_strata(&r, s, first, label, 10, &opt, ctx), MZ_OK);
    CHECK_INT(r.exact, 1);
    CHECK_NEAR(r.p_value, (double)hits / total, 1e-15);
    CHECK_NEAR(mz_stats_strata_arrangements(first, label, 10), total, 0);
    opt.max_exact = 0; /* Monte Carlo within 4 standard errors, the same for any thread count */
    CHECK_INT(mz_stats_perm_strata(&r, s, first, label, 10, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.p_value, (double)hits / total, 4 * r.mc_se + 1e-5);
    mz_perm_result r1;
    mz_set_threads(1);
    mz_stats_perm_strata(&r1, s, first, label, 10, &opt, ctx);
    mz_set_threads(2);
    CHECK(r1.p_value == r.p_value);
    /* one stratum: the plain split test */
    mz_perm_result plain;
    opt.max_exact = 1000000;
    const double s2[6] = {3, 1, 2, 0.5, -1, 0};
    const int f2[6] = {1, 1, 1, 0, 0, 0};
    CHECK_INT(mz_stats_perm_strata(&r, s2, f2, NULL, 6, &opt, ctx), MZ_OK);
    CHECK_INT(mz_stats_perm_split(&plain, s2, 6, 3, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.p_value, plain.p_value, 1e-15);
    CHECK_NEAR(r.p_value, 1.0 / 20, 1e-15); /* the largest three first: 1 of C(6,3) */
    /* sign flips: 5 equal clusters give the extreme p = 2/32; brute force on uneven ones */
    const double c[5] = {1, 1, 1, 1, 1}, c2[7] = {2.5, -0.5, 1, 3, 0.25, 1.5, -1};
    CHECK_INT(mz_stats_sign_flip(&r, c, 5, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.p_value, 2.0 / 32, 1e-15);
    double obs = 0;
    for (int i = 0; i < 7; i++)
        obs += c2[i];
    hits = 0;
    for (unsigned m = 0; m < 128; m++) {
        double sum = 0;
        for (int i = 0; i < 7; i++)
            sum += m >> i & 1 ? c2[i] : -c2[i];
        hits += fabs(sum) >= fabs(obs) - 1e-12;
    }
    CHECK_INT(mz_stats_sign_flip(&r, c2, 7, &opt, ctx), MZ_OK);
    CHECK_NEAR(r.p_value, hits / 128.0, 1e-15);
}

/* Smallest detectable effects against the normal-theory formulas computed by hand, and the
 * calibration bound against GSL's binomial distribution. */
static void test_power(void) {
    /* (1.959964 + 0.841621) * sqrt(1/8 + 1/8) = 1.400793 */
    CHECK_NEAR(mz_stats_mde_two_groups(8, 8, 0.05, 2, 0.8), 1.4007927, 1e-6);
    /* one-sided: (1.644854 + 0.841621) * 0.5 */
    CHECK_NEAR(mz_stats_mde_two_groups(8, 8, 0.05, 1, 0.8), 1.2432375, 1e-6);
    CHECK_NEAR(mz_stats_mde_rate(25, 0.05, 0.8), 2.8015853 * 0.5 / 5, 1e-6);
    const size_t sizes[3] = {2, 2, 4};
    CHECK_NEAR(mz_stats_effective_clusters(sizes, 3), 64.0 / 24, 1e-12);
    /* 400 tests at 5%: P(X <= 30) >= 0.99 first at 31 (mean 20, sd 4.36) */
    unsigned long k = mz_stats_binom_upper(400, 0.05, 0.99);
    CHECK(gsl_cdf_binomial_P((unsigned)k, 0.05, 400) >= 0.99);
    CHECK(gsl_cdf_binomial_P((unsigned)k - 1, 0.05, 400) < 0.99);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    json_t *g = golden_load("golden/stats.json");
    CHECK(g != NULL);
    if (!g) return mz_check_result("test_stats");
    test_permutation(json_object_get(g, "permutation"));
    test_holm_present();
    test_weat(json_object_get(g, "weat"));
    test_weat_analytic();
    test_weat_both_forms();
    test_metrics(json_object_get(g, "metrics"));
    test_ripa_orientation();
    test_change(json_object_get(g, "change"));
    test_logistic_separable();
    test_binomial(json_object_get(g, "binomial"));
    test_adjust(json_object_get(g, "adjust"));
    test_meta(json_object_get(g, "meta"));
    test_percentile(json_object_get(g, "percentile"));
    test_restricted();
    test_power();
    CHECK_NEAR(mz_stats_choose(16, 8), 12870, 0);
    CHECK_NEAR(mz_stats_choose(40, 20), 137846528820.0, 0);
    json_decref(g);
    mz_ctx_free(ctx);
    return mz_check_result("test_stats");
}
