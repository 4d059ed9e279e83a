/* The explanation job: inputs prepared (explain_input.c), then one forward pass of each input
 * for its attention and top prediction, the gradient rows (the input itself, the baseline and
 * Integrated Gradients' path) packed into batches, attention attribution layer by layer, the
 * token and word scores through metrics/attribution, and faithfulness (explain_faith.c). */
#include "explain_internal.h"
#include "mizani/alloc.h"
#include "mizani/likelihood.h"
#include "mizani/likelihood_run.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const mz_explain_method_names[MZ_EXPLAIN_N_METHODS] = {
    "ig", "saliency", "grad-input", "occlusion", "attention", "rollout", "flow", "norm", "attattr"};
const char *const mz_explain_baseline_names[] = {"auto", "mask", "pad", "zero"};

enum { GROUP = 16 }; /* inputs whose path rows are in memory at once */

mz_status mz_explain_parse_methods(unsigned *methods, const char *spec, mz_ctx *ctx) {
    *methods = 0;
    for (const char *p = spec; *p;) {
        size_t n = strcspn(p, ",");
        int k = 0;
        if (n == 3 && !strncmp(p, "all", 3)) *methods |= MZ_EXPLAIN_ALL, k = -1;
        while (
            k >= 0 && k < MZ_EXPLAIN_N_METHODS &&
            (strlen(mz_explain_method_names[k]) != n || strncmp(p, mz_explain_method_names[k], n)))
            k++;
        if (k == MZ_EXPLAIN_N_METHODS)
            return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                           "unknown method '%.*s' (known: ig, saliency, grad-input, occlusion, "
                           "attention, rollout, flow, norm, attattr, all)",
                           (int)n, p);
        if (k >= 0) *methods |= 1u << k;
        p += n + (p[n] == ',');
    }
    return *methods ? MZ_OK : mz_fail(ctx, MZ_ERR_USAGE, NULL, "no method named");
}

void mz_explain_options_init(mz_explain_options *o) {
    memset(o, 0, sizeof *o);
    o->methods = MZ_EXPLAIN_ALL;
    o->steps = 50;
    o->rule = MZ_ATTR_GAUSS_LEGENDRE;
    o->attattr_steps = 20;
    o->faithfulness = 1;
    o->max_tokens = 2048;
}

void mz_explanation_clear(mz_explanation *e) {
    mz_free(e->label), mz_free(e->text), mz_free(e->target), mz_free(e->predicted);
    mz_free(e->contrast), mz_free(e->ids), mz_free(e->start), mz_free(e->end), mz_free(e->role);
    for (size_t i = 0; e->tokens && i < e->n_tokens; i++)
        mz_free(e->tokens[i]);
    mz_free(e->tokens);
    mz_attr_words_free(&e->words);
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++) {
        mz_free(e->token_scores[k]), mz_free(e->word_scores[k]);
        mz_free(e->deletion[k]), mz_free(e->insertion[k]);
    }
    mz_free(e->attention), mz_free(e->rollout), mz_free(e->flow), mz_free(e->norm);
    mz_free(e->attattr), mz_free(e->head_importance), mz_free(e->edges);
    for (size_t i = 0; i < e->n_notes; i++)
        mz_free(e->notes[i]);
    mz_free(e->notes);
    memset(e, 0, sizeof *e);
}

static int wants(const xjob *j, mz_explain_method k) { return (j->o->methods >> k) & 1u; }

static mz_status nomem(const xjob *j) {
    return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

/* ---- the job */

static mz_status baseline_token(xjob *j) {
    mz_explain_baseline b = j->o->baseline;
    if (b == MZ_EXPLAIN_BASELINE_AUTO)
        b = j->causal ? MZ_EXPLAIN_BASELINE_ZERO : MZ_EXPLAIN_BASELINE_MASK;
    j->fill_id = b == MZ_EXPLAIN_BASELINE_MASK ? j->mask_id
                 : b == MZ_EXPLAIN_BASELINE_PAD
                     ? (mz_tokenizer_pad_id(j->t) >= 0 ? mz_tokenizer_pad_id(j->t) : j->c->pad_id)
                     : -1;
    if (b != MZ_EXPLAIN_BASELINE_ZERO && (j->fill_id < 0 || j->fill_id >= j->V))
        return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                       "the %s baseline needs a %s token, and %s has none",
                       mz_explain_baseline_names[b],
                       b == MZ_EXPLAIN_BASELINE_MASK ? "mask" : "padding", j->c->model_type);
    return MZ_OK;
}

mz_status xjob_init(xjob *j, const mz_model *m, const mz_tokenizer *t, const mz_explain_options *o,
                    mz_ctx *ctx) {
    memset(j, 0, sizeof *j);
    const mz_model_config *c = mz_model_get_config(m);
    *j = (xjob){.m = m,
                .c = c,
                .t = t,
                .o = o,
                .wte = mz_model_input_embeddings(m),
                .E = c->d_embed,
                .V = c->vocab,
                .L = c->n_layers,
                .H = c->block.n_heads,
                .causal = mz_model_is_causal(c),
                .max_len = c->max_pos - c->pos_offset,
                .mask_id = -1,
                .start_id = -1,
                .ctx = ctx};
    if (o->steps < 1 || o->attattr_steps < 1 || o->max_tokens < 1)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "steps and max_tokens must be at least 1");
    if (!c->has_lm_head)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "%s has no LM head in this checkpoint: explanations score its predictions",
                       c->model_type);
    if (!j->causal && (j->mask_id = mz_lik_mask_id(t)) < 0)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "the tokenizer has no mask token ([MASK] or <mask>)");
    static const char *const starts[] = {"<|endoftext|>", "<s>", "[CLS]"};
    for (size_t i = 0; j->causal && j->start_id < 0 && i < 3; i++)
        j->start_id = mz_tokenizer_id(t, starts[i]);
    mz_status rc = baseline_token(j);
    return rc ? rc : mz_run_new(&j->run, m, ctx);
}

void xjob_free(xjob *j) {
    mz_run_free(j->run);
    j->run = NULL;
}

/* ---- the look: one forward pass of the input itself */

static double row_mean(const double *map, const xinput *in, int j) {
    double s = 0;
    for (int q = 0; q < in->n_query; q++)
        s += map[(size_t)in->query[q] * in->T + j];
    return s / in->n_query;
}

/* A [T,T] map read from the target's rows into a token score. */
static mz_status map_scores(const xjob *j, mz_explanation *e, mz_explain_method k, const xinput *in,
                            const double *map) {
    if (!in->n_query) return MZ_OK; /* a sentence sharing no token: no target row */
    if (!(e->token_scores[k] = mz_malloc((size_t)in->T * sizeof(double) + 1))) return nomem(j);
    for (int t = 0; t < in->T; t++)
        e->token_scores[k][t] = row_mean(map, in, t);
    e->methods |= 1u << k;
    return MZ_OK;
}

static mz_status flow(const xjob *j, xinput *in, const float *const *probs) {
    mz_explanation *e = in->e;
    int T = in->T;
    if (!in->n_query) return MZ_OK;
    if (T > MZ_ATTR_FLOW_MAX_TOKENS)
        return xnote(e, j->ctx, "attention flow: %d tokens; exact flow is limited to %d", T,
                     MZ_ATTR_FLOW_MAX_TOKENS);
    double *one = mz_malloc((size_t)T * sizeof *one);
    e->flow = mz_calloc((size_t)T, sizeof *e->flow);
    e->token_scores[MZ_EXPLAIN_FLOW] = mz_malloc((size_t)T * sizeof(double));
    mz_status rc = one && e->flow && e->token_scores[MZ_EXPLAIN_FLOW] ? MZ_OK : nomem(j);
    for (int q = 0; !rc && q < in->n_query; q++) {
        rc = mz_attr_flow(one, probs, j->L, j->H, T, in->query[q], j->ctx);
        for (int t = 0; !rc && t < T; t++)
            e->flow[t] += one[t] / in->n_query;
    }
    if (!rc) memcpy(e->token_scores[MZ_EXPLAIN_FLOW], e->flow, (size_t)T * sizeof *e->flow);
    if (!rc) e->methods |= 1u << MZ_EXPLAIN_FLOW;
    mz_free(one);
    return rc;
}

/* Raw attention, rollout, flow and norm-based maps of the input's own pass. */
static mz_status attention_maps(const xjob *j, xinput *in, const mz_activations *a) {
    mz_explanation *e = in->e;
    int T = in->T, L = j->L, H = j->H, C = j->c->d_model;
    size_t tt = (size_t)T * T, htt = (size_t)H * tt;
    const float **probs = mz_malloc((size_t)L * sizeof *probs);
    char name[48];
    e->attention = mz_malloc((size_t)L * htt * sizeof *e->attention);
    double *map = mz_malloc(tt * sizeof *map);
    mz_status rc = e->attention && map && probs ? MZ_OK : nomem(j);
    for (int l = 0; !rc && l < L; l++) {
        snprintf(name, sizeof name, "layer.%d.attn.probs", l);
        memcpy(e->attention + l * htt, mz_activations_get(a, name, NULL, NULL), htt * 4);
        probs[l] = e->attention + l * htt;
    }
    if (!rc && wants(j, MZ_EXPLAIN_ATTENTION)) {
        mz_attr_raw_attention(map, probs[L - 1], H, T);
        rc = map_scores(j, e, MZ_EXPLAIN_ATTENTION, in, map);
    }
    if (!rc && wants(j, MZ_EXPLAIN_ROLLOUT)) {
        if (!(e->rollout = mz_malloc(tt * sizeof *e->rollout))) rc = nomem(j);
        if (!rc) rc = mz_attr_rollout(e->rollout, probs, L, H, T, j->ctx);
        if (!rc) rc = map_scores(j, e, MZ_EXPLAIN_ROLLOUT, in, e->rollout);
    }
    if (!rc && wants(j, MZ_EXPLAIN_FLOW)) rc = flow(j, in, probs);
    if (!rc && T > MZ_EXPLAIN_MAP_MAX_TOKENS)
        rc = xnote(e, j->ctx,
                   "attention maps: %d tokens; the layer x head matrices are kept in the results "
                   "and drawn up to %d tokens",
                   T, MZ_EXPLAIN_MAP_MAX_TOKENS);
    if (!rc && wants(j, MZ_EXPLAIN_NORM)) {
        if (!(e->norm = mz_malloc((size_t)L * tt * sizeof *e->norm))) rc = nomem(j);
        for (int l = 0; !rc && l < L; l++) {
            snprintf(name, sizeof name, "layer.%d.attn.head_out", l);
            mz_attr_norm_attention(NULL, e->norm + l * tt, probs[l],
                                   mz_activations_get(a, name, NULL, NULL), H, T, C);
        }
        if (!rc) rc = map_scores(j, e, MZ_EXPLAIN_NORM, in, e->norm + (size_t)(L - 1) * tt);
    }
    mz_free(map), mz_free(probs);
    return rc;
}

/* The model's most probable token at the target row. */
static mz_status top_prediction(const xjob *j, xinput *in, const float *logits) {
    int32_t best = 0;
    for (int v = 1; v < j->V; v++)
        best = logits[v] > logits[best] ? v : best;
    in->terms[0].token = best;
    char *s = NULL;
    mz_status rc = mz_tokenizer_decode(&s, j->t, &best, 1, 0, j->ctx);
    if (rc) return rc;
    char *p = s, *q = s + strlen(s);
    while (*p == ' ')
        p++;
    while (q > p && q[-1] == ' ')
        q--;
    *q = 0;
    const char *tok = mz_tokenizer_token(j->t, best);
    in->e->predicted = mz_strdup(*p ? p : tok ? tok : "?");
    mz_free(s);
    return in->e->predicted ? MZ_OK : nomem(j);
}

static int needs_look(const xjob *j, const xinput *in) {
    unsigned maps = 1u << MZ_EXPLAIN_ATTENTION | 1u << MZ_EXPLAIN_ROLLOUT | 1u << MZ_EXPLAIN_FLOW |
                    1u << MZ_EXPLAIN_NORM | 1u << MZ_EXPLAIN_ATTATTR;
    return in->predict || (j->o->methods & maps);
}

static mz_status look(const xjob *j, xinput *in) {
    int T = in->T, n_want = 0;
    int32_t *mask = mz_malloc((size_t)T * sizeof *mask);
    uint8_t *out = mz_calloc((size_t)T, 1);
    const char *want[3];
    if (!mask || !out) {
        mz_free(mask), mz_free(out);
        return nomem(j);
    }
    for (int t = 0; t < T; t++)
        mask[t] = 1;
    out[in->query[0]] = 1;
    if (in->predict) want[n_want++] = "logits";
    want[n_want++] = "layer.*.attn.probs";
    if (wants(j, MZ_EXPLAIN_NORM)) want[n_want++] = "layer.*.attn.head_out";
    mz_model_batch b = {.B = 1, .T = T, .ids = in->e->ids, .mask = mask, .outputs = out};
    mz_activations *a = NULL;
    mz_run_keep_caches(j->run, 0);
    mz_status rc = mz_run_forward(&a, j->run, &b, want, n_want, j->ctx);
    if (!rc && in->predict) rc = top_prediction(j, in, mz_activations_get(a, "logits", NULL, NULL));
    if (!rc) rc = attention_maps(j, in, a);
    if (j->o->progress) mz_progress_add(j->o->progress, 1);
    mz_activations_free(a);
    mz_free(mask), mz_free(out);
    return rc;
}

/* The target in words. */
static mz_status describe(const xjob *j, xinput *in) {
    mz_explanation *e = in->e;
    char buf[640];
    const char *top = in->predict ? ", the model's top prediction" : "";
    int k = in->n_query;
    if (e->kind == MZ_EXPLAIN_CONTINUATION)
        snprintf(buf, sizeof buf, "log-likelihood of \"%s\" after the text (%d tokens)",
                 e->predicted, k);
    else if (e->kind == MZ_EXPLAIN_NEXT)
        snprintf(buf, sizeof buf, "log P(next token = %s)%s%s%s", e->predicted,
                 e->contrast ? " - log P(next token = " : "", e->contrast ? e->contrast : "",
                 e->contrast ? ")" : top);
    else if (e->kind == MZ_EXPLAIN_MASKED)
        snprintf(buf, sizeof buf, "log P(%s)%s%s%s at %s%s", e->predicted,
                 e->contrast ? " - log P(" : "", e->contrast ? e->contrast : "",
                 e->contrast ? ")" : "", mz_tokenizer_token(j->t, j->mask_id),
                 k > 1 ? " (each summed over the word's pieces, all masked)" : top);
    else
        return MZ_OK; /* sentences: set when prepared */
    return (e->target = mz_strdup(buf)) ? MZ_OK : nomem(j);
}

/* ---- gradient rows: the input, the baseline and the path, each copy of each */

enum { RK_X, RK_BASE, RK_STEP };

typedef struct grad_user {
    xinput *ins;
    int E;
    float *tmp;   /* [T,E] a row's gradient, its masked position zeroed (a constant input) */
    double *attr; /* [T] */
} grad_user;

static mz_status grad_done(void *user, const xrow *r, const float *grad, const float *probs) {
    (void)probs;
    grad_user *u = user;
    xinput *in = &u->ins[r->slot];
    size_t T = (size_t)in->T, E = (size_t)u->E;
    int masked = in->masked[r->copy];
    if (!grad || r->kind == RK_BASE) return MZ_OK;
    memcpy(u->tmp, grad, T * E * sizeof *u->tmp);
    if (masked >= 0) memset(u->tmp + (size_t)masked * E, 0, E * sizeof *u->tmp);
    if (r->kind == RK_X) {
        for (size_t i = 0; i < T * E; i++)
            in->grad_x[i] += u->tmp[i];
        return MZ_OK;
    }
    mz_attr_ig_combine(u->attr, u->tmp, &r->weight, 1, in->x, in->base, (int)T, (int)E);
    for (size_t t = 0; t < T; t++)
        in->ig[t] += u->attr[t];
    return MZ_OK;
}

/* The input's embeddings, the baseline and the accumulators. */
static mz_status inputs(const xjob *j, xinput *in) {
    size_t T = (size_t)in->T, E = (size_t)j->E;
    in->x = mz_malloc(T * E * sizeof *in->x + 1), in->base = mz_malloc(T * E * sizeof *in->x + 1);
    in->grad_x = mz_calloc(T * E + 1, sizeof *in->grad_x);
    in->ig = mz_calloc(T + 1, sizeof *in->ig);
    uint8_t *keep = mz_malloc(T + 1);
    if (!in->x || !in->base || !in->grad_x || !in->ig || !keep) {
        mz_free(keep);
        return nomem(j);
    }
    for (size_t t = 0; t < T; t++) {
        memcpy(in->x + t * E, j->wte + (size_t)in->e->ids[t] * E, E * sizeof *in->x);
        keep[t] = in->e->role[t] != MZ_ROLE_WORD; /* specials and the target stay */
    }
    mz_attr_ig_baseline(in->base, in->x, j->fill_id >= 0 ? j->wte + (size_t)j->fill_id * E : NULL,
                        keep, (int)T, (int)E);
    mz_free(keep);
    return MZ_OK;
}

static int grad_methods(const xjob *j) {
    return wants(j, MZ_EXPLAIN_IG) || wants(j, MZ_EXPLAIN_SALIENCY) ||
           wants(j, MZ_EXPLAIN_GRAD_INPUT);
}

/* Per input: the input itself, the baseline (for Integrated Gradients' f(x')), then the
 * path's points, each as every copy of the input. */
static size_t grad_rows(const xjob *j, xrow *rows, xinput *ins, size_t n, const double *alpha,
                        const double *weight) {
    int ig = wants(j, MZ_EXPLAIN_IG), steps = ig ? j->o->steps : 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        xrow r = {.in = &ins[i], .T = ins[i].T, .slot = (int)i};
        for (int s = -2; s < steps; s++) {
            if (s == -1 && !ig) continue;
            r.kind = s == -2 ? RK_X : s == -1 ? RK_BASE : RK_STEP;
            r.x = s == -1 ? ins[i].base : ins[i].x;
            r.base = s >= 0 ? ins[i].base : NULL;
            r.alpha = s >= 0 ? alpha[s] : 0, r.weight = s >= 0 ? weight[s] : 0;
            for (r.copy = 0; r.copy < ins[i].n_copies; r.copy++)
                rows[k++] = r;
        }
    }
    return k;
}

static mz_status gradients(const xjob *j, xinput *ins, size_t n) {
    int steps = j->o->steps, T = 0;
    size_t n_rows = 0;
    for (size_t i = 0; i < n; i++) {
        n_rows += (size_t)ins[i].n_copies * (size_t)(steps + 2);
        T = ins[i].T > T ? ins[i].T : T;
    }
    double *alpha = mz_malloc((size_t)steps * sizeof *alpha),
           *weight = mz_malloc((size_t)steps * 8);
    xrow *rows = mz_malloc(n_rows * sizeof *rows);
    grad_user u = {ins, j->E, mz_malloc((size_t)T * j->E * 4 + 1), mz_malloc((size_t)T * 8 + 1)};
    mz_status rc = alpha && weight && rows && u.tmp && u.attr ? MZ_OK : nomem(j);
    if (!rc) rc = mz_attr_ig_path(alpha, weight, steps, j->o->rule, j->ctx);
    if (!rc) {
        n_rows = grad_rows(j, rows, ins, n, alpha, weight);
        rc = xrun(j, rows, n_rows, grad_methods(j) ? XM_GRAD_EMBEDS : XM_FORWARD, 0, grad_done, &u);
    }
    for (size_t r = 0; !rc && r < n_rows; r++) {
        mz_explanation *e = ins[rows[r].slot].e;
        if (rows[r].kind == RK_X) e->fx += rows[r].value;
        if (rows[r].kind == RK_BASE) e->fbase += rows[r].value;
    }
    mz_free(alpha), mz_free(weight), mz_free(rows), mz_free(u.tmp), mz_free(u.attr);
    return rc;
}

/* ---- attention attribution: per layer, every head scaled together along the path */

typedef struct att_user {
    xinput *ins;
    int layer, H;
    double *tmp; /* [H,T,T] */
} att_user;

static mz_status att_done(void *user, const xrow *r, const float *dprobs, const float *probs) {
    att_user *u = user;
    mz_explanation *e = u->ins[r->slot].e;
    size_t htt = (size_t)u->H * r->T * r->T;
    mz_attr_attattr(u->tmp, probs, dprobs, &r->weight, 1, u->H, r->T);
    for (size_t i = 0; i < htt; i++)
        e->attattr[u->layer * htt + i] += u->tmp[i];
    return MZ_OK;
}

static mz_status attattr_layer(const xjob *j, xinput *ins, size_t n, xrow *rows, att_user *u,
                               const double *alpha, const double *weight) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (int s = 0; s < j->o->attattr_steps; s++)
            for (int c = 0; c < ins[i].n_copies; c++)
                rows[k++] = (xrow){.in = &ins[i],
                                   .copy = c,
                                   .T = ins[i].T,
                                   .scale = (float)alpha[s],
                                   .weight = weight[s],
                                   .slot = (int)i};
    return xrun(j, rows, k, XM_GRAD_PROBS, u->layer, att_done, u);
}

static mz_status attattr_summary(const xjob *j, mz_explanation *e) {
    size_t T = e->n_tokens, htt = (size_t)j->H * T * T;
    const double **per = mz_malloc((size_t)j->L * sizeof *per);
    e->head_importance = mz_malloc((size_t)j->L * j->H * sizeof(double));
    if (!per || !e->head_importance) {
        mz_free(per);
        return nomem(j);
    }
    for (int l = 0; l < j->L; l++) {
        per[l] = e->attattr + l * htt;
        mz_attr_head_importance(e->head_importance + l * j->H, per[l], j->H, (int)T);
    }
    e->methods |= 1u << MZ_EXPLAIN_ATTATTR;
    mz_status rc = mz_attr_tree_edges(&e->edges, &e->n_edges, per, j->L, j->H, (int)T, 0.4, j->ctx);
    mz_free(per);
    return rc;
}

static mz_status attattr(const xjob *j, xinput *ins, size_t n) {
    int steps = j->o->attattr_steps, T = 0;
    size_t n_rows = 0;
    for (size_t i = 0; i < n; i++) {
        n_rows += (size_t)ins[i].n_copies * steps;
        T = ins[i].T > T ? ins[i].T : T;
        size_t cells = (size_t)j->L * j->H * ins[i].T * ins[i].T;
        if (!(ins[i].e->attattr = mz_calloc(cells, sizeof(double)))) return nomem(j);
    }
    double *alpha = mz_malloc((size_t)steps * 8), *weight = mz_malloc((size_t)steps * 8);
    xrow *rows = mz_malloc(n_rows * sizeof *rows);
    att_user u = {ins, 0, j->H, mz_malloc((size_t)j->H * T * T * sizeof(double) + 1)};
    mz_status rc = alpha && weight && rows && u.tmp ? MZ_OK : nomem(j);
    if (!rc) rc = mz_attr_ig_path(alpha, weight, steps, j->o->rule, j->ctx);
    for (u.layer = 0; !rc && u.layer < j->L; u.layer++)
        rc = attattr_layer(j, ins, n, rows, &u, alpha, weight);
    for (size_t i = 0; !rc && i < n; i++)
        rc = attattr_summary(j, ins[i].e);
    mz_free(alpha), mz_free(weight), mz_free(rows), mz_free(u.tmp);
    return rc;
}

/* ---- scores */

static mz_status keep_scores(const xjob *j, mz_explanation *e, mz_explain_method k, double *s) {
    if (!s) return nomem(j);
    e->token_scores[k] = s;
    e->methods |= 1u << k;
    return MZ_OK;
}

static mz_status gradient_scores(const xjob *j, xinput *in) {
    mz_explanation *e = in->e;
    size_t T = (size_t)in->T;
    mz_status rc = MZ_OK;
    if (wants(j, MZ_EXPLAIN_SALIENCY)) {
        double *s = mz_malloc(T * sizeof *s + 1);
        if (s) mz_attr_saliency(s, in->grad_x, in->T, j->E);
        rc = keep_scores(j, e, MZ_EXPLAIN_SALIENCY, s);
    }
    if (!rc && wants(j, MZ_EXPLAIN_GRAD_INPUT)) {
        double *s = mz_malloc(T * sizeof *s + 1);
        if (s) mz_attr_grad_input(s, in->grad_x, in->x, in->T, j->E);
        rc = keep_scores(j, e, MZ_EXPLAIN_GRAD_INPUT, s);
    }
    if (!rc && wants(j, MZ_EXPLAIN_IG)) {
        rc = keep_scores(j, e, MZ_EXPLAIN_IG, in->ig);
        in->ig = NULL;
        mz_attr_completeness(&e->completeness, e->token_scores[MZ_EXPLAIN_IG], in->T, e->fx,
                             e->fbase, MZ_ATTR_GAP_FLOOR);
    }
    return rc;
}

static mz_status word_scores(const xjob *j, mz_explanation *e) {
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++) {
        if (!e->token_scores[k]) continue;
        if (!(e->word_scores[k] = mz_malloc((e->words.n_words + 1) * sizeof(double))))
            return nomem(j);
        mz_attr_word_sum(e->word_scores[k], &e->words, e->token_scores[k]);
    }
    return MZ_OK;
}

static void settings(const xjob *j, mz_explanation *e) {
    e->baseline = j->fill_id < 0             ? MZ_EXPLAIN_BASELINE_ZERO
                  : j->fill_id == j->mask_id ? MZ_EXPLAIN_BASELINE_MASK
                                             : MZ_EXPLAIN_BASELINE_PAD;
    e->steps = j->o->steps, e->attattr_steps = j->o->attattr_steps, e->rule = j->o->rule;
    e->layers = j->L, e->heads = j->H;
}

static mz_status explain_group(const xjob *j, xinput *ins, size_t n) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        settings(j, ins[i].e);
        if (needs_look(j, &ins[i])) rc = look(j, &ins[i]);
        if (!rc) rc = describe(j, &ins[i]);
        if (!rc) rc = inputs(j, &ins[i]);
    }
    if (!rc) rc = gradients(j, ins, n);
    if (!rc && wants(j, MZ_EXPLAIN_ATTATTR)) rc = attattr(j, ins, n);
    for (size_t i = 0; !rc && i < n; i++)
        rc = gradient_scores(j, &ins[i]);
    for (size_t i = 0; !rc && i < n; i++)
        rc = word_scores(j, ins[i].e);
    return rc ? rc : xfaithfulness(j, ins, n);
}

mz_status xexplain(const xjob *j, xinput *ins, size_t n) {
    mz_status rc = MZ_OK;
    for (size_t g = 0; !rc && g < n; g += GROUP) {
        size_t k = n - g < GROUP ? n - g : GROUP;
        rc = explain_group(j, ins + g, k);
        for (size_t i = g; i < g + k; i++) { /* the group's inputs and accumulators are done */
            mz_free(ins[i].x), mz_free(ins[i].base), mz_free(ins[i].grad_x), mz_free(ins[i].ig);
            ins[i].x = ins[i].base = ins[i].grad_x = NULL, ins[i].ig = NULL;
        }
    }
    return rc;
}

/* Each input prepared with its own target, by a copy of the job that carries it. */
static mz_status prepare(xinput *ins, mz_explanation *out, const xjob *j,
                         const mz_explain_input *in, size_t n) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        mz_explain_options o = *j->o;
        xjob one = *j;
        o.target = in[i].target, o.contrast = in[i].contrast, o.continuation = in[i].continuation;
        one.o = &o;
        rc = xinput_text(&ins[i], &out[i], &one, in[i].text, in[i].label);
    }
    return rc;
}

mz_status mz_explain_inputs(mz_explanation *out, const mz_model *m, const mz_tokenizer *t,
                            const mz_explain_input *in, size_t n, const mz_explain_options *opt,
                            mz_ctx *ctx) {
    xjob j;
    memset(out, 0, n * sizeof *out);
    xinput *ins = mz_calloc(n + 1, sizeof *ins);
    mz_status rc =
        ins ? xjob_init(&j, m, t, opt, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = prepare(ins, out, &j, in, n);
    if (!rc) rc = xexplain(&j, ins, n);
    for (size_t i = 0; ins && i < n; i++)
        xinput_clear(&ins[i]);
    for (size_t i = 0; rc && i < n; i++)
        mz_explanation_clear(&out[i]);
    if (ins) xjob_free(&j);
    mz_free(ins);
    return rc;
}

mz_status mz_explain_texts(mz_explanation *out, const mz_model *m, const mz_tokenizer *t,
                           const char *const *texts, const char *const *labels, size_t n,
                           const mz_explain_options *opt, mz_ctx *ctx) {
    mz_explain_input *in = mz_calloc(n + 1, sizeof *in);
    if (!in) {
        memset(out, 0, n * sizeof *out);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        in[i] =
            (mz_explain_input){texts[i], labels[i], opt->target, opt->contrast, opt->continuation};
    mz_status rc = mz_explain_inputs(out, m, t, in, n, opt, ctx);
    mz_free(in);
    return rc;
}
