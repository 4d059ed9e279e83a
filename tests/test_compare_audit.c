/* `mizani compare` on two real `mizani audit` outputs, every family the audit produces (tokenizer
 * fairness, input-embedding WEAT, SEAT, CEAT, minimal pairs, masked templates), on a random-weight
 * BERT that the probe sets fit and a copy with isotropic noise on every tensor:
 *   - every family is compared item by item: each computed finding of the audit has its
 *     comparison, its items all paired (none only on one side), with the family's unit; the
 *     minimal pairs' overall finding on its categories' pairs pooled;
 *   - the noise moves the models' findings (a change that is not 0 in every model family) while
 *     tokenizer fairness, the same tokenizer on both sides, does not move at all;
 *   - a model given instead of its results.json is audited through the audit's job with the
 *     results file's options and seed (said in the progress output), and the comparison is the
 *     same finding for finding (outcome, change, Holm p); model against model too;
 *   - the base audit against the base model: exit 0, every change 0.
 * Small probe sets and few permutations keep it to seconds (five audits of a hidden-32 model). */
#include "check.h"
#include "cli.h"
#include "cli_run.h"
#include "gate_models.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TOKENIZER "calibration/unigram-mask.tokenizer.json"
#define PROBES                                                       \
    "../corpora/weat-sw/age.json,../corpora/templates/seat-sw.json," \
    "../corpora/minimal-pairs/pairs-sw.json,data/masked-tiny.json,"  \
    "../corpora/parallel/udhr-en-sw.json"

static mz_ctx *ctx;
static char tmp[] = "/tmp/mizani-cmp-audit-XXXXXX";
static const char *const families[] = {"fairness", "static", "seat", "ceat", "pairs", "masked"};

static const char *path(char *buf, const char *name) {
    snprintf(buf, 4096, "%s/%s", tmp, name);
    return buf;
}

static json_t *load(const char *dir, const char *file) {
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, file);
    json_error_t e;
    json_t *j = json_load_file(p, 0, &e);
    if (!j) fprintf(stderr, "%s: %s\n", p, e.text);
    CHECK(j != NULL);
    return j;
}

static const json_t *findings(const json_t *root, const char *family) {
    return json_object_get(json_object_get(json_object_get(root, "sections"), family), "findings");
}

static const json_t *details(const json_t *f) { return json_object_get(f, "details"); }

static double num(const json_t *o, const char *key) {
    return json_number_value(json_object_get(o, key));
}

/* The comparison of `family`'s test `test`, or NULL. */
static const json_t *comparison(const json_t *cmp, const char *family, const char *test) {
    size_t i;
    const json_t *f;
    json_array_foreach(findings(cmp, "compare"), i, f) {
        const char *fam = json_string_value(json_object_get(details(f), "compared_family"));
        const char *t = json_string_value(json_object_get(details(f), "test"));
        if (fam && t && !strcmp(fam, family) && !strcmp(t, test)) return f;
    }
    return NULL;
}

/* Each computed finding of the audit with items of its own compared on all of them; per family
 * how many changed. */
static void every_family(const json_t *audit, const json_t *cmp, int moved[6]) {
    for (int k = 0; k < 6; k++) {
        size_t i, compared = 0;
        const json_t *f;
        moved[k] = 0;
        json_array_foreach(findings(audit, families[k]), i, f) {
            const char *status = json_string_value(json_object_get(f, "status"));
            if (!status || strcmp(status, "computed") ||
                !json_array_size(json_object_get(f, "items")))
                continue;
            const char *id = json_string_value(json_object_get(f, "id"));
            const json_t *c = comparison(cmp, families[k], id);
            if (!c) fprintf(stderr, "%s/%s: not in compare.json\n", families[k], id);
            CHECK(c != NULL);
            if (!c) continue;
            const char *outcome = json_string_value(json_object_get(details(c), "outcome"));
            CHECK(outcome && strcmp(outcome, "not_compared"));
            CHECK(num(details(c), "items_paired") > 0);
            CHECK_INT((long)num(details(c), "items_only_before"), 0);
            CHECK_INT((long)num(details(c), "items_only_after"), 0);
            moved[k] += num(json_object_get(c, "effect"), "estimate") != 0;
            compared++;
        }
        if (!compared) fprintf(stderr, "%s: no finding compared\n", families[k]);
        CHECK(compared > 0);
    }
}

/* The minimal pairs' overall finding: compared on every category's pairs, pooled. */
static void overall_pooled(const json_t *cmp) {
    size_t i;
    const json_t *f, *all = NULL;
    double sum = 0;
    json_array_foreach(findings(cmp, "compare"), i, f) {
        const char *fam = json_string_value(json_object_get(details(f), "compared_family"));
        const char *t = json_string_value(json_object_get(details(f), "test"));
        if (!fam || strcmp(fam, "pairs") || !t) continue;
        if (strstr(t, "/all"))
            all = f;
        else
            sum += num(details(f), "items_paired");
    }
    CHECK(all != NULL && sum > 0);
    if (!all) return;
    CHECK(strcmp(json_string_value(json_object_get(details(all), "outcome")), "not_compared"));
    CHECK(num(details(all), "items_paired") == sum);
}

/* The same comparisons: outcome, change and Holm p of every finding. */
static void same_comparisons(const json_t *a, const json_t *b, const char *what) {
    const json_t *fa = findings(a, "compare"), *fb = findings(b, "compare"), *f;
    size_t i;
    CHECK_INT(json_array_size(fa), json_array_size(fb));
    json_array_foreach(fa, i, f) {
        const json_t *g = json_array_get(fb, i);
        int same = g && json_equal(json_object_get(f, "id"), json_object_get(g, "id")) &&
                   json_equal(json_object_get(details(f), "outcome"),
                              json_object_get(details(g), "outcome")) &&
                   json_equal(json_object_get(json_object_get(f, "effect"), "estimate"),
                              json_object_get(json_object_get(g, "effect"), "estimate")) &&
                   json_equal(json_object_get(f, "p_holm"), json_object_get(g, "p_holm")) &&
                   json_equal(json_object_get(details(f), "items_paired"),
                              json_object_get(details(g), "items_paired"));
        if (!same) fprintf(stderr, "%s: comparison %zu differs\n", what, i);
        CHECK(same);
    }
}

static void write_models(void) {
    null_spec spec = {0, 2, 32, 4, 128, TOKENIZER, 7};
    null_model nm;
    char dir[4096];
    mz_status rc = null_model_make(&nm, &spec, ctx);
    CHECK_INT(rc, MZ_OK);
    if (rc) return;
    rc = null_model_write(&nm, &spec, path(dir, "base"), ctx);
    gate_noise(&nm, 0.5, 11);
    if (!rc) rc = null_model_write(&nm, &spec, path(dir, "noisy"), ctx);
    null_model_free(&nm);
    CHECK_INT(rc, MZ_OK);
}

static void audit(const char *model, const char *out) {
    char m[4096], o[4096];
    const char *argv[] = {"mizani",
                          "--quiet",
                          "--seed",
                          "3",
                          "audit",
                          "--model",
                          path(m, model),
                          "--probes",
                          PROBES,
                          "--tests",
                          "fairness,static,seat,ceat,pairs,masked",
                          "--out",
                          path(o, out),
                          "--permutations",
                          "1000",
                          "--bootstrap",
                          "100",
                          "--samples",
                          "50",
                          "--static-permutations",
                          "1000",
                          "--static-bootstrap",
                          "100"};
    CHECK_INT(mz_test_cli_n(NULL, NULL, 23, argv), 0);
}

/* compare BEFORE AFTER --out OUT [--probes PROBES], its exit status; stderr into *err. */
static int compare(const char *before, const char *after, const char *out, int probes, char **err) {
    char b[4096], a[4096], o[4096];
    const char *argv[] = {"mizani",       "--seed", "5",          "compare",  path(b, before),
                          path(a, after), "--out",  path(o, out), "--probes", PROBES};
    return mz_test_cli_n(NULL, err, probes ? 10 : 8, argv);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    CHECK(mkdtemp(tmp) != NULL);
    write_models();
    audit("base", "audit-base");
    audit("noisy", "audit-noisy");
    char dir[4096], *err = NULL;

    /* results against results: every family compared item by item */
    int rr = compare("audit-base/results.json", "audit-noisy/results.json", "rr", 0, NULL);
    CHECK(rr == 0 || rr == 1);
    json_t *base = load(path(dir, "audit-base"), "results.json");
    json_t *x = load(path(dir, "rr"), "compare.json");
    int moved[6];
    every_family(base, x, moved);
    overall_pooled(x);
    CHECK_INT(moved[0], 0); /* the same tokenizer: fairness cannot move */
    for (int k = 1; k < 6; k++) {
        if (!moved[k]) fprintf(stderr, "%s: the noise moved nothing\n", families[k]);
        CHECK(moved[k] > 0);
    }

    /* a model for its results: audited through the audit's job with the same options and seed */
    CHECK_INT(compare("audit-base/results.json", "noisy", "rm", 0, &err), rr);
    CHECK(err && strstr(err, "with `mizani audit`, seed 3") &&
          strstr(err, "the audit of the first results file"));
    free(err);
    json_t *y = load(path(dir, "rm"), "compare.json");
    same_comparisons(x, y, "results vs model");
    CHECK_INT(compare("base", "noisy", "mm", 1, NULL), rr);
    json_t *z = load(path(dir, "mm"), "compare.json");
    same_comparisons(x, z, "model vs model");

    /* the audit against the model it came from: nothing changed */
    CHECK_INT(compare("audit-base", "base", "same", 0, NULL), 0);
    json_t *w = load(path(dir, "same"), "compare.json");
    int still[6];
    every_family(base, w, still);
    for (int k = 0; k < 6; k++)
        CHECK_INT(still[k], 0);

    json_decref(base), json_decref(x), json_decref(y), json_decref(z), json_decref(w);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) CHECK(0);
    mz_ctx_free(ctx);
    return mz_check_result("test_compare_audit");
}
