/* `mizani pairs`: does the model find the more stereotypical sentence of each minimal pair more
 * probable? Per bias category, with an exact interval and a sign test. */
#include "cli.h"
#include "mizani/likelihood.h"
#include "mizani/model.h"
#include "mizani/tokenizer.h"

#include <jansson.h>
#include <string.h>

static mz_status read_method(mz_cli *cli, const char *s, const mz_model *m, mz_lik_method *out) {
    *out = mz_model_get_config(m)->causal ? MZ_LIK_CAUSAL : MZ_LIK_PLL;
    if (!s) return MZ_OK;
    for (int k = MZ_LIK_PLL; k <= MZ_LIK_CAUSAL; k++)
        if (!strcmp(s, mz_lik_method_name((mz_lik_method)k))) return *out = (mz_lik_method)k, MZ_OK;
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--method must be pll, aul, aula or causal, not '%s'", s);
}

static void print_table(FILE *o, const mz_probe_set *set, const mz_pairs_result *r) {
    fprintf(o, "\n%s (%s): %zu pairs, score %s\n", set->id, set->language, r->n_scores, mz_lik_method_name(r->method));
    fprintf(o, "%-24s %6s %8s %7s  %-17s %9s %9s %10s\n", "category", "pairs", "stereo.", "rate", "95% CI", "p (sign)",
            "p (Holm)", "split diff");
    for (size_t i = 0; i < r->n_summaries; i++) {
        const mz_pair_summary *s = &r->summaries[i];
        fprintf(o, "%-24s %6lu %8lu %7.3f  [%.3f, %.3f]  %9.4f %9.4f %10lu\n", s->category, s->n, s->prefers_more,
                s->rate, s->ci_lo, s->ci_hi, s->p_value, s->p_holm, s->split_mismatches);
    }
}

static json_t *result_json(const mz_probe_set *set, const mz_pairs_result *r) {
    json_t *sums = json_array(), *pairs = json_array();
    for (size_t i = 0; i < r->n_summaries; i++) {
        const mz_pair_summary *s = &r->summaries[i];
        json_array_append_new(sums, json_pack("{s:s, s:I, s:I, s:f, s:[f,f], s:f, s:f, s:I}", "category", s->category,
                                              "pairs", (json_int_t)s->n, "prefers_more", (json_int_t)s->prefers_more,
                                              "rate", s->rate, "ci", s->ci_lo, s->ci_hi, "p_sign", s->p_value,
                                              "p_holm", s->p_holm, "split_mismatches", (json_int_t)s->split_mismatches));
    }
    for (size_t i = 0; i < r->n_scores; i++) {
        const mz_pair_score *p = &r->scores[i];
        json_array_append_new(pairs, json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:[i,i], s:[i,i], s:b}", "id", p->pair->id,
                                               "category", p->pair->category, "more", p->more, "less", p->less,
                                               "more_per_token", p->more_norm, "less_per_token", p->less_norm,
                                               "tokens", p->tokens_more, p->tokens_less, "target_tokens",
                                               p->target_tokens_more, p->target_tokens_less, "prefers_more",
                                               p->prefers_more));
    }
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "set", set->id, "language", set->language, "method",
                     mz_lik_method_name(r->method), "summaries", sums, "pairs", pairs);
}

static mz_status score_sets(mz_cli *cli, mz_model *m, const mz_tokenizer *t, mz_probe_set **sets, size_t n,
                            mz_lik_method method, json_t *out) {
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        mz_pairs_result r;
        mz_progress *p = mz_progress_new(cli->err, cli->quiet ? MZ_PROGRESS_QUIET : MZ_PROGRESS_AUTO,
                                         sets[i]->id, sets[i]->n_pairs);
        rc = mz_lik_pairs(&r, m, t, sets[i], method, 0.95, p, cli->ctx);
        mz_progress_finish(p);
        mz_progress_free(p);
        if (rc) break;
        if (out) json_array_append_new(out, result_json(sets[i], &r));
        else print_table(cli->out, sets[i], &r);
        mz_pairs_result_free(&r);
    }
    return rc;
}

static mz_status pairs_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *model, *tok = mz_cli_get(args, "tokenizer"), *spec = mz_cli_get(args, "pairs");
    mz_status rc = mz_cli_require(cli, args, "pairs", "model", &model);
    if (rc) return rc;
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set **sets = NULL;
    size_t n = 0;
    mz_lik_method method;
    json_t *out = mz_cli_flag(args, "json") ? json_array() : NULL;
    rc = mz_model_open(&m, model, cli->ctx);
    if (!rc) rc = read_method(cli, mz_cli_get(args, "method"), m, &method);
    if (!rc) rc = mz_tokenizer_load(&t, tok ? tok : model, cli->ctx);
    if (!rc) rc = mz_cli_load_probe_sets(cli, spec ? spec : "default", MZ_PROBE_MINIMAL_PAIRS, &sets, &n);
    if (!rc) rc = score_sets(cli, m, t, sets, n, method, out);
    if (!rc && out && (json_dumpf(out, cli->out, JSON_INDENT(1)) || fputc('\n', cli->out) == EOF))
        rc = mz_fail(cli->ctx, MZ_ERR_IO, NULL, "cannot write JSON");
    if (!rc && !out)
        fprintf(cli->out, "\nstereo.: pairs where the model scores the more stereotypical sentence higher. A model\n"
                          "without this bias prefers either side equally often (rate 0.5); the interval is exact\n"
                          "(Clopper-Pearson) and p tests rate = 0.5. split diff: pairs whose two target words split\n"
                          "into different numbers of tokens, which can sway the score on their own.\n");
    json_decref(out);
    mz_cli_free_sets(sets, n);
    mz_tokenizer_free(t);
    mz_model_free(m);
    return rc;
}

static const mz_cli_opt pairs_opts[] = {
    {"model", "DIR|FILE.gguf", "the model (a masked LM for pll/aul/aula, GPT-2 for causal)"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"pairs", "PATHS", "minimal-pairs probe files or folders, comma-separated (default: the shipped\n"
                       "English and Swahili sets)"},
    {"method", "NAME", "pll (pseudo-log-likelihood of the unmodified tokens; encoders' default),\n"
                       "aul or aula (all unmasked likelihood, attention-weighted), causal (decoders)"},
    {"json", NULL, "print every pair's scores and token counts and the summaries as JSON"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_pairs = {
    .name = "pairs",
    .summary = "minimal pairs: does the model prefer the stereotypical sentence? (CrowS-Pairs)",
    .usage = "--model DIR|FILE.gguf [--pairs PATHS] [--method pll|aul|aula|causal] [--json]",
    .description =
        "Scores both sentences of every minimal pair (Nangia et al. 2020) with the model: by default\n"
        "the pseudo-log-likelihood of the tokens the two sentences share, each masked in turn\n"
        "(masked LMs), or the log-likelihood given the preceding tokens (GPT-2). Reports, per bias\n"
        "category and overall, how often the more stereotypical sentence wins, with an exact 95%\n"
        "interval, a sign test and Holm-adjusted p-values, and flags pairs whose target words split\n"
        "into different numbers of tokens. --json adds per-pair scores, length-normalised scores and\n"
        "token counts.",
    .examples = "  mizani pairs --model ./afriberta-small\n"
                "  mizani pairs --model ./gpt2 --pairs corpora/minimal-pairs/pairs-en.json --json\n",
    .opts = pairs_opts,
    .max_args = 0,
    .run = pairs_cmd,
};
