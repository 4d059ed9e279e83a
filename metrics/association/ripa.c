/* RIPA, the relational inner product association (Ethayarajh et al. 2019). */
#include "embedding_math.h"
#include "mizani/alloc.h"

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

/* Eigenvalues and eigenvectors of the symmetric matrix m (destroyed) by GSL's Jacobi method.
 * GSL stops only when the off-diagonal part is exactly zero, which rounding rarely allows, so
 * it runs a fixed number of sweeps (Jacobi converges quadratically: ten or so suffice) and the
 * remainder is judged here: 1 when it is negligible against the matrix. */
static int jacobi_converged(gsl_matrix *m, gsl_vector *eval, gsl_matrix *evec) {
    unsigned sweeps;
    int rc = gsl_eigen_jacobi(m, eval, evec, 50, &sweeps);
    if (rc && rc != GSL_EMAXITER) return 0;
    double off = 0, all = 0;
    for (size_t i = 0; i < m->size1; i++)
        for (size_t j = 0; j < m->size2; j++) {
            double x = gsl_matrix_get(m, i, j);
            all += x * x, off += i == j ? 0 : x * x;
        }
    return isfinite(all) && off <= 1e-24 * all;
}

/* beta: [dim], the unit first principal direction (uncentred) of the pair differences
 * a_i - b_i, found from their small Gram matrix and oriented so the differences project
 * positively on average. The eigenvectors come from GSL's Jacobi method, which calls no BLAS:
 * the threaded BLAS behind gsl_eigen_symmv splits its sums by the thread count, and RIPA then
 * differed in the last digits between --threads 1 and 2. */
static mz_status relation_vector(double *beta, const mz_word_set *a, const mz_word_set *b,
                                 size_t dim, mz_ctx *ctx) {
    size_t n = a->n;
    double *diff = mz_malloc((n * dim + n * n) * sizeof *diff), *gram = diff + n * dim;
    gsl_vector *eval = gsl_vector_alloc(n);
    gsl_matrix *evec = gsl_matrix_alloc(n, n);
    mz_status rc = diff && eval && evec ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t k = 0; k < dim; k++)
            diff[i * dim + k] = (double)a->vectors[i * dim + k] - b->vectors[i * dim + k];
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 0;
            for (size_t k = 0; k < dim; k++)
                s += diff[i * dim + k] * diff[j * dim + k];
            gram[i * n + j] = gram[j * n + i] = s;
        }
    gsl_matrix_view g = gsl_matrix_view_array(gram, n, n);
    if (!rc && !jacobi_converged(&g.matrix, eval, evec))
        rc = mz_fail(ctx, MZ_ERR_NUMERIC, NULL, "RIPA: eigen-decomposition failed");
    if (!rc) {
        gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC);
        double norm = 0, orient = 0;
        memset(beta, 0, dim * sizeof *beta);
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < dim; k++)
                beta[k] += gsl_matrix_get(evec, i, 0) * diff[i * dim + k];
        for (size_t k = 0; k < dim; k++)
            norm += beta[k] * beta[k];
        if (!(norm > 0)) rc = mz_fail(ctx, MZ_ERR_INPUT, NULL, "RIPA: every pair is identical");
        for (size_t i = 0; !rc && i < n; i++)
            for (size_t k = 0; k < dim; k++)
                orient += diff[i * dim + k] * beta[k];
        double scale = (orient < 0 ? -1 : 1) / sqrt(norm);
        for (size_t k = 0; !rc && k < dim; k++)
            beta[k] *= scale;
    }
    if (evec) gsl_matrix_free(evec);
    if (eval) gsl_vector_free(eval);
    mz_free(diff);
    return rc;
}

mz_status mz_assoc_ripa(mz_metric_result *out, double *per_word, const mz_word_set *s,
                        const mz_word_set *a, const mz_word_set *b, size_t dim,
                        const mz_metric_options *opt, mz_ctx *ctx) {
    *out = (mz_metric_result){.p_value = NAN};
    if (!s->n || !a->n || a->n != b->n)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "RIPA needs words under test and paired groups of "
                       "equal size (got %zu and %zu)",
                       a->n, b->n);
    double *beta = mz_malloc((dim + s->n) * sizeof *beta), *values = beta + dim;
    if (!beta) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_status rc = relation_vector(beta, a, b, dim, ctx);
    for (size_t i = 0; !rc && i < s->n; i++) {
        values[i] = 0;
        for (size_t k = 0; k < dim; k++)
            values[i] += s->vectors[i * dim + k] * beta[k];
        out->value += values[i] / (double)s->n;
        if (per_word) per_word[i] = values[i];
    }
    if (!rc) rc = mz_metric_ci(out, values, s->n, 0, opt, ctx);
    mz_free(beta);
    return rc;
}
