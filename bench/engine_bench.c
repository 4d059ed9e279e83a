/* Engine timing for bench/engine.py. Modes:
 *   engine_bench sgemm                         SGEMM GFLOP/s of OpenBLAS at the engine's shapes
 *   engine_bench fixed MODEL B T REPEATS        best seconds for one B x T batch of random ids
 *   engine_bench workload MODEL LENGTHS REPEATS best seconds for every sentence of LENGTHS (one
 *                                               length per line), batched by Mizani: sorted by
 *                                               length, up to 2048 tokens a batch
 * Each prints "seconds peak_rss_bytes". Token ids are seeded and uniform over the vocabulary. */
#include "mizani/mizani.h"
#include "mizani/model.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* VmHWM, not getrusage: Linux carries a parent's ru_maxrss into a forked child, so a large
 * Python parent would show as this process's peak. */
static long peak_rss(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb * 1024L;
}

/* Best GFLOP/s of OpenBLAS SGEMM (all threads) on [M,K] x [N,K]^T, random data. */
static double sgemm_rate(int M, int N, int K) {
    float *a = malloc((size_t)M * K * 4), *b = malloc((size_t)N * K * 4),
          *c = malloc((size_t)M * N * 4);
    if (!a || !b || !c) return 0;
    for (size_t i = 0; i < (size_t)M * K; i++)
        a[i] = (float)(i % 97) / 97.0f;
    for (size_t i = 0; i < (size_t)N * K; i++)
        b[i] = (float)(i % 89) / 89.0f;
    double best = 1e30;
    for (int r = 0; r < 10; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1, a, K, b, K, 0, c, N);
        if (now() - t0 < best) best = now() - t0;
    }
    free(a), free(b), free(c);
    return 2.0 * M * N * K / best / 1e9;
}

/* The peak (a large square product), then the engine's three shapes at 8 x 128 tokens. */
static int sgemm_peak(void) {
    printf("%.3f %.3f %.3f %.3f\n", sgemm_rate(2048, 2048, 2048), sgemm_rate(1024, 768, 768),
           sgemm_rate(1024, 3072, 768), sgemm_rate(1024, 768, 3072));
    return 0;
}

/* Runs rows of the given lengths as one padded batch, ids drawn from `seed`, in the run context
 * that every batch of a benchmark shares (as the probe runner does). */
static int run_rows(mz_run *r, const mz_model *m, const int *len, int B, unsigned *seed,
                    mz_ctx *ctx) {
    int T = 0, V = mz_model_get_config(m)->vocab;
    for (int b = 0; b < B; b++)
        T = len[b] > T ? len[b] : T;
    int32_t *ids = calloc((size_t)B * T, 4), *mask = calloc((size_t)B * T, 4);
    for (int b = 0; b < B; b++)
        for (int t = 0; t < len[b]; t++) {
            ids[b * T + t] = (int32_t)(rand_r(seed) % V);
            mask[b * T + t] = 1;
        }
    mz_model_batch batch = {.B = B, .T = T, .ids = ids, .mask = mask};
    mz_activations *a = NULL;
    char last[32]; /* the last hidden state, as a Hugging Face model returns by default */
    snprintf(last, sizeof last, "hidden.%d", mz_model_get_config(m)->n_layers);
    const char *want[] = {last};
    mz_status rc = mz_run_forward(&a, r, &batch, want, 1, ctx);
    mz_activations_free(a);
    free(ids), free(mask);
    return rc;
}

static int by_len(const void *x, const void *y) { return *(const int *)x - *(const int *)y; }

static double workload(mz_run *r, const mz_model *m, int *len, int n, unsigned *seed, mz_ctx *ctx) {
    qsort(len, (size_t)n, sizeof *len, by_len); /* length buckets: little padding to copy */
    double t0 = now();
    for (int i = 0; i < n;) {
        int j = i, tokens = 0;
        while (j < n && tokens + len[j] <= 2048)
            tokens += len[j++];
        if (j == i) j++;
        if (run_rows(r, m, len + i, j - i, seed, ctx)) return -1;
        i = j;
    }
    return now() - t0;
}

int main(int argc, char **argv) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    if (argc == 2 && !strcmp(argv[1], "sgemm")) return sgemm_peak();
    if (argc != 5 && argc != 6) {
        fprintf(stderr,
                "usage: %s sgemm | fixed MODEL B T REPEATS | workload MODEL LENGTHS REPEATS\n",
                argv[0]);
        return 2;
    }
    mz_model *m = NULL;
    mz_run *run = NULL;
    if (mz_model_open(&m, argv[2], ctx) || mz_run_new(&run, m, ctx)) {
        fprintf(stderr, "%s\n", mz_ctx_message(ctx));
        return 3;
    }
    unsigned seed = 42;
    double best = 1e30;
    if (!strcmp(argv[1], "fixed") && argc == 6) {
        int B = atoi(argv[3]), T = atoi(argv[4]), *len = malloc((size_t)B * sizeof *len);
        for (int b = 0; b < B; b++)
            len[b] = T;
        for (int r = 0; r < atoi(argv[5]); r++) {
            double t0 = now();
            if (run_rows(run, m, len, B, &seed, ctx)) break;
            if (now() - t0 < best) best = now() - t0;
        }
        free(len);
    } else {
        FILE *f = fopen(argv[3], "r");
        int n = 0, cap = 4096, *len = malloc((size_t)cap * sizeof *len);
        while (f && n < cap && fscanf(f, "%d", &len[n]) == 1)
            n++;
        if (f) fclose(f);
        for (int r = 0; r < atoi(argv[4]); r++) {
            double s = workload(run, m, len, n, &seed, ctx);
            if (s >= 0 && s < best) best = s;
        }
        free(len);
    }
    if (mz_ctx_status(ctx)) fprintf(stderr, "%s\n", mz_ctx_message(ctx));
    printf("%.6f %ld\n", best, peak_rss());
    mz_run_free(run);
    mz_model_free(m);
    mz_ctx_free(ctx);
    return 0;
}
