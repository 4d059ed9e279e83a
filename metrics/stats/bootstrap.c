/* Bootstrap: percentile intervals, and the seeded parallel resampling behind them. */
#include "mizani/alloc.h"
#include "mizani/stats.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

mz_status mz_stats_percentile_ci(double *lo, double *hi, double *draws, size_t n, double level,
                                 mz_ctx *ctx) {
    if (!(level > 0 && level < 1))
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "confidence level must lie in (0, 1), not %g",
                       level);
    size_t m = 0; /* draws whose statistic was computable (a resample can have zero spread) */
    for (size_t i = 0; i < n; i++)
        if (isfinite(draws[i])) draws[m++] = draws[i];
    if (m == 0 || m * 2 < n)
        return mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                       "only %zu of %zu bootstrap draws were "
                       "computable: no interval",
                       m, n);
    gsl_sort(draws, 1, m);
    double alpha = 1 - level;
    /* linear interpolation between order statistics, as numpy.percentile's default */
    *lo = gsl_stats_quantile_from_sorted_data(draws, 1, m, alpha / 2);
    *hi = gsl_stats_quantile_from_sorted_data(draws, 1, m, 1 - alpha / 2);
    return MZ_OK;
}

#define BOOT_BLOCK  256
#define BOOT_STREAM 0xB0075EEDUL /* keeps bootstrap draws apart from permutation draws */

/* One resample: each stratum drawn with replacement from its own index range. */
static void draw(size_t *idx, const size_t *strata, size_t n_strata, gsl_rng *rng) {
    size_t at = 0;
    for (size_t s = 0; s < n_strata; s++) {
        for (size_t i = 0; i < strata[s]; i++)
            idx[at + i] = at + gsl_rng_uniform_int(rng, strata[s]);
        at += strata[s];
    }
}

mz_status mz_stats_bootstrap_ci(double *lo, double *hi, mz_resample_stat statistic, void *data,
                                size_t scratch_bytes, const size_t *strata, size_t n_strata,
                                uint32_t n_draws, double level, unsigned long seed, mz_ctx *ctx) {
    size_t n = 0;
    for (size_t s = 0; s < n_strata; s++) {
        if (strata[s] == 0) return mz_fail(ctx, MZ_ERR_INPUT, NULL, "bootstrap of an empty group");
        n += strata[s];
    }
    if (n == 0 || n_draws == 0)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "bootstrap of %zu values with %u draws", n,
                       n_draws);
    double *draws = mz_malloc(n_draws * sizeof *draws);
    if (!draws) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in bootstrap");
    uint64_t n_blocks = (n_draws + BOOT_BLOCK - 1) / BOOT_BLOCK;
    int failed = 0;
#pragma omp parallel reduction(| : failed)
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        size_t *idx = mz_malloc(n * sizeof *idx);
        void *scratch = scratch_bytes ? mz_malloc(scratch_bytes) : NULL;
        failed = !rng || !idx || (scratch_bytes && !scratch);
#pragma omp for schedule(dynamic)
        for (uint64_t blk = 0; blk < n_blocks; blk++) {
            if (failed) continue;
            gsl_rng_set(rng, mz_stats_block_seed(seed ^ BOOT_STREAM, blk));
            uint64_t end = (blk + 1) * BOOT_BLOCK < n_draws ? (blk + 1) * BOOT_BLOCK : n_draws;
            for (uint64_t r = blk * BOOT_BLOCK; r < end; r++) {
                draw(idx, strata, n_strata, rng);
                draws[r] = statistic(idx, data, scratch);
            }
        }
        mz_free(scratch);
        mz_free(idx);
        if (rng) gsl_rng_free(rng);
    }
    mz_status rc = failed ? mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in bootstrap")
                          : mz_stats_percentile_ci(lo, hi, draws, n_draws, level, ctx);
    mz_free(draws);
    return rc;
}
