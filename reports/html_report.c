/* The HTML report of a static-vector suite, built as a libxml2 tree: every text and attribute
 * goes through libxml2, so probe words and file names are escaped by construction. */
#include "mizani/alloc.h"
#include "mizani/mizani.h"
#include "mizani/report.h"

#include <libxml/HTMLtree.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ALPHA 0.05

static const char *css =
    "body{font-family:system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;"
    "color:#222;line-height:1.5}h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{text-align:left;padding:.35rem"
    " .5rem;border-bottom:1px solid #eee;vertical-align:top}th{background:#f6f6f6}.num{text-align:"
    "right;font-variant-numeric:tabular-nums;white-space:nowrap}.sig{color:#a40000;font-weight:600}"
    ".ns{color:#555}.lead{font-size:1.05rem}.note{color:#555;font-size:.9rem}svg text{font-size:"
    "11px;font-family:system-ui,sans-serif}";

static xmlNodePtr el(xmlNodePtr parent, const char *name, const char *text) {
    return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static xmlNodePtr elf(xmlNodePtr parent, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static xmlNodePtr elf(xmlNodePtr parent, const char *name, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return el(parent, name, buf);
}

static void attrf(xmlNodePtr node, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void attrf(xmlNodePtr node, const char *key, const char *fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    xmlNewProp(node, BAD_CAST key, BAD_CAST buf);
}

static const char *size_word(double d) {
    d = fabs(d);
    return d >= 0.8 ? "large" : d >= 0.5 ? "medium" : d >= 0.2 ? "small" : "negligible";
}

/* What a test found, in a sentence a non-statistician can act on. WEAT's p-value is
 * one-sided (X closer to A), so an effect the other way is described, not tested. */
static void meaning(char *buf, size_t cap, const mz_probe_set *p, const mz_static_weat *t,
                    double p_holm) {
    const mz_weat_result *w = &t->weat;
    const char *x = p->targets[0].name, *y = p->targets[1].name, *a = p->attributes[0].name;
    int ci_excludes_zero = w->ci_level > 0 && (w->ci_lo > 0 || w->ci_hi < 0);
    if (p_holm < ALPHA)
        snprintf(buf, cap,
                 "'%s' words sit closer to '%s' than '%s' words do: a %s effect that "
                 "chance alone is unlikely to produce.",
                 x, a, y, size_word(w->effect_size));
    else if (w->effect_size < 0 && ci_excludes_zero)
        snprintf(buf, cap,
                 "The effect points the other way: '%s' words sit closer to '%s' (%s). "
                 "The one-sided test covers only the direction named in the title; the interval "
                 "excludes zero.",
                 y, a, size_word(w->effect_size));
    else
        snprintf(buf, cap,
                 "No reliable association in the tested direction: an effect this %s "
                 "could arise by chance across this many tests%s.",
                 size_word(w->effect_size),
                 w->ci_level > 0 && !ci_excludes_zero ? " (the interval includes zero)" : "");
}

/* At most `max` bytes of `s` for a plot label, cut at a UTF-8 boundary with an ellipsis. */
static void short_label(char *out, size_t max, const char *s) {
    size_t n = strlen(s);
    if (n < max) {
        memcpy(out, s, n + 1);
        return;
    }
    n = max - 4;
    while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(out, s, n);
    memcpy(out + n, "\xE2\x80\xA6", 4);
}

/* Forest plot: one row per computable test, a dot at d and a line over its interval. */
static void forest_plot(xmlNodePtr parent, const mz_static_suite *s) {
    const int label_w = 330, plot_w = 400, row_h = 22, top = 24;
    const double lo = -2.0, hi = 2.0;
    int rows = (int)s->n_computable;
    xmlNodePtr svg = el(parent, "svg", NULL);
    attrf(svg, "width", "%d", label_w + plot_w + 20);
    attrf(svg, "height", "%d", top + rows * row_h + 30);
    attrf(svg, "role", "img");
    attrf(svg, "aria-label", "effect sizes with confidence intervals");
#define X(v) (label_w + (int)((fmax(lo, fmin(hi, (v))) - lo) / (hi - lo) * plot_w))
    for (double tick = lo; tick <= hi + 1e-9; tick += 0.5) {
        xmlNodePtr l = el(svg, "line", NULL);
        attrf(l, "x1", "%d", X(tick));
        attrf(l, "x2", "%d", X(tick));
        attrf(l, "y1", "%d", top - 6);
        attrf(l, "y2", "%d", top + rows * row_h);
        attrf(l, "stroke", tick == 0 ? "#333" : "#e4e4e4");
        xmlNodePtr tx = elf(svg, "text", "%+.1f", tick);
        attrf(tx, "x", "%d", X(tick) - 10);
        attrf(tx, "y", "%d", top + rows * row_h + 16);
    }
    int r = 0;
    for (size_t i = 0; i < s->n; i++) {
        const mz_static_weat *t = &s->tests[i];
        if (!t->computable) continue;
        int y = top + r++ * row_h + row_h / 2;
        const char *color = s->p_holm[i] < ALPHA ? "#a40000" : "#777";
        char label[52];
        short_label(label, sizeof label, s->sets[i]->title);
        xmlNodePtr name = elf(svg, "text", "%s (%s)", label, s->sets[i]->language);
        attrf(name, "x", "0");
        attrf(name, "y", "%d", y + 4);
        elf(name, "title", "%s: %s", s->sets[i]->id, s->sets[i]->title);
        if (t->weat.ci_level > 0) {
            xmlNodePtr ci = el(svg, "line", NULL);
            attrf(ci, "x1", "%d", X(t->weat.ci_lo));
            attrf(ci, "x2", "%d", X(t->weat.ci_hi));
            attrf(ci, "y1", "%d", y);
            attrf(ci, "y2", "%d", y);
            attrf(ci, "stroke", "%s", color);
            attrf(ci, "stroke-width", "2");
        }
        xmlNodePtr dot = el(svg, "circle", NULL);
        attrf(dot, "cx", "%d", X(t->weat.effect_size));
        attrf(dot, "cy", "%d", y);
        attrf(dot, "r", "4");
        attrf(dot, "fill", "%s", color);
    }
#undef X
}

static void results_table(xmlNodePtr body, const mz_static_suite *s) {
    xmlNodePtr table = el(body, "table", NULL), head = el(table, "tr", NULL);
    const char *cols[] = {"Test",     "Lang.",  "Dimension",   "Effect size d [95% CI]", "p",
                          "p (Holm)", "p (BH)", "Words found", "What it means"};
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++)
        el(head, "th", cols[c]);
    for (size_t i = 0; i < s->n; i++) {
        const mz_static_weat *t = &s->tests[i];
        const mz_probe_set *p = s->sets[i];
        if (!t->computable) continue;
        const mz_weat_result *w = &t->weat;
        xmlNodePtr tr = el(table, "tr", NULL);
        xmlNodePtr name = el(tr, "td", p->title);
        attrf(name, "title", "%s", p->id);
        el(tr, "td", p->language);
        el(tr, "td", p->dimension);
        xmlNodePtr d = w->ci_level > 0 ? elf(tr, "td", "%+.2f [%+.2f, %+.2f]", w->effect_size,
                                             w->ci_lo, w->ci_hi)
                                       : elf(tr, "td", "%+.2f", w->effect_size);
        attrf(d, "class", "num");
        attrf(elf(tr, "td", "%.3g%s", w->perm.p_value, w->perm.exact ? "" : " (MC)"), "class",
              "num");
        attrf(elf(tr, "td", "%.3g", s->p_holm[i]), "class",
              s->p_holm[i] < ALPHA ? "num sig" : "num ns");
        attrf(elf(tr, "td", "%.3g", s->p_bh[i]), "class", "num");
        size_t found = 0, asked = 0;
        for (int k = 0; k < MZ_N_ROLES; k++) {
            found += t->sets[k].n_found;
            asked += t->sets[k].n_asked;
        }
        attrf(elf(tr, "td", "%zu/%zu", found, asked), "class", "num");
        char text[512];
        meaning(text, sizeof text, p, t, s->p_holm[i]);
        el(tr, "td", text);
    }
}

/* The metrics beyond WEAT, when they were asked for: one row per test, one cell per metric. */
static void other_metrics(xmlNodePtr body, const mz_static_suite *s, unsigned mask) {
    if (!mask) return;
    el(body, "h2", "Other association measures");
    el(body, "p",
       "The same word lists through the measures collected by WEFE, each on the first "
       "and on the second target list (X / Y) against the two attribute lists, with 95% "
       "bootstrap intervals in the JSON results. RND below 0: closer to the first "
       "attribute list; MAC: mean cosine distance (1 = no association); ECT: 1 = both "
       "attribute lists rank the words alike; RIPA above 0: along first minus second "
       "attribute list; RNSB: 0 = no target word singled out as negative.");
    xmlNodePtr table = el(body, "table", NULL), head = el(table, "tr", NULL);
    el(head, "th", "Test");
    for (int m = 0; m < MZ_N_METRICS; m++)
        if (mask & (1u << m)) el(head, "th", mz_metric_names[m]);
    for (size_t i = 0; i < s->n; i++) {
        const mz_static_weat *t = &s->tests[i];
        if (!t->computable) continue;
        xmlNodePtr tr = el(table, "tr", NULL);
        el(tr, "td", s->sets[i]->title);
        for (int m = 0; m < MZ_N_METRICS; m++) {
            if (!(mask & (1u << m))) continue;
            const mz_static_metric *sm = &t->metrics[m];
            xmlNodePtr td = !sm->computed ? el(tr, "td", "not computable")
                            : m == MZ_METRIC_RNSB
                                ? elf(tr, "td", "%.3f", sm->on_x.value)
                                : elf(tr, "td", "%+.3f / %+.3f", sm->on_x.value, sm->on_y.value);
            attrf(td, "class", "num");
            if (!sm->computed) attrf(td, "title", "%s", sm->reason);
        }
    }
}

static void missing_words(xmlNodePtr body, const mz_static_suite *s) {
    xmlNodePtr ul = NULL;
    for (size_t i = 0; i < s->n; i++)
        for (int k = 0; k < MZ_N_ROLES; k++) {
            const mz_set_lookup *l = &s->tests[i].sets[k];
            if (!l->n_missing && !l->n_folded) continue;
            if (!ul) {
                el(body, "h2", "Probe words not found as written");
                ul = el(body, "ul", NULL);
            }
            char words[900] = "";
            size_t len = 0;
            for (size_t j = 0; j < l->n_missing && len < sizeof words; j++)
                len += (size_t)snprintf(words + len, sizeof words - len, "%s%s",
                                        j ? ", " : "missing: ", l->missing[j]);
            for (size_t j = 0; j < l->n_folded && len < sizeof words; j++)
                len += (size_t)snprintf(words + len, sizeof words - len, "%s%s",
                                        j ? ", "
                                          : (len ? "; matched only after case folding: "
                                                 : "matched only after case folding: "),
                                        l->folded[j]);
            elf(ul, "li", "%s, %s '%s': %s", s->sets[i]->id, mz_role_names[k],
                k < 2 ? s->sets[i]->targets[k].name : s->sets[i]->attributes[k - 2].name, words);
        }
}

static void not_computable(xmlNodePtr body, const mz_static_suite *s) {
    if (s->n_computable == s->n) return;
    el(body, "h2", "Tests that could not be computed");
    el(body, "p",
       "These tests are reported rather than run on what was left of their word "
       "lists: a test on a shrunken list would measure something else.");
    xmlNodePtr ul = el(body, "ul", NULL);
    for (size_t i = 0; i < s->n; i++)
        if (!s->tests[i].computable)
            elf(ul, "li", "%s (%s): %s", s->sets[i]->title, s->sets[i]->id, s->tests[i].reason);
}

static void summary(xmlNodePtr body, const mz_static_suite *s) {
    size_t sig = 0;
    for (size_t i = 0; i < s->n; i++)
        sig += s->tests[i].computable && s->p_holm[i] < ALPHA;
    elf(body, "p",
        "%zu of %zu association tests could be computed on these vectors. %zu of them "
        "show an association that holds after correcting for running %zu tests at once (Holm, "
        "5%% family-wise error).",
        s->n_computable, s->n, sig, s->n_computable);
    el(body, "p",
       "Each test asks whether two groups of target words (for example men's and "
       "women's names) differ in how close they sit to two groups of attribute words "
       "(for example career and family words) in the vector space. The effect size d "
       "measures the difference in standard-deviation units: 0.2 is small, 0.5 medium, "
       "0.8 large. The bar shows a 95% confidence interval: where it crosses zero, the "
       "data do not settle the direction.");
}

static void method(xmlNodePtr body, const mz_static_suite *s, const mz_static_options *opt) {
    el(body, "h2", "Method and provenance");
    xmlNodePtr ul = el(body, "ul", NULL);
    elf(ul, "li", "Vectors: %s (%zu probe words kept, %zu dimensions).", s->vectors_path,
        s->vectors_words, s->vectors_dim);
    elf(ul, "li",
        "WEAT (Caliskan et al. 2017): d = difference of mean associations over their "
        "sample standard deviation; one-sided permutation p-value, exact when there are at most "
        "%llu splits of the targets, otherwise %llu random splits (marked MC).",
        (unsigned long long)opt->weat.max_exact, (unsigned long long)opt->weat.n_permutations);
    elf(ul, "li",
        "Confidence intervals: percentile bootstrap with %u draws, resampling each "
        "word list.",
        opt->weat.n_bootstrap);
    el(ul, "li",
       "Multiple testing: Holm (family-wise error) and Benjamini-Hochberg (false "
       "discovery rate) across the computable tests.");
    elf(ul, "li",
        "Word look-up: %s; a list losing more than %.0f%% of its words is not "
        "computed.",
        s->fold_case ? "as written, then after Unicode case folding" : "as written",
        100 * opt->max_missing);
    elf(ul, "li", "Random seed %lu: the same seed gives the same numbers. Mizani %s; %s.", s->seed,
        mz_version(), mz_build_info());
}

mz_status mz_report_static_suite_html(const mz_static_suite *s, const mz_static_options *opt,
                                      const char *path, mz_ctx *ctx) {
    htmlDocPtr doc = htmlNewDoc(BAD_CAST "about:legacy-compat", NULL);
    if (!doc) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    xmlNodePtr html = xmlNewNode(NULL, BAD_CAST "html");
    xmlDocSetRootElement(doc, html);
    xmlNewProp(html, BAD_CAST "lang", BAD_CAST "en");
    xmlNodePtr head = el(html, "head", NULL);
    /* libxml2's serialiser adds the charset declaration itself */
    el(head, "title", "Mizani audit: static word vectors");
    el(head, "style", css);
    xmlNodePtr body = el(html, "body", NULL);
    el(body, "h1", "Mizani audit: social associations in static word vectors");
    xmlNodePtr lead = elf(body, "p", "Vectors: %s", s->vectors_path);
    attrf(lead, "class", "lead");
    el(body, "h2", "Summary");
    summary(body, s);
    forest_plot(body, s);
    el(body, "h2", "Results");
    results_table(body, s);
    other_metrics(body, s, opt->metrics);
    not_computable(body, s);
    missing_words(body, s);
    method(body, s, opt);
    xmlNodePtr foot = el(body, "p",
                         "The Swahili probe lists await review by native speakers; "
                         "see corpora/weat-sw/DATASHEET.md.");
    attrf(foot, "class", "note");

    size_t n = strlen(path) + 16;
    char *tmp = mz_malloc(n);
    mz_status rc = MZ_OK;
    if (!tmp)
        rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    else
        snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    if (!rc && htmlSaveFileFormat(tmp, doc, "UTF-8", 1) < 0)
        rc = mz_fail_errno(ctx, path, "cannot write the report");
    if (!rc && rename(tmp, path))
        rc = mz_fail_errno(ctx, path, "cannot move the report into place");
    if (rc && tmp) unlink(tmp);
    mz_free(tmp);
    xmlFreeDoc(doc);
    return rc;
}
