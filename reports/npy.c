/* .npy reader and writer (format versions 1-3, little-endian, C order). The header is a
 * Python dict literal; only its three keys are read, each checked, and the data length must
 * match the shape exactly. */
#include "mizani/npy.h"
#include "mizani/alloc.h"
#include "mizani/file.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static mz_status bad(mz_ctx *ctx, const char *name, long long off, const char *what) {
    return mz_fail_offset(ctx, MZ_ERR_INPUT, name, off, "not a readable .npy array: %s", what);
}

/* The value after 'key': in the header dict, or NULL. */
static const char *value_of(const char *h, const char *key) {
    const char *p = strstr(h, key);
    if (!p) return NULL;
    p += strlen(key);
    while (*p == ' ' || *p == '\'' || *p == '"' || *p == ':')
        p++;
    return p;
}

static int parse_shape(mz_npy *a, const char *p) {
    if (!p || *p++ != '(') return 0;
    a->n = 1;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')') return 1;
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || errno || a->n_dims == MZ_NPY_MAX_DIMS) return 0;
        if (v && a->n > (SIZE_MAX / 8) / (size_t)v) return 0;
        a->shape[a->n_dims++] = v;
        a->n *= (size_t)v;
        p = end;
    }
}

/* Element size and kind of a descr: '<f4' and friends. */
static int parse_descr(const char *p, char *kind, int *size) {
    if (!p || (p[0] != '<' && p[0] != '|' && p[0] != '=')) return 0;
    *kind = p[1];
    *size = p[2] - '0';
    int ok = (*kind == 'f' && (*size == 4 || *size == 8)) ||
             (*kind == 'i' && (*size == 4 || *size == 8)) ||
             ((*kind == 'u' || *kind == 'b') && *size == 1);
    return ok && (p[3] == '\'' || p[3] == '"');
}

static float element(const uint8_t *p, char kind, int size) {
    if (kind == 'f' && size == 4) {
        float v;
        memcpy(&v, p, 4);
        return v;
    }
    if (kind == 'f') {
        double v;
        memcpy(&v, p, 8);
        return (float)v;
    }
    if (kind == 'i' && size == 4) {
        int32_t v;
        memcpy(&v, p, 4);
        return (float)v;
    }
    if (kind == 'i') {
        int64_t v;
        memcpy(&v, p, 8);
        return (float)v;
    }
    return (float)p[0];
}

mz_status mz_npy_parse(mz_npy *a, const void *bytes, size_t size, const char *name, mz_ctx *ctx) {
    const uint8_t *b = bytes;
    memset(a, 0, sizeof *a);
    if (size < 10 || memcmp(b, "\x93NUMPY", 6)) return bad(ctx, name, 0, "no \\x93NUMPY magic");
    int v1 = b[6] == 1;
    if (b[6] < 1 || b[6] > 3) return bad(ctx, name, 6, "unknown format version");
    size_t hl = v1 ? (size_t)b[8] | (size_t)b[9] << 8
                : size < 12
                    ? SIZE_MAX
                    : (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
    size_t start = v1 ? 10 : 12;
    if (hl > size - start || hl > 1u << 20)
        return bad(ctx, name, 8, "header runs past the end of the file");
    char *h = mz_strndup((const char *)b + start, hl);
    if (!h) return mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    char kind = 0;
    int esize = 0;
    const char *fo = value_of(h, "fortran_order");
    int ok_descr = parse_descr(value_of(h, "descr"), &kind, &esize),
        ok_shape = parse_shape(a, value_of(h, "shape"));
    int fortran = fo && !strncmp(fo, "True", 4);
    mz_free(h);
    if (!ok_descr)
        return bad(ctx, name, (long long)start, "dtype is not one of <f4 <f8 <i4 <i8 |u1 |b1");
    if (!ok_shape) return bad(ctx, name, (long long)start, "shape is not a tuple of sizes");
    if (fortran)
        return bad(ctx, name, (long long)start, "Fortran order (save with np.ascontiguousarray)");
    size_t data = start + hl;
    if ((size - data) != a->n * (size_t)esize)
        return bad(ctx, name, (long long)data, "data length does not match the shape");
    if (!(a->data = mz_malloc((a->n ? a->n : 1) * sizeof *a->data)))
        return mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    for (size_t i = 0; i < a->n; i++)
        a->data[i] = element(b + data + i * (size_t)esize, kind, esize);
    return MZ_OK;
}

mz_status mz_npy_read(mz_npy *a, const char *path, mz_ctx *ctx) {
    memset(a, 0, sizeof *a);
    void *map;
    size_t size;
    mz_status rc = mz_map_file(&map, &size, path, ctx);
    if (rc) return rc;
    rc = mz_npy_parse(a, map, size, path, ctx);
    mz_unmap_file(map, size);
    return rc;
}

void mz_npy_free(mz_npy *a) {
    mz_free(a->data);
    memset(a, 0, sizeof *a);
}

mz_status mz_npy_write(const char *path, const float *data, const int *shape, int n_dims,
                       mz_ctx *ctx) {
    char head[256], tmp[4096];
    int k = snprintf(head, sizeof head, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    size_t n = 1;
    for (int i = 0; i < n_dims; i++) {
        k += snprintf(head + k, sizeof head - (size_t)k, "%d,%s", shape[i],
                      i + 1 < n_dims ? " " : "");
        n *= (size_t)shape[i];
    }
    k += snprintf(head + k, sizeof head - (size_t)k, "), }");
    int total = (10 + k + 1 + 63) / 64 * 64; /* header padded with spaces, ends in \n */
    memset(head + k, ' ', (size_t)(total - 10 - k));
    head[total - 10 - 1] = '\n';
    uint8_t pre[10] = {
        0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (uint8_t)(total - 10), (uint8_t)((total - 10) >> 8)};
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) return mz_fail_errno(ctx, tmp, "cannot create");
    int ok = fwrite(pre, 1, 10, f) == 10 &&
             fwrite(head, 1, (size_t)(total - 10), f) == (size_t)(total - 10) &&
             fwrite(data, sizeof *data, n, f) == n;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path)) {
        unlink(tmp);
        return mz_fail_errno(ctx, path, "cannot write");
    }
    return MZ_OK;
}
