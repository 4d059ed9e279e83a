/* Texts to embeddings through the engine, batched by length. */
#include "mizani/alloc.h"
#include "mizani/runner.h"
#include "mizani/strmap.h"

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
    int t0, t1;  /* the tokens pooled: [t0, t1) */
    float *keep; /* with a cache: where the text's hidden rows [n, C] go (pooled otherwise) */
} item;

/* Each text's tokens (byte spans, special marks) and one hidden state's rows, once per text. */
typedef struct cached {
    size_t n, row0; /* tokens, and the first of them in the arenas */
} cached;

struct mz_embed_cache {
    mz_strmap *index; /* text -> entries[] */
    cached *entries;
    size_t n_entries, cap_entries;
    int layer; /* the hidden state the cache holds; -1 until the first fill */
    size_t C;
    float *rows; /* [rows, C] */
    uint32_t *start, *end;
    uint8_t *special;
    size_t n_rows, cap_rows;
};

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
        if (it[from + b].keep)
            memcpy(it[from + b].keep, h + (size_t)b * T * C,
                   it[from + b].e.n * (size_t)C * sizeof *h);
        else
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

/* The hidden state asked for: "hidden.L", or MZ_ERR_USAGE when the model has no such layer. */
static mz_status layer_name(char want[32], int *layer, const mz_model *m,
                            const mz_embed_options *opt, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    *layer = opt->layer < 0 ? c->n_layers : opt->layer;
    if (*layer > c->n_layers)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "layer %d asked for; the model has hidden states 0..%d", *layer,
                       c->n_layers);
    snprintf(want, 32, "hidden.%d", *layer);
    return MZ_OK;
}

/* Sorts the encoded items by length and runs them in batches of up to `budget` padded tokens,
 * each batch in a run context of its own thread. */
static mz_status run_items(float *out, mz_model *m, item *it, size_t n, const char *want,
                           const mz_embed_options *opt, mz_ctx *ctx) {
    size_t budget = opt->max_tokens > 0 ? (size_t)opt->max_tokens : 2048, n_batches = 0;
    size_t *bounds = mz_malloc((n + 1) * sizeof *bounds);
    if (!bounds) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    qsort(it, n, sizeof *it, by_length);
    for (size_t i = 0; i < n;) { /* rows of similar length, up to `budget` padded tokens */
        size_t j = i + 1;
        while (j < n && (j - i + 1) * it[j].e.n <= budget)
            j++;
        bounds[n_batches++] = i;
        i = j;
    }
    bounds[n_batches] = n;
    batches b = {out, m, it, bounds, want, opt->pooling, opt->progress};
    mz_status rc = mz_for_each_item(n_batches, run_new, run_free, one_batch, &b, NULL, ctx);
    mz_free(bounds);
    return rc;
}

static void items_free(item *it, size_t n) {
    for (size_t i = 0; it && i < n; i++)
        mz_encoding_clear(&it[i].e);
    mz_free(it);
}

mz_status mz_embed_texts(float *out, mz_model *m, const mz_tokenizer *t, const char *const *texts,
                         size_t n, const mz_embed_options *opt, mz_ctx *ctx) {
    return mz_embed_spans(out, m, t, texts, NULL, NULL, n, opt, ctx);
}

static mz_status pool_cached(float *out, const mz_embed_cache *c, const char *const *texts,
                             const size_t *start, const size_t *end, size_t n, mz_pooling pooling,
                             mz_ctx *ctx);

mz_status mz_embed_spans(float *out, mz_model *m, const mz_tokenizer *t, const char *const *texts,
                         const size_t *start, const size_t *end, size_t n,
                         const mz_embed_options *opt, mz_ctx *ctx) {
    if (opt->cache) {
        mz_status rc = mz_embed_cache_fill(opt->cache, m, t, texts, n, opt, ctx);
        return rc ? rc : pool_cached(out, opt->cache, texts, start, end, n, opt->pooling, ctx);
    }
    const mz_model_config *c = mz_model_get_config(m);
    char want[32];
    int layer;
    mz_status rc = layer_name(want, &layer, m, opt, ctx);
    if (rc) return rc;
    item *it = mz_calloc(n ? n : 1, sizeof *it);
    if (!it) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    rc = encode_all(it, t, texts, start, end, n, c->max_pos - c->pos_offset, ctx);
    if (!rc) rc = run_items(out, m, it, n, want, opt, ctx);
    items_free(it, n);
    return rc;
}

/* ---- The cache ---------------------------------------------------------------------------- */

mz_status mz_embed_cache_new(mz_embed_cache **out, mz_ctx *ctx) {
    mz_embed_cache *c = mz_calloc(1, sizeof *c);
    if (c && !(c->index = mz_strmap_new())) mz_free(c), c = NULL;
    if (!c) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    c->layer = -1;
    *out = c;
    return MZ_OK;
}

void mz_embed_cache_free(mz_embed_cache *c) {
    if (!c) return;
    mz_strmap_free(c->index);
    mz_free(c->entries), mz_free(c->rows), mz_free(c->start), mz_free(c->end);
    mz_free(c->special);
    mz_free(c);
}

size_t mz_embed_cache_count(const mz_embed_cache *c) { return c ? c->n_entries : 0; }

/* Room for `rows` more tokens in the arenas. */
static mz_status reserve_rows(mz_embed_cache *c, size_t rows, mz_ctx *ctx) {
    size_t need = c->n_rows + rows + 1, cap = c->cap_rows;
    if (need <= cap) return MZ_OK;
    cap = need > 2 * cap ? need : 2 * cap;
    float *r = mz_realloc(c->rows, cap * c->C * sizeof *r);
    if (r) c->rows = r;
    uint32_t *a = r ? mz_realloc(c->start, cap * sizeof *a) : NULL;
    if (a) c->start = a;
    uint32_t *b = a ? mz_realloc(c->end, cap * sizeof *b) : NULL;
    if (b) c->end = b;
    uint8_t *s = b ? mz_realloc(c->special, cap) : NULL;
    if (s) c->special = s, c->cap_rows = cap;
    return s ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

/* The texts of `texts` not in the cache, each once, in order of first appearance. */
static mz_status missing(size_t **idx, size_t *k, const mz_embed_cache *c, const char *const *texts,
                         size_t n, mz_ctx *ctx) {
    mz_strmap *seen = mz_strmap_new();
    *idx = mz_malloc((n + 1) * sizeof **idx), *k = 0;
    mz_status rc = seen && *idx ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        size_t len = strlen(texts[i]);
        if (mz_strmap_get(c->index, texts[i], len, NULL)) continue;
        int put = mz_strmap_put(seen, texts[i], len, i, NULL);
        if (put < 0) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        if (put == 1) (*idx)[(*k)++] = i;
    }
    mz_strmap_free(seen);
    return rc;
}

/* Records the run texts: their tokens' spans and marks, under their text. */
static mz_status record(mz_embed_cache *c, const item *it, const char *const *texts,
                        const size_t *idx, size_t k, mz_ctx *ctx) {
    if (mz_grow((void **)&c->entries, &c->cap_entries, c->n_entries + k + 1, sizeof *c->entries))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t j = 0; j < k; j++) { /* items were sorted: it[j].index says which text */
        const item *x = &it[j];
        const char *text = texts[idx[x->index]];
        size_t row0 = (size_t)(x->keep - c->rows) / c->C;
        for (size_t q = 0; q < x->e.n; q++)
            c->start[row0 + q] = x->e.start[q], c->end[row0 + q] = x->e.end[q],
                            c->special[row0 + q] = x->e.special[q];
        c->entries[c->n_entries] = (cached){x->e.n, row0};
        if (mz_strmap_put(c->index, text, strlen(text), c->n_entries++, NULL) < 0)
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    return MZ_OK;
}

mz_status mz_embed_cache_fill(mz_embed_cache *c, mz_model *m, const mz_tokenizer *t,
                              const char *const *texts, size_t n, const mz_embed_options *opt,
                              mz_ctx *ctx) {
    const mz_model_config *cfg = mz_model_get_config(m);
    char want[32];
    int layer;
    mz_status rc = layer_name(want, &layer, m, opt, ctx);
    if (!rc && c->layer >= 0 && (layer != c->layer || (size_t)cfg->d_model != c->C))
        rc = mz_fail(ctx, MZ_ERR_USAGE, NULL, "the embedding cache holds hidden state %d, not %d",
                     c->layer, layer);
    if (rc) return rc;
    c->layer = layer, c->C = (size_t)cfg->d_model;
    size_t *idx = NULL, k = 0, rows = 0;
    rc = missing(&idx, &k, c, texts, n, ctx);
    item *it = rc ? NULL : mz_calloc(k + 1, sizeof *it);
    if (!rc && !it) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    const char **todo = rc ? NULL : mz_malloc((k + 1) * sizeof *todo);
    if (!rc && !todo) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t j = 0; !rc && j < k; j++)
        todo[j] = texts[idx[j]];
    if (!rc) rc = encode_all(it, t, todo, NULL, NULL, k, cfg->max_pos - cfg->pos_offset, ctx);
    for (size_t j = 0; !rc && j < k; j++)
        rows += it[j].e.n;
    if (!rc) rc = reserve_rows(c, rows, ctx);
    for (size_t j = 0, at = c->n_rows; !rc && j < k; at += it[j++].e.n)
        it[j].keep = c->rows + at * c->C; /* arenas stay put while the batches run */
    if (!rc) rc = run_items(NULL, m, it, k, want, opt, ctx);
    if (!rc) rc = record(c, it, texts, idx, k, ctx);
    if (!rc) c->n_rows += rows;
    items_free(it, k);
    mz_free(todo), mz_free(idx);
    return rc;
}

static mz_status pool_cached(float *out, const mz_embed_cache *c, const char *const *texts,
                             const size_t *start, const size_t *end, size_t n, mz_pooling pooling,
                             mz_ctx *ctx) {
    for (size_t i = 0; i < n; i++) {
        size_t e = 0;
        if (!mz_strmap_get(c->index, texts[i], strlen(texts[i]), &e))
            return mz_fail(ctx, MZ_ERR_INTERNAL, NULL, "text %zu is not in the cache", i);
        const cached *x = &c->entries[e];
        int t0 = 0, t1 = (int)x->n;
        if (start) { /* the non-special tokens overlapping the span */
            t0 = -1;
            for (size_t q = 0; q < x->n; q++)
                if (!c->special[x->row0 + q] && c->start[x->row0 + q] < end[i] &&
                    c->end[x->row0 + q] > start[i])
                    t1 = (int)q + 1, t0 = t0 < 0 ? (int)q : t0;
            if (t0 < 0)
                return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                               "text %zu (\"%.40s\"): the span [%zu, %zu) covers no token", i,
                               texts[i], start[i], end[i]);
        }
        pool_row(out + i * c->C, c->rows + x->row0 * c->C, 0, (int)x->n, (int)c->C, t0, t1,
                 pooling);
    }
    return MZ_OK;
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

/* Token ids of every word of the set's four lists, flattened: word w's are ids[first[w] ..
 * first[w + 1]). */
typedef struct set_pieces {
    int32_t *ids;
    size_t *first, n_words, n_targets, cap;
} set_pieces;

static mz_status pieces_of(set_pieces *p, const mz_tokenizer *t, const mz_probe_set *set,
                           mz_ctx *ctx) {
    const mz_probe_list *lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                     &set->attributes[1]};
    size_t n = 0;
    for (int l = 0; l < 4; l++)
        n += lists[l]->n;
    memset(p, 0, sizeof *p);
    p->n_targets = lists[0]->n + lists[1]->n;
    if (!(p->first = mz_malloc((n + 1) * sizeof *p->first)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    p->first[0] = 0;
    for (int l = 0; !rc && l < 4; l++)
        for (size_t i = 0; !rc && i < lists[l]->n; i++, p->n_words++) {
            const char *word = lists[l]->words[i].text;
            size_t at = p->first[p->n_words];
            rc = mz_tokenizer_encode(&e, t, word, strlen(word), 0, ctx);
            if (!rc && mz_grow((void **)&p->ids, &p->cap, at + e.n + 1, sizeof *p->ids))
                rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            if (!rc) memcpy(p->ids + at, e.ids, e.n * sizeof *e.ids);
            p->first[p->n_words + 1] = at + (rc ? 0 : e.n);
        }
    mz_encoding_clear(&e);
    return rc;
}

static int share(const set_pieces *p, size_t v, size_t w) {
    for (size_t i = p->first[v]; i < p->first[v + 1]; i++)
        for (size_t j = p->first[w]; j < p->first[w + 1]; j++)
            if (p->ids[i] == p->ids[j]) return 1;
    return 0;
}

mz_status mz_shared_pieces(size_t *n_shared, const mz_tokenizer *t, const mz_probe_set *set,
                           mz_ctx *ctx) {
    set_pieces p;
    mz_status rc = pieces_of(&p, t, set, ctx);
    *n_shared = 0;
    for (size_t v = 0; !rc && v < p.n_targets; v++) {
        int hit = 0;
        for (size_t w = 0; !hit && w < p.n_words; w++)
            hit = w != v && share(&p, v, w);
        *n_shared += hit;
    }
    mz_free(p.ids), mz_free(p.first);
    return rc;
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
