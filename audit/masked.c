/* Masked templates (Kurita et al. 2019) on a model: "[TARGET] ni [ATTRIBUTE]." filled with
 * every target word of both groups and every attribute, each sentence scored through the
 * likelihood runner into one grid; metrics/likelihood summarises and tests it. */
#include "mizani/alloc.h"
#include "mizani/likelihood_run.h"
#include "mizani/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct span {
    size_t start, end;
} span;

static int fill(char *out, size_t cap, const char *frame, const char *target, const char *attr,
                span *ts, span *as);

int mz_lik_masked_fill(char *out, size_t cap, const char *frame, const char *target,
                       const char *attribute, size_t target_span[2], size_t attribute_span[2]) {
    span ts = {0, 0}, as = {0, 0};
    int ok = fill(out, cap, frame, target, attribute, &ts, &as);
    target_span[0] = ts.start, target_span[1] = ts.end;
    attribute_span[0] = as.start, attribute_span[1] = as.end;
    return ok;
}

/* The frame with [TARGET] and [ATTRIBUTE] filled in; the byte spans of both in the result. */
static int fill(char *out, size_t cap, const char *frame, const char *target, const char *attr,
                span *ts, span *as) {
    size_t k = 0;
    for (const char *p = frame; *p;) {
        int is_t = !strncmp(p, "[TARGET]", 8), is_a = !strncmp(p, "[ATTRIBUTE]", 11);
        const char *word = is_t ? target : is_a ? attr : NULL;
        if (!word) {
            if (k + 1 >= cap) return 0;
            out[k++] = *p++;
            continue;
        }
        size_t len = strlen(word);
        if (k + len >= cap) return 0;
        *(is_t ? ts : as) = (span){k, k + len};
        memcpy(out + k, word, len);
        k += len;
        p += is_t ? 8 : 11;
    }
    out[k] = 0;
    return 1;
}

/* One filled sentence, tokenized before the parallel scoring (the tokenizer runs on one
 * thread): its ids and which tokens are the target's and the attribute's. */
typedef struct sentence {
    int32_t *ids;
    uint8_t *tm, *am;
    int n, target_tokens;
} sentence;

typedef struct job {
    const mz_probe_set *set;
    mz_masked_result *out;
    sentence *s; /* [attributes, W, F] */
    double *cell;
    size_t W, F;
    int32_t mask_id;
    int fits;
} job;

static mz_status prepare(sentence *x, mz_encoding *e, const mz_tokenizer *t,
                         const mz_probe_set *set, const char *frame, const char *target,
                         const char *attr, mz_ctx *ctx) {
    char text[1024];
    span ts = {0, 0}, as = {0, 0};
    if (!fill(text, sizeof text, frame, target, attr, &ts, &as))
        return mz_fail(ctx, MZ_ERR_INPUT, set->path,
                       "frame \"%s\" filled with \"%s\" and \"%s\" is too long", frame, target,
                       attr);
    mz_status rc = mz_tokenizer_encode(e, t, text, strlen(text), 1, ctx);
    if (rc) return rc;
    int n = x->n = (int)e->n;
    x->ids = mz_malloc((size_t)n * sizeof *x->ids + 1);
    x->tm = mz_malloc((size_t)n + 1), x->am = mz_malloc((size_t)n + 1);
    if (!x->ids || !x->tm || !x->am) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    memcpy(x->ids, e->ids, (size_t)n * sizeof *x->ids);
    for (int i = 0; i < n; i++) {
        int real = !e->special[i];
        x->tm[i] = real && e->start[i] < ts.end && e->end[i] > ts.start;
        x->am[i] = real && !x->tm[i] && e->start[i] < as.end && e->end[i] > as.start;
        x->target_tokens += x->tm[i];
    }
    return x->target_tokens ? MZ_OK
                            : mz_fail(ctx, MZ_ERR_INPUT, set->path,
                                      "\"%s\" has no tokens of its own in \"%s\"", target, text);
}

/* Every sentence of the set, in grid order, and each target word's token count (frame 1). */
static mz_status prepare_all(job *j, const mz_tokenizer *t, mz_ctx *ctx) {
    const mz_probe_set *set = j->set;
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    for (size_t a = 0; !rc && a < set->attributes[0].n; a++)
        for (int g = 0, w = 0; !rc && g < 2; g++)
            for (size_t i = 0; !rc && i < set->targets[g].n; i++, w++)
                for (size_t f = 0; !rc && f < j->F; f++) {
                    sentence *x = &j->s[(a * j->W + (size_t)w) * j->F + f];
                    rc = prepare(x, &e, t, set, set->frames[f], set->targets[g].words[i].text,
                                 set->attributes[0].words[a].text, ctx);
                    if (!rc && !a && !f) j->out->word_tokens[w] = x->target_tokens;
                }
    mz_encoding_clear(&e);
    return rc;
}

/* Attribute a is computable when every sentence of it fits the model; else why not. */
static void check_fits(job *j, size_t a) {
    mz_masked_attribute *x = &j->out->attributes[a];
    const sentence *s = j->s + a * j->W * j->F;
    for (size_t k = 0; k < j->W * j->F; k++)
        if (s[k].n > j->fits) {
            snprintf(x->reason, sizeof x->reason,
                     "a sentence of target word %zu in frame %s has %d tokens; the model takes at "
                     "most %d",
                     k / j->F + 1,
                     j->set->frame_ids && j->set->frame_ids[k % j->F] ? j->set->frame_ids[k % j->F]
                                                                      : "?",
                     s[k].n, j->fits);
            return;
        }
    x->computable = 1;
}

/* Column k (= target word w, frame f): the cells of every computable attribute, in one batch. */
static mz_status score_column(size_t k, mz_lik_runner *r, void *user, mz_ctx *ctx) {
    job *j = user;
    size_t A = j->out->n_attributes, WF = j->W * j->F;
    mz_lik_template_row *rows = mz_malloc((A + 1) * sizeof *rows);
    double *scores = mz_malloc((A + 1) * sizeof *scores);
    int n = 0;
    mz_status rc = rows && scores ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t a = 0; !rc && a < A; a++)
        if (j->out->attributes[a].computable) {
            const sentence *x = &j->s[a * WF + k];
            rows[n++] = (mz_lik_template_row){x->ids, x->tm, x->am, x->n};
        }
    if (!rc && n) rc = mz_lik_masked_ratios(scores, r, rows, n, j->mask_id, ctx);
    for (size_t a = 0, i = 0; !rc && a < A; a++)
        if (j->out->attributes[a].computable) j->cell[a * WF + k] = scores[i++];
    mz_free(rows), mz_free(scores);
    return rc;
}

static mz_status check_model(const mz_model *m, const mz_tokenizer *t, const mz_probe_set *set,
                             int32_t *mask_id, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    if (set->kind != MZ_PROBE_MASKED || !set->n_frames || !set->attributes[0].n)
        return mz_fail(ctx, MZ_ERR_INPUT, set->path,
                       "not a masked-template probe set with frames and attributes");
    if (mz_model_is_causal(c) || !c->has_lm_head)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "masked templates need an encoder with a masked-LM head; %s %s",
                       c->model_type,
                       mz_model_is_causal(c) ? "is a decoder" : "has no head in this checkpoint");
    *mask_id = mz_lik_mask_id(t);
    return *mask_id >= 0 ? MZ_OK
                         : mz_fail(ctx, MZ_ERR_INPUT, NULL,
                                   "the tokenizer has no mask token ([MASK] or <mask>)");
}

mz_status mz_lik_masked(mz_masked_result *out, const mz_model *m, const mz_tokenizer *t,
                        const mz_probe_set *set, uint32_t n_bootstrap, double ci_level,
                        unsigned long seed, mz_progress *progress, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    const mz_model_config *c = mz_model_get_config(m);
    job j = {.set = set, .out = out, .fits = c->max_pos - c->pos_offset};
    mz_status rc = check_model(m, t, set, &j.mask_id, ctx);
    if (rc) return rc;
    size_t A = set->attributes[0].n;
    j.W = set->targets[0].n + set->targets[1].n, j.F = set->n_frames;
    j.cell = mz_calloc(A * j.W * j.F + 1, sizeof *j.cell);
    j.s = mz_calloc(A * j.W * j.F + 1, sizeof *j.s);
    out->attributes = mz_calloc(A, sizeof *out->attributes);
    out->word_mean = mz_calloc(j.W + 1, sizeof *out->word_mean);
    out->word_tokens = mz_calloc(j.W + 1, sizeof *out->word_tokens);
    if (!j.cell || !j.s || !out->attributes || !out->word_mean || !out->word_tokens)
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    out->group_name[0] = set->targets[0].name, out->group_name[1] = set->targets[1].name;
    out->n_words[0] = set->targets[0].n, out->n_words[1] = set->targets[1].n, out->n_frames = j.F;
    out->n_attributes = rc ? 0 : A;
    for (size_t a = 0; !rc && a < A; a++)
        out->attributes[a].attribute = set->attributes[0].words[a].text;
    if (!rc) rc = prepare_all(&j, t, ctx);
    for (size_t a = 0; !rc && a < A; a++)
        check_fits(&j, a);
    if (!rc) rc = mz_lik_for_each(m, j.W * j.F, score_column, &j, progress, ctx);
    for (size_t k = 0; j.s && k < A * j.W * j.F; k++)
        mz_free(j.s[k].ids), mz_free(j.s[k].tm), mz_free(j.s[k].am);
    mz_free(j.s);
    out->cells = j.cell;
    if (!rc) rc = mz_lik_masked_summarise(out, j.cell, n_bootstrap, ci_level, 0.05, seed, ctx);
    if (rc) mz_masked_result_free(out);
    return rc;
}

/* The id without its language suffix: "occupations-gender-sw" -> "occupations-gender". */
static size_t stem(const mz_probe_set *s) {
    size_t n = strlen(s->id), l = s->language ? strlen(s->language) : 0;
    return l && n > l + 1 && s->id[n - l - 1] == '-' && !strcmp(s->id + n - l, s->language)
               ? n - l - 1
               : n;
}

int mz_lik_masked_parallel(const mz_probe_set *a, const mz_probe_set *b) {
    if (!a->language || !b->language || !strcmp(a->language, b->language)) return 0;
    size_t k = stem(a);
    return k == stem(b) && !strncmp(a->id, b->id, k) && a->attributes[0].n == b->attributes[0].n &&
           a->targets[0].n == b->targets[0].n && a->targets[1].n == b->targets[1].n;
}

/* Holm across the comparisons whose test can reach significance. */
static mz_status languages_holm(mz_masked_suite *s, mz_ctx *ctx) {
    double *p = mz_malloc((s->n_languages + 1) * sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < s->n_languages; i++)
        p[i] = s->languages[i].inference.can_reach ? s->languages[i].p_value : NAN;
    mz_status rc = mz_stats_holm_present(p, p, s->n_languages, ctx);
    for (size_t i = 0; !rc && i < s->n_languages; i++)
        s->languages[i].p_holm = p[i];
    mz_free(p);
    return rc;
}

mz_status mz_lik_masked_suite(mz_masked_suite *out, const mz_model *m, const mz_tokenizer *t,
                              mz_probe_set *const *sets, size_t n, uint32_t n_bootstrap,
                              double ci_level, unsigned long seed, mz_progress *progress,
                              mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    out->sets = sets, out->ci_level = ci_level;
    out->results = mz_calloc(n + 1, sizeof *out->results);
    out->reason = mz_calloc(n + 1, sizeof *out->reason);
    out->languages = mz_calloc(n * n + 1, sizeof *out->languages);
    out->p_holm = mz_calloc(n + 1, sizeof *out->p_holm);
    if (!out->results || !out->reason || !out->languages || !out->p_holm) {
        mz_masked_suite_free(out);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    uint64_t total = 0; /* the progress counts (target word, frame) batches */
    for (size_t i = 0; i < n; i++)
        total += (sets[i]->targets[0].n + sets[i]->targets[1].n) * sets[i]->n_frames;
    mz_progress_set_total(progress, total);
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++, out->n = i) {
        rc = mz_lik_masked(&out->results[i], m, t, sets[i], n_bootstrap, ci_level, seed, progress,
                           ctx);
        if (rc == MZ_ERR_INPUT) { /* not computable on this model: say why and go on */
            snprintf(out->reason[i], sizeof out->reason[i], "%s", mz_ctx_cause(ctx));
            mz_ctx_clear(ctx);
            rc = MZ_OK;
        }
    }
    for (size_t i = 0; !rc && i < n; i++)
        out->p_holm[i] = out->results[i].n_computable ? out->results[i].p_value : NAN;
    if (!rc) rc = mz_stats_holm_present(out->p_holm, out->p_holm, n, ctx);
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t j = i + 1; !rc && j < n; j++)
            if (out->results[i].n_computable && out->results[j].n_computable &&
                mz_lik_masked_parallel(sets[i], sets[j])) {
                mz_masked_languages *l = &out->languages[out->n_languages++];
                l->a = i, l->b = j;
                rc = mz_lik_masked_languages_test(l, &out->results[i], &out->results[j],
                                                  n_bootstrap, ci_level, 0.05, seed, ctx);
            }
    if (!rc) rc = languages_holm(out, ctx);
    if (rc) mz_masked_suite_free(out);
    return rc;
}

void mz_masked_suite_free(mz_masked_suite *s) {
    for (size_t i = 0; s->results && i < s->n; i++)
        mz_masked_result_free(&s->results[i]);
    mz_free(s->results), mz_free(s->reason), mz_free(s->languages), mz_free(s->p_holm);
    memset(s, 0, sizeof *s);
}
