/* `mizani`: finds the subcommand, runs it, and turns its status into one line on stderr
 * and an exit code (table in the README). */
#include "cli.h"

#include <string.h>

#define MZ_DEFAULT_SEED 20261126UL

static void print_top_help(FILE *out) {
    fprintf(out,
            "mizani %s - audit pre-trained language models for social bias, in Swahili and "
            "English\n\nUsage: mizani [global options] COMMAND [options] [arguments]\n\n"
            "Commands:\n",
            MZ_VERSION);
    for (int i = 0; mz_cli_commands[i]; i++) {
        const mz_cli_command *c = mz_cli_commands[i];
        fprintf(out, "  %-10s %s%s\n", c->name, c->summary, c->run ? "" : " (not built yet)");
    }
    fputs("\nGlobal options (before or after COMMAND): --threads N, --seed N, --quiet, --help,\n"
          "--version. 'mizani COMMAND --help' explains a command, with examples.\n\n"
          "Exit status: 0 ok, 1 a regression or threshold check failed, 2 usage error,\n"
          "3 bad input (malformed file, bad UTF-8, unsupported model), 4 I/O error,\n"
          "5 internal error (out of memory, numeric failure, bug).\n",
          out);
}

/* Index of the command name in argv, skipping global options placed before it. */
static int find_command(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] != '-') return i;
        if ((strcmp(argv[i], "--threads") == 0 || strcmp(argv[i], "--seed") == 0)) i++;
    }
    return -1;
}

static int asks_help(int argc, char **argv) {
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return 1;
    return 0;
}

/* The one line of an error: control characters in it (a pattern or a name from a file) are
 * escaped, so that the message stays one line whatever the input held. The output is flushed
 * first: with both streams on one pipe, the line would otherwise land inside a table. */
static void print_error(FILE *out, FILE *err, const char *cmd, const char *message) {
    fflush(out);
    fprintf(err, "mizani %s: error: ", cmd);
    for (const unsigned char *p = (const unsigned char *)message; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            fprintf(err, "\\x%02x", *p);
        else
            fputc(*p, err);
    fputc('\n', err);
}

int mz_cli_run(const mz_cli_command *cmd, int argc, char **argv, FILE *out, FILE *err) {
    mz_cli cli = {.out = out, .err = err, .seed = MZ_DEFAULT_SEED};
    cli.ctx = mz_ctx_new();
    if (!cli.ctx) {
        fputs("mizani: error: out of memory\n", err);
        return MZ_EXIT_INTERNAL;
    }
    mz_cli_args args = {0};
    mz_status rc = mz_init(cli.ctx);
    if (!rc && !cmd->run && !asks_help(argc, argv))
        rc = mz_fail(cli.ctx, MZ_ERR_USAGE, NULL,
                     "'mizani %s' is not built yet in Mizani %s; "
                     "see 'mizani --help' for the commands that are",
                     cmd->name, MZ_VERSION);
    if (!rc) rc = mz_cli_parse(&cli, cmd, argc, argv, &args);
    if (!rc && mz_cli_flag(&args, "help")) {
        mz_cli_print_help(out, cmd);
    } else if (!rc) {
        mz_set_threads(cli.threads);
        mz_progress_set_default_style(cli.quiet ? MZ_PROGRESS_QUIET : MZ_PROGRESS_AUTO);
        rc = cmd->run(&cli, &args);
    }
    if (rc) print_error(out, err, cmd->name, mz_ctx_message(cli.ctx));
    fflush(out);
    mz_free(args.positional);
    mz_ctx_free(cli.ctx);
    return mz_status_exit_code(rc);
}

int mz_cli_main(int argc, char **argv, FILE *out, FILE *err) {
    for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            fprintf(out, "mizani %s\n%s\n", MZ_VERSION, mz_build_info());
            return MZ_EXIT_OK;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_top_help(out);
            return MZ_EXIT_OK;
        }
    }
    int at = find_command(argc, argv);
    if (at < 0) {
        print_top_help(err);
        return MZ_EXIT_USAGE;
    }
    if (strcmp(argv[at], "help") == 0) {
        const mz_cli_command *c = at + 1 < argc ? mz_cli_find(argv[at + 1]) : NULL;
        if (c)
            mz_cli_print_help(out, c);
        else
            print_top_help(out);
        return MZ_EXIT_OK;
    }
    const mz_cli_command *cmd = mz_cli_find(argv[at]);
    if (!cmd) {
        fprintf(err, "mizani: error: unknown command '%s' (see 'mizani --help')\n", argv[at]);
        return MZ_EXIT_USAGE;
    }
    /* The command's own arguments, with any global options given before its name. */
    char **rest = mz_calloc((size_t)argc, sizeof *rest);
    if (!rest) {
        fputs("mizani: error: out of memory\n", err);
        return MZ_EXIT_INTERNAL;
    }
    int n = 0;
    for (int i = 1; i < argc; i++)
        if (i != at) rest[n++] = argv[i];
    int code = mz_cli_run(cmd, n, rest, out, err);
    mz_free(rest);
    return code;
}

#ifndef MZ_CLI_NO_MAIN
int main(int argc, char **argv) { return mz_cli_main(argc, argv, stdout, stderr); }
#endif
