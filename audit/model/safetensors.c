/* safetensors reader. The header is untrusted: its length is bounded by the file, every tensor's
 * byte range must lie inside the data section, match dtype x shape exactly and overlap no other,
 * before any pointer into the map is handed out. */
#include "mizani/safetensors.h"
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/sha256.h"
#include "mizani/strmap.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ST_MAX_HEADER (100u << 20) /* the format's own bound on the JSON header */
#define ST_MAX_SHARDS 4096

typedef struct shard {
    void *map; /* NULL when the caller owns the bytes */
    size_t size;
    char *path;
} shard;

struct mz_st {
    shard *shards;
    size_t n_shards, cap_shards;
    mz_st_tensor *tensors;
    size_t n_tensors, cap_tensors;
    mz_strmap *index; /* name -> tensors slot */
};

static const struct {
    const char *name;
    size_t size;
} DTYPES[MZ_ST_N_DTYPES] = {{"F32", 4}, {"F16", 2}, {"BF16", 2}, {"F64", 8}, {"I64", 8},
                            {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U8", 1},  {"BOOL", 1}};

const char *mz_st_dtype_name(mz_st_dtype d) { return d < MZ_ST_N_DTYPES ? DTYPES[d].name : "?"; }

static int dtype_of(const char *s, mz_st_dtype *d) {
    for (int i = 0; i < MZ_ST_N_DTYPES; i++)
        if (!strcmp(s, DTYPES[i].name)) return *d = (mz_st_dtype)i, 1;
    return 0;
}

static mz_status bad_tensor(mz_ctx *ctx, const char *file, const char *tensor, const char *what) {
    return mz_fail(ctx, MZ_ERR_INPUT, file, "tensor '%s': %s", tensor, what);
}

/* Shape and byte range of one header entry, checked against each other and the data size. */
static mz_status read_entry(mz_st_tensor *t, json_t *e, size_t data_size, size_t *begin,
                            const char *file, mz_ctx *ctx) {
    const char *n = t->name;
    json_t *dt = json_object_get(e, "dtype"), *sh = json_object_get(e, "shape"),
           *off = json_object_get(e, "data_offsets");
    if (!json_is_object(e)) return bad_tensor(ctx, file, n, "header entry is not an object");
    if (!json_is_string(dt) || !dtype_of(json_string_value(dt), &t->dtype))
        return bad_tensor(ctx, file, n, "dtype missing or unknown (F32, F16, BF16, ...)");
    if (!json_is_array(sh) || json_array_size(sh) > MZ_ST_MAX_DIMS)
        return bad_tensor(ctx, file, n, "shape missing, not an array, or more than 8 dimensions");
    size_t count = 1;
    t->n_dims = (int)json_array_size(sh);
    for (int i = 0; i < t->n_dims; i++) {
        json_t *d = json_array_get(sh, (size_t)i);
        if (!json_is_integer(d) || json_integer_value(d) < 0 || json_integer_value(d) > (1LL << 40))
            return bad_tensor(ctx, file, n, "shape holds a negative, huge or non-integer size");
        t->shape[i] = json_integer_value(d);
        if (t->shape[i] && count > SIZE_MAX / (size_t)t->shape[i])
            return bad_tensor(ctx, file, n, "shape overflows");
        count *= (size_t)t->shape[i];
    }
    if (!json_is_array(off) || json_array_size(off) != 2 ||
        !json_is_integer(json_array_get(off, 0)) || !json_is_integer(json_array_get(off, 1)))
        return bad_tensor(ctx, file, n, "data_offsets must be [begin, end]");
    json_int_t b = json_integer_value(json_array_get(off, 0)),
               en = json_integer_value(json_array_get(off, 1));
    if (b < 0 || en < b || (unsigned long long)en > data_size)
        return bad_tensor(ctx, file, n, "data_offsets lie outside the data section");
    t->n_elements = count;
    t->n_bytes = (size_t)(en - b);
    if (count > SIZE_MAX / DTYPES[t->dtype].size || count * DTYPES[t->dtype].size != t->n_bytes)
        return bad_tensor(ctx, file, n, "byte range does not match dtype x shape");
    *begin = (size_t)b;
    return MZ_OK;
}

static int by_data(const void *a, const void *b) {
    const mz_st_tensor *x = a, *y = b;
    const char *px = x->data, *py = y->data;
    return px < py ? -1 : px > py;
}

/* No two tensors of one file may share bytes (a crafted header could alias weights). */
static mz_status check_overlap(mz_st_tensor *t, size_t n, const char *file, mz_ctx *ctx) {
    if (n > 1) qsort(t, n, sizeof *t, by_data);
    for (size_t i = 1; i < n; i++)
        if ((const char *)t[i - 1].data + t[i - 1].n_bytes > (const char *)t[i].data)
            return mz_fail(ctx, MZ_ERR_INPUT, file, "tensors '%s' and '%s' overlap", t[i - 1].name,
                           t[i].name);
    return MZ_OK;
}

static mz_status add_tensors(mz_st *st, json_t *hdr, const uint8_t *data, size_t data_size,
                             const char *file, mz_ctx *ctx) {
    size_t first = st->n_tensors;
    const char *key;
    json_t *e;
    json_object_foreach(hdr, key, e) {
        if (!strcmp(key, "__metadata__")) continue;
        if (mz_grow((void **)&st->tensors, &st->cap_tensors, st->n_tensors + 1,
                    sizeof *st->tensors))
            return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
        mz_st_tensor *t = &st->tensors[st->n_tensors];
        memset(t, 0, sizeof *t);
        if (!(t->name = mz_strdup(key))) return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
        st->n_tensors++;
        t->file = file;
        size_t begin = 0;
        mz_status rc = read_entry(t, e, data_size, &begin, file, ctx);
        if (rc) return rc;
        t->data = data + begin;
    }
    return check_overlap(st->tensors + first, st->n_tensors - first, file, ctx);
}

/* One file's header, tensors appended to st. */
static mz_status parse_file(mz_st *st, const uint8_t *p, size_t size, const char *file,
                            mz_ctx *ctx) {
    uint64_t hlen = 0;
    if (size < 8)
        return mz_fail_offset(ctx, MZ_ERR_INPUT, file, 0, "shorter than the 8-byte header length");
    memcpy(&hlen, p, 8); /* little-endian, as every supported host */
    if (hlen > size - 8 || hlen > ST_MAX_HEADER)
        return mz_fail_offset(ctx, MZ_ERR_INPUT, file, 0,
                              "header length %llu runs past the end of the file",
                              (unsigned long long)hlen);
    json_error_t jerr;
    json_t *hdr = json_loadb((const char *)p + 8, (size_t)hlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!hdr)
        return mz_fail_offset(ctx, MZ_ERR_INPUT, file, 8 + jerr.position,
                              "header is not valid JSON: %s", jerr.text);
    mz_status rc = json_is_object(hdr)
                       ? add_tensors(st, hdr, p + 8 + hlen, size - 8 - (size_t)hlen, file, ctx)
                       : mz_fail_offset(ctx, MZ_ERR_INPUT, file, 8, "header is not a JSON object");
    json_decref(hdr);
    return rc;
}

static mz_status build_index(mz_st *st, mz_ctx *ctx) {
    if (!(st->index = mz_strmap_new())) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < st->n_tensors; i++) {
        size_t prev;
        const char *n = st->tensors[i].name;
        int r = mz_strmap_put(st->index, n, strlen(n), i, &prev);
        if (r < 0) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        if (r == 0)
            return mz_fail(ctx, MZ_ERR_INPUT, st->tensors[i].file,
                           "tensor '%s' appears in two shards", n);
    }
    return MZ_OK;
}

static mz_status add_shard(mz_st *st, const char *path, mz_ctx *ctx) {
    if (st->n_shards >= ST_MAX_SHARDS)
        return mz_fail(ctx, MZ_ERR_INPUT, path, "more than %d shards", ST_MAX_SHARDS);
    if (mz_grow((void **)&st->shards, &st->cap_shards, st->n_shards + 1, sizeof *st->shards))
        return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    shard *s = &st->shards[st->n_shards];
    memset(s, 0, sizeof *s);
    if (!(s->path = mz_strdup(path))) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    st->n_shards++;
    mz_status rc = mz_map_file(&s->map, &s->size, path, ctx);
    return rc ? rc : parse_file(st, s->map, s->size, s->path, ctx);
}

void mz_st_free(mz_st *st) {
    if (!st) return;
    for (size_t i = 0; i < st->n_tensors; i++)
        mz_free((char *)st->tensors[i].name);
    for (size_t i = 0; i < st->n_shards; i++) {
        mz_unmap_file(st->shards[i].map, st->shards[i].size);
        mz_free(st->shards[i].path);
    }
    mz_free(st->shards);
    mz_free(st->tensors);
    mz_strmap_free(st->index);
    mz_free(st);
}

static mz_status finish(mz_st **out, mz_st *st, mz_status rc, mz_ctx *ctx) {
    if (!rc) rc = build_index(st, ctx);
    if (rc) {
        mz_st_free(st);
        return rc;
    }
    *out = st;
    return MZ_OK;
}

mz_status mz_st_parse(mz_st **out, const void *data, size_t size, const char *name, mz_ctx *ctx) {
    *out = NULL;
    mz_st *st = mz_calloc(1, sizeof *st);
    if (!st) return mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    return finish(out, st, parse_file(st, data, size, name, ctx), ctx);
}

mz_status mz_st_from_tensors(mz_st **out, const mz_st_tensor *tensors, size_t n, mz_ctx *ctx) {
    *out = NULL;
    mz_st *st = mz_calloc(1, sizeof *st);
    mz_status rc = st ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc && !(st->tensors = mz_calloc(n ? n : 1, sizeof *st->tensors)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        st->tensors[i] = tensors[i];
        if (!(st->tensors[i].name = mz_strdup(tensors[i].name)))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        else
            st->n_tensors++;
    }
    if (!st) return rc;
    return finish(out, st, rc, ctx);
}

/* The shard files an index names, each opened once, relative to the index's folder. */
static mz_status open_index(mz_st *st, const char *path, mz_ctx *ctx) {
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, path, 64u << 20, ctx);
    if (rc) return rc;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr), *map = json_object_get(root, "weight_map");
    mz_free(text);
    if (!json_is_object(map)) {
        json_decref(root);
        return mz_fail(ctx, MZ_ERR_INPUT, path,
                       root ? "no \"weight_map\" object" : "not valid JSON");
    }
    const char *dir_end = strrchr(path, '/'), *key;
    int dir_len = dir_end ? (int)(dir_end - path + 1) : 0;
    json_t *v;
    json_object_foreach(map, key, v) {
        const char *f = json_string_value(v);
        if (!f || !*f || strchr(f, '/')) {
            rc = mz_fail(ctx, MZ_ERR_INPUT, path, "weight_map['%s'] is not a shard file name", key);
            break;
        }
        char full[4096];
        snprintf(full, sizeof full, "%.*s%s", dir_len, path, f);
        int seen = 0;
        for (size_t i = 0; i < st->n_shards && !seen; i++)
            seen = !strcmp(st->shards[i].path, full);
        if (!seen && (rc = add_shard(st, full, ctx))) break;
    }
    json_decref(root);
    return rc;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

mz_status mz_st_open(mz_st **out, const char *path, mz_ctx *ctx) {
    *out = NULL;
    mz_st *st = mz_calloc(1, sizeof *st);
    if (!st) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    mz_status rc = ends_with(path, ".json") ? open_index(st, path, ctx) : add_shard(st, path, ctx);
    return finish(out, st, rc, ctx);
}

size_t mz_st_n_tensors(const mz_st *st) { return st->n_tensors; }
const mz_st_tensor *mz_st_tensor_at(const mz_st *st, size_t i) { return &st->tensors[i]; }

const mz_st_tensor *mz_st_find(const mz_st *st, const char *name) {
    size_t i;
    return mz_strmap_get(st->index, name, strlen(name), &i) ? &st->tensors[i] : NULL;
}

size_t mz_st_file_bytes(const mz_st *st) {
    size_t n = 0;
    for (size_t i = 0; i < st->n_shards; i++)
        n += st->shards[i].size;
    return n;
}

void mz_st_sha256(const mz_st *st, char hex[65]) {
    mz_sha256 h;
    mz_sha256_init(&h);
    for (size_t i = 0; i < st->n_shards; i++)
        mz_sha256_update(&h, st->shards[i].map, st->shards[i].size);
    mz_sha256_final(&h, hex);
}

/* A value of a float dtype is not finite when its exponent bits are all ones. */
size_t mz_st_count_nonfinite(const mz_st_tensor *t) {
    size_t n = 0;
    const uint8_t *p = t->data;
    for (size_t i = 0; i < t->n_elements; i++) {
        uint16_t h;
        uint32_t f;
        uint64_t d;
        switch (t->dtype) {
        case MZ_ST_F16: memcpy(&h, p + 2 * i, 2), n += (h & 0x7C00u) == 0x7C00u; break;
        case MZ_ST_BF16: memcpy(&h, p + 2 * i, 2), n += (h & 0x7F80u) == 0x7F80u; break;
        case MZ_ST_F32: memcpy(&f, p + 4 * i, 4), n += (f & 0x7F800000u) == 0x7F800000u; break;
        case MZ_ST_F64:
            memcpy(&d, p + 8 * i, 8), n += (d & 0x7FF0000000000000u) == 0x7FF0000000000000u;
            break;
        default: return 0; /* integers are always finite */
        }
    }
    return n;
}
