/* --null-reference K through the commands, on a random-weight BERT that the probe sets fit
 * (hidden 32, 2 layers) with K = 3 copies (the fewest a reference takes):
 *   - `mizani seat` and `mizani ceat --json`: the settings say K, every computed finding whose
 *     words share tokens keeps its reference (the others none) {copies, z, z_mean, z_sd, p,
 * p_words}, its p is the larger of p_words and the reference's p, that p is the one-sided Student t
 * prediction from the copies' z (GSL's t distribution here, not the library's code), and p_words is
 * the p of the same command without the reference; --seed reaches the copies (another seed, other
 * copies);
 *   - `mizani audit` with the option from its configuration file: the effective configuration
 *     and both sections record K and the findings their reference (the commands' own, for the
 *     same seed); without the option, commands and audit take 10 copies (a model folder), and
 *     K = 0 none; report.html says which p its SEAT and CEAT tables show;
 *   - `mizani compare` re-audits a model with the first audit's reference (it says so);
 *   - K = 2, and a model file instead of a folder: usage errors (exit 2).
 * Seconds: a few passes of a hidden-32 model over one Swahili probe set's frames. */
#include "calibration/null_model.h"
#include "cli_run.h"

#include <gsl/gsl_cdf.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBES "../corpora/weat-sw/age.json,../corpora/templates/seat-sw.json"

static mz_ctx *ctx;
static char tmp[] = "/tmp/mizani-nullref-XXXXXX";
static json_t *single[2]; /* seat's and ceat's results with 3 copies, seed 3 */

static const char *path(char *buf, const char *name) {
    snprintf(buf, 4096, "%s/%s", tmp, name);
    return buf;
}

/* `mizani --seed SEED CMD --json` on the model with K copies (NULL: no option): its results. */
static json_t *command(const char *cmd, const char *seed, const char *k) {
    char m[4096], *out = NULL;
    const char *argv[20] = {"mizani",         "--quiet",       "--seed",      seed,   cmd,
                            "--model",        path(m, "bert"), "--probes",    PROBES, "--json",
                            "--permutations", "1000",          "--bootstrap", "100"};
    int n = 14;
    if (!strcmp(cmd, "ceat")) {
        argv[n++] = "--samples";
        argv[n++] = "20";
    }
    if (k) {
        argv[n++] = "--null-reference";
        argv[n++] = k;
    }
    CHECK_INT(mz_test_cli(&out, NULL, argv), 0);
    json_t *j = out ? json_loads(out, 0, NULL) : NULL;
    CHECK(j != NULL);
    free(out);
    return j;
}

static const json_t *section(const json_t *root, const char *family) {
    return json_object_get(json_object_get(root, "sections"), family);
}

static double num(const json_t *o, const char *key) {
    return json_number_value(json_object_get(o, key));
}

static int has_caveat(const json_t *f, const char *text) {
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(f, "caveats"), i, c) {
        if (json_is_string(c) && strstr(json_string_value(c), text)) return 1;
    }
    return 0;
}

/* Every computed finding of `family` whose words share tokens has its reference of k copies,
 * consistent with its p, and the others none (their p is the plain run's); p_words equal to the
 * p of `plain` (the same run without a reference) where given. Returns the first referred
 * finding's copies' z mean (to tell two seeds' copies apart). */
static double check_reference(const json_t *root, const char *family, long k, const json_t *plain) {
    const json_t *sec = section(root, family), *f;
    size_t i, computed = 0;
    double first = NAN;
    CHECK_INT(
        json_integer_value(json_object_get(json_object_get(sec, "settings"), "null_reference")), k);
    json_array_foreach(json_object_get(sec, "findings"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "status")), "computed")) continue;
        const json_t *details = json_object_get(f, "details");
        const json_t *ref = json_object_get(details, "null_reference");
        CHECK(json_is_integer(json_object_get(details, "shared_tokens")));
        if (!json_integer_value(json_object_get(details, "shared_tokens"))) {
            CHECK(ref == NULL);
            continue;
        }
        computed++;
        CHECK(ref != NULL);
        if (!ref) continue;
        long copies = (long)json_integer_value(json_object_get(ref, "copies"));
        CHECK_INT(copies, k);
        double z = num(ref, "z"), mean = num(ref, "z_mean"), sd = num(ref, "z_sd");
        double p_ref = num(ref, "p"), p_words = num(ref, "p_words");
        CHECK(sd > 0);
        double t = (z - mean) / (sd * sqrt(1.0 + 1.0 / (double)copies));
        CHECK_NEAR(p_ref, gsl_cdf_tdist_Q(t, (double)(copies - 1)), 1e-9);
        CHECK_NEAR(num(f, "p"), p_ref > p_words ? p_ref : p_words, 1e-12);
        char says[64];
        snprintf(says, sizeof says, "null reference from %ld random-weight copies", k);
        CHECK(has_caveat(f, says));
        if (plain) {
            const json_t *g =
                json_array_get(json_object_get(section(plain, family), "findings"), i);
            CHECK_NEAR(p_words, num(g, "p"), 1e-12);
            CHECK(!json_object_get(json_object_get(g, "details"), "null_reference"));
        }
        if (computed == 1) first = mean;
    }
    CHECK(computed > 0);
    return first;
}

static void commands(void) {
    for (int c = 0; c < 2; c++) {
        const char *cmd = c ? "ceat" : "seat";
        json_t *plain = command(cmd, "3", "0"), *r = command(cmd, "3", "3");
        json_t *other = command(cmd, "4", "3"), *dflt = command(cmd, "3", NULL);
        CHECK_INT(json_integer_value(json_object_get(
                      json_object_get(section(plain, cmd), "settings"), "null_reference")),
                  0);
        check_reference(dflt, cmd, 10, plain); /* the default: 10 copies for a model folder */
        json_decref(dflt);
        double z3 = check_reference(r, cmd, 3, plain);
        double z4 = check_reference(other, cmd, 3, NULL);
        CHECK(z3 != z4); /* --seed draws the copies */
        single[c] = r;
        json_decref(plain), json_decref(other);
    }
}

/* `mizani audit` of the SEAT and CEAT stages into OUT, with a config file's options. */
static void audit(const char *out, const char *config) {
    char m[4096], o[4096], c[4096];
    FILE *f = fopen(path(c, "audit.json"), "w");
    CHECK(f != NULL);
    if (!f) return;
    fprintf(f, "{%s}\n", config);
    fclose(f);
    const char *argv[] = {
        "mizani",   "--quiet",     "--seed",  "3",         "audit", "--model",    path(m, "bert"),
        "--probes", PROBES,        "--tests", "seat,ceat", "--out", path(o, out), "--permutations",
        "1000",     "--bootstrap", "100",     "--samples", "20",    "--config",   c,
        NULL};
    CHECK_INT(mz_test_cli(NULL, NULL, argv), 0);
}

static json_t *results(const char *dir) {
    char p[4096], file[4200];
    snprintf(file, sizeof file, "%s/results.json", path(p, dir));
    json_t *j = json_load_file(file, 0, NULL);
    CHECK(j != NULL);
    return j;
}

/* Whether OUT/report.html says `text`. */
static int report_says(const char *out, const char *text) {
    char p[4096], file[4200];
    snprintf(file, sizeof file, "%s/report.html", path(p, out));
    FILE *f = fopen(file, "r");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    char *html = slurp(f);
    fclose(f);
    int found = html && strstr(html, text);
    free(html);
    return found;
}

static const json_t *config(const json_t *root, const char *family) {
    return json_object_get(json_object_get(json_object_get(root, "run"), "effective_config"),
                           family);
}

static void audits(void) {
    audit("none", "\"quiet\": true"); /* the default: 10 copies for a model folder */
    audit("k0", "\"null-reference\": 0");
    audit("k3", "\"null-reference\": 3");
    json_t *none = results("none"), *k0 = results("k0"), *k3 = results("k3");
    for (int c = 0; c < 2; c++) {
        const char *family = c ? "ceat" : "seat";
        CHECK_INT(json_integer_value(json_object_get(config(k3, family), "null_reference")), 3);
        CHECK_INT(json_integer_value(json_object_get(config(none, family), "null_reference")), 10);
        CHECK_INT(json_integer_value(json_object_get(config(k0, family), "null_reference")), 0);
        check_reference(none, family, 10, k0);
        check_reference(k3, family, 3, k0);
        /* the audit's references are the commands' with the same seed: the same copies */
        const json_t *fa = json_object_get(section(k3, family), "findings");
        const json_t *fc = json_object_get(section(single[c], family), "findings");
        CHECK_INT(json_array_size(fa), json_array_size(fc));
        for (size_t i = 0; i < json_array_size(fa); i++)
            CHECK(json_equal(json_object_get(json_object_get(json_array_get(fa, i), "details"),
                                             "null_reference"),
                             json_object_get(json_object_get(json_array_get(fc, i), "details"),
                                             "null_reference")));
        json_decref(single[c]);
    }
    json_decref(none), json_decref(k0), json_decref(k3);
    CHECK(report_says("k3", "same test on 3 random-weight copies of the model"));
    CHECK(report_says("k0", "the word-level p alone, without a null reference"));

    /* compare re-audits the model as the first audit was: with its reference */
    char a[4096], m[4096], o[4096], *err = NULL;
    const char *argv[] = {"mizani", "--seed",       "5", "compare", path(a, "k3"), path(m, "bert"),
                          "--out",  path(o, "cmp"), NULL};
    int code = mz_test_cli(NULL, &err, argv);
    CHECK(code == 0 || code == 1);
    CHECK_CONTAINS(err, "a null reference of 3 random copies");
    free(err);
}

static void usage_errors(void) {
    char m[4096], *err = NULL;
    const char *two[] = {"mizani",           "seat", "--model", path(m, "bert"),
                         "--null-reference", "2",    NULL};
    CHECK_INT(mz_test_cli(NULL, &err, two), 2);
    CHECK_CONTAINS(err, "needs at least 3 random copies");
    free(err);
    char w[4096];
    const char *file[] = {"mizani",           "ceat", "--model", path(w, "bert/model.safetensors"),
                          "--null-reference", "3",    NULL};
    CHECK_INT(mz_test_cli(NULL, &err, file), 2);
    CHECK_CONTAINS(err, "need a model folder with config.json");
    free(err);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    CHECK(mkdtemp(tmp) != NULL);
    null_spec spec = {0, 2, 32, 4, 128, "calibration/unigram-mask.tokenizer.json", 7};
    null_model nm;
    char dir[4096];
    CHECK_INT(null_model_make(&nm, &spec, ctx), MZ_OK);
    CHECK_INT(null_model_write(&nm, &spec, path(dir, "bert"), ctx), MZ_OK);
    null_model_free(&nm);
    commands();
    audits();
    usage_errors();
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) CHECK(0);
    mz_ctx_free(ctx);
    return mz_check_result("test_null_reference");
}
