/* Named intermediates: the one table of names, parsing the names callers ask for, and holding
 * their buffers. */
#include "activations.h"
#include "mizani/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum span {
    SPAN_ONE,    /* one per pass */
    SPAN_LAYERS, /* one per layer: 0..n_layers-1 */
    SPAN_HIDDEN  /* one per hidden state: 0..n_layers */
} span;

typedef enum shape_rule {
    SHAPE_BTC,
    SHAPE_BTE,
    SHAPE_BHTT,
    SHAPE_BHTD,
    SHAPE_BHTC,
    SHAPE_LOGITS,
    SHAPE_BC
} shape_rule;

typedef enum need { NEED_NOTHING, NEED_LM_HEAD, NEED_POOLER } need;

/* '#' in a pattern stands for the layer; `grad`: handed back by a backward pass. */
static const struct out_spec {
    mz_out_kind kind;
    const char *pattern;
    span span;
    shape_rule shape;
    need need;
    int grad;
} OUTS[MZ_OUT_KINDS] = {
    {MZ_OUT_HIDDEN, "hidden.#", SPAN_HIDDEN, SHAPE_BTC, NEED_NOTHING, 0},
    {MZ_OUT_PROBS, "layer.#.attn.probs", SPAN_LAYERS, SHAPE_BHTT, NEED_NOTHING, 0},
    {MZ_OUT_VALUES, "layer.#.attn.values", SPAN_LAYERS, SHAPE_BHTD, NEED_NOTHING, 0},
    {MZ_OUT_HEAD_OUT, "layer.#.attn.head_out", SPAN_LAYERS, SHAPE_BHTC, NEED_NOTHING, 0},
    {MZ_OUT_ATTN_OUT, "layer.#.attn.out", SPAN_LAYERS, SHAPE_BTC, NEED_NOTHING, 0},
    {MZ_OUT_FFN_OUT, "layer.#.ffn.out", SPAN_LAYERS, SHAPE_BTC, NEED_NOTHING, 0},
    {MZ_OUT_LOGITS, "logits", SPAN_ONE, SHAPE_LOGITS, NEED_LM_HEAD, 0},
    {MZ_OUT_POOL_CLS, "pooled.cls", SPAN_ONE, SHAPE_BC, NEED_NOTHING, 0},
    {MZ_OUT_POOL_MEAN, "pooled.mean", SPAN_ONE, SHAPE_BC, NEED_NOTHING, 0},
    {MZ_OUT_POOLER, "pooled.pooler", SPAN_ONE, SHAPE_BC, NEED_POOLER, 0},
    {MZ_OUT_GRAD_EMBEDS, "grad.embeds", SPAN_ONE, SHAPE_BTE, NEED_NOTHING, 1},
    {MZ_OUT_GRAD_HIDDEN, "grad.hidden.#", SPAN_HIDDEN, SHAPE_BTC, NEED_NOTHING, 1},
    {MZ_OUT_GRAD_PROBS, "grad.layer.#.attn.probs", SPAN_LAYERS, SHAPE_BHTT, NEED_NOTHING, 1},
};

typedef struct act_entry {
    char name[48];
    float *data;
    int shape[4], n_dims;
} act_entry;

struct mz_activations {
    mz_model_config cfg;
    int B, T, M;
    act_entry *e;
    size_t n, cap;
    int *slot; /* [MZ_OUT_KINDS][n_layers+1]: entry index + 1, 0 when not requested */
};

mz_status mz_act_new(mz_activations **out, const mz_model_config *cfg, int B, int T, int M,
                     mz_ctx *ctx) {
    mz_activations *a = mz_calloc(1, sizeof *a);
    if (a) a->slot = mz_calloc((size_t)MZ_OUT_KINDS * (size_t)(cfg->n_layers + 1), sizeof *a->slot);
    if (!a || !a->slot) {
        mz_activations_free(a);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    a->cfg = *cfg;
    a->B = B, a->T = T, a->M = M;
    *out = a;
    return MZ_OK;
}

static void shape_of(const mz_activations *a, shape_rule r, int s[4], int *nd) {
    const mz_model_config *c = &a->cfg;
    int B = a->B, T = a->T, H = c->block.n_heads, C = c->d_model;
    switch (r) {
    case SHAPE_BHTT: s[0] = B, s[1] = H, s[2] = T, s[3] = T, *nd = 4; break;
    case SHAPE_BHTD: s[0] = B, s[1] = H, s[2] = T, s[3] = c->block.head_dim, *nd = 4; break;
    case SHAPE_BHTC: s[0] = B, s[1] = H, s[2] = T, s[3] = C, *nd = 4; break;
    case SHAPE_LOGITS:
        if (a->M >= 0)
            s[0] = a->M, s[1] = c->vocab, *nd = 2;
        else
            s[0] = B, s[1] = T, s[2] = c->vocab, *nd = 3;
        break;
    case SHAPE_BC: s[0] = B, s[1] = C, *nd = 2; break;
    case SHAPE_BTE: s[0] = B, s[1] = T, s[2] = c->d_embed, *nd = 3; break;
    case SHAPE_BTC: s[0] = B, s[1] = T, s[2] = C, *nd = 3; break;
    }
}

static void name_of(char *out, size_t cap, const char *pattern, int layer) {
    const char *hash = strchr(pattern, '#');
    if (hash)
        snprintf(out, cap, "%.*s%d%s", (int)(hash - pattern), pattern, layer, hash + 1);
    else
        snprintf(out, cap, "%s", pattern);
}

static mz_status add(mz_activations *a, const struct out_spec *o, int layer, mz_ctx *ctx) {
    int *slot = &a->slot[o->kind * (a->cfg.n_layers + 1) + layer];
    if (*slot) return MZ_OK;
    if (mz_grow((void **)&a->e, &a->cap, a->n + 1, sizeof *a->e))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    act_entry *e = &a->e[a->n];
    memset(e, 0, sizeof *e);
    name_of(e->name, sizeof e->name, o->pattern, layer);
    shape_of(a, o->shape, e->shape, &e->n_dims);
    size_t n = 1;
    for (int i = 0; i < e->n_dims; i++)
        n *= (size_t)e->shape[i];
    if (!(e->data = mz_calloc(n ? n : 1, sizeof *e->data)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for '%s' (%zu floats)", e->name, n);
    *slot = (int)++a->n;
    return MZ_OK;
}

/* "7" -> 7 within [0, limit), "*" -> -1 (all). */
static int parse_layer(const char *s, size_t len, int limit, int *layer) {
    if (len == 1 && *s == '*') return *layer = -1, 1;
    if (!len || len > 6) return 0;
    int v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v < limit ? (*layer = v, 1) : 0;
}

/* Whether `name` fits `pattern`, and which layer (-1: all) it names. */
static int matches(const char *name, const char *pattern, int limit, int *layer) {
    const char *hash = strchr(pattern, '#');
    if (!hash) return *layer = 0, !strcmp(name, pattern);
    size_t pre = (size_t)(hash - pattern), suf = strlen(hash + 1), n = strlen(name);
    if (n <= pre + suf || strncmp(name, pattern, pre) || strcmp(name + n - suf, hash + 1)) return 0;
    return parse_layer(name + pre, n - pre - suf, limit, layer);
}

static int span_limit(const mz_model_config *c, span s) {
    return s == SPAN_ONE ? 1 : s == SPAN_LAYERS ? c->n_layers : c->n_layers + 1;
}

/* "hidden.0..2, layer.0..1.attn.probs, ..., logits" for this model: the forward's names or
 * the gradients'. */
static void list_names(char *out, size_t cap, const mz_model_config *c, int grads) {
    size_t used = 0;
    out[0] = 0;
    for (int k = 0; k < MZ_OUT_KINDS && used < cap; k++) {
        const char *p = OUTS[k].pattern, *hash = strchr(p, '#'), *sep = used ? ", " : "";
        if (OUTS[k].grad != grads) continue;
        int w = hash ? snprintf(out + used, cap - used, "%s%.*s0..%d%s", sep, (int)(hash - p), p,
                                span_limit(c, OUTS[k].span) - 1, hash + 1)
                     : snprintf(out + used, cap - used, "%s%s", sep, p);
        used += w > 0 ? (size_t)w : 0;
    }
}

mz_status mz_act_request(mz_activations *a, const char *name, int grads, mz_ctx *ctx) {
    const mz_model_config *c = &a->cfg;
    for (int k = 0; k < MZ_OUT_KINDS; k++) {
        const struct out_spec *o = &OUTS[k];
        int layer, limit = span_limit(c, o->span);
        if (o->grad != grads || !matches(name, o->pattern, limit, &layer)) continue;
        if ((o->need == NEED_LM_HEAD && !c->has_lm_head) ||
            (o->need == NEED_POOLER && !c->has_pooler))
            return mz_fail(ctx, MZ_ERR_UNSUPPORTED, NULL,
                           "'%s' asked for, but this checkpoint has no %s", name,
                           o->need == NEED_LM_HEAD ? "language-model head" : "pooler");
        mz_status rc = MZ_OK;
        for (int l = layer < 0 ? 0 : layer; !rc && l < (layer < 0 ? limit : layer + 1); l++)
            rc = add(a, o, l, ctx);
        return rc;
    }
    char list[512];
    list_names(list, sizeof list, c, grads);
    return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                   "unknown %s '%s' (this model: %s; a layer number may be *)",
                   grads ? "gradient" : "intermediate", name, list);
}

float *mz_act_slot(const mz_activations *a, mz_out_kind k, int layer) {
    int s = a->slot[k * (a->cfg.n_layers + 1) + layer];
    return s ? a->e[s - 1].data : NULL;
}

void mz_act_done(const mz_activations *a, mz_out_kind k, int layer, mz_model_observer fn,
                 void *user) {
    int s = a->slot[k * (a->cfg.n_layers + 1) + layer];
    if (fn && s)
        fn(a->e[s - 1].name, a->e[s - 1].data, a->e[s - 1].shape, a->e[s - 1].n_dims, user);
}

const float *mz_activations_get(const mz_activations *a, const char *name, int shape[4],
                                int *n_dims) {
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->e[i].name, name)) {
            if (shape) memcpy(shape, a->e[i].shape, sizeof a->e[i].shape);
            if (n_dims) *n_dims = a->e[i].n_dims;
            return a->e[i].data;
        }
    return NULL;
}

size_t mz_activations_count(const mz_activations *a) { return a->n; }
const char *mz_activations_name(const mz_activations *a, size_t i) { return a->e[i].name; }

void mz_activations_free(mz_activations *a) {
    if (!a) return;
    for (size_t i = 0; i < a->n; i++)
        mz_free(a->e[i].data);
    mz_free(a->e);
    mz_free(a->slot);
    mz_free(a);
}
