/* The probe runner and SEAT. The pieces are checked against references elsewhere (pooled hidden
 * states against PyTorch in test_engine, WEAT against scipy in test_stats); here: batching by
 * length changes no embedding, each pooling picks what it says, and a SEAT suite is WEAT on the
 * runner's embeddings, the same for the same seed. */
#include "check.h"
#include "mizani/alloc.h"
#include "mizani/ceat.h"
#include "mizani/mizani.h"
#include "mizani/safetensors.h"
#include "mizani/seat.h"

#include <sys/stat.h>
#include <unistd.h>

#define MODELS "golden/models/"

static const char *const TEXTS[] = {"Kila mtu ana haki.", "Daktari yuko hapa.",
                                    "The doctor is here.", "Mwalimu.", "Every person has rights."};
#define N_TEXTS 5

/* Row b's pooled vector from a one-text run. */
static void single(float *out, mz_model *m, const mz_tokenizer *t, const char *text, mz_pooling p,
                   mz_ctx *ctx) {
    mz_encoding e = {0};
    int32_t mask[64];
    mz_tokenizer_encode(&e, t, text, strlen(text), 1, ctx);
    for (size_t i = 0; i < e.n; i++)
        mask[i] = 1;
    mz_model_batch b = {.B = 1, .T = (int)e.n, .ids = e.ids, .mask = mask};
    mz_activations *a = NULL;
    const char *want[] = {"hidden.2", "pooled.mean"};
    CHECK_INT(mz_model_run(&a, m, &b, want, 2, ctx), MZ_OK);
    const float *h = a ? mz_activations_get(a, "hidden.2", NULL, NULL) : NULL;
    if (h && p == MZ_POOL_MEAN)
        memcpy(out, mz_activations_get(a, "pooled.mean", NULL, NULL), 32 * sizeof *out);
    else if (h)
        memcpy(out, h + (p == MZ_POOL_FIRST ? 0 : (e.n - 1) * 32), 32 * sizeof *out);
    mz_activations_free(a);
    mz_encoding_clear(&e);
}

static void check_runner(mz_model *m, const mz_tokenizer *t, mz_ctx *ctx) {
    for (int p = MZ_POOL_MEAN; p <= MZ_POOL_LAST; p++) {
        float got[N_TEXTS * 32], want[32];
        mz_embed_options o = {
            .pooling = (mz_pooling)p, .layer = -1, .max_tokens = 16}; /* several batches */
        CHECK_INT(mz_embed_texts(got, m, t, TEXTS, N_TEXTS, &o, ctx), MZ_OK);
        for (int i = 0; i < N_TEXTS; i++) {
            single(want, m, t, TEXTS[i], (mz_pooling)p, ctx);
            double mx = 0;
            for (int c = 0; c < 32; c++)
                mx = fmax(mx, fabs(got[i * 32 + c] - want[c]));
            CHECK(mx < 1e-5);
        }
    }
    const char *too_long[] = {
        "kila mtu ana haki kila mtu ana haki kila mtu ana haki kila mtu ana haki kila mtu ana haki "
        "kila mtu ana haki kila mtu ana haki"}; /* 30 tokens; 24 positions */
    float v[32];
    mz_embed_options o = {.layer = -1};
    CHECK_INT(mz_embed_texts(v, m, t, too_long, 1, &o, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "the model takes 1 to 24");
}

/* SEAT's p by brute force: each target word's mean sentence score, and every relabelling of
 * the target words that keeps each stratum's (token count, frames) numbers of X and Y. */
static void check_word_permutation(const mz_seat_result *r, const mz_probe_set *set,
                                   const mz_probe_set *tpl_of_test, const float *vec,
                                   const size_t n[4], mz_model *m, const mz_tokenizer *t,
                                   mz_ctx *ctx) {
    (void)m;
    size_t nt = n[0] + n[1], nx_words = set->targets[0].n, W = nx_words + set->targets[1].n;
    double s[256], u[16] = {0}, tokens[4];
    int stratum[16];
    mz_word_set xy = {"", NULL, vec, nt}, a = {"", NULL, vec + nt * 32, n[2]},
                b = {"", NULL, vec + (nt + n[2]) * 32, n[3]};
    CHECK_INT(mz_assoc_word_scores(s, &xy, &a, &b, 32, ctx), MZ_OK);
    const mz_probe_list *tl[2] = {&set->targets[0], &set->targets[1]};
    for (size_t w = 0, k = 0; k < 2; k++) /* the frames each word stands in, the word left out */
        for (size_t i = 0; i < tl[k]->n; i++, w++) {
            char **sent;
            size_t c;
            CHECK_INT(mz_templates_expand(&sent, &c, tpl_of_test, &tl[k]->words[i], "sw", ctx),
                      MZ_OK);
            stratum[w] = mz_frame_signature((const char *const *)sent, c, tl[k]->words[i].text);
            mz_templates_free(sent, c);
        }
    CHECK_INT(mz_word_strata(stratum, tokens, t, set, stratum, ctx), MZ_OK);
    size_t per_word = nt / W; /* every word here fits the same number of frames */
    for (size_t w = 0; w < W; w++)
        for (size_t i = 0; i < per_word; i++)
            u[w] += s[w * per_word + i] / (double)per_word;
    double observed = 0;
    for (size_t w = 0; w < nx_words; w++)
        observed += u[w];
    unsigned hits = 0, total = 0;
    for (unsigned mask = 0; mask < 1u << W; mask++) {
        int ok = 1;
        for (size_t w = 0; ok && w < W; w++) { /* X count per stratum kept */
            int want = 0, got = 0;
            for (size_t v = 0; v < W; v++)
                if (stratum[v] == stratum[w]) want += v < nx_words, got += mask >> v & 1;
            ok = want == got;
        }
        if (!ok) continue;
        double sum = 0;
        for (size_t w = 0; w < W; w++)
            sum += mask >> w & 1 ? u[w] : 0;
        total++, hits += sum >= observed - 1e-12;
    }
    CHECK_INT(r->weat.inference.can_reach, 1.0 / total <= 0.05);
    if (r->weat.inference.can_reach) CHECK_NEAR(r->weat.p_value, (double)hits / total, 1e-12);
    CHECK_NEAR(r->weat.inference.min_p, 1.0 / total, 1e-12);
    printf("  SEAT on the tiny model: %u arrangements of the target words, p %.4f\n", total,
           (double)hits / total);
}

static void check_seat(mz_model *m, const mz_tokenizer *t, mz_ctx *ctx) {
    mz_probe_set *set = NULL, *tpl = NULL;
    CHECK_INT(mz_probes_load(&set, "data/assoc-tiny.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&tpl, "../corpora/templates/seat-sw.json", ctx), MZ_OK);
    if (!set || !tpl) goto done;
    mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    wo.n_permutations = 2000, wo.n_bootstrap = 200, wo.seed = 7;
    mz_seat_result r[2];
    CHECK_INT(mz_seat_suite(r, m, t, &set, 1, &tpl, 1, &eo, &wo, ctx), MZ_OK);
    CHECK_INT(r[0].entry.computed, 1);
    /* the same WEAT on the runner's embeddings of the same sentences */
    size_t n[4], total = 0;
    const mz_probe_list *lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                     &set->attributes[1]};
    const char *all[256];
    for (int k = 0; k < 4; k++) {
        char **one;
        size_t c;
        n[k] = 0;
        for (size_t w = 0; w < lists[k]->n; w++) {
            CHECK_INT(mz_templates_expand(&one, &c, tpl, &lists[k]->words[w], "sw", ctx), MZ_OK);
            for (size_t i = 0; i < c && total < 256; i++)
                all[total++] = one[i];
            n[k] += c;
            mz_free(one);
        }
    }
    CHECK_INT(n[0], r[0].n_sentences[0]);
    float *vec = mz_malloc(total * 32 * sizeof *vec);
    CHECK_INT(mz_embed_texts(vec, m, t, all, total, &eo, ctx), MZ_OK);
    mz_word_set w[4];
    for (size_t k = 0, off = 0; k < 4; off += n[k], k++)
        w[k] = (mz_word_set){"", NULL, vec + off * 32, n[k]};
    mz_weat_result want;
    CHECK_INT(mz_weat(&want, &w[0], &w[1], &w[2], &w[3], 32, &wo, ctx), MZ_OK);
    CHECK_NEAR(r[0].weat.effect_size, want.effect_size, 1e-12);
    check_word_permutation(&r[0], set, tpl, vec, n, m, t, ctx);
    CHECK(r[0].weat.ci_lo <= r[0].weat.ci_hi);
    mz_seat_result again;
    mz_set_threads(1); /* the same numbers, bit for bit, on one thread */
    CHECK_INT(mz_seat_suite(&again, m, t, &set, 1, &tpl, 1, &eo, &wo, ctx), MZ_OK);
    mz_set_threads(0);
    CHECK(again.weat.effect_size == r[0].weat.effect_size);
    CHECK(again.weat.p_value == r[0].weat.p_value && again.weat.ci_hi == r[0].weat.ci_hi);
    /* the items: each target word's score is the mean of its sentences', and their d the
     * word-level effect */
    const mz_unit_scores *sc = &r[0].entry.scores;
    CHECK_INT(sc->n_words, set->targets[0].n + set->targets[1].n);
    CHECK_INT(sc->n_rows, r[0].n_sentences[0] + r[0].n_sentences[1]);
    for (size_t wd = 0; wd < sc->n_words; wd++) {
        double mean = 0;
        for (size_t q = sc->first[wd]; q < sc->first[wd + 1]; q++)
            mean += sc->row[q] / (double)(sc->first[wd + 1] - sc->first[wd]);
        CHECK_NEAR(sc->word[wd], mean, 1e-12);
    }
    CHECK_NEAR(mz_weat_d(sc->word, set->targets[0].n, set->targets[1].n), r[0].weat.word_effect,
               1e-12);
    mz_suite_clear(r, sizeof *r, 1);
    mz_suite_clear(&again, sizeof again, 1);
    for (size_t i = 0; i < total; i++)
        mz_free((char *)all[i]);
    mz_free(vec);
done:
    mz_probes_free(set);
    mz_probes_free(tpl);
}

/* CEAT with one context per word: every sample is the same test, so the combined effect is that
 * test's d (computed here from the span embeddings directly), with no heterogeneity. */
static void check_ceat(mz_model *m, const mz_tokenizer *t, mz_ctx *ctx) {
    mz_probe_set *set = NULL, *one = NULL, *tpl = NULL;
    CHECK_INT(mz_probes_load(&set, "data/assoc-tiny.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&one, "data/frames-one-sw.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&tpl, "../corpora/templates/seat-sw.json", ctx), MZ_OK);
    if (!set || !one || !tpl) goto done;
    mz_ceat_options o = {.embed = {.pooling = MZ_POOL_MEAN, .layer = -1},
                         .n_samples = 50,
                         .n_permutations = 2000,
                         .n_bootstrap = 200,
                         .ci_level = 0.95,
                         .seed = 11};
    mz_ceat_result r;
    CHECK_INT(mz_ceat_suite(&r, m, t, &set, 1, &one, 1, &o, ctx), MZ_OK);
    CHECK_INT(r.entry.computed, 1);
    CHECK_INT(r.n_contexts, 12);
    const mz_probe_list *lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                     &set->attributes[1]};
    const char *texts[12];
    char buf[12][64];
    size_t start[12], end[12], k = 0;
    for (int l = 0; l < 4; l++)
        for (size_t w = 0; w < lists[l]->n;
             w++, k++) { /* person nouns: "Huyu ni {word}."; things: "{Word} ni {this}." */
            const char *word = lists[l]->words[w].text;
            int person = !strcmp(lists[l]->words[w].noun_class, "1/2");
            if (person)
                snprintf(buf[k], sizeof buf[k], "Huyu ni %s.", word), start[k] = 8;
            else
                snprintf(buf[k], sizeof buf[k], "%c%s ni hii.", word[0] - 32, word + 1),
                    start[k] = 0;
            end[k] = start[k] + strlen(word);
            texts[k] = buf[k];
        }
    float emb[12 * 32];
    double s[6];
    CHECK_INT(mz_embed_spans(emb, m, t, texts, start, end, 12, &o.embed, ctx), MZ_OK);
    mz_word_set xy = {"", NULL, emb, 6}, a = {"", NULL, emb + 6 * 32, 3},
                b = {"", NULL, emb + 9 * 32, 3};
    CHECK_INT(mz_assoc_word_scores(s, &xy, &a, &b, 32, ctx), MZ_OK);
    CHECK_NEAR(r.meta.effect, mz_weat_d(s, 3, 3), 1e-9);
    CHECK_NEAR(r.mean_effect, mz_weat_d(s, 3, 3), 1e-9);
    CHECK_NEAR(r.meta.i2, 0, 1e-12);
    CHECK_NEAR(r.words.effect_size, mz_weat_d(s, 3, 3), 1e-9);
    mz_suite_clear(&r, sizeof r, 1);
    /* with the full frames: samples differ, the same seed gives the same answer */
    mz_ceat_result r1, r2;
    CHECK_INT(mz_ceat_suite(&r1, m, t, &set, 1, &tpl, 1, &o, ctx), MZ_OK);
    CHECK_INT(mz_ceat_suite(&r2, m, t, &set, 1, &tpl, 1, &o, ctx), MZ_OK);
    CHECK(r1.entry.computed && r1.meta.effect == r2.meta.effect && r1.meta.q == r2.meta.q &&
          r1.meta.k == 50);
    mz_suite_clear(&r2, sizeof r2, 1);
    /* the test is over words: more samples change the description, not p or the interval */
    o.n_samples = 500;
    CHECK_INT(mz_ceat_suite(&r2, m, t, &set, 1, &tpl, 1, &o, ctx), MZ_OK);
    CHECK(r2.words.ci_lo == r1.words.ci_lo && r2.words.ci_hi == r1.words.ci_hi &&
          (r2.words.p_value == r1.words.p_value ||
           (isnan(r2.words.p_value) && isnan(r1.words.p_value))));
    mz_suite_clear(&r1, sizeof r1, 1);
    mz_suite_clear(&r2, sizeof r2, 1);
    o.n_samples = 50;
    /* contexts from a corpus: whole-word matches only ("mtux" is not "mtu"), a word without
     * one makes the test not computable, by name */
    const char *corpus[] = {"mtux hapa.",        "Mwalimu yuko hapa.",       "The doctor is here.",
                            "Daktari ni mtu.",   "Every person has rights.", "ni hapa.",
                            "Kila mtu ana haki."};
    o.corpus = corpus, o.n_corpus = 6, o.max_contexts = 10; /* without the line holding 'haki' */
    CHECK_INT(mz_ceat_suite(&r1, m, t, &set, 1, &tpl, 1, &o, ctx), MZ_OK);
    CHECK_INT(r1.entry.computed, 0);
    CHECK_CONTAINS(r1.entry.reason, "no context for 'haki'");
    o.n_corpus = 7; /* 16 contexts: mtu 2 (not "mtux"), hapa 3, ni 2, every other word 1 */
    CHECK_INT(mz_ceat_suite(&r1, m, t, &set, 1, &tpl, 1, &o, ctx), MZ_OK);
    CHECK_INT(r1.entry.computed, 1);
    CHECK_INT(r1.n_contexts, 16);
    mz_suite_clear(&r1, sizeof r1, 1);
done:
    mz_probes_free(set);
    mz_probes_free(one);
    mz_probes_free(tpl);
}

/* Random copies: every float tensor of the model again, by name and shape, LayerNorm gains 1 and
 * biases 0, the rest normal with sd 0.02 (the tiny config names no initializer_range); the same
 * copy for the same k on any thread count, another for another k; no folder left behind. */
static void check_copy_weights(mz_model *m, const mz_null_copies *nc, mz_ctx *ctx) {
    mz_model *c = NULL, *again = NULL, *other = NULL;
    CHECK_INT(mz_null_copy_open(&c, m, nc, 0, ctx), MZ_OK);
    mz_set_threads(1);
    CHECK_INT(mz_null_copy_open(&again, m, nc, 0, ctx), MZ_OK);
    mz_set_threads(0);
    CHECK_INT(mz_null_copy_open(&other, m, nc, 1, ctx), MZ_OK);
    CHECK(rmdir(nc->workdir) == 0 && mkdir(nc->workdir, 0700) == 0); /* it was left empty */
    if (!c || !again || !other) goto done;
    char h[3][65];
    mz_model_sha256(c, h[0]), mz_model_sha256(again, h[1]), mz_model_sha256(other, h[2]);
    CHECK_STR(h[0], h[1]);
    CHECK(strcmp(h[0], h[2]) != 0);
    CHECK_INT(mz_model_get_config(c)->n_layers, mz_model_get_config(m)->n_layers);
    const mz_st *st = mz_model_tensors(m), *cs = mz_model_tensors(c);
    double sum = 0, ss = 0, count = 0;
    int shapes_ok = 1, fixed_ok = 1;
    for (size_t i = 0; i < mz_st_n_tensors(st); i++) {
        const mz_st_tensor *w = mz_st_tensor_at(st, i), *x = mz_st_find(cs, w->name);
        shapes_ok &= x && x->n_dims == w->n_dims && x->n_elements == w->n_elements;
        if (!x || x->dtype != MZ_ST_F32) continue;
        const float *v = x->data;
        float want = strstr(w->name, "bias") ? 0.0f : 1.0f;
        for (size_t j = 0; j < x->n_elements; j++)
            if (x->n_dims == 1)
                fixed_ok &= v[j] == want;
            else
                sum += v[j], ss += (double)v[j] * v[j], count++;
    }
    CHECK(shapes_ok && fixed_ok);
    CHECK(fabs(sum / count) < 0.001 && fabs(sqrt(ss / count) - 0.02) < 0.0005);
done:
    mz_model_free(c), mz_model_free(again), mz_model_free(other);
}

/* A set whose words are distinct single tokens: the word permutation is exact on a random model,
 * so no copy is drawn (none could be: nc's config is missing) and p stays the word-level one. */
static void check_no_reference(mz_probe_set *set, mz_probe_set *tpl, mz_model *m,
                               const mz_tokenizer *t, const mz_embed_options *eo,
                               const mz_weat_options *wo, const mz_null_copies *nc, mz_ctx *ctx) {
    mz_null_copies none = *nc;
    none.config = MODELS "bert/missing.json";
    mz_seat_result r;
    CHECK_INT(mz_seat_suite(&r, m, t, &set, 1, &tpl, 1, eo, wo, ctx), MZ_OK);
    CHECK_INT(r.entry.shared_pieces, 0);
    double p = r.weat.p_value, holm = r.entry.p_holm;
    CHECK_INT(mz_seat_reference(&r, &none, m, t, 1, &tpl, 1, eo, ctx), MZ_OK);
    CHECK_INT(r.weat.ref.n_copies, 0);
    CHECK_NEAR(r.weat.p_value, p, 0);
    CHECK_NEAR(r.entry.p_holm, holm, 0);
    mz_suite_clear(&r, sizeof r, 1);
}

/* SEAT's and CEAT's null reference: the copies' z and effect sizes are those of the suite run on
 * each copy by itself, and p is the larger of the word-level and the reference's. */
static void check_reference(mz_model *m, const mz_tokenizer *t, mz_ctx *ctx) {
    char dir[] = "/tmp/mizani-test-copies-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    mz_null_copies nc = {.n = 4, .seed = 5, .config = MODELS "bert/config.json", .workdir = dir};
    check_copy_weights(m, &nc, ctx);
    mz_probe_set *set = NULL, *tpl = NULL, *distinct = NULL;
    CHECK_INT(mz_probes_load(&set, "data/assoc-tiny-shared.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&distinct, "data/assoc-tiny.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&tpl, "../corpora/templates/seat-sw.json", ctx), MZ_OK);
    mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    wo.n_bootstrap = 0;
    mz_seat_result r, one;
    check_no_reference(distinct, tpl, m, t, &eo, &wo, &nc, ctx);
    CHECK_INT(mz_seat_suite(&r, m, t, &set, 1, &tpl, 1, &eo, &wo, ctx), MZ_OK);
    CHECK_INT(r.entry.shared_pieces, 1); /* doctor, in doctors (doctor ##s) */
    double words_p = r.weat.p_value, z[4], d[4];
    CHECK_INT(mz_seat_reference(&r, &nc, m, t, 1, &tpl, 1, &eo, ctx), MZ_OK);
    for (size_t k = 0; k < 4; k++) {
        mz_model *c = NULL;
        CHECK_INT(mz_null_copy_open(&c, m, &nc, k, ctx), MZ_OK);
        CHECK_INT(c ? mz_seat_suite(&one, c, t, &set, 1, &tpl, 1, &eo, &wo, ctx) : MZ_ERR_IO,
                  MZ_OK);
        z[k] = one.weat.z, d[k] = one.weat.effect_size;
        mz_suite_clear(&one, sizeof one, 1);
        mz_model_free(c);
    }
    mz_weat_units_result want = r.weat;
    want.p_value = words_p;
    CHECK_INT(mz_weat_units_reference(&want, z, d, 4, ctx), MZ_OK);
    CHECK_INT(r.weat.ref.n_copies, 4);
    CHECK_NEAR(r.weat.ref.z_mean, want.ref.z_mean, 1e-12);
    CHECK_NEAR(r.weat.ref.z_sd, want.ref.z_sd, 1e-12);
    CHECK_NEAR(r.weat.ref.d_mean, want.ref.d_mean, 1e-12);
    CHECK(isfinite(r.weat.z) && r.entry.computed);
    if (isfinite(words_p)) CHECK_NEAR(r.weat.p_value, fmax(words_p, r.weat.ref.p_value), 0);
    CHECK_NEAR(r.entry.p_holm, r.weat.p_value, 0); /* one test: Holm changes nothing */
    /* with the probe runner's cache, the copies run their own texts, not the model's rows */
    mz_embed_options cached = eo;
    CHECK_INT(mz_embed_cache_new(&cached.cache, ctx), MZ_OK);
    mz_seat_result rcache = {0};
    CHECK_INT(mz_seat_suite(&rcache, m, t, &set, 1, &tpl, 1, &cached, &wo, ctx), MZ_OK);
    size_t held = mz_embed_cache_count(cached.cache);
    CHECK_INT(mz_seat_reference(&rcache, &nc, m, t, 1, &tpl, 1, &cached, ctx), MZ_OK);
    CHECK_INT(rcache.weat.ref.n_copies, 4);
    CHECK_NEAR(rcache.weat.ref.z_mean, r.weat.ref.z_mean, 1e-4);
    CHECK_NEAR(rcache.weat.ref.z_sd, r.weat.ref.z_sd, 1e-4);
    CHECK_INT(mz_embed_cache_count(cached.cache), held);
    mz_suite_clear(&rcache, sizeof rcache, 1);
    mz_ceat_options co = {
        .embed = eo, .n_samples = 10, .ci_level = 0.95, .n_permutations = 2000, .seed = 3};
    mz_ceat_result cr;
    CHECK_INT(mz_ceat_suite(&cr, m, t, &set, 1, &tpl, 1, &co, ctx), MZ_OK);
    CHECK_INT(mz_ceat_reference(&cr, &nc, m, t, 1, &tpl, 1, &co, ctx), MZ_OK);
    CHECK_INT(cr.words.ref.n_copies, 4);
    CHECK(cr.words.ref.z_sd > 0);
    mz_ceat_result ccr = {0};
    co.embed = cached;
    CHECK_INT(mz_ceat_suite(&ccr, m, t, &set, 1, &tpl, 1, &co, ctx), MZ_OK);
    held = mz_embed_cache_count(cached.cache);
    CHECK_INT(mz_ceat_reference(&ccr, &nc, m, t, 1, &tpl, 1, &co, ctx), MZ_OK);
    CHECK_INT(ccr.words.ref.n_copies, 4);
    CHECK_NEAR(ccr.words.ref.z_mean, cr.words.ref.z_mean, 1e-4);
    CHECK_INT(mz_embed_cache_count(cached.cache), held);
    /* both at once, each copy drawn once and its frames run once for both: the same numbers as
     * each suite's own reference */
    mz_seat_result s2 = {0};
    mz_ceat_result c2 = {0};
    CHECK_INT(mz_seat_suite(&s2, m, t, &set, 1, &tpl, 1, &cached, &wo, ctx), MZ_OK);
    CHECK_INT(mz_ceat_suite(&c2, m, t, &set, 1, &tpl, 1, &co, ctx), MZ_OK);
    CHECK_INT(mz_assoc_reference(&s2, &c2, 1, &nc, m, t, &tpl, 1, &cached, &co, ctx), MZ_OK);
    CHECK_INT(s2.weat.ref.n_copies, 4);
    CHECK_NEAR(s2.weat.ref.z_mean, rcache.weat.ref.z_mean, 0);
    CHECK_NEAR(s2.weat.ref.z_sd, rcache.weat.ref.z_sd, 0);
    CHECK_NEAR(c2.words.ref.z_mean, ccr.words.ref.z_mean, 0);
    CHECK_NEAR(c2.words.ref.z_sd, ccr.words.ref.z_sd, 0);
    CHECK_NEAR(c2.words.p_value, ccr.words.p_value, 0);
    mz_suite_clear(&s2, sizeof s2, 1), mz_suite_clear(&c2, sizeof c2, 1);
    mz_suite_clear(&ccr, sizeof ccr, 1), mz_suite_clear(&cr, sizeof cr, 1);
    mz_embed_cache_free(cached.cache);
    nc.config = MODELS "bert/missing.json"; /* a copy needs the model's config.json */
    CHECK_INT(mz_seat_reference(&r, &nc, m, t, 1, &tpl, 1, &eo, ctx), MZ_ERR_IO);
    CHECK_CONTAINS(mz_ctx_message(ctx), "missing.json");
    mz_suite_clear(&r, sizeof r, 1);
    mz_probes_free(set), mz_probes_free(distinct);
    mz_probes_free(tpl);
    rmdir(dir);
}

/* The null reference against scipy: stats.t.sf((2.5 - mean) / (sd sqrt(1 + 1/5)), 4) over the
 * five finite copies = 0.023876540238267734; the word-level p is kept when it is larger. */
static void check_reference_formula(mz_ctx *ctx) {
    const double z[6] = {0.1, -0.3, 0.5, 1.2, -0.8, NAN}, d[6] = {0.2, 0.4, -0.1, 0.3, 0, NAN};
    mz_weat_units_result r = {.z = 2.5, .p_value = 0.01};
    CHECK_INT(mz_weat_units_reference(&r, z, d, 6, ctx), MZ_OK);
    CHECK_INT(r.ref.n_copies, 5);
    CHECK_NEAR(r.ref.z_mean, 0.14, 1e-12);
    CHECK_NEAR(r.ref.z_sd, 0.763544366752843, 1e-12);
    CHECK_NEAR(r.ref.d_mean, 0.16, 1e-12);
    CHECK_NEAR(r.ref.d_sd, 0.20736441353327723, 1e-12);
    CHECK_NEAR(r.ref.p_value, 0.023876540238267734, 1e-12);
    CHECK_NEAR(r.p_value, r.ref.p_value, 0);
    CHECK_INT(r.ref.n_reached, 0);
    r = (mz_weat_units_result){.z = 0.3, .p_value = 0.04};
    CHECK_INT(mz_weat_units_reference(&r, z, d, 6, ctx), MZ_OK);
    CHECK_INT(r.ref.n_reached, 2);
    CHECK(r.ref.p_value > 0.04 && r.p_value == r.ref.p_value);
    r = (mz_weat_units_result){.z = 3, .p_value = 0.2}; /* the words' p is the larger */
    CHECK_INT(mz_weat_units_reference(&r, z, d, 6, ctx), MZ_OK);
    CHECK_NEAR(r.p_value, 0.2, 0);
    CHECK_INT(mz_weat_units_reference(&r, z, d, 2, ctx), MZ_ERR_INPUT);
    const double flat[4] = {1, 1, 1, 1};
    CHECK_INT(mz_weat_units_reference(&r, flat, flat, 4, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "at least 3 random copies");
}

/* Input embeddings as static vectors: a one-token word is its row of the embedding matrix, a
 * two-token word the mean of its rows, an unknown word is left out (reported missing). */
static void check_input_embeddings(mz_model *m, const mz_tokenizer *t, mz_ctx *ctx) {
    const char *words[] = {"mtu", "mtux", "\xe2\x82\xac"}; /* one token; mtu + ##x; unknown */
    mz_vectors_options vo = {.keep = words, .n_keep = 3};
    mz_vectors *v = NULL;
    CHECK_INT(mz_input_embedding_vectors(&v, m, t, &vo, ctx), MZ_OK);
    if (!v) return;
    CHECK_INT(mz_vectors_count(v), 2);
    const float *wte = mz_model_input_embeddings(m);
    int32_t mtu = mz_tokenizer_id(t, "mtu"), x = mz_tokenizer_id(t, "##x");
    CHECK(mtu >= 0 && x >= 0);
    double d1 = 0, d2 = 0;
    for (int c = 0; c < 32 && mtu >= 0 && x >= 0; c++) {
        d1 = fmax(d1, fabs(mz_vectors_row(v, 0)[c] - wte[mtu * 32 + c]));
        d2 = fmax(d2, fabs(mz_vectors_row(v, 1)[c] - (wte[mtu * 32 + c] + wte[x * 32 + c]) / 2));
    }
    CHECK(d1 == 0 && d2 < 1e-6);
    CHECK_STR(mz_vectors_word(v, 1), "mtux");
    mz_vectors_free(v);
}

/* Probe words the tokenizer maps to its unknown token are named (the 96-token test vocabulary
 * has no "ß" and no "€"). */
static void check_unknown_words(const mz_tokenizer *t, mz_ctx *ctx) {
    mz_probe_word x[2] = {{.text = "mtu"},
                          {.text = "stra\xc3\x9f"
                                   "e"}},
                  y[1] = {{.text = "doctor"}}, a[2] = {{.text = "\xe2\x82\xac"}, {.text = "hapa"}},
                  b[1] = {{.text = "rights"}};
    mz_probe_set set = {.targets = {{.words = x, .n = 2}, {.words = y, .n = 1}},
                        .attributes = {{.words = a, .n = 2}, {.words = b, .n = 1}}};
    mz_unknown_words u;
    CHECK_INT(mz_words_with_unknown(&u, t, &set, ctx), MZ_OK);
    CHECK_INT(u.total, 2);
    CHECK_INT(u.n, 2);
    CHECK_STR(u.words[0], "stra\xc3\x9f"
                          "e");
}

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    CHECK_INT(mz_model_open(&m, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&t, MODELS "bert", ctx), MZ_OK);
    if (m && t) {
        check_runner(m, t, ctx);
        check_seat(m, t, ctx);
        check_ceat(m, t, ctx);
        check_input_embeddings(m, t, ctx);
        check_unknown_words(t, ctx);
        check_reference_formula(ctx);
        check_reference(m, t, ctx);
    }
    mz_tokenizer_free(t);
    mz_model_free(m);
    mz_ctx_free(ctx);
    return mz_check_result("test_seat");
}
