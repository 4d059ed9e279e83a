/* The engine's backward pass against PyTorch autograd: the goldens of
 * tests/reference/make_gradients.py (float64 autograd on the tiny checkpoints of every
 * architecture; its docstring fixes the conventions) give the gradients of log-probability,
 * difference, next-token, log-likelihood and cosine targets with respect to the input
 * embeddings, every hidden state and every layer's attention probabilities, Integrated
 * Gradients' attributions and, for BERT, attention attribution. Each array must match to 1e-4
 * of its largest magnitude. Cases run through mz_run_backward exactly as explanations will: the
 * two cosine sentences as one padded batch, every Integrated Gradients step as one row of one
 * packed batch, output flags on the scored rows. */
#include "backward.h" /* the targets' gradients: mz_logprob_backward, mz_cosine_backward */
#include "check.h"
#include "mizani/attribution.h"
#include "mizani/mizani.h"
#include "mizani/model.h"
#include "mizani/safetensors.h"

#include <stdarg.h>

#define TOL 1e-4
enum { MAXT = 8, MAXSTEPS = 64 };

static mz_ctx *ctx;

typedef struct subject {
    const char *arch;
    mz_model *m;
    mz_st *g;
    int L, H, C, E, V;
} subject;

static const mz_st_tensor *golden(const mz_st *g, const char *fmt, ...) {
    char name[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    const mz_st_tensor *t = mz_st_find(g, name);
    if (!t) fprintf(stderr, "no golden %s\n", name);
    return t;
}

static int has(const mz_st *g, const char *name) { return mz_st_find(g, name) != NULL; }

/* max |got - want| / max |want|, printed; fails past TOL. */
static void compare(const char *what, const float *got, const mz_st_tensor *want) {
    CHECK(want != NULL);
    if (!want || !got) return;
    double err = 0, scale = 0;
    for (size_t i = 0; i < want->n_elements; i++) {
        float w;
        memcpy(&w, (const char *)want->data + 4 * i, 4);
        err = fmax(err, fabs(got[i] - w)), scale = fmax(scale, fabs(w));
    }
    printf("  %-44s rel. error %.2e\n", what, err / scale);
    CHECK(err <= TOL * scale);
}

static int ints(int32_t *out, const mz_st_tensor *t) {
    if (!t || t->dtype != MZ_ST_I32 || t->n_elements > MAXT) return 0;
    memcpy(out, t->data, t->n_bytes);
    return (int)t->n_elements;
}

/* Row b of a padded [B,T,D] array as [len,D]; of [B,H,T,T] probabilities as [H,len,len]. */
static void row_of(float *out, const float *a, int b, int T, int D, int len) {
    memcpy(out, a + (size_t)b * T * D, (size_t)len * D * sizeof *out);
}

static void probs_of(float *out, const float *a, int b, int H, int T, int len) {
    for (int h = 0; h < H; h++)
        for (int i = 0; i < len; i++)
            memcpy(out + ((size_t)h * len + i) * len, a + (((size_t)b * H + h) * T + i) * T,
                   (size_t)len * sizeof *out);
}

/* The gradients of row b of a backward pass against the goldens under `prefix`. */
static void compare_grads(const subject *s, mz_activations *gr, int b, int T, int len,
                          const char *prefix) {
    static float buf[MAXT * MAXT * 64];
    char what[96], name[64];
    row_of(buf, mz_activations_get(gr, "grad.embeds", NULL, NULL), b, T, s->E, len);
    snprintf(what, sizeof what, "%s %s: inputs_embeds", s->arch, prefix);
    compare(what, buf, golden(s->g, "%s.grad.inputs_embeds", prefix));
    for (int l = 0; l <= s->L; l++) {
        snprintf(name, sizeof name, "grad.hidden.%d", l);
        row_of(buf, mz_activations_get(gr, name, NULL, NULL), b, T, s->C, len);
        snprintf(what, sizeof what, "  hidden.%d", l);
        compare(what, buf, golden(s->g, "%s.grad.hidden.%d", prefix, l));
    }
    for (int l = 0; l < s->L; l++) {
        snprintf(name, sizeof name, "grad.layer.%d.attn.probs", l);
        probs_of(buf, mz_activations_get(gr, name, NULL, NULL), b, s->H, T, len);
        snprintf(what, sizeof what, "  layer.%d.attn.probs", l);
        compare(what, buf, golden(s->g, "%s.grad.layer.%d.attn.probs", prefix, l));
    }
}

static const char *const ALL_GRADS[] = {"grad.embeds", "grad.hidden.*", "grad.layer.*.attn.probs"};

/* The target of a logits case over B rows of logits [B*rows,V] (one flagged row per batch row
 * for logprob, logprob_diff and next_token; every row but the last for loglik): its value for
 * row 0 and each row's seed. */
static double logit_target(float *dlogits, const float *logits, const subject *s, const char *name,
                           const int32_t *ids, int T, const int32_t *tgt, int B) {
    int V = s->V, rows = !strcmp(name, "loglik") ? T - 1 : 1;
    double f = 0;
    memset(dlogits, 0, (size_t)B * rows * V * sizeof *dlogits);
    for (int b = 0; b < B; b++)
        for (int i = 0; i < rows; i++) {
            size_t at = ((size_t)b * rows + i) * V;
            int32_t tok = rows > 1 ? ids[i + 1] : tgt[1];
            double v = mz_logprob_backward(dlogits + at, logits + at, V, tok, 1.0f);
            if (!strcmp(name, "logprob_diff"))
                v -= mz_logprob_backward(dlogits + at, logits + at, V, tgt[2], -1.0f);
            if (b == 0) f += v;
        }
    return f;
}

/* The rows whose logits a case scores, as output flags over B rows of T. */
static void flag_rows(uint8_t *out, const char *name, const int32_t *tgt, int B, int T) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            out[b * T + t] = !strcmp(name, "loglik") ? t < T - 1 : t == tgt[0];
}

/* A logits case: one row, forward with kept caches, seeds on the flagged logits, backward. */
static void check_logit_case(const subject *s, mz_run *r, const char *name) {
    int32_t ids[MAXT], tgt[4] = {0}, mask[MAXT];
    uint8_t out[MAXT];
    int T = ints(ids, golden(s->g, "%s.ids", name));
    ints(tgt, golden(s->g, "%s.target", name));
    for (int t = 0; t < T; t++)
        mask[t] = 1;
    flag_rows(out, name, tgt, 1, T);
    mz_model_batch b = {.B = 1, .T = T, .ids = ids, .mask = mask, .outputs = out};
    const char *want[] = {"logits"};
    mz_activations *a = NULL, *gr = NULL;
    static float dlogits[MAXT * 96];
    CHECK_INT(mz_run_forward(&a, r, &b, want, 1, ctx), MZ_OK);
    if (!a) return;
    float value = (float)logit_target(dlogits, mz_activations_get(a, "logits", NULL, NULL), s, name,
                                      ids, T, tgt, 1);
    mz_grad_seed seed = {"logits", dlogits};
    CHECK_INT(mz_run_backward(&gr, r, &seed, 1, ALL_GRADS, 3, ctx), MZ_OK);
    char what[64];
    snprintf(what, sizeof what, "%s %s: value", s->arch, name);
    compare(what, &value, golden(s->g, "%s.value", name));
    if (gr) compare_grads(s, gr, 0, T, T, name);
    mz_activations_free(a), mz_activations_free(gr);
}

/* Two sentences as one batch padded to the longer (mask 0 after each), and their mean-pooled
 * last hidden states. */
typedef struct two {
    int32_t ids[2 * MAXT], mask[2 * MAXT];
    int len[2], T;
} two;

static void load_two(two *w, const subject *s) {
    int32_t a[MAXT], b[MAXT];
    w->len[0] = ints(a, golden(s->g, "cosine.a.ids"));
    w->len[1] = ints(b, golden(s->g, "cosine.b.ids"));
    w->T = w->len[0] > w->len[1] ? w->len[0] : w->len[1];
    memset(w->ids, 0, sizeof w->ids), memset(w->mask, 0, sizeof w->mask);
    for (int t = 0; t < w->T; t++) {
        w->ids[t] = t < w->len[0] ? a[t] : 0, w->mask[t] = t < w->len[0];
        w->ids[w->T + t] = t < w->len[1] ? b[t] : 0, w->mask[w->T + t] = t < w->len[1];
    }
}

static void check_cosine(const subject *s, mz_run *r) {
    two w;
    load_two(&w, s);
    mz_model_batch b = {.B = 2, .T = w.T, .ids = w.ids, .mask = w.mask};
    const char *want[] = {"pooled.mean"};
    mz_activations *a = NULL, *gr = NULL;
    CHECK_INT(mz_run_forward(&a, r, &b, want, 1, ctx), MZ_OK);
    if (!a) return;
    const float *mean = mz_activations_get(a, "pooled.mean", NULL, NULL); /* [2,C] */
    static float dmean[2 * 64];
    memset(dmean, 0, sizeof dmean);
    float value = (float)mz_cosine_backward(dmean, dmean + s->C, mean, mean + s->C, s->C, 1.0f);
    mz_grad_seed seed = {"pooled.mean", dmean};
    CHECK_INT(mz_run_backward(&gr, r, &seed, 1, ALL_GRADS, 3, ctx), MZ_OK);
    char what[64];
    snprintf(what, sizeof what, "%s cosine: value", s->arch);
    compare(what, &value, golden(s->g, "cosine.value"));
    if (gr) compare_grads(s, gr, 0, w.T, w.len[0], "cosine.a");
    if (gr) compare_grads(s, gr, 1, w.T, w.len[1], "cosine.b");
    mz_activations_free(a), mz_activations_free(gr);
}

/* The target of Integrated Gradients for this architecture, over B rows of embeddings [B,T,E]
 * (every row the same ids for positions): each row's seed, and row 0's value. Encoders with an
 * MLM head explain logprob, GPT-2 next_token, the others the cosine of sentence a with b (b's
 * mean given). */
typedef struct ig_case {
    const char *name;
    int32_t ids[MAXT], tgt[4], mask[MAXSTEPS * MAXT];
    int T;
    float bmean[64];
} ig_case;

static double ig_value(const subject *s, mz_run *r, const ig_case *c, const float *emb, int B,
                       mz_activations **grads) {
    static int32_t ids[MAXSTEPS * MAXT];
    static uint8_t out[MAXSTEPS * MAXT];
    static float seed[MAXSTEPS * 96];
    int cos = !strcmp(c->name, "cosine");
    for (int b = 0; b < B; b++)
        memcpy(ids + b * c->T, c->ids, (size_t)c->T * sizeof *ids);
    flag_rows(out, c->name, c->tgt, B, c->T);
    mz_model_batch b = {.B = B, .T = c->T, .ids = ids, .mask = c->mask, .embeds = emb};
    if (!cos) b.outputs = out;
    const char *want[] = {cos ? "pooled.mean" : "logits"};
    mz_activations *a = NULL;
    double f = NAN;
    CHECK_INT(mz_run_forward(&a, r, &b, want, 1, ctx), MZ_OK);
    const float *o = a ? mz_activations_get(a, want[0], NULL, NULL) : NULL;
    if (o && cos) {
        memset(seed, 0, (size_t)B * s->C * sizeof *seed);
        for (int k = 0; k < B; k++) {
            double v = mz_cosine_backward(seed + k * s->C, NULL, o + k * s->C, c->bmean, s->C, 1);
            if (!k) f = v;
        }
    } else if (o)
        f = logit_target(seed, o, s, c->name, c->ids, c->T, c->tgt, B);
    mz_grad_seed sd = {want[0], seed};
    const char *g[] = {"grad.embeds"};
    if (grads) CHECK_INT(mz_run_backward(grads, r, &sd, 1, g, 1, ctx), MZ_OK);
    mz_activations_free(a);
    return f;
}

static void ig_case_load(ig_case *c, const subject *s, mz_run *r) {
    int mlm = has(s->g, "logprob.ids"), gpt2 = has(s->g, "next_token.ids");
    c->name = mlm ? "logprob" : gpt2 ? "next_token" : "cosine";
    c->T = ints(c->ids, golden(s->g, "%s.ids", mlm || gpt2 ? c->name : "cosine.a"));
    for (int i = 0; i < MAXSTEPS * MAXT; i++)
        c->mask[i] = 1;
    if (mlm || gpt2) {
        ints(c->tgt, golden(s->g, "%s.target", c->name));
        return;
    }
    two w; /* sentence b's mean, held fixed */
    load_two(&w, s);
    mz_model_batch b = {.B = 2, .T = w.T, .ids = w.ids, .mask = w.mask};
    const char *want[] = {"pooled.mean"};
    mz_activations *a = NULL;
    CHECK_INT(mz_run_forward(&a, r, &b, want, 1, ctx), MZ_OK);
    if (a) memcpy(c->bmean, mz_activations_get(a, want[0], NULL, NULL) + s->C, s->C * 4);
    mz_activations_free(a);
}

static void check_ig(const subject *s, mz_run *r, const char *baseline, int steps) {
    ig_case c;
    ig_case_load(&c, s, r);
    int32_t keep32[MAXT], mask_id = 4;
    uint8_t keep[MAXT];
    ints(keep32, golden(s->g, "ig.keep"));
    for (int t = 0; t < c.T; t++)
        keep[t] = (uint8_t)keep32[t];
    int T = c.T, E = s->E;
    static float x[MAXT * 64], base[MAXT * 64], path[MAXSTEPS * MAXT * 64];
    const float *wte = mz_model_input_embeddings(s->m);
    for (int t = 0; t < T; t++)
        memcpy(x + t * E, wte + (size_t)c.ids[t] * E, E * sizeof *x);
    mz_attr_ig_baseline(base, x, strcmp(baseline, "mask") ? NULL : wte + (size_t)mask_id * E, keep,
                        T, E);
    double alpha[MAXSTEPS], weight[MAXSTEPS], attr[MAXT];
    CHECK_INT(mz_attr_ig_path(alpha, weight, steps, MZ_ATTR_RIEMANN_MIDDLE, ctx), MZ_OK);
    mz_attr_ig_inputs(path, x, base, alpha, steps, T, E);
    mz_activations *gr = NULL;
    ig_value(s, r, &c, path, steps, &gr); /* every step one row of one batch */
    if (!gr) return;
    mz_attr_ig_combine(attr, mz_activations_get(gr, "grad.embeds", NULL, NULL), weight, steps, x,
                       base, T, E);
    mz_activations_free(gr);
    float got[MAXT];
    for (int t = 0; t < T; t++)
        got[t] = (float)attr[t];
    char what[96];
    snprintf(what, sizeof what, "%s IG %s baseline, %d steps", s->arch, baseline, steps);
    compare(what, got, golden(s->g, "ig.%s.%d.attr", baseline, steps));
    mz_attr_completeness_result cg;
    mz_attr_completeness(&cg, attr, T, ig_value(s, r, &c, x, 1, NULL),
                         ig_value(s, r, &c, base, 1, NULL), MZ_ATTR_GAP_FLOOR);
    printf("  completeness gap %.2e\n", cg.gap);
    if (steps == 64) CHECK(cg.gap < 0.01);
}

/* Attention attribution: each layer's probabilities scaled by the path's alphas, one batch row
 * per step. */
static void check_attattr(const subject *s, mz_run *r) {
    enum { K = 16 };
    int32_t ids[K * MAXT], tgt[4], mask[K * MAXT];
    uint8_t out[K * MAXT];
    int T = ints(ids, golden(s->g, "logprob.ids"));
    ints(tgt, golden(s->g, "logprob.target"));
    for (int k = 1; k < K; k++)
        memcpy(ids + k * T, ids, (size_t)T * sizeof *ids);
    for (int i = 0; i < K * T; i++)
        mask[i] = 1;
    flag_rows(out, "logprob", tgt, K, T);
    double alpha[K], weight[K], attr[4 * MAXT * MAXT];
    float scale[K];
    CHECK_INT(mz_attr_ig_path(alpha, weight, K, MZ_ATTR_RIEMANN_MIDDLE, ctx), MZ_OK);
    for (int k = 0; k < K; k++)
        scale[k] = (float)alpha[k];
    static float dlogits[K * 96], probs[4 * MAXT * MAXT], dprobs[K * 4 * MAXT * MAXT];
    for (int l = 0; l < s->L; l++) {
        char pname[48], gname[48];
        snprintf(pname, sizeof pname, "layer.%d.attn.probs", l);
        snprintf(gname, sizeof gname, "grad.layer.%d.attn.probs", l);
        const char *want[] = {"logits", pname}, *g[] = {gname};
        mz_model_batch b = {.B = K, .T = T, .ids = ids, .mask = mask, .outputs = out};
        mz_activations *a = NULL, *gr = NULL;
        CHECK_INT(mz_run_scale_attention(r, l, scale, ctx), MZ_OK);
        CHECK_INT(mz_run_forward(&a, r, &b, want, 2, ctx), MZ_OK);
        if (a) {
            logit_target(dlogits, mz_activations_get(a, "logits", NULL, NULL), s, "logprob", ids, T,
                         tgt, K);
            mz_grad_seed seed = {"logits", dlogits};
            CHECK_INT(mz_run_backward(&gr, r, &seed, 1, g, 1, ctx), MZ_OK);
        }
        mz_run_scale_attention(r, l, NULL, ctx);
        if (!gr) {
            mz_activations_free(a);
            continue;
        }
        probs_of(probs, mz_activations_get(a, pname, NULL, NULL), 0, s->H, T, T);
        for (int k = 0; k < K; k++)
            probs_of(dprobs + (size_t)k * s->H * T * T, mz_activations_get(gr, gname, NULL, NULL),
                     k, s->H, T, T);
        mz_attr_attattr(attr, probs, dprobs, weight, K, s->H, T);
        float got[4 * MAXT * MAXT];
        for (int e = 0; e < s->H * T * T; e++)
            got[e] = (float)attr[e];
        char what[64];
        snprintf(what, sizeof what, "%s AttAttr layer %d", s->arch, l);
        compare(what, got, golden(s->g, "attattr.layer.%d", l));
        mz_activations_free(a), mz_activations_free(gr);
    }
}

static void check_arch(const char *arch) {
    char path[128];
    subject s = {arch, NULL, NULL, 0, 0, 0, 0, 0};
    snprintf(path, sizeof path, "golden/models/%s", arch);
    CHECK_INT(mz_model_open(&s.m, path, ctx), MZ_OK);
    snprintf(path, sizeof path, "golden/gradients/%s.safetensors", arch);
    CHECK_INT(mz_st_open(&s.g, path, ctx), MZ_OK);
    mz_run *r = NULL;
    if (s.m) CHECK_INT(mz_run_new(&r, s.m, ctx), MZ_OK);
    if (r && s.g) {
        const mz_model_config *c = mz_model_get_config(s.m);
        s.L = c->n_layers, s.H = c->block.n_heads, s.C = c->d_model, s.E = c->d_embed;
        s.V = c->vocab;
        mz_run_keep_caches(r, 1);
        static const char *const cases[] = {"logprob", "logprob_diff", "next_token", "loglik"};
        char ids[48];
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
            if (snprintf(ids, sizeof ids, "%s.ids", cases[i]), has(s.g, ids))
                check_logit_case(&s, r, cases[i]);
        check_cosine(&s, r);
        for (int steps = 16; steps <= 64; steps *= 4) {
            if (has(s.g, "ig.mask.16.attr")) check_ig(&s, r, "mask", steps);
            check_ig(&s, r, "zero", steps);
        }
        if (has(s.g, "attattr.layer.0")) check_attattr(&s, r);
    }
    mz_run_free(r);
    mz_model_free(s.m);
    mz_st_free(s.g);
}

/* A backward pass needs a kept forward pass just before it, and seeds it computed. */
static void check_misuse(void) {
    mz_model *m = NULL;
    mz_run *r = NULL;
    CHECK_INT(mz_model_open(&m, "golden/models/bert", ctx), MZ_OK);
    if (!m || mz_run_new(&r, m, ctx)) return;
    int32_t ids[3] = {2, 17, 3}, mask[3] = {1, 1, 1};
    mz_model_batch b = {.B = 1, .T = 3, .ids = ids, .mask = mask};
    const char *want[] = {"pooled.mean"}, *g[] = {"grad.embeds"}, *bad[] = {"grad.logits"};
    float seed[64] = {0};
    mz_grad_seed sd = {"pooled.mean", seed}, lg = {"logits", seed};
    mz_activations *a = NULL, *gr = NULL;
    CHECK_INT(mz_run_forward(&a, r, &b, want, 1, ctx), MZ_OK);
    CHECK_INT(mz_run_backward(&gr, r, &sd, 1, g, 1, ctx), MZ_ERR_USAGE);
    CHECK_CONTAINS(mz_ctx_message(ctx), "kept its caches");
    mz_activations_free(a);
    mz_run_keep_caches(r, 1);
    CHECK_INT(mz_run_forward(&a, r, &b, want, 1, ctx), MZ_OK);
    CHECK_INT(mz_run_backward(&gr, r, &lg, 1, g, 1, ctx), MZ_ERR_USAGE);
    CHECK_CONTAINS(mz_ctx_message(ctx), "a seed on logits needs a forward pass that computed them");
    CHECK_INT(mz_run_backward(&gr, r, &sd, 1, bad, 1, ctx), MZ_ERR_USAGE);
    CHECK_CONTAINS(mz_ctx_message(ctx), "unknown gradient 'grad.logits'");
    CHECK(gr == NULL);
    mz_activations_free(a);
    mz_run_free(r);
    mz_model_free(m);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    static const char *const archs[] = {"bert",    "roberta",    "xlm-roberta",
                                        "electra", "distilbert", "gpt2"};
    for (size_t i = 0; i < sizeof archs / sizeof *archs; i++)
        check_arch(archs[i]);
    check_misuse();
    mz_ctx_free(ctx);
    return mz_check_result("test_gradient_goldens");
}
