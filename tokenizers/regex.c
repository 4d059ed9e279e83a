/* ICU regular expressions for the normalisers and pre-tokenisers: compiled from UTF-8 with
 * ICU's own reason when a pattern is invalid, and bounded by a step budget, so a pattern that
 * backtracks catastrophically fails on the text that provokes it instead of running for hours. */
#include "mizani/alloc.h"
#include "tokenizer_internal.h"

#include <stdio.h>
#include <unicode/uregex.h>
#include <unicode/ustring.h>

/* ICU counts match steps in ticks of 10,000; this budget (about half a second of matching) is far
 * beyond what a real tokenizer's pattern needs for one word, even a 10 kB one. */
#define MZ_REGEX_TICKS 1000

int mz_regex_compile(struct URegularExpression **out, const char *pattern, char *why, size_t cap) {
    *out = NULL;
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0;
    u_strFromUTF8(NULL, 0, &n, pattern, -1, &err); /* the length in UTF-16 units */
    if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err)) {
        snprintf(why, cap, "the pattern is not valid UTF-8");
        return MZ_TOK_REGEX;
    }
    UChar *buf = mz_malloc(((size_t)n + 1) * sizeof *buf);
    if (!buf) return MZ_TOK_NOMEM;
    err = U_ZERO_ERROR;
    u_strFromUTF8(buf, n + 1, &n, pattern, -1, &err);
    UParseError where = {0};
    URegularExpression *re = U_SUCCESS(err) ? uregex_open(buf, n, 0, &where, &err) : NULL;
    mz_free(buf);
    if (U_SUCCESS(err)) uregex_setTimeLimit(re, MZ_REGEX_TICKS, &err);
    if (U_FAILURE(err)) {
        if (re) uregex_close(re);
        snprintf(why, cap, "%s at character %d", u_errorName(err), where.offset + 1);
        return err == U_MEMORY_ALLOCATION_ERROR ? MZ_TOK_NOMEM : MZ_TOK_REGEX;
    }
    *out = re;
    return 0;
}

void mz_regex_pattern(const struct URegularExpression *re, char *out, size_t cap) {
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = 0;
    const UChar *p = uregex_pattern(re, &n, &err);
    out[0] = '\0';
    if (U_SUCCESS(err)) u_strToUTF8(out, (int32_t)cap - 1, NULL, p, n, &err);
    out[cap - 1] = '\0';
    if (U_FAILURE(err) && err != U_BUFFER_OVERFLOW_ERROR) snprintf(out, cap, "?");
}
