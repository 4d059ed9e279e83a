/* The transformer engine: a Hugging Face model folder (config.json + safetensors) opened over a
 * read-only map, and forward passes that hand back any named intermediate.
 *
 * Intermediate names (shapes for a batch of B rows padded to T tokens, hidden size C, H heads):
 *   hidden.L            [B,T,C]  residual stream after layer L (hidden.0: the embeddings),
 *                                as Hugging Face's output_hidden_states; L = 0..n_layers
 *   layer.L.attn.probs  [B,H,T,T] attention probabilities of layer L (0-based)
 *   layer.L.attn.values [B,H,T,C/H] the value vectors, for norm-based attention analysis
 *   layer.L.attn.out    [B,T,C]  attention output after its projection, before the residual
 *   layer.L.ffn.out     [B,T,C]  feed-forward output, before the residual
 *   logits              [B,T,V]  masked-LM (encoders) or next-token (GPT-2) logits
 *   pooled.cls          [B,C]    sentence embedding: the last hidden state of the first token
 *   pooled.mean         [B,C]    sentence embedding: the mean last hidden state of real tokens
 *   pooled.pooler       [B,C]    BERT's pooler output, where the checkpoint has one
 * Padded positions (mask 0) hold zeros in every output. */
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

typedef struct mz_model_config {
    mz_model_arch arch;
    const char *model_type; /* as config.json spells it */
    int n_layers, d_model, n_heads, d_ff, vocab, max_pos, type_vocab;
    int d_embed; /* ELECTRA may embed narrower than d_model; else = d_model */
    double ln_eps;
    int gelu_tanh;   /* 1: tanh approximation (gelu_new, gelu_pytorch_tanh); 0: erf */
    int causal;      /* decoder (GPT-2) */
    int pad_id;      /* -1 when none */
    int pos_offset;  /* RoBERTa/XLM-R: positions start at pad_id + 1 */
    int has_lm_head; /* the checkpoint holds an MLM / LM head */
    int has_pooler;  /* BERT's pooler (tanh of a dense layer on the first token) */
} mz_model_config;

typedef struct mz_model mz_model;

/* config.json's text -> config (what mz_model_open reads first); *model_type (mz_free) backs
 * cfg->model_type. `name` labels errors. */
mz_status mz_model_config_parse(mz_model_config *cfg, char **model_type, const char *json,
                                size_t len, const char *name, mz_ctx *ctx);

/* `path`: a folder with config.json and model.safetensors (or the sharded index). F16 and BF16
 * weights are widened to F32 once, at open; F32 weights are used in place from the map. */
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
    const int32_t *ids;      /* [B,T] */
    const int32_t *mask;     /* [B,T] */
    const int32_t *type_ids; /* [B,T] or NULL */
} mz_model_batch;

typedef struct mz_activations mz_activations;

/* Called once for each requested intermediate as soon as the pass has computed it (padded
 * layout, as mz_activations_get returns it), before later layers run: for streaming
 * intermediates out or stopping work early in a probe. */
typedef void (*mz_model_observer)(const char *name, const float *data, const int *shape, int n_dims,
                                  void *user);
/* NULL removes the observer. */
void mz_model_set_observer(mz_model *m, mz_model_observer fn, void *user);

/* Runs one forward pass and keeps the intermediates named in `want` (n_want names; "logits",
 * "hidden.3", "layer.0.attn.probs"; "hidden.*" / "layer.*.attn.probs" ask for every layer).
 * Padding costs nothing: real tokens are packed before every matrix product. */
mz_status mz_model_run(mz_activations **out, mz_model *m, const mz_model_batch *batch,
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
