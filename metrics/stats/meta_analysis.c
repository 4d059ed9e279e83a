/* DerSimonian-Laird random-effects meta-analysis: CEAT combines the effect sizes of many
 * sampled contexts this way. */
#include "mizani/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

mz_status mz_stats_meta_dl(mz_meta_result *out, const double *effects, const double *variances,
                           size_t k, double level, mz_ctx *ctx) {
    if (k == 0) return mz_fail(ctx, MZ_ERR_INPUT, NULL, "meta-analysis of no effects");
    if (!(level > 0 && level < 1))
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "confidence level must lie in (0, 1), not %g",
                       level);
    double sw = 0, sw2 = 0, swe = 0;
    for (size_t i = 0; i < k; i++) {
        if (!isfinite(effects[i]) || !(variances[i] > 0) || !isfinite(variances[i]))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "effect %zu has effect %g and variance %g; "
                           "needs a finite effect and a positive variance",
                           i, effects[i], variances[i]);
        double w = 1 / variances[i];
        sw += w;
        sw2 += w * w;
        swe += w * effects[i];
    }
    double fixed = swe / sw, q = 0;
    for (size_t i = 0; i < k; i++)
        q += (effects[i] - fixed) * (effects[i] - fixed) / variances[i];
    double df = (double)k - 1, c = sw - sw2 / sw;
    double tau2 = k > 1 && c > 0 ? fmax(0, (q - df) / c) : 0;
    double sws = 0, swse = 0;
    for (size_t i = 0; i < k; i++) {
        double w = 1 / (variances[i] + tau2);
        sws += w;
        swse += w * effects[i];
    }
    double z_crit = gsl_cdf_ugaussian_Pinv(1 - (1 - level) / 2);
    *out = (mz_meta_result){.k = k, .q = q, .tau2 = tau2};
    out->effect = swse / sws;
    out->se = sqrt(1 / sws);
    out->ci_lo = out->effect - z_crit * out->se;
    out->ci_hi = out->effect + z_crit * out->se;
    out->z = out->effect / out->se;
    out->p_value = 2 * gsl_cdf_ugaussian_Q(fabs(out->z));
    out->q_p_value = k > 1 ? gsl_cdf_chisq_Q(q, df) : 1;
    out->i2 = q > df && q > 0 ? (q - df) / q : 0;
    return MZ_OK;
}
