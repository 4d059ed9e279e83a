/* WEAT: effect size, permutation test and bootstrap interval, all from one table of
 * cosines between the targets X∪Y and the attributes A∪B. */
#include "embedding_math.h"
#include "mizani/alloc.h"
#include "mizani/association.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

void mz_weat_options_default(mz_weat_options *opt) {
    *opt = (mz_weat_options){.max_exact = 1000000,
                             .n_permutations = 100000,
                             .n_bootstrap = 5000,
                             .ci_level = 0.95,
                             .seed = 1};
}

/* Association of target row t, averaging over the attribute columns listed in ia and ib. */
static double row_score(const double *cos, size_t n_cols, size_t t, const size_t *ia, size_t na,
                        const size_t *ib, size_t nb) {
    double sa = 0, sb = 0;
    for (size_t i = 0; i < na; i++)
        sa += cos[t * n_cols + ia[i]];
    for (size_t i = 0; i < nb; i++)
        sb += cos[t * n_cols + ib[i]];
    return sa / (double)na - sb / (double)nb;
}

/* d for the targets listed in it[0..nx) (X) and it[nx..nx+ny) (Y), and the attribute columns
 * listed in ia, ib; s is scratch [nx + ny]. NaN when s has no spread. */
static double effect_size(double *mean_diff, double *s, const double *cos, size_t n_cols,
                          const size_t *it, size_t nx, size_t ny, const size_t *ia, size_t na,
                          const size_t *ib, size_t nb) {
    for (size_t i = 0; i < nx + ny; i++)
        s[i] = row_score(cos, n_cols, it[i], ia, na, ib, nb);
    double diff = gsl_stats_mean(s, 1, nx) - gsl_stats_mean(s + nx, 1, ny);
    double sd = gsl_stats_sd(s, 1, nx + ny);
    if (mean_diff) *mean_diff = diff;
    return sd > 0 ? diff / sd : NAN;
}

typedef struct weat_table {
    double *cos; /* [nx + ny, na + nb] */
    size_t nx, ny, na, nb;
} weat_table;

/* One bootstrap resample of WEAT: idx lists X, Y (rows of the table), then A, B (offset by
 * the number of targets: columns are counted from 0). scratch: [na + nb] size_t then
 * [nx + ny] double. */
static double resampled_effect(const size_t *idx, void *data, void *scratch) {
    const weat_table *t = data;
    size_t nt = t->nx + t->ny, ncol = t->na + t->nb;
    size_t *ia = scratch;
    double *s = (double *)(ia + ncol);
    for (size_t i = 0; i < ncol; i++)
        ia[i] = idx[nt + i] - nt;
    return effect_size(NULL, s, t->cos, ncol, idx, t->nx, t->ny, ia, t->na, ia + t->na, t->nb);
}

static mz_status check_sets(const mz_word_set *sets[4], mz_ctx *ctx) {
    static const char *roles[4] = {"target X", "target Y", "attribute A", "attribute B"};
    for (int i = 0; i < 4; i++)
        if (sets[i]->n < (i < 2 ? 2u : 1u))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                           "%s set '%s' has %zu word%s; WEAT needs at "
                           "least %d",
                           roles[i], sets[i]->name ? sets[i]->name : "", sets[i]->n,
                           sets[i]->n == 1 ? "" : "s", i < 2 ? 2 : 1);
    return MZ_OK;
}

/* Stacks two sets' vectors into one set (X∪Y or A∪B). */
static mz_status stack(mz_word_set *out, float **owned, const mz_word_set *p, const mz_word_set *q,
                       size_t dim, mz_ctx *ctx) {
    *owned = mz_malloc((p->n + q->n) * dim * sizeof **owned);
    if (!*owned) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in WEAT");
    memcpy(*owned, p->vectors, p->n * dim * sizeof **owned);
    memcpy(*owned + p->n * dim, q->vectors, q->n * dim * sizeof **owned);
    *out = (mz_word_set){.name = p->name, .vectors = *owned, .n = p->n + q->n};
    return MZ_OK;
}

static mz_status build_table(weat_table *t, const mz_word_set *x, const mz_word_set *y,
                             const mz_word_set *a, const mz_word_set *b, size_t dim, mz_ctx *ctx) {
    *t = (weat_table){.nx = x->n, .ny = y->n, .na = a->n, .nb = b->n};
    mz_word_set targets, attrs;
    float *tv = NULL, *av = NULL;
    mz_status rc = stack(&targets, &tv, x, y, dim, ctx);
    if (!rc) rc = stack(&attrs, &av, a, b, dim, ctx);
    if (!rc && !(t->cos = mz_malloc(targets.n * attrs.n * sizeof *t->cos)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in WEAT");
    /* Word-level checks first, so the message names the word, not the stacked set. */
    const mz_word_set *sets[4] = {x, y, a, b};
    for (int i = 0; i < 4 && !rc; i++)
        rc = mz_vectors_check(sets[i], dim, ctx);
    if (!rc) rc = mz_cosine_matrix(t->cos, &targets, &attrs, dim, ctx);
    mz_free(tv);
    mz_free(av);
    return rc;
}

mz_status mz_assoc_word_scores(double *scores, const mz_word_set *w, const mz_word_set *a,
                               const mz_word_set *b, size_t dim, mz_ctx *ctx) {
    mz_word_set attrs;
    float *av = NULL;
    size_t ncol = a->n + b->n;
    double *cos = mz_malloc(w->n * ncol * sizeof *cos);
    size_t *ia = mz_malloc(ncol * sizeof *ia);
    mz_status rc = cos && ia ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    const mz_word_set *sets[3] = {w, a, b};
    for (int i = 0; i < 3 && !rc; i++)
        rc = mz_vectors_check(sets[i], dim, ctx);
    if (!rc) rc = stack(&attrs, &av, a, b, dim, ctx);
    if (!rc) rc = mz_cosine_matrix(cos, w, &attrs, dim, ctx);
    for (size_t i = 0; !rc && i < ncol; i++)
        ia[i] = i;
    for (size_t i = 0; !rc && i < w->n; i++)
        scores[i] = row_score(cos, ncol, i, ia, a->n, ia + a->n, b->n);
    mz_free(av);
    mz_free(ia);
    mz_free(cos);
    return rc;
}

static mz_status weat_observed(mz_weat_result *out, double *s, const weat_table *t, mz_ctx *ctx) {
    size_t nt = t->nx + t->ny, ncol = t->na + t->nb;
    size_t *idx = mz_malloc((nt + ncol) * sizeof *idx);
    if (!idx) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in WEAT");
    for (size_t i = 0; i < nt; i++)
        idx[i] = i;
    for (size_t i = 0; i < ncol; i++)
        idx[nt + i] = i;
    out->effect_size = effect_size(&out->mean_diff, s, t->cos, ncol, idx, t->nx, t->ny, idx + nt,
                                   t->na, idx + nt + t->na, t->nb);
    mz_free(idx);
    out->statistic = 0;
    for (size_t i = 0; i < nt; i++)
        out->statistic += i < t->nx ? s[i] : -s[i];
    if (isnan(out->effect_size))
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "every target word has the same association "
                       "score: the effect size is not computable (zero spread)");
    return MZ_OK;
}

mz_status mz_weat(mz_weat_result *out, const mz_word_set *x, const mz_word_set *y,
                  const mz_word_set *a, const mz_word_set *b, size_t dim,
                  const mz_weat_options *opt, mz_ctx *ctx) {
    const mz_word_set *sets[4] = {x, y, a, b};
    mz_status rc = check_sets(sets, ctx);
    if (rc) return rc;
    *out = (mz_weat_result){0};
    weat_table t;
    if ((rc = build_table(&t, x, y, a, b, dim, ctx))) {
        mz_free(t.cos);
        return rc;
    }
    size_t nt = x->n + y->n;
    double *s = mz_malloc(nt * sizeof *s);
    if (!s) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = weat_observed(out, s, &t, ctx);
    mz_perm_options po = {.max_exact = opt->max_exact,
                          .n_resamples = opt->n_permutations,
                          .seed = opt->seed,
                          .progress = opt->progress};
    if (!rc) rc = mz_stats_perm_split(&out->perm, s, nt, x->n, &po, ctx);
    if (!rc && opt->n_bootstrap) {
        const size_t strata[4] = {t.nx, t.ny, t.na, t.nb};
        size_t scratch = (t.na + t.nb) * sizeof(size_t) + nt * sizeof(double);
        rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, resampled_effect, &t, scratch, strata,
                                   4, opt->n_bootstrap, opt->ci_level, opt->seed, ctx);
        out->ci_level = opt->ci_level;
        out->n_bootstrap = opt->n_bootstrap;
    }
    mz_free(s);
    mz_free(t.cos);
    return rc;
}
