/* NumPy .npy arrays: what `mizani run` writes and `mizani verify` reads, so that users compare
 * Mizani's intermediates with their own framework's in one line of Python. */
#ifndef MIZANI_NPY_H
#define MIZANI_NPY_H

#include "mizani/error.h"

#include <stddef.h>

#define MZ_NPY_MAX_DIMS 8

typedef struct mz_npy {
    float *data; /* mz_free; values converted from the file's <f4, <f8, <i4, <i8, |u1 or |b1 */
    size_t n;
    int n_dims;
    long shape[MZ_NPY_MAX_DIMS];
} mz_npy;

/* Writes float32 data of the given shape; the file appears whole or not at all. */
mz_status mz_npy_write(const char *path, const float *data, const int *shape, int n_dims,
                       mz_ctx *ctx);
mz_status mz_npy_read(mz_npy *out, const char *path, mz_ctx *ctx);
/* The same over bytes the caller holds; `name` labels errors. */
mz_status mz_npy_parse(mz_npy *out, const void *bytes, size_t size, const char *name, mz_ctx *ctx);
void mz_npy_free(mz_npy *a);

#endif
