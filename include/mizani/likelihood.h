/* Likelihood-based bias tests, the pure side: from arrays a model run produced (logits rows,
 * per-token log-probabilities, attention probabilities) and token ids to sentence scores,
 * minimal-pair preferences and masked-template biases with their statistics. Nothing here runs
 * a model (audit/ does: include/mizani/likelihood_run.h). Scores are natural-log
 * probabilities summed over tokens. */
#ifndef MIZANI_LIKELIHOOD_H
#define MIZANI_LIKELIHOOD_H

#include "mizani/probes.h"
#include "mizani/stats.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* log softmax(row)[id] for one vocabulary row of V logits, in double; NAN when the row holds
 * a non-finite value. */
double mz_lik_log_prob(const float *row, int V, int32_t id);
/* out[m] = mz_lik_log_prob(logits + m*V, V, ids[m]) for the M rows of logits [M,V].
 * MZ_ERR_NUMERIC when any is not finite. */
mz_status mz_lik_log_probs(double *out, const float *logits, const int32_t *ids, int M, int V,
                           mz_ctx *ctx);

/* ᾱ_j: the attention token j receives, averaged over layers, heads and query tokens, from
 * probs[l] = layer l's probabilities [H,n,n] of one sentence. */
void mz_lik_attention_received(double *alpha, const float *const *probs, int L, int H, int n);

/* AUL and AULA (Kaneko and Bollegala 2022) from the scored tokens' log-probabilities lp[i]
 * (unmasked) and the attention they receive: AUL the mean, AULA weighted by alpha. */
void mz_lik_aul_combine(double *aul, double *aula, const double *lp, const double *alpha,
                        const uint8_t *scored, int n);

/* The tokens two sentences share, aligned by a longest common subsequence of ids (CrowS-Pairs
 * scores only these "unmodified" tokens). shared_a[i] / shared_b[j] become 1 for aligned tokens. */
mz_status mz_lik_align(uint8_t *shared_a, uint8_t *shared_b, const int32_t *a, int na,
                       const int32_t *b, int nb, mz_ctx *ctx);

typedef enum mz_lik_method { MZ_LIK_PLL, MZ_LIK_AUL, MZ_LIK_AULA, MZ_LIK_CAUSAL } mz_lik_method;
const char *mz_lik_method_name(mz_lik_method method);

/* ---- Minimal pairs ---------------------------------------------------------------------- */

/* One minimal pair, scored (or why not). */
typedef struct mz_pair_score {
    const mz_minimal_pair *pair;
    int computable; /* 0: see reason (e.g. longer than the model's positions) */
    char reason[128];
    double more, less;            /* scores of the two sentences (higher: more probable) */
    double more_norm, less_norm;  /* the same per scored token (length-normalised) */
    int tokens_more, tokens_less; /* tokens of each sentence */
    int target_tokens_more, target_tokens_less; /* tokens covering each target span */
    double *per_token_more, *per_token_less;    /* [tokens_*]: each token's term, 0 if unscored */
    int prefers_more;                           /* more > less */
    int split_mismatch; /* the target spans split into different numbers of tokens */
    int count_mismatch; /* the two sentences have different numbers of tokens */
    /* the tokens that differ between the sides (the unshared ones of each, in order), hashed
     * ("" unknown): pairs whose target words differ but whose tokens differ the same way
     * (Swahili asiyeona/anayeona and asiyesikia/anayesikia both "asi" against "ana") are one
     * unit of the test, whatever their target ids */
    char contrast[17];
} mz_pair_score;

/* Preference for the more stereotypical side among the pairs of one category (or all). The
 * test uses the pairs whose sides have equal token counts; the others are a confound of every
 * likelihood score and are counted and rated apart, never tested. Pairs sharing a target id
 * (the same two target words) are one cluster: the unit of the test. */
typedef struct mz_pair_summary {
    char category[64];
    unsigned long n;                /* computable pairs */
    unsigned long n_matched;        /* ... of equal token counts: the tested ones */
    unsigned long prefers_more;     /* among the matched (ties count half, rounded down) */
    double rate, ci_lo, ci_hi;      /* matched: preference rate, cluster-bootstrap interval */
    unsigned long count_mismatches; /* computable pairs whose sides differ in token count */
    double rate_mismatched;         /* their preference rate (descriptive; NAN when none) */
    unsigned long split_mismatches; /* target spans of different token counts */
    unsigned long not_computable;
    size_t n_clusters, n_frames; /* target clusters and frames among the matched pairs */
    mz_inference inference;      /* units: target clusters */
    double p_value, p_holm;      /* cluster sign-flip test; NAN when it cannot reach alpha */
} mz_pair_summary;

typedef struct mz_pairs_result {
    mz_lik_method method;
    mz_pair_score *scores;
    size_t n_scores;
    mz_pair_summary *summaries; /* every category, then "all" */
    size_t n_summaries;
    unsigned long n_computable;
} mz_pairs_result;

typedef struct mz_pairs_options {
    double ci_level;      /* 0.95 */
    double alpha;         /* 0.05 */
    uint32_t n_bootstrap; /* cluster bootstrap draws for the interval (2000) */
    uint64_t n_resamples; /* Monte Carlo sign patterns beyond 2^max_exact_bits (20000) */
    unsigned long seed;
} mz_pairs_options;

void mz_pairs_options_default(mz_pairs_options *o);

/* Summaries per category of r->scores (already scored; pairs from `set`), Holm across the
 * categories' computable tests. */
mz_status mz_lik_pairs_summarise(mz_pairs_result *r, const mz_probe_set *set,
                                 const mz_pairs_options *o, mz_ctx *ctx);
void mz_pairs_result_free(mz_pairs_result *r);

/* 1, 1/2 or 0: the more stereotypical side preferred (its score higher), a tie, the other. */
double mz_lik_preference(double more, double less);

/* Before and after fine-tuning, the same pairs of one category: the change of the preference
 * rate over n pairs tested on both sides (preferences before[i], after[i]), with the paired
 * change test of stats.h over target clusters (pairs sharing target[i] are one unit; NULL: own):
 * each cluster's before and after preferences swapped at random, the interval resampling
 * clusters. o->n_resamples and o->n_bootstrap set the draws. */
typedef struct mz_pairs_change {
    double rate_before, rate_after, change;
    double ci_lo, ci_hi, ci_level;
    double p_value, mc_se;
    int exact;
    size_t n_pairs, n_clusters;
} mz_pairs_change;

mz_status mz_lik_pairs_change(mz_pairs_change *out, const double *before, const double *after,
                              const char *const *target, size_t n, const mz_pairs_options *o,
                              mz_ctx *ctx);

/* Does the preference differ between two languages' parallel sets (pairs matched by the id
 * after the language prefix: "sw-gender-001" and "en-gender-001")? Per category, paired over
 * the translated pairs that are tested in both: the difference of preference rates and a
 * sign-flip test over clusters (pairs linked by a target id in either language). */
typedef struct mz_pairs_language_diff {
    char category[64];
    unsigned long n;        /* translated pairs tested in both */
    double rate_a, rate_b;  /* on those pairs */
    mz_inference inference; /* units: clusters */
    size_t n_clusters;
    double p_value, p_holm;
} mz_pairs_language_diff;

/* out: [a->n_summaries] entries (categories of a, then "all"); *n_out how many hold pairs. */
mz_status mz_lik_pairs_language_diff(mz_pairs_language_diff *out, size_t *n_out,
                                     const mz_pairs_result *a, const mz_pairs_result *b,
                                     const mz_pairs_options *o, mz_ctx *ctx);

/* ---- Masked templates (Kurita et al. 2019) ----------------------------------------------- */

/* One attribute (an occupation) over both groups' target words and every frame. */
typedef struct mz_masked_attribute {
    const char *attribute;
    int computable; /* 0: see reason */
    char reason[128];
    double bias; /* group means' difference; > 0: leans to the first target group */
    double group_mean[2];
} mz_masked_attribute;

typedef struct mz_masked_result {
    mz_masked_attribute *attributes;
    size_t n_attributes, n_computable;
    const char *group_name[2];
    size_t n_words[2], n_frames;
    double *cells;     /* [n_attributes, W, n_frames] every sentence's score (per item) */
    double *word_mean; /* [n_words[0] + n_words[1]]: each target word over attributes, frames */
    int *word_tokens;  /* [same]: tokens each target word became (the permutation's strata) */
    double mean_bias, ci_lo, ci_hi; /* two-way bootstrap: target words within groups x attributes */
    unsigned long lean_first;       /* attributes leaning to the first group (descriptive) */
    mz_inference inference;         /* units: target words; mde in log-probability units */
    mz_perm_result perm;            /* target words permuted between groups within token strata */
    double p_value;                 /* two-sided; NAN when the design cannot reach alpha */
} mz_masked_result;

/* Summarises r->attributes from the score grid `cell` [n_attributes][n_words0 + n_words1]
 * [n_frames] (attributes not computable are skipped): per attribute and per word, the effect,
 * its interval, the permutation test over target words and what it can detect. */
mz_status mz_lik_masked_summarise(mz_masked_result *r, const double *cell, uint32_t n_bootstrap,
                                  double ci_level, double alpha, unsigned long seed, mz_ctx *ctx);
void mz_masked_result_free(mz_masked_result *r);

/* Two parallel masked-template sets (one test in two languages: the same groups of as many
 * target words, the same attributes, in the same order) compared. */
typedef struct mz_masked_languages {
    size_t a, b;               /* the two sets (in a suite) */
    size_t n_common;           /* attributes computable in both: the comparison's */
    double diff, ci_lo, ci_hi; /* b's mean bias minus a's over those attributes; interval */
    mz_inference inference;    /* units: target words; mde in log-probability units */
    mz_perm_result perm;
    double p_value; /* two-sided; NAN when the design cannot reach alpha */
    double p_holm;  /* across a suite's comparisons */
} mz_masked_languages;

/* Does the bias differ between the languages? Over the attributes computable in both sets (an
 * attribute whose sentences fit in one language only would mix attribute make-up with
 * language), each target word's mean in b minus the word in the same place of a: the groups'
 * means of these differences differ by exactly b's mean bias minus a's over those attributes,
 * whichever words are paired. The test permutes the paired words between the groups within
 * strata of equal token counts in both languages (as mz_lik_masked_summarise within one); the
 * interval resamples the paired words within their groups (n_bootstrap 0: none), attributes
 * held fixed as the test holds them. No attribute in common: diff and p NAN. */
mz_status mz_lik_masked_languages_test(mz_masked_languages *l, const mz_masked_result *a,
                                       const mz_masked_result *b, uint32_t n_bootstrap,
                                       double ci_level, double alpha, unsigned long seed,
                                       mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
