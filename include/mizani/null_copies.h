/* Random-weight copies of a model: the same architecture (its config.json), every weight tensor
 * of the same name and shape drawn as Hugging Face initialises a fresh model (normal with sd
 * initializer_range for matrices and embeddings, GPT-2's residual projections scaled by
 * 1/sqrt(2 layers), LayerNorm gains 1, biases 0). Such a copy has learned nothing, so what a test
 * finds on it comes from the architecture and the tokenizer alone: K copies give a test its null
 * reference (mizani/weat_units.h). */
#ifndef MIZANI_NULL_COPIES_H
#define MIZANI_NULL_COPIES_H

#include "mizani/model.h"
#include "mizani/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_null_copies {
    size_t n;              /* K copies */
    unsigned long seed;    /* copy k draws from its own generators (mz_stats_block_seed) */
    const char *config;    /* the audited model's config.json */
    const char *workdir;   /* where a copy's weights are written while it opens; NULL: $TMPDIR,
                              else /tmp */
    mz_progress *progress; /* counts copies; may be NULL */
} mz_null_copies;

/* The default K: 10 copies where the model can have them (a Hugging Face folder), none for a
 * GGUF file. SEAT's and CEAT's word permutation is not exact for a test whose words share
 * tokens (mizani/runner.h: mz_shared_pieces); on null models it fell below 0.05 in 6.0% of
 * SEAT's tests without the reference, in 2.1% as run by default (tests/calibration, README). */
#define MZ_NULL_COPIES_AUTO    ((size_t)-1)
#define MZ_NULL_COPIES_DEFAULT 10

/* nc for k random copies of the model at `model_path`, seeded by `seed` (the run's --seed), its
 * config.json's path written into config[n_config] (nc->config points there): MZ_ERR_USAGE when
 * k is 1 or 2 (a reference needs at least 3) or when the path is not a Hugging Face model folder
 * (a GGUF file has no config.json to give a copy). k 0: nothing to check; MZ_NULL_COPIES_AUTO:
 * MZ_NULL_COPIES_DEFAULT for a model folder, else 0. */
mz_status mz_null_copies_init(mz_null_copies *nc, size_t k, unsigned long seed,
                              const char *model_path, char *config, size_t n_config, mz_ctx *ctx);

/* Copy k of model m (a safetensors model: its tensor directory; F32 whatever its dtypes):
 * written into a fresh folder under nc->workdir, opened, and the folder removed (the open model
 * keeps its map of the weights). Memory: the copy's F32 weights, once while written. */
mz_status mz_null_copy_open(mz_model **out, const mz_model *m, const mz_null_copies *nc, size_t k,
                            mz_ctx *ctx);

/* fn(copy, k, user, ctx) for k = 0..nc->n - 1, one copy open at a time; the first failure
 * stops. */
typedef mz_status (*mz_null_copy_fn)(mz_model *copy, size_t k, void *user, mz_ctx *ctx);
mz_status mz_null_copies_each(const mz_null_copies *nc, const mz_model *m, mz_null_copy_fn fn,
                              void *user, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
