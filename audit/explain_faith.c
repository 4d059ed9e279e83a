/* Perturbations of an explained input, forward passes only: leave-one-word-out occlusion, and
 * the deletion and insertion curves of every word-level method (ERASER's comprehensiveness and
 * sufficiency come from the same points). A masked LM's removed words become mask tokens (the
 * positions stay); a decoder's are left out. Inputs that two curves share run once. */
#include "explain_internal.h"
#include "mizani/alloc.h"

#include <string.h>

/* One perturbed input: the words kept, its ids and the target's value on it. */
typedef struct pattern {
    int input;
    uint8_t *keep; /* [W] */
    int32_t *ids;  /* [T'] */
    int T, shift;
    double value;
} pattern;

typedef struct patterns {
    pattern *p;
    size_t n, cap;
} patterns;

static void patterns_free(patterns *ps) {
    for (size_t i = 0; i < ps->n; i++)
        mz_free(ps->p[i].keep), mz_free(ps->p[i].ids);
    mz_free(ps->p);
}

static int all_kept(const uint8_t *keep, size_t W) {
    for (size_t w = 0; w < W; w++)
        if (!keep[w]) return 0;
    return 1;
}

/* The index of the pattern keeping `keep` of input i (added when new); -1 for the input itself,
 * whose value is f(x). */
static mz_status pattern_of(long *at, patterns *ps, const xjob *j, const xinput *ins, int i,
                            const uint8_t *keep) {
    const xinput *in = &ins[i];
    size_t W = in->e->words.n_words;
    *at = -1;
    if (all_kept(keep, W)) return MZ_OK;
    for (size_t k = ps->n; k-- > 0 && ps->p[k].input == i;) /* an input's patterns are adjacent */
        if (!memcmp(ps->p[k].keep, keep, W)) return *at = (long)k, MZ_OK;
    if (mz_grow((void **)&ps->p, &ps->cap, ps->n + 1, sizeof *ps->p))
        return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    pattern *p = &ps->p[ps->n];
    memset(p, 0, sizeof *p);
    p->input = i;
    p->keep = mz_malloc(W + 1), p->ids = mz_malloc(((size_t)in->T + 1) * sizeof *p->ids);
    if (!p->keep || !p->ids) {
        mz_free(p->keep), mz_free(p->ids);
        return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    memcpy(p->keep, keep, W);
    size_t n;
    mz_attr_words_apply(p->ids + 1, &n, in->e->ids, &in->e->words, keep,
                        in->removes ? -1 : j->mask_id);
    p->T = (int)n, p->shift = in->T - (int)n;
    int first = in->terms[0].pos; /* a decoder's first scored row must keep a token before it */
    for (int t = 1; t < in->n_terms; t++)
        first = in->terms[t].pos < first ? in->terms[t].pos : first;
    if (first - p->shift < 0) /* nothing left before it: the start token stands for no context */
        p->ids[0] = j->start_id, p->T++, p->shift--;
    else
        memmove(p->ids, p->ids + 1, n * sizeof *p->ids);
    *at = (long)ps->n++;
    return MZ_OK;
}

static mz_status run_patterns(const xjob *j, patterns *ps, xinput *ins) {
    size_t n_rows = 0, k = 0;
    for (size_t i = 0; i < ps->n; i++)
        n_rows += (size_t)ins[ps->p[i].input].n_copies;
    xrow *rows = mz_malloc((n_rows + 1) * sizeof *rows);
    if (!rows) return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < ps->n; i++)
        for (int c = 0; c < ins[ps->p[i].input].n_copies; c++)
            rows[k++] = (xrow){.in = &ins[ps->p[i].input],
                               .copy = c,
                               .T = ps->p[i].T,
                               .shift = ps->p[i].shift,
                               .ids = ps->p[i].ids,
                               .slot = (int)i};
    mz_status rc = xrun(j, rows, n_rows, XM_FORWARD, 0, NULL, NULL);
    for (size_t i = 0; i < ps->n; i++)
        ps->p[i].value = 0;
    for (size_t r = 0; !rc && r < n_rows; r++)
        ps->p[rows[r].slot].value += rows[r].value;
    mz_free(rows);
    return rc;
}

static double value_of(const patterns *ps, const xinput *in, long at) {
    return at < 0 ? in->e->fx : ps->p[at].value;
}

static int applies(const xjob *j, xinput *in) {
    if (in->no_faith || in->e->words.n_words == 0) return 0;
    return !in->removes || j->start_id >= 0;
}

static mz_status why_not(const xjob *j, xinput *in, const char *what) {
    const char *why = in->no_faith                ? in->no_faith
                      : in->e->words.n_words == 0 ? "the text has no word to remove"
                                                  : "the tokenizer has no token to stand for an "
                                                    "empty context";
    return xnote(in->e, j->ctx, "%s not computed: %s", what, why);
}

/* ---- occlusion */

static mz_status occlusion(const xjob *j, xinput *ins, size_t n) {
    patterns ps = {0};
    long *at = NULL;
    size_t n_at = 0;
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < n; i++)
        n_at += ins[i].e->words.n_words;
    if (!(at = mz_malloc((n_at + 1) * sizeof *at)))
        return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0, a = 0; !rc && i < n; i++) {
        size_t W = ins[i].e->words.n_words;
        uint8_t *keep = mz_malloc(W + 1);
        if (!keep) rc = mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        for (size_t w = 0; !rc && applies(j, &ins[i]) && w < W; w++, a++) {
            memset(keep, 1, W);
            keep[w] = 0;
            rc = pattern_of(&at[a], &ps, j, ins, (int)i, keep);
        }
        if (!rc && !applies(j, &ins[i])) rc = why_not(j, &ins[i], "occlusion");
        mz_free(keep);
    }
    if (!rc) rc = run_patterns(j, &ps, ins);
    for (size_t i = 0, a = 0; !rc && i < n; i++) {
        mz_explanation *e = ins[i].e;
        size_t W = e->words.n_words;
        if (!applies(j, &ins[i])) continue;
        double *occluded = mz_malloc(W * sizeof *occluded);
        e->word_scores[MZ_EXPLAIN_OCCLUSION] = mz_malloc(W * sizeof(double));
        if (!occluded || !e->word_scores[MZ_EXPLAIN_OCCLUSION])
            rc = mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        for (size_t w = 0; !rc && w < W; w++, a++)
            occluded[w] = value_of(&ps, &ins[i], at[a]);
        if (!rc) mz_attr_occlusion(e->word_scores[MZ_EXPLAIN_OCCLUSION], e->fx, occluded, (int)W);
        if (!rc) e->methods |= 1u << MZ_EXPLAIN_OCCLUSION;
        mz_free(occluded);
    }
    mz_free(at);
    patterns_free(&ps);
    return rc;
}

/* ---- deletion and insertion curves */

/* The patterns of input i's curves for method k: at[0..W] deletion, at[W+1..2W+1] insertion. */
static mz_status curve_patterns(long *at, patterns *ps, const xjob *j, xinput *ins, int i, int k) {
    mz_explanation *e = ins[i].e;
    int W = (int)e->words.n_words;
    int *order = mz_malloc((size_t)W * sizeof *order);
    uint8_t *keep = mz_malloc((size_t)W);
    mz_status rc = order && keep ? MZ_OK : mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) mz_attr_faith_order(order, e->word_scores[k], W);
    for (int ins_ = 0; !rc && ins_ < 2; ins_++)
        for (int s = 0; !rc && s <= W; s++) {
            mz_attr_faith_step(keep, order, W, s, ins_);
            rc = pattern_of(&at[ins_ * (W + 1) + s], ps, j, ins, i, keep);
        }
    mz_free(order), mz_free(keep);
    return rc;
}

static mz_status curves(const xjob *j, xinput *in, const patterns *ps, const long *at, int k) {
    mz_explanation *e = in->e;
    int W = (int)e->words.n_words;
    e->deletion[k] = mz_malloc((size_t)(W + 1) * sizeof(double));
    e->insertion[k] = mz_malloc((size_t)(W + 1) * sizeof(double));
    if (!e->deletion[k] || !e->insertion[k])
        return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int s = 0; s <= W; s++) {
        e->deletion[k][s] = value_of(ps, in, at[s]);
        e->insertion[k][s] = value_of(ps, in, at[W + 1 + s]);
    }
    return mz_attr_faithfulness(&e->faithfulness[k], e->deletion[k], e->insertion[k], W, NULL, 0,
                                j->ctx);
}

static mz_status faithfulness(const xjob *j, xinput *ins, size_t n) {
    patterns ps = {0};
    size_t n_at = 0;
    for (size_t i = 0; i < n; i++)
        n_at += (size_t)MZ_EXPLAIN_N_METHODS * 2 * (ins[i].e->words.n_words + 1);
    long *at = mz_malloc(n_at * sizeof *at);
    mz_status rc = at ? MZ_OK : mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0, a = 0; !rc && i < n; i++) {
        size_t W = ins[i].e->words.n_words;
        if (!applies(j, &ins[i])) rc = why_not(j, &ins[i], "faithfulness");
        for (int k = 0; !rc && applies(j, &ins[i]) && k < MZ_EXPLAIN_N_METHODS;
             k++, a += 2 * (W + 1))
            if (ins[i].e->word_scores[k]) rc = curve_patterns(at + a, &ps, j, ins, (int)i, k);
    }
    if (!rc) rc = run_patterns(j, &ps, ins);
    for (size_t i = 0, a = 0; !rc && i < n; i++) {
        size_t W = ins[i].e->words.n_words;
        for (int k = 0; !rc && applies(j, &ins[i]) && k < MZ_EXPLAIN_N_METHODS;
             k++, a += 2 * (W + 1))
            if (ins[i].e->word_scores[k]) rc = curves(j, &ins[i], &ps, at + a, k);
    }
    mz_free(at);
    patterns_free(&ps);
    return rc;
}

mz_status xfaithfulness(const xjob *j, xinput *ins, size_t n) {
    mz_status rc = MZ_OK;
    if ((j->o->methods >> MZ_EXPLAIN_OCCLUSION) & 1u) rc = occlusion(j, ins, n);
    if (!rc && j->o->faithfulness) rc = faithfulness(j, ins, n);
    return rc;
}
