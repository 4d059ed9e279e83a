/* GGUF reader. Every length and count is checked against the bytes left before it is used,
 * so a malformed or truncated file gives an error naming the byte offset, never a read past
 * the end. Strings and arrays are not copied: the metadata points into the map. */
#include "mizani/gguf.h"
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/strmap.h"

#include <string.h>

#define GGUF_MAX_KV 1000000

typedef struct kv {
    mz_gguf_type type;
    const uint8_t *value; /* the value's bytes (for arrays: the first element) */
    mz_gguf_type item;    /* arrays: element type */
    uint64_t count;       /* arrays: element count */
    mz_gguf_str *strings; /* arrays of strings: the items */
} kv;

struct mz_gguf {
    const uint8_t *base;
    size_t size;
    void *map; /* non-NULL when we own a mapping */
    uint32_t version;
    uint64_t n_tensors;
    kv *kvs;
    size_t n_kvs;
    mz_gguf_tensor *tensors; /* [n_tensors] */
    mz_strmap *index;        /* key -> kvs slot */
};

typedef struct reader {
    const uint8_t *p, *end, *base;
    const char *name;
    mz_ctx *ctx;
} reader;

static mz_status bad(reader *r, const char *what) {
    return mz_fail_offset(r->ctx, MZ_ERR_INPUT, r->name, (long long)(r->p - r->base), "%s", what);
}

static int need(reader *r, uint64_t n) { return (uint64_t)(r->end - r->p) >= n; }

static mz_status read_u32(reader *r, uint32_t *v) {
    if (!need(r, 4)) return bad(r, "the file ends inside a 32-bit field (truncated?)");
    memcpy(v, r->p, 4);
    r->p += 4;
    return MZ_OK;
}

static mz_status read_u64(reader *r, uint64_t *v) {
    if (!need(r, 8)) return bad(r, "the file ends inside a 64-bit field (truncated?)");
    memcpy(v, r->p, 8);
    r->p += 8;
    return MZ_OK;
}

static mz_status read_str(reader *r, mz_gguf_str *s) {
    uint64_t len = 0;
    mz_status rc = read_u64(r, &len);
    if (rc) return rc;
    if (!need(r, len)) return bad(r, "a string runs past the end of the file");
    s->data = (const char *)r->p;
    s->len = (size_t)len;
    r->p += len;
    return MZ_OK;
}

static size_t scalar_size(mz_gguf_type t) {
    static const size_t sizes[MZ_GGUF_N_TYPES] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    return t < MZ_GGUF_N_TYPES ? sizes[t] : 0;
}

/* The value of one key: scalars are skipped over, arrays of strings indexed. */
static mz_status read_value(reader *r, kv *v) {
    v->value = r->p;
    if (v->type == MZ_GGUF_STRING) {
        mz_gguf_str s;
        return read_str(r, &s);
    }
    if (v->type != MZ_GGUF_ARRAY) {
        size_t n = scalar_size(v->type);
        if (!n) return bad(r, "unknown value type");
        if (!need(r, n)) return bad(r, "the file ends inside a value (truncated?)");
        r->p += n;
        return MZ_OK;
    }
    uint32_t item = 0;
    mz_status rc = read_u32(r, &item);
    if (!rc) rc = read_u64(r, &v->count);
    if (rc) return rc;
    v->item = (mz_gguf_type)item;
    v->value = r->p;
    if (v->item == MZ_GGUF_STRING) {
        if (v->count > (uint64_t)(r->end - r->p) / 8)
            return bad(r, "an array of strings longer than the file");
        v->strings = mz_malloc((size_t)(v->count ? v->count : 1) * sizeof *v->strings);
        if (!v->strings) return mz_fail(r->ctx, MZ_ERR_NOMEM, r->name, "out of memory");
        for (uint64_t i = 0; i < v->count && !rc; i++)
            rc = read_str(r, &v->strings[i]);
        return rc;
    }
    size_t n = scalar_size(v->item);
    if (!n) return bad(r, "an array of an unsupported element type (nested arrays are not read)");
    if (v->count > (uint64_t)(r->end - r->p) / n)
        return bad(r, "an array runs past the end of the file");
    r->p += v->count * n;
    return MZ_OK;
}

void mz_gguf_free(mz_gguf *g) {
    if (!g) return;
    for (size_t i = 0; i < g->n_kvs; i++)
        mz_free(g->kvs[i].strings);
    mz_free(g->kvs);
    mz_free(g->tensors);
    mz_strmap_free(g->index);
    mz_unmap_file(g->map, g->size);
    mz_free(g);
}

static mz_status parse_kvs(mz_gguf *g, reader *r, uint64_t n) {
    if (n > GGUF_MAX_KV || n > (uint64_t)(r->end - r->p) / 12)
        return bad(r, "more metadata keys than the file can hold");
    g->kvs = mz_calloc((size_t)(n ? n : 1), sizeof *g->kvs);
    g->index = mz_strmap_new();
    if (!g->kvs || !g->index) return mz_fail(r->ctx, MZ_ERR_NOMEM, r->name, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        mz_gguf_str key = {0};
        uint32_t type = 0;
        mz_status rc = read_str(r, &key);
        if (!rc) rc = read_u32(r, &type);
        if (rc) return rc;
        kv *v = &g->kvs[g->n_kvs++];
        v->type = (mz_gguf_type)type;
        if ((rc = read_value(r, v))) return rc;
        int fresh = mz_strmap_put(g->index, key.data, key.len, i, NULL);
        if (fresh < 0) return mz_fail(r->ctx, MZ_ERR_NOMEM, r->name, "out of memory");
        if (!fresh)
            return mz_fail(r->ctx, MZ_ERR_INPUT, r->name, "metadata key '%.*s' appears twice",
                           (int)key.len, key.data);
    }
    return MZ_OK;
}

static size_t ggml_type_size(uint32_t type) {
    return type == MZ_GGML_F32 ? 4 : type == MZ_GGML_F16 || type == MZ_GGML_BF16 ? 2 : 0;
}

static mz_status read_tensor_info(reader *r, mz_gguf_tensor *t, uint64_t *offset) {
    mz_status rc = read_str(r, &t->name);
    if (!rc) rc = read_u32(r, &t->n_dims);
    if (!rc && (t->n_dims < 1 || t->n_dims > 4))
        return bad(r, "a tensor with other than 1 to 4 dimensions");
    for (uint32_t d = 0; !rc && d < t->n_dims; d++)
        rc = read_u64(r, &t->ne[d]);
    if (!rc) rc = read_u32(r, &t->type);
    return rc ? rc : read_u64(r, offset);
}

/* A tensor name seen before is an error: which of the two would the model use? */
static mz_status unique_name(reader *r, mz_strmap *names, const mz_gguf_str *name) {
    int fresh = mz_strmap_put(names, name->data, name->len, 0, NULL);
    if (fresh < 0) return mz_fail(r->ctx, MZ_ERR_NOMEM, r->name, "out of memory");
    return fresh ? MZ_OK
                 : mz_fail(r->ctx, MZ_ERR_INPUT, r->name,
                           "tensor '%.*s' appears twice in the tensor directory", (int)name->len,
                           name->data);
}

/* Element count and byte size of a readable tensor; 0 when they overflow. */
static size_t tensor_bytes(const mz_gguf_tensor *t) {
    uint64_t n = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) {
        if (t->ne[d] && n > (UINT64_MAX >> 4) / t->ne[d]) return 0;
        n *= t->ne[d];
    }
    return (size_t)(n * ggml_type_size(t->type));
}

/* The tensor directory after the metadata, then the aligned data section it points into. */
static mz_status parse_tensors(mz_gguf *g, reader *r) {
    if (g->n_tensors > (uint64_t)(r->end - r->p) / 24)
        return bad(r, "more tensors than the file can hold");
    g->tensors = mz_calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *g->tensors);
    uint64_t *offs = mz_calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *offs);
    mz_strmap *names = mz_strmap_new();
    mz_status rc = g->tensors && offs && names
                       ? MZ_OK
                       : mz_fail(r->ctx, MZ_ERR_NOMEM, r->name, "out of memory");
    for (uint64_t i = 0; !rc && i < g->n_tensors; i++)
        if (!(rc = read_tensor_info(r, &g->tensors[i], &offs[i])))
            rc = unique_name(r, names, &g->tensors[i].name);
    mz_strmap_free(names);
    uint64_t align = 32;
    if (!rc && mz_gguf_get_uint(g, "general.alignment", &align) &&
        (align == 0 || align > 65536 || align & (align - 1)))
        rc = bad(r, "general.alignment is not a power of two");
    size_t start = (size_t)(r->p - r->base);
    if (!rc) start = (start + (size_t)align - 1) / (size_t)align * (size_t)align;
    for (uint64_t i = 0; !rc && i < g->n_tensors; i++) {
        mz_gguf_tensor *t = &g->tensors[i];
        size_t n = tensor_bytes(t);
        if (!ggml_type_size(t->type)) continue; /* quantised: listed, never read */
        if (!n && t->ne[0] && t->ne[t->n_dims - 1])
            rc = mz_fail(r->ctx, MZ_ERR_INPUT, r->name, "tensor '%.*s': size overflows",
                         (int)t->name.len, t->name.data);
        else if (start > g->size || offs[i] > g->size - start || n > g->size - start - offs[i])
            rc = mz_fail(r->ctx, MZ_ERR_INPUT, r->name,
                         "tensor '%.*s': data lies past the end of the file", (int)t->name.len,
                         t->name.data);
        else
            t->data = r->base + start + offs[i], t->n_bytes = n;
    }
    mz_free(offs);
    return rc;
}

mz_status mz_gguf_parse(mz_gguf **out, const void *data, size_t size, const char *name,
                        mz_ctx *ctx) {
    *out = NULL;
    mz_gguf *g = mz_calloc(1, sizeof *g);
    if (!g) return mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    g->base = data;
    g->size = size;
    reader r = {data, (const uint8_t *)data + size, data, name, ctx};
    uint64_t n_kv = 0;
    mz_status rc = MZ_OK;
    if (size < 4 || memcmp(data, "GGUF", 4))
        rc = bad(&r, "not a GGUF file (no GGUF magic)");
    else
        r.p += 4;
    if (!rc) rc = read_u32(&r, &g->version);
    if (!rc && (g->version < 2 || g->version > 3))
        rc = mz_fail_offset(ctx, MZ_ERR_UNSUPPORTED, name, 4,
                            "GGUF version %u; Mizani reads "
                            "versions 2 and 3",
                            g->version);
    if (!rc) rc = read_u64(&r, &g->n_tensors);
    if (!rc) rc = read_u64(&r, &n_kv);
    if (!rc) rc = parse_kvs(g, &r, n_kv);
    if (!rc) rc = parse_tensors(g, &r);
    if (rc) {
        mz_gguf_free(g);
        return rc;
    }
    *out = g;
    return MZ_OK;
}

mz_status mz_gguf_open(mz_gguf **out, const char *path, mz_ctx *ctx) {
    *out = NULL;
    void *map;
    size_t size;
    mz_status rc = mz_map_file(&map, &size, path, ctx);
    if (rc) return rc;
    rc = mz_gguf_parse(out, map, size, path, ctx);
    if (rc) {
        mz_unmap_file(map, size);
        return rc;
    }
    (*out)->map = map;
    return MZ_OK;
}

uint32_t mz_gguf_version(const mz_gguf *g) { return g->version; }
size_t mz_gguf_n_tensors(const mz_gguf *g) { return (size_t)g->n_tensors; }
const mz_gguf_tensor *mz_gguf_tensor_at(const mz_gguf *g, size_t i) { return &g->tensors[i]; }

const void *mz_gguf_bytes(const mz_gguf *g, size_t *size) {
    *size = g->size;
    return g->base;
}

static const kv *find(const mz_gguf *g, const char *key) {
    size_t i;
    return mz_strmap_get(g->index, key, strlen(key), &i) ? &g->kvs[i] : NULL;
}

int mz_gguf_get_string(const mz_gguf *g, const char *key, mz_gguf_str *out) {
    const kv *v = find(g, key);
    if (!v || v->type != MZ_GGUF_STRING) return 0;
    uint64_t len = 0;
    memcpy(&len, v->value, 8);
    *out = (mz_gguf_str){(const char *)v->value + 8, (size_t)len};
    return 1;
}

/* A float as an integer where it has one; 0 for NaN and out-of-range values (converting
 * those is undefined behaviour, and a file can hold anything). */
static int64_t as_int(double x) { return x > -9.2e18 && x < 9.2e18 ? (int64_t)x : 0; }

/* A number of any scalar type at p, as a double and an int64 (integers exact). */
static int number_at(const uint8_t *p, mz_gguf_type t, double *d, int64_t *i) {
    union {
        uint8_t u8;
        int8_t i8;
        uint16_t u16;
        int16_t i16;
        uint32_t u32;
        int32_t i32;
        float f32;
        uint64_t u64;
        int64_t i64;
        double f64;
    } u;
    size_t n = scalar_size(t);
    if (!n) return 0;
    memcpy(&u, p, n);
    switch (t) {
    case MZ_GGUF_UINT8:
    case MZ_GGUF_BOOL: *i = u.u8; break;
    case MZ_GGUF_INT8: *i = u.i8; break;
    case MZ_GGUF_UINT16: *i = u.u16; break;
    case MZ_GGUF_INT16: *i = u.i16; break;
    case MZ_GGUF_UINT32: *i = u.u32; break;
    case MZ_GGUF_INT32: *i = u.i32; break;
    case MZ_GGUF_UINT64: *i = (int64_t)u.u64; break;
    case MZ_GGUF_INT64: *i = u.i64; break;
    case MZ_GGUF_FLOAT32:
        *d = u.f32;
        *i = as_int(*d);
        return 1;
    case MZ_GGUF_FLOAT64:
        *d = u.f64;
        *i = as_int(*d);
        return 1;
    default: return 0;
    }
    *d = (double)*i;
    return 1;
}

int mz_gguf_get_uint(const mz_gguf *g, const char *key, uint64_t *out) {
    const kv *v = find(g, key);
    double d;
    int64_t i;
    if (!v || v->type == MZ_GGUF_FLOAT32 || v->type == MZ_GGUF_FLOAT64 ||
        !number_at(v->value, v->type, &d, &i) || i < 0)
        return 0;
    *out = (uint64_t)i;
    return 1;
}

int mz_gguf_get_float(const mz_gguf *g, const char *key, double *out) {
    const kv *v = find(g, key);
    int64_t i;
    return v && number_at(v->value, v->type, out, &i);
}

int mz_gguf_get_array(const mz_gguf *g, const char *key, mz_gguf_type *type, size_t *count) {
    const kv *v = find(g, key);
    if (!v || v->type != MZ_GGUF_ARRAY) return 0;
    *type = v->item;
    *count = (size_t)v->count;
    return 1;
}

int mz_gguf_array_string(const mz_gguf *g, const char *key, size_t i, mz_gguf_str *out) {
    const kv *v = find(g, key);
    if (!v || v->type != MZ_GGUF_ARRAY || v->item != MZ_GGUF_STRING || i >= v->count) return 0;
    *out = v->strings[i];
    return 1;
}

static int array_number(const mz_gguf *g, const char *key, size_t i, double *d, int64_t *n) {
    const kv *v = find(g, key);
    if (!v || v->type != MZ_GGUF_ARRAY || i >= v->count || v->item == MZ_GGUF_STRING) return 0;
    return number_at(v->value + i * scalar_size(v->item), v->item, d, n);
}

int mz_gguf_array_float(const mz_gguf *g, const char *key, size_t i, double *out) {
    int64_t n;
    return array_number(g, key, i, out, &n);
}

int mz_gguf_array_int(const mz_gguf *g, const char *key, size_t i, int64_t *out) {
    double d;
    return array_number(g, key, i, &d, out);
}
