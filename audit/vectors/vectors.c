/* The static-vector table: rows, words, and the word index used for probe look-ups. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "vectors_internal.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Unicode case folding (with NFC), so "Kenya" and "kenya" meet; NULL on no memory or bad
 * UTF-8. Freed with free(): utf8proc allocates it. */
static char *casefold(const char *s, size_t len) {
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    return n < 0 ? NULL : (char *)out;
}

static int map_put_folded(mz_strmap *m, const char *s, size_t len, size_t value) {
    char *f = casefold(s, len);
    if (!f) return -1;
    int rc = mz_strmap_put(m, f, strlen(f), value, NULL);
    free(f);
    return rc;
}

int mz_vectors_wanted(mz_vectors *v, const char *word, size_t len) {
    if (!v->keep || mz_strmap_get(v->keep, word, len, NULL)) return 1;
    if (!v->fold_case) return 0;
    char *f = casefold(word, len);
    int hit = f && mz_strmap_get(v->keep, f, strlen(f), NULL);
    free(f);
    return hit;
}

static mz_status nomem(mz_ctx *ctx) {
    return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory reading vectors");
}

mz_status mz_vectors_append(mz_vectors *v, const char *word, size_t len, const float *row,
                            mz_ctx *ctx) {
    size_t prev;
    int fresh = mz_strmap_put(v->index, word, len, v->count, &prev);
    if (fresh < 0) return nomem(ctx);
    if (!fresh) {
        v->duplicates++;
        return MZ_OK;
    }
    if (v->fold_case && map_put_folded(v->folded, word, len, v->count) < 0) return nomem(ctx);
    if (mz_grow((void **)&v->rows, &v->rows_cap, (v->count + 1) * v->dim, sizeof *v->rows) ||
        mz_grow((void **)&v->word_off, &v->cap, v->count + 1, sizeof *v->word_off) ||
        mz_grow((void **)&v->words, &v->words_cap, v->words_len + len + 1, 1))
        return nomem(ctx);
    memcpy(v->rows + v->count * v->dim, row, v->dim * sizeof *row);
    memcpy(v->words + v->words_len, word, len);
    v->words[v->words_len + len] = '\0';
    v->word_off[v->count++] = v->words_len;
    v->words_len += len + 1;
    return MZ_OK;
}

static mz_status make_table(mz_vectors **out, const mz_vectors_options *opt, mz_ctx *ctx) {
    mz_vectors *v = mz_calloc(1, sizeof *v);
    if (!v) return nomem(ctx);
    *out = v;
    v->fold_case = opt && opt->fold_case;
    v->index = mz_strmap_new();
    if (!v->index) return nomem(ctx);
    if (v->fold_case && !(v->folded = mz_strmap_new())) return nomem(ctx);
    if (!opt || !opt->keep) return MZ_OK;
    if (!(v->keep = mz_strmap_new())) return nomem(ctx);
    for (size_t i = 0; i < opt->n_keep; i++) {
        const char *w = opt->keep[i];
        if (mz_strmap_put(v->keep, w, strlen(w), i, NULL) < 0 ||
            (v->fold_case && map_put_folded(v->keep, w, strlen(w), i) < 0))
            return nomem(ctx);
    }
    return MZ_OK;
}

mz_status mz_vectors_new(mz_vectors **out, size_t dim, const mz_vectors_options *opt, mz_ctx *ctx) {
    mz_status rc = make_table(out, opt, ctx);
    if (rc) {
        mz_vectors_free(*out);
        *out = NULL;
        return rc;
    }
    (*out)->dim = dim;
    return MZ_OK;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static mz_status read_stream(mz_vectors **out, FILE *f, const char *name, int binary,
                             const mz_vectors_options *opt, mz_ctx *ctx) {
    mz_vectors *v = NULL;
    mz_status rc = make_table(&v, opt, ctx);
    mz_progress *progress = opt ? opt->progress : NULL;
    if (!rc)
        rc = binary ? mz_vectors_read_word2vec(v, f, name, progress, ctx)
                    : mz_vectors_read_text(v, f, name, progress, ctx);
    if (v) {
        mz_strmap_free(v->keep);
        v->keep = NULL;
    }
    if (rc == MZ_ERR_NOMEM) mz_ctx_set_file(ctx, name);
    if (rc) {
        mz_vectors_free(v);
        return rc;
    }
    *out = v;
    return MZ_OK;
}

mz_status mz_vectors_load(mz_vectors **out, const char *path, const mz_vectors_options *opt,
                          mz_ctx *ctx) {
    *out = NULL;
    FILE *f;
    mz_status rc = mz_fopen_regular(&f, path, "cannot open vectors file", ctx);
    if (rc) return rc;
    mz_vectors_format fmt = opt ? opt->format : MZ_VECTORS_AUTO;
    if (fmt == MZ_VECTORS_AUTO)
        fmt = ends_with(path, ".bin") ? MZ_VECTORS_WORD2VEC_BINARY : MZ_VECTORS_TEXT;
    rc = read_stream(out, f, path, fmt == MZ_VECTORS_WORD2VEC_BINARY, opt, ctx);
    if (!rc && ferror(f)) rc = mz_fail_errno(ctx, path, "read failed");
    fclose(f);
    if (rc && *out) {
        mz_vectors_free(*out);
        *out = NULL;
    }
    return rc;
}

mz_status mz_vectors_parse(mz_vectors **out, const void *data, size_t size, const char *name,
                           const mz_vectors_options *opt, mz_ctx *ctx) {
    *out = NULL;
    if (size == 0) return mz_fail(ctx, MZ_ERR_INPUT, name, "the vectors file is empty");
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f) return mz_fail_errno(ctx, name, "cannot read vectors from memory");
    int binary = opt && opt->format == MZ_VECTORS_WORD2VEC_BINARY;
    mz_status rc = read_stream(out, f, name, binary, opt, ctx);
    fclose(f);
    return rc;
}

mz_status mz_vectors_set_pieces(mz_vectors *v, size_t row, size_t tokens, size_t unknown,
                                mz_ctx *ctx) {
    size_t old = v->pieces_cap;
    if (mz_grow((void **)&v->pieces, &v->pieces_cap, v->count, sizeof *v->pieces))
        return nomem(ctx);
    memset(v->pieces + old, 0, (v->pieces_cap - old) * sizeof *v->pieces);
    v->pieces[row][0] = (uint16_t)(tokens < UINT16_MAX ? tokens : UINT16_MAX);
    v->pieces[row][1] = (uint16_t)(unknown < UINT16_MAX ? unknown : UINT16_MAX);
    return MZ_OK;
}

int mz_vectors_pieces(const mz_vectors *v, size_t row, size_t *tokens, size_t *unknown) {
    if (!v->pieces || row >= v->pieces_cap || !v->pieces[row][0]) return 0;
    *tokens = v->pieces[row][0];
    *unknown = v->pieces[row][1];
    return 1;
}

int mz_vectors_poorly_covered(size_t tokens, size_t unknown) {
    return unknown > 0 || tokens >= MZ_VECTORS_MANY_PIECES;
}

void mz_vectors_free(mz_vectors *v) {
    if (!v) return;
    mz_free(v->pieces);
    mz_free(v->rows);
    mz_free(v->words);
    mz_free(v->word_off);
    mz_strmap_free(v->index);
    mz_strmap_free(v->folded);
    mz_strmap_free(v->keep);
    mz_free(v);
}

size_t mz_vectors_count(const mz_vectors *v) { return v->count; }
size_t mz_vectors_dim(const mz_vectors *v) { return v->dim; }
size_t mz_vectors_duplicates(const mz_vectors *v) { return v->duplicates; }
const char *mz_vectors_word(const mz_vectors *v, size_t i) { return v->words + v->word_off[i]; }
const float *mz_vectors_row(const mz_vectors *v, size_t i) { return v->rows + i * v->dim; }

long mz_vectors_find(const mz_vectors *v, const char *word, int fold_case, int *folded) {
    size_t row;
    if (folded) *folded = 0;
    if (mz_strmap_get(v->index, word, strlen(word), &row)) return (long)row;
    if (!fold_case || !v->folded) return -1;
    char *f = casefold(word, strlen(word));
    int hit = f && mz_strmap_get(v->folded, f, strlen(f), &row);
    free(f);
    if (!hit) return -1;
    if (folded) *folded = 1;
    return (long)row;
}
