/* Sentence scores from arrays a model run produced: log-softmax of logits rows in double over
 * the full vocabulary, the attention each token receives (AULA), and the alignment of the
 * tokens two sentences share. Sums run in a fixed order, so a score does not depend on how
 * the run was split over threads. */
#include "mizani/alloc.h"
#include "mizani/likelihood.h"

#include <math.h>
#include <string.h>

const char *mz_lik_method_name(mz_lik_method m) {
    static const char *const names[] = {"pll", "aul", "aula", "causal"};
    return m <= MZ_LIK_CAUSAL ? names[m] : "?";
}

double mz_lik_log_prob(const float *row, int V, int32_t id) {
    double mx = row[0], sum = 0;
    for (int v = 1; v < V; v++)
        mx = row[v] > mx ? row[v] : mx;
    for (int v = 0; v < V; v++)
        sum += exp(row[v] - mx);
    return isfinite(mx) && isfinite(sum) ? row[id] - mx - log(sum) : NAN;
}

mz_status mz_lik_log_probs(double *out, const float *logits, const int32_t *ids, int M, int V,
                           mz_ctx *ctx) {
    for (int m = 0; m < M; m++) {
        out[m] = mz_lik_log_prob(logits + (size_t)m * V, V, ids[m]);
        if (!isfinite(out[m]))
            return mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                           "non-finite scores from the model: the log-probability of token id %d "
                           "is %g",
                           ids[m], out[m]);
    }
    return MZ_OK;
}

void mz_lik_attention_received(double *alpha, const float *const *probs, int L, int H, int n) {
    memset(alpha, 0, (size_t)n * sizeof *alpha);
    for (int l = 0; l < L; l++)
        for (size_t i = 0; probs[l] && i < (size_t)H * n * n; i++)
            alpha[i % (size_t)n] += probs[l][i];
    for (int j = 0; j < n; j++)
        alpha[j] /= (double)L * H * n;
}

void mz_lik_aul_combine(double *aul, double *aula, const double *lp, const double *alpha,
                        const uint8_t *scored, int n) {
    int k = 0;
    *aul = *aula = 0;
    for (int i = 0; i < n; i++)
        k += scored[i] != 0;
    for (int i = 0; k && i < n; i++)
        if (scored[i]) {
            *aul += lp[i] / k;
            *aula += alpha[i] * lp[i] / k;
        }
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
