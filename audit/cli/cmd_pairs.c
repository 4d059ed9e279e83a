/* `mizani pairs`: does the model find the more stereotypical sentence of each minimal pair more
 * probable? Per bias category, with an exact interval and a sign test. */
#include "cli_compare.h"
#include "cli_results.h"
#include "mizani/likelihood_run.h"
#include "mizani/model.h"
#include "mizani/report.h"
#include "mizani/tokenizer.h"

#include <string.h>

static mz_status read_method(mz_cli *cli, const char *s, const mz_model *m, mz_lik_method *out) {
    *out = mz_lik_default_method(m);
    if (!s) return MZ_OK;
    for (int k = MZ_LIK_PLL; k <= MZ_LIK_CAUSAL; k++)
        if (!strcmp(s, mz_lik_method_name((mz_lik_method)k))) return *out = (mz_lik_method)k, MZ_OK;
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                   "--method must be pll, aul, aula or causal, not '%s'", s);
}

static void print_table(FILE *o, const mz_probe_set *set, const mz_pairs_result *r) {
    fprintf(o, "\n%s (%s): %zu pairs, score %s\n", set->id, set->language, r->n_scores,
            mz_lik_method_name(r->method));
    fprintf(o, "%-24s %5s %6s %6s %6s  %-15s %8s %6s %9s %9s %12s\n", "category", "pairs", "tested",
            "stereo", "rate", "95% CI", "clusters", "mde", "p", "p (Holm)", "unequal len");
    for (size_t i = 0; i < r->n_summaries; i++) {
        const mz_pair_summary *s = &r->summaries[i];
        char p[16], ph[16], un[48] = "0";
        mz_cli_p_text(p, sizeof p, s->p_value, &s->inference);
        mz_cli_p_text(ph, sizeof ph, s->p_holm, &s->inference);
        if (s->count_mismatches)
            snprintf(un, sizeof un, "%lu (%.2f)", s->count_mismatches, s->rate_mismatched);
        fprintf(o, "%-24.24s %5lu %6lu %6lu %6.3f  [%.3f, %.3f] %8zu %6.3f %9s %9s %12s\n",
                s->category, s->n, s->n_matched, s->prefers_more, s->rate, s->ci_lo, s->ci_hi,
                s->n_clusters, s->inference.mde, p, ph, un);
    }
    int header = 0;
    for (size_t i = 0; i < r->n_scores; i++)
        if (!r->scores[i].computable) {
            if (!header++) fprintf(o, "not computable:\n");
            fprintf(o, "  %s: %s\n", r->scores[i].pair->id, r->scores[i].reason);
        }
}

static mz_pairs_options options(mz_cli *cli) {
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    o.seed = cli->seed;
    return o;
}

/* Between two languages' parallel sets (ids that match after the language prefix). */
static void print_languages(FILE *o, const mz_pairs_suite *s, const mz_pairs_languages *l) {
    const mz_probe_set *sa = s->sets[l->a], *sb = s->sets[l->b];
    if (!l->n) return;
    fprintf(o,
            "\n%s vs %s: does the preference differ between the languages? (paired over "
            "translated pairs)\n%-24s %6s %7s %7s %8s %6s %9s %9s\n",
            sa->language, sb->language, "category", "pairs", sa->language, sb->language, "clusters",
            "mde", "p", "p (Holm)");
    for (size_t i = 0; i < l->n; i++) {
        const mz_pairs_language_diff *d = &l->d[i];
        char p[16], ph[16];
        mz_cli_p_text(p, sizeof p, d->p_value, &d->inference);
        mz_cli_p_text(ph, sizeof ph, d->p_holm, &d->inference);
        fprintf(o, "%-24.24s %6lu %7.3f %7.3f %8zu %6.3f %9s %9s\n", d->category, d->n, d->rate_a,
                d->rate_b, d->n_clusters, d->inference.mde, p, ph);
    }
}

static const char *PAIRS_NOTE =
    "\ntested: pairs whose two sentences have the same number of tokens; stereo: those where\n"
    "the model scores the more stereotypical sentence higher. A model without this bias\n"
    "prefers either side equally often (rate 0.5). Pairs that swap the same two target words\n"
    "are one cluster (not independent): the interval resamples clusters and p flips the sign\n"
    "of whole clusters (two-sided, Holm across categories). unequal len: pairs whose sentences\n"
    "differ in token count, with their rate; a length difference sways every likelihood\n"
    "score, so they are never tested.\n";

/* Every set scored, with the language differences of parallel sets: printed, or as JSON. */
static mz_status run_suite(mz_cli *cli, const mz_cli_args *args, mz_model *m, const mz_tokenizer *t,
                           mz_probe_set **sets, size_t n, mz_lik_method method) {
    mz_pairs_options o = options(cli);
    mz_pairs_suite s;
    mz_progress *p = mz_cli_progress(cli, "pairs scored", 0); /* the suite sets the total */
    mz_status rc = mz_lik_pairs_suite(&s, m, t, sets, n, method, &o, p, cli->ctx);
    mz_progress_finish(p);
    mz_progress_free(p);
    if (rc) return rc;
    if (!s.n_computable)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                     "no minimal pair fits the model: nothing to test (see the pairs' lengths)");
    mz_results *tree = NULL;
    if (!rc && mz_cli_flag(args, "json")) {
        rc = mz_cli_results_new(&tree, cli, "pairs", args);
        if (!rc) rc = mz_results_model(tree, m, mz_cli_get(args, "model"), t);
        if (!rc) rc = mz_report_pairs(tree, &s, method, &o, NULL);
        if (!rc) rc = mz_cli_print_results(cli, tree);
    } else if (!rc) {
        for (size_t i = 0; i < s.n; i++)
            print_table(cli->out, sets[i], &s.results[i]);
        for (size_t i = 0; i < s.n_languages; i++)
            print_languages(cli->out, &s, &s.languages[i]);
        fputs(PAIRS_NOTE, cli->out);
        mz_cli_inference_note(cli->out);
    }
    mz_results_free(tree);
    mz_pairs_suite_free(&s);
    return rc;
}

/* Before and after: the same pairs scored by both models, compared as `mizani compare` compares
 * two audits (per category, the change of the preference rate over target clusters, Holm
 * across categories); the gate fails when a category's preference regressed past `threshold`. */
static mz_status run_change(mz_cli *cli, const mz_cli_args *args, mz_model *m, mz_model *before,
                            const mz_tokenizer *t, mz_probe_set **sets, size_t n,
                            mz_lik_method method, double threshold) {
    mz_pairs_options po = options(cli);
    mz_pairs_result *r[2] = {mz_calloc(n + 1, sizeof *r[0]), mz_calloc(n + 1, sizeof *r[1])};
    mz_checkpoint *cp[2] = {NULL, NULL};
    mz_model *models[2] = {before, m};
    const char *labels[2] = {mz_cli_get(args, "before"), mz_cli_get(args, "model")};
    mz_compare c = {0};
    mz_compare_options o;
    mz_compare_options_default(&o);
    o.seed = cli->seed;
    o.threshold[MZ_CMP_PAIRS] = threshold;
    unsigned long computable = 0;
    mz_status rc = r[0] && r[1] ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int k = 0; !rc && k < 2; k++) {
        rc = mz_checkpoint_new(&cp[k], labels[k], "model", cli->ctx);
        for (size_t i = 0; !rc && i < n; i++) {
            mz_progress *p = mz_cli_progress(cli, sets[i]->id, sets[i]->n_pairs);
            rc = mz_lik_pairs(&r[k][i], models[k], t, sets[i], method, &po, p, cli->ctx);
            mz_progress_free(p);
            if (!rc) rc = mz_checkpoint_add_pairs(cp[k], sets[i], &r[k][i], cli->ctx);
            if (!rc && k) computable += r[k][i].n_computable;
        }
    }
    if (!rc && !computable)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                     "no minimal pair fits the model: nothing to test (see the pairs' lengths)");
    if (!rc) rc = mz_compare_run(&c, cp, 2, &o, NULL, cli->ctx);
    if (!rc) rc = mz_cli_compare_report(cli, args, "pairs", &c, sets, n);
    mz_compare_clear(&c);
    for (int k = 0; k < 2; k++) {
        mz_checkpoint_free(cp[k]);
        for (size_t i = 0; r[k] && i < n; i++)
            mz_pairs_result_free(&r[k][i]);
        mz_free(r[k]);
    }
    return rc;
}

static mz_status pairs_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *model, *tok = mz_cli_get(args, "tokenizer"), *spec = mz_cli_get(args, "pairs"),
                       *before_path = mz_cli_get(args, "before");
    double threshold = 0.05;
    mz_status rc = mz_cli_require(cli, args, "pairs", "model", &model);
    if (!rc) rc = mz_cli_get_double(cli, args, "threshold", 0, 1, &threshold);
    if (rc) return rc;
    mz_model *m = NULL, *before = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set **sets = NULL;
    size_t n = 0;
    mz_lik_method method;
    rc = mz_cli_open_model(cli, model, tok, &m, &t);
    if (!rc) rc = read_method(cli, mz_cli_get(args, "method"), m, &method);
    if (!rc)
        rc =
            mz_cli_load_probe_sets(cli, spec ? spec : "default", MZ_PROBE_MINIMAL_PAIRS, &sets, &n);
    if (!rc && before_path)
        rc = mz_cli_open_model(cli, before_path, tok ? tok : model, &before, NULL);
    if (!rc && before)
        rc = run_change(cli, args, m, before, t, sets, n, method, threshold);
    else if (!rc)
        rc = run_suite(cli, args, m, t, sets, n, method);
    mz_cli_free_sets(sets, n);
    mz_tokenizer_free(t);
    mz_model_free(m);
    mz_model_free(before);
    return rc;
}

static const mz_cli_opt pairs_opts[] = {
    {"model", "DIR|FILE.gguf", "the model (a masked LM for pll/aul/aula, GPT-2 for causal)"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"pairs", "PATHS",
     "minimal-pairs probe files or folders, comma-separated (default: the shipped\n"
     "English and Swahili sets)"},
    {"method", "NAME",
     "pll (pseudo-log-likelihood of the unmodified tokens; encoders' default),\n"
     "aul or aula (all unmasked likelihood, attention-weighted), causal (decoders)"},
    {"before", "DIR|FILE.gguf",
     "the model before fine-tuning (same tokenizer), compared as `mizani\n"
     "compare` does: per category, target clusters as the units"},
    {"threshold", "X",
     "with --before: exit 1 when a category's preference moved further from\n"
     "50% by more than X (default 0.05), the change holding after Holm"},
    {"json", NULL, "print every pair's scores and token counts and the summaries as JSON"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_pairs = {
    .name = "pairs",
    .summary = "minimal pairs: does the model prefer the stereotypical sentence? (CrowS-Pairs)",
    .usage =
        "--model DIR|FILE.gguf [--before DIR|FILE.gguf] [--pairs PATHS] [--method pll|aul|aula|causal] [--json]",
    .description =
        "Scores both sentences of every minimal pair (Nangia et al. 2020) with the model: by default\n"
        "the pseudo-log-likelihood of the tokens the two sentences share, each masked in turn\n"
        "(masked LMs), or the log-likelihood given the preceding tokens (GPT-2). Reports, per bias\n"
        "category and overall, how often the more stereotypical sentence wins, with an exact 95%\n"
        "interval and p-value that treat pairs swapping the same target words as one cluster (cluster\n"
        "bootstrap, sign flips of whole clusters, Holm across categories), the number of clusters and\n"
        "the smallest effect they can detect. Pairs whose sentences differ in token count are counted\n"
        "and rated apart, never tested. Where an English and a Swahili set correspond pair by pair,\n"
        "a paired test of whether the preference differs between the languages follows. A pair longer\n"
        "than the model's positions is listed as not computable. --json adds per-pair scores,\n"
        "per-token scores and token counts. Non-finite scores from the model stop with exit 5.",
    .examples = "  mizani pairs --model ./afriberta-small\n"
                "  mizani pairs --model ./gpt2 --pairs corpora/minimal-pairs/pairs-en.json --json\n"
                "  mizani pairs --model ./mbert-swahili --before ./mbert --threshold 0.05\n",
    .opts = pairs_opts,
    .max_args = 0,
    .run = pairs_cmd,
};
