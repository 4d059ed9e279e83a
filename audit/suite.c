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
    mz_free(p);
    return rc;
}
