/* Forward kernels. The projections go to oneDNN's SGEMM (faster than OpenBLAS's at these shapes:
 * README), the attention's small per-head products to OpenBLAS; the element-wise and attention
 * loops are parallel over rows or (sequence, head) pairs with OpenMP. */
#include "layers.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <string.h>

void mz_embed_forward(float *out, const int32_t *ids, const float *tok_embeds, const int32_t *pos,
                      const int32_t *types, const float *wte, const float *wpe, const float *wtt,
                      int N, int E) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float *o = out + (size_t)n * E; /* [E] */
        const float *w = tok_embeds ? tok_embeds + (size_t)n * E : wte + (size_t)ids[n] * E;
        const float *p = wpe ? wpe + (size_t)pos[n] * E : NULL;
        const float *t = wtt ? wtt + (size_t)types[n] * E : NULL;
        for (int i = 0; i < E; i++)
            o[i] = w[i] + (p ? p[i] : 0.0f) + (t ? t[i] : 0.0f);
    }
}

/* One row of LayerNorm: o = (x - mean) * rstd * w + b; o may equal x. */
static void norm_row(float *o, float *mean_out, float *rstd_out, const float *x, const mz_norm *nw,
                     float eps, int C) {
    const float *w = nw->w, *b = nw->b;
    double mean = 0, var = 0; /* double: long rows lose bits in float sums */
#pragma omp simd reduction(+ : mean)
    for (int i = 0; i < C; i++)
        mean += x[i];
    mean /= C;
#pragma omp simd reduction(+ : var)
    for (int i = 0; i < C; i++)
        var += (x[i] - mean) * (x[i] - mean);
    float rstd = (float)(1.0 / sqrt(var / C + eps)), m = (float)mean;
    if (mean_out) *mean_out = m, *rstd_out = rstd;
    for (int i = 0; i < C; i++)
        o[i] = (x[i] - m) * rstd * w[i] + b[i];
}

void mz_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const mz_norm *nw,
                          float eps, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++)
        norm_row(out + (size_t)n * C, mean ? mean + n : NULL, rstd ? rstd + n : NULL,
                 inp + (size_t)n * C, nw, eps, C);
}

void mz_residual_norm_forward(float *res, float *out, float *mean, float *rstd, const float *x,
                              float *proj, const float *bias, const mz_norm *nw, float eps, int N,
                              int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float *p = proj + (size_t)n * C, *r = res + (size_t)n * C; /* [C] each */
        const float *xr = x + (size_t)n * C;                       /* [C] */
        for (int i = 0; i < C; i++) {
            p[i] += bias ? bias[i] : 0.0f;
            r[i] = xr[i] + p[i];
        }
        norm_row(out + (size_t)n * C, mean + n, rstd + n, r, nw, eps, C); /* r still in L1 */
    }
}

void mz_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc) {
    dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', M, N, K, alpha, A, lda, B, ldb, beta, C,
               ldc);
}

/* One thread's block of the product: rows r0..r1 of out and columns c0..c1. */
static void matmul_block(float *out, const float *inp, const mz_linear *W, int with_bias, int r0,
                         int r1, int c0, int c1) {
    int C = W->in, OC = W->out, t = W->layout == MZ_W_IN_OUT;
    float beta = 0.0f;
    if (with_bias && W->b) {
        for (int n = r0; n < r1; n++)
            memcpy(out + (size_t)n * OC + c0, W->b + c0, (size_t)(c1 - c0) * sizeof *W->b);
        beta = 1.0f;
    }
    const float *wb = t ? W->w + c0 : W->w + (size_t)c0 * C;
    mz_sgemm(0, !t, r1 - r0, c1 - c0, C, 1.0f, inp + (size_t)r0 * C, C, wb, t ? OC : C, beta,
             out + (size_t)r0 * OC + c0, OC);
}

/* The engine's threads split the product among themselves (OpenBLAS runs single-threaded
 * inside each), so one pool serves the whole pass: no second pool spinning against OpenMP.
 * Many rows: split by rows; few (short probe batches): by output columns. */
void mz_matmul_forward(float *out, const float *inp, const mz_linear *W, int with_bias, int N) {
    int OC = W->out;
#pragma omp parallel
    {
        int t = omp_get_thread_num(), nt = omp_get_num_threads();
        if (N >= 64 * nt)
            matmul_block(out, inp, W, with_bias, (int)((long)N * t / nt),
                         (int)((long)N * (t + 1) / nt), 0, OC);
        else {
            int c0 = (int)((long)OC * t / nt / 16 * 16),
                c1 = t + 1 == nt ? OC : (int)((long)OC * (t + 1) / nt / 16 * 16);
            if (c1 > c0) matmul_block(out, inp, W, with_bias, 0, N, c0, c1);
        }
    }
}

void mz_residual_forward(float *out, const float *x, float *proj, const float *bias, int N, int C) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        float *p = proj + (size_t)n * C, *o = out + (size_t)n * C; /* [C] each */
        const float *xr = x + (size_t)n * C;                       /* [C] */
        for (int i = 0; i < C; i++) {
            p[i] += bias ? bias[i] : 0.0f;
            o[i] = xr[i] + p[i];
        }
    }
}

/* One head of one sequence: P = softmax(Q K^T / sqrt(d)) and O = scale P V, both products
 * through single-threaded SGEMM (the caller's threads split the heads). */
static void attend_head(float *o, int ldo, float *P, const float *q, int ldq, const float *k,
                        const float *v, int ldkv, int L, int d, int causal, float scale) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, L, L, d, 1.0f / sqrtf((float)d), q, ldq, k,
                ldkv, 0.0f, P, L);
    mz_softmax_rows(P, L, causal);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, L, d, L, scale, P, L, v, ldkv, 0.0f, o,
                ldo);
}

void mz_attention_forward(float *out, float *probs, const float *q, const float *k, const float *v,
                          int ldq, int ldkv, const mz_seqs *seqs, int H, int KV, int d, int causal,
                          const float *scale) {
    int A = H * d, group = H / KV;
#pragma omp parallel for schedule(dynamic)
    for (int sh = 0; sh < seqs->S * H; sh++) {
        int s = sh / H, h = sh % H, L = seqs->len[s];
        size_t r0 = (size_t)seqs->start[s], kv = (size_t)(h / group) * d;
        attend_head(out + r0 * A + (size_t)h * d, A, probs + seqs->probs_off[s] + (size_t)h * L * L,
                    q + r0 * ldq + (size_t)h * d, ldq, k + r0 * ldkv + kv, v + r0 * ldkv + kv, ldkv,
                    L, d, causal, scale ? scale[s] : 1.0f);
    }
}

/* The sequence holding packed token n: the last one starting at or before n (an empty
 * sequence starts where the next begins, so it is never the last such). */
static int sequence_of(const mz_seqs *seqs, int n) {
    int lo = 0, hi = seqs->S; /* the answer lies in [lo, hi) */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (seqs->start[mid] <= n)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

void mz_attention_rows_forward(float *out, float *probs, const float *q, int ldq, const int *q_row,
                               const float *k, const float *v, int ldkv, const int *at, int M,
                               const mz_seqs *seqs, int H, int KV, int d, int causal) {
    int A = H * d, group = H / KV;
    float inv_sqrt_d = 1.0f / sqrtf((float)d);
#pragma omp parallel for schedule(dynamic)
    for (int mh = 0; mh < M * H; mh++) {
        int m = mh / H, h = mh % H, s = sequence_of(seqs, at[m]), L = seqs->len[s];
        int r0 = seqs->start[s], i = at[m] - r0, keys = causal ? i + 1 : L;
        size_t kv = (size_t)r0 * ldkv + (size_t)(h / group) * d;
        float *p = probs + seqs->probs_off[s] + ((size_t)h * L + i) * L; /* [keys] */
        const float *qm = q + (size_t)(q_row ? q_row[m] : m) * ldq + (size_t)h * d;
        cblas_sgemv(CblasRowMajor, CblasNoTrans, keys, d, inv_sqrt_d, k + kv, ldkv, qm, 1, 0.0f, p,
                    1);
        mz_softmax_row(p, keys);
        cblas_sgemv(CblasRowMajor, CblasTrans, keys, d, 1.0f, v + kv, ldkv, p, 1, 0.0f,
                    out + (size_t)m * A + (size_t)h * d, 1);
    }
}

void mz_head_projection_forward(float *out, const float *v_h, int ldv, const mz_linear *o, int h,
                                int d, int N) {
    int C = o->out, A = o->in;
    if (o->layout == MZ_W_IN_OUT) /* [A,C]: rows h*d.. */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, C, d, 1.0f, v_h, ldv,
                    o->w + (size_t)h * d * C, C, 0.0f, out, C);
    else /* [C,A]: columns h*d.. */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, C, d, 1.0f, v_h, ldv,
                    o->w + (size_t)h * d, A, 0.0f, out, C);
}
