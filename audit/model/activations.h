/* The named outputs of one forward pass: which were requested, and their zeroed buffers in
 * the caller's padded [B,T,...] layout. */
#ifndef MIZANI_MODEL_ACTIVATIONS_H
#define MIZANI_MODEL_ACTIVATIONS_H

#include "mizani/model.h"

typedef enum mz_act_kind {
    MZ_ACT_HIDDEN,
    MZ_ACT_PROBS,
    MZ_ACT_VALUES,
    MZ_ACT_ATTN_OUT,
    MZ_ACT_FFN_OUT,
    MZ_ACT_LOGITS,
    MZ_ACT_POOL_CLS,
    MZ_ACT_POOL_MEAN,
    MZ_ACT_POOLER,
    MZ_ACT_KINDS
} mz_act_kind;

mz_status mz_act_new(mz_activations **out, const mz_model_config *cfg, int B, int T, mz_ctx *ctx);
/* Adds the outputs `name` asks for ("layer.*.attn.probs" expands to every layer). */
mz_status mz_act_request(mz_activations *a, const char *name, mz_ctx *ctx);
/* The buffer for (kind, layer), NULL when nobody asked for it. */
float *mz_act_slot(const mz_activations *a, mz_act_kind kind, int layer);
/* Hands (kind, layer) to the observer, when it was requested and an observer is set. */
void mz_act_done(const mz_activations *a, mz_act_kind kind, int layer, mz_model_observer fn,
                 void *user);

#endif
