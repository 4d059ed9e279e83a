/* The backward kernels composed into whole-model passes, as the engine's gradient wiring will
 * compose them, on the tiny BERT (post-LN encoder, separate projections, tied MLM head) and
 * GPT-2 (pre-LN, fused causal projection, tied LM head) of tests/golden/models, against the
 * PyTorch autograd goldens of tests/reference/make_gradients.py (tests/golden/gradients/):
 * gradients with respect to the input embeddings, every hidden state and every layer's
 * attention probabilities, Integrated Gradients through mz_attr_ig_*, and AttAttr through
 * mz_attr_attattr, each within 1e-4 of the largest golden value. The weights are read by name
 * from model.safetensors into the engine's descriptors, and each block's buffers are named as
 * the engine's layer_acts (run.h), so layer_forward/layer_backward below are the template of
 * the engine's backward pass; the test fixes the goldens' conventions before the engine's own
 * wiring is tested against the same files. */
#include "backward.h"
#include "check.h"
#include "layers.h"
#include "mizani/attribution.h"
#include "mizani/mizani.h"
#include "mizani/safetensors.h"

#include <cblas.h>
#include <omp.h>
#include <stdarg.h>
#include <stdint.h>

#define TOL 1e-4
enum { MAXT = 8, C = 32, H = 4, NL = 2, V = 96, FMAX = 4 * C };

static mz_ctx *ctx;

/* A tiny checkpoint's weights, by role (names from Hugging Face's checkpoints). */
typedef struct tiny {
    mz_st *st;
    int gpt2, F;
    float eps;
    const float *wte, *wpe, *wtt;
    mz_norm emb_ln, final_ln, head_ln;
    mz_linear head_dense, decoder;
    mz_layer_weights L[NL];
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

static mz_linear linear(const tiny *m, const char *name, int in, int out) {
    return (mz_linear){tw(m, "%s.weight", name), tw(m, "%s.bias", name), in, out,
                       m->gpt2 ? MZ_W_IN_OUT : MZ_W_OUT_IN};
}

static mz_norm norm(const tiny *m, const char *name) {
    return (mz_norm){tw(m, "%s.weight", name), tw(m, "%s.bias", name)};
}

static void load(tiny *m) {
    char p[96], n[160];
    int F = m->F;
    for (int l = 0; l < NL; l++) {
        mz_layer_weights *L = &m->L[l];
#define NAME(s) (snprintf(n, sizeof n, "%s%s", p, s), n)
        if (m->gpt2) {
            snprintf(p, sizeof p, "transformer.h.%d.", l);
            L->q = linear(m, NAME("attn.c_attn"), C, 3 * C);
            L->o = linear(m, NAME("attn.c_proj"), C, C);
            L->ff1 = linear(m, NAME("mlp.c_fc"), C, F);
            L->ff2 = linear(m, NAME("mlp.c_proj"), F, C);
            L->ln1 = norm(m, NAME("ln_1")), L->ln2 = norm(m, NAME("ln_2"));
        } else {
            snprintf(p, sizeof p, "bert.encoder.layer.%d.", l);
            L->q = linear(m, NAME("attention.self.query"), C, C);
            L->k = linear(m, NAME("attention.self.key"), C, C);
            L->v = linear(m, NAME("attention.self.value"), C, C);
            L->o = linear(m, NAME("attention.output.dense"), C, C);
            L->ff1 = linear(m, NAME("intermediate.dense"), C, F);
            L->ff2 = linear(m, NAME("output.dense"), F, C);
            L->ln1 = norm(m, NAME("attention.output.LayerNorm"));
            L->ln2 = norm(m, NAME("output.LayerNorm"));
        }
#undef NAME
    }
    if (m->gpt2) {
        m->wte = tw(m, "transformer.wte.weight"), m->wpe = tw(m, "transformer.wpe.weight");
        m->final_ln = norm(m, "transformer.ln_f");
        m->decoder = (mz_linear){m->wte, NULL, C, V, MZ_W_OUT_IN}; /* tied */
        return;
    }
    m->wte = tw(m, "bert.embeddings.word_embeddings.weight");
    m->wpe = tw(m, "bert.embeddings.position_embeddings.weight");
    m->wtt = tw(m, "bert.embeddings.token_type_embeddings.weight");
    m->emb_ln = norm(m, "bert.embeddings.LayerNorm");
    m->head_dense = linear(m, "cls.predictions.transform.dense", C, C);
    m->head_ln = norm(m, "cls.predictions.transform.LayerNorm");
    m->decoder = (mz_linear){m->wte, tw(m, "cls.predictions.bias"), C, V, MZ_W_OUT_IN};
}

/* One block's activations, named as the engine's layer_acts, for one sequence. */
typedef struct layer_cache {
    float in[MAXT * C], ln1[MAXT * C], ln1_mean[MAXT], ln1_rstd[MAXT], qkv[MAXT * 3 * C];
    float probs[H * MAXT * MAXT], att[MAXT * C], attn_out[MAXT * C], res1[MAXT * C];
    float ln2[MAXT * C], ln2_mean[MAXT], ln2_rstd[MAXT], ffh_pre[MAXT * FMAX], ffh[MAXT * FMAX];
    float ffn_out[MAXT * C], res2[MAXT * C], out[MAXT * C];
} layer_cache;

typedef struct pass {
    int T;
    float emb[MAXT * C], emb_mean[MAXT], emb_rstd[MAXT]; /* token + position (+ type) */
    layer_cache L[NL];
    float final[MAXT * C], final_mean[MAXT], final_rstd[MAXT]; /* hidden.L */
    float head_pre[MAXT * C], head[MAXT * C], head_ln[MAXT * C], head_mean[MAXT], head_rstd[MAXT];
    float logits[MAXT * V];
    /* gradients */
    float d_emb[MAXT * C], d_hidden[NL + 1][MAXT * C], d_probs[NL][H * MAXT * MAXT];
} pass;

/* One sequence as the engine's seqs. */
static mz_seqs one_seq(int T, const int *start, const int *len, const size_t *off) {
    (void)T;
    return (mz_seqs){1, start, len, off};
}

/* Pre-norm: x += attn(ln1(x)); x += ffn(ln2(x)). Post-norm: x = ln1(x + attn(x));
 * x = ln2(x + ffn(x)). scale: this block's probabilities in P V, or NULL. */
static void layer_forward(layer_cache *c, const tiny *m, int l, int T, const float *scale) {
    const mz_layer_weights *W = &m->L[l];
    int F = m->F, pre = m->gpt2, start = 0, ld = pre ? 3 * C : C;
    size_t off = 0;
    mz_seqs seqs = one_seq(T, &start, &T, &off);
    const float *x = c->in;
    if (pre) mz_layernorm_forward(c->ln1, c->ln1_mean, c->ln1_rstd, c->in, &W->ln1, m->eps, T, C);
    if (pre) x = c->ln1;
    float *q = c->qkv, *k = pre ? q + C : q + T * C, *v = pre ? q + 2 * C : q + 2 * T * C;
    mz_matmul_forward(q, x, &W->q, 1, T);
    if (!pre) mz_matmul_forward(k, x, &W->k, 1, T), mz_matmul_forward(v, x, &W->v, 1, T);
    mz_attention_forward(c->att, c->probs, q, k, v, ld, ld, &seqs, H, H, C / H, m->gpt2, scale);
    mz_matmul_forward(c->attn_out, c->att, &W->o, 0, T);
    mz_residual_forward(c->res1, c->in, c->attn_out, W->o.b, T, C);
    const float *ffn_in = c->ln1;
    if (pre)
        mz_layernorm_forward(c->ln2, c->ln2_mean, c->ln2_rstd, c->res1, &W->ln2, m->eps, T, C),
            ffn_in = c->ln2;
    else
        mz_layernorm_forward(c->ln1, c->ln1_mean, c->ln1_rstd, c->res1, &W->ln1, m->eps, T, C);
    mz_matmul_forward(c->ffh_pre, ffn_in, &W->ff1, 0, T);
    mz_gelu_forward(c->ffh, c->ffh_pre, W->ff1.b, T, F, m->gpt2);
    mz_matmul_forward(c->ffn_out, c->ffh, &W->ff2, 0, T);
    mz_residual_forward(c->res2, pre ? c->res1 : c->ln1, c->ffn_out, W->ff2.b, T, C);
    if (pre)
        memcpy(c->out, c->res2, sizeof(float) * T * C);
    else
        mz_layernorm_forward(c->ln2, c->ln2_mean, c->ln2_rstd, c->res2, &W->ln2, m->eps, T, C),
            memcpy(c->out, c->ln2, sizeof(float) * T * C);
}

/* emb [T,C]: inputs_embeds. Layer `scaled` (or -1) has its probabilities scaled by `scale`. */
static void forward(pass *p, const tiny *m, const float *tok, int T, int scaled, float scale) {
    int32_t pos[MAXT], types[MAXT] = {0};
    for (int t = 0; t < T; t++)
        pos[t] = t;
    p->T = T;
    mz_embed_forward(p->emb, NULL, tok, pos, types, NULL, m->wpe, m->wtt, T, C);
    if (m->gpt2)
        memcpy(p->L[0].in, p->emb, sizeof(float) * T * C);
    else
        mz_layernorm_forward(p->L[0].in, p->emb_mean, p->emb_rstd, p->emb, &m->emb_ln, m->eps, T,
                             C);
    for (int l = 0; l < NL; l++) {
        layer_forward(&p->L[l], m, l, T, l == scaled ? &scale : NULL);
        if (l + 1 < NL) memcpy(p->L[l + 1].in, p->L[l].out, sizeof(float) * T * C);
    }
    const float *last = p->L[NL - 1].out;
    if (m->gpt2) /* ln_f, then the tied head */
        mz_layernorm_forward(p->final, p->final_mean, p->final_rstd, last, &m->final_ln, m->eps, T,
                             C);
    else
        memcpy(p->final, last, sizeof(float) * T * C);
    const float *h = p->final;
    if (!m->gpt2) { /* the MLM transform */
        mz_matmul_forward(p->head_pre, h, &m->head_dense, 1, T);
        mz_gelu_forward(p->head, p->head_pre, NULL, T, C, 0);
        mz_layernorm_forward(p->head_ln, p->head_mean, p->head_rstd, p->head, &m->head_ln, m->eps,
                             T, C);
        h = p->head_ln;
    }
    mz_matmul_forward(p->logits, h, &m->decoder, 1, T);
}

/* The mirror of layer_forward: dx holds d out on entry and d in on return. */
static void layer_backward(pass *p, const tiny *m, int l, float *dx, const float *scale) {
    const mz_layer_weights *W = &m->L[l];
    layer_cache *c = &p->L[l];
    int T = p->T, F = m->F, pre = m->gpt2, start = 0, ld = pre ? 3 * C : C;
    size_t off = 0, n = (size_t)T * C;
    mz_seqs seqs = one_seq(T, &start, &T, &off);
    float dres2[MAXT * C] = {0}, dffn_out[MAXT * C] = {0}, dffh[MAXT * FMAX] = {0};
    float dffh_pre[MAXT * FMAX] = {0}, dffn_in[MAXT * C] = {0}, dres1[MAXT * C] = {0};
    float dattn_out[MAXT * C] = {0}, datt[MAXT * C] = {0}, dqkv[MAXT * 3 * C] = {0};
    float dscores[H * MAXT * MAXT], dln1[MAXT * C] = {0};
    /* the feed-forward block */
    if (pre)
        memcpy(dres2, dx, n * sizeof *dres2);
    else
        mz_layernorm_backward(dres2, NULL, NULL, dx, c->res2, c->ln2_mean, c->ln2_rstd, &W->ln2, T,
                              C);
    mz_residual_backward(pre ? dres1 : dln1, dffn_out, NULL, dres2, T, C);
    mz_matmul_backward(dffh, NULL, NULL, dffn_out, c->ffh, &W->ff2, T);
    mz_gelu_backward(dffh_pre, NULL, dffh, c->ffh_pre, W->ff1.b, T, F, m->gpt2);
    mz_matmul_backward(pre ? dffn_in : dln1, NULL, NULL, dffh_pre, pre ? c->ln2 : c->ln1, &W->ff1,
                       T);
    if (pre)
        mz_layernorm_backward(dres1, NULL, NULL, dffn_in, c->res1, c->ln2_mean, c->ln2_rstd,
                              &W->ln2, T, C);
    else
        mz_layernorm_backward(dres1, NULL, NULL, dln1, c->res1, c->ln1_mean, c->ln1_rstd, &W->ln1,
                              T, C);
    /* the attention block: res1 = in + attn_out */
    memset(dx, 0, n * sizeof *dx);
    mz_residual_backward(dx, dattn_out, NULL, dres1, T, C);
    mz_matmul_backward(datt, NULL, NULL, dattn_out, c->att, &W->o, T);
    float *q = c->qkv, *k = pre ? q + C : q + T * C, *v = pre ? q + 2 * C : q + 2 * T * C;
    float *dq = dqkv, *dk = pre ? dq + C : dq + T * C, *dv = pre ? dq + 2 * C : dq + 2 * T * C;
    mz_attention_backward(dq, dk, dv, p->d_probs[l], dscores, datt, c->probs, q, k, v, ld, ld,
                          &seqs, H, H, C / H, m->gpt2, scale);
    if (pre) {
        memset(dln1, 0, n * sizeof *dln1);
        mz_matmul_backward(dln1, NULL, NULL, dqkv, c->ln1, &W->q, T);
        mz_layernorm_backward(dx, NULL, NULL, dln1, c->in, c->ln1_mean, c->ln1_rstd, &W->ln1, T, C);
    } else {
        mz_matmul_backward(dx, NULL, NULL, dq, c->in, &W->q, T);
        mz_matmul_backward(dx, NULL, NULL, dk, c->in, &W->k, T);
        mz_matmul_backward(dx, NULL, NULL, dv, c->in, &W->v, T);
    }
}

/* From dtop, the gradient of the last hidden state (hidden.L: for GPT-2 after ln_f), to the
 * layers' and the input embeddings' gradients. */
static void backward_hidden(pass *p, const tiny *m, const float *dtop, int scaled, float scale) {
    int T = p->T;
    float dx[MAXT * C] = {0};
    memcpy(p->d_hidden[NL], dtop, sizeof(float) * T * C);
    if (m->gpt2)
        mz_layernorm_backward(dx, NULL, NULL, dtop, p->L[NL - 1].out, p->final_mean, p->final_rstd,
                              &m->final_ln, T, C);
    else
        memcpy(dx, dtop, sizeof(float) * T * C);
    for (int l = NL - 1; l >= 0; l--) {
        layer_backward(p, m, l, dx, l == scaled ? &scale : NULL);
        memcpy(p->d_hidden[l], dx, sizeof(float) * T * C);
    }
    memset(p->d_emb, 0, sizeof p->d_emb);
    if (m->gpt2)
        mz_embed_backward(p->d_emb, NULL, NULL, NULL, dx, NULL, NULL, NULL, T, C);
    else {
        float dsum[MAXT * C] = {0};
        mz_layernorm_backward(dsum, NULL, NULL, dx, p->emb, p->emb_mean, p->emb_rstd, &m->emb_ln, T,
                              C);
        mz_embed_backward(p->d_emb, NULL, NULL, NULL, dsum, NULL, NULL, NULL, T, C);
    }
}

/* From dlogits [T,V] through the LM head (GPT-2's tied one, or BERT's MLM head). */
static void backward(pass *p, const tiny *m, const float *dlogits, int scaled, float scale) {
    float dtop[MAXT * C] = {0}, scratch[2 * MAXT * C];
    if (m->gpt2)
        mz_matmul_backward(dtop, NULL, NULL, dlogits, NULL, &m->decoder, p->T);
    else {
        mz_head_cache hc = {p->final, p->head_pre, p->head, p->head_mean, p->head_rstd};
        mz_mlm_head_backward(dtop, scratch, dlogits, &hc, &m->head_dense, &m->head_ln, &m->decoder,
                             p->T, 0);
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
    for (int t = 0; t < T; t++)
        memcpy(emb + t * C, m->wte + (size_t)ids[t] * C, sizeof(float) * C);
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
        const float *h = p[s].final; /* hidden.L */
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
    if (m->st) load(m);
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
