/* tokenizer.json (Hugging Face tokenizers' serialisation) into the pipeline. Every component
 * is checked; one Mizani does not implement is MZ_ERR_UNSUPPORTED naming it and its path. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/json_path.h"
#include "tokenizer_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uregex.h>

typedef struct loader {
    const char *path;
    mz_ctx *ctx;
} loader;

static mz_status bad(loader *L, const char *jpath, const char *what) {
    return mz_fail_path(L->ctx, MZ_ERR_INPUT, L->path, jpath, "%s", what);
}

static mz_status unsupported(loader *L, const char *jpath, const char *what, const char *name) {
    return mz_fail_path(L->ctx, MZ_ERR_UNSUPPORTED, L->path, jpath, "%s '%s' is not supported yet",
                        what, name);
}

static mz_status nomem(loader *L) {
    return mz_fail(L->ctx, MZ_ERR_NOMEM, L->path, "out of memory");
}

/* A regular expression of the file (or a built-in one), compiled; an invalid one is bad input
 * with ICU's reason. */
static mz_status compile(loader *L, struct URegularExpression **re, const char *pattern,
                         const char *jp) {
    char why[160];
    int rc = mz_regex_compile(re, pattern, why, sizeof why);
    if (rc == MZ_TOK_NOMEM) return nomem(L);
    if (rc)
        return mz_fail_path(L->ctx, MZ_ERR_INPUT, L->path, jp,
                            "invalid regular expression '%.200s': %s", pattern, why);
    return MZ_OK;
}

static const char *str(json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}
static int flag(json_t *o, const char *key, int dflt) {
    json_t *v = json_object_get(o, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

static int b64_value(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64 into a malloc'd buffer: 0, MZ_TOK_NOMEM, or 1 on a character outside the alphabet. */
static int b64_decode(const char *s, unsigned char **out, size_t *len) {
    size_t n = strlen(s);
    *out = mz_malloc(n / 4 * 3 + 3);
    if (!*out) return MZ_TOK_NOMEM;
    uint32_t acc = 0;
    int bits = 0;
    *len = 0;
    for (size_t i = 0; i < n && s[i] != '='; i++) {
        int v = b64_value((unsigned char)s[i]);
        if (v < 0) return mz_free(*out), *out = NULL, 1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            (*out)[(*len)++] = (unsigned char)(acc >> bits);
        }
    }
    return 0;
}

/* ---- normalizers ---- */
static mz_status one_normalizer(loader *L, mz_normalizer *n, json_t *o, const char *jp) {
    const char *type = str(o, "type");
    if (!type) return bad(L, jp, "a normalizer needs a \"type\"");
    if (!strcmp(type, "BertNormalizer")) {
        json_t *sa = json_object_get(o, "strip_accents");
        *n = (mz_normalizer){.kind = NORM_BERT,
                             .clean_text = flag(o, "clean_text", 1),
                             .chinese_chars = flag(o, "handle_chinese_chars", 1),
                             .lowercase = flag(o, "lowercase", 1)};
        n->strip_accents = json_is_boolean(sa) ? json_is_true(sa) : n->lowercase;
    } else if (!strcmp(type, "Lowercase"))
        n->kind = NORM_LOWERCASE;
    else if (!strcmp(type, "NFC"))
        n->kind = NORM_NFC;
    else if (!strcmp(type, "NFD"))
        n->kind = NORM_NFD;
    else if (!strcmp(type, "NFKC"))
        n->kind = NORM_NFKC;
    else if (!strcmp(type, "NFKD"))
        n->kind = NORM_NFKD;
    else if (!strcmp(type, "StripAccents"))
        n->kind = NORM_STRIP_ACCENTS;
    else if (!strcmp(type, "Strip")) {
        *n = (mz_normalizer){.kind = NORM_STRIP,
                             .strip_left = flag(o, "strip_left", 1),
                             .strip_right = flag(o, "strip_right", 1)};
    } else if (!strcmp(type, "Prepend")) {
        n->kind = NORM_PREPEND;
        if (!str(o, "prepend")) return bad(L, jp, "Prepend needs \"prepend\"");
        if (!(n->content = mz_strdup(str(o, "prepend")))) return nomem(L);
    } else if (!strcmp(type, "Replace")) {
        const char *lit = str(json_object_get(o, "pattern"), "String");
        const char *re = str(json_object_get(o, "pattern"), "Regex");
        n->kind = NORM_REPLACE;
        if (!lit && !re)
            return bad(L, jp, "Replace needs a pattern {\"String\": ...} or {\"Regex\": ...}");
        if (!str(o, "content")) return bad(L, jp, "Replace needs \"content\"");
        if (!(n->content = mz_strdup(str(o, "content")))) return nomem(L);
        if (lit && !(n->pattern = mz_strdup(lit))) return nomem(L);
        if (re) return compile(L, &n->regex, re, jp);
    } else if (!strcmp(type, "Precompiled")) {
        const char *b64 = str(o, "precompiled_charsmap");
        unsigned char *blob;
        size_t len;
        n->kind = NORM_PRECOMPILED;
        if (!b64) return bad(L, jp, "Precompiled needs \"precompiled_charsmap\"");
        int rc = b64_decode(b64, &blob, &len);
        if (rc)
            return rc == MZ_TOK_NOMEM ? nomem(L) : bad(L, jp, "precompiled_charsmap is not base64");
        rc = mz_charsmap_new(&n->charsmap, blob, len);
        mz_free(blob);
        if (rc == MZ_TOK_NOMEM) return nomem(L);
        if (rc) return bad(L, jp, "precompiled_charsmap is not a SentencePiece normalisation map");
    } else {
        return unsupported(L, jp, "normalizer", type);
    }
    return MZ_OK;
}

/* A component that may be a Sequence: its members' objects, else itself. */
static json_t *members(json_t *o, const char *list_key) {
    const char *type = str(o, "type");
    return type && !strcmp(type, "Sequence") ? json_object_get(o, list_key) : NULL;
}

static mz_status load_normalizers(loader *L, mz_tokenizer *t, json_t *o) {
    if (!o || json_is_null(o)) return MZ_OK;
    json_t *seq = members(o, "normalizers");
    size_t n = seq ? json_array_size(seq) : 1;
    if (!(t->norms = mz_calloc(n ? n : 1, sizeof *t->norms))) return nomem(L);
    for (size_t i = 0; i < n; i++) {
        char jp[64];
        snprintf(jp, sizeof jp, seq ? "$.normalizer.normalizers[%zu]" : "$.normalizer", i);
        mz_status rc = one_normalizer(L, &t->norms[i], seq ? json_array_get(seq, i) : o, jp);
        t->n_norms = i + 1;
        if (rc) return rc;
    }
    return MZ_OK;
}

/* ---- pre-tokenizers ---- */
static int behavior_of(const char *b) {
    static const char *const names[] = {"Removed", "Isolated", "MergedWithPrevious",
                                        "MergedWithNext", "Contiguous"};
    for (int i = 0; i < 5; i++)
        if (b && !strcmp(b, names[i])) return i;
    return -1;
}

/* A literal as an ICU pattern: \Q...\E, with any \E inside split out. */
static char *quote_literal(const char *s) {
    size_t n = strlen(s);
    char *q = mz_malloc(6 * n + 8), *p = q;
    if (!q) return NULL;
    p += sprintf(p, "\\Q");
    for (const char *c = s; *c; c++) {
        if (c[0] == '\\' && c[1] == 'E') {
            p += sprintf(p, "\\E\\\\E\\Q");
            c++;
        } else
            *p++ = *c;
    }
    strcpy(p, "\\E");
    return q;
}

static mz_status one_pre(loader *L, mz_pretokenizer *p, json_t *o, const char *jp) {
    const char *type = str(o, "type");
    if (!type) return bad(L, jp, "a pre-tokenizer needs a \"type\"");
    if (!strcmp(type, "BertPreTokenizer"))
        p->kind = PRE_BERT;
    else if (!strcmp(type, "WhitespaceSplit"))
        p->kind = PRE_WHITESPACE_SPLIT;
    else if (!strcmp(type, "Punctuation"))
        p->kind = PRE_PUNCTUATION;
    else if (!strcmp(type, "Digits")) {
        p->kind = PRE_DIGITS;
        p->individual_digits = flag(o, "individual_digits", 0);
    } else if (!strcmp(type, "Whitespace")) {
        p->kind = PRE_WHITESPACE;
        return compile(L, &p->regex, "\\w+|[^\\w\\s]+", jp);
    } else if (!strcmp(type, "ByteLevel")) {
        *p = (mz_pretokenizer){.kind = PRE_BYTE_LEVEL,
                               .add_prefix_space = flag(o, "add_prefix_space", 1),
                               .use_regex = flag(o, "use_regex", 1)};
        return compile(
            L, &p->regex,
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            jp);
    } else if (!strcmp(type, "Metaspace")) {
        const char *scheme = str(o, "prepend_scheme");
        const char *rep = str(o, "replacement");
        if (rep && strcmp(rep, "\xE2\x96\x81"))
            return unsupported(L, jp, "Metaspace replacement", rep);
        p->kind = PRE_METASPACE;
        p->prepend_always = scheme ? !strcmp(scheme, "always") : flag(o, "add_prefix_space", 1);
        p->split = flag(o, "split", 1);
        if (scheme && !strcmp(scheme, "never")) p->prepend_always = 0;
    } else if (!strcmp(type, "Split")) {
        json_t *pat = json_object_get(o, "pattern");
        const char *re = str(pat, "Regex"), *lit = str(pat, "String");
        p->kind = PRE_SPLIT_REGEX;
        p->behavior = behavior_of(str(o, "behavior"));
        p->invert = flag(o, "invert", 0);
        if (p->behavior < 0) return bad(L, jp, "Split needs a known \"behavior\"");
        if (!re && !lit)
            return bad(L, jp, "Split needs a pattern {\"Regex\": ...} or {\"String\": ...}");
        char *quoted = re ? NULL : quote_literal(lit);
        if (!re && !quoted) return nomem(L);
        mz_status rc = compile(L, &p->regex, re ? re : quoted, jp);
        mz_free(quoted);
        return rc;
    } else {
        return unsupported(L, jp, "pre-tokenizer", type);
    }
    return MZ_OK;
}

static mz_status load_pres(loader *L, mz_tokenizer *t, json_t *o) {
    if (!o || json_is_null(o)) return MZ_OK;
    json_t *seq = members(o, "pretokenizers");
    size_t n = seq ? json_array_size(seq) : 1;
    if (!(t->pres = mz_calloc(n ? n : 1, sizeof *t->pres))) return nomem(L);
    for (size_t i = 0; i < n; i++) {
        char jp[64];
        snprintf(jp, sizeof jp, seq ? "$.pre_tokenizer.pretokenizers[%zu]" : "$.pre_tokenizer", i);
        mz_status rc = one_pre(L, &t->pres[i], seq ? json_array_get(seq, i) : o, jp);
        t->n_pres = i + 1;
        if (rc) return rc;
    }
    return MZ_OK;
}

/* ---- model ---- */
typedef struct entry {
    const char *token;
    size_t len, id;
} entry;

static int by_id(const void *a, const void *b) {
    size_t x = ((const entry *)a)->id, y = ((const entry *)b)->id;
    return (x > y) - (x < y);
}

/* A {"token": id} vocabulary, which must number its tokens 0..n-1. */
static mz_status vocab_from_object(loader *L, mz_vocab *v, json_t *o) {
    if (!json_is_object(o))
        return bad(L, "$.model.vocab", "the vocabulary must be an object of token: id");
    size_t n = json_object_size(o), i = 0;
    entry *e = mz_malloc((n ? n : 1) * sizeof *e);
    if (!e) return nomem(L);
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val) {
        if (!json_is_integer(val) || json_integer_value(val) < 0) {
            mz_free(e);
            return bad(L, "$.model.vocab", "every id must be a non-negative integer");
        }
        e[i++] = (entry){key, strlen(key), (size_t)json_integer_value(val)};
    }
    qsort(e, n, sizeof *e, by_id);
    mz_status rc = MZ_OK;
    for (i = 0; i < n && !rc; i++) {
        if (e[i].id != i)
            rc = bad(L, "$.model.vocab", "ids must run 0..n-1 without gaps or repeats");
        else if (mz_vocab_add(v, e[i].token, e[i].len))
            rc = nomem(L);
    }
    mz_free(e);
    return rc;
}

static int32_t token_id(const mz_vocab *v, const char *token) {
    size_t id;
    return token && v->ids && mz_strmap_get(v->ids, token, strlen(token), &id) ? (int32_t)id : -1;
}

static mz_status load_merges(loader *L, mz_subword *m, json_t *merges) {
    if (!json_is_array(merges)) return bad(L, "$.model.merges", "BPE needs a merges array");
    if (!(m->merges = mz_strmap_new())) return nomem(L);
    size_t plen = m->prefix ? strlen(m->prefix) : 0;
    for (size_t r = 0; r < json_array_size(merges); r++) {
        json_t *it = json_array_get(merges, r);
        char a[512], b[512], merged[1024];
        const char *s = json_string_value(it), *sp = s ? strchr(s, ' ') : NULL;
        if (sp && (size_t)(sp - s) < sizeof a && strlen(sp + 1) < sizeof b) {
            snprintf(a, sizeof a, "%.*s", (int)(sp - s), s);
            snprintf(b, sizeof b, "%s", sp + 1);
        } else if (json_is_array(it) && json_array_size(it) == 2 &&
                   json_string_length(json_array_get(it, 0)) < sizeof a &&
                   json_string_length(json_array_get(it, 1)) < sizeof b) {
            snprintf(a, sizeof a, "%s", json_string_value(json_array_get(it, 0)));
            snprintf(b, sizeof b, "%s", json_string_value(json_array_get(it, 1)));
        } else {
            char jp[48];
            snprintf(jp, sizeof jp, "$.model.merges[%zu]", r);
            return bad(L, jp, "a merge is \"left right\" or [left, right]");
        }
        /* the merged token drops the right side's continuing prefix */
        const char *bb = plen && !strncmp(b, m->prefix, plen) ? b + plen : b;
        snprintf(merged, sizeof merged, "%s%s", a, bb);
        int32_t l = token_id(&m->vocab, a), rr = token_id(&m->vocab, b),
                mm = token_id(&m->vocab, merged);
        if (l < 0 || rr < 0 || mm < 0) {
            char jp[48];
            snprintf(jp, sizeof jp, "$.model.merges[%zu]", r);
            return bad(L, jp, "the merge names a token that is not in the vocabulary");
        }
        int32_t key[2] = {l, rr};
        if (mz_strmap_put(m->merges, (const char *)key, sizeof key, (size_t)r << 32 | (uint32_t)mm,
                          NULL) < 0)
            return nomem(L);
    }
    return MZ_OK;
}

static mz_status load_unigram(loader *L, mz_subword *m, json_t *o) {
    json_t *vocab = json_object_get(o, "vocab");
    if (!json_is_array(vocab))
        return bad(L, "$.model.vocab", "Unigram needs a vocab array of [piece, score]");
    size_t n = json_array_size(vocab);
    if (!(m->scores = mz_malloc((n ? n : 1) * sizeof *m->scores))) return nomem(L);
    for (size_t i = 0; i < n; i++) {
        json_t *it = json_array_get(vocab, i);
        const char *piece = json_string_value(json_array_get(it, 0));
        if (!piece || !json_is_number(json_array_get(it, 1))) {
            char jp[48];
            snprintf(jp, sizeof jp, "$.model.vocab[%zu]", i);
            return bad(L, jp, "a Unigram entry is [piece, score]");
        }
        if (mz_vocab_add(&m->vocab, piece, strlen(piece))) return nomem(L);
        m->scores[i] = json_number_value(json_array_get(it, 1));
    }
    json_t *unk = json_object_get(o, "unk_id");
    if (n == 0) return bad(L, "$.model.vocab", "the vocabulary is empty");
    if (!json_is_integer(unk) || json_integer_value(unk) < 0 ||
        json_integer_value(unk) >= (json_int_t)n)
        return bad(L, "$.model.unk_id", "Unigram needs an unk_id inside the vocabulary");
    m->unk_id = (int32_t)json_integer_value(unk);
    m->byte_fallback = flag(o, "byte_fallback", 0);
    mz_unigram_prepare(m);
    return MZ_OK;
}

static mz_status load_model(loader *L, mz_tokenizer *t, json_t *o) {
    mz_subword *m = &t->model;
    const char *type = str(o, "type");
    if (!json_is_object(o)) return bad(L, "$.model", "no model");
    if (!type) type = json_object_get(o, "merges") ? "BPE" : "WordPiece"; /* older files */
    m->unk_id = -1;
    const char *prefix = str(o, "continuing_subword_prefix"),
               *suffix = str(o, "end_of_word_suffix");
    if ((prefix && !(m->prefix = mz_strdup(prefix))) ||
        (suffix && !(m->suffix = mz_strdup(suffix))))
        return nomem(L);
    mz_status rc = MZ_OK;
    if (!strcmp(type, "WordPiece")) {
        t->model_name = "WordPiece";
        m->kind = MODEL_WORDPIECE;
        json_t *mx = json_object_get(o, "max_input_chars_per_word");
        m->max_chars = json_is_integer(mx) ? (size_t)json_integer_value(mx) : 100;
        if (!m->prefix && !(m->prefix = mz_strdup("##"))) return nomem(L);
        rc = vocab_from_object(L, &m->vocab, json_object_get(o, "vocab"));
    } else if (!strcmp(type, "BPE")) {
        t->model_name = "BPE";
        m->kind = MODEL_BPE;
        m->byte_fallback = flag(o, "byte_fallback", 0);
        m->fuse_unk = flag(o, "fuse_unk", 0);
        m->ignore_merges = flag(o, "ignore_merges", 0);
        rc = vocab_from_object(L, &m->vocab, json_object_get(o, "vocab"));
        if (!rc) rc = load_merges(L, m, json_object_get(o, "merges"));
    } else if (!strcmp(type, "WordLevel")) {
        t->model_name = "WordLevel";
        m->kind = MODEL_WORDLEVEL;
        rc = vocab_from_object(L, &m->vocab, json_object_get(o, "vocab"));
    } else if (!strcmp(type, "Unigram")) {
        t->model_name = "Unigram";
        m->kind = MODEL_UNIGRAM;
        return load_unigram(L, m, o);
    } else {
        return unsupported(L, "$.model.type", "model", type);
    }
    if (!rc && str(o, "unk_token") && (m->unk_id = token_id(&m->vocab, str(o, "unk_token"))) < 0)
        rc = bad(L, "$.model.unk_token", "the unknown token is not in the vocabulary");
    if (!rc && m->vocab.n == 0) rc = bad(L, "$.model.vocab", "the vocabulary is empty");
    /* WordPiece maps every word it cannot cover to the unknown token: it must exist */
    if (!rc && m->kind == MODEL_WORDPIECE && m->unk_id < 0)
        rc = bad(L, "$.model.unk_token",
                 "WordPiece needs an unknown token that is in the vocabulary");
    return rc;
}

/* ---- added tokens and post-processing ---- */
static mz_status load_added(loader *L, mz_tokenizer *t, json_t *a) {
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *o = json_array_get(a, i);
        const char *content = str(o, "content");
        json_t *id = json_object_get(o, "id");
        if (!content || !json_is_integer(id)) {
            char jp[48];
            snprintf(jp, sizeof jp, "$.added_tokens[%zu]", i);
            return bad(L, jp, "an added token needs \"content\" and an integer \"id\"");
        }
        size_t want = (size_t)json_integer_value(id);
        if (want == t->model.vocab.n && mz_vocab_add(&t->model.vocab, content, strlen(content)))
            return nomem(L);
        if (want >= t->model.vocab.n) {
            char jp[48];
            snprintf(jp, sizeof jp, "$.added_tokens[%zu]", i);
            return bad(L, jp, "an added token's id skips past the vocabulary");
        }
        if (mz_tokenizer_add_added(t, content, strlen(content), want)) return nomem(L);
        if (flag(o, "special", 0) && mz_tokenizer_mark_special(t, want)) return nomem(L);
    }
    return MZ_OK;
}

/* ---- decoders ---- */
static mz_status one_decoder(loader *L, mz_decoder *d, json_t *o) {
    const char *type = str(o, "type");
    if (!type) return bad(L, "$.decoder", "a decoder needs a \"type\"");
    const char *a = NULL, *b = NULL;
    if (!strcmp(type, "WordPiece")) {
        *d = (mz_decoder){.kind = DEC_WORDPIECE, .cleanup = flag(o, "cleanup", 1)};
        a = str(o, "prefix") ? str(o, "prefix") : "##";
    } else if (!strcmp(type, "ByteLevel"))
        d->kind = DEC_BYTE_LEVEL;
    else if (!strcmp(type, "ByteFallback"))
        d->kind = DEC_BYTE_FALLBACK;
    else if (!strcmp(type, "Fuse"))
        d->kind = DEC_FUSE;
    else if (!strcmp(type, "Metaspace")) {
        const char *scheme = str(o, "prepend_scheme");
        *d = (mz_decoder){.kind = DEC_METASPACE,
                          .prepend = scheme ? strcmp(scheme, "never") != 0
                                            : flag(o, "add_prefix_space", 1)};
        a = str(o, "replacement") ? str(o, "replacement") : "\xE2\x96\x81";
    } else if (!strcmp(type, "BPEDecoder")) {
        d->kind = DEC_BPE_SUFFIX;
        a = str(o, "suffix") ? str(o, "suffix") : "</w>";
    } else if (!strcmp(type, "Replace")) {
        d->kind = DEC_REPLACE;
        a = str(json_object_get(o, "pattern"), "String");
        b = str(o, "content");
        if (!a || !b) return unsupported(L, "$.decoder", "Replace decoder pattern", "Regex");
    } else if (!strcmp(type, "Strip")) {
        json_t *st = json_object_get(o, "start"), *sp = json_object_get(o, "stop");
        *d = (mz_decoder){.kind = DEC_STRIP,
                          .start = (int)json_integer_value(st),
                          .stop = (int)json_integer_value(sp)};
        a = str(o, "content") ? str(o, "content") : " ";
    } else {
        return unsupported(L, "$.decoder", "decoder", type);
    }
    if ((a && !(d->a = mz_strdup(a))) || (b && !(d->b = mz_strdup(b)))) return nomem(L);
    return MZ_OK;
}

static mz_status load_decoders(loader *L, mz_tokenizer *t, json_t *o) {
    if (!o || json_is_null(o)) return MZ_OK;
    json_t *seq = members(o, "decoders");
    size_t n = seq ? json_array_size(seq) : 1;
    if (!(t->decs = mz_calloc(n ? n : 1, sizeof *t->decs))) return nomem(L);
    for (size_t i = 0; i < n; i++) {
        mz_status rc = one_decoder(L, &t->decs[i], seq ? json_array_get(seq, i) : o);
        t->n_decs = i + 1;
        if (rc) return rc;
    }
    return MZ_OK;
}

/* ["[CLS]", 101]: a special token the post-processor adds, by id. */
static mz_status pair_id(loader *L, json_t *o, const char *key, int32_t *id) {
    json_t *v = json_array_get(json_object_get(o, key), 1);
    char jp[48];
    snprintf(jp, sizeof jp, "$.post_processor.%s", key);
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
        return bad(L, jp, "needs [token, id] with a non-negative id");
    *id = (int32_t)json_integer_value(v);
    return MZ_OK;
}

/* A TemplateProcessing template: SpecialToken and Sequence items with their type ids. */
static mz_status read_template(loader *L, mz_template_item *items, size_t *n, json_t *a,
                               json_t *specials) {
    *n = 0;
    if (json_array_size(a) > MZ_TEMPLATE_MAX)
        return bad(L, "$.post_processor", "a template with more pieces than Mizani reads");
    for (size_t i = 0; i < json_array_size(a); i++) {
        json_t *it = json_array_get(a, i), *sp = json_object_get(it, "SpecialToken"),
               *sq = json_object_get(it, "Sequence"), *body = sp ? sp : sq;
        json_t *type = json_object_get(body, "type_id");
        mz_template_item x = {-1, 0,
                              (uint8_t)(json_is_integer(type) ? json_integer_value(type) : 0)};
        if (sp) {
            json_t *ids = json_object_get(json_object_get(specials, str(sp, "id")), "ids");
            json_t *id = json_array_get(ids, 0);
            if (json_array_size(ids) != 1 || !json_is_integer(id) || json_integer_value(id) < 0 ||
                json_integer_value(id) > INT32_MAX)
                return bad(L, "$.post_processor.special_tokens",
                           "a template's special token needs one non-negative id");
            x.id = (int32_t)json_integer_value(json_array_get(ids, 0));
        } else if (sq) {
            x.seq = str(sq, "id") && !strcmp(str(sq, "id"), "B");
        } else {
            return bad(L, "$.post_processor", "a template piece is a SpecialToken or a Sequence");
        }
        items[(*n)++] = x;
    }
    return MZ_OK;
}

static mz_status one_post(loader *L, mz_tokenizer *t, json_t *o) {
    const char *type = str(o, "type");
    if (!type) return MZ_OK;
    if (!strcmp(type, "BertProcessing") || !strcmp(type, "RobertaProcessing")) {
        int32_t cls, sep;
        mz_status rc = pair_id(L, o, "cls", &cls);
        if (!rc) rc = pair_id(L, o, "sep", &sep);
        if (rc) return rc;
        if (!strcmp(type, "BertProcessing"))
            mz_post_bert(&t->post, cls, sep);
        else
            mz_post_roberta(&t->post, cls, sep);
        if (!strcmp(type, "RobertaProcessing")) {
            t->post.trim_byte_level = flag(o, "trim_offsets", 1);
            t->post.add_prefix_space = flag(o, "add_prefix_space", 1);
        }
    } else if (!strcmp(type, "ByteLevel")) {
        t->post.trim_byte_level = flag(o, "trim_offsets", 1);
        t->post.add_prefix_space = flag(o, "add_prefix_space", 1);
    } else if (!strcmp(type, "TemplateProcessing")) {
        json_t *specials = json_object_get(o, "special_tokens");
        mz_status rc = read_template(L, t->post.single, &t->post.n_single,
                                     json_object_get(o, "single"), specials);
        if (!rc)
            rc = read_template(L, t->post.pair, &t->post.n_pair, json_object_get(o, "pair"),
                               specials);
        if (rc) return rc;
    } else if (!strcmp(type, "Sequence")) {
        json_t *procs = json_object_get(o, "processors");
        for (size_t i = 0; i < json_array_size(procs); i++) {
            mz_status rc = one_post(L, t, json_array_get(procs, i));
            if (rc) return rc;
        }
    } else {
        return unsupported(L, "$.post_processor", "post-processor", type);
    }
    return MZ_OK;
}

mz_status mz_tokenizer_from_json(mz_tokenizer *t, const char *path, mz_ctx *ctx) {
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, path, (size_t)1 << 30, ctx);
    if (!rc) rc = mz_tokenizer_from_json_text(t, text, len, path, ctx);
    mz_free(text);
    return rc;
}

mz_status mz_tokenizer_from_json_text(mz_tokenizer *t, const char *text, size_t len,
                                      const char *path, mz_ctx *ctx) {
    loader L = {path, ctx};
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) return mz_fail_line(ctx, MZ_ERR_INPUT, path, err.line, err.column, "%s", err.text);
    mz_status rc = json_is_object(root) ? MZ_OK : bad(&L, "$", "tokenizer.json must be an object");
    if (!rc) rc = load_model(&L, t, json_object_get(root, "model"));
    if (!rc) rc = load_added(&L, t, json_object_get(root, "added_tokens"));
    if (!rc) rc = load_normalizers(&L, t, json_object_get(root, "normalizer"));
    if (!rc) rc = load_pres(&L, t, json_object_get(root, "pre_tokenizer"));
    if (!rc && json_object_get(root, "post_processor") &&
        !json_is_null(json_object_get(root, "post_processor")))
        rc = one_post(&L, t, json_object_get(root, "post_processor"));
    if (!rc) rc = load_decoders(&L, t, json_object_get(root, "decoder"));
    json_t *pad = json_object_get(json_object_get(root, "padding"), "pad_id");
    if (!rc && pad &&
        (!json_is_integer(pad) || json_integer_value(pad) < 0 ||
         json_integer_value(pad) > INT32_MAX))
        rc = bad(&L, "$.padding.pad_id", "the padding id must be a non-negative integer");
    t->pad_id = json_is_integer(pad) ? (int32_t)json_integer_value(pad)
                                     : token_id(&t->model.vocab, "[PAD]");
    if (t->pad_id < 0) t->pad_id = token_id(&t->model.vocab, "<pad>");
    json_decref(root);
    if (rc && mz_ctx_json_path(ctx)[0]) /* the line of the offending value */
        mz_ctx_set_line(ctx, mz_json_path_line(text, len, mz_ctx_json_path(ctx)));
    return rc;
}
