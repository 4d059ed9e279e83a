/* The results tree: every number of a run, once, in one JSON document of schema
 * "mizani-results/2" (reports/SCHEMA.md). results.json, report.html and `--json` output are all
 * rendered from it, so a report can be re-rendered from its results.json alone.
 *
 * Building it is checked: every insertion records the first failure (no memory, a key set twice,
 * text that is not UTF-8) on the tree, later insertions do nothing, and mz_results_status()
 * returns that failure with its message on the context, so a lost value can never pass
 * unnoticed. Non-finite numbers become null with the shape kept; strings are copied.
 *
 * A test family fills its section with the standard pieces (mz_results_finding and friends), so
 * every family says "not computable", an absent interval (null, never [0, 0]) and a verdict the
 * same way. Converting a command that builds JSON by hand is mechanical:
 *
 *     mz_results *r;  mz_results_new(&r, "seat", ctx);
 *     mz_rnode *sec = mz_results_section(r, "seat", "Sentence embeddings (SEAT)");
 *     mz_finding f = mz_finding_init("seat", set->id);  ... fill effect, p, units ...
 *     mz_rnode *fn = mz_results_finding(r, sec, &f);
 *     mz_rnode *items = mz_rn_array(r, fn, "items");
 *     for each sentence: mz_rnode *it = mz_rn_object(r, items, NULL);
 *                        mz_rn_str(r, it, "text", s); mz_rn_num(r, it, "score", x);
 *     if (mz_results_status(r)) ... fail; else print or write it.
 */
#ifndef MIZANI_RESULTS_H
#define MIZANI_RESULTS_H

#include "mizani/error.h"

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MZ_RESULTS_VERSION 2
#define MZ_RESULTS_SCHEMA  "mizani-results/2"

typedef struct mz_results mz_results;
/* An object or array inside a tree, owned by the tree. NULL after a failed insertion: every
 * call taking a NULL node does nothing (the tree already holds the failure). */
typedef struct mz_rnode mz_rnode;

/* A new tree: schema, and a run block with a fresh run id (UTC time and 64 random bits),
 * Mizani's version and build, and the start time. `job` names what ran ("weat", "audit").
 * Failures are recorded on `ctx`, which must outlive the tree. */
mz_status mz_results_new(mz_results **out, const char *job, mz_ctx *ctx);
void mz_results_free(mz_results *r);
/* MZ_OK, or the first failure of any insertion (its message is on the context). */
mz_status mz_results_status(const mz_results *r);
const char *mz_results_run_id(const mz_results *r);

/* Provenance of the run ($.run): the command line (arguments that are not UTF-8 are stored
 * with U+FFFD for each bad byte, as SCHEMA.md says), the seed and thread count. The
 * effective configuration is an object returned by mz_results_config, filled by the caller. */
mz_status mz_results_set_command(mz_results *r, int argc, const char *const *argv);
mz_status mz_results_set_seed(mz_results *r, unsigned long seed, int threads);
mz_rnode *mz_results_config(mz_results *r);
/* The run block itself ($.run), for a job's own provenance (an audit's stages and effective
 * configuration). */
mz_rnode *mz_results_run(mz_results *r);
/* Records the end time; done by the writers when it has not been set. */
mz_status mz_results_finish(mz_results *r);

/* What was audited ($.subject): "vectors" or "model"; the object is filled by the caller
 * (path, sha256, architecture ...), with mz_results_file_identity for files. */
mz_rnode *mz_results_subject(mz_results *r, const char *kind);
/* {path, sha256, bytes} of a file into `at` under `key`; a file that cannot be read is an I/O
 * failure naming it. */
mz_status mz_results_file_identity(mz_results *r, mz_rnode *at, const char *key, const char *path);
/* A probe set used ($.probe_sets[]): id, path, SHA-256 of its file, version (the probe schema),
 * kind, language, dimension, title. Adding the same id twice adds it once. */
struct mz_probe_set;
mz_status mz_results_probe_set(mz_results *r, const struct mz_probe_set *set);

/* ---- Containers and values ----------------------------------------------------------------
 * `key` names the member in an object; it must be NULL when `at` is an array (the value is
 * appended). Setting a key twice is an internal error (every number goes in once). */
mz_rnode *mz_results_root(mz_results *r);
mz_rnode *mz_rn_object(mz_results *r, mz_rnode *at, const char *key);
mz_rnode *mz_rn_array(mz_results *r, mz_rnode *at, const char *key);
mz_status mz_rn_str(mz_results *r, mz_rnode *at, const char *key, const char *s); /* NULL: null */
mz_status mz_rn_strf(mz_results *r, mz_rnode *at, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* A file name or argument: bytes that are not UTF-8 become U+FFFD instead of failing. */
mz_status mz_rn_path(mz_results *r, mz_rnode *at, const char *key, const char *path);
mz_status mz_rn_num(mz_results *r, mz_rnode *at, const char *key, double x); /* NaN/Inf: null */
mz_status mz_rn_int(mz_results *r, mz_rnode *at, const char *key, long long x);
mz_status mz_rn_bool(mz_results *r, mz_rnode *at, const char *key, int x);
mz_status mz_rn_null(mz_results *r, mz_rnode *at, const char *key);
mz_status mz_rn_nums(mz_results *r, mz_rnode *at, const char *key, const double *x, size_t n);
mz_status mz_rn_strs(mz_results *r, mz_rnode *at, const char *key, const char *const *s, size_t n);
/* An interval as "ci": [lo, hi] and "level" in `at`; both null when level is 0 or a bound is not
 * finite (never [0, 0]). The one place that decides how an absent interval is written. */
mz_status mz_rn_interval(mz_results *r, mz_rnode *at, double lo, double hi, double level);

/* ---- The standard pieces ----------------------------------------------------------------- */
typedef enum mz_finding_status {
    MZ_FINDING_COMPUTED,
    MZ_FINDING_NOT_COMPUTABLE, /* the data could not support the test (reason says why) */
    MZ_FINDING_SKIPPED         /* the test does not apply (a decoder has no [MASK]) */
} mz_finding_status;

typedef enum mz_verdict {
    MZ_VERDICT_EVIDENCE,     /* Holm p < alpha and |effect - null| >= threshold */
    MZ_VERDICT_INCONCLUSIVE, /* anything between */
    MZ_VERDICT_NO_EVIDENCE,  /* Holm p >= alpha and an effect of the threshold was detectable */
    MZ_VERDICT_NONE          /* not computed */
} mz_verdict;

typedef enum mz_units {
    MZ_UNITS_WORDS,
    MZ_UNITS_SENTENCES,
    MZ_UNITS_PAIRS,
    MZ_UNITS_CLUSTERS,
    MZ_UNITS_TEMPLATES,
    MZ_UNITS_SEGMENTS,
    MZ_UNITS_TOKENS
} mz_units;

/* One finding. Doubles that do not apply are NAN (written as null); ci_level 0 means no
 * interval (null, never [0, 0]). */
typedef struct mz_finding {
    const char *id, *family, *probe_set, *language, *dimension, *title;
    const char *groups[2];     /* the target lists' names (NULL: none), for plain language */
    const char *attributes[2]; /* the attribute lists' names (NULL: none) */
    int positive_control;      /* a check that the method works, kept apart from social findings */
    mz_finding_status status;
    const char *reason; /* why not computed or skipped */
    const char *effect; /* "d", "preference_rate", "log_probability_ratio", ... */
    double estimate, ci_lo, ci_hi, ci_level;
    double null_value; /* the estimate under no bias: 0 for d, 0.5 for a preference rate */
    double p, p_holm;
    double alpha, threshold; /* the verdict's rule */
    mz_units units;
    size_t n_units;
    double mde; /* the smallest |effect| the test could detect (see SCHEMA.md); NAN: unknown */
} mz_finding;

/* A finding with NAN numbers, alpha 0.05, threshold 0.5, status computed. */
mz_finding mz_finding_init(const char *family, const char *id);
/* The probe set's id, language, dimension and title; a positive control when its dimension
 * says "control" (flowers/insects, instruments/weapons: every model is expected to show it). */
void mz_finding_set_probe(mz_finding *f, const struct mz_probe_set *set);

/* The verdicts' thresholds by effect (SCHEMA.md "The verdict rule"); settable per family in an
 * audit's configuration, so two audits compared with the same rules say the same. */
typedef struct mz_verdict_rules {
    double alpha;     /* 0.05, on Holm-adjusted p */
    double d;         /* |d| of association tests: 0.5 (a medium effect) */
    double rate;      /* a preference rate's distance from 50%: 0.1 */
    double log_ratio; /* masked templates' mean log-probability ratio: 0.25 (a 28% lean) */
} mz_verdict_rules;
void mz_verdict_rules_default(mz_verdict_rules *rules);
/* The rule of SCHEMA.md: evidence when Holm p < alpha and |estimate - null| >= threshold; no
 * evidence when Holm p >= alpha and either the interval lies within null +/- threshold or,
 * without one, the MDE is at most the threshold; otherwise inconclusive. */
mz_verdict mz_finding_verdict(const mz_finding *f);
extern const char *const mz_verdict_names[]; /* "evidence", "inconclusive", "no_evidence" */

/* A section of a test family ($.sections.FAMILY: title, findings []); created once. */
mz_rnode *mz_results_section(mz_results *r, const char *family, const char *title);
/* The section's method note: text and citations ($.sections.F.method). */
mz_status mz_results_method(mz_results *r, mz_rnode *section, const char *text,
                            const char *const *citations, size_t n_citations);
/* Appends the finding to the section's findings with its verdict and rule; returns it so the
 * caller adds items (per-item scores), caveats and a "details" object. */
mz_rnode *mz_results_finding(mz_results *r, mz_rnode *section, const mz_finding *f);
mz_status mz_results_caveat(mz_results *r, mz_rnode *finding, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A test's inference into `at` ("inference": unit, units, mde_80, min_p, alpha,
 * can_reach_significance) and, when it has too few units to reach alpha, the caveat saying so
 * on the finding. */
struct mz_inference;
mz_status mz_results_inference(mz_results *r, mz_rnode *finding, mz_rnode *at,
                               const struct mz_inference *inf);

/* ---- Files --------------------------------------------------------------------------------- */
/* The document as text (free with mz_free), as results.json holds it. */
mz_status mz_results_text(char **out, const mz_results *r, mz_ctx *ctx);
mz_status mz_results_print(const mz_results *r, FILE *out, mz_ctx *ctx);
/* Reads a results.json back, checking its schema (a future schema is refused, naming it) and
 * the shape of its sections and findings. Errors name the file and the JSON path. */
mz_status mz_results_load(mz_results **out, const char *path, mz_ctx *ctx);
/* The document itself, for readers (the HTML renderers); a `json_t *`. */
const void *mz_results_json(const mz_results *r);

#ifdef __cplusplus
}
#endif
#endif
