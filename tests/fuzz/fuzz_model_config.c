/* Fuzz target: config.json, the first file of a model folder that Mizani parses. */
#include "mizani/alloc.h"
#include "mizani/model.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mz_ctx *ctx = mz_ctx_new();
    mz_model_config cfg;
    char *type = NULL;
    (void)mz_model_config_parse(&cfg, &type, (const char *)data, size, "config.json", ctx);
    mz_free(type);
    mz_ctx_free(ctx);
    return 0;
}
