/* Fuzz target: the safetensors header parser, then a read of every byte range it accepted
 * (AddressSanitizer turns any range outside the buffer into a failure). */
#include "mizani/safetensors.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mz_ctx *ctx = mz_ctx_new();
    mz_st *st;
    if (mz_st_parse(&st, data, size, "fuzz.safetensors", ctx) == MZ_OK) {
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < mz_st_n_tensors(st); i++) {
            const mz_st_tensor *t = mz_st_tensor_at(st, i);
            const uint8_t *p = t->data;
            if (t->n_bytes) sink ^= p[0] ^ p[t->n_bytes - 1];
            (void)mz_st_find(st, t->name);
        }
        (void)sink;
        mz_st_free(st);
    }
    mz_ctx_free(ctx);
    return 0;
}
