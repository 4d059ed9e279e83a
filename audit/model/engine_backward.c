/* The backward pass: the mirror of engine.c over the caches a kept forward pass left in the run
 * context, from the caller's seeds (the gradient of its target with respect to outputs of the
 * pass) back to the token embeddings. Gradient buffers are named after the activations they
 * belong to with a `d` prefix; the kernels (backward.c) accumulate into them. */
#include "backward.h"
#include "mizani/alloc.h"
#include "mizani/mizani.h"
#include "run.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

static void glayout(mz_run *r, mz_carver *cv) {
    const mz_model_config *c = &r->m->cfg;
    const mz_block_recipe *b = &c->block;
    grad_bufs *g = &r->g;
    size_t N = (size_t)(r->p.N ? r->p.N : 1), C = (size_t)c->d_model, E = (size_t)c->d_embed,
           M = (size_t)(r->p.M ? r->p.M : 1), S = (size_t)r->p.S, F = (size_t)c->d_ff,
           A = (size_t)b->n_heads * (size_t)b->head_dim,
           QKV = A + 2 * (size_t)b->n_kv_heads * (size_t)b->head_dim,
           HE = (size_t)r->m->w.decoder.in;
    g->dfinal = mz_carve(cv, N * C), g->dx = mz_carve(cv, N * C);
    g->dres1 = mz_carve(cv, N * C), g->dres2 = mz_carve(cv, N * C), g->dln = mz_carve(cv, N * C);
    g->dattn_out = mz_carve(cv, N * C), g->dffn_out = mz_carve(cv, N * C);
    g->datt = mz_carve(cv, N * A), g->dqkv = mz_carve(cv, N * QKV);
    g->dffh = mz_carve(cv, N * F), g->dffh_pre = mz_carve(cv, N * F);
    g->dprobs = mz_carve(cv, r->p.n_probs), g->dscores = mz_carve(cv, r->p.n_probs);
    g->dlogits = r->logits && !r->p.out_at ? mz_carve(cv, M * (size_t)c->vocab) : NULL;
    g->dhead = mz_carve(cv, M * C), g->head_scratch = mz_carve(cv, 2 * M * HE);
    g->demb = mz_carve(cv, N * E), g->dsum = mz_carve(cv, N * E);
    g->dpool = mz_carve(cv, S * C), g->pool_scratch = mz_carve(cv, S * C);
}

static void zero(float *x, size_t n) { memset(x, 0, n * sizeof *x); }

/* The gradient arena laid out for this pass's sizes. Each layer's buffers are zeroed where the
 * pass reaches them; the seeds' targets here, since seeds add into them. */
static mz_status grads_prepare(mz_run *r, mz_ctx *ctx) {
    mz_status rc = mz_arena_lay_out(&r->g.base, &r->g.cap, glayout, r, "gradient", ctx);
    if (rc) return rc;
    size_t N = (size_t)r->p.N, C = (size_t)r->m->cfg.d_model, M = (size_t)r->p.M;
    zero(r->g.dfinal, N * C), zero(r->g.dhead, M * C);
    if (r->g.dlogits) zero(r->g.dlogits, M * (size_t)r->m->cfg.vocab);
    return MZ_OK;
}

/* dst[N,D] += src at each packed token's row of a padded [B*T,D] array. */
static void gather_add(float *dst, const float *src, const packing *p, int D) {
    for (int n = 0; n < p->N; n++)
        cblas_saxpy(D, 1.0f, src + (size_t)p->row[n] * D, 1, dst + (size_t)n * D, 1);
}

/* Padded [B*T,D] <- packed rows, zeros elsewhere (the array comes zeroed). */
static void scatter(float *dst, const float *src, const packing *p, int D) {
    if (!dst) return;
    for (int n = 0; n < p->N; n++)
        memcpy(dst + (size_t)p->row[n] * D, src + (size_t)n * D, (size_t)D * sizeof *dst);
}

/* [B,H,T,T] <- each sequence's [H,L,L]. */
static void scatter_probs(float *dst, const float *probs, const packing *p, int H) {
    if (!dst) return;
    for (int s = 0; s < p->S; s++)
        for (int h = 0; h < H; h++)
            for (int i = 0; i < p->len[s]; i++) {
                const float *src = probs + p->poff[s] + ((size_t)h * p->len[s] + i) * p->len[s];
                int ti = p->row[p->start[s] + i] % p->T;
                float *d = dst + (((size_t)s * H + h) * p->T + ti) * p->T;
                for (int j = 0; j < p->len[s]; j++)
                    d[p->row[p->start[s] + j] % p->T] = src[j];
            }
}

/* The LM head's backward from logits seeded in the forward's layout: into dfinal. */
static void head_backward(mz_run *r, const float *seed) {
    const mz_model_weights *w = &r->m->w;
    grad_bufs *g = &r->g;
    const packing *p = &r->p;
    int M = p->M, C = r->m->cfg.d_model, V = r->m->cfg.vocab;
    const float *dlogits = seed; /* [M,V]: flagged rows in batch order, as the pass packed them */
    if (!p->out_at) gather_add(g->dlogits, seed, p, V), dlogits = g->dlogits;
    if (w->head_dense.w) {
        mz_head_cache hc = {r->head_in, r->head_pre, r->head, r->head_mean, r->head_rstd};
        mz_mlm_head_backward(g->dhead, g->head_scratch, dlogits, &hc, &w->head_dense, &w->head_ln,
                             &w->decoder, M, w->head_gelu_tanh);
    } else
        mz_matmul_backward(g->dhead, NULL, NULL, dlogits, NULL, &w->decoder, M);
    for (int i = 0; i < M; i++)
        cblas_saxpy(C, 1.0f, g->dhead + (size_t)i * C, 1,
                    g->dfinal + (size_t)(p->out_at ? p->out_at[i] : i) * C, 1);
}

/* Sentence-embedding seeds: into dfinal (each sequence's first row, or all its rows). */
static void pool_backward(mz_run *r, mz_out_kind kind, const float *seed) {
    const packing *p = &r->p;
    grad_bufs *g = &r->g;
    int C = r->m->cfg.d_model, S = p->S;
    if (kind == MZ_OUT_POOL_MEAN) {
        mz_mean_pool_backward(g->dfinal, seed, p->start, p->len, S, C);
        return;
    }
    const float *dfirst = seed;
    if (kind == MZ_OUT_POOLER) {
        for (size_t i = 0; i < (size_t)S * C; i++) /* the pooler's output, tanh of its input */
            g->pool_scratch[i] = tanhf(r->pool_pre[i]);
        zero(g->dpool, (size_t)S * C);
        mz_pooler_backward(g->dpool, NULL, NULL, g->dres1, seed, r->pool, g->pool_scratch,
                           &r->m->w.pooler, S);
        dfirst = g->dpool;
    }
    for (int s = 0; s < S; s++)
        if (p->len[s])
            cblas_saxpy(C, 1.0f, dfirst + (size_t)s * C, 1, g->dfinal + (size_t)p->start[s] * C, 1);
}

/* The attention block of layer l backward: from dres1 (the gradient of in + attn_out) to dx,
 * the gradient of the block's input. */
static void attention_backward(mz_run *r, mz_activations *grads, int l) {
    const mz_model_config *c = &r->m->cfg;
    const mz_block_recipe *b = &c->block;
    const mz_layer_weights *W = &r->m->w.layers[l];
    const layer_acts *A = &r->L[l];
    grad_bufs *g = &r->g;
    const packing *p = &r->p;
    int N = p->N, C = c->d_model, Ad = b->n_heads * b->head_dim, KVd = b->n_kv_heads * b->head_dim;
    int pre = b->norm_place == MZ_NORM_PRE, fused = b->qkv_fused;
    int ldq = fused ? Ad + 2 * KVd : Ad, ldkv = fused ? ldq : KVd;
    size_t n = (size_t)N * C, nqkv = (size_t)N * (Ad + 2 * KVd);
    zero(g->dx, n), zero(g->dattn_out, n), zero(g->datt, (size_t)N * Ad), zero(g->dqkv, nqkv);
    mz_residual_backward(g->dx, g->dattn_out, NULL, g->dres1, N, C);
    mz_matmul_backward(g->datt, NULL, NULL, g->dattn_out, A->att, &W->o, N);
    const float *q = A->qkv, *k = fused ? q + Ad : q + (size_t)N * Ad,
                *v = fused ? k + KVd : k + (size_t)N * KVd;
    float *dq = g->dqkv, *dk = fused ? dq + Ad : dq + (size_t)N * Ad,
          *dv = fused ? dk + KVd : dk + (size_t)N * KVd;
    mz_seqs seqs = {p->S, p->start, p->len, p->poff};
    mz_attention_backward(dq, dk, dv, g->dprobs, g->dscores, g->datt, A->probs, q, k, v, ldq, ldkv,
                          &seqs, b->n_heads, b->n_kv_heads, b->head_dim, b->mask == MZ_MASK_CAUSAL,
                          r->attn_scale[l]);
    scatter_probs(mz_act_slot(grads, MZ_OUT_GRAD_PROBS, l), g->dprobs, p, b->n_heads);
    const float *in = pre ? A->ln1 : A->in;
    float *din = pre ? g->dln : g->dx; /* pre-norm: through ln1 first */
    if (pre) zero(g->dln, n);
    mz_matmul_backward(din, NULL, NULL, dq, in, &W->q, N);
    if (!fused) {
        mz_matmul_backward(din, NULL, NULL, dk, in, &W->k, N);
        mz_matmul_backward(din, NULL, NULL, dv, in, &W->v, N);
    }
    if (pre)
        mz_layernorm_backward(g->dx, NULL, NULL, g->dln, A->in, A->ln1_mean, A->ln1_rstd, &W->ln1,
                              N, C);
}

/* Layer l backward: g->dx holds the gradient of its output and leaves holding its input's. */
static void layer_backward(mz_run *r, mz_activations *grads, int l) {
    const mz_model_config *c = &r->m->cfg;
    const mz_layer_weights *W = &r->m->w.layers[l];
    const layer_acts *A = &r->L[l];
    grad_bufs *g = &r->g;
    int N = r->p.N, C = c->d_model, F = c->d_ff, pre = c->block.norm_place == MZ_NORM_PRE;
    size_t n = (size_t)N * C;
    zero(g->dres2, n), zero(g->dres1, n), zero(g->dln, n), zero(g->dffn_out, n);
    zero(g->dffh, (size_t)N * F), zero(g->dffh_pre, (size_t)N * F);
    if (pre) /* out = res2 */
        memcpy(g->dres2, g->dx, n * sizeof(float));
    else /* out = ln2(res2) */
        mz_layernorm_backward(g->dres2, NULL, NULL, g->dx, A->res2, A->ln2_mean, A->ln2_rstd,
                              &W->ln2, N, C);
    /* res2 = (pre: res1, post: ln1) + ffn_out */
    mz_residual_backward(pre ? g->dres1 : g->dln, g->dffn_out, NULL, g->dres2, N, C);
    mz_matmul_backward(g->dffh, NULL, NULL, g->dffn_out, A->ffh, &W->ff2, N);
    mz_gelu_backward(g->dffh_pre, NULL, g->dffh, A->ffh_pre, W->ff1.b, N, F,
                     c->block.ffn == MZ_FFN_GELU_TANH);
    if (pre) { /* ffn input ln2(res1) */
        zero(g->dx, n);
        mz_matmul_backward(g->dx, NULL, NULL, g->dffh_pre, A->ln2, &W->ff1, N);
        mz_layernorm_backward(g->dres1, NULL, NULL, g->dx, A->res1, A->ln2_mean, A->ln2_rstd,
                              &W->ln2, N, C);
    } else { /* ffn input ln1 = ln1(res1) */
        mz_matmul_backward(g->dln, NULL, NULL, g->dffh_pre, A->ln1, &W->ff1, N);
        mz_layernorm_backward(g->dres1, NULL, NULL, g->dln, A->res1, A->ln1_mean, A->ln1_rstd,
                              &W->ln1, N, C);
    }
    attention_backward(r, grads, l);
}

/* Seeds on hidden.L add to the gradient of that state when the pass reaches it. */
static void add_hidden_seeds(mz_run *r, const mz_grad_seed *seeds, int n, int L, float *into) {
    char name[32];
    snprintf(name, sizeof name, "hidden.%d", L);
    for (int i = 0; i < n; i++)
        if (!strcmp(seeds[i].name, name)) gather_add(into, seeds[i].grad, &r->p, r->m->cfg.d_model);
}

static void emit(mz_run *r, mz_activations *grads, mz_out_kind kind, int l, const float *src,
                 int D) {
    scatter(mz_act_slot(grads, kind, l), src, &r->p, D);
}

/* From the last hidden state's gradient to the token embeddings'. */
static void backward_layers(mz_run *r, mz_activations *grads, const mz_grad_seed *seeds, int n) {
    const mz_model_config *c = &r->m->cfg;
    const mz_model_weights *w = &r->m->w;
    grad_bufs *g = &r->g;
    int N = r->p.N, C = c->d_model, E = c->d_embed, L = c->n_layers;
    add_hidden_seeds(r, seeds, n, L, g->dfinal);
    emit(r, grads, MZ_OUT_GRAD_HIDDEN, L, g->dfinal, C);
    zero(g->dx, (size_t)N * C);
    if (c->block.final_norm)
        mz_layernorm_backward(g->dx, NULL, NULL, g->dfinal, r->L[L - 1].out, r->final_mean,
                              r->final_rstd, &w->final_ln, N, C);
    else
        memcpy(g->dx, g->dfinal, (size_t)N * C * sizeof(float));
    for (int l = L - 1; l >= 0; l--) {
        layer_backward(r, grads, l);
        add_hidden_seeds(r, seeds, n, l, g->dx);
        emit(r, grads, MZ_OUT_GRAD_HIDDEN, l, g->dx, C);
    }
    const float *d = g->dx; /* hidden.0's gradient, back through the projection and the norm */
    if (w->emb_proj.w) {
        zero(g->demb, (size_t)N * E);
        mz_matmul_backward(g->demb, NULL, NULL, g->dx, r->emb_ln, &w->emb_proj, N);
        d = g->demb;
    }
    if (c->block.embed_norm) {
        zero(g->dsum, (size_t)N * E);
        mz_layernorm_backward(g->dsum, NULL, NULL, d, r->emb, r->emb_mean, r->emb_rstd, &w->emb_ln,
                              N, E);
        d = g->dsum;
    }
    /* emb = token + position (+ type): the token embeddings' gradient is the sum's
     * (mz_embed_backward's identity; the position and type tables get none) */
    emit(r, grads, MZ_OUT_GRAD_EMBEDS, 0, d, E);
}

/* Which output a seed names, checked against what the pass computed. */
static mz_status seed_kind(mz_out_kind *kind, const mz_run *r, const mz_grad_seed *s, mz_ctx *ctx) {
    static const struct {
        const char *name;
        mz_out_kind kind;
    } named[] = {{"logits", MZ_OUT_LOGITS},
                 {"pooled.mean", MZ_OUT_POOL_MEAN},
                 {"pooled.cls", MZ_OUT_POOL_CLS},
                 {"pooled.pooler", MZ_OUT_POOLER}};
    int L = r->m->cfg.n_layers, l = -1;
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (!strcmp(s->name, named[i].name)) *kind = named[i].kind, l = 0;
    if (l < 0 && sscanf(s->name, "hidden.%d", &l) == 1 && l >= 0 && l <= L)
        *kind = MZ_OUT_HIDDEN;
    else if (l < 0)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "cannot seed a backward pass at '%s' (logits, pooled.mean, pooled.cls, "
                       "pooled.pooler, hidden.0..%d)",
                       s->name, L);
    if (*kind == MZ_OUT_LOGITS && !r->logits)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "a seed on logits needs a forward pass that computed them");
    if (*kind == MZ_OUT_POOLER && !r->m->cfg.has_pooler)
        return mz_fail(ctx, MZ_ERR_UNSUPPORTED, NULL, "this checkpoint has no pooler");
    if (!s->grad)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "the seed on '%s' has no gradient", s->name);
    return MZ_OK;
}

static mz_status backward(mz_run *r, mz_activations *grads, const mz_grad_seed *seeds, int n,
                          mz_ctx *ctx) {
    mz_status rc = grads_prepare(r, ctx);
    for (int i = 0; !rc && i < n; i++) {
        mz_out_kind kind;
        if ((rc = seed_kind(&kind, r, &seeds[i], ctx))) break;
        if (kind == MZ_OUT_LOGITS) head_backward(r, seeds[i].grad);
        if (kind >= MZ_OUT_POOL_CLS && kind <= MZ_OUT_POOLER) pool_backward(r, kind, seeds[i].grad);
    }
    if (!rc) backward_layers(r, grads, seeds, n);
    return rc;
}

mz_status mz_run_backward(mz_activations **out, mz_run *r, const mz_grad_seed *seeds, int n_seeds,
                          const char *const *want, int n_want, mz_ctx *ctx) {
    *out = NULL;
    if (!r->kept)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "a backward pass needs a forward pass that kept its caches "
                       "(mz_run_keep_caches) just before it");
    const packing *p = &r->p;
    mz_activations *grads = NULL;
    mz_status rc = mz_act_new(&grads, &r->m->cfg, p->S, p->T, -1, ctx);
    for (int i = 0; !rc && i < n_want; i++)
        rc = mz_act_request(grads, want[i], 1, ctx);
    if (!rc && p->N) rc = backward(r, grads, seeds, n_seeds, ctx);
    if (rc)
        mz_activations_free(grads);
    else
        *out = grads;
    return rc;
}
