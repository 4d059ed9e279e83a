/* The cost of SEAT's and CEAT's null reference on a given model: the suites over the shipped
 * association sets (filled into the probe runner's cache at once, as the commands do), then the
 * reference on K random-weight copies, each suite's alone and both at once (as the audit draws
 * them), with wall time, CPU time and peak memory for each step.
 * Run from tests/:  ../build/tests/reference_cost MODEL_DIR TOKENIZER_JSON [K] [THREADS]
 * (K copies, default 2; threads default 1). */
#include "families.h"
#include "mizani/ceat.h"
#include "mizani/null_copies.h"
#include "mizani/seat.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

typedef struct clock_mark {
    double wall, cpu;
} clock_mark;

static clock_mark now(void) {
    struct timespec t;
    struct rusage u;
    clock_gettime(CLOCK_MONOTONIC, &t);
    getrusage(RUSAGE_SELF, &u);
    return (clock_mark){(double)t.tv_sec + 1e-9 * (double)t.tv_nsec,
                        (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                            1e-6 * (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec)};
}

static void report(const char *what, clock_mark since) {
    clock_mark t = now();
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    printf("%-34s %8.1f s wall %8.1f CPU s   peak %ld MB\n", what, t.wall - since.wall,
           t.cpu - since.cpu, u.ru_maxrss / 1024);
    fflush(stdout);
}

static mz_status fill(mz_embed_options *eo, mz_model *m, const mz_tokenizer *t, const study *s,
                      mz_ctx *ctx) {
    char **texts = NULL;
    size_t n = 0;
    mz_status rc = mz_embed_cache_new(&eo->cache, ctx);
    if (!rc) rc = mz_seat_sentences(&texts, &n, s->assoc, s->n_assoc, s->tpl, s->n_tpl, ctx);
    if (!rc) rc = mz_embed_cache_fill(eo->cache, m, t, (const char *const *)texts, n, eo, ctx);
    printf("%zu association sets, %zu frame sentences\n", s->n_assoc, n);
    mz_templates_free(texts, n);
    return rc;
}

static mz_status run(const char *dir, const char *tok, size_t k, study *s, mz_ctx *ctx) {
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    size_t n = s->n_assoc;
    char config[4096];
    snprintf(config, sizeof config, "%s/config.json", dir);
    mz_null_copies nc = {.n = k, .seed = 1, .config = config};
    mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    wo.n_permutations = 10000, wo.n_bootstrap = 1000; /* the seat and ceat commands' defaults */
    mz_ceat_options co = {.embed = eo, .n_samples = 1000, .ci_level = 0.95, .seed = 1};
    co.n_permutations = wo.n_permutations, co.n_bootstrap = wo.n_bootstrap;
    mz_seat_result *sr = mz_calloc(n + 1, sizeof *sr);
    mz_ceat_result *cr = mz_calloc(n + 1, sizeof *cr);
    mz_status rc =
        sr && cr ? mz_model_open(&m, dir, ctx) : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = mz_tokenizer_load(&t, tok, ctx);
    clock_mark c0 = now();
    if (!rc && !(rc = fill(&eo, m, t, s, ctx))) report("frame sentences into the cache", c0);
    co.embed = eo;
    if (!rc &&
        !(c0 = now(), rc = mz_seat_suite(sr, m, t, s->assoc, n, s->tpl, s->n_tpl, &eo, &wo, ctx)))
        report("SEAT suite (from the cache)", c0);
    if (!rc && !(c0 = now(), rc = mz_ceat_suite(cr, m, t, s->assoc, n, s->tpl, s->n_tpl, &co, ctx)))
        report("CEAT suite (from the cache)", c0);
    if (!rc && !(c0 = now(), rc = mz_seat_reference(sr, &nc, m, t, n, s->tpl, s->n_tpl, &eo, ctx)))
        report("SEAT reference, K copies", c0);
    if (!rc && !(c0 = now(), rc = mz_ceat_reference(cr, &nc, m, t, n, s->tpl, s->n_tpl, &co, ctx)))
        report("CEAT reference, K copies", c0);
    if (sr) mz_suite_clear(sr, sizeof *sr, n);
    if (cr) mz_suite_clear(cr, sizeof *cr, n);
    /* as the audit draws them: each copy once for both suites, its frames run once */
    if (!rc) rc = mz_seat_suite(sr, m, t, s->assoc, n, s->tpl, s->n_tpl, &eo, &wo, ctx);
    if (!rc) rc = mz_ceat_suite(cr, m, t, s->assoc, n, s->tpl, s->n_tpl, &co, ctx);
    if (!rc && !(c0 = now(),
                 rc = mz_assoc_reference(sr, cr, n, &nc, m, t, s->tpl, s->n_tpl, &eo, &co, ctx)))
        report("both references at once, K copies", c0);
    if (sr && !rc) mz_suite_clear(sr, sizeof *sr, n);
    if (cr && !rc) mz_suite_clear(cr, sizeof *cr, n);
    mz_free(sr), mz_free(cr);
    mz_embed_cache_free(eo.cache);
    mz_tokenizer_free(t);
    mz_model_free(m);
    return rc;
}

int main(int argc, char **argv) {
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: reference_cost MODEL_DIR TOKENIZER_JSON [K] [THREADS]\n");
        return 2;
    }
    size_t k = argc > 3 ? strtoul(argv[3], NULL, 10) : 2;
    mz_ctx *ctx = mz_ctx_new();
    mz_status rc = ctx ? mz_init(ctx) : MZ_ERR_NOMEM;
    mz_set_threads(argc > 4 ? atoi(argv[4]) : 1);
    study s = {0};
    printf("K = %zu copies, %d thread(s)\n", k, mz_threads());
    if (!rc) rc = study_load(&s, "../corpora", ctx);
    if (!rc) rc = run(argv[1], argv[2], k, &s, ctx);
    if (rc) fprintf(stderr, "reference_cost: %s\n", ctx ? mz_ctx_message(ctx) : "out of memory");
    study_free(&s);
    mz_ctx_free(ctx);
    return mz_status_exit_code(rc);
}
