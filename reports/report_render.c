/* The whole report of one results tree: a plain-language summary with verdicts (Swahili beside
 * English, positive controls apart), the transparency card, each family's section, the methods
 * and the command that reproduces the run. */
#include "report_read.h"

#include "mizani/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const families[] = {"fairness", "static", "seat",    "ceat",
                                       "pairs",    "masked", "explain", "compare"};
enum { N_FAMILIES = sizeof families / sizeof *families };

/* What a reader might do next, by verdict. */
static const char *next_step(const json_t *f) {
    const char *v = mz_jstr(f, "verdict", "");
    if (json_is_true(json_object_get(f, "positive_control")))
        return !strcmp(v, "evidence")
                   ? "None: the method finds the association every model is expected to show."
                   : "The method missed an association every model is expected to show: read "
                     "this family's other findings with caution.";
    if (!strcmp(v, "evidence"))
        return "Before fine-tuning on data of this language, add balanced examples for this "
               "dimension, and audit again afterwards.";
    if (!strcmp(v, "inconclusive"))
        return "The data cannot settle it: more probe words or pairs (see the units) would.";
    return "Nothing to act on from this test; its smallest detectable effect says how small a "
           "bias it could have missed.";
}

/* A comparison of two languages (language "sw-en"), not a finding about one. */
static int comparison(const json_t *f) { return strchr(mz_jstr(f, "language", ""), '-') != NULL; }

/* Every computed social finding of the tree with a verdict, in reading order (family,
 * dimension, sw, en); controls: the positive controls instead; comparisons: the computed
 * comparisons of two languages instead (with or without a verdict). */
static size_t social_findings(const json_t *root, const json_t **out, size_t cap, int controls,
                              int comparisons) {
    size_t n = 0;
    const json_t *sections = json_object_get(root, "sections");
    for (int k = 0; k < N_FAMILIES; k++) {
        size_t i;
        const json_t *f;
        if (!strcmp(families[k], "compare") || !strcmp(families[k], "explain")) continue;
        json_array_foreach(json_object_get(json_object_get(sections, families[k]), "findings"), i,
                           f) {
            if (!mz_computed(f) || comparison(f) != comparisons ||
                json_is_true(json_object_get(f, "positive_control")) != controls ||
                (!comparisons && json_is_null(json_object_get(f, "verdict"))))
                continue;
            if (out && n < cap) out[n] = f;
            n++;
        }
    }
    return n;
}

static const mz_column verdict_cols[] = {{"Finding", 0},     {"Lang.", 0},    {"Verdict", 0},
                                         {"Effect [CI]", 1}, {"p (Holm)", 1}, {"Detectable", 1},
                                         {"What next", 0}};

static void verdict_cells(char **c, const json_t *f) {
    char *says = mz_finding_sentence(f);
    c[0] =
        says ? mz_strf("%s (%s): %s", mz_finding_title(f), mz_jstr(f, "family", ""), says) : NULL;
    mz_free(says);
    c[1] = mz_strdup(mz_jstr(f, "language", ""));
    c[2] = mz_strdup(mz_verdict_text(f));
    c[3] = mz_effect_text(f);
    c[4] = mz_pvalue_text(mz_jnum(f, "p_holm"));
    c[5] = mz_number_text(mz_jnum(f, "mde"));
    c[6] = mz_strdup(next_step(f));
}

static void verdict_table(mz_page *p, xmlNodePtr sec, const json_t **f, size_t n,
                          const char *caption) {
    mz_findings_table(p, sec, caption, verdict_cols, sizeof verdict_cols / sizeof *verdict_cols, f,
                      n, verdict_cells);
}

/* The rule in words, with the thresholds the findings carry (the first of each effect). */
static void rule_text(mz_page *p, xmlNodePtr sec, const json_t **f, size_t n) {
    double d = NAN, rate = NAN, ratio = NAN, alpha = 0.05;
    for (size_t i = 0; i < n; i++) {
        const char *e = mz_jstr(json_object_get(f[i], "effect"), "name", "");
        double t = mz_jnum(json_object_get(f[i], "rule"), "threshold");
        alpha = mz_alpha(f[i]);
        if (!strcmp(e, "d") && !isfinite(d)) d = t;
        if (!strcmp(e, "preference_rate") && !isfinite(rate)) rate = t;
        if (!strcmp(e, "log_probability_ratio") && !isfinite(ratio)) ratio = t;
    }
    mz_page_elf(p, sec, "p",
                "Verdict rule: clear evidence when the Holm-adjusted p is below %g and the effect "
                "reaches its threshold (association tests |d| >= %.2g; minimal pairs a preference "
                "%.0f points from 50%%; masked templates a mean log-probability ratio of %.2g); "
                "no evidence when p is not significant and the interval rules out an effect of "
                "that size (or, without one, the smallest detectable effect is below it); "
                "inconclusive otherwise. 'No evidence' from a few words is not 'no bias': the "
                "Detectable column gives the smallest effect each test could have found.",
                alpha, isfinite(d) ? d : 0.5, 100 * (isfinite(rate) ? rate : 0.1),
                isfinite(ratio) ? ratio : 0.25);
}

static const mz_column compare_cols[] = {{"Comparison", 0},      {"Languages", 0},
                                         {"Difference [CI]", 1}, {"p (Holm)", 1},
                                         {"Units", 1},           {"Detectable", 1}};

static void compare_cells(char **c, const json_t *f) {
    const json_t *u = json_object_get(f, "units");
    c[0] = mz_strf("%s (%s)", mz_finding_title(f), mz_jstr(f, "family", ""));
    c[1] = mz_strdup(mz_jstr(f, "language", ""));
    c[2] = mz_effect_text(f);
    c[3] = mz_pvalue_text(mz_jnum(f, "p_holm"));
    c[4] = mz_strf("%lld %s", (long long)json_integer_value(json_object_get(u, "n")),
                   mz_jstr(u, "kind", ""));
    c[5] = mz_number_text(mz_jnum(f, "mde"));
}

/* Does a bias differ between Swahili and English? Only where the tests are parallel. */
static void languages(mz_page *p, xmlNodePtr sec, const json_t *root) {
    size_t n = social_findings(root, NULL, 0, 0, 1);
    xmlNodePtr sub = mz_page_section(p, sec, "languages", "Swahili and English");
    mz_page_el(p, sub, "p",
               "Swahili and English findings sit side by side in the table above. Whether a bias "
               "differs between the languages is tested where the probe sets are parallel: the "
               "minimal pairs, translated pair by pair (a paired sign-flip test over clusters), "
               "and the masked templates (target words paired across the languages and "
               "permuted between the groups). The association tests of the "
               "two languages use word lists written for each language and are not compared.");
    const json_t **f = mz_calloc(n + 1, sizeof *f);
    if (!f) {
        p->failed = 1;
        return;
    }
    social_findings(root, f, n, 0, 1);
    if (n)
        mz_findings_table(p, sub, "Differences between the languages (the first minus the second)",
                          compare_cols, sizeof compare_cols / sizeof *compare_cols, f, n,
                          compare_cells);
    else
        mz_page_el(p, sub, "p", "No parallel sets were tested in this run.");
    mz_free(f);
}

static void summary(mz_page *p, xmlNodePtr main, const json_t *root) {
    xmlNodePtr sec = mz_page_section(p, main, "summary", "Summary");
    size_t n = social_findings(root, NULL, 0, 0, 0), nc = social_findings(root, NULL, 0, 1, 0);
    const json_t **f = mz_calloc(n + nc + 1, sizeof *f);
    if (!f) {
        p->failed = 1;
        return;
    }
    social_findings(root, f, n, 0, 0);
    social_findings(root, f + n, nc, 1, 0);
    qsort(f, n, sizeof *f, mz_finding_order);
    qsort(f + n, nc, sizeof *f, mz_finding_order);
    size_t count[3] = {0};
    for (size_t i = 0; i < n; i++)
        for (int v = 0; v < 3; v++)
            count[v] += !strcmp(mz_jstr(f[i], "verdict", ""), mz_verdict_names[v]);
    mz_page_elf(p, sec, "p",
                "%zu social findings: %zu with clear evidence of bias, %zu inconclusive, %zu "
                "with no evidence. Positive controls (%zu) are listed apart and not counted.",
                n, count[0], count[1], count[2], nc);
    rule_text(p, sec, f, n);
    verdict_table(p, sec, f, n, "Findings, Swahili beside English within each dimension");
    languages(p, sec, root);
    if (nc) {
        xmlNodePtr c = mz_page_section(p, sec, "controls", "Positive controls");
        mz_page_el(p, c, "p",
                   "Associations every model is expected to show (flowers/insects, "
                   "instruments/weapons): they check that the method works and are not counted "
                   "among the social findings.");
        verdict_table(p, c, f + n, nc, "Positive controls (checks that the method works)");
    }
    mz_free(f);
}

/* Every member of an object as a definition list, nested objects flattened with dots. */
static void card_rows(mz_page *p, xmlNodePtr dl, const json_t *obj, const char *prefix) {
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!prefix && !strcmp(key, "stages")) continue; /* listed under what was tested */
        char *name = prefix ? mz_strf("%s.%s", prefix, key) : mz_strdup(key);
        if (!name) {
            p->failed = 1;
            return;
        }
        if (json_is_object(v))
            card_rows(p, dl, v, name);
        else {
            char *text = json_is_string(v) ? mz_strdup(json_string_value(v))
                                           : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            if (!text) p->failed = 1;
            mz_page_el(p, dl, "dt", name);
            mz_page_el(p, dl, "dd", text);
            if (json_is_string(v))
                mz_free(text);
            else
                free(text);
        }
        mz_free(name);
    }
}

void mz_report_card(mz_page *p, xmlNodePtr main, const json_t *root) {
    xmlNodePtr sec = mz_page_section(p, main, "transparency", "Transparency card");
    const json_t *subject = json_object_get(root, "subject");
    xmlNodePtr what = mz_page_section(p, sec, NULL, "What was audited");
    xmlNodePtr dl = mz_page_el(p, what, "dl", NULL);
    mz_page_attr(p, dl, "class", "card");
    if (subject) card_rows(p, dl, subject, NULL);
    xmlNodePtr how = mz_page_section(p, sec, NULL, "How it was run");
    dl = mz_page_el(p, how, "dl", NULL);
    mz_page_attr(p, dl, "class", "card");
    card_rows(p, dl, json_object_get(root, "run"), NULL);
    xmlNodePtr tested = mz_page_section(p, sec, NULL, "What was tested, and what was not");
    const json_t *sections = json_object_get(root, "sections");
    xmlNodePtr ul = mz_page_el(p, tested, "ul", NULL);
    size_t i;
    const json_t *st;
    json_array_foreach(json_object_get(json_object_get(root, "run"), "stages"), i, st) {
        const char *status = mz_jstr(st, "status", "");
        xmlNodePtr li = mz_page_elf(p, ul, "li", "%s: %s", mz_jstr(st, "stage", "?"), status);
        if (!strcmp(status, "skipped"))
            mz_page_elf(p, li, "span", " (%s)", mz_jstr(st, "reason", "no reason given"));
        else if (!strcmp(status, "run"))
            mz_page_elf(p, li, "span", " in %.1f s", mz_jnum(st, "seconds"));
    }
    for (int k = 0; k < N_FAMILIES; k++) {
        const json_t *s = json_object_get(sections, families[k]);
        if (s)
            mz_page_elf(p, ul, "li", "%s: %zu test%s", mz_jstr(s, "title", families[k]),
                        json_array_size(json_object_get(s, "findings")),
                        json_array_size(json_object_get(s, "findings")) == 1 ? "" : "s");
        else
            mz_page_elf(p, ul, "li", "%s: not run in this job", families[k]);
    }
    const json_t *sets = json_object_get(root, "probe_sets");
    size_t n = json_array_size(sets);
    if (n) {
        static const mz_column cols[] = {
            {"Probe set", 0}, {"Lang.", 0}, {"Version", 0}, {"SHA-256", 0}, {"Path", 0}};
        const char **cells = mz_calloc(5 * n, sizeof *cells), **langs = mz_calloc(n, sizeof *langs);
        const json_t *s;
        json_array_foreach(sets, i, s) {
            if (!cells || !langs) break;
            const char *row[5] = {mz_jstr(s, "id", ""), mz_jstr(s, "language", ""),
                                  mz_jstr(s, "version", ""), mz_jstr(s, "sha256", ""),
                                  mz_jstr(s, "path", "")};
            memcpy(cells + 5 * i, row, sizeof row);
            langs[i] = mz_jstr(s, "language", NULL);
        }
        if (cells && langs)
            mz_widget_table(p, tested, "Probe sets used", cols, 5, cells, langs, n);
        else
            p->failed = 1;
        mz_free(cells);
        mz_free(langs);
    }
    mz_page_el(p, tested, "p",
               "Limitations: the Swahili probe lists were written for Swahili by the Mizani "
               "developers and await review by native speakers (see the DATASHEET.md beside each "
               "probe set); an association test measures what its word lists capture, no more.");
}

/* The command line, quoted for a POSIX shell. */
static char *command(const json_t *run) {
    const json_t *argv = json_object_get(run, "command_line");
    char *out = mz_strdup("");
    size_t i;
    const json_t *a;
    json_array_foreach(argv, i, a) {
        const char *s = json_string_value(a) ? json_string_value(a) : "";
        int plain = *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789-_./,=:+@%") == strlen(s);
        char *quoted = NULL;
        if (!plain) {
            size_t len = strlen(s), q = 0;
            quoted = mz_malloc(4 * len + 3);
            if (quoted) {
                quoted[q++] = '\'';
                for (size_t k = 0; k < len; k++) {
                    if (s[k] == '\'') {
                        memcpy(quoted + q, "'\\''", 4);
                        q += 4;
                    } else
                        quoted[q++] = s[k];
                }
                quoted[q++] = '\'';
                quoted[q] = '\0';
            }
        }
        char *next = out && (plain || quoted)
                         ? mz_strf("%s%s%s", out, i ? " " : "", plain ? s : quoted)
                         : NULL;
        mz_free(quoted);
        mz_free(out);
        out = next;
    }
    return out;
}

void mz_report_footer(mz_page *p, xmlNodePtr main, const json_t *root) {
    xmlNodePtr sec = mz_page_section(p, main, "reproduce", "Reproducing this report");
    const json_t *run = json_object_get(root, "run");
    char *cmd = command(run);
    if (!cmd) {
        p->failed = 1;
        return;
    }
    mz_page_el(p, sec, "p",
               "The same command with the same seed gives the same numbers. The report can be "
               "drawn again from results.json alone with `mizani report results.json`.");
    if (*cmd) mz_page_el(p, mz_page_el(p, sec, "pre", NULL), "code", cmd);
    mz_page_elf(p, sec, "p", "Run %s, Mizani %s, seed %lld, %lld threads, from %s to %s.",
                mz_jstr(run, "id", "?"), mz_jstr(run, "mizani_version", "?"),
                (long long)json_integer_value(json_object_get(run, "seed")),
                (long long)json_integer_value(json_object_get(run, "threads")),
                mz_jstr(run, "started", "?"), mz_jstr(run, "finished", "?"));
    mz_free(cmd);
}

/* A part of the report holding some families' sections, each under its own heading; nothing
 * when none of them ran. */
static void part(mz_page *p, xmlNodePtr main, const mz_results *r, const char *id,
                 const char *title, const char *lead, const char *const *fam, size_t n) {
    const json_t *sections = json_object_get(mz_results_json(r), "sections");
    int any = 0;
    for (size_t k = 0; k < n; k++)
        any |= json_object_get(sections, fam[k]) != NULL;
    if (!any) return;
    if (n == 1) { /* one family: its own section is the part */
        mz_report_section(p, main, r, fam[0]);
        return;
    }
    xmlNodePtr sec = mz_page_section(p, main, id, title);
    if (lead) mz_page_el(p, sec, "p", lead);
    for (size_t k = 0; k < n; k++)
        mz_report_section(p, sec, r, fam[k]);
}

/* 7. Every family's method with its citations, and the command that reproduces the run. */
static void methods(mz_page *p, xmlNodePtr main, const mz_results *r, const json_t *root) {
    xmlNodePtr sec = mz_page_section(p, main, "methods", "Methods and reproducibility");
    const json_t *sections = json_object_get(root, "sections");
    for (int k = 0; k < N_FAMILIES; k++) {
        const json_t *s = json_object_get(sections, families[k]);
        if (!s) continue;
        char *title = mz_strf("Method: %s", mz_jstr(s, "title", families[k]));
        if (!title) {
            p->failed = 1;
            return;
        }
        mz_report_method(p, sec, r, families[k], title);
        mz_free(title);
    }
    mz_report_footer(p, sec, root);
}

mz_status mz_report_render(mz_page **out, const mz_results *r, mz_ctx *ctx) {
    const json_t *root = mz_results_json(r);
    const json_t *run = json_object_get(root, "run");
    char *title = mz_strf("Mizani bias and transparency report: %s", mz_jstr(run, "job", "audit"));
    if (!title) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_page *p;
    mz_status rc = mz_page_new(&p, title, mz_results_run_id(r), ctx);
    mz_free(title);
    if (rc) return rc;
    xmlNodePtr main = mz_page_main(p);
    xmlNodePtr lead = mz_page_elf(p, main, "p", "Run %s.", mz_results_run_id(r));
    mz_page_attr(p, lead, "class", "note");
    const char *notice = mz_jstr(json_object_get(root, "subject"), "notice", NULL);
    if (notice) mz_page_attr(p, mz_page_el(p, main, "p", notice), "class", "note");
    static const char *const fairness[] = {"fairness"}, *const assoc[] = {"static", "seat", "ceat"},
                             *const likelihood[] = {"pairs", "masked"},
                             *const explain[] = {"explain"}, *const compare[] = {"compare"};
    summary(p, main, root);
    mz_report_card(p, main, root);
    part(p, main, r, "tokenizer", "Tokenizer fairness", NULL, fairness, 1);
    part(p, main, r, "association", "Association tests",
         "Whether the model's representations put target groups (women, men; Muslims, "
         "Christians ...) closer to some attributes (careers, family ...) than others: on the "
         "input embeddings, on sentence embeddings (SEAT) and on contextual embeddings (CEAT).",
         assoc, 3);
    part(p, main, r, "likelihood", "Likelihood tests",
         "Whether the model finds stereotypical sentences more probable (minimal pairs) and "
         "which group an attribute makes more probable (masked templates).",
         likelihood, 2);
    part(p, main, r, "explanations", "Explanations", NULL, explain, 1);
    part(p, main, r, "changes", "Before and after fine-tuning", NULL, compare, 1);
    methods(p, main, r, root);
    rc = mz_page_status(p);
    if (rc) {
        mz_page_free(p);
        return rc;
    }
    *out = p;
    return MZ_OK;
}
