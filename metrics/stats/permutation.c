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
    for (size_t i = 1; i <= k; i++)
        c = c * (double)(n - k + i) / (double)i;
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
        while (i > 0 && idx[i - 1] == n - k + i - 1)
            i--;
        if (i == 0) break;
        i--;
        idx[i]++;
        /* Recompute from i: cheaper to reason about than incremental updates, and the
         * positions after i change together anyway. */
        sum = 0;
        for (size_t j = 0; j < i; j++)
            sum += s[idx[j]];
        for (size_t j = i; j < k; j++) {
            if (j > i) idx[j] = idx[j - 1] + 1;
            sum += s[idx[j]];
        }
    }
    mz_progress_add(progress, visited % 65536);
    *n_splits = visited;
    return hits;
}

/* A uniform integer in [0, n) from the generator's raw 32 bits by Lemire's multiply-shift
 * method: unbiased (the rare low products are redrawn) and without the division that
 * gsl_rng_uniform_int spends on every draw. Needs a full 32-bit generator (taus2 is). */
static inline size_t bounded(gsl_rng *rng, uint32_t n) {
    uint64_t m = (uint64_t)(uint32_t)gsl_rng_get(rng) * n;
    if ((uint32_t)m < n) {
        uint32_t floor = (uint32_t)(-n) % n;
        while ((uint32_t)m < floor)
            m = (uint64_t)(uint32_t)gsl_rng_get(rng) * n;
    }
    return (size_t)(m >> 32);
}

/* One block of Monte Carlo splits: a partial Fisher-Yates shuffle picks the first group. */
static uint64_t count_block(const double *s, size_t n, size_t k, double total, double threshold,
                            uint64_t count, gsl_rng *rng, size_t *perm) {
    uint64_t hits = 0;
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint64_t r = 0; r < count; r++) {
        double sum = 0;
        for (size_t i = 0; i < k; i++) {
            size_t j = i + bounded(rng, (uint32_t)(n - i));
            size_t t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            sum += s[perm[i]];
        }
        hits += 2 * sum - total >= threshold;
    }
    return hits;
}

/* Up to 64 values: a random n-bit mask kept when exactly k bits are set is a uniformly
 * random k-subset, and its sum is one look-up per byte of the mask in tables of partial
 * sums (sums[b][v] = sum of the values whose bit is set in byte v of chunk b). Acceptance
 * falls only as 1/sqrt(n), so this beats a shuffle of k draws for every n it handles. */
#define MASK_MAX 64

static void byte_sums(double *sums, const double *s, size_t n) {
    for (size_t b = 0; b * 8 < n; b++)
        for (unsigned v = 0; v < 256; v++) {
            double t = 0;
            for (size_t j = 0; j < 8 && b * 8 + j < n; j++)
                if (v >> j & 1) t += s[b * 8 + j];
            sums[b * 256 + v] = t;
        }
}

/* Bits set in x, branch-free: the portable x86-64 baseline has no popcount instruction and
 * the compiler's fallback is a library call. */
static inline unsigned bit_count(uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

static uint64_t count_block_masks(const double *sums, size_t n, size_t k, double total,
                                  double threshold, uint64_t count, gsl_rng *rng) {
    uint64_t hits = 0, keep = n == 64 ? ~0ULL : (1ULL << n) - 1;
    for (uint64_t r = 0; r < count; r++) {
        uint64_t mask;
        do {
            mask = (uint32_t)gsl_rng_get(rng);
            if (n > 32) mask |= (uint64_t)(uint32_t)gsl_rng_get(rng) << 32;
            mask &= keep;
        } while (bit_count(mask) != k);
        double sum = 0;
        for (size_t b = 0; b * 8 < n; b++)
            sum += sums[b * 256 + (mask >> (8 * b) & 0xFF)];
        hits += 2 * sum - total >= threshold;
    }
    return hits;
}

static mz_status count_monte_carlo(uint64_t *hits_out, const double *s, size_t n, size_t k,
                                   double total, double threshold, const mz_perm_options *opt,
                                   mz_ctx *ctx) {
    uint64_t n_blocks = (opt->n_resamples + MC_BLOCK - 1) / MC_BLOCK, hits = 0;
    int failed = 0, masks = n <= MASK_MAX;
    double *sums = masks ? mz_malloc((n + 7) / 8 * 256 * sizeof *sums) : NULL;
    if (masks && !sums)
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
    if (masks) byte_sums(sums, s, n);
#pragma omp parallel reduction(+ : hits) reduction(| : failed)
    {
        /* taus2 (L'Ecuyer's maximally equidistributed Tausworthe, period 2^88): full 32-bit
         * output at about twice mt19937's speed, and draws are this loop's whole cost */
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
        size_t *perm = mz_malloc(n * sizeof *perm);
        failed = !rng || !perm;
#pragma omp for schedule(dynamic)
        for (uint64_t b = 0; b < n_blocks; b++) {
            if (failed) continue;
            uint64_t count = b + 1 < n_blocks ? MC_BLOCK : opt->n_resamples - b * MC_BLOCK;
            gsl_rng_set(rng, mz_stats_block_seed(opt->seed, b));
            hits += masks ? count_block_masks(sums, n, k, total, threshold, count, rng)
                          : count_block(s, n, k, total, threshold, count, rng, perm);
            mz_progress_add(opt->progress, count);
        }
        mz_free(perm);
        if (rng) gsl_rng_free(rng);
    }
    mz_free(sums);
    if (failed) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
    *hits_out = hits;
    return MZ_OK;
}

mz_status mz_stats_perm_split(mz_perm_result *out, const double *s, size_t n, size_t n_first,
                              const mz_perm_options *opt, mz_ctx *ctx) {
    if (n > UINT32_MAX) return mz_fail(ctx, MZ_ERR_INPUT, NULL, "too many values to permute");
    if (n_first == 0 || n_first >= n)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "permutation test needs two non-empty groups "
                       "(got %zu of %zu values in the first)",
                       n_first, n);
    double total = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(s[i]))
            return mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                           "value %zu of the permutation test is not "
                           "finite",
                           i);
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
        uint64_t hits =
            count_exact(s, n, n_first, total, threshold, &out->n_splits, opt->progress, idx);
        mz_free(idx);
        out->exact = 1;
        out->p_value = (double)hits / (double)out->n_splits;
        return MZ_OK;
    }
    if (opt->n_resamples == 0)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "%.0f splits are too many to enumerate and no "
                       "Monte Carlo resamples were asked for",
                       n_all);
    uint64_t hits = 0;
    mz_status rc = count_monte_carlo(&hits, s, n, n_first, total, threshold, opt, ctx);
    if (rc) return rc;
    double p = ((double)hits + 1) / ((double)opt->n_resamples + 1);
    out->p_value = p;
    out->mc_se = sqrt(p * (1 - p) / (double)opt->n_resamples);
    out->n_splits = opt->n_resamples;
    return MZ_OK;
}
