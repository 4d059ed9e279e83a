/* The change of a WEAT effect between two embeddings of the same words. */
#include "mizani/alloc.h"
#include "mizani/association.h"

#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

#define PERM_BLOCK  512
#define PERM_STREAM 0xC4A96E55UL

/* d over the scores listed in idx: X are idx[0..nx), Y idx[nx..nx+ny). scratch: [nx + ny]. */
static double d_of(const double *s, const size_t *idx, size_t nx, size_t ny, double *scratch) {
    for (size_t i = 0; i < nx + ny; i++)
        scratch[i] = s[idx ? idx[i] : i];
    double sd = gsl_stats_sd(scratch, 1, nx + ny);
    return sd > 0 ? (gsl_stats_mean(scratch, 1, nx) - gsl_stats_mean(scratch + nx, 1, ny)) / sd
                  : NAN;
}

double mz_weat_d(const double *s, size_t nx, size_t ny) {
    double sd = gsl_stats_sd(s, 1, nx + ny);
    return sd > 0 ? (gsl_stats_mean(s, 1, nx) - gsl_stats_mean(s + nx, 1, ny)) / sd : NAN;
}

typedef struct change_data {
    const double *before, *after;
    size_t nx, ny;
} change_data;

static double resampled_delta(const size_t *idx, void *data, void *scratch) {
    const change_data *c = data;
    return d_of(c->after, idx, c->nx, c->ny, scratch) - d_of(c->before, idx, c->nx, c->ny, scratch);
}

/* Two-sided Monte Carlo p: each word's two scores swapped with probability one half. */
static mz_status permutation_p(mz_weat_change *out, const change_data *c, uint64_t n_perm,
                               unsigned long seed, mz_ctx *ctx) {
    size_t n = c->nx + c->ny;
    uint64_t n_blocks = (n_perm + PERM_BLOCK - 1) / PERM_BLOCK, hits = 0;
    double observed = fabs(out->delta), gamma = fmax(1e-14, 1e-14 * observed);
    int failed = 0;
#pragma omp parallel reduction(+ : hits) reduction(| : failed)
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        double *buf = mz_malloc(3 * n * sizeof *buf), *b = buf, *a = buf + n,
               *scratch = buf + 2 * n;
        failed = !rng || !buf;
#pragma omp for schedule(dynamic)
        for (uint64_t blk = 0; blk < n_blocks; blk++) {
            if (failed) continue;
            gsl_rng_set(rng, mz_stats_block_seed(seed ^ PERM_STREAM, blk));
            uint64_t end = (blk + 1) * PERM_BLOCK < n_perm ? (blk + 1) * PERM_BLOCK : n_perm;
            for (uint64_t r = blk * PERM_BLOCK; r < end; r++) {
                for (size_t i = 0; i < n; i++) {
                    int swap = gsl_rng_get(rng) & 1;
                    b[i] = swap ? c->after[i] : c->before[i];
                    a[i] = swap ? c->before[i] : c->after[i];
                }
                double delta =
                    d_of(a, NULL, c->nx, c->ny, scratch) - d_of(b, NULL, c->nx, c->ny, scratch);
                hits += isfinite(delta) && fabs(delta) >= observed - gamma;
            }
        }
        mz_free(buf);
        if (rng) gsl_rng_free(rng);
    }
    if (failed) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in the change test");
    out->p_value = ((double)hits + 1) / ((double)n_perm + 1);
    out->mc_se = sqrt(out->p_value * (1 - out->p_value) / (double)n_perm);
    out->n_permutations = n_perm;
    return MZ_OK;
}

mz_status mz_weat_change_test(mz_weat_change *out, const double *before, const double *after,
                              size_t nx, size_t ny, uint32_t n_bootstrap, uint64_t n_permutations,
                              double ci_level, unsigned long seed, mz_ctx *ctx) {
    *out = (mz_weat_change){.p_value = NAN};
    if (nx < 2 || ny < 2)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "the change of d needs two words in each target set");
    double *scratch = mz_malloc((nx + ny) * sizeof *scratch);
    if (!scratch) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    out->d_before = d_of(before, NULL, nx, ny, scratch);
    out->d_after = d_of(after, NULL, nx, ny, scratch);
    mz_free(scratch);
    out->delta = out->d_after - out->d_before;
    if (!isfinite(out->delta))
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "every target word has the same association score on one "
                       "side: the change of d is not computable");
    change_data c = {before, after, nx, ny};
    mz_status rc = MZ_OK;
    if (n_bootstrap) {
        const size_t strata[2] = {nx, ny};
        rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, resampled_delta, &c,
                                   (nx + ny) * sizeof(double), strata, 2, n_bootstrap, ci_level,
                                   seed, ctx);
        if (!rc) out->ci_level = ci_level;
    }
    if (!rc && n_permutations) rc = permutation_p(out, &c, n_permutations, seed, ctx);
    return rc;
}
