/* vocab.txt and vocab.json + merges.txt folders tokenize exactly like the tokenizer.json they
 * were written from (the committed WordPiece and byte-level BPE tokenizers), on every golden
 * text, with specials; and every loader reports a failed allocation as out of memory. */
#include "check.h"
#include "golden_json.h"
#include "mizani/alloc.h"
#include "mizani/tokenizer.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static mz_ctx *ctx;

/* The model vocabulary of a tokenizer.json as token strings by id. */
static int write_legacy(const char *json_path, const char *dir, int bert) {
    json_t *d = golden_load(json_path), *model = json_object_get(d, "model");
    json_t *vocab = json_object_get(model, "vocab");
    size_t n = json_object_size(vocab);
    const char **by_id = calloc(n, sizeof *by_id), *key;
    json_t *v;
    json_object_foreach(vocab, key, v) by_id[json_integer_value(v)] = key;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, bert ? "vocab.txt" : "vocab.json");
    FILE *f = fopen(path, "w");
    if (bert)
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s\n", by_id[i]);
    else
        json_dumpf(vocab, f, 0);
    fclose(f);
    if (!bert) { /* this tokenizer adds a prefix space, which legacy folders declare here */
        snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
        f = fopen(path, "w");
        fputs("{\"add_prefix_space\": true}\n", f);
        fclose(f);
        snprintf(path, sizeof path, "%s/merges.txt", dir);
        f = fopen(path, "w");
        fputs("#version: 0.2\n", f);
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(model, "merges"), i, m)
            fprintf(f, "%s\n", json_string_value(m));
        fclose(f);
    }
    free(by_id);
    json_decref(d);
    return 0;
}

static void compare(const char *json_path, const char *dir, const json_t *cases) {
    mz_tokenizer *a, *b;
    CHECK_INT(mz_tokenizer_load(&a, json_path, ctx), MZ_OK);
    CHECK_INT(mz_tokenizer_load(&b, dir, ctx), MZ_OK);
    if (!a || !b) return;
    mz_encoding ea = {0}, eb = {0};
    size_t i;
    json_t *c;
    int same = 0, n = 0;
    json_array_foreach(cases, i, c) {
        const char *text = json_string_value(json_object_get(c, "text"));
        int sp = json_is_true(json_object_get(c, "special"));
        if (!text || json_object_get(c, "pair")) continue; /* single texts only */
        mz_tokenizer_encode(&ea, a, text, strlen(text), sp, ctx);
        mz_tokenizer_encode(&eb, b, text, strlen(text), sp, ctx);
        n++;
        same += ea.n == eb.n && !memcmp(ea.ids, eb.ids, ea.n * sizeof *ea.ids) &&
                !memcmp(ea.start, eb.start, ea.n * sizeof *ea.start) &&
                !memcmp(ea.end, eb.end, ea.n * sizeof *ea.end);
    }
    printf("%s as %s: %d of %d encodings identical\n", json_path, dir, same, n);
    CHECK_INT(same, n);
    mz_encoding_clear(&ea);
    mz_encoding_clear(&eb);
    mz_tokenizer_free(a);
    mz_tokenizer_free(b);
}

/* Every allocation of a load fails in turn: each gives MZ_ERR_NOMEM (never bad input, never a
 * tokenizer) and frees what it took (the sanitizer build checks that). */
static void test_allocation_failures(const char *path) {
    int failures = 0;
    for (long n = 1;; n++) {
        mz_tokenizer *t = (mz_tokenizer *)1;
        mz_alloc_fail_at(n);
        mz_status rc = mz_tokenizer_load(&t, path, ctx);
        mz_alloc_fail_at(0);
        if (rc == MZ_OK) {
            mz_tokenizer_free(t);
            break;
        }
        CHECK(t == NULL);
        if (rc != MZ_ERR_NOMEM) printf("%s, allocation %ld: %s\n", path, n, mz_ctx_message(ctx));
        CHECK_INT(rc, MZ_ERR_NOMEM);
        failures++;
    }
    CHECK(failures > 10);
}

int main(void) {
    ctx = mz_ctx_new();
    json_t *g = golden_load("golden/tokenizers/goldens.json");
    char bert[] = "/tmp/mizani-bert-XXXXXX", gpt[] = "/tmp/mizani-gpt-XXXXXX";
    CHECK(g && mkdtemp(bert) && mkdtemp(gpt));
    write_legacy("golden/tokenizers/wordpiece-bert.json", bert, 1);
    write_legacy("golden/tokenizers/bpe-byte-level.json", gpt, 0);
    compare("golden/tokenizers/wordpiece-bert.json", bert,
            json_object_get(g, "wordpiece-bert.json"));
    /* RoBERTa-style post-processing comes from <s> in the vocabulary, as the converter does */
    compare("golden/tokenizers/bpe-byte-level.json", gpt,
            json_object_get(g, "bpe-byte-level.json"));
    mz_tokenizer *t;
    CHECK_INT(mz_tokenizer_load(&t, "/nonexistent-folder/x", ctx), MZ_ERR_IO);
    /* small legacy folders, each with a tokenizer_config.json, so the loops stay short */
    char small[] = "/tmp/mizani-legacy-XXXXXX", path[512];
    CHECK(mkdtemp(small) != NULL);
    const char *files[][2] = {
        {"vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nmtu\n##a\n"},
        {"tokenizer_config.json", "{\"do_lower_case\": false}"},
        {"vocab.json", "{\"a\": 0, \"b\": 1, \"ab\": 2, \"<s>\": 3, \"</s>\": 4}"},
        {"merges.txt", "#version: 0.2\na b\n"}};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", small, files[i][0]);
        FILE *f = fopen(path, "w");
        CHECK(f && fputs(files[i][1], f) >= 0);
        if (f) fclose(f);
    }
    test_allocation_failures(small); /* vocab.txt */
    snprintf(path, sizeof path, "%s/vocab.txt", small);
    unlink(path);
    test_allocation_failures(small); /* vocab.json + merges.txt */
    test_allocation_failures("golden/tokenizers/wordpiece-bert.json");
    test_allocation_failures("golden/tokenizers/bpe-split-regex.json");
    test_allocation_failures("fuzz/corpus/spm/tiny.model");
    /* the same with a (one-unit) precompiled charsmap in its normalizer spec */
    char spm[] = "/tmp/mizani-spm-XXXXXX.model";
    int fd = mkstemps(spm, 6);
    FILE *in = fopen("fuzz/corpus/spm/tiny.model", "rb"), *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
    char buf[4096];
    size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
    static const char charsmap[] = {0x1a, 10, 0x12, 8, 4, 0, 0, 0, 0, 0, 0, 0};
    CHECK(out && n > 0 && fwrite(buf, 1, n, out) == n &&
          fwrite(charsmap, 1, sizeof charsmap, out) == sizeof charsmap);
    if (in) fclose(in);
    if (out) fclose(out);
    test_allocation_failures(spm);
    unlink(spm);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s", bert, gpt, small);
    CHECK_INT(system(cmd), 0);
    json_decref(g);
    mz_ctx_free(ctx);
    return mz_check_result("test_tokenizer_legacy");
}
