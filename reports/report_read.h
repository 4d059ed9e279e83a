/* Reading findings back out of the results tree for the HTML renderers: typed look-ups that
 * tolerate absent members, and the texts every renderer writes the same way. */
#ifndef MZ_REPORT_READ_H
#define MZ_REPORT_READ_H

#include "html_internal.h"

/* obj.key as a string, or `fallback` when absent or not a string. */
const char *mz_jstr(const json_t *obj, const char *key, const char *fallback);
/* obj.key as a number; NAN when absent or null. */
double mz_jnum(const json_t *obj, const char *key);
int mz_computed(const json_t *finding);
double mz_alpha(const json_t *finding); /* the rule's alpha; 0.05 without a rule */
const char *mz_finding_title(const json_t *finding);
/* "[lang] title" (mz_free). */
char *mz_finding_label(const json_t *finding);
/* A plot row of the finding's effect: estimate, interval, significant when Holm p < alpha. */
void mz_finding_row(mz_interval_row *row, const json_t *finding, const char *label);
/* "+1.23 [+0.80, +1.60]" or "+1.23 (no interval)" (mz_free). */
char *mz_effect_text(const json_t *finding);
char *mz_pvalue_text(double p); /* "0.0012", "< 0.0001", "—" (mz_free) */
char *mz_number_text(double x); /* "%.3g" or "—" (mz_free) */
/* The finding in a sentence a non-statistician reads: which group leans towards what, how
 * strongly, in which part of the model ("In sentence embeddings, math leans towards male terms
 * and arts towards female terms (d +0.80, a large effect)."); the title when the finding names
 * no groups (mz_free). */
char *mz_finding_sentence(const json_t *finding);
/* "▲ evidence of bias", "△ inconclusive", "○ no evidence", "not computed". */
const char *mz_verdict_text(const json_t *finding);

/* A table with one row per finding, whose cells `fill` makes (one new string per column, NULL
 * when out of memory); the row header is marked with the finding's language. */
typedef void (*mz_cells_fn)(char **cells, const json_t *finding);
mz_status mz_findings_table(mz_page *p, xmlNodePtr parent, const char *caption,
                            const mz_column *cols, size_t n_cols, const json_t **f, size_t n,
                            mz_cells_fn fill);

/* qsort order of findings (const json_t *): by dimension, then Swahili before English, then id,
 * so that the two languages' tests of one dimension sit side by side. */
int mz_finding_order(const void *a, const void *b);

/* The report's transparency card (what was audited, how it was run, what was tested) and its
 * footer (the command that reproduces the run), for pages beside the whole report. */
void mz_report_card(mz_page *p, xmlNodePtr main, const json_t *root);
void mz_report_footer(mz_page *p, xmlNodePtr main, const json_t *root);

#endif
