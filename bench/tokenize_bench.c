/* Tokenizer timing for bench/tokenize.js: encodes a whole text file in one call, best of
 * `repeats`, and prints "seconds tokens". */
#include "mizani/file.h"
#include "mizani/tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s TOKENIZER TEXT_FILE REPEATS\n", argv[0]);
        return 2;
    }
    mz_ctx *ctx = mz_ctx_new();
    mz_tokenizer *t;
    char *text;
    size_t len;
    if (mz_tokenizer_load(&t, argv[1], ctx) ||
        mz_read_file(&text, &len, argv[2], (size_t)1 << 30, ctx)) {
        fprintf(stderr, "%s\n", mz_ctx_message(ctx));
        return 3;
    }
    mz_encoding e = {0};
    double best = 1e30;
    for (int r = 0; r < atoi(argv[3]); r++) {
        double t0 = now();
        if (mz_tokenizer_encode(&e, t, text, len, 0, ctx)) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            return 5;
        }
        if (now() - t0 < best) best = now() - t0;
    }
    printf("%.6f %zu\n", best, e.n);
    mz_encoding_clear(&e);
    mz_tokenizer_free(t);
    free(text);
    mz_ctx_free(ctx);
    return 0;
}
