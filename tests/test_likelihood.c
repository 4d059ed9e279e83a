/* Likelihood scores against PyTorch (tests/golden/models/likelihood.json, from
 * tests/reference/make_models.py): pseudo-log-likelihood, AUL and AULA on the tiny BERT, causal
 * log-likelihood on the tiny GPT-2; the token alignment on hand cases; minimal-pair scoring
 * and its per-category summary end to end through the tokenizer. */
#include "calibration/null_model.h"
#include "check.h"
#include "mizani/alloc.h"
#include "mizani/ceat.h"
#include "mizani/likelihood_run.h"
#include "mizani/mizani.h"
#include "mizani/seat.h"

#include <jansson.h>
#include <math.h>
#include <unistd.h>

#define MODELS "golden/models/"

/* Kurita et al.'s ratio for every golden case in one batch (rows of different lengths) against
 * PyTorch, and each case alone against the batch (float32 products split differently by batch size:
 * 2e-5); a last row, case 0 with another attribute, shares case 0's prior row in the batch and must
 * score as it does alone. */
static void check_masked_batch(json_t *cases, mz_lik_runner *rb, mz_ctx *ctx) {
    enum { MAXC = 16, MAXN = 64 };
    int32_t ids[MAXC][MAXN];
    uint8_t tgt[MAXC][MAXN], att[MAXC][MAXN];
    mz_lik_template_row rows[MAXC];
    double batch[MAXC], alone;
    size_t i, count = json_array_size(cases);
    json_t *c;
    CHECK(count >= 2 && count < MAXC);
    if (count < 2 || count >= MAXC) return;
    json_array_foreach(cases, i, c) {
        json_t *ji = json_object_get(c, "ids");
        int n = (int)json_array_size(ji);
        for (int k = 0; k < n && k < MAXN; k++) {
            ids[i][k] = (int32_t)json_integer_value(json_array_get(ji, (size_t)k));
            tgt[i][k] = (uint8_t)json_integer_value(
                json_array_get(json_object_get(c, "target"), (size_t)k));
            att[i][k] = (uint8_t)json_integer_value(
                json_array_get(json_object_get(c, "attribute"), (size_t)k));
        }
        rows[i] = (mz_lik_template_row){ids[i], tgt[i], att[i], n < MAXN ? n : MAXN};
    }
    memcpy(ids[count], ids[0], sizeof ids[0]);
    for (int k = 0; k < rows[0].n; k++)
        if (att[0][k]) ids[count][k] = 9;
    rows[count] = (mz_lik_template_row){ids[count], tgt[0], att[0], rows[0].n};
    CHECK_INT(mz_lik_masked_ratios(batch, rb, rows, (int)count + 1, 4, ctx), MZ_OK);
    CHECK_INT(mz_lik_masked_ratios(&alone, rb, &rows[count], 1, 4, ctx), MZ_OK);
    CHECK_NEAR(alone, batch[count], 2e-5);       /* float32 products split differently */
    CHECK(fabs(batch[count] - batch[0]) > 1e-6); /* the attribute matters */
    json_array_foreach(cases, i, c) {
        CHECK_NEAR(batch[i], json_real_value(json_object_get(c, "score")), 1e-5);
        CHECK_INT(mz_lik_masked_ratios(&alone, rb, &rows[i], 1, 4, ctx), MZ_OK);
        CHECK_NEAR(alone, batch[i], 2e-5);
        printf("  bert masked case %zu: %.6f batched, %.6f alone (PyTorch %.6f)\n", i, batch[i],
               alone, json_real_value(json_object_get(c, "score")));
    }
}

static int read_case(json_t *c, int32_t *ids, uint8_t *scored) {
    json_t *ji = json_object_get(c, "ids"), *js = json_object_get(c, "scored");
    int n = (int)json_array_size(ji);
    for (int i = 0; i < n && i < 64; i++) {
        ids[i] = (int32_t)json_integer_value(json_array_get(ji, (size_t)i));
        scored[i] = (uint8_t)json_integer_value(json_array_get(js, (size_t)i));
    }
    return n;
}

static void check_scores(mz_ctx *ctx) {
    json_error_t err;
    json_t *root = json_load_file(MODELS "likelihood.json", 0, &err);
    mz_model *bert = NULL, *gpt2 = NULL;
    CHECK(root != NULL);
    CHECK_INT(mz_model_open(&bert, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_model_open(&gpt2, MODELS "gpt2", ctx), MZ_OK);
    mz_lik_runner *rb = NULL, *rg = NULL;
    if (!root || !bert || !gpt2) goto done;
    CHECK_INT(mz_lik_runner_new(&rb, bert, ctx), MZ_OK);
    CHECK_INT(mz_lik_runner_new(&rg, gpt2, ctx), MZ_OK);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(root, "bert"), i, c) {
        int32_t ids[64];
        uint8_t scored[64];
        int n = read_case(c, ids, scored);
        double pll, aul, aula, per[64];
        CHECK_INT(mz_lik_pll(&pll, per, rb, ids, n, scored, 4, ctx), MZ_OK);
        CHECK_INT(mz_lik_aul(&aul, &aula, NULL, rb, ids, n, scored, ctx), MZ_OK);
        CHECK_NEAR(pll, json_real_value(json_object_get(c, "pll")), 1e-4);
        CHECK_NEAR(aul, json_real_value(json_object_get(c, "aul")), 1e-5);
        CHECK_NEAR(aula, json_real_value(json_object_get(c, "aula")), 1e-5);
        CHECK(per[0] == 0 && per[1] < 0); /* only scored tokens get a term */
        printf("  bert case %zu: PLL %.6f AUL %.6f AULA %.6f (PyTorch %.6f %.6f %.6f)\n", i, pll,
               aul, aula, json_real_value(json_object_get(c, "pll")),
               json_real_value(json_object_get(c, "aul")),
               json_real_value(json_object_get(c, "aula")));
    }
    json_array_foreach(json_object_get(root, "gpt2"), i, c) {
        int32_t ids[64];
        uint8_t scored[64];
        int n = read_case(c, ids, scored);
        double causal;
        CHECK_INT(mz_lik_causal(&causal, NULL, rg, ids, n, scored, ctx), MZ_OK);
        CHECK_NEAR(causal, json_real_value(json_object_get(c, "causal")), 1e-4);
        printf("  gpt2 case %zu: causal %.6f (PyTorch %.6f)\n", i, causal,
               json_real_value(json_object_get(c, "causal")));
    }
    check_masked_batch(json_object_get(root, "masked"), rb, ctx);
done:
    mz_lik_runner_free(rb);
    mz_lik_runner_free(rg);
    mz_model_free(bert);
    mz_model_free(gpt2);
    json_decref(root);
}

static void check_align(mz_ctx *ctx) {
    const int32_t a[] = {2, 5, 6, 7, 3}, b[] = {2, 5, 9, 9, 7, 3}, c[] = {2, 8, 3};
    uint8_t sa[8], sb[8];
    CHECK_INT(mz_lik_align(sa, sb, a, 5, b, 6, ctx), MZ_OK);
    const uint8_t wa[] = {1, 1, 0, 1, 1}, wb[] = {1, 1, 0, 0, 1, 1};
    CHECK(!memcmp(sa, wa, 5) && !memcmp(sb, wb, 6));
    CHECK_INT(mz_lik_align(sa, sb, a, 5, c, 3, ctx), MZ_OK);
    CHECK(sa[0] && !sa[1] && !sa[2] && !sa[3] && sa[4] && sb[0] && !sb[1] && sb[2]);
}

/* Clusters by hand: pairs sharing a target id or a token contrast are one, transitively. */
static size_t count_clusters(const mz_pair_score **x, size_t m) {
    size_t label[64], k = 0;
    for (size_t i = 0; i < m && i < 64; i++)
        label[i] = i;
    for (int changed = 1; changed;) { /* relabel until nothing links two labels */
        changed = 0;
        for (size_t i = 0; i < m && i < 64; i++)
            for (size_t j = 0; j < m && j < 64; j++)
                if (label[j] < label[i] &&
                    (!strcmp(x[i]->pair->target_id, x[j]->pair->target_id) ||
                     (*x[i]->contrast && !strcmp(x[i]->contrast, x[j]->contrast))))
                    label[i] = label[j], changed = 1;
    }
    for (size_t i = 0; i < m && i < 64; i++)
        k += label[i] == i;
    return k;
}

/* The pairs' summaries recomputed by hand from the pair scores: tested = equal token counts,
 * clusters = target ids and token contrasts, ties half. */
static void check_summary(const mz_pairs_result *r, const mz_pair_summary *s, const char *cat) {
    unsigned long n = 0, matched = 0;
    double pref = 0;
    const mz_pair_score *tested[64];
    for (size_t i = 0; i < r->n_scores; i++) {
        const mz_pair_score *x = &r->scores[i];
        if ((cat && strcmp(x->pair->category, cat)) || !x->computable) continue;
        n++;
        if (x->tokens_more != x->tokens_less) continue;
        if (matched < 64) tested[matched] = x;
        matched++;
        pref += x->more > x->less ? 1 : x->more < x->less ? 0 : 0.5;
    }
    size_t k = count_clusters(tested, matched);
    CHECK_INT(s->n, n);
    CHECK_INT(s->n_matched, matched);
    CHECK_INT(s->n_clusters, k);
    CHECK_NEAR(s->rate, pref / (double)matched, 1e-12);
    /* k clusters: the smallest two-sided sign-flip p is 2 / 2^k */
    CHECK_NEAR(s->inference.min_p, fmin(1, 2 / ldexp(1, (int)k)), 1e-12);
    CHECK_INT(s->inference.can_reach, k >= 6);
    CHECK(s->inference.can_reach || isnan(s->p_value));
}

/* A pair linked to two earlier clusters, one by its token contrast and one by its target id,
 * joins them into one (whichever index the union makes the root), apart from the pair before
 * them and the one after: clusters of 1, 3 and 1 pairs, which the test's smallest detectable
 * effect reflects (through the effective number of clusters). */
static void check_linked_clusters(mz_ctx *ctx) {
    static const char *const target[5] = {"D", "A", "B", "B", "C"},
                             *contrast[5] = {"w", "x", "y", "x", "z"};
    mz_minimal_pair pairs[5];
    mz_pair_score scores[5];
    for (int i = 0; i < 5; i++) {
        pairs[i] = (mz_minimal_pair){.id = "p", .category = "c", .target_id = target[i]};
        scores[i] = (mz_pair_score){.pair = &pairs[i], .computable = 1, .more = i, .less = 2};
        snprintf(scores[i].contrast, sizeof scores[i].contrast, "%s", contrast[i]);
    }
    mz_probe_set set = {.pairs = pairs, .n_pairs = 5};
    mz_pairs_result r = {.scores = scores, .n_scores = 5};
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    CHECK_INT(mz_lik_pairs_summarise(&r, &set, &o, ctx), MZ_OK);
    CHECK_INT(r.n_summaries, 2);
    const size_t sizes[3] = {1, 3, 1};
    double mde = mz_stats_mde_rate(mz_stats_effective_clusters(sizes, 3), o.alpha, 0.8);
    if (r.n_summaries == 2) {
        CHECK_INT(r.summaries[0].n_clusters, 3);
        CHECK_NEAR(r.summaries[0].inference.mde, mde, 1e-12);
    }
    mz_free(r.summaries);
}

static void check_pairs(mz_ctx *ctx) {
    mz_model *m = NULL, *g = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set *set = NULL;
    mz_lik_runner *run = NULL;
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    CHECK_INT(mz_model_open(&m, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_model_open(&g, MODELS "gpt2", ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&t, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&set, "data/pairs-tiny.json", ctx), MZ_OK);
    if (!m || !g || !t || !set) goto done;
    CHECK_INT(mz_lik_runner_new(&run, m, ctx), MZ_OK);
    mz_pairs_result r;
    CHECK_INT(mz_lik_pairs(&r, m, t, set, MZ_LIK_PLL, &o, NULL, ctx), MZ_OK);
    CHECK_INT(r.n_scores, 5);
    CHECK_INT(r.n_summaries, 3);
    if (r.n_summaries == 3) {
        CHECK_STR(r.summaries[0].category, "gender");
        CHECK_STR(r.summaries[2].category, "all");
        check_summary(&r, &r.summaries[0], "gender");
        check_summary(&r, &r.summaries[1], "age");
        check_summary(&r, &r.summaries[2], NULL);
        CHECK_INT(r.summaries[1].n_clusters, 2); /* t-3 and t-4 swap the same two words */
    }
    /* "Kila mtu ana haki." vs "Kila daktari ana haki.": PLL over the 4 shared word tokens */
    if (r.n_scores && run) {
        mz_encoding e = {0};
        CHECK_INT(mz_tokenizer_encode(&e, t, "Kila mtu ana haki.", 18, 1, ctx), MZ_OK);
        uint8_t scored[16] = {0, 1, 0, 1, 1, 1, 0};
        double want, per[16];
        CHECK_INT(e.n, 7);
        mz_set_threads(1); /* as each item runs inside mz_lik_for_each */
        CHECK_INT(mz_lik_pll(&want, per, run, e.ids, (int)e.n, scored, 4, ctx), MZ_OK);
        mz_set_threads(0);
        CHECK(r.scores[0].more == want);
        for (int i = 0; i < 7; i++) /* the per-token scores the JSON reports */
            CHECK(r.scores[0].per_token_more[i] == per[i]);
        CHECK_INT(r.scores[0].target_tokens_more, 1);
        CHECK_INT(r.scores[0].target_tokens_less, 1);
        CHECK_INT(r.scores[0].split_mismatch, 0);
        CHECK_INT(r.scores[0].prefers_more, r.scores[0].more > r.scores[0].less);
        mz_encoding_clear(&e);
    }
    mz_pairs_result_free(&r);
    CHECK_INT(mz_lik_pairs(&r, m, t, set, MZ_LIK_AULA, &o, NULL, ctx), MZ_OK);
    mz_pairs_result_free(&r);
    CHECK_INT(mz_lik_pairs(&r, g, t, set, MZ_LIK_PLL, &o, NULL, ctx), MZ_ERR_USAGE);
    CHECK_CONTAINS(mz_ctx_message(ctx), "is a decoder (use causal)");
    CHECK_INT(mz_lik_pairs(&r, m, t, set, MZ_LIK_CAUSAL, &o, NULL, ctx), MZ_ERR_USAGE);
done:
    mz_lik_runner_free(run);
    mz_probes_free(set);
    mz_tokenizer_free(t);
    mz_model_free(m);
    mz_model_free(g);
}

/* Bit-identical scores and statistics for 1 and 2 threads (every reduction in a fixed order). */
static void check_threads(mz_ctx *ctx) {
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set *pairs = NULL, *masked = NULL;
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    CHECK_INT(mz_model_open(&m, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&t, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&pairs, "data/pairs-tiny.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&masked, "data/masked-tiny.json", ctx), MZ_OK);
    if (m && t && pairs && masked) {
        mz_pairs_result p[2];
        mz_masked_result k[2];
        for (int i = 0; i < 2; i++) {
            mz_set_threads(i + 1);
            CHECK_INT(mz_lik_pairs(&p[i], m, t, pairs, MZ_LIK_PLL, &o, NULL, ctx), MZ_OK);
            CHECK_INT(mz_lik_masked(&k[i], m, t, masked, 300, 0.95, 5, NULL, ctx), MZ_OK);
        }
        for (size_t i = 0; i < p[0].n_scores && i < p[1].n_scores; i++)
            CHECK(p[0].scores[i].more == p[1].scores[i].more &&
                  p[0].scores[i].less == p[1].scores[i].less);
        CHECK(p[0].summaries[2].ci_lo == p[1].summaries[2].ci_lo);
        for (size_t i = 0; i < k[0].n_attributes; i++)
            CHECK(k[0].attributes[i].bias == k[1].attributes[i].bias);
        CHECK(k[0].ci_lo == k[1].ci_lo && k[0].ci_hi == k[1].ci_hi);
        for (int i = 0; i < 2; i++)
            mz_pairs_result_free(&p[i]), mz_masked_result_free(&k[i]);
    }
    mz_set_threads(0);
    mz_probes_free(pairs), mz_probes_free(masked);
    mz_tokenizer_free(t);
    mz_model_free(m);
}

/* A masked-template set end to end: every attribute scored, the summary consistent with it;
 * two target words a group can give no p below 1/3: it says so instead of printing one. */
static void check_masked(mz_ctx *ctx) {
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set *set = NULL;
    CHECK_INT(mz_model_open(&m, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&t, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&set, "data/masked-tiny.json", ctx), MZ_OK);
    if (m && t && set) {
        mz_masked_result r;
        CHECK_INT(mz_lik_masked(&r, m, t, set, 500, 0.95, 3, NULL, ctx), MZ_OK);
        CHECK_INT(r.n_attributes, 3);
        double mean = 0, words = 0;
        unsigned long lean = 0;
        for (size_t i = 0; i < r.n_attributes; i++) {
            CHECK_NEAR(r.attributes[i].bias,
                       r.attributes[i].group_mean[0] - r.attributes[i].group_mean[1], 1e-12);
            mean += r.attributes[i].bias / 3, lean += r.attributes[i].bias > 0;
        }
        for (int w = 0; w < 4; w++)
            words += (w < 2 ? 0.5 : -0.5) * r.word_mean[w];
        CHECK_NEAR(r.mean_bias, mean, 1e-12);
        CHECK_NEAR(r.mean_bias, words, 1e-12); /* the same effect over target words */
        CHECK_INT(r.lean_first, lean);
        CHECK(r.ci_lo <= r.mean_bias + 1e-12 && r.mean_bias <= r.ci_hi + 1e-12);
        CHECK_INT(r.inference.can_reach, 0);
        CHECK(isnan(r.p_value));
        mz_masked_result_free(&r);
    }
    mz_probes_free(set);
    mz_tokenizer_free(t);
    mz_model_free(m);
}

/* The change of the preference rate, before and after, over target clusters: 6 of 10 pairs
 * gained the stereotypical preference and none lost it. As units of their own, the exact swap
 * test counts the patterns keeping all six changes on one side: 2 * 2^4 of 2^10, p = 0.03125
 * (McNemar's exact p on these counts too). Pairs 0 and 1 sharing a target make 9 clusters, one
 * of weight 2: 2 * 2^4 of 2^9, p = 0.0625. */
static void check_change(mz_ctx *ctx) {
    double before[10], after[10];
    const char *own[10] = {0}, *shared[10] = {"t1", "t1"};
    for (int i = 0; i < 10; i++)
        before[i] = 0, after[i] = i < 6;
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    mz_pairs_change c;
    CHECK_INT(mz_lik_pairs_change(&c, before, after, own, 10, &o, ctx), MZ_OK);
    CHECK_NEAR(c.change, 0.6, 1e-12);
    CHECK_NEAR(c.p_value, 0.03125, 1e-12);
    CHECK(c.exact && c.n_clusters == 10);
    CHECK(c.ci_lo <= 0.6 && 0.6 <= c.ci_hi);
    CHECK_INT(mz_lik_pairs_change(&c, before, after, shared, 10, &o, ctx), MZ_OK);
    CHECK_NEAR(c.p_value, 0.0625, 1e-12);
    CHECK_INT(c.n_clusters, 9);
}

/* One NaN weight in layer 1: every likelihood and association test stops with a numeric error
 * naming where non-finite values first appear (exit 5), never a rate or a p-value. */
static void check_non_finite(mz_ctx *ctx) {
    char dir[] = "/tmp/mizani-nan-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    null_spec spec = {0, 2, 32, 4, 64, MODELS "bert/tokenizer.json", 7};
    null_model nm;
    CHECK_INT(null_model_make(&nm, &spec, ctx), MZ_OK);
    for (size_t i = 0; i < nm.n; i++)
        if (!strcmp(nm.t[i].name, "bert.encoder.layer.1.attention.self.query.weight"))
            nm.data[i][5] = NAN;
    CHECK_INT(null_model_write(&nm, &spec, dir, ctx), MZ_OK);
    null_model_free(&nm);
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set *pairs = NULL, *masked = NULL, *assoc = NULL, *tpl = NULL;
    CHECK_INT(mz_model_open(&m, dir, ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&t, dir, ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&pairs, "data/pairs-tiny.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&masked, "data/masked-tiny.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&assoc, "data/assoc-tiny.json", ctx), MZ_OK);
    CHECK_INT(mz_probes_load(&tpl, "../corpora/templates/seat-sw.json", ctx), MZ_OK);
    if (m && t && pairs && masked && assoc && tpl) {
        mz_pairs_options o;
        mz_pairs_options_default(&o);
        mz_pairs_result r;
        mz_masked_result k;
        CHECK_INT(mz_lik_pairs(&r, m, t, pairs, MZ_LIK_PLL, &o, NULL, ctx), MZ_ERR_NUMERIC);
        CHECK_CONTAINS(mz_ctx_message(ctx), "non-finite values first appear in layer.1");
        CHECK_CONTAINS(mz_ctx_message(ctx), "pair t-1");
        CHECK_INT(mz_lik_pairs(&r, m, t, pairs, MZ_LIK_AULA, &o, NULL, ctx), MZ_ERR_NUMERIC);
        CHECK_INT(mz_lik_masked(&k, m, t, masked, 10, 0.95, 1, NULL, ctx), MZ_ERR_NUMERIC);
        mz_embed_options eo = {.pooling = MZ_POOL_MEAN, .layer = -1};
        mz_weat_options wo;
        mz_weat_options_default(&wo);
        mz_seat_result sr;
        CHECK_INT(mz_seat_suite(&sr, m, t, &assoc, 1, &tpl, 1, &eo, &wo, ctx), MZ_ERR_NUMERIC);
        mz_ceat_options co = {.embed = eo, .n_samples = 5, .ci_level = 0.95, .seed = 1};
        mz_ceat_result cr;
        CHECK_INT(mz_ceat_suite(&cr, m, t, &assoc, 1, &tpl, 1, &co, ctx), MZ_ERR_NUMERIC);
    }
    mz_probes_free(pairs), mz_probes_free(masked), mz_probes_free(assoc), mz_probes_free(tpl);
    mz_tokenizer_free(t);
    mz_model_free(m);
    null_model_remove(dir);
}

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    check_scores(ctx);
    check_align(ctx);
    check_pairs(ctx);
    check_linked_clusters(ctx);
    check_masked(ctx);
    check_threads(ctx);
    check_non_finite(ctx);
    check_change(ctx);
    mz_ctx_free(ctx);
    return mz_check_result("test_likelihood");
}
