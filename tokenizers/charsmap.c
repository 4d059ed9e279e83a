/* SentencePiece's precompiled normalisation map (nmt_nfkc and friends), as tokenizer.json
 * ships it: a blob of [uint32 trie size][double-array trie][NUL-separated replacements]. Like
 * Hugging Face's Precompiled normaliser, a grapheme shorter than 6 bytes is replaced whole when
 * a prefix of it is in the trie (the shortest such prefix decides); otherwise each character
 * is looked up on its own. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"
#include "unicode_props.h"

#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

struct mz_charsmap {
    uint32_t *units;   /* the trie */
    size_t n_units;
    char *normalized;  /* replacement strings */
    size_t n_normalized;
};

void mz_charsmap_free(struct mz_charsmap *m) {
    if (!m) return;
    mz_free(m->units);
    mz_free(m->normalized);
    mz_free(m);
}

/* blob: the decoded base64 of "precompiled_charsmap". 0 with *out, -1 when malformed. */
int mz_charsmap_new(struct mz_charsmap **out, const unsigned char *blob, size_t len) {
    *out = NULL;
    uint32_t trie_size;
    if (len < 4) return -1;
    memcpy(&trie_size, blob, 4);
    if (trie_size % 4 || trie_size > len - 4 || trie_size == 0) return -1;
    struct mz_charsmap *m = mz_calloc(1, sizeof *m);
    if (!m) return -1;
    m->n_units = trie_size / 4;
    m->n_normalized = len - 4 - trie_size;
    m->units = mz_malloc(trie_size);
    m->normalized = mz_malloc(m->n_normalized + 1);
    if (!m->units || !m->normalized) {
        mz_charsmap_free(m);
        return -1;
    }
    memcpy(m->units, blob + 4, trie_size);
    memcpy(m->normalized, blob + 4 + trie_size, m->n_normalized);
    m->normalized[m->n_normalized] = '\0'; /* a last string without its NUL stays bounded */
    *out = m;
    return 0;
}

/* Darts-clone unit fields. */
static uint32_t offset_of(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }
static uint32_t label_of(uint32_t u) { return u & ((1u << 31) | 0xFF); }
static int has_leaf(uint32_t u) { return (u >> 8) & 1; }
static uint32_t value_of(uint32_t u) { return u & ((1u << 31) - 1); }

/* The replacement for the shortest prefix of key in the trie, or NULL. */
static const char *transform(const struct mz_charsmap *m, const char *key, size_t len) {
    size_t pos = 0;
    if (m->n_units == 0) return NULL;
    pos ^= offset_of(m->units[0]);
    for (size_t i = 0; i < len; i++) {
        pos ^= (unsigned char)key[i];
        if (pos >= m->n_units) return NULL;
        uint32_t u = m->units[pos];
        if (label_of(u) != (unsigned char)key[i]) return NULL;
        pos ^= offset_of(u);
        if (pos >= m->n_units) return NULL;
        if (has_leaf(u)) {
            uint32_t v = value_of(m->units[pos]);
            return v < m->n_normalized ? m->normalized + v : NULL;
        }
    }
    return NULL;
}

static int push_replaced(mz_nstr *out, const mz_nstr *in, size_t a, size_t b, const char *with) {
    return mz_nstr_push(out, with, strlen(with), in->o0[a], in->o1[b - 1]);
}

/* One grapheme [a, b) of `in`. */
static int grapheme(mz_nstr *out, const mz_nstr *in, size_t a, size_t b,
                    const struct mz_charsmap *m) {
    const char *norm;
    if (b - a < 6 && (norm = transform(m, in->s + a, b - a))) return push_replaced(out, in, a, b, norm);
    for (size_t i = a; i < b;) {
        int32_t c;
        int n = mz_uc_next(in->s + i, b - i, &c);
        if (n < 0) return -1;
        norm = transform(m, in->s + i, (size_t)n);
        int rc = norm ? push_replaced(out, in, i, i + (size_t)n, norm)
                      : mz_nstr_push(out, in->s + i, (size_t)n, in->o0[i], in->o1[i + (size_t)n - 1]);
        if (rc) return -1;
        i += (size_t)n;
    }
    return 0;
}

int mz_charsmap_normalize(mz_nstr *out, const mz_nstr *in, const struct mz_charsmap *m) {
    mz_nstr_reset(out);
    if (in->len == 0) return 0;
    UErrorCode err = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, in->s, (int64_t)in->len, &err);
    UBreakIterator *bi = ubrk_open(UBRK_CHARACTER, "", NULL, 0, &err);
    if (U_SUCCESS(err)) ubrk_setUText(bi, ut, &err);
    int rc = U_FAILURE(err) ? -1 : 0;
    int32_t a = U_SUCCESS(err) ? ubrk_first(bi) : 0;
    for (int32_t b; !rc && (b = ubrk_next(bi)) != UBRK_DONE; a = b)
        rc = grapheme(out, in, (size_t)a, (size_t)b, m);
    if (bi) ubrk_close(bi);
    utext_close(ut);
    return rc;
}
