/* A suite of tests over association sets on a model (SEAT, CEAT): what every test reports
 * besides its numbers, and the multiple-testing correction across them. */
#include "mizani/alloc.h"
#include "mizani/runner.h"
#include "mizani/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

mz_status mz_suite_run(void *results, size_t stride, mz_probe_set *const *sets, size_t n,
                       const mz_tokenizer *t, mz_suite_test test, void *user, mz_ctx *ctx) {
    double *p = mz_malloc((n ? n : 1) * sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        mz_suite_entry *e = (mz_suite_entry *)((char *)results + i * stride);
        memset(e, 0, stride);
        e->set = sets[i];
        p[i] = NAN;
        rc = mz_words_with_unknown(&e->unknown, t, sets[i], ctx);
        if (!rc) rc = test(e, &p[i], user, ctx);
        if (rc) mz_unit_scores_clear(&e->scores);
        if (rc == MZ_ERR_INPUT) { /* not computable: say why and go on */
            snprintf(e->reason, sizeof e->reason, "%s", mz_ctx_cause(ctx));
            mz_ctx_clear(ctx);
            p[i] = NAN;
            rc = MZ_OK;
        } else if (!rc)
            e->computed = 1;
    }
    if (!rc) rc = mz_stats_holm_present(p, p, n, ctx);
    for (size_t i = 0; !rc && i < n; i++)
        ((mz_suite_entry *)((char *)results + i * stride))->p_holm = p[i];
    if (rc) mz_suite_clear(results, stride, n); /* a failed suite owns nothing */
    mz_free(p);
    return rc;
}

void mz_suite_clear(void *results, size_t stride, size_t n) {
    for (size_t i = 0; results && i < n; i++)
        mz_unit_scores_clear(&((mz_suite_entry *)((char *)results + i * stride))->scores);
}

mz_status mz_unit_scores_new(mz_unit_scores *s, const size_t *count, size_t n_words, mz_ctx *ctx) {
    mz_unit_scores_clear(s);
    s->first = mz_malloc((n_words + 1) * sizeof *s->first);
    if (!s->first) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    s->first[0] = 0;
    for (size_t w = 0; w < n_words; w++)
        s->first[w + 1] = s->first[w] + count[w];
    s->n_words = n_words, s->n_rows = s->first[n_words];
    s->word = mz_calloc(n_words + 1, sizeof *s->word);
    s->row = mz_calloc(s->n_rows + 1, sizeof *s->row);
    if (s->word && s->row) return MZ_OK;
    mz_unit_scores_clear(s);
    return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

void mz_unit_scores_clear(mz_unit_scores *s) {
    mz_free(s->word), mz_free(s->row), mz_free(s->first);
    memset(s, 0, sizeof *s);
}
