/* Fuzz target: the probe-file parser, the linter behind `mizani probes lint`, and the JSON
 * path-to-line scanner. */
#include "mizani/json_path.h"
#include "mizani/probes.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* the line finder reads raw, possibly malformed text */
    (void)mz_json_path_line((const char *)data, size, "$.targets[1].words[3]");
    (void)mz_json_path_line((const char *)data, size, "$.pairs[0]");
    mz_ctx *ctx = mz_ctx_new();
    mz_probe_set *s = NULL;
    if (mz_probes_parse(&s, (const char *)data, size, "fuzz.json", ctx) == MZ_OK) {
        mz_lint_report r = {0};
        (void)mz_probes_lint(&r, s, ctx);
        mz_lint_report_clear(&r);
        mz_probes_free(s);
    } else {
        (void)mz_ctx_message(ctx);
    }
    mz_ctx_free(ctx);
    return 0;
}
