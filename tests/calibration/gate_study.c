/* The regression gate's calibration study: on N null replications (default 200), a random-
 * weight BERT (2 layers, hidden 64, 4 heads, 128 positions) against a copy with isotropic noise
 * on every tensor (sd 0.5 of each tensor's root-mean-square value: fine-tuning that changed the
 * model without a direction), compared as `mizani compare` compares a model it audits (every
 * shipped association test on the input embeddings). Counted: runs in which the gate failed
 * (a social finding regressed), runs with any change beyond chance after Holm, and changes with
 * p < 0.05 before correction; each must stay within the binomial 99% bound at 5%. Twice: with
 * the committed subword vocabulary (words share pieces, so their changes are correlated) and
 * with one token a probe word. Then minimal pairs the same way (PLL of a hidden-32 BERT and its
 * noisy copy, as `pairs --before` compares them). Then power: planted regressions of stated sizes
 * in weat3-en (its target words moved towards its first attributes, one token a word), how often
 * the gate fails naming it. Writes gate.txt into the output folder (tests/calibration/results/
 * holds the committed run; README quotes it). build/tests/gate_study [--runs N] [--pairs-runs N]
 * [--power-runs R] [--out DIR] (tests/) */
#include "cli.h"
#include "gate_models.h"

#include "mizani/alloc.h"
#include "mizani/likelihood_run.h"
#include "mizani/tokenizer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SUBWORD "calibration/unigram-mask.tokenizer.json"
#define WORDS   "data/compare/words.tokenizer.json"

typedef struct tally {
    unsigned long runs, runs_failed, runs_any, tests, hits, too_few;
} tally;

static char dir[] = "/tmp/mizani-gate-study-XXXXXX";

static mz_status pair(mz_compare *c, mz_checkpoint *cp[2], null_model *nm, const null_spec *s,
                      double noise, double plant, const mz_probe_set *planted, mz_probe_set **sets,
                      size_t n_sets, unsigned long seed, mz_ctx *ctx) {
    char path[4200];
    snprintf(path, sizeof path, "%s/m", dir);
    mz_status rc = gate_checkpoint(&cp[0], nm, s, path, "before", sets, n_sets, 100, ctx);
    if (!rc && noise > 0) gate_noise(nm, noise, seed ^ 0x9e3779b9UL);
    if (!rc && plant != 0) rc = gate_plant(nm, s->tokenizer, planted, plant, ctx);
    if (!rc) rc = gate_checkpoint(&cp[1], nm, s, path, "after", sets, n_sets, 100, ctx);
    mz_compare_options o;
    mz_compare_options_default(&o);
    o.n_permutations = 5000, o.n_bootstrap = 0, o.seed = seed;
    if (!rc) rc = mz_compare_run(c, cp, 2, &o, NULL, ctx);
    return rc;
}

static void count(tally *t, const mz_compare *c) {
    int any = 0;
    t->runs++;
    t->runs_failed += mz_compare_regressed(c);
    for (size_t i = 0; i < c->n; i++) {
        const mz_comparison *x = &c->c[i];
        if (x->positive_control) continue;
        t->too_few += x->outcome == MZ_CMP_TOO_FEW;
        if (!isfinite(x->p)) continue;
        t->tests++, t->hits += x->p < 0.05;
        any |= x->p_holm < 0.05;
    }
    t->runs_any += any;
}

static void print(FILE *o, const char *what, const tally *t) {
    unsigned long br = mz_stats_binom_upper(t->runs, 0.05, 0.99),
                  bt = mz_stats_binom_upper(t->tests, 0.05, 0.99);
    fprintf(o,
            "%-28s %5lu runs: gate failed %3lu (bound %lu), any change after Holm %3lu (bound "
            "%lu); %lu of %lu social changes with p < 0.05 = %.3f (bound %lu); %lu too few  %s\n",
            what, t->runs, t->runs_failed, br, t->runs_any, br, t->hits, t->tests,
            t->tests ? (double)t->hits / (double)t->tests : NAN, bt, t->too_few,
            t->runs_failed <= br && t->runs_any <= br && t->hits <= bt ? "ok" : "EXCEEDS");
    fflush(o);
}

static int null_study(FILE *o, const char *tokenizer, const char *what, int runs,
                      mz_probe_set **sets, size_t n_sets, mz_ctx *ctx) {
    tally t = {0};
    for (int r = 0; r < runs; r++) {
        null_spec s = {0, 2, 64, 4, 128, tokenizer, 1000 + (unsigned long)r};
        null_model nm;
        mz_checkpoint *cp[2] = {NULL, NULL};
        mz_compare c = {0};
        mz_status rc = null_model_make(&nm, &s, ctx);
        if (!rc) rc = pair(&c, cp, &nm, &s, 0.5, 0, NULL, sets, n_sets, s.seed, ctx);
        if (!rc) count(&t, &c);
        mz_compare_clear(&c);
        mz_checkpoint_free(cp[0]), mz_checkpoint_free(cp[1]);
        null_model_free(&nm);
        if (rc) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            return 1;
        }
    }
    print(o, what, &t);
    return 0;
}

/* Minimal pairs (PLL, both languages' sets) of a null BERT against its noisy copy, compared as
 * `pairs --before` compares them: per category, target clusters as the units. */
static mz_status pairs_checkpoint(mz_checkpoint **cp, mz_pairs_result *r, const null_model *nm,
                                  const null_spec *s, mz_probe_set **sets, size_t n,
                                  const char *label, mz_ctx *ctx) {
    char path[4200];
    snprintf(path, sizeof path, "%s/p", dir);
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    o.n_bootstrap = 0, o.n_resamples = 100;
    mz_status rc = null_model_write(nm, s, path, ctx);
    if (!rc) rc = mz_model_open(&m, path, ctx);
    if (!rc) rc = mz_tokenizer_load(&t, path, ctx);
    if (!rc) rc = mz_checkpoint_new(cp, label, "model", ctx);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mz_lik_pairs(&r[i], m, t, sets[i], MZ_LIK_PLL, &o, NULL, ctx);
        if (!rc) rc = mz_checkpoint_add_pairs(*cp, sets[i], &r[i], ctx);
    }
    mz_tokenizer_free(t);
    mz_model_free(m);
    null_model_remove(path);
    return rc;
}

static int pairs_study(FILE *o, int runs, mz_probe_set **sets, size_t n, mz_ctx *ctx) {
    tally t = {0};
    for (int r = 0; r < runs; r++) {
        null_spec s = {0, 2, 32, 4, 128, SUBWORD, 1000 + (unsigned long)r};
        null_model nm;
        mz_checkpoint *cp[2] = {NULL, NULL};
        mz_pairs_result res[2][4] = {{{0}}};
        mz_compare c = {0};
        mz_compare_options opt;
        mz_compare_options_default(&opt);
        opt.n_permutations = 5000, opt.n_bootstrap = 0, opt.seed = s.seed;
        mz_status rc = n <= 4 ? null_model_make(&nm, &s, ctx) : MZ_ERR_INTERNAL;
        if (!rc) rc = pairs_checkpoint(&cp[0], res[0], &nm, &s, sets, n, "before", ctx);
        if (!rc) gate_noise(&nm, 0.5, s.seed ^ 0x9e3779b9UL);
        if (!rc) rc = pairs_checkpoint(&cp[1], res[1], &nm, &s, sets, n, "after", ctx);
        if (!rc) rc = mz_compare_run(&c, cp, 2, &opt, NULL, ctx);
        if (!rc) count(&t, &c);
        mz_compare_clear(&c);
        mz_checkpoint_free(cp[0]), mz_checkpoint_free(cp[1]);
        for (size_t i = 0; i < n && i < 4; i++)
            mz_pairs_result_free(&res[0][i]), mz_pairs_result_free(&res[1][i]);
        null_model_free(&nm);
        if (rc) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            return 1;
        }
    }
    print(o, "minimal pairs (PLL, hidden 32)", &t);
    return 0;
}

/* How often a planted regression of `size` in weat3-en fails the gate naming it. */
static int power(FILE *o, double size, int runs, mz_probe_set **sets, size_t n_sets,
                 const mz_probe_set *planted, mz_ctx *ctx) {
    int named = 0, failed = 0;
    double change = 0;
    for (int r = 0; r < runs; r++) {
        null_spec s = {0, 2, 64, 4, 128, WORDS, 5000 + (unsigned long)r};
        null_model nm;
        mz_checkpoint *cp[2] = {NULL, NULL};
        mz_compare c = {0};
        mz_status rc = null_model_make(&nm, &s, ctx);
        if (!rc) rc = gate_plant(&nm, WORDS, planted, 0.08, ctx); /* a bias to start from */
        if (!rc) rc = pair(&c, cp, &nm, &s, 0, size, planted, sets, n_sets, s.seed, ctx);
        for (size_t i = 0; !rc && i < c.n; i++) {
            if (strcmp(c.c[i].test, planted->id)) continue;
            named += c.c[i].outcome == MZ_CMP_REGRESSED;
            change += c.c[i].change / runs;
        }
        failed += !rc && mz_compare_regressed(&c);
        mz_compare_clear(&c);
        mz_checkpoint_free(cp[0]), mz_checkpoint_free(cp[1]);
        null_model_free(&nm);
        if (rc) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            return 1;
        }
    }
    fprintf(o,
            "weat3-en planted %+.3f       %5d runs: mean change of d %+.2f; the gate failed naming "
            "weat3-en in %d (%.0f%%), failed at all in %d\n",
            size, runs, change, named, 100.0 * named / runs, failed);
    fflush(o);
    return 0;
}

int main(int argc, char **argv) {
    int runs = 200, power_runs = 40, pairs_runs = 200;
    const char *out = "calibration/results";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--power-runs")) power_runs = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--pairs-runs")) pairs_runs = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--out")) out = argv[i + 1];
    }
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    mz_set_threads(1);
    if (!mkdtemp(dir)) return 1;
    mz_cli cli = {.ctx = ctx};
    mz_probe_set **sets = NULL;
    size_t n_sets = 0;
    mz_probe_set **pairs = NULL;
    size_t n_pairs = 0;
    if (mz_cli_load_probe_sets(&cli, "../corpora", MZ_PROBE_ASSOCIATION, &sets, &n_sets) ||
        mz_cli_load_probe_sets(&cli, "../corpora", MZ_PROBE_MINIMAL_PAIRS, &pairs, &n_pairs)) {
        fprintf(stderr, "%s\n", mz_ctx_message(ctx));
        return 1;
    }
    const mz_probe_set *planted = NULL;
    for (size_t i = 0; i < n_sets; i++)
        if (!strcmp(sets[i]->id, "weat3-en")) planted = sets[i];
    char path[4096];
    snprintf(path, sizeof path, "%s/gate.txt", out);
    FILE *o = fopen(path, "w");
    if (!o || !planted) return 1;
    time_t t0 = time(NULL);
    fprintf(o,
            "# mizani compare on null models: %d replications, noise sd 0.5 x each tensor's rms, "
            "alpha 0.05, binomial 99%% bounds\n",
            runs);
    int bad = null_study(o, SUBWORD, "subword vocabulary", runs, sets, n_sets, ctx) ||
              null_study(o, WORDS, "one token a probe word", runs, sets, n_sets, ctx) ||
              (pairs_runs && pairs_study(o, pairs_runs, pairs, n_pairs, ctx));
    static const double sizes[] = {0, 0.01, 0.02, 0.03, 0.04, 0.06};
    for (size_t k = 0; !bad && k < sizeof sizes / sizeof *sizes; k++)
        bad = power(o, sizes[k], power_runs, sets, n_sets, planted, ctx);
    fprintf(o, "# %ld s on one thread\n", (long)(time(NULL) - t0));
    fclose(o);
    rmdir(dir);
    mz_cli_free_sets(sets, n_sets);
    mz_cli_free_sets(pairs, n_pairs);
    mz_ctx_free(ctx);
    return bad;
}
