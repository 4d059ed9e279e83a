/* The tokenizer pipeline: added tokens are matched in the raw text first; the rest is
 * normalised, pre-tokenised and run through the model; the post-processor adds specials. */
#define _GNU_SOURCE /* qsort_r */
#include "mizani/alloc.h"
#include "mizani/utf8.h"
#include "tokenizer_internal.h"
#include "unicode_props.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int mz_vocab_add(mz_vocab *v, const char *token, size_t len) {
    if (mz_grow((void **)&v->tokens, &v->cap, v->n + 1, sizeof *v->tokens)) return -1;
    if (!v->ids && !(v->ids = mz_strmap_new())) return -1;
    if (!(v->tokens[v->n] = mz_strndup(token, len))) return -1;
    if (mz_strmap_put(v->ids, token, len, v->n, NULL) < 0) {
        mz_free(v->tokens[v->n]); /* not counted yet, so nothing else would free it */
        return -1;
    }
    v->n++;
    return 0;
}

static int compare_scores(const void *a, const void *b, void *scores) {
    double x = ((double *)scores)[*(const uint32_t *)a],
           y = ((double *)scores)[*(const uint32_t *)b];
    return x > y   ? -1
           : x < y ? 1
                   : (*(const uint32_t *)a > *(const uint32_t *)b) -
                         (*(const uint32_t *)a < *(const uint32_t *)b);
}

int mz_subword_rank_scores(mz_subword *m) {
    uint32_t *order = mz_malloc(m->vocab.n * sizeof *order);
    m->score_rank = mz_malloc(m->vocab.n * sizeof *m->score_rank);
    if (!order || !m->score_rank) {
        mz_free(order);
        return -1;
    }
    for (size_t i = 0; i < m->vocab.n; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, m->vocab.n, sizeof *order, compare_scores, m->scores);
    for (size_t r = 0; r < m->vocab.n; r++)
        m->score_rank[order[r]] = (uint32_t)r;
    mz_free(order);
    return 0;
}

int mz_subword_encode_word(mz_encoding *out, const mz_subword *m, const mz_nstr *w, int32_t widx) {
    switch (m->kind) {
    case MODEL_WORDPIECE: return mz_wordpiece_encode(out, m, w, widx);
    case MODEL_BPE: return mz_bpe_encode(out, m, w, widx);
    case MODEL_UNIGRAM: return mz_unigram_encode(out, m, w, widx);
    case MODEL_WORDLEVEL: {
        size_t id;
        if (!w->len) return 0;
        int32_t tid = mz_strmap_get(m->vocab.ids, w->s, w->len, &id) ? (int32_t)id : m->unk_id;
        if (tid < 0) return MZ_TOK_NO_TOKEN; /* as Hugging Face: an error, never a made-up id */
        return mz_encoding_push(out, tid, w->o0[0], w->o1[w->len - 1], widx, 0);
    }
    }
    return -1;
}

void mz_subword_clear(mz_subword *m) {
    for (size_t i = 0; i < m->vocab.n; i++)
        mz_free(m->vocab.tokens[i]);
    mz_free(m->vocab.tokens);
    mz_strmap_free(m->vocab.ids);
    mz_strmap_free(m->merges);
    mz_free(m->prefix);
    mz_free(m->suffix);
    mz_free(m->scores);
    mz_free(m->score_rank);
    mz_free(m->unusable);
    memset(m, 0, sizeof *m);
}

void mz_tokenizer_free(mz_tokenizer *t) {
    if (!t) return;
    for (size_t i = 0; i < t->n_norms; i++)
        mz_normalizer_clear(&t->norms[i]);
    for (size_t i = 0; i < t->n_pres; i++)
        mz_pretokenizer_clear(&t->pres[i]);
    mz_free(t->norms);
    mz_free(t->pres);
    mz_subword_clear(&t->model);
    for (size_t i = 0; i < t->n_decs; i++) {
        mz_free(t->decs[i].a);
        mz_free(t->decs[i].b);
    }
    mz_free(t->decs);
    mz_free(t->is_special);
    mz_strmap_free(t->added);
    mz_free(t->path);
    mz_free(t);
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static mz_tokenizer *new_tokenizer(const char *path) {
    mz_tokenizer *t = mz_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->model.unk_id = -1;
    t->pad_id = -1;
    if (!(t->path = mz_strdup(path ? path : ""))) {
        mz_free(t);
        return NULL;
    }
    return t;
}

/* Names the file a folder's tokenizer came from. 0, or -1 on no memory. */
static int set_path(mz_tokenizer *t, const char *path) {
    char *p = mz_strdup(path);
    if (!p) return -1;
    mz_free(t->path);
    t->path = p;
    return 0;
}

static void set_template(mz_template_item *items, size_t *n, const mz_template_item *from,
                         size_t k) {
    memcpy(items, from, k * sizeof *items);
    *n = k;
}

void mz_post_bert(mz_post *p, int32_t cls, int32_t sep) {
    if (cls < 0 || sep < 0) return;
    const mz_template_item single[] = {{cls, 0, 0}, {-1, 0, 0}, {sep, 0, 0}};
    const mz_template_item pair[] = {{cls, 0, 0}, {-1, 0, 0}, {sep, 0, 0}, {-1, 1, 1}, {sep, 0, 1}};
    set_template(p->single, &p->n_single, single, 3);
    set_template(p->pair, &p->n_pair, pair, 5);
}

void mz_post_roberta(mz_post *p, int32_t cls, int32_t sep) {
    if (cls < 0 || sep < 0) return;
    const mz_template_item single[] = {{cls, 0, 0}, {-1, 0, 0}, {sep, 0, 0}};
    const mz_template_item pair[] = {{cls, 0, 0}, {-1, 0, 0}, {sep, 0, 0},
                                     {sep, 0, 0}, {-1, 1, 0}, {sep, 0, 0}};
    set_template(p->single, &p->n_single, single, 3);
    set_template(p->pair, &p->n_pair, pair, 6);
}

static int exists(const char *dir, const char *name, char *out, size_t cap) {
    struct stat st;
    snprintf(out, cap, "%s/%s", dir, name);
    return stat(out, &st) == 0;
}

/* A model folder: tokenizer.json, else the files older folders carry. */
static mz_status load_folder(mz_tokenizer *t, const char *dir, mz_ctx *ctx) {
    char a[4096], b[4096];
    static const char *const spm_names[] = {"sentencepiece.bpe.model", "spiece.model",
                                            "tokenizer.model"};
    int json = exists(dir, "tokenizer.json", a, sizeof a);
    int vocab_txt = !json && exists(dir, "vocab.txt", a, sizeof a);
    int merges = !json && !vocab_txt && exists(dir, "vocab.json", a, sizeof a) &&
                 exists(dir, "merges.txt", b, sizeof b);
    int spm = 0;
    for (size_t i = 0;
         !json && !vocab_txt && !merges && !spm && i < sizeof spm_names / sizeof *spm_names; i++)
        spm = exists(dir, spm_names[i], a, sizeof a);
    if (!json && !vocab_txt && !merges && !spm)
        return mz_fail(ctx, MZ_ERR_INPUT, dir,
                       "no tokenizer.json, vocab.txt, vocab.json + merges.txt or SentencePiece "
                       "model in this folder");
    if (set_path(t, a)) return mz_fail(ctx, MZ_ERR_NOMEM, dir, "out of memory");
    return json        ? mz_tokenizer_from_json(t, a, ctx)
           : vocab_txt ? mz_tokenizer_from_vocab_txt(t, a, dir, ctx)
           : merges    ? mz_tokenizer_from_vocab_merges(t, a, b, dir, ctx)
                       : mz_tokenizer_from_spm(t, a, ctx);
}

/* What every loader must hand over, whatever the format: ids that exist. An unknown, padding
 * or post-processor token outside the vocabulary would put ids into encodings that no
 * vocabulary entry (and no model row) answers to. */
static mz_status check_ids(const mz_tokenizer *t, mz_ctx *ctx) {
    int32_t n = (int32_t)t->model.vocab.n;
    if (n == 0) return mz_fail(ctx, MZ_ERR_INPUT, t->path, "the vocabulary is empty");
    for (int32_t i = 0; i < n; i++) /* a token no text can spell, and no JSON can carry */
        if (mz_utf8_invalid_at(t->model.vocab.tokens[i], strlen(t->model.vocab.tokens[i])))
            return mz_fail(ctx, MZ_ERR_INPUT, t->path, "token %d is not valid UTF-8", i);
    if (t->model.unk_id >= n || t->pad_id >= n)
        return mz_fail(ctx, MZ_ERR_INPUT, t->path,
                       "the %s token's id %d is outside the vocabulary of %d tokens",
                       t->model.unk_id >= n ? "unknown" : "padding",
                       t->model.unk_id >= n ? t->model.unk_id : t->pad_id, n);
    const mz_template_item *lists[2] = {t->post.single, t->post.pair};
    size_t counts[2] = {t->post.n_single, t->post.n_pair};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < counts[l]; i++)
            if (lists[l][i].id >= n)
                return mz_fail(ctx, MZ_ERR_INPUT, t->path,
                               "the post-processor adds the special token id %d, outside the "
                               "vocabulary of %d tokens",
                               lists[l][i].id, n);
    return MZ_OK;
}

/* Hands a filled and checked tokenizer to the caller, or frees it when filling failed. */
static mz_status hand_out(mz_tokenizer **out, mz_tokenizer *t, mz_status rc, mz_ctx *ctx) {
    if (!rc) rc = check_ids(t, ctx);
    if (rc)
        mz_tokenizer_free(t);
    else
        *out = t;
    return rc;
}

mz_status mz_tokenizer_parse_json(mz_tokenizer **out, const char *json, size_t len,
                                  const char *name, mz_ctx *ctx) {
    *out = NULL;
    mz_tokenizer *t = new_tokenizer(name);
    if (!t) return mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    return hand_out(out, t, mz_tokenizer_from_json_text(t, json, len, name, ctx), ctx);
}

mz_status mz_tokenizer_parse_spm(mz_tokenizer **out, const void *model, size_t len,
                                 const char *name, mz_ctx *ctx) {
    *out = NULL;
    mz_tokenizer *t = new_tokenizer(name);
    if (!t) return mz_fail(ctx, MZ_ERR_NOMEM, name, "out of memory");
    return hand_out(out, t, mz_tokenizer_from_spm_data(t, model, len, name, ctx), ctx);
}

mz_status mz_tokenizer_load(mz_tokenizer **out, const char *path, mz_ctx *ctx) {
    *out = NULL;
    mz_tokenizer *t = new_tokenizer(path);
    if (!t) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    struct stat st;
    mz_status rc;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        rc = load_folder(t, path, ctx);
    } else if (ends_with(path, ".gguf")) {
        rc = mz_tokenizer_from_gguf(t, path, ctx);
    } else if (ends_with(path, ".model")) {
        rc = mz_tokenizer_from_spm(t, path, ctx);
    } else {
        rc = mz_tokenizer_from_json(t, path, ctx);
    }
    return hand_out(out, t, rc, ctx);
}

int mz_tokenizer_mark_special(mz_tokenizer *t, size_t id) {
    if (id >= t->is_special_cap) {
        size_t cap = id + 1 > 2 * t->is_special_cap ? id + 1 : 2 * t->is_special_cap;
        uint8_t *f = mz_realloc(t->is_special, cap);
        if (!f) return -1;
        memset(f + t->is_special_cap, 0, cap - t->is_special_cap);
        t->is_special = f;
        t->is_special_cap = cap;
    }
    t->is_special[id] = 1;
    return 0;
}

int mz_tokenizer_add_added(mz_tokenizer *t, const char *token, size_t len, size_t id) {
    if (!len) return 0;
    if (!t->added && !(t->added = mz_strmap_new())) return -1;
    if (mz_strmap_put(t->added, token, len, id, NULL) < 0) return -1;
    t->added_first[(unsigned char)token[0]] = 1;
    if (len > t->added_max) t->added_max = len;
    return 0;
}

/* The longest added token starting at text[i], or -1. Most bytes start none. */
static int32_t added_at(const mz_tokenizer *t, const char *text, size_t len, size_t i, size_t *n) {
    if (!t->added || !t->added_first[(unsigned char)text[i]]) return -1;
    for (size_t l = len - i < t->added_max ? len - i : t->added_max; l > 0; l--) {
        size_t id;
        if (mz_strmap_get(t->added, text + i, l, &id)) {
            *n = l;
            return (int32_t)id;
        }
    }
    return -1;
}

/* Scratch space of one encode call, and where it failed. */
typedef struct encoder {
    mz_nstr ns, scratch;
    mz_words words;
    const struct URegularExpression *failed; /* MZ_TOK_REGEX: the pattern */
    uint32_t at;                             /* MZ_TOK_NO_TOKEN: the word's first byte */
} encoder;

/* One stretch of ordinary text [a, b): normalise, pre-tokenise, encode each word. 0 or an
 * MZ_TOK_ failure. */
static int encode_segment(mz_encoding *out, const mz_tokenizer *t, const char *text, size_t a,
                          size_t b, int32_t *word, encoder *enc) {
    mz_nstr *ns = &enc->ns;
    mz_nstr_reset(ns);
    /* every byte starts with its character's span: a token that ends up with part of a
     * character (byte-level BPE, byte fallback) reports the whole character, as HF does */
    for (size_t i = a; i < b;) {
        int32_t c;
        int n = mz_uc_next(text + i, b - i, &c);
        if (mz_nstr_push(ns, text + i, (size_t)n, (uint32_t)i, (uint32_t)(i + (size_t)n)))
            return -1;
        i += (size_t)n;
    }
    int rc = mz_normalize(ns, &enc->scratch, t->norms, t->n_norms, &enc->failed);
    if (!rc) rc = mz_pretokenize(&enc->words, ns, t->pres, t->n_pres, &enc->failed);
    for (size_t k = 0; !rc && k < enc->words.n; k++)
        if ((rc = mz_subword_encode_word(out, &t->model, &enc->words.items[k], (*word)++)) ==
            MZ_TOK_NO_TOKEN)
            enc->at = enc->words.items[k].o0[0];
    return rc;
}

/* Spaces (U+0120 in the byte-level alphabet) at one end of a token string. */
static uint32_t count_spaces(const char *tok, int from_end) {
    uint32_t n = 0;
    size_t len = strlen(tok);
    if (!from_end)
        for (size_t i = 0; i + 1 < len && !memcmp(tok + i, "\xC4\xA0", 2); i += 2)
            n++;
    else
        for (size_t i = len; i >= 2 && !memcmp(tok + i - 2, "\xC4\xA0", 2); i -= 2)
            n++;
    return n;
}

/* trim_offsets: a byte-level token's span leaves out the spaces it carries, except the one
 * space the pre-tokenizer itself put before the first word. */
static void trim_spans(mz_encoding *e, const mz_tokenizer *t) {
    for (size_t i = 0; i < e->n; i++) {
        const char *tok = mz_tokenizer_token(t, e->ids[i]);
        if (!tok) continue;
        uint32_t lead = count_spaces(tok, 0), trail = count_spaces(tok, 1);
        if (lead && (i == 0 || e->start[i] == 0) && t->post.add_prefix_space && lead == 1) lead = 0;
        if (lead) e->start[i] = e->start[i] + lead < e->end[i] ? e->start[i] + lead : e->end[i];
        if (trail && e->end[i] >= trail)
            e->end[i] = e->end[i] - trail > e->start[i] ? e->end[i] - trail : e->start[i];
    }
}

/* Copies token k of `from` to the end of `to` with the given type id. */
static int copy_token(mz_encoding *to, const mz_encoding *from, size_t k, uint8_t type) {
    if (mz_encoding_push(to, from->ids[k], from->start[k], from->end[k], from->word_ids[k],
                         from->special[k]))
        return -1;
    to->type_ids[to->n - 1] = type;
    return 0;
}

/* Builds `out` from the sequences by a post-processing template. */
static int apply_template(mz_encoding *out, const mz_encoding *seqs[2],
                          const mz_template_item *items, size_t n) {
    out->n = 0;
    for (size_t i = 0; i < n; i++) {
        const mz_template_item *it = &items[i];
        if (it->id >= 0) {
            if (mz_encoding_push(out, it->id, 0, 0, -1, 1)) return -1;
            out->type_ids[out->n - 1] = it->type_id;
            continue;
        }
        for (size_t k = 0; seqs[it->seq] && k < seqs[it->seq]->n; k++)
            if (copy_token(out, seqs[it->seq], k, it->type_id)) return -1;
    }
    return 0;
}

static mz_status check_utf8(const char *text, size_t len, mz_ctx *ctx) {
    for (size_t i = 0; i < len;) {
        int32_t c;
        int n = mz_uc_next(text + i, len - i, &c);
        if (n < 0)
            return mz_fail_offset(ctx, MZ_ERR_INPUT, NULL, (long long)i,
                                  "invalid UTF-8 in the "
                                  "text to tokenize");
        i += (size_t)n;
    }
    return MZ_OK;
}

/* Why a text could not be encoded, for a person: the tokenizer's file and what in it failed. */
static mz_status encode_failure(const mz_tokenizer *t, int err, const encoder *enc, mz_ctx *ctx) {
    char pattern[256];
    if (err == MZ_TOK_NO_TOKEN)
        return mz_fail_offset(ctx, MZ_ERR_INPUT, t->path, (long long)enc->at,
                              "the word at this byte of the text is not in the %s vocabulary, "
                              "and the tokenizer has no unknown token",
                              t->model_name);
    if (err != MZ_TOK_REGEX)
        return mz_fail(ctx, MZ_ERR_NOMEM, t->path, "out of memory while tokenizing");
    mz_regex_pattern(enc->failed, pattern, sizeof pattern);
    return mz_fail(ctx, MZ_ERR_INPUT, t->path,
                   "the regular expression '%s' ran past its step limit on this text "
                   "(catastrophic backtracking?): the tokenizer cannot encode it",
                   pattern);
}

/* One text through the pipeline, without post-processing. */
static mz_status encode_text(mz_encoding *out, const mz_tokenizer *t, const char *text, size_t len,
                             mz_ctx *ctx) {
    out->n = 0;
    mz_status rc = check_utf8(text, len, ctx);
    if (rc) return rc;
    encoder enc = {0};
    int32_t word = 0;
    int err = 0;
    size_t seg = 0;
    for (size_t i = 0; i <= len && !err;) {
        size_t n = 0;
        int32_t id = i < len ? added_at(t, text, len, i, &n) : -1;
        if (id < 0 && i < len) {
            i++;
            continue;
        }
        err = encode_segment(out, t, text, seg, i, &word, &enc);
        /* an added token written in the text is not marked special: only post-processor
         * tokens are, as in Hugging Face's special-tokens mask */
        if (!err && id >= 0)
            err = mz_encoding_push(out, id, (uint32_t)i, (uint32_t)(i + n), word++, 0);
        i += id >= 0 ? n : 1;
        seg = i;
    }
    if (!err && t->post.trim_byte_level) trim_spans(out, t);
    mz_nstr_free(&enc.ns);
    mz_nstr_free(&enc.scratch);
    mz_words_free(&enc.words);
    return err ? encode_failure(t, err, &enc, ctx) : MZ_OK;
}

static mz_status templated(mz_encoding *out, const mz_encoding *seqs[2],
                           const mz_template_item *items, size_t n, mz_ctx *ctx) {
    mz_encoding tmp = {0};
    if (apply_template(&tmp, seqs, items, n)) {
        mz_encoding_clear(&tmp);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory while tokenizing");
    }
    mz_encoding_clear(out);
    *out = tmp;
    return MZ_OK;
}

mz_status mz_tokenizer_encode(mz_encoding *out, const mz_tokenizer *t, const char *text, size_t len,
                              int add_special, mz_ctx *ctx) {
    mz_status rc = encode_text(out, t, text, len, ctx);
    if (rc || !add_special || !t->post.n_single) return rc;
    const mz_encoding *seqs[2] = {out, NULL};
    return templated(out, seqs, t->post.single, t->post.n_single, ctx);
}

mz_status mz_tokenizer_encode_pair(mz_encoding *out, const mz_tokenizer *t, const char *a,
                                   size_t a_len, const char *b, size_t b_len, int add_special,
                                   mz_ctx *ctx) {
    mz_encoding second = {0};
    mz_status rc = encode_text(out, t, a, a_len, ctx);
    if (!rc) rc = encode_text(&second, t, b, b_len, ctx);
    const mz_encoding *seqs[2] = {out, &second};
    const mz_template_item plain[] = {{-1, 0, 0}, {-1, 1, 1}};
    if (!rc)
        rc = add_special && t->post.n_pair ? templated(out, seqs, t->post.pair, t->post.n_pair, ctx)
                                           : templated(out, seqs, plain, 2, ctx);
    mz_encoding_clear(&second);
    return rc;
}

/* Cuts an encoding to max tokens keeping its trailing specials (the end of the text goes). */
static void truncate_to(mz_encoding *e, size_t max) {
    if (e->n <= max) return;
    size_t tail = 0;
    while (tail < e->n && e->special[e->n - 1 - tail])
        tail++;
    if (tail > max) tail = max;
    size_t keep = max - tail;
    for (size_t k = 0; k < tail; k++) {
        size_t from = e->n - tail + k, to = keep + k;
        e->ids[to] = e->ids[from];
        e->start[to] = e->start[from];
        e->end[to] = e->end[from];
        e->word_ids[to] = e->word_ids[from];
        e->special[to] = e->special[from];
        e->type_ids[to] = e->type_ids[from];
        e->attention[to] = e->attention[from];
    }
    e->n = max;
}

mz_status mz_tokenizer_encode_batch(mz_encoding *outs, const mz_tokenizer *t,
                                    const char *const *texts, const size_t *lens, size_t n,
                                    const mz_batch_options *opt, mz_ctx *ctx) {
    size_t longest = 0;
    for (size_t i = 0; i < n; i++) {
        mz_status rc = mz_tokenizer_encode(&outs[i], t, texts[i], lens[i], opt->add_special, ctx);
        if (rc) return rc;
        if (opt->max_length) truncate_to(&outs[i], opt->max_length);
        if (outs[i].n > longest) longest = outs[i].n;
    }
    if (!opt->pad) return MZ_OK;
    size_t target = opt->pad_to_max && opt->max_length ? opt->max_length : longest;
    int32_t pad = opt->pad_id >= 0 ? opt->pad_id : t->pad_id;
    if (pad < 0)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "padding needs a pad token, and this tokenizer has none");
    for (size_t i = 0; i < n; i++)
        while (outs[i].n < target) {
            if (mz_encoding_push(&outs[i], pad, 0, 0, -1, 1))
                return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory while padding");
            outs[i].attention[outs[i].n - 1] = 0;
        }
    return MZ_OK;
}

int32_t mz_tokenizer_pad_id(const mz_tokenizer *t) { return t->pad_id; }

size_t mz_tokenizer_vocab_size(const mz_tokenizer *t) { return t->model.vocab.n; }

const char *mz_tokenizer_token(const mz_tokenizer *t, int32_t id) {
    return id >= 0 && (size_t)id < t->model.vocab.n ? t->model.vocab.tokens[id] : NULL;
}

int32_t mz_tokenizer_id(const mz_tokenizer *t, const char *token) {
    size_t id;
    return t->model.vocab.ids && mz_strmap_get(t->model.vocab.ids, token, strlen(token), &id)
               ? (int32_t)id
               : -1;
}

const char *mz_tokenizer_model_name(const mz_tokenizer *t) { return t->model_name; }

const char *mz_tokenizer_path(const mz_tokenizer *t) { return t->path; }
