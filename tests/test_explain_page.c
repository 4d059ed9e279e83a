/* explain.html from real explanations on the tiny BERT, parsed back with libxml2: the expected
 * sections in order, a text holding <script> only as text (no element, no handler), every SVG
 * titled, the attention grid drawn (layers x heads thumbnails and one enlarged), the pair's two
 * sentences side by side; and the page drawn again from results.json alone is the same page. */
#include "check.h"
#include "mizani/explain.h"
#include "mizani/mizani.h"
#include "mizani/report.h"

#include <libxml/HTMLparser.h>
#include <unistd.h>

static mz_ctx *ctx;

typedef struct walk {
    int scripts, handlers, svgs, titled, jumps, last;
    char headings[2048];
    int script_text; /* the probe's "<script>" found in a text node */
} walk;

static int has_child(xmlNodePtr n, const char *name) {
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xmlStrcasecmp(c->name, BAD_CAST name)) return 1;
    return 0;
}

static void visit(xmlNodePtr n, walk *w) {
    for (; n; n = n->next) {
        if (n->type == XML_TEXT_NODE && n->content && strstr((char *)n->content, "<script>hapa"))
            w->script_text++;
        if (n->type != XML_ELEMENT_NODE) continue;
        const char *name = (const char *)n->name;
        w->scripts += !strcmp(name, "script");
        for (xmlAttrPtr a = n->properties; a; a = a->next)
            w->handlers += !xmlStrncasecmp(a->name, BAD_CAST "on", 2);
        if (!strcmp(name, "svg"))
            w->svgs++, w->titled += has_child(n, "title") && has_child(n, "desc");
        if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
            xmlChar *t = xmlNodeGetContent(n);
            size_t k = strlen(w->headings);
            snprintf(w->headings + k, sizeof w->headings - k, "%s|", (char *)t);
            xmlFree(t);
            w->jumps += name[1] - '0' > w->last + 1;
            w->last = name[1] - '0';
        }
        visit(n->children, w);
    }
}

static char *page_of(const mz_results *r) {
    mz_page *p = NULL;
    char *html = NULL;
    size_t len;
    CHECK_INT(mz_report_explain_page(&p, r, ctx), MZ_OK);
    if (p && mz_page_serialise(p, &html, &len)) html = NULL;
    mz_page_free(p);
    return html;
}

static void parse(walk *w, const char *html) {
    memset(w, 0, sizeof *w);
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), "explain.html", "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    CHECK(doc != NULL);
    if (doc) visit(xmlDocGetRootElement(doc), w);
    xmlFreeDoc(doc);
}

/* The same page from the tree and from its results.json. */
static void check_round_trip(mz_results *r, const char *html) {
    char path[] = "/tmp/mizani-explain-XXXXXX", *text = NULL;
    int fd = mkstemp(path);
    CHECK_INT(mz_results_text(&text, r, ctx), MZ_OK);
    if (fd < 0 || !text) return;
    CHECK((size_t)write(fd, text, strlen(text)) == strlen(text));
    close(fd);
    mz_results *back = NULL;
    CHECK_INT(mz_results_load(&back, path, ctx), MZ_OK);
    char *again = back ? page_of(back) : NULL;
    CHECK(again && !strcmp(again, html));
    mz_free(again), mz_free(text);
    mz_results_free(back);
    unlink(path);
}

static void check_text_page(const mz_model *m, const mz_tokenizer *t) {
    mz_explain_options o;
    mz_explain_options_init(&o);
    o.steps = o.attattr_steps = 4;
    o.target = "mtu";
    const char *text = "Daktari [MASK] <script>hapa", *label = "--text";
    mz_explanation e;
    mz_results *r = NULL;
    CHECK_INT(mz_explain_texts(&e, m, t, &text, &label, 1, &o, ctx), MZ_OK);
    CHECK_INT(mz_results_new(&r, "explain", ctx), MZ_OK);
    if (!r || !e.n_tokens) return;
    CHECK_INT(mz_report_explain(r, m, "golden/models/bert", &e, NULL, 1, NULL, "sw"), MZ_OK);
    CHECK_INT(mz_results_finish(r), MZ_OK);
    char *html = page_of(r);
    walk w;
    if (html) parse(&w, html);
    if (html) {
        printf("  headings: %s\n", w.headings);
        CHECK_INT(w.scripts, 0);
        CHECK_INT(w.handlers, 0);
        CHECK(w.script_text > 0);
        CHECK_CONTAINS(w.headings, "score|Explanations|--text|Which explanation to "
                                   "trust|Heads that matter|Attention|Method|Transparency card|");
        CHECK_CONTAINS(w.headings, "Reproducing this report|");
        CHECK_INT(w.jumps, 0);
        /* per grid: its thumbnails, one enlarged and a legend: attention (L x H), rollout
         * (1 x 1), norm-based (L x 1); and one legend per shaded method */
        int L = e.layers, H = e.heads, grids = (L * H + 2) + 3 + (L + 2), shaded = 8;
        printf("  %d SVGs, %d titled (want %d)\n", w.svgs, w.titled, grids + shaded);
        CHECK_INT(w.svgs, grids + shaded);
        CHECK_INT(w.titled, w.svgs);
        check_round_trip(r, html);
    }
    mz_free(html);
    mz_results_free(r);
    mz_explanation_clear(&e);
}

static void check_pair_page(const mz_model *m, const mz_tokenizer *t) {
    mz_explain_options o;
    mz_explain_options_init(&o);
    o.steps = o.attattr_steps = 4;
    o.methods = 1u << MZ_EXPLAIN_IG | 1u << MZ_EXPLAIN_OCCLUSION;
    mz_minimal_pair p = {.id = "t-1",
                         .category = "gender",
                         .more = "Kila mtu ana haki.",
                         .less = "Kila daktari ana haki.",
                         .target_more = "mtu",
                         .target_less = "daktari",
                         .span_start = 5};
    mz_probe_set set = {.id = "pairs-tiny",
                        .path = "data/pairs-tiny.json",
                        .language = "sw",
                        .kind = MZ_PROBE_MINIMAL_PAIRS,
                        .pairs = &p,
                        .n_pairs = 1};
    mz_pair_explanation x;
    mz_results *r = NULL;
    CHECK_INT(mz_explain_pairs(&x, m, t, &p, 1, set.path, &o, ctx), MZ_OK);
    CHECK_INT(mz_results_new(&r, "explain", ctx), MZ_OK);
    if (!r || !x.pair) return;
    CHECK_INT(mz_report_explain(r, m, "golden/models/bert", NULL, &x, 1, &set, NULL), MZ_OK);
    char *html = page_of(r);
    walk w;
    if (html) {
        parse(&w, html);
        CHECK_CONTAINS(w.headings, "Pair t-1 (gender)|More stereotypical sentence|");
        CHECK_CONTAINS(w.headings, "Less stereotypical sentence|");
        CHECK_CONTAINS(html, "words side by side, aligned on the words they share");
        CHECK_INT(w.titled, w.svgs);
    }
    mz_free(html);
    mz_results_free(r);
    mz_pair_explanation_clear(&x);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    CHECK_INT(mz_model_open(&m, "golden/models/bert", ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&t, "golden/models/bert", ctx), MZ_OK);
    if (m && t) {
        check_text_page(m, t);
        check_pair_page(m, t);
    }
    mz_tokenizer_free(t);
    mz_model_free(m);
    mz_ctx_free(ctx);
    return mz_check_result("test_explain_page");
}
