/* Permutation tests under restricted randomisation: group labels traded only within strata
 * (words of equal token count, so that tokenization alone cannot separate the groups), and
 * signs flipped per cluster (minimal pairs that share a target word move together). The unit
 * that moves is what varies between replications of a study; everything else stays fixed. */
#include "mizani/alloc.h"
#include "mizani/stats.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MC_BLOCK 1024 /* resamples per generator: the unit of parallel, seeded work */

/* One stratum that can move: n values of which k carry the first label. */
typedef struct stratum {
    double *v;
    size_t n, k;
    double *sums; /* exact: every k-subset's sum */
    size_t n_sums;
} stratum;

typedef struct strata {
    stratum *s;
    size_t n;
    double fixed;    /* the first group's values in strata that cannot move */
    double observed; /* the first group's sum as labelled */
    double count;    /* arrangements: the product of C(n, k) */
} strata;

static void strata_free(strata *st) {
    for (size_t i = 0; st->s && i < st->n; i++)
        mz_free(st->s[i].v), mz_free(st->s[i].sums);
    mz_free(st->s);
}

static int stratum_cmp(const void *a, const void *b) {
    const int *x = a, *y = b; /* pairs (label, index) */
    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

/* Groups the values by stratum label, in order of label then index (deterministic). */
static mz_status build(strata *st, const double *s, const int *first, const int *label, size_t n,
                       mz_ctx *ctx) {
    memset(st, 0, sizeof *st);
    st->count = 1;
    int *order = mz_malloc((n ? n : 1) * 2 * sizeof *order);
    st->s = mz_calloc(n ? n : 1, sizeof *st->s);
    if (!order || !st->s) {
        mz_free(order);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
    }
    for (size_t i = 0; i < n; i++)
        order[2 * i] = label ? label[i] : 0, order[2 * i + 1] = (int)i;
    qsort(order, n, 2 * sizeof *order, stratum_cmp);
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n;) {
        size_t j = i, k = 0;
        while (j < n && order[2 * j] == order[2 * i])
            k += first[order[2 * j + 1]] != 0, j++;
        stratum *x = &st->s[st->n];
        if (!(x->v = mz_malloc((j - i) * sizeof *x->v)))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
        for (size_t m = i; !rc && m < j; m++) {
            double v = s[order[2 * m + 1]];
            x->v[m - i] = v;
            if (first[order[2 * m + 1]]) st->observed += v;
            if (first[order[2 * m + 1]] && (k == j - i)) st->fixed += v;
        }
        x->n = j - i, x->k = k;
        if (!rc && k > 0 && k < x->n)
            st->count *= mz_stats_choose(x->n, k), st->n++;
        else
            mz_free(x->v), x->v = NULL;
        i = j;
    }
    mz_free(order);
    return rc;
}

/* Every k-subset sum of one stratum, in lexicographic order of subsets. */
static mz_status subset_sums(stratum *x, mz_ctx *ctx) {
    x->n_sums = (size_t)mz_stats_choose(x->n, x->k);
    size_t *idx = mz_malloc(x->k * sizeof *idx);
    x->sums = mz_malloc(x->n_sums * sizeof *x->sums);
    if (!idx || !x->sums) {
        mz_free(idx);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
    }
    for (size_t i = 0; i < x->k; i++)
        idx[i] = i;
    for (size_t at = 0; at < x->n_sums; at++) {
        double sum = 0;
        for (size_t i = 0; i < x->k; i++)
            sum += x->v[idx[i]];
        x->sums[at] = sum;
        size_t i = x->k;
        while (i > 0 && idx[i - 1] == x->n - x->k + i - 1)
            i--;
        if (i == 0) break;
        idx[i - 1]++;
        for (size_t j = i; j < x->k; j++)
            idx[j] = idx[j - 1] + 1;
    }
    mz_free(idx);
    return MZ_OK;
}

/* Arrangements of strata [from, n) whose sum added to `partial` reaches the threshold. */
static uint64_t count_exact(const strata *st, size_t from, double partial, double threshold) {
    if (from == st->n) return partial >= threshold;
    uint64_t hits = 0;
    const stratum *x = &st->s[from];
    for (size_t i = 0; i < x->n_sums; i++)
        hits += count_exact(st, from + 1, partial + x->sums[i], threshold);
    return hits;
}

static double draw_sum(const strata *st, gsl_rng *rng, size_t *perm) {
    double sum = st->fixed;
    for (size_t s = 0; s < st->n; s++) {
        const stratum *x = &st->s[s];
        for (size_t i = 0; i < x->n; i++)
            perm[i] = i;
        for (size_t i = 0; i < x->k; i++) { /* partial Fisher-Yates: the first k drawn */
            size_t j = i + gsl_rng_uniform_int(rng, x->n - i), t = perm[i];
            perm[i] = perm[j], perm[j] = t;
            sum += x->v[perm[i]];
        }
    }
    return sum;
}

/* Monte Carlo hits in seeded blocks; `fn` is the statistic of one random arrangement. */
typedef double (*draw_fn)(const void *data, gsl_rng *rng, size_t *scratch);

static mz_status count_mc(uint64_t *hits_out, draw_fn fn, const void *data, size_t scratch_n,
                          double threshold, const mz_perm_options *opt, mz_ctx *ctx) {
    uint64_t n_blocks = (opt->n_resamples + MC_BLOCK - 1) / MC_BLOCK, hits = 0;
    int failed = 0;
#pragma omp parallel reduction(+ : hits) reduction(| : failed)
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
        size_t *scratch = mz_malloc((scratch_n ? scratch_n : 1) * sizeof *scratch);
        failed = !rng || !scratch;
#pragma omp for schedule(dynamic)
        for (uint64_t b = 0; b < n_blocks; b++) {
            if (failed) continue;
            uint64_t count = b + 1 < n_blocks ? MC_BLOCK : opt->n_resamples - b * MC_BLOCK;
            gsl_rng_set(rng, mz_stats_block_seed(opt->seed, b));
            for (uint64_t r = 0; r < count; r++)
                hits += fn(data, rng, scratch) >= threshold;
        }
        mz_free(scratch);
        if (rng) gsl_rng_free(rng);
    }
    if (failed) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in permutation test");
    *hits_out = hits;
    return MZ_OK;
}

static double strata_draw(const void *data, gsl_rng *rng, size_t *perm) {
    return draw_sum(data, rng, perm);
}

/* p from hits: exact, or Monte Carlo as (hits + 1) / (R + 1) with its standard error. */
static mz_status finish(mz_perm_result *out, uint64_t hits, double count, int exact,
                        const mz_perm_options *opt) {
    out->exact = exact;
    if (exact) {
        out->n_splits = (uint64_t)count;
        out->p_value = (double)hits / count;
        return MZ_OK;
    }
    double p = ((double)hits + 1) / ((double)opt->n_resamples + 1);
    out->p_value = p;
    out->mc_se = sqrt(p * (1 - p) / (double)opt->n_resamples);
    out->n_splits = opt->n_resamples;
    return MZ_OK;
}

static mz_status check_finite(const double *s, size_t n, mz_ctx *ctx) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(s[i]))
            return mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                           "value %zu of the permutation test is not finite", i);
    return MZ_OK;
}

/* The values checked and grouped into strata; nothing to free on failure. */
static mz_status open_strata(strata *st, const double *s, const int *first, const int *label,
                             size_t n, mz_ctx *ctx) {
    mz_status rc = check_finite(s, n, ctx);
    if (!rc && (rc = build(st, s, first, label, n, ctx))) strata_free(st);
    return rc;
}

double mz_stats_strata_arrangements(const int *first, const int *label, size_t n) {
    strata st;
    double *s = mz_calloc(n ? n : 1, sizeof *s), count = 0; /* the values do not matter */
    if (s && !build(&st, s, first, label, n, NULL)) count = st.count;
    if (s) strata_free(&st);
    mz_free(s);
    return count;
}

mz_status mz_stats_strata_z(double *z, const double *s, const int *first, const int *label,
                            size_t n, mz_ctx *ctx) {
    *z = NAN;
    strata st;
    mz_status rc = open_strata(&st, s, first, label, n, ctx);
    if (rc) return rc;
    double mean = st.fixed, var = 0; /* of the first group's sum over the arrangements */
    for (size_t i = 0; i < st.n; i++) {
        const stratum *x = &st.s[i];
        double m = 0, ss = 0;
        for (size_t j = 0; j < x->n; j++)
            m += x->v[j] / (double)x->n;
        for (size_t j = 0; j < x->n; j++)
            ss += (x->v[j] - m) * (x->v[j] - m);
        mean += (double)x->k * m;
        var += (double)(x->k * (x->n - x->k)) / (double)(x->n * (x->n - 1)) * ss;
    }
    if (var > 0) *z = (st.observed - mean) / sqrt(var);
    strata_free(&st);
    return MZ_OK;
}

mz_status mz_stats_perm_strata(mz_perm_result *out, const double *s, const int *first,
                               const int *label, size_t n, const mz_perm_options *opt,
                               mz_ctx *ctx) {
    *out = (mz_perm_result){0};
    strata st;
    mz_status rc = open_strata(&st, s, first, label, n, ctx);
    if (rc) return rc;
    /* scipy's tolerance: arrangements equal in theory but not in rounding count as ties */
    double threshold = st.observed - fmax(1e-14, fabs(1e-14 * st.observed));
    uint64_t hits = 0;
    int exact = opt->max_exact > 0 && st.count <= (double)opt->max_exact;
    size_t widest = 0;
    for (size_t i = 0; i < st.n; i++)
        widest = st.s[i].n > widest ? st.s[i].n : widest;
    if (st.n == 0)
        hits = 1, exact = 1; /* nothing can move: the observed arrangement is the only one */
    else if (exact) {
        for (size_t i = 0; !rc && i < st.n; i++)
            rc = subset_sums(&st.s[i], ctx);
        if (!rc) hits = count_exact(&st, 0, st.fixed, threshold);
    } else if (!opt->n_resamples)
        rc = mz_fail(ctx, MZ_ERR_USAGE, NULL,
                     "%.0f arrangements are too many to enumerate and no Monte Carlo resamples "
                     "were asked for",
                     st.count);
    else
        rc = count_mc(&hits, strata_draw, &st, widest, threshold, opt, ctx);
    if (!rc) finish(out, hits, st.count, exact, opt);
    strata_free(&st);
    return rc;
}

/* ---- Sign flips of clusters ------------------------------------------------------------ */

typedef struct flips {
    const double *c;
    size_t k;
} flips;

static double flip_draw(const void *data, gsl_rng *rng, size_t *scratch) {
    const flips *f = data;
    double sum = 0;
    (void)scratch;
    for (size_t i = 0; i < f->k; i += 32) {
        uint32_t bits = (uint32_t)gsl_rng_get(rng);
        for (size_t j = i; j < f->k && j < i + 32; j++)
            sum += bits >> (j - i) & 1 ? f->c[j] : -f->c[j];
    }
    return fabs(sum);
}

mz_status mz_stats_sign_flip(mz_perm_result *out, const double *c, size_t k,
                             const mz_perm_options *opt, mz_ctx *ctx) {
    *out = (mz_perm_result){0};
    mz_status rc = check_finite(c, k, ctx);
    if (rc) return rc;
    double observed = 0;
    for (size_t i = 0; i < k; i++)
        observed += c[i];
    observed = fabs(observed);
    double threshold = observed - fmax(1e-14, fabs(1e-14 * observed)), count = ldexp(1, (int)k);
    uint64_t hits = 0;
    flips f = {c, k};
    int exact = opt->max_exact > 0 && k < 63 && count <= (double)opt->max_exact;
    if (exact)
        for (uint64_t m = 0; m < (uint64_t)count; m++) {
            double sum = 0;
            for (size_t j = 0; j < k; j++)
                sum += m >> j & 1 ? c[j] : -c[j];
            hits += fabs(sum) >= threshold;
        }
    else if (!opt->n_resamples)
        rc = mz_fail(ctx, MZ_ERR_USAGE, NULL,
                     "2^%zu sign patterns are too many to enumerate and no Monte Carlo resamples "
                     "were asked for",
                     k);
    else
        rc = count_mc(&hits, flip_draw, &f, 0, threshold, opt, ctx);
    if (!rc) finish(out, hits, count, exact, opt);
    return rc;
}
