/* Tokenizer fairness into the results tree: the premium of the second language over the first
 * and each language's fertility and rates, each with its interval over segments (descriptions,
 * not tests: no verdict), the worst-split words and every segment's counts as items. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"

#include <math.h>

static const char *const method =
    "Tokenizer fairness (Petrov et al. 2023; Rust et al. 2021): the same content in both "
    "languages (the Universal Declaration of Human Rights, article by article) is tokenized as "
    "the model does. The premium is how many times more tokens the second language needs for "
    "it; fertility is tokens per whitespace-separated word; split words are words cut into two "
    "or more tokens; unknown and byte-fallback rates are shares of tokens. Intervals are "
    "percentile bootstraps over the aligned segments. A tokenizer that splits a language's words "
    "finely gives the model less of each word and less text in its context: these are "
    "descriptions of the tokenizer, not tests of a bias.";
static const char *const citations[] = {
    "Petrov, La Malfa, Torr and Bibi (2023). Language model tokenizers introduce unfairness "
    "between languages. NeurIPS.",
    "Rust, Pfeiffer, Vulić, Ruder and Gurevych (2021). How good is your tokenizer? On the "
    "monolingual performance of multilingual language models. ACL."};

typedef struct rate {
    const char *id, *effect, *title;
    double value;
    const double *ci;
    mz_units units;
    size_t n;
} rate;

static mz_rnode *descriptive(mz_results *r, mz_rnode *sec, const rate *x, const char *lang,
                             double null_value, double level) {
    char *id = mz_strf("%s-%s", x->id, lang), *title = mz_strf("%s (%s)", x->title, lang);
    mz_rnode *fn = NULL;
    if (id && title) {
        mz_finding f = mz_finding_init("fairness", id);
        f.language = lang, f.dimension = "tokenization", f.title = title;
        f.effect = x->effect;
        f.estimate = x->value, f.null_value = null_value;
        f.ci_lo = x->ci[0], f.ci_hi = x->ci[1], f.ci_level = isfinite(x->ci[0]) ? level : 0;
        f.units = x->units, f.n_units = x->n;
        fn = mz_results_finding(r, sec, &f);
    } else if (!r->status)
        r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_free(id), mz_free(title);
    return fn;
}

static void premium(mz_results *r, mz_rnode *sec, const mz_fairness *f, const mz_probe_set *p) {
    const double ci[2] = {f->premium_ci_lo, f->ci_level > 0 ? f->premium_ci_hi : NAN};
    const char *a = f->lang[0].language, *b = f->lang[1].language;
    char *title = mz_strf("Premium: tokens for the same content in %s over %s", b, a);
    rate x = {"premium", "premium",         title ? title : "", f->premium,
              ci,        MZ_UNITS_SEGMENTS, f->segments};
    mz_rnode *fn = descriptive(r, sec, &x, b, 1, f->ci_level);
    mz_free(title);
    mz_rnode *d = mz_rn_object(r, fn, "details");
    mz_rnode *langs = mz_rn_array(r, d, "languages");
    for (int l = 0; l < 2; l++) {
        const mz_fairness_lang *x = &f->lang[l];
        mz_rnode *o = mz_rn_object(r, langs, NULL);
        mz_rn_str(r, o, "language", x->language);
        mz_rn_int(r, o, "words", (long long)x->words);
        mz_rn_int(r, o, "tokens", (long long)x->tokens);
        mz_rn_int(r, o, "bytes", (long long)x->bytes);
        mz_rn_num(r, o, "fertility", x->fertility);
        mz_rn_num(r, o, "continued_share", x->continued_share);
        mz_rn_num(r, o, "unk_rate", x->unk_rate);
        mz_rn_num(r, o, "byte_fallback_rate", x->byte_fallback_rate);
    }
    mz_rnode *worst = mz_rn_array(r, d, "worst_split");
    for (size_t i = 0; i < f->n_worst; i++) {
        mz_rnode *o = mz_rn_object(r, worst, NULL);
        mz_rn_str(r, o, "word", f->worst[i].word);
        mz_rn_int(r, o, "tokens", (long long)f->worst[i].tokens);
    }
    mz_rnode *dict = mz_rn_object(r, d, "dictionary");
    mz_rn_int(r, dict, "words", (long long)f->dict_words);
    mz_rn_int(r, dict, "whole", (long long)f->dict_whole);
    mz_rn_num(r, dict, "whole_share", f->dict_words ? f->dict_whole_share : NAN);
    mz_rnode *items = mz_rn_array(r, fn, "items");
    for (size_t s = 0; s < f->segments; s++) {
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_str(r, it, "item", p->segments[s].id);
        for (int l = 0; l < 2; l++) {
            char key[64];
            snprintf(key, sizeof key, "tokens_%s", f->lang[l].language);
            mz_rn_int(r, it, key, (long long)f->per_segment[l][s].tokens);
            snprintf(key, sizeof key, "words_%s", f->lang[l].language);
            mz_rn_int(r, it, key, (long long)f->per_segment[l][s].words);
        }
    }
}

mz_status mz_report_fairness(mz_results *r, const mz_fairness *f, const mz_probe_set *parallel,
                             uint32_t n_bootstrap) {
    mz_rnode *sec = mz_results_section(r, "fairness", "Tokenizer fairness");
    mz_results_method(r, sec, method, citations, sizeof citations / sizeof *citations);
    mz_rnode *set = mz_rn_object(r, sec, "settings");
    mz_rn_int(r, set, "bootstrap", n_bootstrap);
    mz_rn_num(r, set, "ci_level", f->ci_level);
    mz_results_probe_set(r, parallel);
    premium(r, sec, f, parallel);
    for (int l = 0; l < 2 && !r->status; l++) {
        const mz_fairness_lang *x = &f->lang[l];
        const rate rates[] = {
            {"fertility", "fertility", "Fertility: tokens per word", x->fertility, x->fertility_ci,
             MZ_UNITS_SEGMENTS, f->segments},
            {"split-words", "continued_share", "Words split into two or more tokens",
             x->continued_share, x->continued_ci, MZ_UNITS_SEGMENTS, f->segments},
            {"unknown", "unk_rate", "Unknown tokens", x->unk_rate, x->unk_ci, MZ_UNITS_SEGMENTS,
             f->segments},
            {"byte-fallback", "byte_fallback_rate", "Byte-fallback tokens", x->byte_fallback_rate,
             x->byte_fallback_ci, MZ_UNITS_SEGMENTS, f->segments}};
        for (size_t k = 0; k < sizeof rates / sizeof *rates; k++) /* items: the premium's */
            mz_rn_array(r, descriptive(r, sec, &rates[k], x->language, NAN, f->ci_level), "items");
    }
    return r->status;
}
