/* `mizani run` (one forward pass, named intermediates written out) and `mizani verify` (the
 * same pass compared with arrays from another framework). */
#include "cli.h"
#include "mizani/model.h"
#include "mizani/npy.h"
#include "mizani/tokenizer.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NAMES 256

/* One batch row of ids with its mask, owned. */
typedef struct run_input {
    int32_t *ids, *mask, *types;
    mz_model_batch batch;
} run_input;

static void input_free(run_input *in) { mz_free(in->ids), mz_free(in->mask), mz_free(in->types); }

static mz_status alloc_input(mz_cli *cli, run_input *in, int B, int T) {
    size_t n = (size_t)B * (size_t)T;
    in->ids = mz_calloc(n, 4), in->mask = mz_calloc(n, 4), in->types = mz_calloc(n, 4);
    in->batch =
        (mz_model_batch){.B = B, .T = T, .ids = in->ids, .mask = in->mask, .type_ids = in->types};
    return in->ids && in->mask && in->types
               ? MZ_OK
               : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

/* --ids 101,2023,102 */
static mz_status ids_from_list(mz_cli *cli, run_input *in, const char *list) {
    int n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    mz_status rc = alloc_input(cli, in, 1, n);
    const char *p = list;
    for (int i = 0; !rc && i < n; i++) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || (*end && *end != ',') || v < 0 || v > INT32_MAX)
            return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                           "--ids must be comma-separated token ids, not '%s'", list);
        in->ids[i] = (int32_t)v, in->mask[i] = 1;
        p = *end ? end + 1 : end;
    }
    return rc;
}

/* --text: tokenized with its special tokens. */
static mz_status ids_from_text(mz_cli *cli, run_input *in, const mz_tokenizer *t,
                               const char *text) {
    mz_encoding e = {0};
    mz_status rc = mz_tokenizer_encode(&e, t, text, strlen(text), 1, cli->ctx);
    if (rc == MZ_ERR_INPUT) mz_ctx_set_file(cli->ctx, "--text");
    if (!rc && !e.n) rc = mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--text gives no tokens");
    if (!rc) rc = alloc_input(cli, in, 1, (int)e.n);
    for (size_t i = 0; !rc && i < e.n; i++)
        in->ids[i] = e.ids[i], in->mask[i] = 1;
    mz_encoding_clear(&e);
    return rc;
}

/* Splits "a,b,c" in place into names. */
static int split_names(char *list, const char **names) {
    int n = 0;
    for (char *tok = strtok(list, ","); tok && n < MAX_NAMES; tok = strtok(NULL, ","))
        names[n++] = tok;
    return n;
}

static mz_status write_npy_outputs(mz_cli *cli, const mz_activations *a, const run_input *in,
                                   const char *dir) {
    char path[4096];
    int shape[4] = {in->batch.B, in->batch.T}, nd;
    mz_status rc = MZ_OK;
    float *ids = mz_malloc((size_t)in->batch.B * in->batch.T * sizeof *ids);
    if (!ids) return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int i = 0; i < in->batch.B * in->batch.T; i++)
        ids[i] = (float)in->ids[i];
    snprintf(path, sizeof path, "%s/input_ids.npy", dir);
    rc = mz_npy_write(path, ids, shape, 2, cli->ctx);
    mz_free(ids);
    for (size_t i = 0; !rc && i < mz_activations_count(a); i++) {
        const char *name = mz_activations_name(a, i);
        const float *data = mz_activations_get(a, name, shape, &nd);
        snprintf(path, sizeof path, "%s/%s.npy", dir, name);
        rc = mz_npy_write(path, data, shape, nd, cli->ctx);
    }
    return rc;
}

static json_t *tensor_json(const float *data, const int *shape, int nd) {
    json_t *dims = json_array(), *vals = json_array();
    size_t n = 1;
    for (int d = 0; d < nd; d++)
        json_array_append_new(dims, json_integer(shape[d])), n *= (size_t)shape[d];
    /* JSON has no NaN or infinity: such a value is null, so the data keep their shape */
    for (size_t i = 0; i < n; i++)
        json_array_append_new(vals, isfinite(data[i]) ? json_real(data[i]) : json_null());
    if (json_array_size(vals) != n || json_array_size(dims) != (size_t)nd) { /* no memory */
        json_decref(dims), json_decref(vals);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "shape", dims, "data", vals);
}

static mz_status write_json_outputs(mz_cli *cli, const mz_activations *a, const run_input *in) {
    json_t *root = json_object(), *ids = json_array();
    int ok = ids != NULL;
    for (int i = 0; ok && i < in->batch.T; i++)
        ok = json_array_append_new(ids, json_integer(in->ids[i])) == 0;
    ok = json_object_set_new(root, "input_ids", ids) == 0 && ok; /* takes ids in any case */
    for (size_t i = 0; ok && i < mz_activations_count(a); i++) {
        int shape[4], nd;
        const char *name = mz_activations_name(a, i);
        const float *data = mz_activations_get(a, name, shape, &nd);
        ok = json_object_set_new(root, name, tensor_json(data, shape, nd)) == 0;
    }
    mz_status rc = MZ_OK;
    if (!ok)
        rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory writing JSON");
    else if (json_dumpf(root, cli->out, JSON_COMPACT) || fputc('\n', cli->out) == EOF)
        rc = mz_fail(cli->ctx, MZ_ERR_IO, NULL, "cannot write JSON to standard output");
    json_decref(root);
    return rc;
}

static mz_status run_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *dir, *text = mz_cli_get(args, "text"), *list = mz_cli_get(args, "ids"),
                     *fmt = mz_cli_get(args, "format"), *out = mz_cli_get(args, "out");
    mz_status rc = mz_cli_require(cli, args, "run", "model", &dir);
    if (rc) return rc;
    if (!text == !list)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "run: give one of --text or --ids");
    if (!fmt) fmt = out ? "npy" : "json";
    if (strcmp(fmt, "npy") && strcmp(fmt, "json"))
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--format must be json or npy, not '%s'", fmt);
    if (!strcmp(fmt, "npy") && !out)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--format npy needs --out DIR");
    mz_model *m = NULL;
    run_input in = {0};
    mz_activations *a = NULL;
    char *dump = mz_strdup(mz_cli_get(args, "dump") ? mz_cli_get(args, "dump") : "hidden.*");
    const char *names[MAX_NAMES];
    int n = dump ? split_names(dump, names) : 0;
    mz_tokenizer *t = NULL;
    rc = text ? mz_cli_open_model(cli, dir, mz_cli_get(args, "tokenizer"), &m, &t)
              : mz_model_open(&m, dir, cli->ctx);
    if (!rc) rc = text ? ids_from_text(cli, &in, t, text) : ids_from_list(cli, &in, list);
    if (!rc) rc = mz_model_run(&a, m, &in.batch, names, n, cli->ctx);
    if (!rc && out && mkdir(out, 0777) && errno != EEXIST)
        rc = mz_fail_errno(cli->ctx, out, "cannot create the folder");
    if (!rc)
        rc = !strcmp(fmt, "npy") ? write_npy_outputs(cli, a, &in, out)
                                 : write_json_outputs(cli, a, &in);
    if (!rc && out && !cli->quiet)
        fprintf(cli->err, "run: wrote %zu arrays and input_ids.npy to %s\n",
                mz_activations_count(a), out);
    mz_activations_free(a);
    input_free(&in);
    mz_tokenizer_free(t);
    mz_model_free(m);
    mz_free(dump);
    return rc;
}

static const mz_cli_opt run_opts[] = {
    {"model", "DIR|FILE.gguf",
     "a Hugging Face model folder (config.json, model.safetensors) or a GGUF file"},
    {"text", "TEXT", "text to run, tokenized by the model's own tokenizer with special tokens"},
    {"tokenizer", "PATH", "with --text: its tokenizer, when not in the model folder"},
    {"ids", "N,N,...", "token ids to run instead of --text"},
    {"dump", "NAMES",
     "intermediates to write, comma-separated (default hidden.*): hidden.L,\n"
     "layer.L.attn.probs, layer.L.attn.values, layer.L.attn.out, layer.L.ffn.out,\n"
     "logits, pooled.cls, pooled.mean, pooled.pooler; L may be *"},
    {"format", "json|npy", "npy: one NAME.npy per array in --out; json: one object on stdout"},
    {"out", "DIR", "folder for the .npy files (created if missing)"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_run = {
    .name = "run",
    .summary = "one forward pass; write hidden states, attentions, logits by name",
    .usage = "--model DIR|FILE.gguf (--text TEXT [--tokenizer PATH] | --ids N,N..) [--dump NAMES] "
             "[--format json|npy] [--out DIR]",
    .description =
        "Runs the model once and writes the intermediates you name, so you can check Mizani\n"
        "against your own framework (np.load each NAME.npy; input_ids.npy holds the ids used).\n"
        "Hidden states follow Hugging Face's output_hidden_states: hidden.0 is the embedding\n"
        "output, hidden.L the output of layer L (for GPT-2 the last one after the final norm).",
    .examples =
        "  mizani run --model ./bert-tiny --text \"Mwalimu yuko darasani.\" --dump hidden.*,logits --out dump\n"
        "  mizani run --model ./gpt2 --ids 464,3290 --dump layer.0.attn.probs\n",
    .opts = run_opts,
    .max_args = 0,
    .run = run_cmd,
};

/* --- verify ------------------------------------------------------------------------------ */

/* Whether element i of array `name` lies on real tokens: frameworks leave arbitrary values at
 * padded positions, Mizani zeros, so those do not count. */
static int counts(const float *mask, const char *name, const int *shape, size_t i) {
    if (!mask || !strncmp(name, "pooled.", 7)) return 1; /* [B,C]: already over real tokens */
    size_t T = (size_t)shape[2], X = (size_t)shape[3];
    if (strstr(name, "attn.probs")) /* [B,H,T,T]: query and key */
        return mask[i / (shape[1] * T * T) * T + i / T % T] != 0 &&
               mask[i / (shape[1] * T * T) * T + i % T] != 0;
    if (strstr(name, "attn.values")) /* [B,H,T,d] */
        return mask[i / (shape[1] * T * X) * T + i / X % T] != 0;
    return mask[i / (size_t)shape[2]] != 0; /* [B,T,X]: row b*T+t */
}

typedef struct verdict {
    double max_abs, nmse;
} verdict;

static verdict compare(const float *got, const mz_npy *ref, const float *mask, const char *name,
                       const int *shape) {
    double se = 0, ss = 0, mx = 0;
    for (size_t i = 0; i < ref->n; i++) {
        if (!counts(mask, name, shape, i)) continue;
        double d = fabs((double)got[i] - ref->data[i]);
        if (d > mx || d != d) mx = d;
        se += d * d, ss += (double)ref->data[i] * ref->data[i];
    }
    return (verdict){mx, ss > 0 ? se / ss : se};
}

static mz_status read_reference_inputs(mz_cli *cli, const char *ref, run_input *in, mz_npy *mask) {
    char path[4096];
    mz_npy ids = {0}, types = {0};
    snprintf(path, sizeof path, "%s/input_ids.npy", ref);
    mz_status rc = mz_npy_read(&ids, path, cli->ctx);
    if (!rc && (ids.n_dims < 1 || ids.n_dims > 2 || !ids.n))
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, path, "must have shape [T] or [B,T]");
    if (!rc) /* the shape is read only once it is known to be [T] or [B,T] */
        rc = alloc_input(cli, in, ids.n_dims == 2 ? (int)ids.shape[0] : 1,
                         (int)ids.shape[ids.n_dims - 1]);
    snprintf(path, sizeof path, "%s/attention_mask.npy", ref);
    if (!rc && access(path, F_OK) == 0 && !(rc = mz_npy_read(mask, path, cli->ctx)) &&
        mask->n != ids.n)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, path, "shape differs from input_ids.npy");
    snprintf(path, sizeof path, "%s/token_type_ids.npy", ref);
    if (!rc && access(path, F_OK) == 0 && !(rc = mz_npy_read(&types, path, cli->ctx)) &&
        types.n != ids.n)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, path, "shape differs from input_ids.npy");
    for (size_t i = 0; !rc && i < ids.n; i++) {
        in->ids[i] = (int32_t)ids.data[i];
        in->mask[i] = mask->data ? mask->data[i] != 0 : 1;
        in->types[i] = types.data ? (int32_t)types.data[i] : 0;
    }
    mz_npy_free(&ids);
    mz_npy_free(&types);
    return rc;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The reference's NAME.npy files that name intermediates (inputs excluded). */
static mz_status reference_names(mz_cli *cli, const char *ref, char **names, int *n) {
    DIR *d = opendir(ref);
    struct dirent *e;
    *n = 0;
    if (!d) return mz_fail_errno(cli->ctx, ref, "cannot open the reference folder");
    while ((e = readdir(d)) && *n < MAX_NAMES) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".npy") || !strncmp(e->d_name, "input_ids", 9) ||
            !strncmp(e->d_name, "attention_mask", 14) || !strncmp(e->d_name, "token_type_ids", 14))
            continue;
        if (!(names[*n] = mz_strndup(e->d_name, len - 4))) break;
        (*n)++;
    }
    closedir(d);
    qsort(names, (size_t)*n, sizeof *names,
          by_name); /* a stable table, whatever the folder order */
    return *n ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_INPUT, ref, "holds no NAME.npy arrays to compare");
}

static mz_status check_one(mz_cli *cli, const mz_activations *a, const char *ref, const char *name,
                           const mz_npy *mask, double tol, int *failed) {
    char path[4096];
    int shape[4], nd;
    mz_npy r = {0};
    snprintf(path, sizeof path, "%s/%s.npy", ref, name);
    const float *got = mz_activations_get(a, name, shape, &nd);
    mz_status rc = mz_npy_read(&r, path, cli->ctx);
    int same = !rc && got && r.n_dims == nd;
    for (int d = 0; same && d < nd; d++)
        same = r.shape[d] == shape[d];
    if (!rc && !same)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, path, "shape differs from Mizani's %s", name);
    if (!rc) {
        verdict v = compare(got, &r, mask->data, name, shape);
        int bad = !(v.max_abs <= tol);
        *failed += bad;
        fprintf(cli->out, "%-24s max-abs %.3e  nMSE %.3e  %s\n", name, v.max_abs, v.nmse,
                bad ? "FAIL" : "ok");
    }
    mz_npy_free(&r);
    return rc;
}

static mz_status verify_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *dir, *ref;
    double tol = 1e-4;
    mz_status rc = mz_cli_require(cli, args, "verify", "model", &dir);
    if (!rc) rc = mz_cli_require(cli, args, "verify", "reference", &ref);
    if (!rc) rc = mz_cli_get_double(cli, args, "tolerance", 0, 1e9, &tol);
    if (rc) return rc;
    char *names[MAX_NAMES];
    int n = 0, failed = 0;
    mz_model *m = NULL;
    run_input in = {0};
    mz_npy mask = {0};
    mz_activations *a = NULL;
    rc = reference_names(cli, ref, names, &n);
    if (!rc) rc = mz_model_open(&m, dir, cli->ctx);
    if (!rc) rc = read_reference_inputs(cli, ref, &in, &mask);
    if (!rc) rc = mz_model_run(&a, m, &in.batch, (const char *const *)names, n, cli->ctx);
    for (int i = 0; !rc && i < n; i++)
        rc = check_one(cli, a, ref, names[i], &mask, tol, &failed);
    if (!rc && failed)
        rc = mz_fail(cli->ctx, MZ_ERR_THRESHOLD, NULL, "%d of %d arrays differ by more than %g",
                     failed, n, tol);
    for (int i = 0; i < n; i++)
        mz_free(names[i]);
    mz_activations_free(a);
    mz_npy_free(&mask);
    input_free(&in);
    mz_model_free(m);
    return rc;
}

static const mz_cli_opt verify_opts[] = {
    {"model", "DIR", "the model folder"},
    {"reference", "DIR",
     "input_ids.npy (and optionally attention_mask.npy, token_type_ids.npy)\n"
     "plus NAME.npy for each intermediate to compare (names as in mizani run)"},
    {"tolerance", "X", "largest allowed absolute difference (default 1e-4)"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_verify = {
    .name = "verify",
    .summary = "compare the engine with reference arrays from another framework",
    .usage = "--model DIR --reference DIR [--tolerance X]",
    .description =
        "Runs the model on the reference folder's input_ids.npy and compares every NAME.npy\n"
        "there with Mizani's intermediate of that name, over the positions the attention mask\n"
        "keeps. Prints max-abs error and normalised MSE per array; exits 1 when any array\n"
        "differs by more than the tolerance.",
    .examples =
        "  mizani verify --model ./xlm-roberta-base --reference ./torch-dump --tolerance 1e-4\n",
    .opts = verify_opts,
    .max_args = 0,
    .run = verify_cmd,
};
