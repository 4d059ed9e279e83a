/* Text helpers for the results and the report: UTF-8 checks and repairs, and formatted strings
 * of any length (no fixed buffer can truncate a probe word or a path). */
#include "results_internal.h"

#include "mizani/alloc.h"

#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t sequence(const char *s, size_t n) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
    return k > 0 && cp >= 0 ? (size_t)k : 0;
}

int mz_utf8_valid(const char *s, size_t len) {
    for (size_t i = 0; i < len;) {
        size_t k = sequence(s + i, len - i);
        if (!k) return 0;
        i += k;
    }
    return 1;
}

char *mz_utf8_repair(const char *s) {
    size_t len = strlen(s);
    char *out = mz_malloc(3 * len + 1); /* each bad byte becomes three */
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t k = sequence(s + i, len - i);
        if (k) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

char *mz_vstrf(const char *fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) return NULL;
    char *s = mz_malloc((size_t)n + 1);
    if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *mz_strf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *s = mz_vstrf(fmt, ap);
    va_end(ap);
    return s;
}

char *mz_utf8_prefix(const char *s, size_t max_chars, int *cut) {
    size_t len = strlen(s), i = 0, chars = 0;
    while (i < len && chars < max_chars) {
        size_t k = sequence(s + i, len - i);
        i += k ? k : 1;
        chars++;
    }
    *cut = i < len;
    char *out = mz_malloc(i + 4);
    if (!out) return NULL;
    memcpy(out, s, i);
    memcpy(out + i, *cut ? "\xE2\x80\xA6" : "", *cut ? 4 : 1);
    return out;
}
