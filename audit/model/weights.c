/* Hugging Face tensor names -> weight roles, per architecture. Every tensor is checked against
 * the shape the config implies before the engine may read it; F32 tensors are used in place,
 * F16/BF16 ones widened once into buffers the model owns. */
#include "mizani/alloc.h"
#include "model_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct mapper {
    mz_model *m;
    const char *prefix; /* "bert." for a *ForMaskedLM checkpoint, "" for a bare model */
    mz_wlayout layout;  /* how this file stores its block projections */
    const char *config; /* what fixes the expected shapes: config.json or GGUF metadata */
    mz_ctx *ctx;
} mapper;

static float half_to_float(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 31, man = h & 1023u;
    float f;
    if (exp == 0)
        f = ldexpf((float)man, -24); /* zero and subnormals */
    else if (exp == 31)
        f = man ? NAN : INFINITY;
    else
        f = ldexpf((float)(man | 1024u), (int)exp - 25);
    uint32_t bits;
    memcpy(&bits, &f, 4);
    bits |= sign;
    memcpy(&f, &bits, 4);
    return f;
}

/* The tensor's values as aligned F32: the map itself, or an owned widened copy. */
static mz_status as_f32(const float **out, mapper *M, const mz_st_tensor *t) {
    mz_model *m = M->m;
    if (t->dtype == MZ_ST_F32 && (uintptr_t)t->data % sizeof(float) == 0) {
        *out = t->data;
        return MZ_OK;
    }
    if (t->dtype != MZ_ST_F32 && t->dtype != MZ_ST_F16 && t->dtype != MZ_ST_BF16)
        return mz_fail(M->ctx, MZ_ERR_UNSUPPORTED, t->file,
                       "tensor '%s': dtype %s (F32, F16, BF16)", t->name,
                       mz_st_dtype_name(t->dtype));
    float *f = mz_malloc(t->n_elements * sizeof *f + 1);
    if (!f || mz_grow((void **)&m->owned, &m->cap_owned, m->n_owned + 1, sizeof *m->owned)) {
        mz_free(f);
        return mz_fail(M->ctx, MZ_ERR_NOMEM, t->file, "out of memory widening '%s'", t->name);
    }
    m->owned[m->n_owned++] = f;
    m->owned_bytes += t->n_elements * sizeof *f;
    const uint8_t *p = t->data;
    if (t->dtype == MZ_ST_F32) memcpy(f, p, t->n_bytes);
    for (size_t i = 0; t->dtype != MZ_ST_F32 && i < t->n_elements; i++) {
        uint16_t h;
        memcpy(&h, p + 2 * i, 2);
        uint32_t bits = (uint32_t)h << 16; /* bfloat16 is the top half of a float */
        if (t->dtype == MZ_ST_F16)
            f[i] = half_to_float(h);
        else
            memcpy(&f[i], &bits, 4);
    }
    *out = f;
    return MZ_OK;
}

static const mz_st_tensor *lookup(mapper *M, const char *name, char full[256]) {
    snprintf(full, 256, "%s%s", M->prefix, name);
    const mz_st_tensor *t = mz_st_find(M->m->st, full);
    return t ? t : mz_st_find(M->m->st, name);
}

/* Finds prefix+name (or name alone) with shape [d0] or [d0,d1]; optional tensors may be absent. */
static mz_status tensor(const float **out, mapper *M, const char *name, int d0, int d1,
                        int optional) {
    char full[256];
    const mz_st_tensor *t = lookup(M, name, full);
    *out = NULL;
    if (!t)
        return optional ? MZ_OK
                        : mz_fail(M->ctx, MZ_ERR_INPUT, M->m->weights_path,
                                  "the weights lack tensor '%s' that a %s model needs", full,
                                  M->m->cfg.model_type);
    int dims = d1 ? 2 : 1;
    if (t->n_dims != dims || t->shape[0] != d0 || (d1 && t->shape[1] != d1))
        return mz_fail(M->ctx, MZ_ERR_INPUT, t->file,
                       "tensor '%s' has shape [%lld%s%lld] but %s implies [%d%s%d]", t->name,
                       (long long)t->shape[0], t->n_dims > 1 ? "," : "",
                       t->n_dims > 1 ? (long long)t->shape[1] : 0LL, M->config, d0, d1 ? "," : "",
                       d1);
    M->m->n_params += t->n_elements;
    return as_f32(out, M, t);
}

/* A projection of the model's blocks, laid out as the file stores them. */
static mz_status linear_as(mz_linear *l, mapper *M, const char *name, int out, int in, int bias,
                           mz_wlayout layout) {
    char w[200], b[200];
    snprintf(w, sizeof w, "%s.weight", name);
    snprintf(b, sizeof b, "%s.bias", name);
    int t = layout == MZ_W_IN_OUT;
    l->in = in, l->out = out, l->layout = layout;
    mz_status rc = tensor(&l->w, M, w, t ? in : out, t ? out : in, 0);
    return rc ? rc : tensor(&l->b, M, b, out, 0, !bias);
}

static mz_status linear(mz_linear *l, mapper *M, const char *name, int out, int in, int bias) {
    return linear_as(l, M, name, out, in, bias, M->layout);
}

/* Heads and poolers are nn.Linear in every format. */
static mz_status head_linear(mz_linear *l, mapper *M, const char *name, int out, int in) {
    return linear_as(l, M, name, out, in, 1, MZ_W_OUT_IN);
}

static mz_status norm(mz_norm *n, mapper *M, const char *name, int dim) {
    char w[200], b[200];
    snprintf(w, sizeof w, "%s.weight", name);
    snprintf(b, sizeof b, "%s.bias", name);
    mz_status rc = tensor(&n->w, M, w, dim, 0, 0);
    return rc ? rc : tensor(&n->b, M, b, dim, 0, 0);
}

/* Per-architecture spellings of one layer's tensors ("%d" is the layer index). */
typedef struct layer_names {
    const char *q, *k, *v, *o, *ln1, *ff1, *ff2, *ln2;
} layer_names;

static const layer_names BERT_LAYER = {"encoder.layer.%d.attention.self.query",
                                       "encoder.layer.%d.attention.self.key",
                                       "encoder.layer.%d.attention.self.value",
                                       "encoder.layer.%d.attention.output.dense",
                                       "encoder.layer.%d.attention.output.LayerNorm",
                                       "encoder.layer.%d.intermediate.dense",
                                       "encoder.layer.%d.output.dense",
                                       "encoder.layer.%d.output.LayerNorm"};
static const layer_names DISTILBERT_LAYER = {
    "transformer.layer.%d.attention.q_lin", "transformer.layer.%d.attention.k_lin",
    "transformer.layer.%d.attention.v_lin", "transformer.layer.%d.attention.out_lin",
    "transformer.layer.%d.sa_layer_norm",   "transformer.layer.%d.ffn.lin1",
    "transformer.layer.%d.ffn.lin2",        "transformer.layer.%d.output_layer_norm"};
/* llama.cpp's names in GGUF files. */
static const layer_names GGUF_BERT_LAYER = {
    "blk.%d.attn_q",           "blk.%d.attn_k", "blk.%d.attn_v",   "blk.%d.attn_output",
    "blk.%d.attn_output_norm", "blk.%d.ffn_up", "blk.%d.ffn_down", "blk.%d.layer_output_norm"};
static const layer_names GGUF_GPT2_LAYER = {"blk.%d.attn_qkv",
                                            NULL,
                                            NULL,
                                            "blk.%d.attn_output",
                                            "blk.%d.attn_norm",
                                            "blk.%d.ffn_up",
                                            "blk.%d.ffn_down",
                                            "blk.%d.ffn_norm"};
static const layer_names GPT2_LAYER = {"h.%d.attn.c_attn", NULL,        NULL,
                                       "h.%d.attn.c_proj", "h.%d.ln_1", "h.%d.mlp.c_fc",
                                       "h.%d.mlp.c_proj",  "h.%d.ln_2"};

static mz_status map_layer(mz_layer_weights *L, mapper *M, const layer_names *n, int i) {
    const mz_model_config *c = &M->m->cfg;
    int C = c->d_model, F = c->d_ff, A = c->block.n_heads * c->block.head_dim,
        KV = c->block.n_kv_heads * c->block.head_dim;
    char q[160], k[160], v[160], o[160], l1[160], f1[160], f2[160], l2[160];
    snprintf(q, sizeof q, n->q, i);
    snprintf(o, sizeof o, n->o, i);
    snprintf(l1, sizeof l1, n->ln1, i);
    snprintf(f1, sizeof f1, n->ff1, i);
    snprintf(f2, sizeof f2, n->ff2, i);
    snprintf(l2, sizeof l2, n->ln2, i);
    mz_status rc = linear(&L->q, M, q, n->k ? A : A + 2 * KV, C, 1);
    if (!rc && n->k) {
        snprintf(k, sizeof k, n->k, i);
        snprintf(v, sizeof v, n->v, i);
        if (!(rc = linear(&L->k, M, k, KV, C, 1))) rc = linear(&L->v, M, v, KV, C, 1);
    }
    if (!rc) rc = linear(&L->o, M, o, C, A, 1);
    if (!rc) rc = norm(&L->ln1, M, l1, C);
    if (!rc) rc = linear(&L->ff1, M, f1, F, C, 1);
    if (!rc) rc = linear(&L->ff2, M, f2, C, F, 1);
    return rc ? rc : norm(&L->ln2, M, l2, C);
}

/* Word, position and token-type embeddings with their LayerNorm (BERT-style families). */
static mz_status map_embeddings(mapper *M, const char *word, const char *pos, const char *type,
                                const char *ln) {
    mz_model *m = M->m;
    const mz_model_config *c = &m->cfg;
    int E = c->d_embed;
    mz_status rc = tensor(&m->w.wte, M, word, c->vocab, E, 0);
    if (!rc) rc = tensor(&m->w.wpe, M, pos, c->max_pos, E, 0);
    if (!rc && type && c->type_vocab) rc = tensor(&m->w.wtt, M, type, c->type_vocab, E, 0);
    return rc || !ln ? rc : norm(&m->w.emb_ln, M, ln, E);
}

/* The MLM head, when the checkpoint has one: transform, norm, decoder (tied when absent). */
static mz_status map_head(mapper *M, const char *dense, const char *ln, const char *dec,
                          const char *bias, int gelu_tanh) {
    mz_model *m = M->m;
    const mz_model_config *c = &m->cfg;
    int E = c->arch == MZ_ARCH_ELECTRA ? c->d_embed : c->d_model;
    char w[200], full[256];
    snprintf(w, sizeof w, "%s.weight", dense);
    if (!lookup(M, w, full)) return MZ_OK; /* a bare encoder: hidden states only */
    mz_status rc;
    if ((rc = head_linear(&m->w.head_dense, M, dense, E, c->d_model)) ||
        (rc = norm(&m->w.head_ln, M, ln, E)))
        return rc;
    snprintf(w, sizeof w, "%s.weight", dec);
    if ((rc = tensor(&m->w.decoder.w, M, w, c->vocab, E, 1))) return rc;
    if (!m->w.decoder.w) m->w.decoder.w = m->w.wte;
    m->w.decoder.in = E, m->w.decoder.out = c->vocab, m->w.decoder.layout = MZ_W_OUT_IN;
    m->w.head_gelu_tanh = gelu_tanh;
    m->cfg.has_lm_head = 1;
    return tensor(&m->w.decoder.b, M, bias, c->vocab, 0, 0);
}

static mz_status map_bert_family(mapper *M, const layer_names *ln) {
    mz_model *m = M->m;
    mz_status rc = MZ_OK;
    for (int i = 0; i < m->cfg.n_layers && !rc; i++)
        rc = map_layer(&m->w.layers[i], M, ln, i);
    return rc;
}

/* The LM head of a decoder: its own `output` matrix when the file has one, else the input
 * embeddings (tied). */
static void tied_decoder(mz_model *m) {
    const mz_model_config *c = &m->cfg;
    if (!m->w.decoder.w) m->w.decoder.w = m->w.wte;
    m->w.decoder.in = c->d_model, m->w.decoder.out = c->vocab, m->w.decoder.layout = MZ_W_OUT_IN;
    m->cfg.has_lm_head = 1;
}

/* GGUF: no MLM head survives llama.cpp's BERT conversion; GPT-2 keeps `output` or ties it. */
static mz_status map_gguf(mapper *M) {
    mz_model *m = M->m;
    const mz_model_config *c = &m->cfg;
    int gpt2 = c->arch == MZ_ARCH_GPT2;
    mz_status rc =
        map_embeddings(M, "token_embd.weight", "position_embd.weight",
                       gpt2 ? NULL : "token_types.weight", gpt2 ? NULL : "token_embd_norm");
    if (!rc) rc = map_bert_family(M, gpt2 ? &GGUF_GPT2_LAYER : &GGUF_BERT_LAYER);
    if (rc || !gpt2) return rc;
    if ((rc = norm(&m->w.final_ln, M, "output_norm", c->d_model)) ||
        (rc = tensor(&m->w.decoder.w, M, "output.weight", c->vocab, c->d_model, 1)))
        return rc;
    tied_decoder(m);
    return MZ_OK;
}

static mz_status map_arch(mapper *M) {
    mz_model *m = M->m;
    const mz_model_config *c = &m->cfg;
    mz_status rc;
    switch (c->arch) {
    case MZ_ARCH_GPT2:
        M->prefix = "transformer.";
        M->layout = MZ_W_IN_OUT;
        if ((rc = map_embeddings(M, "wte.weight", "wpe.weight", NULL, NULL)) ||
            (rc = map_bert_family(M, &GPT2_LAYER)) ||
            (rc = norm(&m->w.final_ln, M, "ln_f", c->d_model)))
            return rc;
        tied_decoder(m); /* GPT-2 ties its LM head to the input embeddings */
        return MZ_OK;
    case MZ_ARCH_DISTILBERT:
        M->prefix = "distilbert.";
        if ((rc = map_embeddings(M, "embeddings.word_embeddings.weight",
                                 "embeddings.position_embeddings.weight", NULL,
                                 "embeddings.LayerNorm")) ||
            (rc = map_bert_family(M, &DISTILBERT_LAYER)))
            return rc;
        return map_head(M, "vocab_transform", "vocab_layer_norm", "vocab_projector",
                        "vocab_projector.bias", c->block.ffn == MZ_FFN_GELU_TANH);
    default: break;
    }
    int roberta = c->arch == MZ_ARCH_ROBERTA || c->arch == MZ_ARCH_XLM_ROBERTA;
    M->prefix = c->arch == MZ_ARCH_BERT      ? "bert."
                : c->arch == MZ_ARCH_ELECTRA ? "electra."
                                             : "roberta.";
    if ((rc = map_embeddings(M, "embeddings.word_embeddings.weight",
                             "embeddings.position_embeddings.weight",
                             "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm")))
        return rc;
    if (c->d_embed != c->d_model &&
        (rc = head_linear(&m->w.emb_proj, M, "embeddings_project", c->d_model, c->d_embed)))
        return rc;
    if ((rc = map_bert_family(M, &BERT_LAYER))) return rc;
    char full[256];
    if (lookup(M, "pooler.dense.weight", full)) {
        if ((rc = head_linear(&m->w.pooler, M, "pooler.dense", c->d_model, c->d_model))) return rc;
        m->cfg.has_pooler = 1;
    }
    if (roberta)
        return map_head(M, "lm_head.dense", "lm_head.layer_norm", "lm_head.decoder", "lm_head.bias",
                        0);
    if (c->arch == MZ_ARCH_ELECTRA)
        return map_head(M, "generator_predictions.dense", "generator_predictions.LayerNorm",
                        "generator_lm_head", "generator_lm_head.bias", 0);
    return map_head(M, "cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                    "cls.predictions.decoder", "cls.predictions.bias",
                    c->block.ffn == MZ_FFN_GELU_TANH);
}

mz_status mz_model_map_weights(mz_model *m, mz_ctx *ctx) {
    m->w.layers = mz_calloc((size_t)m->cfg.n_layers, sizeof *m->w.layers);
    if (!m->w.layers) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mapper M = {m, "", MZ_W_OUT_IN, m->gguf ? "the GGUF metadata" : "config.json", ctx};
    return m->gguf ? map_gguf(&M) : map_arch(&M);
}
