/* Results to files: JSON for machines (schema-versioned, with provenance) and, from the
 * same values, the HTML report. */
#ifndef MIZANI_REPORT_H
#define MIZANI_REPORT_H

#include "mizani/static_audit.h"

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MZ_RESULTS_SCHEMA 1

/* One static-vector WEAT result as a JSON object (NULL on no memory). */
json_t *mz_report_static_weat_json(const mz_static_weat *r);

/* Writes `root` to `path` atomically: a temporary file renamed into place, so a failed run
 * never leaves a half-written file. */
mz_status mz_report_write_json(const json_t *root, const char *path, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
