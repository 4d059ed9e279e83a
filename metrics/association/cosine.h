/* Internal to metrics/: cosine similarity tables shared by the association metrics. */
#ifndef MZ_METRICS_COSINE_H
#define MZ_METRICS_COSINE_H

#include "mizani/association.h"

/* cos: [rows->n, cols->n]. MZ_ERR_INPUT naming the word whose vector is zero or not finite. */
mz_status mz_cosine_matrix(double *cos, const mz_word_set *rows, const mz_word_set *cols,
                           size_t dim, mz_ctx *ctx);

/* MZ_ERR_INPUT naming the first word of `set` whose vector is all zeros or not finite. */
mz_status mz_vectors_check(const mz_word_set *set, size_t dim, mz_ctx *ctx);

#endif
