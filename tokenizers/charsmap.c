/* SentencePiece's precompiled normalisation map (nmt_nfkc and friends), as tokenizer.json
 * ships it: a blob of [uint32 trie size][double-array trie][NUL-separated replacements]. Like
 * Hugging Face's Precompiled normaliser, a grapheme shorter than 6 bytes is replaced whole when
 * a prefix of it is in the trie (the shortest such prefix decides); otherwise each character
 * is looked up on its own; and spans follow HF's edit list, quirks included. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"
#include "unicode_props.h"

#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

struct mz_charsmap {
    uint32_t *units; /* the trie */
    size_t n_units;
    char *normalized; /* replacement strings */
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
    if (len < 4) return 1;
    memcpy(&trie_size, blob, 4);
    if (trie_size % 4 || trie_size > len - 4 || trie_size == 0) return 1;
    struct mz_charsmap *m = mz_calloc(1, sizeof *m);
    if (!m) return MZ_TOK_NOMEM;
    m->n_units = trie_size / 4;
    m->n_normalized = len - 4 - trie_size;
    m->units = mz_malloc(trie_size);
    m->normalized = mz_malloc(m->n_normalized + 1);
    if (!m->units || !m->normalized) {
        mz_charsmap_free(m);
        return MZ_TOK_NOMEM;
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

/* The edit list Hugging Face builds: each output character with its change (0 replaces one
 * input character, +1 is inserted, -n also drops n more input characters). */
typedef struct edit {
    char bytes[4];
    int len, change;
} edit;

typedef struct edits {
    edit *items;
    size_t n, cap;
} edits;

static int push_char(edits *e, const char *s, int len, int change) {
    if (mz_grow((void **)&e->items, &e->cap, e->n + 1, sizeof *e->items)) return -1;
    edit *x = &e->items[e->n++];
    memcpy(x->bytes, s, (size_t)len);
    x->len = len;
    x->change = change;
    return 0;
}

static size_t count_chars(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* `old_chars` input characters become `with`: characters map one to one; extra ones are
 * insertions; when fewer, the last edit so far absorbs the difference (none if the list is
 * still empty: HF's quirk, kept so spans match it exactly). */
static int replace(edits *e, size_t old_chars, const char *with) {
    size_t wlen = strlen(with), n_new = count_chars(with, wlen);
    for (size_t i = 0; i < wlen;) {
        int32_t c;
        int n = mz_uc_next(with + i, wlen - i, &c);
        if (n < 0 || push_char(e, with + i, n, 0)) return -1;
        i += (size_t)n;
    }
    long diff = (long)n_new - (long)old_chars;
    if (diff > 0)
        for (size_t k = 0; k < (size_t)diff; k++)
            e->items[e->n - 1 - k].change = 1;
    else if (diff < 0 && e->n)
        e->items[e->n - 1].change += (int)diff;
    return 0;
}

/* One grapheme [a, b) of `in` into the edit list. */
static int grapheme(edits *e, const mz_nstr *in, size_t a, size_t b, const struct mz_charsmap *m) {
    const char *norm;
    if (b - a < 6 && (norm = transform(m, in->s + a, b - a)))
        return replace(e, count_chars(in->s + a, b - a), norm);
    for (size_t i = a; i < b;) {
        int32_t c;
        int n = mz_uc_next(in->s + i, b - i, &c);
        if (n < 0) return -1;
        norm = transform(m, in->s + i, (size_t)n);
        if (norm ? replace(e, 1, norm) : push_char(e, in->s + i, n, 0)) return -1;
        i += (size_t)n;
    }
    return 0;
}

/* Replays the edit list over `in` as HF's NormalizedString::transform does. */
static int apply_edits(mz_nstr *out, const mz_nstr *in, const edits *e) {
    size_t offset = 0;
    for (size_t k = 0; k < e->n; k++) {
        const edit *x = &e->items[k];
        uint32_t o0 = 0, o1 = 0;
        if (x->change > 0) {
            if (offset) o0 = in->o0[offset - 1], o1 = in->o1[offset - 1];
        } else if (offset < in->len) {
            o0 = in->o0[offset], o1 = in->o1[offset];
        } else if (in->len) {
            o0 = o1 = in->o1[in->len - 1];
        }
        for (int consume = x->change <= 0 ? 1 - x->change : 0; consume > 0 && offset < in->len;
             consume--) {
            int32_t c;
            int n = mz_uc_next(in->s + offset, in->len - offset, &c);
            offset += n > 0 ? (size_t)n : 1;
        }
        if (mz_nstr_push(out, x->bytes, (size_t)x->len, o0, o1)) return -1;
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
    edits e = {0};
    for (int32_t b; !rc && (b = ubrk_next(bi)) != UBRK_DONE; a = b)
        rc = grapheme(&e, in, (size_t)a, (size_t)b, m);
    if (bi) ubrk_close(bi);
    utext_close(ut);
    if (!rc) rc = apply_edits(out, in, &e);
    mz_free(e.items);
    return rc;
}
