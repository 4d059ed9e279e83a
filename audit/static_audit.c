/* Probe words -> static vectors -> WEAT, with an account of every word that was lost. */
#include "mizani/static_audit.h"
#include "mizani/alloc.h"

#include <string.h>

const char *const mz_role_names[MZ_N_ROLES] = {"target X", "target Y", "attribute A",
                                               "attribute B"};

const char *const mz_metric_names[MZ_N_METRICS] = {"rnd", "mac", "ect", "ripa", "rnsb"};

void mz_static_options_default(mz_static_options *opt) {
    *opt = (mz_static_options){.max_missing = 0.2};
    mz_weat_options_default(&opt->weat);
    mz_metric_options_default(&opt->metric);
}

mz_status mz_static_parse_metrics(unsigned *mask, const char *list, mz_ctx *ctx) {
    *mask = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        int known = len == 4 && !strncmp(p, "weat", 4);
        if (len == 3 && !strncmp(p, "all", 3)) {
            *mask = (1u << MZ_N_METRICS) - 1;
            known = 1;
        }
        for (int m = 0; m < MZ_N_METRICS && !known; m++)
            if (strlen(mz_metric_names[m]) == len && !strncmp(p, mz_metric_names[m], len)) {
                *mask |= 1u << m;
                known = 1;
            }
        if (!known)
            return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                           "unknown metric '%.*s' (known: weat, rnd, mac, "
                           "ect, ripa, rnsb, all)",
                           (int)len, p);
        p += len + (p[len] == ',');
    }
    return MZ_OK;
}

typedef mz_status (*metric_fn)(mz_metric_result *, double *, const mz_word_set *,
                               const mz_word_set *, const mz_word_set *, size_t,
                               const mz_metric_options *, mz_ctx *);

/* One metric on S = X and S = Y (RNSB: S = X and Y together). A metric the data cannot
 * support (RIPA on unpaired lists, a degenerate spread) is recorded with its reason. */
static mz_status run_metric(mz_static_metric *out, int m, const mz_word_set sets[MZ_N_ROLES],
                            const mz_word_set *xy, size_t dim, const mz_metric_options *opt,
                            mz_ctx *ctx) {
    static const metric_fn fns[MZ_N_METRICS] = {mz_assoc_rnd, mz_assoc_mac, mz_assoc_ect,
                                                mz_assoc_ripa, mz_assoc_rnsb};
    const mz_word_set *a = &sets[MZ_ROLE_A], *b = &sets[MZ_ROLE_B];
    mz_status rc = m == MZ_METRIC_RNSB
                       ? fns[m](&out->on_x, NULL, xy, a, b, dim, opt, ctx)
                       : fns[m](&out->on_x, NULL, &sets[MZ_ROLE_X], a, b, dim, opt, ctx);
    if (!rc && m != MZ_METRIC_RNSB)
        rc = fns[m](&out->on_y, NULL, &sets[MZ_ROLE_Y], a, b, dim, opt, ctx);
    out->computed = rc == MZ_OK;
    if (rc == MZ_ERR_INPUT || rc == MZ_ERR_NUMERIC) {
        snprintf(out->reason, sizeof out->reason, "%s", mz_ctx_cause(ctx));
        mz_ctx_clear(ctx);
        rc = MZ_OK;
    }
    return rc;
}

static void free_words(char **w, size_t n) {
    for (size_t i = 0; i < n; i++)
        mz_free(w[i]);
    mz_free(w);
}

void mz_static_weat_clear(mz_static_weat *r) {
    if (!r) return;
    mz_free(r->name);
    for (int i = 0; i < MZ_N_ROLES; i++) {
        free_words(r->sets[i].missing, r->sets[i].n_missing);
        free_words(r->sets[i].folded, r->sets[i].n_folded);
    }
    memset(r, 0, sizeof *r);
}

mz_status mz_word_lists_union(const char ***words, size_t *n, const mz_word_list *lists,
                              size_t n_lists, mz_ctx *ctx) {
    size_t total = 0;
    for (size_t i = 0; i < n_lists; i++)
        total += lists[i].n;
    *words = mz_malloc(total * sizeof **words);
    if (!*words) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    *n = 0;
    for (size_t i = 0; i < n_lists; i++)
        for (size_t j = 0; j < lists[i].n; j++)
            (*words)[(*n)++] = lists[i].words[j];
    return MZ_OK;
}

/* Looks up one list: rows of found words into `vectors` [n, dim], labels into `labels`. */
static mz_status look_up(mz_set_lookup *s, float *vectors, const char **labels,
                         const mz_word_list *list, const mz_vectors *v, int fold, mz_ctx *ctx) {
    size_t dim = mz_vectors_dim(v);
    s->n_asked = list->n;
    s->missing = mz_calloc(list->n, sizeof *s->missing);
    s->folded = mz_calloc(list->n, sizeof *s->folded);
    if (!s->missing || !s->folded) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < list->n; i++) {
        int folded;
        long row = mz_vectors_find(v, list->words[i], fold, &folded);
        char **slot = row < 0  ? &s->missing[s->n_missing++]
                      : folded ? &s->folded[s->n_folded++]
                               : NULL;
        if (slot && !(*slot = mz_strdup(list->words[i])))
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        if (row < 0) continue;
        memcpy(vectors + s->n_found * dim, mz_vectors_row(v, (size_t)row), dim * sizeof *vectors);
        labels[s->n_found++] = list->words[i];
    }
    return MZ_OK;
}

/* Not computable when a set lost more than max_missing of its words (or all of them). */
static int check_losses(mz_static_weat *out, const mz_word_list lists[MZ_N_ROLES],
                        double max_missing) {
    for (int i = 0; i < MZ_N_ROLES; i++) {
        const mz_set_lookup *s = &out->sets[i];
        if (s->n_found > 0 && (double)s->n_missing <= max_missing * (double)s->n_asked) continue;
        int len =
            snprintf(out->reason, sizeof out->reason,
                     "%s set '%s' lost %zu of %zu words "
                     "(limit %.0f%%):",
                     mz_role_names[i], lists[i].name, s->n_missing, s->n_asked, 100 * max_missing);
        for (size_t j = 0; j < s->n_missing && len > 0 && (size_t)len < sizeof out->reason; j++)
            len +=
                snprintf(out->reason + len, sizeof out->reason - (size_t)len, " %s", s->missing[j]);
        return 0;
    }
    return 1;
}

mz_status mz_static_weat_run(mz_static_weat *out, const char *name, const mz_vectors *v,
                             const mz_word_list lists[MZ_N_ROLES], const mz_static_options *opt,
                             mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    if (!(out->name = mz_strdup(name))) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t dim = mz_vectors_dim(v), total = 0;
    for (int i = 0; i < MZ_N_ROLES; i++)
        total += lists[i].n;
    float *vectors = mz_malloc(total * dim * sizeof *vectors);
    const char **labels = mz_malloc(total * sizeof *labels);
    mz_status rc = vectors && labels ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_word_set sets[MZ_N_ROLES];
    size_t at = 0;
    for (int i = 0; i < MZ_N_ROLES && !rc; i++) {
        rc = look_up(&out->sets[i], vectors + at * dim, labels + at, &lists[i], v, opt->fold_case,
                     ctx);
        sets[i] = (mz_word_set){.name = lists[i].name,
                                .words = labels + at,
                                .vectors = vectors + at * dim,
                                .n = out->sets[i].n_found};
        at += out->sets[i].n_found; /* found words packed: X and Y end up adjacent */
    }
    if (!rc && check_losses(out, lists, opt->max_missing)) {
        rc = mz_weat(&out->weat, &sets[0], &sets[1], &sets[2], &sets[3], dim, &opt->weat, ctx);
        out->computable = rc == MZ_OK;
        if (rc == MZ_ERR_INPUT || rc == MZ_ERR_NUMERIC) { /* the data's fault: report, go on */
            snprintf(out->reason, sizeof out->reason, "%s", mz_ctx_cause(ctx));
            mz_ctx_clear(ctx);
            rc = MZ_OK;
        }
    }
    /* X and Y are packed one after the other, so together they are one set */
    mz_word_set xy = {.name = "X+Y", .vectors = sets[0].vectors, .n = sets[0].n + sets[1].n};
    for (int m = 0; m < MZ_N_METRICS && !rc && out->computable; m++)
        if (opt->metrics & (1u << m))
            rc = run_metric(&out->metrics[m], m, sets, &xy, dim, &opt->metric, ctx);
    mz_free(vectors);
    mz_free(labels);
    return rc;
}
