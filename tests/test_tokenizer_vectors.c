/* Conformance with Hugging Face tokenizers on real vocabularies: ../shared/data/
 * tokenizer-vectors holds six GGUF vocabularies with the ids the reference tokenizer gives
 * for 46 test strings each. Reports how many of how many match, per vocabulary. */
#include "check.h"
#include "mizani/file.h"
#include "mizani/tokenizer.h"

#include <stdlib.h>

#define SEP "\n__ggml_vocab_test__\n"

static mz_ctx *ctx;

/* Compares one string's ids with a line of the .out file (" 1 2 3"). */
static int same_ids(const mz_encoding *e, const char *line, size_t len) {
    char *end;
    size_t k = 0;
    for (const char *p = line; p < line + len; p = end) {
        long v = strtol(p, &end, 10);
        if (end == p) break;
        if (k >= e->n || e->ids[k++] != v) return 0;
    }
    return k == e->n;
}

/* Returns matched, sets *total; -1 when the vocabulary could not be loaded (and why). */
static int run(const char *name, int *total) {
    char path[512], *inp, *out;
    size_t inp_len, out_len;
    snprintf(path, sizeof path, MZ_SHARED_DATA "/tokenizer-vectors/%s.gguf", name);
    mz_tokenizer *t;
    mz_status rc = mz_tokenizer_load(&t, path, ctx);
    if (rc) {
        printf("%-14s not run: %s\n", name, mz_ctx_message(ctx));
        if (rc != MZ_ERR_UNSUPPORTED) CHECK_INT(rc, MZ_OK);
        return -1;
    }
    snprintf(path, sizeof path, MZ_SHARED_DATA "/tokenizer-vectors/%s.gguf.inp", name);
    CHECK_INT(mz_read_file(&inp, &inp_len, path, 1 << 20, ctx), MZ_OK);
    snprintf(path, sizeof path, MZ_SHARED_DATA "/tokenizer-vectors/%s.gguf.out", name);
    CHECK_INT(mz_read_file(&out, &out_len, path, 1 << 20, ctx), MZ_OK);
    int matched = 0;
    *total = 0;
    mz_encoding e = {0};
    char *s = inp, *line = out;
    for (char *sep; (sep = strstr(s, SEP)); s = sep + strlen(SEP)) {
        char *nl = strchr(line, '\n');
        size_t line_len = nl ? (size_t)(nl - line) : strlen(line);
        ++*total;
        if (mz_tokenizer_encode(&e, t, s, (size_t)(sep - s), 0, ctx) == MZ_OK &&
            same_ids(&e, line, line_len))
            matched++;
        else if (getenv("MZ_VERBOSE")) {
            printf("  mismatch on \"%.*s\": got", (int)(sep - s), s);
            for (size_t k = 0; k < e.n; k++)
                printf(" %d", e.ids[k]);
            printf(", want%.*s\n", (int)line_len, line);
        }
        line = nl ? nl + 1 : line + line_len;
    }
    printf("%-14s %d of %d strings match the reference ids\n", name, matched, *total);
    mz_encoding_clear(&e);
    free(inp);
    free(out);
    mz_tokenizer_free(t);
    return matched;
}

int main(void) {
    ctx = mz_ctx_new();
    FILE *probe = fopen(MZ_SHARED_DATA "/tokenizer-vectors/bert-bge.gguf", "rb");
    if (!probe) {
        printf("SKIP tokenizer conformance: %s is absent (../shared is not on this machine)\n",
               MZ_SHARED_DATA "/tokenizer-vectors");
        return 77;
    }
    fclose(probe);
    const char *names[] = {"bert-bge", "gpt-2", "llama-spm", "phi-3", "falcon", "deepseek-llm"};
    int all = 0, ok = 0, unsupported = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        int total = 0, m = run(names[i], &total);
        if (m < 0) {
            unsupported++;
            continue;
        }
        all += total;
        ok += m;
        CHECK_INT(m, total);
    }
    printf("tokenizer conformance: %d of %d strings match; %d vocabularies not supported yet\n", ok,
           all, unsupported);
    mz_ctx_free(ctx);
    return mz_check_result("test_tokenizer_vectors");
}
