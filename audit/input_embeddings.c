/* A transformer's input embeddings as static word vectors: the subword mean of each word. */
#include "mizani/alloc.h"
#include "mizani/runner.h"

#include <string.h>

/* Mean of the word's token rows into out; *unknown counts its unknown tokens. An id past the
 * embedding matrix is an error here too, whatever checked the tokenizer before. */
static mz_status word_vector(float *out, size_t *unknown, const mz_model *m, const mz_encoding *e,
                             int32_t unk, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    const float *wte = mz_model_input_embeddings(m);
    size_t E = (size_t)c->d_embed;
    memset(out, 0, E * sizeof *out);
    *unknown = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->ids[i] < 0 || e->ids[i] >= c->vocab)
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "token id %d has no row in the model's embedding matrix (%d rows)",
                           e->ids[i], c->vocab);
        *unknown += e->ids[i] == unk;
        for (size_t k = 0; k < E; k++)
            out[k] += wte[(size_t)e->ids[i] * E + k] / (float)e->n;
    }
    return MZ_OK;
}

mz_status mz_input_embedding_vectors(mz_vectors **out, const mz_model *m, const mz_tokenizer *t,
                                     const mz_vectors_options *opt, mz_ctx *ctx) {
    size_t E = (size_t)mz_model_get_config(m)->d_embed, unknown;
    int32_t unk = mz_unknown_id(t);
    float *row = mz_malloc(E * sizeof *row);
    mz_encoding e = {0};
    mz_status rc =
        row ? mz_vectors_new(out, E, opt, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && opt && i < opt->n_keep; i++) {
        const char *w = opt->keep[i];
        size_t before = mz_vectors_count(*out);
        rc = mz_tokenizer_encode(&e, t, w, strlen(w), 0, ctx);
        if (!rc) rc = word_vector(row, &unknown, m, &e, unk, ctx);
        /* a word that is nothing but unknown tokens has no vector: reported missing */
        if (rc || unknown == e.n) continue;
        rc = mz_vectors_append(*out, w, strlen(w), row, ctx);
        if (!rc && mz_vectors_count(*out) > before)
            rc = mz_vectors_set_pieces(*out, before, e.n, unknown, ctx);
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
