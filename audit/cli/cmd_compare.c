/* `mizani compare`: the regression gate. Audits of checkpoints (results.json files, or models
 * and vector files audited here first) compared finding by finding and item by item, with exit
 * status 1 when a bias grew past its threshold: for CI pipelines after fine-tuning. */
#include "cli_compare.h"
#include "cli_results.h"

#include "mizani/audit.h"
#include "mizani/file.h"
#include "mizani/report.h"
#include "mizani/static_audit.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

static const mz_cli_opt compare_opts[] = {
    {"out", "DIR", "write DIR/compare.html and DIR/compare.json (atomically)"},
    {"junit", "FILE", "write JUnit XML: a testcase per finding, failure = regressed"},
    {"json", NULL, "print the comparison's results tree (compare.json)"},
    {"threshold", "SPEC",
     "the growth of bias that fails the gate: FAMILY=X[,FAMILY=X...] for\n"
     "static, seat, ceat (or association), pairs, masked, fairness; a bare\n"
     "number sets |d| of the association tests (defaults: |d| 0.2, preference\n"
     "rate 0.05, log-probability ratio 0.1, premium 0.1)"},
    {"alpha", "A", "family-wise error rate of the Holm correction (default 0.05)"},
    {"tests", "LIST",
     "compare only these families (static, seat, ceat, association, pairs,\n"
     "masked, fairness); a token-level test named here that cannot pair is\n"
     "an error"},
    {"allow-probe-change", NULL,
     "compare audits made with different probe-set versions on the items\n"
     "they share"},
    {"config", "FILE",
     "JSON with any of thresholds {FAMILY: X}, alpha, tests, permutations,\n"
     "bootstrap, probes, allow_probe_change; the command line wins"},
    {"probes", "PATHS",
     "probe sets for the inputs audited here (default: those of a results\n"
     "file beside them, else the shipped corpora)"},
    {"lower", NULL, "vector files audited here: match words after Unicode case folding"},
    {"format", "text|bin", "vector files: the format when the extension does not tell"},
    {"permutations", "N", "patterns of each change test (default 10000; exact below)"},
    {"bootstrap", "N", "draws of each change's interval (default 2000)"},
    {"before", "PATH", "the first checkpoint (as the first argument)"},
    {"after", "PATH", "the last checkpoint (as the last argument)"},
    {NULL, NULL, NULL},
};

/* ---- Options: the config file, then the command line ------------------------------------ */

static mz_status set_tests(mz_cli *cli, const char *list, unsigned *mask) {
    *mask = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)(len < 31 ? len : 31), p);
        int f = mz_cmp_family(name);
        if (!strcmp(name, "association"))
            *mask |= 1u << MZ_CMP_STATIC | 1u << MZ_CMP_SEAT | 1u << MZ_CMP_CEAT;
        else if (f >= 0)
            *mask |= 1u << f;
        else
            return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                           "--tests: unknown family '%s' (known: static, seat, ceat, "
                           "association, pairs, masked, fairness)",
                           name);
        p += len + (p[len] == ',');
    }
    return MZ_OK;
}

static mz_status set_threshold(mz_cli *cli, mz_compare_options *o, const char *name, double x) {
    int f = mz_cmp_family(name);
    if (!(x >= 0 && x < 1e6))
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--threshold %s: %g is not a threshold", name,
                       x);
    if (!strcmp(name, "association"))
        o->threshold[MZ_CMP_STATIC] = o->threshold[MZ_CMP_SEAT] = o->threshold[MZ_CMP_CEAT] = x;
    else if (f >= 0)
        o->threshold[f] = x;
    else
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "--threshold: unknown family '%s' (known: static, seat, ceat, "
                       "association, pairs, masked, fairness)",
                       name);
    return MZ_OK;
}

static mz_status parse_thresholds(mz_cli *cli, mz_compare_options *o, const char *spec) {
    char *copy = mz_strdup(spec);
    mz_status rc = copy ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (char *tok = copy ? strtok(copy, ",") : NULL; !rc && tok; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '='), *end;
        double x = strtod(eq ? eq + 1 : tok, &end);
        if (eq) *eq = '\0';
        if (*end || end == (eq ? eq + 1 : tok))
            rc = mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                         "--threshold takes X or FAMILY=X[,FAMILY=X...], not '%s'", spec);
        else
            rc = set_threshold(cli, o, eq ? tok : "association", x);
    }
    mz_free(copy);
    return rc;
}

typedef struct settings {
    mz_compare_options o;
    const char *probes; /* NULL: default */
    json_t *config;     /* keeps the config's strings alive */
    int tests_explicit;
} settings;

static mz_status config_error(mz_cli *cli, const char *path, const char *key, const char *what) {
    char where[96];
    snprintf(where, sizeof where, "$.%.60s", key);
    return mz_fail_path(cli->ctx, MZ_ERR_INPUT, path, where, "%s", what);
}

static mz_status read_config(mz_cli *cli, settings *s, const char *path) {
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, path, 1 << 20, cli->ctx);
    if (rc) return rc;
    json_error_t err;
    s->config = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    mz_free(text);
    if (!s->config)
        return mz_fail_line(cli->ctx, MZ_ERR_INPUT, path, err.line, err.column, "%s", err.text);
    if (!json_is_object(s->config)) return config_error(cli, path, "", "not a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(s->config, key, v) {
        if (!strcmp(key, "thresholds") && json_is_object(v)) {
            const char *fam;
            json_t *x;
            json_object_foreach(v, fam, x) {
                if (!json_is_number(x))
                    return config_error(cli, path, "thresholds", "a threshold must be a number");
                if ((rc = set_threshold(cli, &s->o, fam, json_number_value(x)))) {
                    mz_ctx_clear(cli->ctx);
                    return config_error(cli, path, "thresholds",
                                        "unknown family, or not a threshold");
                }
            }
        } else if (!strcmp(key, "alpha") && json_is_number(v) && json_number_value(v) > 0 &&
                   json_number_value(v) < 1)
            s->o.alpha = json_number_value(v);
        else if (!strcmp(key, "tests") && json_is_string(v)) {
            if ((rc = set_tests(cli, json_string_value(v), &s->o.families))) {
                mz_ctx_clear(cli->ctx);
                return config_error(cli, path, key, "unknown family");
            }
            s->tests_explicit = 1;
        } else if (!strcmp(key, "permutations") && json_is_integer(v) && json_integer_value(v) > 0)
            s->o.n_permutations = (uint64_t)json_integer_value(v);
        else if (!strcmp(key, "bootstrap") && json_is_integer(v) && json_integer_value(v) >= 0)
            s->o.n_bootstrap = (uint32_t)json_integer_value(v);
        else if (!strcmp(key, "probes") && json_is_string(v))
            s->probes = json_string_value(v);
        else if (!strcmp(key, "allow_probe_change") && json_is_boolean(v))
            s->o.allow_probe_change = json_is_true(v);
        else
            return config_error(cli, path, key,
                                "unknown option, or a value of the wrong type (known: "
                                "thresholds, alpha, tests, permutations, bootstrap, probes, "
                                "allow_probe_change)");
    }
    return MZ_OK;
}

static mz_status read_settings(mz_cli *cli, const mz_cli_args *args, settings *s) {
    mz_compare_options_default(&s->o);
    s->o.seed = cli->seed;
    const char *cfg = mz_cli_get(args, "config"), *v;
    mz_status rc = cfg ? read_config(cli, s, cfg) : MZ_OK;
    long perms = (long)s->o.n_permutations, boot = (long)s->o.n_bootstrap;
    if (!rc) rc = mz_cli_get_double(cli, args, "alpha", 1e-9, 0.5, &s->o.alpha);
    if (!rc) rc = mz_cli_get_long(cli, args, "permutations", 1, 100000000L, &perms);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 10000000L, &boot);
    if (!rc && (v = mz_cli_get(args, "threshold"))) rc = parse_thresholds(cli, &s->o, v);
    if (!rc && (v = mz_cli_get(args, "tests"))) {
        rc = set_tests(cli, v, &s->o.families);
        s->tests_explicit = 1;
    }
    if (mz_cli_get(args, "probes")) s->probes = mz_cli_get(args, "probes");
    if (mz_cli_flag(args, "allow-probe-change")) s->o.allow_probe_change = 1;
    s->o.n_permutations = (uint64_t)perms, s->o.n_bootstrap = (uint32_t)boot;
    if (!s->tests_explicit) s->o.families = 0;
    return rc;
}

/* ---- Inputs ------------------------------------------------------------------------------- */

static int is_dir(const char *path) {
    struct stat st;
    return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int exists(const char *dir, const char *name) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return !stat(path, &st);
}

static int ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && !strcmp(s + n - k, tail);
}

/* "results" (a results.json, or a report folder holding one), "model" or "vectors". */
static const char *kind_of(const char *path) {
    if (is_dir(path))
        return exists(path, "results.json") && !exists(path, "config.json") ? "results" : "model";
    if (ends_with(path, ".json")) return "results";
    return ends_with(path, ".gguf") ? "model" : "vectors";
}

typedef struct inputs {
    const mz_results *reference; /* the results file whose options inputs audited here take */
    mz_probe_set **sets;         /* vector files: the association sets */
    size_t n_sets;
    const char **words;
    size_t n_words;
    mz_static_options opt; /* how vector files are audited */
    char *probes;          /* the association probe sets the reference records */
    char *all_probes;      /* every probe set it records */
    mz_probe_set **all;    /* models: every probe set */
    size_t n_all;
    mz_audit_options audit; /* how models are audited */
    const char *langs[16];
} inputs;

/* The probe sets a results file records (of `kind`, or all when NULL), as a --probes list
 * (NULL: none, or a path that would not survive the list). */
static char *recorded_probes(const mz_results *r, const char *kind) {
    const json_t *sets = json_object_get(mz_results_json(r), "probe_sets"), *x;
    size_t i, len = 1;
    json_array_foreach(sets, i, x) {
        const char *path = json_string_value(json_object_get(x, "path"));
        const char *k = json_string_value(json_object_get(x, "kind"));
        if (!path || strchr(path, ',')) return NULL;
        if (!kind || (k && !strcmp(k, kind))) len += strlen(path) + 1;
    }
    char *out = len > 1 ? mz_malloc(len) : NULL;
    if (!out) return NULL;
    out[0] = '\0';
    json_array_foreach(sets, i, x) {
        const char *k = json_string_value(json_object_get(x, "kind"));
        if (kind && (!k || strcmp(k, kind))) continue;
        if (out[0]) strcat(out, ",");
        strcat(out, json_string_value(json_object_get(x, "path")));
    }
    return out;
}

static long config_int(const json_t *c, const char *family, const char *key, long dflt) {
    const json_t *v = json_object_get(family ? json_object_get(c, family) : c, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

/* The audit's options as an audit recorded them ($.run.effective_config). */
static void recorded_audit(inputs *in, const json_t *c) {
    mz_audit_options *o = &in->audit;
    size_t i;
    const json_t *x;
    unsigned tests = 0;
    json_array_foreach(json_object_get(c, "tests"), i, x) {
        for (int k = 0; k < MZ_AUDIT_N_TESTS; k++)
            if (json_is_string(x) && !strcmp(json_string_value(x), mz_audit_test_names[k]))
                tests |= 1u << k;
    }
    if (tests) o->tests = tests;
    json_array_foreach(json_object_get(c, "lang"), i, x) {
        if (json_is_string(x) && o->n_languages < 16)
            in->langs[o->n_languages++] = json_string_value(x);
    }
    if (o->n_languages) o->languages = in->langs;
    o->layer = (int)config_int(c, NULL, "layer", o->layer);
    o->seed = (unsigned long)config_int(c, NULL, "seed", (long)o->seed);
    o->static_permutations =
        (uint64_t)config_int(c, "static", "permutations", (long)o->static_permutations);
    o->static_bootstrap = (uint32_t)config_int(c, "static", "bootstrap", o->static_bootstrap);
    o->permutations = (uint64_t)config_int(c, "seat", "permutations", (long)o->permutations);
    o->bootstrap = (uint32_t)config_int(c, "seat", "bootstrap", o->bootstrap);
    o->samples = (uint32_t)config_int(c, "ceat", "samples", o->samples);
    o->null_reference = (uint32_t)config_int(c, "seat", "null_reference", o->null_reference);
    o->likelihood_bootstrap =
        (uint32_t)config_int(c, "masked", "bootstrap", o->likelihood_bootstrap);
    o->fairness_bootstrap = (uint32_t)config_int(c, "fairness", "bootstrap", o->fairness_bootstrap);
    const char *method = json_string_value(json_object_get(json_object_get(c, "pairs"), "method"));
    for (int k = MZ_LIK_PLL; method && k <= MZ_LIK_CAUSAL; k++)
        if (!strcmp(method, mz_lik_method_name((mz_lik_method)k))) o->method = k;
    const json_t *th = json_object_get(c, "thresholds");
    if (json_is_number(json_object_get(th, "alpha")))
        o->rules.alpha = json_number_value(json_object_get(th, "alpha"));
    if (json_is_number(json_object_get(th, "d")))
        o->rules.d = json_number_value(json_object_get(th, "d"));
    if (json_is_number(json_object_get(th, "rate")))
        o->rules.rate = json_number_value(json_object_get(th, "rate"));
    if (json_is_number(json_object_get(th, "log_ratio")))
        o->rules.log_ratio = json_number_value(json_object_get(th, "log_ratio"));
}

/* The static settings a results file records ($.sections.static.settings). */
static void recorded_static(inputs *in, const json_t *st) {
    mz_static_options *opt = &in->opt;
    const json_t *v;
    if ((v = json_object_get(st, "permutations")) && json_integer_value(v) > 0)
        opt->weat.n_permutations = (uint64_t)json_integer_value(v);
    if ((v = json_object_get(st, "bootstrap")) && json_integer_value(v) >= 0)
        opt->weat.n_bootstrap = (uint32_t)json_integer_value(v);
    if ((v = json_object_get(st, "max_exact_splits")) && json_integer_value(v) > 0)
        opt->weat.max_exact = (uint64_t)json_integer_value(v);
    if ((v = json_object_get(st, "ci_level")) && json_is_number(v))
        opt->weat.ci_level = json_number_value(v);
    if ((v = json_object_get(st, "max_missing")) && json_is_number(v))
        opt->max_missing = json_number_value(v);
    opt->fold_case = json_is_true(json_object_get(st, "case_folding"));
    in->audit.static_permutations = opt->weat.n_permutations;
    in->audit.static_bootstrap = opt->weat.n_bootstrap;
}

/* The audit tests of the families compare was asked for (all: 0). */
static unsigned audit_tests(unsigned families) {
    unsigned t = 0;
    for (int f = 0; f < MZ_CMP_N_FAMILIES; f++)
        for (int k = 0; families & (1u << f) && k < MZ_AUDIT_N_TESTS; k++)
            if (!strcmp(mz_cmp_family_names[f], mz_audit_test_names[k])) t |= 1u << k;
    return t;
}

/* Inputs audited here are audited as the first results file among them was: a model by
 * `mizani audit`'s job with that audit's effective configuration and probe sets (the static
 * settings alone when it holds the static family only, as `mizani weat` writes), a vector file
 * by the static audit with its static settings; without one, the defaults of `mizani audit`
 * and of `mizani weat` with the shipped probe sets. Explanations are never run: they are not
 * compared. --tests keeps the families asked for; --probes and --lower win. */
static void audit_options(mz_cli *cli, const mz_cli_args *args, mz_checkpoint *const *cps, size_t n,
                          const settings *s, inputs *in) {
    mz_static_options_default(&in->opt);
    in->opt.weat.n_permutations = 100000, in->opt.weat.n_bootstrap = 5000; /* weat's defaults */
    mz_audit_options_default(&in->audit);
    in->audit.seed = cli->seed;
    for (size_t i = 0; i < n && !in->reference; i++)
        in->reference = cps[i] ? mz_checkpoint_results(cps[i]) : NULL;
    const json_t *root = in->reference ? mz_results_json(in->reference) : NULL;
    const json_t *config = json_object_get(json_object_get(root, "run"), "effective_config");
    const json_t *st =
        json_object_get(json_object_get(json_object_get(root, "sections"), "static"), "settings");
    if (st) recorded_static(in, st);
    if (config)
        recorded_audit(in, config);
    else if (root) /* results of one family's command: that family */
        in->audit.tests = 0;
    for (int f = 0; root && !config && f < MZ_CMP_N_FAMILIES; f++)
        if (json_object_get(json_object_get(root, "sections"), mz_cmp_family_names[f]))
            in->audit.tests |= audit_tests(1u << f);
    if (root) {
        in->probes = recorded_probes(in->reference, "association");
        in->all_probes = recorded_probes(in->reference, NULL);
    }
    in->audit.tests &= ~(1u << MZ_AUDIT_EXPLAIN);
    if (s->tests_explicit) in->audit.tests &= audit_tests(s->o.families);
    in->audit.log = cli->quiet ? NULL : cli->err;
    if (mz_cli_flag(args, "lower")) in->opt.fold_case = 1;
    in->opt.weat.seed = in->opt.metric.seed = cli->seed;
}

/* A model through `mizani audit`'s job, into a tree. */
static mz_status audit_model(mz_cli *cli, const char *path, inputs *in, const settings *s,
                             mz_results **out) {
    const char *spec = s->probes ? s->probes : in->all_probes ? in->all_probes : "default";
    mz_status rc =
        in->all ? MZ_OK : mz_cli_load_probe_sets(cli, spec, MZ_CLI_ANY_KIND, &in->all, &in->n_all);
    if (rc) return rc;
    if (!in->audit.tests)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "%s: none of the families asked for can be audited here", path);
    if (!cli->quiet) {
        fprintf(cli->err, "auditing %s (model) with `mizani audit`, seed %lu, tests", path,
                in->audit.seed);
        for (int k = 0; k < MZ_AUDIT_N_TESTS; k++)
            if (in->audit.tests & (1u << k)) fprintf(cli->err, " %s", mz_audit_test_names[k]);
        fprintf(cli->err, ", with the options of %s",
                in->reference ? "the audit of the first results file" : "`mizani audit`");
        if (in->audit.null_reference)
            fprintf(cli->err, " (a null reference of %u random copies)", in->audit.null_reference);
        fputc('\n', cli->err);
    }
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    rc = mz_cli_open_model(cli, path, NULL, &m, &t);
    mz_audit_inputs ai = {m, path, t, in->all, in->n_all};
    if (!rc) rc = mz_results_new(out, "audit", cli->ctx);
    if (!rc) rc = mz_results_set_seed(*out, in->audit.seed, mz_threads());
    if (!rc) rc = mz_audit_run(*out, &ai, &in->audit, cli->ctx);
    mz_tokenizer_free(t);
    mz_model_free(m);
    return rc;
}

/* A vector file through the static audit `mizani weat --probes` runs, into a tree. */
static mz_status audit_vectors(mz_cli *cli, const mz_cli_args *args, const char *path, inputs *in,
                               const settings *s, mz_results **out) {
    const mz_static_options *opt = &in->opt;
    mz_vectors_format format;
    mz_status rc = mz_cli_vectors_format(cli, args, &format);
    if (!rc && !in->sets)
        rc = mz_cli_load_probe_sets(cli,
                                    s->probes    ? s->probes
                                    : in->probes ? in->probes
                                                 : "default",
                                    MZ_PROBE_ASSOCIATION, &in->sets, &in->n_sets);
    if (!rc && !in->words)
        rc = mz_probe_sets_words(&in->words, &in->n_words, (const mz_probe_set *const *)in->sets,
                                 in->n_sets, cli->ctx);
    if (rc) return rc;
    if (!cli->quiet)
        fprintf(cli->err,
                "auditing %s (vectors): the association tests, as `mizani weat --probes` does\n",
                path);
    mz_vectors *v = NULL;
    mz_static_suite suite = {0};
    rc = mz_cli_open_vectors(cli, path, format, in->words, in->n_words, opt->fold_case, &v);
    mz_progress *p = rc ? NULL : mz_cli_progress(cli, "tests", in->n_sets);
    if (!rc)
        rc = mz_static_suite_run(&suite, v, path, (const mz_probe_set *const *)in->sets, in->n_sets,
                                 opt, p, cli->ctx);
    mz_progress_finish(p);
    mz_progress_free(p);
    if (!rc) rc = mz_results_new(out, "weat", cli->ctx);
    if (!rc) rc = mz_results_set_seed(*out, cli->seed, mz_threads());
    if (!rc) rc = mz_report_static_suite(*out, &suite, opt, v);
    mz_static_suite_clear(&suite);
    mz_vectors_free(v);
    return rc;
}

/* Results files on the first pass, the inputs audited here on the second. */
static mz_status open_checkpoint(mz_cli *cli, const mz_cli_args *args, const char *path, int pass,
                                 inputs *in, const settings *s, mz_checkpoint **out) {
    const char *kind = kind_of(path);
    if ((pass == 0) != !strcmp(kind, "results")) return MZ_OK;
    mz_results *r = NULL;
    mz_status rc;
    if (!strcmp(kind, "results")) {
        char file[4096];
        snprintf(file, sizeof file, is_dir(path) ? "%s/results.json" : "%s", path);
        rc = mz_results_load(&r, file, cli->ctx);
    } else if (!strcmp(kind, "model"))
        rc = audit_model(cli, path, in, s, &r);
    else
        rc = audit_vectors(cli, args, path, in, s, &r);
    if (rc) {
        mz_results_free(r);
        return rc;
    }
    return mz_checkpoint_from_results(out, r, path, kind, cli->ctx);
}

/* The checkpoints in order: --before, the arguments, --after. */
static mz_status paths(mz_cli *cli, const mz_cli_args *args, const char ***out, size_t *n) {
    const char *b = mz_cli_get(args, "before"), *a = mz_cli_get(args, "after");
    *out = mz_calloc((size_t)args->n_positional + 3, sizeof **out);
    if (!*out) return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    *n = 0;
    if (b) (*out)[(*n)++] = b;
    for (int i = 0; i < args->n_positional; i++)
        (*out)[(*n)++] = args->positional[i];
    if (a) (*out)[(*n)++] = a;
    if (*n < 2)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "'mizani compare' needs two checkpoints or more: BEFORE AFTER [MORE...] "
                       "(or --before and --after)");
    return MZ_OK;
}

static mz_status run_compare(mz_cli *cli, const mz_cli_args *args) {
    settings s = {0};
    inputs in = {0};
    const char **p = NULL;
    size_t n = 0;
    mz_checkpoint **cps = NULL;
    mz_compare c = {0};
    mz_status rc = read_settings(cli, args, &s);
    if (!rc) rc = paths(cli, args, &p, &n);
    if (!rc && !(cps = mz_calloc(n, sizeof *cps)))
        rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (int pass = 0; pass < 2; pass++) {
        if (pass && !rc) audit_options(cli, args, cps, n, &s, &in);
        for (size_t i = 0; !rc && i < n; i++)
            rc = open_checkpoint(cli, args, p[i], pass, &in, &s, &cps[i]);
    }
    mz_progress *prog = rc ? NULL : mz_cli_progress(cli, "comparisons", 0);
    if (!rc) rc = mz_compare_run(&c, cps, n, &s.o, prog, cli->ctx);
    mz_progress_finish(prog);
    mz_progress_free(prog);
    if (!rc) rc = mz_cli_compare_report(cli, args, "compare", &c, NULL, 0);
    mz_compare_clear(&c);
    for (size_t i = 0; cps && i < n; i++)
        mz_checkpoint_free(cps[i]);
    mz_free(cps);
    mz_free(p);
    mz_free(in.words);
    mz_free(in.probes);
    mz_free(in.all_probes);
    mz_cli_free_sets(in.sets, in.n_sets);
    mz_cli_free_sets(in.all, in.n_all);
    json_decref(s.config);
    return rc;
}

const mz_cli_command mz_cmd_compare = {
    .name = "compare",
    .summary = "the regression gate: audits before/after fine-tuning compared item by item; "
               "exit 1 when bias grew",
    .usage = "BEFORE AFTER [MORE...] [--out DIR] [--junit FILE] [--threshold SPEC] [--json]",
    .description =
        "Compares audits of checkpoints in training order, each with the next: results.json\n"
        "files of `mizani audit` or `mizani weat --probes` (or report folders holding one), or\n"
        "models, which are first audited here by `mizani audit`'s job (explanations apart) with\n"
        "the options, seed and probe sets of the first results file given (else the audit's\n"
        "defaults), or vector files (the association tests of `mizani weat --probes`).\n"
        "Every finding both audits computed is paired on the items they share (words, sentences\n"
        "with their word, pairs with their target ids, attributes, segments), never two\n"
        "summaries subtracted; the change is tested by swapping each unit's before and after\n"
        "values (words; pairs sharing target words as one cluster; attributes; segments), with a\n"
        "paired bootstrap interval, and Holm corrects across every comparison of the run. A\n"
        "finding regressed when its bias (distance from no effect) grew by more than its\n"
        "family's threshold and the change holds after correction: then the exit status is 1.\n"
        "Improvements and changes within the threshold are reported too. Audits made with\n"
        "different probe-set versions, languages or result schemas are refused (exit 3, naming\n"
        "the difference) unless --allow-probe-change, which compares the items both share and\n"
        "says how many were dropped. With more than two checkpoints, each consecutive pair is\n"
        "compared and compare.html draws every finding's trajectory.",
    .examples =
        "  mizani compare base/results.json finetuned/results.json --out gate --junit gate.xml\n"
        "  mizani compare ./mbert ./mbert-swahili --threshold static=0.3\n"
        "  mizani compare ckpt-1000/ ckpt-2000/ ckpt-3000/ --out trajectory\n"
        "  mizani compare --before sw-base.vec --after sw-finetuned.vec --threshold 0.3\n",
    .opts = compare_opts,
    .min_args = 0,
    .max_args = -1,
    .run = run_compare,
};
