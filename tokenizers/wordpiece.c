/* WordPiece: the longest vocabulary entry from the start of the word, then the longest
 * "##"-prefixed one from where it ended, and so on; a word that cannot be covered (or is
 * longer than max_input_chars_per_word characters) becomes one unknown token. */
#include "tokenizer_internal.h"
#include "unicode_props.h"

#include <string.h>

static int32_t lookup(const mz_vocab *v, const char *prefix, const char *s, size_t len, char *buf,
                      size_t cap) {
    size_t plen = prefix ? strlen(prefix) : 0;
    if (plen + len >= cap) return -1;
    if (plen) memcpy(buf, prefix, plen);
    memcpy(buf + plen, s, len);
    size_t id;
    return mz_strmap_get(v->ids, buf, plen + len, &id) ? (int32_t)id : -1;
}

static size_t char_count(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

int mz_wordpiece_encode(mz_encoding *out, const mz_subword *m, const mz_nstr *w, int32_t widx) {
    size_t first = out->n;
    char buf[1024];
    int ok = char_count(w->s, w->len) <= m->max_chars;
    for (size_t start = 0; ok && start < w->len;) {
        int32_t id = -1;
        size_t end = w->len;
        for (; end > start; end--) {
            if (end < w->len && ((unsigned char)w->s[end] & 0xC0) == 0x80) continue; /* mid-char */
            id = lookup(&m->vocab, start ? m->prefix : "", w->s + start, end - start, buf,
                        sizeof buf);
            if (id >= 0) break;
        }
        if (id < 0) {
            ok = 0;
            break;
        }
        if (mz_encoding_push(out, id, w->o0[start], w->o1[end - 1], widx, 0)) return -1;
        start = end;
    }
    if (ok || w->len == 0) return 0;
    out->n = first; /* the word as a whole is unknown */
    return mz_encoding_push(out, m->unk_id, w->o0[0], w->o1[w->len - 1], widx, 0);
}
