/* Masked-template association (Kurita et al. 2019): "[TARGET] ni [ATTRIBUTE]." with each target
 * word and attribute filled in; the target's increased log probability given the attribute,
 * compared between the two target groups for every attribute. */
#include "mizani/alloc.h"
#include "mizani/likelihood.h"
#include "mizani/stats.h"

#include <stdio.h>
#include <string.h>

typedef struct span {
    size_t start, end;
} span;

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

static mz_status score_sentence(double *score, mz_model *m, const mz_tokenizer *t,
                                const char *frame, const char *target, const char *attr,
                                int32_t mask_id, mz_encoding *e, mz_ctx *ctx) {
    char text[1024];
    span ts = {0, 0}, as = {0, 0};
    if (!fill(text, sizeof text, frame, target, attr, &ts, &as))
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "frame \"%s\" filled with \"%s\" and \"%s\" is too long", frame, target,
                       attr);
    mz_status rc = mz_tokenizer_encode(e, t, text, strlen(text), 1, ctx);
    if (rc) return rc;
    uint8_t tm[256] = {0}, am[256] = {0};
    int n = e->n < 256 ? (int)e->n : 256, k = 0;
    for (int i = 0; i < n; i++) {
        int real = !e->special[i];
        tm[i] = real && e->start[i] < ts.end && e->end[i] > ts.start;
        am[i] = real && !tm[i] && e->start[i] < as.end && e->end[i] > as.start;
        k += tm[i];
    }
    if (!k)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "\"%s\" has no tokens of its own in \"%s\"", target,
                       text);
    return mz_lik_masked_ratio(score, m, e->ids, n, tm, am, mask_id, ctx);
}

/* Mean increased log probability of one group's words over all frames, for one attribute. */
static mz_status group_mean(double *mean, mz_model *m, const mz_tokenizer *t,
                            const mz_probe_set *set, int g, const char *attr, int32_t mask_id,
                            mz_encoding *e, mz_ctx *ctx) {
    const mz_probe_list *l = &set->targets[g];
    double sum = 0;
    for (size_t w = 0; w < l->n; w++)
        for (size_t f = 0; f < set->n_frames; f++) {
            double s;
            mz_status rc =
                score_sentence(&s, m, t, set->frames[f], l->words[w].text, attr, mask_id, e, ctx);
            if (rc) return rc;
            sum += s;
        }
    *mean = sum / (double)(l->n * set->n_frames);
    return MZ_OK;
}

static double mean_of(const size_t *idx, void *data, void *scratch) {
    const mz_masked_result *r = data;
    double s = 0;
    (void)scratch;
    for (size_t i = 0; i < r->n_attributes; i++)
        s += r->attributes[idx[i]].bias;
    return s / (double)r->n_attributes;
}

static mz_status summarise(mz_masked_result *r, uint32_t n_bootstrap, double level,
                           unsigned long seed, mz_ctx *ctx) {
    size_t n = r->n_attributes;
    r->mean_bias = 0;
    for (size_t i = 0; i < n; i++) {
        r->mean_bias += r->attributes[i].bias / (double)n;
        r->lean_first += r->attributes[i].bias > 0;
    }
    mz_status rc = mz_stats_sign_test(&r->p_sign, r->lean_first, n, ctx);
    if (!rc && n_bootstrap && n > 1)
        rc = mz_stats_bootstrap_ci(&r->ci_lo, &r->ci_hi, mean_of, r, 0, &n, 1, n_bootstrap, level,
                                   seed, ctx);
    return rc;
}

mz_status mz_lik_masked(mz_masked_result *out, mz_model *m, const mz_tokenizer *t,
                        const mz_probe_set *set, uint32_t n_bootstrap, double ci_level,
                        unsigned long seed, mz_progress *progress, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    const mz_model_config *c = mz_model_get_config(m);
    if (set->kind != MZ_PROBE_MASKED || !set->n_frames || !set->attributes[0].n)
        return mz_fail(ctx, MZ_ERR_INPUT, set->path,
                       "not a masked-template probe set with frames and attributes");
    if (mz_model_is_causal(c) || !c->has_lm_head)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "masked templates need an encoder with a masked-LM head; %s %s",
                       c->model_type,
                       mz_model_is_causal(c) ? "is a decoder" : "has no head in this checkpoint");
    int32_t mask_id = mz_lik_mask_id(t);
    if (mask_id < 0)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "the tokenizer has no mask token ([MASK] or <mask>)");
    const mz_probe_list *attrs = &set->attributes[0];
    if (!(out->attributes = mz_calloc(attrs->n, sizeof *out->attributes)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    out->group_name[0] = set->targets[0].name, out->group_name[1] = set->targets[1].name;
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < attrs->n; i++) {
        mz_masked_attribute *a = &out->attributes[i];
        a->attribute = attrs->words[i].text;
        for (int g = 0; !rc && g < 2; g++)
            rc = group_mean(&a->group_mean[g], m, t, set, g, a->attribute, mask_id, &e, ctx);
        a->bias = a->group_mean[0] - a->group_mean[1];
        out->n_attributes += !rc;
        mz_progress_add(progress, 1);
    }
    mz_encoding_clear(&e);
    if (!rc) rc = summarise(out, n_bootstrap, ci_level, seed, ctx);
    if (rc) mz_masked_result_free(out);
    return rc;
}

void mz_masked_result_free(mz_masked_result *r) {
    mz_free(r->attributes);
    memset(r, 0, sizeof *r);
}
