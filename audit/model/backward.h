/* Backward kernels of the transformer engine: each the mirror of one forward kernel of
 * layers.h (or of one step of engine.c's heads), over the same packed tokens (N real tokens of S
 * sequences laid end to end), in llm.c's style: flat row-major float arrays, gradients named
 * after their activation with a `d` prefix.
 *
 * Arguments are ordered input gradients, parameter gradients, scratch, the output's gradient,
 * what the forward saw (its inputs and the caches it kept), weights, sizes. Input gradients are
 * ACCUMULATED (+=), as in llm.c, so a residual branch and the stream add into one buffer: the
 * caller zeroes each gradient buffer once per pass. Parameter gradients (dweight, dbias, dwte,
 * ...) may be NULL, which is what explanations pass; given, they are accumulated too (the seam
 * for fine-tuning), and the input they need may then not be NULL.
 *
 * Like the forward kernels, these split work over OpenMP threads and call OpenBLAS inside each
 * thread, so OpenBLAS must run single-threaded meanwhile (the engine sets it). Every result is
 * the same for any number of threads: no thread sums into another's output. */
#ifndef MIZANI_MODEL_BACKWARD_H
#define MIZANI_MODEL_BACKWARD_H

#include "layers.h"
#include "model_internal.h"

#include <stddef.h>
#include <stdint.h>

/* Mirror of mz_embed_forward (out = tok + wpe[pos] (+ wtt[types]), tok = wte[ids] or the
 * token embeddings given). The summed embedding's gradient dout [N,E] reaches each term
 * unchanged: dinp [N,E] += dout is the gradient with respect to the token embeddings (the
 * word-embedding rows, Hugging Face's inputs_embeds; may be NULL); dwte [V,E], dwpe [P,E],
 * dwtt [types,E] += dout at the rows each token used. The embedding LayerNorm and ELECTRA's
 * projection are mz_layernorm_backward and mz_matmul_backward, called before this one. */
void mz_embed_backward(float *dinp, float *dwte, float *dwpe, float *dwtt, const float *dout,
                       const int32_t *ids, const int32_t *pos, const int32_t *types, int N, int E);

/* Mirror of mz_layernorm_forward (out = (inp - mean) * rstd * w + b, per row of C).
 * inp [N,C] is the forward's input (kept when the run keeps caches); mean and rstd [N] the
 * statistics the forward wrote, rstd = 1/sqrt(var + eps). dinp [N,C] += the input's gradient;
 * dweight, dbias [C] += theirs. dinp must not alias dout. */
void mz_layernorm_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                           const float *inp, const float *mean, const float *rstd,
                           const mz_norm *norm, int N, int C);

/* Mirror of mz_matmul_forward (out [N,W.out] = inp [N,W.in] W^T, in either layout).
 * dinp [N,in] += dout W (may be NULL); dweight (W's layout) += dout^T inp (or inp^T dout);
 * dbias [out] += dout summed over rows: pass it only for a product that added its own bias
 * (with_bias), since the others' biases belong to the GELU or residual pass that added them.
 * inp may be NULL when dweight is. */
void mz_matmul_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                        const float *inp, const mz_linear *W, int N);

/* Mirror of mz_gelu_forward (out = GELU(inp + bias), erf form or tanh approximation):
 * dinp [N,F] += dout * GELU'(inp + bias); dbias [F] += the same summed over rows. bias is the
 * forward's (may be NULL). dinp must not alias dout. */
void mz_gelu_backward(float *dinp, float *dbias, const float *dout, const float *inp,
                      const float *bias, int N, int F, int tanh_approx);

/* Mirror of mz_residual_forward (proj += bias; out = x + proj): dout [N,C] reaches both terms
 * unchanged, dproj [N,C] += dout, dx [N,C] += dout, and dbias [C] += dout summed over rows.
 * dx may be NULL when the stream's gradient stays in dout (the forward ran in place, out == x:
 * the identity then costs nothing); it must not alias dout. */
void mz_residual_backward(float *dx, float *dproj, float *dbias, const float *dout, int N, int C);

/* Mirror of mz_softmax_rows over one [L,L] block: dscores = p * (dp - sum_k p_k dp_k) per row,
 * the sum over the row's unmasked keys only (keys 0..i when causal), O(L) per row; masked
 * entries get 0. dscores is written, not accumulated (scores feed nothing else), and may equal
 * dprobs. */
void mz_softmax_rows_backward(float *dscores, const float *dprobs, const float *probs, int L,
                              int causal);

/* Mirror of mz_attention_forward, grouped-query heads and the probability scale included
 * (out = scale[s] * P V per head of sequence s: AttAttr's path, where every head of one layer
 * is scaled together, Hao et al. 2021; scale NULL means 1).
 * dq          rows of stride ldq like q; dk, dv rows of stride ldkv like k and v (inside one
 *             fused [N, A+2KV*d] gradient for a fused projection); accumulated, a key/value
 *             head gathering the gradients of all H/KV query heads that read it
 * dprobs      [sum_s H*L_s*L_s] laid out like probs: the gradient with respect to the
 *             probabilities as P V used them (scale * P), i.e. dout V^T, written; 0 where the
 *             causal mask holds probabilities at 0 (constants, not functions of the input).
 *             AttAttr integrates these.
 * dscores     [same] scratch, written: the gradient with respect to the scores before softmax
 * dout        [N,H*d] the gradient of the heads' concatenated output (before the projection)
 * probs       the forward's probabilities, unscaled, as it keeps them */
void mz_attention_backward(float *dq, float *dk, float *dv, float *dprobs, float *dscores,
                           const float *dout, const float *probs, const float *q, const float *k,
                           const float *v, int ldq, int ldkv, const mz_seqs *seqs, int H, int KV,
                           int d, int causal, const float *scale);

/* What the masked-LM head's forward (engine.c's lm_head: dense with bias, GELU, LayerNorm,
 * decoder with bias) computed for the M rows whose logits are wanted. */
typedef struct mz_head_cache {
    const float *inp;         /* [M,C] final hidden states of those rows */
    const float *pre;         /* [M,E] the dense output with its bias: GELU's input */
    const float *act;         /* [M,E] GELU's output: LayerNorm's input */
    const float *mean, *rstd; /* [M] LayerNorm's statistics */
} mz_head_cache;

/* The masked-LM head's backward: dinp [M,C] += the hidden states' gradient from dlogits [M,V].
 * dense [E,C], norm [E], decoder [V,E] (tied to the word embeddings or not; ELECTRA's E is its
 * embedding width); gelu_tanh as the head's activation. scratch [2*M*E]. GPT-2's tied head
 * (logits = h wte^T) is mz_matmul_backward with the decoder's descriptor. */
void mz_mlm_head_backward(float *dinp, float *scratch, const float *dlogits,
                          const mz_head_cache *cache, const mz_linear *dense, const mz_norm *norm,
                          const mz_linear *decoder, int M, int gelu_tanh);

/* BERT's pooler (pooled = tanh(first W^T + b), W [C,C]) over S sequences: dinp [S,C] += the
 * first tokens' gradient from dout [S,C] (the caller adds it to each sequence's first row);
 * pooled [S,C] the forward's output, inp [S,C] its input (needed only with dweight);
 * dweight [C,C], dbias [C] as mz_matmul_backward. scratch [S,C]. */
void mz_pooler_backward(float *dinp, float *dweight, float *dbias, float *scratch,
                        const float *dout, const float *inp, const float *pooled,
                        const mz_linear *W, int S);

/* Mean pooling over each sequence's real tokens (pooled.mean): dinp [N,C] += dout [S,C] / L_s
 * on each of sequence s's rows. Empty sequences receive nothing. */
void mz_mean_pool_backward(float *dinp, const float *dout, const int *seq_start, const int *seq_len,
                           int S, int C);

/* Target gradients. Each returns the target's value and adds `weight` times its gradient, so
 * a difference of two targets is two calls with weights +1 and -1, and a sequence's
 * log-likelihood one call per scored row. A token's logit as target needs no kernel:
 * dlogits[t] += weight. */

/* log softmax(logits [V])[t], in double; dlogits [V] += weight * (onehot(t) - softmax). */
double mz_logprob_backward(float *dlogits, const float *logits, int V, int32_t t, float weight);

/* cos(a, b) of two vectors of C, in double; da, db [C] += weight times its gradients
 * (b/(|a||b|) - cos a/|a|^2, and symmetrically; either may be NULL). A zero vector has no
 * cosine: returns NaN and adds nothing. */
double mz_cosine_backward(float *da, float *db, const float *a, const float *b, int C,
                          float weight);

#endif
