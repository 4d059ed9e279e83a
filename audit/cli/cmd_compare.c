/* `mizani compare`: what changed between two embeddings of the same vocabulary (before and
 * after fine-tuning), with exit status 1 when bias grew past a threshold: for CI pipelines. */
#include "cli.h"
#include "mizani/static_audit.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

static const mz_cli_opt compare_opts[] = {
    {"before", "FILE|MODEL",
     "vectors before (fastText/GloVe text, word2vec .bin, or a model's input\n"
     "embeddings: a model folder or .gguf)"},
    {"after", "FILE|MODEL", "vectors after, same dimension"},
    {"probes", "PATHS",
     "association probe sets (comma-separated files or folders; default: the "
     "shipped corpora)"},
    {"threshold", "D",
     "fail (exit 1) when |d| grew by more than D with Holm p < 0.05 (default 0.2)"},
    {"format", "text|bin", "file format when the extension does not tell"},
    {"lower", NULL, "match words missing as written after Unicode case folding"},
    {"permutations", "N", "permutations for each test (default 10000)"},
    {"bootstrap", "N", "bootstrap draws for each interval (default 2000)"},
    {"json", NULL, "print results as JSON"},
    {NULL, NULL, NULL},
};

static json_t *change_json(const mz_static_change *c) {
    json_t *o = json_pack("{s:s, s:s, s:b, s:I}", "test", c->set->id, "title", c->set->title,
                          "computable", c->computable, "words_used", (json_int_t)c->words_used);
    if (!o) return NULL;
    if (!c->computable) {
        json_object_set_new(o, "reason", json_string(c->reason));
        return o;
    }
    const mz_weat_change *w = &c->change;
    json_object_set_new(o, "d_before", json_real(w->d_before));
    json_object_set_new(o, "d_after", json_real(w->d_after));
    json_object_set_new(o, "change", json_real(w->delta));
    if (w->ci_level > 0)
        json_object_set_new(o, "change_ci",
                            json_pack("{s:f, s:f, s:f, s:s}", "low", w->ci_lo, "high", w->ci_hi,
                                      "level", w->ci_level, "method",
                                      "paired percentile bootstrap"));
    json_object_set_new(o, "p_value", json_real(w->p_value));
    json_object_set_new(o, "p_holm", json_real(c->p_holm));
    json_object_set_new(o, "bias_grew", json_boolean(c->grew));
    return o;
}

static void print_table(FILE *out, const mz_static_change *c, size_t n, double threshold) {
    fprintf(out, "%-28s %8s %8s %8s  %-17s %9s %9s\n", "test", "d before", "d after", "change",
            "95% CI", "p", "p (Holm)");
    size_t grew = 0;
    for (size_t i = 0; i < n; i++) {
        grew += c[i].computable && c[i].grew;
        fprintf(out, "%-28s ", c[i].set->id);
        if (!c[i].computable) {
            fprintf(out, "not computable: %s\n", c[i].reason);
            continue;
        }
        const mz_weat_change *w = &c[i].change;
        char ci[40] = "";
        if (w->ci_level > 0) snprintf(ci, sizeof ci, "[%+.2f, %+.2f]", w->ci_lo, w->ci_hi);
        fprintf(out, "%+8.3f %+8.3f %+8.3f  %-17s %9.3g %9.3g%s\n", w->d_before, w->d_after,
                w->delta, ci, w->p_value, c[i].p_holm, c[i].grew ? "  BIAS GREW" : "");
    }
    if (grew)
        fprintf(
            out,
            "BIAS GREW: |d| rose by more than %.2f and the change holds after Holm correction.\n",
            threshold);
    else
        fprintf(
            out,
            "No test's bias grew past the threshold (|d| up by more than %.2f, holding after Holm).\n",
            threshold);
}

static mz_status run_compare(mz_cli *cli, const mz_cli_args *args) {
    mz_static_options opt;
    long perms = 10000, boot = 2000;
    double threshold = 0.2;
    mz_static_options_default(&opt);
    mz_status rc = mz_cli_get_double(cli, args, "threshold", 0, 100, &threshold);
    if (!rc) rc = mz_cli_get_long(cli, args, "permutations", 1, 100000000L, &perms);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 10000000L, &boot);
    opt.fold_case = mz_cli_flag(args, "lower");
    opt.weat.n_permutations = (uint64_t)perms;
    opt.weat.n_bootstrap = (uint32_t)boot;
    opt.weat.seed = cli->seed;
    const char *spec = mz_cli_get(args, "probes") ? mz_cli_get(args, "probes") : "default";
    mz_probe_set **sets = NULL;
    size_t n_sets = 0, n_keep = 0;
    const char **keep = NULL;
    mz_vectors *vb = NULL, *va = NULL;
    mz_static_change *changes = NULL;
    if (!rc) rc = mz_cli_load_probe_sets(cli, spec, MZ_PROBE_ASSOCIATION, &sets, &n_sets);
    if (!rc)
        rc = mz_probe_sets_words(&keep, &n_keep, (const mz_probe_set *const *)sets, n_sets,
                                 cli->ctx);
    if (!rc)
        rc = mz_cli_load_vectors(cli, args, "compare", "before", keep, n_keep, opt.fold_case, &vb);
    if (!rc)
        rc = mz_cli_load_vectors(cli, args, "compare", "after", keep, n_keep, opt.fold_case, &va);
    if (!rc && !(changes = mz_calloc(n_sets, sizeof *changes)))
        rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc)
        rc = mz_static_compare(changes, vb, va, (const mz_probe_set *const *)sets, n_sets, &opt,
                               threshold, cli->ctx);
    size_t grew = 0, computable = 0;
    for (size_t i = 0; !rc && i < n_sets; i++)
        grew += changes[i].grew, computable += changes[i].computable;
    if (!rc && mz_cli_flag(args, "json")) {
        json_t *tests = json_array();
        for (size_t i = 0; i < n_sets; i++)
            json_array_append_new(tests, change_json(&changes[i]));
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:f, s:I, s:I, s:o}", "schema", "mizani-compare/1", "before",
                      mz_cli_get(args, "before"), "after", mz_cli_get(args, "after"), "threshold",
                      threshold, "seed", (json_int_t)cli->seed, "tests_where_bias_grew",
                      (json_int_t)grew, "tests", tests);
        if (!o || json_dumpf(o, cli->out, JSON_INDENT(2)) || fputc('\n', cli->out) == EOF)
            rc = mz_fail(cli->ctx, MZ_ERR_IO, NULL, "cannot write JSON");
        json_decref(o);
    } else if (!rc && computable) {
        print_table(cli->out, changes, n_sets, threshold);
    }
    if (!rc && !computable) /* "no bias grew" would be a claim about nothing */
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                     "none of the %zu tests could be computed; the first, '%s': %s", n_sets,
                     changes[0].set->id, changes[0].reason);
    if (!rc && grew)
        rc = mz_fail(cli->ctx, MZ_ERR_THRESHOLD, NULL,
                     "bias grew past the threshold (|d| up by more "
                     "than %.2f, Holm p < 0.05) in %zu of %zu tests",
                     threshold, grew, n_sets);
    mz_free(changes);
    mz_vectors_free(vb);
    mz_vectors_free(va);
    mz_free(keep);
    mz_cli_free_sets(sets, n_sets);
    return rc;
}

const mz_cli_command mz_cmd_compare = {
    .name = "compare",
    .summary =
        "compare two embeddings (vector files or models) before/after fine-tuning; exit 1 when bias grew",
    .usage = "--before FILE --after FILE [--probes PATHS] [--threshold D] [--json]",
    .description =
        "Runs every association probe set on two vector files of the same vocabulary (before and\n"
        "after fine-tuning) using the words both have, and reports for each test d before, d\n"
        "after and the change, with a paired bootstrap interval (the same words resampled on both\n"
        "sides) and a permutation p-value (each word's before/after association scores swapped at\n"
        "random), Holm-corrected across tests. Exits 1 when |d| grew by more than --threshold in\n"
        "a test whose change holds after correction: put it in a CI pipeline to stop a\n"
        "fine-tuning run that made a model more biased.",
    .examples = "  mizani compare --before sw-base.vec --after sw-finetuned.vec --threshold 0.3\n",
    .opts = compare_opts,
    .max_args = 0,
    .run = run_compare,
};
