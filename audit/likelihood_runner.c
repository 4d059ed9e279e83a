/* The one place the likelihood tests run the model. Each scorer builds a batch of token rows
 * and flags the positions whose prediction it needs; score_rows runs the engine with the LM
 * head on those rows alone ([M,V] logits, not [rows x tokens x V]) and hands the logits to the
 * pure log-softmax of metrics/likelihood. One run context serves every pass of a runner. */
#include "mizani/alloc.h"
#include "mizani/likelihood_run.h"
#include "mizani/runner.h"

#include <stdio.h>
#include <string.h>

struct mz_lik_runner {
    const mz_model *m;
    mz_run *run;
    int32_t *rows, *mask, *want; /* [cap] scratch of the batch being built */
    uint8_t *flags;
    double *logp;
    size_t cap;
};

mz_status mz_lik_runner_new(mz_lik_runner **out, const mz_model *m, mz_ctx *ctx) {
    mz_lik_runner *r = mz_calloc(1, sizeof *r);
    *out = NULL;
    if (!r) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    r->m = m;
    mz_status rc = mz_run_new(&r->run, m, ctx);
    if (rc) {
        mz_free(r);
        return rc;
    }
    *out = r;
    return MZ_OK;
}

void mz_lik_runner_free(mz_lik_runner *r) {
    if (!r) return;
    mz_run_free(r->run);
    mz_free(r->rows), mz_free(r->mask), mz_free(r->want), mz_free(r->flags), mz_free(r->logp);
    mz_free(r);
}

const mz_model_config *mz_lik_runner_config(const mz_lik_runner *r) {
    return mz_model_get_config(r->m);
}

/* Room for a batch of n tokens, every mask entry 1 and no flag set. */
static mz_status reserve(mz_lik_runner *r, size_t n, mz_ctx *ctx) {
    if (n > r->cap) {
        mz_free(r->rows), mz_free(r->mask), mz_free(r->want), mz_free(r->flags), mz_free(r->logp);
        r->rows = mz_malloc(n * sizeof *r->rows), r->mask = mz_malloc(n * sizeof *r->mask);
        r->want = mz_malloc(n * sizeof *r->want), r->flags = mz_malloc(n);
        r->logp = mz_malloc(n * sizeof *r->logp);
        r->cap = r->rows && r->mask && r->want && r->flags && r->logp ? n : 0;
        if (!r->cap) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        r->mask[i] = 1;
    memset(r->flags, 0, n);
    return MZ_OK;
}

/* Runs r->rows [B,T] with the LM head on the M flagged positions; r->logp[m] becomes the
 * log-probability of r->want[m] there (batch order). alpha (B = 1; may be NULL) gets the
 * attention each token receives. */
static mz_status score_rows(mz_lik_runner *r, int B, int T, int M, double *alpha, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(r->m);
    mz_model_batch b = {.B = B, .T = T, .ids = r->rows, .mask = r->mask, .outputs = r->flags};
    const char *want[] = {"logits", "layer.*.attn.probs"};
    mz_activations *a = NULL;
    mz_status rc = mz_run_forward(&a, r->run, &b, want, alpha ? 2 : 1, ctx);
    int shape[4], nd = 0;
    const float *logits = rc ? NULL : mz_activations_get(a, "logits", shape, &nd); /* [M,V] */
    if (!rc && (!logits || nd != 2 || shape[0] != M))
        rc = mz_fail(ctx, MZ_ERR_INTERNAL, NULL, "the model returned no [%d,V] logits", M);
    if (!rc) rc = mz_lik_log_probs(r->logp, logits, r->want, M, c->vocab, ctx);
    if (!rc && alpha) {
        const float *probs[256];
        char name[48];
        int L = c->n_layers < 256 ? c->n_layers : 256;
        for (int l = 0; l < L; l++) {
            snprintf(name, sizeof name, "layer.%d.attn.probs", l);
            probs[l] = mz_activations_get(a, name, NULL, NULL); /* [1,H,T,T] */
        }
        mz_lik_attention_received(alpha, probs, L, c->block.n_heads, T);
    }
    mz_activations_free(a);
    return rc;
}

static int count_scored(const uint8_t *scored, int n) {
    int k = 0;
    for (int i = 0; i < n; i++)
        k += scored[i] != 0;
    return k;
}

/* Adds the per-position log-probabilities to *score, and to per_token at position at[m]. */
static void collect(double *score, double *per_token, const double *logp, const int *at, int M) {
    for (int m = 0; m < M; m++) {
        *score += logp[m];
        if (per_token) per_token[at[m]] = logp[m];
    }
}

static mz_status positions(int **at, int n, mz_ctx *ctx) {
    *at = mz_malloc((size_t)(n ? n : 1) * sizeof **at);
    return *at ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

mz_status mz_lik_pll(double *score, double *per_token, mz_lik_runner *r, const int32_t *ids, int n,
                     const uint8_t *scored, int32_t mask_id, mz_ctx *ctx) {
    int k = count_scored(scored, n), row = 0, *at = NULL;
    *score = 0;
    if (per_token) memset(per_token, 0, (size_t)n * sizeof *per_token);
    if (!k) return MZ_OK;
    mz_status rc = reserve(r, (size_t)k * n, ctx);
    if (!rc) rc = positions(&at, k, ctx);
    for (int i = 0; !rc && i < n; i++) /* row r: the sentence with its r-th scored token masked */
        if (scored[i]) {
            int32_t *dst = r->rows + (size_t)row * n;
            memcpy(dst, ids, (size_t)n * sizeof *ids);
            dst[i] = mask_id;
            r->flags[(size_t)row * n + i] = 1;
            r->want[row] = ids[i];
            at[row++] = i;
        }
    if (!rc) rc = score_rows(r, k, n, k, NULL, ctx);
    if (!rc) collect(score, per_token, r->logp, at, k);
    mz_free(at);
    return rc;
}

mz_status mz_lik_causal(double *score, double *per_token, mz_lik_runner *r, const int32_t *ids,
                        int n, const uint8_t *scored, mz_ctx *ctx) {
    int M = 0, *at = NULL;
    *score = 0;
    if (per_token) memset(per_token, 0, (size_t)n * sizeof *per_token);
    mz_status rc = reserve(r, (size_t)n, ctx);
    if (!rc) rc = positions(&at, n, ctx);
    if (!rc) memcpy(r->rows, ids, (size_t)n * sizeof *ids);
    for (int i = 1; !rc && i < n; i++) /* token i from the prediction at i - 1 */
        if (scored[i]) {
            r->flags[i - 1] = 1;
            r->want[M] = ids[i];
            at[M++] = i;
        }
    if (!rc && M) rc = score_rows(r, 1, n, M, NULL, ctx);
    if (!rc) collect(score, per_token, r->logp, at, M);
    mz_free(at);
    return rc;
}

mz_status mz_lik_aul(double *aul, double *aula, double *per_token, mz_lik_runner *r,
                     const int32_t *ids, int n, const uint8_t *scored, mz_ctx *ctx) {
    int M = 0, *at = NULL;
    double *lp = mz_calloc((size_t)n, sizeof *lp), *alpha = mz_calloc((size_t)n, sizeof *alpha),
           unused = 0;
    *aul = *aula = 0;
    if (per_token) memset(per_token, 0, (size_t)n * sizeof *per_token);
    mz_status rc = lp && alpha ? reserve(r, (size_t)n, ctx)
                               : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = positions(&at, n, ctx);
    if (!rc) memcpy(r->rows, ids, (size_t)n * sizeof *ids);
    for (int i = 0; !rc && i < n; i++)
        if (scored[i]) {
            r->flags[i] = 1;
            r->want[M] = ids[i];
            at[M++] = i;
        }
    if (!rc && M) rc = score_rows(r, 1, n, M, alpha, ctx);
    if (!rc) collect(&unused, lp, r->logp, at, M);
    if (!rc) mz_lik_aul_combine(aul, aula, lp, alpha, scored, n);
    if (!rc && per_token) memcpy(per_token, lp, (size_t)n * sizeof *lp);
    mz_free(at), mz_free(lp), mz_free(alpha);
    return rc;
}

/* Row a's prior (target and attribute masked) is row b's: the same length, target tokens and
 * masked positions, and the same ids everywhere else. */
static int same_prior(const mz_lik_template_row *a, const mz_lik_template_row *b) {
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++) {
        int ma = a->target[i] || a->attribute[i], mb = b->target[i] || b->attribute[i];
        if (a->target[i] != b->target[i] || ma != mb) return 0;
        if ((a->target[i] || !ma) && a->ids[i] != b->ids[i]) return 0;
    }
    return 1;
}

/* Writes row b of the batch [B,T]: the sentence with its target (and, for a prior, its
 * attribute) masked, the target's tokens flagged; padding masked out. Returns the flag count. */
static int put_row(mz_lik_runner *r, int b, int T, const mz_lik_template_row *x, int prior,
                   int32_t mask_id, int M) {
    int32_t *ids = r->rows + (size_t)b * T, *mask = r->mask + (size_t)b * T;
    uint8_t *flags = r->flags + (size_t)b * T;
    int k = 0;
    for (int i = 0; i < T; i++) {
        if (i >= x->n) {
            ids[i] = 0, mask[i] = 0;
            continue;
        }
        ids[i] = x->target[i] || (prior && x->attribute[i]) ? mask_id : x->ids[i];
        if (x->target[i]) flags[i] = 1, r->want[M + k++] = x->ids[i];
    }
    return k;
}

mz_status mz_lik_masked_ratios(double *scores, mz_lik_runner *r, const mz_lik_template_row *rows,
                               int count, int32_t mask_id, mz_ctx *ctx) {
    int T = 1, P = 0, M = 0;
    if (count <= 0) return MZ_OK;
    /* [count] each: the row's prior, its first flag, its flag count, and each prior's first */
    int *prior = mz_malloc((size_t)(4 * count + 1) * sizeof *prior), *at = prior + count,
        *k = at + count, *pat = k + count;
    if (!prior) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int i = 0; i < count; i++) {
        T = rows[i].n > T ? rows[i].n : T;
        int j = 0;
        while (j < i && !same_prior(&rows[i], &rows[j]))
            j++;
        prior[i] = j < i ? prior[j] : P++;
    }
    mz_status rc = reserve(r, (size_t)(count + P) * T, ctx);
    for (int i = 0; !rc && i < count; i++)
        at[i] = M, M += k[i] = put_row(r, i, T, &rows[i], 0, mask_id, M);
    for (int i = 0, p = 0; !rc && i < count; i++)
        if (prior[i] == p) /* the first row with this prior writes it */
            pat[p] = M, M += put_row(r, count + p, T, &rows[i], 1, mask_id, M), p++;
    if (!rc && M) rc = score_rows(r, count + P, T, M, NULL, ctx);
    for (int i = 0; !rc && i < count; i++) {
        scores[i] = 0;
        for (int m = 0; m < k[i]; m++)
            scores[i] += r->logp[at[i] + m] - r->logp[pat[prior[i]] + m];
    }
    mz_free(prior);
    return rc;
}

int32_t mz_lik_mask_id(const mz_tokenizer *t) {
    int32_t id = mz_tokenizer_id(t, "[MASK]");
    return id >= 0 ? id : mz_tokenizer_id(t, "<mask>");
}

typedef struct each {
    const mz_model *m;
    mz_lik_item_fn fn;
    void *user;
} each;

static mz_status runner_new(void **state, void *user, mz_ctx *ctx) {
    return mz_lik_runner_new((mz_lik_runner **)state, ((each *)user)->m, ctx);
}

static void runner_free(void *state) { mz_lik_runner_free(state); }

static mz_status run_item(size_t i, void *state, void *user, mz_ctx *ctx) {
    each *e = user;
    return e->fn(i, state, e->user, ctx);
}

mz_status mz_lik_for_each(const mz_model *m, size_t n, mz_lik_item_fn fn, void *user,
                          mz_progress *progress, mz_ctx *ctx) {
    each e = {m, fn, user};
    return mz_for_each_item(n, runner_new, runner_free, run_item, &e, progress, ctx);
}
