/* `mizani explain`: which words drive a model's prediction (or a minimal pair's scores), by
 * every attribution method, with each method's faithfulness measured on the same input. */
#include "cli.h"
#include "cli_results.h"
#include "mizani/explain.h"
#include "mizani/file.h"
#include "mizani/report.h"

#include <math.h>
#include <string.h>

/* ---- inputs */

typedef struct texts {
    char *data; /* the file, split in place into lines */
    char **text, **label;
    size_t n;
} texts;

static void texts_free(texts *t) {
    for (size_t i = 0; i < t->n; i++)
        mz_free(t->label[i]);
    mz_free(t->text), mz_free(t->label), mz_free(t->data);
}

/* Non-empty lines of a file that do not start with '#', labelled FILE:LINE. */
static mz_status read_texts(mz_cli *cli, texts *t, const char *path) {
    size_t len;
    memset(t, 0, sizeof *t);
    mz_status rc = mz_read_file(&t->data, &len, path, (size_t)64 << 20, cli->ctx);
    if (rc) return rc;
    t->text = mz_calloc(len / 2 + 2, sizeof *t->text);
    t->label = mz_calloc(len / 2 + 2, sizeof *t->label);
    if (!t->text || !t->label) return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    char *p = t->data;
    for (long line = 1; p && *p; line++) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = 0;
        size_t n = strlen(p);
        if (n && p[n - 1] == '\r') p[--n] = 0;
        if (n && p[0] != '#') {
            size_t cap = strlen(path) + 24;
            if (!(t->label[t->n] = mz_malloc(cap)))
                return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            snprintf(t->label[t->n], cap, "%s:%ld", path, line);
            t->text[t->n++] = p;
        }
        p = nl ? nl + 1 : NULL;
    }
    if (!t->n)
        return mz_fail(cli->ctx, MZ_ERR_INPUT, path,
                       "no text to explain (every line is empty or a # comment)");
    return MZ_OK;
}

/* ---- options */

static mz_status read_choice(mz_cli *cli, const mz_cli_args *args, const char *name,
                             const char *const *names, int n, int *out) {
    const char *s = mz_cli_get(args, name);
    if (!s) return MZ_OK;
    for (int k = 0; k < n; k++)
        if (!strcmp(s, names[k])) return *out = k, MZ_OK;
    char list[128] = "";
    for (int k = 0; k < n; k++) /* "a, b or c" */
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 k == 0       ? ""
                 : k == n - 1 ? " or "
                              : ", ",
                 names[k]);
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--%s must be %s, not '%s'", name, list, s);
}

static const char *const rule_names[] = {"left", "middle", "gauss-legendre"};

static mz_status read_options(mz_cli *cli, const mz_cli_args *args, mz_explain_options *o) {
    long steps = 50, att = 20, max_tokens = 2048;
    int rule = MZ_ATTR_GAUSS_LEGENDRE, base = 0, split = 0;
    static const char *const bases[] = {"mask", "pad", "zero"}, *const splits[] = {"refuse", "sum"};
    mz_explain_options_init(o);
    mz_status rc = mz_cli_get_long(cli, args, "steps", 1, 4096, &steps);
    if (!rc) rc = mz_cli_get_long(cli, args, "attattr-steps", 1, 4096, &att);
    if (!rc) rc = mz_cli_get_long(cli, args, "max-tokens", 1, 1 << 24, &max_tokens);
    if (!rc) rc = read_choice(cli, args, "rule", rule_names, 3, &rule);
    if (!rc) rc = read_choice(cli, args, "baseline", bases, 3, &base);
    if (!rc) rc = read_choice(cli, args, "split", splits, 2, &split);
    if (!rc && mz_cli_get(args, "method"))
        rc = mz_explain_parse_methods(&o->methods, mz_cli_get(args, "method"), cli->ctx);
    o->steps = (int)steps, o->attattr_steps = (int)att, o->max_tokens = (int)max_tokens;
    o->rule = (mz_attr_rule)rule, o->split = (mz_explain_split)split;
    o->baseline =
        mz_cli_get(args, "baseline") ? (mz_explain_baseline)(base + 1) : MZ_EXPLAIN_BASELINE_AUTO;
    o->target = mz_cli_get(args, "target"), o->contrast = mz_cli_get(args, "contrast");
    o->continuation = mz_cli_get(args, "continuation");
    o->faithfulness = !mz_cli_flag(args, "no-faithfulness");
    return rc;
}

/* Exactly one source of inputs, and targets that go with it. */
static mz_status check_inputs(mz_cli *cli, const mz_cli_args *args) {
    int sources =
        !!mz_cli_get(args, "text") + !!mz_cli_get(args, "texts") + !!mz_cli_get(args, "pairs");
    if (sources != 1)
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "'mizani explain' needs one of --text, --texts or --pairs%s",
                       sources ? ", not several" : "");
    if (mz_cli_get(args, "pairs") && (mz_cli_get(args, "target") || mz_cli_get(args, "contrast") ||
                                      mz_cli_get(args, "continuation")))
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "--pairs explains each sentence's own score: --target, --contrast and "
                       "--continuation do not apply");
    if (mz_cli_get(args, "contrast") && !mz_cli_get(args, "target"))
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--contrast goes with --target");
    if (mz_cli_get(args, "continuation") && mz_cli_get(args, "target"))
        return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL,
                       "--continuation and --target are two targets: give one");
    return MZ_OK;
}

/* ---- text output */

static const char *word_text(char *buf, size_t cap, const mz_explanation *e, size_t w) {
    snprintf(buf, cap, "%.*s", (int)(e->words.end[w] - e->words.start[w]),
             e->text + e->words.start[w]);
    return buf;
}

static void print_words(FILE *o, const mz_explanation *e) {
    char w[64];
    fprintf(o, "  %-16s", "word");
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++)
        if (e->word_scores[k]) fprintf(o, " %10s", mz_explain_method_names[k]);
    fputc('\n', o);
    for (size_t i = 0; i < e->words.n_words; i++) {
        fprintf(o, "  %-16s", word_text(w, 17, e, i));
        for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++)
            if (e->word_scores[k]) fprintf(o, " %+10.4f", e->word_scores[k][i]);
        fputc('\n', o);
    }
}

static void print_faithfulness(FILE *o, const mz_explanation *e) {
    int any = 0;
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++)
        any |= e->deletion[k] != NULL;
    if (!any) return;
    fprintf(o,
            "\n  faithfulness (words removed in each method's order):\n  %-12s %9s %9s %9s %9s\n",
            "method", "deletion", "insertion", "compreh.", "suffic.");
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++) {
        const mz_attr_faithfulness_result *f = &e->faithfulness[k];
        if (e->deletion[k])
            fprintf(o, "  %-12s %+9.4f %+9.4f %+9.4f %+9.4f\n", mz_explain_method_names[k],
                    f->deletion_area, f->insertion_area, f->comprehensiveness, f->sufficiency);
    }
}

static void print_heads(FILE *o, const mz_explanation *e) {
    if (!e->head_importance) return;
    int L = e->layers, H = e->heads, n = L * H < 5 ? L * H : 5, used[5];
    fprintf(o, "\n  heads that matter most (attention attribution, largest entry):");
    for (int i = 0; i < n; i++) {
        int best = -1;
        for (int h = 0; h < L * H; h++) {
            int taken = 0;
            for (int u = 0; u < i; u++)
                taken |= used[u] == h;
            if (!taken && (best < 0 || e->head_importance[h] > e->head_importance[best])) best = h;
        }
        used[i] = best;
        fprintf(o, "%s layer %d head %d (%+.4f)", i ? "," : "", best / H, best % H,
                e->head_importance[best]);
    }
    fputc('\n', o);
    for (size_t i = 0; i < e->n_edges && i < 8; i++) {
        const mz_attr_edge *x = &e->edges[i];
        fprintf(o, "%s layer %d: %s -> %s %.2f\n", i ? "   " : "  attribution tree:", x->layer,
                e->tokens[x->from], e->tokens[x->to], x->score);
    }
}

static void print_one(FILE *o, const mz_explanation *e) {
    fprintf(o, "%s: \"%s\"\n  explains %s\n  f(x) = %+.4f", e->label, e->text, e->target, e->fx);
    if (e->token_scores[MZ_EXPLAIN_IG]) {
        const mz_attr_completeness_result *c = &e->completeness;
        fprintf(o, "; f(baseline) = %+.4f (%s baseline)\n", e->fbase,
                mz_explain_baseline_names[e->baseline]);
        fprintf(o,
                "  Integrated Gradients, %d %s points: the attributions sum to %+.4f of "
                "f(x) - f(baseline) = %+.4f, completeness gap %.2f%%\n",
                e->steps, rule_names[e->rule], c->sum, c->delta, 100 * c->gap);
        if (c->warn)
            fprintf(o, "  WARNING: the completeness gap is over 5%%: these attributions are not "
                       "reliable; raise --steps\n");
    } else
        fputc('\n', o);
    print_words(o, e);
    print_faithfulness(o, e);
    print_heads(o, e);
    for (size_t i = 0; i < e->n_notes; i++)
        fprintf(o, "  note: %s\n", e->notes[i]);
    fputc('\n', o);
}

/* The pair's words side by side, by the first word method computed. */
static void print_pair(FILE *o, const mz_pair_explanation *p) {
    const mz_explanation *a = &p->side[0], *b = &p->side[1];
    int k = 0;
    while (k < MZ_EXPLAIN_N_METHODS && !a->word_scores[k])
        k++;
    fprintf(o, "pair %s (%s): score gap, more - less = %+.4f\n", p->pair->id, p->pair->category,
            a->fx - b->fx);
    if (k < MZ_EXPLAIN_N_METHODS) {
        char wa[64], wb[64];
        fprintf(o, "  %-16s %10s   %-16s %10s   (%s)\n", "more", "", "less", "",
                mz_explain_method_names[k]);
        for (size_t r = 0; r < p->n_aligned; r++) {
            int i = p->aligned[r][0], j = p->aligned[r][1];
            fprintf(o, "  %-16s", i >= 0 ? word_text(wa, 17, a, (size_t)i) : "");
            if (i >= 0)
                fprintf(o, " %+10.4f", a->word_scores[k][i]);
            else
                fprintf(o, " %10s", "");
            fprintf(o, "   %-16s", j >= 0 ? word_text(wb, 17, b, (size_t)j) : "");
            if (j >= 0) fprintf(o, " %+10.4f", b->word_scores[k][j]);
            fputc('\n', o);
        }
    }
    fputc('\n', o);
    print_one(o, a);
    print_one(o, b);
}

static void print_legend(FILE *o) {
    fprintf(
        o, "Scores are each word's share of the target (a log-probability, natural log): signed\n"
           "for ig, grad-input and occlusion (> 0: the word raises it), unsigned for saliency and\n"
           "the attention views. Trust a method more when its faithfulness is good: removing its\n"
           "top words lowers f a lot (low deletion area, high comprehensiveness) and keeping only\n"
           "them keeps f (high insertion area, low sufficiency). See README, Explanations.\n");
}

/* ---- the command */

typedef struct job {
    mz_model *m;
    mz_tokenizer *t;
    mz_probe_set *set;
    texts in;
    mz_explanation *ex;
    mz_pair_explanation *px;
    size_t n;
} job;

static void job_free(job *j) {
    for (size_t i = 0; j->ex && i < j->n; i++)
        mz_explanation_clear(&j->ex[i]);
    for (size_t i = 0; j->px && i < j->n; i++)
        mz_pair_explanation_clear(&j->px[i]);
    mz_free(j->ex), mz_free(j->px);
    texts_free(&j->in);
    mz_probes_free(j->set);
    mz_tokenizer_free(j->t);
    mz_model_free(j->m);
}

static mz_status load_inputs(mz_cli *cli, const mz_cli_args *args, job *j) {
    const char *text = mz_cli_get(args, "text"), *file = mz_cli_get(args, "texts"),
               *pairs = mz_cli_get(args, "pairs");
    if (pairs) {
        mz_status rc = mz_probes_load(&j->set, pairs, cli->ctx);
        if (!rc && j->set->kind != MZ_PROBE_MINIMAL_PAIRS)
            rc = mz_fail(cli->ctx, MZ_ERR_INPUT, pairs, "a %s probe set, not minimal pairs",
                         mz_probe_kind_names[j->set->kind]);
        j->n = rc ? 0 : j->set->n_pairs;
        return rc;
    }
    if (file) {
        mz_status rc = read_texts(cli, &j->in, file);
        j->n = rc ? 0 : j->in.n;
        return rc;
    }
    j->in.text = mz_calloc(1, sizeof *j->in.text), j->in.label = mz_calloc(1, sizeof(char *));
    if (!j->in.text || !j->in.label || !(j->in.label[0] = mz_strdup("--text")))
        return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    j->in.text[0] = (char *)text, j->in.n = j->n = 1;
    return MZ_OK;
}

static mz_status run_job(mz_cli *cli, const mz_cli_args *args, job *j, mz_explain_options *o) {
    const char *model = mz_cli_get(args, "model"), *tok = mz_cli_get(args, "tokenizer");
    mz_status rc = mz_cli_open_model(cli, model, tok, &j->m, &j->t);
    if (!rc) rc = load_inputs(cli, args, j);
    if (!rc && j->set) j->px = mz_calloc(j->n, sizeof *j->px);
    if (!rc && !j->set) j->ex = mz_calloc(j->n, sizeof *j->ex);
    if (!rc && !j->px && !j->ex) rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (rc) return rc;
    o->progress = mz_cli_progress(cli, "explaining (model rows)", 0);
    if (j->set)
        rc = mz_explain_pairs(j->px, j->m, j->t, j->set->pairs, j->n, j->set->path, o, cli->ctx);
    else
        rc = mz_explain_texts(j->ex, j->m, j->t, (const char *const *)j->in.text,
                              (const char *const *)j->in.label, j->n, o, cli->ctx);
    mz_progress_finish(o->progress);
    mz_progress_free(o->progress);
    o->progress = NULL;
    return rc;
}

static mz_status report(mz_cli *cli, const mz_cli_args *args, job *j) {
    const char *dir = mz_cli_get(args, "out");
    int json = mz_cli_flag(args, "json");
    if (!json)
        for (size_t i = 0; i < j->n; i++)
            j->px ? print_pair(cli->out, &j->px[i]) : print_one(cli->out, &j->ex[i]);
    if (!json) print_legend(cli->out);
    if (!json && !dir) return MZ_OK;
    mz_results *r;
    mz_status rc = mz_cli_results_new(&r, cli, "explain", args);
    if (!rc)
        rc = mz_report_explain(r, j->m, mz_cli_get(args, "model"), j->ex, j->px, j->n, j->set,
                               mz_cli_get(args, "lang"));
    if (!rc && json) rc = mz_cli_print_results(cli, r);
    if (!rc && dir) rc = mz_cli_write_explain(cli, r, dir);
    mz_results_free(r);
    return rc;
}

static mz_status explain_cmd(mz_cli *cli, const mz_cli_args *args) {
    const char *model;
    mz_explain_options o;
    mz_status rc = mz_cli_require(cli, args, "explain", "model", &model);
    if (!rc) rc = check_inputs(cli, args);
    if (!rc) rc = read_options(cli, args, &o);
    if (rc) return rc;
    job j = {0};
    rc = run_job(cli, args, &j, &o);
    if (!rc) rc = report(cli, args, &j);
    job_free(&j);
    return rc;
}

static const mz_cli_opt explain_opts[] = {
    {"model", "DIR|FILE.gguf",
     "a masked LM (BERT, RoBERTa, XLM-R, DistilBERT, ELECTRA generator) "
     "or GPT-2, with its LM head"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"text", "TEXT",
     "the text: with one [MASK] for a masked LM, the words before the "
     "predicted one for a decoder"},
    {"texts", "FILE", "many texts, one a line (empty lines and # comments skipped)"},
    {"pairs", "FILE", "a minimal-pairs probe file: each sentence's pair score explained"},
    {"target", "WORD",
     "the word whose log-probability is explained (default: the model's "
     "top prediction)"},
    {"contrast", "WORD", "explain log P(target) - log P(contrast) instead"},
    {"continuation", "TEXT", "decoders: explain the log-likelihood of TEXT after the text"},
    {"split", "refuse|sum",
     "a target the tokenizer splits: refuse (default), or score the sum of "
     "its pieces' log-probabilities, all masked together"},
    {"method", "LIST",
     "ig, saliency, grad-input, occlusion, attention, rollout, flow, norm, "
     "attattr, comma-separated (default: all)"},
    {"steps", "N", "Integrated Gradients' points on the path (default 50)"},
    {"rule", "NAME", "their quadrature: gauss-legendre (default), middle or left Riemann"},
    {"attattr-steps", "N", "attention attribution's points per layer (default 20)"},
    {"baseline", "mask|pad|zero",
     "Integrated Gradients' baseline (default: mask for masked "
     "LMs, zero for decoders)"},
    {"no-faithfulness", NULL,
     "skip the deletion and insertion curves (the slowest part after "
     "attention attribution)"},
    {"max-tokens", "N", "tokens per forward pass (default 2048): bounds memory"},
    {"lang", "CODE", "the texts' language (sw, en), marked in the HTML page"},
    {"out", "DIR", "write DIR/explain.html and DIR/results.json"},
    {"json", NULL, "print the results tree (mizani-results/2) instead of tables"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_explain = {
    .name = "explain",
    .summary = "which words drive a prediction: attributions, attention views, faithfulness",
    .usage = "--model DIR|FILE.gguf (--text TEXT | --texts FILE | --pairs FILE) [--target WORD\n"
             "       [--contrast WORD]] [--method LIST] [--steps N] [--out DIR] [--json]",
    .description =
        "Explains a model's score for a text: the log-probability of --target (or of the\n"
        "model's top prediction) at the text's [MASK] for a masked LM, of the next token (or of\n"
        "a --continuation) for GPT-2, or, with --pairs, each sentence's score as 'mizani pairs'\n"
        "computes it. For every word of the text it gives Integrated Gradients (Sundararajan et\n"
        "al. 2017; the completeness gap says whether enough --steps were taken, with a warning\n"
        "past 5%), saliency, gradient x input, leave-one-word-out occlusion, and the attention\n"
        "views read from the target's rows: raw attention, rollout and flow (Abnar and Zuidema\n"
        "2020), norm-based (Kobayashi et al. 2020); attention attribution (Hao et al. 2021) names\n"
        "the heads that matter and the attribution tree's edges. Each word method's faithfulness\n"
        "(deletion and insertion curves, ERASER comprehensiveness and sufficiency; DeYoung et\n"
        "al. 2020) is measured on the same input, so you can see which explanation to trust.\n"
        "Words are the tokenizer's words, their tokens' scores summed: Swahili words often split\n"
        "into many tokens. A masked LM's removed words become [MASK]; a decoder's are left out.",
    .examples =
        "  mizani explain --model ./mbert --text \"Daktari alisema [MASK] atakuja.\" \\\n"
        "      --target yeye --out why\n"
        "  mizani explain --model ./xlm-roberta-base --text \"[MASK] ni daktari.\" \\\n"
        "      --target Mwanamume --contrast Mwanamke --method ig,occlusion\n"
        "  mizani explain --model ./gpt2 --text \"The nurse said that\" --target she\n"
        "  mizani explain --model ./gpt2 --text \"The doctor\" --continuation \"is a man.\"\n"
        "  mizani explain --model ./afriberta --pairs corpora/minimal-pairs/pairs-sw.json --json\n",
    .opts = explain_opts,
    .max_args = 0,
    .run = explain_cmd,
};
