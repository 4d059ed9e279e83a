/* Binomial tests and proportion intervals: minimal-pair preference rates and McNemar. */
#include "mizani/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

static mz_status check_level(double level, mz_ctx *ctx) {
    if (level > 0 && level < 1) return MZ_OK;
    return mz_fail(ctx, MZ_ERR_USAGE, NULL, "confidence level must lie in (0, 1), not %g", level);
}

static mz_status check_counts(unsigned long k, unsigned long n, mz_ctx *ctx) {
    if (k <= n) return MZ_OK;
    return mz_fail(ctx, MZ_ERR_INPUT, NULL, "%lu successes out of %lu trials", k, n);
}

mz_status mz_stats_sign_test(double *p_value, unsigned long k, unsigned long n, mz_ctx *ctx) {
    mz_status rc = check_counts(k, n, ctx);
    if (rc) return rc;
    if (n == 0) {
        *p_value = 1;
        return MZ_OK;
    }
    /* p = 0.5 makes the distribution symmetric: twice the smaller tail */
    double lower = gsl_cdf_binomial_P((unsigned)k, 0.5, (unsigned)n);
    double upper = k == 0 ? 1 : gsl_cdf_binomial_Q((unsigned)k - 1, 0.5, (unsigned)n);
    *p_value = fmin(1.0, 2 * fmin(lower, upper));
    return MZ_OK;
}

/* What an interval on k/n needs: a level in (0, 1), k <= n, and at least one trial. */
static mz_status check_interval(unsigned long k, unsigned long n, double level, mz_ctx *ctx) {
    mz_status rc = check_level(level, ctx);
    if (!rc) rc = check_counts(k, n, ctx);
    if (!rc && n == 0)
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL, "no trials: proportion not computable");
    return rc;
}

mz_status mz_stats_binom_ci_exact(double *lo, double *hi, unsigned long k, unsigned long n,
                                  double level, mz_ctx *ctx) {
    mz_status rc = check_interval(k, n, level, ctx);
    if (rc) return rc;
    double alpha = 1 - level;
    *lo = k == 0 ? 0 : gsl_cdf_beta_Pinv(alpha / 2, (double)k, (double)(n - k + 1));
    *hi = k == n ? 1 : gsl_cdf_beta_Pinv(1 - alpha / 2, (double)(k + 1), (double)(n - k));
    return MZ_OK;
}

mz_status mz_stats_binom_ci_wilson(double *lo, double *hi, unsigned long k, unsigned long n,
                                   double level, mz_ctx *ctx) {
    mz_status rc = check_interval(k, n, level, ctx);
    if (rc) return rc;
    double z = gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2), z2 = z * z;
    double nn = (double)n, kk = (double)k;
    double center = (kk + z2 / 2) / (nn + z2);
    double half = z / (nn + z2) * sqrt(kk * (nn - kk) / nn + z2 / 4);
    *lo = fmax(0, center - half);
    *hi = fmin(1, center + half);
    return MZ_OK;
}
