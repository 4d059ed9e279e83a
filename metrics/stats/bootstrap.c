/* Percentile intervals from bootstrap draws. */
#include "mizani/stats.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>

mz_status mz_stats_percentile_ci(double *lo, double *hi, double *draws, size_t n, double level,
                                 mz_ctx *ctx) {
    if (!(level > 0 && level < 1))
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "confidence level must lie in (0, 1), not %g", level);
    size_t m = 0; /* draws whose statistic was computable (a resample can have zero spread) */
    for (size_t i = 0; i < n; i++)
        if (isfinite(draws[i])) draws[m++] = draws[i];
    if (m == 0 || m * 2 < n)
        return mz_fail(ctx, MZ_ERR_NUMERIC, NULL, "only %zu of %zu bootstrap draws were "
                       "computable: no interval", m, n);
    gsl_sort(draws, 1, m);
    double alpha = 1 - level;
    /* linear interpolation between order statistics, as numpy.percentile's default */
    *lo = gsl_stats_quantile_from_sorted_data(draws, 1, m, alpha / 2);
    *hi = gsl_stats_quantile_from_sorted_data(draws, 1, m, 1 - alpha / 2);
    return MZ_OK;
}
