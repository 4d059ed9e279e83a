/* The error context: the latest failure of one thread of work, with where it happened. */
#include "mizani/error.h"

#include "mizani/alloc.h"
#include <signal.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MZ_CAUSE_MAX 512
#define MZ_FILE_MAX  1024
#define MZ_PATH_MAX  256

struct mz_ctx {
    mz_status status;
    long long offset; /* -1: unknown */
    long line, column;
    char file[MZ_FILE_MAX];
    char json_path[MZ_PATH_MAX];
    char cause[MZ_CAUSE_MAX];
    char message[MZ_FILE_MAX + MZ_PATH_MAX + MZ_CAUSE_MAX + 64];
};

/* The context itself uses plain calloc: reporting "out of memory" must not depend on
 * the allocator whose failure is being reported, and fault-injection tests count only
 * the allocations of the code under test. */
mz_ctx *mz_ctx_new(void) {
    mz_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx) mz_ctx_clear(ctx);
    return ctx;
}

void mz_ctx_free(mz_ctx *ctx) { free(ctx); }

void mz_ctx_clear(mz_ctx *ctx) {
    if (!ctx) return;
    ctx->status = MZ_OK;
    ctx->offset = -1;
    ctx->line = ctx->column = 0;
    ctx->file[0] = ctx->json_path[0] = ctx->cause[0] = ctx->message[0] = '\0';
}

static void copy_bounded(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Formats before clearing, so that a caller may wrap the context's own message or file
 * ("pair %s: %s", id, mz_ctx_cause(ctx)) as the new one. */
static mz_status record(mz_ctx *ctx, mz_status status, const char *file, const char *fmt,
                        va_list ap) {
    if (!ctx) return status;
    char cause[sizeof ctx->cause], where[sizeof ctx->file];
    vsnprintf(cause, sizeof cause, fmt, ap);
    copy_bounded(where, sizeof where, file);
    mz_ctx_clear(ctx);
    ctx->status = status;
    memcpy(ctx->file, where, sizeof where);
    memcpy(ctx->cause, cause, sizeof cause);
    return status;
}

mz_status mz_fail(mz_ctx *ctx, mz_status status, const char *file, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(ctx, status, file, fmt, ap);
    va_end(ap);
    return status;
}

mz_status mz_fail_offset(mz_ctx *ctx, mz_status status, const char *file, long long offset,
                         const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(ctx, status, file, fmt, ap);
    va_end(ap);
    if (ctx) ctx->offset = offset;
    return status;
}

mz_status mz_fail_line(mz_ctx *ctx, mz_status status, const char *file, long line, long column,
                       const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(ctx, status, file, fmt, ap);
    va_end(ap);
    if (ctx) {
        ctx->line = line;
        ctx->column = column;
    }
    return status;
}

mz_status mz_fail_path(mz_ctx *ctx, mz_status status, const char *file, const char *json_path,
                       const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    record(ctx, status, file, fmt, ap);
    va_end(ap);
    if (ctx) copy_bounded(ctx->json_path, sizeof ctx->json_path, json_path);
    return status;
}

mz_status mz_fail_errno(mz_ctx *ctx, const char *file, const char *what) {
    int err = errno;
    if (err == ENOMEM) return mz_fail(ctx, MZ_ERR_NOMEM, file, "%s: out of memory", what);
    return mz_fail(ctx, MZ_ERR_IO, file, "%s: %s", what, strerror(err));
}

void mz_ctx_set_line(mz_ctx *ctx, long line) {
    if (ctx && ctx->status != MZ_OK) ctx->line = line;
}

void mz_ctx_set_file(mz_ctx *ctx, const char *file) {
    if (ctx && ctx->status != MZ_OK && ctx->file[0] == '\0')
        copy_bounded(ctx->file, sizeof ctx->file, file);
}

mz_status mz_ctx_status(const mz_ctx *ctx) { return ctx ? ctx->status : MZ_ERR_NOMEM; }
const char *mz_ctx_file(const mz_ctx *ctx) { return ctx ? ctx->file : ""; }
long long mz_ctx_offset(const mz_ctx *ctx) { return ctx ? ctx->offset : -1; }
long mz_ctx_line(const mz_ctx *ctx) { return ctx ? ctx->line : 0; }
long mz_ctx_column(const mz_ctx *ctx) { return ctx ? ctx->column : 0; }
const char *mz_ctx_json_path(const mz_ctx *ctx) { return ctx ? ctx->json_path : ""; }
const char *mz_ctx_cause(const mz_ctx *ctx) { return ctx ? ctx->cause : "out of memory"; }

const char *mz_ctx_message(mz_ctx *ctx) {
    if (!ctx) return "out of memory";
    char where[MZ_FILE_MAX + MZ_PATH_MAX + 48] = "";
    const char *sep = ctx->file[0] ? ": " : "";
    if (ctx->line > 0 && ctx->json_path[0])
        snprintf(where, sizeof where, "%s:%ld: at %s: ", ctx->file, ctx->line, ctx->json_path);
    else if (ctx->line > 0 && ctx->column > 0)
        snprintf(where, sizeof where, "%s:%ld:%ld: ", ctx->file, ctx->line, ctx->column);
    else if (ctx->line > 0)
        snprintf(where, sizeof where, "%s:%ld: ", ctx->file, ctx->line);
    else if (ctx->offset >= 0)
        snprintf(where, sizeof where, "%s%sbyte %lld: ", ctx->file, sep, ctx->offset);
    else if (ctx->json_path[0])
        snprintf(where, sizeof where, "%s%sat %s: ", ctx->file, sep, ctx->json_path);
    else if (ctx->file[0])
        snprintf(where, sizeof where, "%s: ", ctx->file);
    snprintf(ctx->message, sizeof ctx->message, "%s%s", where, ctx->cause);
    return ctx->message;
}

const char *mz_status_name(mz_status status) {
    switch (status) {
    case MZ_OK: return "ok";
    case MZ_ERR_USAGE: return "usage error";
    case MZ_ERR_INPUT: return "bad input";
    case MZ_ERR_UNSUPPORTED: return "unsupported";
    case MZ_ERR_IO: return "I/O error";
    case MZ_ERR_NOMEM: return "out of memory";
    case MZ_ERR_NUMERIC: return "numeric error";
    case MZ_ERR_INTERNAL: return "internal error";
    case MZ_ERR_THRESHOLD: return "threshold exceeded";
    case MZ_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown status";
}

int mz_status_exit_code(mz_status status) {
    switch (status) {
    case MZ_OK: return MZ_EXIT_OK;
    case MZ_ERR_THRESHOLD: return MZ_EXIT_THRESHOLD;
    case MZ_ERR_USAGE: return MZ_EXIT_USAGE;
    case MZ_ERR_INPUT:
    case MZ_ERR_UNSUPPORTED: return MZ_EXIT_INPUT;
    case MZ_ERR_IO: return MZ_EXIT_IO;
    case MZ_ERR_NOMEM:
    case MZ_ERR_NUMERIC:
    case MZ_ERR_INTERNAL: return MZ_EXIT_INTERNAL;
    case MZ_ERR_INTERRUPTED: return MZ_EXIT_INTERRUPTED;
    }
    return MZ_EXIT_INTERNAL;
}

static volatile sig_atomic_t stop_requested;

void mz_interrupt(void) { stop_requested = 1; }
int mz_interrupted(void) { return stop_requested != 0; }
