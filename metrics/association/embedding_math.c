/* Cosines, means and distances of embeddings, in double precision, and the per-word
 * bootstrap of the metrics. */
#include "embedding_math.h"

#include "mizani/alloc.h"

#include <math.h>

static double norm_of(const float *v, size_t dim) {
    double s = 0;
    for (size_t i = 0; i < dim; i++)
        s += (double)v[i] * v[i];
    return sqrt(s);
}

static mz_status check_norm(double norm, const mz_word_set *set, size_t i, mz_ctx *ctx) {
    if (norm > 0 && isfinite(norm)) return MZ_OK;
    const char *word = set->words ? set->words[i] : "";
    return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                   "the vector of '%s' (item %zu of set '%s') is %s: "
                   "cosine not computable",
                   word, i + 1, set->name ? set->name : "", norm == 0 ? "all zeros" : "not finite");
}

mz_status mz_vectors_check(const mz_word_set *set, size_t dim, mz_ctx *ctx) {
    for (size_t i = 0; i < set->n; i++) {
        mz_status rc = check_norm(norm_of(set->vectors + i * dim, dim), set, i, ctx);
        if (rc) return rc;
    }
    return MZ_OK;
}

mz_status mz_cosine_matrix(double *cos, const mz_word_set *rows, const mz_word_set *cols,
                           size_t dim, mz_ctx *ctx) {
    double *col_norm = mz_malloc(cols->n * sizeof *col_norm);
    if (!col_norm) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for cosines");
    mz_status rc = MZ_OK;
    for (size_t j = 0; j < cols->n && !rc; j++) {
        col_norm[j] = norm_of(cols->vectors + j * dim, dim);
        rc = check_norm(col_norm[j], cols, j, ctx);
    }
    for (size_t i = 0; i < rows->n && !rc; i++) {
        const float *u = rows->vectors + i * dim;
        double nu = norm_of(u, dim);
        if ((rc = check_norm(nu, rows, i, ctx))) break;
        for (size_t j = 0; j < cols->n; j++) {
            const float *v = cols->vectors + j * dim;
            double dot = 0;
            for (size_t k = 0; k < dim; k++)
                dot += (double)u[k] * v[k];
            cos[i * cols->n + j] = dot / (nu * col_norm[j]);
        }
    }
    mz_free(col_norm);
    return rc;
}

void mz_set_mean(double *mean, const mz_word_set *set, size_t dim, int unit) {
    for (size_t k = 0; k < dim; k++)
        mean[k] = 0;
    for (size_t i = 0; i < set->n; i++) {
        const float *v = set->vectors + i * dim;
        double scale = unit ? 1 / norm_of(v, dim) : 1;
        for (size_t k = 0; k < dim; k++)
            mean[k] += scale * v[k];
    }
    for (size_t k = 0; k < dim; k++)
        mean[k] /= (double)set->n;
}

double mz_cos_fd(const float *u, const double *v, size_t dim) {
    double dot = 0, nv = 0;
    for (size_t k = 0; k < dim; k++) {
        dot += u[k] * v[k];
        nv += v[k] * v[k];
    }
    return dot / (norm_of(u, dim) * sqrt(nv));
}

typedef struct value_list {
    const double *v;
    size_t n;
    int sum; /* 1: the statistic is the sum, 0: the mean */
} value_list;

static double resampled_total(const size_t *idx, void *data, void *scratch) {
    (void)scratch;
    const value_list *l = data;
    double s = 0;
    for (size_t i = 0; i < l->n; i++)
        s += l->v[idx[i]];
    return l->sum ? s : s / (double)l->n;
}

mz_status mz_metric_ci(mz_metric_result *out, const double *values, size_t n, int sum,
                       const mz_metric_options *opt, mz_ctx *ctx) {
    if (!opt->n_bootstrap) return MZ_OK;
    value_list l = {values, n, sum};
    mz_status rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, resampled_total, &l, 0, &n, 1,
                                         opt->n_bootstrap, opt->ci_level, opt->seed, ctx);
    if (!rc) out->ci_level = opt->ci_level;
    return rc;
}
