/* Mizani: audit pre-trained language models for social bias, in Swahili and English.
 * The umbrella header; each subsystem has its own header beside this one. */
#ifndef MIZANI_H
#define MIZANI_H

#include "mizani/alloc.h"
#include "mizani/error.h"
#include "mizani/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MZ_VERSION_MAJOR 0
#define MZ_VERSION_MINOR 1
#define MZ_VERSION_PATCH 0
#define MZ_VERSION       "0.1.0"

/* Call once before anything else: turns GSL's abort-on-error handler off (every GSL call's
 * status is checked instead) and fixes process-wide settings. Safe to call again. */
mz_status mz_init(mz_ctx *ctx);

/* Threads for Mizani's OpenMP regions (OpenBLAS runs on one thread inside them); 0 means all
 * cores. */
void mz_set_threads(int threads);
int mz_threads(void);

const char *mz_version(void);
/* "GSL 2.7.1, ICU 72.1, ..." — the libraries this build runs with, for provenance. */
const char *mz_build_info(void);

#ifdef __cplusplus
}
#endif
#endif
