/* Checking Swahili probe words against the installed Swahili word lists. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/strmap.h"
#include "probe_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>
#include <zlib.h>

#define MAX_DICT_BYTES ((size_t)64 << 20)
#define ENTRY_SEP      '\x1e' /* between a headword's FreeDict entries */

struct mz_sw_dictionary {
    mz_strmap *words;  /* case-folded */
    mz_strmap *senses; /* case-folded FreeDict headword -> index into defs */
    char **defs;       /* each headword's entries, one after another */
    size_t n_defs, cap_defs;
};

static const char *const default_paths[] = {"/usr/share/hunspell/sw_TZ.dic",
                                            "/usr/share/hunspell/sw_KE.dic",
                                            "/usr/share/dictd/freedict-swh-eng.index", NULL};

#define fold mz_lint_fold

/* dictd's index numbers: base 64, most significant digit first. */
static size_t b64_number(const char *s, size_t len) {
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t v = 0;
    for (size_t i = 0; i < len; i++) {
        const char *d = strchr(digits, s[i]);
        v = v * 64 + (d && s[i] ? (size_t)(d - digits) : 0);
    }
    return v;
}

/* The whole .dict(.dz) beside an .index; zlib reads dictzip (gzip) and plain files alike. */
static mz_status read_dict(char **text, size_t *len, const char *index_path, mz_ctx *ctx) {
    size_t n = strlen(index_path);
    char *path = mz_malloc(n + 4);
    if (!path) return mz_fail(ctx, MZ_ERR_NOMEM, index_path, "out of memory");
    snprintf(path, n + 4, "%.*s.dict.dz", (int)(n - 6), index_path);
    gzFile f = gzopen(path, "rb");
    if (!f) { /* an uncompressed .dict */
        path[n - 1] = '\0';
        f = gzopen(path, "rb");
    }
    mz_status rc = MZ_OK;
    *text = NULL;
    *len = 0;
    size_t cap = 0;
    int got = 1;
    while (f && got > 0 && !rc) {
        if (mz_grow((void **)text, &cap, *len + 65536 + 1, 1))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        else if ((got = gzread(f, *text + *len, 65536)) < 0)
            rc = mz_fail(ctx, MZ_ERR_IO, path, "cannot read the FreeDict definitions");
        else if ((*len += (size_t)got) > MAX_DICT_BYTES)
            rc = mz_fail(ctx, MZ_ERR_INPUT, path, "more than %zu bytes", MAX_DICT_BYTES);
    }
    if (f) gzclose(f);
    if (*text) (*text)[*len] = '\0';
    mz_free(path);
    return rc;
}

/* Records a FreeDict entry (its definition text) under its folded headword. */
static mz_status add_sense(mz_sw_dictionary *d, const char *word, const char *def, size_t len,
                           const char *path, mz_ctx *ctx) {
    size_t at;
    int fresh = mz_strmap_put(d->senses, word, strlen(word), d->n_defs, &at);
    if (fresh < 0) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    if (fresh) {
        if (mz_grow((void **)&d->defs, &d->cap_defs, d->n_defs + 1, sizeof *d->defs) ||
            !(d->defs[d->n_defs] = mz_strndup(def, len)))
            return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        d->n_defs++;
        return MZ_OK;
    }
    size_t old = strlen(d->defs[at]);
    char *both = mz_realloc(d->defs[at], old + len + 2);
    if (!both) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    both[old] = ENTRY_SEP;
    memcpy(both + old + 1, def, len);
    both[old + 1 + len] = '\0';
    d->defs[at] = both;
    return MZ_OK;
}

/* One entry a line: hunspell "word/FLAGS", FreeDict "headword<TAB>offset<TAB>length". A
 * hunspell file's first line is its word count, which no probe word matches, so it is kept. */
static mz_status load_file(mz_sw_dictionary *d, FILE *f, const char *path, mz_ctx *ctx) {
    char *line = NULL, *defs = NULL;
    size_t cap = 0, n_defs = 0, plen = strlen(path);
    ssize_t n;
    mz_status rc = MZ_OK;
    if (plen > 6 && !strcmp(path + plen - 6, ".index")) rc = read_dict(&defs, &n_defs, path, ctx);
    while (!rc && (n = getline(&line, &cap, f)) > 0) {
        size_t len = strcspn(line, "/\t\r\n");
        char *w = fold(line, len);
        if (w && mz_strmap_put(d->words, w, strlen(w), 0, NULL) < 0)
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        char *tab = line[len] == '\t' ? line + len + 1 : NULL,
             *tab2 = tab ? strchr(tab, '\t') : NULL;
        if (!rc && w && defs && tab2 && strncmp(line, "00database", 10)) {
            size_t off = b64_number(tab, (size_t)(tab2 - tab));
            size_t dlen = b64_number(tab2 + 1, strcspn(tab2 + 1, "\r\n"));
            if (off < n_defs && dlen <= n_defs - off)
                rc = add_sense(d, w, defs + off, dlen, path, ctx);
        }
        free(w); /* a line that is not UTF-8 is skipped */
    }
    if (!rc && ferror(f)) rc = mz_fail_errno(ctx, path, "read");
    free(line);
    mz_free(defs);
    return rc;
}

void mz_sw_dictionary_free(mz_sw_dictionary *d) {
    if (!d) return;
    mz_strmap_free(d->words);
    mz_strmap_free(d->senses);
    for (size_t i = 0; i < d->n_defs; i++)
        mz_free(d->defs[i]);
    mz_free(d->defs);
    mz_free(d);
}

mz_status mz_sw_dictionary_load(mz_sw_dictionary **out, int *n_loaded, const char *const *paths,
                                mz_ctx *ctx) {
    *out = NULL;
    *n_loaded = 0;
    mz_sw_dictionary *d = mz_calloc(1, sizeof *d);
    if (!d || !(d->words = mz_strmap_new()) || !(d->senses = mz_strmap_new())) {
        mz_sw_dictionary_free(d);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    mz_status rc = MZ_OK;
    for (const char *const *p = paths ? paths : default_paths; *p && !rc; p++) {
        FILE *f = NULL;
        if (access(*p, F_OK)) continue; /* not installed: that list is simply not used */
        if ((rc = mz_fopen_regular(&f, *p, "a word list", ctx))) break;
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

/* FreeDict's entries for `word` (one after another), or NULL. */
static const char *senses_of(const mz_sw_dictionary *d, const char *word) {
    char *w = fold(word, strlen(word));
    size_t at;
    int hit = w && d->senses && mz_strmap_get(d->senses, w, strlen(w), &at);
    free(w);
    return hit ? d->defs[at] : NULL;
}

/* FreeDict's glosses of a headword's entries on one line ("1. luck, chance 2. fate"), and
 * how many senses they make: one per entry (a word with two parts of speech), plus each
 * numbered sense after the first. *lower is set when an entry's headword is lower case (a
 * common word), `plural` to the plural an entry gives ("(pl: {madaktari})"). */
static int summarise(const char *defs, char *out, size_t cap, int *lower, char *plural,
                     size_t plural_cap) {
    int senses = 0;
    size_t len = 0;
    *lower = 0;
    plural[0] = out[0] = '\0';
    for (const char *entry = defs; entry; entry = strchr(entry, ENTRY_SEP)) {
        entry += *entry == ENTRY_SEP;
        size_t head = strcspn(entry, "\n");
        senses++;
        *lower |= mz_lint_starts_lower(entry);
        const char *pl = strstr(entry, "(pl: {");
        if (pl && pl < entry + head)
            snprintf(plural, plural_cap, "%.*s", (int)strcspn(pl + 6, "}"), pl + 6);
        for (const char *p = entry + head; *p && *p != ENTRY_SEP;) {
            p += *p == '\n';
            size_t n = strcspn(p, "\n\x1e");
            int numbered = n >= 2 && p[n - 1] == '.' && strspn(p, "0123456789") == n - 1;
            senses += numbered && strncmp(p, "1.", 2) != 0;
            if (n && len + n + 2 < cap)
                len += (size_t)snprintf(out + len, cap - len, "%s%.*s", len ? " " : "", (int)n, p);
            p += n;
        }
    }
    return senses;
}

/* Senses FreeDict gives beyond the intended one, a place or name that is also a common word,
 * and a 9/10 label where FreeDict's plural takes ma- (class 6). */
static mz_status check_senses(mz_lint_report *r, const mz_probe_word *w, const char *where,
                              const mz_sw_dictionary *d, mz_ctx *ctx) {
    const char *defs = senses_of(d, w->text);
    if (!defs || strchr(w->text, ' ')) return MZ_OK;
    char glosses[160], plural[48];
    int lower;
    int n = summarise(defs, glosses, sizeof glosses, &lower, plural, sizeof plural);
    const char *nc = w->noun_class ? w->noun_class : "";
    int proper = strstr(nc, "place") || strstr(nc, "name");
    mz_status rc = MZ_OK;
    if (proper && lower && !w->ambiguous)
        rc = mz_lint_add(
            r, ctx, MZ_LINT_WARNING, where,
            "'%s' is also a common word in FreeDict: %s (record it in \"ambiguous\", or "
            "choose another)",
            w->text, glosses);
    else if (!proper && n > 1 && !w->sense && !w->ambiguous)
        rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                         "FreeDict gives '%s' several senses: %s (record the intended one in "
                         "\"sense\", or the confound in \"ambiguous\")",
                         w->text, glosses);
    /* animate nouns only: inanimate loans (kampuni, benki) take class 9 agreement whatever
       plural a region gives them */
    if (!rc && plural[0] && !strncmp(nc, "9/10", 4) && strstr(nc, "animate") &&
        !strncmp(plural, "ma", 2))
        rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                         "FreeDict's plural of '%s' is '%s' (class 6): label it 5/6 animate",
                         w->text, plural);
    return rc;
}

/* Notes for each word of a (possibly multi-word) entry that no list knows. */
static mz_status check_entry(mz_lint_report *r, const mz_probe_list *l, size_t i,
                             const mz_sw_dictionary *d, mz_ctx *ctx) {
    const char *text = l->words[i].text;
    char where[96], part[128];
    snprintf(where, sizeof where, "%s.words[%zu]", l->json_path, i);
    mz_status rc = check_senses(r, &l->words[i], where, d, ctx);
    for (const char *p = text; *p && !rc;) {
        size_t len = strcspn(p, " ");
        snprintf(part, sizeof part, "%.*s", (int)(len < sizeof part ? len : sizeof part - 1), p);
        if (len && !mz_sw_dictionary_has(d, part))
            rc = mz_lint_add(r, ctx, MZ_LINT_NOTE, where,
                             "'%s' is in neither hunspell-sw nor FreeDict (a name, a new word, "
                             "or a misspelling?)",
                             part);
        p += len + (p[len] == ' ');
    }
    return rc;
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
