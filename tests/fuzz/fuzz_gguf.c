/* Fuzz target: the GGUF reader and its accessors over the tokenizer keys. */
#include "mizani/gguf.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mz_ctx *ctx = mz_ctx_new();
    mz_gguf *g;
    if (mz_gguf_parse(&g, data, size, "fuzz.gguf", ctx) == MZ_OK) {
        mz_gguf_str s;
        mz_gguf_type type;
        size_t n;
        uint64_t u;
        double d;
        int64_t i;
        (void)mz_gguf_get_string(g, "tokenizer.ggml.model", &s);
        (void)mz_gguf_get_uint(g, "tokenizer.ggml.unknown_token_id", &u);
        if (mz_gguf_get_array(g, "tokenizer.ggml.tokens", &type, &n) && n)
            (void)mz_gguf_array_string(g, "tokenizer.ggml.tokens", n - 1, &s);
        if (mz_gguf_get_array(g, "tokenizer.ggml.scores", &type, &n) && n)
            (void)mz_gguf_array_float(g, "tokenizer.ggml.scores", n - 1, &d);
        if (mz_gguf_get_array(g, "tokenizer.ggml.token_type", &type, &n) && n)
            (void)mz_gguf_array_int(g, "tokenizer.ggml.token_type", n - 1, &i);
        mz_gguf_free(g);
    }
    mz_ctx_free(ctx);
    return 0;
}
