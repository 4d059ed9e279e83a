/* SEAT's and CEAT's suites as parts of one null reference (assoc_reference.c): what each runs
 * with, on the model or on a random copy. Not a public API. */
#ifndef MZ_ASSOC_INTERNAL_H
#define MZ_ASSOC_INTERNAL_H

#include "mizani/ceat.h"
#include "mizani/seat.h"

typedef struct mz_seat_args {
    mz_model *m;
    const mz_tokenizer *t;
    mz_probe_set *const *templates;
    size_t n_templates;
    const mz_embed_options *embed;
    const mz_weat_options *weat;
} mz_seat_args;

typedef struct mz_ceat_args {
    mz_model *m;
    const mz_tokenizer *t;
    mz_probe_set *const *tpl;
    size_t n_tpl;
    const mz_ceat_options *o;
} mz_ceat_args;

/* The suite's part in a null reference over its n results in out; args (the suite's on the
 * model) must outlive the part. */
mz_suite_ref mz_seat_part(mz_seat_result *out, size_t n, mz_seat_args *args);
mz_suite_ref mz_ceat_part(mz_ceat_result *out, size_t n, mz_ceat_args *args);

#endif
