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

mz_status mz_stats_holm(double *adjusted, const double *p, size_t n, mz_ctx *ctx) {
    size_t *order;
    mz_status rc = sort_order(&order, p, n, ctx);
    if (rc || n == 0) {
        mz_free(order);
        return rc;
    }
    double running = 0;
    double *tmp = mz_malloc(n * sizeof *tmp);
    if (!tmp) {
        mz_free(order);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t r = 0; r < n; r++) { /* step down: a p-value never adjusts below an earlier one */
        running = fmax(running, fmin(1, (double)(n - r) * p[order[r]]));
        tmp[order[r]] = running;
    }
    memcpy(adjusted, tmp, n * sizeof *tmp);
    mz_free(tmp);
    mz_free(order);
    return MZ_OK;
}

mz_status mz_stats_bh(double *adjusted, const double *p, size_t n, mz_ctx *ctx) {
    size_t *order;
    mz_status rc = sort_order(&order, p, n, ctx);
    if (rc || n == 0) {
        mz_free(order);
        return rc;
    }
    double running = 1;
    double *tmp = mz_malloc(n * sizeof *tmp);
    if (!tmp) {
        mz_free(order);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t r = n; r-- > 0;) { /* step up from the largest p */
        running = fmin(running, (double)n * p[order[r]] / (double)(r + 1));
        tmp[order[r]] = running;
    }
    memcpy(adjusted, tmp, n * sizeof *tmp);
    mz_free(tmp);
    mz_free(order);
    return MZ_OK;
}
