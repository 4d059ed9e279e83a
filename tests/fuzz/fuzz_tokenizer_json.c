/* Fuzz target: the tokenizer.json loader, then encoding a fixed Swahili sentence with
 * whatever loaded. */
#include "mizani/tokenizer.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char text[] = "Ng'ombe wanakula nyasi, caf\xc3\xa9 na 1948.";
    mz_ctx *ctx = mz_ctx_new();
    mz_tokenizer *t;
    if (mz_tokenizer_parse_json(&t, (const char *)data, size, "fuzz.json", ctx) == MZ_OK) {
        mz_encoding e = {0};
        (void)mz_tokenizer_encode(&e, t, text, sizeof text - 1, 1, ctx);
        mz_encoding_clear(&e);
        mz_tokenizer_free(t);
    } else {
        (void)mz_ctx_message(ctx);
    }
    mz_ctx_free(ctx);
    return 0;
}
