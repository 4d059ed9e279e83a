/* Every allocation in Mizani goes through these, so tests can make the Nth one fail
 * and check that each error path frees what it took and reports MZ_ERR_NOMEM. */
#ifndef MIZANI_ALLOC_H
#define MIZANI_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void *mz_malloc(size_t size);
void *mz_calloc(size_t count, size_t size);
void *mz_realloc(void *ptr, size_t size);
/* Grows an array by doubling: *items is resized to hold at least `need` elements. 0 on success. */
int mz_grow(void **items, size_t *capacity, size_t need, size_t item_size);
char *mz_strdup(const char *s);
char *mz_strndup(const char *s, size_t n);
void mz_free(void *ptr);

/* Fault injection, for tests: the `n`th allocation from now (1 = the next) fails, and
 * every one after it succeeds again. n = 0 turns injection off. */
void mz_alloc_fail_at(long n);
/* Allocations made since the last mz_alloc_fail_at() call. */
long mz_alloc_count(void);

#ifdef __cplusplus
}
#endif
#endif
