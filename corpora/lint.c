/* The probe linter: what a reviewer of a probe set would check by eye, checked by machine. */
#include "mizani/alloc.h"
#include "mizani/json_path.h"
#include "probe_file.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#define MAX_WORD_BYTES 64

mz_status mz_lint_add(mz_lint_report *r, mz_ctx *ctx, mz_lint_severity sev, const char *where,
                      const char *fmt, ...) {
    if (mz_grow((void **)&r->items, &r->cap, r->n + 1, sizeof *r->items))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_lint_finding *f = &r->items[r->n++];
    f->severity = sev;
    f->line = 0;
    snprintf(f->where, sizeof f->where, "%s", where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    r->n_errors += sev == MZ_LINT_ERROR;
    r->n_warnings += sev == MZ_LINT_WARNING;
    return MZ_OK;
}

void mz_lint_report_clear(mz_lint_report *r) {
    mz_free(r->items);
    memset(r, 0, sizeof *r);
}

static int is_nfc(const char *s) {
    utf8proc_uint8_t *nfc = utf8proc_NFC((const utf8proc_uint8_t *)s);
    int same = nfc && strcmp((const char *)nfc, s) == 0;
    free(nfc);
    return same;
}

/* Apostrophe-like characters that stand for U+0027 in Swahili "ng'" in the wild. */
static const char *odd_apostrophe(const char *s) {
    static const char *const forms[] = {"\xE2\x80\x99", "\xE2\x80\x98", "\xCA\xBC", "`"};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strstr(s, forms[i])) return forms[i];
    return NULL;
}

int mz_lint_starts_lower(const char *text) {
    utf8proc_int32_t c;
    for (const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text; *p;) {
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &c);
        if (n <= 0) return 0;
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat == UTF8PROC_CATEGORY_LL) return 1;
        if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT ||
            cat == UTF8PROC_CATEGORY_ND)
            return 0;
        p += n; /* opening quotes and brackets: look at what follows */
    }
    return 0;
}

char *mz_lint_fold(const char *text, size_t len) {
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)text, (utf8proc_ssize_t)len, &out,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    return n < 0 ? NULL : (char *)out;
}

static int word_byte(char c) { return (unsigned char)c >= 0x80 || isalnum((unsigned char)c); }

int mz_lint_has_phrase(const char *text, const char *phrase) {
    char *t = mz_lint_fold(text, strlen(text)), *p = mz_lint_fold(phrase, strlen(phrase));
    int found = 0;
    size_t n = p ? strlen(p) : 0;
    for (const char *at = t && n ? strstr(t, p) : NULL; at && !found; at = strstr(at + 1, p))
        found = (at == t || !word_byte(at[-1])) && !word_byte(at[n]);
    free(t);
    free(p);
    return found;
}

/* Sentences start with a capital: a model reads "mwanamke huyu" and "Mwanamke huyu" as
 * different text, and a lower-case start makes a frame an unnatural sentence. */
static mz_status check_capital(mz_lint_report *r, mz_ctx *ctx, const char *where,
                               const char *text) {
    if (!mz_lint_starts_lower(text)) return MZ_OK;
    return mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                       "'%.60s' starts with a lower-case letter; a sentence starts with a capital",
                       text);
}

static int is_language_tag(const char *t) {
    size_t n = strspn(t, "abcdefghijklmnopqrstuvwxyz");
    if (n < 2 || n > 3) return 0;
    while (t[n] == '-') { /* subtags: letters or digits */
        size_t m =
            strspn(t + n + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
        if (m < 2 || m > 8) return 0;
        n += m + 1;
    }
    return t[n] == '\0';
}

/* The Swahili noun-class labels SCHEMA.md allows: a singular/plural pair, one class, or a
 * locative, optionally with a qualifier ("9/10 animate", "1a name", "9/10 place"). */
static int valid_noun_class(const char *label) {
    static const char *const forms[] = {"1/2",  "3/4", "5/6", "7/8", "9/10", "11/10", "11/6",
                                        "14/6", "1a",  "2",   "4",   "6",    "8",     "10",
                                        "11",   "14",  "15",  "9",   "16-18"};
    size_t n = strcspn(label, " ");
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
        if (strlen(forms[i]) == n && !strncmp(label, forms[i], n)) return 1;
    return 0;
}

/* A class whose prefix is fixed, against the word's start: ki-/ch- (7), ku- (15), a
 * locative's -ni or place name (16-18). */
static const char *class_mismatch(const mz_probe_word *w) {
    const char *c = w->noun_class, *t = w->text;
    size_t len = strlen(t);
    if (!valid_noun_class(c))
        return "is not a Swahili noun-class label (1/2, 3/4, 5/6, 7/8, 9/10, 11/10, 14, 15, "
               "16-18 locative, a single class for a plural; see corpora/SCHEMA.md)";
    if (strstr(c, "locative") && strncmp(c, "16-18", 5))
        return "marks a locative, whose class is 16-18 (write \"16-18 locative\")";
    if (!strncmp(c, "15", 2) && strncasecmp(t, "ku", 2))
        return "is class 15, the infinitive, which starts with ku-";
    if (!strncmp(c, "7/8", 3) && !strstr(c, "animate") && strncasecmp(t, "ki", 2) &&
        strncasecmp(t, "ch", 2))
        return "is class 7, whose nouns start with ki- or ch-";
    if (!strncmp(c, "16-18", 5) && !strstr(c, "place") && (len < 2 || strcmp(t + len - 2, "ni")))
        return "is a locative (16-18) but does not end in -ni";
    return NULL;
}

static mz_status check_word(mz_lint_report *r, mz_ctx *ctx, const mz_probe_list *l, size_t i) {
    const mz_probe_word *w = &l->words[i];
    char where[96];
    snprintf(where, sizeof where, "%s.words[%zu]", l->json_path, i);
    size_t len = strlen(w->text);
    const char *odd;
    mz_status rc = MZ_OK;
    if (len == 0 || w->text[0] == ' ' || (len && w->text[len - 1] == ' '))
        rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "empty or padded entry '%s'", w->text);
    else if (len > MAX_WORD_BYTES)
        rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "entry of %zu bytes; at most %d", len,
                         MAX_WORD_BYTES);
    else if (!is_nfc(w->text))
        rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "'%s' is not in Unicode NFC", w->text);
    else if ((odd = odd_apostrophe(w->text)))
        rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where,
                         "'%s' uses '%s' for the apostrophe; probe files store "
                         "U+0027 (ng')",
                         w->text, odd);
    if (!rc && strcmp(l->language, "sw") == 0 && !w->noun_class)
        rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where,
                         "Swahili word '%s' has no noun_class (templates need "
                         "it to pick the agreement)",
                         w->text);
    const char *why;
    if (!rc && w->noun_class && (why = class_mismatch(w)))
        rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where, "noun class '%s' of '%s' %s",
                         w->noun_class, w->text, why);
    if (!rc && w->ambiguous)
        rc = mz_lint_add(r, ctx, MZ_LINT_NOTE, where, "'%s' has a second reading: %s", w->text,
                         w->ambiguous);
    return rc;
}

/* Same word twice in one list, or in both lists of a pair (targets, attributes). */
static mz_status check_duplicates(mz_lint_report *r, mz_ctx *ctx, const mz_probe_list *a,
                                  const mz_probe_list *b, const char *pair) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < a->n && !rc; i++) {
        for (size_t j = i + 1; j < a->n && !rc; j++)
            if (!strcmp(a->words[i].text, a->words[j].text))
                rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, a->json_path,
                                 "'%s' appears twice in list '%s'", a->words[i].text, a->name);
        for (size_t j = 0; b && j < b->n && !rc; j++)
            if (!strcasecmp(a->words[i].text, b->words[j].text))
                rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, b->json_path,
                                 "'%s' is in both %s ('%s' and '%s'): "
                                 "it would pull both sides alike",
                                 b->words[j].text, pair, a->name, b->name);
    }
    return rc;
}

static mz_status check_balance(mz_lint_report *r, mz_ctx *ctx, const mz_probe_list *a,
                               const mz_probe_list *b, const char *pair) {
    if (a->n == 0 || b->n == 0)
        return mz_lint_add(r, ctx, MZ_LINT_ERROR, a->n ? b->json_path : a->json_path,
                           "an empty list in the "
                           "%s",
                           pair);
    if (a->n != b->n)
        return mz_lint_add(r, ctx, MZ_LINT_WARNING, b->json_path,
                           "the %s differ in size (%zu and %zu); "
                           "WEAT's effect size assumes balanced lists",
                           pair, a->n, b->n);
    return MZ_OK;
}

/* Text that a model will read: NFC, not empty, and in Swahili no odd apostrophes (ng' is
 * spelt with U+0027; English text keeps the typography its source gives it). */
static mz_status check_text(mz_lint_report *r, mz_ctx *ctx, const char *where, const char *text,
                            const char *language) {
    const char *odd;
    if (!*text) return mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "empty text");
    if (!is_nfc(text))
        return mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "text is not in Unicode NFC");
    if (!strcmp(language, "sw") && (odd = odd_apostrophe(text)))
        return mz_lint_add(r, ctx, MZ_LINT_ERROR, where,
                           "uses '%s' for the apostrophe; probe files store "
                           "U+0027 (ng')",
                           odd);
    return MZ_OK;
}

static mz_status check_lists(mz_lint_report *r, const mz_probe_list *const *lists, int n,
                             mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (int i = 0; i < n && !rc; i++) {
        if (!is_language_tag(lists[i]->language))
            rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, lists[i]->json_path,
                             "'%s' is not a BCP-47 language tag", lists[i]->language);
        for (size_t w = 0; w < lists[i]->n && !rc; w++)
            rc = check_word(r, ctx, lists[i], w);
    }
    return rc;
}

static mz_status lint_association(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    const mz_probe_list *lists[4] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                     &s->attributes[1]};
    mz_status rc = check_lists(r, lists, 4, ctx);
    if (!rc) rc = check_balance(r, ctx, lists[0], lists[1], "target lists");
    if (!rc) rc = check_balance(r, ctx, lists[2], lists[3], "attribute lists");
    if (!rc) rc = check_duplicates(r, ctx, lists[0], lists[1], "target lists");
    if (!rc) rc = check_duplicates(r, ctx, lists[1], NULL, "");
    if (!rc) rc = check_duplicates(r, ctx, lists[2], lists[3], "attribute lists");
    if (!rc) rc = check_duplicates(r, ctx, lists[3], NULL, "");
    for (int t = 0; t < 2 && !rc; t++)
        for (int a = 2; a < 4 && !rc; a++)
            rc = check_duplicates(r, ctx, lists[t], lists[a], "a target and an attribute list");
    return rc;
}

/* A masked frame's sentence starts with its frame text, its target or its attribute. */
static mz_status check_masked_start(mz_lint_report *r, mz_ctx *ctx, const char *where,
                                    const mz_probe_set *s, const char *frame) {
    int target = !strncmp(frame, "[TARGET]", 8), attribute = !strncmp(frame, "[ATTRIBUTE]", 11);
    if (!target && !attribute) return check_capital(r, ctx, where, frame);
    const mz_probe_list *lists[2] = {target ? &s->targets[0] : &s->attributes[0],
                                     target ? &s->targets[1] : NULL};
    for (int l = 0; l < 2; l++)
        for (size_t w = 0; lists[l] && w < lists[l]->n; w++)
            if (mz_lint_starts_lower(lists[l]->words[w].text))
                return mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                                   "the frame starts with %s, and '%s' starts with a lower-case "
                                   "letter: the sentence would too",
                                   target ? "[TARGET]" : "[ATTRIBUTE]", lists[l]->words[w].text);
    return MZ_OK;
}

static mz_status lint_masked(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    const mz_probe_list *lists[3] = {&s->targets[0], &s->targets[1], &s->attributes[0]};
    mz_status rc = check_lists(r, lists, 3, ctx);
    if (!rc) rc = check_balance(r, ctx, lists[0], lists[1], "target lists");
    if (!rc) rc = check_duplicates(r, ctx, lists[0], lists[1], "target lists");
    if (!rc) rc = check_duplicates(r, ctx, lists[2], NULL, "");
    for (size_t i = 0; i < s->n_frames && !rc; i++) {
        char where[48];
        snprintf(where, sizeof where, "$.frames[%zu]", i);
        rc = check_text(r, ctx, where, s->frames[i], s->language);
        if (!rc) rc = check_masked_start(r, ctx, where, s, s->frames[i]);
        if (!rc && !s->frame_ids[i])
            rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                             "the frame has no id (write {\"id\": ..., \"text\": ...}): results "
                             "cannot be grouped by frame");
    }
    return rc;
}

/* Words, with the determiners and demonstratives that sit beside a group's name dropped. */
static size_t content_words(const char *span, const char *words[], size_t lens[], size_t cap) {
    static const char *const skip[] = {"the",   "a",    "an",   "my",   "his", "her",
                                       "their", "huyu", "yule", "huyo", NULL};
    size_t n = 0;
    for (const char *p = span; *p;) {
        size_t len = strcspn(p, " ");
        int skipped = 0;
        for (const char *const *k = skip; *k && !skipped; k++)
            skipped = strlen(*k) == len && !strncasecmp(p, *k, len);
        if (len && !skipped && n < cap) {
            words[n] = p;
            lens[n++] = len;
        }
        p += len + (p[len] == ' ');
    }
    return n;
}

/* Generic person nouns: a group compared with one of these is compared with its hypernym. */
static int is_hypernym(const char *w, size_t len) {
    static const char *const generic[] = {"mtu",    "watu",  "mtoto", "binadamu", "person",
                                          "people", "child", "human", "someone",  NULL};
    for (const char *const *g = generic; *g; g++)
        if (strlen(*g) == len && !strncasecmp(w, *g, len)) return 1;
    return 0;
}

/* Do the two groups compare like with like? Same number of words, neither side the other
 * plus a word ("The blind man" / "The man"), and no generic person noun against a group. */
static mz_status check_comparable(mz_lint_report *r, mz_ctx *ctx, const char *where,
                                  const mz_minimal_pair *p) {
    const char *a[16], *b[16];
    size_t la[16], lb[16];
    size_t na = content_words(p->target_more, a, la, 16),
           nb = content_words(p->target_less, b, lb, 16);
    if (na != nb)
        return mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                           "non-comparable groups: '%s' and '%s' differ in word count (%zu and "
                           "%zu); an extra word on one side changes the sentence, not only the "
                           "group",
                           p->target_more, p->target_less, na, nb);
    if (na == 1 && is_hypernym(a[0], la[0]) != is_hypernym(b[0], lb[0]))
        return mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                           "non-comparable groups: '%s' against '%s', a group against a generic "
                           "person noun (its hypernym)",
                           p->target_more, p->target_less);
    return MZ_OK;
}

/* Mizani's pair categories (those a shipped set must cover), then CrowS-Pairs' bias types. */
static const char *const pair_categories[] = {"gender",
                                              "religion",
                                              "ethnicity-nationality",
                                              "age",
                                              "disability",
                                              "socio-economic",
                                              "region",
                                              "health",
                                              "sexual-orientation-gender-identity",
                                              "race-color",
                                              "socioeconomic",
                                              "nationality",
                                              "sexual-orientation",
                                              "physical-appearance"};
#define N_CORE_CATEGORIES   6
#define N_MIZANI_CATEGORIES 9
#define N_PAIR_CATEGORIES   14

static mz_status lint_pairs(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    size_t counts[N_PAIR_CATEGORIES] = {0}, foreign = 0;
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < s->n_pairs && !rc; i++) {
        const mz_minimal_pair *p = &s->pairs[i];
        char where[48];
        snprintf(where, sizeof where, "$.pairs[%zu]", i);
        int c = 0;
        while (c < N_PAIR_CATEGORIES && strcmp(p->category, pair_categories[c]))
            c++;
        if (c == N_PAIR_CATEGORIES)
            rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                             "category '%s' is not one of Mizani's (gender, religion, "
                             "ethnicity-nationality, age, disability, socio-economic, region, "
                             "health, sexual-orientation-gender-identity) or CrowS-Pairs'",
                             p->category);
        else
            counts[c]++;
        foreign += c >= N_MIZANI_CATEGORIES;
        if (!rc) rc = check_text(r, ctx, where, p->more, s->language);
        if (!rc) rc = check_text(r, ctx, where, p->less, s->language);
        if (!rc) rc = check_capital(r, ctx, where, p->more);
        if (!rc) rc = check_comparable(r, ctx, where, p);
        if (!rc && (!p->frame_id || !p->target_id))
            rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                             "no \"%s\" id: pairs from one frame or one target pair are "
                             "correlated, and the statistics cannot group them without it",
                             p->frame_id ? "target" : "frame");
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(s->pairs[j].id, p->id))
                rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "id '%s' is used twice", p->id);
    }
    for (int c = 0; c < N_CORE_CATEGORIES && !rc && !foreign; c++) /* Mizani's own sets */
        if (counts[c] == 0)
            rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, "$.pairs", "no pair in category '%s'",
                             pair_categories[c]);
    return rc;
}

static mz_status lint_parallel(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (int l = 0; l < 2 && !rc; l++)
        if (!is_language_tag(s->languages[l]))
            rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, "$.languages",
                             "'%s' is not a BCP-47 language tag", s->languages[l]);
    for (size_t i = 0; i < s->n_segments && !rc; i++) {
        char where[48];
        snprintf(where, sizeof where, "$.segments[%zu]", i);
        for (int l = 0; l < 2 && !rc; l++)
            rc = check_text(r, ctx, where, s->segments[i].text[l], s->languages[l]);
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(s->segments[j].id, s->segments[i].id))
                rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "id '%s' is used twice",
                                 s->segments[i].id);
    }
    return rc;
}

static mz_status lint_templates(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < s->n_templates && !rc; i++) {
        char where[48];
        snprintf(where, sizeof where, "$.frames[%zu]", i);
        rc = check_text(r, ctx, where, s->templates[i].text, s->language);
        if (!rc && !strncmp(s->templates[i].text, "{word}", 6))
            rc = mz_lint_add(r, ctx, MZ_LINT_WARNING, where,
                             "the frame starts with {word}; write {Word} so the sentence starts "
                             "with a capital");
        else if (!rc && s->templates[i].text[0] != '{')
            rc = check_capital(r, ctx, where, s->templates[i].text);
    }
    return rc;
}

static mz_status lint_lexicon(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    static const char *const genders[] = {"female", "male", "any", NULL};
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < s->n_entries && !rc; i++) {
        const mz_lexicon_entry *e = &s->entries[i];
        char where[48];
        snprintf(where, sizeof where, "$.entries[%zu]", i);
        rc = check_text(r, ctx, where, e->word, e->language);
        int g = 0;
        while (e->gender && genders[g] && strcmp(e->gender, genders[g]))
            g++;
        if (!rc && e->gender && !genders[g])
            rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "gender '%s' is not female, male or any",
                             e->gender);
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcasecmp(s->entries[j].word, e->word) &&
                !strcmp(s->entries[j].language, e->language))
                rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, where, "'%s' is listed twice", e->word);
    }
    return rc;
}

static mz_status lint_kind(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    switch (s->kind) {
    case MZ_PROBE_ASSOCIATION: return lint_association(r, s, ctx);
    case MZ_PROBE_MASKED: return lint_masked(r, s, ctx);
    case MZ_PROBE_MINIMAL_PAIRS: return lint_pairs(r, s, ctx);
    case MZ_PROBE_PARALLEL: return lint_parallel(r, s, ctx);
    case MZ_PROBE_TEMPLATES: return lint_templates(r, s, ctx);
    case MZ_PROBE_NAMES:
    case MZ_PROBE_SLURS: return lint_lexicon(r, s, ctx);
    }
    return MZ_OK;
}

void mz_lint_locate(mz_lint_report *r, size_t from, const mz_probe_set *s) {
    const probe_file *pf = (const probe_file *)s;
    for (size_t i = from; i < r->n; i++)
        r->items[i].line = mz_json_path_line(pf->text, pf->text_len, r->items[i].where);
}

mz_status mz_probes_lint(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    size_t from = r->n;
    mz_status rc = MZ_OK;
    if (s->kind != MZ_PROBE_PARALLEL && !is_language_tag(s->language))
        rc = mz_lint_add(r, ctx, MZ_LINT_ERROR, "$.language", "'%s' is not a BCP-47 language tag",
                         s->language);
    if (!rc) rc = lint_kind(r, s, ctx);
    mz_lint_locate(r, from, s);
    return rc;
}
