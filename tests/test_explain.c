/* The explanation job against tests/reference/make_explain.py's goldens (float64 PyTorch on the
 * tiny BERT and GPT-2, with its own tokenizer, targets, quadrature and methods): masked-LM
 * targets (a word, a contrast, a split word scored as the sum of its pieces, the top
 * prediction), GPT-2's next token and continuation, and both kinds of minimal-pair score. Every
 * array must match to 1e-4 of its largest magnitude. Then what the goldens cannot show: the
 * same numbers for any batch size and thread count, a pair's score equal to `mizani pairs`',
 * every bad input refused with one line naming it, and every allocation failure reported. */
#include "check.h"
#include "golden_json.h"
#include "mizani/explain.h"
#include "mizani/likelihood.h"
#include "mizani/likelihood_run.h"
#include "mizani/mizani.h"

#define TOL    1e-4
#define MODELS "golden/models/"

static mz_ctx *ctx;
static json_t *goldens;
static mz_model *bert, *gpt2;
static mz_tokenizer *tok;

static const json_t *golden_case(const char *name) {
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(goldens, "cases"), i, c) {
        if (!strcmp(json_string_value(json_object_get(c, "name")), name)) return c;
    }
    fprintf(stderr, "no golden case %s\n", name);
    return NULL;
}

/* max |got - want| / max |want| over n values, printed; fails past TOL. */
static void compare(const char *what, const char *name, const double *got, const json_t *want) {
    size_t n = json_array_size(want);
    double err = 0, scale = 0;
    CHECK(got != NULL && n > 0);
    for (size_t i = 0; got && i < n; i++) {
        double w = json_number_value(json_array_get(want, i));
        err = fmax(err, fabs(got[i] - w)), scale = fmax(scale, fabs(w));
    }
    printf("  %-13s %-22s rel. error %.2e\n", name, what, scale ? err / scale : err);
    CHECK(err <= TOL * (scale > 1 ? scale : 1));
}

static void compare_num(const char *what, const char *name, double got, const json_t *g,
                        const char *key) {
    json_t *one = json_pack("[f]", json_number_value(json_object_get(g, key)));
    compare(what, name, &got, one);
    json_decref(one);
}

static mz_explain_options options(void) {
    mz_explain_options o;
    mz_explain_options_init(&o);
    o.steps = (int)json_integer_value(json_object_get(goldens, "steps"));
    o.attattr_steps = (int)json_integer_value(json_object_get(goldens, "attattr_steps"));
    return o;
}

static void check_ids(const mz_explanation *e, const json_t *g, const char *name) {
    const json_t *ids = json_object_get(g, "ids");
    int same = e->n_tokens == json_array_size(ids);
    for (size_t t = 0; same && t < e->n_tokens; t++)
        same = e->ids[t] == json_integer_value(json_array_get(ids, t));
    if (!same) fprintf(stderr, "%s: token ids differ from the golden's\n", name);
    CHECK(same);
}

/* Everything both the text and the sentence cases hold. */
static void check_common(const mz_explanation *e, const json_t *g, const char *name) {
    check_ids(e, g, name);
    compare_num("f(x)", name, e->fx, g, "f_x");
    compare_num("f(baseline)", name, e->fbase, g, "f_baseline");
    compare("integrated gradients", name, e->token_scores[MZ_EXPLAIN_IG], json_object_get(g, "ig"));
    compare("IG per word", name, e->word_scores[MZ_EXPLAIN_IG], json_object_get(g, "ig_words"));
    compare("saliency", name, e->token_scores[MZ_EXPLAIN_SALIENCY], json_object_get(g, "saliency"));
    compare("gradient x input", name, e->token_scores[MZ_EXPLAIN_GRAD_INPUT],
            json_object_get(g, "grad_input"));
    compare("raw attention", name, e->token_scores[MZ_EXPLAIN_ATTENTION],
            json_object_get(g, "attention"));
    compare("rollout", name, e->token_scores[MZ_EXPLAIN_ROLLOUT], json_object_get(g, "rollout"));
    compare("norm-based", name, e->token_scores[MZ_EXPLAIN_NORM], json_object_get(g, "norm"));
    compare("head importance", name, e->head_importance, json_object_get(g, "head_importance"));
    printf("  %-13s completeness gap %.2e\n", name, e->completeness.gap);
    CHECK(e->completeness.gap < 1e-3);
    const json_t *f = json_object_get(g, "faithfulness_ig");
    if (!f) return;
    compare("occlusion", name, e->word_scores[MZ_EXPLAIN_OCCLUSION],
            json_object_get(g, "occlusion"));
    compare("IG deletion curve", name, e->deletion[MZ_EXPLAIN_IG], json_object_get(f, "deletion"));
    compare("IG insertion curve", name, e->insertion[MZ_EXPLAIN_IG],
            json_object_get(f, "insertion"));
    const mz_attr_faithfulness_result *r = &e->faithfulness[MZ_EXPLAIN_IG];
    compare_num("IG comprehensiveness", name, r->comprehensiveness, f, "comprehensiveness");
    compare_num("IG sufficiency", name, r->sufficiency, f, "sufficiency");
    compare_num("IG deletion area", name, r->deletion_area, f, "deletion_area");
    compare_num("IG insertion area", name, r->insertion_area, f, "insertion_area");
}

static void check_text(const char *name, mz_model *m, mz_explain_split split) {
    const json_t *g = golden_case(name);
    if (!g) return;
    mz_explain_options o = options();
    o.target = json_string_value(json_object_get(g, "target"));
    o.contrast = json_string_value(json_object_get(g, "contrast"));
    o.continuation = json_string_value(json_object_get(g, "continuation"));
    o.split = split;
    const char *text = json_string_value(json_object_get(g, "text")), *label = name;
    mz_explanation e;
    CHECK_INT(mz_explain_texts(&e, m, tok, &text, &label, 1, &o, ctx), MZ_OK);
    if (mz_ctx_status(ctx)) fprintf(stderr, "%s\n", mz_ctx_message(ctx));
    if (!e.n_tokens) return;
    check_common(&e, g, name);
    CHECK(e.flow != NULL && e.attattr != NULL && e.n_notes == 0);
    mz_explanation_clear(&e);
}

/* A pair: golden `name` explains side `side` of it. The pseudo-log-likelihood must also equal
 * the score `mizani pairs` gives the sentence. */
static void check_pair(const char *name, mz_model *m, int side) {
    const json_t *g = golden_case(name);
    if (!g) return;
    mz_minimal_pair p = {.id = "t-1",
                         .category = "gender",
                         .more = json_string_value(json_object_get(g, "more")),
                         .less = json_string_value(json_object_get(g, "less")),
                         .target_more = "mtu",
                         .target_less = "daktari",
                         .span_start = 5};
    mz_explain_options o = options();
    mz_pair_explanation x;
    CHECK_INT(mz_explain_pairs(&x, m, tok, &p, 1, "pairs.json", &o, ctx), MZ_OK);
    if (!x.pair) return;
    const mz_explanation *e = &x.side[side];
    check_common(e, g, name);
    CHECK_STR(e->label, side ? "pairs.json: pair t-1 (less)" : "pairs.json: pair t-1 (more)");
    mz_pairs_result pr;
    mz_probe_set set = {.kind = MZ_PROBE_MINIMAL_PAIRS, .pairs = &p, .n_pairs = 1};
    int causal = mz_model_is_causal(mz_model_get_config(m));
    mz_pairs_options po;
    mz_pairs_options_default(&po);
    CHECK_INT(mz_lik_pairs(&pr, m, tok, &set, causal ? MZ_LIK_CAUSAL : MZ_LIK_PLL, &po, NULL, ctx),
              MZ_OK);
    if (pr.n_scores) CHECK_NEAR(e->fx, side ? pr.scores[0].less : pr.scores[0].more, 1e-4);
    mz_pairs_result_free(&pr);
    /* "kila", "ana", "haki", "." are shared; "mtu" and "daktari" each stand alone in a row */
    CHECK_INT(x.n_aligned, 6);
    if (x.n_aligned == 6)
        CHECK(x.aligned[0][0] == 0 && x.aligned[0][1] == 0 && x.aligned[1][0] == 1 &&
              x.aligned[1][1] == -1 && x.aligned[2][0] == -1 && x.aligned[2][1] == 1 &&
              x.aligned[5][0] == 4 && x.aligned[5][1] == 4);
    if (causal) CHECK(e->deletion[MZ_EXPLAIN_IG] == NULL && e->n_notes > 0);
    mz_pair_explanation_clear(&x);
}

/* ---- what the goldens cannot show */

/* The other masked-LM architectures (ELECTRA's embeddings narrower than its hidden size,
 * RoBERTa's offset positions, DistilBERT's names): Integrated Gradients complete, computed by
 * passes independent of the attributions (f(x) and f(x') forward). */
static void check_architectures(void) {
    static const char *const archs[] = {"roberta", "electra", "distilbert"};
    for (size_t i = 0; i < 3; i++) {
        char path[64];
        snprintf(path, sizeof path, MODELS "%s", archs[i]);
        mz_model *m = NULL;
        CHECK_INT(mz_model_open(&m, path, ctx), MZ_OK);
        mz_explain_options o = options();
        o.target = "mtu";
        const char *text = "Daktari yuko [MASK] hapa.", *label = archs[i];
        mz_explanation e;
        CHECK_INT(m ? mz_explain_texts(&e, m, tok, &text, &label, 1, &o, ctx) : MZ_ERR_INPUT,
                  MZ_OK);
        if (m && e.n_tokens) {
            printf("  %-13s f(x) %+.4f, f(x') %+.4f, completeness gap %.2e\n", archs[i], e.fx,
                   e.fbase, e.completeness.gap);
            CHECK(isfinite(e.fx) && e.completeness.gap < 1e-3 && e.n_edges > 0);
            mz_explanation_clear(&e);
        }
        mz_model_free(m);
    }
}

/* The largest difference between two explanations' scores and maps, relative to each array's
 * largest magnitude. */
static double rel(const double *x, const double *y, size_t n) {
    double err = 0, scale = 0;
    for (size_t i = 0; i < n; i++)
        err = fmax(err, fabs(x[i] - y[i])), scale = fmax(scale, fabs(x[i]));
    return scale ? err / scale : err;
}

static double difference(const mz_explanation *a, const mz_explanation *b) {
    double d = fmax(rel(&a->fx, &b->fx, 1), rel(&a->fbase, &b->fbase, 1));
    CHECK(a->n_tokens == b->n_tokens && a->words.n_words == b->words.n_words);
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++) {
        if (a->token_scores[k])
            d = fmax(d, rel(a->token_scores[k], b->token_scores[k], a->n_tokens));
        if (a->word_scores[k])
            d = fmax(d, rel(a->word_scores[k], b->word_scores[k], a->words.n_words));
        if (a->deletion[k]) d = fmax(d, rel(a->deletion[k], b->deletion[k], a->words.n_words + 1));
    }
    size_t cells = (size_t)a->layers * a->heads * a->n_tokens * a->n_tokens;
    return a->attattr ? fmax(d, rel(a->attattr, b->attattr, cells)) : d;
}

/* Two texts in one job, packed one row a pass or all rows together, on one thread or two: the
 * threads split every product the same way (identical numbers); a batch of other rows may
 * change the products' blocking, and with it the last bits. */
static void check_invariance(void) {
    const char *texts[] = {"Daktari yuko [MASK] hapa.", "[MASK] ana haki."};
    const char *labels[] = {"a", "b"};
    mz_explain_options o = options();
    o.target = "mtu";
    mz_explanation x[2], y[2], z[2];
    CHECK_INT(mz_explain_texts(x, bert, tok, texts, labels, 2, &o, ctx), MZ_OK);
    o.max_tokens = 1;
    CHECK_INT(mz_explain_texts(y, bert, tok, texts, labels, 2, &o, ctx), MZ_OK);
    mz_set_threads(1);
    o.max_tokens = 2048;
    CHECK_INT(mz_explain_texts(z, bert, tok, texts, labels, 2, &o, ctx), MZ_OK);
    mz_set_threads(0);
    /* the same two with targets of their own, one of them the same as above */
    mz_explanation w[2];
    mz_explain_input in[2] = {{texts[0], "a", "mtu", NULL, NULL},
                              {texts[1], "b", "daktari", NULL, NULL}};
    CHECK_INT(mz_explain_inputs(w, bert, tok, in, 2, &o, ctx), MZ_OK);
    if (w[0].n_tokens) CHECK(difference(&x[0], &w[0]) == 0 && w[1].fx != x[1].fx);
    CHECK_STR(w[1].predicted, "daktari");
    mz_explanation_clear(&w[0]), mz_explanation_clear(&w[1]);
    for (int i = 0; i < 2; i++) {
        double batch = difference(&x[i], &y[i]), threads = difference(&x[i], &z[i]);
        printf("  text %d: one row a pass against all at once: %.1e; one thread against all: "
               "%.1e\n",
               i, batch, threads);
        CHECK(batch <= 1e-5);
        CHECK(threads == 0);
        mz_explanation_clear(&x[i]), mz_explanation_clear(&y[i]), mz_explanation_clear(&z[i]);
    }
}

typedef struct bad_case {
    int decoder;
    const char *text, *target, *contrast, *continuation;
    mz_explain_split split;
    mz_explain_baseline baseline;
    const char *message;
} bad_case;

static void check_bad_inputs(void) {
    static const bad_case cases[] = {
        {0, "Daktari yuko [MASK] hapa.", "kaka", NULL, NULL, 0, 0,
         "--text: the target word 'kaka' is not one token: the tokenizer splits it into 4 (k ##a "
         "##k ##a); --split sum scores"},
        {0, "Daktari yuko [MASK] hapa.", "5", NULL, NULL, 0, 0,
         "--text: the target word '5' is not in the model's vocabulary (the tokenizer maps it to "
         "[UNK])"},
        {0, "Daktari yuko [MASK] hapa.", "mtu", "5", NULL, 0, 0,
         "the contrast word '5' is not in the model's vocabulary"},
        {0, "Daktari yuko hapa.", NULL, NULL, NULL, 0, 0, "--text: no [MASK] in the text"},
        {0, "[MASK] yuko [MASK].", NULL, NULL, NULL, 0, 0, "--text: 2 mask tokens ([MASK])"},
        {0, "[MASK] ana haki.", "mtu", "kaka", NULL, MZ_EXPLAIN_SPLIT_SUM, 0,
         "the target 'mtu' takes 1 token and the contrast 'kaka' 4"},
        {0,
         "Kila mtu ana haki kila mtu ana haki kila mtu ana haki kila mtu ana haki kila mtu "
         "ana haki kila mtu ana haki [MASK].",
         NULL, NULL, NULL, 0, 0, "--text: 28 tokens, more than the model's 24 positions"},
        {0, "Daktari [MASK] \xff.", NULL, NULL, NULL, 0, 0,
         "--text: byte 15: invalid UTF-8 in the text to tokenize"},
        {1, "Daktari yuko [MASK]", "mtu", NULL, NULL, 0, 0,
         "--text: a decoder (gpt2) has no [MASK]: it predicts the token after the text"},
        {1, "   ", NULL, NULL, NULL, 0, 0, "--text: the text is empty"},
        {1, "Daktari yuko", "kaka", "mtu", NULL, MZ_EXPLAIN_SPLIT_SUM, 0,
         "a contrast compares two next tokens, and 'kaka' takes 4 tokens"},
        {1, "Daktari yuko", NULL, NULL, NULL, 0, MZ_EXPLAIN_BASELINE_MASK,
         "the mask baseline needs a mask token, and gpt2 has none"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const bad_case *b = &cases[i];
        mz_explain_options o = options();
        o.target = b->target, o.contrast = b->contrast, o.continuation = b->continuation;
        o.split = b->split, o.baseline = b->baseline;
        const char *label = "--text";
        mz_explanation e;
        CHECK_INT(mz_explain_texts(&e, b->decoder ? gpt2 : bert, tok, &b->text, &label, 1, &o, ctx),
                  MZ_ERR_INPUT);
        CHECK_CONTAINS(mz_ctx_message(ctx), b->message);
        CHECK(e.text == NULL && e.ids == NULL);
    }
    mz_model *headless = NULL;
    CHECK_INT(mz_model_open(&headless, MODELS "xlm-roberta", ctx), MZ_OK);
    mz_explain_options o = options();
    const char *text = "[MASK] ana haki.", *label = "--text";
    mz_explanation e;
    CHECK_INT(mz_explain_texts(&e, headless, tok, &text, &label, 1, &o, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "xlm-roberta has no LM head in this checkpoint");
    mz_model_free(headless);
    unsigned methods;
    CHECK_INT(mz_explain_parse_methods(&methods, "ig,lime", ctx), MZ_ERR_USAGE);
    CHECK_CONTAINS(mz_ctx_message(ctx), "unknown method 'lime'");
    CHECK_INT(mz_explain_parse_methods(&methods, "ig,attattr", ctx), MZ_OK);
    CHECK_INT(methods, 1u << MZ_EXPLAIN_IG | 1u << MZ_EXPLAIN_ATTATTR);
}

/* Every allocation of a small explanation fails in turn: out of memory, nothing left over. */
static void check_alloc_failures(void) {
    mz_explain_options o = options();
    o.steps = o.attattr_steps = 2;
    o.target = "mtu";
    const char *text = "Daktari [MASK] hapa.", *label = "--text";
    mz_explanation e;
    long n = 0;
    for (mz_status rc = MZ_ERR_NOMEM; rc == MZ_ERR_NOMEM;) {
        mz_alloc_fail_at(++n);
        rc = mz_explain_texts(&e, bert, tok, &text, &label, 1, &o, ctx);
        mz_alloc_fail_at(0);
        if (rc) CHECK(e.text == NULL && e.attention == NULL && e.tokens == NULL);
        if (rc && rc != MZ_ERR_NOMEM) {
            fprintf(stderr, "allocation %ld: %s\n", n, mz_ctx_message(ctx));
            CHECK_INT(rc, MZ_ERR_NOMEM);
        }
        if (!rc) mz_explanation_clear(&e);
    }
    printf("  every one of %ld allocations failed in turn: out of memory each time\n", n - 1);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    goldens = golden_load("golden/explain.json");
    CHECK_INT(mz_model_open(&bert, MODELS "bert", ctx), MZ_OK);
    CHECK_INT(mz_model_open(&gpt2, MODELS "gpt2", ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&tok, MODELS "bert", ctx), MZ_OK);
    if (goldens && bert && gpt2 && tok) {
        check_text("masked", bert, MZ_EXPLAIN_SPLIT_REFUSE);
        check_text("contrast", bert, MZ_EXPLAIN_SPLIT_REFUSE);
        check_text("split", bert, MZ_EXPLAIN_SPLIT_SUM);
        check_text("top", bert, MZ_EXPLAIN_SPLIT_REFUSE);
        check_text("next", gpt2, MZ_EXPLAIN_SPLIT_REFUSE);
        check_text("continuation", gpt2, MZ_EXPLAIN_SPLIT_REFUSE);
        check_pair("pair_pll", bert, 0);
        check_pair("pair_loglik", gpt2, 1);
        check_architectures();
        check_invariance();
        check_bad_inputs();
        check_alloc_failures();
    }
    json_decref(goldens);
    mz_tokenizer_free(tok);
    mz_model_free(bert);
    mz_model_free(gpt2);
    mz_ctx_free(ctx);
    return mz_check_result("test_explain");
}
