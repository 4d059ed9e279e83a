/* What the engine's files share: the weight descriptors of one model, by role. Every pointer
 * goes into the safetensors map (F32, aligned) or into buffers the model owns (widened halves). */
#ifndef MIZANI_MODEL_INTERNAL_H
#define MIZANI_MODEL_INTERNAL_H

#include "mizani/model.h"
#include "mizani/safetensors.h"

/* How a projection's weights lie in memory. */
typedef enum mz_wlayout {
    MZ_W_OUT_IN, /* [out,in], nn.Linear */
    MZ_W_IN_OUT  /* [in,out], GPT-2's Conv1D */
} mz_wlayout;

/* One projection y = x W^T + b, described once so that every product (forward, backward, and
 * any weight type added later) reads its weights through the same few fields. */
typedef struct mz_linear {
    const float *w; /* F32, laid out as `layout` says */
    const float *b; /* [out], may be NULL */
    int in, out;
    mz_wlayout layout;
} mz_linear;

typedef struct mz_norm {
    const float *w, *b; /* [dim] each */
} mz_norm;

typedef struct mz_layer_weights {
    mz_linear q, k, v; /* [H*d,C] each; a fused recipe keeps q|k|v in `q` [3*H*d,C] */
    mz_linear o;       /* [C,H*d] */
    mz_norm ln1;       /* post-norm: after attention; pre-norm: before it */
    mz_linear ff1;     /* [F,C] */
    mz_linear ff2;     /* [C,F] */
    mz_norm ln2;       /* post-norm: after the feed-forward; pre-norm: before it */
} mz_layer_weights;

typedef struct mz_model_weights {
    const float *wte;   /* [V,E] */
    const float *wpe;   /* [P,E] */
    const float *wtt;   /* [TV,E] or NULL */
    mz_norm emb_ln;     /* [E]; recipe.embed_norm */
    mz_linear emb_proj; /* [C,E], ELECTRA when E != C; else w NULL */
    mz_layer_weights *layers;
    mz_norm final_ln;     /* recipe.final_norm: GPT-2's ln_f */
    mz_linear head_dense; /* MLM transform [E,C]; w NULL when no head */
    mz_norm head_ln;      /* [E] */
    int head_gelu_tanh;   /* the transform's activation */
    mz_linear decoder;    /* [V,E] (tied: wte), bias [V] or NULL */
    mz_linear pooler;     /* [C,C], BERT-style checkpoints; w NULL when absent */
} mz_model_weights;

struct mz_model {
    mz_model_config cfg;
    char *model_type;
    char *weights_path; /* the safetensors file, its shard index, or the GGUF file */
    mz_st *st;
    mz_model_weights w;
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
/* The recipe of a BERT-family encoder or of GPT-2, from the sizes already in `c`. */
void mz_model_recipe(mz_model_config *c, int gelu_tanh, double eps);

#endif
