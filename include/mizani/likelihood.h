/* Likelihood-based bias tests: how much more probable a model finds the more stereotypical
 * sentence of a minimal pair. Scores are natural-log probabilities summed over tokens. */
#ifndef MIZANI_LIKELIHOOD_H
#define MIZANI_LIKELIHOOD_H

#include "mizani/model.h"
#include "mizani/probes.h"
#include "mizani/progress.h"
#include "mizani/tokenizer.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pseudo-log-likelihood (Salazar et al. 2020; CrowS-Pairs, Nangia et al. 2020): for each token
 * with scored[i] = 1, the log-probability of ids[i] with that one token replaced by mask_id,
 * given the rest. All n masked copies run as one batch. per_token (may be NULL) gets each
 * scored token's term, 0 elsewhere. */
mz_status mz_lik_pll(double *score, double *per_token, mz_model *m, const int32_t *ids, int n,
                     const uint8_t *scored, int32_t mask_id, mz_ctx *ctx);

/* The tokenizer's mask token ([MASK] or <mask>); -1 when it has none. */
int32_t mz_lik_mask_id(const mz_tokenizer *t);

/* A causal LM's log-likelihood of the scored tokens given the tokens before them (token 0,
 * having no context, is never scored). One forward pass. */
mz_status mz_lik_causal(double *score, double *per_token, mz_model *m, const int32_t *ids, int n,
                        const uint8_t *scored, mz_ctx *ctx);

/* All Unmasked Likelihood and its attention-weighted form (Kaneko and Bollegala 2022): one pass
 * without masking; AUL is the mean log-probability of the scored tokens, AULA weights each by
 * the attention it receives, averaged over layers, heads and query tokens. */
mz_status mz_lik_aul(double *aul, double *aula, mz_model *m, const int32_t *ids, int n,
                     const uint8_t *scored, mz_ctx *ctx);

/* The tokens two sentences share, aligned by a longest common subsequence of ids (CrowS-Pairs
 * scores only these "unmodified" tokens). shared_a[i] / shared_b[j] become 1 for aligned tokens. */
mz_status mz_lik_align(uint8_t *shared_a, uint8_t *shared_b, const int32_t *a, int na,
                       const int32_t *b, int nb, mz_ctx *ctx);

/* Kurita et al. (2019)'s increased log probability of a target given an attribute: with the
 * target's tokens masked, log P(target | attribute present) - log P(target | attribute masked
 * too); multi-token spans use the sum of their tokens' log-probabilities. target[i] and
 * attribute[i] mark the two spans' tokens. One batch of two rows. */
mz_status mz_lik_masked_ratio(double *score, mz_model *m, const int32_t *ids, int n,
                              const uint8_t *target, const uint8_t *attribute, int32_t mask_id,
                              mz_ctx *ctx);

/* A masked-template probe set scored: for every attribute (an occupation), the mean increased
 * log probability of the first target group minus the second's, over groups' words and frames. */
typedef struct mz_masked_attribute {
    const char *attribute;
    double bias; /* > 0: leans to the first target group */
    double group_mean[2];
} mz_masked_attribute;

typedef struct mz_masked_result {
    mz_masked_attribute *attributes;
    size_t n_attributes;
    const char *group_name[2];
    double mean_bias, ci_lo, ci_hi; /* mean over attributes, bootstrap interval over attributes */
    unsigned long lean_first;       /* attributes leaning to the first group */
    double p_sign;                  /* sign test of lean_first against half */
} mz_masked_result;

mz_status mz_lik_masked(mz_masked_result *out, mz_model *m, const mz_tokenizer *t,
                        const mz_probe_set *set, uint32_t n_bootstrap, double ci_level,
                        unsigned long seed, mz_progress *progress, mz_ctx *ctx);
void mz_masked_result_free(mz_masked_result *r);

typedef enum mz_lik_method { MZ_LIK_PLL, MZ_LIK_AUL, MZ_LIK_AULA, MZ_LIK_CAUSAL } mz_lik_method;

/* One minimal pair, scored. */
typedef struct mz_pair_score {
    const mz_minimal_pair *pair;
    double more, less;            /* scores of the two sentences (higher: more probable) */
    double more_norm, less_norm;  /* the same per scored token (length-normalised) */
    int tokens_more, tokens_less; /* tokens of each sentence */
    int target_tokens_more, target_tokens_less; /* tokens covering each target span */
    int prefers_more;                           /* more > less */
    int split_mismatch; /* the target spans split into different numbers of tokens */
} mz_pair_score;

/* Preference for the more stereotypical side among the pairs of one category (or all). */
typedef struct mz_pair_summary {
    char category[64];
    unsigned long n, prefers_more;
    double rate, ci_lo, ci_hi; /* the preference rate with a Clopper-Pearson interval */
    double p_value, p_holm;    /* two-sided sign test against 0.5; Holm across categories */
    unsigned long split_mismatches;
} mz_pair_summary;

typedef struct mz_pairs_result {
    mz_lik_method method;
    mz_pair_score *scores;
    size_t n_scores;
    mz_pair_summary *summaries; /* every category, then "all" */
    size_t n_summaries;
} mz_pairs_result;

/* Scores every pair of `set` (a minimal-pairs probe set) with `method` (PLL and AUL/AULA need a
 * masked-LM head; causal needs a decoder) and summarises by category. ci_level e.g. 0.95. */
mz_status mz_lik_pairs(mz_pairs_result *out, mz_model *m, const mz_tokenizer *t,
                       const mz_probe_set *set, mz_lik_method method, double ci_level,
                       mz_progress *progress, mz_ctx *ctx);
void mz_pairs_result_free(mz_pairs_result *r);

/* Before and after fine-tuning, the same pairs: McNemar's exact test per category on the pairs
 * whose preference flipped (b: stereotypical side preferred only before, c: only after). */
typedef struct mz_pairs_change {
    char category[64];
    unsigned long n, b, c;
    double rate_before, rate_after;
    double p_value, p_holm;
} mz_pairs_change;

/* out: one entry per summary of `after` (its categories, then "all"). Both results must score
 * the same pairs in the same order. */
mz_status mz_lik_pairs_change(mz_pairs_change *out, const mz_pairs_result *before,
                              const mz_pairs_result *after, mz_ctx *ctx);
const char *mz_lik_method_name(mz_lik_method method);

#ifdef __cplusplus
}
#endif
#endif
