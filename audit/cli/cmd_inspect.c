/* `mizani inspect`: the facts of a model folder that an audit's transparency card records. */
#include "cli.h"
#include "mizani/model.h"
#include "mizani/runner.h"
#include "mizani/safetensors.h"
#include "mizani/tokenizer.h"

#include <string.h>

/* "F32 (199 tensors)", or "F16 (150), F32 (49)" for mixed files. */
static void print_dtypes(FILE *out, const mz_st *st) {
    size_t count[MZ_ST_N_DTYPES] = {0};
    for (size_t i = 0; i < mz_st_n_tensors(st); i++)
        count[mz_st_tensor_at(st, i)->dtype]++;
    const char *sep = "";
    for (int d = 0; d < MZ_ST_N_DTYPES; d++)
        if (count[d])
            fprintf(out, "%s%s (%zu tensors)", sep, mz_st_dtype_name((mz_st_dtype)d), count[d]),
                sep = ", ";
    fputc('\n', out);
}

/* NaN and infinite weights: any one of them makes every activation downstream non-finite. */
static void print_nonfinite(FILE *out, const mz_st *st) {
    size_t total = 0, tensors = 0;
    const char *first = NULL;
    for (size_t i = 0; i < mz_st_n_tensors(st); i++) {
        size_t n = mz_st_count_nonfinite(mz_st_tensor_at(st, i));
        if (n && !first) first = mz_st_tensor_at(st, i)->name;
        total += n, tensors += n > 0;
    }
    if (!total)
        fputs("non-finite    none (no NaN or infinite weight)\n", out);
    else
        fprintf(out,
                "non-finite    %zu weights in %zu tensors (first: %s): NaN or infinite, the "
                "model's outputs will not be numbers\n",
                total, tensors, first);
}

/* The special tokens a vocabulary holds, among the spellings the supported families use, and
 * whether the tokenizer belongs with the model. */
static void print_tokenizer(FILE *out, const char *dir, const mz_model *m, mz_ctx *ctx) {
    static const char *const specials[] = {"[CLS]", "[SEP]",  "[MASK]",       "[PAD]",
                                           "[UNK]", "<s>",    "</s>",         "<pad>",
                                           "<unk>", "<mask>", "<|endoftext|>"};
    mz_tokenizer *t = NULL;
    if (mz_tokenizer_load(&t, dir, ctx)) {
        fprintf(out, "tokenizer     none readable here (%s)\n", mz_ctx_message(ctx));
        mz_ctx_clear(ctx);
        return;
    }
    fprintf(out, "tokenizer     %s, %zu tokens (%s)\nspecial       ", mz_tokenizer_model_name(t),
            mz_tokenizer_vocab_size(t), mz_tokenizer_path(t));
    for (size_t i = 0; i < sizeof specials / sizeof *specials; i++) {
        int32_t id = mz_tokenizer_id(t, specials[i]);
        if (id >= 0) fprintf(out, "%s=%d ", specials[i], id);
    }
    fputc('\n', out);
    if (mz_model_tokenizer_check(m, dir, t, ctx)) {
        fprintf(out, "agreement     NO: %s\n", mz_ctx_message(ctx));
        mz_ctx_clear(ctx);
    } else {
        fprintf(out, "agreement     yes: every token id has a row in the embedding matrix%s\n",
                mz_model_is_causal(mz_model_get_config(m)) ? "" : ", special tokens added");
    }
    mz_tokenizer_free(t);
}

static mz_status inspect_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *dir;
    mz_model *m = NULL;
    mz_status rc = mz_cli_require(cli, args, "inspect", "model", &dir);
    if (!rc) rc = mz_model_open(&m, dir, cli->ctx);
    if (rc) return rc;
    const mz_model_config *c = mz_model_get_config(m);
    char sha[65];
    mz_model_sha256(m, sha);
    FILE *o = cli->out;
    fprintf(o, "model         %s\narchitecture  %s (%s%s)\n", dir, c->model_type,
            mz_model_is_causal(c) ? "decoder" : "encoder",
            c->has_lm_head ? (mz_model_is_causal(c) ? ", LM head" : ", masked-LM head")
                           : ", no LM head");
    fprintf(
        o,
        "shape         %d layers, hidden %d, %d heads, feed-forward %d, %d positions, vocabulary %d\n",
        c->n_layers, c->d_model, c->block.n_heads, c->d_ff, c->max_pos, c->vocab);
    fprintf(o, "block         %s LayerNorm (eps %g), %s attention, feed-forward %s\n",
            c->block.norm_place == MZ_NORM_PRE ? "pre" : "post", c->block.norm_eps,
            mz_model_is_causal(c) ? "causal" : "bidirectional",
            c->block.ffn == MZ_FFN_GELU_TANH ? "GELU (tanh)" : "GELU (erf)");
    fprintf(o, "parameters    %zu (%.2f M)\nweights       %.1f MB, ", mz_model_n_params(m),
            mz_model_n_params(m) / 1e6, mz_st_file_bytes(mz_model_tensors(m)) / 1e6);
    print_dtypes(o, mz_model_tensors(m));
    print_nonfinite(o, mz_model_tensors(m));
    fprintf(o, "sha256        %s\n", sha);
    print_tokenizer(o, dir, m, cli->ctx);
    mz_model_free(m);
    return MZ_OK;
}

static const mz_cli_opt inspect_opts[] = {
    {"model", "DIR|FILE.gguf",
     "a Hugging Face model folder (config.json, model.safetensors, tokenizer)\n"
     "or a GGUF file"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_inspect = {
    .name = "inspect",
    .summary = "describe a model: architecture, parameters, tokenizer, weight checksum",
    .usage = "--model DIR|FILE.gguf",
    .description =
        "Prints the facts of a model folder that an audit report's transparency card\n"
        "records: architecture and sizes, parameter count, weight dtypes, the SHA-256 of\n"
        "the weight files, how many weights are NaN or infinite, the tokenizer's type,\n"
        "vocabulary size and special tokens, and whether it belongs with the model (every id\n"
        "has an embedding row; an encoder gets its special tokens): the other commands refuse\n"
        "a model and tokenizer that do not (exit 3).",
    .examples = "  mizani inspect --model ./bert-base-multilingual-cased\n",
    .opts = inspect_opts,
    .max_args = 0,
    .run = inspect_cmd,
};
