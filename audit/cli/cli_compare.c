/* The CLI's side of a comparison (cli_compare.h). */
#include "cli_compare.h"
#include "cli_results.h"

#include "mizani/report.h"

#include <math.h>
#include <string.h>

static const char *label(const mz_compare *c, size_t i) {
    return mz_checkpoint_label(c->checkpoints[i]);
}

static void number(char *buf, size_t n, double x, const char *fmt) {
    if (isfinite(x))
        snprintf(buf, n, fmt, x);
    else
        snprintf(buf, n, "-");
}

static void print_row(FILE *o, const mz_comparison *x) {
    char b[24], a[24], d[24], ci[48] = "", ph[24];
    number(b, sizeof b, x->before, "%+.3f");
    number(a, sizeof a, x->after, "%+.3f");
    number(d, sizeof d, x->change, "%+.3f");
    if (x->ci_level > 0) snprintf(ci, sizeof ci, "[%+.2f, %+.2f]", x->ci_lo, x->ci_hi);
    mz_cli_p_text(ph, sizeof ph, x->p_holm, &x->inference);
    const char *out = mz_cmp_outcome_names[x->outcome];
    if (x->outcome == MZ_CMP_NOT_COMPARED) {
        fprintf(o, "%-28.28s %-8s not compared: %s\n", x->test, mz_cmp_family_names[x->family],
                x->reason);
        return;
    }
    fprintf(o, "%-28.28s %-8s %8s %8s %8s  %-17s %9s  %s\n", x->test,
            mz_cmp_family_names[x->family], b, a, d, ci, ph,
            x->outcome == MZ_CMP_REGRESSED ? "REGRESSED" : out);
}

static void print_table(mz_cli *cli, const mz_compare *c) {
    FILE *o = cli->out;
    for (size_t from = 0; from + 1 < c->n_checkpoints; from++) {
        fprintf(o, "%s%s -> %s\n%-28s %-8s %8s %8s %8s  %-17s %9s  %s\n", from ? "\n" : "",
                label(c, from), label(c, from + 1), "test", "family", "before", "after", "change",
                "95% CI", "p (Holm)", "outcome");
        for (size_t i = 0; i < c->n; i++)
            if (c->c[i].from == from) print_row(o, &c->c[i]);
        for (size_t i = 0; i < c->n; i++) {
            const mz_comparison *x = &c->c[i];
            if (x->from != from || x->outcome > MZ_CMP_CHANGED) continue;
            char *w = mz_cmp_outcome_text(x);
            fprintf(o, "  %s (%s): %s\n", x->test, mz_cmp_family_names[x->family],
                    w ? w : "out of memory");
            mz_free(w);
        }
    }
    for (size_t i = 0; i < c->n_notes; i++)
        fprintf(o, "note: %s\n", c->notes[i]);
    fprintf(o,
            "\nbefore, after: each finding's effect on the items both audits share; change: after "
            "minus\nbefore with its paired bootstrap interval; p (Holm): the change's paired "
            "permutation test,\nadjusted across all %zu comparisons. %s\n",
            c->n, "Regressed: the bias grew by more than its threshold and the change holds.");
    if (mz_compare_regressed(c))
        fprintf(o,
                "BIAS GREW: %zu of %zu findings regressed past their threshold, beyond chance "
                "after Holm correction.\n",
                c->failures, c->n);
    else
        fprintf(o,
                "No finding's bias grew past its threshold beyond chance (%zu compared, %zu "
                "improved, %zu changed within the threshold).\n",
                c->n - c->count[MZ_CMP_NOT_COMPARED], c->count[MZ_CMP_IMPROVED],
                c->count[MZ_CMP_CHANGED]);
}

static mz_status write_junit(mz_cli *cli, const mz_results *r, const char *path) {
    char *xml = NULL;
    size_t len = 0;
    mz_status rc = mz_report_junit(&xml, &len, r, cli->ctx);
    if (!rc) rc = mz_write_file_atomic(path, xml, len, cli->ctx);
    if (!rc && !cli->quiet) fprintf(cli->err, "wrote %s\n", path);
    mz_free(xml);
    return rc;
}

static mz_status write_dir(mz_cli *cli, mz_results *r, const char *dir) {
    mz_status rc = mz_report_write_dir_named(r, dir, "compare.json", "compare.html",
                                             mz_report_compare_page, cli->ctx);
    if (!rc && !cli->quiet) fprintf(cli->err, "wrote %s/compare.json and compare.html\n", dir);
    return rc;
}

/* Nothing compared is bad input, said before anything is printed or written: "no bias grew"
 * would be a claim about nothing. */
static mz_status anything(mz_cli *cli, const mz_compare *c) {
    if (c->count[MZ_CMP_NOT_COMPARED] < c->n) return MZ_OK;
    if (!c->n)
        return mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                       "the audits share no finding of a family compare pairs (static, seat, "
                       "ceat, pairs, masked, fairness)");
    return mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                   "none of the %zu findings could be compared; the first, '%s': %s", c->n,
                   c->c[0].test, c->c[0].reason);
}

/* The gate: a regression fails the check. */
static mz_status verdict(mz_cli *cli, const mz_compare *c) {
    if (!mz_compare_regressed(c)) return MZ_OK;
    const mz_comparison *first = NULL;
    for (size_t i = 0; i < c->n && !first; i++)
        if (c->c[i].outcome == MZ_CMP_REGRESSED && !c->c[i].positive_control) first = &c->c[i];
    return mz_fail(cli->ctx, MZ_ERR_THRESHOLD, NULL,
                   "bias regressed in %zu of %zu findings (the first: %s/%s, from %s to %s)",
                   c->failures, c->n, mz_cmp_family_names[first->family], first->test,
                   label(c, first->from), label(c, first->to));
}

mz_status mz_cli_compare_report(mz_cli *cli, const mz_cli_args *args, const char *command,
                                const mz_compare *c, mz_probe_set *const *sets, size_t n_sets) {
    mz_results *r = NULL;
    mz_status rc = anything(cli, c);
    if (!rc) rc = mz_cli_results_new(&r, cli, command, args);
    for (size_t i = 0; !rc && i < n_sets; i++)
        rc = mz_results_probe_set(r, sets[i]);
    if (!rc) rc = mz_report_compare(r, c);
    if (!rc && mz_cli_flag(args, "json"))
        rc = mz_cli_print_results(cli, r);
    else if (!rc)
        print_table(cli, c);
    const char *dir = mz_cli_get(args, "out"), *junit = mz_cli_get(args, "junit");
    if (!rc && dir) rc = write_dir(cli, r, dir);
    if (!rc && junit) rc = write_junit(cli, r, junit);
    mz_results_free(r);
    return rc ? rc : verdict(cli, c);
}
