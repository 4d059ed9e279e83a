/* What the audit's stages share: the inputs, the results tree, the probe sets by kind, the
 * probe runner's cache (SEAT's sentences, CEAT's contexts), and the likelihood results that the
 * explanation stage picks its strongest findings from. Not a public API. */
#ifndef MZ_AUDIT_INTERNAL_H
#define MZ_AUDIT_INTERNAL_H

#include "mizani/audit.h"
#include "mizani/likelihood_run.h"
#include "mizani/runner.h"
#include "mizani/seat.h"

typedef struct audit {
    mz_results *r;
    const mz_audit_inputs *in;
    const mz_audit_options *o;
    mz_ctx *ctx;
    mz_rnode *stages;            /* $.run.stages */
    mz_probe_set **assoc, **tpl; /* association sets and sentence frames asked for */
    size_t n_assoc, n_tpl;
    mz_embed_options embed; /* the layer and the cache SEAT and CEAT share */
    mz_embed_cache *cache;
    mz_null_copies copies; /* SEAT's and CEAT's null reference (copies.n 0: none) */
    mz_seat_result *seat;  /* SEAT's tests, until their reference (shared with CEAT's) is drawn */
    mz_embed_options seat_embed;
    mz_weat_options seat_weat;
    char copies_config[4200];
    mz_pairs_suite pairs; /* kept for the explanations */
    mz_masked_suite masked;
    mz_probe_set **sets_pairs, **sets_masked; /* the suites' sets (they borrow them) */
} audit;

/* A stage: runs into a->r, or writes why it does not apply into `why` (and returns MZ_OK);
 * MZ_ERR_INPUT means it cannot run on this model (the cause says why). */
typedef mz_status (*stage_fn)(audit *a, mz_progress *p, char *why, size_t n_why);

/* The explanations of the strongest minimal pairs and masked templates (audit_explain.c). */
mz_status mz_audit_explain(audit *a, mz_progress *p, char *why, size_t n_why);
/* $.run.effective_config: every option the audit ran with, defaults included
 * (audit_options.c). */
mz_status mz_audit_record_config(mz_results *r, const mz_audit_options *o);

#endif
