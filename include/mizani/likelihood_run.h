/* Likelihood-based bias tests, the model-running side (audit/): sentences tokenized as the
 * model does, batches built, the model run, and the arrays handed to the pure scores and
 * statistics of mizani/likelihood.h. Non-finite values from the model stop a test with
 * MZ_ERR_NUMERIC naming where they first appear (exit 5): no rate or p-value is reported. */
#ifndef MIZANI_LIKELIHOOD_RUN_H
#define MIZANI_LIKELIHOOD_RUN_H

#include "mizani/likelihood.h"
#include "mizani/model.h"
#include "mizani/progress.h"
#include "mizani/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One line of likelihood work on a model: a run context kept between passes. */
typedef struct mz_lik_runner mz_lik_runner;

mz_status mz_lik_runner_new(mz_lik_runner **out, const mz_model *m, mz_ctx *ctx);
void mz_lik_runner_free(mz_lik_runner *r);
const mz_model_config *mz_lik_runner_config(const mz_lik_runner *r);

/* Runs fn(i, runner, user, ctx) for every item i in [0, n) over the threads, each thread with
 * a runner of its own. Inside the threads the engine runs single-threaded, so an item's numbers
 * are the same whatever the thread count. The error of the lowest failing item is reported
 * (items after it may be skipped); `progress` counts items. */
typedef mz_status (*mz_lik_item_fn)(size_t i, mz_lik_runner *r, void *user, mz_ctx *ctx);
mz_status mz_lik_for_each(const mz_model *m, size_t n, mz_lik_item_fn fn, void *user,
                          mz_progress *progress, mz_ctx *ctx);

/* Pseudo-log-likelihood (Salazar et al. 2020; CrowS-Pairs, Nangia et al. 2020): for each token
 * with scored[i] = 1, the log-probability of ids[i] with that one token replaced by mask_id,
 * given the rest. All masked copies run as one batch, the LM head on the masked rows alone.
 * per_token (may be NULL) gets each scored token's term, 0 elsewhere. */
mz_status mz_lik_pll(double *score, double *per_token, mz_lik_runner *r, const int32_t *ids, int n,
                     const uint8_t *scored, int32_t mask_id, mz_ctx *ctx);

/* A causal LM's log-likelihood of the scored tokens given the tokens before them (token 0,
 * having no context, is never scored). One forward pass. */
mz_status mz_lik_causal(double *score, double *per_token, mz_lik_runner *r, const int32_t *ids,
                        int n, const uint8_t *scored, mz_ctx *ctx);

/* All Unmasked Likelihood and its attention-weighted form (Kaneko and Bollegala 2022): one pass
 * without masking; AUL is the mean log-probability of the scored tokens, AULA weights each by
 * the attention it receives, averaged over layers, heads and query tokens. per_token as above. */
mz_status mz_lik_aul(double *aul, double *aula, double *per_token, mz_lik_runner *r,
                     const int32_t *ids, int n, const uint8_t *scored, mz_ctx *ctx);

/* One sentence of a masked template: its ids and which tokens are the target's and the
 * attribute's. */
typedef struct mz_lik_template_row {
    const int32_t *ids;
    const uint8_t *target, *attribute;
    int n;
} mz_lik_template_row;

/* Kurita et al. (2019)'s increased log probability of a target given an attribute, for each of
 * `count` sentences: with the target's tokens masked, log P(target | attribute present) -
 * log P(target | attribute masked too); multi-token spans use the sum of their tokens'
 * log-probabilities. One batch: the sentences (one target word in one frame with each attribute,
 * as the masked-template test passes them) share the prior rows they have in common, so the
 * model runs full and no prior is computed twice. */
mz_status mz_lik_masked_ratios(double *scores, mz_lik_runner *r, const mz_lik_template_row *rows,
                               int count, int32_t mask_id, mz_ctx *ctx);

/* The tokenizer's mask token ([MASK] or <mask>); -1 when it has none. */
int32_t mz_lik_mask_id(const mz_tokenizer *t);

/* Scores every pair of `set` (a minimal-pairs probe set) with `method` (PLL and AUL/AULA need
 * a masked-LM head; causal needs a decoder) and summarises by category. A pair longer than the
 * model's positions is marked not computable with both lengths (n_computable may be 0: the
 * caller decides whether anything at all was computable). */
mz_status mz_lik_pairs(mz_pairs_result *out, const mz_model *m, const mz_tokenizer *t,
                       const mz_probe_set *set, mz_lik_method method, const mz_pairs_options *o,
                       mz_progress *progress, mz_ctx *ctx);

/* Minimal pairs over several probe sets: each set scored (mz_lik_pairs) and, for every two sets
 * in different languages whose pairs correspond by id ("sw-gender-001", "en-gender-001"), the
 * paired test of whether the preference differs between the languages. `progress` counts pairs
 * over all sets. */
typedef struct mz_pairs_languages {
    size_t a, b;               /* the two sets' indices */
    mz_pairs_language_diff *d; /* per category, then "all" */
    size_t n;
} mz_pairs_languages;

typedef struct mz_pairs_suite {
    mz_probe_set *const *sets;
    size_t n;
    mz_pairs_result *results; /* [n] */
    mz_pairs_languages *languages;
    size_t n_languages;
    unsigned long n_computable; /* pairs scored over all sets */
} mz_pairs_suite;

mz_status mz_lik_pairs_suite(mz_pairs_suite *out, const mz_model *m, const mz_tokenizer *t,
                             mz_probe_set *const *sets, size_t n, mz_lik_method method,
                             const mz_pairs_options *o, mz_progress *progress, mz_ctx *ctx);
void mz_pairs_suite_free(mz_pairs_suite *s);
/* Two minimal-pair sets in different languages whose pairs correspond by id. */
int mz_lik_pairs_parallel(const mz_probe_set *a, const mz_probe_set *b);
/* The method a model gets by default: the causal log-likelihood for a decoder, the
 * pseudo-log-likelihood for a masked LM. */
mz_lik_method mz_lik_default_method(const mz_model *m);

/* Two masked-template sets that test the same thing in two languages: ids equal but for the
 * language suffix ("occupations-gender-sw", "occupations-gender-en"), the same numbers of
 * attributes and target words. */
int mz_lik_masked_parallel(const mz_probe_set *a, const mz_probe_set *b);

/* Masked templates over several probe sets: each scored (mz_lik_masked); a set none of whose
 * attributes fits the model keeps its reason and the others go on. For every two parallel sets
 * (mz_lik_masked_parallel), the difference of their mean biases (second minus first) with the
 * interval and permutation test of mz_lik_masked_languages_test, Holm-adjusted across those
 * comparisons. */

typedef struct mz_masked_suite {
    mz_probe_set *const *sets;
    size_t n;
    mz_masked_result *results; /* [n]; results[i].n_computable 0: see reason[i] */
    char (*reason)[256];
    double *p_holm; /* [n]: Holm across the sets' tests that can reach significance */
    mz_masked_languages *languages;
    size_t n_languages;
    double ci_level;
} mz_masked_suite;

mz_status mz_lik_masked_suite(mz_masked_suite *out, const mz_model *m, const mz_tokenizer *t,
                              mz_probe_set *const *sets, size_t n, uint32_t n_bootstrap,
                              double ci_level, unsigned long seed, mz_progress *progress,
                              mz_ctx *ctx);
void mz_masked_suite_free(mz_masked_suite *s);

/* A masked template's sentence: `frame` with [TARGET] and [ATTRIBUTE] filled in, into out[cap]
 * (0 when it does not fit), and the byte spans [start, end) of both in it. */
int mz_lik_masked_fill(char *out, size_t cap, const char *frame, const char *target,
                       const char *attribute, size_t target_span[2], size_t attribute_span[2]);

/* A masked-template probe set scored: every attribute with every target word in every frame
 * (an attribute whose sentences do not fit the model is marked not computable), then
 * mz_lik_masked_summarise. MZ_ERR_INPUT when no attribute is computable. */
mz_status mz_lik_masked(mz_masked_result *out, const mz_model *m, const mz_tokenizer *t,
                        const mz_probe_set *set, uint32_t n_bootstrap, double ci_level,
                        unsigned long seed, mz_progress *progress, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
