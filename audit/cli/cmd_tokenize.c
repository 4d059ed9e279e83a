/* `mizani tokenize`: tokens, ids and byte spans exactly as the model's tokenizer makes them. */
#include "cli.h"
#include "mizani/tokenizer.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define MAX_STDIN (64u << 20)

static const mz_cli_opt tokenize_opts[] = {
    {"tokenizer", "PATH", "tokenizer.json, a .gguf file, or a model folder holding tokenizer.json"},
    {"special", NULL, "add the model's special tokens ([CLS] ... [SEP], <s> ... </s>)"},
    {"offsets", NULL, "also print each token's byte span and the text it covers"},
    {"json", NULL, "print ids, tokens, spans, word ids and the special-token mask as JSON"},
    {NULL, NULL, NULL},
};

/* The text argument, or all of standard input for "-". */
static mz_status read_text(mz_cli *cli, const char *arg, char **text, size_t *len) {
    if (strcmp(arg, "-")) {
        *len = strlen(arg);
        *text = mz_strndup(arg, *len);
        return *text ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    size_t cap = 0;
    *text = NULL;
    *len = 0;
    for (size_t got = 1; got;) {
        if (*len > MAX_STDIN)
            return mz_fail(cli->ctx, MZ_ERR_INPUT, "<stdin>", "more than %u bytes", MAX_STDIN);
        if (mz_grow((void **)text, &cap, *len + 65536, 1))
            return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        *len += got = fread(*text + *len, 1, cap - *len, stdin);
    }
    return ferror(stdin) ? mz_fail_errno(cli->ctx, "<stdin>", "read failed") : MZ_OK;
}

/* Appends v to a; 0 when it could not (no memory): the arrays must keep one entry a token. */
static int push(json_t *a, json_t *v) { return v && json_array_append_new(a, v) == 0; }

static mz_status print_json(mz_cli *cli, const mz_tokenizer *t, const mz_encoding *e) {
    json_t *ids = json_array(), *toks = json_array(), *offs = json_array(), *words = json_array(),
           *mask = json_array();
    int ok = 1;
    for (size_t i = 0; ok && i < e->n; i++)
        ok = push(ids, json_integer(e->ids[i])) &&
             push(toks, json_string(mz_tokenizer_token(t, e->ids[i]))) &&
             push(offs, json_pack("[I, I]", (json_int_t)e->start[i], (json_int_t)e->end[i])) &&
             push(words, e->word_ids[i] < 0 ? json_null() : json_integer(e->word_ids[i])) &&
             push(mask, json_integer(e->special[i]));
    json_t *o = json_pack("{s:o, s:o, s:o, s:o, s:o}", "ids", ids, "tokens", toks, "offsets", offs,
                          "word_ids", words, "special_tokens_mask", mask);
    mz_status rc = MZ_OK;
    if (!o || !ok)
        rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    else if (json_dumpf(o, cli->out, JSON_COMPACT) || fputc('\n', cli->out) == EOF)
        rc = mz_fail(cli->ctx, MZ_ERR_IO, NULL, "cannot write JSON to standard output");
    json_decref(o);
    return rc;
}

/* Columns a terminal gives s: tokens like "Ġw", "▁Ki" or "’" take fewer than their bytes. */
static int display_width(const char *s) {
    int w = 0;
    utf8proc_int32_t c;
    for (utf8proc_ssize_t n; *s && (n = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c)) > 0;
         s += n)
        w += utf8proc_charwidth(c);
    return w;
}

static void print_table(mz_cli *cli, const mz_tokenizer *t, const mz_encoding *e, const char *text,
                        int offsets) {
    for (size_t i = 0; i < e->n; i++) {
        const char *tok = mz_tokenizer_token(t, e->ids[i]);
        int pad = 20 - display_width(tok);
        fprintf(cli->out, "%8d  %s%*s", e->ids[i], tok, pad > 0 ? pad : 0, "");
        if (offsets)
            fprintf(cli->out, "  [%u, %u)  \"%.*s\"", e->start[i], e->end[i],
                    (int)(e->end[i] - e->start[i]), text + e->start[i]);
        fputc('\n', cli->out);
    }
    fprintf(cli->out, "%zu tokens (%s)\n", e->n, mz_tokenizer_model_name(t));
}

static mz_status run_tokenize(mz_cli *cli, const mz_cli_args *args) {
    const char *path;
    mz_status rc = mz_cli_require(cli, args, "tokenize", "tokenizer", &path);
    mz_tokenizer *t = NULL;
    char *text = NULL;
    size_t len = 0;
    mz_encoding e = {0};
    if (!rc) rc = read_text(cli, args->positional[0], &text, &len);
    if (!rc) rc = mz_tokenizer_load(&t, path, cli->ctx);
    if (!rc) rc = mz_tokenizer_encode(&e, t, text, len, mz_cli_flag(args, "special"), cli->ctx);
    if (rc == MZ_ERR_INPUT && !mz_ctx_file(cli->ctx)[0])
        mz_ctx_set_file(cli->ctx, strcmp(args->positional[0], "-") ? "the text" : "<stdin>");
    if (!rc && mz_cli_flag(args, "json"))
        rc = print_json(cli, t, &e);
    else if (!rc)
        print_table(cli, t, &e, text, mz_cli_flag(args, "offsets"));
    mz_encoding_clear(&e);
    mz_tokenizer_free(t);
    mz_free(text);
    return rc;
}

const mz_cli_command mz_cmd_tokenize = {
    .name = "tokenize",
    .summary = "tokenize text exactly as a model's tokenizer does, with byte spans",
    .usage = "--tokenizer PATH [--special] [--offsets] [--json] TEXT|-",
    .description =
        "Prints the ids and tokens the model's own tokenizer gives the text (read from standard\n"
        "input for -), and with --offsets the byte span of the original text each token covers,\n"
        "even after normalisation (lowercasing, accent stripping, NFKC). Reads Hugging Face\n"
        "tokenizer.json files (WordPiece, BPE, byte-level BPE, Unigram, WordLevel) and the\n"
        "tokenizer inside GGUF files (BERT, GPT-2-style, Llama). Invalid UTF-8 is an error naming\n"
        "its byte offset: the audit never tokenizes a guess.",
    .examples =
        "  mizani tokenize --tokenizer ./xlm-roberta-base \"Ng'ombe wanakula nyasi.\" --offsets\n"
        "  echo 'Kila mtu ana haki ya kuishi.' | mizani tokenize --tokenizer bert.gguf --json -\n",
    .opts = tokenize_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_tokenize,
};
