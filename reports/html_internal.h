/* The page's state, shared by the page layer, the widgets and the section renderers. */
#ifndef MZ_HTML_INTERNAL_H
#define MZ_HTML_INTERNAL_H

#include "mizani/report.h"
#include "results_internal.h"

#include <libxml/HTMLparser.h>

struct mz_page {
    htmlDocPtr doc;
    xmlNodePtr body, main;
    mz_ctx *ctx;
    int failed;       /* a node could not be made: reported as no memory */
    mz_status status; /* a widget refused its rows */
};

/* Records MZ_ERR_INPUT (fmt has one %s) on the page and returns it. */
mz_status mz_page_bad_input(mz_page *p, const char *fmt, const char *what);

/* SVG pieces the plots share (svg_intervals.c): a line (dashed or not) and a text. */
void mz_svg_line(mz_page *p, xmlNodePtr g, double x1, double y1, double x2, double y2,
                 const char *stroke, double width, int dashed);
xmlNodePtr mz_svg_text(mz_page *p, xmlNodePtr g, double x, double y, double size, const char *s,
                       const char *anchor);

#endif
