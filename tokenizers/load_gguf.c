/* The tokenizer stored in a GGUF file's tokenizer.ggml.* keys, rebuilt as the Hugging Face
 * pipeline it came from. */
#include "mizani/alloc.h"
#include "mizani/gguf.h"
#include "tokenizer_internal.h"

#include <stdio.h>
#include <string.h>

#define META "\xE2\x96\x81" /* U+2581 */
#define GPT2_PATTERN \
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"

static mz_status nomem(mz_ctx *ctx, const char *path) {
    return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
}

static mz_status add_tokens(mz_tokenizer *t, const mz_gguf *g, int bert, const char *path,
                            mz_ctx *ctx) {
    mz_gguf_type type;
    size_t n;
    if (!mz_gguf_get_array(g, "tokenizer.ggml.tokens", &type, &n) || type != MZ_GGUF_STRING)
        return mz_fail(ctx, MZ_ERR_INPUT, path, "no tokenizer.ggml.tokens array of strings");
    if (n == 0) return mz_fail(ctx, MZ_ERR_INPUT, path, "tokenizer.ggml.tokens is empty");
    for (size_t i = 0; i < n; i++) {
        mz_gguf_str s;
        int64_t tt = 1;
        char buf[1024];
        mz_gguf_array_string(g, "tokenizer.ggml.tokens", i, &s);
        mz_gguf_array_int(g, "tokenizer.ggml.token_type", i, &tt);
        size_t len = s.len < sizeof buf - 3 ? s.len : sizeof buf - 3;
        /* llama.cpp stores BERT word-initial pieces as "\u2581the" and continuations bare:
         * Hugging Face's "the" and "##ing". Specials ([CLS], [unused0]) are unchanged. */
        if (bert && tt == 1 && len >= 3 && !memcmp(s.data, META, 3)) {
            memcpy(buf, s.data + 3, len - 3);
            len -= 3;
        } else if (bert && tt == 1) {
            memcpy(buf, "##", 2);
            memcpy(buf + 2, s.data, len);
            len += 2;
        } else {
            memcpy(buf, s.data, len);
        }
        if (mz_vocab_add(&t->model.vocab, buf, len)) return nomem(ctx, path);
        /* control (3) and user-defined (4) tokens are matched in the text before the model */
        if ((tt == 3 || tt == 4) && mz_tokenizer_add_added(t, buf, len, i)) return nomem(ctx, path);
        if (tt == 3 && mz_tokenizer_mark_special(t, i)) return nomem(ctx, path);
    }
    return MZ_OK;
}

static mz_status add_merges(mz_subword *m, const mz_gguf *g, const char *path, mz_ctx *ctx) {
    mz_gguf_type type;
    size_t n;
    if (!mz_gguf_get_array(g, "tokenizer.ggml.merges", &type, &n) || type != MZ_GGUF_STRING)
        return mz_fail(ctx, MZ_ERR_INPUT, path, "a BPE tokenizer without tokenizer.ggml.merges");
    if (!(m->merges = mz_strmap_new())) return nomem(ctx, path);
    for (size_t r = 0; r < n; r++) {
        mz_gguf_str s;
        mz_gguf_array_string(g, "tokenizer.ggml.merges", r, &s);
        const char *space = memchr(s.data, ' ', s.len);
        size_t l, rr, merged;
        char buf[1024];
        if (!space || s.len >= sizeof buf)
            return mz_fail(ctx, MZ_ERR_INPUT, path,
                           "merge %zu is not two tokens separated by a space", r);
        size_t a = (size_t)(space - s.data);
        memcpy(buf, s.data, a);
        memcpy(buf + a, space + 1, s.len - a - 1);
        if (!mz_strmap_get(m->vocab.ids, s.data, a, &l) ||
            !mz_strmap_get(m->vocab.ids, space + 1, s.len - a - 1, &rr) ||
            !mz_strmap_get(m->vocab.ids, buf, s.len - 1, &merged))
            return mz_fail(ctx, MZ_ERR_INPUT, path,
                           "merge %zu names a token not in the "
                           "vocabulary",
                           r);
        int32_t key[2] = {(int32_t)l, (int32_t)rr};
        if (mz_strmap_put(m->merges, (const char *)key, sizeof key, (size_t)r << 32 | merged,
                          NULL) < 0)
            return nomem(ctx, path);
    }
    return MZ_OK;
}

/* The decoders of each family, as the Hugging Face tokenizer.json files have them. */
static mz_status set_decoders(mz_tokenizer *t, mz_dec_kind family, const char *path, mz_ctx *ctx) {
    size_t n = family == DEC_METASPACE ? 2 : 1;
    if (!(t->decs = mz_calloc(n, sizeof *t->decs))) return nomem(ctx, path);
    t->n_decs = n;
    if (family == DEC_WORDPIECE) {
        t->decs[0] = (mz_decoder){.kind = DEC_WORDPIECE, .a = mz_strdup("##"), .cleanup = 1};
        if (!t->decs[0].a) return nomem(ctx, path);
    } else if (family == DEC_BYTE_LEVEL) {
        t->decs[0].kind = DEC_BYTE_LEVEL;
    } else { /* SentencePiece: bytes back from <0xXX>, U+2581 to spaces, the first one dropped */
        t->decs[0].kind = DEC_BYTE_FALLBACK;
        t->decs[1] = (mz_decoder){.kind = DEC_METASPACE, .a = mz_strdup(META), .prepend = 1};
        if (!t->decs[1].a) return nomem(ctx, path);
    }
    t->pad_id = mz_tokenizer_id(t, family == DEC_WORDPIECE ? "[PAD]" : "<pad>");
    return MZ_OK;
}

static int32_t id_of(const mz_gguf *g, const char *key, const mz_tokenizer *t, const char *token) {
    uint64_t v;
    if (mz_gguf_get_uint(g, key, &v) && v < t->model.vocab.n) return (int32_t)v;
    return token ? mz_tokenizer_id(t, token) : -1;
}

static mz_status setup_bert(mz_tokenizer *t, const mz_gguf *g, const char *path, mz_ctx *ctx) {
    t->model_name = "WordPiece";
    t->model.kind = MODEL_WORDPIECE;
    t->model.max_chars = 100;
    t->model.prefix = mz_strdup("##");
    t->norms = mz_calloc(1, sizeof *t->norms);
    t->pres = mz_calloc(1, sizeof *t->pres);
    if (!t->model.prefix || !t->norms || !t->pres) return nomem(ctx, path);
    t->norms[0] = (mz_normalizer){
        .kind = NORM_BERT, .clean_text = 1, .chinese_chars = 1, .strip_accents = 1, .lowercase = 1};
    t->n_norms = 1;
    t->pres[0].kind = PRE_BERT;
    t->n_pres = 1;
    t->model.unk_id = id_of(g, "tokenizer.ggml.unknown_token_id", t, "[UNK]");
    mz_post_bert(&t->post, id_of(g, "tokenizer.ggml.cls_token_id", t, "[CLS]"),
                 id_of(g, "tokenizer.ggml.seperator_token_id", t, "[SEP]"));
    return set_decoders(t, DEC_WORDPIECE, path, ctx);
}

/* Byte-level pre-tokenisation by name (tokenizer.ggml.pre): the original tokenizer.json's
 * splits, as isolating regular expressions applied in turn before the byte mapping. */
static const struct {
    const char *name;
    const char *patterns[7];
} byte_level_pres[] = {
    {"gpt-2", {GPT2_PATTERN}},
    {"default", {GPT2_PATTERN}},
    {"falcon",
     {"[\\p{P}\\$\\+<=>\\^~\\|`]+",
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
      "[0-9][0-9][0-9]"}},
    {"deepseek-llm",
     {"[\r\n]",
      "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293"
      "\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c"
      "\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5"
      "\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77"
      "\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59"
      "\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc"
      "\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107"
      "\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139"
      "\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee"
      "\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e"
      "\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\\x{10400}-\\x{1044f}"
      "\\x{104b0}-\\x{104d3}\\x{104d8}-\\x{104fb}\\x{10c80}-\\x{10cb2}\\x{10cc0}-\\x{10cf2}"
      "\\x{118a0}-\\x{118df}\\x{1e900}-\\x{1e943}]+",
      "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+", "\\s+$",
      "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+", "\\p{N}+"}},
};

static mz_status setup_gpt2(mz_tokenizer *t, const mz_gguf *g, const char *path, mz_ctx *ctx) {
    mz_gguf_str pre = {"default", 7};
    mz_gguf_get_string(g, "tokenizer.ggml.pre", &pre);
    size_t k = 0, n_kinds = sizeof byte_level_pres / sizeof *byte_level_pres;
    while (k < n_kinds && !(strlen(byte_level_pres[k].name) == pre.len &&
                            !memcmp(byte_level_pres[k].name, pre.data, pre.len)))
        k++;
    if (k == n_kinds)
        return mz_fail(ctx, MZ_ERR_UNSUPPORTED, path,
                       "byte-level BPE with pre-tokenizer '%.*s' is "
                       "not supported yet (supported: gpt-2, falcon, deepseek-llm)",
                       (int)pre.len, pre.data);
    t->model_name = "BPE";
    t->model.kind = MODEL_BPE;
    size_t n = 0;
    while (n < 7 && byte_level_pres[k].patterns[n])
        n++;
    if (!(t->pres = mz_calloc(n + 1, sizeof *t->pres))) return nomem(ctx, path);
    for (size_t i = 0; i < n; i++) {
        char why[128];
        t->pres[i] = (mz_pretokenizer){.kind = PRE_SPLIT_REGEX, .behavior = 1};
        t->n_pres = i + 1;
        int rc =
            mz_regex_compile(&t->pres[i].regex, byte_level_pres[k].patterns[i], why, sizeof why);
        if (rc == MZ_TOK_NOMEM) return nomem(ctx, path);
        if (rc)
            return mz_fail(ctx, MZ_ERR_INTERNAL, path, "pattern %zu of '%s' rejected by ICU: %s", i,
                           byte_level_pres[k].name, why);
    }
    t->pres[n] = (mz_pretokenizer){.kind = PRE_BYTE_LEVEL};
    t->n_pres = n + 1;
    t->post.trim_byte_level = 1;
    mz_status rc = add_merges(&t->model, g, path, ctx);
    return rc ? rc : set_decoders(t, DEC_BYTE_LEVEL, path, ctx);
}

/* SentencePiece BPE (Llama): "\u2581" before the text and for every space, pieces merged by
 * score, unknown characters as <0xXX> bytes. */
static mz_status setup_llama(mz_tokenizer *t, const mz_gguf *g, const char *path, mz_ctx *ctx) {
    mz_gguf_type type;
    size_t n;
    t->model_name = "BPE";
    t->model.kind = MODEL_BPE;
    t->model.byte_fallback = 1;
    t->model.fuse_unk = 1;
    t->model.unk_id = id_of(g, "tokenizer.ggml.unknown_token_id", t, "<unk>");
    if (!mz_gguf_get_array(g, "tokenizer.ggml.scores", &type, &n) || n != t->model.vocab.n)
        return mz_fail(ctx, MZ_ERR_INPUT, path,
                       "tokenizer.ggml.scores missing or not one per token");
    if (!(t->model.scores = mz_malloc(n * sizeof *t->model.scores))) return nomem(ctx, path);
    for (size_t i = 0; i < n; i++)
        mz_gguf_array_float(g, "tokenizer.ggml.scores", i, &t->model.scores[i]);
    if (mz_subword_rank_scores(&t->model)) return nomem(ctx, path);
    t->norms = mz_calloc(2, sizeof *t->norms);
    if (!t->norms) return nomem(ctx, path);
    t->norms[0] = (mz_normalizer){.kind = NORM_PREPEND, .content = mz_strdup(META)};
    t->norms[1] = (mz_normalizer){
        .kind = NORM_REPLACE, .pattern = mz_strdup(" "), .content = mz_strdup(META)};
    t->n_norms = 2;
    if (!t->norms[0].content || !t->norms[1].pattern || !t->norms[1].content)
        return nomem(ctx, path);
    return set_decoders(t, DEC_METASPACE, path, ctx);
}

mz_status mz_tokenizer_from_gguf(mz_tokenizer *t, const char *path, mz_ctx *ctx) {
    mz_gguf *g;
    mz_status rc = mz_gguf_open(&g, path, ctx);
    if (rc) return rc;
    mz_gguf_str model = {"", 0};
    mz_gguf_get_string(g, "tokenizer.ggml.model", &model);
    int bert = model.len == 4 && !memcmp(model.data, "bert", 4);
    int gpt2 = model.len == 4 && !memcmp(model.data, "gpt2", 4);
    int llama = model.len == 5 && !memcmp(model.data, "llama", 5);
    if (!bert && !gpt2 && !llama)
        rc = mz_fail(ctx, MZ_ERR_UNSUPPORTED, path,
                     "tokenizer.ggml.model '%.*s' is not supported "
                     "(supported: bert, gpt2, llama)",
                     (int)model.len, model.data);
    if (!rc) rc = add_tokens(t, g, bert, path, ctx);
    if (!rc)
        rc = bert   ? setup_bert(t, g, path, ctx)
             : gpt2 ? setup_gpt2(t, g, path, ctx)
                    : setup_llama(t, g, path, ctx);
    mz_gguf_free(g);
    return rc;
}
