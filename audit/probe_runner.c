/* Texts to embeddings through the engine, batched by length. */
#include "mizani/alloc.h"
#include "mizani/runner.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mz_pooling_name(mz_pooling p) {
    static const char *const names[] = {"mean", "first", "last"};
    return p <= MZ_POOL_LAST ? names[p] : "?";
}

typedef struct item {
    size_t index;
    mz_encoding e;
    int t0, t1; /* the tokens pooled: [t0, t1) */
} item;

static int by_length(const void *a, const void *b) {
    const item *x = a, *y = b;
    return x->e.n < y->e.n   ? -1
           : x->e.n > y->e.n ? 1
                             : (x->index > y->index) - (x->index < y->index);
}

/* One row's embedding from the padded hidden state h [B,T,C] of row b: tokens [t0, t1). */
static void pool_row(float *out, const float *h, int b, int T, int C, int t0, int t1,
                     mz_pooling p) {
    const float *row = h + (size_t)b * T * C;
    if (p == MZ_POOL_FIRST || p == MZ_POOL_LAST) {
        memcpy(out, row + (size_t)(p == MZ_POOL_FIRST ? t0 : t1 - 1) * C, (size_t)C * sizeof *out);
        return;
    }
    memset(out, 0, (size_t)C * sizeof *out);
    for (int t = t0; t < t1; t++)
        for (int i = 0; i < C; i++)
            out[i] += row[(size_t)t * C + i] / (float)(t1 - t0);
}

/* Items [from, to) as one batch, in the thread's run context. */
static mz_status run_batch(float *out, mz_run *run, const mz_model *m, const item *it, size_t from,
                           size_t to, const char *want, mz_pooling pooling, mz_ctx *ctx) {
    int B = (int)(to - from), T = (int)it[to - 1].e.n, C = mz_model_get_config(m)->d_model;
    int32_t *ids = mz_calloc((size_t)B * T, sizeof *ids),
            *mask = mz_calloc((size_t)B * T, sizeof *mask),
            *types = mz_calloc((size_t)B * T, sizeof *types);
    mz_status rc = ids && mask && types ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int b = 0; !rc && b < B; b++)
        for (size_t t = 0; t < it[from + b].e.n; t++) {
            ids[b * T + t] = it[from + b].e.ids[t];
            types[b * T + t] = it[from + b].e.type_ids ? it[from + b].e.type_ids[t] : 0;
            mask[b * T + t] = 1;
        }
    mz_activations *a = NULL;
    mz_model_batch batch = {.B = B, .T = T, .ids = ids, .mask = mask, .type_ids = types};
    if (!rc) rc = mz_run_forward(&a, run, &batch, &want, 1, ctx);
    const float *h = rc ? NULL : mz_activations_get(a, want, NULL, NULL); /* [B,T,C] */
    for (int b = 0; h && b < B; b++)
        pool_row(out + it[from + b].index * C, h, b, T, C, it[from + b].t0, it[from + b].t1,
                 pooling);
    mz_activations_free(a);
    mz_free(ids), mz_free(mask), mz_free(types);
    return rc;
}

/* The tokens to pool: all, or the non-special ones overlapping bytes [from, to). */
static int token_range(item *it, const size_t *start, const size_t *end) {
    it->t0 = 0, it->t1 = (int)it->e.n;
    if (!start) return 1;
    size_t from = start[it->index], to = end[it->index];
    int first = -1, last = -1;
    for (size_t k = 0; k < it->e.n; k++)
        if (!it->e.special[k] && it->e.start[k] < to && it->e.end[k] > from)
            last = (int)k, first = first < 0 ? (int)k : first;
    it->t0 = first, it->t1 = last + 1;
    return first >= 0;
}

/* The batches of one call: batch k holds the sorted items [bounds[k], bounds[k + 1]). */
typedef struct batches {
    float *out;
    const mz_model *m;
    const item *it;
    const size_t *bounds;
    const char *want;
    mz_pooling pooling;
    mz_progress *progress;
} batches;

static mz_status run_new(void **state, void *user, mz_ctx *ctx) {
    return mz_run_new((mz_run **)state, ((batches *)user)->m, ctx);
}

static void run_free(void *state) { mz_run_free(state); }

static mz_status one_batch(size_t k, void *state, void *user, mz_ctx *ctx) {
    batches *b = user;
    mz_status rc = run_batch(b->out, state, b->m, b->it, b->bounds[k], b->bounds[k + 1], b->want,
                             b->pooling, ctx);
    mz_progress_add(b->progress, b->bounds[k + 1] - b->bounds[k]);
    return rc;
}

static mz_status encode_all(item *it, const mz_tokenizer *t, const char *const *texts,
                            const size_t *start, const size_t *end, size_t n, int max_pos,
                            mz_ctx *ctx) {
    for (size_t i = 0; i < n; i++) {
        it[i].index = i;
        mz_status rc = mz_tokenizer_encode(&it[i].e, t, texts[i], strlen(texts[i]), 1, ctx);
        if (rc) return rc;
        if (!it[i].e.n || it[i].e.n > (size_t)max_pos)
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "text %zu (\"%.40s\") has %zu tokens; the model takes 1 to %d", i,
                           texts[i], it[i].e.n, max_pos);
        if (!token_range(&it[i], start, end))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "text %zu (\"%.40s\"): the span [%zu, %zu) covers no token", i, texts[i],
                           start[i], end[i]);
    }
    return MZ_OK;
}

mz_status mz_embed_texts(float *out, mz_model *m, const mz_tokenizer *t, const char *const *texts,
                         size_t n, const mz_embed_options *opt, mz_ctx *ctx) {
    return mz_embed_spans(out, m, t, texts, NULL, NULL, n, opt, ctx);
}

mz_status mz_embed_spans(float *out, mz_model *m, const mz_tokenizer *t, const char *const *texts,
                         const size_t *start, const size_t *end, size_t n,
                         const mz_embed_options *opt, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    int layer = opt->layer < 0 ? c->n_layers : opt->layer,
        budget = opt->max_tokens > 0 ? opt->max_tokens : 2048;
    if (layer > c->n_layers)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "layer %d asked for; the model has hidden states 0..%d", layer, c->n_layers);
    char want[32];
    snprintf(want, sizeof want, "hidden.%d", layer);
    item *it = mz_calloc(n ? n : 1, sizeof *it);
    if (!it) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t *bounds = mz_malloc((n + 1) * sizeof *bounds), n_batches = 0;
    mz_status rc = bounds ? encode_all(it, t, texts, start, end, n, c->max_pos - c->pos_offset, ctx)
                          : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) qsort(it, n, sizeof *it, by_length);
    for (size_t i = 0; !rc && i < n;) { /* rows of similar length, up to `budget` padded tokens */
        size_t j = i + 1;
        while (j < n && (j - i + 1) * it[j].e.n <= (size_t)budget)
            j++;
        bounds[n_batches++] = i;
        i = j;
    }
    if (bounds) bounds[n_batches] = n;
    batches b = {out, m, it, bounds, want, opt->pooling, opt->progress};
    if (!rc) rc = mz_for_each_item(n_batches, run_new, run_free, one_batch, &b, NULL, ctx);
    mz_free(bounds);
    for (size_t i = 0; i < n; i++)
        mz_encoding_clear(&it[i].e);
    mz_free(it);
    return rc;
}

int mz_frame_signature(const char *const *sentences, size_t n, const char *word) {
    size_t len = strlen(word);
    unsigned h = 5381;
    for (size_t i = 0; i < n; i++) {
        for (const char *p = sentences[i]; *p;) { /* the word (or its capitalised form) skipped */
            if (len && (!strncmp(p, word, len) ||
                        (toupper((unsigned char)*p) == toupper((unsigned char)*word) &&
                         !strncmp(p + 1, word + 1, len - 1)))) {
                p += len, h = h * 33 + 1;
                continue;
            }
            h = h * 33 + (unsigned char)*p++;
        }
        h = h * 33 + '\n';
    }
    return (int)(h % 65521u);
}

mz_status mz_word_strata(int *stratum, double tokens_per_word[4], const mz_tokenizer *t,
                         const mz_probe_set *set, const int *frames, mz_ctx *ctx) {
    const mz_probe_list *lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                     &set->attributes[1]};
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    for (int l = 0, w = 0; !rc && l < 4; l++) {
        tokens_per_word[l] = 0;
        for (size_t i = 0; !rc && i < lists[l]->n; i++) {
            const char *word = lists[l]->words[i].text;
            rc = mz_tokenizer_encode(&e, t, word, strlen(word), 0, ctx);
            tokens_per_word[l] += rc ? 0 : (double)e.n / (double)lists[l]->n;
            if (!rc && l < 2) stratum[w] = (int)e.n * 65521 + (frames ? frames[w] : 0), w++;
        }
    }
    mz_encoding_clear(&e);
    return rc;
}
