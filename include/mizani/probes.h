/* Probe sets: the word lists and sentences an audit feeds through a model, stored as JSON
 * files of schema "mizani-probes/1" (corpora/SCHEMA.md), with a loader and a linter. */
#ifndef MIZANI_PROBES_H
#define MIZANI_PROBES_H

#include "mizani/error.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MZ_PROBES_SCHEMA "mizani-probes/1"

typedef enum mz_probe_kind {
    MZ_PROBE_ASSOCIATION /* targets X, Y and attributes A, B (WEAT and its relatives) */
} mz_probe_kind;

typedef struct mz_probe_word {
    const char *text;
    const char *noun_class; /* Swahili noun class ("1/2", "9/10 animate"); NULL for English */
    const char *ambiguous;  /* why the word has a second reading, or NULL */
} mz_probe_word;

typedef struct mz_probe_list {
    const char *name;
    const char *language;   /* BCP-47; the set's own, or the file's */
    const mz_probe_word *words;
    const char *const *texts; /* [n] the words' texts, for mz_word_list */
    size_t n;
    const char *json_path;  /* "$.targets[0]", for messages */
} mz_probe_list;

typedef struct mz_probe_set {
    const char *path;
    const char *id, *title, *language, *dimension, *source, *licence, *notes, *limitations;
    mz_probe_kind kind;
    mz_probe_list targets[2], attributes[2];
    double published_effect; /* 0 when the file gives none */
} mz_probe_set;

/* Loads one probe file. Errors name the file and the JSON path ("at $.targets[1].words[3]")
 * or, for malformed JSON, the line and column. Strings live as long as the set. */
mz_status mz_probes_load(mz_probe_set **out, const char *path, mz_ctx *ctx);
mz_status mz_probes_parse(mz_probe_set **out, const char *text, size_t len, const char *name,
                          mz_ctx *ctx);
void mz_probes_free(mz_probe_set *set);

/* The probe files (*.json) under each root (a file or a folder, searched recursively),
 * sorted by path. Free with mz_probes_paths_free. */
mz_status mz_probes_find(char ***paths, size_t *n, const char *const *roots, size_t n_roots,
                         mz_ctx *ctx);
void mz_probes_paths_free(char **paths, size_t n);

/* ---- Linter ----------------------------------------------------------------------------- */
typedef enum mz_lint_severity { MZ_LINT_ERROR, MZ_LINT_WARNING, MZ_LINT_NOTE } mz_lint_severity;

typedef struct mz_lint_finding {
    mz_lint_severity severity;
    char where[96];    /* JSON path */
    char message[256];
} mz_lint_finding;

typedef struct mz_lint_report {
    mz_lint_finding *items;
    size_t n, cap, n_errors, n_warnings;
} mz_lint_report;

/* Checks one loaded set beyond the schema: NFC, duplicates within and across lists, list
 * balance, empty or over-long entries, Swahili noun classes, apostrophe forms, words with a
 * second reading. Appends findings to `report`. */
mz_status mz_probes_lint(mz_lint_report *report, const mz_probe_set *set, mz_ctx *ctx);
void mz_lint_report_clear(mz_lint_report *report);

#ifdef __cplusplus
}
#endif
#endif
