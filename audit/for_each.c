/* Items of work spread over the threads, each thread with state of its own (a run context):
 * the engine runs single-threaded inside (OpenMP does not nest), so every item's numbers are
 * the same whatever the thread count. The lowest-indexed failure is the one reported. */
#include "mizani/alloc.h"
#include "mizani/runner.h"

#include <stdio.h>

typedef struct first_failure {
    size_t at;
    mz_status rc;
    char message[512];
} first_failure;

static void record(first_failure *f, size_t i, mz_status rc, mz_ctx *local) {
#pragma omp critical(mz_for_each_failure)
    if (i < f->at) {
        f->at = i, f->rc = rc;
        snprintf(f->message, sizeof f->message, "%s",
                 local ? mz_ctx_message(local) : "out of memory");
    }
}

mz_status mz_for_each_item(size_t n, mz_item_state_new make, mz_item_state_free drop, mz_item_fn fn,
                           void *user, mz_progress *progress, mz_ctx *ctx) {
    first_failure f = {.at = n};
#pragma omp parallel
    {
        mz_ctx *local = mz_ctx_new();
        void *state = NULL;
        mz_status setup = local ? make(&state, user, local) : MZ_ERR_NOMEM;
#pragma omp for schedule(dynamic)
        for (size_t i = 0; i < n; i++) {
            size_t at;
#pragma omp atomic read
            at = f.at;
            if (i > at) continue; /* a lower item failed already: nothing after it is reported */
            mz_status rc = setup ? setup
                           : mz_interrupted()
                               ? mz_fail(local, MZ_ERR_INTERRUPTED, NULL, "interrupted")
                               : fn(i, state, user, local);
            if (rc) record(&f, i, rc, local);
            if (local) mz_ctx_clear(local);
            mz_progress_add(progress, 1);
        }
        if (state) drop(state);
        mz_ctx_free(local);
    }
    return f.at < n ? mz_fail(ctx, f.rc, NULL, "%s", f.message) : MZ_OK;
}
