/* Forward kernels of the transformer engine over packed tokens: N real tokens of S sequences
 * laid end to end (no padding), each buffer flat and row-major. Arguments are ordered outputs,
 * caches, inputs, weights, sizes. In-place calls (out == inp) are allowed where noted. */
#ifndef MIZANI_MODEL_LAYERS_H
#define MIZANI_MODEL_LAYERS_H

#include <stddef.h>
#include <stdint.h>

/* out[N,E] = wte[ids] + wpe[pos] (+ wtt[types] when wtt is non-NULL). */
void mz_embed_forward(float *out, const int32_t *ids, const int32_t *pos, const int32_t *types,
                      const float *wte, const float *wpe, const float *wtt, int N, int E);
/* out[N,C] = LayerNorm(inp[N,C]) * w + b; out may equal inp. */
void mz_layernorm_forward(float *out, const float *inp, const float *w, const float *b, float eps,
                          int N, int C);
/* out[N,OC] = inp[N,C] W^T + b, W [OC,C] (nn.Linear) or, with w_in_out, W [C,OC] (Conv1D). */
void mz_matmul_forward(float *out, const float *inp, const float *w, const float *b, int N, int C,
                       int OC, int w_in_out);
/* out[N,F] = GELU(inp[N,F] + bias[F]), erf form or tanh approximation; bias may be NULL (the
 * bias of the product before, added here rather than copied into its output); out may equal
 * inp (elementwise.c). */
void mz_gelu_forward(float *out, const float *inp, const float *bias, int N, int F,
                     int tanh_approx);
/* Each of the L rows of P [L,L] turned into probabilities in place; causal rows keep keys
 * 0..i and zero the rest (elementwise.c). */
void mz_softmax_rows(float *P, int L, int causal);
/* inp[N,C] += bias[C] (bias may be NULL), then out[N,C] += inp. */
void mz_residual_forward(float *out, float *inp, const float *bias, int N, int C);

/* Multi-head scaled dot-product attention within each sequence.
 * out   [N,C]            heads concatenated, before the output projection
 * probs [sum_s H*L_s*L_s] per sequence s at probs_off[s], laid out [H,L_s,L_s]
 * q,k,v rows of stride ld (C for separate projections, 3C for GPT-2's fused one)
 * seq_start[s], seq_len[s]: the packed rows of sequence s */
void mz_attention_forward(float *out, float *probs, const float *q, const float *k, const float *v,
                          int ld, const int *seq_start, const int *seq_len, const size_t *probs_off,
                          int S, int C, int H, int causal);

#endif
