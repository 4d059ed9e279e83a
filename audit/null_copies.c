/* Random-weight copies of a model (see null_copies.h): the audited model's tensor directory gives
 * every name and shape, its config.json the architecture and the initialisation scale. */
#include "mizani/null_copies.h"
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/safetensors.h"
#include "mizani/safetensors_write.h"
#include "mizani/stats.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct copy {
    mz_st_tensor_out *t;
    float **data;
    size_t n;
} copy;

static void copy_free(copy *c) {
    for (size_t i = 0; i < c->n; i++)
        mz_free(c->data[i]);
    mz_free(c->t), mz_free(c->data);
}

static int ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* Hugging Face's _init_weights: 1-D tensors are LayerNorm gains (1) or biases (0); the rest
 * normal with sd `range`, GPT-2's c_proj (the projections into the residual stream) narrower. */
static void fill(float *x, const mz_st_tensor *t, double range, int layers, unsigned long seed) {
    if (t->n_dims == 1) {
        float v = ends_with(t->name, "bias") ? 0.0f : 1.0f;
        for (size_t i = 0; i < t->n_elements; i++)
            x[i] = v;
        return;
    }
    double sd = ends_with(t->name, "c_proj.weight") ? range / sqrt(2.0 * layers) : range;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < t->n_elements; i++)
        x[i] = (float)gsl_ran_gaussian_ziggurat(rng, sd);
    gsl_rng_free(rng);
}

/* The weights the engine reads are floating-point tensors of 1 to 4 dimensions; buffers such as
 * position_ids are left out. */
static int is_weight(const mz_st_tensor *t) {
    return (t->dtype == MZ_ST_F32 || t->dtype == MZ_ST_F16 || t->dtype == MZ_ST_BF16) &&
           t->n_dims >= 1 && t->n_dims <= 4;
}

/* Each tensor from a generator of its own, so the copy is the same for any thread count. */
static mz_status make(copy *c, const mz_model *m, double range, unsigned long seed, mz_ctx *ctx) {
    const mz_st *st = mz_model_tensors(m);
    size_t n = st ? mz_st_n_tensors(st) : 0;
    memset(c, 0, sizeof *c);
    c->t = mz_calloc(n + 1, sizeof *c->t);
    c->data = mz_calloc(n + 1, sizeof *c->data);
    if (!c->t || !c->data) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const mz_st_tensor *t = mz_st_tensor_at(st, i);
        if (!is_weight(t)) continue;
        if (!(c->data[c->n] = mz_malloc(t->n_elements * sizeof(float) + 1)))
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for a copy of '%s'", t->name);
        c->t[c->n] = (mz_st_tensor_out){t->name, c->data[c->n], t->n_dims, {0}};
        memcpy(c->t[c->n].shape, t->shape, (size_t)t->n_dims * sizeof *t->shape);
        c->n++;
    }
    int layers = mz_model_get_config(m)->n_layers;
#pragma omp parallel for schedule(dynamic)
    for (size_t i = 0; i < c->n; i++)
        fill(c->data[i], mz_st_find(st, c->t[i].name), range, layers, mz_stats_block_seed(seed, i));
    return MZ_OK;
}

/* config.json's initializer_range (Hugging Face's default 0.02 when absent). */
static mz_status init_range(double *range, const char *text, size_t len, const char *path,
                            mz_ctx *ctx) {
    json_error_t err;
    json_t *root = json_loadb(text, len, 0, &err);
    if (!root) return mz_fail(ctx, MZ_ERR_INPUT, path, "line %d: %s", err.line, err.text);
    json_t *r = json_object_get(root, "initializer_range");
    *range = json_is_number(r) ? json_number_value(r) : 0.02;
    json_decref(root);
    if (!(*range > 0) || !isfinite(*range))
        return mz_fail(ctx, MZ_ERR_INPUT, path, "initializer_range must be a positive number");
    return MZ_OK;
}

static mz_status write_bytes(const char *path, const char *bytes, size_t len, mz_ctx *ctx) {
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(bytes, 1, len, f) == len;
    if (f) ok = fclose(f) == 0 && ok;
    return ok ? MZ_OK : mz_fail(ctx, MZ_ERR_IO, path, "cannot write a model copy");
}

/* The copy's folder: config.json as given, model.safetensors drawn; then open it. */
static mz_status write_and_open(mz_model **out, const copy *c, const char *dir, const char *config,
                                size_t len, mz_ctx *ctx) {
    char path[4200];
    snprintf(path, sizeof path, "%s/config.json", dir);
    mz_status rc = write_bytes(path, config, len, ctx);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (!rc) rc = mz_safetensors_write(path, c->t, c->n, ctx);
    if (!rc) rc = mz_model_open(out, dir, ctx);
    remove(path); /* the open model keeps its map */
    snprintf(path, sizeof path, "%s/config.json", dir);
    remove(path);
    rmdir(dir);
    return rc;
}

mz_status mz_null_copy_open(mz_model **out, const mz_model *m, const mz_null_copies *nc, size_t k,
                            mz_ctx *ctx) {
    *out = NULL;
    const char *base = nc->workdir ? nc->workdir : getenv("TMPDIR");
    char dir[4096], *config = NULL;
    snprintf(dir, sizeof dir, "%s/mizani-copy-XXXXXX", base && *base ? base : "/tmp");
    size_t len;
    double range = 0.02;
    copy c = {0};
    mz_status rc = mz_read_file(&config, &len, nc->config, 1u << 24, ctx);
    if (!rc) rc = init_range(&range, config, len, nc->config, ctx);
    if (!rc) rc = make(&c, m, range, mz_stats_block_seed(nc->seed, k), ctx);
    if (!rc && !mkdtemp(dir)) rc = mz_fail(ctx, MZ_ERR_IO, dir, "cannot make a folder for a copy");
    if (!rc) rc = write_and_open(out, &c, dir, config, len, ctx);
    copy_free(&c);
    mz_free(config);
    return rc;
}

mz_status mz_null_copies_init(mz_null_copies *nc, size_t k, unsigned long seed,
                              const char *model_path, char *config, size_t n_config, mz_ctx *ctx) {
    *nc = (mz_null_copies){.n = k, .seed = seed, .config = config};
    if (!k) return MZ_OK;
    if (k < 3)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                       "a null reference needs at least 3 random copies, not %zu (0: none)", k);
    struct stat st;
    snprintf(config, n_config, "%s/config.json", model_path);
    int folder = !stat(config, &st) && S_ISREG(st.st_mode);
    if (k == MZ_NULL_COPIES_AUTO) {
        nc->n = folder ? MZ_NULL_COPIES_DEFAULT : 0;
        return MZ_OK;
    }
    if (!folder)
        return mz_fail(ctx, MZ_ERR_USAGE, model_path,
                       "random-weight copies for the null reference need a model folder with "
                       "config.json and safetensors weights");
    return MZ_OK;
}

mz_status mz_null_copies_each(const mz_null_copies *nc, const mz_model *m, mz_null_copy_fn fn,
                              void *user, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    for (size_t k = 0; !rc && k < nc->n; k++) {
        mz_model *c = NULL;
        rc = mz_null_copy_open(&c, m, nc, k, ctx);
        if (!rc) rc = fn(c, k, user, ctx);
        mz_model_free(c);
        mz_progress_add(nc->progress, 1);
    }
    return rc;
}
