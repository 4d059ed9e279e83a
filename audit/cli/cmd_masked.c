/* `mizani masked`: masked-template association (Kurita et al. 2019), per attribute. */
#include "cli.h"
#include "cli_results.h"
#include "mizani/likelihood_run.h"
#include "mizani/model.h"
#include "mizani/report.h"
#include "mizani/tokenizer.h"

#include <string.h>

static void print_table(FILE *o, const mz_probe_set *s, const mz_masked_result *r) {
    fprintf(o, "\n%s (%s): %zu attributes x %zu + %zu targets x %zu frames\n", s->id, s->language,
            r->n_attributes, s->targets[0].n, s->targets[1].n, s->n_frames);
    fprintf(o, "%-24s %14.14s %14.14s %9s\n", "attribute", r->group_name[0], r->group_name[1],
            "bias");
    for (size_t i = 0; i < r->n_attributes; i++) {
        const mz_masked_attribute *a = &r->attributes[i];
        if (!a->computable)
            fprintf(o, "%-24.24s not computable: %s\n", a->attribute, a->reason);
        else
            fprintf(o, "%-24.24s %14.3f %14.3f %+9.3f\n", a->attribute, a->group_mean[0],
                    a->group_mean[1], a->bias);
    }
    fprintf(o, "target words (tokens):");
    for (int g = 0, w = 0; g < 2; g++)
        for (size_t i = 0; i < s->targets[g].n; i++, w++)
            fprintf(o, " %s%s (%d)", g && !i ? "| " : "", s->targets[g].words[i].text,
                    r->word_tokens[w]);
    char p[16];
    mz_cli_p_text(p, sizeof p, r->p_value, &r->inference);
    fprintf(o,
            "\nmean bias (%s - %s): %+.3f [95%% CI %+.3f, %+.3f]; %lu of %zu attributes lean to "
            "%s\npermutation of %zu target words (within token-count strata): p = %s; mde %.3f\n",
            r->group_name[0], r->group_name[1], r->mean_bias, r->ci_lo, r->ci_hi, r->lean_first,
            r->n_computable, r->group_name[0], r->inference.n_units, p, r->inference.mde);
}

/* Does the bias differ between the languages? One line per parallel pair of sets. */
static void print_languages(FILE *o, const mz_masked_suite *s) {
    for (size_t i = 0; i < s->n_languages; i++) {
        const mz_masked_languages *l = &s->languages[i];
        const mz_probe_set *a = s->sets[l->a], *b = s->sets[l->b];
        char p[16], holm[16];
        if (!l->n_common) {
            fprintf(o, "\n%s minus %s: no attribute is computable in both\n", b->language,
                    a->language);
            continue;
        }
        mz_cli_p_text(p, sizeof p, l->p_value, &l->inference);
        mz_cli_p_text(holm, sizeof holm, l->p_holm, &l->inference);
        fprintf(o,
                "\n%s minus %s (%s vs %s): mean bias %+.3f [95%% CI %+.3f, %+.3f]\npaired target "
                "words permuted between the groups (%zu movable): p = %s, Holm p = %s; mde %.3f\n",
                b->language, a->language, b->id, a->id, l->diff, l->ci_lo, l->ci_hi,
                l->inference.n_units, p, holm, l->inference.mde);
    }
}

static const char *MASKED_NOTE =
    "\nbias: how much more the attribute raises the probability of the first group's words than\n"
    "the second's (log ratio against the attribute masked, Kurita et al. 2019); 0: no lean.\n"
    "Target words and attributes both vary between replications: the interval resamples\n"
    "both (target words within their group), and p (two-sided) permutes the target words\n"
    "between the groups among words of equal token count, so that tokenization alone\n"
    "cannot make a group look favoured. Where a set exists in two languages, each target\n"
    "word's mean in one minus the word in the same place of the other is permuted the same\n"
    "way (within strata of equal token counts in both), asking whether the bias differs.\n";

static mz_status masked_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *model, *tok = mz_cli_get(args, "tokenizer"), *spec = mz_cli_get(args, "probes");
    long boot = 2000;
    mz_status rc = mz_cli_require(cli, args, "masked", "model", &model);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 1000000, &boot);
    if (rc) return rc;
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set **sets = NULL;
    size_t n = 0, computed = 0;
    mz_masked_suite s = {0};
    rc = mz_cli_open_model(cli, model, tok, &m, &t);
    if (!rc) rc = mz_cli_load_probe_sets(cli, spec ? spec : "default", MZ_PROBE_MASKED, &sets, &n);
    mz_progress *p =
        rc ? NULL : mz_cli_progress(cli, "word-frame batches scored", 0); /* total: suite */
    if (!rc)
        rc = mz_lik_masked_suite(&s, m, t, sets, n, (uint32_t)boot, 0.95, cli->seed, p, cli->ctx);
    mz_progress_free(p);
    for (size_t i = 0; !rc && i < s.n; i++)
        computed += s.results[i].n_computable > 0;
    if (!rc && !computed)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                     "none of the %zu masked-template sets could be computed; the first, '%s': %s",
                     s.n, sets[0]->id, s.reason[0]);
    mz_results *tree = NULL;
    if (!rc && mz_cli_flag(args, "json")) {
        rc = mz_cli_results_new(&tree, cli, "masked", args);
        if (!rc) rc = mz_results_model(tree, m, model, t);
        if (!rc) rc = mz_report_masked(tree, &s, (uint32_t)boot, NULL);
        if (!rc) rc = mz_cli_print_results(cli, tree);
    } else if (!rc) {
        for (size_t i = 0; i < s.n; i++)
            if (s.results[i].n_computable)
                print_table(cli->out, sets[i], &s.results[i]);
            else
                fprintf(cli->out, "\n%s (%s): not computable: %s\n", sets[i]->id, sets[i]->language,
                        s.reason[i]);
        print_languages(cli->out, &s);
        fputs(MASKED_NOTE, cli->out);
        mz_cli_inference_note(cli->out);
    }
    mz_results_free(tree);
    mz_masked_suite_free(&s);
    mz_cli_free_sets(sets, n);
    mz_tokenizer_free(t);
    mz_model_free(m);
    return rc;
}

static const mz_cli_opt masked_opts[] = {
    {"model", "DIR|FILE.gguf",
     "a masked language model (BERT, RoBERTa, XLM-R, DistilBERT, ELECTRA generator)"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"probes", "PATHS",
     "masked-template probe sets (default: the shipped occupation x gender sets)"},
    {"bootstrap", "N",
     "two-way bootstrap draws (target words x attributes) for the interval (default 2000)"},
    {"json", NULL, "print the results as JSON"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_masked = {
    .name = "masked",
    .summary = "masked templates: which group an attribute makes more probable (Kurita et al.)",
    .usage = "--model DIR|FILE.gguf [--probes PATHS] [--json]",
    .description =
        "Fills frames such as \"[TARGET] ni [ATTRIBUTE].\" with each target word (e.g. women's and\n"
        "men's nouns) and attribute (an occupation), and measures how much the attribute raises\n"
        "the target's probability: log P(target | attribute) - log P(target | attribute masked),\n"
        "the target's tokens masked in both. Per attribute, the first group's mean minus the\n"
        "second's; overall, the mean with a two-way bootstrap interval (target words and\n"
        "attributes) and a permutation test of target words between the groups within strata of\n"
        "equal token count; with too few target words it says it cannot reach significance. An\n"
        "attribute whose sentences do not fit the model is listed as not computable.",
    .examples = "  mizani masked --model ./xlm-roberta-base\n",
    .opts = masked_opts,
    .max_args = 0,
    .run = masked_cmd,
};
