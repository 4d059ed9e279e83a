/* Checkpoints for the regression gate's tests and noise study (see gate_models.h). */
#include "gate_models.h"

#include "mizani/alloc.h"
#include "mizani/report.h"
#include "mizani/runner.h"
#include "mizani/tokenizer.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

void gate_noise(null_model *m, double sigma, unsigned long seed) {
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) return;
    gsl_rng_set(rng, seed);
    for (size_t t = 0; t < m->n; t++) {
        size_t count = 1;
        for (int d = 0; d < m->t[t].n_dims; d++)
            count *= (size_t)m->t[t].shape[d];
        double ss = 0;
        for (size_t i = 0; i < count; i++)
            ss += (double)m->data[t][i] * m->data[t][i];
        double sd = sigma * sqrt(ss / (double)count);
        for (size_t i = 0; sd > 0 && i < count; i++)
            m->data[t][i] += (float)gsl_ran_gaussian_ziggurat(rng, sd);
    }
    gsl_rng_free(rng);
}

/* Adds each word's mean token row of `l` into sum [C], counting words; its token ids into ids. */
static mz_status words_of(double *sum, int32_t *ids, size_t *n_ids, size_t cap, const null_model *m,
                          const mz_tokenizer *t, const mz_probe_list *l, mz_ctx *ctx) {
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    int C = m->hidden;
    for (size_t w = 0; !rc && w < l->n; w++) {
        rc = mz_tokenizer_encode(&e, t, l->words[w].text, strlen(l->words[w].text), 0, ctx);
        for (size_t k = 0; !rc && k < e.n; k++) {
            for (int c = 0; sum && c < C; c++)
                sum[c] += m->wte[(size_t)e.ids[k] * C + c] / (double)e.n / (double)l->n;
            if (ids && *n_ids < cap) ids[(*n_ids)++] = e.ids[k];
        }
    }
    mz_encoding_clear(&e);
    return rc;
}

mz_status gate_plant(null_model *m, const char *tokenizer, const mz_probe_set *set, double size,
                     mz_ctx *ctx) {
    int C = m->hidden;
    mz_tokenizer *t = NULL;
    double *u = mz_calloc((size_t)C, sizeof *u), *b = mz_calloc((size_t)C, sizeof *b);
    int32_t ids[1024];
    size_t n_ids = 0;
    mz_status rc = u && b ? mz_tokenizer_load(&t, tokenizer, ctx)
                          : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = words_of(u, NULL, NULL, 0, m, t, &set->attributes[0], ctx);
    if (!rc) rc = words_of(b, NULL, NULL, 0, m, t, &set->attributes[1], ctx);
    if (!rc) rc = words_of(NULL, ids, &n_ids, 1024, m, t, &set->targets[0], ctx);
    double norm = 0, rms = 0;
    for (int c = 0; c < C && !rc; c++)
        u[c] -= b[c], norm += u[c] * u[c];
    for (size_t i = 0; !rc && i < (size_t)m->vocab * C; i++)
        rms += (double)m->wte[i] * m->wte[i] / m->vocab;
    double scale = norm > 0 ? size * sqrt(rms) / sqrt(norm) : 0;
    for (size_t i = 0; !rc && i < n_ids; i++) {
        int dup = 0; /* a token twice in the list moves once */
        for (size_t j = 0; j < i; j++)
            dup |= ids[j] == ids[i];
        for (int c = 0; !dup && c < C; c++)
            m->wte[(size_t)ids[i] * C + c] += (float)(scale * u[c]);
    }
    mz_tokenizer_free(t);
    mz_free(u);
    mz_free(b);
    return rc;
}

mz_status gate_checkpoint(mz_checkpoint **cp, const null_model *nm, const null_spec *s,
                          const char *dir, const char *label, mz_probe_set *const *sets,
                          size_t n_sets, uint64_t perms, mz_ctx *ctx) {
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_vectors *v = NULL;
    mz_results *r = NULL;
    mz_static_suite suite = {0};
    const char **words = NULL;
    size_t n_words = 0;
    mz_static_options opt;
    mz_static_options_default(&opt);
    opt.weat.n_permutations = perms, opt.weat.n_bootstrap = 0;
    opt.weat.max_exact = 0; /* the audit's own p is not what compare tests: Monte Carlo will do */
    mz_status rc = null_model_write(nm, s, dir, ctx);
    if (!rc) rc = mz_model_open(&m, dir, ctx);
    if (!rc) rc = mz_tokenizer_load(&t, dir, ctx);
    if (!rc)
        rc = mz_probe_sets_words(&words, &n_words, (const mz_probe_set *const *)sets, n_sets, ctx);
    mz_vectors_options vo = {.keep = words, .n_keep = n_words};
    if (!rc) rc = mz_input_embedding_vectors(&v, m, t, &vo, ctx);
    if (!rc)
        rc = mz_static_suite_run(&suite, v, dir, (const mz_probe_set *const *)sets, n_sets, &opt,
                                 NULL, ctx);
    if (!rc) rc = mz_results_new(&r, "weat", ctx);
    if (!rc) rc = mz_report_static_suite(r, &suite, &opt, v);
    if (!rc) {
        rc = mz_checkpoint_from_results(cp, r, label, "model", ctx);
        r = NULL; /* the checkpoint took it */
    }
    mz_results_free(r);
    mz_static_suite_clear(&suite);
    mz_vectors_free(v);
    mz_free(words);
    mz_tokenizer_free(t);
    mz_model_free(m);
    null_model_remove(dir);
    return rc;
}
