/* Holm and Benjamini-Hochberg corrections across all the tests of one audit. */
#include "mizani/alloc.h"
#include "mizani/stats.h"

#include <gsl/gsl_sort.h>
#include <math.h>
#include <string.h>

/* Ranks of p (ascending) in `order`, after checking every p is a probability. */
static mz_status sort_order(size_t **order, const double *p, size_t n, mz_ctx *ctx) {
    *order = NULL;
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0 && p[i] <= 1))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL, "p-value %zu is %g, not in [0, 1]", i, p[i]);
    *order = mz_malloc(n * sizeof **order);
    if (!*order) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory adjusting p-values");
    gsl_sort_index(*order, p, 1, n);
    return MZ_OK;
}

/* Holm steps down from the smallest p (factor n - r, running maximum); Benjamini-Hochberg
 * steps up from the largest (factor n / (r + 1), running minimum). */
static mz_status adjust(double *adjusted, const double *p, size_t n, int step_up, mz_ctx *ctx) {
    size_t *order;
    mz_status rc = sort_order(&order, p, n, ctx);
    double *tmp = rc || n == 0 ? NULL : mz_malloc(n * sizeof *tmp);
    if (!rc && n && !tmp) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory adjusting p-values");
    double running = step_up ? 1 : 0;
    for (size_t k = 0; tmp && k < n; k++) {
        size_t r = step_up ? n - 1 - k : k;
        double nn = (double)n, q = step_up ? nn * p[order[r]] / (double)(r + 1)
                                           : fmin(1, (nn - (double)r) * p[order[r]]);
        running = step_up ? fmin(running, q) : fmax(running, q);
        tmp[order[r]] = running;
    }
    if (tmp) memcpy(adjusted, tmp, n * sizeof *tmp);
    mz_free(tmp);
    mz_free(order);
    return rc;
}

mz_status mz_stats_holm(double *adjusted, const double *p, size_t n, mz_ctx *ctx) {
    return adjust(adjusted, p, n, 0, ctx);
}

mz_status mz_stats_bh(double *adjusted, const double *p, size_t n, mz_ctx *ctx) {
    return adjust(adjusted, p, n, 1, ctx);
}

mz_status mz_stats_holm_present(double *adjusted, const double *p, size_t n, mz_ctx *ctx) {
    double *q = mz_malloc((n ? n : 1) * 2 * sizeof *q);
    if (!q) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i])) q[k++] = p[i];
    mz_status rc = k ? mz_stats_holm(q + n, q, k, ctx) : MZ_OK;
    for (size_t i = 0, j = 0; !rc && i < n; i++)
        adjusted[i] = isnan(p[i]) ? NAN : q[n + j++];
    mz_free(q);
    return rc;
}
