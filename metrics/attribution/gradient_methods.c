/* Token attributions from input-embedding gradients: saliency, gradient x input, and
 * Integrated Gradients' path, baseline, combination and completeness check. */
#include "mizani/attribution.h"

#include <gsl/gsl_integration.h>
#include <math.h>

void mz_attr_saliency(double *out, const float *grad, int T, int E) {
    for (int t = 0; t < T; t++) {
        double s = 0;
        for (int e = 0; e < E; e++)
            s += (double)grad[(size_t)t * E + e] * grad[(size_t)t * E + e];
        out[t] = sqrt(s);
    }
}

void mz_attr_grad_input(double *out, const float *grad, const float *x, int T, int E) {
    for (int t = 0; t < T; t++) {
        double s = 0;
        for (int e = 0; e < E; e++)
            s += (double)grad[(size_t)t * E + e] * x[(size_t)t * E + e];
        out[t] = s;
    }
}

/* GSL's Gauss-Legendre nodes on [0,1], sorted ascending (GSL lists them from the centre). */
static mz_status gauss_legendre(double *alpha, double *weight, int steps, mz_ctx *ctx) {
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc((size_t)steps);
    if (!t)
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for %d Gauss-Legendre points",
                       steps);
    for (int i = 0; i < steps; i++)
        gsl_integration_glfixed_point(0.0, 1.0, (size_t)i, &alpha[i], &weight[i], t);
    gsl_integration_glfixed_table_free(t);
    for (int i = 1; i < steps; i++) /* insertion sort: a few dozen points */
        for (int j = i; j > 0 && alpha[j - 1] > alpha[j]; j--) {
            double a = alpha[j], w = weight[j];
            alpha[j] = alpha[j - 1], weight[j] = weight[j - 1];
            alpha[j - 1] = a, weight[j - 1] = w;
        }
    return MZ_OK;
}

mz_status mz_attr_ig_path(double *alpha, double *weight, int steps, mz_attr_rule rule,
                          mz_ctx *ctx) {
    if (steps < 1)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "Integrated Gradients needs at least one step, not %d", steps);
    if (rule == MZ_ATTR_GAUSS_LEGENDRE) return gauss_legendre(alpha, weight, steps, ctx);
    double shift = rule == MZ_ATTR_RIEMANN_MIDDLE ? 0.5 : 0.0;
    for (int k = 0; k < steps; k++)
        alpha[k] = (k + shift) / steps, weight[k] = 1.0 / steps;
    return MZ_OK;
}

void mz_attr_ig_baseline(float *out, const float *x, const float *fill, const uint8_t *keep, int T,
                         int E) {
    for (int t = 0; t < T; t++)
        for (int e = 0; e < E; e++)
            out[(size_t)t * E + e] = keep[t] ? x[(size_t)t * E + e] : fill ? fill[e] : 0.0f;
}

void mz_attr_ig_inputs(float *out, const float *x, const float *baseline, const double *alpha,
                       int steps, int T, int E) {
    size_t n = (size_t)T * E;
    for (int k = 0; k < steps; k++)
        for (size_t i = 0; i < n; i++)
            out[k * n + i] = (float)(baseline[i] + alpha[k] * ((double)x[i] - baseline[i]));
}

void mz_attr_ig_combine(double *out, const float *grads, const double *weight, int steps,
                        const float *x, const float *baseline, int T, int E) {
    size_t n = (size_t)T * E;
    for (int t = 0; t < T; t++) {
        double s = 0;
        for (int e = 0; e < E; e++) {
            size_t i = (size_t)t * E + e;
            double avg = 0; /* the path integral of this coordinate's gradient */
            for (int k = 0; k < steps; k++)
                avg += weight[k] * grads[k * n + i];
            s += ((double)x[i] - baseline[i]) * avg;
        }
        out[t] = s;
    }
}

void mz_attr_completeness(mz_attr_completeness_result *out, const double *attr, int T, double fx,
                          double fbase, double floor) {
    double sum = 0;
    for (int t = 0; t < T; t++)
        sum += attr[t];
    out->sum = sum;
    out->delta = fx - fbase;
    out->gap = fabs(sum - out->delta) / fmax(fabs(out->delta), floor);
    out->warn = out->gap > MZ_ATTR_GAP_WARN;
}
