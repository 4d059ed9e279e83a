/* SEAT over a suite of association sets: words -> sentences -> the probe runner's embeddings
 * -> WEAT with words as the units (each word's sentences move together). */
#include "assoc_internal.h"
#include "mizani/alloc.h"

#include <string.h>

/* Every sentence of the four lists, word by word, with each word's rows. */
typedef struct sentences {
    char **text;
    size_t n, cap;
    size_t *first, *count; /* per word: X's, Y's, A's, B's */
    const char **word;
} sentences;

static void sentences_free(sentences *s) {
    mz_templates_free(s->text, s->n);
    mz_free(s->first), mz_free(s->count), mz_free(s->word);
}

static mz_status expand_word(sentences *all, size_t w, const mz_probe_word *pw,
                             const mz_probe_set *tpl, const char *language, mz_ctx *ctx) {
    char **s;
    size_t k;
    mz_status rc = mz_templates_expand(&s, &k, tpl, pw, language, ctx);
    if (rc) return rc;
    if (mz_grow((void **)&all->text, &all->cap, all->n + k, sizeof *all->text)) {
        mz_templates_free(s, k);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    memcpy(all->text + all->n, s, k * sizeof *s);
    all->first[w] = all->n, all->count[w] = k, all->word[w] = pw->text;
    all->n += k;
    mz_free(s); /* the strings moved into all->text */
    return MZ_OK;
}

/* MZ_ERR_INPUT (not computable) when a word fits no frame. */
static mz_status expand(sentences *all, const mz_probe_list *const lists[4],
                        mz_probe_set *const *templates, size_t n_templates, mz_ctx *ctx) {
    size_t W = lists[0]->n + lists[1]->n + lists[2]->n + lists[3]->n, w = 0;
    all->first = mz_calloc(W + 1, sizeof *all->first);
    all->count = mz_calloc(W + 1, sizeof *all->count);
    all->word = mz_calloc(W + 1, sizeof *all->word);
    if (!all->first || !all->count || !all->word)
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_status rc = MZ_OK;
    for (int k = 0; !rc && k < 4; k++) {
        const mz_probe_set *t;
        rc = mz_templates_find(&t, templates, n_templates, lists[k]->language, ctx);
        for (size_t i = 0; !rc && i < lists[k]->n; i++, w++)
            rc = expand_word(all, w, &lists[k]->words[i], t, lists[k]->language, ctx);
    }
    return rc;
}

static mz_status one_test(mz_suite_entry *e, double *p_value, void *user, mz_ctx *ctx) {
    mz_seat_result *r = (mz_seat_result *)e;
    const mz_seat_args *u = user;
    const mz_probe_set *set = e->set;
    const mz_probe_list *const lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                           &set->attributes[1]};
    size_t C = (size_t)mz_model_get_config(u->m)->d_model;
    sentences s = {0};
    float *vec = NULL;
    int *stratum = mz_malloc((lists[0]->n + lists[1]->n + 1) * sizeof *stratum);
    mz_status rc = stratum ? expand(&s, lists, u->templates, u->n_templates, ctx)
                           : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t w = 0; !rc && w < lists[0]->n + lists[1]->n; w++)
        stratum[w] =
            mz_frame_signature((const char *const *)s.text + s.first[w], s.count[w], s.word[w]);
    if (!rc) rc = mz_word_strata(stratum, e->tokens_per_word, u->t, set, stratum, ctx);
    if (!rc && !(vec = mz_malloc((s.n ? s.n : 1) * C * sizeof *vec)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = mz_embed_texts(vec, u->m, u->t, (const char *const *)s.text, s.n, u->embed, ctx);
    if (!rc) {
        mz_unit_embeddings in = {.vectors = vec,
                                 .dim = C,
                                 .first = s.first,
                                 .count = s.count,
                                 .words = s.word,
                                 .stratum = stratum};
        for (size_t k = 0, w = 0; k < 4; k++) {
            in.n_words[k] = lists[k]->n, r->n_sentences[k] = 0;
            for (size_t i = 0; i < lists[k]->n; i++, w++)
                r->n_sentences[k] += s.count[w];
        }
        rc = mz_unit_scores_new(&e->scores, s.count, lists[0]->n + lists[1]->n, ctx);
        in.row_scores = e->scores.row, in.word_scores = e->scores.word;
        if (!rc) rc = mz_weat_units(&r->weat, &in, u->weat, 0.05, ctx);
    }
    *p_value = r->weat.p_value;
    mz_free(vec), mz_free(stratum);
    sentences_free(&s);
    return rc;
}

mz_status mz_seat_suite(mz_seat_result *out, mz_model *m, const mz_tokenizer *t,
                        mz_probe_set *const *sets, size_t n_sets, mz_probe_set *const *templates,
                        size_t n_templates, const mz_embed_options *embed,
                        const mz_weat_options *weat, mz_ctx *ctx) {
    mz_seat_args u = {m, t, templates, n_templates, embed, weat};
    return mz_suite_run(out, sizeof *out, sets, n_sets, t, one_test, &u, ctx);
}

/* The suite on a copy: each test's z, without permutations or interval. */
static mz_status on_copy(void *results, mz_probe_set *const *sets, size_t n, mz_model *copy,
                         mz_embed_cache *cache, void *user, mz_ctx *ctx) {
    static const mz_weat_options z_only = {0};
    mz_seat_args u = *(const mz_seat_args *)user;
    mz_embed_options eo = *u.embed;
    eo.cache = cache, eo.progress = NULL;
    u.m = copy, u.embed = &eo, u.weat = &z_only;
    return mz_suite_run(results, sizeof(mz_seat_result), sets, n, u.t, one_test, &u, ctx);
}

static mz_weat_units_result *units(mz_suite_entry *e) { return &((mz_seat_result *)e)->weat; }

mz_suite_ref mz_seat_part(mz_seat_result *out, size_t n, mz_seat_args *args) {
    return (mz_suite_ref){out, sizeof *out, n, on_copy, units, args};
}

mz_status mz_seat_sentences(char ***out, size_t *n, mz_probe_set *const *sets, size_t n_sets,
                            mz_probe_set *const *templates, size_t n_templates, mz_ctx *ctx) {
    sentences all = {0};
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n_sets; i++) {
        const mz_probe_set *set = sets[i];
        const mz_probe_list *const lists[4] = {&set->targets[0], &set->targets[1],
                                               &set->attributes[0], &set->attributes[1]};
        for (int k = 0; !rc && k < 4; k++) {
            const mz_probe_set *tpl;
            if (mz_templates_find(&tpl, templates, n_templates, lists[k]->language, ctx)) {
                mz_ctx_clear(ctx); /* no frames: that test is not computable, and says so */
                continue;
            }
            for (size_t w = 0; !rc && w < lists[k]->n; w++) {
                char **s;
                size_t m;
                rc = mz_templates_expand(&s, &m, tpl, &lists[k]->words[w], lists[k]->language, ctx);
                if (rc == MZ_ERR_INPUT) { /* a word without a frame: its test says so */
                    mz_ctx_clear(ctx);
                    rc = MZ_OK;
                    continue;
                }
                if (!rc && mz_grow((void **)&all.text, &all.cap, all.n + m, sizeof *all.text))
                    rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
                if (rc) {
                    mz_templates_free(s, m);
                    break;
                }
                memcpy(all.text + all.n, s, m * sizeof *s);
                all.n += m;
                mz_free(s);
            }
        }
    }
    if (rc) {
        mz_templates_free(all.text, all.n);
        all.text = NULL, all.n = 0;
    }
    *out = all.text, *n = all.n;
    return rc;
}
