/* Tokenizer fairness on parallel text: how many tokens a tokenizer spends on the same content
 * in each language (the premium or parity of Petrov et al. 2023), how finely it cuts words
 * (fertility, words split in two or more), and how often it gives up (unknown tokens, byte
 * fallback). */
#ifndef MIZANI_FAIRNESS_H
#define MIZANI_FAIRNESS_H

#include "mizani/probes.h"
#include "mizani/tokenizer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_fairness_lang {
    const char *language;
    size_t words;  /* whitespace-separated words of the text */
    size_t tokens; /* without special tokens */
    size_t bytes;
    size_t continued_words; /* words cut into two or more tokens */
    size_t unk_tokens, byte_fallback_tokens;
    double fertility;                    /* tokens per word */
    double continued_share;              /* continued_words / words */
    double unk_rate, byte_fallback_rate; /* per token */
    /* percentile bootstrap intervals over segments (ci_level of mz_fairness; NAN: none) */
    double fertility_ci[2], continued_ci[2], unk_ci[2], byte_fallback_ci[2];
} mz_fairness_lang;

/* One segment's counts in one language: what the rates are sums of. */
typedef struct mz_fairness_counts {
    size_t words, tokens, continued_words, unk_tokens, byte_fallback_tokens;
} mz_fairness_counts;

/* A word of the second language and the tokens it became. */
typedef struct mz_fairness_word {
    char *word;
    size_t tokens;
} mz_fairness_word;

#define MZ_FAIRNESS_WORST 10

typedef struct mz_fairness {
    mz_fairness_lang lang[2]; /* the parallel file's two languages, in its order */
    size_t segments;
    double premium; /* tokens of lang[1] / tokens of lang[0] for the same segments */
    double premium_ci_lo, premium_ci_hi, ci_level; /* percentile bootstrap over segments */
    size_t dict_words, dict_whole; /* dictionary words tokenized as one token (0: no list) */
    double dict_whole_share;
    mz_fairness_counts *per_segment[2]; /* [segments] per language (owned): the items */
    /* the second language's distinct words split into the most tokens, most first (owned) */
    mz_fairness_word worst[MZ_FAIRNESS_WORST];
    size_t n_worst;
} mz_fairness;

typedef struct mz_fairness_options {
    uint32_t n_bootstrap; /* 0: no interval */
    double ci_level;
    unsigned long seed;
    const char *const *dict; /* words of the second language to check (NULL: none) */
    size_t n_dict;
} mz_fairness_options;

/* `parallel` must be a parallel probe set. Every number is computed from the tokenizer's own
 * spans: a token belongs to the word its span starts in. Clear the result with
 * mz_fairness_clear (also after a failure). */
mz_status mz_tokenizer_fairness(mz_fairness *out, const mz_tokenizer *t,
                                const mz_probe_set *parallel, const mz_fairness_options *opt,
                                mz_ctx *ctx);
/* Frees what a result owns (per-segment counts, the worst-split words). */
void mz_fairness_clear(mz_fairness *f);

/* The words of a hunspell .dic list (the count line and /flags dropped), for opt->dict; *words
 * and its strings are freed with mz_word_list_free. A line that is not UTF-8 is an error naming
 * it (MZ_ERR_INPUT); a file that cannot be read, MZ_ERR_IO. */
mz_status mz_word_list_read(char ***words, size_t *n, const char *dic_path, mz_ctx *ctx);
void mz_word_list_free(char **words, size_t n);

#ifdef __cplusplus
}
#endif
#endif
