/* Fuzz target: a model folder holding only vocab.txt (the BERT legacy loader), then encoding. */
#include "mizani/tokenizer.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static void remove_dir(void) { /* the folder goes when the run ends, not left in /tmp */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) return;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/mizani-fuzz-vocab-%d", (int)getpid());
        char cmd[128];
        snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
        if (system(cmd)) return 0;
        atexit(remove_dir);
    }
    char path[128];
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    mz_ctx *ctx = mz_ctx_new();
    mz_tokenizer *t;
    if (mz_tokenizer_load(&t, dir, ctx) == MZ_OK) {
        static const char text[] = "Kila mtu ana haki [CLS] ya kuishi.";
        mz_encoding e = {0};
        (void)mz_tokenizer_encode(&e, t, text, sizeof text - 1, 1, ctx);
        mz_encoding_clear(&e);
        mz_tokenizer_free(t);
    }
    mz_ctx_free(ctx);
    return 0;
}
