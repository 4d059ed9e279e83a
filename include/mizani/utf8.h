/* UTF-8 validation shared by every reader of text files (vectors, vocabularies, merges,
 * word lists): a line that is not UTF-8 is reported where it is, never skipped or guessed. */
#ifndef MIZANI_UTF8_H
#define MIZANI_UTF8_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 0 when s[0..len) is valid UTF-8 (NUL bytes included), else 1 + the offset of the first bad
 * byte: a 1-based column for messages. */
size_t mz_utf8_invalid_at(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
