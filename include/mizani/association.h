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
    const char *name;          /* for reports: "math", "male terms" */
    const char *const *words;  /* [n] labels, may be NULL */
    const float *vectors;      /* [n, dim] row-major */
    size_t n;
} mz_word_set;

typedef struct mz_weat_options {
    uint64_t max_exact;      /* enumerate all splits when there are at most this many */
    uint64_t n_permutations; /* Monte Carlo splits otherwise */
    uint32_t n_bootstrap;    /* bootstrap draws for the interval on d; 0: no interval */
    double ci_level;
    unsigned long seed;
    mz_progress *progress;   /* may be NULL */
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

#ifdef __cplusplus
}
#endif
#endif
