/* Embedding-association tests: WEAT (Caliskan et al. 2017) and, on the same code, SEAT
 * (sentence embeddings from templates) and cross-lingual WEAT (targets in one language,
 * attributes in another). Inputs are embeddings already extracted, whatever their source:
 * static vectors, a transformer's input embeddings, or pooled hidden states. */
#ifndef MIZANI_ASSOCIATION_H
#define MIZANI_ASSOCIATION_H

#include "mizani/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A set of words (or sentences) with one embedding each. */
typedef struct mz_word_set {
    const char *name;         /* for reports: "math", "male terms" */
    const char *const *words; /* [n] labels, may be NULL */
    const float *vectors;     /* [n, dim] row-major */
    size_t n;
} mz_word_set;

typedef struct mz_weat_options {
    uint64_t max_exact;      /* enumerate all splits when there are at most this many */
    uint64_t n_permutations; /* Monte Carlo splits otherwise */
    uint32_t n_bootstrap;    /* bootstrap draws for the interval on d; 0: no interval */
    double ci_level;
    unsigned long seed;
    mz_progress *progress; /* may be NULL */
} mz_weat_options;

/* max_exact 1,000,000; n_permutations 100,000; n_bootstrap 5,000; ci_level 0.95; seed 1. */
void mz_weat_options_default(mz_weat_options *opt);

typedef struct mz_weat_result {
    double effect_size;  /* d = (mean_x s(x,A,B) - mean_y s(y,A,B)) / sd_{w in X∪Y} s(w,A,B) */
    double mean_diff;    /* the numerator of d: the unstandardised effect */
    double statistic;    /* s(X,Y,A,B) = sum_x s(x,A,B) - sum_y s(y,A,B) */
    mz_perm_result perm; /* one-sided: how often a random split of X∪Y scores as high */
    double ci_lo, ci_hi; /* percentile bootstrap interval on d, resampling X, Y, A and B */
    double ci_level;     /* 0 when no interval was asked for */
    uint32_t n_bootstrap;
} mz_weat_result;

/* s(w, A, B) = mean_a cos(w, a) - mean_b cos(w, b) for each of the n rows of w.
 * scores: [w->n]. MZ_ERR_INPUT naming the word when a vector is all zeros. */
mz_status mz_assoc_word_scores(double *scores, const mz_word_set *w, const mz_word_set *a,
                               const mz_word_set *b, size_t dim, mz_ctx *ctx);

/* The whole test. Sets need at least two members each (one for A and B); d is "not
 * computable" (MZ_ERR_INPUT, saying why) when s has no spread over X∪Y. */
mz_status mz_weat(mz_weat_result *out, const mz_word_set *x, const mz_word_set *y,
                  const mz_word_set *a, const mz_word_set *b, size_t dim,
                  const mz_weat_options *opt, mz_ctx *ctx);

/* ---- Before and after: how a WEAT effect changed ---------------------------------------------
 * From each word's association score s(w, A, B) in the two embeddings (scores are comparable
 * across spaces even when vectors are not): the change of d, with the paired change test of
 * stats.h over the words (or, given `unit`, over the units the scores belong to: a SEAT
 * sentence's word): a paired percentile bootstrap interval (the same units resampled on both
 * sides, within X and within Y) and a two-sided permutation p that swaps each unit's before and
 * after scores at random. */
typedef struct mz_weat_change {
    double d_before, d_after, delta; /* delta = d_after - d_before */
    double ci_lo, ci_hi, ci_level;
    double p_value, mc_se;
    uint64_t n_permutations; /* sign patterns evaluated */
    int exact;               /* all patterns enumerated */
    size_t n_units;
} mz_weat_change;

/* WEAT's d from association scores s [nx + ny], X's first; NAN when they have no spread. */
double mz_weat_d(const double *s, size_t nx, size_t ny);

/* before/after: [nx + ny] scores, X's first; unit: [nx + ny] the unit of each score, or NULL
 * (each its own). MZ_ERR_INPUT when a side has no spread or a set fewer than two units. */
mz_status mz_weat_change_test(mz_weat_change *out, const double *before, const double *after,
                              size_t nx, size_t ny, const char *const *unit, uint32_t n_bootstrap,
                              uint64_t n_permutations, double ci_level, unsigned long seed,
                              mz_ctx *ctx);

/* ---- The metrics beyond WEAT (as collected by WEFE) ----------------------------------------
 * Each takes a set S of words under test and two groups A and B, and reports one number with
 * a percentile bootstrap interval over the words of S (RNSB: over the attribute words it is
 * trained on); RND also has a permutation p-value. per_word, where given, receives one value
 * per word of S (the per-word quantity the metric sums or averages; RNSB: the normalised
 * probability of the negative class). */
typedef struct mz_metric_options {
    uint32_t n_bootstrap;    /* draws for the interval; 0: none */
    uint64_t n_permutations; /* RND's permutation test; 0: none */
    double ci_level;
    unsigned long seed;
    /* Peer tools' conventions, where they differ from the papers' definitions (the defaults):
     * RND on the vectors as given (sweater, WEFE) instead of unit-normalised (Garg et al.);
     * MAC as the mean cosine similarity (sweater, WEFE) instead of the mean cosine distance
     * (Manzini et al.). */
    int rnd_as_given, mac_similarity;
} mz_metric_options;

/* 2000 draws, 10000 permutations, 0.95, the papers' conventions */
void mz_metric_options_default(mz_metric_options *opt);

typedef struct mz_metric_result {
    double value;
    double ci_lo, ci_hi, ci_level; /* ci_level 0: no interval */
    double p_value;                /* NAN where the metric has no test */
    double mc_se;                  /* Monte Carlo standard error of p_value */
} mz_metric_result;

/* RND (Garg et al. 2018): sum over s of ||s - mean(A)|| - ||s - mean(B)||, on unit-normalised
 * vectors (opt->rnd_as_given: on the vectors as given); positive means S sits closer to B.
 * p: two-sided, permuting the A/B labels. */
mz_status mz_assoc_rnd(mz_metric_result *out, double *per_word, const mz_word_set *s,
                       const mz_word_set *a, const mz_word_set *b, size_t dim,
                       const mz_metric_options *opt, mz_ctx *ctx);
/* MAC (Manzini et al. 2019): mean over s and over the groups {A, B} of the mean cosine
 * distance 1 - cos(s, x); 1 means no association either way (opt->mac_similarity: of the mean
 * cosine similarity, where 0 means none). */
mz_status mz_assoc_mac(mz_metric_result *out, double *per_word, const mz_word_set *s,
                       const mz_word_set *a, const mz_word_set *b, size_t dim,
                       const mz_metric_options *opt, mz_ctx *ctx);
/* ECT (Dev and Phillips 2019): Spearman correlation over s of cos(s, mean(A)) and
 * cos(s, mean(B)); 1 means S ranks the same against both groups (no bias). per_word gets
 * cos(s, mean(A)) - cos(s, mean(B)). */
mz_status mz_assoc_ect(mz_metric_result *out, double *per_word, const mz_word_set *s,
                       const mz_word_set *a, const mz_word_set *b, size_t dim,
                       const mz_metric_options *opt, mz_ctx *ctx);
/* RIPA (Ethayarajh et al. 2019): mean over s of s . beta, where beta is the unit first
 * principal direction of the pair differences a_i - b_i (A and B paired, same size), oriented
 * so that the differences project positively. */
mz_status mz_assoc_ripa(mz_metric_result *out, double *per_word, const mz_word_set *s,
                        const mz_word_set *a, const mz_word_set *b, size_t dim,
                        const mz_metric_options *opt, mz_ctx *ctx);
/* RNSB (Sweeney and Najafian 2019): an L2-regularised logistic regression (C = 1, with a
 * regularised bias feature, as LIBLINEAR's default) learns A (positive, label 0) against B
 * (negative, label 1); P(negative) of each word of S, normalised over S, is compared with the
 * uniform distribution by Kullback-Leibler divergence. 0 means no word of S is singled out. */
mz_status mz_assoc_rnsb(mz_metric_result *out, double *per_word, const mz_word_set *s,
                        const mz_word_set *a, const mz_word_set *b, size_t dim,
                        const mz_metric_options *opt, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
