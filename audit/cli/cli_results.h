/* The CLI's side of the results tree: a tree stamped with the command that made it, printed
 * for --json and written as a report folder. Every command that reports results uses these, so
 * none builds JSON by hand. */
#ifndef MZ_CLI_RESULTS_H
#define MZ_CLI_RESULTS_H

#include "cli.h"
#include "mizani/results.h"
#include "mizani/static_audit.h"

/* A tree for `command` (its name) with the run's provenance: the command line as parsed (every
 * option given, global ones included, then the positional arguments), the options as the
 * effective configuration, the seed and the thread count. */
mz_status mz_cli_results_new(mz_results **out, mz_cli *cli, const char *command,
                             const mz_cli_args *args);
/* --json: the whole tree on standard output. */
mz_status mz_cli_print_results(mz_cli *cli, mz_results *r);
/* DIR/results.json and DIR/report.html, atomically, and a line saying so unless --quiet. */
mz_status mz_cli_write_report(mz_cli *cli, mz_results *r, const char *dir);
/* An audit's DIR/results.json, report.html and report.md (and figures), the same way. */
mz_status mz_cli_write_audit(mz_cli *cli, mz_results *r, const char *dir, const char *figures);
/* DIR/results.json and DIR/explain.html, the same way. */
mz_status mz_cli_write_explain(mz_cli *cli, mz_results *r, const char *dir);

/* `weat`'s results: one ad-hoc test printed as JSON; a suite printed (json) and/or written to
 * a report folder (dir, may be NULL). The tree is built once for both. */
mz_status mz_cli_static_weat(mz_cli *cli, const mz_cli_args *args, const mz_static_weat *w,
                             const mz_word_list lists[MZ_N_ROLES], const mz_vectors *v,
                             const mz_static_options *opt);
mz_status mz_cli_static_suite(mz_cli *cli, const mz_cli_args *args, const mz_static_suite *s,
                              const mz_vectors *v, const mz_static_options *opt, int json,
                              const char *dir);

#endif
