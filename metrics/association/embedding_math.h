/* Internal to metrics/association/: cosines, means, distances and the per-word bootstrap
 * shared by the association metrics. */
#ifndef MZ_METRICS_EMBEDDING_MATH_H
#define MZ_METRICS_EMBEDDING_MATH_H

#include "mizani/association.h"

/* cos: [rows->n, cols->n]. MZ_ERR_INPUT naming the word whose vector is zero or not finite. */
mz_status mz_cosine_matrix(double *cos, const mz_word_set *rows, const mz_word_set *cols,
                           size_t dim, mz_ctx *ctx);

/* MZ_ERR_INPUT naming the first word of `set` whose vector is all zeros or not finite. */
mz_status mz_vectors_check(const mz_word_set *set, size_t dim, mz_ctx *ctx);

/* mean: [dim], the mean of the set's vectors, each scaled to unit length first when `unit`. */
void mz_set_mean(double *mean, const mz_word_set *set, size_t dim, int unit);
/* cos(u, v) for a float row u and a double vector v. */
double mz_cos_fd(const float *u, const double *v, size_t dim);

/* The interval of the mean (or sum) of values[0..n) over words resampled with replacement;
 * nothing when opt->n_bootstrap is 0. */
mz_status mz_metric_ci(mz_metric_result *out, const double *values, size_t n, int sum,
                       const mz_metric_options *opt, mz_ctx *ctx);

#endif
