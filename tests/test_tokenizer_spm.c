/* SentencePiece .model files against the SentencePiece library itself (Debian's
 * python3-sentencepiece, tests/reference/make_sentencepiece.py): the same ids for every golden
 * text, for a Unigram and a BPE model with byte fallback. */
#include "check.h"
#include "golden_json.h"
#include "mizani/tokenizer.h"

#include <stdlib.h>

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    json_t *g = golden_load("golden/sentencepiece/goldens.json");
    CHECK(g != NULL);
    const char *name;
    json_t *cases;
    json_object_foreach(g, name, cases) {
        char path[512];
        snprintf(path, sizeof path, "golden/sentencepiece/%s", name);
        mz_tokenizer *t;
        CHECK_INT(mz_tokenizer_load(&t, path, ctx), MZ_OK);
        if (!t) continue;
        mz_encoding e = {0};
        size_t i;
        json_t *c;
        int ok = 0, n = 0;
        json_array_foreach(cases, i, c) {
            const char *text = json_string_value(json_object_get(c, "text"));
            json_t *ids = json_object_get(c, "ids");
            n++;
            int same = mz_tokenizer_encode(&e, t, text, strlen(text), 0, ctx) == MZ_OK &&
                       e.n == json_array_size(ids);
            for (size_t k = 0; same && k < e.n; k++)
                same = e.ids[k] == json_integer_value(json_array_get(ids, k));
            ok += same;
            if (!same && getenv("MZ_VERBOSE")) printf("  %s differs on \"%.50s\"\n", name, text);
        }
        printf("%-14s %d of %d texts give SentencePiece's ids\n", name, ok, n);
        CHECK_INT(ok, n);
        mz_encoding_clear(&e);
        mz_tokenizer_free(t);
    }
    json_decref(g);
    mz_ctx_free(ctx);
    return mz_check_result("test_tokenizer_spm");
}
