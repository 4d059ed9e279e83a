/* Minimal pairs explained: each sentence's score (as `mizani pairs` computes it, over the tokens
 * the two sentences share) attributed on its own input, since Integrated Gradients explains one
 * input at a time, and the two sentences' words aligned for reading side by side. */
#include "explain_internal.h"
#include "mizani/alloc.h"
#include "mizani/likelihood.h"

#include <stdio.h>
#include <string.h>

void mz_pair_explanation_clear(mz_pair_explanation *p) {
    mz_explanation_clear(&p->side[0]);
    mz_explanation_clear(&p->side[1]);
    mz_free(p->aligned);
    memset(p, 0, sizeof *p);
}

/* The first token of each word. */
static int first_token(const mz_attr_words *w, size_t word) {
    for (size_t t = 0; t < w->n_tokens; t++)
        if (w->word_of[t] == (int32_t)word) return (int)t;
    return -1;
}

/* partner[t] of a's token t: its aligned token in b (the k-th shared token of a goes with the
 * k-th of b, as the longest common subsequence pairs them), -1 when not shared. */
static void partners(int *partner, const uint8_t *sa, size_t na, const uint8_t *sb, size_t nb) {
    size_t j = 0;
    for (size_t i = 0; i < na; i++) {
        partner[i] = -1;
        if (!sa[i]) continue;
        while (j < nb && !sb[j])
            j++;
        if (j < nb) partner[i] = (int)j++;
    }
}

/* Rows in reading order: aligned words together, the others alone where they stand. */
static mz_status align_words(mz_pair_explanation *p, const int *partner, mz_ctx *ctx) {
    const mz_attr_words *a = &p->side[0].words, *b = &p->side[1].words;
    size_t cap = a->n_words + b->n_words + 1, nb = 0;
    if (!(p->aligned = mz_malloc(cap * sizeof *p->aligned)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t wa = 0; wa < a->n_words; wa++) {
        int ta = first_token(a, wa), tb = ta >= 0 ? partner[ta] : -1;
        int wb = tb >= 0 ? b->word_of[tb] : -1;
        if (wb < (int)nb) wb = -1; /* a word of b used already, or none */
        while (wb >= 0 && nb < (size_t)wb)
            p->aligned[p->n_aligned][0] = -1, p->aligned[p->n_aligned++][1] = (int)nb++;
        p->aligned[p->n_aligned][0] = (int)wa, p->aligned[p->n_aligned++][1] = wb;
        if (wb >= 0) nb++;
    }
    while (nb < b->n_words)
        p->aligned[p->n_aligned][0] = -1, p->aligned[p->n_aligned++][1] = (int)nb++;
    return MZ_OK;
}

typedef struct pair_sides {
    mz_encoding e[2];
    uint8_t *shared[2], *scored[2];
    int *partner;
} pair_sides;

static void sides_free(pair_sides *s) {
    for (int k = 0; k < 2; k++)
        mz_encoding_clear(&s->e[k]), mz_free(s->shared[k]), mz_free(s->scored[k]);
    mz_free(s->partner);
    memset(s, 0, sizeof *s);
}

static mz_status prepare_pair(xinput in[2], mz_pair_explanation *out, const xjob *j,
                              const mz_minimal_pair *p, const char *label) {
    pair_sides s = {0};
    const char *text[2] = {p->more, p->less}, *side[2] = {"more", "less"};
    char lab[2][320];
    mz_status rc = MZ_OK;
    out->pair = p;
    for (int k = 0; !rc && k < 2; k++) {
        snprintf(lab[k], sizeof lab[k], "%s: pair %s (%s)", label, p->id, side[k]);
        rc = mz_tokenizer_encode(&s.e[k], j->t, text[k], strlen(text[k]), 1, j->ctx);
        if (rc) rc = xrelabel(j, rc, lab[k]);
        s.shared[k] = rc ? NULL : mz_malloc(s.e[k].n + 1);
        s.scored[k] = rc ? NULL : mz_malloc(s.e[k].n + 1);
        if (!rc && (!s.shared[k] || !s.scored[k]))
            rc = mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    if (!rc)
        rc = mz_lik_align(s.shared[0], s.shared[1], s.e[0].ids, (int)s.e[0].n, s.e[1].ids,
                          (int)s.e[1].n, j->ctx);
    for (int k = 0; !rc && k < 2; k++) {
        for (size_t i = 0; i < s.e[k].n; i++) /* as mizani pairs scores: shared, not special */
            s.scored[k][i] = s.shared[k][i] && !s.e[k].special[i];
        rc = xinput_sentence(&in[k], &out->side[k], j, text[k], lab[k], &s.e[k], s.scored[k]);
    }
    if (!rc && !(s.partner = mz_malloc((s.e[0].n + 1) * sizeof *s.partner)))
        rc = mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) {
        partners(s.partner, s.shared[0], s.e[0].n, s.shared[1], s.e[1].n);
        rc = align_words(out, s.partner, j->ctx);
    }
    sides_free(&s);
    return rc;
}

mz_status mz_explain_pairs(mz_pair_explanation *out, const mz_model *m, const mz_tokenizer *t,
                           const mz_minimal_pair *pairs, size_t n, const char *label,
                           const mz_explain_options *opt, mz_ctx *ctx) {
    mz_explain_options o = *opt; /* a sentence's own score: no target word */
    o.target = o.contrast = o.continuation = NULL;
    xjob j;
    memset(out, 0, n * sizeof *out);
    xinput *ins = mz_calloc(2 * n + 1, sizeof *ins);
    mz_status rc =
        ins ? xjob_init(&j, m, t, &o, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        rc = prepare_pair(ins + 2 * i, &out[i], &j, &pairs[i], label);
    if (!rc) rc = xexplain(&j, ins, 2 * n);
    for (size_t i = 0; ins && i < 2 * n; i++)
        xinput_clear(&ins[i]);
    for (size_t i = 0; rc && i < n; i++)
        mz_pair_explanation_clear(&out[i]);
    if (ins) xjob_free(&j);
    mz_free(ins);
    return rc;
}
