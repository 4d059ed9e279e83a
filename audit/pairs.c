/* CrowS-Pairs-style scoring of minimal pairs: each side tokenized as the model does, the tokens
 * both sides share aligned, each side scored through the likelihood runner; the summaries and
 * their statistics come from metrics/likelihood. */
#include "mizani/alloc.h"
#include "mizani/likelihood_run.h"
#include "mizani/strmap.h"

#include <stdio.h>
#include <string.h>

typedef struct side {
    mz_encoding e;
    uint8_t *shared, *scored;
} side;

static mz_status check_method(const mz_model_config *c, const mz_tokenizer *t, mz_lik_method method,
                              int32_t *mask_id, mz_ctx *ctx) {
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

static mz_status score_side(double *score, double *per_token, side *s, mz_lik_runner *r,
                            mz_lik_method method, int32_t mask_id, mz_ctx *ctx) {
    int n = (int)s->e.n;
    double other;               /* AUL and AULA come from one pass; the one not asked for */
    for (int i = 0; i < n; i++) /* AUL scores every token; PLL and causal the unmodified ones */
        s->scored[i] =
            !s->e.special[i] && (method == MZ_LIK_AUL || method == MZ_LIK_AULA || s->shared[i]);
    switch (method) {
    case MZ_LIK_PLL: return mz_lik_pll(score, per_token, r, s->e.ids, n, s->scored, mask_id, ctx);
    case MZ_LIK_CAUSAL: return mz_lik_causal(score, per_token, r, s->e.ids, n, s->scored, ctx);
    case MZ_LIK_AUL: return mz_lik_aul(score, &other, per_token, r, s->e.ids, n, s->scored, ctx);
    default: return mz_lik_aul(&other, score, per_token, r, s->e.ids, n, s->scored, ctx);
    }
}

static mz_status encode(side *s, const mz_tokenizer *t, const char *text, mz_ctx *ctx) {
    mz_status rc = mz_tokenizer_encode(&s->e, t, text, strlen(text), 1, ctx);
    if (rc) return rc;
    mz_free(s->shared), mz_free(s->scored);
    s->shared = mz_malloc(s->e.n + 1), s->scored = mz_malloc(s->e.n + 1);
    return s->shared && s->scored ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

static void count_tokens(mz_pair_score *out, const mz_minimal_pair *p, const side s[2]) {
    out->tokens_more = (int)s[0].e.n, out->tokens_less = (int)s[1].e.n;
    out->target_tokens_more =
        tokens_over(&s[0].e, p->span_start, p->span_start + strlen(p->target_more));
    out->target_tokens_less =
        tokens_over(&s[1].e, p->span_start, p->span_start + strlen(p->target_less));
    out->split_mismatch = out->target_tokens_more != out->target_tokens_less;
    out->count_mismatch = out->tokens_more != out->tokens_less;
}

/* The unshared token ids of each side, in order, the sides kept apart, hashed. */
static void contrast(mz_pair_score *out, const side s[2]) {
    uint64_t h = MZ_FNV1A_BASIS;
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < s[k].e.n; i++)
            if (!s[k].shared[i] && !s[k].e.special[i])
                h = mz_fnv1a(h, &s[k].e.ids[i], sizeof s[k].e.ids[i]);
        h = mz_fnv1a(h, "|", 1); /* the sides' boundary */
    }
    snprintf(out->contrast, sizeof out->contrast, "%016llx", (unsigned long long)h);
}

/* A pair's two sides, tokenized before the parallel scoring (the tokenizer runs on one
 * thread). */
typedef struct pairs_job {
    const mz_probe_set *set;
    mz_pair_score *scores;
    side (*sides)[2];
    mz_lik_method method;
    int32_t mask_id;
    int fits; /* the model's positions */
} pairs_job;

static mz_status prepare(pairs_job *j, size_t i, const mz_tokenizer *t, mz_ctx *ctx) {
    const mz_minimal_pair *p = &j->set->pairs[i];
    mz_pair_score *out = &j->scores[i];
    side *s = j->sides[i];
    out->pair = p;
    mz_status rc = encode(&s[0], t, p->more, ctx);
    if (!rc) rc = encode(&s[1], t, p->less, ctx);
    if (rc) return rc;
    count_tokens(out, p, s);
    if (out->tokens_more > j->fits || out->tokens_less > j->fits) { /* not computable; go on */
        snprintf(out->reason, sizeof out->reason, "%d and %d tokens; the model takes at most %d",
                 out->tokens_more, out->tokens_less, j->fits);
        return MZ_OK;
    }
    out->per_token_more = mz_calloc((size_t)out->tokens_more + 1, sizeof(double));
    out->per_token_less = mz_calloc((size_t)out->tokens_less + 1, sizeof(double));
    if (!out->per_token_more || !out->per_token_less)
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    out->computable = 1;
    rc = mz_lik_align(s[0].shared, s[1].shared, s[0].e.ids, (int)s[0].e.n, s[1].e.ids,
                      (int)s[1].e.n, ctx);
    if (!rc) contrast(out, s);
    return rc;
}

static mz_status score_pair(size_t i, mz_lik_runner *r, void *user, mz_ctx *ctx) {
    pairs_job *j = user;
    mz_pair_score *out = &j->scores[i];
    side *s = j->sides[i];
    if (!out->computable) return MZ_OK;
    mz_status rc =
        score_side(&out->more, out->per_token_more, &s[0], r, j->method, j->mask_id, ctx);
    if (!rc) rc = score_side(&out->less, out->per_token_less, &s[1], r, j->method, j->mask_id, ctx);
    if (rc) { /* the cause copied first: mz_fail clears the context it writes into */
        char cause[512];
        snprintf(cause, sizeof cause, "%s", mz_ctx_cause(ctx));
        return mz_fail(ctx, rc, NULL, "pair %s: %s", out->pair->id, cause);
    }
    out->more_norm = out->more / scored_count(&s[0]);
    out->less_norm = out->less / scored_count(&s[1]);
    out->prefers_more = out->more > out->less;
    return MZ_OK;
}

mz_status mz_lik_pairs(mz_pairs_result *out, const mz_model *m, const mz_tokenizer *t,
                       const mz_probe_set *set, mz_lik_method method, const mz_pairs_options *o,
                       mz_progress *progress, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    out->method = method;
    const mz_model_config *c = mz_model_get_config(m);
    pairs_job j = {.set = set, .method = method, .fits = c->max_pos - c->pos_offset};
    if (set->kind != MZ_PROBE_MINIMAL_PAIRS || !set->n_pairs)
        return mz_fail(ctx, MZ_ERR_INPUT, set->path, "the probe set holds no minimal pairs");
    mz_status rc = check_method(c, t, method, &j.mask_id, ctx);
    if (!rc && (!(out->scores = mz_calloc(set->n_pairs, sizeof *out->scores)) ||
                !(j.sides = mz_calloc(set->n_pairs, sizeof *j.sides))))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    j.scores = out->scores;
    out->n_scores = rc ? 0 : set->n_pairs;
    for (size_t i = 0; !rc && i < set->n_pairs; i++)
        rc = prepare(&j, i, t, ctx);
    if (!rc) rc = mz_lik_for_each(m, set->n_pairs, score_pair, &j, progress, ctx);
    for (size_t i = 0; j.sides && i < set->n_pairs; i++)
        for (int k = 0; k < 2; k++)
            mz_encoding_clear(&j.sides[i][k].e), mz_free(j.sides[i][k].shared),
                mz_free(j.sides[i][k].scored);
    mz_free(j.sides);
    for (size_t i = 0; !rc && i < out->n_scores; i++)
        out->n_computable += out->scores[i].computable != 0;
    if (!rc) rc = mz_lik_pairs_summarise(out, set, o, ctx);
    if (rc) mz_pairs_result_free(out);
    return rc;
}

mz_lik_method mz_lik_default_method(const mz_model *m) {
    return mz_model_is_causal(mz_model_get_config(m)) ? MZ_LIK_CAUSAL : MZ_LIK_PLL;
}

int mz_lik_pairs_parallel(const mz_probe_set *a, const mz_probe_set *b) {
    if (!a->language || !b->language || !strcmp(a->language, b->language) || !a->n_pairs ||
        !b->n_pairs)
        return 0;
    const char *x = strchr(a->pairs[0].id, '-'), *y = strchr(b->pairs[0].id, '-');
    return x && y && !strcmp(x, y);
}

/* The language differences of every parallel two of the suite's sets. */
static mz_status languages(mz_pairs_suite *s, const mz_pairs_options *o, mz_ctx *ctx) {
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = i + 1; j < s->n; j++) {
            if (!mz_lik_pairs_parallel(s->sets[i], s->sets[j])) continue;
            mz_pairs_languages *l =
                mz_realloc(s->languages, (s->n_languages + 1) * sizeof *s->languages);
            if (!l) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            s->languages = l;
            l = &s->languages[s->n_languages++];
            *l = (mz_pairs_languages){i, j, NULL, 0};
            l->d = mz_calloc(s->results[i].n_summaries + 1, sizeof *l->d);
            if (!l->d) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            mz_status rc =
                mz_lik_pairs_language_diff(l->d, &l->n, &s->results[i], &s->results[j], o, ctx);
            if (rc) return rc;
        }
    return MZ_OK;
}

mz_status mz_lik_pairs_suite(mz_pairs_suite *out, const mz_model *m, const mz_tokenizer *t,
                             mz_probe_set *const *sets, size_t n, mz_lik_method method,
                             const mz_pairs_options *o, mz_progress *progress, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    out->sets = sets;
    if (!(out->results = mz_calloc(n + 1, sizeof *out->results)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    uint64_t total = 0; /* the progress counts pairs */
    for (size_t i = 0; i < n; i++)
        total += sets[i]->n_pairs;
    mz_progress_set_total(progress, total);
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mz_lik_pairs(&out->results[i], m, t, sets[i], method, o, progress, ctx);
        if (!rc) out->n = i + 1, out->n_computable += out->results[i].n_computable;
    }
    if (!rc) rc = languages(out, o, ctx);
    if (rc) mz_pairs_suite_free(out);
    return rc;
}

void mz_pairs_suite_free(mz_pairs_suite *s) {
    for (size_t i = 0; s->results && i < s->n; i++)
        mz_pairs_result_free(&s->results[i]);
    for (size_t i = 0; i < s->n_languages; i++)
        mz_free(s->languages[i].d);
    mz_free(s->results), mz_free(s->languages);
    memset(s, 0, sizeof *s);
}
