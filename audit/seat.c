/* SEAT over a suite of association sets: words -> sentences -> the probe runner's embeddings
 * -> WEAT. */
#include "mizani/seat.h"
#include "mizani/alloc.h"

#include <string.h>

typedef struct sentences {
    char **text[4];
    size_t n[4];
} sentences;

static void sentences_free(sentences *s) {
    for (int k = 0; k < 4; k++)
        mz_templates_free(s->text[k], s->n[k]), s->text[k] = NULL, s->n[k] = 0;
}

/* All sentences of one list, appended; MZ_ERR_INPUT (not computable) when a word fits no frame. */
static mz_status expand_list(char ***all, size_t *n, const mz_probe_list *l,
                             mz_probe_set *const *templates, size_t n_templates, mz_ctx *ctx) {
    const mz_probe_set *t;
    mz_status rc = mz_templates_find(&t, templates, n_templates, l->language, ctx);
    if (rc) return rc;
    size_t cap = 0;
    for (size_t w = 0; w < l->n; w++) {
        char **s;
        size_t k;
        if ((rc = mz_templates_expand(&s, &k, t, &l->words[w], l->language, ctx))) return rc;
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

typedef struct suite {
    mz_model *m;
    const mz_tokenizer *t;
    mz_probe_set *const *templates;
    size_t n_templates;
    const mz_embed_options *embed;
    const mz_weat_options *weat;
} suite;

static mz_status one_test(mz_suite_entry *e, double *p_value, void *user, mz_ctx *ctx) {
    mz_seat_result *r = (mz_seat_result *)e;
    const suite *u = user;
    mz_model *m = u->m;
    const mz_tokenizer *t = u->t;
    const mz_probe_set *set = e->set;
    const mz_probe_list *lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                     &set->attributes[1]};
    sentences s = {0};
    float *vec = NULL;
    mz_status rc = MZ_OK;
    for (int k = 0; !rc && k < 4; k++)
        rc = expand_list(&s.text[k], &s.n[k], lists[k], u->templates, u->n_templates, ctx);
    if (!rc) rc = embed_sets(&vec, &s, m, t, u->embed, ctx);
    if (!rc) {
        size_t C = (size_t)mz_model_get_config(m)->d_model, off = 0;
        mz_word_set w[4];
        for (int k = 0; k < 4; k++) {
            w[k] = (mz_word_set){lists[k]->name, (const char *const *)s.text[k], vec + off * C,
                                 s.n[k]};
            r->n_sentences[k] = s.n[k];
            off += s.n[k];
        }
        rc = mz_weat(&r->weat, &w[0], &w[1], &w[2], &w[3], C, u->weat, ctx);
    }
    *p_value = r->weat.perm.p_value;
    mz_free(vec);
    sentences_free(&s);
    return rc;
}

mz_status mz_seat_suite(mz_seat_result *out, mz_model *m, const mz_tokenizer *t,
                        mz_probe_set *const *sets, size_t n_sets, mz_probe_set *const *templates,
                        size_t n_templates, const mz_embed_options *embed,
                        const mz_weat_options *weat, mz_ctx *ctx) {
    suite u = {m, t, templates, n_templates, embed, weat};
    return mz_suite_run(out, sizeof *out, sets, n_sets, t, one_test, &u, ctx);
}
