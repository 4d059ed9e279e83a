/* The files older model folders carry instead of tokenizer.json: BERT's vocab.txt, GPT-2 and
 * RoBERTa's vocab.json + merges.txt. Each is turned into the tokenizer.json that Hugging Face's
 * converters would write and loaded through the one, tested tokenizer.json path. Lines are
 * checked where the user can find them (file:line); what the built document rejects is moved
 * back to the file it came from. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/strmap.h"
#include "mizani/utf8.h"
#include "tokenizer_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The error on ctx moved to `file` (at `line` when > 0): the built document's line and JSON
 * path mean nothing to the person holding the legacy files. */
static mz_status relocate(mz_ctx *ctx, mz_status rc, const char *file, long line) {
    char cause[512];
    snprintf(cause, sizeof cause, "%s", mz_ctx_cause(ctx));
    return line > 0 ? mz_fail_line(ctx, rc, file, line, 0, "%s", cause)
                    : mz_fail(ctx, rc, file, "%s", cause);
}

/* Loads the built document. merge_lines[r] (may be NULL) is the merges.txt line of merge r. */
static mz_status load_doc(mz_tokenizer *t, json_t *doc, const char *path, const char *merges_path,
                          const long *merge_lines, mz_ctx *ctx) {
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!text) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    mz_status rc = mz_tokenizer_from_json_text(t, text, strlen(text), path, ctx);
    free(text); /* jansson allocates with malloc */
    size_t r;
    if (rc == MZ_ERR_NOMEM || rc == MZ_ERR_INTERNAL) return rc;
    if (rc && merge_lines && sscanf(mz_ctx_json_path(ctx), "$.model.merges[%zu]", &r) == 1)
        return relocate(ctx, rc, merges_path, merge_lines[r]);
    return rc ? relocate(ctx, rc, path, 0) : MZ_OK;
}

static json_t *special(const char *content, json_int_t id) {
    return json_pack("{s:I, s:s, s:b, s:b, s:b, s:b, s:b}", "id", id, "content", content,
                     "single_word", 0, "lstrip", 0, "rstrip", 0, "normalized", 0, "special", 1);
}

/* A JSON file of the folder: *out is NULL when it is not there. */
static mz_status read_json(json_t **out, const char *path, int reject_duplicates, mz_ctx *ctx) {
    char *text;
    size_t len;
    json_error_t err;
    *out = NULL;
    mz_status rc = mz_read_file(&text, &len, path, (size_t)256 << 20, ctx);
    if (!rc &&
        !(*out = json_loadb(text, len, reject_duplicates ? JSON_REJECT_DUPLICATES : 0, &err)))
        rc = mz_fail_line(ctx, MZ_ERR_INPUT, path, err.line, err.column, "%s", err.text);
    mz_free(text);
    return rc;
}

/* A boolean of tokenizer_config.json beside the vocabulary (it changes how text is cut, so a
 * broken file is an error), or `dflt` when there is none. */
static mz_status config_flag(int *flag, const char *dir, const char *key, int dflt, mz_ctx *ctx) {
    char path[4096];
    json_t *cfg = NULL;
    snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
    *flag = dflt;
    mz_status rc = access(path, F_OK) == 0 ? read_json(&cfg, path, 0, ctx) : MZ_OK;
    json_t *v = json_object_get(cfg, key);
    if (json_is_boolean(v)) *flag = json_is_true(v);
    json_decref(cfg);
    return rc;
}

/* One line of a text file: [*line, *len) without its line end; 0 at the end of the text. */
static int next_line(const char *text, size_t len, size_t *at, const char **line, size_t *l) {
    if (*at >= len) return 0;
    const char *s = text + *at, *nl = memchr(s, '\n', len - *at);
    *l = nl ? (size_t)(nl - s) : len - *at;
    *at += *l + 1;
    *line = s;
    if (*l && s[*l - 1] == '\r') --*l;
    return 1;
}

/* A line must be UTF-8 without NUL bytes: either would make a token that no text can match. */
static mz_status check_line(const char *line, size_t l, const char *path, long no, mz_ctx *ctx) {
    const char *nul = memchr(line, '\0', l);
    size_t bad = mz_utf8_invalid_at(line, l);
    if (nul) return mz_fail_line(ctx, MZ_ERR_INPUT, path, no, nul - line + 1, "a NUL byte");
    if (bad) return mz_fail_line(ctx, MZ_ERR_INPUT, path, no, (long)bad, "not valid UTF-8");
    return MZ_OK;
}

/* vocab.txt: one token a line, its id the line number - 1. */
static mz_status read_vocab_txt(json_t *vocab, json_t *added, const char *text, size_t len,
                                const char *path, mz_ctx *ctx) {
    mz_strmap *seen = mz_strmap_new();
    mz_status rc = seen ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    const char *line;
    size_t l, at = 0, first;
    for (long no = 1; !rc && next_line(text, len, &at, &line, &l); no++) {
        char *tok = NULL;
        int fresh = 0;
        if (!(rc = check_line(line, l, path, no, ctx)) &&
            (fresh = mz_strmap_put(seen, line, l, (size_t)no, &first)) < 0)
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        if (!rc && !fresh)
            rc = mz_fail_line(ctx, MZ_ERR_INPUT, path, no, 0, "'%.*s' repeats line %zu",
                              (int)(l < 64 ? l : 64), line, first);
        if (!rc &&
            (!(tok = mz_strndup(line, l)) || json_object_set_new(vocab, tok, json_integer(no - 1))))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        if (!rc && l > 2 && tok[0] == '[' && tok[l - 1] == ']' && strncmp(tok, "[unused", 7))
            json_array_append_new(added, special(tok, no - 1));
        mz_free(tok);
    }
    mz_strmap_free(seen);
    return rc;
}

mz_status mz_tokenizer_from_vocab_txt(mz_tokenizer *t, const char *path, const char *dir,
                                      mz_ctx *ctx) {
    char *text;
    size_t len;
    int lower = 1;
    mz_status rc = mz_read_file(&text, &len, path, (size_t)256 << 20, ctx);
    if (rc) return rc;
    json_t *vocab = json_object(), *added = json_array();
    rc = vocab && added ? read_vocab_txt(vocab, added, text, len, path, ctx)
                        : mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    mz_free(text);
    if (!rc) rc = config_flag(&lower, dir, "do_lower_case", 1, ctx);
    if (rc) {
        json_decref(vocab);
        json_decref(added);
        return rc;
    }
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
    return load_doc(t, doc, path, NULL, NULL, ctx);
}

/* merges.txt: "left right" a line after an optional "#version" line; each merge's line kept in
 * lines[] (mz_free) so that the tokenizer.json path can report a bad one where it is. */
static mz_status read_merges(json_t *merges, long **lines, const char *path, mz_ctx *ctx) {
    char *text;
    size_t len, at = 0, cap = 0, l, r = 0;
    const char *line;
    mz_status rc = mz_read_file(&text, &len, path, (size_t)256 << 20, ctx);
    *lines = NULL;
    for (long no = 1; !rc && next_line(text, len, &at, &line, &l); no++) {
        if (!l || (no == 1 && !strncmp(line, "#version", 8))) continue;
        if ((rc = check_line(line, l, path, no, ctx))) break;
        if (mz_grow((void **)lines, &cap, r + 1, sizeof **lines) ||
            json_array_append_new(merges, json_stringn(line, l)))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        else
            (*lines)[r++] = no;
    }
    mz_free(text);
    return rc;
}

mz_status mz_tokenizer_from_vocab_merges(mz_tokenizer *t, const char *vocab_path,
                                         const char *merges_path, const char *dir, mz_ctx *ctx) {
    int prefix = 0;
    long *lines = NULL;
    json_t *vocab = NULL, *merges = json_array();
    mz_status rc = merges ? config_flag(&prefix, dir, "add_prefix_space", 0, ctx)
                          : mz_fail(ctx, MZ_ERR_NOMEM, merges_path, "out of memory");
    if (!rc) rc = read_json(&vocab, vocab_path, 1, ctx);
    if (!rc) rc = read_merges(merges, &lines, merges_path, ctx);
    if (rc) {
        json_decref(vocab);
        json_decref(merges);
        mz_free(lines);
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
    rc = load_doc(t, doc, vocab_path, merges_path, lines, ctx);
    mz_free(lines);
    return rc;
}
