/* Loading probe files: strict about the schema (a typo in a key is an error, not a silently
 * empty list) and precise about where a problem is. */
#include "mizani/alloc.h"
#include "mizani/probes.h"

#include <jansson.h>
#include <string.h>

#define MAX_WORDS 10000

typedef struct probe_file {
    mz_probe_set set; /* first: the public view */
    json_t *doc;      /* every string of `set` points into it */
    char *path;
    mz_probe_word *words[4];
    const char **texts[4];
    char json_paths[4][24];
} probe_file;

static const char *const required[] = {"schema", "id", "kind", "language", "dimension", "title",
                                       "source", "licence", "notes", "limitations"};
static const char *const optional[] = {"targets", "attributes", "published"};

static mz_status bad(mz_ctx *ctx, const char *file, const char *path, const char *what) {
    return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "%s", what);
}

static int known_key(const char *key) {
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!strcmp(key, required[i])) return 1;
    for (size_t i = 0; i < sizeof optional / sizeof *optional; i++)
        if (!strcmp(key, optional[i])) return 1;
    return 0;
}

static mz_status read_header(probe_file *pf, const char *file, mz_ctx *ctx) {
    const char *key;
    json_t *value;
    if (!json_is_object(pf->doc)) return bad(ctx, file, "$", "a probe file is a JSON object");
    json_object_foreach(pf->doc, key, value) {
        if (!known_key(key)) {
            char p[96];
            snprintf(p, sizeof p, "$.%.80s", key);
            return bad(ctx, file, p, "unknown key (see corpora/SCHEMA.md)");
        }
    }
    const char **fields[] = {NULL, &pf->set.id, NULL, &pf->set.language, &pf->set.dimension,
                             &pf->set.title, &pf->set.source, &pf->set.licence, &pf->set.notes,
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
        return mz_fail_path(ctx, MZ_ERR_UNSUPPORTED, file, "$.schema", "schema '%s' is not one "
                            "this version reads (%s)",
                            json_string_value(json_object_get(pf->doc, "schema")), MZ_PROBES_SCHEMA);
    const char *kind = json_string_value(json_object_get(pf->doc, "kind"));
    if (strcmp(kind, "association"))
        return mz_fail_path(ctx, MZ_ERR_UNSUPPORTED, file, "$.kind", "kind '%s' is not read by "
                            "this version (it reads: association)", kind);
    pf->set.kind = MZ_PROBE_ASSOCIATION;
    json_t *pub = json_object_get(pf->doc, "published");
    if (pub) pf->set.published_effect = json_number_value(json_object_get(pub, "effect_size"));
    return MZ_OK;
}

/* One word: a string, or {"word": ..., "noun_class": ..., "ambiguous": ...}. */
static mz_status read_word(mz_probe_word *w, json_t *v, const char *file, const char *path,
                           mz_ctx *ctx) {
    *w = (mz_probe_word){0};
    if (json_is_string(v)) {
        w->text = json_string_value(v);
        return MZ_OK;
    }
    const char *key;
    json_t *field;
    if (!json_is_object(v)) return bad(ctx, file, path, "a word is a string or an object");
    json_object_foreach(v, key, field) {
        const char **slot = !strcmp(key, "word") ? &w->text
                            : !strcmp(key, "noun_class") ? &w->noun_class
                            : !strcmp(key, "ambiguous") ? &w->ambiguous : NULL;
        if (!slot)
            return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "unknown key '%.60s' (a word has "
                                "word, noun_class, ambiguous)", key);
        if (!json_is_string(field))
            return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "'%s' must be a string", key);
        *slot = json_string_value(field);
    }
    if (!w->text) return bad(ctx, file, path, "a word object needs \"word\"");
    return MZ_OK;
}

static mz_status read_list(probe_file *pf, int slot, json_t *v, const char *file, mz_ctx *ctx) {
    const char *path = pf->json_paths[slot];
    mz_probe_list *l = slot < 2 ? &pf->set.targets[slot] : &pf->set.attributes[slot - 2];
    l->json_path = path;
    if (!json_is_object(v)) return bad(ctx, file, path, "a word list is an object with name and words");
    json_t *name = json_object_get(v, "name"), *words = json_object_get(v, "words");
    json_t *lang = json_object_get(v, "language");
    if (!json_is_string(name)) return bad(ctx, file, path, "the list needs a \"name\" string");
    if (!json_is_array(words)) return bad(ctx, file, path, "the list needs a \"words\" array");
    if (lang && !json_is_string(lang)) return bad(ctx, file, path, "\"language\" must be a string");
    size_t n = json_array_size(words);
    if (n > MAX_WORDS)
        return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "%zu words; at most %d", n, MAX_WORDS);
    l->name = json_string_value(name);
    l->language = lang ? json_string_value(lang) : pf->set.language;
    pf->words[slot] = mz_calloc(n, sizeof *pf->words[slot]);
    pf->texts[slot] = mz_calloc(n, sizeof *pf->texts[slot]);
    if (!pf->words[slot] || !pf->texts[slot]) return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char p[48];
        snprintf(p, sizeof p, "%s.words[%zu]", path, i);
        mz_status rc = read_word(&pf->words[slot][i], json_array_get(words, i), file, p, ctx);
        if (rc) return rc;
        pf->texts[slot][i] = pf->words[slot][i].text;
    }
    l->words = pf->words[slot];
    l->texts = pf->texts[slot];
    l->n = n;
    return MZ_OK;
}

static mz_status read_association(probe_file *pf, const char *file, mz_ctx *ctx) {
    static const char *const groups[2] = {"targets", "attributes"};
    for (int g = 0; g < 2; g++) {
        json_t *a = json_object_get(pf->doc, groups[g]);
        char p[24];
        snprintf(p, sizeof p, "$.%s", groups[g]);
        if (!json_is_array(a) || json_array_size(a) != 2)
            return bad(ctx, file, p, "an association test needs exactly two lists here");
        for (int i = 0; i < 2; i++) {
            int slot = g * 2 + i;
            snprintf(pf->json_paths[slot], sizeof pf->json_paths[slot], "$.%s[%d]", groups[g], i);
            mz_status rc = read_list(pf, slot, json_array_get(a, (size_t)i), file, ctx);
            if (rc) return rc;
        }
    }
    return MZ_OK;
}

void mz_probes_free(mz_probe_set *set) {
    probe_file *pf = (probe_file *)set;
    if (!pf) return;
    for (int i = 0; i < 4; i++) {
        mz_free(pf->words[i]);
        mz_free(pf->texts[i]);
    }
    json_decref(pf->doc);
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
    if (!pf->doc)
        rc = mz_fail_line(ctx, MZ_ERR_INPUT, name, err.line, err.column, "%s", err.text);
    if (!rc) rc = read_header(pf, name, ctx);
    if (!rc) rc = read_association(pf, name, ctx);
    if (rc) {
        mz_probes_free(&pf->set);
        return rc;
    }
    *out = &pf->set;
    return MZ_OK;
}
