/* The files older model folders carry instead of tokenizer.json: BERT's vocab.txt, GPT-2 and
 * RoBERTa's vocab.json + merges.txt. Each is turned into the tokenizer.json that Hugging Face's
 * converters would write and loaded through the one, tested tokenizer.json path. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "tokenizer_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static mz_status load_doc(mz_tokenizer *t, json_t *doc, const char *path, mz_ctx *ctx) {
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    mz_status rc = mz_tokenizer_from_json_text(t, text, strlen(text), path, ctx);
    free(text); /* jansson allocates with malloc */
    return rc;
}

static json_t *special(const char *content, json_int_t id) {
    return json_pack("{s:I, s:s, s:b, s:b, s:b, s:b, s:b}", "id", id, "content", content,
                     "single_word", 0, "lstrip", 0, "rstrip", 0, "normalized", 0, "special", 1);
}

/* A boolean of tokenizer_config.json beside the vocabulary, or `dflt`. */
static int config_flag(const char *dir, const char *key, int dflt) {
    char path[4096];
    snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
    json_t *cfg = json_load_file(path, 0, NULL);
    json_t *v = json_object_get(cfg, key);
    int flag = json_is_boolean(v) ? json_is_true(v) : dflt;
    json_decref(cfg);
    return flag;
}

mz_status mz_tokenizer_from_vocab_txt(mz_tokenizer *t, const char *path, const char *dir,
                                      mz_ctx *ctx) {
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, path, (size_t)256 << 20, ctx);
    if (rc) return rc;
    json_t *vocab = json_object(), *added = json_array();
    json_int_t id = 0;
    for (char *line = text, *nl; !rc && line < text + len; line = nl + 1, id++) {
        nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl) nl = text + len;
        size_t l = (size_t)(nl - line);
        if (l && line[l - 1] == '\r') l--;
        char *tok = mz_strndup(line, l);
        if (!tok || json_object_set_new(vocab, tok, json_integer(id)))
            rc = mz_fail_line(ctx, tok ? MZ_ERR_INPUT : MZ_ERR_NOMEM, path, (long)id + 1, 0,
                              tok ? "not valid UTF-8 or a repeated token" : "out of memory");
        if (!rc && l > 2 && tok[0] == '[' && tok[l - 1] == ']' && strncmp(tok, "[unused", 7))
            json_array_append_new(added, special(tok, id));
        mz_free(tok);
    }
    mz_free(text);
    if (rc) {
        json_decref(vocab);
        json_decref(added);
        return rc;
    }
    int lower = config_flag(dir, "do_lower_case", 1);
    json_t *cls = json_object_get(vocab, "[CLS]"), *sep = json_object_get(vocab, "[SEP]");
    json_t *doc = json_pack(
        "{s:o, s:{s:s, s:b, s:b, s:n, s:b}, s:{s:s}, s:{s:s, s:s, s:s, s:i, s:o}}", "added_tokens",
        added, "normalizer", "type", "BertNormalizer", "clean_text", 1, "handle_chinese_chars", 1,
        "strip_accents", "lowercase", lower, "pre_tokenizer", "type", "BertPreTokenizer", "model",
        "type", "WordPiece", "unk_token", "[UNK]", "continuing_subword_prefix", "##",
        "max_input_chars_per_word", 100, "vocab", vocab);
    if (doc && cls && sep)
        json_object_set_new(doc, "post_processor",
                            json_pack("{s:s, s:[s, I], s:[s, I]}", "type", "BertProcessing", "sep",
                                      "[SEP]", json_integer_value(sep), "cls", "[CLS]",
                                      json_integer_value(cls)));
    return load_doc(t, doc, path, ctx);
}

mz_status mz_tokenizer_from_vocab_merges(mz_tokenizer *t, const char *vocab_path,
                                         const char *merges_path, const char *dir, mz_ctx *ctx) {
    int prefix = config_flag(dir, "add_prefix_space", 0);
    json_error_t err;
    json_t *vocab = json_load_file(vocab_path, JSON_REJECT_DUPLICATES, &err);
    if (!vocab)
        return mz_fail_line(ctx, MZ_ERR_INPUT, vocab_path, err.line, err.column, "%s", err.text);
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, merges_path, (size_t)256 << 20, ctx);
    json_t *merges = json_array();
    for (char *line = rc ? NULL : text, *nl; line && line < text + len; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl) nl = text + len;
        size_t l = (size_t)(nl - line);
        if (l && line[l - 1] == '\r') l--;
        if (l && strncmp(line, "#version", 8)) json_array_append_new(merges, json_stringn(line, l));
    }
    mz_free(rc ? NULL : text);
    if (rc) {
        json_decref(vocab);
        json_decref(merges);
        return rc;
    }
    /* RoBERTa's vocabulary starts with <s>: it wraps texts in <s> ... </s> */
    json_t *bos = json_object_get(vocab, "<s>"), *eos = json_object_get(vocab, "</s>");
    json_t *added = json_array();
    const char *names[] = {"<s>", "<pad>", "</s>", "<unk>", "<mask>", "<|endoftext|>"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (json_object_get(vocab, names[i]))
            json_array_append_new(
                added, special(names[i], json_integer_value(json_object_get(vocab, names[i]))));
    json_t *post =
        bos && eos
            ? json_pack("{s:s, s:[s, I], s:[s, I], s:b, s:b}", "type", "RobertaProcessing", "sep",
                        "</s>", json_integer_value(eos), "cls", "<s>", json_integer_value(bos),
                        "trim_offsets", 1, "add_prefix_space", prefix)
            : json_pack("{s:s, s:b, s:b}", "type", "ByteLevel", "trim_offsets", 1,
                        "add_prefix_space", prefix);
    json_t *doc = json_pack("{s:o, s:{s:s, s:b, s:b}, s:o, s:{s:s, s:o, s:o, s:b}}", "added_tokens",
                            added, "pre_tokenizer", "type", "ByteLevel", "add_prefix_space", prefix,
                            "use_regex", 1, "post_processor", post, "model", "type", "BPE", "vocab",
                            vocab, "merges", merges, "byte_fallback", 0);
    return load_doc(t, doc, vocab_path, ctx);
}
