/* Attention read as explanation: raw (head-averaged) attention, attention rollout (Abnar and
 * Zuidema 2020) and norm-based attention (Kobayashi et al. 2020). */
#include "mizani/alloc.h"
#include "mizani/attribution.h"
#include "residual_attention.h"

#include <math.h>
#include <string.h>

void mz_attr_raw_attention(double *out, const float *probs, int H, int T) {
    size_t n = (size_t)T * T;
    for (size_t e = 0; e < n; e++) {
        double s = 0;
        for (int h = 0; h < H; h++)
            s += probs[h * n + e];
        out[e] = s / H;
    }
}

void mz_attr_residual_attention(double *aug, const float *probs, int H, int T) {
    mz_attr_raw_attention(aug, probs, H, T);
    for (int i = 0; i < T; i++) {
        double *row = aug + (size_t)i * T, sum = 0;
        row[i] += 1.0;
        for (int j = 0; j < T; j++)
            sum += row[j];
        for (int j = 0; j < T; j++)
            row[j] /= sum;
    }
}

mz_status mz_attr_rollout(double *out, const float *const *probs, int layers, int H, int T,
                          mz_ctx *ctx) {
    size_t n = (size_t)T * T;
    double *aug = mz_malloc(2 * n * sizeof *aug + 1), *prod = aug + n; /* [T,T] each */
    if (!aug) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for attention rollout");
    for (size_t e = 0; e < n; e++) /* the identity: no layer yet */
        out[e] = e % (T + 1) == 0;
    for (int l = 0; l < layers; l++) { /* out = Ã_l out */
        mz_attr_residual_attention(aug, probs[l], H, T);
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++) {
                double s = 0;
                for (int k = 0; k < T; k++)
                    s += aug[(size_t)i * T + k] * out[(size_t)k * T + j];
                prod[(size_t)i * T + j] = s;
            }
        memcpy(out, prod, n * sizeof *out);
    }
    mz_free(aug);
    return MZ_OK;
}

void mz_attr_norm_attention(double *per_head, double *summed, const float *probs, const float *fx,
                            int H, int T, int C) {
    size_t tt = (size_t)T * T;
    for (int h = 0; per_head && h < H; h++)
        for (int j = 0; j < T; j++) {
            const float *f = fx + ((size_t)h * T + j) * C; /* [C] */
            double norm = 0;
            for (int c = 0; c < C; c++)
                norm += (double)f[c] * f[c];
            norm = sqrt(norm);
            for (int i = 0; i < T; i++)
                per_head[h * tt + (size_t)i * T + j] = probs[h * tt + (size_t)i * T + j] * norm;
        }
    for (int i = 0; summed && i < T; i++)
        for (int j = 0; j < T; j++) {
            double norm = 0;
            for (int c = 0; c < C; c++) {
                double v = 0; /* sum over heads of alpha^h_ij f^h(x_j)[c] */
                for (int h = 0; h < H; h++)
                    v += probs[h * tt + (size_t)i * T + j] * fx[((size_t)h * T + j) * C + c];
                norm += v * v;
            }
            summed[(size_t)i * T + j] = sqrt(norm);
        }
}
