/* RND, relative norm distance (Garg et al. 2018), with a permutation test on the group labels. */
#include "mizani/alloc.h"
#include "embedding_math.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#define PERM_BLOCK 256
#define PERM_STREAM 0x9E7A11ABUL

/* sum over s of |s - mean(A)| - |s - mean(B)| on unit vectors, with A and B given as rows of
 * `groups` picked by order[0..na) and order[na..na+nb); means: [2, dim] scratch. */
static double rnd_of(double *per_word, const mz_word_set *s, const mz_word_set *groups,
                     const size_t *order, size_t na, size_t nb, size_t dim, double *means) {
    double *ma = means, *mb = means + dim;
    memset(means, 0, 2 * dim * sizeof *means);
    for (size_t i = 0; i < na + nb; i++) {
        const float *v = groups->vectors + order[i] * dim;
        double *m = i < na ? ma : mb, norm = 0;
        for (size_t k = 0; k < dim; k++) norm += (double)v[k] * v[k];
        norm = sqrt(norm) * (double)(i < na ? na : nb);
        for (size_t k = 0; k < dim; k++) m[k] += v[k] / norm;
    }
    double total = 0;
    for (size_t i = 0; i < s->n; i++) {
        const float *u = s->vectors + i * dim;
        double d = mz_dist_fd(u, ma, dim, 1) - mz_dist_fd(u, mb, dim, 1);
        if (per_word) per_word[i] = d;
        total += d;
    }
    return total;
}

/* Two-sided Monte Carlo p over random relabellings of A∪B into groups of the same sizes. */
static mz_status permutation_p(mz_metric_result *out, const mz_word_set *s,
                               const mz_word_set *groups, size_t na, size_t nb, size_t dim,
                               const mz_metric_options *opt, mz_ctx *ctx) {
    uint64_t n_blocks = (opt->n_permutations + PERM_BLOCK - 1) / PERM_BLOCK, hits = 0;
    double observed = fabs(out->value), gamma = fmax(1e-14, 1e-14 * observed);
    int failed = 0;
#pragma omp parallel reduction(+ : hits) reduction(| : failed)
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        size_t *order = mz_malloc((na + nb) * sizeof *order);
        double *means = mz_malloc(2 * dim * sizeof *means);
        failed = !rng || !order || !means;
#pragma omp for schedule(dynamic)
        for (uint64_t blk = 0; blk < n_blocks; blk++) {
            if (failed) continue;
            gsl_rng_set(rng, mz_stats_block_seed(opt->seed ^ PERM_STREAM, blk));
            for (size_t i = 0; i < na + nb; i++) order[i] = i;
            uint64_t end = (blk + 1) * PERM_BLOCK < opt->n_permutations ? (blk + 1) * PERM_BLOCK
                                                                        : opt->n_permutations;
            for (uint64_t r = blk * PERM_BLOCK; r < end; r++) {
                gsl_ran_shuffle(rng, order, na + nb, sizeof *order);
                hits += fabs(rnd_of(NULL, s, groups, order, na, nb, dim, means)) >= observed - gamma;
            }
        }
        mz_free(means);
        mz_free(order);
        if (rng) gsl_rng_free(rng);
    }
    if (failed) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in RND permutations");
    out->p_value = ((double)hits + 1) / ((double)opt->n_permutations + 1);
    out->mc_se = sqrt(out->p_value * (1 - out->p_value) / (double)opt->n_permutations);
    return MZ_OK;
}

mz_status mz_assoc_rnd(mz_metric_result *out, double *per_word, const mz_word_set *s,
                       const mz_word_set *a, const mz_word_set *b, size_t dim,
                       const mz_metric_options *opt, mz_ctx *ctx) {
    *out = (mz_metric_result){.p_value = NAN};
    if (!s->n || !a->n || !b->n) return mz_fail(ctx, MZ_ERR_INPUT, NULL, "RND needs non-empty sets");
    const mz_word_set *sets[3] = {s, a, b};
    for (int i = 0; i < 3; i++) {
        mz_status rc = mz_vectors_check(sets[i], dim, ctx);
        if (rc) return rc;
    }
    size_t n = a->n + b->n;
    float *stacked = mz_malloc(n * dim * sizeof *stacked);
    size_t *order = mz_malloc(n * sizeof *order);
    double *means = mz_malloc((2 * dim + s->n) * sizeof *means), *values = means + 2 * dim;
    mz_status rc = stacked && order && means ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) {
        memcpy(stacked, a->vectors, a->n * dim * sizeof *stacked);
        memcpy(stacked + a->n * dim, b->vectors, b->n * dim * sizeof *stacked);
        for (size_t i = 0; i < n; i++) order[i] = i;
        mz_word_set groups = {.name = "A+B", .vectors = stacked, .n = n};
        out->value = rnd_of(values, s, &groups, order, a->n, b->n, dim, means);
        if (per_word) memcpy(per_word, values, s->n * sizeof *values);
        rc = mz_metric_ci(out, values, s->n, 1, opt, ctx);
        if (!rc && opt->n_permutations)
            rc = permutation_p(out, s, &groups, a->n, b->n, dim, opt, ctx);
    }
    mz_free(stacked);
    mz_free(order);
    mz_free(means);
    return rc;
}
