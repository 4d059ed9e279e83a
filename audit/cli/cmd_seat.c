/* `mizani seat` and `mizani ceat`: the shipped association tests on a model's sentence
 * embeddings and on its contextual word embeddings. Both read the same inputs. */
#include "cli.h"
#include "cli_results.h"
#include "mizani/ceat.h"
#include "mizani/file.h"
#include "mizani/report.h"
#include "mizani/seat.h"

#include <string.h>
#include <utf8proc.h>

static mz_status read_pooling(mz_cli *cli, const char *s, const mz_model *m, mz_pooling *out) {
    *out = mz_model_is_causal(mz_model_get_config(m)) ? MZ_POOL_LAST : MZ_POOL_MEAN;
    if (!s) return MZ_OK;
    for (int p = MZ_POOL_MEAN; p <= MZ_POOL_LAST; p++)
        if (!strcmp(s, mz_pooling_name((mz_pooling)p))) return *out = (mz_pooling)p, MZ_OK;
    return mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--pooling must be mean, first or last, not '%s'",
                   s);
}

/* "test: w1, w2 (and 3 more)" for a test with probe words the tokenizer does not know; the
 * explanation once, before the first. */
static void print_unknown(FILE *o, int *header, const char *id, const mz_unknown_words *u) {
    if (!u->total) return;
    if (!*header)
        fprintf(
            o, "\nProbe words the tokenizer maps to its unknown token (their results carry less of "
               "them):\n");
    *header = 1;
    fprintf(o, "  %s: ", id);
    for (size_t i = 0; i < u->n; i++)
        fprintf(o, "%s%s", i ? ", " : "", u->words[i]);
    if (u->total > u->n) fprintf(o, " (and %zu more)", u->total - u->n);
    fputc('\n', o);
}

/* A table row's start: test and language; the whole row, and 0, when it was not computable. */
static int print_entry(FILE *o, const mz_suite_entry *e) {
    fprintf(o, "%-36.36s %-4s ", e->set->id, e->set->language);
    if (!e->computed) fprintf(o, "not computable: %s\n", e->reason);
    return e->computed;
}

/* Columns every test shares after its own: words (units), tokens per word of X and Y, d, the
 * word-level interval, mde, p and Holm's p. */
static void print_units(FILE *o, const mz_suite_entry *e, const mz_weat_units_result *w) {
    char ci[40] = "no interval", p[16], ph[16];
    if (w->ci_level > 0) snprintf(ci, sizeof ci, "[%+.3f, %+.3f]", w->ci_lo, w->ci_hi);
    mz_cli_p_text(p, sizeof p, w->p_value, &w->inference);
    mz_cli_p_text(ph, sizeof ph, e->p_holm, &w->inference);
    fprintf(o, "%5zu %4.1f/%-4.1f %+8.3f  %-16s %6.2f %9s %9s\n", w->inference.n_units,
            e->tokens_per_word[0], e->tokens_per_word[1], w->effect_size, ci, w->inference.mde, p,
            ph);
}

static const char *UNITS_HEADER = "%5s %-9s %8s  %-16s %6s %9s %9s\n";

static void print_units_header(FILE *o) {
    fprintf(o, UNITS_HEADER, "words", "tok X/Y", "d", "95% CI (words)", "mde", "p", "p (Holm)");
}

static const char *UNITS_NOTE =
    "Inference is over words, what varies between replications of a test: p is a one-sided\n"
    "permutation test that moves each target word with all its sentences, and only between\n"
    "words of the same token count (and frame class), so that tokenization alone cannot make\n"
    "an association; the interval resamples the words of all four lists. tok X/Y: mean tokens\n"
    "per word of the two target lists (words split into many pieces share geometry that a\n"
    "random model already shows). Holm adjusts across the tests that can reach significance.\n";

/* Which tests have a null reference (their words share tokens), and which p the table shows. */
static void print_reference_note(FILE *o, const void *results, size_t stride, size_t n,
                                 size_t copies) {
    size_t shared = 0;
    for (size_t i = 0; i < n; i++) {
        const mz_suite_entry *e = mz_suite_entry_at(results, stride, i);
        if (!e->computed || !e->shared_pieces) continue;
        fprintf(o, "%s%s", shared++ ? ", " : "\nwords sharing tokens: ", e->set->id);
    }
    if (!shared) {
        fprintf(o, "\nEvery test's words are distinct tokens: the word permutation is exact on a\n"
                   "model that learned nothing, and no null reference is needed.\n");
        return;
    }
    if (copies)
        fprintf(
            o,
            ".\nFor these, p is the larger of the word-level p and that of the same test on %zu\n"
            "random-weight copies of the model (the null reference: what architecture and\n"
            "tokenizer give alone); for the others the word permutation is exact.\n",
            copies);
    else
        fprintf(o,
                ".\nThese have no null reference (--null-reference 0, or a GGUF file): words that\n"
                "share tokens are alike even in a model that learned nothing, so their p cannot\n"
                "tell the tokenizer from learning.\n");
}

static void print_table(FILE *o, const mz_seat_result *r, size_t n, const mz_embed_options *e,
                        size_t copies) {
    fprintf(o, "sentence embeddings: hidden state %d, %s pooling\n", e->layer,
            mz_pooling_name(e->pooling));
    fprintf(o, "%-36s %-4s %-15s ", "test", "lang", "sentences");
    print_units_header(o);
    for (size_t i = 0; i < n; i++) {
        char sizes[32];
        snprintf(sizes, sizeof sizes, "%zu/%zu/%zu/%zu", r[i].n_sentences[0], r[i].n_sentences[1],
                 r[i].n_sentences[2], r[i].n_sentences[3]);
        if (!print_entry(o, &r[i].entry)) continue;
        fprintf(o, "%-15s ", sizes);
        print_units(o, &r[i].entry, &r[i].weat);
    }
    int header = 0;
    for (size_t i = 0; i < n; i++)
        print_unknown(o, &header, r[i].entry.set->id, &r[i].entry.unknown);
    fprintf(
        o,
        "\nd: how much more the first target group's sentences lean towards the first attribute\n"
        "set than the second group's do, in standard deviations (0: no association). Sentences\n"
        "are the probe words in bleached frames (\"This is {word}.\").\n%s",
        UNITS_NOTE);
    print_reference_note(o, r, sizeof *r, n, copies);
    mz_cli_inference_note(o);
}

/* What both commands read: the model and tokenizer, association sets, frames, embedding options. */
typedef struct inputs {
    mz_model *m;
    mz_tokenizer *t;
    mz_probe_set **sets, **tpl;
    size_t n, n_tpl;
    mz_embed_options eo;
    mz_null_copies copies; /* --null-reference */
    char copies_config[4200];
} inputs;

static void inputs_free(inputs *in) {
    mz_progress_free(in->copies.progress);
    mz_embed_cache_free(in->eo.cache);
    mz_cli_free_sets(in->sets, in->n);
    mz_cli_free_sets(in->tpl, in->n_tpl);
    mz_tokenizer_free(in->t);
    mz_model_free(in->m);
}

static mz_status read_inputs(mz_cli *cli, const mz_cli_args *args, const char *cmd, inputs *in) {
    const char *model, *tok = mz_cli_get(args, "tokenizer");
    const char *probes = mz_cli_get(args, "probes"), *frames = mz_cli_get(args, "templates");
    long layer = -1;
    long copies = -1; /* absent: MZ_NULL_COPIES_AUTO */
    mz_status rc = mz_cli_require(cli, args, cmd, "model", &model);
    if (!rc) rc = mz_cli_get_long(cli, args, "layer", 0, 1024, &layer);
    if (!rc) rc = mz_cli_get_long(cli, args, "null-reference", 0, 1000, &copies);
    if (!rc)
        rc = mz_null_copies_init(&in->copies, copies < 0 ? MZ_NULL_COPIES_AUTO : (size_t)copies,
                                 cli->seed, model, in->copies_config, sizeof in->copies_config,
                                 cli->ctx);
    if (!rc) rc = mz_cli_open_model(cli, model, tok, &in->m, &in->t);
    if (!rc && layer > mz_model_get_config(in->m)->n_layers)
        rc =
            mz_fail(cli->ctx, MZ_ERR_USAGE, NULL, "--layer %ld: this model has hidden states 0..%d",
                    layer, mz_model_get_config(in->m)->n_layers);
    if (!rc) rc = read_pooling(cli, mz_cli_get(args, "pooling"), in->m, &in->eo.pooling);
    if (!rc)
        rc = mz_cli_load_probe_sets(cli, probes ? probes : "default", MZ_PROBE_ASSOCIATION,
                                    &in->sets, &in->n);
    if (!rc)
        rc = mz_cli_load_probe_sets(cli, frames ? frames : "default", MZ_PROBE_TEMPLATES, &in->tpl,
                                    &in->n_tpl);
    in->eo.layer = rc || layer >= 0 ? (int)layer : mz_model_get_config(in->m)->n_layers;
    if (!rc) in->eo.progress = mz_cli_progress(cli, "texts embedded", 0);
    if (!rc && in->copies.n)
        in->copies.progress = mz_cli_progress(cli, "random copies", in->copies.n);
    return rc;
}

/* Every frame sentence of the suite embedded at once, packed into full batches, into a cache
 * that both tests read: SEAT, CEAT and the audit then run the same batches, hence give the
 * same numbers. */
static mz_status fill_frames(mz_cli *cli, inputs *in) {
    char **texts = NULL;
    size_t n = 0;
    mz_status rc = mz_embed_cache_new(&in->eo.cache, cli->ctx);
    if (!rc) rc = mz_seat_sentences(&texts, &n, in->sets, in->n, in->tpl, in->n_tpl, cli->ctx);
    if (!rc)
        rc = mz_embed_cache_fill(in->eo.cache, in->m, in->t, (const char *const *)texts, n, &in->eo,
                                 cli->ctx);
    mz_templates_free(texts, n);
    return rc;
}

/* A suite in which no test could be computed has nothing to report and no all-clear to give. */
static mz_status none_computed(mz_cli *cli, const void *res, size_t stride, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (mz_suite_entry_at(res, stride, i)->computed) return MZ_OK;
    const mz_suite_entry *first = res;
    return mz_fail(cli->ctx, MZ_ERR_INPUT, NULL,
                   "none of the %zu tests could be computed; the first, '%s': %s", n,
                   n ? first->set->id : "", n ? first->reason : "no probe sets");
}

static mz_status seat_cmd(mz_cli *cli, const mz_cli_args *args) {
    long perms = 10000, boot = 1000;
    inputs in = {0};
    mz_seat_result *res = NULL;
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    mz_status rc = mz_cli_get_long(cli, args, "permutations", 100, 100000000, &perms);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 1000000, &boot);
    wo.n_permutations = (uint64_t)perms, wo.n_bootstrap = (uint32_t)boot, wo.seed = cli->seed;
    if (!rc) rc = read_inputs(cli, args, "seat", &in);
    if (!rc) rc = fill_frames(cli, &in);
    if (!rc && !(res = mz_calloc(in.n, sizeof *res)))
        rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc)
        rc = mz_seat_suite(res, in.m, in.t, in.sets, in.n, in.tpl, in.n_tpl, &in.eo, &wo, cli->ctx);
    if (!rc && in.copies.n)
        rc = mz_seat_reference(res, &in.copies, in.m, in.t, in.n, in.tpl, in.n_tpl, &in.eo,
                               cli->ctx);
    mz_progress_finish(in.eo.progress);
    mz_progress_free(in.eo.progress);
    if (!rc) rc = none_computed(cli, res, sizeof *res, in.n);
    mz_results *tree = NULL;
    if (!rc && mz_cli_flag(args, "json")) {
        rc = mz_cli_results_new(&tree, cli, "seat", args);
        if (!rc) rc = mz_results_model(tree, in.m, mz_cli_get(args, "model"), in.t);
        if (!rc)
            rc = mz_report_seat(tree, res, in.n, &in.eo, &wo, in.copies.n, in.tpl, in.n_tpl, NULL);
        if (!rc) rc = mz_cli_print_results(cli, tree);
    } else if (!rc)
        print_table(cli->out, res, in.n, &in.eo, in.copies.n);
    mz_results_free(tree);
    mz_suite_clear(res, sizeof *res, in.n);
    mz_free(res);
    inputs_free(&in);
    return rc;
}

#define NULL_REFERENCE_HELP                                                                    \
    "the tests whose words share tokens also run on K random-weight copies of the model, and " \
    "p becomes the larger of the word-level p and the copies' reference (default 10 for a "    \
    "model folder, none for a GGUF file; 0: none, else at least 3). Costs K passes of those "  \
    "tests' texts: at most about 41 CPU s a copy for a BERT-base model (README)"

static const mz_cli_opt seat_opts[] = {
    {"model", "DIR|FILE.gguf", "the model whose sentence embeddings are tested"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"probes", "PATHS", "association probe sets (default: the shipped English and Swahili ones)"},
    {"templates", "PATHS",
     "sentence-frame sets (default: the shipped SEAT frames, one per language)"},
    {"layer", "L", "hidden state to pool (0: embeddings; default: the last)"},
    {"pooling", "NAME", "mean (encoders' default), first ([CLS]) or last (decoders' default)"},
    {"permutations", "N", "Monte Carlo permutations for p (default 10000)"},
    {"bootstrap", "N", "bootstrap draws for the interval on d (default 1000; 0: none)"},
    {"null-reference", "K", NULL_REFERENCE_HELP},
    {"json", NULL, "print the results as JSON"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_seat = {
    .name = "seat",
    .summary = "association tests on the model's sentence embeddings (SEAT)",
    .usage =
        "--model DIR|FILE.gguf [--probes PATHS] [--layer L] [--pooling mean|first|last] [--json]",
    .description =
        "Puts every word of every association probe set into the bleached sentence frames of its\n"
        "language and word class (May et al. 2019), embeds the sentences with the model (a pooled\n"
        "hidden state) and runs WEAT on them: effect size d over the sentences, with inference over\n"
        "the words (a bootstrap interval resampling words, a permutation p-value moving each target\n"
        "word with its sentences among words of equal token count), the number of words it rests\n"
        "on and the smallest effect it can detect; Holm across tests. A test whose words share\n"
        "tokens (a piece of one word in another) is also run on random-weight copies of the model\n"
        "(--null-reference), so that the tokenizer alone cannot make a finding. Deterministic for\n"
        "--seed.",
    .examples = "  mizani seat --model ./xlm-roberta-base\n"
                "  mizani seat --model ./gpt2 --probes corpora/weat-en --layer 6 --json\n",
    .opts = seat_opts,
    .max_args = 0,
    .run = seat_cmd,
};

/* --- CEAT ---------------------------------------------------------------------------------- */

static void print_ceat(FILE *o, const mz_ceat_result *r, size_t n, const inputs *in,
                       uint32_t samples) {
    fprintf(o,
            "contextual word embeddings: hidden state %d, %s of the word's subwords, %u samples\n",
            in->eo.layer, mz_pooling_name(in->eo.pooling), samples);
    fprintf(o, "%-36s %-4s %8s %8s %6s ", "test", "lang", "contexts", "CES", "I^2");
    print_units_header(o);
    for (size_t i = 0; i < n; i++) {
        if (!print_entry(o, &r[i].entry)) continue;
        fprintf(o, "%8zu %+8.3f %6.2f ", r[i].n_contexts, r[i].meta.effect, r[i].meta.i2);
        print_units(o, &r[i].entry, &r[i].words);
    }
    int header = 0;
    for (size_t i = 0; i < n; i++)
        print_unknown(o, &header, r[i].entry.set->id, &r[i].entry.unknown);
    fprintf(o,
            "\nCES: the combined effect size over samples that each draw one context per word\n"
            "(random effects, DerSimonian-Laird, Guo and Caliskan 2021), with I^2; a description\n"
            "only: the samples reuse the same words, so their combined interval would narrow with\n"
            "--samples without saying more about the words. d: the effect over all contexts.\n%s",
            UNITS_NOTE);
    print_reference_note(o, r, sizeof *r, n, in->copies.n);
    mz_cli_inference_note(o);
}

/* --contexts FILE: its non-empty lines, pointing into *text; invalid UTF-8 is an error naming
 * the line. */
static mz_status read_corpus(mz_cli *cli, const char *path, char **text, const char ***lines,
                             size_t *n) {
    size_t len, cap = 0;
    long line = 0;
    *lines = NULL, *n = 0;
    mz_status rc = mz_read_file(text, &len, path, 1u << 30, cli->ctx);
    for (char *p = rc ? NULL : *text, *end; !rc && p && *p; p = end ? end + 1 : NULL) {
        end = strchr(p, '\n');
        if (end) *end = 0;
        size_t l = strlen(p);
        line++;
        if (l && p[l - 1] == '\r') p[--l] = 0;
        for (size_t at = 0; at < l;) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k =
                utf8proc_iterate((const utf8proc_uint8_t *)p + at, (utf8proc_ssize_t)(l - at), &cp);
            if (k < 0)
                return mz_fail_line(cli->ctx, MZ_ERR_INPUT, path, line, (long)at + 1,
                                    "invalid UTF-8");
            at += (size_t)k;
        }
        if (!l) continue;
        if (mz_grow((void **)lines, &cap, *n + 1, sizeof **lines))
            return mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        (*lines)[(*n)++] = p;
    }
    if (!rc && !*n) rc = mz_fail(cli->ctx, MZ_ERR_INPUT, path, "holds no sentences");
    return rc;
}

static mz_status ceat_cmd(mz_cli *cli, const mz_cli_args *args) {
    long samples = 1000, max_ctx = 100, perms = 10000, boot = 1000;
    inputs in = {0};
    mz_ceat_result *res = NULL;
    char *corpus_text = NULL;
    const char **corpus = NULL, *corpus_path = mz_cli_get(args, "contexts");
    size_t n_corpus = 0;
    mz_status rc = mz_cli_get_long(cli, args, "samples", 2, 10000000, &samples);
    if (!rc) rc = mz_cli_get_long(cli, args, "max-contexts", 1, 1000000, &max_ctx);
    if (!rc) rc = mz_cli_get_long(cli, args, "permutations", 100, 100000000, &perms);
    if (!rc) rc = mz_cli_get_long(cli, args, "bootstrap", 0, 1000000, &boot);
    if (!rc && corpus_path) rc = read_corpus(cli, corpus_path, &corpus_text, &corpus, &n_corpus);
    if (!rc) rc = read_inputs(cli, args, "ceat", &in);
    if (!rc && in.eo.pooling == MZ_POOL_LAST && !mz_cli_get(args, "pooling"))
        in.eo.pooling = MZ_POOL_MEAN;
    if (!rc && !corpus) rc = fill_frames(cli, &in);
    mz_ceat_options o = {.embed = in.eo,
                         .n_permutations = (uint64_t)perms,
                         .n_bootstrap = (uint32_t)boot,
                         .n_samples = (uint32_t)samples,
                         .ci_level = 0.95,
                         .seed = cli->seed,
                         .corpus = corpus,
                         .n_corpus = n_corpus,
                         .max_contexts = (size_t)max_ctx};
    if (!rc && !(res = mz_calloc(in.n, sizeof *res)))
        rc = mz_fail(cli->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) rc = mz_ceat_suite(res, in.m, in.t, in.sets, in.n, in.tpl, in.n_tpl, &o, cli->ctx);
    if (!rc && in.copies.n)
        rc = mz_ceat_reference(res, &in.copies, in.m, in.t, in.n, in.tpl, in.n_tpl, &o, cli->ctx);
    mz_progress_finish(in.eo.progress);
    mz_progress_free(in.eo.progress);
    if (!rc) rc = none_computed(cli, res, sizeof *res, in.n);
    mz_results *tree = NULL;
    if (!rc && mz_cli_flag(args, "json")) {
        rc = mz_cli_results_new(&tree, cli, "ceat", args);
        if (!rc) rc = mz_results_model(tree, in.m, mz_cli_get(args, "model"), in.t);
        if (!rc) rc = mz_report_ceat(tree, res, in.n, &o, in.copies.n, NULL);
        if (!rc) rc = mz_cli_print_results(cli, tree);
    } else if (!rc)
        print_ceat(cli->out, res, in.n, &in, o.n_samples);
    mz_results_free(tree);
    mz_suite_clear(res, sizeof *res, in.n);
    mz_free(res);
    mz_free(corpus);
    mz_free(corpus_text);
    inputs_free(&in);
    return rc;
}

static const mz_cli_opt ceat_opts[] = {
    {"model", "DIR|FILE.gguf", "the model whose contextual word embeddings are tested"},
    {"tokenizer", "PATH", "its tokenizer, when not in the model folder"},
    {"probes", "PATHS", "association probe sets (default: the shipped English and Swahili ones)"},
    {"contexts", "FILE",
     "a text corpus, one sentence per line: each word's contexts are the lines that\n"
     "hold it (default: the shipped sentence frames)"},
    {"max-contexts", "N", "with --contexts: at most N contexts per word (default 100)"},
    {"templates", "PATHS",
     "sentence-frame sets, when no --contexts (default: the shipped SEAT frames)"},
    {"layer", "L", "hidden state (0: embeddings; default: the last)"},
    {"pooling", "NAME", "over the word's subword tokens: mean (default), first or last"},
    {"samples", "N", "samples of one context per word for the descriptive CES (default 1000)"},
    {"permutations", "N", "Monte Carlo permutations of target words for p (default 10000)"},
    {"bootstrap", "N", "bootstrap draws over words for the interval on d (default 1000; 0: none)"},
    {"null-reference", "K", NULL_REFERENCE_HELP},
    {"json", NULL, "print the results as JSON"},
    {NULL, NULL, NULL},
};

const mz_cli_command mz_cmd_ceat = {
    .name = "ceat",
    .summary = "association tests on contextual word embeddings (CEAT, random-effects)",
    .usage = "--model DIR|FILE.gguf [--probes PATHS] [--layer L] [--samples N] [--json]",
    .description =
        "Embeds every probe word in each of its contexts (the lines of --contexts that hold it, or the\n"
        "sentence frames of its language),\n"
        "pooling the word's own subword tokens. The test is over words: d over all contexts, a\n"
        "bootstrap interval resampling words and a permutation p-value moving each target word with\n"
        "its contexts among words of equal token count (Holm across tests); it does not change with\n"
        "--samples. As a description, N samples of one context per word combined by random effects\n"
        "(DerSimonian-Laird, Guo and Caliskan 2021): CES and heterogeneity (Q, I^2). A test whose\n"
        "words share tokens is also run on random-weight copies of the model (--null-reference).\n"
        "Deterministic for --seed.",
    .examples =
        "  mizani ceat --model ./afriberta-small --samples 2000\n"
        "  mizani ceat --model ./xlm-roberta-base --contexts swahili-news.txt --max-contexts 200\n",
    .opts = ceat_opts,
    .max_args = 0,
    .run = ceat_cmd,
};
