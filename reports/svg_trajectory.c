/* Trajectories: each finding's estimate across checkpoints in training order, as small plots
 * on one shared scale (so that two findings read alike), with intervals, the reference line
 * and the checkpoints' numbers; the table beside them in the report holds the numbers. */
#include "html_internal.h"

#include "mizani/alloc.h"

#include <math.h>

#define TW   240.0
#define TH   150.0
#define LEFT 34.0
#define TOP  12.0
#define BOT  28.0

typedef struct range {
    double lo, hi;
} range;

static range shared_range(const mz_series *s, size_t n, size_t points, const mz_axis *a) {
    if (a->hi > a->lo) return (range){a->lo, a->hi};
    range r = {isfinite(a->ref) ? a->ref : INFINITY, isfinite(a->ref) ? a->ref : -INFINITY};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < points; k++) {
            const double v[3] = {s[i].values[k], s[i].lo ? s[i].lo[k] : NAN,
                                 s[i].hi ? s[i].hi[k] : NAN};
            for (int j = 0; j < 3; j++)
                if (isfinite(v[j])) r.lo = fmin(r.lo, v[j]), r.hi = fmax(r.hi, v[j]);
        }
    if (!isfinite(r.lo)) r = (range){-1, 1};
    if (r.hi - r.lo < 1e-9) r.lo -= 1, r.hi += 1;
    double pad = 0.08 * (r.hi - r.lo);
    return (range){r.lo - pad, r.hi + pad};
}

static double y_of(const range *r, double v) {
    return TOP + (1 - (v - r->lo) / (r->hi - r->lo)) * (TH - TOP - BOT);
}

static double x_at(size_t k, size_t points) {
    return points > 1 ? LEFT + 12 + (double)k * (TW - LEFT - 24) / (double)(points - 1)
                      : (LEFT + TW) / 2;
}

static void one(mz_page *p, xmlNodePtr grid, const mz_series *s, size_t points, const range *r,
                const mz_axis *a) {
    xmlNodePtr fig = mz_page_el(p, grid, "figure", NULL);
    xmlNodePtr svg = mz_page_el(p, fig, "svg", NULL);
    mz_page_attr(p, svg, "xmlns", "http://www.w3.org/2000/svg");
    mz_page_attrf(p, svg, "viewBox", "0 0 %.0f %.0f", TW, TH);
    mz_page_attr(p, svg, "role", "img");
    mz_page_el(p, svg, "title", s->label);
    mz_page_elf(p, svg, "desc",
                "%s across %zu checkpoints (x: checkpoint number, y: %s); dots mark the "
                "estimates, vertical lines their intervals, a dashed line no effect.",
                s->label, points, a->title);
    char buf[32];
    for (int t = 0; t < 2; t++) { /* the range's ends as the y axis labels */
        double v = t ? r->hi : r->lo;
        snprintf(buf, sizeof buf, "%.2g", v);
        mz_svg_text(p, svg, LEFT - 4, y_of(r, v) + 4, 11, buf, "end");
    }
    mz_svg_line(p, svg, LEFT, TOP, LEFT, TH - BOT, "#999", 1, 0);
    if (isfinite(a->ref) && a->ref > r->lo && a->ref < r->hi)
        mz_svg_line(p, svg, LEFT, y_of(r, a->ref), TW - 6, y_of(r, a->ref), "#444", 1, 1);
    for (size_t k = 0; k < points; k++) {
        double x = x_at(k, points), v = s->values[k];
        snprintf(buf, sizeof buf, "%zu", k + 1);
        mz_svg_text(p, svg, x, TH - 10, 11, buf, "middle");
        if (!isfinite(v)) continue;
        if (s->lo && s->hi && isfinite(s->lo[k]) && isfinite(s->hi[k]))
            mz_svg_line(p, svg, x, y_of(r, s->lo[k]), x, y_of(r, s->hi[k]), "#0072B2", 1.6, 0);
        if (k + 1 < points && isfinite(s->values[k + 1]))
            mz_svg_line(p, svg, x, y_of(r, v), x_at(k + 1, points), y_of(r, s->values[k + 1]),
                        "#222", 1.4, 0);
        xmlNodePtr c = mz_page_el(p, svg, "circle", NULL);
        mz_page_attrf(p, c, "cx", "%.1f", x);
        mz_page_attrf(p, c, "cy", "%.1f", y_of(r, v));
        mz_page_attr(p, c, "r", "3.5");
        mz_page_attr(p, c, "fill", "#222");
    }
    xmlNodePtr cap = mz_page_el(p, fig, "figcaption", s->label);
    mz_page_lang(p, cap, s->lang);
}

mz_status mz_widget_trajectory(mz_page *p, xmlNodePtr parent, const char *caption,
                               const char *const *points, size_t n_points, const mz_series *s,
                               size_t n, const mz_axis *axis) {
    range r = shared_range(s, n, n_points, axis);
    xmlNodePtr fig = mz_page_el(p, parent, "figure", NULL);
    xmlNodePtr grid = mz_page_el(p, fig, "div", NULL);
    mz_page_attr(p, grid, "class", "thumbs traj");
    for (size_t i = 0; i < n; i++)
        one(p, grid, &s[i], n_points, &r, axis);
    xmlNodePtr cap = mz_page_el(p, fig, "figcaption", caption);
    xmlNodePtr ol = mz_page_el(p, cap, "ol", NULL);
    for (size_t k = 0; k < n_points; k++)
        mz_page_el(p, ol, "li", points[k]);
    return mz_page_status(p);
}
