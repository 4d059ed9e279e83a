/* Null models for the calibration study: random-weight checkpoints of a small shape that fits
 * every shipped probe set, written as a real model folder (config.json, model.safetensors,
 * tokenizer.json) so that they run through the same code as any model. Weights are drawn as
 * Hugging Face initialises them (normal, sd 0.02; LayerNorm 1 and 0; biases 0) from a GSL
 * generator seeded by the caller. Such a model has no learned associations: every test on it
 * should flag at most its nominal rate. A planted model adds a direction to the input
 * embeddings of chosen tokens (a known association of a stated size). */
#ifndef MZ_TESTS_NULL_MODEL_H
#define MZ_TESTS_NULL_MODEL_H

#include "mizani/mizani.h"
#include "mizani/safetensors_write.h"

typedef struct null_spec {
    int causal; /* 0: BERT with a masked-LM head; 1: GPT-2 */
    int layers, hidden, heads, positions;
    const char *tokenizer; /* a tokenizer.json: its vocabulary sets the model's */
    unsigned long seed;
} null_spec;

#define NULL_MAX_TENSORS 96

typedef struct null_model {
    mz_st_tensor_out t[NULL_MAX_TENSORS];
    float *data[NULL_MAX_TENSORS];
    size_t n;
    int vocab, hidden;
    float *wte; /* [vocab, hidden] the input (and tied output) embeddings */
} null_model;

mz_status null_model_make(null_model *m, const null_spec *s, mz_ctx *ctx);
/* Adds +size*r*u to the rows of `up` and -size*r*u to those of `down`: u a random unit
 * direction (seeded), r the rows' root-mean-square norm. */
void null_model_plant(null_model *m, const int32_t *up, size_t n_up, const int32_t *down,
                      size_t n_down, double size, unsigned long seed);
/* The folder `dir` (created if needed): config.json, model.safetensors, tokenizer.json. */
mz_status null_model_write(const null_model *m, const null_spec *s, const char *dir, mz_ctx *ctx);
void null_model_free(null_model *m);
/* Removes the folder null_model_write made (an open model keeps its map of the weights). */
void null_model_remove(const char *dir);

#endif
