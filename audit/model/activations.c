/* Named intermediates: parsing the names callers ask for and holding their buffers. */
#include "activations.h"
#include "mizani/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct act_entry {
    char name[48];
    float *data;
    int shape[4], n_dims;
} act_entry;

struct mz_activations {
    mz_model_config cfg;
    int B, T;
    act_entry *e;
    size_t n, cap;
    int *slot; /* [MZ_ACT_KINDS][n_layers+1]: entry index + 1, 0 when not requested */
};

static const char *const SUFFIX[MZ_ACT_KINDS] = {
    NULL, "attn.probs", "attn.values", "attn.out", "ffn.out", NULL, NULL, NULL, NULL};
/* Whole-model outputs: one per model, no layer. */
static const char *const GLOBAL[MZ_ACT_KINDS] = {
    NULL, NULL, NULL, NULL, NULL, "logits", "pooled.cls", "pooled.mean", "pooled.pooler"};

mz_status mz_act_new(mz_activations **out, const mz_model_config *cfg, int B, int T, mz_ctx *ctx) {
    mz_activations *a = mz_calloc(1, sizeof *a);
    if (a) a->slot = mz_calloc((size_t)MZ_ACT_KINDS * (size_t)(cfg->n_layers + 1), sizeof *a->slot);
    if (!a || !a->slot) {
        mz_activations_free(a);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    a->cfg = *cfg;
    a->B = B;
    a->T = T;
    *out = a;
    return MZ_OK;
}

static void shape_of(const mz_activations *a, mz_act_kind k, int s[4], int *nd) {
    const mz_model_config *c = &a->cfg;
    int B = a->B, T = a->T, H = c->n_heads;
    switch (k) {
    case MZ_ACT_PROBS: s[0] = B, s[1] = H, s[2] = T, s[3] = T, *nd = 4; break;
    case MZ_ACT_VALUES: s[0] = B, s[1] = H, s[2] = T, s[3] = c->d_model / H, *nd = 4; break;
    case MZ_ACT_LOGITS: s[0] = B, s[1] = T, s[2] = c->vocab, *nd = 3; break;
    case MZ_ACT_POOL_CLS:
    case MZ_ACT_POOL_MEAN:
    case MZ_ACT_POOLER: s[0] = B, s[1] = c->d_model, *nd = 2; break;
    default: s[0] = B, s[1] = T, s[2] = c->d_model, *nd = 3; break;
    }
}

static mz_status add(mz_activations *a, mz_act_kind k, int layer, mz_ctx *ctx) {
    int *slot = &a->slot[k * (a->cfg.n_layers + 1) + layer];
    if (*slot) return MZ_OK;
    if (mz_grow((void **)&a->e, &a->cap, a->n + 1, sizeof *a->e))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    act_entry *e = &a->e[a->n];
    memset(e, 0, sizeof *e);
    if (k == MZ_ACT_HIDDEN)
        snprintf(e->name, sizeof e->name, "hidden.%d", layer);
    else if (GLOBAL[k])
        snprintf(e->name, sizeof e->name, "%s", GLOBAL[k]);
    else
        snprintf(e->name, sizeof e->name, "layer.%d.%s", layer, SUFFIX[k]);
    shape_of(a, k, e->shape, &e->n_dims);
    size_t n = 1;
    for (int i = 0; i < e->n_dims; i++)
        n *= (size_t)e->shape[i];
    if (!(e->data = mz_calloc(n, sizeof *e->data)))
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

static mz_status add_range(mz_activations *a, mz_act_kind k, int layer, int limit, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (int l = layer < 0 ? 0 : layer; !rc && l < (layer < 0 ? limit : layer + 1); l++)
        rc = add(a, k, l, ctx);
    return rc;
}

mz_status mz_act_request(mz_activations *a, const char *name, mz_ctx *ctx) {
    int L = a->cfg.n_layers, layer;
    for (int k = MZ_ACT_LOGITS; k < MZ_ACT_KINDS; k++) {
        if (strcmp(name, GLOBAL[k])) continue;
        if ((k == MZ_ACT_LOGITS && !a->cfg.has_lm_head) ||
            (k == MZ_ACT_POOLER && !a->cfg.has_pooler))
            return mz_fail(ctx, MZ_ERR_UNSUPPORTED, NULL,
                           "'%s' asked for, but this checkpoint has no %s", name,
                           k == MZ_ACT_LOGITS ? "language-model head" : "pooler");
        return add(a, (mz_act_kind)k, 0, ctx);
    }
    if (!strncmp(name, "hidden.", 7) && parse_layer(name + 7, strlen(name + 7), L + 1, &layer))
        return add_range(a, MZ_ACT_HIDDEN, layer, L + 1, ctx);
    const char *dot = !strncmp(name, "layer.", 6) ? strchr(name + 6, '.') : NULL;
    for (int k = MZ_ACT_PROBS; dot && k <= MZ_ACT_FFN_OUT; k++)
        if (!strcmp(dot + 1, SUFFIX[k]) &&
            parse_layer(name + 6, (size_t)(dot - name - 6), L, &layer))
            return add_range(a, (mz_act_kind)k, layer, L, ctx);
    return mz_fail(
        ctx, MZ_ERR_USAGE, NULL,
        "unknown intermediate '%s' (this model: hidden.0..%d, layer.0..%d.attn.probs, "
        "layer.N.attn.values, layer.N.attn.out, layer.N.ffn.out, logits, pooled.cls, pooled.mean, "
        "pooled.pooler; N may be *)",
        name, L, L - 1);
}

float *mz_act_slot(const mz_activations *a, mz_act_kind k, int layer) {
    int s = a->slot[k * (a->cfg.n_layers + 1) + layer];
    return s ? a->e[s - 1].data : NULL;
}

void mz_act_done(const mz_activations *a, mz_act_kind k, int layer, mz_model_observer fn,
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
