/* Checking Swahili probe words against the installed Swahili word lists. */
#include "mizani/alloc.h"
#include "mizani/probes.h"
#include "mizani/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct mz_sw_dictionary {
    mz_strmap *words; /* case-folded */
};

static const char *const default_paths[] = {"/usr/share/hunspell/sw_TZ.dic",
                                            "/usr/share/hunspell/sw_KE.dic",
                                            "/usr/share/dictd/freedict-swh-eng.index", NULL};

static char *fold(const char *s, size_t len) {
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    return n < 0 ? NULL : (char *)out; /* malloc'd by utf8proc */
}

/* One entry a line: hunspell "word/FLAGS", FreeDict "headword<TAB>offset<TAB>length". A
 * hunspell file's first line is its word count, which no probe word matches, so it is kept. */
static mz_status load_file(mz_sw_dictionary *d, FILE *f, const char *path, mz_ctx *ctx) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    mz_status rc = MZ_OK;
    while (!rc && (n = getline(&line, &cap, f)) > 0) {
        size_t len = strcspn(line, "/\t\r\n");
        char *w = fold(line, len);
        if (w && mz_strmap_put(d->words, w, strlen(w), 0, NULL) < 0)
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        free(w); /* a line that is not UTF-8 is skipped */
    }
    free(line);
    return rc;
}

void mz_sw_dictionary_free(mz_sw_dictionary *d) {
    if (!d) return;
    mz_strmap_free(d->words);
    mz_free(d);
}

mz_status mz_sw_dictionary_load(mz_sw_dictionary **out, int *n_loaded, const char *const *paths,
                                mz_ctx *ctx) {
    *out = NULL;
    *n_loaded = 0;
    mz_sw_dictionary *d = mz_calloc(1, sizeof *d);
    if (!d || !(d->words = mz_strmap_new())) {
        mz_sw_dictionary_free(d);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    mz_status rc = MZ_OK;
    for (const char *const *p = paths ? paths : default_paths; *p && !rc; p++) {
        FILE *f = fopen(*p, "r");
        if (!f) continue; /* not installed: that list is simply not used */
        rc = load_file(d, f, *p, ctx);
        fclose(f);
        ++*n_loaded;
    }
    if (rc || *n_loaded == 0) {
        mz_sw_dictionary_free(d);
        return rc;
    }
    *out = d;
    return MZ_OK;
}

int mz_sw_dictionary_has(const mz_sw_dictionary *d, const char *word) {
    char *w = fold(word, strlen(word));
    int hit = w && mz_strmap_get(d->words, w, strlen(w), NULL);
    free(w);
    return hit;
}

/* Notes for each word of a (possibly multi-word) entry that no list knows. */
static mz_status check_entry(mz_lint_report *r, const mz_probe_list *l, size_t i,
                             const mz_sw_dictionary *d, mz_ctx *ctx) {
    const char *text = l->words[i].text;
    char where[96], part[128];
    snprintf(where, sizeof where, "%s.words[%zu]", l->json_path, i);
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, " ");
        snprintf(part, sizeof part, "%.*s", (int)(len < sizeof part ? len : sizeof part - 1), p);
        if (len && !mz_sw_dictionary_has(d, part)) {
            if (mz_grow((void **)&r->items, &r->cap, r->n + 1, sizeof *r->items))
                return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            mz_lint_finding *f = &r->items[r->n++];
            f->severity = MZ_LINT_NOTE;
            snprintf(f->where, sizeof f->where, "%s", where);
            snprintf(f->message, sizeof f->message,
                     "'%s' is in neither hunspell-sw nor FreeDict "
                     "(a name, a new word, or a misspelling?)",
                     part);
        }
        p += len + (p[len] == ' ');
    }
    return MZ_OK;
}

mz_status mz_probes_lint_dictionary(mz_lint_report *r, const mz_probe_set *s,
                                    const mz_sw_dictionary *d, mz_ctx *ctx) {
    if (!d) return MZ_OK;
    const mz_probe_list *lists[4] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                     &s->attributes[1]};
    mz_status rc = MZ_OK;
    size_t from = r->n;
    for (int k = 0; k < 4 && !rc; k++) {
        const mz_probe_list *l = lists[k];
        if (!l->words || !l->language || strcmp(l->language, "sw")) continue;
        for (size_t i = 0; i < l->n && !rc; i++)
            rc = check_entry(r, l, i, d, ctx);
    }
    mz_lint_locate(r, from, s);
    return rc;
}
