/* What a test can detect: the smallest effect it finds with 80% power at its alpha given its
 * independent units (normal approximations, stated per design), the smallest p-value its
 * randomisation can give, and the binomial bound that a calibration study holds false alarms
 * to. */
#include "mizani/stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

/* z_{1 - alpha/sides} + z_{power}: the distance, in standard errors, an effect must lie from 0
 * to be detected with that power. */
static double z_sum(double alpha, int sides, double power) {
    return gsl_cdf_ugaussian_Pinv(1 - alpha / sides) + gsl_cdf_ugaussian_Pinv(power);
}

double mz_stats_mde_two_groups(size_t n1, size_t n2, double alpha, int sides, double power) {
    if (!n1 || !n2) return INFINITY;
    return z_sum(alpha, sides, power) * sqrt(1.0 / (double)n1 + 1.0 / (double)n2);
}

double mz_stats_mde_rate(double k_eff, double alpha, double power) {
    if (!(k_eff > 0)) return INFINITY;
    return z_sum(alpha, 2, power) * 0.5 / sqrt(k_eff);
}

double mz_stats_effective_clusters(const size_t *sizes, size_t k) {
    double n = 0, n2 = 0;
    for (size_t i = 0; i < k; i++)
        n += (double)sizes[i], n2 += (double)sizes[i] * (double)sizes[i];
    return n2 > 0 ? n * n / n2 : 0;
}

void mz_stats_inference_set(mz_inference *inf, const char *unit, size_t n_units, double mde,
                            double min_p, double alpha) {
    *inf = (mz_inference){.unit = unit,
                          .n_units = n_units,
                          .mde = mde,
                          .min_p = min_p,
                          .alpha = alpha,
                          .can_reach = min_p <= alpha};
}

unsigned long mz_stats_binom_upper(unsigned long n, double p, double level) {
    unsigned long k = 0;
    while (k < n && gsl_cdf_binomial_P((unsigned)k, p, (unsigned)n) < level)
        k++;
    return k;
}
