/* Every association probe set against one vector file, with p-values adjusted across the
 * suite (Holm for the family-wise error, Benjamini-Hochberg for the false discovery rate). */
#include "mizani/alloc.h"
#include "mizani/static_audit.h"

#include <math.h>
#include <string.h>

static void set_lists(mz_word_list lists[MZ_N_ROLES], const mz_probe_set *s) {
    const mz_probe_list *src[MZ_N_ROLES] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                            &s->attributes[1]};
    for (int i = 0; i < MZ_N_ROLES; i++)
        lists[i] = (mz_word_list){.name = src[i]->name, .words = src[i]->texts, .n = src[i]->n};
}

mz_status mz_probe_sets_words(const char ***words, size_t *n, const mz_probe_set *const *sets,
                              size_t n_sets, mz_ctx *ctx) {
    size_t total = 0;
    for (size_t s = 0; s < n_sets; s++)
        for (int i = 0; i < 2; i++)
            total += sets[s]->targets[i].n + sets[s]->attributes[i].n;
    *words = mz_malloc(total * sizeof **words);
    if (!*words) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    *n = 0;
    for (size_t s = 0; s < n_sets; s++) {
        mz_word_list lists[MZ_N_ROLES];
        set_lists(lists, sets[s]);
        for (int i = 0; i < MZ_N_ROLES; i++)
            for (size_t w = 0; w < lists[i].n; w++)
                (*words)[(*n)++] = lists[i].words[w];
    }
    return MZ_OK;
}

void mz_static_suite_clear(mz_static_suite *s) {
    if (!s) return;
    for (size_t i = 0; s->tests && i < s->n; i++)
        mz_static_weat_clear(&s->tests[i]);
    mz_free(s->tests);
    mz_free(s->sets);
    mz_free(s->p_holm);
    mz_free(s->p_bh);
    mz_free(s->vectors_path);
    memset(s, 0, sizeof *s);
}

/* Writes adj[0..) back to the computable tests' slots of `dst`; NAN for the others. */
static void scatter(double *dst, const double *adj, const mz_static_suite *s) {
    for (size_t i = 0, k = 0; i < s->n; i++)
        dst[i] = s->tests[i].computable ? adj[k++] : NAN;
}

/* Holm and BH over the computable tests only. */
static mz_status adjust(mz_static_suite *s, mz_ctx *ctx) {
    double *raw = mz_malloc((s->n ? s->n : 1) * sizeof *raw);
    double *adj = mz_malloc((s->n ? s->n : 1) * sizeof *adj);
    mz_status rc = raw && adj ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t m = 0;
    for (size_t i = 0; !rc && i < s->n; i++)
        if (s->tests[i].computable) raw[m++] = s->tests[i].weat.perm.p_value;
    s->n_computable = m;
    if (!rc && !(rc = mz_stats_holm(adj, raw, m, ctx))) scatter(s->p_holm, adj, s);
    if (!rc && !(rc = mz_stats_bh(adj, raw, m, ctx))) scatter(s->p_bh, adj, s);
    mz_free(raw);
    mz_free(adj);
    return rc;
}

mz_status mz_static_suite_run(mz_static_suite *out, const mz_vectors *v, const char *vectors_path,
                              const mz_probe_set *const *sets, size_t n_sets,
                              const mz_static_options *opt, mz_progress *progress, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    size_t cap = n_sets ? n_sets : 1;
    out->tests = mz_calloc(cap, sizeof *out->tests);
    out->sets = mz_calloc(cap, sizeof *out->sets);
    out->p_holm = mz_calloc(cap, sizeof *out->p_holm);
    out->p_bh = mz_calloc(cap, sizeof *out->p_bh);
    out->vectors_path = mz_strdup(vectors_path);
    if (!out->tests || !out->sets || !out->p_holm || !out->p_bh || !out->vectors_path) {
        mz_static_suite_clear(out);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    out->vectors_words = mz_vectors_count(v);
    out->vectors_dim = mz_vectors_dim(v);
    out->seed = opt->weat.seed;
    out->fold_case = opt->fold_case;
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < n_sets && !rc; i++) {
        mz_word_list lists[MZ_N_ROLES];
        set_lists(lists, sets[i]);
        out->sets[i] = sets[i];
        rc = mz_static_weat_run(&out->tests[i], sets[i]->id, v, lists, opt, ctx);
        out->n = i + 1;
        mz_progress_add(progress, 1);
    }
    if (!rc) rc = adjust(out, ctx);
    if (rc) mz_static_suite_clear(out);
    return rc;
}
