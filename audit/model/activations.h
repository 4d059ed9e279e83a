/* The named outputs of one forward pass: one table of every intermediate a pass can hand back,
 * which of them were requested, and their zeroed buffers in the caller's padded layout. */
#ifndef MIZANI_MODEL_ACTIVATIONS_H
#define MIZANI_MODEL_ACTIVATIONS_H

#include "mizani/model.h"

typedef enum mz_out_kind {
    MZ_OUT_HIDDEN,
    MZ_OUT_PROBS,
    MZ_OUT_VALUES,
    MZ_OUT_HEAD_OUT,
    MZ_OUT_ATTN_OUT,
    MZ_OUT_FFN_OUT,
    MZ_OUT_LOGITS,
    MZ_OUT_POOL_CLS,
    MZ_OUT_POOL_MEAN,
    MZ_OUT_POOLER,
    MZ_OUT_GRAD_EMBEDS, /* gradients, from a backward pass */
    MZ_OUT_GRAD_HIDDEN,
    MZ_OUT_GRAD_PROBS,
    MZ_OUT_KINDS
} mz_out_kind;

/* B rows of T tokens; M: rows of logits when the batch flags output tokens, else -1. */
mz_status mz_act_new(mz_activations **out, const mz_model_config *cfg, int B, int T, int M,
                     mz_ctx *ctx);
/* Adds the outputs `name` asks for ("layer.*.attn.probs" expands to every layer): forward
 * intermediates, or with `grads` the gradients a backward pass hands back ("grad.*"). */
mz_status mz_act_request(mz_activations *a, const char *name, int grads, mz_ctx *ctx);
/* The buffer for (kind, layer), NULL when nobody asked for it. */
float *mz_act_slot(const mz_activations *a, mz_out_kind kind, int layer);
/* Hands (kind, layer) to the observer, when it was requested and an observer is set. */
void mz_act_done(const mz_activations *a, mz_out_kind kind, int layer, mz_model_observer fn,
                 void *user);

#endif
