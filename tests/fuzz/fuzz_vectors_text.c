/* Fuzz target: the fastText/GloVe text reader, with and without a keep-list and folding. */
#include "mizani/vectors.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *keep[] = {"mama", "Baba", "ng'ombe"};
    mz_ctx *ctx = mz_ctx_new();
    for (int variant = 0; variant < 2; variant++) {
        mz_vectors_options opt = {.format = MZ_VECTORS_TEXT};
        if (variant)
            opt = (mz_vectors_options){
                .format = MZ_VECTORS_TEXT, .keep = keep, .n_keep = 3, .fold_case = 1};
        mz_vectors *v = NULL;
        if (mz_vectors_parse(&v, data, size, "fuzz.vec", &opt, ctx) == MZ_OK) {
            for (size_t i = 0; i < mz_vectors_count(v); i++)
                (void)mz_vectors_find(v, mz_vectors_word(v, i), 1, NULL);
            mz_vectors_free(v);
        } else {
            (void)mz_ctx_message(ctx);
        }
    }
    mz_ctx_free(ctx);
    return 0;
}
