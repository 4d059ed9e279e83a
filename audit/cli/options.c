/* The option parser shared by every subcommand, and the --help layout it generates. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const mz_cli_opt global_opts[] = {
    {"threads", "N", "worker threads for the engine and statistics (default: all cores)"},
    {"seed", "N",
     "seed for every random draw (permutations, bootstrap); same seed, same numbers "
     "(default 20261126)"},
    {"quiet", NULL, "no progress output on stderr"},
    {"help", NULL, "show this help and exit"},
    {NULL, NULL, NULL},
};

static const mz_cli_opt *find_opt(const mz_cli_opt *opts, const char *name, size_t len) {
    for (const mz_cli_opt *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) return o;
    return NULL;
}

static mz_status add_value(mz_cli *cli, mz_cli_args *args, const char *name, const char *value) {
    for (int i = 0; i < args->n_values; i++)
        if (strcmp(args->names[i], name) == 0) {
            args->values[i] = value; /* the last occurrence wins, as in most tools */
            return MZ_OK;
        }
    if (args->n_values == MZ_CLI_MAX_VALUES)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "too many options");
    args->names[args->n_values] = name;
    args->values[args->n_values++] = value;
    return MZ_OK;
}

static mz_status parse_option(mz_cli *cli, const mz_cli_command *cmd, int argc, char **argv, int *i,
                              mz_cli_args *args) {
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const mz_cli_opt *o = find_opt(cmd->opts, arg, len);
    if (!o) o = find_opt(global_opts, arg, len);
    if (!o)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "unknown option '--%.*s' for 'mizani %s' "
                       "(see 'mizani %s --help')",
                       (int)len, arg, cmd->name, cmd->name);
    if (!o->arg) {
        if (eq)
            return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "option '--%s' takes no value", o->name);
        return add_value(cli, args, o->name, "");
    }
    if (eq) return add_value(cli, args, o->name, eq + 1);
    if (*i + 1 >= argc)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "option '--%s' needs a value %s", o->name,
                       o->arg);
    return add_value(cli, args, o->name, argv[++*i]);
}

static mz_status apply_globals(mz_cli *cli, const mz_cli_args *args) {
    long v;
    mz_status rc = MZ_OK;
    v = cli->threads;
    if ((rc = mz_cli_get_long(cli, args, "threads", 0, 4096, &v))) return rc;
    cli->threads = (int)v;
    if (mz_cli_get(args, "seed")) {
        if ((rc = mz_cli_get_long(cli, args, "seed", 0, 2147483647L, &v))) return rc;
        cli->seed = (unsigned long)v;
    }
    if (mz_cli_flag(args, "quiet")) cli->quiet = 1;
    return MZ_OK;
}

mz_status mz_cli_parse(mz_cli *cli, const mz_cli_command *cmd, int argc, char **argv,
                       mz_cli_args *args) {
    memset(args, 0, sizeof *args);
    args->positional = mz_calloc((size_t)argc + 1, sizeof *args->positional);
    if (!args->positional) return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    int only_positional = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        mz_status rc = MZ_OK;
        if (!only_positional && strcmp(a, "--") == 0)
            only_positional = 1;
        else if (!only_positional && strcmp(a, "-h") == 0)
            rc = add_value(cli, args, "help", "");
        else if (!only_positional && strncmp(a, "--", 2) == 0)
            rc = parse_option(cli, cmd, argc, argv, &i, args);
        else if (!only_positional && a[0] == '-' && a[1] != '\0')
            rc = mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                         "unknown option '%s' for 'mizani %s' "
                         "(options are spelled --name)",
                         a, cmd->name);
        else
            args->positional[args->n_positional++] = argv[i];
        if (rc) return rc;
    }
    if (mz_cli_flag(args, "help")) return MZ_OK;
    if (args->n_positional < cmd->min_args ||
        (cmd->max_args >= 0 && args->n_positional > cmd->max_args))
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "'mizani %s' takes %s; usage: mizani %s %s",
                       cmd->name, cmd->max_args == 0 ? "no arguments" : "other arguments",
                       cmd->name, cmd->usage);
    return apply_globals(cli, args);
}

const char *mz_cli_get(const mz_cli_args *args, const char *name) {
    for (int i = 0; i < args->n_values; i++)
        if (strcmp(args->names[i], name) == 0) return args->values[i];
    return NULL;
}

int mz_cli_flag(const mz_cli_args *args, const char *name) {
    return mz_cli_get(args, name) != NULL;
}

mz_status mz_cli_get_long(mz_cli *cli, const mz_cli_args *args, const char *name, long min,
                          long max, long *value) {
    const char *s = mz_cli_get(args, name);
    if (!s) return MZ_OK;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "--%s must be a whole number from %ld to "
                       "%ld, not '%s'",
                       name, min, max, s);
    *value = v;
    return MZ_OK;
}

mz_status mz_cli_get_double(mz_cli *cli, const mz_cli_args *args, const char *name, double min,
                            double max, double *value) {
    const char *s = mz_cli_get(args, name);
    if (!s) return MZ_OK;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= min && v <= max))
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "--%s must be a number from %g to %g, "
                       "not '%s'",
                       name, min, max, s);
    *value = v;
    return MZ_OK;
}

mz_status mz_cli_require(mz_cli *cli, const mz_cli_args *args, const char *cmd_name,
                         const char *name, const char **value) {
    *value = mz_cli_get(args, name);
    if (*value && **value) return MZ_OK;
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "'mizani %s' needs --%s (see 'mizani %s --help')",
                   cmd_name, name, cmd_name);
}

#define HELP_INDENT 27 /* "  --option ARG" in 24 columns, a space, then the help */
#define HELP_WIDTH  100

/* Help text from column HELP_INDENT (the cursor is there), wrapped at spaces to HELP_WIDTH
 * columns, every line starting at the indent. A newline in the text is a space: the sources
 * break their strings where an editor wraps them, and kept as breaks they left short lines. */
static void print_wrapped(FILE *out, const char *text) {
    int col = HELP_INDENT;
    for (const char *p = text; *p;) {
        size_t word = strcspn(p, " \n");
        if (col > HELP_INDENT && col + 1 + (int)word > HELP_WIDTH)
            fprintf(out, "\n%*s", HELP_INDENT, ""), col = HELP_INDENT;
        else if (col > HELP_INDENT)
            fputc(' ', out), col++;
        fwrite(p, 1, word, out), col += (int)word;
        p += word;
        if (*p) p++;
    }
    fputc('\n', out);
}

static void print_opts(FILE *out, const mz_cli_opt *opts) {
    for (const mz_cli_opt *o = opts; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        if (strlen(left) > HELP_INDENT - 3) /* a long option gets its help on the next line */
            fprintf(out, "  %s\n%*s", left, HELP_INDENT, "");
        else
            fprintf(out, "  %-24s ", left);
        print_wrapped(out, o->help);
    }
}

void mz_cli_print_help(FILE *out, const mz_cli_command *cmd) {
    fprintf(out, "mizani %s - %s\n\nUsage: mizani %s %s\n", cmd->name, cmd->summary, cmd->name,
            cmd->usage);
    if (!cmd->run)
        fprintf(out, "\nNot built yet in Mizani %s: this command exits with status 2.\n",
                MZ_VERSION);
    fprintf(out, "\n%s\n", cmd->description);
    if (cmd->opts && cmd->opts->name) {
        fputs("\nOptions:\n", out);
        print_opts(out, cmd->opts);
    }
    fputs("\nGlobal options:\n", out);
    print_opts(out, global_opts);
    if (cmd->examples && *cmd->examples) fprintf(out, "\nExamples:\n%s\n", cmd->examples);
}
