/* Internal to corpora/: a loaded probe file, whose public view is its first member. */
#ifndef MZ_PROBE_FILE_H
#define MZ_PROBE_FILE_H

#include "mizani/probes.h"

#include <jansson.h>
#include <stdio.h>

typedef struct probe_file {
    mz_probe_set set; /* first: the public view */
    json_t *doc;      /* every string of `set` points into it */
    char *path;
    char *text; /* the file's text, for the lines of messages */
    size_t text_len;
    mz_probe_word *words[4];
    const char **texts[4];
    char json_paths[4][24];
    mz_minimal_pair *pairs;
    const char **frames, **frame_ids;
    mz_template_frame *templates;
    mz_parallel_segment *segments;
    mz_lexicon_entry *entries;
} probe_file;

/* Per-kind readers: fill pf->set from pf->doc; `file` labels errors. */
mz_status mz_probe_read_association(probe_file *pf, const char *file, mz_ctx *ctx);
mz_status mz_probe_read_pairs(probe_file *pf, const char *file, mz_ctx *ctx);
mz_status mz_probe_read_masked(probe_file *pf, const char *file, mz_ctx *ctx);
mz_status mz_probe_read_templates(probe_file *pf, const char *file, mz_ctx *ctx);
mz_status mz_probe_read_parallel(probe_file *pf, const char *file, mz_ctx *ctx);
mz_status mz_probe_read_lexicon(probe_file *pf, const char *file, mz_ctx *ctx);

/* A string member of object `o`, or NULL (with an error naming path.key) when required. */
mz_status mz_probe_string(const char **out, json_t *o, const char *key, int required,
                          const char *file, const char *path, mz_ctx *ctx);
/* One word list at pf slot `slot` (0, 1 targets; 2, 3 attributes) from `v`. */
mz_status mz_probe_read_list(probe_file *pf, int slot, json_t *v, const char *file, mz_ctx *ctx);
/* A JSON array at `key` of the document, or an error naming it. */
mz_status mz_probe_array(json_t **out, probe_file *pf, const char *key, const char *file,
                         mz_ctx *ctx);

/* Appends a finding to a lint report (its line is filled in later by mz_lint_locate). */
mz_status mz_lint_add(mz_lint_report *r, mz_ctx *ctx, mz_lint_severity sev, const char *where,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 1 when the text's first letter is lower case (a sentence should start with a capital). */
int mz_lint_starts_lower(const char *text);
/* The text case-folded (malloc'd by utf8proc; NULL when it is not UTF-8). */
char *mz_lint_fold(const char *text, size_t len);
/* 1 when `phrase` occurs in `text` as whole words, ignoring case. */
int mz_lint_has_phrase(const char *text, const char *phrase);

/* A CSV file read row by row (RFC 4180). After mz_csv_next, fields[0..n) are the row's
 * fields, valid until the next call; row_line is the line the row starts on. */
typedef struct mz_csv {
    const char *name;
    char *text, *buf;
    size_t len, pos, buf_len, buf_cap, n, cap, *starts;
    char **fields;
    long line, row_line;
} mz_csv;
mz_status mz_csv_open(mz_csv *r, const char *path, mz_ctx *ctx);
mz_status mz_csv_next(mz_csv *r, int *done, mz_ctx *ctx); /* *done at the end of the file */
void mz_csv_close(mz_csv *r);
/* Writes one field, quoted when it needs to be, then ',' or (last) a line break. */
void mz_csv_write_field(FILE *f, const char *s, int last);

#endif
