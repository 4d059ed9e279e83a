/* The results tree as text, and back: results.json is read by `mizani report` (to render the
 * HTML again) and by comparisons, so a file of another schema or a broken shape is refused with
 * the place it breaks, before anything is rendered from it. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/json_path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_FLAGS        (JSON_INDENT(2) | JSON_REAL_PRECISION(17))
#define MAX_RESULTS_BYTES ((size_t)1 << 30)

mz_status mz_results_text(char **out, const mz_results *r, mz_ctx *ctx) {
    if (r->status) return r->status;
    char *s = json_dumps(r->root, DUMP_FLAGS);
    if (!s) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    /* jansson allocates with its own functions: hand back a copy the caller frees as usual */
    *out = mz_strdup(s);
    free(s);
    return *out ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

mz_status mz_results_print(const mz_results *r, FILE *out, mz_ctx *ctx) {
    char *s;
    mz_status rc = mz_results_text(&s, r, ctx);
    if (rc) return rc;
    if (fputs(s, out) == EOF || fputc('\n', out) == EOF || fflush(out))
        rc = mz_fail(ctx, MZ_ERR_IO, NULL, "cannot write JSON to standard output");
    mz_free(s);
    return rc;
}

/* ---- Reading back ---------------------------------------------------------------------------- */

typedef struct reader {
    const char *path, *text;
    size_t len;
    mz_ctx *ctx;
} reader;

/* The line of `where`, or of the nearest enclosing value when `where` itself is missing. */
static long line_of(const reader *rd, const char *where) {
    char path[256];
    snprintf(path, sizeof path, "%s", where);
    long line = 0;
    while (!(line = mz_json_path_line(rd->text, rd->len, path))) {
        char *cut = strrchr(path, '.'), *bracket = strrchr(path, '[');
        if (bracket > cut) cut = bracket;
        if (!cut || cut == path + 1) break;
        *cut = '\0';
    }
    return line;
}

static mz_status bad(const reader *rd, const char *where, const char *what) {
    mz_status rc = mz_fail_path(rd->ctx, MZ_ERR_INPUT, rd->path, where, "%s", what);
    mz_ctx_set_line(rd->ctx, line_of(rd, where));
    return rc;
}

static int is_number_or_null(const json_t *v) { return json_is_number(v) || json_is_null(v); }

static int is_one_of(const json_t *v, const char *const *names) {
    const char *s = json_string_value(v);
    for (size_t i = 0; s && names[i]; i++)
        if (!strcmp(s, names[i])) return 1;
    return 0;
}

/* The shape of one finding as SCHEMA.md gives it (values are the producers' business). */
static mz_status check_finding(const reader *rd, const json_t *f, const char *at) {
    static const char *const statuses[] = {"computed", "not_computable", "skipped", NULL};
    char where[256];
    struct {
        const char *key;
        int ok;
    } fields[] = {
        {"id", json_is_string(json_object_get(f, "id"))},
        {"family", json_is_string(json_object_get(f, "family"))},
        {"status", is_one_of(json_object_get(f, "status"), statuses)},
        {"effect", json_is_object(json_object_get(f, "effect"))},
        {"p", is_number_or_null(json_object_get(f, "p"))},
        {"p_holm", is_number_or_null(json_object_get(f, "p_holm"))},
        {"verdict", json_is_null(json_object_get(f, "verdict")) ||
                        is_one_of(json_object_get(f, "verdict"), mz_verdict_names)},
        {"units", json_is_object(json_object_get(f, "units"))},
        {"caveats", json_is_array(json_object_get(f, "caveats"))},
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (!fields[i].ok) {
            snprintf(where, sizeof where, "%s.%s", at, fields[i].key);
            return bad(rd, where, "missing or of the wrong type (see reports/SCHEMA.md)");
        }
    const json_t *e = json_object_get(f, "effect"), *ci = json_object_get(e, "ci");
    snprintf(where, sizeof where, "%s.effect", at);
    if (!is_number_or_null(json_object_get(e, "estimate")))
        return bad(rd, where, "estimate missing or not a number");
    if (!json_is_null(ci) &&
        !(json_is_array(ci) && json_array_size(ci) == 2 &&
          is_number_or_null(json_array_get(ci, 0)) && is_number_or_null(json_array_get(ci, 1))))
        return bad(rd, where, "ci must be null or [low, high]");
    const json_t *items = json_object_get(f, "items");
    if (items && !json_is_array(items)) {
        snprintf(where, sizeof where, "%s.items", at);
        return bad(rd, where, "not an array");
    }
    return MZ_OK;
}

static mz_status check_sections(const reader *rd, const json_t *sections) {
    const char *family;
    const json_t *s;
    char where[192];
    json_object_foreach((json_t *)sections, family, s) {
        snprintf(where, sizeof where, "$.sections.%.64s", family);
        const json_t *findings = json_object_get(s, "findings");
        if (!json_is_object(s) || !json_is_string(json_object_get(s, "title")) ||
            !json_is_array(findings))
            return bad(rd, where, "a section needs a title and a findings array");
        size_t i;
        const json_t *f;
        json_array_foreach(findings, i, f) {
            char at[224];
            snprintf(at, sizeof at, "%s.findings[%zu]", where, i);
            mz_status rc = check_finding(rd, f, at);
            if (rc) return rc;
        }
    }
    return MZ_OK;
}

static mz_status check_schema(const reader *rd, const json_t *root) {
    const char *schema = json_string_value(json_object_get(root, "schema"));
    if (!schema) return bad(rd, "$.schema", "missing: not a Mizani results file");
    static const char family[] = "mizani-results/";
    if (strncmp(schema, family, sizeof family - 1))
        return bad(rd, "$.schema", "not a Mizani results file");
    long version = strtol(schema + sizeof family - 1, NULL, 10);
    if (strcmp(schema, MZ_RESULTS_SCHEMA)) {
        mz_status rc = mz_fail_path(
            rd->ctx, MZ_ERR_INPUT, rd->path, "$.schema",
            "schema '%s' is not the one this Mizani reads (%s)%s", schema, MZ_RESULTS_SCHEMA,
            version > MZ_RESULTS_VERSION ? ": written by a newer Mizani"
                                         : ": run the test again to write the current schema");
        mz_ctx_set_line(rd->ctx, line_of(rd, "$.schema"));
        return rc;
    }
    const json_t *run = json_object_get(root, "run");
    if (!json_is_string(json_object_get(run, "id")))
        return bad(rd, "$.run.id", "missing: every results file records its run id");
    const json_t *sections = json_object_get(root, "sections");
    if (sections && !json_is_object(sections)) return bad(rd, "$.sections", "not an object");
    return sections ? check_sections(rd, sections) : MZ_OK;
}

mz_status mz_results_load(mz_results **out, const char *path, mz_ctx *ctx) {
    *out = NULL;
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, path, MAX_RESULTS_BYTES, ctx);
    if (rc) return rc;
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    reader rd = {path, text, len, ctx};
    if (!root)
        rc = mz_fail_line(ctx, MZ_ERR_INPUT, path, err.line, err.column, "%s", err.text);
    else if (!json_is_object(root))
        rc = bad(&rd, "$", "not a JSON object");
    else
        rc = check_schema(&rd, root);
    if (!rc && !(*out = mz_results_wrap(root, ctx)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (rc) json_decref(root);
    mz_free(text);
    return rc;
}
