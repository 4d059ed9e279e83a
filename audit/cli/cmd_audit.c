/* `mizani audit`: every test that applies to a model in one run, one report folder. The command
 * reads its options (and --config), loads and lints the probe sets before the model runs, opens
 * the model with its tokenizer, and hands them to the library's audit job; then it writes
 * results.json, report.html and report.md atomically. Ctrl-C stops it between items, leaving no
 * file at the final paths. */
#include "cli.h"
#include "cli_results.h"
#include "mizani/audit.h"
#include "mizani/fairness.h"
#include "mizani/report.h"

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SW_DICTIONARY "/usr/share/hunspell/sw_TZ.dic"

/* The demonstration masked LM (demo/models/demo-mlm among the shipped corpora), when it is
 * installed: what `mizani audit` audits without --model. */
static int demo_model(char *path, size_t n) {
    struct stat st;
    snprintf(path, n, "%s/demo/models/demo-mlm", mz_cli_corpora_dir());
    char config[4200];
    snprintf(config, sizeof config, "%s/config.json", path);
    return !stat(config, &st) && S_ISREG(st.st_mode);
}

/* Lints every set against the project's name and slur lists (those loaded, and the shipped
 * lexicon): the first error stops the audit before the model runs. */
static mz_status lint_sets(mz_cli *cli, mz_probe_set **sets, size_t n) {
    mz_probe_set **lists = mz_calloc(n + 3, sizeof *lists), *own[2] = {NULL, NULL};
    size_t n_lists = 0;
    mz_status rc = lists ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++)
        if (sets[i]->kind == MZ_PROBE_NAMES || sets[i]->kind == MZ_PROBE_SLURS)
            lists[n_lists++] = sets[i];
    static const char *const lexicon[] = {"lexicon/names-east-africa.json", "lexicon/slurs.json"};
    for (int k = 0; !rc && !n_lists && k < 2; k++) { /* probes of one's own: the shipped lists */
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", mz_cli_corpora_dir(), lexicon[k]);
        if (access(path, R_OK)) continue;
        if (!(rc = mz_probes_load(&own[k], path, cli->ctx))) lists[n_lists++] = own[k];
    }
    for (size_t i = 0; !rc && i < n; i++) {
        mz_lint_report report = {0};
        rc = mz_probes_lint(&report, sets[i], cli->ctx);
        if (!rc) rc = mz_probes_lint_lists(&report, sets[i], lists, n_lists, cli->ctx);
        for (size_t k = 0; !rc && k < report.n; k++)
            if (report.items[k].severity == MZ_LINT_ERROR)
                rc = mz_fail_line(cli->ctx, MZ_ERR_INPUT, sets[i]->path, report.items[k].line, 0,
                                  "at %s: %s (the probe file fails lint: the audit stops before "
                                  "the model runs; see 'mizani probes lint')",
                                  report.items[k].where, report.items[k].message);
        mz_lint_report_clear(&report);
    }
    mz_probes_free(own[0]);
    mz_probes_free(own[1]);
    mz_free(lists);
    return rc;
}

/* --lang: the languages as a list pointing into `buf` (a copy of the option). */
static mz_status read_langs(mz_cli *cli, const char *spec, char *buf, size_t n_buf,
                            const char *langs[16], size_t *n) {
    *n = 0;
    if (!spec) return MZ_OK;
    if (strlen(spec) >= n_buf) return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--lang is too long");
    strcpy(buf, spec);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*n == 16) return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--lang lists too many");
        langs[(*n)++] = tok;
    }
    return *n ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--lang names no language");
}

static mz_status read_method(mz_cli *cli, const char *s, int *method) {
    *method = -1;
    if (!s || !strcmp(s, "auto")) return MZ_OK;
    for (int k = MZ_LIK_PLL; k <= MZ_LIK_CAUSAL; k++)
        if (!strcmp(s, mz_lik_method_name((mz_lik_method)k))) return *method = k, MZ_OK;
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                   "--method must be auto, pll, aul, aula or causal, not '%s'", s);
}

static mz_status read_numbers(mz_cli *cli, const mz_cli_args *args, mz_audit_options *o) {
    long v[9] = {o->layer,
                 (long)o->permutations,
                 (long)o->bootstrap,
                 (long)o->samples,
                 (long)o->static_permutations,
                 (long)o->static_bootstrap,
                 o->explain_top,
                 o->explain.steps,
                 (long)o->null_reference};
    static const char *const names[9] = {"layer",       "permutations",        "bootstrap",
                                         "samples",     "static-permutations", "static-bootstrap",
                                         "explain-top", "explain-steps",       "null-reference"};
    static const long lo[9] = {0, 100, 0, 2, 1, 0, 0, 1, 0},
                      hi[9] = {1024,     100000000, 1000000, 10000000, 1000000000,
                               10000000, 100,       1000,    1000};
    mz_status rc = MZ_OK;
    for (int k = 0; !rc && k < 9; k++)
        rc = mz_cli_get_long(cli, args, names[k], lo[k], hi[k], &v[k]);
    o->layer = (int)v[0], o->permutations = (uint64_t)v[1], o->bootstrap = (uint32_t)v[2];
    o->samples = (uint32_t)v[3], o->static_permutations = (uint64_t)v[4];
    o->static_bootstrap = (uint32_t)v[5], o->explain_top = (int)v[6], o->explain.steps = (int)v[7];
    o->null_reference = (uint32_t)v[8];
    if (!rc) rc = mz_cli_get_double(cli, args, "threshold-d", 0, 10, &o->rules.d);
    if (!rc) rc = mz_cli_get_double(cli, args, "threshold-rate", 0, 0.5, &o->rules.rate);
    if (!rc) rc = mz_cli_get_double(cli, args, "threshold-log-ratio", 0, 100, &o->rules.log_ratio);
    return rc;
}

typedef struct audit_cmd {
    mz_audit_options o;
    char lang_buf[256];
    const char *langs[16];
    mz_probe_set **sets;
    size_t n_sets;
    char **dict;
    size_t n_dict;
    mz_model *m;
    mz_tokenizer *t;
    char demo[4096];
    const char *model, *out, *figures;
} audit_cmd;

static mz_status read_options(mz_cli *cli, const mz_cli_args *args, audit_cmd *a) {
    mz_audit_options_default(&a->o);
    const char *tests = mz_cli_get(args, "tests"), *methods = mz_cli_get(args, "explain-methods");
    size_t n_langs;
    mz_status rc = tests ? mz_audit_parse_tests(&a->o.tests, tests, cli->ctx) : MZ_OK;
    if (!rc && methods) rc = mz_explain_parse_methods(&a->o.explain.methods, methods, cli->ctx);
    if (!rc) rc = read_numbers(cli, args, &a->o);
    if (!rc && !mz_cli_get(args, "layer")) a->o.layer = -1;
    if (!rc) rc = read_method(cli, mz_cli_get(args, "method"), &a->o.method);
    if (!rc)
        rc = read_langs(cli, mz_cli_get(args, "lang"), a->lang_buf, sizeof a->lang_buf, a->langs,
                        &n_langs);
    if (!rc && n_langs) a->o.languages = a->langs, a->o.n_languages = n_langs;
    a->o.seed = cli->seed;
    a->o.log = cli->quiet ? NULL : cli->err;
    a->model = mz_cli_get(args, "model");
    a->out = mz_cli_get(args, "out") ? mz_cli_get(args, "out") : "mizani-report";
    a->figures = mz_cli_get(args, "figures");
    if (!rc && !a->model) {
        if (!demo_model(a->demo, sizeof a->demo))
            rc = mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                         "no --model given and no demonstration model installed (%s)", a->demo);
        a->model = a->demo;
    }
    return rc;
}

/* The Swahili word list for fairness' dictionary check, where installed. */
static mz_status read_dictionary(mz_cli *cli, const mz_cli_args *args, audit_cmd *a) {
    const char *dic = mz_cli_get(args, "dictionary");
    if (!dic && access(SW_DICTIONARY, F_OK)) return MZ_OK;
    mz_status rc = mz_word_list_read(&a->dict, &a->n_dict, dic ? dic : SW_DICTIONARY, cli->ctx);
    a->o.dictionary = (const char *const *)a->dict, a->o.n_dictionary = a->n_dict;
    return rc;
}

static void on_sigint(int sig) {
    (void)sig;
    mz_interrupt();
}

/* Ctrl-C must never land on a thread that runs the engine. The kernel writes a handler's frame
 * (about 3 KB with the AVX-512 state) just below the interrupted thread's stack pointer, and
 * oneDNN's JIT SGEMM kernel points that at a heap workspace while it runs (K above 84): a
 * SIGINT landing there overwrote the heap below it (glibc's "corrupted size vs. prev_size", or
 * a libgomp team in a hang). So the audit's threads block SIGINT, and this thread of its own
 * takes it; OpenBLAS's server threads, made before main, may still take it through on_sigint,
 * on a stack of their own. */
static void *take_sigint(void *set) {
    int sig;
    while (!sigwait(set, &sig))
        mz_interrupt();
    return NULL;
}

/* SIGINT blocked (how = SIG_BLOCK) or let through again (SIG_UNBLOCK) in this thread and in the
 * OpenMP threads made so far; threads made later inherit their maker's mask. */
static void mask_sigint(int how, const sigset_t *set) {
    pthread_sigmask(how, set, NULL);
#pragma omp parallel
    pthread_sigmask(how, set, NULL);
}

typedef struct sigint_guard {
    struct sigaction old;
    sigset_t set;
    pthread_t taker;
    int blocked, taking; /* blocked: by the caller already */
} sigint_guard;

/* A caller that blocks SIGINT keeps it so, and no handler is set (a thread it left open could
 * take it on an engine stack). Without a taker thread the threads are let through again, as a
 * lost Ctrl-C would let the audit run on. */
static void sigint_take(sigint_guard *g) {
    sigset_t was;
    sigemptyset(&g->set);
    sigaddset(&g->set, SIGINT);
    pthread_sigmask(SIG_BLOCK, NULL, &was);
    g->blocked = sigismember(&was, SIGINT) == 1;
    if (g->blocked) return;
    struct sigaction sa = {.sa_handler = on_sigint};
    sa.sa_flags = SA_RESTART; /* a read or write under way finishes */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g->old);
    mask_sigint(SIG_BLOCK, &g->set);
    g->taking = !pthread_create(&g->taker, NULL, take_sigint, &g->set);
    if (!g->taking) mask_sigint(SIG_UNBLOCK, &g->set);
}

static void sigint_release(sigint_guard *g) {
    if (g->blocked) return;
    if (g->taking) pthread_cancel(g->taker), pthread_join(g->taker, NULL);
    mask_sigint(SIG_UNBLOCK, &g->set);
    sigaction(SIGINT, &g->old, NULL);
}

/* The verdicts in one line on standard output, and where the report is. */
static void summary(mz_cli *cli, const mz_results *r, const char *out) {
    size_t count[4] = {0}, i;
    const char *key;
    const json_t *sec, *f;
    json_object_foreach(json_object_get(mz_results_json(r), "sections"), key, sec) {
        json_array_foreach(json_object_get(sec, "findings"), i, f) {
            const char *v = json_string_value(json_object_get(f, "verdict"));
            if (!v || json_is_true(json_object_get(f, "positive_control"))) continue;
            for (int k = 0; k < 3; k++)
                count[k] += !strcmp(v, mz_verdict_names[k]);
        }
    }
    fprintf(cli->out,
            "audit: %zu findings with clear evidence of bias, %zu inconclusive, %zu with no "
            "evidence (positive controls apart)\nreport: %s/report.html (summary for a model "
            "card: %s/report.md)\n",
            count[0], count[1], count[2], out, out);
}

static mz_status run_audit(mz_cli *cli, const mz_cli_args *args, audit_cmd *a) {
    mz_results *r = NULL;
    mz_audit_inputs in = {a->m, a->model, a->t, a->sets, a->n_sets};
    sigint_guard g; /* the audit stops at its next item */
    sigint_take(&g);
    mz_status rc = mz_cli_results_new(&r, cli, "audit", args);
    const char *config = mz_cli_get(args, "config");
    if (!rc && config) rc = mz_results_file_identity(r, mz_results_run(r), "config_file", config);
    if (!rc) rc = mz_audit_run(r, &in, &a->o, cli->ctx);
    if (!rc && mz_interrupted()) rc = mz_fail(cli->ctx, MZ_ERR_INTERRUPTED, NULL, "interrupted");
    if (!rc) rc = mz_cli_write_audit(cli, r, a->out, a->figures);
    sigint_release(&g);
    if (rc == MZ_ERR_INTERRUPTED)
        mz_fail(cli->ctx, rc, NULL, "interrupted: nothing was written to %s", a->out);
    if (!rc) summary(cli, r, a->out);
    mz_results_free(r);
    return rc;
}

static mz_status audit_cmd_run(mz_cli *cli, const mz_cli_args *given) {
    mz_cli_args args = *given;
    char **owned = NULL;
    size_t n_owned = 0;
    audit_cmd a = {0};
    extern const mz_cli_command mz_cmd_audit;
    const char *config = mz_cli_get(given, "config");
    mz_status rc =
        config ? mz_cli_merge_config(cli, &mz_cmd_audit, config, &args, &owned, &n_owned) : MZ_OK;
    long v = cli->threads;
    if (!rc && !mz_cli_get(given, "seed") && mz_cli_get(&args, "seed")) {
        rc = mz_cli_get_long(cli, &args, "seed", 0, 2147483647L, &v);
        cli->seed = (unsigned long)v;
    }
    if (!rc && !mz_cli_get(given, "threads") && mz_cli_get(&args, "threads")) {
        rc = mz_cli_get_long(cli, &args, "threads", 0, 4096, &v);
        if (!rc) mz_set_threads((int)v);
    }
    if (!rc && mz_cli_flag(&args, "quiet")) cli->quiet = 1;
    if (!rc) rc = read_options(cli, &args, &a);
    const char *probes = mz_cli_get(&args, "probes");
    if (!rc)
        rc = mz_cli_load_probe_sets(cli, probes ? probes : "default", MZ_CLI_ANY_KIND, &a.sets,
                                    &a.n_sets);
    if (!rc) rc = lint_sets(cli, a.sets, a.n_sets);
    if (!rc) rc = read_dictionary(cli, &args, &a);
    if (!rc) rc = mz_cli_open_model(cli, a.model, mz_cli_get(&args, "tokenizer"), &a.m, &a.t);
    if (!rc) rc = run_audit(cli, &args, &a);
    mz_word_list_free(a.dict, a.n_dict);
    mz_tokenizer_free(a.t);
    mz_model_free(a.m);
    mz_cli_free_sets(a.sets, a.n_sets);
    for (size_t i = 0; i < n_owned; i++)
        mz_free(owned[i]);
    mz_free(owned);
    return rc;
}

static const mz_cli_opt audit_opts[] = {
    {"model", "DIR|FILE.gguf",
     "the model (default: the demonstration masked LM, corpora/demo/models/demo-mlm, when installed)"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"probes", "PATHS", "probe files or folders, comma-separated (default: the shipped ones)"},
    {"lang", "LIST", "only probe sets in these languages, e.g. sw or sw,en (default: all)"},
    {"tests", "LIST",
     "fairness,static,seat,ceat,pairs,masked,explain or all (default: all that\n"
     "apply to the model)"},
    {"layer", "L", "SEAT's and CEAT's hidden state (default: the last)"},
    {"out", "DIR", "the report folder (default ./mizani-report)"},
    {"figures", "DIR", "also write each figure as a standalone SVG file into DIR"},
    {"config", "FILE", "options as a JSON object {\"option\": value}; the command line wins"},
    {"explain-top", "K",
     "explain the K strongest minimal pairs per category and language, and masked-\n"
     "template attributes per set (default 1; 0: none)"},
    {"explain-methods", "LIST", "the explanation methods (default ig,occlusion,attention,attattr)"},
    {"explain-steps", "N", "Integrated Gradients' points (default 50)"},
    {"method", "NAME", "minimal pairs: pll, aul, aula, causal or auto (by the model)"},
    {"permutations", "N", "SEAT and CEAT permutations (default 10000)"},
    {"bootstrap", "N", "SEAT and CEAT bootstrap draws (default 1000)"},
    {"samples", "N", "CEAT's descriptive samples (default 1000)"},
    {"null-reference", "K",
     "SEAT's and CEAT's tests whose words share tokens also on K random-weight copies of "
     "the model: p becomes the larger of the word-level p and the copies' reference "
     "(default 10 for a model folder, none for a GGUF file; 0: none, else at least 3). "
     "Costs at most about 41 CPU s a copy for each of SEAT and CEAT on a BERT-base model"},
    {"static-permutations", "N", "input-embedding WEAT permutations (default 100000)"},
    {"static-bootstrap", "N", "input-embedding WEAT bootstrap draws (default 5000)"},
    {"dictionary", "FILE", "Swahili word list for tokenizer fairness (default: hunspell-sw's)"},
    {"threshold-d", "X", "verdicts: the |d| of an association that counts (default 0.5)"},
    {"threshold-rate", "X", "verdicts: a preference's distance from 50% that counts (0.1)"},
    {"threshold-log-ratio", "X", "verdicts: masked templates' mean log ratio that counts (0.25)"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_audit = {
    .name = "audit",
    .summary = "audit a model for social bias in Swahili and English: one run, one HTML report",
    .usage = "--model DIR|FILE.gguf [--probes PATHS] [--lang sw,en] [--tests LIST] [--layer L]\n"
             "       [--out DIR] [--config FILE] [--figures DIR] [--explain-top K]",
    .description =
        "Runs every test that applies to the model: tokenizer fairness on the parallel text,\n"
        "association tests on the input embeddings (WEAT), on sentence embeddings (SEAT) and on\n"
        "contextual word embeddings (CEAT), minimal pairs (pseudo-log-likelihood for masked LMs,\n"
        "log-likelihood for decoders), masked templates (masked LMs), and explanations of the\n"
        "strongest minimal pairs and templates. A test that does not apply (a decoder has no\n"
        "[MASK]) is listed as skipped with the reason. Probe files are linted first: one that\n"
        "fails stops the audit before the model runs (exit 3). Writes results.json (every number,\n"
        "with per-item scores and provenance), report.html (summary with verdicts, transparency\n"
        "card, one section per family, methods) and report.md (for a model card) into --out,\n"
        "atomically. Exit 3 when no test at all can be computed, 5 on non-finite scores, 130\n"
        "when interrupted (nothing written). Deterministic for --seed, whatever --threads.",
    .examples = "  mizani audit --model ./afriberta-small --out audit-before\n"
                "  mizani audit --model ./gpt2 --lang sw --tests pairs,seat --figures figs\n"
                "  mizani audit --config audit.json --seed 7\n",
    .opts = audit_opts,
    .max_args = 0,
    .run = audit_cmd_run,
};
