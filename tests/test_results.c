/* The results tree: every insertion checked (no memory, a key set twice, bad UTF-8), non-finite
 * numbers as null with the shape kept, no interval as null (never [0, 0]), the verdict rule,
 * round trips through results.json, refusals of foreign files, and the static-vector section
 * checked against association scores computed here from the vectors themselves. */
#include "check.h"
#include "mizani/mizani.h"
#include "mizani/report.h"
#include "report_fixture.h"

#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

static json_t *doc(mz_results *r) { return (json_t *)mz_results_json(r); }

static void test_values(mz_ctx *ctx) {
    mz_results *r;
    CHECK_INT(mz_results_new(&r, "test", ctx), MZ_OK);
    mz_rnode *o = mz_rn_object(r, mz_results_root(r), "o");
    mz_rn_num(r, o, "nan", NAN);
    mz_rn_num(r, o, "inf", -INFINITY);
    mz_rn_num(r, o, "x", 0.1);
    const double xs[3] = {1, NAN, 3};
    mz_rn_nums(r, o, "xs", xs, 3);
    mz_rn_path(r, o, "path",
               "a\xff"
               "b\xc3");
    CHECK_INT(mz_results_status(r), MZ_OK);
    json_t *j = json_object_get(doc(r), "o");
    CHECK(json_is_null(json_object_get(j, "nan")));
    CHECK(json_is_null(json_object_get(j, "inf")));
    CHECK_NEAR(json_real_value(json_object_get(j, "x")), 0.1, 0);
    json_t *a = json_object_get(j, "xs");
    CHECK_INT(json_array_size(a), 3); /* the shape is kept */
    CHECK(json_is_null(json_array_get(a, 1)));
    CHECK_STR(json_string_value(json_object_get(j, "path")), "a\xEF\xBF\xBD"
                                                             "b\xEF\xBF\xBD");
    CHECK_STR(json_string_value(json_object_get(json_object_get(doc(r), "run"), "id")),
              mz_results_run_id(r));
    /* a key set twice is a bug: it sticks, and nothing after it is added */
    CHECK_INT(mz_rn_num(r, o, "x", 0.2), MZ_ERR_INTERNAL);
    CHECK_CONTAINS(mz_ctx_message(ctx), "'x' set twice");
    CHECK_INT(mz_rn_num(r, o, "y", 1), MZ_ERR_INTERNAL);
    CHECK(!json_object_get(j, "y"));
    CHECK_INT(mz_results_status(r), MZ_ERR_INTERNAL);
    char *text = NULL;
    CHECK_INT(mz_results_text(&text, r, ctx), MZ_ERR_INTERNAL); /* nothing half-built goes out */
    mz_results_free(r);
    mz_ctx_clear(ctx);

    CHECK_INT(mz_results_new(&r, "test", ctx), MZ_OK);
    CHECK_INT(mz_rn_str(r, mz_results_root(r), "word", "ab\xff"), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "'word' is not valid UTF-8");
    mz_results_free(r);
    mz_ctx_clear(ctx);
}

static json_t *finding_json(mz_ctx *ctx, const mz_finding *f, mz_results **keep) {
    CHECK_INT(mz_results_new(keep, "test", ctx), MZ_OK);
    mz_rnode *sec = mz_results_section(*keep, "static", "Static");
    mz_results_finding(*keep, sec, f);
    CHECK_INT(mz_results_status(*keep), MZ_OK);
    json_t *s = json_object_get(json_object_get(doc(*keep), "sections"), "static");
    return json_array_get(json_object_get(s, "findings"), 0);
}

static const char *verdict_of(mz_ctx *ctx, mz_finding f) {
    mz_results *r;
    json_t *j = finding_json(ctx, &f, &r);
    static char out[32];
    const char *v = json_string_value(json_object_get(j, "verdict"));
    snprintf(out, sizeof out, "%s", v ? v : "null");
    mz_results_free(r);
    return out;
}

static void test_findings(mz_ctx *ctx) {
    mz_finding f = mz_finding_init("static", "t");
    f.effect = "d";
    f.estimate = 0.9;
    f.p = 0.01;
    f.p_holm = 0.02;
    f.units = MZ_UNITS_WORDS;
    f.n_units = 16;
    mz_results *r;
    json_t *j = finding_json(ctx, &f, &r);
    json_t *e = json_object_get(j, "effect");
    CHECK(json_is_null(json_object_get(e, "ci"))); /* no bootstrap: null, never [0, 0] */
    CHECK(json_is_null(json_object_get(e, "level")));
    CHECK(json_is_null(json_object_get(j, "mde")));
    CHECK(json_is_null(json_object_get(j, "reason")));
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "units"), "kind")), "words");
    CHECK_STR(json_string_value(json_object_get(j, "verdict")), "evidence");
    CHECK_CONTAINS(json_string_value(json_object_get(json_object_get(j, "rule"), "text")),
                   "Holm p < 0.05, |d - 0| >= 0.5 and the interval (if any) excluding 0");
    mz_results_free(r);

    /* the rule, case by case */
    CHECK_STR(verdict_of(ctx, f), "evidence");
    mz_finding g = f;
    g.estimate = 0.3; /* significant but small */
    CHECK_STR(verdict_of(ctx, g), "inconclusive");
    g = f;
    g.ci_lo = -0.33, g.ci_hi = 1.33, g.ci_level = 0.95; /* significant, but the interval spans 0 */
    CHECK_STR(verdict_of(ctx, g), "inconclusive");
    g.ci_lo = 0.2; /* the interval agrees with the test */
    CHECK_STR(verdict_of(ctx, g), "evidence");
    g = f;
    g.p_holm = 0.3; /* not significant, interval reaching past the threshold */
    g.ci_lo = -0.2, g.ci_hi = 1.4, g.ci_level = 0.95;
    CHECK_STR(verdict_of(ctx, g), "inconclusive");
    g.ci_lo = -0.3, g.ci_hi = 0.45; /* not significant, the interval rules out |d| >= 0.5 */
    g.estimate = 0.1;
    CHECK_STR(verdict_of(ctx, g), "no_evidence");
    g.ci_level = 0; /* without an interval, the detectable effect decides */
    g.mde = 0.4;
    CHECK_STR(verdict_of(ctx, g), "no_evidence");
    g.mde = 1.8; /* eight words could not have detected 0.5 */
    CHECK_STR(verdict_of(ctx, g), "inconclusive");
    g = f; /* a rate against 50% */
    g.null_value = 0.5, g.threshold = 0.1, g.estimate = 0.58, g.p_holm = 0.01;
    CHECK_STR(verdict_of(ctx, g), "inconclusive");
    g.estimate = 0.38;
    CHECK_STR(verdict_of(ctx, g), "evidence");
    g = f;
    g.status = MZ_FINDING_NOT_COMPUTABLE;
    g.reason = "lost 3 of 8 words";
    CHECK_STR(verdict_of(ctx, g), "null");
    g.status = MZ_FINDING_COMPUTED;
    g.estimate = NAN; /* a NaN score keeps the finding, with a null estimate and no verdict */
    j = finding_json(ctx, &g, &r);
    CHECK(json_is_null(json_object_get(json_object_get(j, "effect"), "estimate")));
    CHECK(json_is_null(json_object_get(j, "verdict")));
    mz_results_free(r);
}

/* Every allocation of building and printing the fixture, failed in turn: each failure is
 * reported as no memory, never lost, never a crash or a leak. */
static void test_out_of_memory(mz_ctx *ctx) {
    json_set_alloc_funcs(mz_malloc, mz_free);
    long n_fail = 0, k;
    for (k = 1;; k++) {
        mz_results *r = NULL;
        char *text = NULL;
        mz_alloc_fail_at(k);
        mz_status rc = fixture_build(&r, ctx);
        if (!rc) rc = mz_results_text(&text, r, ctx);
        mz_alloc_fail_at(0);
        mz_free(text);
        mz_results_free(r);
        mz_ctx_clear(ctx);
        if (rc == MZ_OK) break;
        n_fail += rc == MZ_ERR_NOMEM;
        if (rc != MZ_ERR_NOMEM) {
            CHECK_INT(rc, MZ_ERR_NOMEM);
            break;
        }
    }
    CHECK(k > 100);
    CHECK_INT(n_fail, k - 1);
    json_set_alloc_funcs(malloc, free);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_files(mz_ctx *ctx) {
    mz_results *r, *back;
    CHECK_INT(fixture_build(&r, ctx), MZ_OK);
    CHECK_INT(mz_results_finish(r), MZ_OK);
    char *text, *again;
    CHECK_INT(mz_results_text(&text, r, ctx), MZ_OK);
    char path[] = "/tmp/mz-results-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    CHECK_INT(mz_write_file_atomic(path, text, strlen(text), ctx), MZ_OK);
    CHECK_INT(mz_results_load(&back, path, ctx), MZ_OK);
    CHECK_INT(mz_results_text(&again, back, ctx), MZ_OK);
    CHECK_STR(again, text); /* what is read is what was written, to the last digit */
    CHECK_STR(mz_results_run_id(back), mz_results_run_id(r));
    mz_free(again);
    mz_results_free(back);

    /* a truncated file, a future schema, a finding without a status: refused, with where */
    text[strlen(text) / 2] = '\0';
    write_text(path, text);
    CHECK_INT(mz_results_load(&back, path, ctx), MZ_ERR_INPUT);
    CHECK(mz_ctx_line(ctx) > 1);
    mz_ctx_clear(ctx);
    write_text(path, "{\"schema\": \"mizani-results/3\", \"run\": {\"id\": \"x\"}}");
    CHECK_INT(mz_results_load(&back, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "written by a newer Mizani");
    mz_ctx_clear(ctx);
    write_text(path, "{\"schema\": \"mizani-results/1\", \"job\": \"static-association\"}");
    CHECK_INT(mz_results_load(&back, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "run the test again");
    mz_ctx_clear(ctx);
    write_text(path, "{\"schema\": \"mizani-results/2\", \"run\": {\"id\": \"x\"},\n"
                     "\"sections\": {\"seat\": {\"title\": \"S\", \"findings\": [\n"
                     "{\"id\": \"a\", \"family\": \"seat\"}]}}}");
    CHECK_INT(mz_results_load(&back, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "$.sections.seat.findings[0].status");
    CHECK_INT(mz_ctx_line(ctx), 3);
    mz_ctx_clear(ctx);
    unlink(path);
    mz_free(text);
    mz_results_free(r);
}

/* s(w, A, B) from the vectors, in double precision, independently of the library. */
static double assoc(const mz_vectors *v, const char *w, const mz_probe_list *a,
                    const mz_probe_list *b) {
    size_t dim = mz_vectors_dim(v);
    int folded;
    const float *x = mz_vectors_row(v, (size_t)mz_vectors_find(v, w, 0, &folded));
    double mean[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        const mz_probe_list *l = k ? b : a;
        for (size_t i = 0; i < l->n; i++) {
            const float *y = mz_vectors_row(v, (size_t)mz_vectors_find(v, l->texts[i], 0, &folded));
            double dot = 0, nx = 0, ny = 0;
            for (size_t d = 0; d < dim; d++)
                dot += (double)x[d] * y[d], nx += (double)x[d] * x[d], ny += (double)y[d] * y[d];
            mean[k] += dot / sqrt(nx * ny) / (double)l->n;
        }
    }
    return mean[0] - mean[1];
}

static void test_static(mz_ctx *ctx) {
    mz_probe_set *set;
    CHECK_INT(mz_probes_load(&set, "../corpora/weat-en/weat6.json", ctx), MZ_OK);
    const mz_probe_set *sets[1] = {set};
    const char **keep;
    size_t n_keep;
    CHECK_INT(mz_probe_sets_words(&keep, &n_keep, sets, 1, ctx), MZ_OK);
    mz_vectors_options vo = {.keep = keep, .n_keep = n_keep};
    mz_vectors *v;
    CHECK_INT(mz_vectors_load(&v, "../corpora/demo/synthetic-vectors.vec", &vo, ctx), MZ_OK);
    mz_static_options opt;
    mz_static_options_default(&opt);
    opt.weat.n_bootstrap = 200;
    mz_static_suite suite;
    CHECK_INT(mz_static_suite_run(&suite, v, "../corpora/demo/synthetic-vectors.vec", sets, 1, &opt,
                                  NULL, ctx),
              MZ_OK);
    mz_results *r;
    CHECK_INT(mz_results_new(&r, "weat", ctx), MZ_OK);
    CHECK_INT(mz_report_static_suite(r, &suite, &opt, v), MZ_OK);
    json_t *f = json_array_get(
        json_object_get(json_object_get(json_object_get(doc(r), "sections"), "static"), "findings"),
        0);
    CHECK_STR(json_string_value(json_object_get(f, "id")), "weat6-en");
    json_t *items = json_object_get(f, "items");
    CHECK_INT(json_array_size(items), set->targets[0].n + set->targets[1].n);
    /* each item's score is s(w, A, B), and d recomputed from the items is the finding's d */
    double s[64], sum[2] = {0, 0};
    size_t n[2] = {0, 0}, i;
    json_t *it;
    json_array_foreach(items, i, it) {
        const char *w = json_string_value(json_object_get(it, "item"));
        int y = !strcmp(json_string_value(json_object_get(it, "role")), "Y");
        s[i] = json_real_value(json_object_get(it, "score"));
        CHECK_NEAR(s[i], assoc(v, w, &set->attributes[0], &set->attributes[1]), 1e-6);
        sum[y] += s[i];
        n[y]++;
    }
    double mean = (sum[0] + sum[1]) / (double)(n[0] + n[1]), ss = 0;
    for (size_t k = 0; k < n[0] + n[1]; k++)
        ss += (s[k] - mean) * (s[k] - mean);
    double d =
        (sum[0] / (double)n[0] - sum[1] / (double)n[1]) / sqrt(ss / (double)(n[0] + n[1] - 1));
    json_t *e = json_object_get(f, "effect");
    CHECK_NEAR(json_real_value(json_object_get(e, "estimate")), d, 1e-9);
    CHECK_INT(json_array_size(json_object_get(e, "ci")), 2);
    CHECK_STR(json_string_value(json_object_get(json_object_get(doc(r), "subject"), "kind")),
              "vectors");
    json_t *ps = json_array_get(json_object_get(doc(r), "probe_sets"), 0);
    CHECK_INT(strlen(json_string_value(json_object_get(ps, "sha256"))), 64);
    mz_results_free(r);
    mz_static_suite_clear(&suite);
    mz_vectors_free(v);
    mz_free(keep);
    mz_probes_free(set);
}

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    test_values(ctx);
    test_findings(ctx);
    test_files(ctx);
    test_static(ctx);
    test_out_of_memory(ctx);
    mz_ctx_free(ctx);
    return mz_check_result("test_results");
}
