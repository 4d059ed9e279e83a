/* Interval plots: the forest plot, the dot plot and the bar chart share one layout, in which
 * each row's label has a line of its own above its interval. Labels thus get the figure's full
 * width, and the figure scales with the page (viewBox) and stays readable at 375 px. */
#include "html_internal.h"

#include "mizani/alloc.h"

#include <math.h>
#include <string.h>

#define W         480.0 /* viewBox width: text stays legible scaled to a 375-px screen */
#define PAD       14.0
#define ROW_H     46.0
#define MAX_LABEL 48        /* characters of a label in a figure; the tables keep the whole text */
#define COLOR_SIG "#D55E00" /* Okabe-Ito vermillion */
#define COLOR_NS  "#0072B2" /* Okabe-Ito blue */

typedef enum mark { MARK_DOT, MARK_BAR } mark;

typedef struct scale {
    double lo, hi;
} scale;

static double x_of(const scale *s, double v) {
    double t = (fmin(fmax(v, s->lo), s->hi) - s->lo) / (s->hi - s->lo);
    return PAD + t * (W - 2 * PAD);
}

/* A step of 1, 2 or 5 times a power of ten giving about six ticks. */
static double nice_step(double range) {
    double raw = range / 6, p = pow(10, floor(log10(raw)));
    return raw / p < 1.5 ? p : raw / p < 3 ? 2 * p : raw / p < 7 ? 5 * p : 10 * p;
}

/* The axis range: the caller's, or the data's (and the reference's) padded to whole ticks. */
static scale axis_scale(const mz_axis *a, const mz_interval_row *rows, size_t n) {
    if (a->hi > a->lo) return (scale){a->lo, a->hi};
    double lo = isfinite(a->ref) ? a->ref : 0, hi = lo;
    for (size_t i = 0; i < n; i++) {
        const double v[3] = {rows[i].estimate, rows[i].lo, rows[i].hi};
        for (int k = 0; k < 3; k++)
            if (isfinite(v[k])) lo = fmin(lo, v[k]), hi = fmax(hi, v[k]);
    }
    if (hi - lo < 1e-9) lo -= 1, hi += 1;
    double step = nice_step(hi - lo);
    return (scale){floor(lo / step) * step, ceil(hi / step) * step};
}

static void tick_label(char *buf, size_t cap, double v, const mz_axis *a) {
    if (a->percent)
        snprintf(buf, cap, "%.0f%%", 100 * v);
    else
        snprintf(buf, cap, "%g", fabs(v) < 1e-12 ? 0.0 : v);
}

static xmlNodePtr svg_el(mz_page *p, xmlNodePtr parent, const char *name) {
    return mz_page_el(p, parent, name, NULL);
}

static void line(mz_page *p, xmlNodePtr g, double x1, double y1, double x2, double y2,
                 const char *stroke, double width, int dashed) {
    xmlNodePtr l = svg_el(p, g, "line");
    mz_page_attrf(p, l, "x1", "%.1f", x1);
    mz_page_attrf(p, l, "y1", "%.1f", y1);
    mz_page_attrf(p, l, "x2", "%.1f", x2);
    mz_page_attrf(p, l, "y2", "%.1f", y2);
    mz_page_attr(p, l, "stroke", stroke);
    mz_page_attrf(p, l, "stroke-width", "%g", width);
    if (dashed) mz_page_attr(p, l, "stroke-dasharray", "5 4");
}

static xmlNodePtr text(mz_page *p, xmlNodePtr g, double x, double y, double size, const char *s,
                       const char *anchor) {
    xmlNodePtr t = mz_page_el(p, g, "text", s);
    mz_page_attrf(p, t, "x", "%.1f", x);
    mz_page_attrf(p, t, "y", "%.1f", y);
    mz_page_attrf(p, t, "font-size", "%g", size);
    if (anchor) mz_page_attr(p, t, "text-anchor", anchor);
    return t;
}

/* The estimate's mark: a filled diamond when significant, an open circle otherwise, so that
 * the difference survives greyscale printing and colour blindness. */
static void point(mz_page *p, xmlNodePtr g, double x, double y, int significant) {
    if (significant) {
        xmlNodePtr d = svg_el(p, g, "path");
        mz_page_attrf(p, d, "d", "M%.1f %.1fl7 7-7 7-7-7z", x, y - 7);
        mz_page_attr(p, d, "fill", COLOR_SIG);
    } else {
        xmlNodePtr c = svg_el(p, g, "circle");
        mz_page_attrf(p, c, "cx", "%.1f", x);
        mz_page_attrf(p, c, "cy", "%.1f", y);
        mz_page_attr(p, c, "r", "5.5");
        mz_page_attr(p, c, "fill", "#fff");
        mz_page_attr(p, c, "stroke", COLOR_NS);
        mz_page_attr(p, c, "stroke-width", "2.2");
    }
}

/* A small triangle at the plot's edge: the value lies beyond the axis range. */
static void beyond(mz_page *p, xmlNodePtr g, double x, double y, int right) {
    xmlNodePtr t = svg_el(p, g, "path");
    mz_page_attrf(p, t, "d", right ? "M%.1f %.1fl-8 -5v10z" : "M%.1f %.1fl8 -5v10z", x, y);
    mz_page_attr(p, t, "fill", "#333");
}

static char *value_text(const mz_interval_row *r, const mz_axis *a) {
    double k = a->percent ? 100 : 1;
    const char *unit = a->percent ? "%" : "";
    if (!isfinite(r->estimate)) return mz_strf("%s: no estimate", r->label);
    if (isfinite(r->lo) && isfinite(r->hi))
        return mz_strf("%s: %.3g%s [%.3g%s, %.3g%s], %s", r->label, k * r->estimate, unit,
                       k * r->lo, unit, k * r->hi, unit,
                       r->significant ? "significant" : "not significant");
    return mz_strf("%s: %.3g%s (no interval), %s", r->label, k * r->estimate, unit,
                   r->significant ? "significant" : "not significant");
}

static void row(mz_page *p, xmlNodePtr svg, const mz_interval_row *r, const char *label, double y,
                const scale *s, const mz_axis *a, mark m) {
    xmlNodePtr g = svg_el(p, svg, "g");
    char *v = value_text(r, a);
    if (!v) p->failed = 1;
    mz_page_el(p, g, "title", v);
    mz_free(v);
    xmlNodePtr t = text(p, g, PAD, y + 15, 16, label, NULL);
    mz_page_lang(p, t, r->lang);
    double cy = y + 32;
    const char *color = r->significant ? COLOR_SIG : COLOR_NS;
    if (!isfinite(r->estimate)) {
        text(p, g, PAD, cy + 5, 13, "no estimate", NULL);
        return;
    }
    if (m == MARK_BAR) {
        double x0 = x_of(s, isfinite(a->ref) ? a->ref : 0), x1 = x_of(s, r->estimate);
        xmlNodePtr b = svg_el(p, g, "rect");
        mz_page_attrf(p, b, "x", "%.1f", fmin(x0, x1));
        mz_page_attrf(p, b, "y", "%.1f", cy - 7);
        mz_page_attrf(p, b, "width", "%.1f", fmax(fabs(x1 - x0), 1));
        mz_page_attr(p, b, "height", "14");
        mz_page_attr(p, b, "fill", r->significant ? COLOR_SIG : "#9ecae1");
        mz_page_attr(p, b, "stroke", color);
    }
    if (isfinite(r->lo) && isfinite(r->hi)) {
        line(p, g, x_of(s, r->lo), cy, x_of(s, r->hi), cy, m == MARK_BAR ? "#222" : color, 2.2, 0);
        if (r->lo < s->lo) beyond(p, g, PAD, cy, 0);
        if (r->hi > s->hi) beyond(p, g, W - PAD, cy, 1);
    }
    if (m == MARK_DOT) point(p, g, x_of(s, r->estimate), cy, r->significant);
    if (r->estimate < s->lo || r->estimate > s->hi)
        beyond(p, g, x_of(s, r->estimate), cy, r->estimate > s->hi);
}

/* Ticks, the reference line, the axis title and the legend below the rows. */
#define TITLE_CHARS 56 /* an axis title's line: about 410 of the 480 units at font size 14 */
#define TITLE_LINE  18

/* The axis title cut into lines of at most TITLE_CHARS bytes at spaces (a word longer than a
 * line gets a line of its own), so that it never runs past the figure. */
static size_t title_lines(const char *title, char lines[][TITLE_CHARS * 4 + 1], size_t max) {
    size_t n = 0;
    const char *p = title ? title : "";
    while (*p && n < max) {
        size_t len = strlen(p), cut = len;
        if (len > TITLE_CHARS) {
            cut = TITLE_CHARS;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (!cut) cut = strcspn(p, " "); /* one long word */
        }
        if (cut > TITLE_CHARS * 4) cut = TITLE_CHARS * 4;
        while (cut < len && ((unsigned char)p[cut] & 0xC0) == 0x80) /* a whole character */
            cut--;
        memcpy(lines[n], p, cut);
        lines[n++][cut] = '\0';
        p += cut;
        while (*p == ' ')
            p++;
    }
    return n ? n : 1;
}

static void axis(mz_page *p, xmlNodePtr svg, double top, double bottom, const scale *s,
                 const mz_axis *a, mark m) {
    double step = nice_step(s->hi - s->lo);
    for (double v = ceil(s->lo / step - 1e-9) * step; v <= s->hi + 1e-9 * step; v += step) {
        char buf[32];
        tick_label(buf, sizeof buf, v, a);
        line(p, svg, x_of(s, v), top, x_of(s, v), bottom, "#ddd", 1, 0);
        text(p, svg, x_of(s, v), top - 6, 13, buf, "middle"); /* at the top too: tall plots */
        text(p, svg, x_of(s, v), bottom + 16, 13, buf, "middle");
    }
    if (isfinite(a->ref) && a->ref >= s->lo && a->ref <= s->hi)
        line(p, svg, x_of(s, a->ref), top, x_of(s, a->ref), bottom, "#444", 1.3, 1);
    char lines[4][TITLE_CHARS * 4 + 1] = {""};
    size_t k = title_lines(a->title, lines, 4);
    for (size_t i = 0; i < k; i++)
        text(p, svg, W / 2, bottom + 36 + TITLE_LINE * (double)i, 14, lines[i], "middle");
    double y = bottom + 60 + TITLE_LINE * (double)(k - 1);
    if (m == MARK_DOT) {
        point(p, svg, PAD + 7, y - 5, 1);
        text(p, svg, PAD + 20, y, 13, "significant after correction", NULL);
        point(p, svg, PAD + 227, y - 5, 0);
        text(p, svg, PAD + 240, y, 13, "not significant", NULL);
    } else {
        text(p, svg, PAD, y, 13, "dark bars: significant after correction; light: not", NULL);
    }
    if (isfinite(a->ref)) {
        line(p, svg, PAD, y + 17, PAD + 30, y + 17, "#444", 1.3, 1);
        text(p, svg, PAD + 38, y + 22, 13, "no effect", NULL);
    }
}

/* Labels as drawn: at most MAX_LABEL characters, and never two rows alike after shortening. */
static char **short_labels(const mz_interval_row *rows, size_t n, int *any_cut) {
    char **out = mz_calloc(n ? n : 1, sizeof *out);
    *any_cut = 0;
    for (size_t i = 0; out && i < n; i++) {
        int cut;
        if (!(out[i] = mz_utf8_prefix(rows[i].label ? rows[i].label : "", MAX_LABEL, &cut)))
            goto fail;
        *any_cut |= cut;
        for (size_t j = 0; cut && j < i; j++)
            if (!strcmp(out[i], out[j])) { /* shorter still, to make room for the row number */
                char *p = mz_utf8_prefix(rows[i].label, MAX_LABEL - 10, &cut);
                char *u = p ? mz_strf("%s (row %zu)", p, i + 1) : NULL;
                mz_free(p);
                if (!u) goto fail;
                mz_free(out[i]);
                out[i] = u;
                break;
            }
    }
    return out;
fail:
    for (size_t i = 0; i < n; i++)
        mz_free(out[i]);
    mz_free(out);
    return NULL;
}

static mz_status intervals(mz_page *p, xmlNodePtr parent, const char *caption,
                           const mz_interval_row *rows, size_t n, const mz_axis *a, mark m) {
    int cut;
    char **labels = short_labels(rows, n, &cut);
    if (!labels) {
        p->failed = 1;
        return mz_page_status(p);
    }
    scale s = axis_scale(a, rows, n);
    char lines[4][TITLE_CHARS * 4 + 1];
    double top = 24, bottom = top + (double)n * ROW_H + 6,
           height = bottom + 92 + TITLE_LINE * (double)(title_lines(a->title, lines, 4) - 1);
    xmlNodePtr fig = mz_page_el(p, parent, "figure", NULL);
    xmlNodePtr svg = svg_el(p, fig, "svg");
    mz_page_attr(p, svg, "xmlns", "http://www.w3.org/2000/svg");
    mz_page_attr(p, svg, "class", "plot");
    mz_page_attrf(p, svg, "viewBox", "0 0 %.0f %.0f", W, height);
    mz_page_attr(p, svg, "role", "img");
    mz_page_el(p, svg, "title", caption);
    mz_page_elf(p, svg, "desc",
                "%zu rows; x axis: %s; a filled diamond marks an estimate that is significant "
                "after correction, an open circle one that is not; lines show intervals.",
                n, a->title);
    axis(p, svg, top, bottom, &s, a, m);
    for (size_t i = 0; i < n; i++)
        row(p, svg, &rows[i], labels[i], top + (double)i * ROW_H, &s, a, m);
    xmlNodePtr cap = mz_page_el(p, fig, "figcaption", caption);
    if (cut)
        mz_page_elf(p, cap, "span",
                    " (labels longer than %d characters are shortened here with …; the table "
                    "below gives them in full)",
                    MAX_LABEL);
    for (size_t i = 0; i < n; i++)
        mz_free(labels[i]);
    mz_free(labels);
    return mz_page_status(p);
}

mz_status mz_widget_forest(mz_page *p, xmlNodePtr parent, const char *caption,
                           const mz_interval_row *rows, size_t n, const mz_axis *axis) {
    return intervals(p, parent, caption, rows, n, axis, MARK_DOT);
}

mz_status mz_widget_dots(mz_page *p, xmlNodePtr parent, const char *caption,
                         const mz_interval_row *rows, size_t n, const mz_axis *axis) {
    mz_axis a = *axis;
    a.percent = 1;
    return intervals(p, parent, caption, rows, n, &a, MARK_DOT);
}

mz_status mz_widget_bars(mz_page *p, xmlNodePtr parent, const char *caption,
                         const mz_interval_row *rows, size_t n, const mz_axis *axis) {
    return intervals(p, parent, caption, rows, n, axis, MARK_BAR);
}
