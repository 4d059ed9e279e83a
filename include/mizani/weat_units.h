/* WEAT with words as the units of inference, for embeddings of words in several sentences or
 * contexts each (SEAT, CEAT): the effect size is computed over the rows as published, but the
 * test permutes target words (each word's rows move together, and only between words of one
 * stratum, e.g. of equal token count) and the interval resamples words of all four lists. A
 * word's sentences are not independent replications of the study; its words are. */
#ifndef MIZANI_WEAT_UNITS_H
#define MIZANI_WEAT_UNITS_H

#include "mizani/association.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_unit_embeddings {
    const float *vectors; /* [rows, dim] */
    size_t dim;
    const size_t *first, *count; /* per word (X's, then Y's, A's, B's): its rows */
    size_t n_words[4];
    const char *const *words; /* per word, for messages (may be NULL) */
    const int *stratum;       /* per target word (X's then Y's); NULL: all in one */
    /* Outputs, filled when not NULL (the caller's arrays): each target row's association score
     * s(row, A, B) [target rows] and each target word's mean of them [X + Y words], the items a
     * report keeps so that two runs can be compared word by word. */
    double *row_scores, *word_scores;
} mz_unit_embeddings;

typedef struct mz_weat_units_result {
    double effect_size;  /* d over the target rows (sentences, contexts), attribute words weighted
                            equally */
    double word_effect;  /* d over the target words' mean association scores */
    mz_perm_result perm; /* one-sided, target words permuted within strata */
    double p_value;      /* perm.p_value; NAN when the design cannot reach alpha */
    double ci_lo, ci_hi, ci_level; /* percentile bootstrap of effect_size over words */
    mz_inference inference;        /* units: target words that can trade labels; mde in d units */
} mz_weat_units_result;

/* opt: permutations (max_exact, n_permutations), bootstrap draws, level and seed as for WEAT.
 * MZ_ERR_INPUT (not computable, saying why) for a zero or non-finite embedding, naming its
 * word, or association scores without spread. */
mz_status mz_weat_units(mz_weat_units_result *out, const mz_unit_embeddings *in,
                        const mz_weat_options *opt, double alpha, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
