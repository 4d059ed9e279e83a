/* Loading probe files: strict about the schema (a typo in a key is an error, not a silently
 * empty list) and precise about where a problem is. */
#include "mizani/alloc.h"
#include "mizani/json_path.h"
#include "probe_file.h"

#include <string.h>

static const char *const required[] = {"schema", "id",     "kind",    "language", "dimension",
                                       "title",  "source", "licence", "notes",    "limitations"};
/* Keys a kind may add to the header. */
static const char *const kind_keys[][4] = {{"targets", "attributes", "published", NULL},
                                           {"pairs", NULL},
                                           {"frames", "targets", "attributes", NULL},
                                           {"frames", NULL},
                                           {"languages", "segments", NULL},
                                           {"entries", NULL},
                                           {"entries", NULL}};

const char *const mz_probe_kind_names[] = {"association", "minimal_pairs", "masked", "templates",
                                           "parallel",    "names",         "slurs"};
#define N_KINDS 7

typedef mz_status (*kind_reader)(probe_file *, const char *, mz_ctx *);
static const kind_reader readers[N_KINDS] = {
    mz_probe_read_association, mz_probe_read_pairs,   mz_probe_read_masked, mz_probe_read_templates,
    mz_probe_read_parallel,    mz_probe_read_lexicon, mz_probe_read_lexicon};

static mz_status bad(mz_ctx *ctx, const char *file, const char *path, const char *what) {
    return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "%s", what);
}

static int known_key(const char *key, int kind) {
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!strcmp(key, required[i])) return 1;
    for (const char *const *k = kind_keys[kind]; *k; k++)
        if (!strcmp(key, *k)) return 1;
    return 0;
}

static mz_status read_header(probe_file *pf, const char *file, mz_ctx *ctx) {
    const char *key;
    json_t *value;
    if (!json_is_object(pf->doc)) return bad(ctx, file, "$", "a probe file is a JSON object");
    const char **fields[] = {NULL,
                             &pf->set.id,
                             NULL,
                             &pf->set.language,
                             &pf->set.dimension,
                             &pf->set.title,
                             &pf->set.source,
                             &pf->set.licence,
                             &pf->set.notes,
                             &pf->set.limitations};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        json_t *v = json_object_get(pf->doc, required[i]);
        char p[40];
        snprintf(p, sizeof p, "$.%s", required[i]);
        if (!json_is_string(v) || json_string_length(v) == 0)
            return mz_fail_path(ctx, MZ_ERR_INPUT, file, p, "missing or not a non-empty string");
        if (fields[i]) *fields[i] = json_string_value(v);
    }
    if (strcmp(json_string_value(json_object_get(pf->doc, "schema")), MZ_PROBES_SCHEMA))
        return mz_fail_path(ctx, MZ_ERR_UNSUPPORTED, file, "$.schema",
                            "schema '%s' is not one "
                            "this version reads (%s)",
                            json_string_value(json_object_get(pf->doc, "schema")),
                            MZ_PROBES_SCHEMA);
    const char *kind = json_string_value(json_object_get(pf->doc, "kind"));
    int k = 0;
    while (k < N_KINDS && strcmp(kind, mz_probe_kind_names[k]))
        k++;
    if (k == N_KINDS)
        return mz_fail_path(ctx, MZ_ERR_UNSUPPORTED, file, "$.kind",
                            "kind '%s' is not one this "
                            "version reads (association, minimal_pairs, masked, templates, "
                            "parallel, names, slurs)",
                            kind);
    pf->set.kind = (mz_probe_kind)k;
    json_object_foreach(pf->doc, key, value) {
        if (!known_key(key, k)) {
            char p[96];
            snprintf(p, sizeof p, "$.%.80s", key);
            return mz_fail_path(ctx, MZ_ERR_INPUT, file, p,
                                "unknown key for kind '%s' (see "
                                "corpora/SCHEMA.md)",
                                kind);
        }
    }
    json_t *pub = json_object_get(pf->doc, "published");
    if (pub) pf->set.published_effect = json_number_value(json_object_get(pub, "effect_size"));
    return MZ_OK;
}

void mz_probes_free(mz_probe_set *set) {
    probe_file *pf = (probe_file *)set;
    if (!pf) return;
    for (int i = 0; i < 4; i++) {
        mz_free(pf->words[i]);
        mz_free(pf->texts[i]);
    }
    mz_free(pf->pairs);
    mz_free(pf->frames);
    mz_free(pf->frame_ids);
    mz_free(pf->templates);
    mz_free(pf->segments);
    mz_free(pf->entries);
    json_decref(pf->doc);
    mz_free(pf->text);
    mz_free(pf->path);
    mz_free(pf);
}

mz_status mz_probes_parse(mz_probe_set **out, const char *text, size_t len, const char *name,
                          mz_ctx *ctx) {
    *out = NULL;
    probe_file *pf = mz_calloc(1, sizeof *pf);
    if (!pf || !(pf->path = mz_strdup(name))) {
        mz_free(pf);
        return mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    }
    pf->set.path = pf->path;
    json_error_t err;
    mz_status rc = MZ_OK;
    pf->doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!pf->doc) rc = mz_fail_line(ctx, MZ_ERR_INPUT, name, err.line, err.column, "%s", err.text);
    if (!rc) rc = read_header(pf, name, ctx);
    if (!rc) rc = readers[pf->set.kind](pf, name, ctx);
    if (rc && mz_ctx_json_path(ctx)[0])
        mz_ctx_set_line(ctx, mz_json_path_line(text, len, mz_ctx_json_path(ctx)));
    if (!rc && !(pf->text = mz_strndup(text, len)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    pf->text_len = len;
    if (rc) {
        mz_probes_free(&pf->set);
        return rc;
    }
    *out = &pf->set;
    return MZ_OK;
}
