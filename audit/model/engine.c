/* The forward pass over a prepared run context. The batch's real tokens are packed end to end,
 * so every matrix product runs over exactly the N real tokens; named outputs are scattered back
 * to the caller's padded layout. Each block reads its recipe (norm placement, mask, heads,
 * feed-forward kind) and its own buffers (run.h), so the backward pass can mirror it. */
#include "mizani/mizani.h"
#include "run.h"

#include <math.h>
#include <string.h>

/* dst[B*T, D] <- src[N, D] at each packed token's row (a column slice for value heads). */
static void scatter_rows(float *dst, const float *src, const packing *p, int D, int ld) {
    if (!dst) return;
    for (int n = 0; n < p->N; n++)
        memcpy(dst + (size_t)p->row[n] * D, src + (size_t)n * ld, (size_t)D * sizeof *dst);
}

/* [B,H,T,T] <- each sequence's [H,L,L], at the original token columns. */
static void scatter_probs(float *dst, const float *probs, const packing *p, int H) {
    if (!dst) return;
    int T = p->T;
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

/* [B,H,T,D] <- head h's columns of src [N, ld] (h*hstride .. +D), one head at a time. */
static void scatter_head(float *dst, const float *src, int ld, const packing *p, int H, int h,
                         int D) {
    for (int n = 0; n < p->N; n++) {
        int b = p->row[n] / p->T, t = p->row[n] % p->T;
        memcpy(dst + (((size_t)b * H + h) * p->T + t) * D, src + (size_t)n * ld,
               (size_t)D * sizeof *dst);
    }
}

static void emit(mz_run *r, mz_activations *acts, mz_out_kind kind, int l, const float *src) {
    scatter_rows(mz_act_slot(acts, kind, l), src, &r->p, r->m->cfg.d_model, r->m->cfg.d_model);
    mz_act_done(acts, kind, l, r->observer, r->observer_user);
}

static int all_finite(const float *x, size_t n) {
    int ok = 1;
#pragma omp parallel for reduction(&& : ok) schedule(static)
    for (size_t i = 0; i < n; i++)
        ok = ok && isfinite(x[i]);
    return ok;
}

/* A non-finite value stops the pass where it first appears, so that no test reports a number
 * computed from it. */
static mz_status check_finite(const float *x, size_t n, const char *what, int l, mz_ctx *ctx) {
    if (all_finite(x, n)) return MZ_OK;
    char name[48];
    snprintf(name, sizeof name, what, l);
    return mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                   "non-finite values first appear in %s: the weights or inputs hold NaN or "
                   "infinity (mizani inspect counts non-finite weights)",
                   name);
}

static mz_status embed(mz_run *r, mz_activations *acts, mz_ctx *ctx) {
    const mz_model_config *c = &r->m->cfg;
    const mz_model_weights *w = &r->m->w;
    const packing *p = &r->p;
    int N = p->N, E = c->d_embed;
    mz_embed_forward(r->emb, p->ids, p->embeds, p->pos, p->types, w->wte,
                     c->block.learned_positions ? w->wpe : NULL, w->wtt, N, E);
    if (c->block.embed_norm)
        mz_layernorm_forward(r->emb_ln, r->emb_mean, r->emb_rstd, r->emb, &w->emb_ln,
                             (float)c->block.norm_eps, N, E);
    if (w->emb_proj.w) mz_matmul_forward(r->x0, r->emb_ln, &w->emb_proj, 1, N);
    emit(r, acts, MZ_OUT_HIDDEN, 0, r->x0);
    return check_finite(r->x0, (size_t)N * c->d_model, "hidden.%d", 0, ctx);
}

/* The value vectors of every head, and each head's values through its slice of the output
 * projection, when asked for. */
static void emit_values(mz_run *r, mz_activations *acts, int l, const float *v, int ldkv) {
    const mz_block_recipe *b = &r->m->cfg.block;
    float *vals = mz_act_slot(acts, MZ_OUT_VALUES, l),
          *hout = mz_act_slot(acts, MZ_OUT_HEAD_OUT, l);
    int H = b->n_heads, d = b->head_dim, group = H / b->n_kv_heads, C = r->m->cfg.d_model;
    for (int h = 0; h < H && (vals || hout); h++) {
        const float *vh = v + (size_t)(h / group) * d;
        if (vals) scatter_head(vals, vh, ldkv, &r->p, H, h, d);
        if (!hout) continue;
        mz_head_projection_forward(r->scratch, vh, ldkv, &r->m->w.layers[l].o, h, d, r->p.N);
        scatter_head(hout, r->scratch, C, &r->p, H, h, C);
    }
    mz_act_done(acts, MZ_OUT_VALUES, l, r->observer, r->observer_user);
    mz_act_done(acts, MZ_OUT_HEAD_OUT, l, r->observer, r->observer_user);
}

/* Self-attention of layer l on `in` [N,C]; leaves the projection (without its bias) in
 * attn_out. */
static void attention(mz_run *r, mz_activations *acts, int l, const float *in) {
    const mz_block_recipe *b = &r->m->cfg.block;
    const mz_layer_weights *W = &r->m->w.layers[l];
    layer_acts *A = &r->L[l];
    const packing *p = &r->p;
    int N = p->N, Ad = b->n_heads * b->head_dim, KVd = b->n_kv_heads * b->head_dim, ldq, ldkv;
    float *q = A->qkv, *k, *v;
    mz_matmul_forward(q, in, &W->q, 1, N);
    if (b->qkv_fused) {
        ldq = ldkv = Ad + 2 * KVd, k = q + Ad, v = k + KVd;
    } else {
        ldq = Ad, ldkv = KVd, k = q + (size_t)N * Ad, v = k + (size_t)N * KVd;
        mz_matmul_forward(k, in, &W->k, 1, N);
        mz_matmul_forward(v, in, &W->v, 1, N);
    }
    mz_seqs seqs = {p->S, p->start, p->len, p->poff};
    mz_attention_forward(A->att, A->probs, q, k, v, ldq, ldkv, &seqs, b->n_heads, b->n_kv_heads,
                         b->head_dim, b->mask == MZ_MASK_CAUSAL, r->attn_scale[l]);
    mz_matmul_forward(A->attn_out, A->att, &W->o, 0, N); /* bias: the residual pass */
    scatter_probs(mz_act_slot(acts, MZ_OUT_PROBS, l), A->probs, p, b->n_heads);
    mz_act_done(acts, MZ_OUT_PROBS, l, r->observer, r->observer_user);
    emit_values(r, acts, l, v, ldkv);
}

/* Feed-forward of layer l on `in` [N,C]; leaves its second product (without bias) in ffn_out. */
static void feed_forward(mz_run *r, int l, const float *in) {
    const mz_model_config *c = &r->m->cfg;
    const mz_layer_weights *W = &r->m->w.layers[l];
    layer_acts *A = &r->L[l];
    int N = r->p.N;
    mz_matmul_forward(A->ffh_pre, in, &W->ff1, 0, N); /* bias: inside GELU's pass */
    mz_gelu_forward(A->ffh, A->ffh_pre, W->ff1.b, N, c->d_ff, c->block.ffn == MZ_FFN_GELU_TANH);
    mz_matmul_forward(A->ffn_out, A->ffh, &W->ff2, 0, N); /* bias: the residual pass */
}

/* Post-norm: x = ln1(x + attn(x)); x = ln2(x + ffn(x)). Pre-norm: x += attn(ln1(x));
 * x += ffn(ln2(x)). */
static mz_status layer(mz_run *r, mz_activations *acts, int l, mz_ctx *ctx) {
    const mz_model_config *c = &r->m->cfg;
    const mz_layer_weights *W = &r->m->w.layers[l];
    layer_acts *A = &r->L[l];
    int N = r->p.N, C = c->d_model, pre = c->block.norm_place == MZ_NORM_PRE;
    float eps = (float)c->block.norm_eps;
    if (pre) mz_layernorm_forward(A->ln1, A->ln1_mean, A->ln1_rstd, A->in, &W->ln1, eps, N, C);
    attention(r, acts, l, pre ? A->ln1 : A->in);
    if (pre) /* res1 = in + attn; ln2 = norm2(res1), the feed-forward's input */
        mz_residual_norm_forward(A->res1, A->ln2, A->ln2_mean, A->ln2_rstd, A->in, A->attn_out,
                                 W->o.b, &W->ln2, eps, N, C);
    else /* res1 = in + attn; ln1 = norm1(res1), the stream and the feed-forward's input */
        mz_residual_norm_forward(A->res1, A->ln1, A->ln1_mean, A->ln1_rstd, A->in, A->attn_out,
                                 W->o.b, &W->ln1, eps, N, C);
    emit(r, acts, MZ_OUT_ATTN_OUT, l, A->attn_out);
    mz_status rc = check_finite(A->res1, (size_t)N * C, "layer.%d.attn.out", l, ctx);
    if (rc) return rc;
    feed_forward(r, l, pre ? A->ln2 : A->ln1);
    if (pre)
        mz_residual_forward(A->res2, A->res1, A->ffn_out, W->ff2.b, N, C);
    else
        mz_residual_norm_forward(A->res2, A->ln2, A->ln2_mean, A->ln2_rstd, A->ln1, A->ffn_out,
                                 W->ff2.b, &W->ln2, eps, N, C);
    emit(r, acts, MZ_OUT_FFN_OUT, l, A->ffn_out);
    return check_finite(A->out, (size_t)N * C, "layer.%d.ffn.out", l, ctx);
}

/* dst[M,C] <- rows at[m] of src [N,C]. */
static void gather_rows(float *dst, const float *src, const int *at, int M, int C) {
    for (int m = 0; m < M; m++)
        memcpy(dst + (size_t)m * C, src + (size_t)at[m] * C, (size_t)C * sizeof *dst);
}

/* The pass hands back nothing of the last block but the LM head's rows: no output of that
 * layer, no last hidden state or pooling, no attention scaling, no caches for a backward pass. */
static int head_rows_only(const mz_run *r, const mz_activations *acts) {
    int L = r->m->cfg.n_layers;
    if (!r->logits || !r->p.out_at || !r->p.M || r->keep || (r->attn_scale && r->attn_scale[L - 1]))
        return 0;
    for (int k = MZ_OUT_PROBS; k <= MZ_OUT_FFN_OUT; k++)
        if (mz_act_slot(acts, (mz_out_kind)k, L - 1)) return 0;
    for (int k = MZ_OUT_POOL_CLS; k <= MZ_OUT_POOLER; k++)
        if (mz_act_slot(acts, (mz_out_kind)k, 0)) return 0;
    return !mz_act_slot(acts, MZ_OUT_HIDDEN, L);
}

/* The last block for the M tokens the LM head reads (a masked LM's pseudo-likelihood flags one
 * token a row): keys and values from every token, the rest of the block on those rows alone.
 * Leaves the last hidden state of those rows (after a final norm) in head_in [M,C]. */
static mz_status last_block_rows(mz_run *r, mz_ctx *ctx) {
    const mz_model_config *c = &r->m->cfg;
    const mz_block_recipe *b = &c->block;
    int l = c->n_layers - 1, N = r->p.N, M = r->p.M, C = c->d_model, *at = r->p.out_at;
    const mz_layer_weights *W = &r->m->w.layers[l];
    layer_acts *A = &r->L[l];
    int pre = b->norm_place == MZ_NORM_PRE, Ad = b->n_heads * b->head_dim,
        KVd = b->n_kv_heads * b->head_dim, ldq = Ad, ldkv = KVd;
    float eps = (float)b->norm_eps, *R = r->head_in, *q = A->qkv, *k, *v;
    const float *x = A->in;
    gather_rows(R, A->in, at, M, C); /* [M,C] the residual stream at the wanted rows */
    if (pre) {                       /* keys and values need every token's norm 1 */
        mz_layernorm_forward(A->ln1, A->ln1_mean, A->ln1_rstd, A->in, &W->ln1, eps, N, C);
        x = A->ln1;
    }
    if (b->qkv_fused) { /* one product gives keys and values: queries come with them */
        mz_matmul_forward(q, x, &W->q, 1, N);
        ldq = ldkv = Ad + 2 * KVd, k = q + Ad, v = k + KVd;
    } else {
        k = q + (size_t)N * Ad, v = k + (size_t)N * KVd;
        mz_matmul_forward(k, x, &W->k, 1, N);
        mz_matmul_forward(v, x, &W->v, 1, N);
        gather_rows(r->scratch, x, at, M, C);
        mz_matmul_forward(q, r->scratch, &W->q, 1, M); /* [M,Ad] before k: M <= N */
    }
    mz_seqs seqs = {r->p.S, r->p.start, r->p.len, r->p.poff};
    mz_attention_rows_forward(A->att, A->probs, q, ldq, b->qkv_fused ? at : NULL, k, v, ldkv, at, M,
                              &seqs, b->n_heads, b->n_kv_heads, b->head_dim,
                              b->mask == MZ_MASK_CAUSAL);
    mz_matmul_forward(A->attn_out, A->att, &W->o, 0, M);
    float *ffn_in = pre ? r->scratch : R; /* pre: norm 2 of the stream; post: the stream */
    mz_residual_norm_forward(R, ffn_in, A->ln1_mean, A->ln1_rstd, R, A->attn_out, W->o.b,
                             pre ? &W->ln2 : &W->ln1, eps, M, C);
    mz_status rc = check_finite(R, (size_t)M * C, "layer.%d.attn.out", l, ctx);
    if (rc) return rc;
    mz_matmul_forward(A->ffh_pre, ffn_in, &W->ff1, 0, M);
    mz_gelu_forward(A->ffh, A->ffh_pre, W->ff1.b, M, c->d_ff, b->ffn == MZ_FFN_GELU_TANH);
    mz_matmul_forward(A->ffn_out, A->ffh, &W->ff2, 0, M);
    if (pre)
        mz_residual_forward(R, R, A->ffn_out, W->ff2.b, M, C);
    else
        mz_residual_norm_forward(R, R, A->ln2_mean, A->ln2_rstd, R, A->ffn_out, W->ff2.b, &W->ln2,
                                 eps, M, C);
    rc = check_finite(R, (size_t)M * C, "layer.%d.ffn.out", l, ctx);
    if (!rc && b->final_norm)
        mz_layernorm_forward(R, r->final_mean, r->final_rstd, R, &r->m->w.final_ln, eps, M, C);
    return rc;
}

/* Logits for the rows asked for: MLM heads transform first; decoders project directly. */
static mz_status lm_head(mz_run *r, int rows_ready, mz_ctx *ctx) {
    const mz_model_config *c = &r->m->cfg;
    const mz_model_weights *w = &r->m->w;
    const packing *p = &r->p;
    int M = p->M, E = w->decoder.in;
    if (p->out_at && !rows_ready) gather_rows(r->head_in, r->final, p->out_at, M, c->d_model);
    const float *h = r->head_in;
    if (w->head_dense.w) {
        mz_matmul_forward(r->head_pre, h, &w->head_dense, 1, M);
        mz_gelu_forward(r->head, r->head_pre, NULL, M, E, w->head_gelu_tanh);
        mz_layernorm_forward(r->head_ln, r->head_mean, r->head_rstd, r->head, &w->head_ln,
                             (float)c->block.norm_eps, M, E);
        h = r->head_ln;
    }
    mz_matmul_forward(r->logits, h, &w->decoder, 1, M);
    return check_finite(r->logits, (size_t)M * c->vocab, "logits", 0, ctx);
}

static void emit_logits(mz_run *r, mz_activations *acts) {
    float *out = mz_act_slot(acts, MZ_OUT_LOGITS, 0);
    size_t V = (size_t)r->m->cfg.vocab;
    if (r->p.out_at)
        memcpy(out, r->logits, (size_t)r->p.M * V * sizeof *out);
    else
        scatter_rows(out, r->logits, &r->p, (int)V, (int)V);
    mz_act_done(acts, MZ_OUT_LOGITS, 0, r->observer, r->observer_user);
}

/* Sentence embeddings from the last hidden states: first token, mean of real tokens, and BERT's
 * pooler (tanh of a dense layer on the first token). Rows without tokens stay zero. */
static mz_status pool(mz_run *r, mz_activations *acts, mz_ctx *ctx) {
    const packing *p = &r->p;
    int C = r->m->cfg.d_model;
    float *cls = mz_act_slot(acts, MZ_OUT_POOL_CLS, 0),
          *mean = mz_act_slot(acts, MZ_OUT_POOL_MEAN, 0),
          *pooler = mz_act_slot(acts, MZ_OUT_POOLER, 0);
    if (!cls && !mean && !pooler) return MZ_OK; /* nobody asked: no pass over the batch */
    for (int s = 0; s < p->S; s++) {
        const float *first = r->final + (size_t)p->start[s] * C; /* [C] */
        float *row = r->pool + (size_t)s * C;
        if (p->len[s])
            memcpy(row, first, (size_t)C * sizeof(float));
        else
            memset(row, 0, (size_t)C * sizeof(float));
        if (cls) memcpy(cls + (size_t)s * C, row, (size_t)C * sizeof(float));
        for (int t = 0; mean && t < p->len[s]; t++)
            for (int i = 0; i < C; i++)
                mean[(size_t)s * C + i] += first[(size_t)t * C + i] / (float)p->len[s];
    }
    if (pooler) {
        mz_matmul_forward(r->pool_pre, r->pool, &r->m->w.pooler, 1, p->S);
        for (size_t i = 0; i < (size_t)p->S * C; i++)
            pooler[i] = tanhf(r->pool_pre[i]);
        for (int s = 0; s < p->S; s++)
            if (!p->len[s]) memset(pooler + (size_t)s * C, 0, (size_t)C * sizeof(float));
    }
    for (int k = MZ_OUT_POOL_CLS; k <= MZ_OUT_POOLER; k++)
        mz_act_done(acts, (mz_out_kind)k, 0, r->observer, r->observer_user);
    return pooler ? check_finite(pooler, (size_t)p->S * C, "pooled.pooler", 0, ctx) : MZ_OK;
}

mz_status mz_run_pass(mz_run *r, mz_activations *acts, mz_ctx *ctx) {
    const mz_model_config *c = &r->m->cfg;
    int L = c->n_layers, rows_only = head_rows_only(r, acts);
    mz_status rc = embed(r, acts, ctx);
    for (int l = 0; !rc && l < L; l++) {
        if (rows_only && l == L - 1) {
            rc = last_block_rows(r, ctx);
            break;
        }
        if ((rc = layer(r, acts, l, ctx))) break;
        if (l < L - 1) {
            emit(r, acts, MZ_OUT_HIDDEN, l + 1, r->L[l].out);
            continue;
        }
        if (c->block.final_norm) /* a decoder's last hidden state is after its final norm */
            mz_layernorm_forward(r->final, r->final_mean, r->final_rstd, r->L[l].out,
                                 &r->m->w.final_ln, (float)c->block.norm_eps, r->p.N, c->d_model);
        emit(r, acts, MZ_OUT_HIDDEN, L, r->final);
    }
    if (!rc) rc = pool(r, acts, ctx);
    if (!rc && r->logits && !(rc = lm_head(r, rows_only, ctx))) emit_logits(r, acts);
    return rc;
}
