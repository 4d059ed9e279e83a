/* UTF-8 validation through utf8proc (surrogates and code points past U+10FFFF are invalid). */
#include "mizani/utf8.h"

#include <utf8proc.h>

size_t mz_utf8_invalid_at(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0) return i + 1;
        i += (size_t)n;
    }
    return 0;
}
