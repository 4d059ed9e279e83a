/* A model from a GGUF file: the config from the {arch}.* metadata keys, the weights from the
 * tensor directory (dimensions reversed into PyTorch order). llama.cpp's converters store
 * GPT-2's Conv1D weights transposed, so every projection here is in nn.Linear layout. The
 * activation is not recorded in GGUF: BERT uses the exact (erf) GELU of Hugging Face's
 * checkpoints, GPT-2 the tanh form. */
#include "mizani/alloc.h"
#include "mizani/gguf.h"
#include "model_internal.h"

#include <stdio.h>
#include <string.h>

static const mz_gguf_tensor *find_tensor(const mz_gguf *g, const char *name) {
    for (size_t i = 0; i < mz_gguf_n_tensors(g); i++) {
        const mz_gguf_tensor *t = mz_gguf_tensor_at(g, i);
        if (t->name.len == strlen(name) && !memcmp(t->name.data, name, t->name.len)) return t;
    }
    return NULL;
}

/* What a metadata key holds when it is not a count: named in the message, since "missing" would
 * send the reader looking for a key that is there. */
static const char *held(const mz_gguf *g, const char *key, char buf[64]) {
    double f;
    mz_gguf_str s;
    mz_gguf_type t;
    size_t n;
    if (mz_gguf_get_float(g, key, &f)) return snprintf(buf, 64, "is %g", f), buf;
    if (mz_gguf_get_string(g, key, &s)) return "holds a string";
    if (mz_gguf_get_array(g, key, &t, &n)) return "holds an array";
    return NULL;
}

static mz_status get_key(int *out, const mz_gguf *g, const char *arch, const char *key,
                         int fallback, const char *path, mz_ctx *ctx) {
    char full[128], buf[64];
    uint64_t v;
    snprintf(full, sizeof full, "%s.%s", arch, key);
    if (!mz_gguf_get_uint(g, full, &v)) {
        const char *what = held(g, full, buf);
        if (what)
            return mz_fail(ctx, MZ_ERR_INPUT, path,
                           "metadata key %s %s; it must be a positive integer", full, what);
        if (fallback >= 0) return *out = fallback, MZ_OK;
        return mz_fail(ctx, MZ_ERR_INPUT, path, "metadata key %s is missing", full);
    }
    if (v < 1 || v > (1u << 24))
        return mz_fail(ctx, MZ_ERR_INPUT, path, "metadata key %s = %llu is out of range", full,
                       (unsigned long long)v);
    *out = (int)v;
    return MZ_OK;
}

mz_status mz_model_gguf_config(mz_model_config *c, char **model_type, const mz_gguf *g,
                               const char *path, mz_ctx *ctx) {
    mz_gguf_str a = {0};
    char arch[32] = "";
    *model_type = NULL;
    if (mz_gguf_get_string(g, "general.architecture", &a) && a.len < sizeof arch)
        memcpy(arch, a.data, a.len);
    memset(c, 0, sizeof *c);
    if (!strcmp(arch, "bert"))
        c->arch = MZ_ARCH_BERT;
    else if (!strcmp(arch, "gpt2"))
        c->arch = MZ_ARCH_GPT2;
    else
        return mz_fail(ctx, MZ_ERR_UNSUPPORTED, path,
                       "GGUF architecture '%s' is not supported; supported in GGUF: bert, gpt2",
                       arch[0] ? arch : "(missing)");
    const mz_gguf_tensor *emb = find_tensor(g, "token_embd.weight"),
                         *types = find_tensor(g, "token_types.weight");
    if (!emb || emb->n_dims != 2)
        return mz_fail(ctx, MZ_ERR_INPUT, path, "no 2-D token_embd.weight tensor");
    mz_status rc;
    if ((rc = get_key(&c->n_layers, g, arch, "block_count", -1, path, ctx)) ||
        (rc = get_key(&c->d_model, g, arch, "embedding_length", -1, path, ctx)) ||
        (rc = get_key(&c->block.n_heads, g, arch, "attention.head_count", -1, path, ctx)) ||
        (rc = get_key(&c->d_ff, g, arch, "feed_forward_length", 4 * c->d_model, path, ctx)) ||
        (rc = get_key(&c->max_pos, g, arch, "context_length", -1, path, ctx)))
        return rc;
    if (c->d_model % c->block.n_heads)
        return mz_fail(ctx, MZ_ERR_INPUT, path, "head count does not divide the embedding length");
    int gpt2 = c->arch == MZ_ARCH_GPT2;
    double eps = 0;
    char key[96];
    snprintf(key, sizeof key, "%s.attention.layer_norm_epsilon", arch);
    if (!mz_gguf_get_float(g, key, &eps)) eps = gpt2 ? 1e-5 : 1e-12;
    if (!(eps > 0 && eps < 1))
        return mz_fail(ctx, MZ_ERR_INPUT, path, "metadata key %s = %g is outside (0, 1)", key, eps);
    mz_model_recipe(c, gpt2, eps);
    c->vocab = emb->ne[1] < (1u << 24) ? (int)emb->ne[1] : 0;
    c->d_embed = c->d_model;
    c->type_vocab = types && types->n_dims == 2 && types->ne[1] < 1024 ? (int)types->ne[1] : 0;
    uint64_t pad = 0;
    c->pad_id = gpt2 ? -1
                : mz_gguf_get_uint(g, "tokenizer.ggml.padding_token_id", &pad)
                    ? (int)(pad & 0xffffff)
                    : 0;
    if (!(*model_type = mz_strdup(arch))) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    c->model_type = *model_type;
    return MZ_OK;
}

/* The GGUF directory as safetensors-style entries in PyTorch dimension order. */
mz_status mz_model_gguf_tensors(mz_st **out, const mz_gguf *g, const char *path, mz_ctx *ctx) {
    size_t n = mz_gguf_n_tensors(g);
    mz_st_tensor *t = mz_calloc(n ? n : 1, sizeof *t);
    char **names = mz_calloc(n ? n : 1, sizeof *names);
    mz_status rc = t && names ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        const mz_gguf_tensor *s = mz_gguf_tensor_at(g, i);
        if (!s->data) {
            rc = mz_fail(
                ctx, MZ_ERR_UNSUPPORTED, path,
                "tensor '%.*s' has ggml type %u (quantised); Mizani reads F32, F16 and BF16 GGUF files",
                (int)s->name.len, s->name.data, s->type);
            break;
        }
        if (!(names[i] = mz_strndup(s->name.data, s->name.len)))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        t[i].name = names[i];
        t[i].dtype = s->type == MZ_GGML_F32   ? MZ_ST_F32
                     : s->type == MZ_GGML_F16 ? MZ_ST_F16
                                              : MZ_ST_BF16;
        t[i].n_dims = (int)s->n_dims;
        t[i].n_elements = 1;
        for (uint32_t d = 0; d < s->n_dims; d++)
            t[i].shape[d] = (int64_t)s->ne[s->n_dims - 1 - d], t[i].n_elements *= (size_t)s->ne[d];
        t[i].data = s->data;
        t[i].n_bytes = s->n_bytes;
        t[i].file = path;
    }
    if (!rc) rc = mz_st_from_tensors(out, t, n, ctx);
    for (size_t i = 0; names && i < n; i++)
        mz_free(names[i]);
    mz_free(names);
    mz_free(t);
    return rc;
}
