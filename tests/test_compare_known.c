/* The regression gate on known answers, through the command as a user runs it: from a test
 * checkpoint whose vocabulary holds every probe word as one token (so that moving a word moves
 * nothing else) and which carries a moderate planted bias in weat3-en, copies that are
 * (a) identical: exit 0, nothing changed;
 * (c) the bias grown (weat3-en's target words moved further towards its first attributes):
 *     exit 1 naming weat3-en, and no test regressed that does not share its words;
 * (d) the bias reduced (moved back): reported improved, exit 0;
 * and mixed inputs (results.json against a model, model against model) giving the same outcomes
 * as results against results with the same seed. Then (b), the null: 20 random-weight models
 * with the committed subword vocabulary (3 under the sanitizers), each against a copy with
 * isotropic noise on every tensor, must fail the gate no more often than the binomial 99% bound
 * at 5% (the calibration study runs 200). */
#include "check.h"
#include "cli.h"
#include "cli_run.h"
#include "gate_models.h"

#include "mizani/alloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define NOISE_RUNS 3
#else
#define NOISE_RUNS 20
#endif

#define WORDS   "data/compare/words.tokenizer.json"
#define SUBWORD "calibration/unigram-mask.tokenizer.json"
#define PLANTED "weat3-en"

static mz_ctx *ctx;
static char tmp[] = "/tmp/mizani-gate-XXXXXX";

static const char *path(char *buf, const char *name) {
    snprintf(buf, 4096, "%s/%s", tmp, name);
    return buf;
}

/* The compare section of DIR/compare.json (json_decref). */
static json_t *compare_of(const char *dir) {
    char file[4200];
    snprintf(file, sizeof file, "%s/compare.json", dir);
    json_t *j = json_load_file(file, 0, NULL);
    CHECK(j != NULL);
    json_t *sec = json_incref(json_object_get(json_object_get(j, "sections"), "compare"));
    json_decref(j);
    return sec;
}

static const char *outcome(const json_t *f) {
    return json_string_value(json_object_get(json_object_get(f, "details"), "outcome"));
}

static const json_t *finding(const json_t *section, const char *test) {
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(section, "findings"), i, f) {
        const char *t = json_string_value(json_object_get(json_object_get(f, "details"), "test"));
        if (t && !strcmp(t, test)) return f;
    }
    return NULL;
}

/* Does `set` share a word with weat3-en's first target list (the words the plant moved)? */
static int shares_words(const mz_probe_set *set, const mz_probe_set *planted) {
    for (int l = 0; l < 4; l++) {
        const mz_probe_list *x = l < 2 ? &set->targets[l] : &set->attributes[l - 2];
        for (size_t i = 0; i < x->n; i++)
            for (size_t j = 0; j < planted->targets[0].n; j++)
                if (!strcmp(x->words[i].text, planted->targets[0].words[j].text)) return 1;
    }
    return 0;
}

static mz_status write_copy(const null_spec *spec, double plant, const mz_probe_set *set,
                            const char *name) {
    char dir[4096];
    null_model nm;
    mz_status rc = null_model_make(&nm, spec, ctx);
    if (!rc) rc = gate_plant(&nm, spec->tokenizer, set, plant, ctx);
    if (!rc) rc = null_model_write(&nm, spec, path(dir, name), ctx);
    null_model_free(&nm);
    return rc;
}

/* Every finding's outcome, change and Holm p, the same in two comparisons. */
static void same_outcomes(const json_t *a, const json_t *b, const char *what) {
    size_t i;
    const json_t *f;
    CHECK_INT(json_array_size(json_object_get(a, "findings")),
              json_array_size(json_object_get(b, "findings")));
    json_array_foreach(json_object_get(a, "findings"), i, f) {
        const json_t *g = json_array_get(json_object_get(b, "findings"), i);
        const json_t *ea = json_object_get(f, "effect"), *eb = json_object_get(g, "effect");
        int same = outcome(f) && outcome(g) && !strcmp(outcome(f), outcome(g)) &&
                   json_equal(json_object_get(ea, "estimate"), json_object_get(eb, "estimate")) &&
                   json_equal(json_object_get(f, "p_holm"), json_object_get(g, "p_holm"));
        if (!same) fprintf(stderr, "%s: finding %zu differs\n", what, i);
        CHECK(same);
    }
}

static void known_answers(mz_probe_set **sets, size_t n_sets) {
    const mz_probe_set *planted = NULL;
    for (size_t i = 0; i < n_sets; i++)
        if (!strcmp(sets[i]->id, PLANTED)) planted = sets[i];
    CHECK(planted != NULL);
    if (!planted) return;
    null_spec spec = {0, 2, 64, 4, 128, WORDS, 11};
    CHECK_INT(write_copy(&spec, 0.08, planted, "base"), MZ_OK);
    CHECK_INT(write_copy(&spec, 0.08, planted, "same"), MZ_OK);
    CHECK_INT(write_copy(&spec, 0.2, planted, "regress"), MZ_OK);
    CHECK_INT(write_copy(&spec, 0.0, planted, "improve"), MZ_OK);
    char b[4096], r[4096], o[4096], x[4096], m[4096];
    const char *weat[] = {"mizani",         "weat",    "--vectors",   path(b, "base"),
                          "--probes",       "default", "--report",    path(r, "base-report"),
                          "--permutations", "2000",    "--bootstrap", "0",
                          "--quiet"};
    CHECK_INT(mz_test_cli_n(NULL, NULL, 13, weat), 0);

    /* (a) identical: nothing changed */
    const char *same[] = {"mizani", "compare",    r,        path(m, "same"),
                          "--out",  path(o, "a"), "--quiet"};
    CHECK_INT(mz_test_cli_n(NULL, NULL, 7, same), 0);
    json_t *sec = compare_of(o);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(sec, "gate"), "unchanged")),
              (long long)n_sets);
    json_decref(sec);

    /* (c) planted regression: exit 1, weat3-en regressed, only tests sharing its words */
    const char *reg[] = {"mizani",           "compare",        r,
                         path(m, "regress"), "--out",          path(o, "c"),
                         "--junit",          path(x, "c.xml"), "--quiet"};
    CHECK_INT(mz_test_cli_n(NULL, NULL, 9, reg), 1);
    sec = compare_of(o);
    CHECK_STR(outcome(finding(sec, PLANTED)), "regressed");
    for (size_t i = 0; i < n_sets; i++) {
        const char *got = outcome(finding(sec, sets[i]->id));
        if (got && !strcmp(got, "regressed") && !shares_words(sets[i], planted)) {
            fprintf(stderr, "%s regressed without sharing words with %s\n", sets[i]->id, PLANTED);
            CHECK(0);
        }
    }
    /* d recomputed on the paired words is the d each audit reported: the same items */
    size_t k;
    const json_t *g;
    json_array_foreach(json_object_get(sec, "findings"), k, g) {
        const json_t *d = json_object_get(g, "details");
        double got = json_number_value(json_object_get(json_object_get(d, "paired"), "before"));
        double want = json_number_value(json_object_get(json_object_get(d, "before"), "estimate"));
        CHECK_NEAR(got, want, 1e-9);
    }
    json_decref(sec);
    FILE *f = fopen(x, "r");
    char *xml = f ? (fseek(f, 0, SEEK_END), slurp(f)) : NULL;
    CHECK_CONTAINS(xml, "failures=\"1\"");
    CHECK_CONTAINS(xml, "type=\"regressed\"");
    free(xml);
    if (f) fclose(f);

    /* (d) planted improvement: improved, exit 0 */
    const char *imp[] = {"mizani", "compare",    r,        path(m, "improve"),
                         "--out",  path(o, "d"), "--quiet"};
    CHECK_INT(mz_test_cli_n(NULL, NULL, 7, imp), 0);
    sec = compare_of(o);
    CHECK_STR(outcome(finding(sec, PLANTED)), "improved");
    json_decref(sec);
}

/* results.json vs model, model vs model and results vs results: the same outcomes. */
static void mixed_inputs(void) {
    char sets[1024], b[4096], a[4096], rb[4096], ra[4096], o1[4096], o2[4096], o3[4096];
    snprintf(sets, sizeof sets,
             "../corpora/weat-en/weat3.json,../corpora/weat-en/weat4.json,"
             "../corpora/weat-en/weat5.json,../corpora/weat-sw/age.json");
    path(b, "base"), path(a, "regress"), path(rb, "rb"), path(ra, "ra");
    const char *w1[] = {"mizani", "weat",     "--vectors", b,        "--probes",
                        sets,     "--report", rb,          "--quiet"};
    const char *w2[] = {"mizani", "weat",     "--vectors", a,        "--probes",
                        sets,     "--report", ra,          "--quiet"};
    CHECK_INT(mz_test_cli_n(NULL, NULL, 9, w1), 0);
    CHECK_INT(mz_test_cli_n(NULL, NULL, 9, w2), 0);
    const char *rr[] = {"mizani", "compare", rb, ra, "--out", path(o1, "rr"), "--quiet"};
    const char *rm[] = {"mizani", "compare",      rb,       a, "--probes", sets,
                        "--out",  path(o2, "rm"), "--quiet"};
    const char *mm[] = {"mizani", "compare",      b,         a,        "--probes", sets,
                        "--out",  path(o3, "mm"), "--tests", "static", "--quiet"};
    CHECK_INT(mz_test_cli_n(NULL, NULL, 7, rr), 1);
    CHECK_INT(mz_test_cli_n(NULL, NULL, 9, rm), 1);
    CHECK_INT(mz_test_cli_n(NULL, NULL, 11, mm), 1);
    json_t *x = compare_of(o1), *y = compare_of(o2), *z = compare_of(o3);
    same_outcomes(x, y, "results vs model");
    same_outcomes(x, z, "model vs model");
    json_decref(x), json_decref(y), json_decref(z);
}

/* (b) the null: noise without direction fails the gate no more often than alpha allows. */
static void noise(mz_probe_set **sets, size_t n_sets) {
    mz_compare_options o;
    mz_compare_options_default(&o);
    o.n_permutations = 2000, o.n_bootstrap = 0;
    unsigned long runs_failed = 0, tests = 0, hits = 0, changed = 0, compared = 0;
    for (int run = 0; run < NOISE_RUNS; run++) {
        null_spec spec = {0, 2, 32, 4, 128, SUBWORD, 3000 + (unsigned long)run};
        null_model nm;
        mz_checkpoint *cp[2] = {NULL, NULL};
        char dir[4096];
        mz_status rc = null_model_make(&nm, &spec, ctx);
        if (!rc)
            rc = gate_checkpoint(&cp[0], &nm, &spec, path(dir, "null"), "null", sets, n_sets, 100,
                                 ctx);
        if (!rc) gate_noise(&nm, 0.5, 7000 + (unsigned long)run);
        if (!rc)
            rc = gate_checkpoint(&cp[1], &nm, &spec, path(dir, "noisy"), "noisy", sets, n_sets, 100,
                                 ctx);
        null_model_free(&nm);
        mz_compare c = {0};
        o.seed = (unsigned long)run;
        if (!rc) rc = mz_compare_run(&c, cp, 2, &o, NULL, ctx);
        CHECK_INT(rc, MZ_OK);
        if (rc) fprintf(stderr, "%s\n", mz_ctx_message(ctx));
        runs_failed += mz_compare_regressed(&c);
        for (size_t i = 0; i < c.n; i++) {
            const mz_comparison *x = &c.c[i];
            compared += x->outcome != MZ_CMP_NOT_COMPARED;
            changed += x->outcome != MZ_CMP_NOT_COMPARED && x->change != 0;
            if (x->positive_control || !isfinite(x->p)) continue;
            tests++, hits += x->p < 0.05;
        }
        mz_compare_clear(&c);
        mz_checkpoint_free(cp[0]);
        mz_checkpoint_free(cp[1]);
    }
    printf("noise null: %d runs, %lu failed the gate (bound %lu); %lu of %lu social changes with "
           "p < 0.05 (bound %lu); %lu of %lu comparisons moved\n",
           NOISE_RUNS, runs_failed, mz_stats_binom_upper(NOISE_RUNS, 0.05, 0.99), hits, tests,
           mz_stats_binom_upper(tests, 0.05, 0.99), changed, compared);
    CHECK(runs_failed <= mz_stats_binom_upper(NOISE_RUNS, 0.05, 0.99));
    CHECK(hits <= mz_stats_binom_upper(tests, 0.05, 0.99));
    CHECK(changed * 2 > compared); /* the noise does change the outputs */
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    CHECK(mkdtemp(tmp) != NULL);
    mz_cli cli = {.ctx = ctx};
    mz_probe_set **sets = NULL;
    size_t n_sets = 0;
    CHECK_INT(mz_cli_load_probe_sets(&cli, "../corpora", MZ_PROBE_ASSOCIATION, &sets, &n_sets),
              MZ_OK);
    known_answers(sets, n_sets);
    mixed_inputs();
    noise(sets, n_sets);
    mz_cli_free_sets(sets, n_sets);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd)) CHECK(0);
    mz_ctx_free(ctx);
    return mz_check_result("test_compare_known");
}
