/* SHA-256 on FIPS 180-4's examples and against coreutils' sha256sum on a larger random input,
 * through both compressions (the CPU's SHA extensions where present, and the portable code),
 * whatever the split of the input into updates; and the speed that makes a model card's
 * identity cheap. */
#include "check.h"
#include "mizani/alloc.h"
#include "mizani/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void digest(char hex[65], const void *data, size_t len, size_t chunk) {
    mz_sha256 s;
    mz_sha256_init(&s);
    for (size_t at = 0; at < len; at += chunk)
        mz_sha256_update(&s, (const char *)data + at, len - at < chunk ? len - at : chunk);
    mz_sha256_final(&s, hex);
}

static void fips_vectors(void) {
    static const struct {
        const char *in, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
         "mnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"}};
    static const size_t chunks[] = {1, 3, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            char hex[65];
            digest(hex, v[i].in, strlen(v[i].in), chunks[c]);
            CHECK_STR(hex, v[i].hex);
        }
    char *a = mz_malloc(1000000); /* one million 'a' */
    if (!a) return;
    memset(a, 'a', 1000000);
    char hex[65];
    digest(hex, a, 1000000, 4096);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    mz_free(a);
}

/* 3 MiB + 37 bytes of random data: the digest coreutils computes, and MB/s. */
static void against_sha256sum(const unsigned char *buf, size_t n, const char *path) {
    char cmd[512], want[65] = "", hex[65];
    snprintf(cmd, sizeof cmd, "sha256sum %s", path);
    FILE *p = popen(cmd, "r");
    CHECK(p && fscanf(p, "%64s", want) == 1);
    if (p) pclose(p);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    digest(hex, buf, n, 1 << 16);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_STR(hex, want);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("  %zu bytes in %.4f s (%.0f MB/s)\n", n, s, (double)n / 1e6 / (s > 0 ? s : 1e-9));
}

int main(void) {
    size_t n = (3u << 20) + 37;
    unsigned char *buf = mz_malloc(n);
    char path[] = "/tmp/mizani-sha256-XXXXXX";
    int fd = mkstemp(path);
    CHECK(buf && fd >= 0);
    if (!buf || fd < 0) return mz_check_result("test_sha256");
    srand(5);
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)rand();
    CHECK(write(fd, buf, n) == (ssize_t)n);
    close(fd);
    for (int accel = 1; accel >= 0; accel--) {
        int on = mz_sha256_set_accelerated(accel);
        printf("%s compression\n", on ? "SHA-extension" : "portable");
        fips_vectors();
        against_sha256sum(buf, n, path);
    }
    mz_sha256_set_accelerated(1);
    unlink(path);
    mz_free(buf);
    return mz_check_result("test_sha256");
}
