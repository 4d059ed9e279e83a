/* Fault injection: the Nth allocation fails, the others succeed. */
#include "check.h"
#include "mizani/alloc.h"

int main(void) {
    mz_alloc_fail_at(2);
    void *a = mz_malloc(16), *b = mz_malloc(16), *c = mz_malloc(16);
    CHECK(a != NULL);
    CHECK(b == NULL);
    CHECK(c != NULL);
    CHECK_INT(mz_alloc_count(), 3);
    mz_free(a);
    mz_free(c);

    mz_alloc_fail_at(1);
    char *s = mz_strdup("mizani");
    CHECK(s == NULL);
    s = mz_strdup("mizani");
    CHECK_STR(s, "mizani");
    mz_free(s);

    mz_alloc_fail_at(0);
    int *items = NULL;
    size_t cap = 0;
    CHECK_INT(mz_grow((void **)&items, &cap, 100, sizeof *items), 0);
    CHECK(cap >= 100);
    for (int i = 0; i < 100; i++)
        items[i] = i;
    mz_alloc_fail_at(1);
    CHECK_INT(mz_grow((void **)&items, &cap, 1000, sizeof *items), -1);
    CHECK_INT(items[99], 99); /* a failed grow keeps the old array */
    CHECK_INT(mz_grow((void **)&items, &cap, (size_t)-1, 1024), -1); /* overflow refused */
    mz_alloc_fail_at(0);
    mz_free(items);
    return mz_check_result("test_alloc");
}
