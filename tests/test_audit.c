/* `mizani audit` as a whole, on random-weight BERT and GPT-2 checkpoints that every shipped probe
 * set fits (2 layers, 128 positions, real test vocabularies; tests/calibration/null_model.h):
 *   - the encoder's audit computes every family (none skipped); the decoder's every family but
 *     masked templates, which it lists as skipped with the reason;
 *   - results.json has the documented shape (mz_results_load, then every family's items), the
 *     model's and tokenizer's SHA-256 equal coreutils' sha256sum, every probe set its hash;
 *   - every number equals that of the single command run with the same seed and options
 *     (seat, ceat, pairs, masked, fairness, weat on the input embeddings): the same JSON values;
 *   - report.html parsed back with libxml2: the seven parts in order, every SVG titled and
 *     described, table headers scoped, Swahili marked, probe words `<script>alert(1)</script>`
 *     and `" onmouseover="x` only as text; report.md escapes them too; the figures are SVG files;
 *   - a probe file that fails lint (a 10,000-character word) stops the audit before the model
 *     runs (exit 3, no folder); a page drawn from the audit's results with such a word as a
 *     title is left for the browser test to measure at 375 px.
 * Usage: test_audit OUT (the audit report and its long-word variant stay in OUT for the browser
 * test). Runs from tests/. */
#include "calibration/null_model.h"
#include "check.h"
#include "cli.h"
#include "cli_run.h"
#include "mizani/file.h"
#include "mizani/results.h"
#include "page_walk.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define INJECT_SCRIPT "<script>alert(1)</script>"
#define INJECT_ATTR   "\" onmouseover=\"x"

static mz_ctx *ctx;
static char tmp[64];

static void make_model(const char *dir, int causal) {
    null_spec spec = {.causal = causal,
                      .layers = 2,
                      .hidden = 32,
                      .heads = 4,
                      .positions = 128,
                      .tokenizer = causal ? "golden/tokenizers/bpe-byte-level.json"
                                          : "calibration/unigram-mask.tokenizer.json",
                      .seed = causal ? 11 : 7};
    null_model m;
    CHECK_INT(null_model_make(&m, &spec, ctx), MZ_OK);
    CHECK_INT(null_model_write(&m, &spec, dir, ctx), MZ_OK);
    null_model_free(&m);
}

/* WEAT 6 with two target names replaced by hostile text: what the page must show as text. */
static void write_injection(const char *dir, const char *long_word) {
    char *text;
    size_t len;
    CHECK_INT(mz_read_file(&text, &len, "../corpora/weat-en/weat6.json", 1 << 20, ctx), MZ_OK);
    if (!text) return;
    json_t *j = json_loads(text, 0, NULL);
    mz_free(text);
    CHECK(j != NULL);
    json_object_set_new(j, "id", json_string(long_word ? "injection-long-en" : "injection-en"));
    json_object_set_new(j, "title", json_string("Names " INJECT_SCRIPT " vs " INJECT_ATTR));
    json_t *words = json_object_get(json_array_get(json_object_get(j, "targets"), 0), "words");
    json_array_set_new(words, 0, json_string(INJECT_SCRIPT));
    json_array_set_new(words, 1, json_string(INJECT_ATTR));
    if (long_word) json_array_set_new(words, 2, json_string(long_word));
    mkdir(dir, 0755);
    char path[600];
    snprintf(path, sizeof path, "%s/injection.json", dir);
    CHECK_INT(json_dump_file(j, path, JSON_INDENT(1)), 0);
    json_decref(j);
}

static json_t *load_json(const char *path) {
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j) fprintf(stderr, "  %s: %s\n", path, err.text);
    CHECK(j != NULL);
    return j;
}

/* coreutils' digest of a file: an independent reference for the model card's identity. */
static void check_sha256(const json_t *file, const char *path) {
    char cmd[512], want[65] = "";
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    CHECK(p && fscanf(p, "%64s", want) == 1);
    if (p) pclose(p);
    CHECK_STR(json_string_value(json_object_get(file, "sha256")), want);
}

static const char *jstr(const json_t *o, const char *key) {
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The members every finding has, and each family's items. */
static void check_items(const char *family, const json_t *f) {
    const json_t *items = json_object_get(f, "items");
    size_t i;
    const json_t *it;
    if (!strcmp(family, "explain")) return; /* an explanation's numbers are its details */
    CHECK(json_is_array(items));
    if (strcmp(jstr(f, "status"), "computed")) return;
    CHECK(json_is_object(json_object_get(f, "effect")) &&
          json_is_object(json_object_get(f, "units")));
    CHECK(json_is_array(json_object_get(f, "caveats")));
    int association =
        !strcmp(family, "static") || !strcmp(family, "seat") || !strcmp(family, "ceat");
    if (association) CHECK(json_array_size(items) > 0);
    json_array_foreach(items, i, it) {
        if (association) {
            CHECK(json_is_string(json_object_get(it, "item")));
            CHECK(!strcmp(jstr(it, "role"), "X") || !strcmp(jstr(it, "role"), "Y"));
            CHECK(json_is_number(json_object_get(it, "score")));
            if (strcmp(family, "static")) CHECK(json_array_size(json_object_get(it, "rows")) > 0);
        } else if (!strcmp(family, "pairs")) {
            CHECK(json_is_string(json_object_get(it, "id")) &&
                  json_is_string(json_object_get(it, "more")));
            if (json_is_true(json_object_get(it, "computable")))
                CHECK_NEAR(json_number_value(json_object_get(it, "gap")),
                           json_number_value(json_object_get(it, "score_more")) -
                               json_number_value(json_object_get(it, "score_less")),
                           1e-9);
        } else if (!strcmp(family, "masked") && json_is_true(json_object_get(it, "computable"))) {
            CHECK(json_array_size(json_object_get(it, "group_means")) == 2);
            CHECK(json_array_size(json_object_get(it, "cells")) > 0);
        } else if (!strcmp(family, "fairness")) {
            CHECK(json_is_integer(json_object_get(it, "tokens_sw")) &&
                  json_is_integer(json_object_get(it, "tokens_en")));
        }
    }
}

/* results.json of an audit: its shape, provenance, stages. `skipped`: the one stage expected
 * to be skipped (NULL: none), whose reason must contain `why`. */
static void check_results(const char *dir, const char *model, const char *skipped,
                          const char *why) {
    char path[600];
    snprintf(path, sizeof path, "%s/results.json", dir);
    mz_results *r = NULL;
    CHECK_INT(mz_results_load(&r, path, ctx), MZ_OK);
    mz_results_free(r);
    json_t *j = load_json(path);
    const json_t *run = json_object_get(j, "run"), *subject = json_object_get(j, "subject");
    CHECK_STR(jstr(j, "schema"), "mizani-results/2");
    CHECK_STR(jstr(run, "job"), "audit");
    CHECK_INT(json_integer_value(json_object_get(run, "seed")), 7);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(run, "effective_config"), "seed")),
              7);
    CHECK_STR(json_string_value(json_array_get(json_object_get(run, "command_line"), 1)), "audit");
    snprintf(path, sizeof path, "%s/model.safetensors", model);
    check_sha256(subject, path);
    snprintf(path, sizeof path, "%s/tokenizer.json", model);
    check_sha256(json_object_get(subject, "tokenizer"), path);
    size_t i, k;
    const json_t *x, *f;
    CHECK(json_array_size(json_object_get(j, "probe_sets")) >= 20);
    json_array_foreach(json_object_get(j, "probe_sets"), i, x) {
        CHECK_INT(strlen(jstr(x, "sha256")), 64);
        CHECK_STR(jstr(x, "version"), "mizani-probes/1");
    }
    CHECK_INT(json_array_size(json_object_get(run, "stages")), 7);
    json_array_foreach(json_object_get(run, "stages"), i, x) {
        int skip = skipped && !strcmp(jstr(x, "stage"), skipped);
        CHECK_STR(jstr(x, "status"), skip ? "skipped" : "run");
        if (skip) CHECK_CONTAINS(jstr(x, "reason"), why);
        if (strcmp(jstr(x, "status"), skip ? "skipped" : "run"))
            fprintf(stderr, "  stage %s: %s (%s)\n", jstr(x, "stage"), jstr(x, "status"),
                    jstr(x, "reason"));
    }
    static const char *const families[] = {"fairness", "static", "seat",   "ceat",
                                           "pairs",    "masked", "explain"};
    for (k = 0; k < 7; k++) {
        const json_t *sec = json_object_get(json_object_get(j, "sections"), families[k]);
        CHECK(sec != NULL);
        size_t computed = 0;
        json_array_foreach(json_object_get(sec, "findings"), i, f) {
            computed += !strcmp(jstr(f, "status"), "computed");
            if (skipped && !strcmp(families[k], skipped)) CHECK_STR(jstr(f, "status"), "skipped");
            check_items(families[k], f);
        }
        if (!skipped || strcmp(families[k], skipped)) CHECK(computed > 0);
    }
    json_decref(j);
}

/* Each finding of `family` that the command printed has the same numbers and items in the
 * audit's results. */
static void same_numbers(const char *audit_dir, const char *family, char **argv) {
    char *out = NULL, path[256];
    CHECK_INT(mz_test_cli(&out, NULL, (const char **)argv), 0);
    json_t *cmd = out ? json_loads(out, 0, NULL) : NULL;
    free(out);
    snprintf(path, sizeof path, "%s/results.json", audit_dir);
    json_t *aud = load_json(path);
    const json_t *a = json_object_get(json_object_get(json_object_get(aud, "sections"), family),
                                      "findings"),
                 *c = json_object_get(json_object_get(json_object_get(cmd, "sections"), family),
                                      "findings");
    CHECK(json_array_size(c) > 0 && json_array_size(a) == json_array_size(c));
    static const char *const members[] = {"effect", "p",       "p_holm", "mde",
                                          "units",  "verdict", "items"};
    size_t i, k, differ = 0;
    const json_t *fc, *fa;
    json_array_foreach(c, i, fc) {
        const json_t *match = NULL;
        json_array_foreach(a, k, fa) if (!strcmp(jstr(fa, "id"), jstr(fc, "id"))) match = fa;
        CHECK(match != NULL);
        for (size_t m = 0; match && m < sizeof members / sizeof *members; m++)
            if (!json_equal(json_object_get(match, members[m]), json_object_get(fc, members[m])) &&
                (json_object_get(match, members[m]) || json_object_get(fc, members[m]))) {
                if (!differ++) {
                    char *x = json_dumps(json_object_get(match, members[m]), JSON_ENCODE_ANY),
                         *y = json_dumps(json_object_get(fc, members[m]), JSON_ENCODE_ANY);
                    fprintf(stderr, "  %s %s: '%s' differs from the command's: %.200s / %.200s\n",
                            family, jstr(fc, "id"), members[m], x ? x : "", y ? y : "");
                    free(x), free(y);
                }
            }
    }
    CHECK_INT(differ, 0);
    if (!differ)
        printf("  %s: %zu findings, numbers and items identical to `mizani %s`\n", family,
               json_array_size(c), argv[3]);
    json_decref(cmd);
    json_decref(aud);
}

/* ---- The page ------------------------------------------------------------------------------ */

static size_t occurrences(const char *text, const char *needle) {
    size_t n = 0;
    for (const char *at = text; (at = strstr(at, needle)); at++)
        n++;
    return n;
}

/* Every explained text has its heads table, and every explained pair is among the pairs the
 * likelihood part quotes ("...; ID)"), which are tested pairs only. */
static void check_explained(const char *dir, const char *text) {
    char path[600];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_t *j = json_load_file(path, 0, NULL);
    json_t *findings =
        json_object_get(json_object_get(json_object_get(j, "sections"), "explain"), "findings");
    size_t i, texts = 0, pairs = 0;
    json_t *f;
    json_array_foreach(findings, i, f) {
        json_t *d = json_object_get(f, "details");
        const char *id = json_string_value(json_object_get(d, "pair"));
        texts += json_object_get(d, "sides") ? 2 : 1;
        if (!id) continue;
        char quoted[300];
        snprintf(quoted, sizeof quoted, "; %s)", id);
        pairs++;
        CHECK_CONTAINS(text, quoted);
    }
    CHECK(pairs > 0);
    CHECK_INT(occurrences(text, "The heads whose attention carries the score most"), texts);
    json_decref(j);
}

/* The summary says each finding with a verdict in words: for an association test, which group's
 * words are closer to which attribute (by the sign of d); for minimal pairs, the preference in
 * percent. */
static void check_sentences(const char *dir, const char *text) {
    char path[600], want[700];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_t *j = json_load_file(path, 0, NULL);
    size_t said = 0;
    for (int k = 0; k < 2; k++) {
        const json_t *fs = json_object_get(
            json_object_get(json_object_get(j, "sections"), k ? "pairs" : "seat"), "findings");
        size_t i;
        const json_t *f;
        json_array_foreach(fs, i, f) {
            double est =
                json_number_value(json_object_get(json_object_get(f, "effect"), "estimate"));
            if (strcmp(jstr(f, "status"), "computed") ||
                json_is_true(json_object_get(f, "positive_control")) ||
                json_is_null(json_object_get(f, "verdict"))) /* too few units: not summarised */
                continue;
            const json_t *g = json_object_get(f, "groups"), *a = json_object_get(f, "attributes");
            if (k == 0 && json_array_size(g) == 2 && json_array_size(a) == 2)
                snprintf(want, sizeof want, "In sentence embeddings, words for %s are closer to %s",
                         json_string_value(json_array_get(g, 0)),
                         json_string_value(json_array_get(a, est >= 0 ? 0 : 1)));
            else if (k == 1 && !strstr(jstr(f, "id"), "/all") && !strstr(jstr(f, "id"), "-vs-"))
                snprintf(
                    want, sizeof want,
                    "prefers the more stereotypical sentence in %.0f%% of the %s minimal pairs",
                    100 * est, jstr(f, "dimension"));
            else
                continue;
            CHECK_CONTAINS(text, want);
            said++;
        }
    }
    CHECK(said > 10);
    json_decref(j);
}

static void check_page(const char *dir) {
    char path[600];
    snprintf(path, sizeof path, "%s/report.html", dir);
    htmlDocPtr doc = htmlReadFile(path, "UTF-8", HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    CHECK(doc != NULL);
    if (!doc) return;
    page_walk w = {0};
    page_visit(xmlDocGetRootElement(doc), &w);
    static const char *const parts[] = {
        "Summary",          "Transparency card", "Tokenizer fairness",         "Association tests",
        "Likelihood tests", "Explanations",      "Methods and reproducibility"};
    CHECK_INT(w.n_h2, 7);
    for (int i = 0; i < 7 && i < w.n_h2; i++)
        CHECK_STR(w.h2[i], parts[i]);
    CHECK_INT(w.scripts, 0);
    CHECK_INT(w.handlers, 0);
    CHECK(w.svgs > 10 && w.svgs_titled == w.svgs);
    CHECK(w.ths > 20 && w.ths_scoped == w.ths);
    CHECK(w.sw > 10);
    xmlChar *text = xmlNodeGetContent(xmlDocGetRootElement(doc));
    CHECK_CONTAINS((const char *)text, INJECT_SCRIPT); /* the words are there, as text */
    CHECK_CONTAINS((const char *)text, INJECT_ATTR);
    check_explained(dir, (const char *)text);
    check_sentences(dir, (const char *)text);
    xmlFree(text);
    xmlFreeDoc(doc);
    char *md;
    size_t len;
    snprintf(path, sizeof path, "%s/report.md", dir);
    CHECK_INT(mz_read_file(&md, &len, path, 1 << 24, ctx), MZ_OK);
    CHECK(md && !strncmp(md, "## Bias, Risks, and Limitations\n", 32));
    CHECK(md && !strstr(md, "<script"));
    mz_free(md);
}

static void check_figures(const char *dir) {
    char cmd[300], first[128] = "";
    snprintf(cmd, sizeof cmd, "ls '%s' | head -1; ls '%s' | wc -l", dir, dir);
    FILE *p = popen(cmd, "r");
    int n = 0;
    CHECK(p && fscanf(p, "%127s %d", first, &n) == 2);
    if (p) pclose(p);
    CHECK(n > 10);
    char path[400], *svg;
    size_t len;
    snprintf(path, sizeof path, "%s/%s", dir, first);
    CHECK_INT(mz_read_file(&svg, &len, path, 1 << 24, ctx), MZ_OK);
    CHECK(svg && !strncmp(svg, "<?xml", 5) && strstr(svg, "<svg") && strstr(svg, "<title>"));
    mz_free(svg);
}

/* The audit's results with a 10,000-character word as a finding's title and an item, drawn again
 * (mizani report): the page the browser test measures at 375 px. */
static void long_word_page(const char *dir, const char *long_word, const char *out) {
    char path[600], copy[256];
    snprintf(path, sizeof path, "%s/results.json", dir);
    json_t *j = load_json(path);
    json_t *f = json_array_get(
        json_object_get(json_object_get(json_object_get(j, "sections"), "seat"), "findings"), 0);
    json_object_set_new(f, "title", json_string(long_word));
    json_object_set_new(json_array_get(json_object_get(f, "items"), 0), "item",
                        json_string(long_word));
    snprintf(copy, sizeof copy, "%s/results-long.json", tmp);
    CHECK_INT(json_dump_file(j, copy, 0), 0);
    json_decref(j);
    char *argv[] = {"mizani", "--quiet", "report", copy, "--out", (char *)out, NULL};
    CHECK_INT(mz_test_cli(NULL, NULL, (const char **)argv), 0);
}

int main(int argc, char **argv) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    const char *keep = argc > 1 ? argv[1] : NULL;
    snprintf(tmp, sizeof tmp, "/tmp/mizani-audit-XXXXXX");
    if (!mkdtemp(tmp)) return 1;
    char bert[128], gpt2[128], inj[128], inj_long[128], out[256], out2[256], figs[128], probes[300],
        long_out[300];
    snprintf(bert, sizeof bert, "%s/bert", tmp);
    snprintf(gpt2, sizeof gpt2, "%s/gpt2", tmp);
    snprintf(inj, sizeof inj, "%s/inj", tmp);
    snprintf(inj_long, sizeof inj_long, "%s/inj-long", tmp);
    snprintf(figs, sizeof figs, "%s/figures", tmp);
    snprintf(out, sizeof out, "%s", keep ? keep : "");
    if (!keep) snprintf(out, sizeof out, "%s/report", tmp);
    snprintf(long_out, sizeof long_out, "%s-long", out);
    snprintf(out2, sizeof out2, "%s/report-gpt2", tmp);
    snprintf(probes, sizeof probes, "default,%s", inj);
    make_model(bert, 0);
    make_model(gpt2, 1);
    char *word = mz_malloc(20002); /* "ŋ" x 10,000 and "!" */
    for (int i = 0; word && i < 10000; i++)
        memcpy(word + 2 * i, "\xC5\x8B", 2);
    if (word) memcpy(word + 20000, "!", 2);
    write_injection(inj, NULL);
    write_injection(inj_long, word);

    /* fast settings, which the single commands below share so that their numbers must agree */
    char *audit_bert[] = {"mizani",
                          "--quiet",
                          "--seed",
                          "7",
                          "audit",
                          "--model",
                          bert,
                          "--probes",
                          probes,
                          "--out",
                          out,
                          "--figures",
                          figs,
                          "--permutations",
                          "1000",
                          "--bootstrap",
                          "100",
                          "--samples",
                          "50",
                          "--static-permutations",
                          "1000",
                          "--static-bootstrap",
                          "100",
                          "--explain-methods",
                          "ig,attention,attattr",
                          "--explain-steps",
                          "4",
                          NULL};
    CHECK_INT(mz_test_cli(NULL, NULL, (const char **)audit_bert), 0);
    check_results(out, bert, NULL, NULL);
    check_page(out);
    check_figures(figs);

    char *seat_cmd[] = {"mizani",      "--seed",   "7",      "seat",           "--model",
                        bert,          "--probes", probes,   "--permutations", "1000",
                        "--bootstrap", "100",      "--json", "--quiet",        NULL};
    same_numbers(out, "seat", seat_cmd);
    char *ceat_cmd[] = {
        "mizani", "--seed",    "7",  "ceat",           "--model", bert,          "--probes",
        probes,   "--samples", "50", "--permutations", "1000",    "--bootstrap", "100",
        "--json", "--quiet",   NULL};
    same_numbers(out, "ceat", ceat_cmd);
    char *pairs_cmd[] = {"mizani",  "--seed", "7",      "pairs",   "--model", bert,
                         "--pairs", probes,   "--json", "--quiet", NULL};
    same_numbers(out, "pairs", pairs_cmd);
    char *masked_cmd[] = {"mizani",   "--seed", "7",      "masked",  "--model", bert,
                          "--probes", probes,   "--json", "--quiet", NULL};
    same_numbers(out, "masked", masked_cmd);
    char *fair_cmd[] = {"mizani", "--seed", "7",       "fairness", "--tokenizer",
                        bert,     "--json", "--quiet", NULL};
    same_numbers(out, "fairness", fair_cmd);
    char *weat_cmd[] = {"mizani",      "--seed",   "7",      "weat",           "--vectors",
                        bert,          "--probes", probes,   "--permutations", "1000",
                        "--bootstrap", "100",      "--json", "--quiet",        NULL};
    same_numbers(out, "static", weat_cmd);

    char *audit_gpt2[] = {"mizani", "--quiet",
                          "--seed", "7",
                          "audit",  "--model",
                          gpt2,     "--probes",
                          probes,   "--out",
                          out2,     "--permutations",
                          "1000",   "--bootstrap",
                          "100",    "--samples",
                          "50",     "--static-permutations",
                          "1000",   "--static-bootstrap",
                          "100",    "--explain-methods",
                          "ig",     "--explain-steps",
                          "4",      NULL};
    CHECK_INT(mz_test_cli(NULL, NULL, (const char **)audit_gpt2), 0);
    check_results(out2, gpt2, "masked", "a decoder has no [MASK]");

    /* a probe file that fails lint: exit 3 before the model runs, no report folder */
    char probes_long[300], out3[200];
    snprintf(probes_long, sizeof probes_long, "default,%s", inj_long);
    snprintf(out3, sizeof out3, "%s/report-long", tmp);
    char *audit_long[] = {"mizani",   "--quiet",   "audit", "--model", "/nonexistent-model",
                          "--probes", probes_long, "--out", out3,      NULL};
    CHECK_INT(mz_test_cli(NULL, NULL, (const char **)audit_long), 3);
    CHECK(mz_ctx_status(ctx) == MZ_OK);
    struct stat st;
    CHECK(stat(out3, &st) != 0);
    if (word) long_word_page(out, word, long_out);

    mz_free(word);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    CHECK(system(cmd) == 0);
    mz_ctx_free(ctx);
    return mz_check_result("test_audit");
}
