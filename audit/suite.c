/* A suite of tests over association sets on a model (SEAT, CEAT): what every test reports
 * besides its numbers, and the multiple-testing correction across them. */
#include "mizani/alloc.h"
#include "mizani/runner.h"
#include "mizani/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static mz_suite_entry *entry(void *results, size_t stride, size_t i) {
    return (mz_suite_entry *)((char *)results + i * stride);
}

/* Holm across the tests with a p-value (NAN: not computed, or cannot reach significance). */
static mz_status adjust(void *results, size_t stride, double *p, size_t n, mz_ctx *ctx) {
    mz_status rc = mz_stats_holm_present(p, p, n, ctx);
    for (size_t i = 0; !rc && i < n; i++)
        entry(results, stride, i)->p_holm = p[i];
    return rc;
}

mz_status mz_suite_run(void *results, size_t stride, mz_probe_set *const *sets, size_t n,
                       const mz_tokenizer *t, mz_suite_test test, void *user, mz_ctx *ctx) {
    double *p = mz_malloc((n ? n : 1) * sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        mz_suite_entry *e = entry(results, stride, i);
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
    if (!rc) rc = adjust(results, stride, p, n, ctx);
    mz_free(p);
    return rc;
}

typedef struct copies {
    void *scratch;
    size_t stride, n, k;
    double *z, *d; /* [n, k]: each test's z and effect size on each copy */
    mz_suite_on_model run;
    mz_suite_units units;
    void *user;
} copies;

static mz_status on_copy(mz_model *copy, size_t k, void *user, mz_ctx *ctx) {
    copies *c = user;
    mz_status rc = c->run(c->scratch, copy, c->user, ctx);
    for (size_t i = 0; !rc && i < c->n; i++) {
        mz_suite_entry *e = entry(c->scratch, c->stride, i);
        c->z[i * c->k + k] = e->computed ? c->units(e)->z : NAN;
        c->d[i * c->k + k] = e->computed ? c->units(e)->effect_size : NAN;
    }
    return rc;
}

/* Each computed test's reference from the copies; its new p in p[i]. */
static mz_status refer(void *results, const copies *c, double *p, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < c->n; i++) {
        mz_suite_entry *e = entry(results, c->stride, i);
        p[i] = NAN;
        if (!e->computed) continue;
        rc = mz_weat_units_reference(c->units(e), c->z + i * c->k, c->d + i * c->k, c->k, ctx);
        if (rc == MZ_ERR_INPUT) { /* the test stands without its reference: not computable */
            snprintf(e->reason, sizeof e->reason, "%s", mz_ctx_cause(ctx));
            mz_ctx_clear(ctx);
            e->computed = 0, rc = MZ_OK;
        } else if (!rc)
            p[i] = c->units(e)->p_value;
    }
    return rc;
}

mz_status mz_suite_reference(void *results, size_t stride, size_t n, const mz_null_copies *nc,
                             const mz_model *m, mz_suite_on_model run, mz_suite_units units,
                             void *user, mz_ctx *ctx) {
    size_t k = nc->n;
    copies c = {mz_calloc(n + 1, stride),
                stride,
                n,
                k,
                mz_malloc((n * k + 1) * sizeof *c.z),
                mz_malloc((n * k + 1) * sizeof *c.d),
                run,
                units,
                user};
    double *p = mz_malloc((n + 1) * sizeof *p);
    mz_status rc = c.scratch && c.z && c.d && p ? mz_null_copies_each(nc, m, on_copy, &c, ctx)
                                                : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = refer(results, &c, p, ctx);
    if (!rc) rc = adjust(results, stride, p, n, ctx);
    mz_free(c.scratch), mz_free(c.z), mz_free(c.d), mz_free(p);
    return rc;
}
