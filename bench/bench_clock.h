/* What every engine benchmark measures: wall and CPU seconds, and the process's peak memory. */
#ifndef MIZANI_BENCH_CLOCK_H
#define MIZANI_BENCH_CLOCK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_clock(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double bench_now(void) { return bench_clock(CLOCK_MONOTONIC); }
/* CPU seconds of every thread: comparable across runs on a machine shared with other work,
 * where wall time is not. */
static inline double bench_cpu(void) { return bench_clock(CLOCK_PROCESS_CPUTIME_ID); }

/* VmHWM, not getrusage: Linux carries a parent's ru_maxrss into a forked child, so a large
 * Python parent would show as this process's peak. */
static inline long bench_peak_rss(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb * 1024L;
}

#endif
