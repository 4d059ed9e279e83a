/* What the engine's files share: the weight pointers of one model, by role. All pointers go
 * into the safetensors map (F32, aligned) or into buffers the model owns (widened halves). */
#ifndef MIZANI_MODEL_INTERNAL_H
#define MIZANI_MODEL_INTERNAL_H

#include "mizani/model.h"
#include "mizani/safetensors.h"

typedef struct mz_linear {
    const float *w; /* [out,in] as nn.Linear; [in,out] when the model stores Conv1D (GPT-2) */
    const float *b; /* [out], may be NULL */
} mz_linear;

typedef struct mz_norm {
    const float *w, *b; /* [dim] each */
} mz_norm;

typedef struct mz_layer_weights {
    mz_linear q, k, v; /* [C,C] each; GPT-2: q holds c_attn [C,3C], k and v unused */
    mz_linear o;       /* [C,C] */
    mz_norm ln1;       /* post-LN: after attention; pre-LN (GPT-2): before it */
    mz_linear ff1;     /* [F,C] */
    mz_linear ff2;     /* [C,F] */
    mz_norm ln2;       /* post-LN: after the feed-forward; pre-LN: before it */
} mz_layer_weights;

typedef struct mz_model_weights {
    const float *wte;   /* [V,E] */
    const float *wpe;   /* [P,E] */
    const float *wtt;   /* [TV,E] or NULL */
    mz_norm emb_ln;     /* [E]; GPT-2: none */
    mz_linear emb_proj; /* [C,E], ELECTRA when E != C; else w NULL */
    mz_layer_weights *layers;
    mz_norm final_ln;     /* GPT-2 ln_f */
    mz_linear head_dense; /* MLM transform [E,C]; w NULL when no head */
    mz_norm head_ln;      /* [E] */
    int head_gelu_tanh;   /* the transform's activation */
    mz_linear decoder;    /* [V,E] (tied: wte), bias [V] or NULL */
    mz_linear pooler;     /* [C,C], BERT-style checkpoints; w NULL when absent */
} mz_model_weights;

struct mz_model {
    mz_model_config cfg;
    char *model_type;
    mz_st *st;
    mz_model_weights w;
    int conv1d; /* projection weights stored [in,out] */
    mz_model_observer observer;
    void *observer_user;
    struct mz_gguf *gguf; /* non-NULL when the weights come from a GGUF file (ggml's names) */
    void **owned;         /* widened or realigned tensors */
    size_t n_owned, cap_owned, owned_bytes, n_params;
};

mz_status mz_model_read_config(mz_model_config *cfg, char **model_type, const char *path,
                               mz_ctx *ctx);
mz_status mz_model_map_weights(mz_model *m, mz_ctx *ctx);
/* The config from a GGUF file's {arch}.* keys and tensor shapes. */
mz_status mz_model_gguf_config(mz_model_config *cfg, char **model_type, const struct mz_gguf *g,
                               const char *path, mz_ctx *ctx);
mz_status mz_model_gguf_tensors(mz_st **out, const struct mz_gguf *g, const char *path,
                                mz_ctx *ctx);

#endif
