/* Ids, byte offsets, word ids and special-token masks against Hugging Face tokenizers' own output
 * (tests/reference/tokenizer_goldens.js) for tokenizer.json files of every model type, on
 * English and Swahili UDHR text and hard cases (NFD input, emoji, CJK, Arabic with an RTL
 * mark, zero-width joiners, ng' with four apostrophes, whitespace runs, a 10 kB word). */
#include "check.h"
#include "golden_json.h"
#include "mizani/tokenizer.h"

#include <stdlib.h>

static mz_ctx *ctx;

/* A pair: ids, type ids and the special mask (offsets are per text). */
static int same_pair(const mz_encoding *e, json_t *c) {
    json_t *ids = json_object_get(c, "ids"), *types = json_object_get(c, "type_ids"),
           *mask = json_object_get(c, "special_mask");
    int ok = e->n == json_array_size(ids);
    for (size_t i = 0; ok && i < e->n; i++)
        ok = e->ids[i] == json_integer_value(json_array_get(ids, i)) &&
             e->type_ids[i] == json_integer_value(json_array_get(types, i)) &&
             e->special[i] == json_integer_value(json_array_get(mask, i));
    return ok;
}

/* A batch cut to max_length and padded to the longest: ids and attention masks. */
static int same_batch(const mz_tokenizer *t, json_t *c) {
    json_t *texts = json_object_get(c, "batch"), *ids = json_object_get(c, "ids"),
           *att = json_object_get(c, "attention");
    size_t n = json_array_size(texts), lens[16];
    const char *ptrs[16];
    mz_encoding outs[16];
    if (n > 16) return 0;
    memset(outs, 0, sizeof outs);
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = json_string_value(json_array_get(texts, i));
        lens[i] = strlen(ptrs[i]);
    }
    mz_batch_options opt = {.max_length =
                                (size_t)json_integer_value(json_object_get(c, "max_length")),
                            .add_special = 1,
                            .pad = 1,
                            .pad_id = (int32_t)json_integer_value(json_object_get(c, "pad_id"))};
    int ok = mz_tokenizer_encode_batch(outs, t, ptrs, lens, n, &opt, ctx) == MZ_OK;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *row = json_array_get(ids, i), *mask = json_array_get(att, i);
        ok = outs[i].n == json_array_size(row);
        for (size_t k = 0; ok && k < outs[i].n; k++)
            ok = outs[i].ids[k] == json_integer_value(json_array_get(row, k)) &&
                 outs[i].attention[k] == json_integer_value(json_array_get(mask, k));
    }
    for (size_t i = 0; i < n; i++)
        mz_encoding_clear(&outs[i]);
    return ok;
}

/* decode with and without skip_special gives the reference's strings. */
static int same_decode(const mz_tokenizer *t, const mz_encoding *e, json_t *c) {
    const char *keys[2] = {"decoded_all", "decoded"};
    for (int skip = 0; skip < 2; skip++) {
        char *text;
        if (mz_tokenizer_decode(&text, t, e->ids, e->n, skip, ctx)) return 0;
        int ok = !strcmp(text, json_string_value(json_object_get(c, keys[skip])));
        if (!ok && getenv("MZ_VERBOSE"))
            printf("  decode: \"%.80s\" want \"%.80s\"\n", text,
                   json_string_value(json_object_get(c, keys[skip])));
        free(text);
        if (!ok) return 0;
    }
    return 1;
}

/* 1 when the encoding equals the golden case; prints the first difference when verbose. */
static int same(const mz_encoding *e, json_t *c) {
    json_t *ids = json_object_get(c, "ids"), *offs = json_object_get(c, "offsets");
    json_t *mask = json_object_get(c, "special_mask"), *words = json_object_get(c, "word_ids");
    int ok = e->n == json_array_size(ids);
    for (size_t i = 0; ok && i < e->n; i++) {
        json_t *o = json_array_get(offs, i);
        ok = e->ids[i] == json_integer_value(json_array_get(ids, i)) &&
             e->word_ids[i] == json_integer_value(json_array_get(words, i)) &&
             e->start[i] == json_integer_value(json_array_get(o, 0)) &&
             e->end[i] == json_integer_value(json_array_get(o, 1)) &&
             e->special[i] == json_integer_value(json_array_get(mask, i));
        if (!ok && getenv("MZ_VERBOSE"))
            printf(
                "  token %zu: got %d [%u, %u) special %d word %d, want %lld [%lld, %lld) special %lld word %lld\n",
                i, e->ids[i], e->start[i], e->end[i], e->special[i], e->word_ids[i],
                json_integer_value(json_array_get(ids, i)),
                json_integer_value(json_array_get(o, 0)), json_integer_value(json_array_get(o, 1)),
                json_integer_value(json_array_get(mask, i)),
                json_integer_value(json_array_get(words, i)));
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
        int dn = 0, dok = 0, pn = 0, pok = 0;
        json_array_foreach(cases, i, c) {
            const char *text = json_string_value(json_object_get(c, "text"));
            const char *pair = json_string_value(json_object_get(c, "pair"));
            int special = json_is_true(json_object_get(c, "special"));
            if (json_object_get(c, "batch")) {
                pn++;
                pok += same_batch(t, c);
                continue;
            }
            if (pair) {
                pn++;
                pok += mz_tokenizer_encode_pair(&e, t, text, strlen(text), pair, strlen(pair), 1,
                                                ctx) == MZ_OK &&
                       same_pair(&e, c);
                continue;
            }
            n++;
            if (mz_tokenizer_encode(&e, t, text, strlen(text), special, ctx) == MZ_OK &&
                same(&e, c))
                ok++;
            else if (getenv("MZ_VERBOSE"))
                printf("  ^ %s on \"%.60s\" (special %d)\n", name, text, special);
            dn++;
            dok += same_decode(t, &e, c);
        }
        printf("%-36s %d of %d encodings (ids, byte offsets, special mask), %d of %d decodes, "
               "%d of %d pairs and batches match\n",
               name, ok, n, dok, dn, pok, pn);
        CHECK_INT(ok, n);
        CHECK_INT(dok, dn);
        CHECK_INT(pok, pn);
        total += n + dn + pn;
        matched += ok + dok + pok;
        mz_encoding_clear(&e);
        mz_tokenizer_free(t);
    }
    printf(
        "tokenizer goldens: %d of %d encodings, decodes and pairs match; %d tokenizers skipped\n",
        matched, total, skipped);
    json_decref(g);
    mz_ctx_free(ctx);
    return mz_check_result("test_tokenizer_goldens");
}
