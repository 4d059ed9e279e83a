/* safetensors out: an 8-byte little-endian header length, the JSON header padded with spaces
 * to a multiple of 8, then the tensors' bytes back to back (little-endian F32). */
#include "mizani/safetensors_write.h"
#include "mizani/alloc.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static size_t count(const mz_st_tensor_out *t) {
    size_t k = 1;
    for (int d = 0; d < t->n_dims; d++)
        k *= (size_t)t->shape[d];
    return k;
}

static mz_status header(char **out, size_t *len, const mz_st_tensor_out *t, size_t n, mz_ctx *ctx) {
    json_t *h = json_object();
    size_t at = 0;
    for (size_t i = 0; h && i < n; i++) {
        if (t[i].n_dims < 1 || t[i].n_dims > 4) {
            json_decref(h);
            return mz_fail(ctx, MZ_ERR_USAGE, NULL, "tensor %s has %d dimensions", t[i].name,
                           t[i].n_dims);
        }
        json_t *shape = json_array();
        for (int d = 0; d < t[i].n_dims; d++)
            json_array_append_new(shape, json_integer(t[i].shape[d]));
        size_t bytes = count(&t[i]) * sizeof(float);
        json_object_set_new(h, t[i].name,
                            json_pack("{s:s, s:o, s:[I,I]}", "dtype", "F32", "shape", shape,
                                      "data_offsets", (json_int_t)at, (json_int_t)(at + bytes)));
        at += bytes;
    }
    char *text = h ? json_dumps(h, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(h);
    if (!text) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t k = strlen(text), padded = (k + 7) / 8 * 8;
    *out = mz_malloc(padded + 1);
    if (*out) {
        memcpy(*out, text, k);
        memset(*out + k, ' ', padded - k);
        *len = padded;
    }
    free(text);
    return *out ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

mz_status mz_safetensors_write(const char *path, const mz_st_tensor_out *t, size_t n, mz_ctx *ctx) {
    char *h = NULL, tmp[4096];
    size_t len = 0;
    mz_status rc = header(&h, &len, t, n, ctx);
    if (rc) return rc;
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        mz_free(h);
        return mz_fail(ctx, MZ_ERR_IO, tmp, "cannot create: %s", strerror(errno));
    }
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)((uint64_t)len >> (8 * i));
    int ok = fwrite(le, 1, 8, f) == 8 && fwrite(h, 1, len, f) == len;
    for (size_t i = 0; ok && i < n; i++) /* F32 as the host stores it: little-endian here */
        ok = fwrite(t[i].data, sizeof(float), count(&t[i]), f) == count(&t[i]);
    ok = fclose(f) == 0 && ok;
    mz_free(h);
    if (!ok || rename(tmp, path)) {
        rc = mz_fail(ctx, MZ_ERR_IO, path, "cannot write: %s", strerror(errno));
        remove(tmp);
    }
    return rc;
}
