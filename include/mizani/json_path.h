/* Where a value sits in JSON text: the line of the value at a path such as
 * "$.targets[1].words[3]", so that messages about parsed JSON can say file:line. */
#ifndef MIZANI_JSON_PATH_H
#define MIZANI_JSON_PATH_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The 1-based line where the value at `path` starts in text[0..len), or 0 when the text has
 * no such value (or is not well-formed JSON on the way to it). */
long mz_json_path_line(const char *text, size_t len, const char *path);

#ifdef __cplusplus
}
#endif
#endif
