/* The normalised string with original spans, and the encoding's growable arrays. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"

#include <string.h>

int mz_nstr_push(mz_nstr *n, const char *bytes, size_t len, uint32_t o0, uint32_t o1) {
    size_t cap = n->cap, cap1 = n->cap, cap2 = n->cap;
    if (mz_grow((void **)&n->s, &cap, n->len + len + 1, 1) ||
        mz_grow((void **)&n->o0, &cap1, n->len + len + 1, sizeof *n->o0) ||
        mz_grow((void **)&n->o1, &cap2, n->len + len + 1, sizeof *n->o1))
        return -1;
    n->cap = cap < cap1 ? cap : cap1;
    if (cap2 < n->cap) n->cap = cap2;
    memcpy(n->s + n->len, bytes, len);
    for (size_t i = 0; i < len; i++) {
        n->o0[n->len + i] = o0;
        n->o1[n->len + i] = o1;
    }
    n->len += len;
    n->s[n->len] = '\0';
    return 0;
}

void mz_nstr_reset(mz_nstr *n) {
    n->len = 0;
    if (n->s) n->s[0] = '\0';
}

void mz_nstr_free(mz_nstr *n) {
    mz_free(n->s);
    mz_free(n->o0);
    mz_free(n->o1);
    memset(n, 0, sizeof *n);
}

void mz_nstr_swap(mz_nstr *a, mz_nstr *b) {
    mz_nstr t = *a;
    *a = *b;
    *b = t;
}

int mz_encoding_push(mz_encoding *e, int32_t id, uint32_t start, uint32_t end, int32_t word,
                     uint8_t special) {
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 64;
        int32_t *ids = mz_realloc(e->ids, cap * sizeof *ids);
        if (ids) e->ids = ids;
        uint32_t *s = ids ? mz_realloc(e->start, cap * sizeof *s) : NULL;
        if (s) e->start = s;
        uint32_t *en = s ? mz_realloc(e->end, cap * sizeof *en) : NULL;
        if (en) e->end = en;
        int32_t *w = en ? mz_realloc(e->word_ids, cap * sizeof *w) : NULL;
        if (w) e->word_ids = w;
        uint8_t *sp = w ? mz_realloc(e->special, cap) : NULL;
        if (sp) e->special = sp;
        uint8_t *ty = sp ? mz_realloc(e->type_ids, cap) : NULL;
        if (ty) e->type_ids = ty;
        uint8_t *at = ty ? mz_realloc(e->attention, cap) : NULL;
        if (!at) return -1;
        e->attention = at;
        e->cap = cap;
    }
    e->type_ids[e->n] = 0;
    e->attention[e->n] = 1;
    e->ids[e->n] = id;
    e->start[e->n] = start;
    e->end[e->n] = end;
    e->word_ids[e->n] = word;
    e->special[e->n++] = special;
    return 0;
}

void mz_encoding_clear(mz_encoding *e) {
    mz_free(e->ids);
    mz_free(e->start);
    mz_free(e->end);
    mz_free(e->word_ids);
    mz_free(e->special);
    mz_free(e->type_ids);
    mz_free(e->attention);
    memset(e, 0, sizeof *e);
}
