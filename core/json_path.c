/* A minimal JSON scanner that follows a path and counts lines: jansson reports lines only
 * for syntax errors, and a reviewer fixing a probe file wants the line of a bad word. */
#include "mizani/json_path.h"

#include <stdlib.h>
#include <string.h>

typedef struct scanner {
    const char *p, *end;
    long line;
} scanner;

static void skip_ws(scanner *s) {
    while (s->p < s->end && strchr(" \t\r\n", *s->p))
        s->line += *s->p++ == '\n';
}

/* Past a string starting at '"'; key/key_len receive its raw contents. 0 on error. */
static int skip_string(scanner *s, const char **key, size_t *key_len) {
    if (s->p >= s->end || *s->p != '"') return 0;
    const char *start = ++s->p;
    while (s->p < s->end && *s->p != '"')
        s->p += *s->p == '\\' ? 2 : 1;
    if (s->p >= s->end) return 0;
    if (key) *key = start, *key_len = (size_t)(s->p - start);
    s->p++;
    return 1;
}

static int skip_value(scanner *s, int depth);

/* Past the members of an object or array whose opener is at s->p. */
static int skip_container(scanner *s, int depth) {
    char close = *s->p == '{' ? '}' : ']';
    int object = close == '}';
    s->p++;
    for (;;) {
        skip_ws(s);
        if (s->p < s->end && *s->p == close) return s->p++, 1;
        if (object) {
            if (!skip_string(s, NULL, NULL)) return 0;
            skip_ws(s);
            if (s->p >= s->end || *s->p++ != ':') return 0;
        }
        if (!skip_value(s, depth + 1)) return 0;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',')
            s->p++;
        else if (s->p >= s->end || *s->p != close)
            return 0;
    }
}

static int skip_value(scanner *s, int depth) {
    skip_ws(s);
    if (s->p >= s->end || depth > 512) return 0;
    if (*s->p == '"') return skip_string(s, NULL, NULL);
    if (*s->p == '{' || *s->p == '[') return skip_container(s, depth);
    while (s->p < s->end && !strchr(",]} \t\r\n", *s->p))
        s->p++; /* number or literal */
    return 1;
}

/* Descends along path (after "$") from the value at s->p; returns its line or 0. */
static long follow(scanner *s, const char *path) {
    skip_ws(s);
    if (*path == '\0') return s->p < s->end ? s->line : 0;
    if (s->p >= s->end) return 0;
    if (path[0] == '.' && *s->p == '{') {
        size_t want = strcspn(path + 1, ".[");
        s->p++;
        for (;;) {
            const char *key;
            size_t key_len;
            skip_ws(s);
            if (!skip_string(s, &key, &key_len)) return 0;
            skip_ws(s);
            if (s->p >= s->end || *s->p++ != ':') return 0;
            if (key_len == want && !strncmp(key, path + 1, want)) return follow(s, path + 1 + want);
            if (!skip_value(s, 0)) return 0;
            skip_ws(s);
            if (s->p >= s->end || *s->p++ != ',') return 0;
        }
    }
    if (path[0] == '[' && *s->p == '[') {
        char *after;
        long index = strtol(path + 1, &after, 10);
        if (*after != ']' || index < 0) return 0;
        s->p++;
        for (long i = 0;; i++) {
            skip_ws(s);
            if (i == index) return follow(s, after + 1);
            if (!skip_value(s, 0)) return 0;
            skip_ws(s);
            if (s->p >= s->end || *s->p++ != ',') return 0;
        }
    }
    return 0;
}

long mz_json_path_line(const char *text, size_t len, const char *path) {
    if (!text || !path || path[0] != '$') return 0;
    scanner s = {text, text + len, 1};
    return follow(&s, path + 1);
}
