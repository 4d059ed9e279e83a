/* Engine timing for bench/engine.py. Modes:
 *   engine_bench sgemm                         SGEMM GFLOP/s of OpenBLAS at the engine's shapes
 *   engine_bench fixed MODEL B T REPEATS        best seconds for one B x T batch of random ids
 *   engine_bench workload MODEL LENGTHS REPEATS best seconds for every sentence of LENGTHS (one
 *                                               length per line), batched by Mizani: sorted by
 *                                               length, up to 2048 tokens a batch
 * Each prints "wall_seconds cpu_seconds peak_rss_bytes" (the best of the repeats for both
 * times). Token ids are seeded and uniform over the vocabulary. */
#include "bench_clock.h"
#include "mizani/mizani.h"
#include "mizani/model.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Best GFLOP/s of OpenBLAS SGEMM (the engine's threads) on [M,K] x [N,K]^T, random data. */
static double sgemm_rate(int M, int N, int K) {
    float *a = malloc((size_t)M * K * 4), *b = malloc((size_t)N * K * 4),
          *c = malloc((size_t)M * N * 4);
    if (!a || !b || !c) return 0;
    for (size_t i = 0; i < (size_t)M * K; i++)
        a[i] = (float)(i % 97) / 97.0f;
    for (size_t i = 0; i < (size_t)N * K; i++)
        b[i] = (float)(i % 89) / 89.0f;
    double best = 1e30;
    int one = mz_threads() == 1; /* one thread: CPU seconds, immune to a shared machine's load */
    for (int r = 0; r < 10; r++) {
        double t0 = one ? bench_cpu() : bench_now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1, a, K, b, K, 0, c, N);
        best = fmin(best, (one ? bench_cpu() : bench_now()) - t0);
    }
    free(a), free(b), free(c);
    return 2.0 * M * N * K / best / 1e9;
}

/* The peak (a large square product), then the engine's three shapes at 8 x 128 tokens. */
static int sgemm_peak(void) {
    openblas_set_num_threads(mz_threads()); /* the reference product on the bench's threads */
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

static int workload(mz_run *r, const mz_model *m, int *len, int n, unsigned *seed, mz_ctx *ctx) {
    qsort(len, (size_t)n, sizeof *len, by_len); /* length buckets: little padding to copy */
    for (int i = 0; i < n;) {
        int j = i, tokens = 0;
        while (j < n && tokens + len[j] <= 2048)
            tokens += len[j++];
        if (j == i) j++;
        if (run_rows(r, m, len + i, j - i, seed, ctx)) return -1;
        i = j;
    }
    return 0;
}

/* The job a mode times: `len` is n rows, one batch (fixed) or the whole workload. */
typedef struct job {
    int fixed, *len, n;
} job;

/* Best wall and CPU seconds over `repeats` runs of the job. */
static int time_job(double best[2], mz_run *r, const mz_model *m, const job *j, int repeats,
                    mz_ctx *ctx) {
    unsigned seed = 42;
    best[0] = best[1] = 1e30;
    for (int k = 0; k < repeats; k++) {
        double t0 = bench_now(), c0 = bench_cpu();
        int rc = j->fixed ? run_rows(r, m, j->len, j->n, &seed, ctx)
                          : workload(r, m, j->len, j->n, &seed, ctx);
        if (rc) return rc;
        best[0] = fmin(best[0], bench_now() - t0), best[1] = fmin(best[1], bench_cpu() - c0);
    }
    return 0;
}

/* The rows a mode runs: B rows of T, or the lengths in a file (one per line). */
static int read_job(job *j, char **argv, int argc) {
    j->fixed = !strcmp(argv[1], "fixed") && argc == 6;
    if (j->fixed) {
        j->n = atoi(argv[3]);
        j->len = malloc((size_t)(j->n > 0 ? j->n : 1) * sizeof *j->len);
        for (int b = 0; j->len && b < j->n; b++)
            j->len[b] = atoi(argv[4]);
        return j->len && j->n > 0 ? 0 : -1;
    }
    FILE *f = fopen(argv[3], "r");
    int cap = 4096;
    j->n = 0, j->len = malloc((size_t)cap * sizeof *j->len);
    while (f && j->len && j->n < cap && fscanf(f, "%d", &j->len[j->n]) == 1)
        j->n++;
    if (f) fclose(f);
    return j->n > 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    if (getenv("MZ_BENCH_THREADS")) mz_set_threads(atoi(getenv("MZ_BENCH_THREADS")));
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
    job j = {0};
    double best[2] = {0, 0};
    if (read_job(&j, argv, argc) || time_job(best, run, m, &j, atoi(argv[argc - 1]), ctx))
        fprintf(stderr, "%s\n", mz_ctx_status(ctx) ? mz_ctx_message(ctx) : "no rows to run");
    printf("%.6f %.6f %ld\n", best[0], best[1], bench_peak_rss());
    free(j.len);
    mz_run_free(run);
    mz_model_free(m);
    mz_ctx_free(ctx);
    return 0;
}
