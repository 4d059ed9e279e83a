/* The explanation job's row runner: each row is one sequence (a point on an Integrated
 * Gradients path, a copy with one token masked, an input with words removed), and rows of any
 * inputs are packed into batches of at most max_tokens tokens, as the forward packs them. Each
 * row's target value comes from its logits; in the gradient modes the backward pass starts
 * from every row's target at once (rows never interact) and hands each row its gradient. */
#include "explain_internal.h"
#include "mizani/alloc.h"
#include "model/backward.h" /* mz_logprob_backward: a log-probability and its seed */

#include <string.h>

typedef struct chunk {
    int B, T;                   /* rows, padded length */
    int32_t *ids, *mask, *mrow; /* [B,T]; mrow: the logits row of a flagged token */
    uint8_t *out;               /* [B,T] */
    float *embeds;              /* [B,T,E] or NULL */
    float *scale;               /* [B] */
    float *dlogits;             /* [M,V] (one row in XM_FORWARD) */
    float *buf;                 /* [2,H,T,T] one row's probabilities and their gradient */
} chunk;

static void chunk_free(chunk *k) {
    mz_free(k->ids), mz_free(k->mask), mz_free(k->mrow), mz_free(k->out), mz_free(k->embeds);
    mz_free(k->scale), mz_free(k->dlogits), mz_free(k->buf);
}

static const int32_t *row_ids(const xrow *r) { return r->ids ? r->ids : r->in->e->ids; }

static mz_status chunk_alloc(chunk *k, const xjob *j, const xrow *rows, size_t n, xmode mode) {
    int embeds = 0;
    memset(k, 0, sizeof *k);
    k->B = (int)n;
    for (size_t i = 0; i < n; i++) {
        k->T = rows[i].T > k->T ? rows[i].T : k->T;
        embeds |= rows[i].x != NULL;
    }
    size_t bt = (size_t)k->B * k->T, tt = (size_t)k->T * k->T;
    k->ids = mz_calloc(bt, sizeof *k->ids), k->mask = mz_calloc(bt, sizeof *k->mask);
    k->mrow = mz_calloc(bt, sizeof *k->mrow), k->out = mz_calloc(bt, 1);
    k->scale = mz_calloc(n, sizeof *k->scale);
    if (embeds) k->embeds = mz_calloc(bt * j->E, sizeof *k->embeds);
    if (mode == XM_GRAD_PROBS) k->buf = mz_malloc(2 * (size_t)j->H * tt * sizeof *k->buf);
    if (!k->ids || !k->mask || !k->mrow || !k->out || !k->scale || (embeds && !k->embeds) ||
        (mode == XM_GRAD_PROBS && !k->buf))
        return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory for a batch of %d rows", k->B);
    return MZ_OK;
}

/* Row b's token ids, mask, output flags and (when the batch takes embeddings) its inputs. */
static void fill_row(chunk *k, const xjob *j, const xrow *r, int b) {
    const xinput *in = r->in;
    int32_t *ids = k->ids + (size_t)b * k->T, masked = in->masked[r->copy];
    memcpy(ids, row_ids(r), (size_t)r->T * sizeof *ids);
    if (masked >= 0) ids[masked] = j->mask_id;
    for (int t = 0; t < r->T; t++)
        k->mask[(size_t)b * k->T + t] = 1;
    for (int i = 0; i < in->n_terms; i++)
        if (in->terms[i].copy == r->copy)
            k->out[(size_t)b * k->T + in->terms[i].pos - r->shift] = 1;
    k->scale[b] = r->scale;
    if (!k->embeds) return;
    float *e = k->embeds + (size_t)b * k->T * j->E;
    size_t row = (size_t)j->E * sizeof *e;
    if (r->x && r->base)
        mz_attr_ig_inputs(e, r->x, r->base, &r->alpha, 1, r->T, j->E);
    else if (r->x)
        memcpy(e, r->x, (size_t)r->T * row);
    else
        for (int t = 0; t < r->T; t++)
            memcpy(e + (size_t)t * j->E, j->wte + (size_t)ids[t] * j->E, row);
    if (masked >= 0) memcpy(e + (size_t)masked * j->E, j->wte + (size_t)j->mask_id * j->E, row);
}

/* Each row's value from its flagged logits [M,V] (batch order), seeding the gradient. */
static void values(chunk *k, const xjob *j, xrow *rows, const float *logits, int grads) {
    int m = 0;
    for (size_t i = 0; i < (size_t)k->B * k->T; i++)
        if (k->out[i]) k->mrow[i] = m++;
    if (grads) memset(k->dlogits, 0, (size_t)m * j->V * sizeof *k->dlogits);
    for (int b = 0; b < k->B; b++) {
        xrow *r = &rows[b];
        const xinput *in = r->in;
        r->value = 0;
        for (int i = 0; i < in->n_terms; i++) {
            const xterm *x = &in->terms[i];
            if (x->copy != r->copy) continue;
            size_t at = (size_t)k->mrow[(size_t)b * k->T + x->pos - r->shift] * j->V;
            float *seed = grads ? k->dlogits + at : k->dlogits;
            r->value += x->weight * mz_logprob_backward(seed, logits + at, j->V, x->token,
                                                        grads ? x->weight : 0.0f);
        }
    }
}

/* Row b's [H,L,L] block of a padded [B,H,T,T] array. */
static void probs_row(float *out, const float *a, int b, int H, int T, int L) {
    for (int h = 0; h < H; h++)
        for (int i = 0; i < L; i++)
            memcpy(out + ((size_t)h * L + i) * L, a + (((size_t)b * H + h) * T + i) * T,
                   (size_t)L * sizeof *out);
}

static mz_status hand_back(chunk *k, const xjob *j, xrow *rows, xmode mode, const char *pname,
                           const char *gname, const mz_activations *fw, const mz_activations *bw,
                           xrow_done done, void *user) {
    const float *g = bw ? mz_activations_get(bw, gname, NULL, NULL) : NULL;
    const float *p = mode == XM_GRAD_PROBS ? mz_activations_get(fw, pname, NULL, NULL) : NULL;
    if (mode != XM_FORWARD && (!g || (mode == XM_GRAD_PROBS && !p)))
        return mz_fail(j->ctx, MZ_ERR_INTERNAL, NULL, "the backward pass gave no %s", gname);
    mz_status rc = MZ_OK;
    for (int b = 0; !rc && b < k->B; b++) {
        int L = rows[b].T;
        size_t tt = (size_t)j->H * L * L;
        if (mode == XM_GRAD_EMBEDS)
            rc = done(user, &rows[b], g + (size_t)b * k->T * j->E, NULL);
        else if (mode == XM_GRAD_PROBS) {
            probs_row(k->buf, p, b, j->H, k->T, L);
            probs_row(k->buf + tt, g, b, j->H, k->T, L);
            rc = done(user, &rows[b], k->buf + tt, k->buf);
        } else if (done)
            rc = done(user, &rows[b], NULL, NULL);
    }
    return rc;
}

static mz_status run_chunk(const xjob *j, xrow *rows, size_t n, xmode mode, int layer,
                           xrow_done done, void *user) {
    chunk k;
    char pname[48], gname[64];
    snprintf(pname, sizeof pname, "layer.%d.attn.probs", layer);
    if (mode == XM_GRAD_PROBS)
        snprintf(gname, sizeof gname, "grad.%s", pname);
    else
        snprintf(gname, sizeof gname, "grad.embeds");
    mz_status rc = chunk_alloc(&k, j, rows, n, mode);
    int M = 0;
    for (int b = 0; !rc && b < k.B; b++)
        fill_row(&k, j, &rows[b], b);
    for (size_t i = 0; !rc && i < (size_t)k.B * k.T; i++)
        M += k.out[i];
    if (!rc && !(k.dlogits = mz_malloc((size_t)(mode == XM_FORWARD ? 1 : M) * j->V * 4)))
        rc = mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory for %d rows of logits", M);
    mz_activations *fw = NULL, *bw = NULL;
    mz_model_batch batch = {
        .B = k.B, .T = k.T, .ids = k.ids, .mask = k.mask, .embeds = k.embeds, .outputs = k.out};
    const char *want[] = {"logits", pname};
    mz_run_keep_caches(j->run, mode != XM_FORWARD);
    if (!rc && mode == XM_GRAD_PROBS) rc = mz_run_scale_attention(j->run, layer, k.scale, j->ctx);
    if (!rc) rc = mz_run_forward(&fw, j->run, &batch, want, mode == XM_GRAD_PROBS ? 2 : 1, j->ctx);
    if (!rc) values(&k, j, rows, mz_activations_get(fw, "logits", NULL, NULL), mode != XM_FORWARD);
    mz_grad_seed seed = {"logits", k.dlogits};
    const char *g[] = {gname};
    if (!rc && mode != XM_FORWARD) rc = mz_run_backward(&bw, j->run, &seed, 1, g, 1, j->ctx);
    if (!rc) rc = hand_back(&k, j, rows, mode, pname, gname, fw, bw, done, user);
    if (mode == XM_GRAD_PROBS) mz_run_scale_attention(j->run, layer, NULL, j->ctx);
    mz_activations_free(fw), mz_activations_free(bw);
    chunk_free(&k);
    return rc;
}

mz_status xrun(const xjob *j, xrow *rows, size_t n, xmode mode, int layer, xrow_done done,
               void *user) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n;) {
        size_t k = 1, tokens = (size_t)rows[i].T; /* at least one row, then up to the budget */
        while (i + k < n && tokens + (size_t)rows[i + k].T <= (size_t)j->o->max_tokens)
            tokens += (size_t)rows[i + k++].T;
        rc = mz_interrupted() /* a chunk can take seconds: Ctrl-C stops at the next */
                 ? mz_fail(j->ctx, MZ_ERR_INTERRUPTED, NULL, "interrupted")
                 : run_chunk(j, rows + i, k, mode, layer, done, user);
        if (j->o->progress) mz_progress_add(j->o->progress, k);
        i += k;
    }
    return rc;
}
