/* What the results tree's files share inside reports/: the tree's layout, text helpers, and
 * the HTML writer's entry points. Not a public API. */
#ifndef MZ_RESULTS_INTERNAL_H
#define MZ_RESULTS_INTERNAL_H

#include "mizani/results.h"

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

#define MZ_J(node) ((json_t *)(node))

struct mz_results {
    json_t *root;
    mz_ctx *ctx;
    mz_status status; /* the first failed insertion; later ones do nothing */
};

/* A tree around a document already built (loaded); takes the reference. NULL: no memory. */
mz_results *mz_results_wrap(json_t *root, mz_ctx *ctx);
/* A JSON number, or null when x is not finite. */
json_t *mz_json_number(double x);

/* ---- text.c --------------------------------------------------------------------------------- */
int mz_utf8_valid(const char *s, size_t len);
/* A copy of s in which every byte that does not start a valid UTF-8 sequence is U+FFFD. */
char *mz_utf8_repair(const char *s);
/* printf into a new string (mz_free); NULL when out of memory. */
char *mz_vstrf(const char *fmt, va_list ap);
char *mz_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* At most max_chars code points of s, cut at a character boundary, with "…" appended when
 * shortened (*cut set to 1); a new string (mz_free). */
char *mz_utf8_prefix(const char *s, size_t max_chars, int *cut);

#endif
