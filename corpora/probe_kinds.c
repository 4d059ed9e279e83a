/* Readers for each kind of probe file. Every structural problem is an error naming its JSON
 * path; content that is well-formed but doubtful is left to the linter. */
#include "mizani/alloc.h"
#include "probe_file.h"

#include <string.h>

#define MAX_ITEMS 100000

static mz_status bad(mz_ctx *ctx, const char *file, const char *path, const char *what) {
    return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "%s", what);
}

static mz_status nomem(mz_ctx *ctx, const char *file) {
    return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
}

mz_status mz_probe_string(const char **out, json_t *o, const char *key, int required,
                          const char *file, const char *path, mz_ctx *ctx) {
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v && !required) return MZ_OK;
    if (!json_is_string(v) || json_string_length(v) == 0)
        return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "needs \"%s\", a non-empty string", key);
    *out = json_string_value(v);
    return MZ_OK;
}

mz_status mz_probe_array(json_t **out, probe_file *pf, const char *key, const char *file,
                         mz_ctx *ctx) {
    char p[32];
    snprintf(p, sizeof p, "$.%s", key);
    *out = json_object_get(pf->doc, key);
    if (!json_is_array(*out) || json_array_size(*out) == 0)
        return mz_fail_path(ctx, MZ_ERR_INPUT, file, p, "needs a non-empty array here");
    if (json_array_size(*out) > MAX_ITEMS)
        return mz_fail_path(ctx, MZ_ERR_INPUT, file, p, "more than %d items", MAX_ITEMS);
    return MZ_OK;
}

/* A native-speaker review mark: {"status": "validated"|"disputed", "reviewers": N}. */
static mz_status read_review(const char **out, json_t *o, const char *file, const char *path,
                             mz_ctx *ctx) {
    json_t *r = json_object_get(o, "review");
    *out = NULL;
    if (!r) return MZ_OK;
    const char *status = json_string_value(json_object_get(r, "status"));
    if (!json_is_object(r) || !status ||
        (strcmp(status, "validated") && strcmp(status, "disputed")) ||
        json_integer_value(json_object_get(r, "reviewers")) < 1)
        return mz_fail_path(ctx, MZ_ERR_INPUT, file, path,
                            "\"review\" is {\"status\": \"validated\" or \"disputed\", "
                            "\"reviewers\": N}");
    *out = status;
    return MZ_OK;
}

/* Checks that object `o` has only the listed keys. */
static mz_status only_keys(json_t *o, const char *const *keys, const char *file, const char *path,
                           mz_ctx *ctx) {
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        int ok = 0;
        for (const char *const *k = keys; *k && !ok; k++)
            ok = !strcmp(*k, key);
        if (!ok) return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "unknown key '%.60s'", key);
    }
    return MZ_OK;
}

/* ---- association (and the word lists of masked files) ---------------------------------- */

/* One word: a string, or {"word": ..., "noun_class": ..., "pos": ..., "ambiguous": ...}. */
static mz_status read_word(mz_probe_word *w, json_t *v, const char *file, const char *path,
                           mz_ctx *ctx) {
    static const char *const keys[] = {"word",  "noun_class", "pos", "ambiguous",
                                       "sense", "review",     NULL};
    *w = (mz_probe_word){0};
    if (json_is_string(v)) {
        w->text = json_string_value(v);
        return MZ_OK;
    }
    if (!json_is_object(v)) return bad(ctx, file, path, "a word is a string or an object");
    mz_status rc = only_keys(v, keys, file, path, ctx);
    if (!rc) rc = mz_probe_string(&w->text, v, "word", 1, file, path, ctx);
    if (!rc) rc = mz_probe_string(&w->noun_class, v, "noun_class", 0, file, path, ctx);
    if (!rc) rc = mz_probe_string(&w->pos, v, "pos", 0, file, path, ctx);
    if (!rc) rc = mz_probe_string(&w->ambiguous, v, "ambiguous", 0, file, path, ctx);
    if (!rc) rc = mz_probe_string(&w->sense, v, "sense", 0, file, path, ctx);
    if (!rc) rc = read_review(&w->review, v, file, path, ctx);
    return rc;
}

mz_status mz_probe_read_list(probe_file *pf, int slot, json_t *v, const char *file, mz_ctx *ctx) {
    static const char *const keys[] = {"name", "language", "pos", "words", "excluded_in_original",
                                       NULL};
    const char *path = pf->json_paths[slot], *list_pos = NULL;
    mz_probe_list *l = slot < 2 ? &pf->set.targets[slot] : &pf->set.attributes[slot - 2];
    l->json_path = path;
    if (!json_is_object(v))
        return bad(ctx, file, path, "a word list is an object with name and words");
    json_t *words = json_object_get(v, "words");
    mz_status rc = only_keys(v, keys, file, path, ctx);
    if (!rc) rc = mz_probe_string(&l->name, v, "name", 1, file, path, ctx);
    if (!rc) rc = mz_probe_string(&l->language, v, "language", 0, file, path, ctx);
    if (!rc) rc = mz_probe_string(&list_pos, v, "pos", 0, file, path, ctx);
    if (!rc && !json_is_array(words)) rc = bad(ctx, file, path, "the list needs a \"words\" array");
    if (rc) return rc;
    if (!l->language) l->language = pf->set.language;
    size_t n = json_array_size(words);
    if (n > MAX_ITEMS)
        return mz_fail_path(ctx, MZ_ERR_INPUT, file, path, "more than %d words", MAX_ITEMS);
    pf->words[slot] = mz_calloc(n, sizeof *pf->words[slot]);
    pf->texts[slot] = mz_calloc(n, sizeof *pf->texts[slot]);
    if (!pf->words[slot] || !pf->texts[slot]) return nomem(ctx, file);
    for (size_t i = 0; i < n; i++) {
        char p[48];
        snprintf(p, sizeof p, "%s.words[%zu]", path, i);
        if ((rc = read_word(&pf->words[slot][i], json_array_get(words, i), file, p, ctx)))
            return rc;
        if (!pf->words[slot][i].pos) pf->words[slot][i].pos = list_pos;
        pf->texts[slot][i] = pf->words[slot][i].text;
    }
    l->words = pf->words[slot];
    l->texts = pf->texts[slot];
    l->n = n;
    return MZ_OK;
}

/* `count` lists under `group` ("targets", "attributes") into slots from `first_slot`. */
static mz_status read_lists(probe_file *pf, const char *group, int first_slot, size_t count,
                            const char *file, mz_ctx *ctx) {
    json_t *a = json_object_get(pf->doc, group);
    char p[24];
    snprintf(p, sizeof p, "$.%s", group);
    if (!json_is_array(a) || json_array_size(a) != count)
        return mz_fail_path(ctx, MZ_ERR_INPUT, file, p, "needs exactly %zu list%s here", count,
                            count == 1 ? "" : "s");
    for (size_t i = 0; i < count; i++) {
        int slot = first_slot + (int)i;
        snprintf(pf->json_paths[slot], sizeof pf->json_paths[slot], "$.%s[%zu]", group, i);
        mz_status rc = mz_probe_read_list(pf, slot, json_array_get(a, i), file, ctx);
        if (rc) return rc;
    }
    return MZ_OK;
}

mz_status mz_probe_read_association(probe_file *pf, const char *file, mz_ctx *ctx) {
    mz_status rc = read_lists(pf, "targets", 0, 2, file, ctx);
    return rc ? rc : read_lists(pf, "attributes", 2, 2, file, ctx);
}

/* ---- minimal pairs ---------------------------------------------------------------------- */

/* Where target_more sits in `more` such that putting target_less there gives `less`. */
static int align_pair(mz_minimal_pair *p) {
    size_t lm = strlen(p->target_more), ll = strlen(p->target_less), n = strlen(p->more);
    size_t n_less = strlen(p->less);
    if (n - lm + ll != n_less || !strcmp(p->target_more, p->target_less)) return 0;
    for (const char *at = strstr(p->more, p->target_more); at;
         at = strstr(at + 1, p->target_more)) {
        size_t start = (size_t)(at - p->more);
        if (!strncmp(p->less, p->more, start) && !strncmp(p->less + start, p->target_less, ll) &&
            !strcmp(p->less + start + ll, p->more + start + lm)) {
            p->span_start = start;
            return 1;
        }
    }
    return 0;
}

mz_status mz_probe_read_pairs(probe_file *pf, const char *file, mz_ctx *ctx) {
    static const char *const keys[] = {"id",          "category", "more",   "less",   "target_more",
                                       "target_less", "frame",    "target", "review", NULL};
    json_t *a;
    mz_status rc = mz_probe_array(&a, pf, "pairs", file, ctx);
    if (rc) return rc;
    size_t n = json_array_size(a);
    if (!(pf->pairs = mz_calloc(n, sizeof *pf->pairs))) return nomem(ctx, file);
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *o = json_array_get(a, i);
        mz_minimal_pair *p = &pf->pairs[i];
        char path[48];
        snprintf(path, sizeof path, "$.pairs[%zu]", i);
        if (!json_is_object(o)) return bad(ctx, file, path, "a pair is an object");
        rc = only_keys(o, keys, file, path, ctx);
        const char **fields[] = {&p->id,          &p->category,    &p->more,     &p->less,
                                 &p->target_more, &p->target_less, &p->frame_id, &p->target_id};
        for (int f = 0; f < 8 && !rc; f++) /* frame and target ids are optional (the linter
                                              asks for them) */
            rc = mz_probe_string(fields[f], o, keys[f], f < 6, file, path, ctx);
        if (!rc) rc = read_review(&p->review, o, file, path, ctx);
        if (!rc && !align_pair(p))
            rc = bad(ctx, file, path,
                     "the sentences must differ only in the target span: "
                     "'more' with target_more replaced by target_less must give "
                     "'less'");
    }
    pf->set.pairs = pf->pairs;
    pf->set.n_pairs = n;
    return rc;
}

/* ---- masked templates ------------------------------------------------------------------- */

static size_t occurrences(const char *s, const char *what) {
    size_t n = 0;
    for (const char *at = strstr(s, what); at; at = strstr(at + 1, what))
        n++;
    return n;
}

/* A masked frame: a string, or {"id": ..., "text": ...}. */
static mz_status read_masked_frame(const char **text, const char **id, json_t *v, const char *file,
                                   const char *path, mz_ctx *ctx) {
    static const char *const keys[] = {"id", "text", "review", NULL};
    const char *review;
    *text = json_string_value(v);
    *id = NULL;
    mz_status rc = MZ_OK;
    if (json_is_object(v)) {
        rc = only_keys(v, keys, file, path, ctx);
        if (!rc) rc = mz_probe_string(id, v, "id", 1, file, path, ctx);
        if (!rc) rc = mz_probe_string(text, v, "text", 1, file, path, ctx);
        if (!rc) rc = read_review(&review, v, file, path, ctx);
        if (rc) return rc;
    }
    if (!*text || occurrences(*text, "[TARGET]") != 1 || occurrences(*text, "[ATTRIBUTE]") != 1)
        return bad(ctx, file, path,
                   "a frame is a string (or an object with id and text) with [TARGET] once and "
                   "[ATTRIBUTE] once");
    return MZ_OK;
}

mz_status mz_probe_read_masked(probe_file *pf, const char *file, mz_ctx *ctx) {
    json_t *a;
    mz_status rc = mz_probe_array(&a, pf, "frames", file, ctx);
    if (rc) return rc;
    size_t n = json_array_size(a);
    pf->frames = mz_calloc(n, sizeof *pf->frames);
    pf->frame_ids = mz_calloc(n, sizeof *pf->frame_ids);
    if (!pf->frames || !pf->frame_ids) return nomem(ctx, file);
    for (size_t i = 0; i < n && !rc; i++) {
        char path[48];
        snprintf(path, sizeof path, "$.frames[%zu]", i);
        rc = read_masked_frame(&pf->frames[i], &pf->frame_ids[i], json_array_get(a, i), file, path,
                               ctx);
    }
    if (rc) return rc;
    pf->set.frames = pf->frames;
    pf->set.frame_ids = pf->frame_ids;
    pf->set.n_frames = n;
    rc = read_lists(pf, "targets", 0, 2, file, ctx);
    return rc ? rc : read_lists(pf, "attributes", 2, 1, file, ctx);
}

/* ---- templates -------------------------------------------------------------------------- */

mz_status mz_probe_read_templates(probe_file *pf, const char *file, mz_ctx *ctx) {
    static const char *const keys[] = {"applies_to", "text", "id", "review", NULL};
    json_t *a;
    mz_status rc = mz_probe_array(&a, pf, "frames", file, ctx);
    if (rc) return rc;
    size_t n = json_array_size(a);
    if (!(pf->templates = mz_calloc(n, sizeof *pf->templates))) return nomem(ctx, file);
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *o = json_array_get(a, i);
        char path[48];
        snprintf(path, sizeof path, "$.frames[%zu]", i);
        if (!json_is_object(o)) return bad(ctx, file, path, "a frame is an object");
        rc = only_keys(o, keys, file, path, ctx);
        if (!rc)
            rc = mz_probe_string(&pf->templates[i].applies_to, o, "applies_to", 1, file, path, ctx);
        if (!rc) rc = mz_probe_string(&pf->templates[i].text, o, "text", 1, file, path, ctx);
        if (!rc) rc = mz_probe_string(&pf->templates[i].id, o, "id", 0, file, path, ctx);
        if (!rc) rc = read_review(&pf->templates[i].review, o, file, path, ctx);
        const char *text = pf->templates[i].text;
        if (!rc && occurrences(text, "{word}") + occurrences(text, "{Word}") != 1)
            rc = bad(ctx, file, path, "a frame's text has {word} (or {Word}) exactly once");
    }
    pf->set.templates = pf->templates;
    pf->set.n_templates = n;
    return rc;
}

/* ---- parallel text ---------------------------------------------------------------------- */

mz_status mz_probe_read_parallel(probe_file *pf, const char *file, mz_ctx *ctx) {
    json_t *langs = json_object_get(pf->doc, "languages"), *a;
    if (!json_is_array(langs) || json_array_size(langs) != 2 ||
        !json_is_string(json_array_get(langs, 0)) || !json_is_string(json_array_get(langs, 1)))
        return bad(ctx, file, "$.languages", "needs two language tags");
    for (int l = 0; l < 2; l++)
        pf->set.languages[l] = json_string_value(json_array_get(langs, (size_t)l));
    mz_status rc = mz_probe_array(&a, pf, "segments", file, ctx);
    if (rc) return rc;
    size_t n = json_array_size(a);
    if (!(pf->segments = mz_calloc(n, sizeof *pf->segments))) return nomem(ctx, file);
    const char *keys[] = {"id", pf->set.languages[0], pf->set.languages[1], NULL};
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *o = json_array_get(a, i);
        mz_parallel_segment *s = &pf->segments[i];
        char path[48];
        snprintf(path, sizeof path, "$.segments[%zu]", i);
        if (!json_is_object(o)) return bad(ctx, file, path, "a segment is an object");
        rc = only_keys(o, keys, file, path, ctx);
        if (!rc) rc = mz_probe_string(&s->id, o, "id", 1, file, path, ctx);
        for (int l = 0; l < 2 && !rc; l++)
            rc = mz_probe_string(&s->text[l], o, pf->set.languages[l], 1, file, path, ctx);
    }
    pf->set.segments = pf->segments;
    pf->set.n_segments = n;
    return rc;
}

/* ---- names and slurs -------------------------------------------------------------------- */

mz_status mz_probe_read_lexicon(probe_file *pf, const char *file, mz_ctx *ctx) {
    static const char *const name_keys[] = {"word",   "language", "gender", "religion",
                                            "region", "surname",  "note",   NULL};
    static const char *const slur_keys[] = {"word", "language", "group", "instead", "note", NULL};
    int names = pf->set.kind == MZ_PROBE_NAMES;
    const char *const *keys = names ? name_keys : slur_keys;
    json_t *a;
    mz_status rc = mz_probe_array(&a, pf, "entries", file, ctx);
    if (rc) return rc;
    size_t n = json_array_size(a);
    if (!(pf->entries = mz_calloc(n, sizeof *pf->entries))) return nomem(ctx, file);
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *o = json_array_get(a, i);
        mz_lexicon_entry *e = &pf->entries[i];
        char path[48];
        snprintf(path, sizeof path, "$.entries[%zu]", i);
        if (!json_is_object(o)) return bad(ctx, file, path, "an entry is an object");
        rc = only_keys(o, keys, file, path, ctx);
        const char **fields[] = {&e->word,   &e->language, &e->gender, &e->religion,
                                 &e->region, &e->surname,  &e->note};
        const char **slur_fields[] = {&e->word, &e->language, &e->group, &e->instead, &e->note};
        size_t n_fields = names ? 7 : 5;
        /* required: the word and (names) gender and religion or (slurs) group and instead */
        for (size_t f = 0; f < n_fields && !rc; f++)
            rc = mz_probe_string(names ? fields[f] : slur_fields[f], o, keys[f],
                                 f == 0 || f == 2 || f == 3, file, path, ctx);
        if (!rc && !e->language) e->language = pf->set.language;
    }
    pf->set.entries = pf->entries;
    pf->set.n_entries = n;
    return rc;
}
