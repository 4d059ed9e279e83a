/* The table of `mizani` subcommands. To add one: write cmd_NAME.c defining a
 * `const mz_cli_command mz_cmd_NAME`, declare it here and list it in mz_cli_commands. */
#include "cli.h"

#include <string.h>

extern const mz_cli_command mz_cmd_weat, mz_cmd_probes, mz_cmd_tokenize, mz_cmd_fairness,
    mz_cmd_compare, mz_cmd_inspect, mz_cmd_run, mz_cmd_verify, mz_cmd_pairs, mz_cmd_seat,
    mz_cmd_ceat, mz_cmd_masked, mz_cmd_report, mz_cmd_explain, mz_cmd_audit;

const mz_cli_command *const mz_cli_commands[] = {
    &mz_cmd_audit,    &mz_cmd_explain,  &mz_cmd_compare, &mz_cmd_weat,
    &mz_cmd_fairness, &mz_cmd_pairs,    &mz_cmd_seat,    &mz_cmd_ceat,
    &mz_cmd_masked,   &mz_cmd_tokenize, &mz_cmd_inspect, &mz_cmd_run,
    &mz_cmd_verify,   &mz_cmd_probes,   &mz_cmd_report,  NULL,
};

const mz_cli_command *mz_cli_find(const char *name) {
    for (int i = 0; mz_cli_commands[i]; i++)
        if (strcmp(mz_cli_commands[i]->name, name) == 0) return mz_cli_commands[i];
    return NULL;
}
