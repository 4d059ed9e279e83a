/* Internal to tokenizers/: the pipeline's pieces. A text flows as an mz_nstr, a normalised
 * string whose every byte remembers the span of the original text it came from; normalisers
 * rewrite it, pre-tokenisers cut it into words, a model turns each word into tokens. */
#ifndef MZ_TOKENIZER_INTERNAL_H
#define MZ_TOKENIZER_INTERNAL_H

#include "mizani/strmap.h"
#include "mizani/tokenizer.h"

#include <stdint.h>

struct URegularExpression;

typedef struct mz_nstr {
    char *s; /* UTF-8, NUL-terminated */
    size_t len, cap;
    uint32_t *o0, *o1; /* [len] original span of each byte */
} mz_nstr;

/* What a step of the pipeline returns besides 0: no memory; a regular expression that ran past
 * its step budget on this text (or failed in ICU otherwise); a word the model has no token for
 * and no unknown token to stand in. */
enum { MZ_TOK_NOMEM = -1, MZ_TOK_REGEX = -2, MZ_TOK_NO_TOKEN = -3 };

/* Compiles a UTF-8 pattern with the step budget set: 0, MZ_TOK_NOMEM, or MZ_TOK_REGEX with
 * ICU's reason ("U_REGEX_MISSING_CLOSE_PAREN at character 4") in why[0..cap). */
int mz_regex_compile(struct URegularExpression **re, const char *pattern, char *why, size_t cap);
/* The pattern's text as UTF-8 (cut to cap bytes), for messages. */
void mz_regex_pattern(const struct URegularExpression *re, char *out, size_t cap);

int mz_nstr_push(mz_nstr *n, const char *bytes, size_t len, uint32_t o0, uint32_t o1);
void mz_nstr_reset(mz_nstr *n);
void mz_nstr_free(mz_nstr *n);
void mz_nstr_swap(mz_nstr *a, mz_nstr *b);

/* ---- normalisers ---- */
typedef enum {
    NORM_BERT,
    NORM_LOWERCASE,
    NORM_NFC,
    NORM_NFD,
    NORM_NFKC,
    NORM_NFKD,
    NORM_STRIP_ACCENTS,
    NORM_REPLACE,
    NORM_PREPEND,
    NORM_STRIP,
    NORM_PRECOMPILED
} mz_norm_kind;

typedef struct mz_normalizer {
    mz_norm_kind kind;
    int clean_text, chinese_chars, strip_accents, lowercase; /* BertNormalizer */
    int strip_left, strip_right;                             /* Strip */
    char *pattern, *content;                                 /* Replace (literal), Prepend */
    struct URegularExpression *regex;                        /* Replace (regex) */
    struct mz_charsmap *charsmap;                            /* Precompiled */
} mz_normalizer;

/* Applies normalisers in order; scratch is reused. 0, or an MZ_TOK_ failure (*failed: the
 * regular expression, for MZ_TOK_REGEX). */
int mz_normalize(mz_nstr *text, mz_nstr *scratch, const mz_normalizer *norms, size_t n,
                 const struct URegularExpression **failed);
void mz_normalizer_clear(mz_normalizer *n);

/* SentencePiece's precompiled normalisation map (charsmap.c): 0, MZ_TOK_NOMEM, or 1 when the
 * blob is not such a map. */
int mz_charsmap_new(struct mz_charsmap **out, const unsigned char *blob, size_t len);
int mz_charsmap_normalize(mz_nstr *out, const mz_nstr *in, const struct mz_charsmap *m);
void mz_charsmap_free(struct mz_charsmap *m);

/* ---- pre-tokenisers: cut a normalised string into words (byte ranges of it) ---- */
typedef enum {
    PRE_BERT,
    PRE_WHITESPACE_SPLIT,
    PRE_WHITESPACE,
    PRE_BYTE_LEVEL,
    PRE_METASPACE,
    PRE_SPLIT_REGEX,
    PRE_PUNCTUATION,
    PRE_DIGITS
} mz_pre_kind;

typedef struct mz_pretokenizer {
    mz_pre_kind kind;
    int add_prefix_space, use_regex; /* ByteLevel */
    int prepend_always, split;       /* Metaspace (replacement is U+2581) */
    int individual_digits;           /* Digits */
    int behavior;                    /* Split: 0 removed, 1 isolated, 2 merged with previous,
                                        3 merged with next, 4 contiguous */
    int invert;
    struct URegularExpression *regex; /* Split / ByteLevel */
} mz_pretokenizer;

typedef struct mz_words {
    mz_nstr *items; /* each word's normalised text with spans */
    size_t n, cap;
} mz_words;

/* Runs the pre-tokenisers over `text` into `words` (ByteLevel also maps bytes to its
 * printable alphabet). 0, or an MZ_TOK_ failure as mz_normalize. */
int mz_pretokenize(mz_words *words, const mz_nstr *text, const mz_pretokenizer *pres, size_t n,
                   const struct URegularExpression **failed);
void mz_words_reset(mz_words *w);
void mz_words_free(mz_words *w);
void mz_pretokenizer_clear(mz_pretokenizer *p);

/* ---- models ---- */
typedef enum { MODEL_WORDPIECE, MODEL_BPE, MODEL_UNIGRAM, MODEL_WORDLEVEL } mz_subword_kind;

typedef struct mz_vocab {
    char **tokens; /* [n] by id */
    size_t n, cap;
    mz_strmap *ids; /* token -> id */
} mz_vocab;

typedef struct mz_subword {
    mz_subword_kind kind;
    mz_vocab vocab;
    int32_t unk_id;    /* -1: none */
    char *prefix;      /* WordPiece continuing_subword_prefix, BPE's too */
    char *suffix;      /* BPE end_of_word_suffix */
    size_t max_chars;  /* WordPiece max_input_chars_per_word */
    mz_strmap *merges; /* BPE: "left right" -> rank */
    int byte_fallback, ignore_merges, fuse_unk;
    double *scores;       /* Unigram: [vocab.n] */
    uint32_t *score_rank; /* BPE from SentencePiece scores (no merges table): the rank
                             of each id by descending score */
    uint8_t *unusable;    /* [vocab.n] or NULL: ids the model never produces
                             (SentencePiece control and unused pieces) */
    size_t unusable_cap;
    double unk_score; /* Unigram: the lowest score minus 10, as SentencePiece */
    size_t max_piece; /* Unigram: the longest piece in bytes */
} mz_subword;

int mz_wordpiece_encode(mz_encoding *out, const mz_subword *m, const mz_nstr *w, int32_t widx);
int mz_bpe_encode(mz_encoding *out, const mz_subword *m, const mz_nstr *w, int32_t widx);
int mz_unigram_encode(mz_encoding *out, const mz_subword *m, const mz_nstr *w, int32_t widx);
/* Ranks ids by descending score, for BPE merges taken from SentencePiece scores. */
int mz_subword_rank_scores(mz_subword *m);

/* Appends the tokens of one word to `out` (word index `word`); spans come from the word's
 * byte spans. 0, or -1 on no memory. */
int mz_subword_encode_word(mz_encoding *out, const mz_subword *m, const mz_nstr *word,
                           int32_t widx);
void mz_subword_clear(mz_subword *m);
int mz_vocab_add(mz_vocab *v, const char *token, size_t len);

/* ---- post-processing ---- */
/* One piece of a post-processing template: a special token, or sequence A or B. */
typedef struct mz_template_item {
    int32_t id;  /* the special token; -1 for a sequence */
    uint8_t seq; /* for sequences: 0 A, 1 B */
    uint8_t type_id;
} mz_template_item;

#define MZ_TEMPLATE_MAX 12

typedef struct mz_post {
    mz_template_item single[MZ_TEMPLATE_MAX], pair[MZ_TEMPLATE_MAX];
    size_t n_single, n_pair; /* 0: nothing is added */
    int trim_byte_level;     /* ByteLevel/RoBERTa: trim offsets of leading spaces */
    int add_prefix_space;    /* ... sparing the space the pre-tokenizer added */
} mz_post;

/* [CLS] A [SEP] / [CLS] A [SEP] B [SEP] with type ids 0, 1 (BERT); RoBERTa's
 * <s> A </s> / <s> A </s></s> B </s> all type 0. */
void mz_post_bert(mz_post *p, int32_t cls, int32_t sep);
void mz_post_roberta(mz_post *p, int32_t cls, int32_t sep);

/* ---- decoding ---- */
typedef enum {
    DEC_WORDPIECE,
    DEC_BYTE_LEVEL,
    DEC_METASPACE,
    DEC_BPE_SUFFIX,
    DEC_BYTE_FALLBACK,
    DEC_FUSE,
    DEC_STRIP,
    DEC_REPLACE
} mz_dec_kind;

typedef struct mz_decoder {
    mz_dec_kind kind;
    char *a, *b; /* WordPiece prefix; BPE suffix; Replace pattern, content; Strip content */
    int cleanup, prepend; /* WordPiece cleanup; Metaspace strips the space it prepended */
    int start, stop;      /* Strip */
} mz_decoder;

struct mz_tokenizer {
    mz_normalizer *norms;
    size_t n_norms;
    mz_pretokenizer *pres;
    size_t n_pres;
    mz_subword model;
    mz_post post;
    mz_decoder *decs; /* none: tokens joined by spaces, as HF without a decoder */
    size_t n_decs;
    uint8_t *is_special; /* [vocab.n] or NULL: ids that skip_special leaves out */
    size_t is_special_cap;
    int32_t pad_id;
    mz_strmap *added;         /* special/added tokens matched before normalisation */
    uint8_t added_first[256]; /* bytes that start an added token */
    size_t added_max;         /* the longest added token */
    const char *model_name;
    char *path; /* the file it was loaded from, for messages */
};

/* Registers an added token (matched in the raw text before the pipeline). 0, or -1. */
int mz_tokenizer_add_added(mz_tokenizer *t, const char *token, size_t len, size_t id);
/* Marks an id as special (left out by decode's skip_special). 0, or -1 on no memory. */
int mz_tokenizer_mark_special(mz_tokenizer *t, size_t id);
/* Fills the Unigram model's unk_score and max_piece once its vocabulary is loaded. */
void mz_unigram_prepare(mz_subword *m);

int mz_encoding_push(mz_encoding *e, int32_t id, uint32_t start, uint32_t end, int32_t word,
                     uint8_t special);

/* Loaders */
mz_status mz_tokenizer_from_gguf(mz_tokenizer *t, const char *path, mz_ctx *ctx);
mz_status mz_tokenizer_from_json(mz_tokenizer *t, const char *path, mz_ctx *ctx);
mz_status mz_tokenizer_from_vocab_txt(mz_tokenizer *t, const char *path, const char *dir,
                                      mz_ctx *ctx);
mz_status mz_tokenizer_from_vocab_merges(mz_tokenizer *t, const char *vocab_path,
                                         const char *merges_path, const char *dir, mz_ctx *ctx);
mz_status mz_tokenizer_from_spm(mz_tokenizer *t, const char *path, mz_ctx *ctx);
mz_status mz_tokenizer_from_spm_data(mz_tokenizer *t, const uint8_t *data, size_t len,
                                     const char *path, mz_ctx *ctx);
mz_status mz_tokenizer_from_json_text(mz_tokenizer *t, const char *text, size_t len,
                                      const char *path, mz_ctx *ctx);

#endif
