/* Masked-template association (Kurita et al. 2019) from the grid of scores: each attribute's
 * group difference, each target word's mean, and inference over what varies between
 * replications, the target words and the attributes (crossed): the test permutes target words
 * between the groups within strata of equal token count, the interval resamples target words
 * within groups and attributes together. */
#include "mizani/alloc.h"
#include "mizani/likelihood.h"

#include <math.h>
#include <string.h>

typedef struct grid {
    double *m; /* [n_attr, W] each computable attribute's word means over frames */
    size_t n_attr, n0, n1;
} grid;

/* idx: n0 group-0 words, n1 group-1 words (indices n0..), then n_attr attributes (offset). */
static double resampled_bias(const size_t *idx, void *data, void *scratch) {
    const grid *g = data;
    size_t W = g->n0 + g->n1;
    double sum = 0;
    (void)scratch;
    for (size_t a = 0; a < g->n_attr; a++) {
        const double *row = g->m + (idx[W + a] - W) * W;
        double m0 = 0, m1 = 0;
        for (size_t i = 0; i < g->n0; i++)
            m0 += row[idx[i]] / (double)g->n0;
        for (size_t i = 0; i < g->n1; i++)
            m1 += row[idx[g->n0 + i]] / (double)g->n1;
        sum += m0 - m1;
    }
    return sum / (double)g->n_attr;
}

/* The word means of the computable attributes, and the descriptive per-attribute figures. */
static void fill_grid(grid *g, mz_masked_result *r, const double *cell) {
    size_t W = g->n0 + g->n1, F = r->n_frames, at = 0;
    memset(r->word_mean, 0, W * sizeof *r->word_mean);
    for (size_t a = 0; a < r->n_attributes; a++) {
        mz_masked_attribute *x = &r->attributes[a];
        if (!x->computable) continue;
        double *row = g->m + at++ * W;
        x->group_mean[0] = x->group_mean[1] = 0;
        for (size_t w = 0; w < W; w++) {
            row[w] = 0;
            for (size_t f = 0; f < F; f++)
                row[w] += cell[(a * W + w) * F + f] / (double)F;
            x->group_mean[w >= g->n0] += row[w] / (double)(w < g->n0 ? g->n0 : g->n1);
            r->word_mean[w] += row[w] / (double)g->n_attr;
        }
        x->bias = x->group_mean[0] - x->group_mean[1];
        r->mean_bias += x->bias / (double)g->n_attr;
        r->lean_first += x->bias > 0;
    }
}

/* Two-sided permutation p of per-word values x [W] between the groups within strata: twice the
 * smaller one-sided p; *perm keeps the upper side's result. */
static mz_status word_test(double *p, mz_perm_result *perm, const double *x, const int *first,
                           const int *strata, size_t W, unsigned long seed, mz_ctx *ctx) {
    double *neg = mz_malloc(W * sizeof *neg);
    if (!neg) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t w = 0; w < W; w++)
        neg[w] = -x[w];
    mz_perm_options po = {.max_exact = 1000000, .n_resamples = 20000, .seed = seed};
    mz_perm_result lo;
    mz_status rc = mz_stats_perm_strata(perm, x, first, strata, W, &po, ctx);
    if (!rc) rc = mz_stats_perm_strata(&lo, neg, first, strata, W, &po, ctx);
    if (!rc) *p = fmin(1, 2 * fmin(perm->p_value, lo.p_value));
    mz_free(neg);
    return rc;
}

/* Units that can move (words in strata holding both groups), the pooled within-group spread
 * of the per-word values x, and from them the smallest detectable difference in x's units. */
static void inference(mz_inference *inf, const double *x, const int *first, const int *strata,
                      const size_t n_words[2], double alpha) {
    size_t W = n_words[0] + n_words[1], mov[2] = {0, 0};
    for (size_t w = 0; w < W; w++) {
        int both[2] = {0, 0};
        for (size_t v = 0; v < W; v++)
            if (strata[v] == strata[w]) both[!first[v]] = 1;
        if (both[0] && both[1]) mov[!first[w]]++;
    }
    double mean[2] = {0, 0}, ss = 0;
    for (size_t w = 0; w < W; w++)
        mean[!first[w]] += x[w] / (double)n_words[!first[w]];
    for (size_t w = 0; w < W; w++)
        ss += pow(x[w] - mean[!first[w]], 2);
    double sd = W > 2 ? sqrt(ss / (double)(W - 2)) : NAN;
    double arrangements = mz_stats_strata_arrangements(first, strata, W);
    mz_stats_inference_set(inf, "target words", mov[0] + mov[1],
                           mz_stats_mde_two_groups(mov[0], mov[1], alpha, 2, 0.8) * sd,
                           fmin(1, 2 / arrangements), alpha);
}

static int *first_group(size_t n0, size_t W) {
    int *first = mz_malloc((W + 1) * sizeof *first);
    for (size_t w = 0; first && w < W; w++)
        first[w] = w < n0;
    return first;
}

/* Word w's mean over frames and the attributes computable in both sets, in set r. */
static double common_mean(const mz_masked_result *r, const mz_masked_result *other, size_t w,
                          size_t n_common) {
    size_t W = r->n_words[0] + r->n_words[1], F = r->n_frames;
    double sum = 0;
    for (size_t a = 0; a < r->n_attributes; a++)
        if (r->attributes[a].computable && other->attributes[a].computable)
            for (size_t f = 0; f < F; f++)
                sum += r->cells[(a * W + w) * F + f] / (double)(F * n_common);
    return sum;
}

typedef struct paired {
    const double *d;
    size_t n0, n1;
} paired;

/* The first group's mean of the resampled paired differences minus the second's. */
static double resampled_difference(const size_t *idx, void *data, void *scratch) {
    const paired *x = data;
    double m0 = 0, m1 = 0;
    (void)scratch;
    for (size_t i = 0; i < x->n0; i++)
        m0 += x->d[idx[i]] / (double)x->n0;
    for (size_t i = 0; i < x->n1; i++)
        m1 += x->d[idx[x->n0 + i]] / (double)x->n1;
    return m0 - m1;
}

mz_status mz_lik_masked_languages_test(mz_masked_languages *l, const mz_masked_result *a,
                                       const mz_masked_result *b, uint32_t n_bootstrap,
                                       double ci_level, double alpha, unsigned long seed,
                                       mz_ctx *ctx) {
    size_t W = a->n_words[0] + a->n_words[1], n0 = a->n_words[0], n1 = a->n_words[1];
    l->p_value = l->diff = l->ci_lo = l->ci_hi = NAN, l->n_common = 0;
    if (n0 != b->n_words[0] || n1 != b->n_words[1] || a->n_attributes != b->n_attributes)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "the two sets' groups or attributes differ");
    for (size_t k = 0; k < a->n_attributes; k++)
        l->n_common += a->attributes[k].computable && b->attributes[k].computable;
    if (!l->n_common || !n0 || !n1) return MZ_OK; /* nothing to compare: no p */
    double *d = mz_malloc((W + 1) * sizeof *d);
    int *strata = mz_malloc((W + 1) * sizeof *strata), *first = first_group(n0, W);
    mz_status rc = d && strata && first ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t w = 0; !rc && w < W; w++) {
        d[w] = common_mean(b, a, w, l->n_common) - common_mean(a, b, w, l->n_common);
        strata[w] = a->word_tokens[w] * 65536 + b->word_tokens[w];
    }
    paired x = {d, n0, n1};
    size_t groups[2] = {n0, n1}, *all = mz_malloc((W + 1) * sizeof *all);
    for (size_t w = 0; all && w < W; w++)
        all[w] = w;
    if (!rc && !all) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) l->diff = resampled_difference(all, &x, NULL);
    if (!rc) inference(&l->inference, d, first, strata, a->n_words, alpha);
    if (!rc && l->inference.can_reach)
        rc = word_test(&l->p_value, &l->perm, d, first, strata, W, seed, ctx);
    if (!rc && n_bootstrap && n0 > 1 && n1 > 1)
        rc = mz_stats_bootstrap_ci(&l->ci_lo, &l->ci_hi, resampled_difference, &x, 0, groups, 2,
                                   n_bootstrap, ci_level, seed, ctx);
    mz_free(d), mz_free(strata), mz_free(first), mz_free(all);
    return rc;
}

mz_status mz_lik_masked_summarise(mz_masked_result *r, const double *cell, uint32_t n_bootstrap,
                                  double ci_level, double alpha, unsigned long seed, mz_ctx *ctx) {
    grid g = {.n0 = r->n_words[0], .n1 = r->n_words[1]};
    size_t W = g.n0 + g.n1;
    for (size_t a = 0; a < r->n_attributes; a++)
        g.n_attr += r->attributes[a].computable != 0;
    r->n_computable = g.n_attr;
    r->mean_bias = 0, r->lean_first = 0, r->p_value = r->ci_lo = r->ci_hi = NAN;
    if (!g.n_attr || !g.n0 || !g.n1)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "no attribute could be scored with both groups");
    int *first = first_group(g.n0, W);
    g.m = mz_malloc(g.n_attr * W * sizeof *g.m);
    if (!first || !g.m) {
        mz_free(first), mz_free(g.m);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    fill_grid(&g, r, cell);
    inference(&r->inference, r->word_mean, first, r->word_tokens, r->n_words, alpha);
    mz_status rc = r->inference.can_reach ? word_test(&r->p_value, &r->perm, r->word_mean, first,
                                                      r->word_tokens, W, seed, ctx)
                                          : MZ_OK;
    if (!r->inference.can_reach) r->p_value = NAN;
    if (!rc && n_bootstrap && g.n0 > 1 && g.n1 > 1) {
        size_t strata[3] = {g.n0, g.n1, g.n_attr};
        rc = mz_stats_bootstrap_ci(&r->ci_lo, &r->ci_hi, resampled_bias, &g, 0, strata, 3,
                                   n_bootstrap, ci_level, seed, ctx);
    }
    mz_free(first), mz_free(g.m);
    return rc;
}

void mz_masked_result_free(mz_masked_result *r) {
    mz_free(r->attributes), mz_free(r->word_mean), mz_free(r->word_tokens), mz_free(r->cells);
    memset(r, 0, sizeof *r);
}
