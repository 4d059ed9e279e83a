/* The audit's explanations: for each language and category, the minimal pairs with the largest
 * score gaps among those tested (equal token counts), and for each masked-template set the
 * attributes with the strongest group bias, explained by the explanation job so that the
 * report shows which words drive the preference and which heads carry it. */
#include "audit_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Index of the tested pair of `category` with the largest |gap| not yet taken, or -1. */
static long strongest_pair(const mz_pairs_result *res, const char *category, const char *taken) {
    long best = -1;
    for (size_t i = 0; i < res->n_scores; i++) {
        const mz_pair_score *x = &res->scores[i];
        if (!x->computable || x->count_mismatch || taken[i] || strcmp(x->pair->category, category))
            continue;
        if (best < 0 ||
            fabs(x->more - x->less) > fabs(res->scores[best].more - res->scores[best].less))
            best = (long)i;
    }
    return best;
}

static mz_status explain_pairs(audit *a, size_t s, mz_explain_options *eo, size_t *done) {
    const mz_pairs_result *res = &a->pairs.results[s];
    const mz_probe_set *set = a->pairs.sets[s];
    char *taken = mz_calloc(res->n_scores + 1, 1);
    mz_minimal_pair *chosen = mz_calloc(res->n_scores + 1, sizeof *chosen);
    mz_pair_explanation *px = NULL;
    size_t n = 0;
    mz_status rc = taken && chosen ? MZ_OK : mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t c = 0; !rc && c + 1 < res->n_summaries; c++) /* the categories, not "all" */
        for (int k = 0; k < a->o->explain_top; k++) {
            long i = strongest_pair(res, res->summaries[c].category, taken);
            if (i < 0) break;
            taken[i] = 1, chosen[n++] = *res->scores[i].pair;
        }
    if (!rc && n && !(px = mz_calloc(n, sizeof *px)))
        rc = mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc && n)
        rc = mz_explain_pairs(px, a->in->model, a->in->tokenizer, chosen, n, set->path, eo, a->ctx);
    if (!rc && n) rc = mz_report_explain(a->r, NULL, NULL, NULL, px, n, set, NULL);
    if (!rc) *done += n;
    for (size_t i = 0; px && i < n; i++)
        mz_pair_explanation_clear(&px[i]);
    mz_free(px), mz_free(chosen), mz_free(taken);
    return rc;
}

/* The frame with the target masked and the attribute filled in (mz_free). */
static char *masked_text(const char *frame, const char *attribute) {
    size_t cap = strlen(frame) + strlen(attribute) + 16, k = 0;
    char *out = mz_malloc(cap);
    for (const char *p = frame; out && *p;) {
        const char *put = !strncmp(p, "[TARGET]", 8)       ? "[MASK]"
                          : !strncmp(p, "[ATTRIBUTE]", 11) ? attribute
                                                           : NULL;
        if (!put) {
            out[k++] = *p++;
            continue;
        }
        memcpy(out + k, put, strlen(put));
        k += strlen(put);
        p += put == attribute ? 11 : 8;
    }
    if (out) out[k] = '\0';
    return out;
}

/* A word of each group with equal token counts (a difference of scores at one [MASK] needs
 * it): the pair whose mean scores differ most. 0 when there is none. */
static int target_pair(const mz_masked_result *m, size_t *g0, size_t *g1) {
    int found = 0;
    for (size_t i = 0; i < m->n_words[0]; i++)
        for (size_t j = 0; j < m->n_words[1]; j++) {
            size_t w = m->n_words[0] + j;
            if (m->word_tokens[i] != m->word_tokens[w]) continue;
            double gap = fabs(m->word_mean[i] - m->word_mean[w]);
            if (!found || gap > fabs(m->word_mean[*g0] - m->word_mean[m->n_words[0] + *g1]))
                *g0 = i, *g1 = j, found = 1;
        }
    return found;
}

static mz_status explain_masked(audit *a, size_t s, mz_explain_options *eo, size_t *done) {
    const mz_masked_result *m = &a->masked.results[s];
    const mz_probe_set *set = a->masked.sets[s];
    size_t g0, g1, n = 0;
    if (!m->n_computable || !target_pair(m, &g0, &g1)) return MZ_OK;
    char *taken = mz_calloc(m->n_attributes + 1, 1);
    mz_explain_input *in = mz_calloc((size_t)a->o->explain_top + 1, sizeof *in);
    char **texts = mz_calloc((size_t)a->o->explain_top + 1, sizeof *texts);
    char(*labels)[256] = mz_calloc((size_t)a->o->explain_top + 1, sizeof *labels);
    mz_explanation *ex = NULL;
    mz_status rc = taken && in && texts && labels
                       ? MZ_OK
                       : mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int k = 0; !rc && k < a->o->explain_top; k++) {
        long best = -1;
        for (size_t i = 0; i < m->n_attributes; i++)
            if (m->attributes[i].computable && !taken[i] &&
                (best < 0 || fabs(m->attributes[i].bias) > fabs(m->attributes[best].bias)))
                best = (long)i;
        if (best < 0) break;
        taken[best] = 1;
        if (!(texts[n] = masked_text(set->frames[0], m->attributes[best].attribute))) {
            rc = mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        snprintf(labels[n], sizeof labels[n], "%s, %s: %s rather than %s", set->id,
                 m->attributes[best].attribute, set->targets[0].words[g0].text,
                 set->targets[1].words[g1].text);
        in[n] = (mz_explain_input){.text = texts[n],
                                   .label = labels[n],
                                   .target = set->targets[0].words[g0].text,
                                   .contrast = set->targets[1].words[g1].text};
        n++;
    }
    if (!rc && n && !(ex = mz_calloc(n, sizeof *ex)))
        rc = mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_explain_options one = *eo;
    one.split = MZ_EXPLAIN_SPLIT_SUM; /* target words of several pieces, as masked scores them */
    if (!rc && n) rc = mz_explain_inputs(ex, a->in->model, a->in->tokenizer, in, n, &one, a->ctx);
    if (!rc && n) rc = mz_report_explain(a->r, NULL, NULL, ex, NULL, n, set, set->language);
    if (!rc) *done += n;
    for (size_t i = 0; ex && i < n; i++)
        mz_explanation_clear(&ex[i]);
    for (size_t i = 0; texts && i < n; i++)
        mz_free(texts[i]);
    mz_free(ex), mz_free(in), mz_free(texts), mz_free(taken), mz_free(labels);
    return rc;
}

/* One set's explanations; a reason of the model (a target the tokenizer cannot score) is noted
 * and the next set goes on. */
static mz_status one_set(audit *a, mz_status (*fn)(audit *, size_t, mz_explain_options *, size_t *),
                         size_t s, mz_explain_options *eo, size_t *done, char *why, size_t n_why) {
    mz_status rc = fn(a, s, eo, done);
    if (rc == MZ_ERR_INPUT || rc == MZ_ERR_UNSUPPORTED) {
        if (!*why) snprintf(why, n_why, "%s", mz_ctx_cause(a->ctx));
        mz_ctx_clear(a->ctx);
        rc = MZ_OK;
    }
    return rc;
}

mz_status mz_audit_explain(audit *a, mz_progress *p, char *why, size_t n_why) {
    mz_explain_options eo = a->o->explain;
    eo.progress = p;
    eo.target = eo.contrast = eo.continuation = NULL;
    size_t done = 0;
    char first[512] = "";
    mz_status rc = MZ_OK;
    if (a->o->explain_top < 1) return snprintf(why, n_why, "--explain-top is 0"), MZ_OK;
    for (size_t s = 0; !rc && s < a->pairs.n; s++)
        rc = one_set(a, explain_pairs, s, &eo, &done, first, sizeof first);
    for (size_t s = 0; !rc && s < a->masked.n; s++)
        rc = one_set(a, explain_masked, s, &eo, &done, first, sizeof first);
    if (!rc && !done)
        snprintf(why, n_why, "%s",
                 *first ? first
                        : "no tested minimal pair or masked-template attribute "
                          "to explain (their tests did not run)");
    return rc;
}
