/* SEAT (May et al. 2019): association tests on a model's sentence embeddings. Each probe word is
 * put into the semantically bleached sentence frames of its language and word class; every
 * sentence is one member of its set; WEAT's effect size runs on the pooled hidden states, and its
 * inference on the words (each word's sentences move together; target words trade labels only
 * with words of equal token count and template class). */
#ifndef MIZANI_SEAT_H
#define MIZANI_SEAT_H

#include "mizani/association.h"
#include "mizani/probes.h"
#include "mizani/runner.h"
#include "mizani/weat_units.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_seat_result {
    mz_suite_entry entry;      /* the set, computed or why not, p (Holm), unknown words */
    size_t n_sentences[4];     /* X, Y, A, B */
    mz_weat_units_result weat; /* d over sentences; p and interval over words */
} mz_seat_result;

/* Runs every association set in `sets`, with frames from the templates set whose language
 * matches each list's. A set that cannot be computed (a word without a class, a degenerate
 * spread) is reported with its reason; other failures stop the suite. */
mz_status mz_seat_suite(mz_seat_result *out, mz_model *m, const mz_tokenizer *t,
                        mz_probe_set *const *sets, size_t n_sets, mz_probe_set *const *templates,
                        size_t n_templates, const mz_embed_options *embed,
                        const mz_weat_options *weat, mz_ctx *ctx);
/* After mz_seat_suite on m (its n_sets results in out), the same suite (same frames, pooling)
 * on `copies` random-weight copies of m for the tests whose words share tokens (out[i].entry
 * .shared_pieces; mizani/runner.h: mz_suite_reference): each one's null reference
 * (out[i].weat.ref), its p-value the larger of the word-level one and the reference's, Holm
 * again across all. Each copy costs one pass of those tests' sentences through the model (with
 * embed->cache, into an empty cache of the copy's own) plus drawing and writing its weights: for
 * BERT-base at most about 41 CPU s on one thread (README); nothing when no test needs it. */
mz_status mz_seat_reference(mz_seat_result *out, const mz_null_copies *copies, mz_model *m,
                            const mz_tokenizer *t, size_t n_sets, mz_probe_set *const *templates,
                            size_t n_templates, const mz_embed_options *embed, mz_ctx *ctx);

/* Every sentence the suite's words make in their frames (words without a frame left out: their
 * tests say so), for filling the probe runner's cache at once: SEAT's sentences are also CEAT's
 * contexts when no corpus is given. Free with mz_templates_free. */
mz_status mz_seat_sentences(char ***out, size_t *n, mz_probe_set *const *sets, size_t n_sets,
                            mz_probe_set *const *templates, size_t n_templates, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
