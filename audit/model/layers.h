/* Forward kernels of the transformer engine over packed tokens: N real tokens of S sequences
 * laid end to end (no padding), each buffer flat and row-major. Arguments are ordered outputs,
 * caches, inputs, weights, sizes. In-place calls (out == inp) are allowed where noted. */
#ifndef MIZANI_MODEL_LAYERS_H
#define MIZANI_MODEL_LAYERS_H

#include "model_internal.h"

#include <stddef.h>
#include <stdint.h>

/* out[N,E] = tok + wpe[pos] (+ wtt[types] when wtt is non-NULL), tok = tok_embeds[n] when given,
 * else wte[ids[n]]; wpe NULL: no learned positions. */
void mz_embed_forward(float *out, const int32_t *ids, const float *tok_embeds, const int32_t *pos,
                      const int32_t *types, const float *wte, const float *wpe, const float *wtt,
                      int N, int E);
/* out[N,C] = LayerNorm(inp[N,C]) * w + b; out may equal inp. mean and rstd [N] (may be NULL)
 * keep each row's statistics for the backward pass. */
void mz_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const mz_norm *n,
                          float eps, int N, int C);
/* C[M,N] = alpha op(A) op(B) + beta C, row-major, op = transpose when trans_*: the one SGEMM
 * behind every projection, forward and backward (oneDNN's, faster than OpenBLAS's at these
 * shapes: README). Called inside the engine's parallel region, oneDNN runs single-threaded (no
 * nested parallelism); it fails only on invalid sizes, which a checked mz_linear cannot give. */
void mz_sgemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
              const float *B, int ldb, float beta, float *C, int ldc);
/* out[N,W.out] = inp[N,W.in] W^T (+ W.b when with_bias; otherwise the caller adds it in the
 * pass that follows). */
void mz_matmul_forward(float *out, const float *inp, const mz_linear *W, int with_bias, int N);
/* out[N,F] = GELU(inp[N,F] + bias[F]), erf form or tanh approximation; bias may be NULL (the
 * bias of the product before, added here rather than copied into its output); out may equal
 * inp (elementwise.c). */
void mz_gelu_forward(float *out, const float *inp, const float *bias, int N, int F,
                     int tanh_approx);
/* GELU's derivative at x (elementwise.c, with the forward's vector maths), and one row of the
 * backward pass: dx[i] += g[i] * GELU'(x[i] + bias[i]) (bias may be NULL). */
float mz_gelu_grad(float x, int tanh_approx);
void mz_gelu_grad_row(float *dx, const float *g, const float *x, const float *bias, size_t n,
                      int tanh_approx);
/* Each of the L rows of P [L,L] turned into probabilities in place; causal rows keep keys
 * 0..i and zero the rest (elementwise.c). */
void mz_softmax_rows(float *P, int L, int causal);
/* p[0..keys) turned into probabilities in place (elementwise.c). */
void mz_softmax_row(float *p, int keys);
/* proj[N,C] += bias[C] (bias may be NULL), then out[N,C] = x + proj; out may equal x. */
void mz_residual_forward(float *out, const float *x, float *proj, const float *bias, int N, int C);

/* The residual pass and the norm after it in one pass over each row, while the row is in cache:
 * proj += bias (may be NULL); res = x + proj; out = LayerNorm(res) with its statistics. res may
 * equal x and out may equal res (a forward-only pass updates the stream in place). */
void mz_residual_norm_forward(float *res, float *out, float *mean, float *rstd, const float *x,
                              float *proj, const float *bias, const mz_norm *n, float eps, int N,
                              int C);

/* Where the packed sequences lie: sequence s is rows start[s] .. start[s]+len[s]-1, and its
 * attention probabilities [H,len,len] start at probs_off[s]. */
typedef struct mz_seqs {
    int S;
    const int *start, *len;
    const size_t *probs_off;
} mz_seqs;

/* Multi-head scaled dot-product attention within each sequence.
 * out   [N,H*d]          heads concatenated, before the output projection
 * probs [sum_s H*L_s*L_s] per sequence, laid out [H,L_s,L_s]
 * q rows of stride ldq, k and v rows of stride ldkv (separate projections: H*d and KV*d; a
 *       fused projection: one row of stride (H+2KV)*d for all three); head h reads key/value
 *       head h / (H/KV)
 * scale [S] or NULL: each sequence's probabilities are multiplied by scale[s] where they weight
 *       the values (attention attribution's path); `probs` keeps them unscaled */
void mz_attention_forward(float *out, float *probs, const float *q, const float *k, const float *v,
                          int ldq, int ldkv, const mz_seqs *seqs, int H, int KV, int d, int causal,
                          const float *scale);

/* The same attention for M query tokens alone (the last block when only the LM head's rows are
 * wanted): query m is packed token at[m], its vector row q_row[m] of q (q_row NULL: row m);
 * keys and values as above, from every token of its sequence. out [M,H*d]; each query's
 * probabilities go where mz_attention_forward keeps that row (probs as above, other rows
 * untouched). */
void mz_attention_rows_forward(float *out, float *probs, const float *q, int ldq, const int *q_row,
                               const float *k, const float *v, int ldkv, const int *at, int M,
                               const mz_seqs *seqs, int H, int KV, int d, int causal);

/* out[N,C] = v_h[N,d] (rows of stride ldv) times head h's slice of the output projection o
 * (its columns h*d..h*d+d-1): what head h adds to the attention output, before the bias. */
void mz_head_projection_forward(float *out, const float *v_h, int ldv, const mz_linear *o, int h,
                                int d, int N);

#endif
