/* Template expansion: word lists into sentences (SEAT), grammatical in both languages. */
#include "mizani/alloc.h"
#include "mizani/probes.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Swahili demonstratives by noun class (the class of the form given): near, far, and the
 * referential "that (one just mentioned)", which abstract nouns take where a distal one
 * points at a place ("Hiyo ni furaha", not "Ile ni furaha"). */
static const struct {
    int cls;
    const char *near, *far, *ref;
} demonstratives[] = {
    {1, "huyu", "yule", "huyo"},  {2, "hawa", "wale", "hao"},   {3, "huu", "ule", "huo"},
    {4, "hii", "ile", "hiyo"},    {5, "hili", "lile", "hilo"},  {6, "haya", "yale", "hayo"},
    {7, "hiki", "kile", "hicho"}, {8, "hivi", "vile", "hivyo"}, {9, "hii", "ile", "hiyo"},
    {10, "hizi", "zile", "hizo"}, {11, "huu", "ule", "huo"},    {14, "huu", "ule", "huo"},
    {15, "huku", "kule", "huko"}, {16, "hapa", "pale", "hapo"},
};

/* The class of the form: "9/10" -> 9 (the singular is given), "2" -> 2. */
static int form_class(const char *noun_class) { return atoi(noun_class); }

const char *mz_template_class(const mz_probe_word *w, const char *language) {
    if (strcmp(language, "sw") != 0) return w->pos;
    if (!w->noun_class) return NULL;
    if (strstr(w->noun_class, "place") || strstr(w->noun_class, "locative")) return "place";
    int cls = form_class(w->noun_class);
    if (cls == 2) return "people";
    if (cls == 1 || strstr(w->noun_class, "animate") || strstr(w->noun_class, "name"))
        return "person";
    return "thing";
}

/* English indefinite article by the sound of the word's start. */
static const char *article(const char *word) {
    static const char *const an_consonant[] = {"hour", "honest", "honor", "heir", NULL};
    static const char *const a_vowel[] = {"uni", "use", "usu", "eu", "one", "once", "ur", NULL};
    for (const char *const *p = an_consonant; *p; p++)
        if (!strncasecmp(word, *p, strlen(*p))) return "an";
    for (const char *const *p = a_vowel; *p; p++)
        if (!strncasecmp(word, *p, strlen(*p))) return "a";
    return strchr("aeiouAEIOU", word[0]) ? "an" : "a";
}

/* The word (or demonstrative) with its first letter in upper case (ASCII: all that the
 * frames need capitalised). */
static void capitalised(char *out, size_t cap, const char *s) {
    snprintf(out, cap, "%s", s);
    out[0] = (char)toupper((unsigned char)out[0]);
}

static mz_status fill(char **out, const char *frame, const mz_probe_word *w, const char *language,
                      mz_ctx *ctx) {
    const char *near = "", *far = "", *ref = "";
    int cls = w->noun_class ? form_class(w->noun_class) : 0;
    for (size_t i = 0;
         strcmp(language, "sw") == 0 && i < sizeof demonstratives / sizeof *demonstratives; i++)
        if (demonstratives[i].cls == cls) {
            near = demonstratives[i].near;
            far = demonstratives[i].far;
            ref = demonstratives[i].ref;
        }
    char word_cap[128], near_cap[16], far_cap[16], ref_cap[16];
    capitalised(word_cap, sizeof word_cap, w->text);
    capitalised(near_cap, sizeof near_cap, near);
    capitalised(far_cap, sizeof far_cap, far);
    capitalised(ref_cap, sizeof ref_cap, ref);
    const char *keys[] = {"{word}", "{Word}", "{a}",   "{this}", "{This}",
                          "{that}", "{That}", "{ref}", "{Ref}"};
    const char *values[] = {w->text, word_cap, article(w->text), near, near_cap, far,
                            far_cap, ref,      ref_cap};
    size_t len = 0, cap = 0;
    char *buf = NULL;
    for (const char *p = frame; *p;) {
        const char *piece = p;
        size_t piece_len = 1, skip = 1;
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            if (!strncmp(p, keys[k], strlen(keys[k]))) {
                piece = values[k];
                piece_len = strlen(values[k]);
                skip = strlen(keys[k]);
                if (k >= 3 && !*piece)
                    return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                                   "no demonstrative for '%s' (noun class "
                                   "'%s')",
                                   w->text, w->noun_class ? w->noun_class : "none");
            }
        if (mz_grow((void **)&buf, &cap, len + piece_len + 1, 1)) {
            mz_free(buf);
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        }
        memcpy(buf + len, piece, piece_len);
        len += piece_len;
        p += skip;
    }
    buf[len] = '\0';
    *out = buf;
    return MZ_OK;
}

void mz_templates_free(char **sentences, size_t n) {
    for (size_t i = 0; i < n; i++)
        mz_free(sentences[i]);
    mz_free(sentences);
}

mz_status mz_templates_expand(char ***sentences, size_t *n, const mz_probe_set *t,
                              const mz_probe_word *w, const char *language, mz_ctx *ctx) {
    *sentences = NULL;
    *n = 0;
    const char *cls = mz_template_class(w, language);
    if (!cls)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "'%s' has no %s: templates cannot place it",
                       w->text, strcmp(language, "sw") ? "pos" : "noun_class");
    size_t cap = 0;
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < t->n_templates && !rc; i++) {
        if (strcmp(t->templates[i].applies_to, cls)) continue;
        if (mz_grow((void **)sentences, &cap, *n + 1, sizeof **sentences))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        else if (!(rc = fill(&(*sentences)[*n], t->templates[i].text, w, language, ctx)))
            ++*n;
    }
    if (!rc && *n == 0)
        rc = mz_fail(ctx, MZ_ERR_INPUT, t->path, "no frame applies to '%s' (class %s)", w->text,
                     cls);
    if (rc) {
        mz_templates_free(*sentences, *n);
        *sentences = NULL;
        *n = 0;
    }
    return rc;
}

mz_status mz_templates_find(const mz_probe_set **out, mz_probe_set *const *templates, size_t n,
                            const char *language, mz_ctx *ctx) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(templates[i]->language, language)) return *out = templates[i], MZ_OK;
    *out = NULL;
    return mz_fail(ctx, MZ_ERR_INPUT, NULL, "no sentence frames for language '%s'", language);
}
