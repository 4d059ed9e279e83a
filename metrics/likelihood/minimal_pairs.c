/* CrowS-Pairs-style scoring of minimal pairs: each side tokenized as the model does, the tokens
 * both sides share aligned, each side scored, and the preference for the more stereotypical side
 * summarised per bias category with an exact interval and a sign test. */
#include "mizani/alloc.h"
#include "mizani/likelihood.h"
#include "mizani/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *mz_lik_method_name(mz_lik_method m) {
    static const char *const names[] = {"pll", "aul", "aula", "causal"};
    return m <= MZ_LIK_CAUSAL ? names[m] : "?";
}

typedef struct side {
    mz_encoding e;
    uint8_t *shared, *scored;
} side;

static mz_status check_method(mz_model *m, const mz_tokenizer *t, mz_lik_method method,
                              int32_t *mask_id, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    if (method == MZ_LIK_CAUSAL)
        return mz_model_is_causal(c) && c->has_lm_head
                   ? MZ_OK
                   : mz_fail(ctx, MZ_ERR_USAGE, NULL,
                             "the causal score needs a decoder with an LM head (gpt2); this is %s",
                             c->model_type);
    if (mz_model_is_causal(c) || !c->has_lm_head)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "%s needs an encoder with a masked-LM head; %s %s",
                       mz_lik_method_name(method), c->model_type,
                       mz_model_is_causal(c) ? "is a decoder (use causal)"
                                             : "has no head in this checkpoint");
    *mask_id = mz_lik_mask_id(t);
    return *mask_id >= 0 ? MZ_OK
                         : mz_fail(ctx, MZ_ERR_INPUT, NULL,
                                   "the tokenizer has no mask token ([MASK] or <mask>)");
}

/* Tokens covering bytes [from, to) of the text, specials excluded. */
static int tokens_over(const mz_encoding *e, size_t from, size_t to) {
    int k = 0;
    for (size_t i = 0; i < e->n; i++)
        k += !e->special[i] && e->start[i] < to && e->end[i] > from;
    return k;
}

static double scored_count(const side *s) {
    double k = 0;
    for (size_t i = 0; i < s->e.n; i++)
        k += s->scored[i];
    return k ? k : 1;
}

static mz_status score_side(double *score, side *s, mz_model *m, mz_lik_method method,
                            int32_t mask_id, mz_ctx *ctx) {
    int n = (int)s->e.n;
    double other;               /* AUL and AULA come from one pass; the one not asked for */
    for (int i = 0; i < n; i++) /* AUL scores every token; PLL and causal the unmodified ones */
        s->scored[i] =
            !s->e.special[i] && (method == MZ_LIK_AUL || method == MZ_LIK_AULA || s->shared[i]);
    switch (method) {
    case MZ_LIK_PLL: return mz_lik_pll(score, NULL, m, s->e.ids, n, s->scored, mask_id, ctx);
    case MZ_LIK_CAUSAL: return mz_lik_causal(score, NULL, m, s->e.ids, n, s->scored, ctx);
    case MZ_LIK_AUL: return mz_lik_aul(score, &other, m, s->e.ids, n, s->scored, ctx);
    default: return mz_lik_aul(&other, score, m, s->e.ids, n, s->scored, ctx);
    }
}

static mz_status encode(side *s, const mz_tokenizer *t, const char *text, mz_ctx *ctx) {
    mz_status rc = mz_tokenizer_encode(&s->e, t, text, strlen(text), 1, ctx);
    if (rc) return rc;
    mz_free(s->shared), mz_free(s->scored);
    s->shared = mz_malloc(s->e.n + 1), s->scored = mz_malloc(s->e.n + 1);
    return s->shared && s->scored ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

static mz_status score_pair(mz_pair_score *out, const mz_minimal_pair *p, side s[2], mz_model *m,
                            const mz_tokenizer *t, mz_lik_method method, int32_t mask_id,
                            mz_ctx *ctx) {
    mz_status rc = encode(&s[0], t, p->more, ctx);
    if (!rc) rc = encode(&s[1], t, p->less, ctx);
    if (!rc)
        rc = mz_lik_align(s[0].shared, s[1].shared, s[0].e.ids, (int)s[0].e.n, s[1].e.ids,
                          (int)s[1].e.n, ctx);
    if (!rc) rc = score_side(&out->more, &s[0], m, method, mask_id, ctx);
    if (!rc) rc = score_side(&out->less, &s[1], m, method, mask_id, ctx);
    if (rc) return mz_fail(ctx, mz_ctx_status(ctx), NULL, "pair %s: %s", p->id, mz_ctx_cause(ctx));
    out->pair = p;
    out->more_norm = out->more / scored_count(&s[0]);
    out->less_norm = out->less / scored_count(&s[1]);
    out->tokens_more = (int)s[0].e.n, out->tokens_less = (int)s[1].e.n;
    out->target_tokens_more =
        tokens_over(&s[0].e, p->span_start, p->span_start + strlen(p->target_more));
    out->target_tokens_less =
        tokens_over(&s[1].e, p->span_start, p->span_start + strlen(p->target_less));
    out->prefers_more = out->more > out->less;
    out->split_mismatch = out->target_tokens_more != out->target_tokens_less;
    return MZ_OK;
}

static mz_status summarise(mz_pair_summary *s, const mz_pairs_result *r, const char *category,
                           double level, mz_ctx *ctx) {
    memset(s, 0, sizeof *s);
    snprintf(s->category, sizeof s->category, "%s", category ? category : "all");
    for (size_t i = 0; i < r->n_scores; i++)
        if (!category || !strcmp(r->scores[i].pair->category, category)) {
            s->n++;
            s->prefers_more += (unsigned long)r->scores[i].prefers_more;
            s->split_mismatches += (unsigned long)r->scores[i].split_mismatch;
        }
    s->rate = s->n ? (double)s->prefers_more / s->n : 0;
    mz_status rc = mz_stats_binom_ci_exact(&s->ci_lo, &s->ci_hi, s->prefers_more, s->n, level, ctx);
    return rc ? rc : mz_stats_sign_test(&s->p_value, s->prefers_more, s->n, ctx);
}

/* Categories in order of first appearance, then "all"; Holm across the categories. */
static mz_status summaries(mz_pairs_result *r, const mz_probe_set *set, double level, mz_ctx *ctx) {
    const char *cats[64];
    size_t nc = 0;
    for (size_t i = 0; i < set->n_pairs; i++) {
        size_t j = 0;
        while (j < nc && strcmp(cats[j], set->pairs[i].category))
            j++;
        if (j == nc && nc < 64) cats[nc++] = set->pairs[i].category;
    }
    if (!(r->summaries = mz_calloc(nc + 1, sizeof *r->summaries)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i <= nc; i++)
        rc = summarise(&r->summaries[i], r, i < nc ? cats[i] : NULL, level, ctx);
    r->n_summaries = rc ? 0 : nc + 1;
    double p[64], adj[64];
    for (size_t i = 0; i < nc; i++)
        p[i] = r->summaries[i].p_value;
    if (!rc && nc) rc = mz_stats_holm(adj, p, nc, ctx);
    for (size_t i = 0; !rc && i < nc; i++)
        r->summaries[i].p_holm = adj[i];
    if (!rc) r->summaries[nc].p_holm = r->summaries[nc].p_value;
    return rc;
}

mz_status mz_lik_pairs(mz_pairs_result *out, mz_model *m, const mz_tokenizer *t,
                       const mz_probe_set *set, mz_lik_method method, double ci_level,
                       mz_progress *progress, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    out->method = method;
    int32_t mask_id = -1;
    if (set->kind != MZ_PROBE_MINIMAL_PAIRS || !set->n_pairs)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "the probe set holds no minimal pairs");
    mz_status rc = check_method(m, t, method, &mask_id, ctx);
    if (!rc && !(out->scores = mz_calloc(set->n_pairs, sizeof *out->scores)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    side s[2] = {0};
    for (size_t i = 0; !rc && i < set->n_pairs; i++) {
        rc = score_pair(&out->scores[i], &set->pairs[i], s, m, t, method, mask_id, ctx);
        out->n_scores += !rc;
        mz_progress_add(progress, 1);
    }
    for (int k = 0; k < 2; k++)
        mz_encoding_clear(&s[k].e), mz_free(s[k].shared), mz_free(s[k].scored);
    if (!rc) rc = summaries(out, set, ci_level, ctx);
    if (rc) mz_pairs_result_free(out);
    return rc;
}

void mz_pairs_result_free(mz_pairs_result *r) {
    mz_free(r->scores);
    mz_free(r->summaries);
    memset(r, 0, sizeof *r);
}

mz_status mz_lik_pairs_change(mz_pairs_change *out, const mz_pairs_result *before,
                              const mz_pairs_result *after, mz_ctx *ctx) {
    if (before->n_scores != after->n_scores || before->n_summaries != after->n_summaries)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "the two results score different pairs");
    for (size_t i = 0; i < after->n_scores; i++)
        if (strcmp(before->scores[i].pair->id, after->scores[i].pair->id))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL, "pair %s is not %s", before->scores[i].pair->id,
                           after->scores[i].pair->id);
    size_t k = after->n_summaries;
    double *p = mz_malloc((k ? k : 1) * sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_status rc = MZ_OK;
    for (size_t s = 0; !rc && s < k; s++) {
        mz_pairs_change *o = &out[s];
        const char *cat = after->summaries[s].category;
        int all = s + 1 == k;
        memset(o, 0, sizeof *o);
        snprintf(o->category, sizeof o->category, "%s", cat);
        for (size_t i = 0; i < after->n_scores; i++) {
            const mz_pair_score *x = &before->scores[i], *y = &after->scores[i];
            if (!all && strcmp(y->pair->category, cat)) continue;
            o->n++;
            o->b += x->prefers_more && !y->prefers_more;
            o->c += !x->prefers_more && y->prefers_more;
        }
        o->rate_before = before->summaries[s].rate, o->rate_after = after->summaries[s].rate;
        rc = mz_stats_sign_test(&o->p_value, o->c, o->b + o->c, ctx);
        p[s] = all ? NAN : o->p_value; /* Holm across the categories, not "all" */
    }
    if (!rc) rc = mz_stats_holm_present(p, p, k, ctx);
    for (size_t s = 0; !rc && s < k; s++)
        out[s].p_holm = s + 1 == k ? out[s].p_value : p[s];
    mz_free(p);
    return rc;
}
