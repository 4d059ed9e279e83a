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

#endif
