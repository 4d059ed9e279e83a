/* Native-speaker review: the Swahili items of the probe files as a form, and the filled forms
 * of several reviewers back into agreement statistics and marks in the probe files. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/stats.h"
#include "probe_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The form's columns; the answers start at GRAMMATICAL. */
static const char *const columns[] = {"file",    "where", "kind",   "text",   "grammatical",
                                      "natural", "held",  "region", "comment"};
enum { FILE_COL, WHERE_COL, KIND_COL, TEXT_COL, GRAMMATICAL, NATURAL, HELD, N_COLUMNS = 9 };

void mz_review_items_clear(mz_review_items *l) {
    for (size_t i = 0; i < l->n; i++) {
        mz_free(l->items[i].file);
        mz_free(l->items[i].where);
        mz_free(l->items[i].kind);
        mz_free(l->items[i].text);
    }
    mz_free(l->items);
    memset(l, 0, sizeof *l);
}

static mz_status add_item(mz_review_items *l, const char *file, const char *where, const char *kind,
                          const char *text, mz_ctx *ctx) {
    if (mz_grow((void **)&l->items, &l->cap, l->n + 1, sizeof *l->items))
        return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
    mz_review_item *it = &l->items[l->n];
    it->file = mz_strdup(file);
    it->where = mz_strdup(where);
    it->kind = mz_strdup(kind);
    it->text = mz_strdup(text);
    l->n++;
    if (!it->file || !it->where || !it->kind || !it->text)
        return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
    return MZ_OK;
}

static mz_status collect_list(mz_review_items *l, const mz_probe_set *s, const mz_probe_list *list,
                              mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; list->language && !strcmp(list->language, "sw") && i < list->n && !rc; i++) {
        char where[96], text[512];
        snprintf(where, sizeof where, "%s.words[%zu]", list->json_path, i);
        snprintf(text, sizeof text, "%s (list '%s', noun class %s%s%s)", list->words[i].text,
                 list->name, list->words[i].noun_class ? list->words[i].noun_class : "none",
                 list->words[i].sense ? "; sense: " : "",
                 list->words[i].sense ? list->words[i].sense : "");
        rc = add_item(l, s->path, where, "word", text, ctx);
    }
    return rc;
}

mz_status mz_review_collect(mz_review_items *l, const mz_probe_set *s, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    char where[96], text[1024];
    const mz_probe_list *lists[4] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                     &s->attributes[1]};
    for (int k = 0; k < 4 && !rc; k++)
        rc = collect_list(l, s, lists[k], ctx);
    if (strcmp(s->language, "sw")) return rc;
    for (size_t i = 0; i < s->n_pairs && !rc; i++) {
        snprintf(where, sizeof where, "$.pairs[%zu]", i);
        snprintf(text, sizeof text, "%s | %s", s->pairs[i].more, s->pairs[i].less);
        rc = add_item(l, s->path, where, "pair", text, ctx);
    }
    for (size_t i = 0; i < s->n_frames && !rc; i++) {
        snprintf(where, sizeof where, "$.frames[%zu]", i);
        rc = add_item(l, s->path, where, "frame", s->frames[i], ctx);
    }
    for (size_t i = 0; i < s->n_templates && !rc; i++) {
        snprintf(where, sizeof where, "$.frames[%zu]", i);
        rc = add_item(l, s->path, where, "frame", s->templates[i].text, ctx);
    }
    return rc;
}

mz_status mz_review_write_csv(const mz_review_items *l, const char *path, mz_ctx *ctx) {
    FILE *f = fopen(path, "w");
    if (!f) return mz_fail_errno(ctx, path, "cannot write the review form");
    for (int c = 0; c < N_COLUMNS; c++)
        mz_csv_write_field(f, columns[c], c == N_COLUMNS - 1);
    for (size_t i = 0; i < l->n; i++) {
        const char *row[] = {l->items[i].file, l->items[i].where, l->items[i].kind,
                             l->items[i].text};
        for (int c = 0; c < N_COLUMNS; c++)
            mz_csv_write_field(f, c < 4 ? row[c] : "", c == N_COLUMNS - 1);
    }
    if (fclose(f)) return mz_fail_errno(ctx, path, "cannot write the review form");
    return MZ_OK;
}

/* ---- import ----------------------------------------------------------------------------- */

/* One item across the forms: its answers, reviewer by reviewer (NaN: no answer). */
typedef struct unit {
    char *file, *where;
    int is_pair;
    double *answers; /* [3][n_reviewers]: grammatical, natural, held */
} unit;

typedef struct units {
    unit *u;
    size_t n, cap, n_reviewers;
} units;

/* yes 1, no 0 (English or Swahili), anything else (unsure, blank) missing. */
static double answer(const char *s) {
    if (!strcasecmp(s, "yes") || !strcasecmp(s, "ndiyo") || !strcasecmp(s, "ndio")) return 1;
    if (!strcasecmp(s, "no") || !strcasecmp(s, "hapana")) return 0;
    return NAN;
}

static mz_status find_unit(unit **out, units *us, const char *file, const char *where,
                           mz_ctx *ctx) {
    for (size_t i = 0; i < us->n; i++)
        if (!strcmp(us->u[i].file, file) && !strcmp(us->u[i].where, where))
            return *out = &us->u[i], MZ_OK;
    if (mz_grow((void **)&us->u, &us->cap, us->n + 1, sizeof *us->u))
        return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
    unit *u = &us->u[us->n++];
    u->file = mz_strdup(file);
    u->where = mz_strdup(where);
    u->answers = mz_malloc(3 * us->n_reviewers * sizeof *u->answers);
    if (!u->file || !u->where || !u->answers)
        return mz_fail(ctx, MZ_ERR_NOMEM, file, "out of memory");
    for (size_t k = 0; k < 3 * us->n_reviewers; k++)
        u->answers[k] = NAN;
    *out = u;
    return MZ_OK;
}

static mz_status read_form(units *us, const char *form, size_t reviewer, mz_ctx *ctx) {
    mz_csv r;
    int done;
    mz_status rc = mz_csv_open(&r, form, ctx);
    if (!rc) rc = mz_csv_next(&r, &done, ctx);
    for (int c = 0; !rc && c < N_COLUMNS; c++)
        if (done || r.n <= (size_t)c || strcmp(r.fields[c], columns[c]))
            rc = mz_fail_line(ctx, MZ_ERR_INPUT, form, 1, 0,
                              "not a review form: the header is file,where,kind,text,grammatical,"
                              "natural,held,region,comment");
    while (!rc && !(rc = mz_csv_next(&r, &done, ctx)) && !done) {
        unit *u = NULL;
        if (r.n == 1 && !r.fields[0][0]) continue; /* a blank line */
        if (r.n != N_COLUMNS)
            rc = mz_fail_line(ctx, MZ_ERR_INPUT, form, r.row_line, 0, "%zu fields, want %d", r.n,
                              N_COLUMNS);
        if (!rc) rc = find_unit(&u, us, r.fields[FILE_COL], r.fields[WHERE_COL], ctx);
        if (rc) break;
        u->is_pair = !strcmp(r.fields[KIND_COL], "pair");
        for (int q = 0; q < 3; q++)
            u->answers[q * us->n_reviewers + reviewer] = answer(r.fields[GRAMMATICAL + q]);
    }
    mz_csv_close(&r);
    return rc;
}

/* Alpha for question q (0..2), or pooled over all three (q == 3): units are items (or item x
 * question), coders the reviewers. NaN when undefined. */
static mz_status agreement(double *alpha, const units *us, int q, mz_ctx *ctx) {
    size_t nr = us->n_reviewers, per = q == 3 ? 3 : 1, n_units = us->n * per;
    double *m = mz_malloc((nr * n_units > 0 ? nr * n_units : 1) * sizeof *m);
    if (!m) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < us->n; i++)
        for (size_t k = 0; k < per; k++)
            for (size_t r = 0; r < nr; r++)
                m[r * n_units + i * per + k] = us->u[i].answers[(q == 3 ? k : (size_t)q) * nr + r];
    mz_status rc = mz_stats_krippendorff_alpha(alpha, m, nr, n_units, MZ_ALPHA_NOMINAL, ctx);
    mz_free(m);
    if (rc == MZ_ERR_INPUT) { /* no variation, or no item rated twice: say so, go on */
        mz_ctx_clear(ctx);
        rc = MZ_OK;
    }
    return rc;
}

/* "validated", "disputed" or NULL (fewer than two reviewers answered), and how many did. */
static const char *status_of(const unit *u, size_t nr, size_t *reviewers) {
    int any_no = 0, all_yes = 1;
    *reviewers = 0;
    for (size_t r = 0; r < nr; r++) {
        int answered = 0;
        for (int q = 0; q < 3; q++) {
            double a = u->answers[q * nr + r];
            if (q == 2 && !u->is_pair && isnan(a)) continue; /* held: pairs must answer it */
            answered |= !isnan(a);
            any_no |= a == 0;
            all_yes &= a == 1;
        }
        *reviewers += answered;
    }
    if (*reviewers < 2) return NULL;
    return any_no ? "disputed" : all_yes ? "validated" : NULL;
}

/* The JSON value at a path of the forms written above ("$.pairs[3]", "$.targets[0].words[2]"). */
static json_t *at_path(json_t *doc, const char *where) {
    char key[32];
    size_t i, j;
    if (sscanf(where, "$.%31[a-z][%zu].words[%zu]", key, &i, &j) == 3)
        return json_array_get(
            json_object_get(json_array_get(json_object_get(doc, key), i), "words"), j);
    if (sscanf(where, "$.%31[a-z][%zu]", key, &i) == 2)
        return json_array_get(json_object_get(doc, key), i);
    return NULL;
}

/* Rewrites `path` with the marks of its units, atomically (a temporary file renamed). */
static mz_status mark_file(const char *path, const units *us, mz_review_result *out, mz_ctx *ctx) {
    json_error_t err;
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, path, 1u << 28, ctx);
    if (rc) return rc;
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    mz_free(text);
    if (!doc) return mz_fail_line(ctx, MZ_ERR_INPUT, path, err.line, err.column, "%s", err.text);
    for (size_t i = 0; i < us->n && !rc; i++) {
        size_t reviewers;
        const char *status =
            strcmp(us->u[i].file, path) ? NULL : status_of(&us->u[i], us->n_reviewers, &reviewers);
        json_t *item = status ? at_path(doc, us->u[i].where) : NULL;
        if (status && !json_is_object(item))
            rc = mz_fail(ctx, MZ_ERR_INPUT, path, "the form's item %s is not an object here",
                         us->u[i].where);
        else if (status && json_object_set_new(item, "review",
                                               json_pack("{s:s, s:I}", "status", status,
                                                         "reviewers", (json_int_t)reviewers)))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        if (status && !rc) {
            out->n_validated += status[0] == 'v';
            out->n_disputed += status[0] == 'd';
        }
    }
    size_t n = strlen(path) + 24;
    char *tmp = rc ? NULL : mz_malloc(n);
    if (!rc && !tmp) rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    if (tmp) snprintf(tmp, n, "%s.review%ld", path, (long)getpid());
    FILE *f = tmp ? fopen(tmp, "w") : NULL;
    if (tmp && (!f || json_dumpf(doc, f, JSON_INDENT(1)) || fputc('\n', f) == EOF))
        rc = mz_fail_errno(ctx, path, "cannot write the marked probe file");
    if (f && fclose(f) && !rc) rc = mz_fail_errno(ctx, path, "cannot write the marked probe file");
    if (tmp && !rc && rename(tmp, path)) rc = mz_fail_errno(ctx, path, "cannot replace");
    if (tmp && rc) unlink(tmp);
    mz_free(tmp);
    json_decref(doc);
    return rc;
}

static void free_units(units *us) {
    for (size_t i = 0; i < us->n; i++) {
        mz_free(us->u[i].file);
        mz_free(us->u[i].where);
        mz_free(us->u[i].answers);
    }
    mz_free(us->u);
}

mz_status mz_review_import(mz_review_result *out, const char *const *forms, size_t n_forms,
                           mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    if (n_forms < 2)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "agreement needs the forms of two reviewers");
    units us = {.n_reviewers = n_forms};
    mz_status rc = MZ_OK;
    for (size_t f = 0; f < n_forms && !rc; f++)
        rc = read_form(&us, forms[f], f, ctx);
    for (int q = 0; q < 4 && !rc; q++)
        rc = agreement(&out->alpha[q], &us, q, ctx);
    for (size_t i = 0; i < us.n && !rc; i++) { /* each file once, in the order first met */
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(us.u[j].file, us.u[i].file);
        if (!seen) rc = mark_file(us.u[i].file, &us, out, ctx);
    }
    out->n_reviewers = n_forms;
    out->n_items = us.n;
    free_units(&us);
    return rc;
}
