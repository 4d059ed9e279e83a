/* Reports: results.json and report.html rendered from one results tree (results.h), written
 * atomically; the HTML page layer (page, sections, save) and its widgets, each a function over
 * plain rows, and one section renderer per test family reading the tree, so that every report
 * (audit, explain, compare) draws the same finding the same way.
 *
 * Widgets draw inline SVG that scales with the page (viewBox), with <title> and <desc>, an axis
 * title and a legend; significance is shown by shape and text as well as colour; labels too long
 * for a figure are shortened at a character boundary and the figure says so (the tables keep the
 * full text). Text in Swahili is marked lang="sw". */
#ifndef MIZANI_REPORT_H
#define MIZANI_REPORT_H

#include "mizani/ceat.h"
#include "mizani/compare.h"
#include "mizani/explain.h"
#include "mizani/fairness.h"
#include "mizani/likelihood_run.h"
#include "mizani/results.h"
#include "mizani/seat.h"
#include "mizani/static_audit.h"

#include <libxml/tree.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Static vectors into the tree ----------------------------------------------------------
 * The static-vector section ($.sections.static): one finding per test with d, its bootstrap
 * interval, p and Holm p, the verdict, the words as units with every target word's association
 * score s(w, A, B) as items (from `v`, looked up as the test looked them up), missing words, and
 * the metrics beyond WEAT under details. Also records the vectors as the subject and each probe
 * set's provenance. */
mz_status mz_report_static_suite(mz_results *r, const mz_static_suite *s,
                                 const mz_static_options *opt, const mz_vectors *v);
/* One test of ad-hoc word lists (no probe set): the same finding. */
mz_status mz_report_static_weat(mz_results *r, const mz_static_weat *w,
                                const mz_word_list lists[MZ_N_ROLES], const char *vectors_path,
                                const mz_static_options *opt, const mz_vectors *v);

/* ---- A model as the subject ----------------------------------------------------------------
 * $.subject for a model (once; nothing when the tree has a subject already): path,
 * architecture, encoder or decoder, its head, the weights' SHA-256 and size, shape, parameters,
 * dtypes, and with `t` the tokenizer's file {path, sha256, bytes}, type, vocabulary size and
 * special tokens. */
mz_status mz_results_model(mz_results *r, const mz_model *m, const char *path,
                           const mz_tokenizer *t);
/* $.subject for a tokenizer alone (kind "tokenizer", its members under "tokenizer"). */
mz_status mz_results_tokenizer(mz_results *r, const mz_tokenizer *t);

/* ---- Association tests on a model into the tree ------------------------------------------
 * The seat and ceat sections ($.sections.seat, .ceat): one finding per test with d over the
 * rows (sentences, contexts), its bootstrap interval over words, the permutation p over target
 * words and Holm's, the verdict by `rules` (NULL: the defaults), the target words that can trade
 * labels as units with the smallest detectable d, the caveats (too few words, words unknown to
 * the tokenizer, target lists split differently, Monte Carlo p, CEAT's samples reusing words),
 * and every target word's score with its rows' scores as items; each probe set's provenance.
 * SEAT's section quotes one frame per language from `templates`. null_copies: the K random
 * copies of the null reference the results were given (0: none), in the settings; each test
 * with a reference keeps it in its details (null_reference) and says which p it reports. */
mz_status mz_report_seat(mz_results *r, const mz_seat_result *res, size_t n,
                         const mz_embed_options *e, const mz_weat_options *w, size_t null_copies,
                         mz_probe_set *const *templates, size_t n_templates,
                         const mz_verdict_rules *rules);
mz_status mz_report_ceat(mz_results *r, const mz_ceat_result *res, size_t n,
                         const mz_ceat_options *o, size_t null_copies,
                         const mz_verdict_rules *rules);

/* ---- Tokenizer fairness into the tree ------------------------------------------------------
 * The fairness section: the premium of the second language over the first, and per language
 * fertility, split words, unknown and byte-fallback rates, each with its interval over segments
 * (descriptions: no p-value, no verdict); the worst-split words and dictionary coverage in the
 * premium's details, every segment's token and word counts as its items; the parallel text's
 * provenance. */
mz_status mz_report_fairness(mz_results *r, const mz_fairness *f, const mz_probe_set *parallel,
                             uint32_t n_bootstrap);

/* ---- Likelihood tests into the tree -------------------------------------------------------
 * The pairs section: per probe set and category (and "all") a finding with the preference rate
 * for the more stereotypical sentence among pairs of equal token counts, its cluster-bootstrap
 * interval, the sign-flip p over target clusters and Holm's, the clusters as units with the
 * smallest detectable distance from 50%, caveats (pairs of unequal token counts, pairs that do
 * not fit, too few clusters) and every pair with its scores as items; then, for parallel sets,
 * one finding per category on whether the preference differs between the languages
 * (details.comparison "languages"). */
mz_status mz_report_pairs(mz_results *r, const mz_pairs_suite *s, mz_lik_method method,
                          const mz_pairs_options *o, const mz_verdict_rules *rules);
/* The masked section: per set the mean group bias with its two-way bootstrap interval, the
 * permutation p over target words and Holm's across sets, the target words as units, every
 * attribute's bias, group means and sentence scores as items, the target words' token counts;
 * a set not computable with its reason; for parallel sets, the difference of their biases. */
mz_status mz_report_masked(mz_results *r, const mz_masked_suite *s, uint32_t n_bootstrap,
                           const mz_verdict_rules *rules);

/* ---- Explanations into the tree -------------------------------------------------------------
 * The explain section ($.sections.explain): one finding per explained text (ex [n]), or per
 * minimal pair (px [n], from `set`) with both sentences' explanations, holding every method's
 * token and word scores, faithfulness, attention maps, attention attribution and notes
 * (SCHEMA.md). The model (when given) is recorded as the subject, the pairs' set as a probe set;
 * lang: the texts' language, or NULL (pairs: the set's). */
mz_status mz_report_explain(mz_results *r, const mz_model *m, const char *model_path,
                            const mz_explanation *ex, const mz_pair_explanation *px, size_t n,
                            const mz_probe_set *set, const char *lang);

/* ---- Comparisons into the tree --------------------------------------------------------------
 * The compare section ($.sections.compare, SCHEMA.md): the checkpoints as the subject, their
 * probe sets, the gate's decision, notes, and one finding per comparison: the change of the
 * effect with its interval, p and Holm p, what each audit reported, the outcome in words and
 * every paired item. */
mz_status mz_report_compare(mz_results *r, const mz_compare *c);

/* ---- Writing -----------------------------------------------------------------------------
 * results.json and report.html of `r` into `dir`: both written into a temporary folder beside
 * `dir` and moved into place (a new folder appears whole; in an existing one each file is
 * replaced by rename), temporaries of interrupted earlier runs removed first, nothing left
 * behind on failure (not even the folder, if this call created it). Both files carry the run id.
 * Sets the run's end time if unset. */
mz_status mz_report_write_dir(mz_results *r, const char *dir, mz_ctx *ctx);
/* The same with the page `draw` makes, named `html_name` (explain.html). */
struct mz_page;
typedef mz_status (*mz_report_renderer)(struct mz_page **out, const mz_results *r, mz_ctx *ctx);
mz_status mz_report_write_dir_as(mz_results *r, const char *dir, const char *html_name,
                                 mz_report_renderer draw, mz_ctx *ctx);
/* ... and with the JSON named `json_name` too (compare.json). */
mz_status mz_report_write_dir_named(mz_results *r, const char *dir, const char *json_name,
                                    const char *html_name, mz_report_renderer draw, mz_ctx *ctx);
/* An audit's folder: results.json, report.html and report.md (mz_report_markdown), written as
 * mz_report_write_dir does; with figures_dir, each figure of the page as a standalone SVG file
 * in that folder, written the same way. */
mz_status mz_report_write_audit(mz_results *r, const char *dir, const char *figures_dir,
                                mz_ctx *ctx);
/* A short Markdown summary of a tree, to paste into a model card's "Bias, Risks, and
 * Limitations": what was audited, the findings with their verdicts (controls apart), Swahili
 * against English, the tokenizer, what was not tested, and the limits. Probe text is escaped
 * (no markup or table break survives). mz_free. */
mz_status mz_report_markdown(char **out, const mz_results *r, mz_ctx *ctx);
/* Any file, atomically: a temporary beside it renamed into place. */
mz_status mz_write_file_atomic(const char *path, const void *data, size_t len, mz_ctx *ctx);

/* ---- The page layer -------------------------------------------------------------------- */
typedef struct mz_page mz_page;

/* A page with its head (title, Content-Security-Policy that forbids any request, viewport,
 * the run id as <meta name="mizani-run-id">, the stylesheet for screen and print) and a <main>
 * holding the <h1>. */
mz_status mz_page_new(mz_page **out, const char *title, const char *run_id, mz_ctx *ctx);
void mz_page_free(mz_page *p);
xmlNodePtr mz_page_main(mz_page *p);
/* <section id=ID> with a heading one level below its enclosing section's. */
xmlNodePtr mz_page_section(mz_page *p, xmlNodePtr parent, const char *id, const char *title);
/* An element with text (NULL: none); NULL when out of memory (recorded on the page). */
xmlNodePtr mz_page_el(mz_page *p, xmlNodePtr parent, const char *name, const char *text);
xmlNodePtr mz_page_elf(mz_page *p, xmlNodePtr parent, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void mz_page_attr(mz_page *p, xmlNodePtr node, const char *key, const char *value);
void mz_page_attrf(mz_page *p, xmlNodePtr node, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* lang="..." on `node` unless the language is the page's (English). */
void mz_page_lang(mz_page *p, xmlNodePtr node, const char *lang);
/* MZ_OK or the first failure while building (no memory, a widget given bad rows). */
mz_status mz_page_status(const mz_page *p);
/* The page as "<!DOCTYPE html>" and HTML (mz_free). */
mz_status mz_page_serialise(mz_page *p, char **out, size_t *len);
/* Serialised and written atomically. */
mz_status mz_page_save(mz_page *p, const char *path);
/* Every figure (<svg>) of the page as a standalone SVG document, in page order, each with a file
 * name from its order and title ("03-minimal-pairs-per-category.svg"); mz_free each and both
 * arrays. */
mz_status mz_page_figures(mz_page *p, char ***names, char ***svgs, size_t *n);

/* ---- Widgets ---------------------------------------------------------------------------- */
/* One row of a forest plot, dot plot or bar chart: an estimate with its interval (NAN when
 * there is none), whether it is significant (drawn as a filled diamond and said in words; an
 * open circle otherwise) and the language of its label. */
typedef struct mz_interval_row {
    const char *label, *lang;
    double estimate, lo, hi;
    int significant;
} mz_interval_row;

typedef struct mz_axis {
    const char *title; /* what the x axis measures, with its unit */
    double lo, hi;     /* range; estimates beyond it are drawn at the edge with an arrow */
    double ref;        /* reference line (no effect: 0, or 50%) */
    int percent;       /* tick labels as percentages */
} mz_axis;

/* Effect sizes with intervals, one row each, a reference line at axis->ref. */
mz_status mz_widget_forest(mz_page *p, xmlNodePtr parent, const char *caption,
                           const mz_interval_row *rows, size_t n, const mz_axis *axis);
/* Rates with (exact) intervals against a reference rate (50%): the forest plot's layout with a
 * percentage axis. */
mz_status mz_widget_dots(mz_page *p, xmlNodePtr parent, const char *caption,
                         const mz_interval_row *rows, size_t n, const mz_axis *axis);
/* Bars from axis->ref to each estimate, with the interval as a whisker. */
mz_status mz_widget_bars(mz_page *p, xmlNodePtr parent, const char *caption,
                         const mz_interval_row *rows, size_t n, const mz_axis *axis);

/* Before and after, one row each: the value before (before[i], an open square) joined by an
 * arrow to the value after (the row's estimate), and the change's interval placed on the value
 * before (lo and hi are before + the change's bounds); `significant` marks a regression (a
 * filled diamond). */
mz_status mz_widget_paired(mz_page *p, xmlNodePtr parent, const char *caption,
                           const mz_interval_row *rows, const double *before, size_t n,
                           const mz_axis *axis);

/* A finding across checkpoints: one small plot per series (its estimate and interval at each
 * of n_points checkpoints, joined in order), against axis->ref, in a grid; points[k] labels the
 * k-th checkpoint. values, lo, hi: [n_series, n_points]. */
typedef struct mz_series {
    const char *label, *lang;
    const double *values, *lo, *hi;
} mz_series;
mz_status mz_widget_trajectory(mz_page *p, xmlNodePtr parent, const char *caption,
                               const char *const *points, size_t n_points, const mz_series *s,
                               size_t n, const mz_axis *axis);

/* A table: a caption, column headers (scope="col"), the first cell of each row a row header
 * (scope="row") marked with the row's language. cells: [n_rows, n_cols]; NULL cells are empty. */
typedef struct mz_column {
    const char *head;
    int numeric;
} mz_column;
mz_status mz_widget_table(mz_page *p, xmlNodePtr parent, const char *caption, const mz_column *cols,
                          size_t n_cols, const char *const *cells, const char *const *row_langs,
                          size_t n_rows);

/* Token shading: `text` with each token's bytes [start, end) shaded by its score on a diverging,
 * colour-blind-safe scale symmetric around zero, the score on hover, a legend, and a table of
 * tokens and scores. Spans must lie inside the text on character boundaries, in order, without
 * overlap (MZ_ERR_INPUT otherwise). */
typedef struct mz_token_score {
    size_t start, end;
    double score;
} mz_token_score;
mz_status mz_widget_tokens(mz_page *p, xmlNodePtr parent, const char *caption, const char *text,
                           const char *lang, const mz_token_score *tokens, size_t n,
                           const char *score_name);

/* Attention (or attribution) maps: values [layers, heads, T, T] (row: from-token, column:
 * to-token) as a grid of layer x head thumbnails and the map of (big_layer, big_head) enlarged
 * with the token labels on both axes, on a sequential colour-blind-safe scale with a legend. */
typedef struct mz_heatmap {
    const float *values;
    size_t layers, heads, tokens;
    const char *const *labels; /* [tokens] */
    const char *lang;
    size_t big_layer, big_head;
    const char *value_name; /* "attention probability" */
} mz_heatmap;
mz_status mz_widget_heatmaps(mz_page *p, xmlNodePtr parent, const char *caption,
                             const mz_heatmap *h);

/* Tests that were not computed: label, "not computable" or "skipped", and why. */
typedef struct mz_missing_row {
    const char *label, *lang, *status, *reason;
} mz_missing_row;
mz_status mz_widget_not_computable(mz_page *p, xmlNodePtr parent, const mz_missing_row *rows,
                                   size_t n);

/* A method note: a paragraph and its references. */
mz_status mz_widget_method(mz_page *p, xmlNodePtr parent, const char *text,
                           const char *const *citations, size_t n);

/* ---- Reports from the tree ---------------------------------------------------------------
 * The section of one test family ($.sections.FAMILY) under `parent`: static, seat and ceat
 * (forest plots by dimension with sw and en side by side, a table, the words that were missing
 * or unknown), pairs (preference rates against 50%, the largest score gaps quoted), masked
 * (group bias per attribute), fairness (premium and rates as bars), explain (token shading,
 * heatmaps), compare (changes with their intervals). Positive controls are drawn apart from
 * the social findings. Nothing when the tree has no such section. */
mz_status mz_report_section(mz_page *p, xmlNodePtr parent, const mz_results *r, const char *family);
/* The family's method note with its citations, as a subsection titled `title` (nothing when the
 * family has none). */
mz_status mz_report_method(mz_page *p, xmlNodePtr parent, const mz_results *r, const char *family,
                           const char *title);
/* explain.html: the explain section, the transparency card and the command that reproduces
 * the run (no summary of verdicts: explanations have none). */
mz_status mz_report_explain_page(mz_page **out, const mz_results *r, mz_ctx *ctx);
/* The whole report of a tree, in seven parts: 1. summary with verdicts and their rule, Swahili
 * beside English and the language comparisons, positive controls apart; 2. transparency card
 * (what was audited, how, which probes, what was not tested); 3. tokenizer fairness;
 * 4. association tests (static, SEAT, CEAT); 5. likelihood tests (minimal pairs, masked
 * templates); 6. explanations; 7. methods with citations and the command that reproduces the
 * run. A part whose families did not run is left out; the card says what was not tested. */
mz_status mz_report_render(mz_page **out, const mz_results *r, mz_ctx *ctx);
/* compare.html: the gate's decision in plain words, the checkpoints, the compare section and
 * the command that reproduces the run. */
mz_status mz_report_compare_page(mz_page **out, const mz_results *r, mz_ctx *ctx);
/* The compare section as JUnit XML (the format Jenkins documents; tests/data/junit/junit.xsd):
 * a testsuite per pair of consecutive checkpoints, a testcase per finding, a failure for each
 * regression, skipped for findings not compared or not testable (mz_free). */
mz_status mz_report_junit(char **out, size_t *len, const mz_results *r, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
