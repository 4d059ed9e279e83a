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

/* The association scores come from one of two equal forms, whichever is smaller: the table of
 * cosines between targets and attributes ([nt, na + nb]), or the attributes' mean unit vectors:
 * mean_a cos(t, a) - mean_b cos(t, b) = t/|t| . (mean_a a/|a| - mean_b b/|b|). Either holds at
 * most as many numbers as the vectors themselves, so memory is O(n d) for n words of d
 * dimensions (10,000 words a list no longer takes a 3 GB table), and a bootstrap draw costs at
 * most O(n d). */
typedef struct weat_data {
    const mz_word_set *sets[4]; /* X, Y, A, B */
    size_t nx, ny, na, nb, dim;
    double *inv_norm; /* [nt + na + nb] 1/|v|: targets, then attributes */
    double *cos;      /* [nt, na + nb], or NULL: scores from the attributes' mean unit vectors */
} weat_data;

static const float *row_of(const weat_data *w, size_t i) { /* targets then attributes */
    for (int k = 0; k < 4; k++) {
        if (i < w->sets[k]->n) return w->sets[k]->vectors + i * w->dim;
        i -= w->sets[k]->n;
    }
    return NULL;
}

/* m = mean of a/|a| over attribute columns ia[0..na) minus that over ib[0..nb) (columns count
 * from 0 at the first attribute). */
static void attribute_direction(double *m, const weat_data *w, const size_t *ia, size_t na,
                                const size_t *ib, size_t nb) {
    size_t nt = w->nx + w->ny;
    memset(m, 0, w->dim * sizeof *m);
    for (int side = 0; side < 2; side++) {
        const size_t *cols = side ? ib : ia;
        size_t n = side ? nb : na;
        for (size_t j = 0; j < n; j++) {
            const float *v = row_of(w, nt + cols[j]);
            double scale = (side ? -1.0 : 1.0) * w->inv_norm[nt + cols[j]] / (double)n;
            for (size_t k = 0; k < w->dim; k++)
                m[k] += scale * v[k];
        }
    }
}

/* s(t) for the targets listed in it[0..n) against the attribute columns ia, ib; m is scratch
 * [dim] (unused with the table). */
static void scores(double *s, double *m, const weat_data *w, const size_t *it, size_t n,
                   const size_t *ia, size_t na, const size_t *ib, size_t nb) {
    size_t ncol = w->na + w->nb;
    if (!w->cos) attribute_direction(m, w, ia, na, ib, nb);
    for (size_t i = 0; i < n; i++) {
        double x = 0, sa = 0, sb = 0;
        if (!w->cos) {
            const float *v = row_of(w, it[i]);
            for (size_t k = 0; k < w->dim; k++)
                x += v[k] * m[k];
            s[i] = x * w->inv_norm[it[i]];
            continue;
        }
        for (size_t j = 0; j < na; j++)
            sa += w->cos[it[i] * ncol + ia[j]];
        for (size_t j = 0; j < nb; j++)
            sb += w->cos[it[i] * ncol + ib[j]];
        s[i] = sa / (double)na - sb / (double)nb;
    }
}

/* d from the scores s [nx + ny], X's first; NaN when they have no spread. */
static double d_of(double *mean_diff, const double *s, size_t nx, size_t ny) {
    double diff = gsl_stats_mean(s, 1, nx) - gsl_stats_mean(s + nx, 1, ny);
    double sd = gsl_stats_sd(s, 1, nx + ny);
    if (mean_diff) *mean_diff = diff;
    return sd > 0 ? diff / sd : NAN;
}

/* One bootstrap resample of WEAT: idx lists X, Y (target rows), then A, B (offset by the
 * number of targets). scratch: [na + nb] size_t, then [nt + dim] double. */
static double resampled_effect(const size_t *idx, void *data, void *scratch) {
    const weat_data *w = data;
    size_t nt = w->nx + w->ny, ncol = w->na + w->nb;
    size_t *ia = scratch;
    double *s = (double *)(ia + ncol);
    for (size_t i = 0; i < ncol; i++)
        ia[i] = idx[nt + i] - nt;
    scores(s, s + nt, w, idx, nt, ia, w->na, ia + w->na, w->nb);
    return d_of(NULL, s, w->nx, w->ny);
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

/* Norms (each vector checked, naming the word), then the cosine table when `table` allows it
 * and it is no larger than the vectors. */
static mz_status prepare(weat_data *w, const mz_word_set *sets[4], size_t dim, int table,
                         mz_ctx *ctx) {
    *w = (weat_data){
        .nx = sets[0]->n, .ny = sets[1]->n, .na = sets[2]->n, .nb = sets[3]->n, .dim = dim};
    memcpy(w->sets, sets, sizeof w->sets);
    size_t nt = w->nx + w->ny, ncol = w->na + w->nb;
    if (!(w->inv_norm = mz_malloc((nt + ncol) * sizeof *w->inv_norm)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in WEAT");
    mz_status rc = MZ_OK;
    for (int k = 0; k < 4 && !rc; k++)
        rc = mz_vectors_check(sets[k], dim, ctx);
    for (size_t i = 0; !rc && i < nt + ncol; i++) {
        const float *v = row_of(w, i);
        double sq = 0;
        for (size_t k = 0; k < dim; k++)
            sq += (double)v[k] * v[k];
        w->inv_norm[i] = 1 / sqrt(sq);
    }
    if (rc || !table || nt * ncol > (nt + ncol) * dim) return rc;
    if (!(w->cos = mz_malloc(nt * ncol * sizeof *w->cos)))
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in WEAT");
    for (size_t i = 0; i < nt; i++)
        for (size_t j = 0; j < ncol; j++) {
            const float *u = row_of(w, i), *v = row_of(w, nt + j);
            double dot = 0;
            for (size_t k = 0; k < dim; k++)
                dot += (double)u[k] * v[k];
            w->cos[i * ncol + j] = dot * w->inv_norm[i] * w->inv_norm[nt + j];
        }
    return MZ_OK;
}

static void release(weat_data *w) {
    mz_free(w->inv_norm);
    mz_free(w->cos);
}

/* Indices 0..n-1 (identity resample). NULL on no memory. */
static size_t *identity(size_t n) {
    size_t *idx = mz_malloc((n ? n : 1) * sizeof *idx);
    for (size_t i = 0; idx && i < n; i++)
        idx[i] = i;
    return idx;
}

mz_status mz_assoc_word_scores(double *out, const mz_word_set *w, const mz_word_set *a,
                               const mz_word_set *b, size_t dim, mz_ctx *ctx) {
    /* w stands in for both target sets; the attributes' mean direction serves every word */
    const mz_word_set none = {.name = "", .n = 0};
    const mz_word_set *sets[4] = {w, &none, a, b};
    weat_data d;
    mz_status rc = prepare(&d, sets, dim, 0, ctx);
    size_t *idx = identity(w->n > a->n + b->n ? w->n : a->n + b->n);
    double *m = mz_malloc(dim * sizeof *m);
    if (!rc && (!idx || !m)) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) scores(out, m, &d, idx, w->n, idx, a->n, idx + a->n, b->n);
    mz_free(m);
    mz_free(idx);
    release(&d);
    return rc;
}

static mz_status weat_observed(mz_weat_result *out, double *s, const weat_data *w, mz_ctx *ctx) {
    size_t nt = w->nx + w->ny, ncol = w->na + w->nb;
    size_t *idx = identity(nt > ncol ? nt : ncol);
    double *m = mz_malloc(w->dim * sizeof *m);
    mz_status rc = idx && m ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in WEAT");
    if (!rc) {
        scores(s, m, w, idx, nt, idx, w->na, idx + w->na, w->nb);
        out->effect_size = d_of(&out->mean_diff, s, w->nx, w->ny);
        out->statistic = 0;
        for (size_t i = 0; i < nt; i++)
            out->statistic += i < w->nx ? s[i] : -s[i];
        if (isnan(out->effect_size))
            rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                         "every target word has the same association "
                         "score: the effect size is not computable (zero spread)");
    }
    mz_free(idx);
    mz_free(m);
    return rc;
}

mz_status mz_weat(mz_weat_result *out, const mz_word_set *x, const mz_word_set *y,
                  const mz_word_set *a, const mz_word_set *b, size_t dim,
                  const mz_weat_options *opt, mz_ctx *ctx) {
    const mz_word_set *sets[4] = {x, y, a, b};
    mz_status rc = check_sets(sets, ctx);
    if (rc) return rc;
    *out = (mz_weat_result){0};
    weat_data w;
    rc = prepare(&w, sets, dim, 1, ctx);
    size_t nt = x->n + y->n;
    double *s = rc ? NULL : mz_malloc(nt * sizeof *s);
    if (!rc && !s) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = weat_observed(out, s, &w, ctx);
    mz_perm_options po = {.max_exact = opt->max_exact,
                          .n_resamples = opt->n_permutations,
                          .seed = opt->seed,
                          .progress = opt->progress};
    if (!rc) rc = mz_stats_perm_split(&out->perm, s, nt, x->n, &po, ctx);
    if (!rc && opt->n_bootstrap) {
        const size_t strata[4] = {w.nx, w.ny, w.na, w.nb};
        size_t scratch = (w.na + w.nb) * sizeof(size_t) + (nt + dim) * sizeof(double);
        rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, resampled_effect, &w, scratch, strata,
                                   4, opt->n_bootstrap, opt->ci_level, opt->seed, ctx);
        out->ci_level = opt->ci_level;
        out->n_bootstrap = opt->n_bootstrap;
    }
    mz_free(s);
    release(&w);
    return rc;
}
