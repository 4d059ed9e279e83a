/* The engine against PyTorch: tiny checkpoints of every supported architecture and golden
 * outputs from tests/reference/make_models.py (an independent PyTorch implementation of
 * Hugging Face's forward semantics). Prints max-abs and normalised MSE for every tensor and fails
 * past 1e-4 in F32; F16/BF16 copies of the BERT weights must stay within their documented
 * tolerances of the F32 goldens. Also: malformed weights and configs give named errors. */
#include "check.h"
#include "mizani/alloc.h"
#include "mizani/mizani.h"
#include "mizani/model.h"
#include "mizani/safetensors.h"
#include "mizani/sha256.h"

#include <unistd.h>

#define GOLDEN "golden/models/"

typedef struct inputs {
    mz_model_batch batch;
    int32_t *ids, *mask, *types;
} inputs;

static int32_t *ints(const mz_st *g, const char *name, int *B, int *T) {
    const mz_st_tensor *t = mz_st_find(g, name);
    if (!t || t->dtype != MZ_ST_I32 || t->n_dims != 2) return NULL;
    *B = (int)t->shape[0], *T = (int)t->shape[1];
    int32_t *v = mz_malloc(t->n_bytes);
    if (v) memcpy(v, t->data, t->n_bytes);
    return v;
}

static int load_inputs(inputs *in, const mz_st *g) {
    in->ids = ints(g, "input.ids", &in->batch.B, &in->batch.T);
    in->mask = ints(g, "input.mask", &in->batch.B, &in->batch.T);
    in->types = ints(g, "input.types", &in->batch.B, &in->batch.T);
    in->batch.ids = in->ids, in->batch.mask = in->mask, in->batch.type_ids = in->types;
    return in->ids && in->mask && in->types;
}

static void free_inputs(inputs *in) { mz_free(in->ids), mz_free(in->mask), mz_free(in->types); }

/* max |a-b| and sum (a-b)^2 / sum b^2 over one tensor; prints both, 1 when within bounds. */
static int compare(const char *model, const char *name, const float *got, const mz_st_tensor *want,
                   double tol_abs, double tol_nmse) {
    double max_abs = 0, se = 0, ss = 0;
    const float *w = want->data;
    for (size_t i = 0; i < want->n_elements; i++) {
        double d = fabs((double)got[i] - w[i]);
        if (d > max_abs || d != d) max_abs = d;
        se += d * d;
        ss += (double)w[i] * w[i];
    }
    double nmse = ss ? se / ss : se;
    printf("  %-12s %-22s max-abs %.2e  nMSE %.2e\n", model, name, max_abs, nmse);
    return max_abs <= tol_abs && nmse <= tol_nmse;
}

/* Runs `model` on the golden inputs of `golden_of` and compares every golden tensor. */
static void check_model(const char *model, const char *golden_of, double tol_abs, double tol_nmse,
                        mz_ctx *ctx) {
    char dir[256], gpath[256];
    snprintf(dir, sizeof dir, GOLDEN "%s", model); /* a folder, or a .gguf file */
    snprintf(gpath, sizeof gpath, GOLDEN "%s/golden.safetensors", golden_of);
    mz_st *g = NULL;
    mz_model *m = NULL;
    inputs in = {0};
    CHECK_INT(mz_st_open(&g, gpath, ctx), MZ_OK);
    CHECK_INT(mz_model_open(&m, dir, ctx), MZ_OK);
    if (!g || !m || !load_inputs(&in, g)) {
        fprintf(stderr, "%s: %s\n", model, mz_ctx_message(ctx));
        CHECK(0);
    } else {
        const char *names[64];
        int n = 0;
        /* GGUF BERT files carry neither the MLM head nor the pooler */
        int head = mz_model_get_config(m)->has_lm_head, pooler = mz_model_get_config(m)->has_pooler;
        for (size_t i = 0; i < mz_st_n_tensors(g) && n < 64; i++) {
            const char *name = mz_st_tensor_at(g, i)->name;
            if (strncmp(name, "input.", 6) && (head || strcmp(name, "logits")) &&
                (pooler || strcmp(name, "pooled.pooler")))
                names[n++] = name;
        }
        mz_activations *a = NULL;
        CHECK_INT(mz_model_run(&a, m, &in.batch, names, n, ctx), MZ_OK);
        for (int i = 0; a && i < n; i++) {
            int shape[4], nd = 0;
            const float *got = mz_activations_get(a, names[i], shape, &nd);
            const mz_st_tensor *want = mz_st_find(g, names[i]);
            CHECK(got != NULL);
            size_t count = 1;
            for (int d = 0; d < nd; d++)
                count *= (size_t)shape[d];
            CHECK_INT(count, want->n_elements);
            if (got && count == want->n_elements)
                CHECK(compare(model, names[i], got, want, tol_abs, tol_nmse));
        }
        mz_activations_free(a);
    }
    free_inputs(&in);
    mz_model_free(m);
    mz_st_free(g);
}

/* A safetensors file built in memory from a header string and `data_len` zero bytes. */
static mz_status parse_header(const char *json, size_t data_len, mz_ctx *ctx) {
    size_t hl = strlen(json), size = 8 + hl + data_len;
    unsigned char *buf = calloc(1, size);
    uint64_t h = hl;
    memcpy(buf, &h, 8);
    memcpy(buf + 8, json, hl);
    mz_st *st = NULL;
    mz_status rc = mz_st_parse(&st, buf, size, "x.safetensors", ctx);
    mz_st_free(st);
    free(buf);
    return rc;
}

static void check_malformed_weights(mz_ctx *ctx) {
    static const struct {
        const char *json, *cause;
    } cases[] = {
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
         "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
         "overlap"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
         "tensor 'a': byte range does not match dtype x shape"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
         "tensor 'a': data_offsets lie outside the data section"},
        {"{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}",
         "dtype missing or unknown"},
        {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", "negative"},
        {"[1,2]", "not a JSON object"},
        {"{\"a\":", "not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        CHECK_INT(parse_header(cases[i].json, 12, ctx), MZ_ERR_INPUT);
        CHECK_CONTAINS(mz_ctx_message(ctx), "x.safetensors");
        CHECK_CONTAINS(mz_ctx_message(ctx), cases[i].cause);
    }
    unsigned char big[16] = {0xff, 0xff, 0, 0, 0, 0, 0, 0};
    mz_st *st = NULL;
    CHECK_INT(mz_st_parse(&st, big, sizeof big, "x.safetensors", ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "runs past the end of the file");
}

static void check_bad_models(mz_ctx *ctx) {
    mz_model *m = NULL;
    CHECK_INT(mz_model_open(&m, "data/models/unsupported", ctx), MZ_ERR_UNSUPPORTED);
    CHECK_CONTAINS(mz_ctx_message(ctx), "'t5' is not supported; supported: bert, roberta");
    CHECK_INT(mz_model_open(&m, "data/models/wrong-shape", ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "has shape [96,32] but config.json implies [100,32]");
    static const struct {
        const char *json, *cause;
    } configs[] = {
        {"{\"model_type\": \"bert\", \"num_hidden_layers\": 2, \"hidden_size\": 30, \"num_attention_heads\": 4,"
         " \"vocab_size\": 9, \"max_position_embeddings\": 8}",
         "at $.num_attention_heads: does not divide hidden_size (30)"},
        {"{\"model_type\": \"gpt2\", \"n_layer\": -1}",
         "at $.n_layer: must be an integer between 1 and 1024"},
        {"{\"model_type\": \"bert\", \"num_hidden_layers\": 1, \"hidden_size\": 8, \"num_attention_heads\": 2,"
         " \"vocab_size\": 9, \"max_position_embeddings\": 8, \"hidden_act\": \"swish\"}",
         "activation 'swish' is not supported"},
        {"{\"model_type\": ", "config.json:1:"},
    };
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
        mz_model_config cfg;
        char *type = NULL;
        CHECK(mz_model_config_parse(&cfg, &type, configs[i].json, strlen(configs[i].json),
                                    "config.json", ctx) != MZ_OK);
        CHECK_CONTAINS(mz_ctx_message(ctx), configs[i].cause);
        mz_free(type);
    }
    CHECK_INT(mz_model_open(&m, "data/models/no-weights", ctx), MZ_ERR_IO);
    CHECK_CONTAINS(mz_ctx_message(ctx), "no model.safetensors");
    CHECK(m == NULL);
}

/* A GGUF file of one 8x4 token embedding and the metadata given as (key, type, value bytes). */
typedef struct gguf_kv {
    const char *key;
    uint32_t type;
    const void *value;
    size_t len;
} gguf_kv;

static void put_str(FILE *f, const char *s) {
    uint64_t n = strlen(s);
    fwrite(&n, 8, 1, f), fwrite(s, 1, n, f);
}

static void write_gguf(const char *path, const gguf_kv *kv, size_t n_kv) {
    FILE *f = fopen(path, "wb");
    uint32_t version = 3, dims = 2, f32 = 0;
    uint64_t n_t = 1, n = n_kv, ne[2] = {4, 8}, off = 0;
    fwrite("GGUF", 1, 4, f), fwrite(&version, 4, 1, f), fwrite(&n_t, 8, 1, f), fwrite(&n, 8, 1, f);
    for (size_t i = 0; i < n_kv; i++) {
        put_str(f, kv[i].key);
        fwrite(&kv[i].type, 4, 1, f);
        if (kv[i].type == 8)
            put_str(f, kv[i].value);
        else
            fwrite(kv[i].value, 1, kv[i].len, f);
    }
    put_str(f, "token_embd.weight");
    fwrite(&dims, 4, 1, f), fwrite(ne, 8, 2, f), fwrite(&f32, 4, 1, f), fwrite(&off, 8, 1, f);
    for (long pad = (32 - ftell(f) % 32) % 32; pad > 0; pad--)
        fputc(0, f);
    float zeros[32] = {0};
    fwrite(zeros, 4, 32, f);
    fclose(f);
}

/* A count stored as a negative number or a string is named as such, not as missing. */
static void check_bad_gguf_metadata(mz_ctx *ctx) {
    const char *path = "/tmp/mizani-test-metadata.gguf";
    int32_t negative = -1;
    gguf_kv kv[] = {{"general.architecture", 8, "gpt2", 0}, {"gpt2.block_count", 5, &negative, 4}};
    mz_model *m = NULL;
    write_gguf(path, kv, 2);
    CHECK_INT(mz_model_open(&m, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "gpt2.block_count is -1; it must be a positive integer");
    kv[1] = (gguf_kv){"gpt2.block_count", 8, "two", 0};
    write_gguf(path, kv, 2);
    CHECK_INT(mz_model_open(&m, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "gpt2.block_count holds a string");
    write_gguf(path, kv, 1);
    CHECK_INT(mz_model_open(&m, path, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "metadata key gpt2.block_count is missing");
    unlink(path);
}

static void check_bad_requests(mz_ctx *ctx) {
    mz_model *m = NULL;
    CHECK_INT(mz_model_open(&m, GOLDEN "xlm-roberta", ctx), MZ_OK);
    if (!m) return;
    int32_t ids[3] = {5, 6, 7}, mask[3] = {1, 1, 1};
    mz_model_batch b = {.B = 1, .T = 3, .ids = ids, .mask = mask};
    mz_activations *a = NULL;
    const char *logits[] = {"logits"}, *bogus[] = {"layer.9.attn.probs"};
    CHECK_INT(mz_model_run(&a, m, &b, logits, 1, ctx), MZ_ERR_UNSUPPORTED);
    CHECK_CONTAINS(mz_ctx_message(ctx), "no language-model head");
    CHECK_INT(mz_model_run(&a, m, &b, bogus, 1, ctx), MZ_ERR_USAGE);
    CHECK_CONTAINS(mz_ctx_message(ctx), "unknown intermediate 'layer.9.attn.probs'");
    ids[1] = 96;
    CHECK_INT(mz_model_run(&a, m, &b, NULL, 0, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx),
                   "token id 96 (row 0, position 1) is outside the vocabulary");
    CHECK(a == NULL);
    mz_model_free(m);
}

typedef struct seen {
    char names[8][48];
    int n;
    float first;
} seen;

static void observe(const char *name, const float *data, const int *shape, int n_dims, void *user) {
    seen *s = user;
    (void)shape, (void)n_dims;
    if (s->n < 8) snprintf(s->names[s->n++], sizeof s->names[0], "%s", name);
    if (!strcmp(name, "hidden.0")) s->first = data[0];
}

/* The observer sees each requested intermediate once, in the order the pass computes them. */
static void check_observer(mz_ctx *ctx) {
    mz_model *m = NULL;
    CHECK_INT(mz_model_open(&m, GOLDEN "gpt2", ctx), MZ_OK);
    if (!m) return;
    seen s = {0};
    mz_run *r = NULL;
    CHECK_INT(mz_run_new(&r, m, ctx), MZ_OK);
    if (!r) return;
    mz_run_set_observer(r, observe, &s);
    int32_t ids[2] = {5, 6}, mask[2] = {1, 1};
    mz_model_batch b = {.B = 1, .T = 2, .ids = ids, .mask = mask};
    mz_activations *a = NULL;
    const char *want[] = {"logits", "layer.1.ffn.out", "hidden.0", "layer.0.attn.probs"};
    CHECK_INT(mz_run_forward(&a, r, &b, want, 4, ctx), MZ_OK);
    mz_run_free(r);
    CHECK_INT(s.n, 4);
    CHECK_STR(s.names[0], "hidden.0");
    CHECK_STR(s.names[1], "layer.0.attn.probs");
    CHECK_STR(s.names[2], "layer.1.ffn.out");
    CHECK_STR(s.names[3], "logits");
    CHECK(a && s.first == mz_activations_get(a, "hidden.0", NULL, NULL)[0]);
    mz_activations_free(a);
    mz_model_free(m);
}

/* The Nth allocation of opening a model and running it fails, for every N until both succeed:
 * each failure is MZ_ERR_NOMEM, never a crash or a leak (the sanitizer build checks the latter). */
static void check_allocation_failures(void) {
    int failures = 0;
    for (long n = 1; n < 100000; n++) {
        mz_ctx *ctx = mz_ctx_new();
        mz_model *m = NULL;
        mz_activations *a = NULL;
        int32_t ids[3] = {5, 6, 7}, mask[3] = {1, 1, 1};
        mz_model_batch b = {.B = 1, .T = 3, .ids = ids, .mask = mask};
        const char *want[] = {"hidden.*", "layer.*.attn.probs", "logits", "pooled.pooler"};
        mz_alloc_fail_at(n);
        mz_status rc = mz_model_open(&m, GOLDEN "bert", ctx);
        if (!rc) rc = mz_model_run(&a, m, &b, want, 4, ctx);
        mz_alloc_fail_at(0);
        mz_activations_free(a);
        mz_model_free(m);
        mz_ctx_free(ctx);
        if (rc == MZ_OK) break;
        CHECK_INT(rc, MZ_ERR_NOMEM);
        failures++;
    }
    CHECK(failures >= 10);
    printf("  allocation failures injected: %d, each reported as out of memory\n", failures);
}

/* The digest that model cards record, on FIPS 180-4's own examples. */
static void check_sha256(void) {
    static const struct {
        const char *in, *hex;
    } v[] = {{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
             {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
             {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"}};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        mz_sha256 s;
        char hex[65];
        mz_sha256_init(&s);
        mz_sha256_update(&s, v[i].in, strlen(v[i].in));
        mz_sha256_final(&s, hex);
        CHECK_STR(hex, v[i].hex);
    }
}

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    static const char *archs[] = {"bert",    "roberta",    "xlm-roberta",
                                  "electra", "distilbert", "gpt2"};
    for (size_t i = 0; i < sizeof archs / sizeof *archs; i++)
        check_model(archs[i], archs[i], 1e-4, 1e-8, ctx);
    /* Half-precision weights, widened exactly, differ from F32 by their rounding alone: the
     * documented bounds (README) are nMSE 1e-5 for F16 (11-bit mantissa), 5e-4 for BF16 (8). */
    check_model("bert-f16", "bert", 5e-2, 1e-5, ctx);
    check_model("bert-bf16", "bert", 5e-1, 5e-4, ctx);
    check_model("bert-sharded", "bert", 1e-4, 1e-8, ctx); /* model.safetensors.index.json */
    /* The same weights in GGUF files, under llama.cpp's names, against the same goldens. */
    check_model("bert.gguf", "bert", 1e-4, 1e-8, ctx);
    check_model("gpt2.gguf", "gpt2", 1e-4, 1e-8, ctx);
    check_model("bert-f16.gguf", "bert", 5e-2, 1e-5, ctx);
    check_malformed_weights(ctx);
    check_bad_models(ctx);
    check_bad_requests(ctx);
    check_bad_gguf_metadata(ctx);
    check_sha256();
    check_observer(ctx);
    check_allocation_failures();
    mz_ctx_free(ctx);
    return mz_check_result("test_engine");
}
