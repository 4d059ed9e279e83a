/* Before and after fine-tuning: audits of two or more checkpoints compared finding by finding,
 * item by item, so that a pipeline can stop when a bias grew (the regression gate).
 *
 * A checkpoint is one audit: a results tree (results.json of `mizani audit` or `mizani weat`,
 * or the tree a command builds in memory from a model or vector file), or minimal pairs scored
 * in memory. Consecutive checkpoints are compared: every finding present and computed in both
 * is paired on the items both share (words, sentences with the word they belong to, pairs with
 * their target ids, attributes, segments), never two summaries subtracted, and its change is
 * tested by the paired change of stats.h with the family's units of inference: words for the
 * association tests (a SEAT sentence moves with its word), target clusters for minimal pairs,
 * attributes for masked templates, segments for tokenizer fairness. Holm adjusts across every
 * comparison of the run. A finding regressed when its bias (|estimate - null|) grew by more
 * than its family's threshold and the change survives Holm; improved when it shrank by more than
 * that; changed when the change is significant but within the threshold; unchanged otherwise.
 * The gate fails when a social finding regressed; positive controls are reported, never counted.
 *
 * Refused (MZ_ERR_INPUT, naming what differs): checkpoints made with different versions of a
 * probe set (its SHA-256), a probe set in other languages or only on one side, unless
 * allow_probe_change (the shared items are then compared and the dropped ones counted); a
 * token-level family asked for by name when the checkpoints' tokenizers differ. */
#ifndef MIZANI_COMPARE_H
#define MIZANI_COMPARE_H

#include "mizani/likelihood.h"
#include "mizani/results.h"
#include "mizani/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The families compare pairs, in this order: the association tests (static, seat, ceat), minimal
 * pairs, masked templates, tokenizer fairness. */
enum {
    MZ_CMP_STATIC,
    MZ_CMP_SEAT,
    MZ_CMP_CEAT,
    MZ_CMP_PAIRS,
    MZ_CMP_MASKED,
    MZ_CMP_FAIRNESS,
    MZ_CMP_N_FAMILIES
};
extern const char *const mz_cmp_family_names[MZ_CMP_N_FAMILIES]; /* "static", ... */
/* The default thresholds on the change of bias: |d| 0.2 (association tests), 0.05 of the
 * preference rate (pairs), 0.1 nats of the log-probability ratio (masked), 0.1 of the premium. */
extern const double mz_cmp_default_thresholds[MZ_CMP_N_FAMILIES];
/* "static" -> MZ_CMP_STATIC; -1 when not a family compare pairs. */
int mz_cmp_family(const char *name);

/* ---- Checkpoints ----------------------------------------------------------------------- */
typedef struct mz_checkpoint mz_checkpoint;

/* A checkpoint from a results tree (taking it: freed with the checkpoint). `label` names it in
 * messages (the path given), `source` says what it was ("results", "model", "vectors"). */
mz_status mz_checkpoint_from_results(mz_checkpoint **out, mz_results *r, const char *label,
                                     const char *source, mz_ctx *ctx);
/* An empty checkpoint, for findings added from results in memory. */
mz_status mz_checkpoint_new(mz_checkpoint **out, const char *label, const char *source,
                            mz_ctx *ctx);
/* One pairs finding per category of `r` and the overall one ("all": every category's pairs,
 * as a results tree's overall finding is paired), its items the scored pairs: each pair's
 * preference, tested when its two sentences have equal token counts, clustered by target id.
 * `set` and `r` must outlive the checkpoint. */
mz_status mz_checkpoint_add_pairs(mz_checkpoint *cp, const mz_probe_set *set,
                                  const mz_pairs_result *r, mz_ctx *ctx);
const char *mz_checkpoint_label(const mz_checkpoint *cp);
const char *mz_checkpoint_source(const mz_checkpoint *cp);
/* The tree it was made from, or NULL. */
const mz_results *mz_checkpoint_results(const mz_checkpoint *cp);
void mz_checkpoint_free(mz_checkpoint *cp);

/* ---- Comparing ------------------------------------------------------------------------- */
typedef struct mz_compare_options {
    double threshold[MZ_CMP_N_FAMILIES]; /* on the change of |estimate - null| */
    double alpha;                        /* for Holm-adjusted p (0.05) */
    double ci_level;                     /* 0.95 */
    uint64_t n_permutations;             /* sign patterns of the change test (10000) */
    uint32_t n_bootstrap;                /* draws of its interval (2000) */
    unsigned long seed;
    int allow_probe_change; /* compare the shared items of probe sets that differ */
    unsigned families;      /* bit (1 << MZ_CMP_x) per family to compare; 0: all */
} mz_compare_options;

void mz_compare_options_default(mz_compare_options *o);

typedef enum mz_cmp_outcome {
    MZ_CMP_REGRESSED, /* bias grew by more than the threshold; the change survives Holm */
    MZ_CMP_IMPROVED,  /* bias shrank by more than the threshold; the change survives Holm */
    MZ_CMP_CHANGED,   /* the change survives Holm, the bias moved less than the threshold */
    MZ_CMP_UNCHANGED, /* no change that survives Holm */
    MZ_CMP_TOO_FEW,   /* too few units to reach significance: no p-value */
    MZ_CMP_NOT_COMPARED
} mz_cmp_outcome;
extern const char *const mz_cmp_outcome_names[]; /* "regressed", "improved", ... */

/* One paired item: its key, unit and group, and its values on both sides (width 1, or 2 for
 * fairness: tokens in English and in Swahili). */
typedef struct mz_cmp_pair {
    const char *key, *unit;
    const char *word; /* masked templates: the target word (the key is attribute and word) */
    int group;
    double before[2], after[2];
} mz_cmp_pair;

/* One finding between checkpoints `from` and `to` (consecutive). Strings are borrowed from the
 * checkpoints. */
typedef struct mz_comparison {
    int family; /* MZ_CMP_x */
    const char *test, *title, *language, *dimension, *probe_set;
    int positive_control;
    size_t from, to;
    mz_cmp_outcome outcome;
    char reason[320];      /* not compared, too few units: why */
    const char *effect;    /* the audits' effect: "d", "preference_rate", ... */
    const char *unit_kind; /* "words", "clusters", "templates", "segments" */
    double null_value, threshold;
    double reported[2], reported_lo[2], reported_hi[2], reported_level[2]; /* as audited */
    double reported_p_holm[2];
    const char *reported_verdict[2];
    double before, after, change; /* recomputed on the paired items */
    double ci_lo, ci_hi, ci_level;
    double p, p_holm, mc_se;
    int exact, flipped;
    double bias_before, bias_after, bias_change; /* |estimate - null| and its change */
    mz_inference inference;
    size_t n_paired, n_only_before, n_only_after, n_untested; /* items */
    mz_cmp_pair *pairs;                                       /* [n_paired] */
} mz_comparison;

typedef struct mz_compare {
    mz_checkpoint *const *checkpoints; /* borrowed */
    size_t n_checkpoints;
    mz_comparison *c; /* consecutive pairs in order, each's findings in the checkpoints' order */
    size_t n;
    size_t count[MZ_CMP_NOT_COMPARED + 1]; /* comparisons per outcome */
    size_t failures; /* regressions of social findings: what fails the gate (positive controls,
                        checks that the method works, never do) */
    char **notes;    /* what was dropped or could not be paired, for every output */
    size_t n_notes;
    mz_compare_options options;
} mz_compare;

/* Compares each checkpoint with the next (progress counts comparisons; may be NULL). */
mz_status mz_compare_run(mz_compare *out, mz_checkpoint *const *checkpoints, size_t n,
                         const mz_compare_options *o, mz_progress *progress, mz_ctx *ctx);
void mz_compare_clear(mz_compare *c);
/* Does the gate fail: did a social finding (not a positive control) regress? */
int mz_compare_regressed(const mz_compare *c);
/* The outcome in plain words: "bias grew by 0.61 (threshold 0.2), beyond chance after
 * correction" (mz_free). */
char *mz_cmp_outcome_text(const mz_comparison *x);

#ifdef __cplusplus
}
#endif
#endif
