/* The transformer engine: a Hugging Face model folder (config.json + safetensors) or a GGUF file
 * opened over a read-only map (mz_model, never changed by a pass), and forward passes run in a
 * run context (mz_run: scratch, per-layer caches, hooks) that hand back named intermediates.
 *
 * Intermediate names (shapes for a batch of B rows padded to T tokens, hidden size C, H heads of
 * size d; the one table in audit/model/names.c lists them):
 *   hidden.L            [B,T,C]   residual stream after layer L (hidden.0: the embeddings),
 *                                 as Hugging Face's output_hidden_states; L = 0..n_layers
 *   layer.L.attn.probs  [B,H,T,T] attention probabilities of layer L (0-based)
 *   layer.L.attn.values [B,H,T,d] the value vectors, for norm-based attention analysis
 *   layer.L.attn.head_out [B,H,T,C] each head's value vectors through its slice of the output
 *                                 projection: f(x) of Kobayashi et al. (2020)
 *   layer.L.attn.out    [B,T,C]   attention output after its projection, before the residual
 *   layer.L.ffn.out     [B,T,C]   feed-forward output, before the residual
 *   logits              [B,T,V]   masked-LM (encoders) or next-token (decoders) logits; with
 *                                 output flags in the batch, [M,V]: one row per flagged token
 *   pooled.cls          [B,C]     sentence embedding: the last hidden state of the first token
 *   pooled.mean         [B,C]     sentence embedding: the mean last hidden state of real tokens
 *   pooled.pooler       [B,C]     BERT's pooler output, where the checkpoint has one
 * Padded positions (mask 0) hold zeros in every output. Gradients from a backward pass are named
 * grad.* (mz_run_backward). */
#ifndef MIZANI_MODEL_H
#define MIZANI_MODEL_H

#include "mizani/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mz_model_arch {
    MZ_ARCH_BERT,
    MZ_ARCH_ROBERTA,
    MZ_ARCH_XLM_ROBERTA,
    MZ_ARCH_DISTILBERT,
    MZ_ARCH_ELECTRA,
    MZ_ARCH_GPT2,
    MZ_ARCH_COUNT
} mz_model_arch;

/* What a block is made of, as data: the layer loop, its backward and every kernel read this
 * instead of asking which architecture they run. A new architecture is a new recipe (and, for a
 * new kind of part, one new case where that part is computed). */
typedef enum mz_norm_place {
    MZ_NORM_POST, /* x = norm(x + f(x)): BERT and its descendants */
    MZ_NORM_PRE   /* x = x + f(norm(x)): GPT-2 and later decoders */
} mz_norm_place;

typedef enum mz_attn_mask {
    MZ_MASK_BIDIRECTIONAL, /* every real token of the row (encoders) */
    MZ_MASK_CAUSAL         /* the token and those before it (decoders) */
} mz_attn_mask;

typedef enum mz_ffn_kind {
    MZ_FFN_GELU,     /* up, GELU (erf), down */
    MZ_FFN_GELU_TANH /* up, GELU (tanh approximation: gelu_new, gelu_pytorch_tanh), down */
} mz_ffn_kind;

typedef struct mz_block_recipe {
    mz_norm_place norm_place; /* LayerNorm (weight and bias) at either place */
    double norm_eps;
    int embed_norm;        /* a norm over the summed embeddings (BERT family) */
    int final_norm;        /* a norm after the last block (GPT-2's ln_f) */
    int learned_positions; /* absolute position embeddings added to the token embeddings */
    mz_attn_mask mask;
    int n_heads, n_kv_heads; /* n_kv_heads < n_heads: heads share key/value heads (GQA) */
    int head_dim;
    int qkv_fused; /* one [3*H*d] projection (GPT-2's c_attn) instead of three */
    mz_ffn_kind ffn;
} mz_block_recipe;

typedef struct mz_model_config {
    mz_model_arch arch;
    const char *model_type; /* as config.json spells it */
    int n_layers, d_model, d_ff, vocab, max_pos, type_vocab;
    int d_embed; /* ELECTRA may embed narrower than d_model; else = d_model */
    mz_block_recipe block;
    int pad_id;      /* -1 when none */
    int pos_offset;  /* RoBERTa/XLM-R: positions start at pad_id + 1 */
    int has_lm_head; /* the checkpoint holds an MLM / LM head */
    int has_pooler;  /* BERT's pooler (tanh of a dense layer on the first token) */
} mz_model_config;

/* A decoder: its LM head predicts the next token, and it has no mask token to fill. */
int mz_model_is_causal(const mz_model_config *c);

typedef struct mz_model mz_model;

/* config.json's text -> config (what mz_model_open reads first); *model_type (mz_free) backs
 * cfg->model_type. `name` labels errors. */
mz_status mz_model_config_parse(mz_model_config *cfg, char **model_type, const char *json,
                                size_t len, const char *name, mz_ctx *ctx);

/* `path`: a folder with config.json and model.safetensors (or the sharded index), or a .gguf
 * file. F16 and BF16 weights are widened to F32 once, at open; F32 weights are used in place
 * from the map. The model is read-only afterwards: any number of runs may share it. */
mz_status mz_model_open(mz_model **out, const char *path, mz_ctx *ctx);
void mz_model_free(mz_model *m);
const mz_model_config *mz_model_get_config(const mz_model *m);
const char *mz_model_arch_name(mz_model_arch arch);
/* "bert, roberta, ..." for error messages and --help. */
const char *mz_model_supported_archs(void);
size_t mz_model_n_params(const mz_model *m);
/* SHA-256 of the weight files, in shard order (the model card's identity of the weights). */
void mz_model_sha256(const mz_model *m, char hex[65]);
/* The weight files' tensor directory (for dtype summaries). */
const struct mz_st *mz_model_tensors(const mz_model *m);
/* The input embedding matrix [vocab, d_embed]: every token's static vector. */
const float *mz_model_input_embeddings(const mz_model *m);
/* Bytes held beyond the map (widened half-precision weights, unaligned copies). */
size_t mz_model_owned_bytes(const mz_model *m);

/* A batch: B rows of T token ids, right- or arbitrarily padded; mask[b*T+t] = 1 for real
 * tokens. type_ids may be NULL (all 0). */
typedef struct mz_model_batch {
    int B, T;
    const int32_t *ids;      /* [B,T]; may be NULL when embeds is given (positions then count
                                the row's real tokens) */
    const int32_t *mask;     /* [B,T] */
    const int32_t *type_ids; /* [B,T] or NULL */
    /* [B,T,E] token embeddings used instead of the rows of the embedding matrix (positions and
     * token types are still added): interpolated inputs for Integrated Gradients. NULL: ids. */
    const float *embeds;
    /* [B,T] 1 for the tokens whose logits are wanted; NULL: every real token. The LM head then
     * runs on those rows alone and `logits` is [M,V], M flagged real tokens in batch order. */
    const uint8_t *outputs;
} mz_model_batch;

typedef struct mz_activations mz_activations;

/* Called once for each requested intermediate as soon as the pass has computed it (padded
 * layout, as mz_activations_get returns it), before later layers run: for streaming
 * intermediates out or stopping work early in a probe. */
typedef void (*mz_model_observer)(const char *name, const float *data, const int *shape, int n_dims,
                                  void *user);

/* A run context: what one line of work needs to run a model again and again. It owns the
 * packing of the batch, the scratch of the pass (kept and regrown between passes), per-layer
 * caches when they are kept, and the hooks. One run context per thread of work. */
typedef struct mz_run mz_run;

mz_status mz_run_new(mz_run **out, const mz_model *m, mz_ctx *ctx);
void mz_run_free(mz_run *r);
/* NULL removes the observer. */
void mz_run_set_observer(mz_run *r, mz_model_observer fn, void *user);
/* Multiplies layer `layer`'s attention probabilities by scale[b] in batch row b where they
 * weight the value vectors (the probabilities reported stay unscaled): the path of attention
 * attribution (Hao et al. 2021). scale NULL: no scaling. The array must outlive the passes. */
mz_status mz_run_scale_attention(mz_run *r, int layer, const float *scale, mz_ctx *ctx);
/* keep 1: later passes keep every layer's activations apart (nothing overwritten in place), as a
 * backward pass through them needs; more memory, the same numbers. 0 (the default): one shared
 * slab, the residual stream updated in place. */
void mz_run_keep_caches(mz_run *r, int keep);
/* Runs one forward pass and keeps the intermediates named in `want` (n_want names; "logits",
 * "hidden.3", "layer.0.attn.probs"; "hidden.*" / "layer.*.attn.probs" ask for every layer).
 * Padding costs nothing: real tokens are packed before every matrix product. */
mz_status mz_run_forward(mz_activations **out, mz_run *r, const mz_model_batch *batch,
                         const char *const *want, int n_want, mz_ctx *ctx);

/* Where a backward pass starts: the gradient of the caller's scalar target with respect to one
 * output of the last forward pass, in that output's layout (as mz_activations_get returned it).
 * Seeds of several outputs add up. */
typedef struct mz_grad_seed {
    const char *name; /* "logits", "pooled.mean", "pooled.cls", "pooled.pooler" or "hidden.L" */
    const float *grad;
} mz_grad_seed;

/* The backward pass of the run's last forward pass, which must have kept its caches
 * (mz_run_keep_caches) and computed every seeded output. Hands back the gradients named in
 * `want` (a layer number may be *):
 *   grad.embeds             [B,T,E]   w.r.t. the token embeddings (Hugging Face's
 *                                     inputs_embeds: the rows before positions are added)
 *   grad.hidden.L           [B,T,C]   w.r.t. hidden.L
 *   grad.layer.L.attn.probs [B,H,T,T] w.r.t. layer L's probabilities as they weight the values
 *                                     (scaled, when mz_run_scale_attention scales them)
 * Weights get no gradient: the kernels take parameter gradients, the seam for fine-tuning. */
mz_status mz_run_backward(mz_activations **out, mz_run *r, const mz_grad_seed *seeds, int n_seeds,
                          const char *const *want, int n_want, mz_ctx *ctx);

/* One forward pass in a run context of its own. */
mz_status mz_model_run(mz_activations **out, const mz_model *m, const mz_model_batch *batch,
                       const char *const *want, int n_want, mz_ctx *ctx);

/* NULL when `name` was not requested; shape gets up to 4 sizes, *n_dims how many. */
const float *mz_activations_get(const mz_activations *a, const char *name, int shape[4],
                                int *n_dims);
size_t mz_activations_count(const mz_activations *a);
const char *mz_activations_name(const mz_activations *a, size_t i);
void mz_activations_free(mz_activations *a);

#ifdef __cplusplus
}
#endif
#endif
