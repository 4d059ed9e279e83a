/* Writes the audit's integration-test models: a random-weight BERT (masked LM, the committed
 * Unigram vocabulary with a mask token) and GPT-2 (byte-level BPE), 2 layers, 128 positions,
 * so that every shipped probe set fits (tests/calibration/null_model.h).
 * Usage: audit_models DIR [HIDDEN [LAYERS [HEADS [SEED [POSITIONS [nan]]]]]]: DIR/bert and
 * DIR/gpt2 (POSITIONS 128; "nan": one input-embedding weight NaN). Run from tests/. */
#include "calibration/null_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int positions = 128, nan_weight = 0;

static int write_one(const char *dir, const char *name, int causal, int hidden, int layers,
                     int heads, unsigned long seed, mz_ctx *ctx) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    null_spec spec = {.causal = causal,
                      .layers = layers,
                      .hidden = hidden,
                      .heads = heads,
                      .positions = positions,
                      .tokenizer = causal ? "golden/tokenizers/bpe-byte-level.json"
                                          : "calibration/unigram-mask.tokenizer.json",
                      .seed = seed};
    null_model m;
    mz_status rc = null_model_make(&m, &spec, ctx);
    if (!rc && nan_weight) m.wte[5] = NAN;
    if (!rc) rc = null_model_write(&m, &spec, path, ctx);
    null_model_free(&m);
    if (rc) fprintf(stderr, "audit_models: %s\n", mz_ctx_message(ctx));
    return rc != MZ_OK;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr,
                "usage: audit_models DIR [HIDDEN [LAYERS [HEADS [SEED [POSITIONS [nan]]]]]]\n");
        return 2;
    }
    int hidden = argc > 2 ? atoi(argv[2]) : 32, layers = argc > 3 ? atoi(argv[3]) : 2,
        heads = argc > 4 ? atoi(argv[4]) : 4;
    unsigned long seed = argc > 5 ? strtoul(argv[5], NULL, 10) : 7;
    if (argc > 6) positions = atoi(argv[6]);
    nan_weight = argc > 7 && !strcmp(argv[7], "nan");
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    int bad = write_one(argv[1], "bert", 0, hidden, layers, heads, seed, ctx) ||
              write_one(argv[1], "gpt2", 1, hidden, layers, heads, seed + 1, ctx);
    mz_ctx_free(ctx);
    return bad;
}
