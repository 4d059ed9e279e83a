/* Checkpoints for the regression gate's tests and its noise study: copies of a null model
 * (null_model.h) with isotropic noise on every tensor (fine-tuning that changed things but
 * carries no direction), or with one probe set's target words moved towards one attribute set
 * (a planted change of bias), each audited with the association tests on its input embeddings
 * (the static stage of the audit `mizani compare` runs on a model it is given) into a compare
 * checkpoint. */
#ifndef MZ_TESTS_GATE_MODELS_H
#define MZ_TESTS_GATE_MODELS_H

#include "mizani/compare.h"
#include "mizani/static_audit.h"
#include "null_model.h"

/* Adds N(0, (sigma * rms of the tensor)^2) to every value of every tensor (all-zero tensors,
 * the biases, stay), from a generator seeded by `seed`. */
void gate_noise(null_model *m, double sigma, unsigned long seed);

/* Moves the input-embedding rows of the tokens of `set`'s first target list by size * r * u,
 * r the rows' root-mean-square norm and u the unit direction from the mean of the second
 * attribute list's words to the first's (a word: the mean of its tokens' rows). size > 0 moves
 * the targets towards the first attributes, < 0 away. */
mz_status gate_plant(null_model *m, const char *tokenizer, const mz_probe_set *set, double size,
                     mz_ctx *ctx);

/* Writes the model into `dir`, audits it (every set, `perms` permutations, no interval) and
 * makes the checkpoint, labelled `label`; the folder is removed again. */
mz_status gate_checkpoint(mz_checkpoint **cp, const null_model *m, const null_spec *s,
                          const char *dir, const char *label, mz_probe_set *const *sets,
                          size_t n_sets, uint64_t perms, mz_ctx *ctx);

#endif
