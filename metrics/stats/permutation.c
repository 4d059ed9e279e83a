/* Permutation test of a two-group split, the null distribution behind WEAT, SEAT and the
 * before/after comparisons. The statistic of a split is sum(first) - sum(rest) =
 * 2 * sum(first) - total, so only the first group's sum is tracked. */
#include "mizani/alloc.h"
#include "mizani/stats.h"

#include <gsl/gsl_rng.h>
#include <math.h>

#define MC_BLOCK 4096 /* resamples per generator: the unit of parallel, seeded work */

double mz_stats_choose(size_t n, size_t k) {
    if (k > n) return 0;
    if (k > n - k) k = n - k;
    double c = 1;
    for (size_t i = 1; i <= k; i++) c = c * (double)(n - k + i) / (double)i;
    return floor(c + 0.5);
}

unsigned long mz_stats_block_seed(unsigned long seed, uint64_t block) {
    /* splitmix64: neighbouring blocks get unrelated generator states */
    uint64_t z = (uint64_t)seed * 0x9E3779B97F4A7C15ULL + block + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (unsigned long)(z ^ (z >> 31));
}

/* Visits every n_first-subset in lexicographic order, keeping the subset's sum current. */
static uint64_t count_exact(const double *s, size_t n, size_t k, double total, double threshold,
                            uint64_t *n_splits, mz_progress *progress, size_t *idx) {
    uint64_t hits = 0, visited = 0;
    double sum = 0;
    for (size_t i = 0; i < k; i++) {
        idx[i] = i;
        sum += s[i];
    }
    for (;;) {
        hits += 2 * sum - total >= threshold;
        if (++visited % 65536 == 0) mz_progress_add(progress, 65536);
        size_t i = k;
        while (i > 0 && idx[i - 1] == n - k + i - 1) i--;
        if (i == 0) break;
        i--;
        idx[i]++;
        /* Recompute from i: cheaper to reason about than incremental updates, and the
         * positions after i change together anyway. */
        sum = 0;
        for (size_t j = 0; j < i; j++) sum += s[idx[j]];
        for (size_t j = i; j < k; j++) {
            if (j > i) idx[j] = idx[j - 1] + 1;
            sum += s[idx[j]];
        }
    }
    mz_progress_add(progress, visited % 65536);
    *n_splits = visited;
    return hits;
}

/* One block of Monte Carlo splits: a partial Fisher-Yates shuffle picks the first group. */
static uint64_t count_block(const double *s, size_t n, size_t k, double total, double threshold,
                            uint64_t count, gsl_rng *rng, size_t *perm) {
    uint64_t hits = 0;
    for (size_t i = 0; i < n; i++) perm[i] = i;
    for (uint64_t r = 0; r < count; r++) {
        double sum = 0;
        for (size_t i = 0; i < k; i++) {
            size_t j = i + gsl_rng_uniform_int(rng, n - i);
            size_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            sum += s[perm[i]];
        }
        hits += 2 * sum - total >= threshold;
    }
    return hits;
}

static mz_status count_monte_carlo(uint64_t *hits_out, const double *s, size_t n, size_t k,
                                   double total, double threshold, const mz_perm_options *opt,
                                   mz_ctx *ctx) {
    uint64_t n_blocks = (opt->n_resamples + MC_BLOCK - 1) / MC_BLOCK, hits = 0;
    int failed = 0;
#pragma omp parallel reduction(+ : hits) reduction(| : failed)
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        size_t *perm = mz_malloc(n * sizeof *perm);
        failed = !rng || !perm;
#pragma omp for schedule(dynamic)
        for (uint64_t b = 0; b < n_blocks; b++) {
            if (failed) continue;
            uint64_t count = b + 1 < n_blocks ? MC_BLOCK : opt->n_resamples - b * MC_BLOCK;
            gsl_rng_set(rng, mz_stats_block_seed(opt->seed, b));
            hits += count_block(s, n, k, total, threshold, count, rng, perm);
            mz_progress_add(opt->progress, count);
        }
        mz_free(perm);
        if (rng) gsl_rng_free(rng);
    }
    if (failed) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
    *hits_out = hits;
    return MZ_OK;
}

mz_status mz_stats_perm_split(mz_perm_result *out, const double *s, size_t n, size_t n_first,
                              const mz_perm_options *opt, mz_ctx *ctx) {
    if (n_first == 0 || n_first >= n)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "permutation test needs two non-empty groups "
                       "(got %zu of %zu values in the first)", n_first, n);
    double total = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(s[i]))
            return mz_fail(ctx, MZ_ERR_NUMERIC, NULL, "value %zu of the permutation test is not "
                           "finite", i);
        total += s[i];
        if (i < n_first) first += s[i];
    }
    double observed = 2 * first - total;
    /* scipy's tolerance: splits equal in theory but not in rounding count as ties */
    double gamma = fmax(1e-14, fabs(1e-14 * observed));
    double threshold = observed - gamma;
    double n_all = mz_stats_choose(n, n_first);
    *out = (mz_perm_result){0};
    if (opt->max_exact > 0 && n_all <= (double)opt->max_exact) {
        size_t *idx = mz_malloc(n_first * sizeof *idx);
        if (!idx) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
        uint64_t hits = count_exact(s, n, n_first, total, threshold, &out->n_splits,
                                    opt->progress, idx);
        mz_free(idx);
        out->exact = 1;
        out->p_value = (double)hits / (double)out->n_splits;
        return MZ_OK;
    }
    if (opt->n_resamples == 0)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "%.0f splits are too many to enumerate and no "
                       "Monte Carlo resamples were asked for", n_all);
    uint64_t hits = 0;
    mz_status rc = count_monte_carlo(&hits, s, n, n_first, total, threshold, opt, ctx);
    if (rc) return rc;
    double p = ((double)hits + 1) / ((double)opt->n_resamples + 1);
    out->p_value = p;
    out->mc_se = sqrt(p * (1 - p) / (double)opt->n_resamples);
    out->n_splits = opt->n_resamples;
    return MZ_OK;
}
