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
        if (!rc) rc = mz_shared_pieces(&e->shared_pieces, t, sets[i], ctx);
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
    if (!rc) rc = adjust(results, stride, p, n, ctx);
    if (rc) mz_suite_clear(results, stride, n); /* a failed suite owns nothing */
    mz_free(p);
    return rc;
}

void mz_suite_clear(void *results, size_t stride, size_t n) {
    for (size_t i = 0; results && i < n; i++)
        mz_unit_scores_clear(&entry(results, stride, i)->scores);
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

typedef struct copies {
    void *scratch;
    size_t stride, n, k;
    mz_probe_set **sets; /* [n]: the tests that get a reference */
    double *z, *d;       /* [n, k]: each test's z and effect size on each copy */
    mz_suite_on_model run;
    mz_suite_units units;
    void *user;
} copies;

static mz_status on_copy(mz_model *copy, size_t k, void *user, mz_ctx *ctx) {
    copies *c = user;
    mz_status rc = c->run(c->scratch, c->sets, c->n, copy, c->user, ctx);
    for (size_t i = 0; !rc && i < c->n; i++) {
        mz_suite_entry *e = entry(c->scratch, c->stride, i);
        c->z[i * c->k + k] = e->computed ? c->units(e)->z : NAN;
        c->d[i * c->k + k] = e->computed ? c->units(e)->effect_size : NAN;
    }
    if (!rc) mz_suite_clear(c->scratch, c->stride, c->n); /* only z and d are kept */
    return rc;
}

/* A computed test whose target words share tokens with other words: the word permutation alone
 * is not exact for it (mz_shared_pieces). */
static int needs_reference(const mz_suite_entry *e) { return e->computed && e->shared_pieces; }

/* Each referred test's reference from the copies; every computed test's p into p[i]. */
static mz_status refer(void *results, size_t n, const copies *c, double *p, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (size_t i = 0, j = 0; !rc && i < n; i++) {
        mz_suite_entry *e = entry(results, c->stride, i);
        p[i] = e->computed ? c->units(e)->p_value : NAN;
        if (!needs_reference(e)) continue;
        rc = mz_weat_units_reference(c->units(e), c->z + j * c->k, c->d + j * c->k, c->k, ctx);
        j++;
        if (rc == MZ_ERR_INPUT) { /* the test stands without its reference: not computable */
            snprintf(e->reason, sizeof e->reason, "%s", mz_ctx_cause(ctx));
            mz_ctx_clear(ctx);
            e->computed = 0, rc = MZ_OK, p[i] = NAN;
        } else if (!rc)
            p[i] = c->units(e)->p_value;
    }
    return rc;
}

mz_status mz_suite_reference(void *results, size_t stride, size_t n, const mz_null_copies *nc,
                             const mz_model *m, mz_suite_on_model run, mz_suite_units units,
                             void *user, mz_ctx *ctx) {
    size_t k = nc->n;
    copies c = {NULL, stride, 0,   k,     mz_malloc((n + 1) * sizeof *c.sets),
                NULL, NULL,   run, units, user};
    for (size_t i = 0; c.sets && i < n; i++)
        if (needs_reference(entry(results, stride, i)))
            c.sets[c.n++] = (mz_probe_set *)entry(results, stride, i)->set;
    c.scratch = mz_calloc(c.n + 1, stride);
    c.z = mz_malloc((c.n * k + 1) * sizeof *c.z), c.d = mz_malloc((c.n * k + 1) * sizeof *c.d);
    double *p = mz_malloc((n + 1) * sizeof *p);
    mz_status rc = c.sets && c.scratch && c.z && c.d && p
                       ? MZ_OK
                       : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc && c.n) rc = mz_null_copies_each(nc, m, on_copy, &c, ctx); /* none: no cost */
    if (!rc) rc = refer(results, n, &c, p, ctx);
    if (!rc) rc = adjust(results, stride, p, n, ctx);
    mz_free(c.sets), mz_free(c.scratch), mz_free(c.z), mz_free(c.d), mz_free(p);
    return rc;
}
