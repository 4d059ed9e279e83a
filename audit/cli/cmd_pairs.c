/* `mizani pairs`: does the model find the more stereotypical sentence of each minimal pair more
 * probable? Per bias category, with an exact interval and a sign test. */
#include "cli_compare.h"
#include "mizani/likelihood_run.h"
#include "mizani/model.h"
#include "mizani/tokenizer.h"

#include <jansson.h>
#include <string.h>

static mz_status read_method(mz_cli *cli, const char *s, const mz_model *m, mz_lik_method *out) {
    *out = mz_model_is_causal(mz_model_get_config(m)) ? MZ_LIK_CAUSAL : MZ_LIK_PLL;
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

static json_t *doubles(const double *v, int n) {
    json_t *a = json_array();
    for (int i = 0; v && i < n; i++)
        json_array_append_new(a, mz_cli_number(v[i]));
    return a;
}

static json_t *summary_json(const mz_pair_summary *s) {
    json_t *o = json_pack(
        "{s:s, s:I, s:I, s:I, s:o, s:[o,o], s:I, s:o, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
        "category", s->category, "pairs", (json_int_t)s->n, "tested", (json_int_t)s->n_matched,
        "prefers_more", (json_int_t)s->prefers_more, "rate", mz_cli_number(s->rate), "ci",
        mz_cli_number(s->ci_lo), mz_cli_number(s->ci_hi), "unequal_token_counts",
        (json_int_t)s->count_mismatches, "rate_unequal", mz_cli_number(s->rate_mismatched),
        "split_mismatches", (json_int_t)s->split_mismatches, "not_computable",
        (json_int_t)s->not_computable, "clusters", (json_int_t)s->n_clusters, "frames",
        (json_int_t)s->n_frames, "inference", mz_cli_inference_json(&s->inference), "p_sign_flip",
        mz_cli_number(s->p_value), "p_holm", mz_cli_number(s->p_holm));
    if (o && s->count_mismatches) {
        char why[160];
        snprintf(why, sizeof why,
                 "%lu pairs differ in token count between their sentences: counted and rated "
                 "apart, not tested",
                 s->count_mismatches);
        json_object_set_new(o, "caveat", json_string(why));
    }
    return o;
}

static json_t *pair_json(const mz_pair_score *p) {
    json_t *o =
        json_pack("{s:s, s:s, s:o, s:o, s:b}", "id", p->pair->id, "category", p->pair->category,
                  "frame", p->pair->frame_id ? json_string(p->pair->frame_id) : json_null(),
                  "target", p->pair->target_id ? json_string(p->pair->target_id) : json_null(),
                  "computable", p->computable);
    json_object_set_new(o, "tokens", json_pack("[i,i]", p->tokens_more, p->tokens_less));
    if (!p->computable) {
        json_object_set_new(o, "reason", json_string(p->reason));
        return o;
    }
    json_object_update_new(
        o, json_pack("{s:o, s:o, s:o, s:o, s:[i,i], s:b, s:b, s:o, s:o}", "more",
                     mz_cli_number(p->more), "less", mz_cli_number(p->less), "more_per_token",
                     mz_cli_number(p->more_norm), "less_per_token", mz_cli_number(p->less_norm),
                     "target_tokens", p->target_tokens_more, p->target_tokens_less, "prefers_more",
                     p->prefers_more, "unequal_token_counts", p->count_mismatch,
                     "token_scores_more", doubles(p->per_token_more, p->tokens_more),
                     "token_scores_less", doubles(p->per_token_less, p->tokens_less)));
    return o;
}

static json_t *result_json(const mz_probe_set *set, const mz_pairs_result *r) {
    json_t *sums = json_array(), *pairs = json_array();
    for (size_t i = 0; i < r->n_summaries; i++)
        json_array_append_new(sums, summary_json(&r->summaries[i]));
    for (size_t i = 0; i < r->n_scores; i++)
        json_array_append_new(pairs, pair_json(&r->scores[i]));
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "set", set->id, "language", set->language,
                     "method", mz_lik_method_name(r->method), "summaries", sums, "pairs", pairs);
}

static mz_status score(mz_cli *cli, mz_pairs_result *r, mz_model *m, const mz_tokenizer *t,
                       const mz_probe_set *set, mz_lik_method method) {
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    o.seed = cli->seed;
    mz_progress *p = mz_cli_progress(cli, set->id, set->n_pairs);
    mz_status rc = mz_lik_pairs(r, m, t, set, method, &o, p, cli->ctx);
    mz_progress_finish(p);
    mz_progress_free(p);
    return rc;
}

/* Between two languages' parallel sets (ids that match after the language prefix). */
static mz_status print_languages(mz_cli *cli, const mz_probe_set *sa, const mz_pairs_result *a,
                                 const mz_probe_set *sb, const mz_pairs_result *b, json_t *out) {
    mz_pairs_language_diff d[65];
    size_t n = 0;
    mz_pairs_options o;
    mz_pairs_options_default(&o);
    o.seed = cli->seed;
    mz_status rc =
        a->n_summaries <= 65 ? mz_lik_pairs_language_diff(d, &n, a, b, &o, cli->ctx) : MZ_OK;
    if (rc || !n) return rc;
    json_t *rows = out ? json_array() : NULL;
    if (!out)
        fprintf(cli->out,
                "\n%s vs %s: does the preference differ between the languages? (paired over "
                "translated pairs)\n%-24s %6s %7s %7s %8s %6s %9s %9s\n",
                sa->language, sb->language, "category", "pairs", sa->language, sb->language,
                "clusters", "mde", "p", "p (Holm)");
    for (size_t i = 0; i < n; i++) {
        char p[16], ph[16];
        mz_cli_p_text(p, sizeof p, d[i].p_value, &d[i].inference);
        mz_cli_p_text(ph, sizeof ph, d[i].p_holm, &d[i].inference);
        if (out)
            json_array_append_new(
                rows, json_pack("{s:s, s:I, s:o, s:o, s:I, s:o, s:o, s:o}", "category",
                                d[i].category, "pairs", (json_int_t)d[i].n, "rate_a",
                                mz_cli_number(d[i].rate_a), "rate_b", mz_cli_number(d[i].rate_b),
                                "clusters", (json_int_t)d[i].n_clusters, "inference",
                                mz_cli_inference_json(&d[i].inference), "p_sign_flip",
                                mz_cli_number(d[i].p_value), "p_holm", mz_cli_number(d[i].p_holm)));
        else
            fprintf(cli->out, "%-24.24s %6lu %7.3f %7.3f %8zu %6.3f %9s %9s\n", d[i].category,
                    d[i].n, d[i].rate_a, d[i].rate_b, d[i].n_clusters, d[i].inference.mde, p, ph);
    }
    if (out)
        json_array_append_new(out, json_pack("{s:[s,s], s:o}", "language_difference", sa->id,
                                             sb->id, "categories", rows));
    return MZ_OK;
}

/* Before and after: the same pairs scored by both models, compared as `mizani compare` compares
 * two audits (per category, the change of the preference rate over target clusters, Holm
 * across categories); the gate fails when a category's preference regressed past `threshold`. */
static mz_status compare_models(mz_cli *cli, const mz_cli_args *args, mz_probe_set **sets, size_t n,
                                const mz_pairs_result *before, const mz_pairs_result *after,
                                double threshold) {
    mz_checkpoint *cp[2] = {NULL, NULL};
    mz_compare c = {0};
    mz_compare_options o;
    mz_compare_options_default(&o);
    o.seed = cli->seed;
    o.threshold[MZ_CMP_PAIRS] = threshold;
    mz_status rc = mz_checkpoint_new(&cp[0], mz_cli_get(args, "before"), "model", cli->ctx);
    if (!rc) rc = mz_checkpoint_new(&cp[1], mz_cli_get(args, "model"), "model", cli->ctx);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = mz_checkpoint_add_pairs(cp[0], sets[i], &before[i], cli->ctx);
        if (!rc) rc = mz_checkpoint_add_pairs(cp[1], sets[i], &after[i], cli->ctx);
    }
    if (!rc) rc = mz_compare_run(&c, cp, 2, &o, NULL, cli->ctx);
    if (!rc) rc = mz_cli_compare_report(cli, args, "pairs", &c, sets, n);
    mz_compare_clear(&c);
    mz_checkpoint_free(cp[0]);
    mz_checkpoint_free(cp[1]);
    return rc;
}

/* Two sets in different languages whose pairs correspond by id. */
static int parallel(const mz_probe_set *a, const mz_probe_set *b) {
    if (!a->language || !b->language || !strcmp(a->language, b->language)) return 0;
    const char *x = strchr(a->pairs[0].id, '-'), *y = strchr(b->pairs[0].id, '-');
    return x && y && !strcmp(x, y);
}

static mz_status score_sets(mz_cli *cli, const mz_cli_args *args, mz_model *m, mz_model *before,
                            const mz_tokenizer *t, mz_probe_set **sets, size_t n,
                            mz_lik_method method, double threshold, json_t *out,
                            unsigned long *computable) {
    mz_pairs_result *r = mz_calloc(n ? n : 1, sizeof *r);
    mz_pairs_result *rb = before ? mz_calloc(n ? n : 1, sizeof *rb) : NULL;
    mz_status rc =
        r && (rb || !before) ? MZ_OK : mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        if ((rc = score(cli, &r[i], m, t, sets[i], method))) break;
        *computable += r[i].n_computable;
        if (before)
            rc = score(cli, &rb[i], before, t, sets[i], method);
        else if (out)
            json_array_append_new(out, result_json(sets[i], &r[i]));
        else
            print_table(cli->out, sets[i], &r[i]);
    }
    if (!rc && before && *computable) rc = compare_models(cli, args, sets, n, rb, r, threshold);
    for (size_t i = 0; !rc && !before && i < n; i++)
        for (size_t j = i + 1; !rc && j < n; j++)
            if (parallel(sets[i], sets[j]))
                rc = print_languages(cli, sets[i], &r[i], sets[j], &r[j], out);
    for (size_t i = 0; i < n; i++) {
        if (r) mz_pairs_result_free(&r[i]);
        if (rb) mz_pairs_result_free(&rb[i]);
    }
    mz_free(r);
    mz_free(rb);
    return rc;
}

static mz_status pairs_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *model, *tok = mz_cli_get(args, "tokenizer"), *spec = mz_cli_get(args, "pairs"),
                       *before_path = mz_cli_get(args, "before");
    double threshold = 0.05;
    unsigned long computable = 0;
    mz_status rc = mz_cli_require(cli, args, "pairs", "model", &model);
    if (!rc) rc = mz_cli_get_double(cli, args, "threshold", 0, 1, &threshold);
    if (rc) return rc;
    mz_model *m = NULL, *before = NULL;
    mz_tokenizer *t = NULL;
    mz_probe_set **sets = NULL;
    size_t n = 0;
    mz_lik_method method;
    json_t *out = mz_cli_flag(args, "json") && !before_path ? json_array() : NULL;
    rc = mz_cli_open_model(cli, model, tok, &m, &t);
    if (!rc) rc = read_method(cli, mz_cli_get(args, "method"), m, &method);
    if (!rc)
        rc =
            mz_cli_load_probe_sets(cli, spec ? spec : "default", MZ_PROBE_MINIMAL_PAIRS, &sets, &n);
    if (!rc && before_path)
        rc = mz_cli_open_model(cli, before_path, tok ? tok : model, &before, NULL);
    if (!rc) rc = score_sets(cli, args, m, before, t, sets, n, method, threshold, out, &computable);
    if (!rc && !computable)
        rc = mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                     "no minimal pair fits the model: nothing to test (see the pairs' lengths)");
    if (!rc && out && (json_dumpf(out, cli->out, JSON_INDENT(1)) || fputc('\n', cli->out) == EOF))
        rc = mz_fail(cli->ctx, MZ_ERR_IO, NULL, "cannot write JSON");
    if (!rc && !out && !before) {
        fprintf(
            cli->out,
            "\ntested: pairs whose two sentences have the same number of tokens; stereo: those where\n"
            "the model scores the more stereotypical sentence higher. A model without this bias\n"
            "prefers either side equally often (rate 0.5). Pairs that swap the same two target words\n"
            "are one cluster (not independent): the interval resamples clusters and p flips the sign\n"
            "of whole clusters (two-sided, Holm across categories). unequal len: pairs whose sentences\n"
            "differ in token count, with their rate; a length difference sways every likelihood\n"
            "score, so they are never tested.\n");
        mz_cli_inference_note(cli->out);
    }
    json_decref(out);
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
