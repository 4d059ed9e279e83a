/* word2vec binary vectors: a text header "count dim\n", then per word the word, one space,
 * and dim little-endian float32 values (often followed by a newline). */
#include "mizani/alloc.h"
#include "vectors_internal.h"

#include <math.h>
#include <string.h>

#define MAX_WORD_BYTES 4096

/* The file stopped early inside word i (or its vector): a read error (exit 4), or a file cut
 * short (bad input). */
static mz_status ended(FILE *f, const char *name, long long at, int in_vector, long i,
                       mz_ctx *ctx) {
    if (ferror(f)) return mz_fail_errno(ctx, name, "read failed");
    return in_vector
               ? mz_fail_offset(ctx, MZ_ERR_INPUT, name, at,
                                "the file ends inside the vector of word %ld (truncated?)", i + 1)
               : mz_fail_offset(ctx, MZ_ERR_INPUT, name, at,
                                "the file ends inside word %ld of the count in the header "
                                "(truncated?)",
                                i + 1);
}

static mz_status read_header(long *count, size_t *dim, FILE *f, const char *name, mz_ctx *ctx) {
    char line[128];
    long c, d;
    char extra;
    if (!fgets(line, sizeof line, f) && ferror(f)) return mz_fail_errno(ctx, name, "read failed");
    if (feof(f) || !strchr(line, '\n'))
        return mz_fail_offset(ctx, MZ_ERR_INPUT, name, 0, "no \"count dim\" header line");
    if (sscanf(line, "%ld %ld %c", &c, &d, &extra) != 2 || c < 0 || d <= 0 || d > 1000000)
        return mz_fail_offset(ctx, MZ_ERR_INPUT, name, 0,
                              "the header must be two numbers, the "
                              "word count and a positive dimension");
    *count = c;
    *dim = (size_t)d;
    return MZ_OK;
}

/* Reads one word: skips the newline left by the previous vector, stops at a space. */
static mz_status read_word(char *word, size_t *len, FILE *f, const char *name, long i,
                           mz_ctx *ctx) {
    int c;
    long long at = ftell(f);
    while ((c = fgetc(f)) == '\n' || c == '\r')
        at++;
    size_t n = 0;
    while (c != EOF && c != ' ') {
        if (n == MAX_WORD_BYTES)
            return mz_fail_offset(ctx, MZ_ERR_INPUT, name, at,
                                  "word %ld is longer than %d bytes "
                                  "(is this a word2vec binary file?)",
                                  i + 1, MAX_WORD_BYTES);
        word[n++] = (char)c;
        c = fgetc(f);
    }
    if (c == EOF) return ended(f, name, at, 0, i, ctx);
    size_t bad_at = mz_utf8_invalid_at(word, n);
    if (n == 0 || bad_at)
        return mz_fail_offset(ctx, MZ_ERR_INPUT, name, at + (bad_at ? (long long)bad_at - 1 : 0),
                              "word %ld is %s", i + 1, n ? "not valid UTF-8" : "empty");
    *len = n;
    return MZ_OK;
}

static mz_status read_vector(float *row, size_t dim, FILE *f, const char *name, long i,
                             mz_ctx *ctx) {
    long long at = ftell(f);
    if (fread(row, sizeof *row, dim, f) != dim) return ended(f, name, at, 1, i, ctx);
    for (size_t k = 0; k < dim; k++)
        if (!isfinite(row[k]))
            return mz_fail_offset(ctx, MZ_ERR_INPUT, name, at + (long long)(k * sizeof *row),
                                  "value %zu of word %ld is not finite", k + 1, i + 1);
    return MZ_OK;
}

mz_status mz_vectors_read_word2vec(mz_vectors *v, FILE *f, const char *name, mz_progress *progress,
                                   mz_ctx *ctx) {
    long count;
    mz_status rc = read_header(&count, &v->dim, f, name, ctx);
    if (rc) return rc;
    float *row = mz_malloc(v->dim * sizeof *row);
    char *word = mz_malloc(MAX_WORD_BYTES);
    if (!row || !word) rc = mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    for (long i = 0; !rc && i < count; i++) {
        size_t len = 0;
        rc = read_word(word, &len, f, name, i, ctx);
        if (!rc) rc = read_vector(row, v->dim, f, name, i, ctx);
        if (!rc && mz_vectors_wanted(v, word, len)) rc = mz_vectors_append(v, word, len, row, ctx);
        mz_progress_add(progress, len + 1 + v->dim * sizeof *row);
    }
    mz_free(row);
    mz_free(word);
    if (!rc && count == 0) rc = mz_fail(ctx, MZ_ERR_INPUT, name, "no vectors in the file");
    return rc;
}
