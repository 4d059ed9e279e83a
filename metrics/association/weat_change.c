/* The change of a WEAT effect between two embeddings of the same words: WEAT's d over each
 * side's association scores, tested by the paired change (stats.h) with the words as units. */
#include "mizani/alloc.h"
#include "mizani/association.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>

double mz_weat_d(const double *s, size_t nx, size_t ny) {
    double sd = gsl_stats_sd(s, 1, nx + ny);
    return sd > 0 ? (gsl_stats_mean(s, 1, nx) - gsl_stats_mean(s + nx, 1, ny)) / sd : NAN;
}

mz_status mz_weat_change_test(mz_weat_change *out, const double *before, const double *after,
                              size_t nx, size_t ny, const char *const *unit, uint32_t n_bootstrap,
                              uint64_t n_permutations, double ci_level, unsigned long seed,
                              mz_ctx *ctx) {
    *out = (mz_weat_change){.p_value = NAN, .ci_lo = NAN, .ci_hi = NAN};
    size_t n = nx + ny, strata[2];
    int *group = mz_malloc((n ? n : 1) * sizeof *group);
    size_t *cluster = mz_malloc((n ? n : 1) * sizeof *cluster);
    mz_status rc = group && cluster ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        group[i] = i >= nx;
    size_t k = rc ? 0 : mz_stats_paired_clusters(cluster, strata, unit, group, n);
    if (!rc && (strata[0] < 2 || strata[1] < 2))
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                     "the change of d needs two words in each target set on both sides");
    mz_paired d = {before, after, n, 1, group, cluster, k, strata, 2, mz_paired_d};
    mz_paired_result r;
    if (!rc) rc = mz_stats_paired_change(&r, &d, n_permutations, n_bootstrap, ci_level, seed, ctx);
    if (rc == MZ_ERR_INPUT && !unit) /* say which statistic it was */
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                     "every target word has the same association score on one side: the change "
                     "of d is not computable");
    if (!rc)
        *out = (mz_weat_change){r.before,  r.after, r.change,     r.ci_lo, r.ci_hi, r.ci_level,
                                r.p_value, r.mc_se, r.n_patterns, r.exact, k};
    mz_free(group);
    mz_free(cluster);
    return rc;
}
