/* Integrated Gradients' cost for bench/explain.py: one sentence of T random tokens with a mask
 * token in the middle, STEPS points on the path from the zero baseline, every point one row of
 * one packed batch: a forward pass that keeps its caches (logits only at the masked row of each
 * point) and a backward pass to the token embeddings.
 *   explain_bench MODEL T STEPS REPEATS     prints "wall_seconds cpu_seconds peak_rss_bytes"
 * (the best of the repeats; VmHWM for the peak, as engine_bench). */
#include "backward.h" /* mz_logprob_backward: the target's seed */
#include "bench_clock.h"
#include "mizani/alloc.h"
#include "mizani/attribution.h"
#include "mizani/mizani.h"
#include "mizani/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct ig {
    int T, K, E, V, at; /* tokens, steps, embedding width, vocabulary, masked position */
    int32_t *ids, *mask;
    uint8_t *out;
    float *x, *base, *path, *dlogits;
    double *alpha, *weight, *attr;
} ig;

static int ig_alloc(ig *g, const mz_model *m, int T, int K, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    g->T = T, g->K = K, g->E = c->d_embed, g->V = c->vocab, g->at = T / 2;
    size_t n = (size_t)K * T;
    g->ids = mz_malloc(n * 4), g->mask = mz_malloc(n * 4), g->out = mz_calloc(n, 1);
    g->x = mz_malloc((size_t)T * g->E * 4), g->base = mz_calloc((size_t)T * g->E, 4);
    g->path = mz_malloc(n * g->E * 4), g->dlogits = mz_malloc((size_t)K * g->V * 4);
    g->alpha = mz_malloc(K * 8), g->weight = mz_malloc(K * 8), g->attr = mz_malloc(T * 8);
    if (!g->ids || !g->mask || !g->out || !g->x || !g->base || !g->path || !g->dlogits ||
        !g->alpha || !g->weight || !g->attr)
        return -1;
    unsigned seed = 7;
    for (int t = 0; t < T; t++)
        g->ids[t] = t == g->at ? 103 : (int32_t)(rand_r(&seed) % g->V); /* 103: [MASK] in BERT */
    for (size_t i = 0; i < n; i++)
        g->ids[i] = g->ids[i % T], g->mask[i] = 1, g->out[i] = (int)(i % T) == g->at;
    for (int t = 0; t < T; t++)
        memcpy(g->x + (size_t)t * g->E, mz_model_input_embeddings(m) + (size_t)g->ids[t] * g->E,
               (size_t)g->E * 4);
    if (mz_attr_ig_path(g->alpha, g->weight, K, MZ_ATTR_RIEMANN_MIDDLE, ctx)) return -1;
    mz_attr_ig_inputs(g->path, g->x, g->base, g->alpha, K, T, g->E);
    return 0;
}

static void ig_free(ig *g) {
    mz_free(g->ids), mz_free(g->mask), mz_free(g->out), mz_free(g->x), mz_free(g->base);
    mz_free(g->path), mz_free(g->dlogits), mz_free(g->alpha), mz_free(g->weight), mz_free(g->attr);
}

/* One explanation: the forward and backward passes over every step, then the combination. */
static int explain(ig *g, mz_run *r, mz_ctx *ctx) {
    mz_model_batch b = {
        .B = g->K, .T = g->T, .ids = g->ids, .mask = g->mask, .embeds = g->path, .outputs = g->out};
    const char *want[] = {"logits"}, *grads[] = {"grad.embeds"};
    mz_activations *a = NULL, *gr = NULL;
    if (mz_run_forward(&a, r, &b, want, 1, ctx)) return -1;
    const float *logits = mz_activations_get(a, "logits", NULL, NULL); /* [K,V] */
    memset(g->dlogits, 0, (size_t)g->K * g->V * 4);
    for (int k = 0; k < g->K; k++)
        mz_logprob_backward(g->dlogits + (size_t)k * g->V, logits + (size_t)k * g->V, g->V,
                            g->ids[g->at + 1], 1.0f);
    mz_grad_seed seed = {"logits", g->dlogits};
    int rc = mz_run_backward(&gr, r, &seed, 1, grads, 1, ctx) ? -1 : 0;
    if (!rc)
        mz_attr_ig_combine(g->attr, mz_activations_get(gr, "grad.embeds", NULL, NULL), g->weight,
                           g->K, g->x, g->base, g->T, g->E);
    mz_activations_free(a), mz_activations_free(gr);
    return rc;
}

int main(int argc, char **argv) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    if (argc != 5) {
        fprintf(stderr, "usage: %s MODEL T STEPS REPEATS\n", argv[0]);
        return 2;
    }
    if (getenv("MZ_BENCH_THREADS")) mz_set_threads(atoi(getenv("MZ_BENCH_THREADS")));
    mz_model *m = NULL;
    mz_run *r = NULL;
    ig g = {0};
    if (mz_model_open(&m, argv[1], ctx) || mz_run_new(&r, m, ctx) ||
        ig_alloc(&g, m, atoi(argv[2]), atoi(argv[3]), ctx)) {
        fprintf(stderr, "%s\n", mz_ctx_status(ctx) ? mz_ctx_message(ctx) : "out of memory");
        return 3;
    }
    mz_run_keep_caches(r, 1);
    double best = 1e30, cpu = 1e30;
    for (int k = 0; k < atoi(argv[4]); k++) {
        double t0 = bench_now(), c0 = bench_cpu();
        if (explain(&g, r, ctx)) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            return 3;
        }
        best = fmin(best, bench_now() - t0);
        cpu = fmin(cpu, bench_cpu() - c0);
    }
    printf("%.6f %.6f %ld\n", best, cpu, bench_peak_rss());
    ig_free(&g);
    mz_run_free(r);
    mz_model_free(m);
    mz_ctx_free(ctx);
    return 0;
}
