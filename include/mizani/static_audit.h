/* Association tests on static word vectors: looks each probe word up (optionally after
 * case folding), reports which words were missing or matched only after folding, refuses a
 * set that lost too many words (by name, never a silent NaN), and runs WEAT. */
#ifndef MIZANI_STATIC_AUDIT_H
#define MIZANI_STATIC_AUDIT_H

#include "mizani/association.h"
#include "mizani/probes.h"
#include "mizani/vectors.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { MZ_ROLE_X, MZ_ROLE_Y, MZ_ROLE_A, MZ_ROLE_B, MZ_N_ROLES };

/* One word list of a test, as asked for. */
typedef struct mz_word_list {
    const char *name; /* "math", "wanaume" */
    const char *const *words;
    size_t n;
} mz_word_list;

/* What became of a list in a vector file. */
typedef struct mz_set_lookup {
    size_t n_asked, n_found;
    char **missing; /* [n_asked - n_found] words with no vector */
    char **folded;  /* words found only after case folding */
    size_t n_missing, n_folded;
} mz_set_lookup;

/* The metrics beyond WEAT, run with S = each target list and the attribute lists as the
 * groups A and B (RNSB: S = X and Y together, A positive, B negative). */
enum { MZ_METRIC_RND, MZ_METRIC_MAC, MZ_METRIC_ECT, MZ_METRIC_RIPA, MZ_METRIC_RNSB, MZ_N_METRICS };
extern const char *const mz_metric_names[MZ_N_METRICS]; /* "rnd", "mac", ... */

typedef struct mz_static_options {
    int fold_case;      /* look words up again after case folding */
    double max_missing; /* a set losing more than this share of its words is not computable */
    mz_weat_options weat;
    unsigned metrics; /* bit (1 << MZ_METRIC_x) for each extra metric to run */
    mz_metric_options metric;
} mz_static_options;

typedef struct mz_static_metric {
    int computed; /* 0: see reason (or not asked for: reason empty) */
    char reason[160];
    mz_metric_result on_x, on_y; /* RNSB: on_x holds the result for X and Y together */
} mz_static_metric;

/* max_missing 0.2, WEAT and metric defaults, no extra metrics */
void mz_static_options_default(mz_static_options *opt);
/* Parses "rnd,mac,..." or "all" into the metrics mask; "weat" alone is 0. */
mz_status mz_static_parse_metrics(unsigned *mask, const char *list, mz_ctx *ctx);

typedef struct mz_static_weat {
    char *name; /* the test's name */
    mz_set_lookup sets[MZ_N_ROLES];
    int computable; /* 0: see reason */
    char reason[320];
    mz_weat_result weat; /* valid when computable */
    mz_static_metric metrics[MZ_N_METRICS];
} mz_static_weat;

/* Runs one test. A test that cannot be computed (too many missing words, zero spread) is
 * not an error: out->computable is 0 and out->reason says why. Errors are for bad
 * arguments, no memory and the like. Free with mz_static_weat_clear. */
mz_status mz_static_weat_run(mz_static_weat *out, const char *name, const mz_vectors *v,
                             const mz_word_list lists[MZ_N_ROLES], const mz_static_options *opt,
                             mz_ctx *ctx);
void mz_static_weat_clear(mz_static_weat *r);

/* Every word of the lists, for mz_vectors_options.keep (pointers into the lists). */
mz_status mz_word_lists_union(const char ***words, size_t *n, const mz_word_list *lists,
                              size_t n_lists, mz_ctx *ctx);

extern const char *const mz_role_names[MZ_N_ROLES]; /* "target X", ... */

/* ---- A suite: every association probe set against one vector file ------------------------ */
typedef struct mz_static_suite {
    mz_static_weat *tests;     /* [n], in the order of the probe sets */
    const mz_probe_set **sets; /* [n] borrowed: the caller keeps the sets alive */
    size_t n;
    double *p_holm, *p_bh; /* [n] adjusted over the computable tests; NAN for the others */
    size_t n_computable;
    /* provenance */
    char *vectors_path;
    size_t vectors_words, vectors_dim;
    unsigned long seed;
    int fold_case;
} mz_static_suite;

/* All words of all sets, for mz_vectors_options.keep (pointers into the sets). */
mz_status mz_probe_sets_words(const char ***words, size_t *n, const mz_probe_set *const *sets,
                              size_t n_sets, mz_ctx *ctx);

/* Runs every set (progress counts tests), then adjusts the p-values of those computable. */
mz_status mz_static_suite_run(mz_static_suite *out, const mz_vectors *v, const char *vectors_path,
                              const mz_probe_set *const *sets, size_t n_sets,
                              const mz_static_options *opt, mz_progress *progress, mz_ctx *ctx);
void mz_static_suite_clear(mz_static_suite *s);

#ifdef __cplusplus
}
#endif
#endif
