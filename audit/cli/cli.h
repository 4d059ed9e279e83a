/* The `mizani` command: a table of subcommands sharing one option parser, so every
 * command gets the same --help layout, global flags and usage errors. Only this folder
 * prints errors and chooses exit codes. */
#ifndef MZ_CLI_H
#define MZ_CLI_H

#include "mizani/mizani.h"
#include "mizani/probes.h"
#include "mizani/runner.h"
#include "mizani/stats.h"
#include "mizani/vectors.h"

#include <jansson.h>
#include <stdio.h>

/* One option a command accepts. `arg` names its value ("PATH"); NULL makes it a flag. */
typedef struct mz_cli_opt {
    const char *name; /* without the leading "--" */
    const char *arg;
    const char *help;
} mz_cli_opt;

#define MZ_CLI_MAX_VALUES 64

/* What the parser found: option values by name, and positional arguments. */
typedef struct mz_cli_args {
    const char *names[MZ_CLI_MAX_VALUES];
    const char *values[MZ_CLI_MAX_VALUES]; /* "" for a flag that is present */
    int n_values;
    char **positional;
    int n_positional;
} mz_cli_args;

/* Settings every command sees, filled from the global flags. */
typedef struct mz_cli {
    mz_ctx *ctx;
    FILE *out; /* results */
    FILE *err; /* errors, progress */
    unsigned long seed;
    int threads; /* 0: all cores */
    int quiet;
} mz_cli;

typedef struct mz_cli_command {
    const char *name;
    const char *summary;     /* one line for `mizani --help` */
    const char *usage;       /* after "mizani NAME " */
    const char *description; /* what it does and what it writes, for --help */
    const char *examples;    /* complete command lines, one per line */
    const mz_cli_opt *opts;  /* terminated by a {NULL} entry; may be NULL */
    /* Positional arguments allowed: [min_args, max_args]; max_args < 0 means no limit. */
    int min_args, max_args;
    /* NULL: not built yet in this version; the command says so and exits 2. */
    mz_status (*run)(mz_cli *cli, const mz_cli_args *args);
} mz_cli_command;

/* The table, NULL-terminated, in the order `mizani --help` lists it. */
extern const mz_cli_command *const mz_cli_commands[];
const mz_cli_command *mz_cli_find(const char *name);

/* Entry point behind main(): returns the process exit code. */
int mz_cli_main(int argc, char **argv, FILE *out, FILE *err);

/* Runs one command on its arguments (those after its name): parse, --help, run, and the
 * one-line error on `err`. Returns the exit code. */
int mz_cli_run(const mz_cli_command *cmd, int argc, char **argv, FILE *out, FILE *err);

/* Parses argv[0..argc) for `cmd` (command options plus the global ones) into `args` and
 * the global settings into `cli`. MZ_ERR_USAGE with a message on the context on error. */
mz_status mz_cli_parse(mz_cli *cli, const mz_cli_command *cmd, int argc, char **argv,
                       mz_cli_args *args);
void mz_cli_print_help(FILE *out, const mz_cli_command *cmd);

/* The folder of the shipped probe sets ($MIZANI_CORPORA overrides the built-in path). */
const char *mz_cli_corpora_dir(void);

/* Inputs several commands share (cli_inputs.c). */
/* A progress reporter on stderr that --quiet silences (label: what is counted). */
mz_progress *mz_cli_progress(mz_cli *cli, const char *label, uint64_t total);
/* A model and its tokenizer (`tokenizer` NULL: the one in the model's folder or GGUF file),
 * checked to belong together (mz_model_tokenizer_check): bad input naming both files when they
 * do not. With t NULL the tokenizer is only checked against the model, then freed. */
mz_status mz_cli_open_model(mz_cli *cli, const char *model, const char *tokenizer, mz_model **m,
                            mz_tokenizer **t);
/* The vector file named by option `flag` (with --format), keeping only `keep`; progress on
 * stderr. */
mz_status mz_cli_load_vectors(mz_cli *cli, const mz_cli_args *args, const char *cmd,
                              const char *flag, const char **keep, size_t n_keep, int fold_case,
                              mz_vectors **v);
/* Every probe set of `kind` (MZ_CLI_ANY_KIND: all of them) under comma-separated paths
 * ("default": the shipped corpora). */
#define MZ_CLI_ANY_KIND ((mz_probe_kind)-1)
mz_status mz_cli_load_probe_sets(mz_cli *cli, const char *spec, mz_probe_kind kind,
                                 mz_probe_set ***sets, size_t *n);
void mz_cli_free_sets(mz_probe_set **sets, size_t n);

/* Inference figures shared by the tests' text output (cli_inference.c): p as text, or "too
 * few" when the design cannot reach significance; the legend under a table. */
const char *mz_cli_p_text(char *buf, size_t n, double p, const mz_inference *inf);
void mz_cli_inference_note(FILE *o);

/* The options of `cmd` from a JSON configuration file (--config, cli_config.c): every member an
 * option of the command or a global one (threads, seed, quiet), its value a string, number,
 * boolean (flags) or list of strings (joined by commas); those not on the command line are
 * added to `args` (the command line wins). Strings the args now point to are in *owned (free
 * each and the array). Errors name the file and the member (exit 3). */
mz_status mz_cli_merge_config(mz_cli *cli, const mz_cli_command *cmd, const char *path,
                              mz_cli_args *args, char ***owned, size_t *n_owned);

/* Typed access to parsed values; missing options leave *value as it was. */
const char *mz_cli_get(const mz_cli_args *args, const char *name);
int mz_cli_flag(const mz_cli_args *args, const char *name);
mz_status mz_cli_get_long(mz_cli *cli, const mz_cli_args *args, const char *name, long min,
                          long max, long *value);
mz_status mz_cli_get_double(mz_cli *cli, const mz_cli_args *args, const char *name, double min,
                            double max, double *value);
/* An option the command cannot run without. */
mz_status mz_cli_require(mz_cli *cli, const mz_cli_args *args, const char *cmd_name,
                         const char *name, const char **value);

#endif
