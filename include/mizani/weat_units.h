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

/* The same test on K random-weight copies of the audited model (its architecture and tokenizer,
 * mizani/null_copies.h): what tokenization alone produces. Words that share subword pieces with
 * the attribute words, or with each other, lean the same way in every random model, which no
 * relabelling of the words can remove; the copies show it. */
typedef struct mz_null_reference {
    size_t n_copies;     /* K: copies on which the test was computable (0: no reference) */
    double z_mean, z_sd; /* the copies' z */
    double d_mean, d_sd; /* the copies' effect size, to set beside the model's */
    size_t n_reached;    /* copies whose z reached the model's */
    double p_value;      /* one-sided: (z - z_mean) / (z_sd sqrt(1 + 1/K)) against Student's t
                            with K - 1 degrees of freedom (a prediction from K normal draws) */
} mz_null_reference;

typedef struct mz_weat_units_result {
    double effect_size;  /* d over the target rows (sentences, contexts), attribute words weighted
                            equally */
    double word_effect;  /* d over the target words' mean association scores */
    mz_perm_result perm; /* one-sided, target words permuted within strata */
    double z;            /* the permuted statistic as a z-score over the arrangements (comparable
                            between models); NAN when no word can move */
    double p_value;      /* perm.p_value, or with a null reference the larger of it and the
                            reference's; NAN when the design cannot reach alpha */
    double ci_lo, ci_hi, ci_level; /* percentile bootstrap of effect_size over words */
    mz_inference inference;        /* units: target words that can trade labels; mde in d units */
    mz_null_reference ref;         /* zero unless mz_weat_units_reference was called */
} mz_weat_units_result;

/* opt: permutations (max_exact, n_permutations), bootstrap draws, level and seed as for WEAT;
 * with neither max_exact nor n_permutations, no test is run (z alone, p NAN). MZ_ERR_INPUT (not
 * computable, saying why) for a zero or non-finite embedding, naming its word, or association
 * scores without spread. */
mz_status mz_weat_units(mz_weat_units_result *out, const mz_unit_embeddings *in,
                        const mz_weat_options *opt, double alpha, mz_ctx *ctx);

/* The null reference from the same test's z and effect size on k copies (NAN entries, copies
 * where it was not computable, are left out). p_value becomes the larger of the word-level p
 * and the reference's: significant only when the association is beyond both the sampling of
 * words and what tokenization alone gives (an intersection-union test, valid for both nulls).
 * MZ_ERR_INPUT when fewer than 3 copies remain or their z has no spread. */
mz_status mz_weat_units_reference(mz_weat_units_result *r, const double *z, const double *d,
                                  size_t k, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
