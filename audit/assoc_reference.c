/* SEAT's and CEAT's null reference: the random copies drawn once for both suites, each copy's
 * frame sentences run once into a cache both read (see mizani/ceat.h: mz_assoc_reference). */
#include "assoc_internal.h"
#include "mizani/alloc.h"

/* The sets whose words share tokens, in suite order: their frame sentences fill each copy's
 * cache first, the same texts whichever suites run, so the copies' numbers do too. */
static mz_status shared_sets(mz_probe_set ***out, size_t *k, const mz_suite_ref *part, size_t n,
                             mz_ctx *ctx) {
    *k = 0;
    if (!(*out = mz_malloc((n + 1) * sizeof **out)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const mz_suite_entry *e = mz_suite_entry_at(part->results, part->stride, i);
        if (e->shared_pieces) (*out)[(*k)++] = (mz_probe_set *)e->set;
    }
    return MZ_OK;
}

mz_status mz_assoc_reference(mz_seat_result *seat, mz_ceat_result *ceat, size_t n_sets,
                             const mz_null_copies *copies, mz_model *m, const mz_tokenizer *t,
                             mz_probe_set *const *templates, size_t n_templates,
                             const mz_embed_options *embed, const mz_ceat_options *opt,
                             mz_ctx *ctx) {
    mz_seat_args sa = {m, t, templates, n_templates, embed, NULL};
    mz_ceat_args ca = {m, t, templates, n_templates, opt};
    mz_suite_ref parts[2];
    size_t n = 0;
    if (seat) parts[n++] = mz_seat_part(seat, n_sets, &sa);
    if (ceat) parts[n++] = mz_ceat_part(ceat, n_sets, &ca);
    /* a cache where the model's suites have one: frames are SEAT's sentences, CEAT's contexts
     * unless it reads a corpus */
    const mz_embed_options *cached = seat && embed->cache                       ? embed
                                     : ceat && opt->embed.cache && !opt->corpus ? &opt->embed
                                                                                : NULL;
    mz_probe_set **sets = NULL;
    char **texts = NULL;
    size_t n_shared = 0, n_texts = 0;
    mz_status rc = n ? shared_sets(&sets, &n_shared, &parts[0], n_sets, ctx) : MZ_OK;
    if (!rc && cached && n_shared && copies->n)
        rc = mz_seat_sentences(&texts, &n_texts, sets, n_shared, templates, n_templates, ctx);
    mz_suite_prefill fill = {t, cached, (const char *const *)texts, n_texts};
    if (!rc) rc = mz_suite_reference(parts, n, copies, m, cached ? &fill : NULL, ctx);
    mz_templates_free(texts, n_texts);
    mz_free(sets);
    return rc;
}

mz_status mz_seat_reference(mz_seat_result *out, const mz_null_copies *copies, mz_model *m,
                            const mz_tokenizer *t, size_t n_sets, mz_probe_set *const *templates,
                            size_t n_templates, const mz_embed_options *embed, mz_ctx *ctx) {
    return mz_assoc_reference(out, NULL, n_sets, copies, m, t, templates, n_templates, embed, NULL,
                              ctx);
}

mz_status mz_ceat_reference(mz_ceat_result *out, const mz_null_copies *copies, mz_model *m,
                            const mz_tokenizer *t, size_t n_sets, mz_probe_set *const *templates,
                            size_t n_templates, const mz_ceat_options *opt, mz_ctx *ctx) {
    return mz_assoc_reference(NULL, out, n_sets, copies, m, t, templates, n_templates, NULL, opt,
                              ctx);
}
