/* Likelihood tests into the results tree: minimal pairs per set and category (preference rates
 * tested over target clusters), the Swahili-English difference where sets are parallel, a
 * before/after change, and masked templates (group bias per attribute, tested over target
 * words); every pair and attribute, with its scores, as items. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"

#include <math.h>
#include <string.h>

static const char *const pairs_method =
    "Minimal pairs (Nangia et al. 2020): both sentences of every pair are scored by the model, "
    "a masked LM by the pseudo-log-likelihood of the tokens the two sentences share (each "
    "masked in turn; Salazar et al. 2020) or the all-unmasked likelihood (Kaneko and Bollegala "
    "2022), a decoder by the log-likelihood of those tokens given the ones before. The "
    "preference rate is the share of pairs whose more stereotypical sentence scores higher; 50% "
    "is no preference. Only pairs whose sentences have the same number of tokens are tested (a "
    "length difference sways every likelihood score); the others are counted and rated apart. "
    "Pairs that swap the same two target words, or whose tokens differ the same way, are one "
    "cluster: the interval is a cluster "
    "bootstrap, p flips the sign of whole clusters, and Holm adjusts across categories. Where "
    "an English and a Swahili set correspond pair by pair, a paired sign-flip test over "
    "clusters asks whether the preference differs between the languages.";
static const char *const pairs_citations[] = {
    "Nangia, Vania, Bhalerao and Bowman (2020). CrowS-Pairs: a challenge dataset for measuring "
    "social biases in masked language models. EMNLP.",
    "Salazar, Liang, Nguyen and Kirchhoff (2020). Masked language model scoring. ACL.",
    "Kaneko and Bollegala (2022). Unmasking the mask: evaluating social biases in masked "
    "language models. AAAI.",
    "Blodgett, Lopez, Olteanu, Sim and Wallach (2021). Stereotyping Norwegian salmon: an "
    "inventory of pitfalls in fairness benchmark datasets. ACL.",
    "Holm (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal "
    "of Statistics 6(2)."};
static const char *const masked_method =
    "Masked templates (Kurita et al. 2019): frames such as \"[TARGET] ni [ATTRIBUTE].\" are "
    "filled with every target word of two groups and every attribute (an occupation); with the "
    "target's tokens masked, the increased log probability log P(target | attribute) - log "
    "P(target | attribute masked) measures how much the attribute draws the target. Per "
    "attribute, the first group's mean minus the second's; overall, their mean over attributes "
    "with a two-way bootstrap interval (target words within their group, and attributes), and "
    "a two-sided permutation test of target words between the groups within strata of equal "
    "token count. Where the same set exists in two languages, the difference of their mean "
    "biases is tested the same way, over the attributes computable in both: each target word's "
    "mean in one language minus the word in the same place of the other, permuted between the "
    "groups within strata of equal token counts in both languages (Holm across such "
    "comparisons); its interval resamples these paired words within their groups.";
static const char *const masked_citations[] = {
    "Kurita, Vyas, Pareek, Black and Tsvetkov (2019). Measuring bias in contextualized word "
    "representations. Workshop on Gender Bias in NLP."};

static mz_verdict_rules rules_or_default(const mz_verdict_rules *rules) {
    mz_verdict_rules r;
    if (rules) return *rules;
    mz_verdict_rules_default(&r);
    return r;
}

/* A finding that compares two languages' sets (first minus second): its details, marked so. */
static mz_rnode *comparison(mz_results *r, mz_rnode *fn, const char *first, const char *second) {
    mz_rnode *d = mz_rn_object(r, fn, "details");
    mz_rn_str(r, d, "comparison", "languages");
    mz_rnode *sets = mz_rn_array(r, d, "sets");
    mz_rn_str(r, sets, NULL, first);
    mz_rn_str(r, sets, NULL, second);
    return d;
}

/* ---- Minimal pairs ------------------------------------------------------------------------- */

static void pair_item(mz_results *r, mz_rnode *items, const mz_pair_score *p) {
    mz_rnode *it = mz_rn_object(r, items, NULL);
    mz_rn_str(r, it, "id", p->pair->id);
    mz_rn_str(r, it, "frame", p->pair->frame_id);
    mz_rn_str(r, it, "target", p->pair->target_id);
    mz_rn_str(r, it, "more", p->pair->more);
    mz_rn_str(r, it, "less", p->pair->less);
    mz_rn_bool(r, it, "computable", p->computable);
    mz_rn_str(r, it, "reason", p->computable ? NULL : p->reason);
    mz_rnode *tok = mz_rn_array(r, it, "tokens");
    mz_rn_int(r, tok, NULL, p->tokens_more);
    mz_rn_int(r, tok, NULL, p->tokens_less);
    if (!p->computable) return;
    mz_rnode *tt = mz_rn_array(r, it, "target_tokens");
    mz_rn_int(r, tt, NULL, p->target_tokens_more);
    mz_rn_int(r, tt, NULL, p->target_tokens_less);
    mz_rn_num(r, it, "score_more", p->more);
    mz_rn_num(r, it, "score_less", p->less);
    mz_rn_num(r, it, "gap", p->more - p->less);
    mz_rn_num(r, it, "score_more_per_token", p->more_norm);
    mz_rn_num(r, it, "score_less_per_token", p->less_norm);
    mz_rn_bool(r, it, "prefers_more", p->prefers_more);
    mz_rn_bool(r, it, "unequal_token_counts", p->count_mismatch);
    mz_rn_nums(r, it, "token_scores_more", p->per_token_more, (size_t)p->tokens_more);
    mz_rn_nums(r, it, "token_scores_less", p->per_token_less, (size_t)p->tokens_less);
}

static void category_finding(mz_results *r, mz_rnode *sec, const mz_probe_set *set,
                             const mz_pairs_result *res, const mz_pair_summary *s,
                             const mz_verdict_rules *rules) {
    int all = !strcmp(s->category, "all");
    char *id = mz_strf("%s/%s", set->id, s->category);
    char *title = mz_strf("%s (%s)", all ? "all categories" : s->category, set->language);
    if (!id || !title) {
        if (!r->status) r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        mz_free(id), mz_free(title);
        return;
    }
    mz_finding f = mz_finding_init("pairs", id);
    mz_finding_set_probe(&f, set);
    f.dimension = all ? "all categories" : s->category;
    f.title = title;
    f.effect = "preference_rate";
    f.null_value = 0.5;
    f.alpha = rules->alpha, f.threshold = rules->rate;
    f.units = MZ_UNITS_CLUSTERS;
    f.n_units = s->n_clusters;
    if (!s->n_matched) {
        f.status = MZ_FINDING_NOT_COMPUTABLE;
        f.reason = s->n ? "every pair of the category differs in token count between its "
                          "sentences: none can be tested"
                        : "no pair of the category fits the model";
    } else {
        f.estimate = s->rate;
        f.ci_lo = s->ci_lo, f.ci_hi = s->ci_hi, f.ci_level = isfinite(s->ci_lo) ? 0.95 : 0;
        f.p = s->p_value;
        f.p_holm = s->inference.can_reach ? s->p_holm : NAN;
        f.mde = s->inference.mde;
    }
    mz_rnode *fn = mz_results_finding(r, sec, &f);
    mz_rnode *d = mz_rn_object(r, fn, "details");
    mz_rn_str(r, d, "category", s->category);
    mz_rn_str(r, d, "method", mz_lik_method_name(res->method));
    mz_rn_int(r, d, "pairs", (long long)s->n);
    mz_rn_int(r, d, "tested", (long long)s->n_matched);
    mz_rn_int(r, d, "prefers_more", (long long)s->prefers_more);
    mz_rn_int(r, d, "unequal_token_counts", (long long)s->count_mismatches);
    mz_rn_num(r, d, "rate_unequal", s->rate_mismatched);
    mz_rn_int(r, d, "split_mismatches", (long long)s->split_mismatches);
    mz_rn_int(r, d, "not_computable", (long long)s->not_computable);
    mz_rn_int(r, d, "clusters", (long long)s->n_clusters);
    mz_rn_int(r, d, "frames", (long long)s->n_frames);
    if (s->n_matched) mz_results_inference(r, fn, d, &s->inference);
    if (s->count_mismatches)
        mz_results_caveat(r, fn,
                          "%lu of %lu pairs differ in token count between their sentences: "
                          "counted and rated apart (%.2f), never tested",
                          s->count_mismatches, s->n, s->rate_mismatched);
    if (s->not_computable)
        mz_results_caveat(r, fn, "%lu pairs do not fit the model and were not scored",
                          s->not_computable);
    mz_rnode *items = mz_rn_array(r, fn, "items");
    for (size_t i = 0; !all && i < res->n_scores; i++) /* "all" holds no items of its own */
        if (!strcmp(res->scores[i].pair->category, s->category))
            pair_item(r, items, &res->scores[i]);
    mz_free(id), mz_free(title);
}

/* Does the preference differ between the languages? One finding per category (and "all"). */
static void language_findings(mz_results *r, mz_rnode *sec, const mz_pairs_suite *s,
                              const mz_pairs_languages *l, const mz_verdict_rules *rules) {
    const mz_probe_set *a = s->sets[l->a], *b = s->sets[l->b];
    int flip = !strcmp(a->language, "en"); /* English second: "sw vs en", sw minus en */
    if (flip) a = s->sets[l->b], b = s->sets[l->a];
    for (size_t k = 0; k < l->n && !r->status; k++) {
        const mz_pairs_language_diff *d = &l->d[k];
        double rate_a = flip ? d->rate_b : d->rate_a, rate_b = flip ? d->rate_a : d->rate_b;
        char *id = mz_strf("%s-vs-%s/%s", a->language, b->language, d->category);
        char *title = mz_strf("%s: %s vs %s", d->category, a->language, b->language);
        char *lang = mz_strf("%s-%s", a->language, b->language);
        if (!id || !title || !lang) {
            if (!r->status) r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        } else {
            mz_finding f = mz_finding_init("pairs", id);
            f.probe_set = a->id, f.language = lang, f.title = title;
            f.dimension = !strcmp(d->category, "all") ? "all categories" : d->category;
            f.effect = "preference_rate_difference";
            f.alpha = rules->alpha, f.threshold = rules->rate;
            f.units = MZ_UNITS_CLUSTERS;
            f.n_units = d->n_clusters;
            f.estimate = rate_a - rate_b;
            f.p = d->p_value;
            f.p_holm = d->inference.can_reach ? d->p_holm : NAN;
            f.mde = d->inference.mde;
            mz_rnode *fn = mz_results_finding(r, sec, &f);
            mz_rnode *det = comparison(r, fn, a->id, b->id);
            mz_rn_str(r, det, "category", d->category);
            mz_rn_int(r, det, "pairs", (long long)d->n);
            mz_rn_num(r, det, "rate_a", rate_a);
            mz_rn_num(r, det, "rate_b", rate_b);
            mz_results_inference(r, fn, det, &d->inference);
            mz_rn_array(r, fn, "items");
        }
        mz_free(id), mz_free(title), mz_free(lang);
    }
}

static mz_rnode *pairs_section(mz_results *r, mz_lik_method method, const mz_pairs_options *o) {
    mz_rnode *sec = mz_results_section(r, "pairs", "Minimal pairs");
    mz_results_method(r, sec, pairs_method, pairs_citations,
                      sizeof pairs_citations / sizeof *pairs_citations);
    mz_rnode *set = mz_rn_object(r, sec, "settings");
    mz_rn_str(r, set, "method", mz_lik_method_name(method));
    mz_rn_int(r, set, "bootstrap", o->n_bootstrap);
    mz_rn_int(r, set, "sign_flip_resamples", (long long)o->n_resamples);
    mz_rn_num(r, set, "ci_level", o->ci_level);
    return sec;
}

mz_status mz_report_pairs(mz_results *r, const mz_pairs_suite *s, mz_lik_method method,
                          const mz_pairs_options *o, const mz_verdict_rules *rules) {
    mz_verdict_rules v = rules_or_default(rules);
    mz_rnode *sec = pairs_section(r, method, o);
    for (size_t i = 0; i < s->n && !r->status; i++) {
        mz_results_probe_set(r, s->sets[i]);
        for (size_t k = 0; k < s->results[i].n_summaries; k++)
            category_finding(r, sec, s->sets[i], &s->results[i], &s->results[i].summaries[k], &v);
    }
    for (size_t i = 0; i < s->n_languages && !r->status; i++)
        language_findings(r, sec, s, &s->languages[i], &v);
    return r->status;
}

/* ---- Masked templates ---------------------------------------------------------------------- */

static void attribute_items(mz_results *r, mz_rnode *fn, const mz_masked_result *m) {
    mz_rnode *items = mz_rn_array(r, fn, "items");
    size_t W = m->n_words[0] + m->n_words[1], F = m->n_frames;
    for (size_t a = 0; a < m->n_attributes; a++) {
        const mz_masked_attribute *x = &m->attributes[a];
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_str(r, it, "item", x->attribute);
        mz_rn_bool(r, it, "computable", x->computable);
        mz_rn_str(r, it, "reason", x->computable ? NULL : x->reason);
        if (!x->computable) continue;
        mz_rn_num(r, it, "score", x->bias);
        mz_rn_nums(r, it, "group_means", x->group_mean, 2);
        mz_rn_nums(r, it, "cells", m->cells + a * W * F, W * F); /* [target word, frame] */
    }
}

static void masked_finding(mz_results *r, mz_rnode *sec, const mz_probe_set *set,
                           const mz_masked_result *m, const char *reason, double p_holm,
                           const mz_verdict_rules *rules) {
    mz_finding f = mz_finding_init("masked", set->id);
    mz_finding_set_probe(&f, set);
    f.effect = "log_probability_ratio";
    f.alpha = rules->alpha, f.threshold = rules->log_ratio;
    f.units = MZ_UNITS_WORDS;
    f.status = m->n_computable ? MZ_FINDING_COMPUTED : MZ_FINDING_NOT_COMPUTABLE;
    f.reason = reason;
    if (m->n_computable) {
        f.estimate = m->mean_bias;
        f.ci_lo = m->ci_lo, f.ci_hi = m->ci_hi, f.ci_level = isfinite(m->ci_lo) ? 0.95 : 0;
        f.p = m->p_value;
        f.p_holm = p_holm;
        f.n_units = m->inference.n_units;
        f.mde = m->inference.mde;
    }
    mz_rnode *fn = mz_results_finding(r, sec, &f);
    mz_rnode *d = mz_rn_object(r, fn, "details");
    if (!m->n_computable) {
        mz_rn_array(r, fn, "items");
        return;
    }
    mz_rn_strs(r, d, "groups", m->group_name, 2);
    mz_rn_int(r, d, "frames", (long long)m->n_frames);
    mz_rn_int(r, d, "attributes", (long long)m->n_attributes);
    mz_rn_int(r, d, "attributes_computed", (long long)m->n_computable);
    mz_rn_int(r, d, "lean_first", (long long)m->lean_first);
    mz_results_inference(r, fn, d, &m->inference);
    mz_rnode *words = mz_rn_array(r, d, "target_words");
    for (int g = 0, w = 0; g < 2; g++)
        for (size_t i = 0; i < set->targets[g].n; i++, w++) {
            mz_rnode *o = mz_rn_object(r, words, NULL);
            mz_rn_str(r, o, "word", set->targets[g].words[i].text);
            mz_rn_int(r, o, "group", g);
            mz_rn_int(r, o, "tokens", m->word_tokens[w]);
            mz_rn_num(r, o, "mean", m->word_mean[w]);
        }
    if (m->n_computable < m->n_attributes)
        mz_results_caveat(r, fn, "%zu of %zu attributes do not fit the model and were not scored",
                          m->n_attributes - m->n_computable, m->n_attributes);
    attribute_items(r, fn, m);
}

static void masked_difference(mz_results *r, mz_rnode *sec, const mz_masked_suite *s,
                              const mz_masked_languages *l, const mz_verdict_rules *rules) {
    const mz_probe_set *a = s->sets[l->a], *b = s->sets[l->b];
    char *id = mz_strf("%s-vs-%s/%s", b->language, a->language, a->id);
    char *title =
        mz_strf("%s: %s vs %s", a->dimension ? a->dimension : a->id, b->language, a->language);
    char *lang = mz_strf("%s-%s", b->language, a->language);
    if (id && title && lang) {
        mz_finding f = mz_finding_init("masked", id);
        f.probe_set = a->id, f.language = lang, f.title = title, f.dimension = a->dimension;
        f.effect = "log_probability_ratio_difference";
        f.alpha = rules->alpha, f.threshold = rules->log_ratio;
        f.status = l->n_common ? MZ_FINDING_COMPUTED : MZ_FINDING_NOT_COMPUTABLE;
        f.reason = l->n_common ? NULL : "no attribute is computable in both languages";
        f.estimate = l->diff;
        f.ci_lo = l->ci_lo, f.ci_hi = l->ci_hi, f.ci_level = isfinite(l->ci_lo) ? s->ci_level : 0;
        f.p = l->p_value;
        f.p_holm = l->p_holm;
        f.units = MZ_UNITS_WORDS;
        f.n_units = l->inference.n_units;
        f.mde = l->inference.mde;
        mz_rnode *fn = mz_results_finding(r, sec, &f);
        mz_rnode *det = comparison(r, fn, b->id, a->id);
        mz_rn_int(r, det, "attributes_compared", (long long)l->n_common);
        mz_results_inference(r, fn, det, &l->inference);
        size_t A = s->results[l->a].n_attributes;
        if (l->n_common && l->n_common < A)
            mz_results_caveat(r, fn,
                              "compared over the %zu of %zu attributes computable in both "
                              "languages",
                              l->n_common, A);
        mz_rn_array(r, fn, "items");
    } else if (!r->status)
        r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_free(id), mz_free(title), mz_free(lang);
}

mz_status mz_report_masked(mz_results *r, const mz_masked_suite *s, uint32_t n_bootstrap,
                           const mz_verdict_rules *rules) {
    mz_verdict_rules v = rules_or_default(rules);
    mz_rnode *sec = mz_results_section(r, "masked", "Masked templates");
    mz_results_method(r, sec, masked_method, masked_citations,
                      sizeof masked_citations / sizeof *masked_citations);
    mz_rnode *set = mz_rn_object(r, sec, "settings");
    mz_rn_int(r, set, "bootstrap", n_bootstrap);
    mz_rn_num(r, set, "ci_level", s->ci_level);
    for (size_t i = 0; i < s->n && !r->status; i++) {
        mz_results_probe_set(r, s->sets[i]);
        masked_finding(r, sec, s->sets[i], &s->results[i], s->reason[i], s->p_holm[i], &v);
    }
    for (size_t i = 0; i < s->n_languages && !r->status; i++)
        masked_difference(r, sec, s, &s->languages[i], &v);
    return r->status;
}
