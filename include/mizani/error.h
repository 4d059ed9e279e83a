/* Mizani status codes and the error context that carries a failure's location
 * (file, byte offset, line/column or JSON path) from the code that found it up to
 * the CLI, which alone prints it and picks the exit code. */
#ifndef MIZANI_ERROR_H
#define MIZANI_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every fallible call returns one of these; MZ_OK is 0 so `if (rc)` reads as "failed". */
typedef enum mz_status {
    MZ_OK = 0,
    MZ_ERR_USAGE,       /* bad flags or arguments from the caller */
    MZ_ERR_INPUT,       /* malformed or invalid input data (file contents, UTF-8, probes) */
    MZ_ERR_UNSUPPORTED, /* well-formed input that Mizani does not handle (an architecture) */
    MZ_ERR_IO,          /* the operating system refused: open, read, write, mmap */
    MZ_ERR_NOMEM,       /* an allocation failed */
    MZ_ERR_NUMERIC,     /* a computation failed (GSL error, non-finite value) */
    MZ_ERR_INTERNAL,    /* a broken invariant inside Mizani: a bug */
    MZ_ERR_THRESHOLD,   /* the job ran, but a check it was asked to enforce failed */
    MZ_ERR_INTERRUPTED  /* stopped on request (SIGINT) before it finished: nothing written */
} mz_status;

/* Process exit codes of the `mizani` command (documented in the README). */
enum {
    MZ_EXIT_OK = 0,
    MZ_EXIT_THRESHOLD = 1,
    MZ_EXIT_USAGE = 2,
    MZ_EXIT_INPUT = 3,
    MZ_EXIT_IO = 4,
    MZ_EXIT_INTERNAL = 5,
    MZ_EXIT_INTERRUPTED = 130 /* 128 + SIGINT, as shells report a job stopped by Ctrl-C */
};

typedef struct mz_ctx mz_ctx;

/* A context holds the latest error of one thread of work; NULL from _new means no memory. */
mz_ctx *mz_ctx_new(void);
void mz_ctx_free(mz_ctx *ctx);
void mz_ctx_clear(mz_ctx *ctx);

/* Record a failure and return `status`, so callers write `return mz_fail(...)`.
 * `file` may be NULL. Each variant names where in the file the problem is. */
mz_status mz_fail(mz_ctx *ctx, mz_status status, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
mz_status mz_fail_offset(mz_ctx *ctx, mz_status status, const char *file, long long offset,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
mz_status mz_fail_line(mz_ctx *ctx, mz_status status, const char *file, long line, long column,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));
mz_status mz_fail_path(mz_ctx *ctx, mz_status status, const char *file, const char *json_path,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Record a failure whose cause is errno (open, read, mmap ...). */
mz_status mz_fail_errno(mz_ctx *ctx, const char *file, const char *what);

/* Sets the line of the current error (kept with its JSON path, when it has one). */
void mz_ctx_set_line(mz_ctx *ctx, long line);

/* Sets the file on the current error if the failing code did not know it (a parser fed
 * from memory, wrapped by a loader that knows the path). */
void mz_ctx_set_file(mz_ctx *ctx, const char *file);

mz_status mz_ctx_status(const mz_ctx *ctx);
const char *mz_ctx_file(const mz_ctx *ctx);      /* "" when unknown */
long long mz_ctx_offset(const mz_ctx *ctx);      /* -1 when unknown */
long mz_ctx_line(const mz_ctx *ctx);             /* 0 when unknown (lines count from 1) */
long mz_ctx_column(const mz_ctx *ctx);           /* 0 when unknown */
const char *mz_ctx_json_path(const mz_ctx *ctx); /* "" when unknown */
const char *mz_ctx_cause(const mz_ctx *ctx);     /* the message without location */

/* One line for a person: "FILE:LINE:COL: cause", "FILE: byte N: cause",
 * "FILE: at $.model.vocab: cause", "FILE:LINE: at $.model.vocab: cause" or "cause". Valid
 * until the context changes. */
const char *mz_ctx_message(mz_ctx *ctx);

const char *mz_status_name(mz_status status);
/* Asks every long job to stop at its next item (async-signal-safe); jobs then fail with
 * MZ_ERR_INTERRUPTED. Take the signal on a thread that never runs the engine (sigwait, as
 * `mizani audit` does): oneDNN's SGEMM moves the stack pointer onto a heap workspace, so a
 * handler run on an engine thread has its frame written over the heap. */
void mz_interrupt(void);
int mz_interrupted(void);
int mz_status_exit_code(mz_status status);

#ifdef __cplusplus
}
#endif
#endif
