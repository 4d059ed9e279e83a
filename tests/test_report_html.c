/* The HTML report: a page with every widget parsed back with libxml2 (hostile probe words only
 * as text, every SVG with a title and a description, headings in order, Swahili marked, no
 * request possible), labels shortened at character boundaries and said to be, the report drawn
 * from results.json equal to the one drawn from the tree, atomic report folders under SIGKILL,
 * and every allocation of rendering failed in turn.
 * `test_report_html --write DIR` writes the fixture's report for the browser test. */
#include "check.h"
#include "mizani/mizani.h"
#include "mizani/report.h"
#include "page_walk.h"
#include "report_fixture.h"

#include <dirent.h>
#include <libxml/HTMLparser.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *read_all(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = '\0';
    fclose(f);
    return s;
}

static char *render(const mz_results *r, mz_ctx *ctx) {
    mz_page *p;
    char *html = NULL;
    size_t len;
    if (mz_report_render(&p, r, ctx)) return NULL;
    if (mz_page_serialise(p, &html, &len)) html = NULL;
    mz_page_free(p);
    return html;
}

static htmlDocPtr parse(const char *html) {
    return htmlReadMemory(html, (int)strlen(html), "report.html", "UTF-8",
                          HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
}

static void test_page(mz_ctx *ctx) {
    mz_results *r;
    CHECK_INT(fixture_build(&r, ctx), MZ_OK);
    char *html = render(r, ctx);
    CHECK(html != NULL);
    if (!html) return;
    htmlDocPtr doc = parse(html);
    page_walk w = {.want_run_id = mz_results_run_id(r)};
    page_visit(xmlDocGetRootElement(doc), &w);
    CHECK_INT(w.scripts, 0);  /* the script-tag probe word is text, not an element */
    CHECK_INT(w.handlers, 0); /* the quote-closing probe word is text, not an attribute */
    CHECK(w.svgs >= 17);
    CHECK_INT(w.svgs_titled, w.svgs);
    CHECK_INT(w.heading_jumps, 0);
    CHECK(w.tables > 10);
    CHECK_INT(w.headed, w.tables);
    CHECK(w.sw > 20);
    CHECK_INT(w.csp, 1);
    CHECK_INT(w.run_id, 1);
    xmlChar *text = xmlNodeGetContent(xmlDocGetRootElement(doc));
    CHECK_CONTAINS((char *)text, FIX_SCRIPT);
    CHECK_CONTAINS((char *)text, "Mwanamume vs mwanamke " FIX_SCRIPT);
    CHECK_CONTAINS((char *)text, FIX_ATTR);
    CHECK_CONTAINS((char *)text, "Hiki ni {word}."); /* SEAT's Swahili frame, not an English one */
    char *long_word = fixture_long_word(10000);
    CHECK_CONTAINS((char *)text, long_word); /* the whole word, nothing cut */
    static const char *headings[] = {"Summary",
                                     "Transparency card",
                                     "Tokenizer fairness",
                                     "Association tests on input embeddings",
                                     "Sentence embeddings (SEAT)",
                                     "Contextual embeddings (CEAT)",
                                     "Minimal pairs",
                                     "Masked templates",
                                     "Explanations",
                                     "Before and after fine-tuning",
                                     "Positive controls",
                                     "Reproducing this report"};
    for (size_t i = 0; i < sizeof headings / sizeof *headings; i++)
        CHECK_CONTAINS((char *)text, headings[i]);
    CHECK_CONTAINS((char *)text, "'./m\xEF\xBF\xBD"
                                 "del'"); /* the command, quoted */
    xmlFree(text);
    xmlFreeDoc(doc);
    free(long_word);
    mz_free(html);
    mz_results_free(r);
}

/* Plot labels: at most 48 characters, cut between characters, said to be cut, never two rows
 * alike; the table keeps the whole text. */
static void test_labels(mz_ctx *ctx) {
    mz_page *p;
    CHECK_INT(mz_page_new(&p, "labels", "run", ctx), MZ_OK);
    char *a = fixture_long_word(100), *b = fixture_long_word(100);
    b[200] = 'x'; /* differs from a only after the cut */
    mz_interval_row rows[2] = {{a, "sw", 0.5, 0.1, 0.9, 1}, {b, "sw", -0.2, -0.6, 0.1, 0}};
    mz_axis axis = {.title = "d", .ref = 0};
    CHECK_INT(mz_widget_forest(p, mz_page_main(p), "long labels", rows, 2, &axis), MZ_OK);
    char *html;
    size_t len;
    CHECK_INT(mz_page_serialise(p, &html, &len), MZ_OK);
    htmlDocPtr doc = parse(html);
    xmlChar *text = xmlNodeGetContent(xmlDocGetRootElement(doc));
    CHECK_CONTAINS((char *)text, "shortened here");
    char want[256];
    memcpy(want, a, 96); /* 48 two-byte characters */
    strcpy(want + 96, "\xE2\x80\xA6");
    CHECK_CONTAINS((char *)text, want);
    char longer[256];
    memcpy(longer, a, 98); /* 49 characters and the ellipsis: must not appear */
    strcpy(longer + 98, "\xE2\x80\xA6");
    CHECK(!strstr((char *)text, longer));
    memcpy(want, a, 76); /* the second row: 38 characters, the ellipsis and its number */
    strcpy(want + 76, "\xE2\x80\xA6 (row 2)");
    CHECK_CONTAINS((char *)text, want);
    CHECK(xmlCheckUTF8(text));
    xmlFree(text);
    xmlFreeDoc(doc);
    mz_free(html);
    free(a);
    free(b);
    mz_page_free(p);
}

static void test_bad_rows(mz_ctx *ctx) {
    mz_page *p;
    CHECK_INT(mz_page_new(&p, "bad", "run", ctx), MZ_OK);
    mz_token_score t[2] = {{0, 3, 1}, {2, 4, -1}}; /* overlapping */
    CHECK_INT(mz_widget_tokens(p, mz_page_main(p), "c", "abcd", "en", t, 2, "s"), MZ_ERR_INPUT);
    mz_page_free(p);
    mz_ctx_clear(ctx);
    CHECK_INT(mz_page_new(&p, "bad", "run", ctx), MZ_OK);
    mz_token_score inside[1] = {{0, 1, 1}}; /* ends inside the two-byte "ŋ" */
    CHECK_INT(mz_widget_tokens(p, mz_page_main(p), "c", "\xC5\x8B", "sw", inside, 1, "s"),
              MZ_ERR_INPUT);
    mz_page_free(p);
    mz_ctx_clear(ctx);
    CHECK_INT(mz_page_new(&p, "bad", "run", ctx), MZ_OK);
    float v[4] = {0};
    const char *labels[2] = {"a", "b"};
    mz_heatmap h = {v, 1, 1, 2, labels, "en", 1, 0, "p"}; /* layer 1 of 1 */
    CHECK_INT(mz_widget_heatmaps(p, mz_page_main(p), "h", &h), MZ_ERR_INPUT);
    mz_page_free(p);
    mz_ctx_clear(ctx);
}

/* The report drawn from results.json is the report drawn from the tree, byte for byte: the HTML
 * shows nothing the JSON lacks. */
static void test_from_json(mz_ctx *ctx) {
    char dir[] = "/tmp/mz-report-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char out[128], json[160], html_path[160];
    snprintf(out, sizeof out, "%s/rep", dir);
    snprintf(json, sizeof json, "%s/results.json", out);
    snprintf(html_path, sizeof html_path, "%s/report.html", out);
    mz_results *r, *back;
    CHECK_INT(fixture_build(&r, ctx), MZ_OK);
    CHECK_INT(mz_report_write_dir(r, out, ctx), MZ_OK);
    CHECK_INT(mz_results_load(&back, json, ctx), MZ_OK);
    char *again = render(back, ctx), *written = read_all(html_path);
    CHECK(again && written && !strcmp(again, written));
    mz_free(again);
    free(written);
    mz_results_free(back);

    /* failures leave nothing: a folder under a missing parent, a folder that is a file */
    char bad[192];
    snprintf(bad, sizeof bad, "%s/missing/rep", dir);
    CHECK_INT(mz_report_write_dir(r, bad, ctx), MZ_ERR_IO);
    snprintf(bad, sizeof bad, "%s/missing", dir);
    struct stat st;
    CHECK(stat(bad, &st) != 0);
    mz_ctx_clear(ctx);
    CHECK_INT(mz_report_write_dir(r, json, ctx), MZ_ERR_IO);
    CHECK_CONTAINS(mz_ctx_message(ctx), "not a folder");
    mz_ctx_clear(ctx);
    /* a folder name that is not UTF-8 is a fine folder name */
    snprintf(bad, sizeof bad, "%s/rep\xff", dir);
    CHECK_INT(mz_report_write_dir(r, bad, ctx), MZ_OK);
    DIR *d = opendir(dir);
    int entries = 0, temporaries = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        entries += e->d_name[0] != '.';
        temporaries += strstr(e->d_name, "mizani-tmp") != NULL;
    }
    closedir(d);
    CHECK_INT(entries, 2);
    CHECK_INT(temporaries, 0);
    mz_results_free(r);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
}

/* What a reader may find in the folder after a kill: nothing, or both files whole, and
 * temporaries only under their hidden names. Returns 1 when the two files' run ids differ (the
 * kill fell between the two renames into an existing folder: visible, as documented). */
static int temporaries_in(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += strstr(e->d_name, "mizani-tmp") != NULL;
    if (d) closedir(d);
    return n;
}

static int check_after_kill(const char *out, mz_ctx *ctx) {
    char json[192], html_path[192];
    snprintf(json, sizeof json, "%s/results.json", out);
    snprintf(html_path, sizeof html_path, "%s/report.html", out);
    struct stat st;
    if (stat(out, &st)) return 0;
    DIR *d = opendir(out);
    int others = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        others += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
                  strcmp(e->d_name, "results.json") && strcmp(e->d_name, "report.html");
    closedir(d);
    CHECK_INT(others, 0);
    mz_results *r;
    CHECK_INT(mz_results_load(&r, json, ctx), MZ_OK);
    char *html = read_all(html_path);
    CHECK(html && strstr(html, "</html>"));
    int differ = r && html && !strstr(html, mz_results_run_id(r));
    mz_results_free(r);
    free(html);
    return differ;
}

static void test_kill(mz_ctx *ctx) {
    char parent[] = "/tmp/mz-kill-XXXXXX";
    CHECK(mkdtemp(parent) != NULL);
    char out[64];
    snprintf(out, sizeof out, "%s/rep", parent);
    mz_results *r;
    CHECK_INT(fixture_build(&r, ctx), MZ_OK);
    /* The write's duration, the shortest of three (the first pays for cold caches: kills timed
     * by it would mostly land after the write). */
    long span_us = -1;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", out);
    for (int k = 0; k < 3; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CHECK_INT(mz_report_write_dir(r, out, ctx), MZ_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
        if (span_us < 0 || us < span_us) span_us = us;
        CHECK_INT(system(cmd), 0);
    }
    unsigned seed = 20261129;
    int killed = 0, mismatched = 0, interrupted = 0;
    /* 40 kills, more (up to 400) until one has landed inside a write */
    for (int i = 0; i < 400 && (i < 40 || !interrupted); i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(mz_report_write_dir(r, out, ctx) ? 1 : 0);
        /* the files are written at the end: kills in the second half of the span */
        usleep((useconds_t)(span_us / 2 + rand_r(&seed) % (unsigned)(span_us / 2 + 1)));
        killed += kill(pid, SIGKILL) == 0;
        int status;
        waitpid(pid, &status, 0);
        interrupted += temporaries_in(parent) > 0;
        mismatched += check_after_kill(out, ctx);
    }
    /* a run after the kills cleans their temporaries up */
    CHECK_INT(mz_report_write_dir(r, out, ctx), MZ_OK);
    check_after_kill(out, ctx);
    DIR *d = opendir(parent);
    int entries = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        entries += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    CHECK_INT(entries, 1);
    CHECK(interrupted > 0); /* some kills did land inside a write */
    printf("kill test: %d kills, %d inside a write, %d left the two files of different runs "
           "(their run ids say so)\n",
           killed, interrupted, mismatched);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", parent);
    CHECK_INT(system(cmd), 0);
    mz_results_free(r);
}

/* Every allocation of drawing the page failed in turn (the first 200, then 300 spread over the
 * rest, to stay fast under the sanitizers): reported as no memory, never a crash or a leak. */
static void test_out_of_memory(mz_ctx *ctx) {
    mz_results *r;
    CHECK_INT(fixture_build(&r, ctx), MZ_OK);
    mz_alloc_fail_at(0);
    char *whole = render(r, ctx), *html;
    long total = mz_alloc_count();
    int bad = 0, ok = 0, partial = 0;
    for (long k = 1, stride = total / 300 + 1; k <= total + 1; k += k < 200 ? 1 : stride) {
        mz_alloc_fail_at(k);
        html = render(r, ctx);
        mz_alloc_fail_at(0);
        if (html)
            ok++;
        else
            bad += mz_ctx_status(ctx) != MZ_ERR_NOMEM;
        partial += html && strcmp(html, whole); /* a page is whole or not at all */
        mz_free(html);
        mz_ctx_clear(ctx);
    }
    mz_free(whole);
    CHECK_INT(bad, 0);
    CHECK_INT(partial, 0);
    CHECK(ok >= 1);
    mz_results_free(r);
}

static void quiet(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

int main(int argc, char **argv) {
    /* libxml2 allocates through Mizani's allocator, so its failures can be injected too */
    xmlMemSetup(mz_free, mz_malloc, mz_realloc, mz_strdup);
    xmlSetGenericErrorFunc(NULL, quiet); /* the injected failures would fill the log */
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    if (argc == 3 && !strcmp(argv[1], "--write")) {
        mz_results *r;
        mz_status rc = fixture_build(&r, ctx);
        if (!rc) rc = mz_report_write_dir(r, argv[2], ctx);
        if (rc) fprintf(stderr, "test_report_html: %s\n", mz_ctx_message(ctx));
        mz_results_free(r);
        mz_ctx_free(ctx);
        return rc ? 1 : 0;
    }
    test_page(ctx);
    test_labels(ctx);
    test_bad_rows(ctx);
    test_from_json(ctx);
    test_kill(ctx);
    test_out_of_memory(ctx);
    mz_ctx_free(ctx);
    return mz_check_result("test_report_html");
}
