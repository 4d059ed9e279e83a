/* Fuzz target: the .npy reader that `mizani verify` runs on users' reference arrays. */
#include "mizani/alloc.h"
#include "mizani/npy.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mz_ctx *ctx = mz_ctx_new();
    mz_npy a;
    if (mz_npy_parse(&a, data, size, "fuzz.npy", ctx) == MZ_OK) {
        volatile float sink = a.n ? a.data[a.n - 1] : 0.0f;
        (void)sink;
        mz_npy_free(&a);
    }
    mz_ctx_free(ctx);
    return 0;
}
