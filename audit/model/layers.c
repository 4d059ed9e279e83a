/* Forward kernels. Matrix products go to OpenBLAS's SGEMM; the element-wise and attention
 * loops are parallel over rows or (sequence, head) pairs with OpenMP. */
#include "layers.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void mz_embed_forward(float *out, const int32_t *ids, const int32_t *pos, const int32_t *types,
                      const float *wte, const float *wpe, const float *wtt, int N, int E) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * E;                   /* [E] */
        const float *w = wte + (size_t)ids[n] * E;        /* [E] */
        const float *p = wpe + (size_t)pos[n] * E;        /* [E] */
        const float *t = wtt ? wtt + (size_t)types[n] * E : NULL;
        for (int i = 0; i < E; i++) o[i] = w[i] + p[i] + (t ? t[i] : 0.0f);
    }
}

void mz_layernorm_forward(float *out, const float *inp, const float *w, const float *b,
                          float eps, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *x = inp + (size_t)n * C; /* [C] */
        float *o = out + (size_t)n * C;       /* [C] */
        double mean = 0, var = 0;             /* double: long rows lose bits in float sums */
        for (int i = 0; i < C; i++) mean += x[i];
        mean /= C;
        for (int i = 0; i < C; i++) var += (x[i] - mean) * (x[i] - mean);
        float rstd = (float)(1.0 / sqrt(var / C + eps)), m = (float)mean;
        for (int i = 0; i < C; i++) o[i] = (x[i] - m) * rstd * w[i] + b[i];
    }
}

void mz_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N,
                       int C, int OC, int w_in_out) {
    float beta = 0.0f;
    if (b) {
        for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OC, b, (size_t)OC * sizeof *b);
        beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, w_in_out ? CblasNoTrans : CblasTrans, N, OC, C, 1.0f,
                inp, C, w, w_in_out ? OC : C, beta, out, OC);
}

void mz_gelu_forward(float *out, const float *inp, size_t n, int tanh_approx) {
    const float s2 = 0.70710678118654752f, k = 0.79788456080286536f; /* 1/sqrt2, sqrt(2/pi) */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        out[i] = tanh_approx ? 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)))
                             : 0.5f * x * (1.0f + erff(x * s2));
    }
}

void mz_residual_forward(float *out, const float *inp, size_t n) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) out[i] += inp[i];
}

/* One head of one sequence: P = softmax(Q K^T / sqrt(d)), O = P V. */
static void attend_head(float *o, int ldo, float *P, const float *q, const float *k,
                        const float *v, int ld, int L, int d, int causal) {
    float scale = 1.0f / sqrtf((float)d);
    for (int i = 0; i < L; i++) {
        float *p = P + (size_t)i * L; /* [L] */
        int keys = causal ? i + 1 : L;
        float mx = -INFINITY, sum = 0.0f;
        for (int j = 0; j < keys; j++) {
            float s = 0.0f;
            for (int c = 0; c < d; c++) s += q[(size_t)i * ld + c] * k[(size_t)j * ld + c];
            p[j] = s * scale;
            mx = fmaxf(mx, p[j]);
        }
        for (int j = 0; j < keys; j++) sum += p[j] = expf(p[j] - mx);
        for (int j = 0; j < keys; j++) p[j] /= sum;
        for (int j = keys; j < L; j++) p[j] = 0.0f;
        float *oi = o + (size_t)i * ldo; /* [d] */
        memset(oi, 0, (size_t)d * sizeof *oi);
        for (int j = 0; j < keys; j++)
            for (int c = 0; c < d; c++) oi[c] += p[j] * v[(size_t)j * ld + c];
    }
}

void mz_attention_forward(float *out, float *probs, const float *q, const float *k,
                          const float *v, int ld, const int *seq_start, const int *seq_len,
                          const size_t *probs_off, int S, int C, int H, int causal) {
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
