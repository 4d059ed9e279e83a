/* The allocator every module uses, with a fault-injection counter for tests. */
#include "mizani/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static atomic_long fail_at;  /* 0: off; otherwise the count at which to fail */
static atomic_long n_allocs; /* allocations since the last mz_alloc_fail_at() */

void mz_alloc_fail_at(long n) {
    atomic_store(&n_allocs, 0);
    atomic_store(&fail_at, n);
}

long mz_alloc_count(void) { return atomic_load(&n_allocs); }

/* True when this allocation is the one a test asked to fail. */
static int injected_failure(void) {
    long n = atomic_fetch_add(&n_allocs, 1) + 1;
    long target = atomic_load(&fail_at);
    return target > 0 && n == target;
}

void *mz_malloc(size_t size) {
    if (injected_failure()) return NULL;
    return malloc(size ? size : 1);
}

void *mz_calloc(size_t count, size_t size) {
    if (injected_failure()) return NULL;
    return calloc(count ? count : 1, size ? size : 1);
}

void *mz_realloc(void *ptr, size_t size) {
    if (injected_failure()) return NULL;
    return realloc(ptr, size ? size : 1);
}

int mz_grow(void **items, size_t *capacity, size_t need, size_t item_size) {
    if (need <= *capacity) return 0;
    size_t cap = *capacity ? *capacity : 8;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) return -1;
        cap *= 2;
    }
    if (item_size && cap > SIZE_MAX / item_size) return -1;
    void *p = mz_realloc(*items, cap * item_size);
    if (!p) return -1;
    *items = p;
    *capacity = cap;
    return 0;
}

char *mz_strndup(const char *s, size_t n) {
    char *d = mz_malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *mz_strdup(const char *s) { return mz_strndup(s, strlen(s)); }

void mz_free(void *ptr) { free(ptr); }
