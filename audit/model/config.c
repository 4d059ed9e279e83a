/* config.json -> mz_model_config. Each architecture spells the same sizes differently
 * (hidden_size / dim / n_embd); one table of key spellings per architecture keeps that in data. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "model_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

typedef struct arch_keys {
    const char *model_type;
    mz_model_arch arch;
    const char *layers, *hidden, *heads, *ff, *max_pos, *act, *eps;
    double default_eps;
} arch_keys;

static const arch_keys ARCHS[] = {
    {"bert", MZ_ARCH_BERT, "num_hidden_layers", "hidden_size", "num_attention_heads",
     "intermediate_size", "max_position_embeddings", "hidden_act", "layer_norm_eps", 1e-12},
    {"roberta", MZ_ARCH_ROBERTA, "num_hidden_layers", "hidden_size", "num_attention_heads",
     "intermediate_size", "max_position_embeddings", "hidden_act", "layer_norm_eps", 1e-12},
    {"xlm-roberta", MZ_ARCH_XLM_ROBERTA, "num_hidden_layers", "hidden_size", "num_attention_heads",
     "intermediate_size", "max_position_embeddings", "hidden_act", "layer_norm_eps", 1e-5},
    {"distilbert", MZ_ARCH_DISTILBERT, "n_layers", "dim", "n_heads", "hidden_dim",
     "max_position_embeddings", "activation", NULL, 1e-12},
    {"electra", MZ_ARCH_ELECTRA, "num_hidden_layers", "hidden_size", "num_attention_heads",
     "intermediate_size", "max_position_embeddings", "hidden_act", "layer_norm_eps", 1e-12},
    {"gpt2", MZ_ARCH_GPT2, "n_layer", "n_embd", "n_head", "n_inner", "n_positions",
     "activation_function", "layer_norm_epsilon", 1e-5},
};
#define N_ARCHS ((int)(sizeof ARCHS / sizeof ARCHS[0]))

const char *mz_model_arch_name(mz_model_arch arch) {
    for (int i = 0; i < N_ARCHS; i++)
        if (ARCHS[i].arch == arch) return ARCHS[i].model_type;
    return "?";
}

const char *mz_model_supported_archs(void) {
    return "bert, roberta, xlm-roberta, distilbert, electra, gpt2";
}

void mz_model_recipe(mz_model_config *c, int gelu_tanh, double eps) {
    int gpt2 = c->arch == MZ_ARCH_GPT2;
    mz_block_recipe *b = &c->block;
    b->norm_place = gpt2 ? MZ_NORM_PRE : MZ_NORM_POST;
    b->norm_eps = eps;
    b->embed_norm = !gpt2;
    b->final_norm = gpt2;
    b->learned_positions = 1;
    b->mask = gpt2 ? MZ_MASK_CAUSAL : MZ_MASK_BIDIRECTIONAL;
    b->n_kv_heads = b->n_heads;
    b->head_dim = c->d_model / b->n_heads;
    b->qkv_fused = gpt2;
    b->ffn = gelu_tanh ? MZ_FFN_GELU_TANH : MZ_FFN_GELU;
}

int mz_model_is_causal(const mz_model_config *c) { return c->block.mask == MZ_MASK_CAUSAL; }

/* The JSON path of a top-level key, for error messages. */
typedef struct {
    char s[96];
} jpath;
static jpath at(const char *key) {
    jpath p;
    snprintf(p.s, sizeof p.s, "$.%s", key ? key : "layer_norm_eps");
    return p;
}

/* An integer key in [lo, hi]; `fallback` when absent and fallback >= 0. */
static mz_status get_int(int *out, json_t *root, const char *key, int lo, int hi, int fallback,
                         const char *path, mz_ctx *ctx) {
    json_t *v = json_object_get(root, key);
    if ((!v || json_is_null(v)) && fallback >= 0) return *out = fallback, MZ_OK;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return mz_fail_path(ctx, MZ_ERR_INPUT, path, at(key).s,
                            "must be an integer between %d and %d", lo, hi);
    *out = (int)json_integer_value(v);
    return MZ_OK;
}

static mz_status get_act(int *tanh, json_t *root, const char *key, const char *path, mz_ctx *ctx) {
    const char *s = json_string_value(json_object_get(root, key));
    if (!s) s = "gelu";
    if (!strcmp(s, "gelu")) return *tanh = 0, MZ_OK;
    if (!strcmp(s, "gelu_new") || !strcmp(s, "gelu_pytorch_tanh") || !strcmp(s, "gelu_fast"))
        return *tanh = 1, MZ_OK;
    return mz_fail_path(ctx, MZ_ERR_UNSUPPORTED, path, at(key).s,
                        "activation '%s' is not supported (gelu, gelu_new, gelu_pytorch_tanh)", s);
}

static mz_status read_sizes(mz_model_config *c, const arch_keys *k, json_t *root, const char *path,
                            mz_ctx *ctx) {
    const int big = 1 << 24;
    mz_status rc;
    if ((rc = get_int(&c->n_layers, root, k->layers, 1, 1024, -1, path, ctx)) ||
        (rc = get_int(&c->d_model, root, k->hidden, 1, 1 << 16, -1, path, ctx)) ||
        (rc = get_int(&c->block.n_heads, root, k->heads, 1, 1024, -1, path, ctx)) ||
        (rc = get_int(&c->d_ff, root, k->ff, 1, 1 << 20, 4 * c->d_model, path, ctx)) ||
        (rc = get_int(&c->vocab, root, "vocab_size", 1, big, -1, path, ctx)) ||
        (rc = get_int(&c->max_pos, root, k->max_pos, 1, big, -1, path, ctx)) ||
        (rc = get_int(&c->d_embed, root, "embedding_size", 1, 1 << 16, c->d_model, path, ctx)))
        return rc;
    int types = c->arch == MZ_ARCH_GPT2 || c->arch == MZ_ARCH_DISTILBERT ? 0 : 2;
    if ((rc = get_int(&c->type_vocab, root, "type_vocab_size", 0, 1024, types, path, ctx)) ||
        (rc = get_int(&c->pad_id, root, "pad_token_id", -1, big, 0, path, ctx)))
        return rc;
    if (c->d_model % c->block.n_heads)
        return mz_fail_path(ctx, MZ_ERR_INPUT, path, at(k->heads).s, "does not divide %s (%d)",
                            k->hidden, c->d_model);
    return MZ_OK;
}

static mz_status read_config(mz_model_config *c, json_t *root, const char *path, mz_ctx *ctx) {
    const char *type = json_string_value(json_object_get(root, "model_type"));
    const arch_keys *k = NULL;
    for (int i = 0; type && i < N_ARCHS && !k; i++)
        if (!strcmp(type, ARCHS[i].model_type)) k = &ARCHS[i];
    if (!k)
        return mz_fail_path(ctx, MZ_ERR_UNSUPPORTED, path, "$.model_type",
                            "'%s' is not supported; supported: %s", type ? type : "(missing)",
                            mz_model_supported_archs());
    memset(c, 0, sizeof *c);
    c->arch = k->arch;
    int gelu_tanh = 0;
    mz_status rc = read_sizes(c, k, root, path, ctx);
    if (!rc) rc = get_act(&gelu_tanh, root, k->act, path, ctx);
    if (rc) return rc;
    json_t *eps = k->eps ? json_object_get(root, k->eps) : NULL;
    if (eps && !json_is_number(eps))
        return mz_fail_path(ctx, MZ_ERR_INPUT, path, at(k->eps).s, "must be a number");
    double e = eps ? json_number_value(eps) : k->default_eps;
    if (!(e > 0 && e < 1))
        return mz_fail_path(ctx, MZ_ERR_INPUT, path, at(k->eps).s, "must lie in (0, 1)");
    mz_model_recipe(c, gelu_tanh, e);
    if (mz_model_is_causal(c)) c->pad_id = -1;
    if (c->arch == MZ_ARCH_ROBERTA || c->arch == MZ_ARCH_XLM_ROBERTA) c->pos_offset = c->pad_id + 1;
    return MZ_OK;
}

mz_status mz_model_config_parse(mz_model_config *cfg, char **model_type, const char *text,
                                size_t len, const char *path, mz_ctx *ctx) {
    *model_type = NULL;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    if (!json_is_object(root)) {
        json_decref(root);
        return root ? mz_fail(ctx, MZ_ERR_INPUT, path, "not a JSON object")
                    : mz_fail_line(ctx, MZ_ERR_INPUT, path, jerr.line, jerr.column,
                                   "not valid JSON: %s", jerr.text);
    }
    mz_status rc = read_config(cfg, root, path, ctx);
    if (!rc && !(*model_type = mz_strdup(json_string_value(json_object_get(root, "model_type")))))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    cfg->model_type = *model_type;
    json_decref(root);
    return rc;
}

mz_status mz_model_read_config(mz_model_config *cfg, char **model_type, const char *path,
                               mz_ctx *ctx) {
    char *text;
    size_t len;
    *model_type = NULL;
    mz_status rc = mz_read_file(&text, &len, path, 1u << 20, ctx);
    if (rc) return rc;
    rc = mz_model_config_parse(cfg, model_type, text, len, path, ctx);
    mz_free(text);
    return rc;
}
