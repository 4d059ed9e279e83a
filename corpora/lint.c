/* The probe linter: what a reviewer of a probe set would check by eye, checked by machine. */
#include "mizani/alloc.h"
#include "mizani/json_path.h"
#include "probe_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <utf8proc.h>

#define MAX_WORD_BYTES 64

static mz_status add(mz_lint_report *r, mz_ctx *ctx, mz_lint_severity sev, const char *where,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static mz_status add(mz_lint_report *r, mz_ctx *ctx, mz_lint_severity sev, const char *where,
                     const char *fmt, ...) {
    if (mz_grow((void **)&r->items, &r->cap, r->n + 1, sizeof *r->items))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_lint_finding *f = &r->items[r->n++];
    f->severity = sev;
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

static mz_status check_word(mz_lint_report *r, mz_ctx *ctx, const mz_probe_list *l, size_t i) {
    const mz_probe_word *w = &l->words[i];
    char where[96];
    snprintf(where, sizeof where, "%s.words[%zu]", l->json_path, i);
    size_t len = strlen(w->text);
    const char *odd;
    mz_status rc = MZ_OK;
    if (len == 0 || w->text[0] == ' ' || (len && w->text[len - 1] == ' '))
        rc = add(r, ctx, MZ_LINT_ERROR, where, "empty or padded entry '%s'", w->text);
    else if (len > MAX_WORD_BYTES)
        rc = add(r, ctx, MZ_LINT_ERROR, where, "entry of %zu bytes; at most %d", len,
                 MAX_WORD_BYTES);
    else if (!is_nfc(w->text))
        rc = add(r, ctx, MZ_LINT_ERROR, where, "'%s' is not in Unicode NFC", w->text);
    else if ((odd = odd_apostrophe(w->text)))
        rc = add(r, ctx, MZ_LINT_ERROR, where,
                 "'%s' uses '%s' for the apostrophe; probe files store "
                 "U+0027 (ng')",
                 w->text, odd);
    if (!rc && strcmp(l->language, "sw") == 0 && !w->noun_class)
        rc = add(r, ctx, MZ_LINT_ERROR, where,
                 "Swahili word '%s' has no noun_class (templates need "
                 "it to pick the agreement)",
                 w->text);
    if (!rc && w->ambiguous)
        rc = add(r, ctx, MZ_LINT_NOTE, where, "'%s' has a second reading: %s", w->text,
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
                rc = add(r, ctx, MZ_LINT_ERROR, a->json_path, "'%s' appears twice in list '%s'",
                         a->words[i].text, a->name);
        for (size_t j = 0; b && j < b->n && !rc; j++)
            if (!strcasecmp(a->words[i].text, b->words[j].text))
                rc = add(r, ctx, MZ_LINT_ERROR, b->json_path,
                         "'%s' is in both %s ('%s' and '%s'): "
                         "it would pull both sides alike",
                         b->words[j].text, pair, a->name, b->name);
    }
    return rc;
}

static mz_status check_balance(mz_lint_report *r, mz_ctx *ctx, const mz_probe_list *a,
                               const mz_probe_list *b, const char *pair) {
    if (a->n == 0 || b->n == 0)
        return add(r, ctx, MZ_LINT_ERROR, a->n ? b->json_path : a->json_path,
                   "an empty list in the "
                   "%s",
                   pair);
    if (a->n != b->n)
        return add(r, ctx, MZ_LINT_WARNING, b->json_path,
                   "the %s differ in size (%zu and %zu); "
                   "WEAT's effect size assumes balanced lists",
                   pair, a->n, b->n);
    return MZ_OK;
}

/* Text that a model will read: NFC, no odd apostrophes, not empty. */
static mz_status check_text(mz_lint_report *r, mz_ctx *ctx, const char *where, const char *text) {
    const char *odd;
    if (!*text) return add(r, ctx, MZ_LINT_ERROR, where, "empty text");
    if (!is_nfc(text)) return add(r, ctx, MZ_LINT_ERROR, where, "text is not in Unicode NFC");
    if ((odd = odd_apostrophe(text)))
        return add(r, ctx, MZ_LINT_ERROR, where,
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
            rc = add(r, ctx, MZ_LINT_ERROR, lists[i]->json_path,
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

static mz_status lint_masked(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    const mz_probe_list *lists[3] = {&s->targets[0], &s->targets[1], &s->attributes[0]};
    mz_status rc = check_lists(r, lists, 3, ctx);
    if (!rc) rc = check_balance(r, ctx, lists[0], lists[1], "target lists");
    if (!rc) rc = check_duplicates(r, ctx, lists[0], lists[1], "target lists");
    if (!rc) rc = check_duplicates(r, ctx, lists[2], NULL, "");
    for (size_t i = 0; i < s->n_frames && !rc; i++) {
        char where[48];
        snprintf(where, sizeof where, "$.frames[%zu]", i);
        rc = check_text(r, ctx, where, s->frames[i]);
        if (!rc && !s->frame_ids[i])
            rc = add(r, ctx, MZ_LINT_WARNING, where,
                     "the frame has no id (write {\"id\": ..., \"text\": ...}): results "
                     "cannot be grouped by frame");
    }
    return rc;
}

/* The categories the minimal pairs must cover. */
static const char *const pair_categories[] = {"gender", "religion",   "ethnicity-nationality",
                                              "age",    "disability", "socio-economic"};
#define N_PAIR_CATEGORIES 6

static mz_status lint_pairs(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    size_t counts[N_PAIR_CATEGORIES] = {0};
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < s->n_pairs && !rc; i++) {
        const mz_minimal_pair *p = &s->pairs[i];
        char where[48];
        snprintf(where, sizeof where, "$.pairs[%zu]", i);
        int c = 0;
        while (c < N_PAIR_CATEGORIES && strcmp(p->category, pair_categories[c]))
            c++;
        if (c == N_PAIR_CATEGORIES)
            rc = add(r, ctx, MZ_LINT_ERROR, where,
                     "category '%s' is not one of gender, religion, "
                     "ethnicity-nationality, age, disability, socio-economic",
                     p->category);
        else
            counts[c]++;
        if (!rc) rc = check_text(r, ctx, where, p->more);
        if (!rc) rc = check_text(r, ctx, where, p->less);
        if (!rc && (!p->frame_id || !p->target_id))
            rc = add(r, ctx, MZ_LINT_WARNING, where,
                     "no \"%s\" id: pairs from one frame or one target pair are correlated, "
                     "and the statistics cannot group them without it",
                     p->frame_id ? "target" : "frame");
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(s->pairs[j].id, p->id))
                rc = add(r, ctx, MZ_LINT_ERROR, where, "id '%s' is used twice", p->id);
    }
    for (int c = 0; c < N_PAIR_CATEGORIES && !rc; c++)
        if (counts[c] == 0)
            rc = add(r, ctx, MZ_LINT_WARNING, "$.pairs", "no pair in category '%s'",
                     pair_categories[c]);
    return rc;
}

static mz_status lint_parallel(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (int l = 0; l < 2 && !rc; l++)
        if (!is_language_tag(s->languages[l]))
            rc = add(r, ctx, MZ_LINT_ERROR, "$.languages", "'%s' is not a BCP-47 language tag",
                     s->languages[l]);
    for (size_t i = 0; i < s->n_segments && !rc; i++) {
        char where[48];
        snprintf(where, sizeof where, "$.segments[%zu]", i);
        for (int l = 0; l < 2 && !rc; l++)
            rc = check_text(r, ctx, where, s->segments[i].text[l]);
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(s->segments[j].id, s->segments[i].id))
                rc = add(r, ctx, MZ_LINT_ERROR, where, "id '%s' is used twice", s->segments[i].id);
    }
    return rc;
}

static mz_status lint_templates(mz_lint_report *r, const mz_probe_set *s, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < s->n_templates && !rc; i++) {
        char where[48];
        snprintf(where, sizeof where, "$.frames[%zu]", i);
        rc = check_text(r, ctx, where, s->templates[i].text);
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
        rc = add(r, ctx, MZ_LINT_ERROR, "$.language", "'%s' is not a BCP-47 language tag",
                 s->language);
    if (!rc) rc = lint_kind(r, s, ctx);
    mz_lint_locate(r, from, s);
    return rc;
}
