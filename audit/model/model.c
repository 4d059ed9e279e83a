/* Opening a model folder: config.json first (it fixes every expected shape), then the weights. */
#include "mizani/alloc.h"
#include "mizani/gguf.h"
#include "mizani/sha256.h"
#include "model_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int exists(const char *path) {
    struct stat s;
    return stat(path, &s) == 0;
}

/* model.safetensors, else the sharded index. */
static mz_status open_weights(mz_model *m, const char *dir, mz_ctx *ctx) {
    char path[4096];
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (!exists(path)) {
        snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
        if (!exists(path))
            return mz_fail(ctx, MZ_ERR_IO, dir,
                           "no model.safetensors or model.safetensors.index.json in this folder "
                           "(PyTorch .bin files are not read: convert them to safetensors)");
    }
    if (!(m->weights_path = mz_strdup(path)))
        return mz_fail(ctx, MZ_ERR_NOMEM, dir, "out of memory");
    return mz_st_open(&m->st, path, ctx);
}

static int is_gguf(const char *path) {
    size_t n = strlen(path);
    return n > 5 && !strcmp(path + n - 5, ".gguf");
}

/* A Hugging Face folder: config.json, then the safetensors weights. */
static mz_status open_folder(mz_model *m, const char *dir, mz_ctx *ctx) {
    char path[4096];
    snprintf(path, sizeof path, "%s/config.json", dir);
    mz_status rc = mz_model_read_config(&m->cfg, &m->model_type, path, ctx);
    return rc ? rc : open_weights(m, dir, ctx);
}

/* A GGUF file: metadata for the config, its tensor directory for the weights. */
static mz_status open_gguf(mz_model *m, const char *path, mz_ctx *ctx) {
    if (!(m->weights_path = mz_strdup(path)))
        return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    mz_status rc = mz_gguf_open(&m->gguf, path, ctx);
    if (!rc) rc = mz_model_gguf_config(&m->cfg, &m->model_type, m->gguf, path, ctx);
    return rc ? rc : mz_model_gguf_tensors(&m->st, m->gguf, path, ctx);
}

mz_status mz_model_open(mz_model **out, const char *path, mz_ctx *ctx) {
    *out = NULL;
    mz_model *m = mz_calloc(1, sizeof *m);
    if (!m) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    mz_status rc = is_gguf(path) ? open_gguf(m, path, ctx) : open_folder(m, path, ctx);
    if (!rc) rc = mz_model_map_weights(m, ctx);
    if (rc) {
        mz_model_free(m);
        return rc;
    }
    *out = m;
    return MZ_OK;
}

void mz_model_free(mz_model *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n_owned; i++)
        mz_free(m->owned[i]);
    mz_free(m->owned);
    mz_free(m->w.layers);
    mz_st_free(m->st);
    mz_gguf_free(m->gguf);
    mz_free(m->model_type);
    mz_free(m->weights_path);
    mz_free(m);
}

const mz_model_config *mz_model_get_config(const mz_model *m) { return &m->cfg; }
size_t mz_model_n_params(const mz_model *m) { return m->n_params; }
size_t mz_model_owned_bytes(const mz_model *m) { return m->owned_bytes; }
void mz_model_sha256(const mz_model *m, char hex[65]) {
    if (!m->gguf) {
        mz_st_sha256(m->st, hex);
        return;
    }
    size_t n;
    const void *bytes = mz_gguf_bytes(m->gguf, &n);
    mz_sha256 h;
    mz_sha256_init(&h);
    mz_sha256_update(&h, bytes, n);
    mz_sha256_final(&h, hex);
}
const mz_st *mz_model_tensors(const mz_model *m) { return m->st; }

const float *mz_model_input_embeddings(const mz_model *m) { return m->w.wte; }
