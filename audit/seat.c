/* SEAT over a suite of association sets: words -> sentences -> the probe runner's embeddings
 * -> WEAT. */
#include "mizani/seat.h"
#include "mizani/alloc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct sentences {
    char **text[4];
    size_t n[4];
} sentences;

static void sentences_free(sentences *s) {
    for (int k = 0; k < 4; k++)
        mz_templates_free(s->text[k], s->n[k]), s->text[k] = NULL, s->n[k] = 0;
}

static const mz_probe_set *templates_for(mz_probe_set *const *templates, size_t n,
                                         const char *lang) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(templates[i]->language, lang)) return templates[i];
    return NULL;
}

/* All sentences of one list, appended; MZ_ERR_INPUT (not computable) when a word fits no frame. */
static mz_status expand_list(char ***all, size_t *n, const mz_probe_list *l,
                             mz_probe_set *const *templates, size_t n_templates, mz_ctx *ctx) {
    const mz_probe_set *t = templates_for(templates, n_templates, l->language);
    if (!t)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "no sentence frames for language '%s'",
                       l->language);
    size_t cap = 0;
    for (size_t w = 0; w < l->n; w++) {
        char **s;
        size_t k;
        mz_status rc = mz_templates_expand(&s, &k, t, &l->words[w], l->language, ctx);
        if (rc) return rc;
        if (mz_grow((void **)all, &cap, *n + k, sizeof **all)) {
            mz_templates_free(s, k);
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        }
        memcpy(*all + *n, s, k * sizeof *s);
        *n += k;
        mz_free(s); /* the strings moved into *all */
    }
    return MZ_OK;
}

/* The four sets' sentences embedded in one call: rows X, then Y, A, B. */
static mz_status embed_sets(float **vec, const sentences *s, mz_model *m, const mz_tokenizer *t,
                            const mz_embed_options *opt, mz_ctx *ctx) {
    size_t total = s->n[0] + s->n[1] + s->n[2] + s->n[3],
           C = (size_t)mz_model_get_config(m)->d_model, at = 0;
    const char **all = mz_malloc((total ? total : 1) * sizeof *all);
    *vec = mz_malloc((total ? total : 1) * C * sizeof **vec);
    if (!all || !*vec) {
        mz_free(all);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    for (int k = 0; k < 4; k++)
        for (size_t i = 0; i < s->n[k]; i++)
            all[at++] = s->text[k][i];
    mz_status rc = mz_embed_texts(*vec, m, t, all, total, opt, ctx);
    mz_free(all);
    return rc;
}

static mz_status one_test(mz_seat_result *r, mz_model *m, const mz_tokenizer *t,
                          mz_probe_set *const *templates, size_t n_templates,
                          const mz_embed_options *embed, const mz_weat_options *weat, mz_ctx *ctx) {
    const mz_probe_list *lists[4] = {&r->set->targets[0], &r->set->targets[1],
                                     &r->set->attributes[0], &r->set->attributes[1]};
    sentences s = {0};
    float *vec = NULL;
    mz_status rc = MZ_OK;
    for (int k = 0; !rc && k < 4; k++)
        rc = expand_list(&s.text[k], &s.n[k], lists[k], templates, n_templates, ctx);
    if (!rc) rc = embed_sets(&vec, &s, m, t, embed, ctx);
    if (!rc) {
        size_t C = (size_t)mz_model_get_config(m)->d_model, off = 0;
        mz_word_set w[4];
        for (int k = 0; k < 4; k++) {
            w[k] = (mz_word_set){lists[k]->name, (const char *const *)s.text[k], vec + off * C,
                                 s.n[k]};
            r->n_sentences[k] = s.n[k];
            off += s.n[k];
        }
        rc = mz_weat(&r->weat, &w[0], &w[1], &w[2], &w[3], C, weat, ctx);
    }
    if (rc == MZ_ERR_INPUT) { /* this test is not computable; the suite goes on */
        snprintf(r->reason, sizeof r->reason, "%s", mz_ctx_cause(ctx));
        mz_ctx_clear(ctx);
        rc = MZ_OK;
    } else if (!rc)
        r->computed = 1;
    mz_free(vec);
    sentences_free(&s);
    return rc;
}

mz_status mz_seat_suite(mz_seat_result *out, mz_model *m, const mz_tokenizer *t,
                        mz_probe_set *const *sets, size_t n_sets, mz_probe_set *const *templates,
                        size_t n_templates, const mz_embed_options *embed,
                        const mz_weat_options *weat, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    double *p = mz_malloc((n_sets ? n_sets : 1) * sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n_sets; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].set = sets[i];
        rc = mz_words_with_unknown(&out[i].unknown, t, sets[i], ctx);
        if (!rc) rc = one_test(&out[i], m, t, templates, n_templates, embed, weat, ctx);
        p[i] = !rc && out[i].computed ? out[i].weat.perm.p_value : NAN;
    }
    if (!rc) rc = mz_stats_holm_present(p, p, n_sets, ctx);
    for (size_t i = 0; !rc && i < n_sets; i++)
        out[i].p_holm = p[i];
    mz_free(p);
    return rc;
}
