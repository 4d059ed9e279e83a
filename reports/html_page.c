/* The page layer of every HTML report: a libxml2 tree (every text and attribute escaped by
 * construction), a head that forbids any request leaving the page (Content-Security-Policy),
 * one stylesheet for screens from 375 px up and for print, sections with headings in order, and
 * serialisation. Node creation failures stick to the page like the results tree's. */
#include "html_internal.h"

#include "mizani/alloc.h"

#include <libxml/HTMLtree.h>
#include <libxml/xmlerror.h>
#include <stdarg.h>
#include <string.h>

static const char *const css =
    "body{font-family:system-ui,sans-serif;max-width:62rem;margin:0 auto;padding:1rem;"
    "color:#1a1a1a;background:#fff;line-height:1.5}"
    "h1{font-size:1.55rem;line-height:1.25}h2{margin-top:2.2rem;border-bottom:1px solid #bbb}"
    "h3{margin-top:1.6rem}p,li,dd,caption,figcaption,pre{overflow-wrap:anywhere;white-space:normal}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.6rem 0}"
    "th,td{text-align:left;padding:.3rem .45rem;border-bottom:1px solid #ddd;vertical-align:top;"
    "overflow-wrap:anywhere}"
    "thead th{background:#f1f1f1}caption{text-align:left;font-weight:600;padding:.3rem 0}"
    ".num{text-align:right;font-variant-numeric:tabular-nums}"
    "figure{margin:1.2rem 0}figcaption{font-size:.9rem;color:#333;margin-top:.3rem}"
    "svg.plot{width:100%;height:auto;max-width:36rem;display:block}"
    "svg.legend{width:100%;max-width:22rem;height:auto;display:block}"
    "svg.heat{width:100%;max-width:30rem;height:auto;display:block}"
    "svg text{font-family:system-ui,sans-serif}"
    ".verdict-evidence{font-weight:600}.note{color:#444;font-size:.9rem}"
    ".card{display:grid;grid-template-columns:minmax(6rem,16rem) minmax(0,1fr);gap:.2rem 1rem}"
    ".card dt{font-weight:600;overflow-wrap:anywhere}.card dd{margin:0;overflow-wrap:anywhere}"
    ".tokens{font-size:1.15rem;line-height:2.1}.tokens mark{padding:.1em .05em;"
    "border-radius:.2em}"
    ".thumbs{display:grid;grid-template-columns:repeat(auto-fill,minmax(5rem,1fr));gap:.5rem}"
    ".thumbs figure{margin:0}.thumbs svg{width:100%;height:auto;display:block}"
    ".thumbs figcaption{font-size:.75rem}"
    "@media screen and (max-width:40rem){.card{grid-template-columns:minmax(0,1fr)}table.stack thead{display:none}table.stack tr{display:block;"
    "border-bottom:2px solid #bbb;padding:.3rem 0}table.stack th,table.stack td{display:block;"
    "border:0;padding:.1rem .2rem;text-align:left}table.stack td::before{content:attr(data-label)"
    "\": \";font-weight:600}}"
    "@media print{body{max-width:none;padding:0;font-size:10pt}thead{display:table-header-group}"
    "tr,figure,svg,li{break-inside:avoid}svg.plot{max-width:100%}h2,h3{break-after:avoid}"
    ".scroll{overflow:visible}}";

/* default-src 'none' forbids every fetch (images, fonts, frames, scripts); the stylesheet and
 * the token shading live in the page itself. */
static const char *const csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

static xmlNodePtr failed(mz_page *p) {
    p->failed = 1;
    return NULL;
}

xmlNodePtr mz_page_el(mz_page *p, xmlNodePtr parent, const char *name, const char *text) {
    if (!parent) return failed(p);
    xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST name, NULL);
    if (!n || !n->name) return failed(p); /* libxml2 leaves the name NULL when its copy fails */
    if (text) {
        xmlNodePtr t = xmlNewText(BAD_CAST text);
        if (t && !t->content) xmlFreeNode(t), t = NULL; /* its copy of the text failed */
        if (!t || !xmlAddChild(n, t)) return failed(p);
    }
    return n;
}

xmlNodePtr mz_page_elf(mz_page *p, xmlNodePtr parent, const char *name, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = mz_vstrf(fmt, ap);
    va_end(ap);
    if (!s) return failed(p);
    xmlNodePtr n = mz_page_el(p, parent, name, s);
    mz_free(s);
    return n;
}

void mz_page_attr(mz_page *p, xmlNodePtr node, const char *key, const char *value) {
    if (!node || !value) return;
    /* xmlSetProp returns the attribute even when copying its value failed */
    xmlAttrPtr a = xmlSetProp(node, BAD_CAST key, BAD_CAST value);
    if (!a || !a->name || (*value && (!a->children || !a->children->content))) p->failed = 1;
}

void mz_page_attrf(mz_page *p, xmlNodePtr node, const char *key, const char *fmt, ...) {
    if (!node) return;
    va_list ap;
    va_start(ap, fmt);
    char *s = mz_vstrf(fmt, ap);
    va_end(ap);
    if (!s) {
        p->failed = 1;
        return;
    }
    mz_page_attr(p, node, key, s);
    mz_free(s);
}

void mz_page_lang(mz_page *p, xmlNodePtr node, const char *lang) {
    if (lang && *lang && strcmp(lang, "en")) mz_page_attr(p, node, "lang", lang);
}

mz_status mz_page_new(mz_page **out, const char *title, const char *run_id, mz_ctx *ctx) {
    mz_page *p = mz_calloc(1, sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    p->ctx = ctx;
    p->doc = htmlNewDocNoDtD(NULL, NULL);
    xmlNodePtr html = p->doc ? xmlNewNode(NULL, BAD_CAST "html") : NULL;
    if (html) xmlDocSetRootElement(p->doc, html);
    if (!html || !html->name) {
        mz_page_free(p);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    mz_page_attr(p, html, "lang", "en");
    xmlNodePtr head = mz_page_el(p, html, "head", NULL);
    xmlNodePtr meta = mz_page_el(p, head, "meta", NULL);
    mz_page_attr(p, meta, "charset", "utf-8");
    meta = mz_page_el(p, head, "meta", NULL);
    mz_page_attr(p, meta, "http-equiv", "Content-Security-Policy");
    mz_page_attr(p, meta, "content", csp);
    meta = mz_page_el(p, head, "meta", NULL);
    mz_page_attr(p, meta, "name", "viewport");
    mz_page_attr(p, meta, "content", "width=device-width, initial-scale=1");
    meta = mz_page_el(p, head, "meta", NULL);
    mz_page_attr(p, meta, "name", "mizani-run-id");
    mz_page_attr(p, meta, "content", run_id);
    mz_page_el(p, head, "title", title);
    mz_page_el(p, head, "style", css);
    p->body = mz_page_el(p, html, "body", NULL);
    p->main = mz_page_el(p, p->body, "main", NULL);
    mz_page_el(p, p->main, "h1", title);
    if (p->failed) {
        mz_page_free(p);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    *out = p;
    return MZ_OK;
}

void mz_page_free(mz_page *p) {
    if (!p) return;
    xmlFreeDoc(p->doc);
    mz_free(p);
}

xmlNodePtr mz_page_main(mz_page *p) { return p->main; }

mz_status mz_page_status(const mz_page *p) {
    if (p->status) return p->status;
    return p->failed ? mz_fail(p->ctx, MZ_ERR_NOMEM, NULL, "out of memory building the report")
                     : MZ_OK;
}

mz_status mz_page_bad_input(mz_page *p, const char *fmt, const char *what) {
    if (!p->status) p->status = mz_fail(p->ctx, MZ_ERR_INPUT, NULL, fmt, what);
    return p->status;
}

/* Headings follow the nesting (h2 under the page, h3 under a section ...), so their order can
 * never skip a level. */
xmlNodePtr mz_page_section(mz_page *p, xmlNodePtr parent, const char *id, const char *title) {
    int level = 2;
    for (xmlNodePtr n = parent; n; n = n->parent)
        if (n->name && !strcmp((const char *)n->name, "section")) level++;
    xmlNodePtr s = mz_page_el(p, parent, "section", NULL);
    mz_page_attr(p, s, "id", id);
    char h[3] = {'h', (char)('0' + (level < 6 ? level : 6)), '\0'};
    mz_page_el(p, s, h, title);
    return s;
}

/* libxml2's serialiser reports a failed allocation only through its error handler, and goes on
 * writing what it can: a page missing text would pass for whole. */
static void note_error(void *failed, xmlErrorPtr e) {
    (void)e;
    *(int *)failed = 1;
}

mz_status mz_page_serialise(mz_page *p, char **out, size_t *len) {
    *out = NULL;
    mz_status rc = mz_page_status(p);
    if (rc) return rc;
    xmlBufferPtr buf = xmlBufferCreate();
    xmlOutputBufferPtr ob = buf ? xmlOutputBufferCreateBuffer(buf, NULL) : NULL;
    if (!ob) {
        xmlBufferFree(buf);
        return mz_fail(p->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    static const char doctype[] = "<!DOCTYPE html>\n";
    xmlOutputBufferWrite(ob, (int)strlen(doctype), doctype);
    int bad = 0;
    xmlStructuredErrorFunc saved = xmlStructuredError;
    void *saved_data = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&bad, note_error);
    htmlNodeDumpFormatOutput(ob, p->doc, xmlDocGetRootElement(p->doc), "UTF-8", 1);
    bad |= xmlOutputBufferClose(ob) < 0;
    xmlSetStructuredErrorFunc(saved_data, saved);
    size_t n = (size_t)xmlBufferLength(buf);
    *out = bad ? NULL : mz_malloc(n + 1);
    if (*out) {
        memcpy(*out, xmlBufferContent(buf), n);
        (*out)[n] = '\0';
        *len = n;
    }
    xmlBufferFree(buf);
    return *out ? MZ_OK : mz_fail(p->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

mz_status mz_page_save(mz_page *p, const char *path) {
    char *html = NULL;
    size_t len = 0;
    mz_status rc = mz_page_serialise(p, &html, &len);
    if (!rc) rc = mz_write_file_atomic(path, html, len, p->ctx);
    mz_free(html);
    return rc;
}

/* "03-preference-for-the-more-stereotypical.svg": the figure's order and its title, slugged. */
static char *figure_name(size_t i, xmlNodePtr svg) {
    char slug[49] = "";
    size_t k = 0;
    for (xmlNodePtr c = svg->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && !strcmp((const char *)c->name, "title")) {
            xmlChar *t = xmlNodeGetContent(c);
            for (const xmlChar *q = t; q && *q && k < sizeof slug - 1; q++) {
                int ok = (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9');
                int up = *q >= 'A' && *q <= 'Z';
                if (ok || up)
                    slug[k++] = (char)(up ? *q - 'A' + 'a' : *q);
                else if (k && slug[k - 1] != '-')
                    slug[k++] = '-';
            }
            xmlFree(t);
            break;
        }
    while (k && slug[k - 1] == '-')
        k--;
    slug[k] = '\0';
    return mz_strf("%02zu-%s.svg", i + 1, k ? slug : "figure");
}

/* The page's <svg> elements in document order. */
static void collect_svgs(xmlNodePtr n, xmlNodePtr **out, size_t *k, size_t *cap, int *failed) {
    for (; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (!strcmp((const char *)n->name, "svg")) {
            if (mz_grow((void **)out, cap, *k + 1, sizeof **out))
                *failed = 1;
            else
                (*out)[(*k)++] = n;
            continue;
        }
        collect_svgs(n->children, out, k, cap, failed);
    }
}

mz_status mz_page_figures(mz_page *p, char ***names, char ***svgs, size_t *n) {
    xmlNodePtr *found = NULL;
    size_t k = 0, cap = 0;
    int failed = 0;
    *names = *svgs = NULL, *n = 0;
    collect_svgs(xmlDocGetRootElement(p->doc), &found, &k, &cap, &failed);
    *names = mz_calloc(k + 1, sizeof **names);
    *svgs = mz_calloc(k + 1, sizeof **svgs);
    failed |= !*names || !*svgs;
    for (size_t i = 0; !failed && i < k; i++) {
        xmlBufferPtr buf = xmlBufferCreate();
        failed = !buf || xmlNodeDump(buf, p->doc, found[i], 0, 0) < 0;
        if (!failed) {
            (*names)[i] = figure_name(i, found[i]);
            (*svgs)[i] = mz_strf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n%s\n",
                                 (const char *)xmlBufferContent(buf));
            failed = !(*names)[i] || !(*svgs)[i];
        }
        xmlBufferFree(buf);
        *n = i + 1;
    }
    mz_free(found);
    if (!failed) return MZ_OK;
    for (size_t i = 0; i < *n; i++)
        mz_free((*names)[i]), mz_free((*svgs)[i]);
    mz_free(*names), mz_free(*svgs);
    *names = *svgs = NULL, *n = 0;
    return mz_fail(p->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}
