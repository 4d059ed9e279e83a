/* Normalisers. Each rewrites the string character by character (NFx: combining sequence by
 * combining sequence), giving every output byte the original span of what it came from. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"
#include "unicode_props.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/uregex.h>
#include <unicode/utext.h>
#include <utf8proc.h>

static int push_cp(mz_nstr *out, int32_t c, uint32_t o0, uint32_t o1) {
    utf8proc_uint8_t buf[4];
    utf8proc_ssize_t n = utf8proc_encode_char(c, buf);
    return mz_nstr_push(out, (const char *)buf, (size_t)n, o0, o1);
}

/* BertNormalizer: clean text, pad CJK, strip accents (after NFD), lowercase, in HF's order. */
static int bert_char(mz_nstr *out, int32_t c, const char *bytes, int blen, uint32_t o0, uint32_t o1,
                     const mz_normalizer *nm) {
    if (nm->clean_text) {
        if (c == 0 || c == 0xFFFD || mz_uc_is_control(c)) return 0;
        if (mz_uc_is_whitespace(c)) return mz_nstr_push(out, " ", 1, o0, o1);
    }
    if (nm->chinese_chars && mz_uc_is_cjk(c))
        return mz_nstr_push(out, " ", 1, o0, o1) ||
               mz_nstr_push(out, bytes, (size_t)blen, o0, o1) || mz_nstr_push(out, " ", 1, o0, o1);
    if (nm->strip_accents || nm->lowercase) {
        utf8proc_int32_t dec[8];
        int opts = nm->strip_accents ? UTF8PROC_DECOMPOSE : 0;
        utf8proc_ssize_t n = utf8proc_decompose_char(c, dec, 8, (utf8proc_option_t)opts, NULL);
        if (n < 0 || n > 8) return mz_nstr_push(out, bytes, (size_t)blen, o0, o1);
        for (utf8proc_ssize_t i = 0; i < n; i++) {
            if (nm->strip_accents && mz_uc_is_mark_nonspacing(dec[i])) continue;
            int32_t d = nm->lowercase ? utf8proc_tolower(dec[i]) : dec[i];
            if (push_cp(out, d, o0, o1)) return -1;
        }
        return 0;
    }
    return mz_nstr_push(out, bytes, (size_t)blen, o0, o1);
}

static int lowercase_char(mz_nstr *out, int32_t c, const char *bytes, int blen, uint32_t o0,
                          uint32_t o1, const mz_normalizer *nm) {
    (void)bytes, (void)blen, (void)nm;
    if (c == 0x130)
        return push_cp(out, 'i', o0, o1) || push_cp(out, 0x307, o0, o1); /* full mapping */
    return push_cp(out, utf8proc_tolower(c), o0, o1);
}

static int strip_accents_char(mz_nstr *out, int32_t c, const char *bytes, int blen, uint32_t o0,
                              uint32_t o1, const mz_normalizer *nm) {
    (void)nm;
    return mz_uc_is_mark_nonspacing(c) ? 0 : mz_nstr_push(out, bytes, (size_t)blen, o0, o1);
}

typedef int (*char_fn)(mz_nstr *, int32_t, const char *, int, uint32_t, uint32_t,
                       const mz_normalizer *);

static int map_chars(mz_nstr *out, const mz_nstr *in, char_fn fn, const mz_normalizer *nm) {
    mz_nstr_reset(out);
    for (size_t i = 0; i < in->len;) {
        int32_t c;
        int n = mz_uc_next(in->s + i, in->len - i, &c);
        if (n < 0) return -1; /* the input was validated: cannot happen */
        if (fn(out, c, in->s + i, n, in->o0[i], in->o1[i + (size_t)n - 1], nm)) return -1;
        i += (size_t)n;
    }
    return 0;
}

#define SEQ_MAX 64 /* characters of one combining sequence that keep their own spans */

/* NFC/NFD/NFKC/NFKD one combining sequence (a starter and the marks after it) at a time.
 * Spans follow Hugging Face's alignment: output characters take the spans of input
 * characters in order; a composed character takes its starter's span and the marks it
 * absorbed vanish; characters a decomposition adds share the span of their source. */
static int unicode_normalize(mz_nstr *out, const mz_nstr *in, int options) {
    mz_nstr_reset(out);
    size_t starts[SEQ_MAX + 1];
    for (size_t i = 0; i < in->len;) {
        size_t j = i, k = 0;
        int32_t c;
        int n = mz_uc_next(in->s + j, in->len - j, &c);
        starts[k++] = j;
        j += (size_t)n;
        while (j < in->len && (n = mz_uc_next(in->s + j, in->len - j, &c)) > 0 &&
               utf8proc_get_property(c)->combining_class != 0) {
            if (k < SEQ_MAX) starts[k++] = j;
            j += (size_t)n;
        }
        starts[k] = j;
        utf8proc_uint8_t *mapped = NULL;
        utf8proc_ssize_t m =
            utf8proc_map((const utf8proc_uint8_t *)in->s + i, (utf8proc_ssize_t)(j - i), &mapped,
                         (utf8proc_option_t)(UTF8PROC_STABLE | options));
        size_t n_out = 0;
        for (utf8proc_ssize_t b = 0; m > 0 && b < m; b++)
            n_out += (mapped[b] & 0xC0) != 0x80;
        int rc = m < 0;
        for (utf8proc_ssize_t b = 0, o = 0; !rc && b < m; o++) {
            int len = mz_uc_next((const char *)mapped + b, (size_t)(m - b), &c);
            size_t src = n_out < k ? (o == 0 ? 0 : k - n_out + (size_t)o)
                                   : ((size_t)o < k ? (size_t)o : k - 1);
            rc = len < 0 || mz_nstr_push(out, (const char *)mapped + b, (size_t)len,
                                         in->o0[starts[src]], in->o1[starts[src + 1] - 1]);
            b += len;
        }
        free(mapped);
        if (rc) return -1;
        i = j;
    }
    return 0;
}

static int replace_literal(mz_nstr *out, const mz_nstr *in, const char *pattern, const char *with) {
    size_t plen = strlen(pattern), wlen = strlen(with);
    mz_nstr_reset(out);
    for (size_t i = 0; i < in->len;) {
        if (plen && i + plen <= in->len && !memcmp(in->s + i, pattern, plen)) {
            /* HF aligns the replacement with the last character replaced */
            size_t last = i + plen - 1;
            if (wlen && mz_nstr_push(out, with, wlen, in->o0[last], in->o1[last])) return -1;
            i += plen;
        } else {
            if (mz_nstr_push(out, in->s + i, 1, in->o0[i], in->o1[i])) return -1;
            i++;
        }
    }
    return 0;
}

/* Replace with a regular expression (ICU over the UTF-8 text); alignment as for literals. */
static int replace_regex(mz_nstr *out, const mz_nstr *in, struct URegularExpression *re,
                         const char *with, const struct URegularExpression **failed) {
    UErrorCode err = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, in->s, (int64_t)in->len, &err);
    uregex_setUText(re, ut, &err);
    size_t pos = 0, wlen = strlen(with);
    int rc = 0;
    mz_nstr_reset(out);
    while (!rc && U_SUCCESS(err) && uregex_findNext(re, &err)) {
        size_t a = (size_t)uregex_start64(re, 0, &err), b = (size_t)uregex_end64(re, 0, &err);
        if (a == b) continue;
        for (; !rc && pos < a; pos++)
            rc = mz_nstr_push(out, in->s + pos, 1, in->o0[pos], in->o1[pos]);
        if (!rc && wlen) rc = mz_nstr_push(out, with, wlen, in->o0[b - 1], in->o1[b - 1]);
        pos = b;
    }
    for (; !rc && pos < in->len; pos++)
        rc = mz_nstr_push(out, in->s + pos, 1, in->o0[pos], in->o1[pos]);
    utext_close(ut);
    if (!rc && U_FAILURE(err)) *failed = re, rc = MZ_TOK_REGEX;
    return rc;
}

static int strip(mz_nstr *out, const mz_nstr *in, int left, int right) {
    size_t a = 0, b = in->len;
    int32_t c;
    int n;
    while (left && a < b && (n = mz_uc_next(in->s + a, b - a, &c)) > 0 && mz_uc_is_whitespace(c))
        a += (size_t)n;
    while (right && b > a) {
        size_t k = b - 1;
        while (k > a && ((unsigned char)in->s[k] & 0xC0) == 0x80)
            k--;
        if (mz_uc_next(in->s + k, b - k, &c) < 0 || !mz_uc_is_whitespace(c)) break;
        b = k;
    }
    mz_nstr_reset(out);
    for (size_t i = a; i < b; i++)
        if (mz_nstr_push(out, in->s + i, 1, in->o0[i], in->o1[i])) return -1;
    return 0;
}

static int prepend(mz_nstr *out, const mz_nstr *in, const char *content) {
    mz_nstr_reset(out);
    if (in->len == 0) return 0;
    if (mz_nstr_push(out, content, strlen(content), in->o0[0], in->o1[0])) return -1;
    for (size_t i = 0; i < in->len; i++)
        if (mz_nstr_push(out, in->s + i, 1, in->o0[i], in->o1[i])) return -1;
    return 0;
}

static int apply(mz_nstr *out, const mz_nstr *in, const mz_normalizer *nm,
                 const struct URegularExpression **failed) {
    switch (nm->kind) {
    case NORM_BERT: return map_chars(out, in, bert_char, nm);
    case NORM_LOWERCASE: return map_chars(out, in, lowercase_char, nm);
    case NORM_STRIP_ACCENTS: return map_chars(out, in, strip_accents_char, nm);
    case NORM_NFC: return unicode_normalize(out, in, UTF8PROC_COMPOSE);
    case NORM_NFD: return unicode_normalize(out, in, UTF8PROC_DECOMPOSE);
    case NORM_NFKC: return unicode_normalize(out, in, UTF8PROC_COMPOSE | UTF8PROC_COMPAT);
    case NORM_NFKD: return unicode_normalize(out, in, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT);
    case NORM_REPLACE:
        return nm->regex ? replace_regex(out, in, nm->regex, nm->content, failed)
                         : replace_literal(out, in, nm->pattern, nm->content);
    case NORM_PREPEND: return prepend(out, in, nm->content);
    case NORM_STRIP: return strip(out, in, nm->strip_left, nm->strip_right);
    case NORM_PRECOMPILED: return mz_charsmap_normalize(out, in, nm->charsmap);
    }
    return -1;
}

int mz_normalize(mz_nstr *text, mz_nstr *scratch, const mz_normalizer *norms, size_t n,
                 const struct URegularExpression **failed) {
    for (size_t i = 0; i < n; i++) {
        int rc = apply(scratch, text, &norms[i], failed);
        if (rc) return rc;
        mz_nstr_swap(text, scratch);
    }
    return 0;
}

void mz_normalizer_clear(mz_normalizer *n) {
    mz_free(n->pattern);
    mz_free(n->content);
    mz_charsmap_free(n->charsmap);
    if (n->regex) uregex_close(n->regex);
    memset(n, 0, sizeof *n);
}
