/* The CLI's side of the results tree. */
#include "cli_results.h"

#include "mizani/report.h"

#include <string.h>

/* Whether option `name` of `command` takes a value (global options all do, but --quiet). */
static int takes_value(const char *command, const char *name) {
    const mz_cli_command *cmd = mz_cli_find(command);
    for (const mz_cli_opt *o = cmd ? cmd->opts : NULL; o && o->name; o++)
        if (!strcmp(o->name, name)) return o->arg != NULL;
    return strcmp(name, "quiet") && strcmp(name, "help");
}

static mz_status provenance(mz_results *r, mz_cli *cli, const char *command,
                            const mz_cli_args *args) {
    int n = 2 + 2 * args->n_values + args->n_positional;
    const char **argv = mz_calloc((size_t)n, sizeof *argv);
    char **flags = mz_calloc((size_t)args->n_values + 1, sizeof *flags);
    mz_status rc = argv && flags ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    int k = 0;
    if (!rc) {
        argv[k++] = "mizani";
        argv[k++] = command;
    }
    mz_rnode *config = mz_results_config(r);
    for (int i = 0; !rc && i < args->n_values; i++) {
        const char *name = args->names[i], *value = args->values[i];
        if (!(flags[i] = mz_malloc(strlen(name) + 3))) {
            rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            break;
        }
        strcpy(flags[i], "--");
        strcat(flags[i], name);
        argv[k++] = flags[i];
        if (takes_value(command, name)) {
            argv[k++] = value;
            mz_rn_path(r, config, name, value);
        } else
            mz_rn_bool(r, config, name, 1);
    }
    for (int i = 0; !rc && i < args->n_positional; i++)
        argv[k++] = args->positional[i];
    if (!rc) rc = mz_results_set_command(r, k, argv);
    if (!rc) rc = mz_results_set_seed(r, cli->seed, mz_threads());
    for (int i = 0; flags && i < args->n_values; i++)
        mz_free(flags[i]);
    mz_free(flags);
    mz_free(argv);
    return rc ? rc : mz_results_status(r);
}

mz_status mz_cli_results_new(mz_results **out, mz_cli *cli, const char *command,
                             const mz_cli_args *args) {
    mz_status rc = mz_results_new(out, command, cli->ctx);
    if (!rc) rc = provenance(*out, cli, command, args);
    if (rc) {
        mz_results_free(*out);
        *out = NULL;
    }
    return rc;
}

mz_status mz_cli_print_results(mz_cli *cli, mz_results *r) {
    mz_status rc = mz_results_finish(r);
    return rc ? rc : mz_results_print(r, cli->out, cli->ctx);
}

static mz_status write_dir(mz_cli *cli, mz_results *r, const char *dir, const char *html,
                           mz_report_renderer draw) {
    mz_status rc = mz_report_write_dir_as(r, dir, html, draw, cli->ctx);
    int n = (int)strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (!rc && !cli->quiet)
        fprintf(cli->err, "wrote %.*s/results.json and %.*s/%s\n", n, dir, n, dir, html);
    return rc;
}

mz_status mz_cli_write_report(mz_cli *cli, mz_results *r, const char *dir) {
    return write_dir(cli, r, dir, "report.html", mz_report_render);
}

mz_status mz_cli_write_audit(mz_cli *cli, mz_results *r, const char *dir, const char *figures) {
    mz_status rc = mz_report_write_audit(r, dir, figures, cli->ctx);
    int n = (int)strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (!rc && !cli->quiet)
        fprintf(cli->err, "wrote %.*s/results.json, %.*s/report.html and %.*s/report.md%s%s\n", n,
                dir, n, dir, n, dir, figures ? ", figures in " : "", figures ? figures : "");
    return rc;
}

mz_status mz_cli_write_explain(mz_cli *cli, mz_results *r, const char *dir) {
    return write_dir(cli, r, dir, "explain.html", mz_report_explain_page);
}

mz_status mz_cli_static_weat(mz_cli *cli, const mz_cli_args *args, const mz_static_weat *w,
                             const mz_word_list lists[MZ_N_ROLES], const mz_vectors *v,
                             const mz_static_options *opt) {
    mz_results *r;
    mz_status rc = mz_cli_results_new(&r, cli, "weat", args);
    if (!rc) rc = mz_report_static_weat(r, w, lists, mz_cli_get(args, "vectors"), opt, v);
    if (!rc) rc = mz_cli_print_results(cli, r);
    mz_results_free(r);
    return rc;
}

mz_status mz_cli_static_suite(mz_cli *cli, const mz_cli_args *args, const mz_static_suite *s,
                              const mz_vectors *v, const mz_static_options *opt, int json,
                              const char *dir) {
    mz_results *r;
    mz_status rc = mz_cli_results_new(&r, cli, "weat", args);
    if (!rc) rc = mz_report_static_suite(r, s, opt, v);
    if (!rc && json) rc = mz_cli_print_results(cli, r);
    if (!rc && dir) rc = mz_cli_write_report(cli, r, dir);
    mz_results_free(r);
    return rc;
}
