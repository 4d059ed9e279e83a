/* The run context's insides, shared by the forward pass (engine.c) and its bookkeeping (run.c):
 * the packing of a batch and every activation buffer of a pass, by layer. */
#ifndef MIZANI_MODEL_RUN_H
#define MIZANI_MODEL_RUN_H

#include "activations.h"
#include "layers.h"
#include "model_internal.h"

/* A batch's real tokens laid end to end: N tokens of S sequences (= batch rows). */
typedef struct packing {
    int N, S, T;                /* T: the batch's padded row length */
    int32_t *ids, *pos, *types; /* [N] */
    int has_embeds;             /* the caller gives token embeddings ... */
    float *embeds;              /* ... packed here [N,E], or NULL: rows of the embedding matrix */
    int *row;                   /* [N] b*T+t of each packed token */
    int *start, *len;           /* [S] */
    size_t *poff;               /* [S] offset of each sequence's [H,L,L] probabilities */
    size_t n_probs;
    int M;       /* tokens whose logits are wanted */
    int *out_at; /* [M] their packed indices, or NULL: all N */
} packing;

/* One block's activations over the packed tokens (C = d_model, F = d_ff, A = H*d). In a
 * forward-only pass every layer's pointers go into one shared slab and the residual stream is
 * updated in place (in, res1, res2 and out are one buffer); when caches are kept, each layer has
 * its own buffers for what a backward pass reads, and nothing is overwritten. */
typedef struct layer_acts {
    float *in;                        /* [N,C] the block's input */
    float *ln1, *ln1_mean, *ln1_rstd; /* [N,C], [N], [N]: norm 1's output and statistics */
    float *qkv;                       /* [N,A+2KV*d] fused, or q [N,A] then k, v [N,KV*d] */
    float *probs;                     /* [sum_s H*L_s*L_s] */
    float *att;                       /* [N,A] heads concatenated */
    float *attn_out;                  /* [N,C] the output projection, bias included */
    float *res1;                      /* [N,C] in + attn_out */
    float *ln2, *ln2_mean, *ln2_rstd; /* [N,C], [N], [N]: norm 2 */
    float *ffh_pre;                   /* [N,F] the first feed-forward product, before its bias */
    float *ffh;                       /* [N,F] GELU(ffh_pre + bias) */
    float *ffn_out;                   /* [N,C] the second product, bias included */
    float *res2;                      /* [N,C] (pre-norm: res1, post-norm: ln1) + ffn_out */
    float *out;                       /* [N,C] pre-norm: res2; post-norm: ln2 */
} layer_acts;

/* The backward pass's buffers, each the gradient of the activation it is named after (llm.c's
 * grads_acts); one set serves every layer in turn. */
typedef struct grad_bufs {
    float *dfinal, *dx;          /* [N,C] the last hidden state's; the stream's at a layer edge */
    float *dres1, *dres2, *dln;  /* [N,C] */
    float *dattn_out, *dffn_out; /* [N,C] */
    float *datt;                 /* [N,A] */
    float *dqkv;                 /* [N,A+2KV*d] */
    float *dffh, *dffh_pre;      /* [N,F] */
    float *dprobs, *dscores;     /* [sum_s H*L_s*L_s] */
    float *dlogits;              /* [M,V] seeded logits gathered from a padded layout */
    float *dhead, *head_scratch; /* [M,C], [2*M*E] */
    float *demb, *dsum;          /* [N,E] */
    float *dpool, *pool_scratch; /* [S,C] */
    float *base;
    size_t cap;
} grad_bufs;

struct mz_run {
    const mz_model *m;
    packing p;
    int keep;        /* caches for a backward pass */
    int kept;        /* the last pass kept them: a backward pass may follow */
    int want_logits; /* the pass computes the LM head */
    grad_bufs g;
    float *base;
    size_t cap;                          /* floats in base, kept between passes */
    layer_acts *L;                       /* [n_layers] */
    float *emb;                          /* [N,E] token + position (+ type) embeddings */
    float *emb_ln, *emb_mean, *emb_rstd; /* [N,E], [N], [N] (= emb when the recipe has no norm) */
    float *x0;                           /* [N,C] hidden.0 (= emb_ln unless ELECTRA projects it) */
    float *final, *final_mean, *final_rstd; /* [N,C]: the last hidden state (after a final norm) */
    float *head_in;                         /* [M,C] the rows the LM head reads */
    float *head_pre, *head, *head_ln, *head_mean, *head_rstd; /* [M,E] MLM transform, [M] */
    float *logits;                                            /* [M,V] */
    float *pool, *pool_pre;   /* [S,C] first tokens; BERT's pooler before tanh */
    float *scratch;           /* [N,C] per-head projections (layer.L.attn.head_out) */
    const float **attn_scale; /* [n_layers] per-row scale of the probabilities or NULL */
    mz_model_observer observer;
    void *observer_user;
};

/* Hands out consecutive pieces of an arena; with no base it only counts. */
typedef struct mz_carver {
    float *base;
    size_t used;
} mz_carver;

float *mz_carve(mz_carver *c, size_t n);
/* Lays out an arena in two passes of `layout`: the first counts what it takes, then *base grows
 * to hold that (contents not kept), the second points the run's buffers into it. */
mz_status mz_arena_lay_out(float **base, size_t *cap, void (*layout)(mz_run *, mz_carver *),
                           mz_run *r, const char *what, mz_ctx *ctx);

/* Packs `b` and lays out every buffer of the pass (the arena regrown when it is too small). */
mz_status mz_run_prepare(mz_run *r, const mz_model_batch *b, int want_logits, mz_ctx *ctx);

/* The forward pass over a prepared run, filling the requested entries of `acts`. MZ_ERR_NUMERIC
 * naming the first intermediate where a non-finite value appears. */
mz_status mz_run_pass(mz_run *r, mz_activations *acts, mz_ctx *ctx);

#endif
