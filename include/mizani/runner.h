/* The probe runner: texts -> the model's tokenizer -> batched forward passes -> one embedding
 * per text. Batches are formed by length so that little padding is carried; the engine packs
 * real tokens, so the result does not depend on the batching. */
#ifndef MIZANI_RUNNER_H
#define MIZANI_RUNNER_H

#include "mizani/model.h"
#include "mizani/null_copies.h"
#include "mizani/probes.h"
#include "mizani/progress.h"
#include "mizani/tokenizer.h"
#include "mizani/vectors.h"
#include "mizani/weat_units.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mz_pooling {
    MZ_POOL_MEAN,  /* mean over the text's tokens, special tokens included (as pooled.mean) */
    MZ_POOL_FIRST, /* the first token ([CLS], <s>) */
    MZ_POOL_LAST   /* the last token: what a causal model has read the whole text into */
} mz_pooling;

/* The probe runner's cache: each text's tokens and one hidden state's rows, kept once per text,
 * so that tests asking for the same text at the same layer (SEAT's sentences are CEAT's
 * contexts) tokenize and run it once, and texts of many tests run packed into full batches. */
typedef struct mz_embed_cache mz_embed_cache;

typedef struct mz_embed_options {
    mz_pooling pooling;
    int layer;             /* hidden state index 0..n_layers; -1: the last */
    int max_tokens;        /* tokens per forward pass (default 2048 when 0) */
    mz_progress *progress; /* counts texts run through the model; may be NULL */
    mz_embed_cache *cache; /* NULL: none (rows pooled as their batch finishes) */
} mz_embed_options;

mz_status mz_embed_cache_new(mz_embed_cache **out, mz_ctx *ctx);
void mz_embed_cache_free(mz_embed_cache *c);
/* Runs every text of `texts` that the cache does not hold yet (each once) through the model in
 * length-sorted batches packed across all of them, and keeps its tokens and the rows of
 * opt->layer's hidden state. A cache holds one layer: another is MZ_ERR_USAGE. Filling the same
 * texts in the same order gives the same batches, hence the same numbers. */
mz_status mz_embed_cache_fill(mz_embed_cache *c, mz_model *m, const mz_tokenizer *t,
                              const char *const *texts, size_t n, const mz_embed_options *opt,
                              mz_ctx *ctx);
/* Texts the cache holds. */
size_t mz_embed_cache_count(const mz_embed_cache *c);

/* Runs fn(i, state, user, ctx) for every item i in [0, n) over the threads; each thread makes
 * its state (a run context) with make(&state, user, ctx) and frees it with drop. The engine
 * runs single-threaded inside, so an item's numbers do not depend on the thread count. The
 * error of the lowest failing item is reported (items after it may be skipped); `progress`
 * (may be NULL) counts items. */
typedef mz_status (*mz_item_state_new)(void **state, void *user, mz_ctx *ctx);
typedef void (*mz_item_state_free)(void *state);
typedef mz_status (*mz_item_fn)(size_t i, void *state, void *user, mz_ctx *ctx);
mz_status mz_for_each_item(size_t n, mz_item_state_new make, mz_item_state_free drop, mz_item_fn fn,
                           void *user, mz_progress *progress, mz_ctx *ctx);

/* out: [n, d_model] row-major, one row per text. Texts longer than the model's positions are an
 * error naming the text's index. With opt->cache, texts it lacks are filled into it first and
 * every row is pooled from it. */
mz_status mz_embed_texts(float *out, mz_model *m, const mz_tokenizer *t, const char *const *texts,
                         size_t n, const mz_embed_options *opt, mz_ctx *ctx);
/* The same for one span of each text, bytes [start[i], end[i]): pooling runs over the tokens
 * that overlap the span (a word's subwords: their mean, the first or the last), in the context
 * of the whole text. MZ_ERR_INPUT naming the text when the span covers no token. */
mz_status mz_embed_spans(float *out, mz_model *m, const mz_tokenizer *t, const char *const *texts,
                         const size_t *start, const size_t *end, size_t n,
                         const mz_embed_options *opt, mz_ctx *ctx);
const char *mz_pooling_name(mz_pooling p);

/* The tokenizer's unknown token ([UNK] or <unk>); -1 when it has none. */
int32_t mz_unknown_id(const mz_tokenizer *t);

/* Words of an association set's four lists that the tokenizer maps, wholly or in part, to its
 * unknown token: their embeddings carry no meaning of their own, so reports name them. */
typedef struct mz_unknown_words {
    const char *words[16]; /* the first 16 */
    size_t n, total;
} mz_unknown_words;

mz_status mz_words_with_unknown(mz_unknown_words *out, const mz_tokenizer *t,
                                const mz_probe_set *set, mz_ctx *ctx);

/* Per-item scores a test keeps (owned by its suite entry): each target word's mean association
 * score s(w, A, B) over its rows (sentences, contexts) and every row's own, so that two runs
 * can be compared word by word and runs over shards merged. */
typedef struct mz_unit_scores {
    double *word;  /* [n_words]: X's words, then Y's */
    double *row;   /* [n_rows] */
    size_t *first; /* [n_words + 1]: word w's rows are row[first[w] .. first[w + 1]) */
    size_t n_words, n_rows;
} mz_unit_scores;

/* Room for n_words words of count[w] rows each. */
mz_status mz_unit_scores_new(mz_unit_scores *s, const size_t *count, size_t n_words, mz_ctx *ctx);
void mz_unit_scores_clear(mz_unit_scores *s);

/* What every test of a suite over association sets reports beside its own numbers. Result
 * structs of such suites (SEAT, CEAT) start with one. */
typedef struct mz_suite_entry {
    const mz_probe_set *set;
    int computed; /* 0: see reason */
    char reason[256];
    double p_holm;            /* Holm across the computed tests of the suite */
    mz_unknown_words unknown; /* probe words the tokenizer does not know */
    /* mean tokens per word of X, Y, A and B: lists that split differently share geometry a
     * random model already shows, so the tests permute target words only within strata of
     * equal token count */
    double tokens_per_word[4];
    size_t shared_pieces;  /* target words sharing a token with another word (mz_shared_pieces) */
    mz_unit_scores scores; /* the target words' and rows' scores (owned; mz_suite_clear) */
} mz_suite_entry;

/* One test: fills the result that starts with `e` and gives its p-value. MZ_ERR_INPUT means the
 * test is not computable; any other failure stops the suite. */
typedef mz_status (*mz_suite_test)(mz_suite_entry *e, double *p_value, void *user, mz_ctx *ctx);

/* Runs `test` for each of the n sets into results lying `stride` bytes apart: names each set's
 * unknown words, keeps why a test is not computable (the suite goes on), and adjusts the
 * computed tests' p-values by Holm. After success the entries own their scores (mz_suite_clear);
 * after a failure they own nothing. */
mz_status mz_suite_run(void *results, size_t stride, mz_probe_set *const *sets, size_t n,
                       const mz_tokenizer *t, mz_suite_test test, void *user, mz_ctx *ctx);
/* Frees what the n entries own (their per-item scores); the array itself is the caller's. */
void mz_suite_clear(void *results, size_t stride, size_t n);
/* Entry i of results lying `stride` bytes apart. */
const mz_suite_entry *mz_suite_entry_at(const void *results, size_t stride, size_t i);

/* A suite's part in a null reference: its n results on the model, `stride` bytes apart;
 * run(scratch, sets, k, copy, cache, user) runs the suite on k of its sets on a random copy
 * (cache: the copy's, shared by the parts, or NULL), and units(entry) is a result's word-level
 * test. */
typedef mz_status (*mz_suite_on_model)(void *results, mz_probe_set *const *sets, size_t n,
                                       mz_model *m, mz_embed_cache *cache, void *user, mz_ctx *ctx);
typedef mz_weat_units_result *(*mz_suite_units)(mz_suite_entry *e);
typedef struct mz_suite_ref {
    void *results;
    size_t stride, n;
    mz_suite_on_model run;
    mz_suite_units units;
    void *user;
} mz_suite_ref;
/* Texts each copy's cache is filled with at once before the parts run (their frame sentences),
 * so that the copies' numbers do not depend on which parts run together. */
typedef struct mz_suite_prefill {
    const mz_tokenizer *t;
    const mz_embed_options *embed; /* its layer */
    const char *const *texts;
    size_t n;
} mz_suite_prefill;

/* The null reference of suites that have run on model m, for their computed tests whose target
 * words share tokens with other words (mz_shared_pieces; for the others, distinct tokens, the
 * word permutation is exact on a random model and needs none): each of nc->n random copies of m
 * (mizani/null_copies.h) is drawn once and runs every part's such tests, with one cache of the
 * copy's rows (filled with `prefill`'s texts first; prefill NULL: no cache). Each such test gets
 * its reference (mz_weat_units_reference: its p becomes the larger of the word-level and the
 * reference's), and Holm is applied again across each suite's tests; a test whose reference
 * cannot be formed becomes not computable, saying why. Costs nc->n passes of those tests'
 * texts, nothing when there are none. */
mz_status mz_suite_reference(const mz_suite_ref *suites, size_t n_suites, const mz_null_copies *nc,
                             const mz_model *m, const mz_suite_prefill *prefill, mz_ctx *ctx);

/* Whether tokenizer t belongs with model m: every id it produces has a row in the model's
 * embedding matrix, and an encoder gets special tokens. MZ_ERR_INPUT naming both (the
 * tokenizer's file, model_path) when not. Call it wherever a model and a tokenizer meet. */
mz_status mz_model_tokenizer_check(const mz_model *m, const char *model_path, const mz_tokenizer *t,
                                   mz_ctx *ctx);
/* Each target word's permutation stratum (X's words, then Y's): its token count (the word
 * alone, no special tokens) and, where `frames` is given (per target word, from
 * mz_frame_signature), the frames it stands in; tokens_per_word: the mean token count of X, Y,
 * A and B. */
mz_status mz_word_strata(int *stratum, double tokens_per_word[4], const mz_tokenizer *t,
                         const mz_probe_set *set, const int *frames, mz_ctx *ctx);
/* A signature of the sentences a word stands in, the word itself left out: words whose frames
 * differ (English a/an, Swahili demonstratives agreeing with the noun class) differ in every
 * other token of their sentences, which a random model already tells apart. */
int mz_frame_signature(const char *const *sentences, size_t n, const char *word);
/* How many target words share a token with another word of the set (a target or an attribute
 * word). On a random model a shared token makes two words' embeddings alike, so permuting target
 * words is exact only when this is 0 (distinct tokens are exchangeable); otherwise the null
 * reference (random copies) is what tells tokenization from learning. */
mz_status mz_shared_pieces(size_t *n_shared, const mz_tokenizer *t, const mz_probe_set *set,
                           mz_ctx *ctx);

/* Static vectors from a transformer: each word's tokens (no special tokens) looked up in the
 * input embedding matrix and averaged (a subword mean). A word that tokenizes to nothing or
 * only to the unknown token gets no vector, so the association audit reports it missing by
 * name. `opt` as for mz_vectors_load (keep list, case folding); its keep list are the words. */
mz_status mz_input_embedding_vectors(mz_vectors **out, const mz_model *m, const mz_tokenizer *t,
                                     const mz_vectors_options *opt, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
