/* Reading golden files in tests: numbers and arrays out of jansson objects. */
#ifndef MZ_TESTS_GOLDEN_JSON_H
#define MZ_TESTS_GOLDEN_JSON_H

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static inline json_t *golden_load(const char *path) {
    json_error_t err;
    json_t *j = json_load_file(path, 0, &err);
    if (!j) fprintf(stderr, "%s:%d: %s\n", path, err.line, err.text);
    return j;
}

static inline double golden_num(const json_t *o, const char *key) {
    return json_number_value(json_object_get(o, key));
}

/* A JSON array of numbers as a malloc'd double array; *n gets its length. */
static inline double *golden_doubles(const json_t *a, size_t *n) {
    *n = json_array_size(a);
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    for (size_t i = 0; v && i < *n; i++)
        v[i] = json_number_value(json_array_get(a, i));
    return v;
}

/* A JSON array of arrays (rows) as a malloc'd row-major float matrix. */
static inline float *golden_matrix(const json_t *a, size_t *rows, size_t *cols) {
    *rows = json_array_size(a);
    *cols = *rows ? json_array_size(json_array_get(a, 0)) : 0;
    size_t count = *rows * *cols;
    float *m = malloc((count ? count : 1) * sizeof *m);
    for (size_t i = 0; m && i < *rows; i++)
        for (size_t j = 0; j < *cols; j++)
            m[i * *cols + j] = (float)json_number_value(json_array_get(json_array_get(a, i), j));
    return m;
}

#endif
