/* Tokenizers that reproduce Hugging Face's exactly: the same ids, and for each token the byte
 * span of the caller's original text it came from, even when normalisation changed the text.
 * Loaded from tokenizer.json, or from the tokenizer inside a GGUF file. */
#ifndef MIZANI_TOKENIZER_H
#define MIZANI_TOKENIZER_H

#include "mizani/error.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_tokenizer mz_tokenizer;

/* One encoded text. Arrays hold n entries. */
typedef struct mz_encoding {
    size_t n, cap;
    int32_t *ids;
    uint32_t *start, *end; /* byte span of the token in the original text ([start, end)) */
    int32_t *word_ids;     /* which pre-tokenized word the token came from; -1 for specials */
    uint8_t *special;      /* 1 for tokens the post-processor added ([CLS], <s>, ...) */
    uint8_t *type_ids;     /* 0 for the first text of a pair, 1 for the second (BERT) */
    uint8_t *attention;    /* 1 for real tokens, 0 for padding */
} mz_encoding;

/* path: a tokenizer.json, a .gguf file, or a model folder holding tokenizer.json. Errors name
 * the file and the JSON path or byte offset of what is wrong; a component Mizani does not
 * implement is MZ_ERR_UNSUPPORTED naming it. */
mz_status mz_tokenizer_load(mz_tokenizer **out, const char *path, mz_ctx *ctx);
/* The same from tokenizer.json text in memory; `name` labels errors (fuzzing, tests). */
mz_status mz_tokenizer_parse_json(mz_tokenizer **out, const char *json, size_t len,
                                  const char *name, mz_ctx *ctx);
/* The same from a SentencePiece .model in memory. */
mz_status mz_tokenizer_parse_spm(mz_tokenizer **out, const void *model, size_t len,
                                 const char *name, mz_ctx *ctx);
void mz_tokenizer_free(mz_tokenizer *t);

/* Encodes text[0..len). Invalid UTF-8 is an error naming the byte offset of the first bad
 * byte (MZ_ERR_INPUT): the audit never tokenizes a guess. add_special applies the
 * post-processor ([CLS] ... [SEP], <s> ... </s>). `out` is reset first; reuse it across calls. */
mz_status mz_tokenizer_encode(mz_encoding *out, const mz_tokenizer *t, const char *text, size_t len,
                              int add_special, mz_ctx *ctx);
void mz_encoding_clear(mz_encoding *e);

/* A pair of texts, as the model's post-processor joins them ([CLS] A [SEP] B [SEP] with type
 * ids 0 and 1; <s> A </s></s> B </s>). Offsets of each token are in its own text. */
mz_status mz_tokenizer_encode_pair(mz_encoding *out, const mz_tokenizer *t, const char *a,
                                   size_t a_len, const char *b, size_t b_len, int add_special,
                                   mz_ctx *ctx);

/* A batch of texts for the model: with max_length > 0 each is cut to that many tokens
 * (specials included, the end of the text dropped); with pad, all are padded on the right to
 * the longest (or to max_length with pad_to_max) with pad_id, attention 0, special 1. */
typedef struct mz_batch_options {
    size_t max_length;
    int add_special, pad, pad_to_max;
    int32_t pad_id;
} mz_batch_options;

mz_status mz_tokenizer_encode_batch(mz_encoding *outs, const mz_tokenizer *t,
                                    const char *const *texts, const size_t *lens, size_t n,
                                    const mz_batch_options *opt, mz_ctx *ctx);

/* The text of `ids` through the tokenizer's decoder (HF's decode), in *text (mz_free).
 * skip_special leaves out special tokens. */
mz_status mz_tokenizer_decode(char **text, const mz_tokenizer *t, const int32_t *ids, size_t n,
                              int skip_special, mz_ctx *ctx);
/* The id of the tokenizer's padding token, or -1. */
int32_t mz_tokenizer_pad_id(const mz_tokenizer *t);

size_t mz_tokenizer_vocab_size(const mz_tokenizer *t);
/* The token string of an id as the vocabulary stores it (NULL for an unknown id). */
const char *mz_tokenizer_token(const mz_tokenizer *t, int32_t id);
/* The id of a token string, or -1. */
int32_t mz_tokenizer_id(const mz_tokenizer *t, const char *token);
/* "WordPiece", "BPE", "Unigram", "WordLevel". */
const char *mz_tokenizer_model_name(const mz_tokenizer *t);
/* The file the tokenizer was read from (a folder's tokenizer.json, vocab.txt, ...). */
const char *mz_tokenizer_path(const mz_tokenizer *t);

#ifdef __cplusplus
}
#endif
#endif
