/* Writing F32 tensors as a safetensors file: the generated checkpoints of the calibration study
 * (random-weight null models, planted models) and, later, copies of a checkpoint with changed
 * weights (noise added for the regression gate's null). */
#ifndef MIZANI_SAFETENSORS_WRITE_H
#define MIZANI_SAFETENSORS_WRITE_H

#include "mizani/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_st_tensor_out {
    const char *name;
    const float *data; /* row-major, the product of shape[0..n_dims) values */
    int n_dims;        /* 1 to 4 */
    int64_t shape[4];
} mz_st_tensor_out;

/* The header (names, dtype F32, shapes, offsets; padded to 8 bytes) then the data, in the
 * order given, to a temporary file renamed to `path` once complete: no half-written file. */
mz_status mz_safetensors_write(const char *path, const mz_st_tensor_out *t, size_t n, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
