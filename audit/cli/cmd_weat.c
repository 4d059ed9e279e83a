/* `mizani weat`: association tests on static word vectors (fastText, GloVe, word2vec). */
#include "cli.h"
#include "mizani/report.h"

#include <string.h>

static const mz_cli_opt weat_opts[] = {
    {"vectors", "FILE", "word vectors: .vec/.txt (fastText, GloVe) or .bin (word2vec)"},
    {"format", "text|bin", "file format when the extension does not tell"},
    {"x", "W,W,...", "target words X (comma-separated)"},
    {"y", "W,W,...", "target words Y"},
    {"a", "W,W,...", "attribute words A"},
    {"b", "W,W,...", "attribute words B"},
    {"name", "TEXT", "a name for the test in the output"},
    {"exact", NULL, "always enumerate every split of X and Y (exact p-value)"},
    {"permutations", "N", "Monte Carlo splits when exact enumeration is too large (default 100000)"},
    {"bootstrap", "N", "bootstrap draws for the confidence interval on d (default 5000; 0: none)"},
    {"lower", NULL, "match a word missing as written after Unicode case folding, and say which"},
    {"max-missing", "SHARE", "a set that loses more than this share of its words is not computable "
                             "(default 0.2)"},
    {"json", NULL, "print results as JSON instead of a table"},
    {NULL, NULL, NULL},
};

/* Splits "a, b,c" in place into trimmed words. */
static mz_status split_words(mz_cli *cli, const char *flag, char *s, const char ***words,
                             size_t *n) {
    size_t cap = 1;
    for (const char *p = s; *p; p++) cap += *p == ',';
    *words = mz_malloc(cap * sizeof **words);
    if (!*words) return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    *n = 0;
    for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
        while (*tok == ' ') tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ') tok[--len] = '\0';
        if (len) (*words)[(*n)++] = tok;
    }
    if (*n == 0)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--%s lists no words", flag);
    return MZ_OK;
}

static void print_table(FILE *out, const mz_static_weat *r, const mz_word_list *lists) {
    fprintf(out, "WEAT %s\n", r->name);
    for (int i = 0; i < MZ_N_ROLES; i++) {
        const mz_set_lookup *s = &r->sets[i];
        fprintf(out, "  %-12s %zu/%zu words found", mz_role_names[i], s->n_found, s->n_asked);
        for (size_t j = 0; j < s->n_missing; j++) fprintf(out, "%s%s", j ? ", " : "; missing: ", s->missing[j]);
        for (size_t j = 0; j < s->n_folded; j++) fprintf(out, "%s%s", j ? ", " : "; only after case folding: ", s->folded[j]);
        fputc('\n', out);
    }
    if (!r->computable) {
        fprintf(out, "  not computable: %s\n", r->reason);
        return;
    }
    const mz_weat_result *w = &r->weat;
    fprintf(out, "  effect size d       %+.4f", w->effect_size);
    if (w->ci_level > 0)
        fprintf(out, "   %.0f%% CI [%+.3f, %+.3f] (percentile bootstrap, %u draws)",
                100 * w->ci_level, w->ci_lo, w->ci_hi, w->n_bootstrap);
    fprintf(out, "\n  mean difference     %+.4f (unstandardised)\n", w->mean_diff);
    fprintf(out, "  test statistic s    %+.4f\n", w->statistic);
    if (w->perm.exact)
        fprintf(out, "  p (one-sided)       %.4g (exact, all %llu splits)\n", w->perm.p_value,
                (unsigned long long)w->perm.n_splits);
    else
        fprintf(out, "  p (one-sided)       %.4g +/- %.2g (Monte Carlo, %llu splits)\n",
                w->perm.p_value, w->perm.mc_se, (unsigned long long)w->perm.n_splits);
    fprintf(out, "  reading: d > 0 means '%s' words sit closer to '%s' than '%s' words do;\n"
                 "  |d| of 0.2, 0.5 and 0.8 are conventionally small, medium and large.\n",
            lists[0].name, lists[2].name, lists[1].name);
}

static mz_status read_options(mz_cli *cli, const mz_cli_args *args, mz_static_options *opt) {
    long perms = 100000, boot = 5000;
    mz_static_options_default(opt);
    mz_status rc = mz_cli_get_long(cli, args, "permutations", 1, 1000000000L, &perms);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 10000000L, &boot);
    if (!rc) rc = mz_cli_get_double(cli, args, "max-missing", 0, 1, &opt->max_missing);
    opt->fold_case = mz_cli_flag(args, "lower");
    opt->weat.n_permutations = (uint64_t)perms;
    opt->weat.n_bootstrap = (uint32_t)boot;
    opt->weat.seed = cli->seed;
    if (mz_cli_flag(args, "exact")) opt->weat.max_exact = UINT64_MAX;
    return rc;
}

static mz_status read_format(mz_cli *cli, const mz_cli_args *args, mz_vectors_format *fmt) {
    const char *f = mz_cli_get(args, "format");
    *fmt = MZ_VECTORS_AUTO;
    if (!f) return MZ_OK;
    if (strcmp(f, "text") == 0) *fmt = MZ_VECTORS_TEXT;
    else if (strcmp(f, "bin") == 0) *fmt = MZ_VECTORS_WORD2VEC_BINARY;
    else return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--format must be text or bin, not '%s'", f);
    return MZ_OK;
}

static mz_status run_weat(mz_cli *cli, const mz_cli_args *args) {
    static const char *flags[MZ_N_ROLES] = {"x", "y", "a", "b"};
    static const char *names[MZ_N_ROLES] = {"X", "Y", "A", "B"};
    const char *path, *values[MZ_N_ROLES];
    mz_word_list lists[MZ_N_ROLES] = {{0}};
    char *copies[MZ_N_ROLES] = {0};
    const char **keep = NULL;
    mz_vectors *v = NULL;
    mz_static_weat result = {0};
    mz_static_options opt;
    mz_vectors_options vo = {0};
    mz_status rc = mz_cli_require(cli, args, "weat", "vectors", &path);
    for (int i = 0; i < MZ_N_ROLES && !rc; i++) {
        rc = mz_cli_require(cli, args, "weat", flags[i], &values[i]);
        if (!rc && !(copies[i] = mz_strdup(values[i])))
            rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        if (!rc) rc = split_words(cli, flags[i], copies[i], (const char ***)&lists[i].words, &lists[i].n);
        lists[i].name = names[i];
    }
    if (!rc) rc = read_options(cli, args, &opt);
    if (!rc) rc = read_format(cli, args, &vo.format);
    if (!rc) rc = mz_word_lists_union(&keep, &vo.n_keep, lists, MZ_N_ROLES, cli->ctx);
    vo.keep = keep;
    vo.fold_case = opt.fold_case;
    mz_progress *progress = NULL;
    if (!rc) {
        progress = mz_progress_new(cli->err, cli->quiet ? MZ_PROGRESS_QUIET : MZ_PROGRESS_AUTO,
                                   "reading vectors (bytes)", 0);
        vo.progress = progress;
        rc = mz_vectors_load(&v, path, &vo, cli->ctx);
        mz_progress_free(progress);
    }
    const char *test_name = mz_cli_get(args, "name");
    if (!rc) rc = mz_static_weat_run(&result, test_name ? test_name : "X vs Y / A vs B", v, lists,
                                     &opt, cli->ctx);
    if (!rc && mz_cli_flag(args, "json")) {
        json_t *j = mz_report_static_weat_json(&result);
        if (!j || json_dumpf(j, cli->out, JSON_INDENT(2) | JSON_REAL_PRECISION(17)))
            rc = mz_fail(cli->ctx, MZ_ERR_IO, NULL, "cannot write JSON to standard output");
        fputc('\n', cli->out);
        json_decref(j);
    } else if (!rc) {
        print_table(cli->out, &result, lists);
    }
    if (!rc && !result.computable) rc = mz_fail(cli->ctx, MZ_ERR_INPUT, path, "%s", result.reason);
    mz_static_weat_clear(&result);
    mz_vectors_free(v);
    mz_free(keep);
    for (int i = 0; i < MZ_N_ROLES; i++) {
        mz_free((void *)lists[i].words);
        mz_free(copies[i]);
    }
    return rc;
}

const mz_cli_command mz_cmd_weat = {
    .name = "weat",
    .summary = "association tests (WEAT) on static word vectors",
    .usage = "--vectors FILE --x W,.. --y W,.. --a W,.. --b W,.. [options]",
    .description =
        "Runs the Word Embedding Association Test (Caliskan et al. 2017) on fastText, GloVe or\n"
        "word2vec vectors. For each target word w, s(w,A,B) is its mean cosine similarity to the\n"
        "A words minus that to the B words. The effect size d compares the X and Y means of s in\n"
        "units of its standard deviation; the p-value is the share of all equal-size splits of\n"
        "X and Y that score at least as high (exact when there are at most a million splits,\n"
        "Monte Carlo otherwise), and the interval comes from resampling every set. Words missing\n"
        "from the vectors are listed; a set that loses too many is reported as not computable\n"
        "(exit 3) instead of a silently smaller test. Only the words asked for are kept in memory.",
    .examples =
        "  mizani weat --vectors cc.sw.300.vec --x daktari,mhandisi --y mpishi,mkunga \\\n"
        "      --a baba,kaka,mwanamume --b mama,dada,mwanamke --lower\n"
        "  mizani weat --vectors glove.txt --x math,algebra --y poetry,art --a he,man --b she,woman "
        "--json\n",
    .opts = weat_opts,
    .max_args = 0,
    .run = run_weat,
};
