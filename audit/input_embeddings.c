/* A transformer's input embeddings as static word vectors: the subword mean of each word. */
#include "mizani/alloc.h"
#include "mizani/runner.h"

#include <string.h>

/* Mean of the word's token rows; 0 when it has no token other than the unknown one. */
static int word_vector(float *out, const float *wte, size_t E, const mz_encoding *e, int32_t unk) {
    size_t k = 0;
    memset(out, 0, E * sizeof *out);
    for (size_t i = 0; i < e->n; i++)
        k += e->ids[i] != unk;
    for (size_t i = 0; k && i < e->n; i++)
        for (size_t c = 0; c < E; c++)
            out[c] += wte[(size_t)e->ids[i] * E + c] / (float)e->n;
    return k > 0;
}

mz_status mz_input_embedding_vectors(mz_vectors **out, const mz_model *m, const mz_tokenizer *t,
                                     const mz_vectors_options *opt, mz_ctx *ctx) {
    size_t E = (size_t)mz_model_get_config(m)->d_embed;
    int32_t unk = mz_unknown_id(t);
    float *row = mz_malloc(E * sizeof *row);
    mz_encoding e = {0};
    mz_status rc =
        row ? mz_vectors_new(out, E, opt, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && opt && i < opt->n_keep; i++) {
        const char *w = opt->keep[i];
        rc = mz_tokenizer_encode(&e, t, w, strlen(w), 0, ctx);
        if (!rc && word_vector(row, mz_model_input_embeddings(m), E, &e, unk))
            rc = mz_vectors_append(*out, w, strlen(w), row, ctx);
    }
    mz_encoding_clear(&e);
    mz_free(row);
    if (rc) {
        mz_vectors_free(*out);
        *out = NULL;
    }
    return rc;
}

int32_t mz_unknown_id(const mz_tokenizer *t) {
    int32_t id = mz_tokenizer_id(t, "[UNK]");
    return id >= 0 ? id : mz_tokenizer_id(t, "<unk>");
}

mz_status mz_words_with_unknown(mz_unknown_words *out, const mz_tokenizer *t,
                                const mz_probe_set *set, mz_ctx *ctx) {
    const mz_probe_list *lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                     &set->attributes[1]};
    int32_t unk = mz_unknown_id(t);
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    memset(out, 0, sizeof *out);
    for (int l = 0; unk >= 0 && !rc && l < 4; l++)
        for (size_t i = 0; !rc && i < lists[l]->n; i++) {
            const char *w = lists[l]->words[i].text;
            int hit = 0;
            rc = mz_tokenizer_encode(&e, t, w, strlen(w), 0, ctx);
            for (size_t k = 0; !rc && k < e.n; k++)
                hit |= e.ids[k] == unk;
            if (!hit) continue;
            if (out->total++ < 16) out->words[out->n++] = w;
        }
    mz_encoding_clear(&e);
    return rc;
}
