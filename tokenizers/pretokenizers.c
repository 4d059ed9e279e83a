/* Pre-tokenisers: cut a normalised string into words, each keeping its bytes' spans. Regular
 * expressions (GPT-2's pattern, Split) run in ICU over the UTF-8 text directly. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"
#include "unicode_props.h"

#include <string.h>
#include <unicode/uregex.h>
#include <unicode/utext.h>

#define METASPACE "\xE2\x96\x81" /* U+2581 */

void mz_words_reset(mz_words *w) {
    for (size_t i = 0; i < w->n; i++)
        mz_nstr_reset(&w->items[i]);
    w->n = 0;
}

void mz_words_free(mz_words *w) {
    for (size_t i = 0; i < w->cap; i++)
        mz_nstr_free(&w->items[i]);
    mz_free(w->items);
    memset(w, 0, sizeof *w);
}

/* A new, empty word at the end of the list. */
static mz_nstr *new_word(mz_words *w) {
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 16;
        mz_nstr *items = mz_realloc(w->items, cap * sizeof *items);
        if (!items) return NULL;
        memset(items + w->cap, 0, (cap - w->cap) * sizeof *items);
        w->items = items;
        w->cap = cap;
    }
    mz_nstr *n = &w->items[w->n++];
    mz_nstr_reset(n);
    return n;
}

static int add_range(mz_words *w, const mz_nstr *s, size_t a, size_t b) {
    if (a >= b) return 0;
    mz_nstr *n = new_word(w);
    if (!n) return -1;
    for (size_t i = a; i < b; i++)
        if (mz_nstr_push(n, s->s + i, 1, s->o0[i], s->o1[i])) return -1;
    return 0;
}

/* BERT: whitespace separates (and is dropped); each punctuation character stands alone. */
static int split_chars(mz_words *w, const mz_nstr *s, int punct_alone, int (*drop)(int32_t)) {
    size_t start = 0;
    for (size_t i = 0; i < s->len;) {
        int32_t c;
        int n = mz_uc_next(s->s + i, s->len - i, &c);
        if (n < 0) return -1;
        int alone = punct_alone && mz_uc_is_punctuation(c);
        if (drop(c) || alone) {
            if (add_range(w, s, start, i)) return -1;
            if (alone && add_range(w, s, i, i + (size_t)n)) return -1;
            start = i + (size_t)n;
        }
        i += (size_t)n;
    }
    return add_range(w, s, start, s->len);
}

static int never(int32_t c) { return (void)c, 0; }

/* Digits: runs of digits (or each digit) isolated from the rest. */
static int split_digits(mz_words *w, const mz_nstr *s, int individual) {
    size_t start = 0;
    int prev_digit = -1;
    for (size_t i = 0; i < s->len;) {
        int32_t c;
        int n = mz_uc_next(s->s + i, s->len - i, &c);
        if (n < 0) return -1;
        int digit = c >= '0' && c <= '9';
        if (i > start && (digit != prev_digit || (digit && individual))) {
            if (add_range(w, s, start, i)) return -1;
            start = i;
        }
        prev_digit = digit;
        i += (size_t)n;
    }
    return add_range(w, s, start, s->len);
}

/* Regex split with HF's delimiter behaviours; invert swaps matches and gaps. */
static int split_regex(mz_words *w, const mz_nstr *s, URegularExpression *re, int behavior,
                       int invert, const URegularExpression **failed) {
    UErrorCode err = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, s->s, (int64_t)s->len, &err);
    uregex_setUText(re, ut, &err);
    size_t pos = 0, pending = 0; /* pending: start of a gap to merge with the next match */
    int have_pending = 0;
    while (U_SUCCESS(err) && uregex_findNext(re, &err)) {
        size_t a = (size_t)uregex_start64(re, 0, &err), b = (size_t)uregex_end64(re, 0, &err);
        if (a == b) continue;
        size_t ga = have_pending ? pending : pos;
        have_pending = 0;
        if (invert) { /* matches are the words, gaps are the delimiters */
            if (add_range(w, s, a, b)) goto fail;
        } else if (behavior == 0) { /* removed */
            if (add_range(w, s, ga, a)) goto fail;
        } else if (behavior == 1) { /* isolated */
            if (add_range(w, s, ga, a) || add_range(w, s, a, b)) goto fail;
        } else if (behavior == 2) { /* merged with previous */
            if (add_range(w, s, ga, b)) goto fail;
        } else if (behavior == 3) { /* merged with next */
            if (add_range(w, s, ga, a)) goto fail;
            pending = a;
            have_pending = 1;
        } else { /* contiguous: consecutive delimiters join */
            if (ga < a && add_range(w, s, ga, a)) goto fail;
            if (w->n && !(ga < a) && pos == a && pos > 0) {
                mz_nstr *last = &w->items[w->n - 1];
                for (size_t i = a; i < b; i++)
                    if (mz_nstr_push(last, s->s + i, 1, s->o0[i], s->o1[i])) goto fail;
            } else if (add_range(w, s, a, b))
                goto fail;
        }
        pos = b;
    }
    if (U_FAILURE(err)) { /* past the step budget, or ICU failed otherwise */
        utext_close(ut);
        *failed = re;
        return MZ_TOK_REGEX;
    }
    if (!invert && add_range(w, s, have_pending ? pending : pos, s->len)) goto fail;
    utext_close(ut);
    return 0;
fail:
    utext_close(ut);
    return MZ_TOK_NOMEM;
}

/* GPT-2's alphabet: printable bytes stand for themselves, the others for 256 + n. */
static int32_t byte_char(unsigned char b) {
    static int32_t table[256];
    static int ready;
    if (!ready) {
        int32_t next = 256;
        for (int i = 0; i < 256; i++)
            table[i] = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || (i >= 174) ? i : next++;
        ready = 1;
    }
    return table[b];
}

static int to_byte_level(mz_nstr *out, const mz_nstr *in) {
    mz_nstr tmp = {0};
    for (size_t i = 0; i < in->len; i++) {
        char buf[4];
        int32_t c = byte_char((unsigned char)in->s[i]);
        size_t n = c < 0x80 ? 1 : 2;
        if (n == 1)
            buf[0] = (char)c;
        else {
            buf[0] = (char)(0xC0 | (c >> 6));
            buf[1] = (char)(0x80 | (c & 0x3F));
        }
        if (mz_nstr_push(&tmp, buf, n, in->o0[i], in->o1[i])) {
            mz_nstr_free(&tmp);
            return -1;
        }
    }
    mz_nstr_free(out);
    *out = tmp;
    return 0;
}

/* Metaspace: spaces become U+2581, one is prepended, and each word starts at one. */
static int metaspace(mz_words *w, const mz_nstr *s, const mz_pretokenizer *p, int first) {
    mz_nstr m = {0};
    int rc = 0;
    if (s->len && (p->prepend_always || first) && s->s[0] != ' ' &&
        strncmp(s->s, METASPACE, 3) != 0)
        rc = mz_nstr_push(&m, METASPACE, 3, s->o0[0], s->o1[0]);
    for (size_t i = 0; i < s->len && !rc; i++)
        rc = s->s[i] == ' ' ? mz_nstr_push(&m, METASPACE, 3, s->o0[i], s->o1[i])
                            : mz_nstr_push(&m, s->s + i, 1, s->o0[i], s->o1[i]);
    size_t start = 0;
    for (size_t i = 0; !rc && p->split && i + 3 <= m.len; i++)
        if (i > start && !memcmp(m.s + i, METASPACE, 3)) {
            rc = add_range(w, &m, start, i);
            start = i;
        }
    if (!rc) rc = add_range(w, &m, start, m.len);
    mz_nstr_free(&m);
    return rc;
}

static int is_ws(int32_t c) { return mz_uc_is_whitespace(c); }

static int apply(mz_words *out, const mz_nstr *s, const mz_pretokenizer *p, int first,
                 const URegularExpression **failed) {
    switch (p->kind) {
    case PRE_BERT: return split_chars(out, s, 1, is_ws);
    case PRE_WHITESPACE_SPLIT: return split_chars(out, s, 0, is_ws);
    case PRE_PUNCTUATION: return split_chars(out, s, 1, never);
    case PRE_DIGITS: return split_digits(out, s, p->individual_digits);
    case PRE_WHITESPACE: return split_regex(out, s, p->regex, 0, 1, failed);
    case PRE_SPLIT_REGEX: return split_regex(out, s, p->regex, p->behavior, p->invert, failed);
    case PRE_METASPACE: return metaspace(out, s, p, first);
    case PRE_BYTE_LEVEL: {
        size_t from = out->n;
        mz_nstr spaced = {0};
        const mz_nstr *src = s;
        if (p->add_prefix_space && s->len && s->s[0] != ' ') {
            /* the added space covers nothing of the original: an empty span at the start */
            if (mz_nstr_push(&spaced, " ", 1, s->o0[0], s->o0[0])) return -1;
            for (size_t i = 0; i < s->len; i++)
                if (mz_nstr_push(&spaced, s->s + i, 1, s->o0[i], s->o1[i])) return -1;
            src = &spaced;
        }
        int rc = p->use_regex ? split_regex(out, src, p->regex, 1, 0, failed)
                              : add_range(out, src, 0, src->len);
        mz_nstr_free(&spaced);
        for (size_t i = from; !rc && i < out->n; i++)
            rc = to_byte_level(&out->items[i], &out->items[i]);
        return rc;
    }
    }
    return -1;
}

int mz_pretokenize(mz_words *words, const mz_nstr *text, const mz_pretokenizer *pres, size_t n,
                   const URegularExpression **failed) {
    mz_words_reset(words);
    if (n == 0) return add_range(words, text, 0, text->len);
    mz_words a = {0}, b = {0};
    int rc = add_range(&a, text, 0, text->len);
    for (size_t k = 0; k < n && !rc; k++) {
        mz_words_reset(&b);
        for (size_t i = 0; i < a.n && !rc; i++)
            rc = apply(&b, &a.items[i], &pres[k], i == 0, failed);
        mz_words t = a;
        a = b;
        b = t;
    }
    for (size_t i = 0; i < a.n && !rc; i++)
        rc = add_range(words, &a.items[i], 0, a.items[i].len);
    mz_words_free(&a);
    mz_words_free(&b);
    return rc;
}

void mz_pretokenizer_clear(mz_pretokenizer *p) {
    if (p->regex) uregex_close(p->regex);
    memset(p, 0, sizeof *p);
}
