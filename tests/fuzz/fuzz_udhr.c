/* Fuzz target: the UDHR extraction (libxml2's HTML parser and the segment walk). */
#include "mizani/probes.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mz_ctx *ctx = mz_ctx_new();
    mz_udhr u[2];
    if (mz_udhr_parse(&u[0], (const char *)data, size, "fuzz.html", ctx) == MZ_OK) {
        char *json = NULL;
        u[1] = u[0]; /* aligning a text with itself exercises the JSON writer */
        if (mz_udhr_align_json(&json, &u[0], &u[1], ctx) == MZ_OK) free(json);
        mz_udhr_clear(&u[0]);
    }
    mz_ctx_free(ctx);
    return 0;
}
