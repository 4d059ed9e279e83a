/* The backward kernels composed into whole-model passes, as the engine's gradient wiring will
 * compose them, on the tiny BERT (post-LN encoder, separate projections, tied MLM head) and
 * GPT-2 (pre-LN, fused causal projection, tied LM head) of tests/golden/models, against the
 * PyTorch autograd goldens of tests/reference/make_gradients.py (tests/golden/gradients/):
 * gradients with respect to the input embeddings, every hidden state and every layer's
 * attention probabilities, Integrated Gradients through mz_attr_ig_*, and AttAttr through
 * mz_attr_attattr, each within 1e-4 of the largest golden value. The weights are read by name
 * from model.safetensors, so this test depends on no engine internals; it fixes the goldens'
 * conventions before the engine's own wiring is tested against the same files. */
#include "backward.h"
#include "check.h"
#include "layers.h"
#include "ln_stats.h"
#include "mizani/attribution.h"
#include "mizani/mizani.h"
#include "mizani/safetensors.h"

#include <cblas.h>
#include <omp.h>
#include <stdarg.h>
#include <stdint.h>

#define TOL 1e-4
enum { MAXT = 8, C = 32, H = 4, NL = 2, V = 96 };

static mz_ctx *ctx;

typedef struct tiny {
    mz_st *st;
    int gpt2, F;
    float eps;
} tiny;

/* The tensor named by a printf format, NULL when absent. */
static const mz_st_tensor *vfind(const mz_st *st, const char *fmt, va_list ap) {
    char name[128];
    vsnprintf(name, sizeof name, fmt, ap);
    const mz_st_tensor *t = mz_st_find(st, name);
    if (!t) fprintf(stderr, "no tensor %s\n", name);
    return t;
}

/* A weight of the model, which must be an aligned F32 tensor. */
static const float *tw(const tiny *m, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const mz_st_tensor *t = vfind(m->st, fmt, ap);
    va_end(ap);
    if (!t || t->dtype != MZ_ST_F32 || (uintptr_t)t->data % sizeof(float)) {
        fprintf(stderr, "%s: not an aligned F32 tensor\n", t ? t->name : fmt);
        exit(1);
    }
    return t->data;
}

/* What one sequence's forward keeps for its backward, per layer (BERT / GPT-2):
 * in       the layer's input: hidden.l
 * n1       GPT-2: LayerNorm 1 of in (the attention's input), stats m1/s1
 * qkv      BERT: q, k, v as three [T,C] blocks (ld C); GPT-2: [T,3C] rows (ld 3C)
 * probs    [H,T,T], unscaled
 * att      heads' output before the output projection (scaled, when this layer is)
 * r1       in + attention + bias (LayerNorm 1's input for BERT, LayerNorm 2's for GPT-2)
 * n2       the feed-forward's input (LayerNorm of r1), stats m2/s2
 * ffpre    [T,F] the first product without its bias; g its GELU
 * r2       n2 (BERT) or r1 (GPT-2) + feed-forward + bias; BERT's LayerNorm 2 stats m3/s3
 * out      hidden.l+1 (BERT: LayerNorm of r2; GPT-2: r2) */
typedef struct layer_cache {
    float in[MAXT * C], n1[MAXT * C], qkv[MAXT * 3 * C], probs[H * MAXT * MAXT], att[MAXT * C];
    float r1[MAXT * C], n2[MAXT * C], ffpre[MAXT * 4 * C], g[MAXT * 4 * C], r2[MAXT * C];
    float out[MAXT * C], m1[MAXT], s1[MAXT], m2[MAXT], s2[MAXT], m3[MAXT], s3[MAXT];
} layer_cache;

typedef struct pass {
    int T;
    float sum[MAXT * C], m0[MAXT], s0[MAXT]; /* embeddings summed, their LayerNorm (BERT) */
    layer_cache L[NL];
    float top[MAXT * C], pre[MAXT * C], act[MAXT * C], mh[MAXT], sh[MAXT]; /* heads */
    float lnout[MAXT * C], logits[MAXT * V];
    /* gradients */
    float d_emb[MAXT * C], d_hidden[NL + 1][MAXT * C], d_probs[NL][H * MAXT * MAXT];
} pass;

static void layer_norm(float *out, float *mean, float *rstd, const float *x, const float *w,
                       const float *b, const tiny *m, int T) {
    ln_stats(mean, rstd, x, T, C, m->eps);
    mz_layernorm_forward(out, x, w, b, m->eps, T, C);
}

/* Layer l's weights by role: 0 q, 1 k, 2 v (BERT; all three the fused qkv for GPT-2), 3 o,
 * 4 ff1, 5 ff2, 6 ln1, 7 ln2; kind "weight" or "bias". */
static const float *lw(const tiny *m, int l, int role, const char *kind) {
    static const char *bert[] = {"attention.self.query",       "attention.self.key",
                                 "attention.self.value",       "attention.output.dense",
                                 "intermediate.dense",         "output.dense",
                                 "attention.output.LayerNorm", "output.LayerNorm"};
    static const char *gpt2[] = {"attn.c_attn", "attn.c_attn", "attn.c_attn", "attn.c_proj",
                                 "mlp.c_fc",    "mlp.c_proj",  "ln_1",        "ln_2"};
    return m->gpt2 ? tw(m, "transformer.h.%d.%s.%s", l, gpt2[role], kind)
                   : tw(m, "bert.encoder.layer.%d.%s.%s", l, bert[role], kind);
}

static void ln_layer(float *out, float *mean, float *rstd, const float *x, const tiny *m, int l,
                     int role, int T) {
    layer_norm(out, mean, rstd, x, lw(m, l, role, "weight"), lw(m, l, role, "bias"), m, T);
}

static void layer_forward(layer_cache *c, const tiny *m, int l, int T, float scale) {
    int F = m->F, ld = m->gpt2 ? 3 * C : C, seq_start = 0, seq_len = T;
    size_t off = 0;
    const float *x = c->in;
    if (m->gpt2) {
        ln_layer(c->n1, c->m1, c->s1, c->in, m, l, 6, T);
        x = c->n1;
        mz_matmul_forward(c->qkv, x, lw(m, l, 0, "weight"), lw(m, l, 0, "bias"), T, C, 3 * C, 1);
    } else
        for (int p = 0; p < 3; p++)
            mz_matmul_forward(c->qkv + p * T * C, x, lw(m, l, p, "weight"), lw(m, l, p, "bias"), T,
                              C, C, 0);
    const float *q = c->qkv, *k = m->gpt2 ? c->qkv + C : c->qkv + T * C,
                *v = m->gpt2 ? c->qkv + 2 * C : c->qkv + 2 * T * C;
    mz_attention_forward(c->att, c->probs, q, k, v, ld, &seq_start, &seq_len, &off, 1, C, H,
                         m->gpt2);
    for (int e = 0; e < T * C; e++) /* AttAttr's scale on P in P V scales P V */
        c->att[e] *= scale;
    float proj[MAXT * C], ff[MAXT * C];
    memcpy(c->r1, c->in, sizeof(float) * T * C);
    mz_matmul_forward(proj, c->att, lw(m, l, 3, "weight"), NULL, T, C, C, m->gpt2);
    mz_residual_forward(c->r1, proj, lw(m, l, 3, "bias"), T, C);
    ln_layer(c->n2, c->m2, c->s2, c->r1, m, l, m->gpt2 ? 7 : 6, T);
    mz_matmul_forward(c->ffpre, c->n2, lw(m, l, 4, "weight"), NULL, T, C, F, m->gpt2);
    mz_gelu_forward(c->g, c->ffpre, lw(m, l, 4, "bias"), T, F, m->gpt2);
    mz_matmul_forward(ff, c->g, lw(m, l, 5, "weight"), NULL, T, F, C, m->gpt2);
    memcpy(c->r2, m->gpt2 ? c->r1 : c->n2, sizeof(float) * T * C);
    mz_residual_forward(c->r2, ff, lw(m, l, 5, "bias"), T, C);
    if (m->gpt2)
        memcpy(c->out, c->r2, sizeof(float) * T * C);
    else
        ln_layer(c->out, c->m3, c->s3, c->r2, m, l, 7, T);
}

/* emb [T,C]: inputs_embeds. Layer `scaled` (or -1) has its probabilities scaled by `scale`. */
static void forward(pass *p, const tiny *m, const float *emb, int T, int scaled, float scale) {
    const float *wpe =
        tw(m, m->gpt2 ? "transformer.wpe.weight" : "bert.embeddings.position_embeddings.weight");
    const float *wtt = m->gpt2 ? NULL : tw(m, "bert.embeddings.token_type_embeddings.weight");
    p->T = T;
    for (int t = 0; t < T; t++) /* positions 0..T-1, token type 0 */
        for (int i = 0; i < C; i++)
            p->sum[t * C + i] = emb[t * C + i] + wpe[t * C + i] + (wtt ? wtt[i] : 0.0f);
    if (!m->gpt2)
        layer_norm(p->L[0].in, p->m0, p->s0, p->sum, tw(m, "bert.embeddings.LayerNorm.weight"),
                   tw(m, "bert.embeddings.LayerNorm.bias"), m, T);
    else
        memcpy(p->L[0].in, p->sum, sizeof(float) * T * C);
    for (int l = 0; l < NL; l++) {
        layer_forward(&p->L[l], m, l, T, l == scaled ? scale : 1.0f);
        memcpy(l + 1 < NL ? p->L[l + 1].in : p->top, p->L[l].out, sizeof(float) * T * C);
    }
    const float *wte =
        tw(m, m->gpt2 ? "transformer.wte.weight" : "bert.embeddings.word_embeddings.weight");
    if (m->gpt2) { /* ln_f, then the tied head */
        layer_norm(p->lnout, p->mh, p->sh, p->top, tw(m, "transformer.ln_f.weight"),
                   tw(m, "transformer.ln_f.bias"), m, T);
        mz_matmul_forward(p->logits, p->lnout, wte, NULL, T, C, V, 0);
        return;
    }
    mz_matmul_forward(p->pre, p->top, tw(m, "cls.predictions.transform.dense.weight"),
                      tw(m, "cls.predictions.transform.dense.bias"), T, C, C, 0);
    mz_gelu_forward(p->act, p->pre, NULL, T, C, 0);
    layer_norm(p->lnout, p->mh, p->sh, p->act, tw(m, "cls.predictions.transform.LayerNorm.weight"),
               tw(m, "cls.predictions.transform.LayerNorm.bias"), m, T);
    mz_matmul_forward(p->logits, p->lnout, wte, tw(m, "cls.predictions.bias"), T, C, V, 0);
}

static void layer_backward(pass *p, const tiny *m, int l, float *dx, float scale) {
    layer_cache *c = &p->L[l];
    int T = p->T, F = m->F, ld = m->gpt2 ? 3 * C : C, seq_start = 0, seq_len = T;
    size_t off = 0;
    float dr2[MAXT * C] = {0}, dg[MAXT * 4 * C] = {0}, dffpre[MAXT * 4 * C] = {0};
    float dn2[MAXT * C] = {0}, dr1[MAXT * C] = {0}, datt[MAXT * C] = {0};
    float dqkv[MAXT * 3 * C] = {0}, dscores[H * MAXT * MAXT], dn1[MAXT * C] = {0};
    /* the feed-forward block, from dx = d out */
    if (m->gpt2)
        memcpy(dr2, dx, sizeof(float) * T * C);
    else
        mz_layernorm_backward(dr2, NULL, NULL, dx, c->r2, c->m3, c->s3, lw(m, l, 7, "weight"), T,
                              C);
    mz_matmul_backward(dg, NULL, NULL, dr2, c->g, lw(m, l, 5, "weight"), T, F, C, m->gpt2);
    mz_gelu_backward(dffpre, NULL, dg, c->ffpre, lw(m, l, 4, "bias"), T, F, m->gpt2);
    /* r2 = (n2 or r1) + ff: the stream's part of dr2 goes on to n2 (BERT) or r1 (GPT-2) */
    mz_residual_backward(m->gpt2 ? dr1 : dn2, NULL, dr2, T, C);
    mz_matmul_backward(dn2, NULL, NULL, dffpre, c->n2, lw(m, l, 4, "weight"), T, C, F, m->gpt2);
    mz_layernorm_backward(dr1, NULL, NULL, dn2, c->r1, c->m2, c->s2,
                          lw(m, l, m->gpt2 ? 7 : 6, "weight"), T, C);
    /* the attention block: r1 = in + proj(att) */
    memset(dx, 0, sizeof(float) * T * C);
    mz_residual_backward(dx, NULL, dr1, T, C); /* the stream: d in */
    mz_matmul_backward(datt, NULL, NULL, dr1, c->att, lw(m, l, 3, "weight"), T, C, C, m->gpt2);
    const float *q = c->qkv, *k = m->gpt2 ? c->qkv + C : c->qkv + T * C,
                *v = m->gpt2 ? c->qkv + 2 * C : c->qkv + 2 * T * C;
    float *dq = dqkv, *dk = m->gpt2 ? dqkv + C : dqkv + T * C,
          *dv = m->gpt2 ? dqkv + 2 * C : dqkv + 2 * T * C;
    mz_attention_backward(dq, dk, dv, p->d_probs[l], dscores, datt, c->probs, q, k, v, ld,
                          &seq_start, &seq_len, &off, 1, C, H, m->gpt2, scale);
    if (m->gpt2) {
        mz_matmul_backward(dn1, NULL, NULL, dqkv, c->n1, lw(m, l, 0, "weight"), T, C, 3 * C, 1);
        mz_layernorm_backward(dx, NULL, NULL, dn1, c->in, c->m1, c->s1, lw(m, l, 6, "weight"), T,
                              C);
    } else
        for (int r = 0; r < 3; r++)
            mz_matmul_backward(dx, NULL, NULL, dqkv + r * T * C, c->in, lw(m, l, r, "weight"), T, C,
                               C, 0);
}

/* From dtop, the gradient of the last hidden state (hidden.L: for GPT-2 after ln_f), to the
 * layers' and the input embeddings' gradients. */
static void backward_hidden(pass *p, const tiny *m, const float *dtop, int scaled, float scale) {
    int T = p->T;
    float dx[MAXT * C] = {0};
    memcpy(p->d_hidden[NL], dtop, sizeof(float) * T * C);
    if (m->gpt2)
        mz_layernorm_backward(dx, NULL, NULL, dtop, p->top, p->mh, p->sh,
                              tw(m, "transformer.ln_f.weight"), T, C);
    else
        memcpy(dx, dtop, sizeof(float) * T * C);
    for (int l = NL - 1; l >= 0; l--) {
        layer_backward(p, m, l, dx, l == scaled ? scale : 1.0f);
        memcpy(p->d_hidden[l], dx, sizeof(float) * T * C);
    }
    memset(p->d_emb, 0, sizeof p->d_emb);
    if (m->gpt2)
        mz_embed_backward(p->d_emb, NULL, NULL, NULL, dx, NULL, NULL, NULL, T, C);
    else {
        float dsum[MAXT * C] = {0};
        mz_layernorm_backward(dsum, NULL, NULL, dx, p->sum, p->m0, p->s0,
                              tw(m, "bert.embeddings.LayerNorm.weight"), T, C);
        mz_embed_backward(p->d_emb, NULL, NULL, NULL, dsum, NULL, NULL, NULL, T, C);
    }
}

/* From dlogits [T,V] through the LM head (GPT-2's tied one, or BERT's MLM head). */
static void backward(pass *p, const tiny *m, const float *dlogits, int scaled, float scale) {
    const float *wte =
        tw(m, m->gpt2 ? "transformer.wte.weight" : "bert.embeddings.word_embeddings.weight");
    float dtop[MAXT * C] = {0}, scratch[2 * MAXT * C];
    if (m->gpt2)
        mz_matmul_backward(dtop, NULL, NULL, dlogits, NULL, wte, p->T, C, V, 0);
    else {
        mz_head_cache hc = {p->top, p->pre, p->act, p->mh, p->sh};
        mz_mlm_head_backward(
            dtop, scratch, dlogits, &hc, tw(m, "cls.predictions.transform.dense.weight"),
            tw(m, "cls.predictions.transform.LayerNorm.weight"), wte, p->T, C, C, V, 0);
    }
    backward_hidden(p, m, dtop, scaled, scale);
}

/* ---------------------------------------------------------------- against the goldens */

static const mz_st_tensor *golden(const mz_st *g, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const mz_st_tensor *t = vfind(g, fmt, ap);
    va_end(ap);
    return t;
}

/* max |got - want| / max |want| over an F32 golden. */
static void compare(const char *what, const float *got, const mz_st_tensor *want) {
    CHECK(want != NULL);
    if (!want) return;
    double err = 0, scale = 0;
    for (size_t i = 0; i < want->n_elements; i++) {
        float w;
        memcpy(&w, (const char *)want->data + 4 * i, 4);
        err = fmax(err, fabs(got[i] - w)), scale = fmax(scale, fabs(w));
    }
    printf("  %-40s rel. error %.2e\n", what, err / scale);
    CHECK(err <= TOL * scale);
}

static int ints(int32_t *out, const mz_st_tensor *t) {
    if (!t || t->dtype != MZ_ST_I32) return 0;
    memcpy(out, t->data, t->n_bytes);
    return (int)t->n_elements;
}

/* The target's value and dlogits for the case: log P(token) at a position, its difference
 * with a contrast, the next token, or the whole sequence's log-likelihood. */
static double target(float *dlogits, const pass *p, const char *name, const int32_t *ids,
                     const int32_t *tgt) {
    memset(dlogits, 0, sizeof(float) * p->T * V);
    if (!strcmp(name, "loglik")) {
        double f = 0;
        for (int i = 1; i < p->T; i++)
            f += mz_logprob_backward(dlogits + (i - 1) * V, p->logits + (i - 1) * V, V, ids[i], 1);
        return f;
    }
    int r = tgt[0];
    double f = mz_logprob_backward(dlogits + r * V, p->logits + r * V, V, tgt[1], 1.0f);
    if (!strcmp(name, "logprob_diff"))
        f -= mz_logprob_backward(dlogits + r * V, p->logits + r * V, V, tgt[2], -1.0f);
    return f;
}

static void embeds(float *emb, const tiny *m, const int32_t *ids, int T) {
    const float *wte =
        tw(m, m->gpt2 ? "transformer.wte.weight" : "bert.embeddings.word_embeddings.weight");
    for (int t = 0; t < T; t++)
        memcpy(emb + t * C, wte + (size_t)ids[t] * C, sizeof(float) * C);
}

static void check_case(const tiny *m, const mz_st *g, const char *name) {
    static pass p;
    int32_t ids[MAXT], tgt[4];
    int T = ints(ids, golden(g, "%s.ids", name));
    ints(tgt, golden(g, "%s.target", name));
    float emb[MAXT * C], dlogits[MAXT * V], value[1];
    embeds(emb, m, ids, T);
    forward(&p, m, emb, T, -1, 1.0f);
    value[0] = (float)target(dlogits, &p, name, ids, tgt);
    backward(&p, m, dlogits, -1, 1.0f);
    char what[96];
    snprintf(what, sizeof what, "%s %s: value", m->gpt2 ? "gpt2" : "bert", name);
    compare(what, value, golden(g, "%s.value", name));
    compare("  inputs_embeds", p.d_emb, golden(g, "%s.grad.inputs_embeds", name));
    for (int l = 0; l <= NL; l++) {
        snprintf(what, sizeof what, "  hidden.%d", l);
        compare(what, p.d_hidden[l], golden(g, "%s.grad.hidden.%d", name, l));
    }
    for (int l = 0; l < NL; l++) {
        snprintf(what, sizeof what, "  layer.%d.attn.probs", l);
        compare(what, p.d_probs[l], golden(g, "%s.grad.layer.%d.attn.probs", name, l));
    }
}

/* The cosine of two sentences' mean-pooled last hidden states: both sentences' gradients. */
static void check_cosine(const tiny *m, const mz_st *g) {
    static pass p[2];
    float mean[2][C] = {{0}}, dmean[2][C] = {{0}}, dtop[MAXT * C];
    for (int s = 0; s < 2; s++) {
        int32_t ids[MAXT];
        float emb[MAXT * C];
        int T = ints(ids, golden(g, "cosine.%c.ids", 'a' + s));
        embeds(emb, m, ids, T);
        forward(&p[s], m, emb, T, -1, 1.0f);
        const float *h = m->gpt2 ? p[s].lnout : p[s].top; /* hidden.L */
        for (int t = 0; t < T; t++)
            for (int i = 0; i < C; i++)
                mean[s][i] += h[t * C + i] / (float)T;
    }
    float value = (float)mz_cosine_backward(dmean[0], dmean[1], mean[0], mean[1], C, 1.0f);
    compare(m->gpt2 ? "gpt2 cosine: value" : "bert cosine: value", &value,
            golden(g, "cosine.value"));
    for (int s = 0; s < 2; s++) {
        int start = 0, len = p[s].T;
        memset(dtop, 0, sizeof dtop);
        mz_mean_pool_backward(dtop, dmean[s], &start, &len, 1, C);
        backward_hidden(&p[s], m, dtop, -1, 1.0f);
        char what[64];
        snprintf(what, sizeof what, "  sentence %c: inputs_embeds", 'a' + s);
        compare(what, p[s].d_emb, golden(g, "cosine.%c.grad.inputs_embeds", 'a' + s));
        for (int l = 0; l <= NL; l++) {
            snprintf(what, sizeof what, "  sentence %c: hidden.%d", 'a' + s, l);
            compare(what, p[s].d_hidden[l], golden(g, "cosine.%c.grad.hidden.%d", 'a' + s, l));
        }
        for (int l = 0; l < NL; l++) {
            snprintf(what, sizeof what, "  sentence %c: layer.%d.attn.probs", 'a' + s, l);
            compare(what, p[s].d_probs[l],
                    golden(g, "cosine.%c.grad.layer.%d.attn.probs", 'a' + s, l));
        }
    }
}

/* Integrated Gradients on the logprob (BERT) or next-token (GPT-2) target, through the
 * attribution functions: baseline, path, per-step gradients, combination, completeness. */
static void check_ig(const tiny *m, const mz_st *g, const char *name, const char *baseline,
                     int steps) {
    static pass p;
    int32_t ids[MAXT], tgt[4], keep32[MAXT];
    int T = ints(ids, golden(g, "%s.ids", name));
    ints(tgt, golden(g, "%s.target", name));
    ints(keep32, golden(g, "ig.keep"));
    uint8_t keep[MAXT];
    for (int t = 0; t < T; t++)
        keep[t] = (uint8_t)keep32[t];
    float x[MAXT * C], base[MAXT * C], fill[C], path[64 * MAXT * C], grads[64 * MAXT * C];
    float dlogits[MAXT * V];
    int32_t mask = 4;
    embeds(x, m, ids, T);
    embeds(fill, m, &mask, 1);
    mz_attr_ig_baseline(base, x, strcmp(baseline, "mask") ? NULL : fill, keep, T, C);
    double alpha[64], weight[64], attr[MAXT];
    mz_attr_ig_path(alpha, weight, steps, MZ_ATTR_RIEMANN_MIDDLE, ctx);
    mz_attr_ig_inputs(path, x, base, alpha, steps, T, C);
    for (int k = 0; k < steps; k++) {
        forward(&p, m, path + k * T * C, T, -1, 1.0f);
        target(dlogits, &p, name, ids, tgt);
        backward(&p, m, dlogits, -1, 1.0f);
        memcpy(grads + k * T * C, p.d_emb, sizeof(float) * T * C);
    }
    mz_attr_ig_combine(attr, grads, weight, steps, x, base, T, C);
    float got[MAXT];
    for (int t = 0; t < T; t++)
        got[t] = (float)attr[t];
    char what[96];
    snprintf(what, sizeof what, "%s IG %s baseline, %d steps", m->gpt2 ? "gpt2" : "bert", baseline,
             steps);
    compare(what, got, golden(g, "ig.%s.%d.attr", baseline, steps));
    /* completeness against this pass's own f(x) and f(x') */
    forward(&p, m, x, T, -1, 1.0f);
    double fx = target(dlogits, &p, name, ids, tgt);
    forward(&p, m, base, T, -1, 1.0f);
    double fb = target(dlogits, &p, name, ids, tgt);
    mz_attr_completeness_result cg;
    mz_attr_completeness(&cg, attr, T, fx, fb, MZ_ATTR_GAP_FLOOR);
    printf("  completeness gap %.2e\n", cg.gap);
    if (steps == 64) CHECK(cg.gap < 0.01);
}

/* AttAttr on BERT's logprob target: each layer scaled in turn, 16 middle steps. */
static void check_attattr(const tiny *m, const mz_st *g) {
    static pass p;
    int32_t ids[MAXT], tgt[4];
    int T = ints(ids, golden(g, "logprob.ids"));
    ints(tgt, golden(g, "logprob.target"));
    float emb[MAXT * C], dlogits[MAXT * V], probs[H * MAXT * MAXT];
    float dprobs[16 * H * MAXT * MAXT];
    embeds(emb, m, ids, T);
    double alpha[16], weight[16], attr[H * MAXT * MAXT];
    mz_attr_ig_path(alpha, weight, 16, MZ_ATTR_RIEMANN_MIDDLE, ctx);
    for (int l = 0; l < NL; l++) {
        size_t n = (size_t)H * T * T;
        for (int k = 0; k < 16; k++) {
            forward(&p, m, emb, T, l, (float)alpha[k]);
            target(dlogits, &p, "logprob", ids, tgt);
            backward(&p, m, dlogits, l, (float)alpha[k]);
            memcpy(dprobs + k * n, p.d_probs[l], n * sizeof(float));
            memcpy(probs, p.L[l].probs, n * sizeof(float));
        }
        mz_attr_attattr(attr, probs, dprobs, weight, 16, H, T);
        float got[H * MAXT * MAXT];
        for (size_t e = 0; e < n; e++)
            got[e] = (float)attr[e];
        char what[64];
        snprintf(what, sizeof what, "bert AttAttr layer %d", l);
        compare(what, got, golden(g, "attattr.layer.%d", l));
    }
}

static int open_pair(tiny *m, mz_st **g, const char *arch) {
    char path[128];
    snprintf(path, sizeof path, "golden/models/%s/model.safetensors", arch);
    CHECK_INT(mz_st_open(&m->st, path, ctx), MZ_OK);
    snprintf(path, sizeof path, "golden/gradients/%s.safetensors", arch);
    CHECK_INT(mz_st_open(g, path, ctx), MZ_OK);
    return m->st && *g;
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    openblas_set_num_threads(1);
    tiny bert = {.gpt2 = 0, .F = 2 * C, .eps = 1e-12f},
         gpt2 = {.gpt2 = 1, .F = 4 * C, .eps = 1e-5f};
    mz_st *g = NULL;
    if (open_pair(&bert, &g, "bert")) {
        check_case(&bert, g, "logprob");
        check_case(&bert, g, "logprob_diff");
        check_cosine(&bert, g);
        check_ig(&bert, g, "logprob", "mask", 16);
        check_ig(&bert, g, "logprob", "zero", 64);
        check_attattr(&bert, g);
    }
    mz_st_free(g), mz_st_free(bert.st);
    g = NULL;
    if (open_pair(&gpt2, &g, "gpt2")) {
        check_case(&gpt2, g, "next_token");
        check_case(&gpt2, g, "loglik");
        check_cosine(&gpt2, g);
        check_ig(&gpt2, g, "next_token", "zero", 64);
    }
    mz_st_free(g), mz_st_free(gpt2.st);
    mz_ctx_free(ctx);
    return mz_check_result("test_gradient_goldens");
}
