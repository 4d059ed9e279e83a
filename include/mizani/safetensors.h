/* safetensors files (Hugging Face's weight container): an 8-byte little-endian header length,
 * a JSON header naming every tensor's dtype, shape and byte range, then the raw data. The
 * reader maps the file read-only and checks the whole header against the file before anything
 * points into it; sharded checkpoints (model.safetensors.index.json) open as one set. */
#ifndef MIZANI_SAFETENSORS_H
#define MIZANI_SAFETENSORS_H

#include "mizani/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mz_st_dtype {
    MZ_ST_F32,
    MZ_ST_F16,
    MZ_ST_BF16,
    MZ_ST_F64,
    MZ_ST_I64,
    MZ_ST_I32,
    MZ_ST_I16,
    MZ_ST_I8,
    MZ_ST_U8,
    MZ_ST_BOOL,
    MZ_ST_N_DTYPES
} mz_st_dtype;

#define MZ_ST_MAX_DIMS 8

typedef struct mz_st_tensor {
    const char *name;
    mz_st_dtype dtype;
    int n_dims;
    int64_t shape[MZ_ST_MAX_DIMS];
    size_t n_elements;
    const void *data; /* into the read-only map; may be unaligned for its dtype */
    size_t n_bytes;
    const char *file; /* the shard that holds it */
} mz_st_tensor;

typedef struct mz_st mz_st;

/* `path`: a .safetensors file, or a model.safetensors.index.json naming the shards. */
mz_status mz_st_open(mz_st **out, const char *path, mz_ctx *ctx);
/* One file's bytes held by the caller (fuzzing, tests); `name` labels errors. */
mz_status mz_st_parse(mz_st **out, const void *data, size_t size, const char *name, mz_ctx *ctx);
/* A set over tensors that live elsewhere (a GGUF file's directory): entries and names copied,
 * data pointers kept. */
mz_status mz_st_from_tensors(mz_st **out, const mz_st_tensor *tensors, size_t n, mz_ctx *ctx);
void mz_st_free(mz_st *st);

size_t mz_st_n_tensors(const mz_st *st);
const mz_st_tensor *mz_st_tensor_at(const mz_st *st, size_t i);
const mz_st_tensor *mz_st_find(const mz_st *st, const char *name); /* NULL when absent */
const char *mz_st_dtype_name(mz_st_dtype dtype);
/* SHA-256 of the mapped files' bytes, shard after shard (all zeros for mz_st_parse sets). */
void mz_st_sha256(const mz_st *st, char hex[65]);
/* Bytes of the mapped weight files, for memory budgets and the model card. */
size_t mz_st_file_bytes(const mz_st *st);
/* Values of a float tensor that are NaN or infinite (0 for integer dtypes): a checkpoint with
 * any gives non-finite activations, so `inspect` counts them. */
size_t mz_st_count_nonfinite(const mz_st_tensor *t);

#ifdef __cplusplus
}
#endif
#endif
