/* Random-weight checkpoints for the calibration study (see null_model.h). */
#include "null_model.h"
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/tokenizer.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef enum fill_kind { NORMAL, ONES, ZEROS } fill_kind;

static float *add(null_model *m, const char *name, int n_dims, int64_t d0, int64_t d1,
                  fill_kind kind, gsl_rng *rng) {
    size_t count = (size_t)d0 * (size_t)(n_dims > 1 ? d1 : 1);
    float *x = m->n < NULL_MAX_TENSORS ? mz_malloc(count * sizeof *x) : NULL;
    char *copy = x ? mz_strdup(name) : NULL;
    if (!copy) {
        mz_free(x);
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        x[i] = kind == NORMAL ? (float)gsl_ran_gaussian_ziggurat(rng, 0.02) : kind == ONES;
    m->t[m->n] = (mz_st_tensor_out){copy, x, n_dims, {d0, d1, 0, 0}};
    m->data[m->n++] = x;
    return x;
}

#define ADD(name, nd, a, b, kind)                       \
    do {                                                \
        if (!add(m, name, nd, a, b, kind, rng)) ok = 0; \
    } while (0)

static int bert_layer(null_model *m, int l, int C, int F, gsl_rng *rng) {
    int ok = 1;
    char n[128];
    static const char *const proj[] = {"attention.self.query", "attention.self.key",
                                       "attention.self.value", "attention.output.dense"};
    for (int p = 0; p < 4; p++) {
        snprintf(n, sizeof n, "bert.encoder.layer.%d.%s.weight", l, proj[p]);
        ADD(n, 2, C, C, NORMAL);
        snprintf(n, sizeof n, "bert.encoder.layer.%d.%s.bias", l, proj[p]);
        ADD(n, 1, C, 0, ZEROS);
    }
    snprintf(n, sizeof n, "bert.encoder.layer.%d.intermediate.dense.weight", l);
    ADD(n, 2, F, C, NORMAL);
    snprintf(n, sizeof n, "bert.encoder.layer.%d.intermediate.dense.bias", l);
    ADD(n, 1, F, 0, ZEROS);
    snprintf(n, sizeof n, "bert.encoder.layer.%d.output.dense.weight", l);
    ADD(n, 2, C, F, NORMAL);
    snprintf(n, sizeof n, "bert.encoder.layer.%d.output.dense.bias", l);
    ADD(n, 1, C, 0, ZEROS);
    static const char *const norms[] = {"attention.output.LayerNorm", "output.LayerNorm"};
    for (int k = 0; k < 2; k++) {
        snprintf(n, sizeof n, "bert.encoder.layer.%d.%s.weight", l, norms[k]);
        ADD(n, 1, C, 0, ONES);
        snprintf(n, sizeof n, "bert.encoder.layer.%d.%s.bias", l, norms[k]);
        ADD(n, 1, C, 0, ZEROS);
    }
    return ok;
}

static int bert(null_model *m, const null_spec *s, gsl_rng *rng) {
    int ok = 1, C = s->hidden, V = m->vocab;
    ADD("bert.embeddings.word_embeddings.weight", 2, V, C, NORMAL);
    m->wte = m->data[m->n - 1];
    ADD("bert.embeddings.position_embeddings.weight", 2, s->positions, C, NORMAL);
    ADD("bert.embeddings.token_type_embeddings.weight", 2, 2, C, NORMAL);
    ADD("bert.embeddings.LayerNorm.weight", 1, C, 0, ONES);
    ADD("bert.embeddings.LayerNorm.bias", 1, C, 0, ZEROS);
    for (int l = 0; ok && l < s->layers; l++)
        ok = bert_layer(m, l, C, 4 * C, rng);
    ADD("cls.predictions.transform.dense.weight", 2, C, C, NORMAL);
    ADD("cls.predictions.transform.dense.bias", 1, C, 0, ZEROS);
    ADD("cls.predictions.transform.LayerNorm.weight", 1, C, 0, ONES);
    ADD("cls.predictions.transform.LayerNorm.bias", 1, C, 0, ZEROS);
    ADD("cls.predictions.bias", 1, V, 0, ZEROS);
    return ok;
}

static int gpt2(null_model *m, const null_spec *s, gsl_rng *rng) {
    int ok = 1, C = s->hidden, V = m->vocab;
    char n[128];
    ADD("transformer.wte.weight", 2, V, C, NORMAL);
    m->wte = m->data[m->n - 1];
    ADD("transformer.wpe.weight", 2, s->positions, C, NORMAL);
    for (int l = 0; ok && l < s->layers; l++) {
        static const char *const lin[][2] = {
            {"attn.c_attn", "3"}, {"attn.c_proj", "1"}, {"mlp.c_fc", "4"}, {"mlp.c_proj", "p"}};
        for (int k = 1; k <= 2; k++) {
            snprintf(n, sizeof n, "transformer.h.%d.ln_%d.weight", l, k);
            ADD(n, 1, C, 0, ONES);
            snprintf(n, sizeof n, "transformer.h.%d.ln_%d.bias", l, k);
            ADD(n, 1, C, 0, ZEROS);
        }
        for (int k = 0; k < 4; k++) { /* GPT-2's Conv1D stores [in, out] */
            int in = lin[k][1][0] == 'p' ? 4 * C : C,
                out = lin[k][1][0] == 'p' ? C : (lin[k][1][0] - '0') * C;
            snprintf(n, sizeof n, "transformer.h.%d.%s.weight", l, lin[k][0]);
            ADD(n, 2, in, out, NORMAL);
            snprintf(n, sizeof n, "transformer.h.%d.%s.bias", l, lin[k][0]);
            ADD(n, 1, out, 0, ZEROS);
        }
    }
    ADD("transformer.ln_f.weight", 1, C, 0, ONES);
    ADD("transformer.ln_f.bias", 1, C, 0, ZEROS);
    return ok;
}

mz_status null_model_make(null_model *m, const null_spec *s, mz_ctx *ctx) {
    memset(m, 0, sizeof *m);
    mz_tokenizer *t = NULL;
    mz_status rc = mz_tokenizer_load(&t, s->tokenizer, ctx);
    if (rc) return rc;
    m->vocab = (int)mz_tokenizer_vocab_size(t), m->hidden = s->hidden;
    mz_tokenizer_free(t);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    gsl_rng_set(rng, s->seed);
    int ok = s->causal ? gpt2(m, s, rng) : bert(m, s, rng);
    gsl_rng_free(rng);
    if (!ok) {
        null_model_free(m);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    return MZ_OK;
}

void null_model_plant(null_model *m, const int32_t *up, size_t n_up, const int32_t *down,
                      size_t n_down, double size, unsigned long seed) {
    int C = m->hidden;
    double *u = mz_calloc((size_t)C, sizeof *u), norm = 0, rms = 0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!u || !rng) {
        mz_free(u);
        if (rng) gsl_rng_free(rng);
        return;
    }
    gsl_rng_set(rng, seed ^ 0x5eed);
    for (int c = 0; c < C; c++)
        u[c] = gsl_ran_gaussian(rng, 1), norm += u[c] * u[c];
    for (size_t i = 0; i < (size_t)m->vocab * C; i++)
        rms += (double)m->wte[i] * m->wte[i] / m->vocab;
    double scale = size * sqrt(rms) / sqrt(norm);
    for (size_t i = 0; i < n_up + n_down; i++) {
        int32_t id = i < n_up ? up[i] : down[i - n_up];
        for (int c = 0; id >= 0 && id < m->vocab && c < C; c++)
            m->wte[(size_t)id * C + c] += (float)((i < n_up ? 1 : -1) * scale * u[c]);
    }
    gsl_rng_free(rng);
    mz_free(u);
}

static mz_status write_text(const char *path, const char *text, size_t len, mz_ctx *ctx) {
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(text, 1, len, f) == len;
    if (f) ok = fclose(f) == 0 && ok;
    return ok ? MZ_OK : mz_fail(ctx, MZ_ERR_IO, path, "cannot write");
}

mz_status null_model_write(const null_model *m, const null_spec *s, const char *dir, mz_ctx *ctx) {
    char path[4096], config[1024], *tok = NULL;
    size_t len;
    mkdir(dir, 0755);
    int k = s->causal
                ? snprintf(config, sizeof config,
                           "{\"model_type\": \"gpt2\", \"vocab_size\": %d, \"n_embd\": %d, "
                           "\"n_layer\": %d, \"n_head\": %d, \"n_inner\": null, \"n_positions\": "
                           "%d, \"activation_function\": \"gelu_new\", \"layer_norm_epsilon\": "
                           "1e-05}\n",
                           m->vocab, s->hidden, s->layers, s->heads, s->positions)
                : snprintf(config, sizeof config,
                           "{\"model_type\": \"bert\", \"vocab_size\": %d, \"hidden_size\": %d, "
                           "\"num_hidden_layers\": %d, \"num_attention_heads\": %d, "
                           "\"intermediate_size\": %d, \"max_position_embeddings\": %d, "
                           "\"hidden_act\": \"gelu\", \"layer_norm_eps\": 1e-12, "
                           "\"type_vocab_size\": 2, \"pad_token_id\": 0}\n",
                           m->vocab, s->hidden, s->layers, s->heads, 4 * s->hidden, s->positions);
    snprintf(path, sizeof path, "%s/config.json", dir);
    mz_status rc = write_text(path, config, (size_t)k, ctx);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    if (!rc) rc = mz_safetensors_write(path, m->t, m->n, ctx);
    if (!rc) rc = mz_read_file(&tok, &len, s->tokenizer, 1u << 30, ctx);
    snprintf(path, sizeof path, "%s/tokenizer.json", dir);
    if (!rc) rc = write_text(path, tok, len, ctx);
    mz_free(tok);
    return rc;
}

void null_model_free(null_model *m) {
    for (size_t i = 0; i < m->n; i++)
        mz_free(m->data[i]), mz_free((char *)m->t[i].name);
    memset(m, 0, sizeof *m);
}

void null_model_remove(const char *dir) {
    static const char *const files[] = {"config.json", "model.safetensors", "tokenizer.json"};
    for (int i = 0; i < 3; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    remove(dir);
}
