/* Krippendorff's alpha: agreement among any number of coders on any number of units, with
 * missing values, for nominal, ordinal, interval and ratio data (Krippendorff 2011,
 * "Computing Krippendorff's Alpha-Reliability"), through the coincidence matrix. */
#include "mizani/alloc.h"
#include "mizani/stats.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <string.h>

/* The squared difference of values c and k (indices into the sorted distinct values `v`);
 * ordinal differences count the pairable values between them (`n_c`, the marginals). */
static double delta2(mz_alpha_metric metric, const double *v, const double *n_c, size_t c,
                     size_t k) {
    if (c == k) return 0;
    switch (metric) {
    case MZ_ALPHA_NOMINAL: return 1;
    case MZ_ALPHA_INTERVAL: return (v[c] - v[k]) * (v[c] - v[k]);
    case MZ_ALPHA_RATIO: {
        double r = (v[c] - v[k]) / (v[c] + v[k]);
        return r * r;
    }
    case MZ_ALPHA_ORDINAL: {
        size_t lo = c < k ? c : k, hi = c < k ? k : c;
        double s = 0;
        for (size_t g = lo; g <= hi; g++)
            s += n_c[g];
        s -= (n_c[lo] + n_c[hi]) / 2;
        return s * s;
    }
    }
    return 1;
}

/* The index of x among the sorted distinct values. */
static size_t index_of(const double *v, size_t k, double x) {
    size_t lo = 0, hi = k;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (v[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

mz_status mz_stats_krippendorff_alpha(double *alpha, const double *values, size_t n_coders,
                                      size_t n_units, mz_alpha_metric metric, mz_ctx *ctx) {
    *alpha = NAN;
    size_t n_values = n_coders * n_units, k = 0;
    double *v = mz_malloc((n_values ? n_values : 1) * sizeof *v);
    if (!v) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for agreement");
    for (size_t i = 0; i < n_values; i++) /* the distinct values */
        if (!isnan(values[i])) v[k++] = values[i];
    gsl_sort(v, 1, k);
    size_t d = 0;
    for (size_t i = 0; i < k; i++)
        if (d == 0 || v[i] != v[d - 1]) v[d++] = v[i];
    double *o = mz_calloc(d * d + d + 1, sizeof *o), *n_c = o ? o + d * d : NULL;
    if (!o) {
        mz_free(v);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for agreement");
    }
    /* o[c][k]: each ordered pair of values in a unit, weighted 1/(m_u - 1) */
    double n = 0;
    for (size_t u = 0; u < n_units; u++) {
        size_t m = 0;
        for (size_t i = 0; i < n_coders; i++)
            m += !isnan(values[i * n_units + u]);
        for (size_t i = 0; m >= 2 && i < n_coders; i++)
            for (size_t j = 0; j < n_coders; j++) {
                double a = values[i * n_units + u], b = values[j * n_units + u];
                if (i == j || isnan(a) || isnan(b)) continue;
                o[index_of(v, d, a) * d + index_of(v, d, b)] += 1.0 / (double)(m - 1);
            }
    }
    for (size_t c = 0; c < d; c++)
        for (size_t j = 0; j < d; j++) {
            n_c[c] += o[c * d + j];
            n += o[c * d + j];
        }
    double observed = 0, expected = 0;
    for (size_t c = 0; c < d; c++)
        for (size_t j = 0; j < d; j++) {
            double dd = delta2(metric, v, n_c, c, j);
            observed += o[c * d + j] * dd;
            expected += n_c[c] * n_c[j] * dd;
        }
    mz_status rc = MZ_OK;
    if (n < 2)
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                     "agreement needs a unit that at least two coders rated");
    else if (expected == 0)
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                     "every rating is the same value: agreement is undefined (no variation)");
    else
        *alpha = 1 - (n - 1) * observed / expected;
    mz_free(o);
    mz_free(v);
    return rc;
}
