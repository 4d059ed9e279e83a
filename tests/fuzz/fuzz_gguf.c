/* Fuzz target: the GGUF reader and its accessors over the tokenizer keys, then the tokenizer
 * built from a file that parses (the loader once dereferenced an empty token list). */
#include "mizani/gguf.h"
#include "mizani/tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* The bytes as a .gguf file, through the tokenizer loader and one encode. */
static void tokenizer_from(const uint8_t *data, size_t size, mz_ctx *ctx) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/mizani-fuzz-%d.gguf", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return;
    fwrite(data, 1, size, f);
    fclose(f);
    mz_tokenizer *t;
    if (mz_tokenizer_load(&t, path, ctx) == MZ_OK) {
        static const char text[] = "Kila mtu ana haki ya kuishi.";
        mz_encoding e = {0};
        (void)mz_tokenizer_encode(&e, t, text, sizeof text - 1, 1, ctx);
        mz_encoding_clear(&e);
        mz_tokenizer_free(t);
    }
    unlink(path);
}

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
        tokenizer_from(data, size, ctx);
    }
    mz_ctx_free(ctx);
    return 0;
}
