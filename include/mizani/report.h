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

/* A whole static-vector suite with its provenance and adjusted p-values (schema
 * "mizani-results/1"); `opt` records how it was run. NULL on no memory. */
json_t *mz_report_static_suite_json(const mz_static_suite *s, const mz_static_options *opt);

/* The suite as a self-contained HTML page for readers who are not statisticians: a plain
 * summary, a forest plot (SVG) of effect sizes with intervals, one row per test with what it
 * means in words, the tests that could not be computed and why, and the method. Written
 * atomically. */
mz_status mz_report_static_suite_html(const mz_static_suite *s, const mz_static_options *opt,
                                      const char *path, mz_ctx *ctx);

/* Writes `root` to `path` atomically: a temporary file renamed into place, so a failed run
 * never leaves a half-written file. */
mz_status mz_report_write_json(const json_t *root, const char *path, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
