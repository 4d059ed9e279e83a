/* Decoding ids back to text as Hugging Face does: each decoder rewrites the list of token
 * strings in turn (WordPiece, ByteLevel, Metaspace, BPE suffix, ByteFallback, Fuse, Strip,
 * Replace) and the results are concatenated; without decoders tokens are joined by spaces. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"
#include "unicode_props.h"

#include <stdio.h>
#include <string.h>

typedef struct toks {
    char **items;
    size_t n, cap;
} toks;

static void toks_clear(toks *t) {
    for (size_t i = 0; i < t->n; i++)
        mz_free(t->items[i]);
    mz_free(t->items);
    memset(t, 0, sizeof *t);
}

static int toks_push(toks *t, char *s) { /* takes s */
    if (!s || mz_grow((void **)&t->items, &t->cap, t->n + 1, sizeof *t->items)) {
        mz_free(s);
        return -1;
    }
    t->items[t->n++] = s;
    return 0;
}

/* s with every `from` replaced by `to` (a new string). */
static char *replace_all(const char *s, const char *from, const char *to) {
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = s; fl && (p = strstr(p, from)); p += fl)
        n++;
    char *out = mz_malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1), *o = out;
    if (!out) return NULL;
    for (const char *p = s;;) {
        const char *hit = fl ? strstr(p, from) : NULL;
        size_t k = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(o, p, k);
        o += k;
        if (!hit) break;
        memcpy(o, to, tl);
        o += tl;
        p = hit + fl;
    }
    *o = '\0';
    return out;
}

static char *concat(const char *a, const char *b) {
    size_t x = strlen(a), y = strlen(b);
    char *s = mz_malloc(x + y + 1);
    if (s) {
        memcpy(s, a, x);
        memcpy(s + x, b, y + 1);
    }
    return s;
}

/* WordPiece's cleanup of spaces before punctuation and English contractions. */
static char *cleanup(char *s) {
    static const char *const pairs[][2] = {{" .", "."},     {" ?", "?"},           {" !", "!"},
                                           {" ,", ","},     {" ' ", "'"},          {" n't", "n't"},
                                           {" 'm", "'m"},   {" do not", " don't"}, {" 's", "'s"},
                                           {" 've", "'ve"}, {" 're", "'re"}};
    for (size_t i = 0; s && i < sizeof pairs / sizeof *pairs; i++) {
        char *r = replace_all(s, pairs[i][0], pairs[i][1]);
        mz_free(s);
        s = r;
    }
    return s;
}

/* GPT-2's alphabet back to bytes: the inverse of the pre-tokenizer's mapping. */
static int byte_of(int32_t c) {
    if ((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || (c >= 174 && c <= 255)) return c;
    int32_t next = 256;
    for (int b = 0; b < 256; b++)
        if (!((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174)))
            if (next++ == c) return b;
    return -1;
}

/* bytes as text, each invalid byte becoming U+FFFD (from_utf8_lossy). */
static char *lossy(const unsigned char *b, size_t n) {
    char *out = mz_malloc(3 * n + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        int32_t c;
        int k = mz_uc_next((const char *)b + i, n - i, &c);
        if (k < 0) {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(o, b + i, (size_t)k);
            o += k;
            i += (size_t)k;
        }
    }
    *o = '\0';
    return out;
}

static int byte_token(const char *s, unsigned char *b) {
    unsigned v;
    char end;
    if (strlen(s) != 6 || sscanf(s, "<0x%2X%c", &v, &end) != 2 || end != '>') return 0;
    *b = (unsigned char)v;
    return 1;
}

static int apply(toks *out, const toks *in, const mz_decoder *d) {
    if (d->kind == DEC_BYTE_LEVEL || d->kind == DEC_FUSE) {
        size_t len = 0;
        for (size_t i = 0; i < in->n; i++)
            len += strlen(in->items[i]);
        unsigned char *buf = mz_malloc(len + 1), *o = buf;
        if (!buf) return -1;
        for (size_t i = 0; i < in->n; i++) {
            const char *s = in->items[i];
            for (size_t k = 0; s[k];) {
                int32_t c;
                int n = mz_uc_next(s + k, strlen(s + k), &c),
                    b = d->kind == DEC_BYTE_LEVEL ? byte_of(c) : -1;
                if (n < 0) n = 1;
                if (b >= 0)
                    *o++ = (unsigned char)b;
                else
                    memcpy(o, s + k, (size_t)n), o += n;
                k += (size_t)n;
            }
        }
        int rc = toks_push(out, lossy(buf, (size_t)(o - buf)));
        mz_free(buf);
        return rc;
    }
    if (d->kind == DEC_BYTE_FALLBACK) {
        unsigned char bytes[4096];
        size_t nb = 0;
        for (size_t i = 0; i <= in->n; i++) {
            unsigned char b;
            if (i < in->n && nb < sizeof bytes && byte_token(in->items[i], &b)) {
                bytes[nb++] = b;
                continue;
            }
            if (nb && toks_push(out, lossy(bytes, nb))) return -1;
            nb = 0;
            if (i < in->n && toks_push(out, mz_strdup(in->items[i]))) return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < in->n; i++) {
        const char *s = in->items[i];
        char *r = NULL;
        if (d->kind == DEC_WORDPIECE) {
            size_t pl = strlen(d->a);
            r = i == 0 ? mz_strdup(s) : !strncmp(s, d->a, pl) ? mz_strdup(s + pl) : concat(" ", s);
            if (d->cleanup) r = cleanup(r);
        } else if (d->kind == DEC_METASPACE) {
            r = replace_all(s, d->a, " ");
            if (r && i == 0 && d->prepend && r[0] == ' ') memmove(r, r + 1, strlen(r));
        } else if (d->kind == DEC_BPE_SUFFIX) {
            r = replace_all(s, d->a, i + 1 == in->n ? "" : " ");
        } else if (d->kind == DEC_REPLACE) {
            r = replace_all(s, d->a, d->b);
        } else { /* DEC_STRIP: up to start leading and stop trailing `content` characters */
            size_t len = strlen(s), cl = strlen(d->a), a = 0, b = len;
            for (int k = 0; k < d->start && b - a >= cl && !strncmp(s + a, d->a, cl); k++)
                a += cl;
            for (int k = 0; k < d->stop && b - a >= cl && !strncmp(s + b - cl, d->a, cl); k++)
                b -= cl;
            r = mz_strndup(s + a, b - a);
        }
        if (toks_push(out, r)) return -1;
    }
    return 0;
}

mz_status mz_tokenizer_decode(char **text, const mz_tokenizer *t, const int32_t *ids, size_t n,
                              int skip_special, mz_ctx *ctx) {
    *text = NULL;
    toks a = {0}, b = {0};
    int err = 0;
    for (size_t i = 0; i < n && !err; i++) {
        const char *tok = mz_tokenizer_token(t, ids[i]);
        if (!tok) {
            toks_clear(&a);
            return mz_fail(ctx, MZ_ERR_INPUT, NULL, "id %d is not in the vocabulary", ids[i]);
        }
        if (skip_special && t->is_special && (size_t)ids[i] < t->is_special_cap &&
            t->is_special[ids[i]])
            continue;
        err = toks_push(&a, mz_strdup(tok));
    }
    for (size_t k = 0; k < t->n_decs && !err; k++) {
        err = apply(&b, &a, &t->decs[k]);
        toks_clear(&a);
        a = b;
        memset(&b, 0, sizeof b);
    }
    size_t len = 0;
    for (size_t i = 0; i < a.n; i++)
        len += strlen(a.items[i]) + 1;
    char *out = err ? NULL : mz_malloc(len + 1), *o = out;
    for (size_t i = 0; out && i < a.n; i++) {
        if (i && !t->n_decs) *o++ = ' ';
        size_t l = strlen(a.items[i]);
        memcpy(o, a.items[i], l);
        o += l;
    }
    if (out) *o = '\0';
    toks_clear(&a);
    if (!out) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory while decoding");
    *text = out;
    return MZ_OK;
}
