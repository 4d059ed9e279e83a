/* Static word embeddings: fastText/GloVe text files (with or without the "count dim" header)
 * and word2vec binary files. Files are streamed: with a keep-list only the listed words'
 * vectors are held, so a 2-million-word file costs the memory of the words a probe needs. */
#ifndef MIZANI_VECTORS_H
#define MIZANI_VECTORS_H

#include "mizani/error.h"
#include "mizani/progress.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_vectors mz_vectors;

typedef enum mz_vectors_format {
    MZ_VECTORS_AUTO = 0, /* word2vec binary for *.bin, text otherwise */
    MZ_VECTORS_TEXT,
    MZ_VECTORS_WORD2VEC_BINARY
} mz_vectors_format;

typedef struct mz_vectors_options {
    mz_vectors_format format;
    const char *const *keep; /* keep only these words (NULL: keep every word) */
    size_t n_keep;
    int fold_case;         /* also keep words equal to a keep-word after Unicode case folding */
    mz_progress *progress; /* counts bytes read; may be NULL */
} mz_vectors_options;

/* Loads `path`. Malformed content gives MZ_ERR_INPUT with "path:line" (text) or
 * "path: byte N" (binary) and what is wrong; nothing is returned on failure. */
mz_status mz_vectors_load(mz_vectors **out, const char *path, const mz_vectors_options *opt,
                          mz_ctx *ctx);
/* The same from memory; `name` labels errors (fuzzing and tests). */
mz_status mz_vectors_parse(mz_vectors **out, const void *data, size_t size, const char *name,
                           const mz_vectors_options *opt, mz_ctx *ctx);
void mz_vectors_free(mz_vectors *v);
/* An empty table of `dim`-dimensional rows, filled by mz_vectors_append (vectors computed
 * rather than read: a transformer's input embeddings). */
mz_status mz_vectors_new(mz_vectors **out, size_t dim, const mz_vectors_options *opt, mz_ctx *ctx);
/* Stores word -> row (dim floats). A repeated word is counted in duplicates and dropped. */
mz_status mz_vectors_append(mz_vectors *v, const char *word, size_t len, const float *row,
                            mz_ctx *ctx);

/* For a row computed from a model's subword embeddings: how many tokens the word became and how
 * many of them were the unknown token (a word split into many pieces, or partly unknown, has a
 * vector that carries little of the word). */
mz_status mz_vectors_set_pieces(mz_vectors *v, size_t row, size_t tokens, size_t unknown,
                                mz_ctx *ctx);
/* 1 with *tokens and *unknown when the row has that record (vectors from a model), else 0. */
int mz_vectors_pieces(const mz_vectors *v, size_t row, size_t *tokens, size_t *unknown);
/* A word split into this many tokens or more, or partly unknown, has a vector (a mean of its
 * pieces) that carries little of the word: reports flag it. */
#define MZ_VECTORS_MANY_PIECES 3
int mz_vectors_poorly_covered(size_t tokens, size_t unknown);

size_t mz_vectors_count(const mz_vectors *v);
size_t mz_vectors_dim(const mz_vectors *v);
const char *mz_vectors_word(const mz_vectors *v, size_t i);
const float *mz_vectors_row(const mz_vectors *v, size_t i); /* [dim] */
/* Lines whose word repeated an earlier one (the first vector is kept). */
size_t mz_vectors_duplicates(const mz_vectors *v);

/* Row of `word`, or -1. With fold_case, a word missing as written is looked up again after
 * case folding; *folded (may be NULL) says whether that was needed. */
long mz_vectors_find(const mz_vectors *v, const char *word, int fold_case, int *folded);

#ifdef __cplusplus
}
#endif
#endif
