/* Fuzz target: the word2vec binary reader. */
#include "mizani/vectors.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mz_ctx *ctx = mz_ctx_new();
    mz_vectors_options opt = {.format = MZ_VECTORS_WORD2VEC_BINARY};
    mz_vectors *v = NULL;
    if (mz_vectors_parse(&v, data, size, "fuzz.bin", &opt, ctx) == MZ_OK) {
        for (size_t i = 0; i < mz_vectors_count(v); i++)
            (void)mz_vectors_find(v, mz_vectors_word(v, i), 0, NULL);
        mz_vectors_free(v);
    } else {
        (void)mz_ctx_message(ctx);
    }
    mz_ctx_free(ctx);
    return 0;
}
