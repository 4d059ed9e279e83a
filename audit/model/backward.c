/* Backward kernels (backward.h). Matrix products go to OpenBLAS's SGEMM with beta = 1, which is
 * what accumulating input gradients costs: nothing extra. Row sums (LayerNorm statistics, bias
 * gradients, softmax) are taken in double, as the forward's LayerNorm does.
 *
 * This file is built without -ffast-math (unlike elementwise.c): GELU's derivative relies on
 * expf underflowing to 0 for large |x| and uses 1 - tanh^2 for sech^2, so nothing overflows,
 * and fast-math's assumptions about infinities would be unsafe here. */
#include "backward.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

void mz_embed_backward(float *dinp, float *dwte, float *dwpe, float *dwtt, const float *dout,
                       const int32_t *ids, const int32_t *pos, const int32_t *types, int N, int E) {
    if (dinp) {
#pragma omp parallel for schedule(static)
        for (int n = 0; n < N; n++)
            for (int i = 0; i < E; i++)
                dinp[(size_t)n * E + i] += dout[(size_t)n * E + i];
    }
    if (!dwte && !dwpe && !dwtt) return;
        /* Tokens may share rows: threads take columns, so no two write one element. */
#pragma omp parallel for schedule(static)
    for (int i = 0; i < E; i++)
        for (int n = 0; n < N; n++) {
            float g = dout[(size_t)n * E + i];
            if (dwte) dwte[(size_t)ids[n] * E + i] += g;
            if (dwpe) dwpe[(size_t)pos[n] * E + i] += g;
            if (dwtt) dwtt[(size_t)types[n] * E + i] += g;
        }
}

/* dsum[j] += sum over rows of g[n*ld + j], j < cols: bias gradients, one thread per column. */
static void column_sums(float *dsum, const float *g, int N, int cols, int ld) {
#pragma omp parallel for schedule(static)
    for (int j = 0; j < cols; j++) {
        double s = 0;
        for (int n = 0; n < N; n++)
            s += g[(size_t)n * ld + j];
        dsum[j] += (float)s;
    }
}

void mz_layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                           const float *inp, const float *mean, const float *rstd,
                           const mz_norm *norm, int N, int C) {
    const float *w = norm->w;
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C, *g = dout + (size_t)n * C; /* [C] each */
        float *dx = dinp + (size_t)n * C;                                /* [C] */
        double gm = 0, gnm = 0; /* means of dnorm and of dnorm * norm */
        for (int i = 0; i < C; i++) {
            double dnorm = (double)g[i] * w[i];
            gm += dnorm;
            gnm += dnorm * (x[i] - mean[n]) * rstd[n];
        }
        gm /= C, gnm /= C;
        for (int i = 0; i < C; i++) {
            double norm = ((double)x[i] - mean[n]) * rstd[n];
            dx[i] += (float)(rstd[n] * ((double)g[i] * w[i] - gm - norm * gnm));
        }
    }
    if (dbias) column_sums(dbias, dout, N, C, C);
    if (!dweight) return;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < C; i++) {
        double s = 0;
        for (int n = 0; n < N; n++)
            s += (double)dout[(size_t)n * C + i] * (inp[(size_t)n * C + i] - mean[n]) * rstd[n];
        dweight[i] += (float)s;
    }
}

/* dinp rows r0..r1, columns c0..c1 += dout W (W [OC,C]) or dout W^T (W [C,OC]). */
static void dinp_block(float *dinp, const float *dout, const mz_linear *W, int r0, int r1, int c0,
                       int c1) {
    int C = W->in, OC = W->out, t = W->layout == MZ_W_IN_OUT;
    const float *wb = t ? W->w + (size_t)c0 * OC : W->w + c0;
    mz_sgemm(0, t, r1 - r0, c1 - c0, OC, 1.0f, dout + (size_t)r0 * OC, OC, wb, t ? OC : C, 1.0f,
             dinp + (size_t)r0 * C + c0, C);
}

/* Rows a0..a1 of dweight += dout^T inp ([OC,C]) or inp^T dout ([C,OC]). */
static void dweight_block(float *dweight, const float *dout, const float *inp, const mz_linear *W,
                          int N, int a0, int a1) {
    int C = W->in, OC = W->out;
    if (W->layout == MZ_W_IN_OUT)
        mz_sgemm(1, 0, a1 - a0, OC, N, 1.0f, inp + a0, C, dout, OC, 1.0f, dweight + (size_t)a0 * OC,
                 OC);
    else
        mz_sgemm(1, 0, a1 - a0, C, N, 1.0f, dout + a0, OC, inp, C, 1.0f, dweight + (size_t)a0 * C,
                 C);
}

/* As the forward: the engine's threads split each product (by rows when there are many, by
 * columns of the result otherwise), mz_sgemm single-threaded inside. */
void mz_matmul_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                        const float *inp, const mz_linear *W, int N) {
    int C = W->in, OC = W->out;
#pragma omp parallel
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        if (dinp && N >= 64 * nt)
            dinp_block(dinp, dout, W, (int)((long)N * t / nt), (int)((long)N * (t + 1) / nt), 0, C);
        else if (dinp) {
            int c0 = (int)((long)C * t / nt), c1 = (int)((long)C * (t + 1) / nt);
            if (c1 > c0) dinp_block(dinp, dout, W, 0, N, c0, c1);
        }
        int rows = W->layout == MZ_W_IN_OUT ? C : OC, a0 = (int)((long)rows * t / nt),
            a1 = (int)((long)rows * (t + 1) / nt);
        if (dweight && a1 > a0) dweight_block(dweight, dout, inp, W, N, a0, a1);
    }
    if (dbias) column_sums(dbias, dout, N, OC, OC);
}

void mz_gelu_backward(float *dinp, float *dbias, const float *dout, const float *inp,
                      const float *bias, int N, int F, int tanh_approx) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++)
        mz_gelu_grad_row(dinp + (size_t)n * F, dout + (size_t)n * F, inp + (size_t)n * F, bias,
                         (size_t)F, tanh_approx);
    if (!dbias) return;
#pragma omp parallel for schedule(static)
    for (int i = 0; i < F; i++) {
        double s = 0;
        for (int n = 0; n < N; n++) {
            size_t e = (size_t)n * F + i;
            s += (double)dout[e] * mz_gelu_grad(inp[e] + (bias ? bias[i] : 0.0f), tanh_approx);
        }
        dbias[i] += (float)s;
    }
}

void mz_residual_backward(float *dx, float *dproj, float *dbias, const float *dout, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++)
        for (int i = 0; i < C; i++) {
            size_t e = (size_t)n * C + i;
            dproj[e] += dout[e];
            if (dx) dx[e] += dout[e];
        }
    if (dbias) column_sums(dbias, dout, N, C, C);
}

void mz_softmax_rows_backward(float *dscores, const float *dprobs, const float *probs, int L,
                              int causal) {
    for (int i = 0; i < L; i++) {
        const float *p = probs + (size_t)i * L, *dp = dprobs + (size_t)i * L; /* [L] each */
        float *ds = dscores + (size_t)i * L;                                  /* [L] */
        int keys = causal ? i + 1 : L;
        double dot = 0;
        for (int j = 0; j < keys; j++)
            dot += (double)p[j] * dp[j];
        for (int j = 0; j < keys; j++)
            ds[j] = (float)(p[j] * (dp[j] - dot));
        for (int j = keys; j < L; j++)
            ds[j] = 0.0f;
    }
}

/* One head of one sequence, the mirror of attend_head in layers.c. dO has stride ldo, q and dq
 * stride ldq, k, v and their gradients stride ldkv; dP, dS are the head's [L,L] blocks. */
static void attend_head_backward(float *dq, float *dk, float *dv, float *dP, float *dS,
                                 const float *dO, int ldo, const float *P, const float *q, int ldq,
                                 const float *k, const float *v, int ldkv, int L, int d, int causal,
                                 float scale) {
    /* dP = dO V^T: the gradient of the probabilities as P V used them (scaled) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, L, L, d, 1.0f, dO, ldo, v, ldkv, 0.0f, dP,
                L);
    for (int i = 0; causal && i < L; i++)
        memset(dP + (size_t)i * L + i + 1, 0, (size_t)(L - 1 - i) * sizeof *dP);
    /* dV += (scale P)^T dO */
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, L, d, L, scale, P, L, dO, ldo, 1.0f, dv,
                ldkv);
    mz_softmax_rows_backward(dS, dP, P, L, causal);
    if (scale != 1.0f)
        for (size_t e = 0; e < (size_t)L * L; e++)
            dS[e] *= scale;
    /* scores = Q K^T / sqrt(d): dQ += dS K / sqrt(d), dK += dS^T Q / sqrt(d) */
    float r = 1.0f / sqrtf((float)d);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, L, d, L, r, dS, L, k, ldkv, 1.0f, dq,
                ldq);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, L, d, L, r, dS, L, q, ldq, 1.0f, dk, ldkv);
}

/* Threads take (sequence, key/value head) pairs, each running its group of query heads in
 * order: the heads that share dk and dv never add to them at the same time. */
void mz_attention_backward(float *dq, float *dk, float *dv, float *dprobs, float *dscores,
                           const float *dout, const float *probs, const float *q, const float *k,
                           const float *v, int ldq, int ldkv, const mz_seqs *seqs, int H, int KV,
                           int d, int causal, const float *scale) {
    int A = H * d, group = H / KV;
#pragma omp parallel for schedule(dynamic)
    for (int sg = 0; sg < seqs->S * KV; sg++) {
        int s = sg / KV, g = sg % KV, L = seqs->len[s];
        size_t r0 = (size_t)seqs->start[s], kv = (size_t)g * d;
        for (int h = g * group; L && h < (g + 1) * group; h++) {
            size_t pb = seqs->probs_off[s] + (size_t)h * L * L, col = (size_t)h * d;
            attend_head_backward(dq + r0 * ldq + col, dk + r0 * ldkv + kv, dv + r0 * ldkv + kv,
                                 dprobs + pb, dscores + pb, dout + r0 * A + col, A, probs + pb,
                                 q + r0 * ldq + col, ldq, k + r0 * ldkv + kv, v + r0 * ldkv + kv,
                                 ldkv, L, d, causal, scale ? scale[s] : 1.0f);
        }
    }
}

void mz_mlm_head_backward(float *dinp, float *scratch, const float *dlogits,
                          const mz_head_cache *cache, const mz_linear *dense, const mz_norm *norm,
                          const mz_linear *decoder, int M, int gelu_tanh) {
    int E = dense->out;
    size_t n = (size_t)M * E;
    float *a = scratch, *b = scratch + n; /* [M,E] each */
    memset(a, 0, n * sizeof *a);
    mz_matmul_backward(a, NULL, NULL, dlogits, NULL, decoder, M); /* LayerNorm's output */
    memset(b, 0, n * sizeof *b);
    mz_layernorm_backward(b, NULL, NULL, a, cache->act, cache->mean, cache->rstd, norm, M, E);
    memset(a, 0, n * sizeof *a);
    mz_gelu_backward(a, NULL, b, cache->pre, NULL, M, E, gelu_tanh); /* the dense output */
    mz_matmul_backward(dinp, NULL, NULL, a, cache->inp, dense, M);
}

void mz_pooler_backward(float *dinp, float *dweight, float *dbias, float *scratch,
                        const float *dout, const float *inp, const float *pooled,
                        const mz_linear *W, int S) {
    for (size_t e = 0; e < (size_t)S * W->out; e++)
        scratch[e] = dout[e] * (1.0f - pooled[e] * pooled[e]); /* tanh' = 1 - tanh^2 */
    mz_matmul_backward(dinp, dweight, dbias, scratch, inp, W, S);
}

void mz_mean_pool_backward(float *dinp, const float *dout, const int *seq_start, const int *seq_len,
                           int S, int C) {
    for (int s = 0; s < S; s++)
        for (int t = 0; t < seq_len[s]; t++) {
            float *dx = dinp + (size_t)(seq_start[s] + t) * C; /* [C] */
            for (int i = 0; i < C; i++)
                dx[i] += dout[(size_t)s * C + i] / (float)seq_len[s];
        }
}

double mz_logprob_backward(float *dlogits, const float *logits, int V, int32_t t, float weight) {
    float mx = logits[0];
    for (int j = 1; j < V; j++)
        mx = logits[j] > mx ? logits[j] : mx;
    double sum = 0;
    for (int j = 0; j < V; j++)
        sum += exp((double)logits[j] - mx);
    double lse = mx + log(sum);
    for (int j = 0; j < V; j++)
        dlogits[j] -= (float)(weight * exp((double)logits[j] - lse));
    dlogits[t] += weight;
    return logits[t] - lse;
}

double mz_cosine_backward(float *da, float *db, const float *a, const float *b, int C,
                          float weight) {
    double aa = 0, bb = 0, ab = 0;
    for (int i = 0; i < C; i++)
        aa += (double)a[i] * a[i], bb += (double)b[i] * b[i], ab += (double)a[i] * b[i];
    if (aa == 0 || bb == 0) return NAN;
    double na = sqrt(aa), nb = sqrt(bb), cos = ab / (na * nb);
    for (int i = 0; i < C; i++) {
        if (da) da[i] += (float)(weight * (b[i] / (na * nb) - cos * a[i] / aa));
        if (db) db[i] += (float)(weight * (a[i] / (na * nb) - cos * b[i] / bb));
    }
    return cos;
}
