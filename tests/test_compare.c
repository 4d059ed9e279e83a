/* The regression gate's parts: the paired change test against brute-force enumeration of every
 * swap pattern (computed here independently, with GSL's d), its Monte Carlo form within its
 * error, the same numbers for any thread count; pairing of findings built through the results
 * API (words, SEAT rows with their word as the unit, pairs with target clusters and untested
 * pairs, masked attributes, fairness segments); the refusals (probe-set versions, languages, a
 * set on one side, token-level tests across tokenizers); compare.json read back and drawn again
 * byte for byte; and the JUnit file validated against the committed XSD with libxml2. */
#include "check.h"
#include "cli.h"

#include "mizani/alloc.h"
#include "mizani/association.h"
#include "mizani/compare.h"
#include "mizani/mizani.h"
#include "mizani/report.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlschemas.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static mz_ctx *ctx;

/* A reproducible uniform in [0, 1) (xorshift), independent of the code under test. */
static double uniform(unsigned long long *s) {
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* p of the swap test by enumerating every pattern of k clusters, d from mz_weat_d. */
static double brute_p(const double *b, const double *a, size_t nx, size_t n, const size_t *cl,
                      size_t k) {
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double obs = fabs(mz_weat_d(a, nx, n - nx) - mz_weat_d(b, nx, n - nx));
    unsigned long hits = 0;
    for (unsigned long pat = 0; pat < (1ul << k); pat++) {
        for (size_t i = 0; i < n; i++) {
            int s = (pat >> cl[i]) & 1;
            x[i] = s ? a[i] : b[i], y[i] = s ? b[i] : a[i];
        }
        hits += fabs(mz_weat_d(y, nx, n - nx) - mz_weat_d(x, nx, n - nx)) >= obs - 1e-12;
    }
    free(x), free(y);
    return (double)hits / (double)(1ul << k);
}

static void test_change_exact(void) {
    enum { N = 24 };
    unsigned long long seed = 42;
    double b[N], a[N];
    const char *unit[N];
    size_t cl[N];
    static const char *names[] = {"w0", "w1", "w2", "w3", "w4",  "w5",
                                  "w6", "w7", "w8", "w9", "w10", "w11"};
    for (int i = 0; i < N; i++) {
        b[i] = uniform(&seed) - 0.5;
        a[i] = b[i] + 0.6 * (uniform(&seed) - 0.5) + (i < 12 ? 0.15 : 0);
        unit[i] = names[i / 2]; /* two rows a word: X's words 0-5, Y's 6-11 */
        cl[i] = (size_t)(i / 2);
    }
    mz_weat_change w, again;
    CHECK_INT(mz_weat_change_test(&w, b, a, 12, 12, unit, 500, 1u << 20, 0.95, 9, ctx), MZ_OK);
    CHECK(w.exact);
    CHECK_INT(w.n_units, 12);
    CHECK_NEAR(w.p_value, brute_p(b, a, 12, N, cl, 12), 1e-12);
    CHECK_NEAR(w.delta, mz_weat_d(a, 12, 12) - mz_weat_d(b, 12, 12), 1e-12);
    CHECK(w.ci_lo <= w.delta && w.delta <= w.ci_hi);
    /* 8 + 8 rows, each its own unit: 2^16 patterns, more than the 20000 drawn, so Monte Carlo,
     * within 3 standard errors of the enumeration */
    for (int i = 0; i < 16; i++)
        cl[i] = (size_t)i;
    CHECK_INT(mz_weat_change_test(&w, b, a, 8, 8, NULL, 0, 20000, 0.95, 9, ctx), MZ_OK);
    double exact = brute_p(b, a, 8, 16, cl, 16);
    CHECK(!w.exact);
    CHECK_NEAR(w.p_value, exact, 3 * sqrt(exact * (1 - exact) / 20000) + 1e-4);
    mz_set_threads(1);
    CHECK_INT(mz_weat_change_test(&again, b, a, 12, 12, NULL, 500, 20000, 0.95, 9, ctx), MZ_OK);
    mz_set_threads(2);
    CHECK_INT(mz_weat_change_test(&w, b, a, 12, 12, NULL, 500, 20000, 0.95, 9, ctx), MZ_OK);
    CHECK(again.p_value == w.p_value && again.ci_lo == w.ci_lo && again.ci_hi == w.ci_hi);
}

/* ---- Trees made through the results API ------------------------------------------------- */

typedef struct spec {
    const char *sha, *lang, *tokenizer;
    double shift;   /* added to X's scores (static) and to the rows of SEAT's X words */
    int flip_pairs; /* pairs: how many of the first category's pairs now prefer the other side */
    int drop_word;  /* static: leave out the last Y word */
    int token_level;
} spec;

static void probe(mz_results *r, const char *id, const spec *s) {
    json_t *sets = json_object_get((json_t *)mz_results_json(r), "probe_sets");
    mz_rnode *list = sets ? (mz_rnode *)sets : mz_rn_array(r, mz_results_root(r), "probe_sets");
    mz_rnode *o = mz_rn_object(r, list, NULL);
    mz_rn_str(r, o, "id", id);
    mz_rn_str(r, o, "sha256", s->sha);
    mz_rn_str(r, o, "version", "mizani-probes/1");
    mz_rn_str(r, o, "language", s->lang);
}

static mz_finding basic(const char *family, const char *id, const char *effect) {
    mz_finding f = mz_finding_init(family, id);
    f.probe_set = id, f.language = "sw", f.dimension = "gender", f.title = id;
    f.effect = effect, f.estimate = 0.1, f.p = f.p_holm = 0.5;
    return f;
}

static void static_section(mz_results *r, const spec *s) {
    mz_rnode *sec = mz_results_section(r, "static", "static");
    mz_finding f = basic("static", "gender-sw", "d");
    mz_rnode *items = mz_rn_array(r, mz_results_finding(r, sec, &f), "items");
    for (int i = 0; i < 16; i++) {
        if (s->drop_word && i == 15) continue;
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_strf(r, it, "item", i == 3 ? "<script>w%d</script>" : "w%d", i);
        mz_rn_str(r, it, "role", i < 8 ? "X" : "Y");
        mz_rn_num(r, it, "score", 0.01 * ((i * 7) % 11) + (i < 8 ? s->shift : 0));
    }
    probe(r, "gender-sw", s);
}

static void seat_section(mz_results *r, const spec *s) {
    mz_rnode *sec = mz_results_section(r, "seat", "seat");
    mz_finding f = basic("seat", "gender-sw", "d");
    mz_rnode *items = mz_rn_array(r, mz_results_finding(r, sec, &f), "items");
    for (int i = 0; i < 12; i++) {
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_strf(r, it, "item", "word%d", i);
        mz_rn_str(r, it, "role", i < 6 ? "X" : "Y");
        double rows[3];
        for (int k = 0; k < 3; k++)
            rows[k] = 0.02 * ((i * 5 + k * 3) % 7) + (i < 6 ? s->shift : 0);
        mz_rn_num(r, it, "score", (rows[0] + rows[1] + rows[2]) / 3);
        mz_rn_nums(r, it, "rows", rows, 3);
    }
}

/* 12 pairs of one category in 6 target clusters; the first `flip_pairs` prefer the other side. */
static void pairs_section(mz_results *r, const spec *s) {
    mz_rnode *sec = mz_results_section(r, "pairs", "pairs");
    mz_finding f = basic("pairs", "pairs-sw/gender", "preference_rate");
    f.null_value = 0.5;
    mz_rnode *items = mz_rn_array(r, mz_results_finding(r, sec, &f), "items");
    for (int i = 0; i < 12; i++) {
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_strf(r, it, "id", "sw-gender-%02d", i);
        mz_rn_strf(r, it, "target", "t%d", i / 2);
        mz_rn_num(r, it, "score_more", i < s->flip_pairs ? -2.0 : -1.0);
        mz_rn_num(r, it, "score_less", -1.5);
        mz_rn_bool(r, it, "unequal_token_counts", i == 11);
    }
    mz_finding t = basic("pairs", "pairs-sw/age", "preference_rate");
    t.units = s->token_level ? MZ_UNITS_TOKENS : MZ_UNITS_CLUSTERS;
    mz_rn_array(r, mz_results_finding(r, sec, &t), "items");
    probe(r, "pairs-sw", s);
}

/* 6 attributes x (4 + 4) target words x 2 frames; the first group's cells moved by `shift`. */
static void masked_section(mz_results *r, const spec *s) {
    mz_rnode *sec = mz_results_section(r, "masked", "masked");
    mz_finding f = basic("masked", "occupations-sw", "log_probability_ratio");
    mz_rnode *fn = mz_results_finding(r, sec, &f);
    mz_rnode *words = mz_rn_array(r, mz_rn_object(r, fn, "details"), "target_words");
    for (int w = 0; w < 8; w++) {
        mz_rnode *o = mz_rn_object(r, words, NULL);
        mz_rn_strf(r, o, "word", "mtu%d", w);
        mz_rn_int(r, o, "group", w >= 4);
    }
    mz_rnode *items = mz_rn_array(r, fn, "items");
    for (int a = 0; a < 6; a++) {
        double cells[16];
        for (int k = 0; k < 16; k++)
            cells[k] = 0.1 * ((a * 3 + k * 5) % 7) + (k < 8 ? s->shift : 0);
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_strf(r, it, "item", "kazi%d", a);
        mz_rn_num(r, it, "score", 0);
        mz_rn_nums(r, it, "cells", cells, 16);
    }
}

/* 8 UDHR segments, 10 English and 20 Swahili tokens each, Swahili up by 50 * shift after. */
static void fairness_section(mz_results *r, const spec *s) {
    mz_rnode *sec = mz_results_section(r, "fairness", "fairness");
    mz_finding f = basic("fairness", "premium-sw-en", "premium");
    f.null_value = 1;
    mz_rnode *items = mz_rn_array(r, mz_results_finding(r, sec, &f), "items");
    for (int i = 0; i < 8; i++) {
        mz_rnode *it = mz_rn_object(r, items, NULL);
        mz_rn_strf(r, it, "item", "article-%d", i + 1);
        mz_rn_int(r, it, "tokens_en", 10);
        mz_rn_int(r, it, "tokens_sw", 20 + (long long)(50 * s->shift));
    }
}

static mz_checkpoint *checkpoint(const spec *s, const char *label) {
    mz_results *r;
    CHECK_INT(mz_results_new(&r, "audit", ctx), MZ_OK);
    mz_rnode *subj = mz_results_subject(r, "model");
    mz_rnode *tok = mz_rn_object(r, subj, "tokenizer");
    mz_rn_str(r, tok, "sha256", s->tokenizer);
    static_section(r, s);
    seat_section(r, s);
    pairs_section(r, s);
    masked_section(r, s);
    fairness_section(r, s);
    CHECK_INT(mz_results_status(r), MZ_OK);
    mz_checkpoint *cp = NULL;
    CHECK_INT(mz_checkpoint_from_results(&cp, r, label, "results", ctx), MZ_OK);
    return cp;
}

static const mz_comparison *find(const mz_compare *c, int family, const char *test) {
    for (size_t i = 0; i < c->n; i++)
        if (c->c[i].family == family && !strcmp(c->c[i].test, test)) return &c->c[i];
    return NULL;
}

static void test_pairing(void) {
    spec sb = {"aa", "sw", "tok1", 0, 0, 0, 0}, sa = {"aa", "sw", "tok1", 0.3, 8, 1, 0};
    mz_checkpoint *cp[2] = {checkpoint(&sb, "before"), checkpoint(&sa, "after")};
    mz_compare_options o;
    mz_compare_options_default(&o);
    mz_compare c;
    CHECK_INT(mz_compare_run(&c, cp, 2, &o, NULL, ctx), MZ_OK);
    const mz_comparison *st = find(&c, MZ_CMP_STATIC, "gender-sw");
    const mz_comparison *se = find(&c, MZ_CMP_SEAT, "gender-sw");
    const mz_comparison *pa = find(&c, MZ_CMP_PAIRS, "pairs-sw/gender");
    CHECK(st && se && pa);
    if (!st || !se || !pa) return;
    /* static: 15 shared words (one only before), X's scores all up by 0.3 */
    CHECK_INT(st->n_paired, 15);
    CHECK_INT(st->n_only_before, 1);
    CHECK_INT(st->inference.n_units, 15);
    CHECK(st->change > 0 && st->outcome == MZ_CMP_REGRESSED);
    /* SEAT: 36 rows paired, 12 words as the units */
    CHECK_INT(se->n_paired, 36);
    CHECK_INT(se->inference.n_units, 12);
    /* pairs: 11 tested in both (one has unequal token counts), in 6 target clusters; the
     * preference fell from 11/11 to 3/11 */
    CHECK_INT(pa->n_paired, 11);
    CHECK_INT(pa->n_untested, 1);
    CHECK_INT(pa->inference.n_units, 6);
    CHECK_NEAR(pa->before, 1.0, 1e-12);
    CHECK_NEAR(pa->after, 3.0 / 11, 1e-12);
    CHECK_NEAR(pa->bias_change, fabs(3.0 / 11 - 0.5) - 0.5, 1e-12);
    CHECK(pa->flipped || pa->outcome == MZ_CMP_TOO_FEW || pa->outcome == MZ_CMP_UNCHANGED);
    /* masked templates, crossed: 48 cells; every attribute moved alike (swapping attributes:
     * 2 / 2^6), only the 4 words of the first group moved (swapping words: 2 * 2^4 / 2^8): the
     * larger p, 0.125, with the 8 words as the units that limit it */
    const mz_comparison *ma = find(&c, MZ_CMP_MASKED, "occupations-sw");
    CHECK(ma != NULL);
    if (ma) {
        CHECK_INT(ma->n_paired, 48);
        CHECK_NEAR(ma->change, 0.3, 1e-12);
        CHECK_NEAR(ma->p, 0.125, 1e-12);
        CHECK_INT(ma->inference.n_units, 8);
        CHECK(ma->ci_lo <= 0.3 + 1e-12 && 0.3 - 1e-12 <= ma->ci_hi);
    }
    /* fairness: the premium from 160/80 to 280/80 on 8 segments, all moved alike: 2 / 2^8 */
    const mz_comparison *fa = find(&c, MZ_CMP_FAIRNESS, "premium-sw-en");
    CHECK(fa && fa->n_paired == 8);
    if (fa) {
        CHECK_NEAR(fa->before, 2.0, 1e-12);
        CHECK_NEAR(fa->after, 3.5, 1e-12);
        CHECK_NEAR(fa->p, 2.0 / 256, 1e-12);
        CHECK_NEAR(fa->bias_change, 1.5, 1e-12);
    }
    /* no items at all: not compared, and said why */
    const mz_comparison *age = find(&c, MZ_CMP_PAIRS, "pairs-sw/age");
    CHECK(age && age->outcome == MZ_CMP_NOT_COMPARED);
    CHECK(mz_compare_regressed(&c));
    mz_compare_clear(&c);
    /* identical checkpoints: every change is zero and nothing regresses */
    mz_checkpoint *same[2] = {cp[0], checkpoint(&sb, "same")};
    CHECK_INT(mz_compare_run(&c, same, 2, &o, NULL, ctx), MZ_OK);
    for (size_t i = 0; i < c.n; i++)
        CHECK(c.c[i].outcome == MZ_CMP_NOT_COMPARED ||
              (c.c[i].outcome != MZ_CMP_REGRESSED && c.c[i].change == 0));
    mz_compare_clear(&c);
    mz_checkpoint_free(same[1]);
    mz_checkpoint_free(cp[0]);
    mz_checkpoint_free(cp[1]);
}

/* A tree of `s` written to `path` (for the command). */
static void write_tree(const spec *s, const char *path) {
    mz_checkpoint *cp = checkpoint(s, path);
    char *text = NULL;
    CHECK_INT(mz_results_text(&text, mz_checkpoint_results(cp), ctx), MZ_OK);
    FILE *f = fopen(path, "w");
    CHECK(f && text && fputs(text, f) >= 0);
    if (f) fclose(f);
    mz_free(text);
    mz_checkpoint_free(cp);
}

/* The command on audits of two tokenizers: the token-level finding is listed as not paired; asked
 * for by name, one line naming it and exit 3. */
static void test_tokenizer_cli(void) {
    spec a = {"aa", "sw", "tok1", 0, 0, 0, 1}, b = a;
    b.tokenizer = "tok2";
    char pa[] = "/tmp/mizani-tok-a-XXXXXX.json", pb[] = "/tmp/mizani-tok-b-XXXXXX.json";
    close(mkstemps(pa, 5)), close(mkstemps(pb, 5));
    write_tree(&a, pa), write_tree(&b, pb);
    const char *all[] = {"mizani", "compare", pa, pb, "--quiet"};
    const char *named[] = {"mizani", "compare", pa, pb, "--tests", "pairs", "--quiet"};
    FILE *o = tmpfile(), *e = tmpfile();
    CHECK_INT(mz_cli_main(5, (char **)all, o, e), 0);
    char *out = slurp(o);
    CHECK_CONTAINS(out, "pairs-sw/age                 pairs    not compared: token-level");
    free(out);
    fclose(o), fclose(e);
    o = tmpfile(), e = tmpfile();
    CHECK_INT(mz_cli_main(7, (char **)named, o, e), 3);
    char *err = slurp(e);
    out = slurp(o);
    CHECK_CONTAINS(err, "pairs 'pairs-sw/age' cannot be paired: its units are tokens");
    CHECK(err && strchr(err, '\n') == err + strlen(err) - 1); /* one line */
    CHECK_STR(out, "");
    free(err), free(out);
    fclose(o), fclose(e);
    unlink(pa), unlink(pb);
}

static void test_refusals(void) {
    spec base = {"aa", "sw", "tok1", 0, 0, 0, 1}, other = base;
    mz_compare_options o;
    mz_compare_options_default(&o);
    mz_compare c;
    other.sha = "bb";
    mz_checkpoint *cp[2] = {checkpoint(&base, "A.json"), checkpoint(&other, "B.json")};
    CHECK_INT(mz_compare_run(&c, cp, 2, &o, NULL, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "probe set 'gender-sw' differs: SHA-256 aa");
    CHECK_CONTAINS(mz_ctx_message(ctx), "--allow-probe-change");
    o.allow_probe_change = 1;
    CHECK_INT(mz_compare_run(&c, cp, 2, &o, NULL, ctx), MZ_OK);
    CHECK(c.n_notes >= 1 && strstr(c.notes[0], "compared on the items both audits share"));
    mz_compare_clear(&c);
    mz_checkpoint_free(cp[1]);
    o.allow_probe_change = 0;

    other = base, other.lang = "en";
    cp[1] = checkpoint(&other, "B.json");
    CHECK_INT(mz_compare_run(&c, cp, 2, &o, NULL, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "in language 'sw' in A.json and 'en' in B.json");
    mz_checkpoint_free(cp[1]);

    /* another tokenizer: word- and sentence-level findings pair; the token-level one does not,
     * and asking for its family by name is an error naming it */
    other = base, other.tokenizer = "tok2";
    cp[1] = checkpoint(&other, "B.json");
    CHECK_INT(mz_compare_run(&c, cp, 2, &o, NULL, ctx), MZ_OK);
    const mz_comparison *age = find(&c, MZ_CMP_PAIRS, "pairs-sw/age");
    CHECK(age && age->outcome == MZ_CMP_NOT_COMPARED && strstr(age->reason, "token-level"));
    CHECK(find(&c, MZ_CMP_STATIC, "gender-sw")->outcome != MZ_CMP_NOT_COMPARED);
    mz_compare_clear(&c);
    o.families = 1u << MZ_CMP_PAIRS;
    CHECK_INT(mz_compare_run(&c, cp, 2, &o, NULL, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "pairs 'pairs-sw/age' cannot be paired: its units are "
                                        "tokens and the tokenizers of A.json and B.json differ");
    mz_checkpoint_free(cp[0]);
    mz_checkpoint_free(cp[1]);
}

/* ---- Outputs ------------------------------------------------------------------------------ */

static char *page_of(const mz_results *r) {
    mz_page *p = NULL;
    char *html = NULL;
    size_t len;
    CHECK_INT(mz_report_compare_page(&p, r, ctx), MZ_OK);
    if (p) CHECK_INT(mz_page_serialise(p, &html, &len), MZ_OK);
    mz_page_free(p);
    return html;
}

static void validate_junit(const char *xml) {
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt("data/junit/junit.xsd");
    xmlSchemaPtr schema = pc ? xmlSchemaParse(pc) : NULL;
    xmlSchemaValidCtxtPtr vc = schema ? xmlSchemaNewValidCtxt(schema) : NULL;
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "junit.xml", NULL, 0);
    CHECK(vc && doc);
    if (vc && doc) CHECK_INT(xmlSchemaValidateDoc(vc, doc), 0);
    /* the structure a CI reader relies on: one case per finding, one failure per regression */
    xmlNodePtr suites = doc ? xmlDocGetRootElement(doc) : NULL, suite = NULL;
    for (xmlNodePtr n = suites ? suites->children : NULL; n && !suite; n = n->next)
        if (n->type == XML_ELEMENT_NODE) suite = n;
    int cases = 0, failures = 0;
    for (xmlNodePtr n = suite ? suite->children : NULL; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "testcase")) continue;
        cases++;
        for (xmlNodePtr k = n->children; k; k = k->next)
            failures += k->type == XML_ELEMENT_NODE && !strcmp((const char *)k->name, "failure");
    }
    CHECK_INT(cases, 6);
    CHECK_INT(failures, 2); /* static, and fairness's premium (8 segments: 2 / 2^8) */
    xmlFreeDoc(doc);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

static void test_outputs(void) {
    spec sb = {"aa", "sw", "tok1", 0, 0, 0, 0}, sa = {"aa", "sw", "tok1", 0.3, 0, 1, 0};
    mz_checkpoint *cp[2] = {checkpoint(&sb, "base <b>"), checkpoint(&sa, "tuned")};
    mz_compare_options o;
    mz_compare_options_default(&o);
    mz_compare c;
    mz_results *r = NULL, *back = NULL;
    CHECK_INT(mz_compare_run(&c, cp, 2, &o, NULL, ctx), MZ_OK);
    CHECK_INT(mz_results_new(&r, "compare", ctx), MZ_OK);
    CHECK_INT(mz_report_compare(r, &c), MZ_OK);
    char *text = NULL, file[] = "/tmp/mizani-compare-XXXXXX";
    CHECK_INT(mz_results_text(&text, r, ctx), MZ_OK);
    int fd = mkstemp(file);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    CHECK_INT(mz_results_load(&back, file, ctx), MZ_OK);
    char *h1 = page_of(r), *h2 = back ? page_of(back) : NULL;
    CHECK(h1 && h2 && !strcmp(h1, h2)); /* the page shows nothing the JSON lacks */
    /* a probe word that is markup stays text; the sections are there */
    htmlDocPtr doc = htmlReadMemory(h1, (int)strlen(h1), NULL, "UTF-8", HTML_PARSE_NOERROR);
    xmlChar *all = doc ? xmlNodeGetContent(xmlDocGetRootElement(doc)) : NULL;
    CHECK_CONTAINS((char *)all, "The gate fails: 2 findings regressed");
    CHECK_CONTAINS((char *)all, "Checkpoints, in order");
    CHECK_CONTAINS((char *)all, "Before and after fine-tuning");
    CHECK_CONTAINS((char *)all, "base <b> → tuned");
    CHECK(!strstr(h1, "<script>"));
    xmlFree(all);
    xmlFreeDoc(doc);
    char *xml = NULL;
    size_t len;
    CHECK_INT(mz_report_junit(&xml, &len, r, ctx), MZ_OK);
    if (xml) validate_junit(xml);
    unlink(file);
    mz_free(xml), mz_free(h1), mz_free(h2), mz_free(text);
    mz_results_free(r), mz_results_free(back);
    mz_compare_clear(&c);
    mz_checkpoint_free(cp[0]);
    mz_checkpoint_free(cp[1]);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    test_change_exact();
    test_pairing();
    test_refusals();
    test_tokenizer_cli();
    test_outputs();
    mz_ctx_free(ctx);
    return mz_check_result("test_compare");
}
