/* `mizani fairness`: how fairly a tokenizer treats Swahili next to English. */
#include "cli.h"
#include "cli_results.h"
#include "mizani/fairness.h"
#include "mizani/report.h"

#include <string.h>
#include <unistd.h>

#define SW_DICTIONARY "/usr/share/hunspell/sw_TZ.dic"

static const mz_cli_opt fairness_opts[] = {
    {"tokenizer", "PATH", "tokenizer.json, .gguf, .model, or a model folder"},
    {"parallel", "FILE", "a parallel probe file (default: the shipped UDHR English-Swahili)"},
    {"dictionary", "FILE",
     "a word list (hunspell .dic) of the second language (default: " SW_DICTIONARY
     " when installed)"},
    {"bootstrap", "N", "bootstrap draws for the premium's interval (default 2000)"},
    {"json", NULL, "print the numbers as JSON"},
    {NULL, NULL, NULL},
};

static void print_table(FILE *out, const mz_fairness *f, const char *tok) {
    fprintf(out, "Tokenizer fairness of %s on %zu aligned segments\n", tok, f->segments);
    fprintf(out, "  %-9s %8s %8s %10s %12s %9s %14s\n", "language", "words", "tokens", "fertility",
            "split words", "unknown", "byte fallback");
    for (int l = 0; l < 2; l++) {
        const mz_fairness_lang *x = &f->lang[l];
        fprintf(out, "  %-9s %8zu %8zu %10.3f %11.1f%% %8.2f%% %13.2f%%\n", x->language, x->words,
                x->tokens, x->fertility, 100 * x->continued_share, 100 * x->unk_rate,
                100 * x->byte_fallback_rate);
    }
    fprintf(out, "  premium: the same content costs %.3fx as many tokens in %s as in %s",
            f->premium, f->lang[1].language, f->lang[0].language);
    if (f->ci_level > 0)
        fprintf(out, " (%.0f%% CI %.3f to %.3f)", 100 * f->ci_level, f->premium_ci_lo,
                f->premium_ci_hi);
    fputc('\n', out);
    if (f->dict_words)
        fprintf(out, "  %s dictionary words kept as one token: %zu of %zu (%.1f%%)\n",
                f->lang[1].language, f->dict_whole, f->dict_words, 100 * f->dict_whole_share);
    fprintf(out,
            "  reading: a premium above 1 means %s text is longer for the model (dearer to\n"
            "  process, less context fits); split words and unknown tokens lose meaning.\n",
            f->lang[1].language);
}

static mz_status run_fairness(mz_cli *cli, const mz_cli_args *args) {
    const char *tok, *par = mz_cli_get(args, "parallel"), *dic = mz_cli_get(args, "dictionary");
    char def[4096];
    long boot = 2000;
    mz_status rc = mz_cli_require(cli, args, "fairness", "tokenizer", &tok);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 1000000, &boot);
    if (!par) {
        snprintf(def, sizeof def, "%s/parallel/udhr-en-sw.json", mz_cli_corpora_dir());
        par = def;
    }
    mz_tokenizer *t = NULL;
    mz_probe_set *p = NULL;
    char **words = NULL;
    size_t n_words = 0;
    mz_fairness f = {0};
    if (!rc) rc = mz_tokenizer_load(&t, tok, cli->ctx);
    if (!rc) rc = mz_probes_load(&p, par, cli->ctx);
    /* a list named by the user must be readable; the default one is used where installed */
    if (!rc && (dic || access(SW_DICTIONARY, F_OK) == 0))
        rc = mz_word_list_read(&words, &n_words, dic ? dic : SW_DICTIONARY, cli->ctx);
    mz_fairness_options opt = {.n_bootstrap = (uint32_t)boot,
                               .ci_level = 0.95,
                               .seed = cli->seed,
                               .dict = (const char *const *)words,
                               .n_dict = n_words};
    if (!rc) rc = mz_tokenizer_fairness(&f, t, p, &opt, cli->ctx);
    mz_results *tree = NULL;
    if (!rc && mz_cli_flag(args, "json")) {
        rc = mz_cli_results_new(&tree, cli, "fairness", args);
        if (!rc) rc = mz_results_tokenizer(tree, t);
        if (!rc) rc = mz_report_fairness(tree, &f, p, (uint32_t)boot);
        if (!rc) rc = mz_cli_print_results(cli, tree);
    } else if (!rc) {
        print_table(cli->out, &f, tok);
    }
    mz_results_free(tree);
    mz_fairness_clear(&f);
    mz_word_list_free(words, n_words);
    mz_probes_free(p);
    mz_tokenizer_free(t);
    return rc;
}

const mz_cli_command mz_cmd_fairness = {
    .name = "fairness",
    .summary = "how fairly a tokenizer treats Swahili: premium, fertility, split words",
    .usage = "--tokenizer PATH [--parallel FILE] [--dictionary FILE] [--json]",
    .description =
        "Tokenizes aligned text in two languages (default: the UDHR in English and Swahili) and\n"
        "reports, per language, fertility (tokens per word), the share of words split into two\n"
        "or more tokens, unknown and byte-fallback token rates; the premium (Petrov et al. 2023):\n"
        "how many times more tokens the same content costs in Swahili, with a bootstrap interval\n"
        "over segments; and, with a Swahili word list (Debian's hunspell-sw by default), the share\n"
        "of dictionary words the vocabulary keeps as one token.",
    .examples = "  mizani fairness --tokenizer ./xlm-roberta-base\n"
                "  mizani fairness --tokenizer gpt2/tokenizer.json --json\n",
    .opts = fairness_opts,
    .max_args = 0,
    .run = run_fairness,
};
