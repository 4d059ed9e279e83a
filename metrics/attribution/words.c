/* Words from a tokenizer's encoding: each token's word, each word's byte span and subword
 * count, token scores summed per word, and inputs with chosen words masked or removed. */
#include "mizani/alloc.h"
#include "mizani/attribution.h"

#include <string.h>

void mz_attr_words_free(mz_attr_words *w) {
    mz_free(w->word_of), mz_free(w->start), mz_free(w->end), mz_free(w->n_subwords);
    memset(w, 0, sizeof *w);
}

/* The encoding's word ids in order of first appearance: a word id seen before maps to the word
 * it started (the tokens of one word are adjacent in every tokenizer Mizani loads, but nothing
 * here depends on it). */
static int32_t word_index(const mz_attr_words *w, const mz_encoding *enc, size_t t) {
    for (size_t u = 0; u < t; u++)
        if (w->word_of[u] >= 0 && enc->word_ids[u] == enc->word_ids[t]) return w->word_of[u];
    return -1;
}

mz_status mz_attr_words_from_encoding(mz_attr_words *out, const mz_encoding *enc, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    size_t n = enc->n, cap = n ? n : 1;
    out->n_tokens = n;
    out->word_of = mz_malloc(cap * sizeof *out->word_of);
    out->start = mz_malloc(cap * sizeof *out->start);
    out->end = mz_malloc(cap * sizeof *out->end);
    out->n_subwords = mz_malloc(cap * sizeof *out->n_subwords);
    if (!out->word_of || !out->start || !out->end || !out->n_subwords) {
        mz_attr_words_free(out);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for the words of %zu tokens", n);
    }
    for (size_t t = 0; t < n; t++) {
        out->word_of[t] = -1;
        if (enc->special[t] || enc->word_ids[t] < 0) continue;
        int32_t w = word_index(out, enc, t);
        if (w < 0) {
            w = (int32_t)out->n_words++;
            out->start[w] = enc->start[t], out->end[w] = enc->end[t], out->n_subwords[w] = 0;
        }
        out->word_of[t] = w;
        out->n_subwords[w]++;
        if (enc->start[t] < out->start[w]) out->start[w] = enc->start[t];
        if (enc->end[t] > out->end[w]) out->end[w] = enc->end[t];
    }
    return MZ_OK;
}

void mz_attr_word_sum(double *out, const mz_attr_words *w, const double *token_scores) {
    memset(out, 0, w->n_words * sizeof *out);
    for (size_t t = 0; t < w->n_tokens; t++)
        if (w->word_of[t] >= 0) out[w->word_of[t]] += token_scores[t];
}

void mz_attr_words_apply(int32_t *out, size_t *n_out, const int32_t *ids, const mz_attr_words *w,
                         const uint8_t *keep_word, int32_t mask_id) {
    size_t k = 0;
    for (size_t t = 0; t < w->n_tokens; t++) {
        int32_t word = w->word_of[t];
        if (word < 0 || keep_word[word])
            out[k++] = ids[t];
        else if (mask_id >= 0)
            out[k++] = mask_id;
    }
    *n_out = k;
}
