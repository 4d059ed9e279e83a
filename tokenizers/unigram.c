/* Unigram (SentencePiece): the segmentation of the word with the highest total log
 * probability (Viterbi over the pieces that match at each position). A character no piece
 * covers becomes the unknown token, scored like SentencePiece (lowest score minus 10);
 * consecutive unknowns fuse into one, and with byte fallback they become <0xXX> bytes. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"

#include <float.h>
#include <stdio.h>
#include <string.h>

typedef struct cell {
    double score; /* best total score of the text before this position */
    size_t from;  /* where the last piece of that best path starts */
    int32_t id;   /* its id (unk_id for an unknown character) */
} cell;

void mz_unigram_prepare(mz_subword *m) {
    double lo = DBL_MAX;
    m->max_piece = 1;
    for (size_t i = 0; i < m->vocab.n; i++) {
        if (m->scores[i] < lo) lo = m->scores[i];
        size_t len = strlen(m->vocab.tokens[i]);
        if (len > m->max_piece) m->max_piece = len;
    }
    m->unk_score = lo - 10.0;
}

/* A run of unknown characters [a, b): one unknown token, or with byte fallback one <0xXX>
 * token per byte, each spanning the whole run (as Hugging Face reports them). */
static int emit_unknown(mz_encoding *out, const mz_subword *m, const mz_nstr *w, size_t a, size_t b,
                        int32_t widx) {
    if (!m->byte_fallback) return mz_encoding_push(out, m->unk_id, w->o0[a], w->o1[b - 1], widx, 0);
    for (size_t i = a; i < b; i++) {
        char buf[8];
        size_t id;
        snprintf(buf, sizeof buf, "<0x%02X>", (unsigned char)w->s[i]);
        int32_t tid = mz_strmap_get(m->vocab.ids, buf, 6, &id) ? (int32_t)id : m->unk_id;
        if (mz_encoding_push(out, tid, w->o0[a], w->o1[b - 1], widx, 0)) return -1;
    }
    return 0;
}

int mz_unigram_encode(mz_encoding *out, const mz_subword *m, const mz_nstr *w, int32_t widx) {
    if (w->len == 0) return 0;
    cell *best = mz_malloc((w->len + 1) * sizeof *best);
    size_t *path = mz_malloc((w->len + 1) * sizeof *path);
    if (!best || !path) {
        mz_free(best);
        mz_free(path);
        return -1;
    }
    double unk_score = m->unk_score;
    for (size_t i = 0; i <= w->len; i++)
        best[i] = (cell){-DBL_MAX, 0, -1};
    best[0].score = 0;
    for (size_t a = 0; a < w->len; a++) {
        if (best[a].score == -DBL_MAX || (((unsigned char)w->s[a]) & 0xC0) == 0x80) continue;
        size_t clen = 1; /* the character at a, for the unknown fallback */
        while (a + clen < w->len && ((unsigned char)w->s[a + clen] & 0xC0) == 0x80)
            clen++;
        int matched_char = 0;
        for (size_t b = a + 1; b <= w->len && b - a <= m->max_piece; b++) {
            if (b < w->len && ((unsigned char)w->s[b] & 0xC0) == 0x80) continue;
            size_t id;
            if (!mz_strmap_get(m->vocab.ids, w->s + a, b - a, &id) || (int32_t)id == m->unk_id ||
                (m->unusable && m->unusable[id]))
                continue;
            matched_char |= b == a + clen;
            double s = best[a].score + m->scores[id];
            if (s > best[b].score) best[b] = (cell){s, a, (int32_t)id};
        }
        if (!matched_char && best[a].score + unk_score > best[a + clen].score)
            best[a + clen] = (cell){best[a].score + unk_score, a, m->unk_id};
    }
    size_t n = 0;
    for (size_t b = w->len; b > 0; b = best[b].from)
        path[n++] = b;
    int rc = 0;
    for (size_t k = n; k-- > 0 && !rc;) {
        size_t b = path[k], a = best[b].from;
        if (best[b].id == m->unk_id) {
            size_t end = b; /* fuse a run of unknowns */
            while (k > 0 && best[path[k - 1]].id == m->unk_id)
                end = path[--k];
            rc = emit_unknown(out, m, w, a, end, widx);
        } else {
            rc = mz_encoding_push(out, best[b].id, w->o0[a], w->o1[b - 1], widx, 0);
        }
    }
    mz_free(best);
    mz_free(path);
    return rc;
}
