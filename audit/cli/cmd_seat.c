/* `mizani seat`: the shipped association tests on a model's sentence embeddings. */
#include "cli.h"
#include "mizani/seat.h"

#include <jansson.h>
#include <string.h>

static mz_status read_pooling(mz_cli *cli, const char *s, const mz_model *m, mz_pooling *out) {
    *out = mz_model_get_config(m)->causal ? MZ_POOL_LAST : MZ_POOL_MEAN;
    if (!s) return MZ_OK;
    for (int p = MZ_POOL_MEAN; p <= MZ_POOL_LAST; p++)
        if (!strcmp(s, mz_pooling_name((mz_pooling)p))) return *out = (mz_pooling)p, MZ_OK;
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--pooling must be mean, first or last, not '%s'", s);
}

static void print_table(FILE *o, const mz_seat_result *r, size_t n, const mz_embed_options *e) {
    fprintf(o, "sentence embeddings: hidden state %d, %s pooling\n", e->layer, mz_pooling_name(e->pooling));
    fprintf(o, "%-36s %-4s %-15s %8s  %-17s %9s %9s\n", "test", "lang", "sentences", "d", "95% CI", "p", "p (Holm)");
    for (size_t i = 0; i < n; i++) {
        char sizes[32];
        snprintf(sizes, sizeof sizes, "%zu/%zu/%zu/%zu", r[i].n_sentences[0], r[i].n_sentences[1], r[i].n_sentences[2],
                 r[i].n_sentences[3]);
        if (!r[i].computed) {
            fprintf(o, "%-36.36s %-4s not computable: %s\n", r[i].set->id, r[i].set->language, r[i].reason);
            continue;
        }
        const mz_weat_result *w = &r[i].weat;
        fprintf(o, "%-36.36s %-4s %-15s %+8.3f  [%+.3f, %+.3f] %9.4f %9.4f\n", r[i].set->id, r[i].set->language, sizes,
                w->effect_size, w->ci_lo, w->ci_hi, w->perm.p_value, r[i].p_holm);
    }
    fprintf(o, "\nd: how much more the first target group's sentences lean towards the first attribute\n"
               "set than the second group's do, in standard deviations (0: no association). Sentences\n"
               "are the probe words in bleached frames (\"This is {word}.\"); p is a one-sided\n"
               "permutation test over sentences, Holm-adjusted across the tests.\n");
}

static json_t *results_json(const mz_seat_result *r, size_t n, const mz_embed_options *e) {
    json_t *tests = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_pack("{s:s, s:s, s:[I,I,I,I]}", "id", r[i].set->id, "language", r[i].set->language, "sentences",
                              (json_int_t)r[i].n_sentences[0], (json_int_t)r[i].n_sentences[1],
                              (json_int_t)r[i].n_sentences[2], (json_int_t)r[i].n_sentences[3]);
        if (r[i].computed)
            json_object_update_new(t, json_pack("{s:f, s:f, s:[f,f], s:f, s:f, s:f}", "effect_size", r[i].weat.effect_size,
                                                "mean_diff", r[i].weat.mean_diff, "ci", r[i].weat.ci_lo, r[i].weat.ci_hi,
                                                "p", r[i].weat.perm.p_value, "p_mc_se", r[i].weat.perm.mc_se, "p_holm",
                                                r[i].p_holm));
        else json_object_set_new(t, "not_computable", json_string(r[i].reason));
        json_array_append_new(tests, t);
    }
    return json_pack("{s:i, s:s, s:o}", "layer", e->layer, "pooling", mz_pooling_name(e->pooling), "tests", tests);
}

static mz_status seat_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *model, *tok = mz_cli_get(args, "tokenizer");
    const char *probes = mz_cli_get(args, "probes"), *frames = mz_cli_get(args, "templates");
    long layer = -1, perms = 10000, boot = 1000;
    mz_status rc = mz_cli_require(cli, args, "seat", "model", &model);
    if (!rc) rc = mz_cli_get_long(cli, args, "permutations", 100, 100000000, &perms);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 1000000, &boot);
    if (!rc) rc = mz_cli_get_long(cli, args, "layer", 0, 1024, &layer);
    if (rc) return rc;
    mz_model *m = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set **sets = NULL, **tpl = NULL;
    size_t n = 0, n_tpl = 0;
    mz_seat_result *res = NULL;
    mz_embed_options eo = {.layer = (int)layer};
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    wo.n_permutations = (uint64_t)perms, wo.n_bootstrap = (uint32_t)boot, wo.seed = cli->seed;
    rc = mz_model_open(&m, model, cli->ctx);
    if (!rc && layer > mz_model_get_config(m)->n_layers)
        rc = mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--layer %ld: this model has hidden states 0..%d", layer,
                     mz_model_get_config(m)->n_layers);
    if (!rc) rc = read_pooling(cli, mz_cli_get(args, "pooling"), m, &eo.pooling);
    if (!rc) rc = mz_tokenizer_load(&t, tok ? tok : model, cli->ctx);
    if (!rc) rc = mz_cli_load_probe_sets(cli, probes ? probes : "default", MZ_PROBE_ASSOCIATION, &sets, &n);
    if (!rc) rc = mz_cli_load_probe_sets(cli, frames ? frames : "default", MZ_PROBE_TEMPLATES, &tpl, &n_tpl);
    if (!rc && !(res = mz_calloc(n, sizeof *res))) rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) {
        if (eo.layer < 0) eo.layer = mz_model_get_config(m)->n_layers;
        eo.progress = mz_progress_new(cli->err, cli->quiet ? MZ_PROGRESS_QUIET : MZ_PROGRESS_AUTO, "sentences embedded", 0);
        rc = mz_seat_suite(res, m, t, sets, n, tpl, n_tpl, &eo, &wo, cli->ctx);
        mz_progress_finish(eo.progress);
        mz_progress_free(eo.progress);
    }
    if (!rc && mz_cli_flag(args, "json")) {
        json_t *o = results_json(res, n, &eo);
        if (json_dumpf(o, cli->out, JSON_INDENT(1)) || fputc('\n', cli->out) == EOF)
            rc = mz_fail(cli->ctx, MZ_ERR_IO, NULL, "cannot write JSON");
        json_decref(o);
    } else if (!rc) print_table(cli->out, res, n, &eo);
    mz_free(res);
    mz_cli_free_sets(sets, n);
    mz_cli_free_sets(tpl, n_tpl);
    mz_tokenizer_free(t);
    mz_model_free(m);
    return rc;
}

static const mz_cli_opt seat_opts[] = {
    {"model", "DIR|FILE.gguf", "the model whose sentence embeddings are tested"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"probes", "PATHS", "association probe sets (default: the shipped English and Swahili ones)"},
    {"templates", "PATHS", "sentence-frame sets (default: the shipped SEAT frames, one per language)"},
    {"layer", "L", "hidden state to pool (0: embeddings; default: the last)"},
    {"pooling", "NAME", "mean (encoders' default), first ([CLS]) or last (decoders' default)"},
    {"permutations", "N", "Monte Carlo permutations for p (default 10000)"},
    {"bootstrap", "N", "bootstrap draws for the interval on d (default 1000; 0: none)"},
    {"json", NULL, "print the results as JSON"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_seat = {
    .name = "seat",
    .summary = "association tests on the model's sentence embeddings (SEAT)",
    .usage = "--model DIR|FILE.gguf [--probes PATHS] [--layer L] [--pooling mean|first|last] [--json]",
    .description =
        "Puts every word of every association probe set into the bleached sentence frames of its\n"
        "language and word class (May et al. 2019), embeds the sentences with the model (a pooled\n"
        "hidden state) and runs WEAT on them: effect size d with a bootstrap interval, a Monte\n"
        "Carlo permutation p-value over sentences, Holm across tests. Deterministic for --seed.",
    .examples = "  mizani seat --model ./xlm-roberta-base\n"
                "  mizani seat --model ./gpt2 --probes corpora/weat-en --layer 6 --json\n",
    .opts = seat_opts,
    .max_args = 0,
    .run = seat_cmd,
};
