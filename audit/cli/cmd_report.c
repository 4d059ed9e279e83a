/* `mizani report`: the HTML report drawn again from a results.json alone. */
#include "cli_results.h"

#include "mizani/report.h"

#include <jansson.h>
#include <string.h>

static const mz_cli_opt report_opts[] = {
    {"out", "DIR", "write DIR/report.html and DIR/results.json (default: mizani-report)"},
    {NULL, NULL, NULL},
};

static mz_status run_report(mz_cli *cli, const mz_cli_args *args) {
    const char *dir = mz_cli_get(args, "out");
    mz_results *r;
    mz_status rc = mz_results_load(&r, args->positional[0], cli->ctx);
    if (rc) return rc;
    const char *job = json_string_value(
        json_object_get(json_object_get((const json_t *)mz_results_json(r), "run"), "job"));
    if (job && !strcmp(job, "audit")) /* an audit's folder holds its model-card summary too */
        rc = mz_cli_write_audit(cli, r, dir ? dir : "mizani-report", NULL);
    else
        rc = mz_cli_write_report(cli, r, dir ? dir : "mizani-report");
    mz_results_free(r);
    return rc;
}

const mz_cli_command mz_cmd_report = {
    .name = "report",
    .summary = "draw the HTML report again from a results.json",
    .usage = "RESULTS.json [--out DIR]",
    .description =
        "Reads a results.json written by a Mizani run (schema mizani-results/2, see\n"
        "reports/SCHEMA.md), checks its shape, and writes report.html beside a copy of it, both\n"
        "atomically and with the run id of the original. Everything the report shows comes from\n"
        "the JSON, so a report can be archived as its results.json alone. A file of another\n"
        "schema, or one that is not a results file, is refused (exit 3) naming where it breaks.",
    .examples = "  mizani report audit/results.json --out audit-html\n",
    .opts = report_opts,
    .min_args = 1,
    .max_args = 1,
    .run = run_report,
};
