/* Widgets over plain rows: tables, token shading, attention heatmaps, the list of tests that
 * were not computed, and method notes. The interval plots are in svg_intervals.c. */
#include "html_internal.h"

#include "mizani/alloc.h"

#include <math.h>
#include <string.h>

mz_status mz_widget_table(mz_page *p, xmlNodePtr parent, const char *caption, const mz_column *cols,
                          size_t n_cols, const char *const *cells, const char *const *row_langs,
                          size_t n_rows) {
    xmlNodePtr wrap = mz_page_el(p, parent, "div", NULL);
    mz_page_attr(p, wrap, "class", "scroll");
    xmlNodePtr table = mz_page_el(p, wrap, "table", NULL);
    mz_page_attr(p, table, "class", "stack"); /* rows become cards on a narrow screen */
    mz_page_el(p, table, "caption", caption);
    xmlNodePtr tr = mz_page_el(p, mz_page_el(p, table, "thead", NULL), "tr", NULL);
    for (size_t c = 0; c < n_cols; c++) {
        xmlNodePtr th = mz_page_el(p, tr, "th", cols[c].head);
        mz_page_attr(p, th, "scope", "col");
        if (cols[c].numeric) mz_page_attr(p, th, "class", "num");
    }
    xmlNodePtr body = mz_page_el(p, table, "tbody", NULL);
    for (size_t r = 0; r < n_rows; r++) {
        tr = mz_page_el(p, body, "tr", NULL);
        for (size_t c = 0; c < n_cols; c++) {
            xmlNodePtr td = mz_page_el(p, tr, c ? "td" : "th", cells[r * n_cols + c]);
            if (!c) {
                mz_page_attr(p, td, "scope", "row");
                if (row_langs) mz_page_lang(p, td, row_langs[r]);
            }
            if (cols[c].numeric) mz_page_attr(p, td, "class", "num");
            if (c) mz_page_attr(p, td, "data-label", cols[c].head);
        }
    }
    return mz_page_status(p);
}

/* ---- Colour scales ------------------------------------------------------------------------- */

typedef struct rgb {
    double r, g, b;
} rgb;

static rgb mix(rgb a, rgb b, double t) {
    return (rgb){a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

/* ColorBrewer's RdBu ends (blue for negative, red for positive) through white: a diverging scale
 * readable with the common colour-vision deficiencies. t in [-1, 1]. */
static rgb diverging(double t) {
    static const rgb neg = {33, 102, 172}, mid = {247, 247, 247}, pos = {178, 24, 43};
    t = fmax(-1, fmin(1, t));
    return t < 0 ? mix(mid, neg, -t) : mix(mid, pos, t);
}

/* viridis at five stops (perceptually uniform, colour-blind safe). t in [0, 1]. */
static rgb sequential(double t) {
    static const rgb stops[5] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    t = fmax(0, fmin(1, t)) * 4;
    int i = t >= 4 ? 3 : (int)t;
    return mix(stops[i], stops[i + 1], t - i);
}

static void hex(char out[8], rgb c) {
    snprintf(out, 8, "#%02x%02x%02x", (int)lround(c.r), (int)lround(c.g), (int)lround(c.b));
}

/* A horizontal colour bar with its end and middle values: the legend of a shaded figure. */
static void legend(mz_page *p, xmlNodePtr parent, const char *title, double lo, double hi,
                   int diverging_scale) {
    xmlNodePtr svg = mz_page_el(p, parent, "svg", NULL);
    mz_page_attr(p, svg, "xmlns", "http://www.w3.org/2000/svg");
    mz_page_attr(p, svg, "class", "legend");
    mz_page_attr(p, svg, "viewBox", "0 0 300 58");
    mz_page_attr(p, svg, "role", "img");
    mz_page_elf(p, svg, "title", "Colour legend: %s", title);
    mz_page_elf(p, svg, "desc", "%s from %.3g (left) to %.3g (right)%s.", title, lo, hi,
                diverging_scale ? ", white at zero" : "");
    for (int i = 0; i < 50; i++) {
        double t = (i + 0.5) / 50;
        char c[8];
        hex(c, diverging_scale ? diverging(2 * t - 1) : sequential(t));
        xmlNodePtr r = mz_page_el(p, svg, "rect", NULL);
        mz_page_attrf(p, r, "x", "%.1f", 10 + i * 5.6);
        mz_page_attr(p, r, "y", "18");
        mz_page_attr(p, r, "width", "6");
        mz_page_attr(p, r, "height", "14");
        mz_page_attr(p, r, "fill", c);
    }
    const double at[3] = {10, 150, 290};
    const double value[3] = {lo, (lo + hi) / 2, hi};
    const char *anchor[3] = {"start", "middle", "end"};
    for (int k = 0; k < 3; k++) {
        xmlNodePtr t = mz_page_elf(p, svg, "text", "%.3g", value[k]);
        mz_page_attrf(p, t, "x", "%g", at[k]);
        mz_page_attr(p, t, "y", "48");
        mz_page_attr(p, t, "font-size", "12");
        mz_page_attr(p, t, "text-anchor", anchor[k]);
    }
    xmlNodePtr t = mz_page_el(p, svg, "text", title);
    mz_page_attr(p, t, "x", "10");
    mz_page_attr(p, t, "y", "12");
    mz_page_attr(p, t, "font-size", "12");
}

/* ---- Token shading ------------------------------------------------------------------------- */

static int char_boundary(const char *text, size_t at) {
    return ((unsigned char)text[at] & 0xC0) != 0x80;
}

static mz_status check_spans(mz_page *p, const char *text, const mz_token_score *t, size_t n) {
    size_t len = strlen(text), prev = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i].start < prev || t[i].end <= t[i].start || t[i].end > len ||
            !char_boundary(text, t[i].start) || (t[i].end < len && !char_boundary(text, t[i].end)))
            return mz_page_bad_input(p,
                                     "token shading: token spans of '%s' are out of order, "
                                     "outside the text or inside a character",
                                     text);
        else
            prev = t[i].end;
    return MZ_OK;
}

static void add_text(mz_page *p, xmlNodePtr parent, const char *s, size_t n) {
    if (!n || !parent) return;
    xmlNodePtr t = xmlNewTextLen(BAD_CAST s, (int)n);
    if (t && !t->content) xmlFreeNode(t), t = NULL; /* its copy of the text failed */
    if (!t || !xmlAddChild(parent, t)) p->failed = 1;
}

mz_status mz_widget_tokens(mz_page *p, xmlNodePtr parent, const char *caption, const char *text,
                           const char *lang, const mz_token_score *tokens, size_t n,
                           const char *score_name) {
    if (check_spans(p, text, tokens, n)) return p->status;
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(tokens[i].score)) max = fmax(max, fabs(tokens[i].score));
    if (max == 0) max = 1;
    xmlNodePtr fig = mz_page_el(p, parent, "figure", NULL);
    xmlNodePtr para = mz_page_el(p, fig, "p", NULL);
    mz_page_attr(p, para, "class", "tokens");
    mz_page_lang(p, para, lang);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        add_text(p, para, text + at, tokens[i].start - at);
        xmlNodePtr m = mz_page_el(p, para, "mark", NULL);
        add_text(p, m, text + tokens[i].start, tokens[i].end - tokens[i].start);
        char c[8];
        rgb bg = diverging(isfinite(tokens[i].score) ? tokens[i].score / max : 0);
        hex(c, bg);
        /* white text where the shade is dark (relative luminance below about 0.4) */
        double lum = (0.2126 * bg.r + 0.7152 * bg.g + 0.0722 * bg.b) / 255;
        mz_page_attrf(p, m, "style", "background:%s;color:%s", c, lum < 0.45 ? "#fff" : "#111");
        mz_page_attrf(p, m, "title", "%s %+.4g", score_name, tokens[i].score);
        at = tokens[i].end;
    }
    add_text(p, para, text + at, strlen(text) - at);
    legend(p, fig, score_name, -max, max, 1);
    mz_page_el(p, fig, "figcaption", caption);
    /* the numbers again as a table, for screen readers and print */
    static const mz_column cols[] = {{"token", 0}, {"bytes", 1}, {"score", 1}};
    char **cells = mz_calloc(3 * (n ? n : 1), sizeof *cells);
    const char **langs = mz_calloc(n ? n : 1, sizeof *langs);
    for (size_t i = 0; cells && langs && i < n; i++) {
        const mz_token_score *t = &tokens[i];
        cells[3 * i] = mz_strndup(text + t->start, t->end - t->start);
        cells[3 * i + 1] = mz_strf("%zu–%zu", t->start, t->end);
        cells[3 * i + 2] = mz_strf("%+.4g", t->score);
        langs[i] = lang;
        if (!cells[3 * i] || !cells[3 * i + 1] || !cells[3 * i + 2]) p->failed = 1;
    }
    if (!cells || !langs) p->failed = 1;
    if (!p->failed) {
        char *cap = mz_strf("%s: every token's score", score_name);
        if (cap)
            mz_widget_table(p, fig, cap, cols, 3, (const char *const *)cells, langs, n);
        else
            p->failed = 1;
        mz_free(cap);
    }
    for (size_t i = 0; cells && i < 3 * n; i++)
        mz_free(cells[i]);
    mz_free(cells);
    mz_free(langs);
    return mz_page_status(p);
}

/* ---- Heatmaps -------------------------------------------------------------------------- */

static void cells_of(mz_page *p, xmlNodePtr svg, const float *m, size_t t, double x0, double y0,
                     double size, float max) {
    for (size_t i = 0; i < t; i++)
        for (size_t j = 0; j < t; j++) {
            char c[8];
            hex(c, sequential(max > 0 ? m[i * t + j] / max : 0));
            xmlNodePtr r = mz_page_el(p, svg, "rect", NULL);
            mz_page_attrf(p, r, "x", "%.2f", x0 + (double)j * size);
            mz_page_attrf(p, r, "y", "%.2f", y0 + (double)i * size);
            mz_page_attrf(p, r, "width", "%.2f", size);
            mz_page_attrf(p, r, "height", "%.2f", size);
            mz_page_attr(p, r, "fill", c);
        }
}

static void thumbnail(mz_page *p, xmlNodePtr grid, const mz_heatmap *h, size_t l, size_t hd,
                      float max) {
    xmlNodePtr fig = mz_page_el(p, grid, "figure", NULL);
    xmlNodePtr svg = mz_page_el(p, fig, "svg", NULL);
    mz_page_attr(p, svg, "xmlns", "http://www.w3.org/2000/svg");
    mz_page_attr(p, svg, "viewBox", "0 0 100 100");
    mz_page_attr(p, svg, "role", "img");
    mz_page_elf(p, svg, "title", "Layer %zu, head %zu", l, hd);
    mz_page_elf(p, svg, "desc", "%s of %zu tokens to %zu tokens (thumbnail)", h->value_name,
                h->tokens, h->tokens);
    const float *m = h->values + (l * h->heads + hd) * h->tokens * h->tokens;
    cells_of(p, svg, m, h->tokens, 0, 0, 100.0 / (double)h->tokens, max);
    mz_page_elf(p, fig, "figcaption", "L%zu H%zu", l, hd);
}

/* The enlarged map: token labels down the left (from) and, rotated, along the top (to). */
static void enlarged(mz_page *p, xmlNodePtr parent, const mz_heatmap *h, float max) {
    const double cell = 26, margin = 120;
    size_t t = h->tokens;
    double side = margin + (double)t * cell + 10;
    xmlNodePtr svg = mz_page_el(p, parent, "svg", NULL);
    mz_page_attr(p, svg, "xmlns", "http://www.w3.org/2000/svg");
    mz_page_attr(p, svg, "class", "heat");
    mz_page_attrf(p, svg, "viewBox", "0 0 %.0f %.0f", side, side);
    mz_page_attr(p, svg, "role", "img");
    mz_page_elf(p, svg, "title", "Layer %zu, head %zu, enlarged", h->big_layer, h->big_head);
    mz_page_elf(p, svg, "desc",
                "%s: rows are the tokens attending (from), columns the tokens attended to; "
                "brighter is larger.",
                h->value_name);
    const float *m = h->values + (h->big_layer * h->heads + h->big_head) * t * t;
    cells_of(p, svg, m, t, margin, margin, cell, max);
    for (size_t i = 0; i < t; i++) {
        int cut;
        char *label = mz_utf8_prefix(h->labels[i], 12, &cut);
        if (!label) {
            p->failed = 1;
            return;
        }
        xmlNodePtr row = mz_page_el(p, svg, "text", label);
        mz_page_attrf(p, row, "x", "%.1f", margin - 6);
        mz_page_attrf(p, row, "y", "%.1f", margin + ((double)i + 0.7) * cell);
        mz_page_attr(p, row, "font-size", "13");
        mz_page_attr(p, row, "text-anchor", "end");
        mz_page_lang(p, row, h->lang);
        xmlNodePtr col = mz_page_el(p, svg, "text", label);
        double x = margin + ((double)i + 0.7) * cell, y = margin - 6;
        mz_page_attrf(p, col, "transform", "translate(%.1f %.1f) rotate(-60)", x, y);
        mz_page_attr(p, col, "font-size", "13");
        mz_page_lang(p, col, h->lang);
        mz_free(label);
    }
}

mz_status mz_widget_heatmaps(mz_page *p, xmlNodePtr parent, const char *caption,
                             const mz_heatmap *h) {
    if (!h->tokens || !h->layers || !h->heads || h->big_layer >= h->layers ||
        h->big_head >= h->heads)
        return mz_page_bad_input(p,
                                 "heatmap '%s': no tokens, or the enlarged head is not among "
                                 "the layers and heads",
                                 caption);
    size_t total = h->layers * h->heads * h->tokens * h->tokens;
    float max = 0;
    for (size_t i = 0; i < total; i++)
        if (isfinite(h->values[i])) max = fmaxf(max, h->values[i]);
    xmlNodePtr fig = mz_page_el(p, parent, "figure", NULL);
    xmlNodePtr grid = mz_page_el(p, fig, "div", NULL);
    mz_page_attr(p, grid, "class", "thumbs");
    for (size_t l = 0; l < h->layers; l++)
        for (size_t hd = 0; hd < h->heads; hd++)
            thumbnail(p, grid, h, l, hd, max);
    enlarged(p, fig, h, max);
    legend(p, fig, h->value_name, 0, max, 0);
    xmlNodePtr cap = mz_page_el(p, fig, "figcaption", caption);
    mz_page_elf(p, cap, "span",
                " Thumbnails: every layer (L) and head (H); enlarged: layer %zu, head %zu (token "
                "labels longer than 12 characters shortened with …).",
                h->big_layer, h->big_head);
    return mz_page_status(p);
}

/* ---- Lists and notes ------------------------------------------------------------------------ */

mz_status mz_widget_not_computable(mz_page *p, xmlNodePtr parent, const mz_missing_row *rows,
                                   size_t n) {
    if (!n) return mz_page_status(p);
    xmlNodePtr ul = mz_page_el(p, parent, "ul", NULL);
    for (size_t i = 0; i < n; i++) {
        xmlNodePtr li = mz_page_el(p, ul, "li", NULL);
        xmlNodePtr name = mz_page_el(p, li, "strong", rows[i].label);
        mz_page_lang(p, name, rows[i].lang);
        mz_page_elf(p, li, "span", " — %s: %s", rows[i].status, rows[i].reason);
    }
    return mz_page_status(p);
}

mz_status mz_widget_method(mz_page *p, xmlNodePtr parent, const char *text,
                           const char *const *citations, size_t n) {
    mz_page_el(p, parent, "p", text);
    if (n) {
        xmlNodePtr ol = mz_page_el(p, parent, "ul", NULL);
        mz_page_attr(p, ol, "class", "note");
        for (size_t i = 0; i < n; i++)
            mz_page_el(p, ol, "li", citations[i]);
    }
    return mz_page_status(p);
}
