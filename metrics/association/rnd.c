/* RND, relative norm distance (Garg et al. 2018), with a permutation test on the group labels.
 * Every distance follows from dot products: |s - m|^2 = |s|^2 - 2 s.m + |m|^2 with m the mean
 * of the group's rows, so one table of s.g and one of g.g serve the observed labels and every
 * relabelling, without touching the vectors again. The vectors are unit-normalised first (as
 * Garg et al.) or used as given (sweater's and WEFE's convention). */
#include "embedding_math.h"
#include "mizani/alloc.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#define PERM_BLOCK  256
#define PERM_STREAM 0x9E7A11ABUL

typedef struct rnd_tables {
    const double *sg; /* [n_s, n_g] s_i . g_j; groups A then B */
    const double *gg; /* [n_g, n_g] g_j . g_l */
    const double *ss; /* [n_s] |s_i|^2 */
    size_t n_s, na, nb;
} rnd_tables;

/* |m|^2 for m the mean of the group rows listed in rows[0..n): the same for every word. */
static double mean_sq(const rnd_tables *t, const size_t *rows, size_t n) {
    size_t ng = t->na + t->nb;
    double sq = 0;
    for (size_t j = 0; j < n; j++)
        for (size_t l = 0; l < n; l++)
            sq += t->gg[rows[j] * ng + rows[l]];
    return sq / ((double)n * (double)n);
}

/* Distance from word i to that mean. */
static double dist_to_mean(const rnd_tables *t, size_t i, const size_t *rows, size_t n,
                           double msq) {
    size_t ng = t->na + t->nb;
    double dot = 0;
    for (size_t j = 0; j < n; j++)
        dot += t->sg[i * ng + rows[j]];
    return sqrt(fmax(0, t->ss[i] - 2 * dot / (double)n + msq));
}

/* RND with A = rows order[0..na) and B = the rest. */
static double rnd_of(double *per_word, const rnd_tables *t, const size_t *order) {
    double qa = mean_sq(t, order, t->na), qb = mean_sq(t, order + t->na, t->nb), total = 0;
    for (size_t i = 0; i < t->n_s; i++) {
        double d =
            dist_to_mean(t, i, order, t->na, qa) - dist_to_mean(t, i, order + t->na, t->nb, qb);
        if (per_word) per_word[i] = d;
        total += d;
    }
    return total;
}

/* Two-sided Monte Carlo p over random relabellings of A∪B into groups of the same sizes. */
static mz_status permutation_p(mz_metric_result *out, const rnd_tables *t,
                               const mz_metric_options *opt, mz_ctx *ctx) {
    size_t ng = t->na + t->nb;
    uint64_t n_blocks = (opt->n_permutations + PERM_BLOCK - 1) / PERM_BLOCK, hits = 0;
    double observed = fabs(out->value), gamma = fmax(1e-14, 1e-14 * observed);
    int failed = 0;
#pragma omp parallel reduction(+ : hits) reduction(| : failed)
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        size_t *order = mz_malloc(ng * sizeof *order);
        failed = !rng || !order;
#pragma omp for schedule(dynamic)
        for (uint64_t blk = 0; blk < n_blocks; blk++) {
            if (failed) continue;
            gsl_rng_set(rng, mz_stats_block_seed(opt->seed ^ PERM_STREAM, blk));
            for (size_t i = 0; i < ng; i++)
                order[i] = i;
            uint64_t end = (blk + 1) * PERM_BLOCK < opt->n_permutations ? (blk + 1) * PERM_BLOCK
                                                                        : opt->n_permutations;
            for (uint64_t r = blk * PERM_BLOCK; r < end; r++) {
                gsl_ran_shuffle(rng, order, ng, sizeof *order);
                hits += fabs(rnd_of(NULL, t, order)) >= observed - gamma;
            }
        }
        mz_free(order);
        if (rng) gsl_rng_free(rng);
    }
    if (failed) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in RND permutations");
    out->p_value = ((double)hits + 1) / ((double)opt->n_permutations + 1);
    out->mc_se = sqrt(out->p_value * (1 - out->p_value) / (double)opt->n_permutations);
    return MZ_OK;
}

/* rows: [n, dim] the set's rows in double precision, scaled to length 1 when `unit`. */
static void copy_rows(double *rows, const mz_word_set *set, size_t dim, int unit) {
    for (size_t i = 0; i < set->n; i++) {
        const float *v = set->vectors + i * dim;
        double norm = 0;
        for (size_t k = 0; k < dim; k++)
            norm += (double)v[k] * v[k];
        norm = unit ? sqrt(norm) : 1;
        for (size_t k = 0; k < dim; k++)
            rows[i * dim + k] = v[k] / norm;
    }
}

static void dot_table(double *out, const double *p, size_t np, const double *q, size_t nq,
                      size_t dim) {
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < nq; j++) {
            double d = 0;
            for (size_t k = 0; k < dim; k++)
                d += p[i * dim + k] * q[j * dim + k];
            out[i * nq + j] = d;
        }
}

mz_status mz_assoc_rnd(mz_metric_result *out, double *per_word, const mz_word_set *s,
                       const mz_word_set *a, const mz_word_set *b, size_t dim,
                       const mz_metric_options *opt, mz_ctx *ctx) {
    *out = (mz_metric_result){.p_value = NAN};
    if (!s->n || !a->n || !b->n)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "RND needs non-empty sets");
    const mz_word_set *sets[3] = {s, a, b};
    for (int i = 0; i < 3; i++) {
        mz_status rc = mz_vectors_check(sets[i], dim, ctx);
        if (rc) return rc;
    }
    size_t ng = a->n + b->n;
    double *us = mz_malloc(((s->n + ng) * dim + s->n * ng + ng * ng + 2 * s->n) * sizeof *us);
    size_t *order = mz_malloc(ng * sizeof *order);
    if (!us || !order) {
        mz_free(us);
        mz_free(order);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    double *ug = us + s->n * dim, *sg = ug + ng * dim, *gg = sg + s->n * ng, *ss = gg + ng * ng,
           *values = ss + s->n;
    int unit = !opt->rnd_as_given;
    copy_rows(us, s, dim, unit);
    copy_rows(ug, a, dim, unit);
    copy_rows(ug + a->n * dim, b, dim, unit);
    dot_table(sg, us, s->n, ug, ng, dim);
    dot_table(gg, ug, ng, ug, ng, dim);
    for (size_t i = 0; i < s->n; i++)
        dot_table(&ss[i], us + i * dim, 1, us + i * dim, 1, dim);
    for (size_t i = 0; i < ng; i++)
        order[i] = i;
    rnd_tables t = {sg, gg, ss, s->n, a->n, b->n};
    out->value = rnd_of(values, &t, order);
    if (per_word) memcpy(per_word, values, s->n * sizeof *values);
    mz_status rc = mz_metric_ci(out, values, s->n, 1, opt, ctx);
    if (!rc && opt->n_permutations) rc = permutation_p(out, &t, opt, ctx);
    mz_free(order);
    mz_free(us);
    return rc;
}
