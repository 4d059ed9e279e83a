/* Statistics for the audit, all computed with GSL: permutation tests, bootstrap intervals,
 * binomial tests and intervals, multiple-testing corrections, random-effects meta-analysis.
 * Every random draw comes from a GSL generator seeded by the caller, so one seed gives one
 * set of numbers whatever the thread count. */
#ifndef MIZANI_STATS_H
#define MIZANI_STATS_H

#include "mizani/error.h"
#include "mizani/progress.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Permutation test of a split into two groups ---------------------------------------
 * Values s[0..n) are split into a first group of n_first and the rest; the statistic of a
 * split is sum(first) - sum(rest). The observed split is s[0..n_first) vs s[n_first..n).
 * p is one-sided: the share of splits whose statistic is >= the observed one (ties within
 * a relative 1e-14 count, as scipy does). Exact enumeration when the number of splits is at
 * most `max_exact`; otherwise `n_resamples` random splits and p = (hits + 1)/(n + 1) with
 * its Monte Carlo standard error. */
typedef struct mz_perm_result {
    double p_value;
    double mc_se;      /* 0 for an exact test */
    int exact;         /* 1: all splits enumerated */
    uint64_t n_splits; /* splits evaluated */
} mz_perm_result;

typedef struct mz_perm_options {
    uint64_t max_exact;   /* enumerate when C(n, n_first) <= this; 0 means never */
    uint64_t n_resamples; /* Monte Carlo splits otherwise */
    unsigned long seed;
    mz_progress *progress; /* may be NULL */
} mz_perm_options;

mz_status mz_stats_perm_split(mz_perm_result *out, const double *s, size_t n, size_t n_first,
                              const mz_perm_options *opt, mz_ctx *ctx);

/* C(n, k) as a double (exact below 2^53), for choosing exact or Monte Carlo. */
double mz_stats_choose(size_t n, size_t k);

/* ---- Binomial --------------------------------------------------------------------------- */
/* Two-sided exact binomial test of k successes in n trials against p = 0.5 (the sign test;
 * McNemar's exact test on b and c discordant pairs is mz_stats_sign_test(b, b + c)). */
mz_status mz_stats_sign_test(double *p_value, unsigned long k, unsigned long n, mz_ctx *ctx);
/* Clopper-Pearson ("exact") and Wilson score intervals for the proportion k/n. */
mz_status mz_stats_binom_ci_exact(double *lo, double *hi, unsigned long k, unsigned long n,
                                  double level, mz_ctx *ctx);
mz_status mz_stats_binom_ci_wilson(double *lo, double *hi, unsigned long k, unsigned long n,
                                   double level, mz_ctx *ctx);

/* ---- Multiple testing ------------------------------------------------------------------- */
/* Holm's step-down (family-wise error) and Benjamini-Hochberg (false discovery rate)
 * adjusted p-values; `adjusted` may alias `p`. */
mz_status mz_stats_holm(double *adjusted, const double *p, size_t n, mz_ctx *ctx);
/* Holm over the entries that are not NaN (tests that could not be computed); those stay NaN. */
mz_status mz_stats_holm_present(double *adjusted, const double *p, size_t n, mz_ctx *ctx);
mz_status mz_stats_bh(double *adjusted, const double *p, size_t n, mz_ctx *ctx);

/* ---- Random-effects meta-analysis (DerSimonian-Laird) ----------------------------------- */
typedef struct mz_meta_result {
    double effect;       /* combined effect */
    double se;           /* its standard error */
    double ci_lo, ci_hi; /* normal interval at the requested level */
    double z, p_value;   /* two-sided test of effect = 0 */
    double q;            /* Cochran's Q */
    double q_p_value;    /* chi-square test of homogeneity, k - 1 degrees of freedom */
    double i2;           /* I^2 in [0, 1]: share of variation due to heterogeneity */
    double tau2;         /* between-study variance */
    size_t k;
} mz_meta_result;

mz_status mz_stats_meta_dl(mz_meta_result *out, const double *effects, const double *variances,
                           size_t k, double level, mz_ctx *ctx);

/* ---- Bootstrap -------------------------------------------------------------------------- */
/* Percentile interval at `level` of the finite values in draws[0..n) (sorted in place).
 * MZ_ERR_NUMERIC when fewer than half the draws are finite. */
mz_status mz_stats_percentile_ci(double *lo, double *hi, double *draws, size_t n, double level,
                                 mz_ctx *ctx);

/* Stratified percentile bootstrap. The items are strata[0] items of the first stratum, then
 * strata[1] of the second, and so on (n in all); each resample idx[0..n) draws every stratum
 * with replacement from within itself, and statistic(idx, data, scratch) is evaluated on it. Draws
 * run in seeded blocks (OpenMP): one seed, one interval, any thread count. A statistic may return
 * NAN for a degenerate resample; such draws are left out (see mz_stats_percentile_ci). */
typedef double (*mz_resample_stat)(const size_t *idx, void *data, void *scratch);
/* scratch_bytes: working memory each thread hands the statistic (0: none). */
mz_status mz_stats_bootstrap_ci(double *lo, double *hi, mz_resample_stat statistic, void *data,
                                size_t scratch_bytes, const size_t *strata, size_t n_strata,
                                uint32_t n_draws, double level, unsigned long seed, mz_ctx *ctx);

/* L2-regularised logistic regression, min 0.5|w|^2 + C sum log(1 + exp(-y_i w.x_i)) with
 * y in {-1, +1} and x_i = (features, 1) (the bias is a regularised feature, as LIBLINEAR's
 * default), solved by Newton's method. x: [m, d] row-major; w: [d + 1], the last the bias. */
mz_status mz_stats_logistic_fit(double *w, const double *x, const int *y, size_t m, size_t d,
                                double c, mz_ctx *ctx);

/* ---- Agreement among coders ----------------------------------------------------------------
 * Krippendorff's alpha of `values` [n_coders x n_units], row-major, NaN for a missing rating:
 * 1 - (observed disagreement) / (disagreement expected by chance), from the coincidence matrix
 * of the pairable values (units rated by at least two coders), with the squared difference of
 * the metric: nominal (0 or 1), ordinal (ranks between the two values), interval (x - y)^2 or
 * ratio ((x - y) / (x + y))^2. 1 is perfect agreement, 0 chance. MZ_ERR_INPUT when no unit
 * has two ratings or every rating is the same value (alpha is then undefined). */
typedef enum mz_alpha_metric {
    MZ_ALPHA_NOMINAL,
    MZ_ALPHA_ORDINAL,
    MZ_ALPHA_INTERVAL,
    MZ_ALPHA_RATIO
} mz_alpha_metric;
mz_status mz_stats_krippendorff_alpha(double *alpha, const double *values, size_t n_coders,
                                      size_t n_units, mz_alpha_metric metric, mz_ctx *ctx);
/* ---- Restricted randomisation ----------------------------------------------------------
 * A split permuted within strata: value i carries the first label when first[i] != 0 and
 * belongs to stratum label[i] (NULL: one stratum); labels are traded only between values of
 * one stratum (e.g. words of equal token count, so that tokenization alone cannot separate
 * the groups). One-sided: p is the share of arrangements whose first-group sum is >= the
 * observed one (ties within 1e-14 relative). Exact when the arrangements (the product of each
 * stratum's C(n, k)) are at most max_exact; Monte Carlo otherwise. A stratum holding one label
 * only cannot move; with no stratum that can, p = 1. */
mz_status mz_stats_perm_strata(mz_perm_result *out, const double *s, const int *first,
                               const int *label, size_t n, const mz_perm_options *opt, mz_ctx *ctx);
/* The number of arrangements such a test has: 1 / it is the smallest p it can give. */
double mz_stats_strata_arrangements(const int *first, const int *label, size_t n);
/* The same split as a z-score: (observed first-group sum - its mean over the arrangements) /
 * its standard deviation over them (sampling without replacement within each stratum). A scale
 * that does not depend on the values' units, so that the same test can be compared between
 * models; NAN when nothing can move or the movable values have no spread. */
mz_status mz_stats_strata_z(double *z, const double *s, const int *first, const int *label,
                            size_t n, mz_ctx *ctx);

/* Sign flips of clusters: c[0..k) are cluster sums of centred values (e.g. preference minus
 * one half, per target-word cluster); under the null each cluster's sign is as likely flipped.
 * Two-sided: p is the share of the 2^k sign patterns with |sum| >= the observed |sum|. Exact
 * when 2^k <= max_exact; Monte Carlo otherwise. The smallest p it can give is 2 / 2^k. */
mz_status mz_stats_sign_flip(mz_perm_result *out, const double *c, size_t k,
                             const mz_perm_options *opt, mz_ctx *ctx);

/* ---- What a test can detect ------------------------------------------------------------ */
typedef struct mz_inference {
    const char *unit; /* what varies between replications: "words", "target clusters", ... */
    size_t n_units;   /* independent units the test rests on */
    double mde;       /* smallest effect detectable with 80% power at alpha (its own scale) */
    double min_p;     /* the smallest p-value the design can give */
    double alpha;
    int can_reach; /* 0: too few units; the test reports that it cannot reach significance */
} mz_inference;

void mz_stats_inference_set(mz_inference *inf, const char *unit, size_t n_units, double mde,
                            double min_p, double alpha);
/* A standardised difference of two groups of n1 and n2 units (d units): (z_{1-alpha/sides} +
 * z_power) * sqrt(1/n1 + 1/n2). */
double mz_stats_mde_two_groups(size_t n1, size_t n2, double alpha, int sides, double power);
/* A preference rate's distance from 1/2 detectable over k_eff independent clusters (two-sided,
 * binomial variance 1/4 per cluster). */
double mz_stats_mde_rate(double k_eff, double alpha, double power);
/* Kish's effective number of clusters of these sizes: (sum n)^2 / sum n^2. */
double mz_stats_effective_clusters(const size_t *sizes, size_t k);
/* The smallest k with P(Binomial(n, p) <= k) >= level: a calibration study's bound on false
 * alarms among n null tests at nominal rate p. */
unsigned long mz_stats_binom_upper(unsigned long n, double p, double level);

/* ---- Paired change: the same items measured before and after -----------------------------
 * Items i = 0..n-1 have `width` values on each side (before and after [n, width]). Each item
 * belongs to a unit of inference, its cluster (a SEAT sentence's word, a minimal pair's target
 * words; every item its own in the simplest case): clusters are numbered 0..k-1 with those of
 * stratum 0 first (strata[s] clusters in stratum s: X's words, then Y's), and group[i] is the
 * stratum of item i. `stat` computes the statistic of the items listed in idx (m of them,
 * repeats allowed) from rows of v [n, width]. The change is stat(after) - stat(before), with
 * - p, two-sided: each cluster's before and after values swapped at random (the null: the
 *   items changed, but not in a direction), exact over all 2^k patterns when 2^k is at most
 *   n_permutations, Monte Carlo otherwise; the smallest p it can give is 2 / 2^k;
 * - a percentile interval from clusters resampled with replacement within their strata, each
 *   drawn cluster bringing all its items, the same draw on both sides. */
typedef double (*mz_paired_stat)(const double *v, size_t width, const size_t *idx, size_t m,
                                 const int *group);

typedef struct mz_paired {
    const double *before, *after; /* [n, width] */
    size_t n, width;
    const int *group;      /* [n] stratum of each item (NULL: one stratum) */
    const size_t *cluster; /* [n] 0..k-1 */
    size_t k;
    const size_t *strata; /* [n_strata] clusters per stratum, in the clusters' order */
    size_t n_strata;
    mz_paired_stat stat;
} mz_paired;

typedef struct mz_paired_result {
    double before, after, change;  /* change = after - before */
    double ci_lo, ci_hi, ci_level; /* ci_level 0: no interval */
    double p_value, mc_se;         /* mc_se 0 when exact */
    int exact;
    uint64_t n_patterns; /* sign patterns evaluated */
} mz_paired_result;

/* Numbers the clusters of n items from their unit keys (items with one key and one group are
 * one cluster; a NULL key, or keys NULL, makes the item a cluster of its own), those of group 0
 * first: cluster [n], strata [2] (clusters in group 0 and in group 1; group NULL: all in 0).
 * Returns k. */
size_t mz_stats_paired_clusters(size_t *cluster, size_t strata[2], const char *const *key,
                                const int *group, size_t n);
mz_status mz_stats_paired_change(mz_paired_result *out, const mz_paired *d, uint64_t n_permutations,
                                 uint32_t n_bootstrap, double ci_level, unsigned long seed,
                                 mz_ctx *ctx);
/* Statistics for it: the mean of the items' values (width 1); the ratio of the sums of their
 * second and first values (width 2: tokens in Swahili over tokens in English, a premium); WEAT's
 * d, (mean over group 0 - mean over group 1) / sd over both (width 1; NAN without spread); the
 * difference of the two groups' means. */
double mz_paired_mean(const double *v, size_t width, const size_t *idx, size_t m, const int *group);
double mz_paired_ratio(const double *v, size_t width, const size_t *idx, size_t m,
                       const int *group);
double mz_paired_d(const double *v, size_t width, const size_t *idx, size_t m, const int *group);
/* The unstandardised difference: mean over group 0 minus mean over group 1 (width 1). */
double mz_paired_difference(const double *v, size_t width, const size_t *idx, size_t m,
                            const int *group);

/* The seed of block `block` of a job seeded with `seed`: blocks of work draw from their own
 * generators so results do not depend on how blocks are spread over threads. */
unsigned long mz_stats_block_seed(unsigned long seed, uint64_t block);

#ifdef __cplusplus
}
#endif
#endif
