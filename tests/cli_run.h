/* `mizani ARGS` run in-process for the tests that drive the command line as a user does. */
#ifndef MZ_TESTS_CLI_RUN_H
#define MZ_TESTS_CLI_RUN_H

#include "check.h"
#include "cli.h"

/* Runs argv[0..argc-1]: the exit status; standard output into *out and standard error into *err
 * when asked (free them). Without err, a failure's message (exit > 1) is printed. */
static inline int mz_test_cli_n(char **out, char **err, int argc, const char **argv) {
    FILE *o = tmpfile(), *e = tmpfile();
    int code = mz_cli_main(argc, (char **)argv, o, e);
    char *text = slurp(e);
    if (code > 1 && !err) fprintf(stderr, "mizani: exit %d: %s", code, text ? text : "");
    if (err)
        *err = text;
    else
        free(text);
    if (out) *out = slurp(o);
    fclose(o);
    fclose(e);
    return code;
}

/* The same for a NULL-terminated argv. */
static inline int mz_test_cli(char **out, char **err, const char **argv) {
    int argc = 0;
    while (argv[argc])
        argc++;
    return mz_test_cli_n(out, err, argc, argv);
}

#endif
