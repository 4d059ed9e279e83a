/* GGUF files (ggml's container): the key/value metadata and the tensor directory, read from a
 * read-only memory map and checked against the file's size before anything points into it. */
#ifndef MIZANI_GGUF_H
#define MIZANI_GGUF_H

#include "mizani/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mz_gguf_type {
    MZ_GGUF_UINT8,
    MZ_GGUF_INT8,
    MZ_GGUF_UINT16,
    MZ_GGUF_INT16,
    MZ_GGUF_UINT32,
    MZ_GGUF_INT32,
    MZ_GGUF_FLOAT32,
    MZ_GGUF_BOOL,
    MZ_GGUF_STRING,
    MZ_GGUF_ARRAY,
    MZ_GGUF_UINT64,
    MZ_GGUF_INT64,
    MZ_GGUF_FLOAT64,
    MZ_GGUF_N_TYPES
} mz_gguf_type;

typedef struct mz_gguf mz_gguf;

/* A string inside the map: not NUL-terminated. */
typedef struct mz_gguf_str {
    const char *data;
    size_t len;
} mz_gguf_str;

/* One entry of the tensor directory. Dimensions are in GGUF order: ne[0] varies fastest (a
 * PyTorch [out,in] weight has ne = {in, out}). data is NULL for ggml types Mizani does not read
 * (quantised blocks); for F32 (type 0), F16 (1) and BF16 (30) its range is checked. */
typedef struct mz_gguf_tensor {
    mz_gguf_str name;
    uint32_t n_dims;
    uint64_t ne[4];
    uint32_t type;
    const void *data;
    size_t n_bytes;
} mz_gguf_tensor;

#define MZ_GGML_F32  0u
#define MZ_GGML_F16  1u
#define MZ_GGML_BF16 30u

mz_status mz_gguf_open(mz_gguf **out, const char *path, mz_ctx *ctx);
/* The same over memory the caller keeps alive (fuzzing, tests); `name` labels errors. */
mz_status mz_gguf_parse(mz_gguf **out, const void *data, size_t size, const char *name,
                        mz_ctx *ctx);
void mz_gguf_free(mz_gguf *g);

uint32_t mz_gguf_version(const mz_gguf *g);
size_t mz_gguf_n_tensors(const mz_gguf *g);
const mz_gguf_tensor *mz_gguf_tensor_at(const mz_gguf *g, size_t i);
/* The file's bytes (for its SHA-256). */
const void *mz_gguf_bytes(const mz_gguf *g, size_t *size);

/* Scalars: 1 when `key` exists with a type convertible to the result, else 0. */
int mz_gguf_get_string(const mz_gguf *g, const char *key, mz_gguf_str *out);
int mz_gguf_get_uint(const mz_gguf *g, const char *key, uint64_t *out);
int mz_gguf_get_float(const mz_gguf *g, const char *key, double *out);

/* Arrays: the element type and count; for strings, the items themselves (an index built
 * when the file is parsed); for numbers, one item converted. */
int mz_gguf_get_array(const mz_gguf *g, const char *key, mz_gguf_type *type, size_t *count);
int mz_gguf_array_string(const mz_gguf *g, const char *key, size_t i, mz_gguf_str *out);
int mz_gguf_array_float(const mz_gguf *g, const char *key, size_t i, double *out);
int mz_gguf_array_int(const mz_gguf *g, const char *key, size_t i, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif
