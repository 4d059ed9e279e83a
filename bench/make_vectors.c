/* Writes a large fastText-style text file for bench/vectors.sh: a "count dim" header, the
 * words read from standard input (the probe words) at evenly spaced lines, and filler words
 * elsewhere, each with dim random numbers printed with 5 decimals, as fastText does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state = 88172645463325252ULL;
static double uniform(void) { /* xorshift64: fast, and the same file every time */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (double)(state >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s WORDS DIM < probe-words > out.vec\n", argv[0]);
        return 2;
    }
    long n = atol(argv[1]), dim = atol(argv[2]);
    char **probe = NULL, line[256];
    long n_probe = 0;
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line) continue;
        probe = realloc(probe, (size_t)(n_probe + 1) * sizeof *probe);
        probe[n_probe++] = strdup(line);
    }
    long every = n_probe ? n / (n_probe + 1) : n + 1;
    printf("%ld %ld\n", n, dim);
    for (long i = 0, p = 0; i < n; i++) {
        if (p < n_probe && i % every == every - 1)
            fputs(probe[p++], stdout);
        else
            printf("w%07ld", i);
        for (long k = 0; k < dim; k++)
            printf(" %.5f", uniform() * 2 - 1);
        putchar('\n');
    }
    return 0;
}
