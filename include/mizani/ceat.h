/* CEAT (Guo and Caliskan 2021): association tests on contextual word embeddings. Each probe word
 * is embedded in every one of its contexts (sentences of a corpus that hold it, or the sentence
 * frames of its language; the word's own subword tokens pooled); each of N samples draws one
 * context per word and gives one WEAT effect size; a random-effects meta-analysis
 * (DerSimonian-Laird) combines them, with heterogeneity (Q, I^2), as a description only: the
 * samples reuse the same words, so their combined interval shrinks with their number without
 * saying more about the words. The test and interval are over words (mizani/weat_units.h), each
 * word's contexts pooled with it, and do not change with the number of samples. */
#ifndef MIZANI_CEAT_H
#define MIZANI_CEAT_H

#include "mizani/association.h"
#include "mizani/probes.h"
#include "mizani/runner.h"
#include "mizani/seat.h"
#include "mizani/weat_units.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_ceat_options {
    mz_embed_options embed; /* pooling over the word's subwords: mean or first */
    uint32_t n_samples;     /* default 1000 */
    double ci_level;
    unsigned long seed;
    const char *const *corpus; /* sentences to draw contexts from; NULL: the sentence frames */
    size_t n_corpus;
    size_t max_contexts;     /* per word, from the corpus (its first lines holding the word) */
    uint64_t n_permutations; /* the word-level test's Monte Carlo permutations (10000); 0: no
                                test, its z alone */
    uint32_t n_bootstrap;    /* its bootstrap draws over words (1000; 0: no interval) */
} mz_ceat_options;

typedef struct mz_ceat_result {
    mz_suite_entry entry;       /* the set, computed or why not, p (Holm), unknown words */
    size_t n_contexts;          /* word-in-context embeddings drawn from */
    mz_meta_result meta;        /* descriptive: the combined effect size over samples, Q, I^2 */
    double mean_effect;         /* the plain mean of the sampled effect sizes (CEAT's PES) */
    mz_weat_units_result words; /* the test: d over contexts, p and interval over words */
} mz_ceat_result;

/* Each sample's in-sample variance is the large-sample variance of a standardised mean
 * difference, (nx + ny) / (nx ny) + d^2 / (2 (nx + ny)). */
mz_status mz_ceat_suite(mz_ceat_result *out, mz_model *m, const mz_tokenizer *t,
                        mz_probe_set *const *sets, size_t n_sets, mz_probe_set *const *templates,
                        size_t n_templates, const mz_ceat_options *opt, mz_ctx *ctx);
/* After mz_ceat_suite on m, the word-level tests on `copies` random-weight copies of m with the
 * same contexts: each test's null reference (out[i].words.ref), its p-value the larger of the
 * word-level one and the reference's, Holm again (mizani/seat.h: mz_seat_reference). */
mz_status mz_ceat_reference(mz_ceat_result *out, const mz_null_copies *copies, mz_model *m,
                            const mz_tokenizer *t, size_t n_sets, mz_probe_set *const *templates,
                            size_t n_templates, const mz_ceat_options *opt, mz_ctx *ctx);
/* SEAT's and CEAT's references at once, after both suites ran on m (either result NULL: that
 * suite alone): each copy is drawn once, its frame sentences for the tests whose words share
 * tokens run once into a cache that both read (where embed's or opt's has one), so the pair
 * costs about what one reference does (mz_seat_reference, mz_ceat_reference are this with one
 * suite, and give the same numbers). */
mz_status mz_assoc_reference(mz_seat_result *seat, mz_ceat_result *ceat, size_t n_sets,
                             const mz_null_copies *copies, mz_model *m, const mz_tokenizer *t,
                             mz_probe_set *const *templates, size_t n_templates,
                             const mz_embed_options *embed, const mz_ceat_options *opt,
                             mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
