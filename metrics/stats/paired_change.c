/* The change of a statistic between two measurements of the same items (before and after
 * fine-tuning), tested by swapping each unit's two measurements and bracketed by resampling
 * the units: the one test behind every before/after comparison (see stats.h). */
#include "mizani/alloc.h"
#include "mizani/stats.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#define PERM_BLOCK  512
#define PERM_STREAM 0xC4A96E55UL

double mz_paired_mean(const double *v, size_t width, const size_t *idx, size_t m,
                      const int *group) {
    double sum = 0;
    (void)group;
    for (size_t i = 0; i < m; i++)
        sum += v[idx[i] * width];
    return m ? sum / (double)m : NAN;
}

double mz_paired_ratio(const double *v, size_t width, const size_t *idx, size_t m,
                       const int *group) {
    double first = 0, second = 0;
    (void)group;
    for (size_t i = 0; i < m; i++)
        first += v[idx[i] * width], second += v[idx[i] * width + 1];
    return first > 0 ? second / first : NAN;
}

double mz_paired_difference(const double *v, size_t width, const size_t *idx, size_t m,
                            const int *group) {
    double sum[2] = {0, 0}, n[2] = {0, 0};
    for (size_t i = 0; i < m; i++) {
        int g = group[idx[i]] != 0;
        sum[g] += v[idx[i] * width], n[g]++;
    }
    return n[0] > 0 && n[1] > 0 ? sum[0] / n[0] - sum[1] / n[1] : NAN;
}

double mz_paired_d(const double *v, size_t width, const size_t *idx, size_t m, const int *group) {
    double sum[2] = {0, 0}, n[2] = {0, 0};
    for (size_t i = 0; i < m; i++) {
        int g = group[idx[i]] != 0;
        sum[g] += v[idx[i] * width], n[g]++;
    }
    if (n[0] < 1 || n[1] < 1 || m < 2) return NAN;
    double mean = (sum[0] + sum[1]) / (double)m, ss = 0;
    for (size_t i = 0; i < m; i++) {
        double x = v[idx[i] * width] - mean;
        ss += x * x;
    }
    double sd = sqrt(ss / (double)(m - 1));
    return sd > 0 ? (sum[0] / n[0] - sum[1] / n[1]) / sd : NAN;
}

/* The items of each cluster, contiguous: items[start[c] .. start[c + 1]). */
typedef struct members {
    size_t *start, *items, largest;
} members;

static mz_status members_of(members *mb, const mz_paired *d, mz_ctx *ctx) {
    mb->start = mz_calloc(d->k + 1, sizeof *mb->start);
    mb->items = mz_malloc((d->n ? d->n : 1) * sizeof *mb->items);
    if (!mb->start || !mb->items) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < d->n; i++) {
        if (d->cluster[i] >= d->k)
            return mz_fail(ctx, MZ_ERR_INTERNAL, NULL, "item %zu in cluster %zu of %zu", i,
                           d->cluster[i], d->k);
        mb->start[d->cluster[i] + 1]++;
    }
    mb->largest = 0;
    for (size_t c = 0; c < d->k; c++) {
        if (mb->start[c + 1] > mb->largest) mb->largest = mb->start[c + 1];
        mb->start[c + 1] += mb->start[c];
    }
    size_t *fill = mz_calloc(d->k ? d->k : 1, sizeof *fill);
    if (!fill) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < d->n; i++)
        mb->items[mb->start[d->cluster[i]] + fill[d->cluster[i]]++] = i;
    mz_free(fill);
    return MZ_OK;
}

static void members_free(members *mb) { mz_free(mb->start), mz_free(mb->items); }

/* stat(after) - stat(before) with the clusters whose bit in `swap` is set traded sides:
 * b and a [n, width] are the working copies, all [n] the identity list. */
static double swapped_change(const mz_paired *d, const members *mb, const unsigned char *swap,
                             double *b, double *a, const size_t *all) {
    size_t w = d->width;
    memcpy(b, d->before, d->n * w * sizeof *b);
    memcpy(a, d->after, d->n * w * sizeof *a);
    for (size_t c = 0; c < d->k; c++) {
        if (!swap[c]) continue;
        for (size_t j = mb->start[c]; j < mb->start[c + 1]; j++) {
            size_t i = mb->items[j];
            memcpy(b + i * w, d->after + i * w, w * sizeof *b);
            memcpy(a + i * w, d->before + i * w, w * sizeof *a);
        }
    }
    return d->stat(a, w, all, d->n, d->group) - d->stat(b, w, all, d->n, d->group);
}

typedef struct perm_job {
    const mz_paired *d;
    const members *mb;
    double observed, gamma;
    int exact;
    uint64_t n;
    unsigned long seed;
} perm_job;

/* Hits among patterns [from, to): exact patterns are the bits of their index, Monte Carlo
 * ones come from the block's own generator. */
static uint64_t count_hits(const perm_job *j, uint64_t blk, gsl_rng *rng, double *buf, size_t *all,
                           unsigned char *swap) {
    const mz_paired *d = j->d;
    uint64_t hits = 0, from = blk * PERM_BLOCK,
             to = from + PERM_BLOCK < j->n ? from + PERM_BLOCK : j->n;
    if (!j->exact) gsl_rng_set(rng, mz_stats_block_seed(j->seed ^ PERM_STREAM, blk));
    for (uint64_t r = from; r < to; r++) {
        for (size_t c = 0; c < d->k; c++)
            swap[c] =
                j->exact ? (unsigned char)((r >> c) & 1) : (unsigned char)(gsl_rng_get(rng) & 1);
        double x = swapped_change(d, j->mb, swap, buf, buf + d->n * d->width, all);
        hits += isfinite(x) && fabs(x) >= j->observed - j->gamma;
    }
    return hits;
}

static mz_status permutation_p(mz_paired_result *out, const mz_paired *d, const members *mb,
                               uint64_t n_permutations, unsigned long seed, mz_ctx *ctx) {
    perm_job j = {d,
                  mb,
                  fabs(out->change),
                  0,
                  d->k < 63 && (1ull << d->k) <= n_permutations,
                  n_permutations,
                  seed};
    j.gamma = fmax(1e-14, 1e-14 * j.observed);
    if (j.exact) j.n = 1ull << d->k;
    uint64_t n_blocks = (j.n + PERM_BLOCK - 1) / PERM_BLOCK, hits = 0;
    int failed = 0;
#pragma omp parallel reduction(+ : hits) reduction(| : failed)
    {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
        double *buf = mz_malloc((2 * d->n * d->width + 1) * sizeof *buf);
        size_t *all = mz_malloc((d->n + 1) * sizeof *all);
        unsigned char *swap = mz_malloc(d->k + 1);
        failed = !rng || !buf || !all || !swap;
        for (size_t i = 0; !failed && i < d->n; i++)
            all[i] = i;
#pragma omp for schedule(dynamic)
        for (uint64_t blk = 0; blk < n_blocks; blk++)
            if (!failed) hits += count_hits(&j, blk, rng, buf, all, swap);
        mz_free(swap), mz_free(all), mz_free(buf);
        if (rng) gsl_rng_free(rng);
    }
    if (failed) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory in the change test");
    out->exact = j.exact;
    out->n_patterns = j.n;
    out->p_value = j.exact ? (double)hits / (double)j.n : ((double)hits + 1) / ((double)j.n + 1);
    out->mc_se = j.exact ? 0 : sqrt(out->p_value * (1 - out->p_value) / (double)j.n);
    return MZ_OK;
}

typedef struct boot_job {
    const mz_paired *d;
    const members *mb;
} boot_job;

/* One resample of clusters (idx [k]) expanded to its items in scratch. */
static double resampled_change(const size_t *idx, void *data, void *scratch) {
    const boot_job *j = data;
    const mz_paired *d = j->d;
    size_t *items = scratch, m = 0;
    for (size_t c = 0; c < d->k; c++)
        for (size_t t = j->mb->start[idx[c]]; t < j->mb->start[idx[c] + 1]; t++)
            items[m++] = j->mb->items[t];
    return d->stat(d->after, d->width, items, m, d->group) -
           d->stat(d->before, d->width, items, m, d->group);
}

mz_status mz_stats_paired_change(mz_paired_result *out, const mz_paired *d, uint64_t n_permutations,
                                 uint32_t n_bootstrap, double ci_level, unsigned long seed,
                                 mz_ctx *ctx) {
    *out = (mz_paired_result){.ci_lo = NAN, .ci_hi = NAN, .p_value = NAN};
    if (!d->n || !d->k) return mz_fail(ctx, MZ_ERR_INPUT, NULL, "no items measured on both sides");
    members mb = {0};
    mz_status rc = members_of(&mb, d, ctx);
    size_t *all = rc ? NULL : mz_malloc(d->n * sizeof *all);
    if (!rc && !all) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; all && i < d->n; i++)
        all[i] = i;
    if (!rc) {
        out->before = d->stat(d->before, d->width, all, d->n, d->group);
        out->after = d->stat(d->after, d->width, all, d->n, d->group);
        out->change = out->after - out->before;
        if (!isfinite(out->change))
            rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                         "the statistic is not computable on one side (no spread, or nothing "
                         "to count)");
    }
    if (!rc && n_permutations) rc = permutation_p(out, d, &mb, n_permutations, seed, ctx);
    if (!rc && n_bootstrap && d->k > 1) {
        boot_job j = {d, &mb};
        rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, resampled_change, &j,
                                   d->k * mb.largest * sizeof(size_t), d->strata, d->n_strata,
                                   n_bootstrap, ci_level, seed, ctx);
        if (!rc) out->ci_level = ci_level;
    }
    mz_free(all);
    members_free(&mb);
    return rc;
}

size_t mz_stats_paired_clusters(size_t *cluster, size_t strata[2], const char *const *key,
                                const int *group, size_t n) {
    size_t k = 0;
    strata[0] = strata[1] = 0;
    for (int g = 0; g < 2; g++)
        for (size_t i = 0; i < n; i++) {
            if ((group ? group[i] != 0 : 0) != g) continue;
            size_t j = 0; /* an earlier item of this group with the same key */
            while (j < i && !(key && key[i] && key[j] && (group ? group[j] != 0 : 0) == g &&
                              !strcmp(key[i], key[j])))
                j++;
            if (j < i)
                cluster[i] = cluster[j];
            else
                cluster[i] = k++, strata[g]++;
        }
    return k;
}
