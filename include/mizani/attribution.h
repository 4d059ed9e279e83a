/* Attribution: which input tokens, attention connections and heads drive a model's prediction.
 * Pure functions over arrays the engine produced (gradients, attention probabilities, value
 * vectors) or scores the caller measured; nothing here runs a model.
 *
 * Conventions: one sequence of T tokens at a time; E is the width of the input embeddings;
 * attention probabilities are one layer's [H,T,T] with row i the query and column j the key
 * (row i sums to 1 over the keys it may see); the caller's arrays are float (as the engine
 * gives them) and results double. Token scores become word scores through mz_attr_words. */
#ifndef MIZANI_ATTRIBUTION_H
#define MIZANI_ATTRIBUTION_H

#include "mizani/error.h"
#include "mizani/tokenizer.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- gradient methods */

/* Saliency: out[t] = ||grad[t]||_2 over the E dimensions of token t's input embedding (Simonyan
 * et al. 2014; the L2 norm is the usual per-token reduction for text). grad [T,E]. */
void mz_attr_saliency(double *out, const float *grad, int T, int E);

/* Gradient x input: out[t] = sum_e grad[t,e] x[t,e] (Shrikumar et al. 2016; Denil et al.
 * 2014), signed. grad, x [T,E]. */
void mz_attr_grad_input(double *out, const float *grad, const float *x, int T, int E);

/* ---------------------------------------------------------------- Integrated Gradients */

/* Integrated Gradients (Sundararajan et al. 2017) on the input embeddings x along the straight
 * path from a baseline x': attr[t] = sum_e (x - x')[t,e] * integral_0^1 df/dx[t,e] at
 * x' + alpha (x - x') d alpha, the integral taken by a quadrature rule. */
typedef enum mz_attr_rule {
    MZ_ATTR_RIEMANN_LEFT,   /* alpha_k = k/m, weight 1/m (Hao et al.'s AttAttr code) */
    MZ_ATTR_RIEMANN_MIDDLE, /* alpha_k = (k + 1/2)/m, weight 1/m: exact for linear integrands */
    MZ_ATTR_GAUSS_LEGENDRE  /* GSL's m-point rule on [0,1]: exact to degree 2m - 1 */
} mz_attr_rule;

/* The rule's points alpha [steps] (ascending) and weights [steps] (summing to 1). Fails for
 * steps < 1 (MZ_ERR_USAGE). */
mz_status mz_attr_ig_path(double *alpha, double *weight, int steps, mz_attr_rule rule, mz_ctx *ctx);

/* The baseline x' [T,E]: rows with keep[t] = 1 copy x (the caller keeps special tokens and the
 * masked position being predicted, so only the text's own tokens are attributed), the others
 * get fill [E] (the [MASK] or pad token's embedding row) or zeros when fill is NULL. Positions
 * and token types are not part of x: the engine adds them to every point of the path. */
void mz_attr_ig_baseline(float *out, const float *x, const float *fill, const uint8_t *keep, int T,
                         int E);

/* The path's points, the batch the engine runs (one packed sequence per step):
 * out [steps,T,E], out[k] = x' + alpha[k] (x - x'). */
void mz_attr_ig_inputs(float *out, const float *x, const float *baseline, const double *alpha,
                       int steps, int T, int E);

/* Per-token attributions from the target's gradients at the path's points, grads [steps,T,E]:
 * out[t] = sum_e (x - x')[t,e] sum_k weight[k] grads[k,t,e]. */
void mz_attr_ig_combine(double *out, const float *grads, const double *weight, int steps,
                        const float *x, const float *baseline, int T, int E);

/* Completeness: IG's attributions sum to f(x) - f(x') exactly; what is left measures the
 * quadrature's error. gap = |sum(attr) - (f(x) - f(x'))| / max(|f(x) - f(x')|, floor). The
 * floor keeps the gap meaningful when the input barely changes the target: it is in the
 * target's units, and MZ_ATTR_GAP_FLOOR (0.01) suits log-probabilities (nats). */
#define MZ_ATTR_GAP_FLOOR 1e-2
#define MZ_ATTR_GAP_WARN  0.05 /* past 5%: too few steps for this input; say so */

typedef struct mz_attr_completeness_result {
    double sum;   /* sum of the attributions */
    double delta; /* f(x) - f(x') */
    double gap;
    int warn; /* gap > MZ_ATTR_GAP_WARN */
} mz_attr_completeness_result;

void mz_attr_completeness(mz_attr_completeness_result *out, const double *attr, int T, double fx,
                          double fbase, double floor);

/* ---------------------------------------------------------------- attention attribution */

/* AttAttr (Hao et al. 2021): Integrated Gradients over one layer's attention matrices, from the
 * zero matrix to A, every head of the layer scaled together. probs [H,T,T] the layer's
 * probabilities A; dprobs [steps,H,T,T] the target's gradient with respect to the matrix P V
 * used at step k, when that layer's probabilities were scaled by alpha[k] (the engine's
 * attention backward at scale alpha[k]); weight from mz_attr_ig_path. out [H,T,T]:
 * out[h,i,j] = A[h,i,j] sum_k weight[k] dprobs[k,h,i,j], how much query i's use of key j in
 * head h contributes to the target. */
void mz_attr_attattr(double *out, const float *probs, const float *dprobs, const double *weight,
                     int steps, int H, int T);

/* Head importance (Hao et al.): each head's largest attribution, out[h] = max_ij attr[h,i,j]. */
void mz_attr_head_importance(double *out, const double *attr, int H, int T);

/* One edge of the attribution tree: at `layer`, query token `to` takes information from key
 * token `from`, with `score` its head-summed attribution over the layer's largest. */
typedef struct mz_attr_edge {
    int layer, from, to;
    double score;
} mz_attr_edge;

/* The attribution tree's edges (Hao et al.): per layer l, attr[l] [H,T,T] summed over heads and
 * divided by that layer's largest entry; every pair i != j scoring above `threshold` (0.4 in
 * the authors' code) is an edge. *edges (mz_free; NULL when none) holds *n edges, strongest
 * first (ties: higher layer, then position). A layer whose largest entry is not positive has no
 * edges. */
mz_status mz_attr_tree_edges(mz_attr_edge **edges, size_t *n, const double *const *attr, int layers,
                             int H, int T, double threshold, mz_ctx *ctx);

/* ---------------------------------------------------------------- attention maps */

/* Raw attention: the layer's heads averaged, out [T,T]. */
void mz_attr_raw_attention(double *out, const float *probs, int H, int T);

/* Attention rollout (Abnar and Zuidema 2020): each layer's head-averaged attention with the
 * residual added, Ã = (A + I) with rows rescaled to sum to 1 (= 0.5 A + 0.5 I), multiplied
 * through the layers: out [T,T] = Ã_{L-1} ... Ã_1 Ã_0, row i telling how much of the top
 * layer's position i comes from each input token. probs[l] [H,T,T] for l < layers. */
mz_status mz_attr_rollout(double *out, const float *const *probs, int layers, int H, int T,
                          mz_ctx *ctx);

/* Attention flow (Abnar and Zuidema 2020): the layers as a flow network, node (l, i) for token
 * i's representation after layer l (l = 0: the input), an edge from (l+1, i) to (l, j) of
 * capacity Ã_l[i][j] (rollout's residual-augmented matrices); out[j] [T] = the maximum flow
 * from the top layer's node `query` to input token j, the row then divided by its sum (as the
 * authors' code does). Exact (Dinic's algorithm), so limited to MZ_ATTR_FLOW_MAX_TOKENS tokens:
 * longer inputs are refused (MZ_ERR_UNSUPPORTED; rollout has no limit). About T max-flows
 * over layers x T^2 edges: about 0.1 s at 12 layers and 64 tokens. */
#define MZ_ATTR_FLOW_MAX_TOKENS 64

mz_status mz_attr_flow(double *out, const float *const *probs, int layers, int H, int T, int query,
                       mz_ctx *ctx);

/* Norm-based attention (Kobayashi et al. 2020): ||alpha_ij f(x_j)||, where f(x_j) [C] is key
 * j's value vector passed through its head's slice of the output projection (value bias
 * included, output bias not). probs [H,T,T], fx [H,T,C]. per_head [H,T,T] (may be NULL):
 * alpha^h_ij ||f^h(x_j)||; summed [T,T] (may be NULL): ||sum_h alpha^h_ij f^h(x_j)||, the
 * layer's view. */
void mz_attr_norm_attention(double *per_head, double *summed, const float *probs, const float *fx,
                            int H, int T, int C);

/* ---------------------------------------------------------------- words */

/* Readers think in words, and Swahili words split into many tokens: token scores are summed
 * over each word's tokens. Words are the tokenizer's pre-tokenized words (the encoding's word
 * ids), numbered in order of first appearance; special tokens belong to none. */
typedef struct mz_attr_words {
    size_t n_words, n_tokens;
    int32_t *word_of;      /* [n_tokens] each token's word, -1 for special tokens */
    uint32_t *start, *end; /* [n_words] byte span in the text: first token's start, last's end */
    int32_t *n_subwords;   /* [n_words] tokens in each word */
} mz_attr_words;

mz_status mz_attr_words_from_encoding(mz_attr_words *out, const mz_encoding *enc, mz_ctx *ctx);
void mz_attr_words_free(mz_attr_words *w);

/* out [n_words] = the sum of each word's token scores (token_scores [n_tokens]). */
void mz_attr_word_sum(double *out, const mz_attr_words *w, const double *token_scores);

/* The token ids of a perturbed input: tokens of words with keep_word[w] = 0 become mask_id, or
 * are left out when mask_id < 0; special tokens always stay. out [n_tokens]; *n_out its length. */
void mz_attr_words_apply(int32_t *out, size_t *n_out, const int32_t *ids, const mz_attr_words *w,
                         const uint8_t *keep_word, int32_t mask_id);

/* ---------------------------------------------------------------- faithfulness */

/* Faithfulness at word level: remove the words an explanation ranks highest and see the score
 * fall (deletion), or start from none and restore them (insertion). The plan: order [W], the
 * words by score, largest first (ties by position); step k of a curve (k = 0..W) concerns the
 * first k words of order. */
void mz_attr_faith_order(int *order, const double *word_scores, int W);

/* keep [W] at step k: deletion removes the first k words of order (keep 0), insertion keeps
 * only them. */
void mz_attr_faith_step(uint8_t *keep, const int *order, int W, int k, int insertion);

/* ERASER's default bins (DeYoung et al. 2020): the top 1, 5, 10, 20 and 50% of the words. */
#define MZ_ATTR_ERASER_BINS \
    { 0.01, 0.05, 0.10, 0.20, 0.50 }

typedef struct mz_attr_faithfulness_result {
    double deletion_area;     /* area under the deletion curve, x = fraction removed: low is good */
    double insertion_area;    /* area under the insertion curve: high is good */
    double comprehensiveness; /* mean over bins of f(x) - f(x without the top words): high */
    double sufficiency;       /* mean over bins of f(x) - f(only the top words): low */
} mz_attr_faithfulness_result;

/* From the scores the caller measured at each step (the model's score for the explained
 * target, e.g. its probability): deletion [W+1] with deletion[k] the score with the top k
 * words removed (deletion[0] = f(x)), insertion [W+1] with insertion[k] the score with only
 * the top k kept (insertion[W] = f(x)). Areas by the trapezoid rule over k/W. ERASER's
 * aggregate (AOPC, as its reference code averages): bin q takes k = ceil(q W) words, at least
 * one; bins NULL means MZ_ATTR_ERASER_BINS. Fails for W < 1 or bins outside (0,1]. */
mz_status mz_attr_faithfulness(mz_attr_faithfulness_result *out, const double *deletion,
                               const double *insertion, int W, const double *bins, int n_bins,
                               mz_ctx *ctx);

/* Occlusion, leave one word out (a gradient-free cross-check): out[w] = f(x) - occluded[w],
 * occluded[w] the score with word w's tokens masked or removed (mz_attr_words_apply). */
void mz_attr_occlusion(double *out, double fx, const double *occluded, int W);

#ifdef __cplusplus
}
#endif
#endif
