/* The full calibration study: every test family on N null replications (default 200), then
 * power on planted effects of stated sizes. Writes calibration.tsv and power.tsv into the
 * output folder (tests/calibration/results/ holds the committed run; README quotes it).
 *   build/tests/calibration_study [--runs N] [--power-runs R] [--out DIR]   (from tests/)
 * Null replications: random-weight BERT (masked LM) and GPT-2 of 2 layers, hidden 64, 4 heads,
 * 128 positions, seeded 1000 + r; the committed Unigram vocabulary of English and Swahili text
 * with a mask token (encoder) and the committed byte-level BPE (decoder); Gaussian word vectors
 * (50 dimensions) for the static families. SEAT and CEAT are counted with words as units alone,
 * and as Mizani runs them by default: with the null reference for the tests whose words share
 * tokens, replication r's 10 random copies being the models of replications r+1..r+10 (the same
 * architecture, tokenizer and initialisation as the copies Mizani draws). */
#include "families.h"
#include "mizani/alloc.h"
#include "mizani/ceat.h"
#include "mizani/likelihood_run.h"
#include "mizani/seat.h"
#include "null_model.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- Power: static WEAT and RND on Gaussian vectors with a planted direction ------------- */

/* 8 words per list, 50 dimensions: X and A moved +size*u, Y and B -size*u (size in units of a
 * vector's expected norm, sqrt(50)). */
static void power_static(FILE *o, double size, int runs, mz_ctx *ctx) {
    int hits_w = 0, hits_r = 0, n = 32, dim = 50;
    float *v = mz_malloc((size_t)n * dim * sizeof *v);
    double u[50], norm = 0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, 77);
    for (int c = 0; c < dim; c++)
        u[c] = gsl_ran_gaussian(rng, 1), norm += u[c] * u[c];
    for (int r = 0; r < runs; r++) {
        for (int i = 0; i < n; i++) {
            int sign = (i / 8) % 2 ? -1 : 1; /* X, Y, A, B */
            for (int c = 0; c < dim; c++)
                v[i * dim + c] = (float)(gsl_ran_gaussian_ziggurat(rng, 1) +
                                         sign * size * sqrt((double)dim) * u[c] / sqrt(norm));
        }
        mz_word_set w[4];
        for (int k = 0; k < 4; k++)
            w[k] = (mz_word_set){"", NULL, v + k * 8 * dim, 8};
        mz_weat_options wo;
        mz_weat_options_default(&wo);
        wo.n_bootstrap = 0, wo.seed = (unsigned long)r;
        mz_weat_result res;
        if (!mz_weat(&res, &w[0], &w[1], &w[2], &w[3], (size_t)dim, &wo, ctx))
            hits_w += res.perm.p_value < 0.05;
        mz_metric_options mo = {.n_permutations = 2000, .seed = (unsigned long)r};
        mz_metric_result m;
        if (!mz_assoc_rnd(&m, NULL, &w[0], &w[2], &w[3], (size_t)dim, &mo, ctx)) /* S = X */
            hits_r += m.p_value < 0.05;
    }
    fprintf(o, "static WEAT\t%.3f\tvector norms\t%d\t%.3f\n", size, runs, (double)hits_w / runs);
    fprintf(o, "static RND\t%.3f\tvector norms\t%d\t%.3f\n", size, runs, (double)hits_r / runs);
    fflush(o);
    gsl_rng_free(rng);
    mz_free(v);
}

/* ---- Power: SEAT and CEAT on a null BERT with a planted direction in its embeddings ------- */

static int ids_of(int32_t *out, int cap, const mz_tokenizer *t, const mz_probe_list *l) {
    int k = 0;
    mz_encoding e = {0};
    for (size_t i = 0; i < l->n; i++)
        if (!mz_tokenizer_encode(&e, t, l->words[i].text, strlen(l->words[i].text), 0, NULL))
            for (size_t j = 0; j < e.n && k < cap; j++)
                out[k++] = e.ids[j];
    mz_encoding_clear(&e);
    return k;
}

static mz_status planted_model(mz_model **m, mz_tokenizer **t, const study *s,
                               const mz_probe_set *set, double size, unsigned long seed,
                               mz_ctx *ctx) {
    null_spec spec = {0, s->layers, s->hidden, s->heads, s->positions, s->bert_tokenizer, seed};
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/planted-%lu", s->workdir, seed);
    null_model nm;
    mz_status rc = null_model_make(&nm, &spec, ctx);
    mz_tokenizer *tok = NULL;
    if (!rc) rc = mz_tokenizer_load(&tok, s->bert_tokenizer, ctx);
    if (!rc) {
        int32_t up[512], down[512];
        int nu = ids_of(up, 256, tok, &set->targets[0]),
            nd = ids_of(down, 256, tok, &set->targets[1]);
        nu += ids_of(up + nu, 256, tok, &set->attributes[0]);
        nd += ids_of(down + nd, 256, tok, &set->attributes[1]);
        null_model_plant(&nm, up, (size_t)nu, down, (size_t)nd, size, seed);
        rc = null_model_write(&nm, &spec, dir, ctx);
    }
    mz_tokenizer_free(tok);
    null_model_free(&nm);
    if (!rc) rc = mz_model_open(m, dir, ctx);
    if (!rc) rc = mz_tokenizer_load(t, dir, ctx);
    null_model_remove(dir);
    return rc;
}

/* The null reference's copies for the power runs: SEAT's and CEAT's z and d on K unplanted null
 * models (seeds 6000 + k), shared by every planted run. */
typedef struct copies_zd {
    double z[2][64], d[2][64];
    size_t k;
} copies_zd;

static mz_status null_copies_of(copies_zd *c, const study *s, const mz_probe_set *set,
                                mz_ctx *ctx) {
    mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
    mz_weat_options wo = {0}; /* z alone */
    mz_ceat_options co = {.embed = eo, .n_samples = 2, .ci_level = 0.95};
    mz_probe_set *one = (mz_probe_set *)set;
    mz_status rc = MZ_OK;
    c->k = s->copies < 64 ? s->copies : 64;
    for (size_t k = 0; !rc && k < c->k; k++) {
        mz_model *m = NULL;
        mz_tokenizer *t = NULL;
        mz_seat_result sr = {0};
        mz_ceat_result cr = {0};
        rc = planted_model(&m, &t, s, set, 0, 6000 + (unsigned long)k, ctx);
        if (!rc) rc = mz_seat_suite(&sr, m, t, &one, 1, s->tpl, s->n_tpl, &eo, &wo, ctx);
        if (!rc) rc = mz_ceat_suite(&cr, m, t, &one, 1, s->tpl, s->n_tpl, &co, ctx);
        if (!rc) c->z[0][k] = sr.weat.z, c->d[0][k] = sr.weat.effect_size;
        if (!rc) c->z[1][k] = cr.words.z, c->d[1][k] = cr.words.effect_size;
        mz_suite_clear(&sr, sizeof sr, 1), mz_suite_clear(&cr, sizeof cr, 1);
        mz_tokenizer_free(t);
        mz_model_free(m);
    }
    return rc;
}

/* p < 0.05 as Mizani tests by default: with the null reference (the larger of the word-level and
 * the reference's p) when the test's words share tokens, else the word-level p. */
static int referred_hit(mz_weat_units_result w, size_t shared, const copies_zd *c, int f,
                        mz_ctx *ctx) {
    if (!shared) return w.p_value < 0.05;
    if (mz_weat_units_reference(&w, c->z[f], c->d[f], c->k, ctx)) return 0;
    return w.p_value < 0.05;
}

static void power_contextual(FILE *o, const study *s, const mz_probe_set *set, const copies_zd *c,
                             double size, int runs, mz_ctx *ctx) {
    int hits[4] = {0, 0, 0, 0}, done = 0;
    for (int r = 0; r < runs; r++) {
        mz_model *m = NULL;
        mz_tokenizer *t = NULL;
        mz_probe_set *one = (mz_probe_set *)set;
        if (planted_model(&m, &t, s, set, size, 5000 + (unsigned long)r, ctx)) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            break;
        }
        mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
        mz_weat_options wo;
        mz_weat_options_default(&wo);
        wo.n_permutations = 2000, wo.n_bootstrap = 0, wo.seed = (unsigned long)r;
        mz_seat_result sr = {0};
        mz_ceat_result cr = {0};
        mz_ceat_options co = {.embed = eo,
                              .n_samples = 20,
                              .ci_level = 0.95,
                              .seed = (unsigned long)r,
                              .n_permutations = 2000};
        if (!mz_seat_suite(&sr, m, t, &one, 1, s->tpl, s->n_tpl, &eo, &wo, ctx) &&
            !mz_ceat_suite(&cr, m, t, &one, 1, s->tpl, s->n_tpl, &co, ctx)) {
            hits[0] += sr.entry.computed && sr.weat.p_value < 0.05;
            hits[1] += cr.entry.computed && cr.words.p_value < 0.05;
            hits[2] +=
                sr.entry.computed && referred_hit(sr.weat, sr.entry.shared_pieces, c, 0, ctx);
            hits[3] +=
                cr.entry.computed && referred_hit(cr.words, cr.entry.shared_pieces, c, 1, ctx);
            done++;
            mz_suite_clear(&cr, sizeof cr, 1);
        }
        mz_suite_clear(&sr, sizeof sr, 1);
        mz_tokenizer_free(t);
        mz_model_free(m);
    }
    fprintf(o, "SEAT words only (%s)\t%.3f\tembedding rms\t%d\t%.3f\n", set->id, size, done,
            done ? (double)hits[0] / done : NAN);
    fprintf(o, "CEAT words only (%s)\t%.3f\tembedding rms\t%d\t%.3f\n", set->id, size, done,
            done ? (double)hits[1] / done : NAN);
    fprintf(o, "SEAT (%s, reference of %zu copies)\t%.3f\tembedding rms\t%d\t%.3f\n", set->id, c->k,
            size, done, done ? (double)hits[2] / done : NAN);
    fprintf(o, "CEAT (%s, reference of %zu copies)\t%.3f\tembedding rms\t%d\t%.3f\n", set->id, c->k,
            size, done, done ? (double)hits[3] / done : NAN);
    fflush(o);
}

/* ---- Power: likelihood families, a shift planted in the null models' own scores ---------- */

/* A Swahili masked-template set that has an English twin (*en), else NULL. */
static const mz_probe_set *swahili_masked(const study *s, const mz_probe_set **en) {
    for (size_t i = 0; i < s->n_masked; i++)
        for (size_t j = 0; j < s->n_masked; j++)
            if (s->masked[i]->language && !strcmp(s->masked[i]->language, "sw") &&
                mz_lik_masked_parallel(s->masked[i], s->masked[j]))
                return *en = s->masked[j], s->masked[i];
    return NULL;
}

/* Pairs: the more stereotypical side's score raised by size standard deviations of the tested
 * pairs' score differences; masked: the first group's sentence scores raised by size standard
 * deviations of all sentence scores, in Swahili only, so that the Swahili-English test of the
 * same model sees the same shift as a difference. Each run a fresh null BERT. */
static void power_likelihood(FILE *o, const study *s, const double *sizes, const double *msizes,
                             int n_sizes, int runs, mz_ctx *ctx) {
    int hp[16] = {0}, hm[16] = {0}, hl[16] = {0}, done = 0;
    const mz_probe_set *pairs_en = s->pairs[0], *masked_en = NULL,
                       *masked_sw = swahili_masked(s, &masked_en);
    if (!masked_sw) {
        fprintf(o, "no Swahili masked-template set with an English twin: no likelihood power\n");
        return;
    }
    for (int r = 0; r < runs; r++) {
        mz_model *m = NULL;
        mz_tokenizer *t = NULL;
        if (planted_model(&m, &t, s, masked_sw, 0, 9000 + (unsigned long)r, ctx)) break;
        mz_pairs_options po;
        mz_pairs_options_default(&po);
        po.n_bootstrap = 0, po.seed = (unsigned long)r, po.n_resamples = 2000;
        mz_pairs_result pr;
        mz_masked_result mr, ms;
        int okp = masked_sw && !mz_lik_pairs(&pr, m, t, pairs_en, MZ_LIK_PLL, &po, NULL, ctx);
        int okm = okp && !mz_lik_masked(&mr, m, t, masked_sw, 0, 0.95, (unsigned long)r, NULL, ctx);
        int ok = okm && !mz_lik_masked(&ms, m, t, masked_en, 0, 0.95, (unsigned long)r, NULL, ctx);
        if (ok) {
            double d[512];
            size_t nd = 0;
            for (size_t i = 0; i < pr.n_scores && nd < 512; i++)
                if (pr.scores[i].computable && !pr.scores[i].count_mismatch)
                    d[nd++] = pr.scores[i].more - pr.scores[i].less;
            double sdp = nd > 1 ? gsl_stats_sd(d, 1, nd) : 1;
            size_t W = mr.n_words[0] + mr.n_words[1], F = mr.n_frames,
                   cells = mr.n_attributes * W * F;
            double sdm = gsl_stats_sd(mr.word_mean, 1, W); /* the test's units: target words */
            double *orig = mz_malloc(cells * sizeof *orig), *more = mz_malloc(pr.n_scores * 8);
            memcpy(orig, mr.cells, cells * sizeof *orig);
            for (size_t i = 0; i < pr.n_scores; i++)
                more[i] = pr.scores[i].more;
            for (int k = 0; k < n_sizes; k++) {
                for (size_t i = 0; i < pr.n_scores; i++)
                    pr.scores[i].more = more[i] + sizes[k] * sdp;
                mz_lik_pairs_summarise(&pr, pairs_en, &po, ctx);
                hp[k] += pr.summaries[pr.n_summaries - 1].p_value < 0.05;
                for (size_t c = 0; c < cells; c++)
                    mr.cells[c] = orig[c] + ((c / F) % W < mr.n_words[0] ? msizes[k] * sdm : 0);
                mz_lik_masked_summarise(&mr, mr.cells, 0, 0.95, 0.05, (unsigned long)r, ctx);
                hm[k] += mr.p_value < 0.05;
                mz_masked_languages l = {0};
                mz_lik_masked_languages_test(&l, &ms, &mr, 0, 0.95, 0.05, (unsigned long)r, ctx);
                hl[k] += l.p_value < 0.05;
            }
            mz_free(orig), mz_free(more);
            done++;
        }
        if (okp) mz_pairs_result_free(&pr);
        if (okm) mz_masked_result_free(&mr);
        if (ok) mz_masked_result_free(&ms);
        mz_tokenizer_free(t);
        mz_model_free(m);
    }
    for (int k = 0; k < n_sizes; k++)
        fprintf(o,
                "pairs PLL (%s, all categories)\t%.3f\tsd of score differences\t%d\t%.3f\n"
                "masked templates (%s)\t%.3f\tsd of target words' mean scores\t%d\t%.3f\n"
                "masked sw vs en (%s, shift in Swahili only)\t%.3f\tsd of target words' mean "
                "scores\t%d\t%.3f\n",
                pairs_en->id, sizes[k], done, done ? (double)hp[k] / done : NAN, masked_sw->id,
                msizes[k], done, done ? (double)hm[k] / done : NAN, masked_sw->id, msizes[k], done,
                done ? (double)hl[k] / done : NAN);
    fflush(o);
}

/* The first association set whose word-level test can reach significance on the null BERT. */
static const mz_probe_set *testable_set(const study *s, mz_ctx *ctx) {
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    const mz_probe_set *found = NULL;
    if (planted_model(&m, &t, s, s->assoc[0], 0, 4242, ctx)) return NULL;
    for (size_t i = 0; !found && i < s->n_assoc; i++) {
        mz_probe_set *one = s->assoc[i];
        if (strcmp(one->language, "en")) continue;
        mz_seat_result sr = {0};
        mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
        mz_weat_options wo;
        mz_weat_options_default(&wo);
        wo.n_permutations = 200, wo.n_bootstrap = 0;
        if (!mz_seat_suite(&sr, m, t, &one, 1, s->tpl, s->n_tpl, &eo, &wo, ctx) &&
            sr.entry.computed && sr.weat.inference.can_reach &&
            !strstr(one->dimension ? one->dimension : "", "control"))
            found = one;
        mz_suite_clear(&sr, sizeof sr, 1);
    }
    mz_tokenizer_free(t);
    mz_model_free(m);
    return found;
}

static int cannot_write(const char *path) {
    fprintf(stderr, "calibration_study: cannot write %s: %s\n", path, strerror(errno));
    return 4;
}

int main(int argc, char **argv) {
    int runs = 200, power_runs = 40;
    const char *out = "calibration/results";
    for (int i = 1; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--power-runs"))
            power_runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--out"))
            out = argv[i + 1];
    char dir[] = "/tmp/mizani-study-XXXXXX", path[4096];
    snprintf(path, sizeof path, "%s/power.tsv", out); /* before the hour of work, not after */
    FILE *probe = fopen(path, "a");
    if (!probe) return cannot_write(path);
    fclose(probe);
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    mz_set_threads(1);
    if (!mkdtemp(dir)) return cannot_write(dir);
    study s;
    study_defaults(&s, 64, dir, 2000);
    if (study_load(&s, "../corpora", ctx)) {
        fprintf(stderr, "%s\n", mz_ctx_message(ctx));
        return 3;
    }
    tally t[F_COUNT] = {{0}};
    double t0 = now();
    for (int r = 0; r < runs; r++) {
        if (study_replicate(&s, 1000 + (unsigned long)r, t, ctx)) {
            fprintf(stderr, "run %d: %s\n", r, mz_ctx_message(ctx));
            return 5;
        }
        if ((r + 1) % 10 == 0) fprintf(stderr, "%d null replications, %.0f s\n", r + 1, now() - t0);
    }
    if (study_reference(&s, t, ctx)) {
        fprintf(stderr, "%s\n", mz_ctx_message(ctx));
        return 5;
    }
    snprintf(path, sizeof path, "%s/calibration.txt", out);
    FILE *o = fopen(path, runs ? "w" : "a"); /* --runs 0: power alone, the tally kept */
    if (!o) return cannot_write(path);
    if (runs) {
        fprintf(o,
                "%d null replications (%.0f s on 1 thread); bound: binomial 99%% upper bound at "
                "the nominal 5%%; a test's null reference: %zu copies, the next replications' "
                "models\n",
                runs, now() - t0, s.copies);
        tally_print(o, t);
        study_print_sets(o, &s);
    }
    fclose(o);
    tally_print(stdout, t);
    snprintf(path, sizeof path, "%s/power.tsv", out);
    o = fopen(path, "w");
    if (!o) return cannot_write(path);
    fprintf(o, "family\tplanted size\tsize unit\truns\tpower (p < 0.05)\n");
    static const double stat_sizes[] = {0, 0.05, 0.1, 0.15, 0.2, 0.3};
    for (int k = 0; k < 6; k++)
        power_static(o, stat_sizes[k], 1000, ctx);
    const mz_probe_set *set = testable_set(&s, ctx);
    static const double ctx_sizes[] = {0, 0.01, 0.02, 0.05, 0.1, 0.2};
    copies_zd c;
    if (set && null_copies_of(&c, &s, set, ctx)) {
        fprintf(stderr, "%s\n", mz_ctx_message(ctx));
        return 5;
    }
    for (int k = 0; set && k < 6; k++)
        power_contextual(o, &s, set, &c, ctx_sizes[k], power_runs, ctx);
    static const double lik_sizes[] = {0, 0.1, 0.2, 0.3, 0.5, 0.8},
                        masked_sizes[] = {0, 0.5, 1, 2, 3, 4};
    power_likelihood(o, &s, lik_sizes, masked_sizes, 6, power_runs, ctx);
    fclose(o);
    fprintf(stderr, "done in %.0f s\n", now() - t0);
    study_free(&s);
    rmdir(dir);
    mz_ctx_free(ctx);
    return 0;
}
