/* Ids, byte offsets and special-token masks against Hugging Face tokenizers' own output
 * (tests/reference/tokenizer_goldens.js) for tokenizer.json files of every model type, on
 * English and Swahili UDHR text and hard cases (NFD input, emoji, CJK, Arabic with an RTL
 * mark, zero-width joiners, ng' with four apostrophes, whitespace runs, a 10 kB word). */
#include "check.h"
#include "golden_json.h"
#include "mizani/tokenizer.h"

#include <stdlib.h>

static mz_ctx *ctx;

/* 1 when the encoding equals the golden case; prints the first difference when verbose. */
static int same(const mz_encoding *e, json_t *c) {
    json_t *ids = json_object_get(c, "ids"), *offs = json_object_get(c, "offsets");
    json_t *mask = json_object_get(c, "special_mask");
    int ok = e->n == json_array_size(ids);
    for (size_t i = 0; ok && i < e->n; i++) {
        json_t *o = json_array_get(offs, i);
        ok = e->ids[i] == json_integer_value(json_array_get(ids, i)) &&
             e->start[i] == json_integer_value(json_array_get(o, 0)) &&
             e->end[i] == json_integer_value(json_array_get(o, 1)) &&
             e->special[i] == json_integer_value(json_array_get(mask, i));
        if (!ok && getenv("MZ_VERBOSE"))
            printf("  token %zu: got %d [%u, %u) special %d, want %lld [%lld, %lld) special %lld\n", i,
                   e->ids[i], e->start[i], e->end[i], e->special[i],
                   json_integer_value(json_array_get(ids, i)), json_integer_value(json_array_get(o, 0)),
                   json_integer_value(json_array_get(o, 1)), json_integer_value(json_array_get(mask, i)));
    }
    if (!ok && getenv("MZ_VERBOSE") && e->n != json_array_size(ids))
        printf("  %zu tokens, want %zu\n", e->n, json_array_size(ids));
    return ok;
}

int main(void) {
    ctx = mz_ctx_new();
    json_t *g = golden_load("golden/tokenizers/goldens.json");
    CHECK(g != NULL);
    if (!g) return mz_check_result("test_tokenizer_goldens");
    const char *name;
    json_t *cases;
    int total = 0, matched = 0, skipped = 0;
    json_object_foreach(g, name, cases) {
        char path[1024];
        if (!strncmp(name, "shared:", 7))
            snprintf(path, sizeof path, MZ_SHARED_DATA "/tokenizer-json/%s", name + 7);
        else
            snprintf(path, sizeof path, "golden/tokenizers/%s", name);
        mz_tokenizer *t;
        mz_status rc = mz_tokenizer_load(&t, path, ctx);
        if (rc == MZ_ERR_IO && !strncmp(name, "shared:", 7)) {
            printf("SKIP %s: %s is absent (../shared is not on this machine)\n", name, path);
            skipped++;
            continue;
        }
        CHECK_INT(rc, MZ_OK);
        if (rc) {
            printf("%s: %s\n", name, mz_ctx_message(ctx));
            continue;
        }
        mz_encoding e = {0};
        int n = 0, ok = 0;
        size_t i;
        json_t *c;
        json_array_foreach(cases, i, c) {
            const char *text = json_string_value(json_object_get(c, "text"));
            int special = json_is_true(json_object_get(c, "special"));
            n++;
            if (mz_tokenizer_encode(&e, t, text, strlen(text), special, ctx) == MZ_OK && same(&e, c)) ok++;
            else if (getenv("MZ_VERBOSE")) printf("  ^ %s on \"%.60s\" (special %d)\n", name, text, special);
        }
        printf("%-36s %d of %d encodings match (ids, byte offsets, special mask)\n", name, ok, n);
        CHECK_INT(ok, n);
        total += n;
        matched += ok;
        mz_encoding_clear(&e);
        mz_tokenizer_free(t);
    }
    printf("tokenizer goldens: %d of %d encodings match; %d tokenizers skipped\n", matched, total, skipped);
    json_decref(g);
    mz_ctx_free(ctx);
    return mz_check_result("test_tokenizer_goldens");
}
