/* WEAT with words as units: one table of mean cosines between every target row and every
 * attribute word (over that word's rows), from which row scores, word scores, the permutation
 * of target words and the bootstrap over words all follow. */
#include "mizani/weat_units.h"
#include "embedding_math.h"
#include "mizani/alloc.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

typedef struct table {
    double *m; /* [target rows, attribute words] mean cosine with the word's rows */
    size_t rows, cols, nw[4];
    const size_t *first, *count; /* per word */
    size_t *row_of;              /* [target words + 1]: each target word's first table row */
} table;

static void table_free(table *t) { mz_free(t->m), mz_free(t->row_of); }

/* Every row labelled with its word, so that a bad vector is reported by name. */
static mz_status cosines(table *t, const mz_unit_embeddings *in, double *cos, size_t n_rows,
                         size_t attr_row0, size_t attr_rows, mz_ctx *ctx) {
    const char **label = mz_malloc((n_rows ? n_rows : 1) * sizeof *label);
    if (!label) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t W = in->n_words[0] + in->n_words[1] + in->n_words[2] + in->n_words[3];
    for (size_t w = 0; w < W; w++)
        for (size_t r = 0; r < in->count[w]; r++)
            label[in->first[w] + r] = in->words ? in->words[w] : "";
    mz_word_set rows = {"targets", label, in->vectors, t->rows},
                cols = {"attributes", label + attr_row0, in->vectors + attr_row0 * in->dim,
                        attr_rows};
    mz_status rc = mz_cosine_matrix(cos, &rows, &cols, in->dim, ctx);
    mz_free(label);
    return rc;
}

/* Target words' rows must come first and in order (X's, Y's), attribute words' after. */
static mz_status build(table *t, const mz_unit_embeddings *in, mz_ctx *ctx) {
    memset(t, 0, sizeof *t);
    memcpy(t->nw, in->n_words, sizeof t->nw);
    t->first = in->first, t->count = in->count;
    size_t nt = t->nw[0] + t->nw[1], na = t->nw[2] + t->nw[3];
    t->cols = na;
    t->row_of = mz_malloc((nt + 1) * sizeof *t->row_of);
    if (!t->row_of) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t w = 0; w < nt; w++)
        t->row_of[w] = t->rows, t->rows += in->count[w];
    t->row_of[nt] = t->rows;
    size_t a0 = nt < nt + na ? in->first[nt] : 0, arows = 0;
    for (size_t w = nt; w < nt + na; w++)
        arows += in->count[w];
    for (size_t w = 0; w < nt + na; w++)
        if (!in->count[w] || (w < nt && in->first[w] != t->row_of[w]) ||
            (w >= nt && in->first[w] != (w == nt ? t->rows : in->first[w - 1] + in->count[w - 1])))
            return mz_fail(ctx, MZ_ERR_USAGE, NULL, "word %zu's rows are not in order", w);
    size_t n_cos = t->rows * arows;
    double *cos = mz_malloc((n_cos ? n_cos : 1) * sizeof *cos);
    t->m = mz_calloc(t->rows * na + 1, sizeof *t->m);
    mz_status rc = cos && t->m ? cosines(t, in, cos, t->rows + arows, a0, arows, ctx)
                               : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t r = 0; !rc && r < t->rows; r++)
        for (size_t a = 0; a < na; a++) {
            size_t off = in->first[nt + a] - a0, k = in->count[nt + a];
            for (size_t i = 0; i < k; i++)
                t->m[r * na + a] += cos[r * arows + off + i] / (double)k;
        }
    mz_free(cos);
    return rc;
}

/* s(row) with attribute columns ia[0..na) (A) and ib[0..nb) (B). */
static double row_score(const table *t, size_t r, const size_t *ia, size_t na, const size_t *ib,
                        size_t nb) {
    double sa = 0, sb = 0;
    for (size_t i = 0; i < na; i++)
        sa += t->m[r * t->cols + ia[i]];
    for (size_t i = 0; i < nb; i++)
        sb += t->m[r * t->cols + ib[i]];
    return sa / (double)na - sb / (double)nb;
}

/* d over the rows of target words tw[0..nx) (X) and tw[nx..nx+ny) (Y); s: scratch. */
static double rows_d(const table *t, const size_t *tw, size_t nx, size_t ny, const size_t *ia,
                     const size_t *ib, double *s) {
    size_t k = 0, kx = 0;
    for (size_t i = 0; i < nx + ny; i++) {
        for (size_t r = t->row_of[tw[i]]; r < t->row_of[tw[i] + 1]; r++)
            s[k++] = row_score(t, r, ia, t->nw[2], ib, t->nw[3]);
        if (i + 1 == nx) kx = k;
    }
    return mz_weat_d(s, kx, k - kx);
}

typedef struct boot {
    const table *t;
    size_t max_rows;
} boot;

/* idx: X words, Y words (table indices), then A and B words offset by the target count. */
static double resampled_d(const size_t *idx, void *data, void *scratch) {
    const boot *b = data;
    const table *t = b->t;
    size_t nt = t->nw[0] + t->nw[1], na = t->nw[2] + t->nw[3];
    size_t *cols = scratch;
    double *s = (double *)(cols + na);
    for (size_t i = 0; i < na; i++)
        cols[i] = idx[nt + i] - nt;
    return rows_d(t, idx, t->nw[0], t->nw[1], cols, cols + t->nw[2], s);
}

/* Target words in strata holding both groups: the units that can trade labels. */
static void movable(size_t mov[2], const int *stratum, size_t nx, size_t nt) {
    mov[0] = mov[1] = 0;
    for (size_t w = 0; w < nt; w++) {
        int both[2] = {0, 0};
        for (size_t v = 0; v < nt; v++)
            if (!stratum || stratum[v] == stratum[w]) both[v >= nx] = 1;
        if (both[0] && both[1]) mov[w >= nx]++;
    }
}

static mz_status observed(mz_weat_units_result *out, const table *t, double *u, size_t *ix,
                          const mz_unit_embeddings *in, mz_ctx *ctx) {
    size_t nt = t->nw[0] + t->nw[1], na = t->nw[2] + t->nw[3];
    double *s = mz_malloc((t->rows ? t->rows : 1) * sizeof *s);
    if (!s) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < nt || i < na; i++)
        ix[i] = i;
    out->effect_size = rows_d(t, ix, t->nw[0], t->nw[1], ix, ix + t->nw[2], s);
    for (size_t w = 0; w < nt; w++) {
        u[w] = 0;
        for (size_t r = t->row_of[w]; r < t->row_of[w + 1]; r++)
            u[w] += s[r] / (double)(t->row_of[w + 1] - t->row_of[w]);
    }
    out->word_effect = mz_weat_d(u, t->nw[0], t->nw[1]);
    if (in->row_scores) memcpy(in->row_scores, s, t->rows * sizeof *s);
    if (in->word_scores) memcpy(in->word_scores, u, nt * sizeof *u);
    mz_free(s);
    if (!isfinite(out->effect_size) || !isfinite(out->word_effect))
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "every target word has the same association score: the effect size is "
                       "not computable (zero spread)");
    return MZ_OK;
}

static mz_status test_words(mz_weat_units_result *out, const mz_unit_embeddings *in,
                            const double *u, const mz_weat_options *opt, double alpha,
                            mz_ctx *ctx) {
    size_t nx = in->n_words[0], nt = nx + in->n_words[1], mov[2];
    int *first = mz_malloc(nt * sizeof *first);
    if (!first) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t w = 0; w < nt; w++)
        first[w] = w < nx;
    movable(mov, in->stratum, nx, nt);
    double arrangements = mz_stats_strata_arrangements(first, in->stratum, nt);
    mz_stats_inference_set(&out->inference, "target words", mov[0] + mov[1],
                           mz_stats_mde_two_groups(mov[0], mov[1], alpha, 1, 0.8),
                           arrangements > 0 ? 1 / arrangements : 1, alpha);
    mz_perm_options po = {.max_exact = opt->max_exact,
                          .n_resamples = opt->n_permutations,
                          .seed = opt->seed,
                          .progress = opt->progress};
    out->p_value = NAN;
    mz_status rc = mz_stats_strata_z(&out->z, u, first, in->stratum, nt, ctx);
    if (!rc && out->inference.can_reach && (opt->max_exact || opt->n_permutations)) {
        rc = mz_stats_perm_strata(&out->perm, u, first, in->stratum, nt, &po, ctx);
        if (!rc) out->p_value = out->perm.p_value;
    }
    mz_free(first);
    return rc;
}

/* Mean and sample standard deviation of the finite values of x[0..n); their count. */
static size_t finite_moments(const double *x, size_t n, double *mean, double *sd) {
    size_t k = 0;
    double m = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) { /* Welford: copies' z may sit far from zero */
            double delta = x[i] - m;
            m += delta / (double)++k;
            ss += delta * (x[i] - m);
        }
    *mean = k ? m : NAN;
    *sd = k > 1 ? sqrt(ss / (double)(k - 1)) : NAN;
    return k;
}

mz_status mz_weat_units_reference(mz_weat_units_result *r, const double *z, const double *d,
                                  size_t k, mz_ctx *ctx) {
    mz_null_reference *f = &r->ref;
    memset(f, 0, sizeof *f);
    f->p_value = NAN;
    f->n_copies = finite_moments(z, k, &f->z_mean, &f->z_sd);
    finite_moments(d, k, &f->d_mean, &f->d_sd);
    if (f->n_copies < 3 || !(f->z_sd > 0))
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "the null reference needs the test on at least 3 random copies with some "
                       "spread; it has %zu",
                       f->n_copies);
    if (!isfinite(r->z)) return MZ_OK; /* no word can move: nothing to compare */
    for (size_t i = 0; i < k; i++)
        f->n_reached += isfinite(z[i]) && z[i] >= r->z;
    double K = (double)f->n_copies, t = (r->z - f->z_mean) / (f->z_sd * sqrt(1 + 1 / K));
    f->p_value = gsl_cdf_tdist_Q(t, K - 1);
    if (isfinite(r->p_value)) r->p_value = fmax(r->p_value, f->p_value);
    return MZ_OK;
}

mz_status mz_weat_units(mz_weat_units_result *out, const mz_unit_embeddings *in,
                        const mz_weat_options *opt, double alpha, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    out->p_value = out->ci_lo = out->ci_hi = NAN;
    static const char *roles[4] = {"target X", "target Y", "attribute A", "attribute B"};
    for (int i = 0; i < 4; i++)
        if (in->n_words[i] < (i < 2 ? 2u : 1u))
            return mz_fail(ctx, MZ_ERR_INPUT, NULL, "the %s list has %zu words; WEAT needs %d",
                           roles[i], in->n_words[i], i < 2 ? 2 : 1);
    table t;
    size_t nt = in->n_words[0] + in->n_words[1], na = in->n_words[2] + in->n_words[3];
    double *u = mz_malloc(nt * sizeof *u);
    size_t *ix = mz_malloc((nt > na ? nt : na) * sizeof *ix);
    mz_status rc = u && ix ? build(&t, in, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = observed(out, &t, u, ix, in, ctx);
    if (!rc) rc = test_words(out, in, u, opt, alpha, ctx);
    if (!rc && opt->n_bootstrap) {
        size_t max_count = 0;
        for (size_t w = 0; w < nt; w++)
            max_count = in->count[w] > max_count ? in->count[w] : max_count;
        boot b = {&t, max_count * nt};
        const size_t strata[4] = {in->n_words[0], in->n_words[1], in->n_words[2], in->n_words[3]};
        rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, resampled_d, &b,
                                   na * sizeof(size_t) + b.max_rows * sizeof(double), strata, 4,
                                   opt->n_bootstrap, opt->ci_level, opt->seed, ctx);
        out->ci_level = opt->ci_level;
    }
    if (u && ix) table_free(&t);
    mz_free(u), mz_free(ix);
    return rc;
}
