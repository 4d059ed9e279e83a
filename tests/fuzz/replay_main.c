/* Runs a fuzz target without libFuzzer, as a ctest: every file of the seed corpus, then a
 * fixed number of deterministic mutations of each (bit flips, byte changes, truncations,
 * insertions). The sanitizer build turns any memory error found this way into a failure;
 * `-DMZ_FUZZ=ON` with clang builds the same targets for real coverage-guided fuzzing. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t state = 0x2545F4914F6CDD1DULL;
static uint64_t next_random(void) { /* xorshift64: the same mutations on every run */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static void mutate_and_run(const uint8_t *seed, size_t n, int rounds) {
    uint8_t *buf = malloc(n + 64);
    for (int r = 0; buf && r < rounds; r++) {
        memcpy(buf, seed, n);
        size_t len = n;
        int edits = 1 + (int)(next_random() % 4);
        for (int e = 0; e < edits; e++) {
            size_t at = len ? (size_t)(next_random() % len) : 0;
            switch (next_random() % 4) {
            case 0:
                if (len) buf[at] ^= (uint8_t)(1u << (next_random() % 8));
                break;
            case 1:
                if (len) buf[at] = (uint8_t)next_random();
                break;
            case 2: len = at; break;
            default:
                if (len < n + 63) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = "0 \n\t-.e9\xff\xc3"[next_random() % 11];
                    len++;
                }
            }
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    free(buf);
}

static int run_file(const char *path, int rounds) {
    FILE *f = fopen(path, "rb");
    if (!f) return perror(path), 1;
    uint8_t *data = malloc(1 << 20);
    size_t n = data ? fread(data, 1, 1 << 20, f) : 0;
    fclose(f);
    LLVMFuzzerTestOneInput(data, n);
    mutate_and_run(data, n, rounds);
    free(data);
    return 0;
}

int main(int argc, char **argv) {
    int rounds = argc > 2 ? atoi(argv[2]) : 2000, files = 0;
    DIR *d = argc > 1 ? opendir(argv[1]) : NULL;
    if (!d) return fprintf(stderr, "usage: %s CORPUS_DIR [ROUNDS]\n", argv[0]), 2;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        if (run_file(path, rounds)) return closedir(d), 1;
        files++;
    }
    closedir(d);
    printf("%s: %d seed files, %d mutations each, no crash\n", argv[0], files, rounds);
    return files ? 0 : 1;
}
