/* Internal to tokenizers/: the character classes Hugging Face's tokenizers use (Rust's
 * char::is_whitespace, the P* punctuation categories, BERT's CJK ranges). */
#ifndef MZ_UNICODE_PROPS_H
#define MZ_UNICODE_PROPS_H

#include <stddef.h>
#include <stdint.h>

int mz_uc_is_whitespace(int32_t c);  /* Unicode White_Space */
int mz_uc_is_punctuation(int32_t c); /* ASCII punctuation or a P* category */
int mz_uc_is_control(int32_t c);     /* BERT: category C* except tab, newline, return */
int mz_uc_is_cjk(int32_t c);         /* BERT's CJK ideograph blocks */
int mz_uc_is_mark_nonspacing(int32_t c);
/* Decodes one code point at s[0..len); returns its byte length, or -1 when not UTF-8. */
int mz_uc_next(const char *s, size_t len, int32_t *c);

#endif
