/* Walking a report page parsed back with libxml2: what the tests of the HTML reports count
 * (elements that would run or react, titled figures, Swahili marks, heading levels, table
 * headers and captions, the page's policy and run id, the top-level parts in order). */
#ifndef MZ_TESTS_PAGE_WALK_H
#define MZ_TESTS_PAGE_WALK_H

#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <string.h>

typedef struct page_walk {
    int scripts, handlers, svgs, svgs_titled, sw, last_heading, heading_jumps, tables, headed;
    int ths, ths_scoped, csp, run_id;
    const char *want_run_id; /* may be NULL */
    char h2[16][64];         /* the parts' headings, in order */
    int n_h2;
} page_walk;

static int page_has_child(xmlNodePtr n, const char *name) {
    for (xmlNodePtr c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !xmlStrcasecmp(c->name, BAD_CAST name)) return 1;
    return 0;
}

static void page_attributes(xmlNodePtr n, page_walk *w) {
    for (xmlAttrPtr a = n->properties; a; a = a->next) {
        w->handlers += !xmlStrncasecmp(a->name, BAD_CAST "on", 2);
        xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
        const char *s = v ? (const char *)v : "";
        w->sw += !xmlStrcmp(a->name, BAD_CAST "lang") && !strcmp(s, "sw");
        w->csp += !xmlStrcmp(a->name, BAD_CAST "content") && strstr(s, "default-src 'none'");
        w->run_id +=
            !xmlStrcmp(a->name, BAD_CAST "content") && w->want_run_id && !strcmp(s, w->want_run_id);
        xmlFree(v);
    }
}

static void page_visit(xmlNodePtr n, page_walk *w) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        const char *name = (const char *)n->name;
        w->scripts += !strcmp(name, "script");
        page_attributes(n, w);
        if (!strcmp(name, "svg"))
            w->svgs++, w->svgs_titled += page_has_child(n, "title") && page_has_child(n, "desc");
        if (name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && !name[2]) {
            int level = name[1] - '0';
            w->heading_jumps += level > w->last_heading + 1;
            w->last_heading = level;
        }
        if (!strcmp(name, "h2") && w->n_h2 < 16) {
            xmlChar *t = xmlNodeGetContent(n);
            snprintf(w->h2[w->n_h2++], sizeof w->h2[0], "%s", t ? (const char *)t : "");
            xmlFree(t);
        }
        if (!strcmp(name, "table"))
            w->tables++, w->headed += page_has_child(n, "thead") && page_has_child(n, "caption");
        if (!strcmp(name, "th")) w->ths++, w->ths_scoped += xmlHasProp(n, BAD_CAST "scope") != NULL;
        page_visit(n->children, w);
    }
}

#endif
