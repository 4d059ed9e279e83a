/* One forward pass. The batch's real tokens are packed end to end, so every matrix product
 * runs over exactly the N real tokens; named outputs are scattered back to the caller's padded
 * layout. All scratch lives in one arena sized before the layer loop. */
#include "activations.h"
#include "layers.h"
#include "mizani/alloc.h"
#include "mizani/mizani.h"
#include "model_internal.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

typedef struct packing {
    int N, S;                   /* real tokens, sequences (= batch rows) */
    int32_t *ids, *pos, *types; /* [N] */
    int *row;                   /* [N] b*T+t of each packed token */
    int *start, *len;           /* [S] */
    size_t *poff;               /* [S] offset of each sequence's [H,L,L] probabilities */
    size_t n_probs;
} packing;

typedef struct arena {
    float *x;      /* [N,C] residual stream */
    float *ln;     /* [N,max(C,E)] normalised input / embeddings before projection */
    float *qkv;    /* [N,3C] */
    float *att;    /* [N,C] heads concatenated */
    float *proj;   /* [N,C] attention or FFN output */
    float *ffh;    /* [N,F] */
    float *probs;  /* [sum H*L*L] */
    float *head;   /* [N,E] MLM transform */
    float *logits; /* [N,V] */
    float *pool;   /* [S,C] first-token states, for the pooler */
    float *base;
} arena;

static void packing_free(packing *p) {
    mz_free(p->ids), mz_free(p->pos), mz_free(p->types), mz_free(p->row);
    mz_free(p->start), mz_free(p->len), mz_free(p->poff);
}

static mz_status check_batch(const mz_model_config *c, const mz_model_batch *b, mz_ctx *ctx) {
    if (b->B < 1 || b->T < 1 || !b->ids || !b->mask)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "empty batch");
    for (size_t i = 0; i < (size_t)b->B * (size_t)b->T; i++) {
        if (b->mask[i] != 0 && b->mask[i] != 1)
            return mz_fail(ctx, MZ_ERR_USAGE, NULL, "attention mask values must be 0 or 1");
        if (b->mask[i] && (b->ids[i] < 0 || b->ids[i] >= c->vocab))
            return mz_fail(ctx, MZ_ERR_USAGE, NULL, "token id %d outside the vocabulary (%d)",
                           b->ids[i], c->vocab);
        int t = b->type_ids ? b->type_ids[i] : 0;
        if (b->mask[i] && t && (t < 0 || t >= c->type_vocab))
            return mz_fail(ctx, MZ_ERR_USAGE, NULL, "token type %d outside [0,%d)", t,
                           c->type_vocab);
    }
    return MZ_OK;
}

/* Hugging Face positions: the column index, or for RoBERTa-style models pad_id + the count of
 * non-pad ids so far. */
static mz_status pack(packing *p, const mz_model_config *c, const mz_model_batch *b, mz_ctx *ctx) {
    int BT = b->B * b->T, H = c->n_heads;
    memset(p, 0, sizeof *p);
    for (int i = 0; i < BT; i++)
        p->N += b->mask[i];
    p->S = b->B;
    size_t n = (size_t)(p->N ? p->N : 1), s = (size_t)p->S;
    p->ids = mz_malloc(n * 4), p->pos = mz_malloc(n * 4), p->types = mz_malloc(n * 4);
    p->row = mz_malloc(n * sizeof *p->row), p->start = mz_malloc(s * sizeof *p->start);
    p->len = mz_malloc(s * sizeof *p->len), p->poff = mz_malloc(s * sizeof *p->poff);
    if (!p->ids || !p->pos || !p->types || !p->row || !p->start || !p->len || !p->poff)
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    int k = 0;
    for (int r = 0; r < b->B; r++) {
        p->start[r] = k;
        p->poff[r] = p->n_probs;
        for (int t = 0, seen = 0; t < b->T; t++) {
            int i = r * b->T + t, real = c->pos_offset ? b->ids[i] != c->pad_id : 1;
            seen += real;
            int pos = c->pos_offset ? (real ? c->pad_id + seen : c->pad_id) : t;
            if (!b->mask[i]) continue;
            if (pos >= c->max_pos)
                return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                               "row %d is longer than the model's %d positions", r, c->max_pos);
            p->ids[k] = b->ids[i], p->pos[k] = pos, p->row[k] = i;
            p->types[k++] = b->type_ids ? b->type_ids[i] : 0;
        }
        p->len[r] = k - p->start[r];
        p->n_probs += (size_t)H * (size_t)p->len[r] * (size_t)p->len[r];
    }
    return MZ_OK;
}

static mz_status arena_new(arena *a, const mz_model_config *c, const packing *p, int logits,
                           mz_ctx *ctx) {
    size_t N = (size_t)(p->N ? p->N : 1), C = (size_t)c->d_model, E = (size_t)c->d_embed;
    size_t sizes[] = {N * C,
                      N * (C > E ? C : E),
                      3 * N * C,
                      N * C,
                      N * C,
                      N * (size_t)c->d_ff,
                      p->n_probs + 1,
                      logits ? N * E : 0,
                      logits ? N * (size_t)c->vocab : 0,
                      2 * (size_t)p->S * C};
    float **slots[] = {&a->x,   &a->ln,    &a->qkv,  &a->att,    &a->proj,
                       &a->ffh, &a->probs, &a->head, &a->logits, &a->pool};
    size_t total = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        total += sizes[i];
    if (!(a->base = mz_malloc(total * sizeof(float))))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for %zu activation floats", total);
    float *f = a->base;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        *slots[i] = f, f += sizes[i];
    return MZ_OK;
}

/* dst[B*T, D] <- src[N, D] at each packed token's row (a column slice for value heads). */
static void scatter_rows(float *dst, const float *src, const packing *p, int D, int ld) {
    if (!dst) return;
    for (int n = 0; n < p->N; n++)
        memcpy(dst + (size_t)p->row[n] * D, src + (size_t)n * ld, (size_t)D * sizeof *dst);
}

/* [B,H,T,T] <- each sequence's [H,L,L], at the original token columns. */
static void scatter_probs(float *dst, const float *probs, const packing *p, int H, int T) {
    if (!dst) return;
    for (int s = 0; s < p->S; s++)
        for (int h = 0; h < H; h++)
            for (int i = 0; i < p->len[s]; i++) {
                const float *src = probs + p->poff[s] + ((size_t)h * p->len[s] + i) * p->len[s];
                int ti = p->row[p->start[s] + i] % T;
                float *d = dst + (((size_t)s * H + h) * T + ti) * T;
                for (int j = 0; j < p->len[s]; j++)
                    d[p->row[p->start[s] + j] % T] = src[j];
            }
}

/* [B,H,T,d] <- v [N, ld], head h in columns h*d..h*d+d. */
static void scatter_values(float *dst, const float *v, int ld, const packing *p, int H, int d,
                           int T) {
    if (!dst) return;
    for (int n = 0; n < p->N; n++) {
        int b = p->row[n] / T, t = p->row[n] % T;
        for (int h = 0; h < H; h++)
            memcpy(dst + (((size_t)b * H + h) * T + t) * d, v + (size_t)n * ld + (size_t)h * d,
                   (size_t)d * sizeof *dst);
    }
}

static void embed(arena *a, const mz_model *m, const packing *p) {
    const mz_model_config *c = &m->cfg;
    const mz_model_weights *w = &m->w;
    int proj = w->emb_proj.w != NULL, E = c->d_embed;
    float *e = proj ? a->ln : a->x; /* [N,E] */
    mz_embed_forward(e, p->ids, p->pos, p->types, w->wte, w->wpe, w->wtt, p->N, E);
    if (w->emb_ln.w)
        mz_layernorm_forward(e, e, w->emb_ln.w, w->emb_ln.b, (float)c->ln_eps, p->N, E);
    if (proj) mz_matmul_forward(a->x, e, w->emb_proj.w, w->emb_proj.b, p->N, E, c->d_model, 0);
}

/* Self-attention of layer l on `in` [N,C]; leaves the projected output in a->proj. */
static void attention(arena *a, mz_activations *acts, const mz_model *m, const packing *p,
                      const float *in, int l, int T) {
    const mz_model_config *c = &m->cfg;
    const mz_layer_weights *L = &m->w.layers[l];
    int fused = L->k.w == NULL; /* GPT-2's c_attn: one [3C] projection */
    int N = p->N, C = c->d_model, H = c->n_heads, ld = fused ? 3 * C : C;
    float *q = a->qkv, *k = fused ? a->qkv + C : a->qkv + (size_t)N * C,
          *v = fused ? a->qkv + 2 * C : a->qkv + 2 * (size_t)N * C;
    if (fused)
        mz_matmul_forward(a->qkv, in, L->q.w, L->q.b, N, C, 3 * C, m->conv1d);
    else {
        mz_matmul_forward(q, in, L->q.w, L->q.b, N, C, C, 0);
        mz_matmul_forward(k, in, L->k.w, L->k.b, N, C, C, 0);
        mz_matmul_forward(v, in, L->v.w, L->v.b, N, C, C, 0);
    }
    mz_attention_forward(a->att, a->probs, q, k, v, ld, p->start, p->len, p->poff, p->S, C, H,
                         c->causal);
    mz_matmul_forward(a->proj, a->att, L->o.w, NULL, N, C, C, m->conv1d); /* bias: residual() */
    scatter_probs(mz_act_slot(acts, MZ_ACT_PROBS, l), a->probs, p, H, T);
    scatter_values(mz_act_slot(acts, MZ_ACT_VALUES, l), v, ld, p, H, C / H, T);
    for (int k = MZ_ACT_PROBS; k <= MZ_ACT_VALUES; k++)
        mz_act_done(acts, (mz_act_kind)k, l, m->observer, m->observer_user);
}

/* Feed-forward of layer l on `in` [N,C]; leaves its output in a->proj. */
static void feed_forward(arena *a, const mz_model *m, const packing *p, const float *in, int l) {
    const mz_model_config *c = &m->cfg;
    const mz_layer_weights *L = &m->w.layers[l];
    int N = p->N, C = c->d_model, F = c->d_ff;
    mz_matmul_forward(a->ffh, in, L->ff1.w, NULL, N, C, F, m->conv1d);
    mz_gelu_forward(a->ffh, a->ffh, L->ff1.b, N, F, c->gelu_tanh);
    mz_matmul_forward(a->proj, a->ffh, L->ff2.w, NULL, N, F, C, m->conv1d); /* bias: residual() */
}

/* x += proj + bias: the block's output projection gets its bias here, in the pass that adds it
 * to the residual stream, rather than copied into the product's output first; then proj goes
 * to whoever asked for it under `kind`. */
static void residual(arena *a, mz_activations *acts, const mz_model *m, const packing *p,
                     const float *bias, mz_act_kind kind, int l) {
    int C = m->cfg.d_model;
    mz_residual_forward(a->x, a->proj, bias, p->N, C);
    scatter_rows(mz_act_slot(acts, kind, l), a->proj, p, C, C);
    mz_act_done(acts, kind, l, m->observer, m->observer_user);
}

static void layer(arena *a, mz_activations *acts, const mz_model *m, const packing *p, int l,
                  int T) {
    const mz_model_config *c = &m->cfg;
    const mz_layer_weights *L = &m->w.layers[l];
    int N = p->N, C = c->d_model;
    float eps = (float)c->ln_eps;
    if (c->causal) { /* pre-LN: x += attn(ln1(x)); x += ffn(ln2(x)) */
        mz_layernorm_forward(a->ln, a->x, L->ln1.w, L->ln1.b, eps, N, C);
        attention(a, acts, m, p, a->ln, l, T);
        residual(a, acts, m, p, L->o.b, MZ_ACT_ATTN_OUT, l);
        mz_layernorm_forward(a->ln, a->x, L->ln2.w, L->ln2.b, eps, N, C);
        feed_forward(a, m, p, a->ln, l);
        residual(a, acts, m, p, L->ff2.b, MZ_ACT_FFN_OUT, l);
        return;
    } /* post-LN: x = ln1(x + attn(x)); x = ln2(x + ffn(x)) */
    attention(a, acts, m, p, a->x, l, T);
    residual(a, acts, m, p, L->o.b, MZ_ACT_ATTN_OUT, l);
    mz_layernorm_forward(a->x, a->x, L->ln1.w, L->ln1.b, eps, N, C);
    feed_forward(a, m, p, a->x, l);
    residual(a, acts, m, p, L->ff2.b, MZ_ACT_FFN_OUT, l);
    mz_layernorm_forward(a->x, a->x, L->ln2.w, L->ln2.b, eps, N, C);
}

/* Logits from the final hidden states: GPT-2 ties to wte; MLM heads transform first. */
static void lm_head(arena *a, const mz_model *m, const packing *p) {
    const mz_model_config *c = &m->cfg;
    const mz_model_weights *w = &m->w;
    const float *h = a->x;
    int N = p->N,
        E = w->head_dense.w ? (c->arch == MZ_ARCH_ELECTRA ? c->d_embed : c->d_model) : c->d_model;
    if (w->head_dense.w) {
        mz_matmul_forward(a->head, a->x, w->head_dense.w, w->head_dense.b, N, c->d_model, E, 0);
        mz_gelu_forward(a->head, a->head, NULL, N, E, w->head_gelu_tanh);
        mz_layernorm_forward(a->head, a->head, w->head_ln.w, w->head_ln.b, (float)c->ln_eps, N, E);
        h = a->head;
    }
    mz_matmul_forward(a->logits, h, w->decoder.w, w->decoder.b, N, E, c->vocab, 0);
}

/* Sentence embeddings from the last hidden states: first token, mean of real tokens, and BERT's
 * pooler (tanh of a dense layer on the first token). Rows without tokens stay zero. */
static void pool(arena *a, mz_activations *acts, const mz_model *m, const packing *p) {
    int C = m->cfg.d_model;
    float *cls = mz_act_slot(acts, MZ_ACT_POOL_CLS, 0),
          *mean = mz_act_slot(acts, MZ_ACT_POOL_MEAN, 0),
          *pooler = mz_act_slot(acts, MZ_ACT_POOLER, 0);
    if (!cls && !mean && !pooler) return; /* nobody asked: no pass over the batch */
    for (int s = 0; s < p->S; s++) {
        const float *first = a->x + (size_t)p->start[s] * C; /* [C] */
        if (p->len[s])
            memcpy(a->pool + (size_t)s * C, first, (size_t)C * sizeof(float));
        else
            memset(a->pool + (size_t)s * C, 0, (size_t)C * sizeof(float));
        if (cls) memcpy(cls + (size_t)s * C, a->pool + (size_t)s * C, (size_t)C * sizeof(float));
        for (int t = 0; mean && t < p->len[s]; t++)
            for (int i = 0; i < C; i++)
                mean[(size_t)s * C + i] += first[(size_t)t * C + i] / (float)p->len[s];
    }
    if (pooler) {
        float *out = a->pool + (size_t)p->S * C; /* [S,C] */
        mz_matmul_forward(out, a->pool, m->w.pooler.w, m->w.pooler.b, p->S, C, C, 0);
        for (size_t i = 0; i < (size_t)p->S * C; i++)
            pooler[i] = tanhf(out[i]);
        for (int s = 0; s < p->S; s++)
            if (!p->len[s]) memset(pooler + (size_t)s * C, 0, (size_t)C * sizeof(float));
    }
    for (int k = MZ_ACT_POOL_CLS; k <= MZ_ACT_POOLER; k++)
        mz_act_done(acts, (mz_act_kind)k, 0, m->observer, m->observer_user);
}

static void forward(arena *a, mz_activations *acts, const mz_model *m, const packing *p, int T) {
    const mz_model_config *c = &m->cfg;
    int C = c->d_model;
    embed(a, m, p);
    scatter_rows(mz_act_slot(acts, MZ_ACT_HIDDEN, 0), a->x, p, C, C);
    mz_act_done(acts, MZ_ACT_HIDDEN, 0, m->observer, m->observer_user);
    for (int l = 0; l < c->n_layers; l++) {
        layer(a, acts, m, p, l, T);
        if (c->causal && l == c->n_layers - 1) /* GPT-2's last hidden state is after ln_f */
            mz_layernorm_forward(a->x, a->x, m->w.final_ln.w, m->w.final_ln.b, (float)c->ln_eps,
                                 p->N, C);
        scatter_rows(mz_act_slot(acts, MZ_ACT_HIDDEN, l + 1), a->x, p, C, C);
        mz_act_done(acts, MZ_ACT_HIDDEN, l + 1, m->observer, m->observer_user);
    }
    pool(a, acts, m, p);
    float *logits = mz_act_slot(acts, MZ_ACT_LOGITS, 0);
    if (logits) {
        lm_head(a, m, p);
        scatter_rows(logits, a->logits, p, c->vocab, c->vocab);
        mz_act_done(acts, MZ_ACT_LOGITS, 0, m->observer, m->observer_user);
    }
}

mz_status mz_model_run(mz_activations **out, mz_model *m, const mz_model_batch *batch,
                       const char *const *want, int n_want, mz_ctx *ctx) {
    *out = NULL;
    mz_activations *acts = NULL;
    packing p = {0};
    arena a = {0};
    mz_status rc = check_batch(&m->cfg, batch, ctx);
    if (!rc) rc = mz_act_new(&acts, &m->cfg, batch->B, batch->T, ctx);
    for (int i = 0; !rc && i < n_want; i++)
        rc = mz_act_request(acts, want[i], ctx);
    if (!rc) rc = pack(&p, &m->cfg, batch, ctx);
    if (!rc) rc = arena_new(&a, &m->cfg, &p, mz_act_slot(acts, MZ_ACT_LOGITS, 0) != NULL, ctx);
    if (!rc && p.N) {
        openblas_set_num_threads(1); /* the engine's OpenMP threads split every product */
        forward(&a, acts, m, &p, batch->T);
        openblas_set_num_threads(mz_threads());
    }
    mz_free(a.base);
    packing_free(&p);
    if (rc)
        mz_activations_free(acts);
    else
        *out = acts;
    return rc;
}
