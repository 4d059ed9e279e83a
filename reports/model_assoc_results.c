/* Association tests on a model (SEAT, CEAT) into the results tree: one finding per test with
 * d over the rows, its word-level interval and permutation p, the target words as units, the
 * caveats a reader should weigh, and every target word's score (and its rows') as items. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"

#include <math.h>
#include <string.h>

static const char *const seat_method =
    "SEAT (May et al. 2019): each probe word is put into the language's sentence frames and each "
    "sentence is embedded by the model (a pooled hidden state). WEAT's effect size d is computed "
    "over the sentences. Inference is over words, what varies between replications of a test: "
    "the one-sided permutation p moves each target word with all its sentences, only among "
    "words of equal token count and frame class (so tokenization alone cannot make an "
    "association), and the percentile bootstrap interval resamples the words of all four "
    "lists. Holm adjusts across the tests that can reach significance; a test with too few "
    "words to reach p < 0.05 says so instead of reporting p. Words that share tokens (a piece "
    "of a target word in another probe word) are alike even in a model that learned nothing, "
    "which the permutation cannot see: such a test is run again on random-weight copies of the "
    "model (the null reference, 10 copies by default) and its p is the larger of the word-level "
    "p and the reference's (settings: null_reference). On null models SEAT's word-level p fell "
    "below 0.05 in 6.0% of tests, and as run by default in 2.1% (the committed calibration "
    "study).";
static const char *const ceat_method =
    "CEAT (Guo and Caliskan 2021): every probe word is embedded in each of its contexts (its "
    "sentence frames, or corpus lines holding it), pooling the word's own subword tokens. The "
    "test and its interval are over words as for SEAT, every context of a word moving with it, "
    "so they do not change with the number of samples. As a description, samples of one "
    "context per word give WEAT's d each, combined by random effects (DerSimonian and Laird): "
    "the combined effect size (CES) and its heterogeneity. That combination is not a test: the "
    "samples reuse the same words. A test whose words share tokens also runs on random-weight "
    "copies of the model (the null reference, 10 by default), and its p is the larger of the "
    "word-level p and the reference's (settings: null_reference).";
static const char *const citations[] = {
    "May, Wang, Bordia, Bowman and Rudinger (2019). On measuring social biases in sentence "
    "encoders. NAACL.",
    "Guo and Caliskan (2021). Detecting emergent intersectional biases: contextualized word "
    "embeddings contain a distribution of human-like biases. AIES.",
    "Caliskan, Bryson and Narayanan (2017). Semantics derived automatically from language corpora "
    "contain human-like biases. Science 356(6334).",
    "DerSimonian and Laird (1986). Meta-analysis in clinical trials. Controlled Clinical Trials "
    "7(3).",
    "Holm (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal "
    "of Statistics 6(2)."};

/* Each target word's score and its rows' scores: what two audits compare word by word. */
static void items(mz_results *r, mz_rnode *fn, const mz_suite_entry *e) {
    mz_rnode *list = mz_rn_array(r, fn, "items");
    const mz_unit_scores *s = &e->scores;
    for (size_t w = 0, k = 0; w < s->n_words && k < 2; k++)
        for (size_t i = 0; i < e->set->targets[k].n && w < s->n_words; i++, w++) {
            mz_rnode *it = mz_rn_object(r, list, NULL);
            mz_rn_str(r, it, "item", e->set->targets[k].words[i].text);
            mz_rn_str(r, it, "role", k ? "Y" : "X");
            mz_rn_num(r, it, "score", s->word[w]);
            mz_rn_nums(r, it, "rows", s->row + s->first[w], s->first[w + 1] - s->first[w]);
        }
}

static void unknown_words(mz_results *r, mz_rnode *fn, mz_rnode *details,
                          const mz_unknown_words *u) {
    mz_rnode *o = mz_rn_object(r, details, "unknown_words");
    mz_rn_strs(r, o, "words", u->words, u->n);
    mz_rn_int(r, o, "count", (long long)u->total);
    if (!u->total) return;
    size_t len = 1;
    for (size_t i = 0; i < u->n; i++)
        len += strlen(u->words[i]) + 2;
    char *list = mz_malloc(len);
    if (!list) {
        if (!r->status) r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        return;
    }
    list[0] = '\0';
    for (size_t i = 0; i < u->n; i++)
        strcat(strcat(list, i ? ", " : ""), u->words[i]);
    mz_results_caveat(r, fn,
                      "%zu probe word%s map%s wholly or partly to the tokenizer's unknown token, "
                      "so their embeddings carry little of them: %s%s",
                      u->total, u->total == 1 ? "" : "s", u->total == 1 ? "s" : "", list,
                      u->total > u->n ? " ..." : "");
    mz_free(list);
}

/* The null reference, when the test has one: the copies' z and d, its p, and the word-level p
 * that the finding's p is the larger of. */
static void reference(mz_results *r, mz_rnode *fn, mz_rnode *d, const mz_weat_units_result *w) {
    const mz_null_reference *ref = &w->ref;
    if (!ref->n_copies) return;
    mz_rnode *o = mz_rn_object(r, d, "null_reference");
    mz_rn_int(r, o, "copies", (long long)ref->n_copies);
    mz_rn_num(r, o, "z_mean", ref->z_mean);
    mz_rn_num(r, o, "z_sd", ref->z_sd);
    mz_rn_num(r, o, "d_mean", ref->d_mean);
    mz_rn_num(r, o, "d_sd", ref->d_sd);
    mz_rn_int(r, o, "reached", (long long)ref->n_reached);
    mz_rn_num(r, o, "p", ref->p_value);
    mz_rn_num(r, o, "p_words", w->perm.p_value);
    mz_rn_num(r, o, "z", w->z); /* the model's, to set against the copies' */
    mz_results_caveat(r, fn,
                      "p is the larger of the word-level p (%.4g) and that of a null reference "
                      "from %zu random-weight copies of the model (%.4g; their z %.2f +/- %.2f "
                      "against the model's %.2f)",
                      w->perm.p_value, ref->n_copies, ref->p_value, ref->z_mean, ref->z_sd, w->z);
}

/* The finding every association test on a model shares: the set, the word-level test and
 * what a reader should weigh. Returns the finding's details for the family's own members. */
static mz_rnode *finding(mz_results *r, mz_rnode *sec, const char *family, const mz_suite_entry *e,
                         const mz_weat_units_result *w, const mz_verdict_rules *rules,
                         mz_rnode **fn_out) {
    mz_finding f = mz_finding_init(family, e->set->id);
    mz_finding_set_probe(&f, e->set);
    f.status = e->computed ? MZ_FINDING_COMPUTED : MZ_FINDING_NOT_COMPUTABLE;
    f.reason = e->reason;
    f.effect = "d";
    f.alpha = rules->alpha, f.threshold = rules->d;
    f.units = MZ_UNITS_WORDS;
    if (e->computed) {
        f.estimate = w->effect_size;
        f.ci_lo = w->ci_lo, f.ci_hi = w->ci_hi, f.ci_level = w->ci_level;
        f.p = w->p_value;
        f.p_holm = w->inference.can_reach ? e->p_holm : NAN;
        f.n_units = w->inference.n_units;
        f.mde = w->inference.mde;
    }
    mz_rnode *fn = *fn_out = mz_results_finding(r, sec, &f);
    mz_rnode *d = mz_rn_object(r, fn, "details");
    mz_rn_nums(r, d, "tokens_per_word", e->tokens_per_word, 4);
    unknown_words(r, fn, d, &e->unknown);
    if (!e->computed) {
        mz_rn_array(r, fn, "items");
        return d;
    }
    mz_results_inference(r, fn, d, &w->inference);
    mz_rn_num(r, d, "word_effect_size", w->word_effect);
    mz_rn_bool(r, d, "p_exact", w->inference.can_reach && w->perm.exact);
    mz_rn_int(r, d, "splits", (long long)w->perm.n_splits);
    mz_rn_num(r, d, "p_monte_carlo_se", w->inference.can_reach ? w->perm.mc_se : NAN);
    reference(r, fn, d, w);
    mz_rn_int(r, d, "shared_tokens", (long long)e->shared_pieces);
    if (e->shared_pieces && !w->ref.n_copies)
        mz_results_caveat(r, fn,
                          "%zu target word%s share%s tokens with other words of the test: on a "
                          "model that learned nothing such words are already alike, and without "
                          "a null reference (--null-reference K) p cannot tell that from "
                          "learning",
                          e->shared_pieces, e->shared_pieces == 1 ? "" : "s",
                          e->shared_pieces == 1 ? "s" : "");
    if (w->inference.can_reach && !w->perm.exact)
        mz_results_caveat(r, fn,
                          "p from %llu random relabellings (Monte Carlo, standard error %.2g)",
                          (unsigned long long)w->perm.n_splits, w->perm.mc_se);
    if (fabs(e->tokens_per_word[0] - e->tokens_per_word[1]) >= 0.5)
        mz_results_caveat(r, fn,
                          "the target lists split differently (%.1f and %.1f tokens per word): "
                          "target words trade labels only within equal token counts, which "
                          "leaves %zu of them as units",
                          e->tokens_per_word[0], e->tokens_per_word[1], w->inference.n_units);
    items(r, fn, e);
    return d;
}

static mz_rnode *section(mz_results *r, const char *family, const char *title, const char *method) {
    mz_rnode *sec = mz_results_section(r, family, title);
    mz_results_method(r, sec, method, citations, sizeof citations / sizeof *citations);
    return sec;
}

/* One example frame per language, with {word} as the slot: quoted in the report. */
static void frames(mz_results *r, mz_rnode *sec, mz_probe_set *const *tpl, size_t n) {
    mz_rnode *o = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!tpl[i]->n_templates || !tpl[i]->language) continue;
        if (!o) o = mz_rn_object(r, sec, "frames");
        json_t *have = json_object_get(MZ_J(o), tpl[i]->language);
        if (!have) mz_rn_str(r, o, tpl[i]->language, tpl[i]->templates[0].text);
    }
}

mz_status mz_report_seat(mz_results *r, const mz_seat_result *res, size_t n,
                         const mz_embed_options *e, const mz_weat_options *w, size_t null_copies,
                         mz_probe_set *const *templates, size_t n_templates,
                         const mz_verdict_rules *rules) {
    mz_verdict_rules def;
    if (!rules) mz_verdict_rules_default(&def), rules = &def;
    mz_rnode *sec = section(r, "seat", "Sentence embeddings (SEAT)", seat_method);
    mz_rnode *set = mz_rn_object(r, sec, "settings");
    mz_rn_int(r, set, "layer", e->layer);
    mz_rn_str(r, set, "pooling", mz_pooling_name(e->pooling));
    mz_rn_int(r, set, "permutations", (long long)w->n_permutations);
    mz_rn_int(r, set, "max_exact_splits", (long long)w->max_exact);
    mz_rn_int(r, set, "bootstrap", w->n_bootstrap);
    mz_rn_num(r, set, "ci_level", w->ci_level);
    mz_rn_int(r, set, "null_reference", (long long)null_copies);
    frames(r, sec, templates, n_templates);
    for (size_t i = 0; i < n && !r->status; i++) {
        mz_rnode *fn;
        mz_results_probe_set(r, res[i].entry.set);
        mz_rnode *d = finding(r, sec, "seat", &res[i].entry, &res[i].weat, rules, &fn);
        const double sizes[4] = {(double)res[i].n_sentences[0], (double)res[i].n_sentences[1],
                                 (double)res[i].n_sentences[2], (double)res[i].n_sentences[3]};
        if (res[i].entry.computed) mz_rn_nums(r, d, "sentences", sizes, 4);
    }
    return r->status;
}

mz_status mz_report_ceat(mz_results *r, const mz_ceat_result *res, size_t n,
                         const mz_ceat_options *o, size_t null_copies,
                         const mz_verdict_rules *rules) {
    mz_verdict_rules def;
    if (!rules) mz_verdict_rules_default(&def), rules = &def;
    mz_rnode *sec = section(r, "ceat", "Contextual word embeddings (CEAT)", ceat_method);
    mz_rnode *set = mz_rn_object(r, sec, "settings");
    mz_rn_int(r, set, "layer", o->embed.layer);
    mz_rn_str(r, set, "pooling", mz_pooling_name(o->embed.pooling));
    mz_rn_str(r, set, "contexts", o->corpus ? "corpus" : "sentence frames");
    mz_rn_int(r, set, "max_contexts", o->corpus ? (long long)o->max_contexts : 0);
    mz_rn_int(r, set, "samples", o->n_samples);
    mz_rn_int(r, set, "permutations", (long long)o->n_permutations);
    mz_rn_int(r, set, "bootstrap", o->n_bootstrap);
    mz_rn_num(r, set, "ci_level", o->ci_level);
    mz_rn_int(r, set, "null_reference", (long long)null_copies);
    for (size_t i = 0; i < n && !r->status; i++) {
        mz_rnode *fn;
        mz_results_probe_set(r, res[i].entry.set);
        mz_rnode *d = finding(r, sec, "ceat", &res[i].entry, &res[i].words, rules, &fn);
        if (!res[i].entry.computed) continue;
        const mz_meta_result *m = &res[i].meta;
        mz_rn_int(r, d, "contexts", (long long)res[i].n_contexts);
        mz_rnode *s = mz_rn_object(r, d, "samples_descriptive");
        mz_rn_num(r, s, "ces", m->effect);
        mz_rn_interval(r, s, m->ci_lo, m->ci_hi, o->ci_level);
        mz_rn_num(r, s, "q", m->q);
        mz_rn_num(r, s, "i2", m->i2);
        mz_rn_num(r, s, "tau2", m->tau2);
        mz_rn_num(r, s, "mean_effect", res[i].mean_effect);
        mz_rn_int(r, s, "samples", o->n_samples);
        mz_results_caveat(r, fn,
                          "the %u samples reuse the same words: the combined effect size and its "
                          "heterogeneity describe contexts; the test is over words",
                          o->n_samples);
    }
    return r->status;
}
