/* A model as the subject of a results tree: what its transparency card says (architecture,
 * shape, parameters, dtypes, the weights' SHA-256) and the tokenizer it was run with (file and
 * hash, type, vocabulary, special tokens). */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/model.h"
#include "mizani/report.h"
#include "mizani/safetensors.h"
#include "mizani/tokenizer.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* The special tokens a vocabulary holds, among the spellings the supported families use. */
static void specials(mz_results *r, mz_rnode *at, const mz_tokenizer *t) {
    static const char *const names[] = {"[CLS]", "[SEP]", "[MASK]", "[PAD]",  "[UNK]",        "<s>",
                                        "</s>",  "<pad>", "<unk>",  "<mask>", "<|endoftext|>"};
    mz_rnode *o = mz_rn_object(r, at, "special_tokens");
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        int32_t id = mz_tokenizer_id(t, names[i]);
        if (id >= 0) mz_rn_int(r, o, names[i], id);
    }
}

static void tokenizer(mz_results *r, mz_rnode *s, const mz_tokenizer *t) {
    if (mz_results_file_identity(r, s, "tokenizer", mz_tokenizer_path(t))) return;
    mz_rnode *o = (mz_rnode *)json_object_get(MZ_J(s), "tokenizer");
    mz_rn_str(r, o, "type", mz_tokenizer_model_name(t));
    mz_rn_int(r, o, "vocab_size", (long long)mz_tokenizer_vocab_size(t));
    specials(r, o, t);
}

static void dtypes(mz_results *r, mz_rnode *s, const mz_st *st) {
    size_t count[MZ_ST_N_DTYPES] = {0};
    for (size_t i = 0; i < mz_st_n_tensors(st); i++)
        count[mz_st_tensor_at(st, i)->dtype]++;
    mz_rnode *o = mz_rn_object(r, s, "dtypes");
    for (int d = 0; d < MZ_ST_N_DTYPES; d++)
        if (count[d]) mz_rn_int(r, o, mz_st_dtype_name((mz_st_dtype)d), (long long)count[d]);
}

/* A demonstration model (corpora/demo/models/) says so in a demonstration.json beside its
 * config.json; its "notice" (what it is, what was planted in its corpus) heads the report. */
static void notice(mz_results *r, mz_rnode *s, const char *dir) {
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/demonstration.json", dir);
    if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(path, F_OK)) return;
    char *text;
    size_t len;
    json_error_t err;
    if ((r->status = mz_read_file(&text, &len, path, 1 << 20, r->ctx))) return;
    json_t *root = json_loadb(text, len, 0, &err);
    mz_free(text);
    const char *n = json_string_value(json_object_get(root, "notice"));
    if (!root)
        r->status = mz_fail_line(r->ctx, MZ_ERR_INPUT, path, err.line, err.column,
                                 "not valid JSON: %s", err.text);
    else if (!n)
        r->status = mz_fail(r->ctx, MZ_ERR_INPUT, path, "has no \"notice\" string");
    else
        mz_rn_str(r, s, "notice", n);
    json_decref(root);
}

mz_status mz_results_model(mz_results *r, const mz_model *m, const char *path,
                           const mz_tokenizer *t) {
    if (r->status || json_object_get(r->root, "subject")) return r->status;
    const mz_model_config *c = mz_model_get_config(m);
    char hex[65];
    mz_model_sha256(m, hex);
    mz_rnode *s = mz_results_subject(r, "model");
    mz_rn_path(r, s, "path", path);
    mz_rn_str(r, s, "architecture", c->model_type);
    mz_rn_str(r, s, "role", mz_model_is_causal(c) ? "decoder" : "encoder");
    mz_rn_str(r, s, "head",
              !c->has_lm_head         ? "none"
              : mz_model_is_causal(c) ? "language model"
                                      : "masked LM");
    mz_rn_str(r, s, "sha256", hex);
    mz_rn_int(r, s, "weight_bytes", (long long)mz_st_file_bytes(mz_model_tensors(m)));
    mz_rn_int(r, s, "layers", c->n_layers);
    mz_rn_int(r, s, "hidden", c->d_model);
    mz_rn_int(r, s, "heads", c->block.n_heads);
    mz_rn_int(r, s, "feed_forward", c->d_ff);
    mz_rn_int(r, s, "positions", c->max_pos - c->pos_offset);
    mz_rn_int(r, s, "vocab_size", c->vocab);
    mz_rn_int(r, s, "parameters", (long long)mz_model_n_params(m));
    dtypes(r, s, mz_model_tensors(m));
    if (t) tokenizer(r, s, t);
    if (path) notice(r, s, path);
    return r->status;
}

mz_status mz_results_tokenizer(mz_results *r, const mz_tokenizer *t) {
    if (r->status || json_object_get(r->root, "subject")) return r->status;
    tokenizer(r, mz_results_subject(r, "tokenizer"), t);
    return r->status;
}
