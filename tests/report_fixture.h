/* A results tree with a section of every test family and every widget on its page, including
 * hostile text: a probe word that is a script tag, one that closes an attribute, a 10,000-
 * character word, and Swahili text with multi-byte characters. Used by test_report_html and, via
 * `test_report_html --write DIR`, by the browser test. */
#ifndef MZ_TESTS_REPORT_FIXTURE_H
#define MZ_TESTS_REPORT_FIXTURE_H

#include "mizani/alloc.h"
#include "mizani/results.h"

#include <math.h>
#include <string.h>

#define FIX_SCRIPT "<script>alert(1)</script>"
#define FIX_ATTR   "\" onmouseover=\"x"

/* A word of n characters "ŋ" ... (two bytes each) ending in "!": built once, freed by caller. */
static char *fixture_long_word(size_t n) {
    char *w = mz_malloc(2 * n + 2);
    if (!w) return NULL;
    for (size_t i = 0; i < n; i++)
        memcpy(w + 2 * i, "\xC5\x8B", 2);
    w[2 * n] = '!';
    w[2 * n + 1] = '\0';
    return w;
}

static void fixture_association(mz_results *r, const char *family, const char *title,
                                const char *long_word) {
    mz_rnode *sec = mz_results_section(r, family, title);
    static const char *cites[] = {"Caliskan et al. (2017). Science 356(6334)."};
    mz_results_method(r, sec, "WEAT's d with a bootstrap interval.", cites, 1);
    if (!strcmp(family, "seat")) {
        mz_rnode *frames = mz_rn_object(r, sec, "frames");
        mz_rn_str(r, frames, "sw", "Hiki ni {word}.");
        mz_rn_str(r, frames, "en", "This is {word}.");
    }
    static const struct {
        const char *id, *lang, *dim;
        double d, lo, hi, p;
        int control;
    } rows[] = {
        {"gender-sw", "sw", "gender", 1.2, 0.7, 1.6, 0.001, 0},
        {"gender-en", "en", "gender", 0.3, -0.4, 0.9, 0.4, 0},
        {"religion-sw", "sw", "religion", -0.1, -0.3, 0.2, 0.7, 0},
        {"flowers-en", "en", "attitude (control test)", 1.5, 1.1, 1.8, 0.0001, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        mz_finding f = mz_finding_init(family, rows[i].id);
        f.probe_set = rows[i].id;
        f.language = rows[i].lang;
        f.dimension = rows[i].dim;
        f.title = i == 1 ? "Mwanamume vs mwanamke " FIX_SCRIPT : rows[i].id;
        f.positive_control = rows[i].control;
        f.effect = "d";
        f.estimate = rows[i].d;
        f.ci_lo = rows[i].lo;
        f.ci_hi = rows[i].hi;
        f.ci_level = 0.95;
        f.p = rows[i].p / 2;
        f.p_holm = rows[i].p;
        f.units = MZ_UNITS_WORDS;
        f.n_units = 16;
        f.mde = 1.1;
        mz_rnode *fn = mz_results_finding(r, sec, &f);
        mz_rnode *items = mz_rn_array(r, fn, "items");
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_str(r, it, "item", i == 0 ? FIX_ATTR : "mwalimu");
        mz_rn_str(r, it, "role", "X");
        mz_rn_num(r, it, "score", 0.12);
        mz_rnode *notes = mz_rn_array(r, mz_rn_object(r, fn, "details"), "word_notes");
        mz_rnode *note = mz_rn_object(r, notes, NULL);
        mz_rn_str(r, note, "list", "target X 'wanaume', missing");
        mz_rn_str(r, note, "text", i == 0 ? long_word : "ng'ombe, " FIX_SCRIPT);
    }
    mz_finding nc = mz_finding_init(family, "age-sw");
    nc.language = "sw";
    nc.title = "Vijana vs wazee " FIX_ATTR;
    nc.status = MZ_FINDING_NOT_COMPUTABLE;
    nc.reason = "target X set 'vijana' lost 3 of 8 words (limit 20%): kijana, ŋŋ, " FIX_SCRIPT;
    mz_results_finding(r, sec, &nc);
}

static void fixture_pairs(mz_results *r) {
    mz_rnode *sec = mz_results_section(r, "pairs", "Minimal pairs");
    static const char *cats[] = {"gender", "religion", "age"};
    for (int i = 0; i < 3; i++) {
        mz_finding f = mz_finding_init("pairs", cats[i]);
        f.language = i == 1 ? "en" : "sw";
        f.dimension = cats[i];
        f.title = cats[i];
        f.effect = "preference_rate";
        f.null_value = 0.5;
        f.threshold = 0.1;
        f.estimate = 0.5 + 0.1 * i;
        f.ci_lo = f.estimate - 0.15;
        f.ci_hi = f.estimate + 0.12;
        f.ci_level = 0.95;
        f.p = f.p_holm = i == 2 ? 0.01 : 0.5;
        f.units = MZ_UNITS_PAIRS;
        f.n_units = 25;
        mz_rnode *fn = mz_results_finding(r, sec, &f);
        mz_rnode *items = mz_rn_array(r, fn, "items");
        for (int k = 0; k < 4; k++) {
            mz_rnode *it = mz_rn_object(r, items, NULL);
            mz_rn_strf(r, it, "id", "%s-%03d", cats[i], k);
            mz_rn_str(r, it, "more",
                      k == 0 ? "Daktari alisema " FIX_SCRIPT : "Mwanamume ni daktari.");
            mz_rn_str(r, it, "less", "Mwanamke ni daktari.");
            mz_rn_num(r, it, "score_more", -10.0 - k);
            mz_rn_num(r, it, "score_less", -11.5);
            mz_rn_num(r, it, "gap", 1.5 - k);
        }
    }
}

static void fixture_masked(mz_results *r) {
    mz_rnode *sec = mz_results_section(r, "masked", "Masked templates");
    mz_finding f = mz_finding_init("masked", "occupations-gender-sw");
    f.language = "sw";
    f.dimension = "gender";
    f.title = "Kazi na jinsia";
    f.effect = "log_probability_ratio";
    f.estimate = 0.4;
    f.ci_lo = 0.1;
    f.ci_hi = 0.7;
    f.ci_level = 0.95;
    f.p = f.p_holm = 0.02;
    f.units = MZ_UNITS_TEMPLATES;
    f.n_units = 12;
    mz_rnode *items = mz_rn_array(r, mz_results_finding(r, sec, &f), "items");
    static const char *attrs[] = {"daktari", "mhandisi", "muuguzi", FIX_SCRIPT};
    for (int k = 0; k < 4; k++) {
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_str(r, it, "item", attrs[k]);
        mz_rn_num(r, it, "score", 0.8 - 0.5 * k);
    }
}

static void fixture_fairness(mz_results *r) {
    mz_rnode *sec = mz_results_section(r, "fairness", "Tokenizer fairness");
    mz_finding f = mz_finding_init("fairness", "premium-sw-en");
    f.language = "sw";
    f.title = "Premium of Swahili over English";
    f.effect = "premium";
    f.null_value = 1;
    f.estimate = 1.92;
    f.ci_lo = 1.81;
    f.ci_hi = 2.08;
    f.ci_level = 0.95;
    f.units = MZ_UNITS_SEGMENTS;
    f.n_units = 31;
    mz_rnode *fn = mz_results_finding(r, sec, &f);
    mz_rnode *words = mz_rn_array(r, mz_rn_object(r, fn, "details"), "worst_split");
    mz_rnode *w = mz_rn_object(r, words, NULL);
    mz_rn_str(r, w, "word", "haikubaguliwa");
    mz_rn_int(r, w, "tokens", 6);
}

/* One explanation as `mizani explain` writes it (SCHEMA.md): word scores over byte spans of a
 * text holding markup, its faithfulness, a 2-layer, 2-head attention map and its attribution. */
static void fixture_explain(mz_results *r) {
    mz_rnode *sec = mz_results_section(r, "explain", "Explanations");
    mz_finding f = mz_finding_init("explain", "explain-1");
    f.language = "sw";
    f.title = "Mwanamume ni daktari.";
    f.effect = "log_probability_difference";
    f.estimate = 1.3;
    f.units = MZ_UNITS_TOKENS;
    f.n_units = 4;
    mz_rnode *d = mz_rn_object(r, mz_results_finding(r, sec, &f), "details");
    const char *text = "Mwanamume ni daktari <b>ŋ</b>.";
    mz_rn_str(r, d, "label", "--text");
    mz_rn_str(r, d, "text", text);
    mz_rn_str(r, d, "target", "log P(daktari) - log P(muuguzi) at [MASK]");
    mz_rn_num(r, d, "f_x", 1.3);
    mz_rn_num(r, d, "f_baseline", 0.1);
    mz_rnode *st = mz_rn_object(r, d, "settings");
    mz_rn_str(r, st, "baseline", "mask");
    mz_rn_int(r, st, "steps", 50);
    mz_rn_str(r, st, "rule", "gauss-legendre");
    mz_rnode *c = mz_rn_object(r, d, "completeness");
    mz_rn_num(r, c, "sum", 1.26);
    mz_rn_num(r, c, "delta", 1.2);
    mz_rn_num(r, c, "gap", 0.05);
    mz_rn_bool(r, c, "warning", 1);
    static const size_t spans[4][2] = {{0, 9}, {10, 12}, {13, 20}, {21, 30}};
    static const double scores[4] = {0.9, -0.2, 0.4, -0.7}, curve[5] = {1.3, 0.2, 0, -0.1, -0.2};
    mz_rnode *words = mz_rn_array(r, d, "words");
    for (int i = 0; i < 4; i++) {
        mz_rnode *w = mz_rn_object(r, words, NULL);
        mz_rn_int(r, w, "start", (long long)spans[i][0]);
        mz_rn_int(r, w, "end", (long long)spans[i][1]);
    }
    mz_rnode *ig = mz_rn_object(r, mz_rn_object(r, d, "methods"), "ig");
    mz_rn_nums(r, ig, "words", scores, 4);
    mz_rnode *fa = mz_rn_object(r, ig, "faithfulness");
    mz_rn_nums(r, fa, "deletion", curve, 5);
    mz_rn_num(r, fa, "deletion_area", 0.1);
    mz_rn_num(r, fa, "insertion_area", 0.9);
    mz_rn_num(r, fa, "comprehensiveness", 1.2);
    mz_rn_num(r, fa, "sufficiency", 0.2);
    mz_rnode *att = mz_rn_object(r, d, "attention");
    mz_rn_int(r, att, "layers", 2);
    mz_rn_int(r, att, "heads", 2);
    mz_rn_int(r, att, "big_layer", 1);
    mz_rn_int(r, att, "big_head", 0);
    static const char *labels[4] = {"Mwanamume", "ni", "daktari", FIX_ATTR};
    mz_rn_strs(r, att, "labels", labels, 4);
    double v[2 * 2 * 4 * 4];
    for (int i = 0; i < 64; i++)
        v[i] = (double)((i * 7) % 16) / 16;
    mz_rn_nums(r, att, "values", v, 64);
    mz_rnode *aa = mz_rn_object(r, d, "attattr");
    mz_rn_nums(r, aa, "values", v, 64);
    mz_rn_nums(r, aa, "head_importance", v, 4);
    mz_rnode *e = mz_rn_object(r, mz_rn_array(r, aa, "edges"), NULL);
    mz_rn_int(r, e, "layer", 1);
    mz_rn_int(r, e, "from", 3);
    mz_rn_int(r, e, "to", 0);
    mz_rn_num(r, e, "score", 0.8);
    static const char *notes[1] = {"attention flow: a note with " FIX_SCRIPT};
    mz_rn_strs(r, d, "notes", notes, 1);
}

/* Two consecutive comparisons of one finding (checkpoints 1 -> 2 -> 3) as `mizani compare`
 * writes them: the paired plot, the change's forest plot and the trajectory all drawn. */
static void fixture_compare(mz_results *r) {
    mz_rnode *sec = mz_results_section(r, "compare", "Before and after fine-tuning");
    static const double d[3] = {0.3, 0.9, 0.8};
    for (int to = 2; to <= 3; to++) {
        char id[32];
        snprintf(id, sizeof id, "static/gender-sw@%d", to);
        mz_finding f = mz_finding_init("compare", id);
        f.language = "sw";
        f.title = "gender-sw " FIX_SCRIPT;
        f.effect = "change_in_d";
        f.estimate = d[to - 1] - d[to - 2];
        f.ci_lo = f.estimate - 0.4;
        f.ci_hi = f.estimate + 0.4;
        f.ci_level = 0.95;
        f.p = f.p_holm = to == 2 ? 0.004 : 0.6;
        f.threshold = 0.2;
        f.units = MZ_UNITS_WORDS;
        f.n_units = 16;
        mz_rnode *dt = mz_rn_object(r, mz_results_finding(r, sec, &f), "details");
        mz_rn_str(r, dt, "compared_family", "static");
        mz_rn_str(r, dt, "test", "gender-sw");
        mz_rn_int(r, dt, "from", to - 1);
        mz_rn_int(r, dt, "to", to);
        mz_rn_str(r, dt, "outcome", to == 2 ? "regressed" : "unchanged");
        mz_rn_str(r, dt, "in_words", to == 2 ? "regressed: bias grew " FIX_ATTR : "unchanged");
        mz_rn_bool(r, dt, "fails_gate", to == 2);
        for (int side = 0; side < 2; side++) {
            mz_rnode *o = mz_rn_object(r, dt, side ? "after" : "before");
            mz_rn_num(r, o, "estimate", d[to - 2 + side]);
            mz_rn_interval(r, o, d[to - 2 + side] - 0.3, d[to - 2 + side] + 0.3, 0.95);
        }
        mz_rnode *pd = mz_rn_object(r, dt, "paired");
        mz_rn_num(r, pd, "before", d[to - 2]);
        mz_rn_num(r, pd, "after", d[to - 1]);
        mz_rn_num(r, pd, "null", 0);
    }
}

/* The whole fixture; MZ_OK or the tree's first failure. */
static mz_status fixture_build(mz_results **out, mz_ctx *ctx) {
    mz_status rc = mz_results_new(out, "audit", ctx);
    if (rc) return rc;
    mz_results *r = *out;
    char *long_word = fixture_long_word(10000);
    if (!long_word) return MZ_ERR_NOMEM;
    static const char *argv[] = {"mizani",
                                 "audit",
                                 "--model",
                                 "./m\xff"
                                 "del",
                                 "--probes",
                                 FIX_SCRIPT};
    mz_results_set_command(r, 6, argv);
    mz_results_set_seed(r, 7, 2);
    mz_rn_str(r, mz_results_config(r), "tests", "static,seat,ceat,pairs");
    mz_rnode *s = mz_results_subject(r, "model");
    mz_rn_str(r, s, "architecture", "bert");
    mz_rn_path(r, s, "path",
               "./m\xff"
               "del");
    fixture_fairness(r);
    fixture_association(r, "static", "Association tests on input embeddings", long_word);
    fixture_association(r, "seat", "Sentence embeddings (SEAT)", long_word);
    fixture_association(r, "ceat", "Contextual embeddings (CEAT)", long_word);
    fixture_pairs(r);
    fixture_masked(r);
    fixture_explain(r);
    fixture_compare(r);
    mz_free(long_word);
    return mz_results_status(r);
}

#endif
