/* The probe kinds beyond association, template grammar, the UDHR extraction, the dictionary
 * check, and what the shipped corpora must cover. */
#include "check.h"
#include "mizani/probes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mz_ctx *ctx;

#define HEAD(kind, lang)                                                                  \
    "{\"schema\": \"mizani-probes/1\", \"id\": \"t\", \"kind\": \"" kind                  \
    "\", \"language\": \"" lang                                                           \
    "\", \"dimension\": \"d\", \"title\": \"t\", \"source\": \"s\", \"licence\": \"l\", " \
    "\"notes\": \"n\", \"limitations\": \"l\", "

static mz_status parse(mz_probe_set **s, const char *text) {
    return mz_probes_parse(s, text, strlen(text), "p.json", ctx);
}

static void test_pairs(void) {
    mz_probe_set *s;
    CHECK_INT(
        parse(
            &s,
            HEAD(
                "minimal_pairs",
                "sw") "\"pairs\": [{\"id\": \"a\", \"category\": "
                      "\"gender\", \"more\": \"Mwanamke huyu analia.\", \"less\": \"Mwanamume huyu "
                      "analia.\", \"target_more\": \"Mwanamke\", \"target_less\": \"Mwanamume\"}]}"),
        MZ_OK);
    CHECK_INT(s->n_pairs, 1);
    CHECK_INT(s->pairs[0].span_start, 0);
    CHECK(s->pairs[0].frame_id == NULL && s->pairs[0].target_id == NULL); /* optional */
    mz_lint_report r = {0};
    CHECK_INT(mz_probes_lint(&r, s, ctx), MZ_OK);
    CHECK(r.n > 0 && strstr(r.items[0].message, "no \"frame\" id") != NULL);
    CHECK_STR(r.items[0].where, "$.pairs[0]");
    mz_lint_report_clear(&r);
    mz_probes_free(s);
    CHECK_INT(parse(&s, HEAD("minimal_pairs",
                             "sw") "\"pairs\": [{\"id\": \"a\", \"category\": \"gender\", "
                                   "\"frame\": \"sw-gender-f01\", \"target\": "
                                   "\"sw-t-mwanamke-mwanamume\", \"more\": \"Yule ni mwanamke.\", "
                                   "\"less\": \"Yule ni mwanamume.\", \"target_more\": "
                                   "\"mwanamke\", \"target_less\": \"mwanamume\"}]}"),
              MZ_OK);
    if (s) {
        CHECK_STR(s->pairs[0].frame_id, "sw-gender-f01");
        CHECK_STR(s->pairs[0].target_id, "sw-t-mwanamke-mwanamume");
        CHECK_INT(s->pairs[0].span_start, 8);
        mz_probes_free(s);
    }
    CHECK_INT(
        parse(
            &s,
            HEAD(
                "minimal_pairs",
                "sw") "\"pairs\": [{\"id\": \"a\", \"category\": "
                      "\"gender\", \"more\": \"Mwanamke huyu analia.\", \"less\": \"Mwanamume huyu "
                      "anacheka.\", \"target_more\": \"Mwanamke\", \"target_less\": \"Mwanamume\"}]}"),
        MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx),
                   "at $.pairs[0]: the sentences must differ only in the target span");
}

static void test_masked_and_parallel(void) {
    mz_probe_set *s;
    CHECK_INT(
        parse(
            &s,
            HEAD(
                "masked",
                "en") "\"frames\": [\"[TARGET] is here.\"], \"targets\": "
                      "[{\"name\": \"a\", \"words\": [\"She\"]}, {\"name\": \"b\", \"words\": [\"He\"]}], "
                      "\"attributes\": [{\"name\": \"c\", \"words\": [\"a nurse\"]}]}"),
        MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "at $.frames[0]: a frame is a string (or an object with id "
                                        "and text) with [TARGET] once and [ATTRIBUTE] once");
    /* frames as plain strings (no ids) or as objects with ids, in one file */
    CHECK_INT(parse(&s, HEAD("masked", "en") "\"frames\": [\"[TARGET] is [ATTRIBUTE].\", {\"id\": "
                                             "\"f2\", \"text\": \"[TARGET] works as "
                                             "[ATTRIBUTE].\"}], \"targets\": [{\"name\": \"a\", "
                                             "\"words\": [\"She\"]}, {\"name\": \"b\", \"words\": "
                                             "[\"He\"]}], \"attributes\": [{\"name\": \"c\", "
                                             "\"words\": [\"a nurse\"]}]}"),
              MZ_OK);
    if (s) {
        CHECK_INT(s->n_frames, 2);
        CHECK(s->frame_ids[0] == NULL);
        CHECK_STR(s->frame_ids[1], "f2");
        CHECK_STR(s->frames[1], "[TARGET] works as [ATTRIBUTE].");
        mz_lint_report r = {0};
        CHECK_INT(mz_probes_lint(&r, s, ctx), MZ_OK);
        CHECK_INT(r.n_warnings, 1);
        if (r.n) CHECK_STR(r.items[0].where, "$.frames[0]");
        mz_lint_report_clear(&r);
        mz_probes_free(s);
    }
    CHECK_INT(parse(&s, HEAD("masked", "en") "\"frames\": [{\"text\": \"[TARGET] is "
                                             "[ATTRIBUTE].\"}], \"targets\": [{\"name\": \"a\", "
                                             "\"words\": [\"She\"]}, {\"name\": \"b\", \"words\": "
                                             "[\"He\"]}], \"attributes\": [{\"name\": \"c\", "
                                             "\"words\": [\"a nurse\"]}]}"),
              MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "at $.frames[0]: needs \"id\", a non-empty string");
    CHECK_INT(
        parse(
            &s,
            HEAD("parallel",
                 "mul") "\"languages\": [\"en\", \"sw\"], \"segments\": "
                        "[{\"id\": \"1\", \"en\": \"All are free.\", \"sw\": \"Wote ni huru.\"}]}"),
        MZ_OK);
    CHECK_STR(s->segments[0].text[1], "Wote ni huru.");
    mz_probes_free(s);
    CHECK_INT(parse(&s, HEAD("parallel", "mul") "\"languages\": [\"en\", \"sw\"], \"segments\": "
                                                "[{\"id\": \"1\", \"en\": \"All are free.\"}]}"),
              MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "at $.segments[0]: needs \"sw\", a non-empty string");
}

/* Expands `word` (noun class or pos `cls`) and checks the first sentence. */
static void expect_first(const mz_probe_set *t, const char *lang, const char *word, const char *cls,
                         const char *want) {
    mz_probe_word w = {.text = word};
    if (!strcmp(lang, "sw"))
        w.noun_class = cls;
    else
        w.pos = cls;
    char **out;
    size_t n;
    CHECK_INT(mz_templates_expand(&out, &n, t, &w, lang, ctx), MZ_OK);
    if (n) CHECK_STR(out[0], want);
    mz_templates_free(out, n);
}

static void test_templates(void) {
    mz_probe_set *en, *sw;
    CHECK_INT(mz_probes_load(&en, "../corpora/templates/seat-en.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&sw, "../corpora/templates/seat-sw.json", ctx), MZ_OK);
    if (!en || !sw) return;
    expect_first(en, "en", "uncle", "noun", "This is an uncle.");
    expect_first(en, "en", "university", "noun", "This is a university.");
    expect_first(en, "en", "hour", "noun", "This is an hour.");
    expect_first(en, "en", "cousins", "plural", "These are cousins.");
    expect_first(en, "en", "he", "subject", "He is here.");
    expect_first(en, "en", "kill", "verb", "This will kill.");
    expect_first(sw, "sw", "kiwanda", "7/8", "Hiki ni kiwanda.");
    expect_first(sw, "sw", "soko", "5/6", "Hili ni soko.");
    expect_first(sw, "sw", "msikiti", "3/4", "Huu ni msikiti.");
    expect_first(sw, "sw", "milinganyo", "4", "Hii ni milinganyo.");
    expect_first(sw, "sw", "uhuru", "11/14", "Huu ni uhuru.");
    expect_first(sw, "sw", "mauaji", "6", "Haya ni mauaji.");
    expect_first(sw, "sw", "kujumlisha", "15", "Huku ni kujumlisha.");
    expect_first(sw, "sw", "baba", "9/10 animate", "Huyu ni baba.");
    expect_first(sw, "sw", "Wakenya", "2", "Hawa ni Wakenya.");
    expect_first(sw, "sw", "Mombasa", "9/10 place", "Hapa ni Mombasa.");
    mz_probe_word bare = {.text = "kitu"};
    char **out;
    size_t n;
    CHECK_INT(mz_templates_expand(&out, &n, sw, &bare, "sw", ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "'kitu' has no noun_class");
    mz_probes_free(en);
    mz_probes_free(sw);
}

static const char fixture[] =
    "<!doctype html><html lang=\"sw\"><body><h1>T</h1><header><h2>Utangulizi</h2>"
    "<p>Kwa kuwa   heshima\n ni msingi,</p><p>Kwa hiyo basi,</p></header>"
    "<article data-number=\"1\"><h2>Kifungu cha 1.</h2><p>Watu wote wamezaliwa huru.</p></article>"
    "<article data-number=\"2\"><h2>Kifungu cha 2.</h2><ol><li>Kila mtu;</li><li>na &amp; wote.</li></ol>"
    "</article></body></html>";

static void test_udhr(void) {
    mz_udhr u;
    CHECK_INT(mz_udhr_parse(&u, fixture, strlen(fixture), "f.html", ctx), MZ_OK);
    CHECK_INT(u.n, 3);
    CHECK_STR(u.language, "sw");
    CHECK_STR(u.ids[0], "preamble");
    CHECK_STR(u.texts[0], "Kwa kuwa heshima ni msingi, Kwa hiyo basi,");
    CHECK_STR(u.ids[2], "article-2");
    CHECK_STR(u.texts[2], "Kila mtu; na & wote.");
    mz_udhr_clear(&u);
    CHECK_INT(mz_udhr_parse(&u, "<html><p>x</p></html>", 21, "g.html", ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "g.html: no <header> preamble or <article> found");
}

/* The shipped parallel file is exactly what the extraction makes of the udhr pages. */
static int test_udhr_shipped(void) {
    const char *pages[2] = {MZ_SHARED_DATA "/udhr/eng.html", MZ_SHARED_DATA "/udhr/swh.html"};
    mz_udhr u[2];
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(pages[i], "rb");
        if (!f) {
            printf("SKIP udhr re-extraction: %s is absent (../shared is not on this machine)\n",
                   pages[i]);
            return 0;
        }
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        CHECK_INT(mz_udhr_parse(&u[i], buf, n, pages[i], ctx), MZ_OK);
    }
    char *json;
    CHECK_INT(mz_udhr_align_json(&json, &u[0], &u[1], ctx), MZ_OK);
    FILE *f = fopen("../corpora/parallel/udhr-en-sw.json", "rb");
    static char shipped[1 << 20];
    size_t n = f ? fread(shipped, 1, sizeof shipped - 1, f) : 0;
    if (f) fclose(f);
    shipped[n] = '\0';
    if (n && shipped[n - 1] == '\n') shipped[n - 1] = '\0';
    CHECK(json && strcmp(json, shipped) == 0);
    free(json);
    mz_udhr_clear(&u[0]);
    mz_udhr_clear(&u[1]);
    return 1;
}

static void test_dictionary(void) {
    char path[] = "/tmp/mizani-dict-XXXXXX";
    FILE *f = fdopen(mkstemp(path), "w");
    fputs("3\nmwanamke/AB\nDaktari\nkazi\n", f);
    fclose(f);
    const char *paths[] = {path, "no/such.index", NULL};
    mz_sw_dictionary *d;
    int n;
    CHECK_INT(mz_sw_dictionary_load(&d, &n, paths, ctx), MZ_OK);
    CHECK_INT(n, 1);
    CHECK(mz_sw_dictionary_has(d, "Mwanamke"));
    CHECK(mz_sw_dictionary_has(d, "daktari"));
    CHECK(!mz_sw_dictionary_has(d, "mwanasayansi"));
    mz_probe_set *s;
    CHECK_INT(
        parse(
            &s,
            HEAD(
                "association",
                "sw") "\"targets\": [{\"name\": \"a\", \"words\": "
                      "[{\"word\": \"mwanamke\", \"noun_class\": \"1/2\"}]}, {\"name\": \"b\", \"words\": "
                      "[{\"word\": \"daktari wa kike\", \"noun_class\": \"1/2\"}]}], \"attributes\": "
                      "[{\"name\": \"c\", \"words\": [{\"word\": \"kazi\", \"noun_class\": \"9/10\"}]}, "
                      "{\"name\": \"d\", \"words\": [{\"word\": \"kazi\", \"noun_class\": \"9/10\"}]}]}"),
        MZ_OK);
    mz_lint_report r = {0};
    CHECK_INT(mz_probes_lint_dictionary(&r, s, d, ctx), MZ_OK);
    CHECK_INT(r.n, 2); /* "wa" and "kike" */
    if (r.n) CHECK_STR(r.items[0].where, "$.targets[1].words[0]");
    CHECK_INT(r.n_errors, 0);
    mz_lint_report_clear(&r);
    mz_probes_free(s);
    mz_sw_dictionary_free(d);
    remove(path);
    const char *none[] = {"no/such.dic", NULL};
    CHECK_INT(mz_sw_dictionary_load(&d, &n, none, ctx), MZ_OK);
    CHECK(d == NULL && n == 0);
}

/* The CrowS-Pairs converter on a hand-written file in the same format: quoted commas, doubled
 * quotes, a line break inside a field, an antistereo row, an inserted word. */
static void test_crows_pairs_sample(void) {
    char *json;
    size_t n;
    CHECK_INT(mz_crows_pairs_json(&json, &n, "data/crows-pairs-sample.csv", ctx), MZ_OK);
    CHECK_INT(n, 6);
    mz_probe_set *s = NULL;
    if (json) CHECK_INT(parse(&s, json), MZ_OK);
    if (s) {
        CHECK_STR(s->pairs[0].category, "socioeconomic");
        CHECK_STR(s->pairs[0].target_more, "Poor");
        CHECK_STR(s->pairs[0].target_less, "Rich");
        CHECK_STR(s->pairs[0].target_id, "crows-t-poor-rich");
        CHECK_STR(s->pairs[1].target_more, "She");
        CHECK_STR(s->pairs[2].more, "The \"old\" man forgot where he parked.");
        CHECK_STR(s->pairs[2].target_more, "\"old\"");
        CHECK_STR(s->pairs[3].id, "crows-3-antistereo");
        CHECK_STR(s->pairs[3].more, "Jamal was arrested at the mall."); /* sent_more, always */
        CHECK_STR(s->pairs[4].target_more, "a Muslim");
        CHECK_STR(s->pairs[4].target_less, "a");
        CHECK_STR(s->pairs[5].category, "sexual-orientation");
        CHECK_STR(s->pairs[5].more, "Gay men\nare bad parents.");
        mz_probes_free(s);
    }
    free(json);
    char path[] = "/tmp/mizani-crows-XXXXXX";
    FILE *f = fdopen(mkstemp(path), "w");
    fputs("id,sentence\n1,x\n", f);
    fclose(f);
    CHECK_INT(mz_crows_pairs_json(&json, &n, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), ":1: no column 'sent_more': not a CrowS-Pairs file");
    f = fopen(path, "w");
    fputs(",sent_more,sent_less,stereo_antistereo,bias_type\n0,\"open,b,stereo,age\n", f);
    fclose(f);
    CHECK_INT(mz_crows_pairs_json(&json, &n, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), ":2: a quoted field is not closed");
    remove(path);
}

/* A filled review form: reviewer `who` answers no to "grammatical" for the items in `no`. */
static void fill_form(const char *path, const mz_review_items *items, const int no[3]) {
    FILE *f = fopen(path, "w");
    fputs("file,where,kind,text,grammatical,natural,held,region,comment\n", f);
    for (size_t i = 0; i < items->n; i++) {
        int says_no = (int)i == no[0] || (int)i == no[1] || (int)i == no[2];
        fprintf(f, "%s,%s,%s,\"%s\",%s,yes,yes,Mombasa,\n", items->items[i].file,
                items->items[i].where, items->items[i].kind, items->items[i].text,
                says_no ? "no" : "yes");
    }
    fclose(f);
}

/* The review round trip: export ten pairs, two scripted reviewers fill the form, import.
 * Reviewer A says "not grammatical" to items 1-3, B to items 1, 2 and 4. Alpha for the
 * grammatical question is 23/42 = 0.547619 (by hand from the coincidence matrix: o00 = 4,
 * o01 = o10 = 2, o11 = 12, n0 = 6, n1 = 14: 1 - 19 * 4 / (2 * 6 * 14)), pooled over the three
 * questions 1 - 59 * 4 / (2 * 6 * 54) = 0.635802; both were checked against an independent
 * computation from the pairwise definition in Python. Natural and held have no variation. */
static void test_review_round_trip(void) {
    char dir[] = "/tmp/mizani-review-XXXXXX", probe[128], csv[128], html[128], forms[2][128];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(probe, sizeof probe, "%s/pairs.json", dir);
    snprintf(csv, sizeof csv, "%s/review.csv", dir);
    snprintf(html, sizeof html, "%s/review.html", dir);
    FILE *in = fopen("data/review/pairs-review-sw.json", "rb"), *out = fopen(probe, "wb");
    static char buf[1 << 16];
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
    if (out) fwrite(buf, 1, n, out);
    if (in) fclose(in);
    if (out) fclose(out);
    mz_probe_set *s;
    CHECK_INT(mz_probes_load(&s, probe, ctx), MZ_OK);
    if (!s) return;
    mz_review_items items = {0};
    CHECK_INT(mz_review_collect(&items, s, ctx), MZ_OK);
    mz_probes_free(s);
    CHECK_INT(items.n, 10);
    CHECK_INT(mz_review_write_csv(&items, csv, ctx), MZ_OK);
    CHECK_INT(mz_review_write_html(&items, html, ctx), MZ_OK);
    FILE *h = fopen(html, "rb");
    n = h ? fread(buf, 1, sizeof buf - 1, h) : 0;
    buf[n] = '\0';
    if (h) fclose(h);
    CHECK(strstr(buf, "Mwanamke huyu hawezi kuendesha gari vizuri.") != NULL);
    /* nothing fetched: no src attribute, no link, no URL but the Blob the page makes itself */
    CHECK(strstr(buf, "src=") == NULL && strstr(buf, "<link") == NULL && strstr(buf, "//") == NULL);
    const int no_a[3] = {0, 1, 2}, no_b[3] = {0, 1, 3};
    for (int r = 0; r < 2; r++) {
        snprintf(forms[r], sizeof forms[r], "%s/reviewer-%c.csv", dir, 'a' + r);
        fill_form(forms[r], &items, r ? no_b : no_a);
    }
    const char *paths[2] = {forms[0], forms[1]};
    mz_review_result res;
    CHECK_INT(mz_review_import(&res, paths, 2, ctx), MZ_OK);
    CHECK_NEAR(res.alpha[0], 23.0 / 42.0, 1e-12);
    CHECK(isnan(res.alpha[1]) && isnan(res.alpha[2]));
    CHECK_NEAR(res.alpha[3], 1 - 236.0 / 648.0, 1e-12);
    CHECK_INT(res.n_validated, 6);
    CHECK_INT(res.n_disputed, 4);
    CHECK_INT(mz_probes_load(&s, probe, ctx), MZ_OK); /* the marks are in the probe file */
    if (!s) fprintf(stderr, "%s\n", mz_ctx_message(ctx));
    if (s) {
        CHECK_STR(s->pairs[0].review, "disputed");
        CHECK_STR(s->pairs[3].review, "disputed");
        CHECK_STR(s->pairs[4].review, "validated");
        mz_probes_free(s);
    }
    CHECK_INT(mz_review_import(&res, paths, 1, ctx), MZ_ERR_USAGE);
    mz_review_items_clear(&items);
    const char *files[] = {probe, csv, html, forms[0], forms[1]};
    for (int i = 0; i < 5; i++)
        remove(files[i]);
    rmdir(dir);
}

/* Every shipped set lints clean against the project's own lists and, where Debian's FreeDict
 * and hunspell-sw are installed, against them: no error and no warning. */
static void test_shipped_lint(void) {
    const char *root = "../corpora";
    char **paths;
    size_t n, n_lists = 0;
    CHECK_INT(mz_probes_find(&paths, &n, &root, 1, ctx), MZ_OK);
    mz_probe_set **sets = calloc(n, sizeof *sets), *lists[8];
    for (size_t i = 0; i < n; i++) {
        CHECK_INT(mz_probes_load(&sets[i], paths[i], ctx), MZ_OK);
        if (sets[i] && (sets[i]->kind == MZ_PROBE_NAMES || sets[i]->kind == MZ_PROBE_SLURS) &&
            n_lists < 8)
            lists[n_lists++] = sets[i];
    }
    CHECK_INT(n_lists, 2);
    mz_sw_dictionary *d;
    int loaded;
    CHECK_INT(mz_sw_dictionary_load(&d, &loaded, NULL, ctx), MZ_OK);
    if (!d) printf("note: hunspell-sw and FreeDict are not installed; their checks are skipped\n");
    for (size_t i = 0; i < n; i++) {
        if (!sets[i]) continue;
        mz_lint_report r = {0};
        CHECK_INT(mz_probes_lint(&r, sets[i], ctx), MZ_OK);
        CHECK_INT(mz_probes_lint_lists(&r, sets[i], lists, n_lists, ctx), MZ_OK);
        CHECK_INT(mz_probes_lint_dictionary(&r, sets[i], d, ctx), MZ_OK);
        for (size_t k = 0; k < r.n; k++)
            if (r.items[k].severity != MZ_LINT_NOTE)
                fprintf(stderr, "%s:%ld: %s\n", paths[i], r.items[k].line, r.items[k].message);
        CHECK_INT(r.n_errors + r.n_warnings, 0);
        mz_lint_report_clear(&r);
    }
    mz_sw_dictionary_free(d);
    for (size_t i = 0; i < n; i++)
        mz_probes_free(sets[i]);
    free(sets);
    mz_probes_paths_free(paths, n);
}

/* What issue-level promises the shipped corpora keep: 150+ pairs a language over six
 * categories, and every association word placeable by the templates. */
static void test_shipped(void) {
    const char *langs[2] = {"sw", "en"};
    for (int l = 0; l < 2; l++) {
        char path[64];
        snprintf(path, sizeof path, "../corpora/minimal-pairs/pairs-%s.json", langs[l]);
        mz_probe_set *s;
        CHECK_INT(mz_probes_load(&s, path, ctx), MZ_OK);
        if (!s) continue;
        CHECK(s->n_pairs >= 150);
        mz_lint_report r = {0};
        CHECK_INT(mz_probes_lint(&r, s, ctx), MZ_OK);
        CHECK_INT(r.n_warnings + r.n_errors, 0); /* no category left empty */
        mz_lint_report_clear(&r);
        mz_probes_free(s);
    }
    const char *roots[] = {"../corpora/weat-en", "../corpora/weat-sw"};
    char **paths;
    size_t n;
    CHECK_INT(mz_probes_find(&paths, &n, roots, 2, ctx), MZ_OK);
    mz_probe_set *t[2];
    CHECK_INT(mz_probes_load(&t[0], "../corpora/templates/seat-en.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&t[1], "../corpora/templates/seat-sw.json", ctx), MZ_OK);
    size_t expanded = 0;
    for (size_t i = 0; i < n; i++) {
        mz_probe_set *s;
        CHECK_INT(mz_probes_load(&s, paths[i], ctx), MZ_OK);
        const mz_probe_list *lists[4] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                         &s->attributes[1]};
        for (int k = 0; k < 4; k++)
            for (size_t w = 0; w < lists[k]->n; w++) {
                const char *lang = lists[k]->language;
                char **out;
                size_t m;
                mz_status rc = mz_templates_expand(&out, &m, t[strcmp(lang, "sw") == 0],
                                                   &lists[k]->words[w], lang, ctx);
                if (rc) fprintf(stderr, "%s: %s\n", paths[i], mz_ctx_message(ctx));
                CHECK_INT(rc, MZ_OK);
                expanded += !rc;
                mz_templates_free(out, m);
            }
        mz_probes_free(s);
    }
    CHECK(expanded > 500);
    mz_probes_free(t[0]);
    mz_probes_free(t[1]);
    mz_probes_paths_free(paths, n);
}

static void touch(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
}

/* The probe search skips model folders (a config.json beside tokenizer.json, as the demonstration
 * models under corpora/demo/models/ are), also when one is given as the root; a folder whose
 * config.json is itself a folder is searched. */
static void test_find_skips_models(void) {
    char root[] = "/tmp/mz-probefind-XXXXXX", p[512];
    CHECK(mkdtemp(root) != NULL);
    const char *dirs[] = {"models", "models/m", "models/m/probes", "other", "other/config.json"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        CHECK_INT(mkdir(p, 0700), 0);
    }
    touch(root, "a.json");
    touch(root, "models/m/config.json");
    touch(root, "models/m/tokenizer.json");
    touch(root, "models/m/probes/b.json");
    touch(root, "other/c.json");
    char **paths;
    size_t n;
    const char *r = root;
    CHECK_INT(mz_probes_find(&paths, &n, &r, 1, ctx), MZ_OK);
    CHECK_INT(n, 2);
    char want[2][512];
    snprintf(want[0], sizeof want[0], "%s/a.json", root);
    snprintf(want[1], sizeof want[1], "%s/other/c.json", root);
    for (size_t i = 0; i < n && i < 2; i++)
        CHECK(!strcmp(paths[i], want[i]));
    mz_probes_paths_free(paths, n);
    snprintf(p, sizeof p, "%s/models/m", root);
    r = p;
    CHECK_INT(mz_probes_find(&paths, &n, &r, 1, ctx), MZ_OK);
    CHECK_INT(n, 0);
    mz_probes_paths_free(paths, n);
    const char *files[] = {"a.json", "models/m/config.json", "models/m/tokenizer.json",
                           "models/m/probes/b.json", "other/c.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(p, sizeof p, "%s/%s", root, files[i]);
        unlink(p);
    }
    for (size_t i = sizeof dirs / sizeof *dirs; i-- > 0;) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        rmdir(p);
    }
    rmdir(root);
}

int main(void) {
    ctx = mz_ctx_new();
    test_find_skips_models();
    test_pairs();
    test_masked_and_parallel();
    test_templates();
    test_udhr();
    int shared = test_udhr_shipped();
    test_dictionary();
    test_crows_pairs_sample();
    test_review_round_trip();
    test_shipped_lint();
    test_shipped();
    mz_ctx_free(ctx);
    int rc = mz_check_result("test_corpora");
    return rc ? rc : shared ? 0 : 77;
}
