/* Fuzz target: the SentencePiece .model (protobuf) reader, then encoding with what loaded. */
#include "mizani/tokenizer.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char text[] = "Ng'ombe  wanakula nyasi.";
    mz_ctx *ctx = mz_ctx_new();
    mz_tokenizer *t;
    if (mz_tokenizer_parse_spm(&t, data, size, "fuzz.model", ctx) == MZ_OK) {
        mz_encoding e = {0};
        (void)mz_tokenizer_encode(&e, t, text, sizeof text - 1, 0, ctx);
        mz_encoding_clear(&e);
        mz_tokenizer_free(t);
    }
    mz_ctx_free(ctx);
    return 0;
}
