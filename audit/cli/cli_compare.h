/* The CLI's side of a comparison, shared by `compare` and `pairs --before`: the table on the
 * terminal (or the tree as JSON), compare.html and compare.json, the JUnit file, and the exit
 * status of the gate. */
#ifndef MZ_CLI_COMPARE_H
#define MZ_CLI_COMPARE_H

#include "cli.h"
#include "mizani/compare.h"

/* Reports `c` as `command` ran it: with --json the tree on standard output, otherwise a table;
 * --out DIR writes DIR/compare.json and DIR/compare.html, --junit FILE the JUnit XML, each
 * atomically (options the command does not have are simply absent). sets: probe sets to record
 * for checkpoints made in memory (may be NULL). Then MZ_ERR_THRESHOLD when a finding regressed,
 * MZ_ERR_INPUT when none could be compared, MZ_OK otherwise. */
mz_status mz_cli_compare_report(mz_cli *cli, const mz_cli_args *args, const char *command,
                                const mz_compare *c, mz_probe_set *const *sets, size_t n_sets);

#endif
