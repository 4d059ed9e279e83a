/* Non-finite numbers are said, never dropped or called something else: `run` fails (exit 5)
 * with nothing on standard output, `inspect` counts NaN weights, and WEAT names a NaN vector as
 * not finite (not "all zeros"). The NaN model is the tiny test BERT with one embedding weight
 * set to NaN. */
#include "check.h"
#include "cli.h"
#include "mizani/association.h"
#include "mizani/file.h"
#include "mizani/safetensors.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define BERT "golden/models/bert"

static mz_ctx *ctx;

static void copy_file(const char *from, const char *to, const char *nan_tensor, size_t element) {
    char *data;
    size_t len;
    CHECK_INT(mz_read_file(&data, &len, from, 1 << 24, ctx), MZ_OK);
    if (!data) return;
    mz_st *st = NULL;
    if (nan_tensor && mz_st_parse(&st, data, len, from, ctx) == MZ_OK) {
        const mz_st_tensor *t = mz_st_find(st, nan_tensor);
        CHECK(t && t->dtype == MZ_ST_F32 && element < t->n_elements);
        if (t && element < t->n_elements) {
            float nan = NAN;
            memcpy((char *)t->data + 4 * element, &nan, 4); /* data points into our copy */
        }
        mz_st_free(st);
    }
    FILE *f = fopen(to, "wb");
    CHECK(f && fwrite(data, 1, len, f) == len);
    if (f) fclose(f);
    mz_free(data);
}

/* Runs `mizani ARGS` in-process; stdout in *out (free), returns the exit code. */
static int run_cli(char **out, int argc, char **argv) {
    FILE *o = tmpfile(), *e = tmpfile();
    int code = mz_cli_main(argc, argv, o, e);
    long n = ftell(o);
    *out = calloc(1, (size_t)n + 1);
    rewind(o);
    if (fread(*out, 1, (size_t)n, o) != (size_t)n) CHECK(0);
    fclose(o);
    fclose(e);
    return code;
}

static void test_run_and_inspect(const char *dir) {
    char *out;
    char *run[] = {"mizani", "run",   "--model", (char *)dir,
                   "--ids",  "2,5,3", "--dump",  "hidden.0,logits"};
    CHECK_INT(run_cli(&out, 8, run), 5); /* the engine refuses non-finite activations */
    CHECK_STR(out, "");                  /* and nothing half-written reaches the output */
    free(out);

    char *inspect[] = {"mizani", "inspect", "--model", (char *)dir};
    CHECK_INT(run_cli(&out, 4, inspect), 0);
    CHECK_CONTAINS(out, "non-finite    1 weights in 1 tensors (first: "
                        "bert.embeddings.word_embeddings.weight)");
    free(out);
}

static void test_weat_nan_vector(void) {
    const float x[] = {1, 0, NAN, 1}, y[] = {0, 1, 1, 1}, a[] = {1, 0}, b[] = {0, 1};
    mz_word_set sx = {.name = "X", .vectors = x, .n = 2, .words = (const char *[]){"mtu", "kitu"}};
    mz_word_set sy = {.name = "Y", .vectors = y, .n = 2};
    mz_word_set sa = {.name = "A", .vectors = a, .n = 1}, sb = {.name = "B", .vectors = b, .n = 1};
    mz_weat_options opt;
    mz_weat_options_default(&opt);
    mz_weat_result r;
    CHECK_INT(mz_weat(&r, &sx, &sy, &sa, &sb, 2, &opt, ctx), MZ_ERR_INPUT);
    CHECK_STR(mz_ctx_message(ctx),
              "the vector of 'kitu' (item 2 of set 'X') is not finite: cosine not computable");
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    char dir[] = "/tmp/mizani-nan-XXXXXX", path[256];
    if (!mkdtemp(dir)) return 1;
    snprintf(path, sizeof path, "%s/config.json", dir);
    copy_file(BERT "/config.json", path, NULL, 0);
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    copy_file(BERT "/tokenizer.json", path, NULL, 0);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    copy_file(BERT "/model.safetensors", path, "bert.embeddings.word_embeddings.weight",
              2 * 32 + 5);
    test_run_and_inspect(dir);
    test_weat_nan_vector();
    const char *files[] = {"config.json", "tokenizer.json", "model.safetensors"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
    mz_ctx_free(ctx);
    return mz_check_result("test_nonfinite");
}
