/* The run context: packing a batch, laying out the pass's buffers in one arena that is kept and
 * regrown between passes, hooks, and the one-shot mz_model_run. */
#include "run.h"
#include "mizani/alloc.h"

#include <cblas.h>
#include <pthread.h>
#include <string.h>

/* OpenBLAS on one thread, set once for the process: the engine's own OpenMP threads split every
 * product, and several runs pass at once on those threads. Setting it around each pass, as was
 * done, wrote OpenBLAS's process-wide thread count while other threads were inside a product. */
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;

static void blas_one_thread(void) { openblas_set_num_threads(1); }

mz_status mz_run_new(mz_run **out, const mz_model *m, mz_ctx *ctx) {
    *out = NULL;
    pthread_once(&blas_once, blas_one_thread);
    mz_run *r = mz_calloc(1, sizeof *r);
    int L = m->cfg.n_layers;
    if (r) r->L = mz_calloc((size_t)L, sizeof *r->L);
    if (r && r->L) r->attn_scale = mz_calloc((size_t)L, sizeof *r->attn_scale);
    if (!r || !r->attn_scale) {
        mz_run_free(r);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    r->m = m;
    *out = r;
    return MZ_OK;
}

static void packing_clear(packing *p) {
    mz_free(p->ids), mz_free(p->pos), mz_free(p->types), mz_free(p->row);
    mz_free(p->start), mz_free(p->len), mz_free(p->poff), mz_free(p->out_at);
    memset(p, 0, sizeof *p);
}

void mz_run_free(mz_run *r) {
    if (!r) return;
    packing_clear(&r->p);
    mz_free(r->base);
    mz_free(r->g.base);
    mz_free(r->L);
    mz_free(r->attn_scale);
    mz_free(r);
}

void mz_run_set_observer(mz_run *r, mz_model_observer fn, void *user) {
    r->observer = fn;
    r->observer_user = user;
}

void mz_run_keep_caches(mz_run *r, int keep) { r->keep = keep != 0; }

mz_status mz_run_scale_attention(mz_run *r, int layer, const float *scale, mz_ctx *ctx) {
    if (layer < 0 || layer >= r->m->cfg.n_layers)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "layer %d outside 0..%d", layer,
                       r->m->cfg.n_layers - 1);
    r->attn_scale[layer] = scale;
    return MZ_OK;
}

static mz_status check_batch(const mz_model_config *c, const mz_model_batch *b, mz_ctx *ctx) {
    if (b->B < 1 || b->T < 1 || (!b->ids && !b->embeds) || !b->mask)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "empty batch");
    for (size_t i = 0; i < (size_t)b->B * (size_t)b->T; i++) {
        int row = (int)(i / (size_t)b->T), col = (int)(i % (size_t)b->T);
        if (b->mask[i] != 0 && b->mask[i] != 1)
            return mz_fail(ctx, MZ_ERR_USAGE, NULL, "attention mask values must be 0 or 1");
        if (!b->mask[i]) continue;
        if (b->ids && (b->ids[i] < 0 || b->ids[i] >= c->vocab))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "token id %d (row %d, position %d) is outside the vocabulary (%d ids)",
                           b->ids[i], row, col, c->vocab);
        int t = b->type_ids ? b->type_ids[i] : 0;
        if (t && (t < 0 || t >= c->type_vocab))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "token type %d (row %d, position %d) is outside the model's %d types", t,
                           row, col, c->type_vocab);
    }
    return MZ_OK;
}

static mz_status pack_alloc(packing *p, mz_ctx *ctx) {
    size_t n = (size_t)(p->N ? p->N : 1), s = (size_t)p->S;
    p->ids = mz_malloc(n * 4), p->pos = mz_malloc(n * 4), p->types = mz_malloc(n * 4);
    p->row = mz_malloc(n * sizeof *p->row), p->start = mz_malloc(s * sizeof *p->start);
    p->len = mz_malloc(s * sizeof *p->len), p->poff = mz_malloc(s * sizeof *p->poff);
    if (!p->ids || !p->pos || !p->types || !p->row || !p->start || !p->len || !p->poff)
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    return MZ_OK;
}

/* Hugging Face positions: the column index, or for RoBERTa-style models pad_id + the count of
 * non-pad ids so far. */
static mz_status pack(packing *p, const mz_model_config *c, const mz_model_batch *b, mz_ctx *ctx) {
    int BT = b->B * b->T, H = c->block.n_heads;
    packing_clear(p);
    for (int i = 0; i < BT; i++)
        p->N += b->mask[i];
    p->S = b->B, p->T = b->T;
    mz_status rc = pack_alloc(p, ctx);
    for (int r = 0, k = 0; !rc && r < b->B; r++) {
        p->start[r] = k;
        p->poff[r] = p->n_probs;
        for (int t = 0, seen = 0; t < b->T; t++) {
            int i = r * b->T + t, real = c->pos_offset && b->ids ? b->ids[i] != c->pad_id : 1;
            seen += real;
            int pos = c->pos_offset ? (real ? c->pad_id + seen : c->pad_id) : t;
            if (!b->mask[i]) continue;
            if (pos >= c->max_pos)
                return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                               "row %d is longer than the model's %d positions", r, c->max_pos);
            p->ids[k] = b->ids ? b->ids[i] : 0, p->pos[k] = pos, p->row[k] = i;
            p->types[k++] = b->type_ids ? b->type_ids[i] : 0;
        }
        p->len[r] = k - p->start[r];
        p->n_probs += (size_t)H * (size_t)p->len[r] * (size_t)p->len[r];
    }
    return rc;
}

/* The tokens whose logits are wanted, as packed indices; all of them without flags. */
static mz_status pick_outputs(packing *p, const mz_model_batch *b, mz_ctx *ctx) {
    if (!b->outputs) return p->M = p->N, MZ_OK;
    p->M = 0;
    for (int n = 0; n < p->N; n++)
        p->M += b->outputs[p->row[n]] != 0;
    if (!(p->out_at = mz_malloc((size_t)(p->M ? p->M : 1) * sizeof *p->out_at)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int n = 0, m = 0; n < p->N; n++)
        if (b->outputs[p->row[n]]) p->out_at[m++] = n;
    return MZ_OK;
}

float *mz_carve(mz_carver *c, size_t n) {
    size_t at = c->used;
    c->used += (n + 15) / 16 * 16; /* 64-byte steps keep every buffer aligned */
    return c->base ? c->base + at : NULL;
}

mz_status mz_arena_lay_out(float **base, size_t *cap, void (*layout)(mz_run *, mz_carver *),
                           mz_run *r, const char *what, mz_ctx *ctx) {
    mz_carver cv = {NULL, 0};
    layout(r, &cv);
    if (cv.used > *cap) {
        mz_free(*base);
        *cap = 0;
        if (!(*base = mz_malloc(cv.used * sizeof(float))))
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for %zu %s floats", cv.used,
                           what);
        *cap = cv.used;
    }
    cv = (mz_carver){*base, 0};
    layout(r, &cv);
    return MZ_OK;
}

/* Every layer in one shared slab: the residual stream updated in place. */
static void layout_shared(mz_run *r, mz_carver *cv, float *x, float *qkv, float *probs, float *att,
                          float *proj, float *ffh) {
    const mz_model_config *c = &r->m->cfg;
    size_t N = (size_t)(r->p.N ? r->p.N : 1);
    int post = c->block.norm_place == MZ_NORM_POST;
    float *ln = post ? x : mz_carve(cv, N * (size_t)c->d_model), *mean = mz_carve(cv, N),
          *rstd = mz_carve(cv, N);
    for (int l = 0; l < c->n_layers; l++)
        r->L[l] = (layer_acts){.in = x,
                               .ln1 = ln,
                               .ln1_mean = mean,
                               .ln1_rstd = rstd,
                               .qkv = qkv,
                               .probs = probs,
                               .att = att,
                               .attn_out = proj,
                               .res1 = x,
                               .ln2 = ln,
                               .ln2_mean = mean,
                               .ln2_rstd = rstd,
                               .ffh_pre = ffh,
                               .ffh = ffh,
                               .ffn_out = proj,
                               .res2 = x,
                               .out = x};
    r->emb_mean = r->final_mean = mean, r->emb_rstd = r->final_rstd = rstd;
}

/* Each layer its own buffers for what the backward pass reads. */
static float *layout_kept(mz_run *r, mz_carver *cv, float *prev, float *att, float *proj,
                          float *ffh) {
    const mz_model_config *c = &r->m->cfg;
    size_t N = (size_t)(r->p.N ? r->p.N : 1), C = (size_t)c->d_model, F = (size_t)c->d_ff;
    const mz_block_recipe *b = &c->block;
    size_t QKV = (size_t)(b->n_heads + 2 * b->n_kv_heads) * (size_t)b->head_dim;
    for (int l = 0; l < c->n_layers; l++) {
        layer_acts *A = &r->L[l];
        A->in = prev;
        A->ln1 = mz_carve(cv, N * C), A->ln1_mean = mz_carve(cv, N), A->ln1_rstd = mz_carve(cv, N);
        A->qkv = mz_carve(cv, N * QKV), A->probs = mz_carve(cv, r->p.n_probs);
        A->att = att, A->attn_out = proj, A->ffh = ffh, A->ffn_out = proj;
        A->res1 = mz_carve(cv, N * C);
        A->ln2 = mz_carve(cv, N * C), A->ln2_mean = mz_carve(cv, N), A->ln2_rstd = mz_carve(cv, N);
        A->ffh_pre = mz_carve(cv, N * F);
        A->res2 = mz_carve(cv, N * C);
        A->out = prev = b->norm_place == MZ_NORM_PRE ? A->res2 : A->ln2;
    }
    return prev;
}

static void layout(mz_run *r, mz_carver *cv) {
    int want_logits = r->want_logits;
    const mz_model_config *c = &r->m->cfg;
    const mz_block_recipe *b = &c->block;
    size_t N = (size_t)(r->p.N ? r->p.N : 1), C = (size_t)c->d_model, E = (size_t)c->d_embed,
           M = (size_t)(r->p.M ? r->p.M : 1), S = (size_t)r->p.S, F = (size_t)c->d_ff,
           A = (size_t)b->n_heads * (size_t)b->head_dim,
           QKV = A + 2 * (size_t)b->n_kv_heads * (size_t)b->head_dim;
    int proj = r->m->w.emb_proj.w != NULL, keep = r->keep;
    float *att = mz_carve(cv, N * A), *pj = mz_carve(cv, N * C);
    r->scratch = mz_carve(cv, N * C);
    r->p.embeds = r->p.has_embeds ? mz_carve(cv, N * E) : NULL;
    if (!keep) { /* q|k|v are dead once attention is done: the feed-forward reuses their room */
        float *x = mz_carve(cv, N * C), *qkv_ffh = mz_carve(cv, N * (QKV > F ? QKV : F));
        r->emb = r->emb_ln = proj ? mz_carve(cv, N * E) : x;
        r->x0 = r->final = x;
        layout_shared(r, cv, x, qkv_ffh, mz_carve(cv, r->p.n_probs), att, pj, qkv_ffh);
    } else {
        float *ffh = mz_carve(cv, N * F);
        r->emb = mz_carve(cv, N * E);
        r->emb_ln = b->embed_norm ? mz_carve(cv, N * E) : r->emb;
        r->emb_mean = mz_carve(cv, N), r->emb_rstd = mz_carve(cv, N);
        r->x0 = proj ? mz_carve(cv, N * C) : r->emb_ln;
        float *last = layout_kept(r, cv, r->x0, att, pj, ffh);
        r->final = b->final_norm ? mz_carve(cv, N * C) : last;
        r->final_mean = mz_carve(cv, N), r->final_rstd = mz_carve(cv, N);
    }
    r->head_in = r->p.out_at ? mz_carve(cv, M * C) : r->final;
    r->head_pre = want_logits ? mz_carve(cv, M * E) : NULL;
    r->head = keep && want_logits ? mz_carve(cv, M * E) : r->head_pre;
    r->head_ln = keep && want_logits ? mz_carve(cv, M * E) : r->head_pre;
    r->head_mean = mz_carve(cv, M), r->head_rstd = mz_carve(cv, M);
    r->logits = want_logits ? mz_carve(cv, M * (size_t)c->vocab) : NULL;
    r->pool = mz_carve(cv, S * C), r->pool_pre = mz_carve(cv, S * C);
}

mz_status mz_run_prepare(mz_run *r, const mz_model_batch *b, int want_logits, mz_ctx *ctx) {
    const mz_model_config *c = &r->m->cfg;
    r->kept = 0;
    mz_status rc = check_batch(c, b, ctx);
    if (!rc) rc = pack(&r->p, c, b, ctx);
    if (!rc) rc = pick_outputs(&r->p, b, ctx);
    if (rc) return rc;
    r->p.has_embeds = b->embeds != NULL;
    r->want_logits = want_logits;
    if ((rc = mz_arena_lay_out(&r->base, &r->cap, layout, r, "activation", ctx))) return rc;
    for (int n = 0; r->p.embeds && n < r->p.N; n++)
        memcpy(r->p.embeds + (size_t)n * c->d_embed, b->embeds + (size_t)r->p.row[n] * c->d_embed,
               (size_t)c->d_embed * sizeof(float));
    return MZ_OK;
}

mz_status mz_run_forward(mz_activations **out, mz_run *r, const mz_model_batch *batch,
                         const char *const *want, int n_want, mz_ctx *ctx) {
    *out = NULL;
    mz_activations *acts = NULL;
    const mz_model_config *c = &r->m->cfg;
    int M = batch->outputs ? 0 : -1; /* rows of logits: flagged real tokens, or the padded batch */
    for (int i = 0; batch->outputs && i < batch->B * batch->T; i++)
        M += batch->mask[i] && batch->outputs[i];
    mz_status rc = mz_act_new(&acts, c, batch->B, batch->T, M, ctx);
    for (int i = 0; !rc && i < n_want; i++)
        rc = mz_act_request(acts, want[i], 0, ctx);
    if (!rc) rc = mz_run_prepare(r, batch, mz_act_slot(acts, MZ_OUT_LOGITS, 0) != NULL, ctx);
    if (!rc && r->p.N) rc = mz_run_pass(r, acts, ctx);
    r->kept = !rc && r->keep;
    if (rc)
        mz_activations_free(acts);
    else
        *out = acts;
    return rc;
}

mz_status mz_model_run(mz_activations **out, const mz_model *m, const mz_model_batch *batch,
                       const char *const *want, int n_want, mz_ctx *ctx) {
    mz_run *r = NULL;
    *out = NULL;
    mz_status rc = mz_run_new(&r, m, ctx);
    if (!rc) rc = mz_run_forward(out, r, batch, want, n_want, ctx);
    mz_run_free(r);
    return rc;
}
