/* The whole audit of a model as one job: a sequence of the library's test jobs (tokenizer
 * fairness, association tests on the input embeddings, SEAT, CEAT, minimal pairs, masked
 * templates, explanations of the strongest findings), each converted into one results tree.
 * Tests that do not apply to the model are recorded as skipped with the reason, never dropped;
 * a stage that cannot run for a reason of the model (texts longer than its positions, no mask
 * token) is recorded as skipped and the rest goes on; non-finite scores from the model stop the
 * audit (MZ_ERR_NUMERIC). Work is shared: SEAT's sentences and CEAT's contexts are tokenized and
 * run once, packed into full batches (the probe runner's cache). */
#ifndef MIZANI_AUDIT_H
#define MIZANI_AUDIT_H

#include "mizani/explain.h"
#include "mizani/likelihood.h"
#include "mizani/model.h"
#include "mizani/probes.h"
#include "mizani/results.h"
#include "mizani/tokenizer.h"

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MZ_AUDIT_NULL_REFERENCE_AUTO UINT32_MAX

typedef enum mz_audit_test {
    MZ_AUDIT_FAIRNESS, /* tokenizer fairness on the parallel text */
    MZ_AUDIT_STATIC,   /* WEAT on the input embeddings */
    MZ_AUDIT_SEAT,
    MZ_AUDIT_CEAT,
    MZ_AUDIT_PAIRS,
    MZ_AUDIT_MASKED,
    MZ_AUDIT_EXPLAIN, /* the strongest minimal pairs and masked templates explained */
    MZ_AUDIT_N_TESTS
} mz_audit_test;

/* "fairness", "static", "seat", "ceat", "pairs", "masked", "explain" */
extern const char *const mz_audit_test_names[MZ_AUDIT_N_TESTS];
#define MZ_AUDIT_ALL ((1u << MZ_AUDIT_N_TESTS) - 1u)
/* "seat,pairs" or "all" as a bit set (1u << test); an unknown name is MZ_ERR_USAGE naming it. */
mz_status mz_audit_parse_tests(unsigned *tests, const char *spec, mz_ctx *ctx);

typedef struct mz_audit_options {
    unsigned tests;               /* bits 1u << mz_audit_test (MZ_AUDIT_ALL) */
    const char *const *languages; /* probe sets in these languages only; NULL: all */
    size_t n_languages;
    int layer; /* SEAT's and CEAT's hidden state; -1: the last */
    unsigned long seed;
    uint64_t static_permutations;  /* 100000, as `weat` */
    uint32_t static_bootstrap;     /* 5000 */
    uint64_t permutations;         /* SEAT and CEAT (10000) */
    uint32_t bootstrap;            /* SEAT and CEAT (1000) */
    uint32_t samples;              /* CEAT's descriptive samples (1000) */
    uint32_t null_reference;       /* SEAT's and CEAT's random-weight copies (mizani/seat.h:
                                      mz_seat_reference); 0: none, else at least 3;
                                      MZ_AUDIT_NULL_REFERENCE_AUTO (the default): 10 for a model
                                      folder, none for a GGUF file */
    int method;                    /* minimal pairs: an mz_lik_method, or -1: by the model */
    uint32_t likelihood_bootstrap; /* masked templates (2000) */
    uint32_t fairness_bootstrap;   /* 2000 */
    const char *const *dictionary; /* Swahili words for fairness' dictionary check; may be 0 */
    size_t n_dictionary;
    int explain_top;            /* explained per category and language (1) */
    mz_explain_options explain; /* methods, steps ...; target fields unused */
    mz_verdict_rules rules;
    FILE *log; /* one line per stage and progress; NULL: none */
} mz_audit_options;

/* Every test, the defaults above; explanations by Integrated Gradients (20 points), occlusion,
 * attention and attention attribution (5 points a layer), without the faithfulness curves: the
 * words and the heads the report shows, at a cost an audit can afford. */
void mz_audit_options_default(mz_audit_options *o);

typedef struct mz_audit_inputs {
    mz_model *model;
    const char *model_path;
    const mz_tokenizer *tokenizer;
    mz_probe_set *const *sets; /* every probe set, any kind (loaded and linted by the caller) */
    size_t n_sets;
} mz_audit_inputs;

/* Runs the audit into `r` (made by the caller with its provenance): the model as subject, each
 * probe set's identity, every family's section, $.run.stages (per stage: status, reason,
 * seconds of wall and CPU time) and $.run.effective_config. MZ_ERR_INPUT when no test at all
 * could be computed (naming the first reason); MZ_ERR_NUMERIC for non-finite scores;
 * MZ_ERR_INTERRUPTED after mz_interrupt(). */
mz_status mz_audit_run(mz_results *r, const mz_audit_inputs *in, const mz_audit_options *o,
                       mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
