/* A tiny assertion helper: each CHECK prints file:line and what differed on failure, the
 * test keeps going to show every failure, and main returns mz_check_result() so ctest sees
 * a non-zero exit for any mismatch. */
#ifndef MZ_TESTS_CHECK_H
#define MZ_TESTS_CHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int mz_check_failures;
static int mz_check_count;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        mz_check_count++;                                                            \
        if (!(cond)) {                                                               \
            mz_check_failures++;                                                     \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_INT(got, want)                                                                     \
    do {                                                                                         \
        long long g_ = (long long)(got), w_ = (long long)(want);                                 \
        mz_check_count++;                                                                        \
        if (g_ != w_) {                                                                          \
            mz_check_failures++;                                                                 \
            fprintf(stderr, "%s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
        }                                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                                \
    do {                                                                                    \
        const char *g_ = (got), *w_ = (want);                                               \
        mz_check_count++;                                                                   \
        if (!g_ || strcmp(g_, w_) != 0) {                                                   \
            mz_check_failures++;                                                            \
            fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got, \
                    g_ ? g_ : "(null)", w_);                                                \
        }                                                                                   \
    } while (0)

/* |got - want| <= tol, printing both with full precision otherwise. */
#define CHECK_NEAR(got, want, tol)                                                                 \
    do {                                                                                           \
        double g_ = (double)(got), w_ = (double)(want);                                            \
        mz_check_count++;                                                                          \
        if (!(fabs(g_ - w_) <= (tol))) {                                                           \
            mz_check_failures++;                                                                   \
            fprintf(stderr, "%s:%d: %s is %.17g, want %.17g (tolerance %g)\n", __FILE__, __LINE__, \
                    #got, g_, w_, (double)(tol));                                                  \
        }                                                                                          \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                   \
    do {                                                                                   \
        const char *h_ = (haystack), *n_ = (needle);                                       \
        mz_check_count++;                                                                  \
        if (!h_ || !strstr(h_, n_)) {                                                      \
            mz_check_failures++;                                                           \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
                    h_ ? h_ : "(null)", n_);                                               \
        }                                                                                  \
    } while (0)

/* Everything written to a tmpfile so far, as a string (caller frees). */
static inline char *slurp(FILE *f) {
    long n = ftell(f);
    rewind(f);
    char *s = calloc(1, (size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = '\0';
    return s;
}

static inline int mz_check_result(const char *name) {
    printf("%s: %d checks, %d failed\n", name, mz_check_count, mz_check_failures);
    return mz_check_failures ? 1 : 0;
}

#endif
