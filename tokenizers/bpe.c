/* BPE: start from characters (or bytes, with byte fallback), then apply merges lowest rank
 * first, leftmost first among equals, until none applies. A min-heap of candidate pairs with
 * lazy invalidation keeps a long word at n log n. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct symbol {
    int32_t id;
    size_t a, b;     /* byte range in the word */
    long prev, next; /* -1 at the ends */
    int alive;
} symbol;

typedef struct pair {
    uint32_t rank;
    long left;
    int32_t left_id, right_id, merged;
} pair;

typedef struct heap {
    pair *items;
    size_t n, cap;
} heap;

static int less(const pair *x, const pair *y) {
    return x->rank < y->rank || (x->rank == y->rank && x->left < y->left);
}

static int heap_push(heap *h, pair p) {
    if (mz_grow((void **)&h->items, &h->cap, h->n + 1, sizeof *h->items)) return -1;
    size_t i = h->n++;
    h->items[i] = p;
    while (i && less(&h->items[i], &h->items[(i - 1) / 2])) {
        pair t = h->items[i];
        h->items[i] = h->items[(i - 1) / 2];
        h->items[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static pair heap_pop(heap *h) {
    pair top = h->items[0];
    h->items[0] = h->items[--h->n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && less(&h->items[l], &h->items[m])) m = l;
        if (r < h->n && less(&h->items[r], &h->items[m])) m = r;
        if (m == i) break;
        pair t = h->items[i];
        h->items[i] = h->items[m];
        h->items[m] = t;
        i = m;
    }
    return top;
}

/* SentencePiece BPE keeps no merges: two pieces merge when their concatenation is in the
 * vocabulary, the highest-scoring concatenation first. */
static int merge_by_score(const mz_subword *m, int32_t l, int32_t r, uint32_t *rank,
                          int32_t *merged) {
    char buf[512];
    size_t a = strlen(m->vocab.tokens[l]), b = strlen(m->vocab.tokens[r]), id;
    if (a + b >= sizeof buf) return 0;
    memcpy(buf, m->vocab.tokens[l], a);
    memcpy(buf + a, m->vocab.tokens[r], b);
    if (!mz_strmap_get(m->vocab.ids, buf, a + b, &id) || (m->unusable && m->unusable[id])) return 0;
    *rank = m->score_rank[id];
    *merged = (int32_t)id;
    return 1;
}

/* The merge of two ids, if the merges table has it: rank and resulting id. */
static int merge_of(const mz_subword *m, int32_t l, int32_t r, uint32_t *rank, int32_t *merged) {
    if (!m->merges)
        return m->score_rank && l >= 0 && r >= 0 && merge_by_score(m, l, r, rank, merged);
    int32_t key[2] = {l, r};
    size_t v;
    if (!mz_strmap_get(m->merges, (const char *)key, sizeof key, &v)) return 0;
    *rank = (uint32_t)(v >> 32);
    *merged = (int32_t)(v & 0xFFFFFFFF);
    return 1;
}

static int candidate(heap *h, const mz_subword *m, const symbol *s, long left) {
    long right = s[left].next;
    uint32_t rank;
    int32_t merged;
    if (right < 0 || !merge_of(m, s[left].id, s[right].id, &rank, &merged)) return 0;
    return heap_push(h, (pair){rank, left, s[left].id, s[right].id, merged});
}

/* The initial symbols: one per character, or per byte (<0xXX>) when byte fallback is on and
 * the character is unknown, or the unknown token. */
static int initial_symbols(symbol **out, size_t *n, const mz_subword *m, const mz_nstr *w) {
    size_t cap = 0;
    char buf[64];
    *n = 0;
    for (size_t i = 0; i < w->len;) {
        size_t len = 1;
        while (i + len < w->len && ((unsigned char)w->s[i + len] & 0xC0) == 0x80)
            len++;
        size_t id, plen = i && m->prefix ? strlen(m->prefix) : 0;
        int last = i + len == w->len;
        size_t slen = last && m->suffix ? strlen(m->suffix) : 0;
        int found = 0;
        if (plen + len + slen < sizeof buf) {
            if (plen) memcpy(buf, m->prefix, plen);
            memcpy(buf + plen, w->s + i, len);
            if (slen) memcpy(buf + plen + len, m->suffix, slen);
            found = mz_strmap_get(m->vocab.ids, buf, plen + len + slen, &id) &&
                    !(m->unusable && m->unusable[id]);
        }
        size_t pieces = found || !m->byte_fallback ? 1 : len;
        if (mz_grow((void **)out, &cap, *n + pieces, sizeof **out)) return -1;
        for (size_t k = 0; k < pieces; k++) {
            int32_t sid = found ? (int32_t)id : m->unk_id;
            if (!found && m->byte_fallback) {
                snprintf(buf, sizeof buf, "<0x%02X>", (unsigned char)w->s[i + k]);
                sid = mz_strmap_get(m->vocab.ids, buf, 6, &id) ? (int32_t)id : m->unk_id;
            }
            size_t a = pieces == 1 ? i : i + k, b = pieces == 1 ? i + len : i + k + 1;
            (*out)[*n] = (symbol){sid, a, b, (long)*n - 1, (long)*n + 1, 1};
            ++*n;
        }
        i += len;
    }
    if (*n) (*out)[*n - 1].next = -1;
    return 0;
}

int mz_bpe_encode(mz_encoding *out, const mz_subword *m, const mz_nstr *w, int32_t widx) {
    size_t whole;
    if (w->len == 0) return 0;
    if (m->ignore_merges && mz_strmap_get(m->vocab.ids, w->s, w->len, &whole))
        return mz_encoding_push(out, (int32_t)whole, w->o0[0], w->o1[w->len - 1], widx, 0);
    symbol *s = NULL;
    size_t n;
    heap h = {0};
    int rc = initial_symbols(&s, &n, m, w);
    for (size_t i = 0; !rc && i + 1 < n; i++)
        rc = candidate(&h, m, s, (long)i);
    while (!rc && h.n) {
        pair p = heap_pop(&h);
        symbol *l = &s[p.left];
        if (!l->alive || l->id != p.left_id || l->next < 0 || s[l->next].id != p.right_id) continue;
        symbol *r = &s[l->next];
        l->id = p.merged;
        l->b = r->b;
        l->next = r->next;
        r->alive = 0;
        if (l->next >= 0) s[l->next].prev = p.left;
        if (l->prev >= 0) rc = candidate(&h, m, s, l->prev);
        if (!rc) rc = candidate(&h, m, s, p.left);
    }
    int32_t last_unk = 0; /* fuse_unk: consecutive unknowns become one */
    for (long i = n ? 0 : -1; !rc && i >= 0; i = s[i].next) {
        if (s[i].id < 0) continue; /* no unknown token configured: the character is dropped */
        if (m->fuse_unk && s[i].id == m->unk_id && last_unk && out->n) {
            out->end[out->n - 1] = w->o1[s[i].b - 1];
            continue;
        }
        last_unk = s[i].id == m->unk_id;
        rc = mz_encoding_push(out, s[i].id, w->o0[s[i].a], w->o1[s[i].b - 1], widx, 0);
    }
    mz_free(h.items);
    mz_free(s);
    return rc;
}
