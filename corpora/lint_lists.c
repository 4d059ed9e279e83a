/* Linting against the project's own lists (corpora/lexicon/): given names, which must not sit
 * in attribute lists or mix religions in a gender test, and slurs, which must not be a group's
 * label. */
#include "probe_file.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The entry of kind `kind` among `lists` whose word is `word` (ignoring case), or NULL. */
static const mz_lexicon_entry *lookup(mz_probe_set *const *lists, size_t n, mz_probe_kind kind,
                                      const char *word, const char **file) {
    for (size_t i = 0; i < n; i++)
        for (size_t e = 0; lists[i]->kind == kind && e < lists[i]->n_entries; e++)
            if (!strcasecmp(lists[i]->entries[e].word, word)) {
                *file = lists[i]->path;
                return &lists[i]->entries[e];
            }
    return NULL;
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* An attribute that is also a given name pulls name targets towards its list. */
static mz_status check_attribute_names(mz_lint_report *r, const mz_probe_list *l,
                                       mz_probe_set *const *lists, size_t n, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (size_t w = 0; w < l->n && !rc; w++) {
        const char *file;
        const mz_lexicon_entry *e = lookup(lists, n, MZ_PROBE_NAMES, l->words[w].text, &file);
        char where[96];
        snprintf(where, sizeof where, "%s.words[%zu]", l->json_path, w);
        if (e)
            rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                             "attribute '%s' is also a given name (%s, %s; %s): it pulls name "
                             "targets towards this list",
                             l->words[w].text, e->gender, e->religion, base_name(file));
    }
    return rc;
}

/* A gender test's names should differ in gender only: one religion throughout, and names that
 * are given names rather than surnames. */
static mz_status check_gender_names(mz_lint_report *r, const mz_probe_set *s,
                                    mz_probe_set *const *lists, size_t n, mz_ctx *ctx) {
    const char *religion = NULL;
    mz_status rc = MZ_OK;
    for (int t = 0; t < 2 && !rc; t++)
        for (size_t w = 0; w < s->targets[t].n && !rc; w++) {
            const char *file, *text = s->targets[t].words[w].text;
            const mz_lexicon_entry *e = lookup(lists, n, MZ_PROBE_NAMES, text, &file);
            char where[96];
            snprintf(where, sizeof where, "%s.words[%zu]", s->targets[t].json_path, w);
            if (!e) continue;
            if (e->surname)
                rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                                 "'%s' is often a surname (%s), carried by women and men "
                                 "alike: a weak gender target",
                                 text, e->surname);
            else if (strcmp(e->religion, "any") && religion && strcmp(religion, e->religion))
                rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                                 "'%s' signals %s while other names of this gender test signal "
                                 "%s: hold religion constant so the test measures gender",
                                 text, e->religion, religion);
            else if (strcmp(e->religion, "any"))
                religion = e->religion;
        }
    return rc;
}

static mz_status slur_finding(mz_lint_report *r, const char *where, const char *text,
                              mz_probe_set *const *lists, size_t n, mz_ctx *ctx) {
    for (size_t i = 0; i < n; i++)
        for (size_t e = 0; lists[i]->kind == MZ_PROBE_SLURS && e < lists[i]->n_entries; e++) {
            const mz_lexicon_entry *x = &lists[i]->entries[e];
            if (mz_lint_has_phrase(text, x->word))
                return mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                                   "'%s' is on the slur list (%s, demeaning %s): write '%s'",
                                   x->word, base_name(lists[i]->path), x->group, x->instead);
        }
    return MZ_OK;
}

static mz_status check_slurs(mz_lint_report *r, const mz_probe_set *s, mz_probe_set *const *lists,
                             size_t n, mz_ctx *ctx) {
    char where[96];
    mz_status rc = MZ_OK;
    const mz_probe_list *l[4] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                 &s->attributes[1]};
    for (int k = 0; k < 4 && !rc; k++)
        for (size_t w = 0; w < l[k]->n && !rc; w++) {
            snprintf(where, sizeof where, "%s.words[%zu]", l[k]->json_path, w);
            rc = slur_finding(r, where, l[k]->words[w].text, lists, n, ctx);
        }
    for (size_t i = 0; i < s->n_pairs && !rc; i++) {
        snprintf(where, sizeof where, "$.pairs[%zu]", i);
        rc = slur_finding(r, where, s->pairs[i].more, lists, n, ctx);
        if (!rc) rc = slur_finding(r, where, s->pairs[i].less, lists, n, ctx);
    }
    for (size_t i = 0; i < s->n_frames && !rc; i++) {
        snprintf(where, sizeof where, "$.frames[%zu]", i);
        rc = slur_finding(r, where, s->frames[i], lists, n, ctx);
    }
    return rc;
}

mz_status mz_probes_lint_lists(mz_lint_report *r, const mz_probe_set *s, mz_probe_set *const *lists,
                               size_t n, mz_ctx *ctx) {
    size_t from = r->n;
    mz_status rc = MZ_OK;
    if (s->kind == MZ_PROBE_NAMES || s->kind == MZ_PROBE_SLURS) return MZ_OK;
    if (s->kind == MZ_PROBE_ASSOCIATION || s->kind == MZ_PROBE_MASKED)
        for (int a = 0; a < 2 && !rc; a++)
            rc = check_attribute_names(r, &s->attributes[a], lists, n, ctx);
    if (!rc && s->kind == MZ_PROBE_ASSOCIATION && strstr(s->dimension, "gender"))
        rc = check_gender_names(r, s, lists, n, ctx);
    if (!rc) rc = check_slurs(r, s, lists, n, ctx);
    mz_lint_locate(r, from, s);
    return rc;
}
