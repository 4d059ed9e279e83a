/* The run context beyond plain forward passes (the goldens in test_engine cover those): output
 * flags, token embeddings as input, scaled attention, per-head projections, a run reused across
 * batches of different sizes, and non-finite weights stopped where they first show. Each is
 * checked against an identity that holds for the model whatever its weights. */
#include "check.h"
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/mizani.h"
#include "mizani/model.h"
#include "mizani/safetensors.h"

#include <sys/stat.h>
#include <unistd.h>

#define GOLDEN "golden/models/"

/* Two rows of 6 and 4 real tokens. */
static int32_t IDS[12] = {5, 17, 42, 8, 9, 11, 13, 21, 34, 55, 0, 0};
static int32_t MASK[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0};

static const float *get(mz_activations *a, const char *name) {
    return a ? mz_activations_get(a, name, NULL, NULL) : NULL;
}

static double max_diff(const float *a, const float *b, size_t n) {
    double m = 0;
    for (size_t i = 0; a && b && i < n; i++)
        m = fmax(m, fabs((double)a[i] - b[i]));
    return a && b ? m : INFINITY;
}

/* Logits of flagged tokens alone equal those rows of the full logits, in batch order. The
 * flagged pass runs its last block on those rows alone (its products over 3 rows, attention a
 * row at a time), so float32 sums differ in order: 1e-5. */
static void check_output_flags(const mz_model *m, mz_ctx *ctx) {
    int V = mz_model_get_config(m)->vocab;
    uint8_t out[12] = {0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 0}; /* the last is padding: ignored */
    mz_model_batch full = {.B = 2, .T = 6, .ids = IDS, .mask = MASK};
    mz_model_batch some = full;
    some.outputs = out;
    const char *want[] = {"logits"};
    mz_activations *a = NULL, *b = NULL;
    CHECK_INT(mz_model_run(&a, m, &full, want, 1, ctx), MZ_OK);
    CHECK_INT(mz_model_run(&b, m, &some, want, 1, ctx), MZ_OK);
    int shape[4], nd = 0;
    const float *lb = b ? mz_activations_get(b, "logits", shape, &nd) : NULL;
    CHECK_INT(nd, 2);
    CHECK_INT(shape[0], 3);
    CHECK_INT(shape[1], V);
    static const int rows[3] = {2, 5, 6};
    for (int i = 0; lb && i < 3; i++)
        CHECK_NEAR(max_diff(lb + (size_t)i * V, get(a, "logits") + (size_t)rows[i] * V, (size_t)V),
                   0, 1e-5);
    /* asked for the last hidden state too, the pass runs the whole last block: the full pass's
     * numbers exactly */
    char last[32];
    snprintf(last, sizeof last, "hidden.%d", mz_model_get_config(m)->n_layers);
    const char *both[] = {"logits", last};
    mz_activations *c = NULL;
    CHECK_INT(mz_model_run(&c, m, &some, both, 2, ctx), MZ_OK);
    const float *lc = c ? mz_activations_get(c, "logits", NULL, NULL) : NULL;
    for (int i = 0; lc && i < 3; i++)
        CHECK_NEAR(max_diff(lc + (size_t)i * V, get(a, "logits") + (size_t)rows[i] * V, (size_t)V),
                   0, 0);
    /* an empty sequence between the two (a row of padding) changes no flagged row */
    int32_t ids3[18] = {0}, mask3[18] = {0};
    uint8_t out3[18] = {0};
    memcpy(ids3, IDS, 6 * sizeof *ids3), memcpy(ids3 + 12, IDS + 6, 6 * sizeof *ids3);
    memcpy(mask3, MASK, 6 * sizeof *mask3), memcpy(mask3 + 12, MASK + 6, 6 * sizeof *mask3);
    out3[2] = out3[12] = out3[15] = 1; /* the full batch's tokens 2, 6 and 9 */
    mz_model_batch gap = {.B = 3, .T = 6, .ids = ids3, .mask = mask3, .outputs = out3};
    mz_activations *g = NULL;
    CHECK_INT(mz_model_run(&g, m, &gap, want, 1, ctx), MZ_OK);
    const float *lg = g ? mz_activations_get(g, "logits", NULL, NULL) : NULL;
    static const int rows_gap[3] = {2, 6, 9};
    CHECK(lg != NULL);
    for (int i = 0; lg && i < 3; i++)
        CHECK_NEAR(
            max_diff(lg + (size_t)i * V, get(a, "logits") + (size_t)rows_gap[i] * V, (size_t)V), 0,
            1e-5);
    mz_activations_free(a), mz_activations_free(b), mz_activations_free(c), mz_activations_free(g);
}

/* The rows of the embedding matrix given as embeddings reproduce the pass from ids. */
static void check_embeds_input(const mz_model *m, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    int E = c->d_embed;
    float *emb = mz_calloc(12 * (size_t)E, sizeof *emb);
    for (int i = 0; emb && i < 12; i++)
        memcpy(emb + (size_t)i * E, mz_model_input_embeddings(m) + (size_t)IDS[i] * E,
               (size_t)E * sizeof *emb);
    mz_model_batch by_ids = {.B = 2, .T = 6, .ids = IDS, .mask = MASK};
    mz_model_batch by_emb = by_ids;
    by_emb.embeds = emb;
    const char *want[] = {"hidden.*"};
    mz_activations *a = NULL, *b = NULL;
    CHECK_INT(mz_model_run(&a, m, &by_ids, want, 1, ctx), MZ_OK);
    CHECK_INT(mz_model_run(&b, m, &by_emb, want, 1, ctx), MZ_OK);
    char name[32];
    snprintf(name, sizeof name, "hidden.%d", c->n_layers);
    CHECK_NEAR(max_diff(get(a, name), get(b, name), 12 * (size_t)c->d_model), 0, 0);
    mz_activations_free(b), b = NULL;
    for (size_t i = 0; emb && i < 12 * (size_t)E; i++) /* other embeddings: another pass */
        emb[i] *= 0.5f;
    CHECK_INT(mz_model_run(&b, m, &by_emb, want, 1, ctx), MZ_OK);
    CHECK(max_diff(get(a, name), get(b, name), 12 * (size_t)c->d_model) > 1e-3);
    mz_activations_free(a), mz_activations_free(b);
    mz_free(emb);
}

/* attn.out(s) = bias + s * (P V W_O): linear in the scale, so out(1/2) is the mean of out(0)
 * and out(1), and out(0) is the bias alone. Also: summing each head's projected values weighted
 * by its probabilities gives the attention output (what norm-based analysis decomposes). */
static void check_attention_scale(const mz_model *m, mz_ctx *ctx) {
    const mz_model_config *c = mz_model_get_config(m);
    int C = c->d_model, H = c->block.n_heads, T = 6;
    mz_model_batch b = {.B = 2, .T = T, .ids = IDS, .mask = MASK};
    const char *want[] = {"layer.0.attn.out", "layer.0.attn.probs", "layer.0.attn.head_out"};
    mz_activations *a[3] = {NULL, NULL, NULL};
    static const float scales[3][2] = {{0, 0}, {0.5f, 0.5f}, {1, 1}};
    mz_run *r = NULL;
    CHECK_INT(mz_run_new(&r, m, ctx), MZ_OK);
    for (int k = 0; r && k < 3; k++) {
        CHECK_INT(mz_run_scale_attention(r, 0, scales[k], ctx), MZ_OK);
        CHECK_INT(mz_run_forward(&a[k], r, &b, want, 3, ctx), MZ_OK);
    }
    CHECK_INT(mz_run_scale_attention(r, c->n_layers, NULL, ctx), MZ_ERR_USAGE);
    mz_run_free(r);
    const float *o0 = get(a[0], want[0]), *oh = get(a[1], want[0]), *o1 = get(a[2], want[0]);
    const float *P = get(a[2], want[1]), *F = get(a[2], want[2]);
    double lin = 0, sum = 0;
    for (int bt = 0; o0 && oh && o1 && P && F && bt < 2 * T; bt++) {
        if (!MASK[bt]) continue;
        int bb = bt / T, t = bt % T;
        for (int i = 0; i < C; i++) {
            size_t at = (size_t)bt * C + i;
            lin = fmax(lin, fabs(oh[at] - 0.5 * (o0[at] + o1[at])));
            double s = o0[at]; /* the bias */
            for (int h = 0; h < H; h++)
                for (int j = 0; j < T; j++)
                    s += (double)P[(((size_t)bb * H + h) * T + t) * T + j] *
                         F[(((size_t)bb * H + h) * T + j) * C + i];
            sum = fmax(sum, fabs(s - o1[at]));
        }
    }
    CHECK(lin < 1e-5);
    CHECK(sum < 1e-5);
    printf("  attention scale: linearity %.1e, per-head decomposition %.1e\n", lin, sum);
    for (int k = 0; k < 3; k++)
        mz_activations_free(a[k]);
}

/* Kept caches change where activations live, never their values: every requested output of
 * a kept pass equals the in-place pass bit for bit. */
static void check_kept_caches(const mz_model *m, mz_ctx *ctx) {
    const char *want[] = {"hidden.*", "layer.*.attn.probs", "layer.*.ffn.out", "pooled.mean"};
    int n = mz_model_get_config(m)->has_lm_head ? 5 : 4;
    const char *with_logits[] = {want[0], want[1], want[2], want[3], "logits"};
    mz_model_batch b = {.B = 2, .T = 6, .ids = IDS, .mask = MASK};
    mz_run *r = NULL;
    mz_activations *plain = NULL, *kept = NULL;
    CHECK_INT(mz_run_new(&r, m, ctx), MZ_OK);
    if (!r) return;
    CHECK_INT(mz_run_forward(&plain, r, &b, with_logits, n, ctx), MZ_OK);
    mz_run_keep_caches(r, 1);
    CHECK_INT(mz_run_forward(&kept, r, &b, with_logits, n, ctx), MZ_OK);
    mz_run_free(r);
    size_t same = 0;
    for (size_t i = 0; plain && kept && i < mz_activations_count(plain); i++) {
        int shape[4], nd;
        const char *name = mz_activations_name(plain, i);
        const float *x = mz_activations_get(plain, name, shape, &nd), *y = get(kept, name);
        size_t count = 1;
        for (int d = 0; d < nd; d++)
            count *= (size_t)shape[d];
        same += y && !memcmp(x, y, count * sizeof *x);
    }
    CHECK(plain && same == mz_activations_count(plain));
    mz_activations_free(plain), mz_activations_free(kept);
}

/* A run reused for a large batch, then a small one, then the large again: each pass equals the
 * same pass in a fresh run (the kept arena carries nothing over). */
static void check_reuse(const mz_model *m, mz_ctx *ctx) {
    const char *want[] = {"pooled.mean"};
    mz_model_batch big = {.B = 2, .T = 6, .ids = IDS, .mask = MASK};
    mz_model_batch small = {.B = 1, .T = 3, .ids = IDS, .mask = MASK};
    mz_run *r = NULL;
    CHECK_INT(mz_run_new(&r, m, ctx), MZ_OK);
    mz_activations *seq[3] = {NULL, NULL, NULL}, *fresh[2] = {NULL, NULL};
    const mz_model_batch *order[3] = {&big, &small, &big};
    for (int k = 0; r && k < 3; k++)
        CHECK_INT(mz_run_forward(&seq[k], r, order[k], want, 1, ctx), MZ_OK);
    mz_run_free(r);
    CHECK_INT(mz_model_run(&fresh[0], m, &big, want, 1, ctx), MZ_OK);
    CHECK_INT(mz_model_run(&fresh[1], m, &small, want, 1, ctx), MZ_OK);
    size_t C = (size_t)mz_model_get_config(m)->d_model;
    CHECK_NEAR(max_diff(get(seq[0], want[0]), get(fresh[0], want[0]), 2 * C), 0, 0);
    CHECK_NEAR(max_diff(get(seq[1], want[0]), get(fresh[1], want[0]), C), 0, 0);
    CHECK_NEAR(max_diff(get(seq[2], want[0]), get(fresh[0], want[0]), 2 * C), 0, 0);
    for (int k = 0; k < 3; k++)
        mz_activations_free(seq[k]);
    mz_activations_free(fresh[0]), mz_activations_free(fresh[1]);
}

/* The same numbers on one thread and on two, where the products split by output columns (few
 * rows) and by rows (many). */
static void check_threads(const mz_model *m, mz_ctx *ctx) {
    enum { B = 8, T = 20 };
    int32_t ids[B * T], mask[B * T];
    int V = mz_model_get_config(m)->vocab, C = mz_model_get_config(m)->d_model;
    for (int i = 0; i < B * T; i++)
        ids[i] = (i * 7919 + 3) % V, mask[i] = 1;
    const char *want[] = {"pooled.mean"};
    for (int rows = 1; rows <= B; rows += B - 1) {
        mz_model_batch b = {.B = rows, .T = T, .ids = ids, .mask = mask};
        mz_activations *a[2] = {NULL, NULL};
        for (int k = 0; k < 2; k++) {
            mz_set_threads(k + 1);
            CHECK_INT(mz_model_run(&a[k], m, &b, want, 1, ctx), MZ_OK);
        }
        mz_set_threads(0);
        CHECK_NEAR(max_diff(get(a[0], want[0]), get(a[1], want[0]), (size_t)rows * C), 0, 0);
        mz_activations_free(a[0]), mz_activations_free(a[1]);
    }
}

static int copy_file(const char *from, const char *to, const char *poison_tensor) {
    char *data = NULL;
    size_t len = 0;
    mz_ctx *ctx = mz_ctx_new();
    int ok = mz_read_file(&data, &len, from, 1u << 26, ctx) == MZ_OK;
    mz_st *st = NULL;
    if (ok && poison_tensor && mz_st_parse(&st, data, len, from, ctx) == MZ_OK) {
        const mz_st_tensor *t = mz_st_find(st, poison_tensor);
        float nan = NAN;
        if (t) memcpy((char *)t->data + 4 * 5, &nan, 4); /* one element of the weights */
        ok = t != NULL;
    }
    FILE *f = ok ? fopen(to, "wb") : NULL;
    ok = f && fwrite(data, 1, len, f) == len;
    if (f) fclose(f);
    mz_st_free(st);
    mz_free(data);
    mz_ctx_free(ctx);
    return ok;
}

/* One NaN in layer 1's query weights: every pass stops with a numeric error naming the first
 * intermediate it reached, never a number computed from it. */
static void check_non_finite(mz_ctx *ctx) {
    char dir[] = "/tmp/mizani-nan-XXXXXX", cfg[64], st[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(cfg, sizeof cfg, "%s/config.json", dir);
    snprintf(st, sizeof st, "%s/model.safetensors", dir);
    CHECK(copy_file(GOLDEN "bert/config.json", cfg, NULL));
    CHECK(copy_file(GOLDEN "bert/model.safetensors", st,
                    "bert.encoder.layer.1.attention.self.query.weight"));
    mz_model *m = NULL;
    CHECK_INT(mz_model_open(&m, dir, ctx), MZ_OK);
    mz_model_batch b = {.B = 2, .T = 6, .ids = IDS, .mask = MASK};
    const char *want[] = {"pooled.mean"};
    mz_activations *a = NULL;
    CHECK_INT(m ? mz_model_run(&a, m, &b, want, 1, ctx) : MZ_ERR_INPUT, MZ_ERR_NUMERIC);
    CHECK_CONTAINS(mz_ctx_message(ctx), "non-finite values first appear in layer.1.attn.out");
    CHECK(a == NULL);
    mz_model_free(m);
    unlink(cfg), unlink(st), rmdir(dir);
}

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    static const char *archs[] = {"bert", "roberta", "electra", "distilbert", "gpt2"};
    for (size_t i = 0; i < sizeof archs / sizeof *archs; i++) {
        char dir[64];
        snprintf(dir, sizeof dir, GOLDEN "%s", archs[i]);
        mz_model *m = NULL;
        CHECK_INT(mz_model_open(&m, dir, ctx), MZ_OK);
        if (!m) continue;
        printf("%s\n", archs[i]);
        if (mz_model_get_config(m)->has_lm_head) check_output_flags(m, ctx);
        check_embeds_input(m, ctx);
        check_attention_scale(m, ctx);
        check_reuse(m, ctx);
        check_kept_caches(m, ctx);
        check_threads(m, ctx);
        mz_model_free(m);
    }
    check_non_finite(ctx);
    mz_ctx_free(ctx);
    return mz_check_result("test_run");
}
