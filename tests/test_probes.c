/* Probe files: the loader's errors point at the JSON path, the linter catches what a
 * reviewer would, and every allocation failure is reported and cleaned up. */
#include "check.h"
#include "mizani/alloc.h"
#include "mizani/probes.h"

#include <stdio.h>
#include <stdlib.h>

static mz_ctx *ctx;

#define HEADER                                                                               \
    "\"schema\": \"mizani-probes/1\", \"id\": \"t-sw\", \"kind\": \"association\", "         \
    "\"language\": \"sw\", \"dimension\": \"gender\", \"title\": \"t\", \"source\": \"s\", " \
    "\"licence\": \"CC0-1.0\", \"notes\": \"n\", \"limitations\": \"l\""

/* A Swahili set whose lists are given as JSON arrays of words. */
static char *make(const char *x, const char *y, const char *a, const char *b) {
    char *s = malloc(4096);
    snprintf(s, 4096,
             "{" HEADER ", \"targets\": [{\"name\": \"X\", \"words\": %s}, {\"name\": "
             "\"Y\", \"words\": %s}], \"attributes\": [{\"name\": \"A\", \"words\": %s}, "
             "{\"name\": \"B\", \"words\": %s}]}",
             x, y, a, b);
    return s;
}

static mz_status parse(mz_probe_set **set, const char *text) {
    return mz_probes_parse(set, text, strlen(text), "p.json", ctx);
}

#define W(word) "{\"word\": \"" word "\", \"noun_class\": \"1/2\"}"

static void test_load(void) {
    char *text =
        make("[" W("mwanamume") "," W("mvulana") "]", "[" W("mwanamke") "," W("msichana") "]",
             "[" W("mhandisi") "]", "[" W("mpishi") "]");
    mz_probe_set *s;
    CHECK_INT(parse(&s, text), MZ_OK);
    CHECK_STR(s->id, "t-sw");
    CHECK_INT(s->targets[1].n, 2);
    CHECK_STR(s->targets[1].texts[1], "msichana");
    CHECK_STR(s->attributes[0].words[0].noun_class, "1/2");
    CHECK_STR(s->attributes[1].language, "sw");
    mz_probes_free(s);
    free(text);
}

static void expect(const char *text, mz_status status, const char *message) {
    mz_probe_set *s = (mz_probe_set *)1;
    CHECK_INT(parse(&s, text), status);
    CHECK(s == NULL);
    CHECK_STR(mz_ctx_message(ctx), message);
}

static void test_errors(void) {
    expect("{\"schema\": \"mizani-probes/1\",\n  \"id\": }", MZ_ERR_INPUT,
           "p.json:2:9: unexpected token near '}'");
    expect("[]", MZ_ERR_INPUT, "p.json:1: at $: a probe file is a JSON object");
    expect("{" HEADER ", \"atributes\": []}", MZ_ERR_INPUT,
           "p.json:1: at $.atributes: unknown key for kind 'association' (see corpora/SCHEMA.md)");
    expect("{\"schema\": \"mizani-probes/1\"}", MZ_ERR_INPUT,
           "p.json: at $.id: missing or not a non-empty string" /* absent: no line */);
    char *t = make("[\"a\", 3]", "[\"c\"]", "[\"d\"]", "[\"e\"]");
    expect(t, MZ_ERR_INPUT, "p.json:1: at $.targets[0].words[1]: a word is a string or an object");
    free(t);
    /* the line is that of the offending value, wherever the file breaks its lines */
    expect("{\"schema\": \"mizani-probes/1\", \"id\": \"t\", \"kind\": \"association\",\n"
           "\"language\": \"sw\", \"dimension\": \"d\", \"title\": \"t\", \"source\": \"s\",\n"
           "\"licence\": \"l\", \"notes\": \"n\", \"limitations\": \"l\",\n"
           "\"targets\": [{\"name\": \"X\", \"words\": [\"a\",\n  \"b\",\n  [1]]},\n"
           "  {\"name\": \"Y\", \"words\": []}], \"attributes\": []}",
           MZ_ERR_INPUT, "p.json:6: at $.targets[0].words[2]: a word is a string or an object");
    t = make("[{\"word\": \"a\", \"class\": \"1\"}]", "[\"c\"]", "[\"d\"]", "[\"e\"]");
    expect(t, MZ_ERR_INPUT, "p.json:1: at $.targets[0].words[0]: unknown key 'class'");
    free(t);
    expect("{" HEADER ", \"targets\": [], \"attributes\": []}", MZ_ERR_INPUT,
           "p.json:1: at $.targets: needs exactly 2 lists here");
    char other[1024];
    snprintf(other, sizeof other, "{" HEADER "}");
    memcpy(strstr(other, "association"), "sentiment\"  ", 12);
    expect(other, MZ_ERR_UNSUPPORTED,
           "p.json:1: at $.kind: kind 'sentiment' is not one this version reads (association, "
           "minimal_pairs, masked, templates, parallel, names, slurs)");
    mz_probe_set *s;
    CHECK_INT(mz_probes_load(&s, "no/such.json", ctx), MZ_ERR_IO);
}

/* Lints `text` and checks that one finding mentions `needle` at `where`. */
static void expect_finding(const char *text, mz_lint_severity sev, const char *where,
                           const char *needle) {
    mz_probe_set *s;
    CHECK_INT(parse(&s, text), MZ_OK);
    if (!s) return;
    mz_lint_report r = {0};
    CHECK_INT(mz_probes_lint(&r, s, ctx), MZ_OK);
    int found = 0;
    for (size_t i = 0; i < r.n; i++)
        found |= r.items[i].severity == sev && !strcmp(r.items[i].where, where) &&
                 strstr(r.items[i].message, needle) != NULL;
    if (!found) {
        fprintf(stderr, "no finding '%s' at %s; got:\n", needle, where);
        for (size_t i = 0; i < r.n; i++)
            fprintf(stderr, "  %s: %s\n", r.items[i].where, r.items[i].message);
    }
    CHECK(found);
    mz_lint_report_clear(&r);
    mz_probes_free(s);
}

static void test_lint(void) {
    const char *ok1 = "[" W("baba") "," W("kaka") "]", *ok2 = "[" W("mama") "," W("dada") "]";
    const char *a = "[" W("kazi") "]", *b = "[" W("ndoa") "]";
    char *t;
    /* "ng'ombe" with U+2019 instead of U+0027 */
    t = make("[" W("ng\xE2\x80\x99ombe") "," W("kaka") "]", ok2, a, b);
    expect_finding(t, MZ_LINT_ERROR, "$.targets[0].words[0]", "for the apostrophe");
    free(t);
    /* "mwanamke" spelt with a decomposed character: a + U+0301 */
    t = make(ok1, "[" W("ma\xCC\x81ma") "," W("dada") "]", a, b);
    expect_finding(t, MZ_LINT_ERROR, "$.targets[1].words[0]", "not in Unicode NFC");
    free(t);
    t = make(ok1, "[" W("mama") "," W("Kaka") "]", a, b);
    expect_finding(t, MZ_LINT_ERROR, "$.targets[1]", "'Kaka' is in both target lists");
    free(t);
    t = make(ok1, ok2, "[" W("kazi") "," W("kazi") "]", "[" W("ndoa") "," W("mama") "]");
    expect_finding(t, MZ_LINT_ERROR, "$.attributes[0]", "'kazi' appears twice");
    expect_finding(t, MZ_LINT_ERROR, "$.attributes[1]",
                   "'mama' is in both a target and an attribute list");
    free(t);
    t = make(ok1, "[" W("mama") "]", a, b);
    expect_finding(t, MZ_LINT_WARNING, "$.targets[1]", "differ in size (2 and 1)");
    free(t);
    t = make("[\"baba\", " W("kaka") "]", ok2, a, b);
    expect_finding(t, MZ_LINT_ERROR, "$.targets[0].words[0]", "has no noun_class");
    free(t);
    t = make(
        ok1, ok2,
        "[{\"word\": \"Kenya\", \"noun_class\": \"9/10\", \"ambiguous\": \"a name and a country\"}]",
        b);
    expect_finding(t, MZ_LINT_NOTE, "$.attributes[0].words[0]",
                   "second reading: a name and a country");
    free(t);
    t = make(ok1, ok2, "[" W(" kazi") "]", b);
    expect_finding(t, MZ_LINT_ERROR, "$.attributes[0].words[0]", "empty or padded");
    free(t);
}

/* Each defect class a reviewer found by hand has an example under data/lint/ that the linter
 * catches: (file, where, what the finding says). */
static void test_lint_examples(void) {
    static const char *const cases[][3] = {
        {"slur-label-sw", "$.pairs[0]", "'zeruzeru' is on the slur list"},
        {"hypernym-sw", "$.pairs[0]", "a group against a generic person noun"},
        {"extra-word-en", "$.pairs[0]", "differ in word count (2 and 1)"},
        {"lowercase-sw", "$.pairs[0]", "starts with a lower-case letter"},
        {"missing-ids-sw", "$.pairs[0]", "no \"frame\" id"},
        {"masked-lowercase-sw", "$.frames[0]", "'daktari' starts with a lower-case letter"},
        {"given-name-attribute-sw", "$.attributes[0].words[0]", "'amani' is also a given name"},
        {"gender-names-religion-sw", "$.targets[0].words[1]", "signals Christian while other"},
        {"gender-names-surname-sw", "$.targets[0].words[0]", "'Kamau' is often a surname"},
        {"noun-class-sw", "$.targets[0].words[0]", "'11/14' of 'upendo' is not a Swahili"},
        {"noun-class-sw", "$.targets[1].words[0]", "whose class is 16-18"},
        {"noun-class-sw", "$.attributes[0].words[0]", "class 7, whose nouns start with ki-"},
        {"freedict-senses-sw", "$.attributes[0].words[0]",
         "FreeDict gives 'bahati' several senses: 1. luck, chance 2. fate"},
        {"freedict-senses-sw", "$.targets[1].words[0]",
         "'Moshi' is also a common word in "
         "FreeDict: smoke"},
        {"freedict-senses-sw", "$.attributes[0].words[1]", "plural of 'daktari' is 'madaktari'"},
        {"template-lowercase-sw", "$.frames[0]", "starts with {word}"},
    };
    const char *roots[] = {"../corpora/lexicon"},
               *dict_paths[] = {"data/lint/freedict-fixture.index", NULL};
    char **paths;
    size_t n;
    CHECK_INT(mz_probes_find(&paths, &n, roots, 1, ctx), MZ_OK);
    mz_probe_set *lists[8];
    for (size_t i = 0; i < n && i < 8; i++)
        CHECK_INT(mz_probes_load(&lists[i], paths[i], ctx), MZ_OK);
    mz_sw_dictionary *d;
    int loaded;
    CHECK_INT(mz_sw_dictionary_load(&d, &loaded, dict_paths, ctx), MZ_OK);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char path[96];
        snprintf(path, sizeof path, "data/lint/%s.json", cases[c][0]);
        mz_probe_set *s;
        CHECK_INT(mz_probes_load(&s, path, ctx), MZ_OK);
        if (!s) continue;
        mz_lint_report r = {0};
        CHECK_INT(mz_probes_lint(&r, s, ctx), MZ_OK);
        CHECK_INT(mz_probes_lint_lists(&r, s, lists, n, ctx), MZ_OK);
        CHECK_INT(mz_probes_lint_dictionary(&r, s, d, ctx), MZ_OK);
        int found = 0;
        for (size_t i = 0; i < r.n; i++)
            found |= r.items[i].severity == MZ_LINT_WARNING &&
                     !strcmp(r.items[i].where, cases[c][1]) &&
                     strstr(r.items[i].message, cases[c][2]) && r.items[i].line > 0;
        if (!found) {
            fprintf(stderr, "%s: no warning '%s' at %s; got:\n", path, cases[c][2], cases[c][1]);
            for (size_t i = 0; i < r.n; i++)
                fprintf(stderr, "  %s: %s\n", r.items[i].where, r.items[i].message);
        }
        CHECK(found);
        mz_lint_report_clear(&r);
        mz_probes_free(s);
    }
    /* sides that differ outside the target span are not a pair at all: the loader refuses */
    mz_probe_set *s;
    CHECK_INT(mz_probes_load(&s, "data/lint/outside-span-sw.json", ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "must differ only in the target span");
    mz_sw_dictionary_free(d);
    for (size_t i = 0; i < n && i < 8; i++)
        mz_probes_free(lists[i]);
    mz_probes_paths_free(paths, n);
}

static void test_allocation_failures(void) {
    char *text = make("[" W("baba") "," W("kaka") "]", "[" W("mama") "," W("dada") "]",
                      "[" W("kazi") "]", "[" W("ndoa") "]");
    int failures = 0;
    for (long n = 1;; n++) {
        mz_probe_set *s;
        mz_alloc_fail_at(n);
        mz_status rc = parse(&s, text);
        mz_alloc_fail_at(0);
        if (rc == MZ_OK) {
            mz_probes_free(s);
            break;
        }
        CHECK_INT(rc, MZ_ERR_NOMEM);
        failures++;
    }
    CHECK(failures >= 4);
    free(text);
}

int main(void) {
    ctx = mz_ctx_new();
    test_load();
    test_errors();
    test_lint();
    test_lint_examples();
    test_allocation_failures();
    mz_ctx_free(ctx);
    return mz_check_result("test_probes");
}
