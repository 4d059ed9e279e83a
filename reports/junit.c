/* The comparison as JUnit XML, the test-report format CI systems show natively (GitHub Actions
 * through a reporter action, GitLab's artifacts:reports:junit, Jenkins' junit step): one
 * testsuite per pair of consecutive checkpoints, one testcase per finding, a failure for each
 * regression, skipped for a finding that was not compared or has too few units to test. Built
 * as a libxml2 tree, so every name and message is escaped by construction; the shape follows
 * the schema Jenkins documents (tests/data/junit/junit.xsd checks it). */
#include "report_read.h"

#include "mizani/alloc.h"

#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <string.h>

typedef struct junit {
    xmlDocPtr doc;
    int failed;
} junit;

static xmlNodePtr el(junit *j, xmlNodePtr parent, const char *name, const char *text) {
    xmlNodePtr n = parent ? xmlNewChild(parent, NULL, BAD_CAST name, NULL) : NULL;
    if (!n || !n->name) {
        j->failed = 1;
        return NULL;
    }
    if (text) {
        xmlNodePtr t = xmlNewText(BAD_CAST text);
        if (t && !t->content) xmlFreeNode(t), t = NULL;
        if (!t || !xmlAddChild(n, t)) j->failed = 1;
    }
    return n;
}

static void attr(junit *j, xmlNodePtr n, const char *key, const char *value) {
    if (!n) return;
    xmlAttrPtr a = xmlSetProp(n, BAD_CAST key, BAD_CAST(value ? value : ""));
    if (!a || !a->name) j->failed = 1;
}

static void attr_int(junit *j, xmlNodePtr n, const char *key, long long v) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    attr(j, n, key, buf);
}

static long long to_of(const json_t *f) {
    const json_t *t = json_object_get(json_object_get(f, "details"), "to");
    return json_is_integer(t) ? json_integer_value(t) : 2;
}

static const char *outcome(const json_t *f) {
    return mz_jstr(json_object_get(f, "details"), "outcome", mz_computed(f) ? "" : "not_compared");
}

/* The case's name: the test and its language; the class: mizani.compare.FAMILY. */
static void testcase(junit *j, xmlNodePtr suite, const json_t *f, long long *fail,
                     long long *skip) {
    const json_t *d = json_object_get(f, "details");
    xmlNodePtr tc = el(j, suite, "testcase", NULL);
    char *name = mz_strf("%s [%s]", mz_finding_title(f), mz_jstr(f, "language", "-"));
    char *cls = mz_strf("mizani.compare.%s", mz_jstr(d, "compared_family", "finding"));
    if (!name || !cls) j->failed = 1;
    attr(j, tc, "name", name);
    attr(j, tc, "classname", cls);
    attr(j, tc, "time", "0");
    mz_free(name), mz_free(cls);
    const char *o = outcome(f), *words = mz_jstr(d, "in_words", mz_jstr(f, "reason", o));
    if (json_is_true(json_object_get(d, "fails_gate"))) {
        xmlNodePtr x = el(j, tc, "failure", mz_jstr(f, "id", ""));
        attr(j, x, "message", words);
        attr(j, x, "type", "regressed");
        ++*fail;
    } else if (!strcmp(o, "not_compared") || !strcmp(o, "too_few")) {
        xmlNodePtr x = el(j, tc, "skipped", NULL);
        attr(j, x, "message", words);
        ++*skip;
    }
    el(j, tc, "system-out", words);
}

static void property(junit *j, xmlNodePtr props, const char *name, const char *value) {
    xmlNodePtr x = el(j, props, "property", NULL);
    attr(j, x, "name", name);
    attr(j, x, "value", value);
}

/* The run's start without its zone letter: the timestamp form the schema asks for. */
static void timestamp(char out[32], const json_t *run) {
    snprintf(out, 32, "%.19s", mz_jstr(run, "started", "1970-01-01T00:00:00"));
}

static void suite(junit *j, xmlNodePtr root, const json_t *doc, long long to, long long *totals) {
    const json_t *run = json_object_get(doc, "run");
    const json_t *cps = json_object_get(json_object_get(doc, "subject"), "checkpoints");
    const json_t *section = json_object_get(json_object_get(doc, "sections"), "compare");
    const char *a = mz_jstr(json_array_get(cps, (size_t)(to - 2)), "label", "before"),
               *b = mz_jstr(json_array_get(cps, (size_t)(to - 1)), "label", "after");
    xmlNodePtr s = el(j, root, "testsuite", NULL);
    char *name = mz_strf("mizani compare: %s -> %s", a, b), ts[32];
    if (!name) j->failed = 1;
    attr(j, s, "name", name);
    mz_free(name);
    xmlNodePtr props = el(j, s, "properties", NULL);
    property(j, props, "run_id", mz_jstr(run, "id", ""));
    property(j, props, "before", a);
    property(j, props, "after", b);
    property(j, props, "rule", mz_jstr(json_object_get(section, "gate"), "rule", ""));
    long long tests = 0, fail = 0, skip = 0;
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(section, "findings"), i, f) {
        if (to_of(f) != to) continue;
        testcase(j, s, f, &fail, &skip);
        tests++;
    }
    attr_int(j, s, "tests", tests);
    attr_int(j, s, "failures", fail);
    attr_int(j, s, "errors", 0);
    attr_int(j, s, "skipped", skip);
    attr(j, s, "time", "0");
    timestamp(ts, run);
    attr(j, s, "timestamp", ts);
    attr_int(j, s, "id", to - 2);
    attr(j, s, "package", "mizani.compare");
    totals[0] += tests, totals[1] += fail, totals[2] += skip;
}

mz_status mz_report_junit(char **out, size_t *len, const mz_results *r, mz_ctx *ctx) {
    const json_t *doc = mz_results_json(r);
    const json_t *cps = json_object_get(json_object_get(doc, "subject"), "checkpoints");
    junit j = {xmlNewDoc(BAD_CAST "1.0"), 0};
    xmlNodePtr root = j.doc ? xmlNewNode(NULL, BAD_CAST "testsuites") : NULL;
    if (!root) {
        xmlFreeDoc(j.doc);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    xmlDocSetRootElement(j.doc, root);
    attr(&j, root, "name", "mizani compare");
    long long totals[3] = {0, 0, 0};
    size_t n = json_array_size(cps) > 1 ? json_array_size(cps) : 2;
    for (long long to = 2; to <= (long long)n; to++)
        suite(&j, root, doc, to, totals);
    attr_int(&j, root, "tests", totals[0]);
    attr_int(&j, root, "failures", totals[1]);
    attr_int(&j, root, "errors", 0);
    attr(&j, root, "time", "0"); /* skipped cases are counted per testsuite only */
    xmlChar *text = NULL;
    int size = 0;
    if (!j.failed) xmlDocDumpFormatMemoryEnc(j.doc, &text, &size, "UTF-8", 1);
    xmlFreeDoc(j.doc);
    *out = text ? mz_malloc((size_t)size + 1) : NULL;
    if (*out) {
        memcpy(*out, text, (size_t)size);
        (*out)[size] = '\0';
        *len = (size_t)size;
    }
    xmlFree(text);
    return *out ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory writing JUnit XML");
}
