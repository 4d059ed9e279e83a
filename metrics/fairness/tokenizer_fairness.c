/* Tokenizer fairness on aligned segments, from the tokenizer's own spans. */
#include "mizani/alloc.h"
#include "mizani/fairness.h"
#include "mizani/file.h"
#include "mizani/stats.h"
#include "mizani/utf8.h"

#include <ctype.h>
#include <math.h>
#include <stddef.h>
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

/* Keeps the word among the worst-split distinct words when it is split into more tokens than
 * the least of them (the first seen wins ties). */
static mz_status keep_worst(mz_fairness *f, const char *word, size_t len, size_t tokens,
                            mz_ctx *ctx) {
    if (tokens < 2 ||
        (f->n_worst == MZ_FAIRNESS_WORST && tokens <= f->worst[f->n_worst - 1].tokens))
        return MZ_OK;
    for (size_t i = 0; i < f->n_worst; i++)
        if (strlen(f->worst[i].word) == len && !memcmp(f->worst[i].word, word, len)) return MZ_OK;
    char *copy = mz_strndup(word, len);
    if (!copy) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (f->n_worst == MZ_FAIRNESS_WORST) mz_free(f->worst[--f->n_worst].word);
    size_t at = f->n_worst++;
    for (; at > 0 && f->worst[at - 1].tokens < tokens; at--)
        f->worst[at] = f->worst[at - 1];
    f->worst[at] = (mz_fairness_word){copy, tokens};
    return MZ_OK;
}

/* The word [a, b) of text without the punctuation around it, and the tokens [k0, k1) that start
 * inside what remains: a candidate for the worst-split list. */
static mz_status worst_candidate(mz_fairness *f, const char *text, size_t a, size_t b,
                                 const mz_encoding *e, size_t k0, size_t k1, mz_ctx *ctx) {
    while (a < b && ispunct((unsigned char)text[a]) && text[a] != '\'')
        a++;
    while (b > a && ispunct((unsigned char)text[b - 1]) && text[b - 1] != '\'')
        b--;
    size_t tokens = 0;
    for (size_t k = k0; k < k1; k++)
        tokens += e->start[k] >= a && e->start[k] < b;
    return b > a ? keep_worst(f, text + a, b - a, tokens, ctx) : MZ_OK;
}

static mz_status count_text(mz_fairness *f, int lang, mz_fairness_counts *c, const mz_tokenizer *t,
                            const char *text, mz_encoding *e, mz_ctx *ctx) {
    mz_fairness_lang *l = &f->lang[lang];
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
        size_t in_word = 0, k0;
        while (k < e->n && e->start[k] < a)
            k++; /* tokens of spaces before the word */
        for (k0 = k; k < e->n && e->start[k] < i; k++)
            in_word++;
        c->words++;
        c->continued_words += in_word > 1;
        if (lang == 1 && (rc = worst_candidate(f, text, a, i, e, k0, k, ctx))) return rc;
    }
    for (size_t j = 0; j < e->n; j++) {
        c->unk_tokens += e->ids[j] == unk && unk >= 0;
        c->byte_fallback_tokens += byte_token(mz_tokenizer_token(t, e->ids[j]));
    }
    c->tokens = e->n;
    l->words += c->words, l->continued_words += c->continued_words, l->tokens += c->tokens;
    l->unk_tokens += c->unk_tokens, l->byte_fallback_tokens += c->byte_fallback_tokens;
    l->bytes += len;
    return MZ_OK;
}

/* A ratio of two sums over a resample of segments: the premium (tokens of one language over
 * the other's) or a rate of one language (fertility: tokens over words, ...). Counts are read
 * by their offsets in mz_fairness_counts. */
typedef struct ratio_data {
    const mz_fairness_counts *num, *den; /* [segments] */
    size_t num_at, den_at, segments;
} ratio_data;

static double field(const mz_fairness_counts *c, size_t at) {
    return (double)*(const size_t *)((const char *)c + at);
}

static double resampled_ratio(const size_t *idx, void *data, void *scratch) {
    (void)scratch;
    const ratio_data *p = data;
    double a = 0, b = 0;
    for (size_t i = 0; i < p->segments; i++) {
        a += field(&p->num[idx[i]], p->num_at);
        b += field(&p->den[idx[i]], p->den_at);
    }
    return b > 0 ? a / b : NAN;
}

static mz_status ratio_ci(double ci[2], const mz_fairness_counts *num, size_t num_at,
                          const mz_fairness_counts *den, size_t den_at, size_t segments,
                          const mz_fairness_options *opt, mz_ctx *ctx) {
    ratio_data d = {num, den, num_at, den_at, segments};
    return mz_stats_bootstrap_ci(&ci[0], &ci[1], resampled_ratio, &d, 0, &segments, 1,
                                 opt->n_bootstrap, opt->ci_level, opt->seed, ctx);
}

#define AT(f) offsetof(mz_fairness_counts, f)

/* Every rate of one language with its interval over segments. */
static mz_status rate_intervals(mz_fairness_lang *l, const mz_fairness_counts *c, size_t n,
                                const mz_fairness_options *opt, mz_ctx *ctx) {
    mz_status rc = ratio_ci(l->fertility_ci, c, AT(tokens), c, AT(words), n, opt, ctx);
    if (!rc) rc = ratio_ci(l->continued_ci, c, AT(continued_words), c, AT(words), n, opt, ctx);
    if (!rc) rc = ratio_ci(l->unk_ci, c, AT(unk_tokens), c, AT(tokens), n, opt, ctx);
    if (!rc)
        rc = ratio_ci(l->byte_fallback_ci, c, AT(byte_fallback_tokens), c, AT(tokens), n, opt, ctx);
    return rc;
}

static void finish(mz_fairness_lang *l) {
    l->fertility_ci[0] = l->fertility_ci[1] = l->continued_ci[0] = l->continued_ci[1] = NAN;
    l->unk_ci[0] = l->unk_ci[1] = l->byte_fallback_ci[0] = l->byte_fallback_ci[1] = NAN;
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
    for (int l = 0; l < 2; l++)
        if (!(out->per_segment[l] = mz_calloc(p->n_segments + 1, sizeof *out->per_segment[l])))
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_encoding e = {0};
    mz_status rc = MZ_OK;
    for (int l = 0; l < 2; l++)
        out->lang[l].language = p->languages[l];
    for (size_t s = 0; s < p->n_segments && !rc; s++)
        for (int l = 0; l < 2 && !rc; l++)
            rc = count_text(out, l, &out->per_segment[l][s], t, p->segments[s].text[l], &e, ctx);
    out->segments = p->n_segments;
    for (int l = 0; l < 2; l++)
        finish(&out->lang[l]);
    if (!rc && out->lang[0].tokens == 0)
        rc = mz_fail(ctx, MZ_ERR_INPUT, p->path, "no tokens in the %s text: premium not computable",
                     p->languages[0]);
    if (!rc) out->premium = (double)out->lang[1].tokens / (double)out->lang[0].tokens;
    if (!rc && opt->n_bootstrap && p->n_segments > 1) {
        double ci[2];
        rc = ratio_ci(ci, out->per_segment[1], AT(tokens), out->per_segment[0], AT(tokens),
                      p->n_segments, opt, ctx);
        out->premium_ci_lo = ci[0], out->premium_ci_hi = ci[1];
        for (int l = 0; l < 2 && !rc; l++)
            rc = rate_intervals(&out->lang[l], out->per_segment[l], p->n_segments, opt, ctx);
        if (!rc) out->ci_level = opt->ci_level;
    }
    if (!rc && opt->dict) rc = dictionary_share(out, t, opt, &e, unknown_id(t), ctx);
    mz_encoding_clear(&e);
    return rc;
}

void mz_fairness_clear(mz_fairness *f) {
    for (int l = 0; l < 2; l++)
        mz_free(f->per_segment[l]);
    for (size_t i = 0; i < f->n_worst; i++)
        mz_free(f->worst[i].word);
    memset(f, 0, sizeof *f);
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
