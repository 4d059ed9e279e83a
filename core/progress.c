/* Progress reporter: throttled so that calling mz_progress_add in a hot loop costs a
 * mutex and a clock read, not a write. */
#include "mizani/progress.h"
#include "mizani/alloc.h"

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BAR_WIDTH          28
#define BAR_REDRAW_SECONDS 0.1

struct mz_progress {
    FILE *out;
    mz_progress_style style;
    char label[64];
    uint64_t total, done;
    double start, last_print, interval;
    int finished, printed;
    pthread_mutex_t lock;
};

static mz_progress_style default_style = MZ_PROGRESS_AUTO;

void mz_progress_set_default_style(mz_progress_style style) { default_style = style; }
mz_progress_style mz_progress_default_style(void) { return default_style; }

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

mz_progress *mz_progress_new(FILE *out, mz_progress_style style, const char *label,
                             uint64_t total) {
    mz_progress *p = mz_calloc(1, sizeof *p);
    if (!p) return NULL;
    p->out = out ? out : stderr;
    if (style == MZ_PROGRESS_AUTO)
        style = isatty(fileno(p->out)) ? MZ_PROGRESS_BAR : MZ_PROGRESS_LINES;
    p->style = style;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    p->total = total;
    p->start = p->last_print = now_seconds();
    p->interval = 5.0;
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void mz_progress_set_interval(mz_progress *p, double seconds) {
    if (p) p->interval = seconds < 0 ? 0 : seconds;
}

/* "1m05s" or "12.3s": durations people read at a glance. */
static void format_duration(char *buf, size_t cap, double s) {
    if (s >= 60)
        snprintf(buf, cap, "%dm%02ds", (int)(s / 60), (int)s % 60);
    else
        snprintf(buf, cap, "%.1fs", s);
}

static void print_status(mz_progress *p, double t, int final) {
    double elapsed = t - p->start;
    double rate = elapsed > 0 ? (double)p->done / elapsed : 0;
    char eta[32] = "", el[32];
    format_duration(el, sizeof el, elapsed);
    if (!final && p->total && rate > 0 && p->done < p->total) {
        char d[24];
        format_duration(d, sizeof d, (double)(p->total - p->done) / rate);
        snprintf(eta, sizeof eta, ", ETA %s", d);
    }
    if (p->style == MZ_PROGRESS_BAR) {
        char bar[BAR_WIDTH + 1];
        int fill = p->total ? (int)((double)BAR_WIDTH * (double)p->done / (double)p->total) : 0;
        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fprintf(p->out, "\r%s [%s] ", p->label, p->total ? bar : "");
    } else {
        fprintf(p->out, "%s: ", p->label);
    }
    if (p->total)
        fprintf(p->out, "%llu/%llu (%.0f%%)", (unsigned long long)p->done,
                (unsigned long long)p->total, 100.0 * (double)p->done / (double)p->total);
    else
        fprintf(p->out, "%llu", (unsigned long long)p->done);
    fprintf(p->out, ", %.1f/s, %s%s%s", rate, el, eta, final ? ", done" : "");
    fputs(p->style == MZ_PROGRESS_BAR && !final ? "\033[K" : "\n", p->out);
    fflush(p->out);
    p->last_print = t;
    p->printed = 1;
}

void mz_progress_set_total(mz_progress *p, uint64_t total) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->total = total;
    pthread_mutex_unlock(&p->lock);
}

void mz_progress_add(mz_progress *p, uint64_t n) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->done += n;
    if (p->style != MZ_PROGRESS_QUIET && !p->finished) {
        double t = now_seconds();
        double wait = p->style == MZ_PROGRESS_BAR ? BAR_REDRAW_SECONDS : p->interval;
        if (t - p->last_print >= wait) print_status(p, t, 0);
    }
    pthread_mutex_unlock(&p->lock);
}

void mz_progress_finish(mz_progress *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    /* A job too quick to have shown progress ends without a line of noise. */
    double t = now_seconds();
    int worth = p->printed || t - p->start >= 1.0;
    if (!p->finished && p->style != MZ_PROGRESS_QUIET && worth) print_status(p, t, 1);
    p->finished = 1;
    pthread_mutex_unlock(&p->lock);
}

void mz_progress_free(mz_progress *p) {
    if (!p) return;
    mz_progress_finish(p);
    pthread_mutex_destroy(&p->lock);
    mz_free(p);
}
