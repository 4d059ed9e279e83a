/* SentencePiece .model files (XLM-R, AfriBERTa, T5, Llama), read from the protobuf directly:
 * the pieces with scores and types, the model type, byte fallback, and the normaliser (the
 * precompiled charsmap, whitespace clean-up, the dummy prefix). The pipeline is the one
 * SentencePiece runs: normalise, collapse and trim spaces, prefix one, spaces to U+2581. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "tokenizer_internal.h"

#include <string.h>

#define META "\xE2\x96\x81"

enum {
    PIECE_NORMAL = 1,
    PIECE_UNKNOWN = 2,
    PIECE_CONTROL = 3,
    PIECE_USER = 4,
    PIECE_UNUSED = 5,
    PIECE_BYTE = 6
};

typedef struct pb {
    const uint8_t *p, *end;
} pb;

static int varint(pb *b, uint64_t *v) {
    *v = 0;
    for (int shift = 0; shift < 64 && b->p < b->end; shift += 7) {
        uint8_t c = *b->p++;
        *v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) return 0;
    }
    return -1;
}

/* One field: its number and wire type; varints in *v, length-delimited in *sub, fixed32 in *f. */
static int field(pb *b, uint32_t *num, int *wire, uint64_t *v, pb *sub, float *f) {
    uint64_t key;
    if (varint(b, &key)) return -1;
    *num = (uint32_t)(key >> 3);
    *wire = (int)(key & 7);
    switch (*wire) {
    case 0: return varint(b, v);
    case 1:
        if (b->end - b->p < 8) return -1;
        b->p += 8;
        return 0;
    case 2:
        if (varint(b, v) || *v > (uint64_t)(b->end - b->p)) return -1;
        *sub = (pb){b->p, b->p + *v};
        b->p += *v;
        return 0;
    case 5:
        if (b->end - b->p < 4) return -1;
        memcpy(f, b->p, 4);
        b->p += 4;
        return 0;
    }
    return -1;
}

typedef struct spm {
    int model_type, byte_fallback;
    int add_dummy_prefix, remove_extra_ws, escape_ws;
    int64_t unk_id;
    pb charsmap;
} spm;

static int read_piece(pb b, pb *piece, float *score, int *type) {
    uint32_t num;
    int wire;
    uint64_t v;
    pb sub = {0};
    float f = 0;
    *type = PIECE_NORMAL;
    *score = 0;
    piece->p = NULL;
    while (b.p < b.end) {
        if (field(&b, &num, &wire, &v, &sub, &f)) return -1;
        if (num == 1 && wire == 2)
            *piece = sub;
        else if (num == 2 && wire == 5)
            *score = f;
        else if (num == 3 && wire == 0)
            *type = (int)v;
    }
    return piece->p ? 0 : -1;
}

static int read_spec(pb b, spm *s, int trainer) {
    uint32_t num;
    int wire;
    uint64_t v;
    pb sub = {0};
    float f;
    while (b.p < b.end) {
        if (field(&b, &num, &wire, &v, &sub, &f)) return -1;
        if (trainer && wire == 0) {
            if (num == 3)
                s->model_type = (int)v;
            else if (num == 35)
                s->byte_fallback = v != 0;
            else if (num == 40)
                s->unk_id = (int64_t)v;
        } else if (!trainer) {
            if (num == 2 && wire == 2)
                s->charsmap = sub;
            else if (num == 3 && wire == 0)
                s->add_dummy_prefix = v != 0;
            else if (num == 4 && wire == 0)
                s->remove_extra_ws = v != 0;
            else if (num == 5 && wire == 0)
                s->escape_ws = v != 0;
        }
    }
    return 0;
}

static mz_status setup_normalizers(mz_tokenizer *t, const spm *s, const char *path, mz_ctx *ctx) {
    if (!(t->norms = mz_calloc(6, sizeof *t->norms)))
        return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    t->n_norms = 6; /* until the end: a failure half-way frees what was made (the rest is zero) */
    mz_normalizer *n = t->norms;
    if (s->charsmap.p && s->charsmap.end > s->charsmap.p) {
        n->kind = NORM_PRECOMPILED;
        int rc =
            mz_charsmap_new(&n->charsmap, s->charsmap.p, (size_t)(s->charsmap.end - s->charsmap.p));
        if (rc == MZ_TOK_NOMEM) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        if (rc)
            return mz_fail(ctx, MZ_ERR_INPUT, path,
                           "the normalizer's precompiled charsmap is malformed");
        n++;
    }
    if (s->remove_extra_ws) {
        *n++ = (mz_normalizer){.kind = NORM_STRIP, .strip_left = 1, .strip_right = 1};
        char why[128];
        *n = (mz_normalizer){.kind = NORM_REPLACE, .content = mz_strdup(" ")};
        if (mz_regex_compile(&n->regex, " {2,}", why, sizeof why) || !n->content)
            return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        n++;
    }
    if (s->add_dummy_prefix) {
        *n = (mz_normalizer){.kind = NORM_PREPEND, .content = mz_strdup(" ")};
        if (!n++->content) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    }
    if (s->escape_ws) {
        *n = (mz_normalizer){
            .kind = NORM_REPLACE, .pattern = mz_strdup(" "), .content = mz_strdup(META)};
        if (!n->pattern || !n->content) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        n++;
    }
    t->n_norms = (size_t)(n - t->norms);
    return MZ_OK;
}

static mz_status read_model(mz_tokenizer *t, spm *s, const uint8_t *data, size_t len,
                            const char *path, mz_ctx *ctx) {
    pb b = {data, data + len}, sub = {0};
    uint32_t num;
    int wire;
    uint64_t v;
    float f;
    size_t cap = 0;
    while (b.p < b.end) {
        if (field(&b, &num, &wire, &v, &sub, &f))
            return mz_fail_offset(ctx, MZ_ERR_INPUT, path, (long long)(b.p - data),
                                  "not a "
                                  "SentencePiece model (bad protobuf)");
        if (num == 1 && wire == 2) {
            pb piece;
            float score;
            int type;
            if (read_piece(sub, &piece, &score, &type))
                return mz_fail_offset(ctx, MZ_ERR_INPUT, path, (long long)(sub.p - data),
                                      "a piece "
                                      "without its text");
            size_t id = t->model.vocab.n;
            if (mz_vocab_add(&t->model.vocab, (const char *)piece.p,
                             (size_t)(piece.end - piece.p)) ||
                mz_grow((void **)&t->model.scores, &cap, id + 1, sizeof *t->model.scores) ||
                mz_grow((void **)&t->model.unusable, &t->model.unusable_cap, id + 1, 1))
                return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
            t->model.scores[id] = score;
            /* control and unused pieces never match text; user-defined ones always do */
            t->model.unusable[id] = type == PIECE_CONTROL || type == PIECE_UNUSED;
            if ((type == PIECE_USER && mz_tokenizer_add_added(t, (const char *)piece.p,
                                                              (size_t)(piece.end - piece.p), id)) ||
                (type == PIECE_CONTROL && mz_tokenizer_mark_special(t, id)))
                return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        } else if ((num == 2 || num == 3) && wire == 2 && read_spec(sub, s, num == 2)) {
            return mz_fail(ctx, MZ_ERR_INPUT, path, "malformed %s spec",
                           num == 2 ? "trainer" : "normalizer");
        }
    }
    if (t->model.vocab.n == 0)
        return mz_fail(ctx, MZ_ERR_INPUT, path, "a SentencePiece model with no pieces");
    return MZ_OK;
}

mz_status mz_tokenizer_from_spm(mz_tokenizer *t, const char *path, mz_ctx *ctx) {
    char *data;
    size_t len;
    mz_status rc = mz_read_file(&data, &len, path, (size_t)1 << 30, ctx);
    if (!rc) rc = mz_tokenizer_from_spm_data(t, (const uint8_t *)data, len, path, ctx);
    mz_free(data);
    return rc;
}

mz_status mz_tokenizer_from_spm_data(mz_tokenizer *t, const uint8_t *data, size_t len,
                                     const char *path, mz_ctx *ctx) {
    spm s = {.model_type = 1, .add_dummy_prefix = 1, .remove_extra_ws = 1, .escape_ws = 1};
    mz_status rc = read_model(t, &s, data, len, path, ctx);
    if (!rc && (s.unk_id < 0 || (size_t)s.unk_id >= t->model.vocab.n))
        rc = mz_fail(ctx, MZ_ERR_INPUT, path, "unk_id %lld is not a piece", (long long)s.unk_id);
    if (!rc && s.model_type != 1 && s.model_type != 2)
        rc = mz_fail(ctx, MZ_ERR_UNSUPPORTED, path,
                     "SentencePiece model type %d is not supported "
                     "(supported: unigram, bpe)",
                     s.model_type);
    if (!rc) rc = setup_normalizers(t, &s, path, ctx);
    if (!rc && !(t->pres = mz_calloc(1, sizeof *t->pres)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    if (!rc) {
        /* words start at each U+2581, as SentencePiece's pieces never cross one */
        t->pres[0] = (mz_pretokenizer){.kind = PRE_METASPACE, .split = 1};
        t->n_pres = 1;
        t->model.unk_id = (int32_t)s.unk_id;
        t->pad_id = mz_tokenizer_id(t, "<pad>");
        t->decs = mz_calloc(2, sizeof *t->decs);
        if (!t->decs || !(t->decs[1].a = mz_strdup(META)))
            return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        t->decs[0].kind = DEC_BYTE_FALLBACK;
        t->decs[1].kind = DEC_METASPACE;
        t->decs[1].prepend = s.add_dummy_prefix;
        t->n_decs = 2;
        t->model.byte_fallback = s.byte_fallback;
        t->model.fuse_unk = 1;
        if (s.model_type == 1) {
            t->model_name = "Unigram";
            t->model.kind = MODEL_UNIGRAM;
            mz_unigram_prepare(&t->model);
        } else {
            t->model_name = "BPE";
            t->model.kind = MODEL_BPE;
            if (mz_subword_rank_scores(&t->model))
                rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        }
    }
    return rc;
}
