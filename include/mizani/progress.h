/* Progress for long jobs (model runs, permutation tests, corpus scans): a bar with rate and
 * ETA on a terminal, a line every few seconds in logs, nothing when quiet. */
#ifndef MIZANI_PROGRESS_H
#define MIZANI_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mz_progress_style {
    MZ_PROGRESS_AUTO = 0, /* BAR when the stream is a terminal, LINES otherwise */
    MZ_PROGRESS_BAR,      /* redrawn in place with \r */
    MZ_PROGRESS_LINES,    /* one line at most every `interval` seconds and at the end */
    MZ_PROGRESS_QUIET     /* prints nothing */
} mz_progress_style;

typedef struct mz_progress mz_progress;

/* `total` 0 means unknown (rate without ETA). `out` NULL means stderr. NULL on no memory. */
mz_progress *mz_progress_new(FILE *out, mz_progress_style style, const char *label, uint64_t total);
/* Minimum seconds between two LINES updates (default 5; 0 prints every update). */
void mz_progress_set_interval(mz_progress *p, double seconds);
/* The number of units once the job knows it (the audit's stages learn it after they start):
 * percentages and an ETA from then on. NULL-safe, thread-safe. */
void mz_progress_set_total(mz_progress *p, uint64_t total);
/* Adds `n` finished units. Cheap: prints only when a redraw is due. Thread-safe. */
void mz_progress_add(mz_progress *p, uint64_t n);
/* Prints the final line (done, elapsed, rate) unless the job was too quick (under a second,
 * nothing shown yet) to need one. Safe to call again; _free calls it. */
void mz_progress_finish(mz_progress *p);
void mz_progress_free(mz_progress *p);

/* Process-wide default style for jobs that create their own reporter (`--quiet` sets QUIET). */
void mz_progress_set_default_style(mz_progress_style style);
mz_progress_style mz_progress_default_style(void);

#ifdef __cplusplus
}
#endif
#endif
