/* Tokenizer fairness on aligned segments, from the tokenizer's own spans. */
#include "mizani/alloc.h"
#include "mizani/fairness.h"
#include "mizani/file.h"
#include "mizani/stats.h"
#include "mizani/utf8.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int byte_token(const char *tok) {
    return tok && strlen(tok) == 6 && !strncmp(tok, "<0x", 3) && tok[5] == '>';
}

/* Counts one text: words, tokens per word (a token belongs to the word its span starts in). */
/* The unknown token's id, by the names vocabularies give it, or -1. */
static int32_t unknown_id(const mz_tokenizer *t) {
    int32_t id = mz_tokenizer_id(t, "[UNK]");
    return id >= 0 ? id : mz_tokenizer_id(t, "<unk>");
}

static mz_status count_text(mz_fairness_lang *l, const mz_tokenizer *t, const char *text,
                            mz_encoding *e, size_t *tokens_out, mz_ctx *ctx) {
    size_t len = strlen(text);
    mz_status rc = mz_tokenizer_encode(e, t, text, len, 0, ctx);
    if (rc) return rc;
    int32_t unk = unknown_id(t);
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && is_space(text[i]))
            i++;
        if (i == len) break;
        size_t a = i;
        while (i < len && !is_space(text[i]))
            i++;
        size_t in_word = 0;
        while (k < e->n && e->start[k] < a)
            k++; /* tokens of spaces before the word */
        while (k < e->n && e->start[k] < i)
            k++, in_word++;
        l->words++;
        l->continued_words += in_word > 1;
    }
    for (size_t j = 0; j < e->n; j++) {
        l->unk_tokens += e->ids[j] == unk && unk >= 0;
        l->byte_fallback_tokens += byte_token(mz_tokenizer_token(t, e->ids[j]));
    }
    l->tokens += e->n;
    l->bytes += len;
    *tokens_out = e->n;
    return MZ_OK;
}

typedef struct premium_data {
    const size_t *tokens[2]; /* [segments] per language */
    size_t segments;
} premium_data;

/* The premium of a resample of segments: total tokens in one language over the other. */
static double resampled_premium(const size_t *idx, void *data, void *scratch) {
    (void)scratch;
    const premium_data *p = data;
    double a = 0, b = 0;
    for (size_t i = 0; i < p->segments; i++) {
        a += (double)p->tokens[0][idx[i]];
        b += (double)p->tokens[1][idx[i]];
    }
    return a > 0 ? b / a : NAN;
}

static void finish(mz_fairness_lang *l) {
    l->fertility = l->words ? (double)l->tokens / (double)l->words : 0;
    l->continued_share = l->words ? (double)l->continued_words / (double)l->words : 0;
    l->unk_rate = l->tokens ? (double)l->unk_tokens / (double)l->tokens : 0;
    l->byte_fallback_rate = l->tokens ? (double)l->byte_fallback_tokens / (double)l->tokens : 0;
}

/* Dictionary words kept whole: one token, not the unknown one, for the word alone or after a
 * space (a byte-level vocabulary stores word starts with their space; SentencePiece adds its
 * own U+2581 to a text's start). */
static mz_status dictionary_share(mz_fairness *out, const mz_tokenizer *t,
                                  const mz_fairness_options *opt, mz_encoding *e, int32_t unk,
                                  mz_ctx *ctx) {
    char buf[256];
    for (size_t i = 0; i < opt->n_dict; i++) {
        int n = snprintf(buf, sizeof buf, " %s", opt->dict[i]), whole = 0, ok = 1;
        if (n <= 1 || (size_t)n >= sizeof buf) continue;
        for (int skip = 0; skip < 2 && ok && !whole; skip++) {
            mz_status rc = mz_tokenizer_encode(e, t, buf + skip, (size_t)n - (size_t)skip, 0, ctx);
            if (rc == MZ_ERR_INPUT) { /* a list word that is not UTF-8 is skipped */
                mz_ctx_clear(ctx);
                ok = 0;
            } else if (rc) {
                return rc;
            }
            whole = ok && e->n == 1 && e->ids[0] != unk;
        }
        out->dict_words += ok;
        out->dict_whole += whole;
    }
    out->dict_whole_share = out->dict_words ? (double)out->dict_whole / (double)out->dict_words : 0;
    return MZ_OK;
}

mz_status mz_tokenizer_fairness(mz_fairness *out, const mz_tokenizer *t, const mz_probe_set *p,
                                const mz_fairness_options *opt, mz_ctx *ctx) {
    memset(out, 0, sizeof *out);
    if (p->kind != MZ_PROBE_PARALLEL)
        return mz_fail(ctx, MZ_ERR_INPUT, p->path, "tokenizer fairness needs a parallel probe set");
    size_t *tokens = mz_calloc(2 * p->n_segments + 1, sizeof *tokens);
    if (!tokens) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    for (int l = 0; l < 2; l++)
        out->lang[l].language = p->languages[l];
    for (size_t s = 0; s < p->n_segments && !rc; s++)
        for (int l = 0; l < 2 && !rc; l++)
            rc = count_text(&out->lang[l], t, p->segments[s].text[l], &e,
                            &tokens[l * p->n_segments + s], ctx);
    out->segments = p->n_segments;
    for (int l = 0; l < 2; l++)
        finish(&out->lang[l]);
    if (!rc && out->lang[0].tokens == 0)
        rc = mz_fail(ctx, MZ_ERR_INPUT, p->path, "no tokens in the %s text: premium not computable",
                     p->languages[0]);
    if (!rc) out->premium = (double)out->lang[1].tokens / (double)out->lang[0].tokens;
    if (!rc && opt->n_bootstrap && p->n_segments > 1) {
        premium_data d = {{tokens, tokens + p->n_segments}, p->n_segments};
        rc = mz_stats_bootstrap_ci(&out->premium_ci_lo, &out->premium_ci_hi, resampled_premium, &d,
                                   0, &p->n_segments, 1, opt->n_bootstrap, opt->ci_level, opt->seed,
                                   ctx);
        if (!rc) out->ci_level = opt->ci_level;
    }
    if (!rc && opt->dict) rc = dictionary_share(out, t, opt, &e, unknown_id(t), ctx);
    mz_encoding_clear(&e);
    mz_free(tokens);
    return rc;
}

mz_status mz_word_list_read(char ***words, size_t *n, const char *dic_path, mz_ctx *ctx) {
    *words = NULL;
    *n = 0;
    char *text = NULL;
    size_t len = 0, cap = 0;
    mz_status rc = mz_read_file(&text, &len, dic_path, (size_t)64 << 20, ctx);
    long line_no = 0;
    for (char *line = rc ? NULL : text, *nl; line && line < text + len && !rc; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(text + len - line));
        if (!nl) nl = text + len;
        line_no++;
        size_t l = strcspn(line, "/\r\n"), bad;
        if (l > (size_t)(nl - line)) l = (size_t)(nl - line);
        /* a word the tokenizer would refuse must not pass unnoticed */
        if ((bad = mz_utf8_invalid_at(line, (size_t)(nl - line))))
            rc = mz_fail_line(ctx, MZ_ERR_INPUT, dic_path, line_no, (long)bad,
                              "not valid UTF-8 (a word list must be UTF-8)");
        else if (line == text && l && line[0] >= '0' && line[0] <= '9')
            continue; /* the count line */
        else if (l && (mz_grow((void **)words, &cap, *n + 1, sizeof **words) ||
                       !((*words)[*n] = mz_strndup(line, l))))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, dic_path, "out of memory");
        else if (l)
            ++*n;
    }
    mz_free(text);
    if (rc) {
        mz_word_list_free(*words, *n);
        *words = NULL;
        *n = 0;
    }
    return rc;
}

void mz_word_list_free(char **words, size_t n) {
    for (size_t i = 0; i < n; i++)
        mz_free(words[i]);
    mz_free(words);
}
