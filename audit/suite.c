/* A suite of tests over association sets on a model (SEAT, CEAT): what every test reports
 * besides its numbers, and the multiple-testing correction across them. */
#include "mizani/alloc.h"
#include "mizani/runner.h"
#include "mizani/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const mz_suite_entry *mz_suite_entry_at(const void *results, size_t stride, size_t i) {
    return (const mz_suite_entry *)((const char *)results + i * stride);
}

static mz_suite_entry *entry(void *results, size_t stride, size_t i) {
    return (mz_suite_entry *)mz_suite_entry_at(results, stride, i);
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

/* One suite's part on the copies: the tests that get a reference, and their z and d. */
typedef struct part {
    const mz_suite_ref *s;
    void *scratch;
    mz_probe_set **sets;
    size_t n;
    double *z, *d; /* [n, k]: each referred test's z and effect size on each copy */
} part;

typedef struct copies {
    part *parts;
    size_t n_parts, k;
    const mz_suite_prefill *prefill;
} copies;

/* A computed test whose target words share tokens with other words: the word permutation alone
 * is not exact for it (mz_shared_pieces). */
static int needs_reference(const mz_suite_entry *e) { return e->computed && e->shared_pieces; }

static mz_status run_part(part *p, mz_model *copy, mz_embed_cache *cache, size_t k, size_t K,
                          mz_ctx *ctx) {
    const mz_suite_ref *s = p->s;
    mz_status rc = s->run(p->scratch, p->sets, p->n, copy, cache, s->user, ctx);
    for (size_t i = 0; !rc && i < p->n; i++) {
        mz_suite_entry *e = entry(p->scratch, s->stride, i);
        p->z[i * K + k] = e->computed ? s->units(e)->z : NAN;
        p->d[i * K + k] = e->computed ? s->units(e)->effect_size : NAN;
    }
    if (!rc) mz_suite_clear(p->scratch, s->stride, p->n); /* only z and d are kept */
    return rc;
}

/* Every part on copy k, with one cache of the copy's rows that they share, filled first with the
 * prefill's texts at once (the same batches whichever parts run). */
static mz_status on_copy(mz_model *copy, size_t k, void *user, mz_ctx *ctx) {
    copies *c = user;
    const mz_suite_prefill *f = c->prefill;
    mz_embed_cache *cache = NULL;
    mz_status rc = f ? mz_embed_cache_new(&cache, ctx) : MZ_OK;
    if (!rc && f) {
        mz_embed_options eo = *f->embed;
        eo.cache = cache, eo.progress = NULL;
        rc = mz_embed_cache_fill(cache, copy, f->t, f->texts, f->n, &eo, ctx);
    }
    for (size_t i = 0; !rc && i < c->n_parts; i++)
        if (c->parts[i].n) rc = run_part(&c->parts[i], copy, cache, k, c->k, ctx);
    mz_embed_cache_free(cache);
    return rc;
}

/* Each referred test's reference from the copies, then Holm across all of the suite's tests. */
static mz_status refer(const part *pt, size_t K, mz_ctx *ctx) {
    const mz_suite_ref *s = pt->s;
    double *p = mz_malloc((s->n + 1) * sizeof *p);
    mz_status rc = p ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0, j = 0; !rc && i < s->n; i++) {
        mz_suite_entry *e = entry(s->results, s->stride, i);
        p[i] = e->computed ? s->units(e)->p_value : NAN;
        if (!needs_reference(e)) continue;
        rc = mz_weat_units_reference(s->units(e), pt->z + j * K, pt->d + j * K, K, ctx);
        j++;
        if (rc == MZ_ERR_INPUT) { /* the test stands without its reference: not computable */
            snprintf(e->reason, sizeof e->reason, "%s", mz_ctx_cause(ctx));
            mz_ctx_clear(ctx);
            e->computed = 0, rc = MZ_OK, p[i] = NAN;
        } else if (!rc)
            p[i] = s->units(e)->p_value;
    }
    if (!rc) rc = adjust(s->results, s->stride, p, s->n, ctx);
    mz_free(p);
    return rc;
}

static mz_status part_new(part *p, const mz_suite_ref *s, size_t K, mz_ctx *ctx) {
    *p = (part){.s = s, .sets = mz_malloc((s->n + 1) * sizeof *p->sets)};
    for (size_t i = 0; p->sets && i < s->n; i++)
        if (needs_reference(entry(s->results, s->stride, i)))
            p->sets[p->n++] = (mz_probe_set *)entry(s->results, s->stride, i)->set;
    p->scratch = mz_calloc(p->n + 1, s->stride);
    p->z = mz_malloc((p->n * K + 1) * sizeof *p->z),
    p->d = mz_malloc((p->n * K + 1) * sizeof *p->d);
    return p->sets && p->scratch && p->z && p->d
               ? MZ_OK
               : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

static void part_free(part *p) {
    mz_free(p->sets), mz_free(p->scratch), mz_free(p->z), mz_free(p->d);
}

mz_status mz_suite_reference(const mz_suite_ref *suites, size_t n_suites, const mz_null_copies *nc,
                             const mz_model *m, const mz_suite_prefill *prefill, mz_ctx *ctx) {
    if (!nc->n) return MZ_OK; /* no reference asked for */
    copies c = {mz_calloc(n_suites + 1, sizeof *c.parts), n_suites, nc->n, prefill};
    mz_status rc = c.parts ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t referred = 0;
    for (size_t i = 0; !rc && i < n_suites; i++)
        rc = part_new(&c.parts[i], &suites[i], nc->n, ctx), referred += c.parts[i].n;
    if (!rc && referred) rc = mz_null_copies_each(nc, m, on_copy, &c, ctx); /* none: no cost */
    for (size_t i = 0; !rc && i < n_suites; i++)
        rc = refer(&c.parts[i], nc->n, ctx);
    for (size_t i = 0; c.parts && i < n_suites; i++)
        part_free(&c.parts[i]);
    mz_free(c.parts);
    return rc;
}
