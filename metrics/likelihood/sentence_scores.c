/* Sentence scores from the engine's logits: masked-LM pseudo-log-likelihood, causal-LM
 * log-likelihood, and all-unmasked likelihood with its attention weighting. Log-softmax in
 * double, over the full vocabulary row. */
#include "mizani/alloc.h"
#include "mizani/likelihood.h"

#include <math.h>
#include <string.h>

/* log softmax(row)[id] for one vocabulary row of V logits. */
static double log_prob(const float *row, int V, int32_t id) {
    double mx = row[0], sum = 0;
    for (int v = 1; v < V; v++)
        mx = row[v] > mx ? row[v] : mx;
    for (int v = 0; v < V; v++)
        sum += exp(row[v] - mx);
    return row[id] - mx - log(sum);
}

static mz_status run(mz_activations **a, mz_model *m, const int32_t *ids, const int32_t *mask,
                     int B, int T, const char *const *want, int n_want, mz_ctx *ctx) {
    mz_model_batch b = {.B = B, .T = T, .ids = ids, .mask = mask};
    return mz_model_run(a, m, &b, want, n_want, ctx);
}

static int count_scored(const uint8_t *scored, int n) {
    int k = 0;
    for (int i = 0; i < n; i++)
        k += scored[i] != 0;
    return k;
}

mz_status mz_lik_pll(double *score, double *per_token, mz_model *m, const int32_t *ids, int n,
                     const uint8_t *scored, int32_t mask_id, mz_ctx *ctx) {
    int k = count_scored(scored, n), V = mz_model_get_config(m)->vocab, row = 0;
    *score = 0;
    if (per_token) memset(per_token, 0, (size_t)n * sizeof *per_token);
    if (!k) return MZ_OK;
    int32_t *batch = mz_malloc((size_t)k * n * sizeof *batch),
            *mask = mz_malloc((size_t)k * n * sizeof *mask);
    int *at = mz_malloc((size_t)k * sizeof *at);
    if (!batch || !mask || !at) {
        mz_free(batch), mz_free(mask), mz_free(at);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    for (int i = 0; i < n; i++) /* row r: the sentence with its r-th scored token masked */
        if (scored[i]) {
            memcpy(batch + (size_t)row * n, ids, (size_t)n * sizeof *ids);
            batch[(size_t)row * n + i] = mask_id;
            at[row++] = i;
        }
    for (size_t i = 0; i < (size_t)k * n; i++)
        mask[i] = 1;
    mz_activations *a = NULL;
    const char *want[] = {"logits"};
    mz_status rc = run(&a, m, batch, mask, k, n, want, 1, ctx);
    const float *logits = rc ? NULL : mz_activations_get(a, "logits", NULL, NULL); /* [k,n,V] */
    for (int r = 0; logits && r < k; r++) {
        double lp = log_prob(logits + ((size_t)r * n + at[r]) * V, V, ids[at[r]]);
        *score += lp;
        if (per_token) per_token[at[r]] = lp;
    }
    mz_activations_free(a);
    mz_free(batch), mz_free(mask), mz_free(at);
    return rc;
}

static mz_status ones(int32_t **mask, int n, mz_ctx *ctx) {
    if (!(*mask = mz_malloc((size_t)n * sizeof **mask)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int i = 0; i < n; i++)
        (*mask)[i] = 1;
    return MZ_OK;
}

mz_status mz_lik_causal(double *score, double *per_token, mz_model *m, const int32_t *ids, int n,
                        const uint8_t *scored, mz_ctx *ctx) {
    int V = mz_model_get_config(m)->vocab;
    int32_t *mask;
    *score = 0;
    if (per_token) memset(per_token, 0, (size_t)n * sizeof *per_token);
    mz_status rc = ones(&mask, n, ctx);
    if (rc) return rc;
    mz_activations *a = NULL;
    const char *want[] = {"logits"};
    rc = run(&a, m, ids, mask, 1, n, want, 1, ctx);
    const float *logits = rc ? NULL : mz_activations_get(a, "logits", NULL, NULL); /* [1,n,V] */
    for (int i = 1; logits && i < n; i++) /* token i from the prediction at i-1 */
        if (scored[i]) {
            double lp = log_prob(logits + (size_t)(i - 1) * V, V, ids[i]);
            *score += lp;
            if (per_token) per_token[i] = lp;
        }
    mz_activations_free(a);
    mz_free(mask);
    return rc;
}

/* ᾱ_j: the attention token j receives, averaged over layers, heads and query tokens. */
static void attention_received(double *alpha, const mz_activations *a, int L, int H, int n) {
    char name[48];
    memset(alpha, 0, (size_t)n * sizeof *alpha);
    for (int l = 0; l < L; l++) {
        snprintf(name, sizeof name, "layer.%d.attn.probs", l);
        const float *p = mz_activations_get(a, name, NULL, NULL); /* [1,H,n,n] */
        for (size_t i = 0; p && i < (size_t)H * n * n; i++)
            alpha[i % (size_t)n] += p[i];
    }
    for (int j = 0; j < n; j++)
        alpha[j] /= (double)L * H * n;
}

mz_status mz_lik_aul(double *aul, double *aula, mz_model *m, const int32_t *ids, int n,
                     const uint8_t *scored, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    int k = count_scored(scored, n);
    int32_t *mask;
    double *alpha = mz_malloc((size_t)n * sizeof *alpha);
    *aul = *aula = 0;
    mz_status rc = alpha ? ones(&mask, n, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (rc || !k) {
        if (!rc) mz_free(mask);
        mz_free(alpha);
        return rc;
    }
    mz_activations *a = NULL;
    const char *want[] = {"logits", "layer.*.attn.probs"};
    rc = run(&a, m, ids, mask, 1, n, want, 2, ctx);
    const float *logits = rc ? NULL : mz_activations_get(a, "logits", NULL, NULL); /* [1,n,V] */
    if (logits) attention_received(alpha, a, c->n_layers, c->block.n_heads, n);
    for (int i = 0; logits && i < n; i++)
        if (scored[i]) {
            double lp = log_prob(logits + (size_t)i * c->vocab, c->vocab, ids[i]);
            *aul += lp / k;
            *aula += alpha[i] * lp / k;
        }
    mz_activations_free(a);
    mz_free(mask);
    mz_free(alpha);
    return rc;
}

mz_status mz_lik_align(uint8_t *shared_a, uint8_t *shared_b, const int32_t *a, int na,
                       const int32_t *b, int nb, mz_ctx *ctx) {
    /* lcs[i][j]: the longest common subsequence of a[i..] and b[j..] */
    int *lcs = mz_calloc((size_t)(na + 1) * (nb + 1), sizeof *lcs);
    if (!lcs) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    int w = nb + 1;
    for (int i = na - 1; i >= 0; i--)
        for (int j = nb - 1; j >= 0; j--)
            lcs[i * w + j] = a[i] == b[j]
                                 ? lcs[(i + 1) * w + j + 1] + 1
                                 : (lcs[(i + 1) * w + j] > lcs[i * w + j + 1] ? lcs[(i + 1) * w + j]
                                                                              : lcs[i * w + j + 1]);
    memset(shared_a, 0, (size_t)na), memset(shared_b, 0, (size_t)nb);
    for (int i = 0, j = 0; i < na && j < nb;) {
        if (a[i] == b[j])
            shared_a[i++] = shared_b[j++] = 1;
        else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])
            i++;
        else
            j++;
    }
    mz_free(lcs);
    return MZ_OK;
}

mz_status mz_lik_masked_ratio(double *score, mz_model *m, const int32_t *ids, int n,
                              const uint8_t *target, const uint8_t *attribute, int32_t mask_id,
                              mz_ctx *ctx) {
    int V = mz_model_get_config(m)->vocab;
    int32_t *rows = mz_malloc(2 * (size_t)n * sizeof *rows), *mask = NULL;
    *score = 0;
    mz_status rc =
        rows ? ones(&mask, 2 * n, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (rc) {
        mz_free(rows);
        return rc;
    }
    for (int i = 0; i < n; i++) { /* row 0: target masked; row 1: target and attribute masked */
        rows[i] = target[i] ? mask_id : ids[i];
        rows[n + i] = target[i] || attribute[i] ? mask_id : ids[i];
    }
    mz_activations *a = NULL;
    const char *want[] = {"logits"};
    rc = run(&a, m, rows, mask, 2, n, want, 1, ctx);
    const float *logits = rc ? NULL : mz_activations_get(a, "logits", NULL, NULL); /* [2,n,V] */
    for (int i = 0; logits && i < n; i++)
        if (target[i])
            *score += log_prob(logits + (size_t)i * V, V, ids[i]) -
                      log_prob(logits + ((size_t)n + i) * V, V, ids[i]);
    mz_activations_free(a);
    mz_free(rows);
    mz_free(mask);
    return rc;
}

int32_t mz_lik_mask_id(const mz_tokenizer *t) {
    int32_t id = mz_tokenizer_id(t, "[MASK]");
    return id >= 0 ? id : mz_tokenizer_id(t, "<mask>");
}
