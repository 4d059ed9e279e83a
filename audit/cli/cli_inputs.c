/* Inputs that several commands read the same way: vector files and probe sets of one kind. */
#include "cli.h"
#include "mizani/probes.h"
#include "mizani/runner.h"
#include "mizani/vectors.h"

#include <string.h>
#include <sys/stat.h>

static mz_status read_format(mz_cli *cli, const mz_cli_args *args, mz_vectors_format *fmt) {
    const char *f = mz_cli_get(args, "format");
    *fmt = MZ_VECTORS_AUTO;
    if (!f) return MZ_OK;
    if (strcmp(f, "text") == 0)
        *fmt = MZ_VECTORS_TEXT;
    else if (strcmp(f, "bin") == 0)
        *fmt = MZ_VECTORS_WORD2VEC_BINARY;
    else
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--format must be text or bin, not '%s'", f);
    return MZ_OK;
}

mz_progress *mz_cli_progress(mz_cli *cli, const char *label, uint64_t total) {
    return mz_progress_new(cli->err, cli->quiet ? MZ_PROGRESS_QUIET : MZ_PROGRESS_AUTO, label,
                           total);
}

/* A model folder or GGUF file given where vectors are expected: its input embeddings. */
static int is_model(const char *path) {
    struct stat st;
    size_t n = strlen(path);
    return (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) ||
           (n > 5 && !strcmp(path + n - 5, ".gguf"));
}

mz_status mz_cli_open_model(mz_cli *cli, const char *model, const char *tokenizer, mz_model **m,
                            mz_tokenizer **t) {
    mz_tokenizer *own = NULL;
    *m = NULL;
    if (t) *t = NULL;
    mz_status rc = mz_model_open(m, model, cli->ctx);
    if (!rc) rc = mz_tokenizer_load(&own, tokenizer ? tokenizer : model, cli->ctx);
    if (!rc) rc = mz_model_tokenizer_check(*m, model, own, cli->ctx);
    if (rc) {
        mz_model_free(*m);
        *m = NULL;
    }
    if (rc || !t)
        mz_tokenizer_free(own);
    else
        *t = own;
    return rc;
}

static mz_status model_vectors(mz_cli *cli, const char *path, const mz_vectors_options *vo,
                               mz_vectors **v) {
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_status rc = mz_cli_open_model(cli, path, NULL, &m, &t);
    if (!rc) rc = mz_input_embedding_vectors(v, m, t, vo, cli->ctx);
    mz_tokenizer_free(t);
    mz_model_free(m);
    return rc;
}

mz_status mz_cli_load_vectors(mz_cli *cli, const mz_cli_args *args, const char *cmd,
                              const char *flag, const char **keep, size_t n_keep, int fold_case,
                              mz_vectors **v) {
    const char *path;
    mz_vectors_options vo = {.keep = keep, .n_keep = n_keep, .fold_case = fold_case};
    mz_status rc = mz_cli_require(cli, args, cmd, flag, &path);
    if (!rc) rc = read_format(cli, args, &vo.format);
    if (rc) return rc;
    if (is_model(path)) return model_vectors(cli, path, &vo, v);
    vo.progress = mz_cli_progress(cli, "reading vectors (bytes)", 0);
    rc = mz_vectors_load(v, path, &vo, cli->ctx);
    mz_progress_free(vo.progress);
    return rc;
}

mz_status mz_cli_load_probe_sets(mz_cli *cli, const char *spec, mz_probe_kind kind,
                                 mz_probe_set ***sets, size_t *n) {
    char *copy = mz_strdup(spec), **paths = NULL;
    const char *roots[64];
    size_t n_roots = 0, n_paths = 0;
    if (!copy) return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (char *tok = strtok(copy, ","); tok && n_roots < 64; tok = strtok(NULL, ","))
        roots[n_roots++] = strcmp(tok, "default") ? tok : mz_cli_corpora_dir();
    mz_status rc = mz_probes_find(&paths, &n_paths, roots, n_roots, cli->ctx);
    *n = 0;
    *sets = mz_calloc(n_paths ? n_paths : 1, sizeof **sets);
    if (!rc && !*sets) rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n_paths; i++) {
        mz_probe_set *s;
        if ((rc = mz_probes_load(&s, paths[i], cli->ctx))) break;
        if (kind == MZ_CLI_ANY_KIND || s->kind == kind)
            (*sets)[(*n)++] = s;
        else
            mz_probes_free(s);
    }
    if (!rc && *n == 0)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, spec, "no %s probe sets among the files",
                     kind == MZ_CLI_ANY_KIND ? "readable" : mz_probe_kind_names[kind]);
    mz_probes_paths_free(paths, n_paths);
    mz_free(copy);
    return rc;
}

void mz_cli_free_sets(mz_probe_set **sets, size_t n) {
    for (size_t i = 0; i < n; i++)
        mz_probes_free(sets[i]);
    mz_free(sets);
}
