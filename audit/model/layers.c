/* Forward kernels. Matrix products go to OpenBLAS's SGEMM; the element-wise and attention
 * loops are parallel over rows or (sequence, head) pairs with OpenMP. */
#include "layers.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <string.h>

void mz_embed_forward(float *out, const int32_t *ids, const int32_t *pos, const int32_t *types,
                      const float *wte, const float *wpe, const float *wtt, int N, int E) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * E;            /* [E] */
        const float *w = wte + (size_t)ids[n] * E; /* [E] */
        const float *p = wpe + (size_t)pos[n] * E; /* [E] */
        const float *t = wtt ? wtt + (size_t)types[n] * E : NULL;
        for (int i = 0; i < E; i++)
            o[i] = w[i] + p[i] + (t ? t[i] : 0.0f);
    }
}

void mz_layernorm_forward(float *out, const float *inp, const float *w, const float *b, float eps,
                          int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C; /* [C] */
        float *o = out + (size_t)n * C;       /* [C] */
        double mean = 0, var = 0;             /* double: long rows lose bits in float sums */
#pragma omp simd reduction(+ : mean)
        for (int i = 0; i < C; i++)
            mean += x[i];
        mean /= C;
#pragma omp simd reduction(+ : var)
        for (int i = 0; i < C; i++)
            var += (x[i] - mean) * (x[i] - mean);
        float rstd = (float)(1.0 / sqrt(var / C + eps)), m = (float)mean;
        for (int i = 0; i < C; i++)
            o[i] = (x[i] - m) * rstd * w[i] + b[i];
    }
}

/* One thread's block of the product: rows r0..r1 of out and columns c0..c1. */
static void matmul_block(float *out, const float *inp, const float *w, const float *b, int C,
                         int OC, int w_in_out, int r0, int r1, int c0, int c1) {
    float beta = 0.0f;
    if (b) {
        for (int n = r0; n < r1; n++)
            memcpy(out + (size_t)n * OC + c0, b + c0, (size_t)(c1 - c0) * sizeof *b);
        beta = 1.0f;
    }
    const float *wb = w_in_out ? w + c0 : w + (size_t)c0 * C;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, w_in_out ? CblasNoTrans : CblasTrans, r1 - r0, c1 - c0,
                C, 1.0f, inp + (size_t)r0 * C, C, wb, w_in_out ? OC : C, beta,
                out + (size_t)r0 * OC + c0, OC);
}

/* The engine's threads split the product among themselves (OpenBLAS runs single-threaded
 * inside each), so one pool serves the whole pass: no second pool spinning against OpenMP.
 * Many rows: split by rows; few (short probe batches): by output columns. */
void mz_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N, int C,
                       int OC, int w_in_out) {
#pragma omp parallel
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        if (N >= 64 * nt)
            matmul_block(out, inp, w, b, C, OC, w_in_out, (int)((long)N * t / nt),
                         (int)((long)N * (t + 1) / nt), 0, OC);
        else {
            int c0 = (int)((long)OC * t / nt / 16 * 16),
                c1 = t + 1 == nt ? OC : (int)((long)OC * (t + 1) / nt / 16 * 16);
            if (c1 > c0) matmul_block(out, inp, w, b, C, OC, w_in_out, 0, N, c0, c1);
        }
    }
}

void mz_residual_forward(float *out, float *inp, const float *bias, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float *x = inp + (size_t)n * C, *o = out + (size_t)n * C; /* [C] each */
        for (int i = 0; i < C; i++) {
            x[i] += bias ? bias[i] : 0.0f;
            o[i] += x[i];
        }
    }
}

/* One head of one sequence: P = softmax(Q K^T / sqrt(d)) and O = P V, both products through
 * single-threaded SGEMM (the caller's threads split the heads). */
static void attend_head(float *o, int ldo, float *P, const float *q, const float *k, const float *v,
                        int ld, int L, int d, int causal) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, L, L, d, 1.0f / sqrtf((float)d), q, ld, k,
                ld, 0.0f, P, L);
    mz_softmax_rows(P, L, causal);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, L, d, L, 1.0f, P, L, v, ld, 0.0f, o,
                ldo);
}

void mz_attention_forward(float *out, float *probs, const float *q, const float *k, const float *v,
                          int ld, const int *seq_start, const int *seq_len, const size_t *probs_off,
                          int S, int C, int H, int causal) {
    int d = C / H;
#pragma omp parallel for schedule(dynamic)
    for (int sh = 0; sh < S * H; sh++) {
        int s = sh / H, h = sh % H, L = seq_len[s];
        size_t r0 = (size_t)seq_start[s];
        attend_head(out + r0 * C + (size_t)h * d, C, probs + probs_off[s] + (size_t)h * L * L,
                    q + r0 * ld + (size_t)h * d, k + r0 * ld + (size_t)h * d,
                    v + r0 * ld + (size_t)h * d, ld, L, d, causal);
    }
}
