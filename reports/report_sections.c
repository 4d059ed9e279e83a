/* One renderer per test family, each reading only the results tree (never a test's structs), so
 * the audit, explain and compare reports draw a finding the same way, and a report re-rendered
 * from results.json shows exactly what the JSON holds. */
#include "compare_section.h"
#include "explain_section.h"
#include "report_read.h"

#include "mizani/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- Association tests: static, SEAT, CEAT ---------------------------------------------- */

/* The section's computed findings, social (controls = 0) or positive controls (1), sorted. */
static const json_t **computed(const json_t *section, int controls, size_t *n) {
    const json_t *list = json_object_get(section, "findings");
    const json_t **out = mz_calloc(json_array_size(list) + 1, sizeof *out);
    *n = 0;
    size_t i;
    const json_t *f;
    json_array_foreach(list, i, f) {
        if (out && mz_computed(f) &&
            json_is_true(json_object_get(f, "positive_control")) == controls)
            out[(*n)++] = f;
    }
    if (out) qsort(out, *n, sizeof *out, mz_finding_order);
    return out;
}

typedef mz_status (*plot_fn)(mz_page *, xmlNodePtr, const char *, const mz_interval_row *, size_t,
                             const mz_axis *);

/* One row per finding, drawn by `plot`; `tested` 0 draws none as significant (no test ran). */
static mz_status plot_findings(mz_page *p, xmlNodePtr parent, const json_t **f, size_t n,
                               const char *caption, const mz_axis *axis, plot_fn plot, int tested) {
    if (!n) return mz_page_status(p);
    mz_interval_row *rows = mz_calloc(n, sizeof *rows);
    char **labels = mz_calloc(n, sizeof *labels);
    int bad = !rows || !labels;
    for (size_t i = 0; !bad && i < n; i++) {
        bad = !(labels[i] = mz_finding_label(f[i]));
        mz_finding_row(&rows[i], f[i], labels[i]);
        rows[i].significant &= tested;
    }
    if (bad)
        p->failed = 1;
    else
        plot(p, parent, caption, rows, n, axis);
    for (size_t i = 0; labels && i < n; i++)
        mz_free(labels[i]);
    mz_free(labels);
    mz_free(rows);
    return mz_page_status(p);
}

static mz_status forest_of(mz_page *p, xmlNodePtr parent, const json_t **f, size_t n,
                           const char *caption, const char *effect_title) {
    mz_axis axis = {.title = effect_title, .ref = 0};
    return plot_findings(p, parent, f, n, caption, &axis, mz_widget_forest, 1);
}

/* The findings' table: test, language, dimension, effect with interval, p, Holm p, verdict,
 * units, the smallest detectable effect. */
static const mz_column finding_cols[] = {{"Test", 0},        {"Lang.", 0}, {"Dimension", 0},
                                         {"Effect [CI]", 1}, {"p", 1},     {"p (Holm)", 1},
                                         {"Verdict", 0},     {"Units", 1}, {"Detectable", 1}};

static void finding_cells(char **c, const json_t *f) {
    const json_t *u = json_object_get(f, "units");
    c[0] = mz_strdup(mz_finding_title(f));
    c[1] = mz_strdup(mz_jstr(f, "language", ""));
    c[2] = mz_strdup(mz_jstr(f, "dimension", ""));
    c[3] = mz_effect_text(f);
    c[4] = mz_pvalue_text(mz_jnum(f, "p"));
    c[5] = mz_pvalue_text(mz_jnum(f, "p_holm"));
    c[6] = mz_strdup(mz_verdict_text(f));
    c[7] = mz_strf("%lld %s", (long long)json_integer_value(json_object_get(u, "n")),
                   mz_jstr(u, "kind", ""));
    c[8] = mz_number_text(mz_jnum(f, "mde"));
}

static mz_status findings_table(mz_page *p, xmlNodePtr parent, const json_t **f, size_t n,
                                const char *caption) {
    return mz_findings_table(p, parent, caption, finding_cols,
                             sizeof finding_cols / sizeof *finding_cols, f, n, finding_cells);
}

/* Tests that were not computed or were skipped, with why. */
static mz_status not_computed(mz_page *p, xmlNodePtr parent, const json_t *section) {
    const json_t *list = json_object_get(section, "findings");
    size_t n = 0, i;
    const json_t *f;
    json_array_foreach(list, i, f) n += !mz_computed(f);
    if (!n) return mz_page_status(p);
    mz_missing_row *rows = mz_calloc(n, sizeof *rows);
    if (!rows) {
        p->failed = 1;
        return mz_page_status(p);
    }
    n = 0;
    json_array_foreach(list, i, f) {
        if (mz_computed(f)) continue;
        int skipped = !strcmp(mz_jstr(f, "status", ""), "skipped");
        rows[n++] = (mz_missing_row){
            mz_jstr(f, "title", mz_jstr(f, "id", "")), mz_jstr(f, "language", NULL),
            skipped ? "skipped" : "not computable", mz_jstr(f, "reason", "no reason given")};
    }
    mz_page_el(p, parent, "p",
               "Not computed: these tests are listed rather than run on what was left of their "
               "data, since a smaller test would measure something else.");
    mz_widget_not_computable(p, parent, rows, n);
    mz_free(rows);
    return mz_page_status(p);
}

/* Words a test lost (missing from the vectors, unknown to the tokenizer), every one of them. */
static void word_notes(mz_page *p, xmlNodePtr parent, const json_t *section) {
    xmlNodePtr ul = NULL;
    size_t i, j;
    const json_t *f, *note;
    json_array_foreach(json_object_get(section, "findings"), i, f) {
        json_array_foreach(json_object_get(json_object_get(f, "details"), "word_notes"), j, note) {
            if (!ul) {
                mz_page_el(p, parent, "p", "Probe words not found as written:");
                ul = mz_page_el(p, parent, "ul", NULL);
            }
            xmlNodePtr li = mz_page_elf(p, ul, "li", "%s, %s: ", mz_jstr(f, "id", ""),
                                        mz_jstr(note, "list", ""));
            xmlNodePtr words = mz_page_el(p, li, "span", mz_jstr(note, "text", ""));
            mz_page_lang(p, words, mz_jstr(f, "language", NULL));
        }
    }
}

static size_t count_significant(const json_t *section) {
    size_t n = 0, i;
    const json_t *f;
    json_array_foreach(json_object_get(section, "findings"), i, f) n +=
        mz_computed(f) && mz_jnum(f, "p_holm") < mz_alpha(f);
    return n;
}

static mz_status association(mz_page *p, xmlNodePtr sec, const json_t *section,
                             const char *effect_title) {
    size_t n_social, n_controls, total = json_array_size(json_object_get(section, "findings"));
    const json_t **social = computed(section, 0, &n_social);
    const json_t **controls = computed(section, 1, &n_controls);
    if (!social || !controls) p->failed = 1;
    mz_page_elf(p, sec, "p",
                "%zu of %zu tests could be computed. %zu of them show an association that holds "
                "after correcting for running them all at once (Holm, 5%% family-wise error).",
                n_social + n_controls, total, count_significant(section));
    if (social && controls) {
        forest_of(p, sec, social, n_social,
                  "Social associations: effect size d with its interval, by dimension "
                  "(Swahili and English side by side)",
                  effect_title);
        findings_table(p, sec, social, n_social, "Social associations");
        if (n_controls) {
            xmlNodePtr c = mz_page_section(p, sec, NULL, "Positive controls");
            mz_page_el(p, c, "p",
                       "Flowers/insects and instruments/weapons: associations every embedding "
                       "is expected to show. They check that the method works and are not "
                       "counted among the social findings.");
            forest_of(p, c, controls, n_controls, "Positive controls: effect size d", effect_title);
            findings_table(p, c, controls, n_controls, "Positive controls");
        }
    }
    mz_free(social);
    mz_free(controls);
    not_computed(p, sec, section);
    word_notes(p, sec, section);
    return mz_page_status(p);
}

/* SEAT's frames are quoted in each test's own language: a Swahili test gets a Swahili frame. */
static void frames_note(mz_page *p, xmlNodePtr sec, const json_t *section) {
    const json_t *frames = json_object_get(section, "frames");
    if (!json_is_object(frames) || !json_object_size(frames)) return;
    xmlNodePtr para = mz_page_el(p, sec, "p", "Example frames, in the language of the tests: ");
    mz_page_attr(p, para, "class", "note");
    const char *lang;
    const json_t *frame;
    json_object_foreach((json_t *)frames, lang, frame) {
        mz_page_elf(p, para, "span", "%s: ", lang);
        xmlNodePtr q = mz_page_el(p, para, "q", json_string_value(frame));
        mz_page_lang(p, q, lang);
        mz_page_el(p, para, "span", " ");
    }
}

/* Which p the table shows: the word-level one alone, or with SEAT's or CEAT's null reference. */
static void reference_note(mz_page *p, xmlNodePtr sec, const json_t *section) {
    const json_t *k = json_object_get(json_object_get(section, "settings"), "null_reference");
    if (!json_is_integer(k)) return;
    xmlNodePtr para =
        json_integer_value(k)
            ? mz_page_elf(p, sec, "p",
                          "p: for tests whose words share tokens, the larger of the word-level p "
                          "and that of the same test on %lld random-weight copies of the model "
                          "(the null reference); for the others, whose words are distinct "
                          "tokens, the word-level p, exact on a model that learned nothing.",
                          (long long)json_integer_value(k))
            : mz_page_el(p, sec, "p",
                         "p: the word-level p alone, without a null reference from random-weight "
                         "copies of the model (turned off, or a GGUF file): where a test's words "
                         "share tokens it cannot tell the tokenizer from learning.");
    mz_page_attr(p, para, "class", "note");
}

/* ---- Likelihood tests: minimal pairs, masked templates ------------------------------------ */

/* The tested pair (equal token counts: the others are not in the test) with the largest |gap|
 * not yet quoted; the audit explains the same pairs (audit_explain.c: strongest_pair). */
static const json_t *largest_gap(const json_t *f, const json_t **used, size_t n_used) {
    const json_t *best = NULL;
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(f, "items"), i, it) {
        int taken = 0;
        for (size_t k = 0; k < n_used; k++)
            taken |= used[k] == it;
        if (!taken && isfinite(mz_jnum(it, "gap")) &&
            !json_is_true(json_object_get(it, "unequal_token_counts")) &&
            (!best || fabs(mz_jnum(it, "gap")) > fabs(mz_jnum(best, "gap"))))
            best = it;
    }
    return best;
}

static void quote_pairs(mz_page *p, xmlNodePtr sec, const json_t *f) {
    enum { TOP = 3 };
    const json_t *used[TOP];
    size_t n = 0;
    while (n < TOP && (used[n] = largest_gap(f, used, n)))
        n++;
    if (!n) return;
    mz_page_elf(p, sec, "p",
                "%s: the tested pairs (equal token counts) with the largest score gaps",
                mz_finding_title(f));
    xmlNodePtr ul = mz_page_el(p, sec, "ul", NULL);
    for (size_t i = 0; i < n; i++) {
        xmlNodePtr li = mz_page_el(p, ul, "li", NULL);
        xmlNodePtr more = mz_page_el(p, li, "q", mz_jstr(used[i], "more", ""));
        mz_page_el(p, li, "span", " over ");
        xmlNodePtr less = mz_page_el(p, li, "q", mz_jstr(used[i], "less", ""));
        mz_page_lang(p, more, mz_jstr(f, "language", NULL));
        mz_page_lang(p, less, mz_jstr(f, "language", NULL));
        mz_page_elf(p, li, "span", " (log-likelihood gap %+.3f; %s)", mz_jnum(used[i], "gap"),
                    mz_jstr(used[i], "id", ""));
    }
}

static mz_status pairs(mz_page *p, xmlNodePtr sec, const json_t *section) {
    size_t n;
    const json_t **f = computed(section, 0, &n);
    if (!f) p->failed = 1;
    mz_axis axis = {.title = "share of pairs where the model prefers the more stereotypical "
                             "sentence (50%: no preference)",
                    .lo = 0,
                    .hi = 1,
                    .ref = 0.5};
    if (f) {
        plot_findings(p, sec, f, n,
                      "Preference for the more stereotypical sentence, per category, with "
                      "exact (Clopper-Pearson) intervals",
                      &axis, mz_widget_dots, 1);
        findings_table(p, sec, f, n, "Minimal pairs per category");
    }
    for (size_t i = 0; f && i < n; i++)
        quote_pairs(p, sec, f[i]);
    mz_free(f);
    return not_computed(p, sec, section);
}

/* Per-attribute bars of one masked-template finding. */
static void masked_bars(mz_page *p, xmlNodePtr sec, const json_t *f) {
    const json_t *items = json_object_get(f, "items");
    size_t n = json_array_size(items), i;
    if (!n) return;
    mz_interval_row *rows = mz_calloc(n, sizeof *rows);
    if (!rows) {
        p->failed = 1;
        return;
    }
    const json_t *it;
    json_array_foreach(items, i, it) {
        rows[i] = (mz_interval_row){mz_jstr(it, "item", ""),
                                    mz_jstr(f, "language", NULL),
                                    mz_jnum(it, "score"),
                                    NAN,
                                    NAN,
                                    0};
    }
    char *cap = mz_strf("%s: group bias per attribute", mz_finding_title(f));
    mz_axis axis = {.title = "log-probability ratio, first group minus second (0: no lean)",
                    .ref = 0};
    if (cap)
        mz_widget_bars(p, sec, cap, rows, n, &axis);
    else
        p->failed = 1;
    mz_free(cap);
    mz_free(rows);
}

static mz_status masked(mz_page *p, xmlNodePtr sec, const json_t *section) {
    size_t n;
    const json_t **f = computed(section, 0, &n);
    if (!f) p->failed = 1;
    if (f) findings_table(p, sec, f, n, "Masked templates: mean group bias over attributes");
    for (size_t i = 0; f && i < n; i++)
        masked_bars(p, sec, f[i]);
    mz_free(f);
    return not_computed(p, sec, section);
}

/* ---- Tokenizer fairness, explanations, comparisons --------------------------------------- */

/* Findings whose effect is one of `names` (a NULL-terminated list), or not one of them. */
static size_t by_effect(const json_t **f, size_t n, const char *const *names, int in,
                        const json_t **out) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = mz_jstr(json_object_get(f[i], "effect"), "name", "");
        int hit = 0;
        for (const char *const *q = names; *q; q++)
            hit |= !strcmp(*q, e);
        if (hit == in) out[k++] = f[i];
    }
    return k;
}

static mz_status fairness(mz_page *p, xmlNodePtr sec, const json_t *section) {
    size_t n;
    const json_t **f = computed(section, 0, &n);
    const json_t **part = mz_calloc(n + 1, sizeof *part);
    if (!f || !part) p->failed = 1;
    static const char *const times[] = {"premium", "fertility", NULL};
    mz_axis tokens = {.title = "tokens (premium: times as many for the same content; fertility: "
                               "per word); 1: parity",
                      .ref = 1},
            shares = {
                .title = "share of words or tokens", .lo = 0, .hi = 1, .ref = 0, .percent = 1};
    if (f && part) {
        size_t k = by_effect(f, n, times, 1, part);
        plot_findings(p, sec, part, k,
                      "Tokens for the same content, and per word, with bootstrap "
                      "intervals over segments",
                      &tokens, mz_widget_bars, 0);
        k = by_effect(f, n, times, 0, part);
        plot_findings(p, sec, part, k,
                      "Words split into several tokens, and unknown and "
                      "byte-fallback tokens, with bootstrap intervals",
                      &shares, mz_widget_bars, 0);
        findings_table(p, sec, f, n, "Tokenizer fairness");
    }
    mz_free(part);
    for (size_t i = 0; f && i < n; i++) {
        const json_t *words = json_object_get(json_object_get(f[i], "details"), "worst_split");
        if (!json_array_size(words)) continue;
        mz_page_elf(p, sec, "p", "%s: the words split into the most tokens",
                    mz_finding_title(f[i]));
        xmlNodePtr ul = mz_page_el(p, sec, "ul", NULL);
        size_t k;
        const json_t *w;
        json_array_foreach(words, k, w) {
            xmlNodePtr li = mz_page_el(p, ul, "li", NULL);
            xmlNodePtr word = mz_page_el(p, li, "span", mz_jstr(w, "word", ""));
            mz_page_lang(p, word, mz_jstr(f[i], "language", NULL));
            mz_page_elf(p, li, "span", ": %lld tokens",
                        (long long)json_integer_value(json_object_get(w, "tokens")));
        }
    }
    mz_free(f);
    return not_computed(p, sec, section);
}

static mz_status generic(mz_page *p, xmlNodePtr sec, const json_t *section, const char *what) {
    size_t n;
    const json_t **f = computed(section, 0, &n);
    if (!f) p->failed = 1;
    if (f) forest_of(p, sec, f, n, what, what);
    if (f) findings_table(p, sec, f, n, what);
    mz_free(f);
    return not_computed(p, sec, section);
}

mz_status mz_report_section(mz_page *p, xmlNodePtr parent, const mz_results *r,
                            const char *family) {
    const json_t *sections = json_object_get(mz_results_json(r), "sections");
    const json_t *section = json_object_get(sections, family);
    if (!section) return mz_page_status(p);
    xmlNodePtr sec = mz_page_section(p, parent, family, mz_jstr(section, "title", family));
    if (!strcmp(family, "static") || !strcmp(family, "seat") || !strcmp(family, "ceat")) {
        association(p, sec, section, "effect size d (0: no association)");
        if (!strcmp(family, "seat")) frames_note(p, sec, section);
        if (strcmp(family, "static")) reference_note(p, sec, section);
    } else if (!strcmp(family, "pairs"))
        pairs(p, sec, section);
    else if (!strcmp(family, "masked"))
        masked(p, sec, section);
    else if (!strcmp(family, "fairness"))
        fairness(p, sec, section);
    else if (!strcmp(family, "explain"))
        mz_explain_section(p, sec, section);
    else if (!strcmp(family, "compare"))
        mz_compare_section(p, sec, mz_results_json(r), section);
    else
        generic(p, sec, section, family);
    return mz_page_status(p);
}

mz_status mz_report_method(mz_page *p, xmlNodePtr parent, const mz_results *r, const char *family,
                           const char *title) {
    const json_t *section =
        json_object_get(json_object_get(mz_results_json(r), "sections"), family);
    const json_t *m = json_object_get(section, "method");
    if (!m) return mz_page_status(p);
    const json_t *cites = json_object_get(m, "citations");
    size_t n = json_array_size(cites), i;
    const char **c = mz_calloc(n + 1, sizeof *c);
    const json_t *x;
    json_array_foreach(cites, i, x) if (c) c[i] = json_string_value(x);
    xmlNodePtr note = mz_page_section(p, parent, NULL, title);
    if (c)
        mz_widget_method(p, note, mz_jstr(m, "text", ""), c, n);
    else
        p->failed = 1;
    mz_free(c);
    return mz_page_status(p);
}
