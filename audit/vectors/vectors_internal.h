/* Internal to audit/vectors/: the table the format readers fill. */
#ifndef MZ_VECTORS_INTERNAL_H
#define MZ_VECTORS_INTERNAL_H

#include "mizani/strmap.h"
#include "mizani/utf8.h"
#include "mizani/vectors.h"

#include <stdint.h>
#include <stdio.h>

struct mz_vectors {
    size_t dim, count, cap; /* cap: words that word_off has room for */
    float *rows;            /* [count, dim] */
    size_t rows_cap;        /* floats */
    char *words;            /* NUL-terminated words back to back */
    size_t words_len, words_cap;
    size_t *word_off;  /* [cap] */
    mz_strmap *index;  /* word -> row */
    mz_strmap *folded; /* case-folded word -> first row; only when loaded with fold_case */
    mz_strmap *keep;   /* the keep-list during loading (case-folded too with fold_case) */
    int fold_case;
    size_t duplicates;
    uint16_t (*pieces)[2]; /* [count] tokens and unknown tokens of each word; NULL for files */
    size_t pieces_cap;
};

/* 1 when a word of `len` bytes should be stored (in the keep-list or no keep-list). */
int mz_vectors_wanted(mz_vectors *v, const char *word, size_t len);
/* Per-format readers: set v->dim, then append. `name` labels errors. */
mz_status mz_vectors_read_text(mz_vectors *v, FILE *f, const char *name, mz_progress *progress,
                               mz_ctx *ctx);
mz_status mz_vectors_read_word2vec(mz_vectors *v, FILE *f, const char *name, mz_progress *progress,
                                   mz_ctx *ctx);

#endif
