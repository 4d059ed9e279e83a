/* WEAT timing for bench/weat.py: reads X, Y, A, B (n words each, dim floats per word,
 * float32, in that order) and runs WEAT with Monte Carlo permutations, no bootstrap.
 * Prints "seconds p_value" for the fastest of `repeats` runs. */
#include "mizani/association.h"
#include "mizani/mizani.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s DATA.f32 N_PER_SET DIM PERMUTATIONS REPEATS\n", argv[0]);
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), dim = strtoul(argv[3], NULL, 10);
    int repeats = atoi(argv[5]);
    float *v = malloc(4 * n * dim * sizeof *v);
    FILE *f = fopen(argv[1], "rb");
    if (!v || !f || fread(v, sizeof *v, 4 * n * dim, f) != 4 * n * dim) {
        fprintf(stderr, "%s: cannot read %zu floats\n", argv[1], 4 * n * dim);
        return 3;
    }
    fclose(f);
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    mz_word_set s[4];
    for (int k = 0; k < 4; k++)
        s[k] = (mz_word_set){.name = "set", .vectors = v + k * n * dim, .n = n};
    mz_weat_options opt;
    mz_weat_options_default(&opt);
    opt.max_exact = 0;
    opt.n_permutations = strtoull(argv[4], NULL, 10);
    opt.n_bootstrap = 0;
    double best = 1e30;
    mz_weat_result r;
    for (int i = 0; i < repeats; i++) {
        double t0 = now();
        if (mz_weat(&r, &s[0], &s[1], &s[2], &s[3], dim, &opt, ctx)) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            return 5;
        }
        double t = now() - t0;
        if (t < best) best = t;
    }
    printf("%.6f %.6f %d\n", best, r.perm.p_value, mz_threads());
    mz_ctx_free(ctx);
    free(v);
    return 0;
}
