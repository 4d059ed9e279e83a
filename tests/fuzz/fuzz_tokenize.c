/* Fuzz target: encoding arbitrary bytes (valid or not as UTF-8) with tokenizers of each
 * model type from tests/golden/tokenizers. */
#include "mizani/tokenizer.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static mz_tokenizer *toks[4];
    static int ready;
    static const char *names[4] = {"wordpiece-bert", "bpe-byte-level", "unigram-metaspace",
                                   "bpe-char-suffix"};
    mz_ctx *ctx = mz_ctx_new();
    if (!ready) {
        for (int i = 0; i < 4; i++) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s.json", MZ_GOLDEN_TOKENIZERS, names[i]);
            if (mz_tokenizer_load(&toks[i], path, ctx)) toks[i] = NULL;
        }
        ready = 1;
    }
    mz_encoding e = {0};
    for (int i = 0; i < 4; i++)
        if (toks[i]) (void)mz_tokenizer_encode(&e, toks[i], (const char *)data, size, i & 1, ctx);
    mz_encoding_clear(&e);
    mz_ctx_free(ctx);
    return 0;
}
