/* The audit as a sequence of jobs: each stage runs one family's library job on the probe sets
 * that apply, converts its results into the tree, and is timed; a stage that does not apply to
 * the model, or cannot run for a reason of the model, is recorded as skipped with the reason
 * (its probe sets listed as skipped findings), and the rest goes on. */
#include "audit_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"
#include "mizani/static_audit.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const family_titles[MZ_AUDIT_N_TESTS] = {"Tokenizer fairness",
                                                            "Association tests on input embeddings",
                                                            "Sentence embeddings (SEAT)",
                                                            "Contextual word embeddings (CEAT)",
                                                            "Minimal pairs",
                                                            "Masked templates",
                                                            "Explanations"};

static double seconds(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Whether a probe set is in the languages asked for (a parallel set: either of its two). */
static int wanted(const mz_audit_options *o, const mz_probe_set *s) {
    if (!o->languages) return 1;
    for (size_t i = 0; i < o->n_languages; i++)
        if ((s->language && !strcmp(s->language, o->languages[i])) ||
            (s->kind == MZ_PROBE_PARALLEL && s->languages[0] &&
             (!strcmp(s->languages[0], o->languages[i]) ||
              !strcmp(s->languages[1], o->languages[i]))))
            return 1;
    return 0;
}

static mz_status sets_of(audit *a, mz_probe_kind kind, mz_probe_set ***out, size_t *n) {
    *out = mz_calloc(a->in->n_sets + 1, sizeof **out), *n = 0;
    if (!*out) return mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < a->in->n_sets; i++)
        if (a->in->sets[i]->kind == kind && wanted(a->o, a->in->sets[i]))
            (*out)[(*n)++] = a->in->sets[i];
    return MZ_OK;
}

/* A family that does not apply or cannot run: its section lists each of its probe sets as
 * skipped, with the reason. */
static void skipped_section(audit *a, mz_audit_test t, const char *reason) {
    static const mz_probe_kind kinds[MZ_AUDIT_N_TESTS] = {
        MZ_PROBE_PARALLEL,      MZ_PROBE_ASSOCIATION, MZ_PROBE_ASSOCIATION,  MZ_PROBE_ASSOCIATION,
        MZ_PROBE_MINIMAL_PAIRS, MZ_PROBE_MASKED,      MZ_PROBE_MINIMAL_PAIRS};
    const char *family = mz_audit_test_names[t];
    mz_rnode *sec = mz_results_section(a->r, family, family_titles[t]);
    size_t n = 0;
    for (size_t i = 0; i < a->in->n_sets; i++) {
        const mz_probe_set *s = a->in->sets[i];
        if (s->kind != kinds[t] || !wanted(a->o, s)) continue;
        mz_finding f = mz_finding_init(family, s->id);
        mz_finding_set_probe(&f, s);
        f.status = MZ_FINDING_SKIPPED;
        f.reason = reason;
        mz_rn_array(a->r, mz_results_finding(a->r, sec, &f), "items");
        n++;
    }
    if (!n) { /* no probe set of the kind: the family itself is what was skipped */
        mz_finding f = mz_finding_init(family, family);
        f.title = family_titles[t];
        f.status = MZ_FINDING_SKIPPED;
        f.reason = reason;
        mz_rn_array(a->r, mz_results_finding(a->r, sec, &f), "items");
    }
}

/* One stage: run (or say why not), time it, record it in $.run.stages and say so on the log. */
static mz_status stage(audit *a, mz_audit_test t, stage_fn fn, const char *unit) {
    const char *name = mz_audit_test_names[t];
    mz_rnode *st = mz_rn_object(a->r, a->stages, NULL);
    mz_rn_str(a->r, st, "stage", name);
    if (!(a->o->tests & (1u << t))) {
        mz_rn_str(a->r, st, "status", "not requested");
        return mz_results_status(a->r);
    }
    if (mz_interrupted()) return mz_fail(a->ctx, MZ_ERR_INTERRUPTED, NULL, "interrupted");
    char label[64], why[512] = "";
    snprintf(label, sizeof label, "audit: %s (%s)", name, unit ? unit : "");
    mz_progress *p =
        unit
            ? mz_progress_new(a->o->log, a->o->log ? MZ_PROGRESS_AUTO : MZ_PROGRESS_QUIET, label, 0)
            : NULL; /* a stage that runs no model passes counts nothing */
    double wall = seconds(CLOCK_MONOTONIC), cpu = seconds(CLOCK_PROCESS_CPUTIME_ID);
    mz_status rc = fn(a, p, why, sizeof why);
    mz_progress_free(p);
    if (rc == MZ_ERR_INPUT || rc == MZ_ERR_UNSUPPORTED) { /* a reason of the model: go on */
        snprintf(why, sizeof why, "%s", mz_ctx_cause(a->ctx));
        mz_ctx_clear(a->ctx);
        rc = MZ_OK;
    }
    if (rc) return rc;
    wall = seconds(CLOCK_MONOTONIC) - wall, cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu;
    if (*why && t != MZ_AUDIT_EXPLAIN) skipped_section(a, t, why);
    mz_rn_str(a->r, st, "status", *why ? "skipped" : "run");
    mz_rn_str(a->r, st, "reason", *why ? why : NULL);
    mz_rn_num(a->r, st, "seconds", wall);
    mz_rn_num(a->r, st, "cpu_seconds", cpu);
    if (a->o->log) {
        if (*why)
            fprintf(a->o->log, "audit: %s skipped: %s\n", name, why);
        else
            fprintf(a->o->log, "audit: %s done in %.1f s (%.1f s of CPU)\n", name, wall, cpu);
        fflush(a->o->log);
    }
    return mz_results_status(a->r);
}

/* ---- The stages ---------------------------------------------------------------------------- */

static mz_status fairness(audit *a, mz_progress *p, char *why, size_t n_why) {
    (void)p;
    mz_probe_set **sets;
    size_t n;
    mz_status rc = sets_of(a, MZ_PROBE_PARALLEL, &sets, &n);
    if (!rc && !n) snprintf(why, n_why, "no parallel text among the probe sets");
    mz_fairness f = {0};
    mz_fairness_options fo = {.n_bootstrap = a->o->fairness_bootstrap,
                              .ci_level = 0.95,
                              .seed = a->o->seed,
                              .dict = a->o->dictionary,
                              .n_dict = a->o->n_dictionary};
    if (!rc && n) rc = mz_tokenizer_fairness(&f, a->in->tokenizer, sets[0], &fo, a->ctx);
    if (!rc && n) rc = mz_report_fairness(a->r, &f, sets[0], fo.n_bootstrap);
    mz_fairness_clear(&f);
    mz_free(sets);
    return rc;
}

static mz_status input_embeddings(audit *a, mz_progress *p, char *why, size_t n_why) {
    mz_probe_set **sets;
    size_t n, n_words = 0;
    const char **words = NULL;
    mz_vectors *v = NULL;
    mz_static_suite suite = {0};
    mz_static_options so;
    mz_static_options_default(&so);
    so.weat.n_permutations = a->o->static_permutations;
    so.weat.n_bootstrap = a->o->static_bootstrap;
    so.weat.seed = a->o->seed;
    mz_status rc = sets_of(a, MZ_PROBE_ASSOCIATION, &sets, &n);
    if (!rc && !n) snprintf(why, n_why, "no association probe set");
    if (!rc && n)
        rc = mz_probe_sets_words(&words, &n_words, (const mz_probe_set *const *)sets, n, a->ctx);
    mz_vectors_options vo = {.keep = words, .n_keep = n_words};
    if (!rc && n) rc = mz_input_embedding_vectors(&v, a->in->model, a->in->tokenizer, &vo, a->ctx);
    if (!rc) mz_progress_set_total(p, n);
    if (!rc && n)
        rc = mz_static_suite_run(&suite, v, a->in->model_path, (const mz_probe_set *const *)sets, n,
                                 &so, p, a->ctx);
    if (!rc && n) rc = mz_report_static_suite(a->r, &suite, &so, v);
    mz_static_suite_clear(&suite);
    mz_vectors_free(v);
    mz_free(words);
    mz_free(sets);
    return rc;
}

/* SEAT's sentences, which are also CEAT's contexts, into the cache at once (full batches). */
static mz_status fill_frames(audit *a, mz_progress *p) {
    if (a->cache) return MZ_OK;
    char **texts = NULL;
    size_t n = 0;
    a->embed.progress = p;
    mz_status rc = mz_embed_cache_new(&a->cache, a->ctx);
    if (!rc) rc = mz_seat_sentences(&texts, &n, a->assoc, a->n_assoc, a->tpl, a->n_tpl, a->ctx);
    mz_progress_set_total(p, n);
    if (!rc) {
        a->embed.cache = a->cache;
        rc = mz_embed_cache_fill(a->cache, a->in->model, a->in->tokenizer,
                                 (const char *const *)texts, n, &a->embed, a->ctx);
    }
    a->embed.progress = NULL; /* the stage frees p */
    mz_templates_free(texts, n);
    return rc;
}

/* The null reference's copies, counted on the log (free nc.progress). */
static mz_null_copies counted(const audit *a, const char *family) {
    mz_null_copies nc = a->copies;
    char label[64];
    snprintf(label, sizeof label, "audit: %s (random copies)", family);
    nc.progress =
        nc.n && a->o->log ? mz_progress_new(a->o->log, MZ_PROGRESS_AUTO, label, nc.n) : NULL;
    return nc;
}

/* The null reference of SEAT's tests kept from its stage (a->seat) and of CEAT's (NULL: none),
 * drawing each random copy once for both, then SEAT's section (CEAT's is its stage's). */
static mz_status references(audit *a, mz_ceat_result *ceat, const mz_ceat_options *co) {
    mz_null_copies nc = counted(a, a->seat && ceat ? "seat and ceat" : ceat ? "ceat" : "seat");
    mz_status rc = MZ_OK;
    if (nc.n)
        rc = mz_assoc_reference(a->seat, ceat, a->n_assoc, &nc, a->in->model, a->in->tokenizer,
                                a->tpl, a->n_tpl, &a->seat_embed, co, a->ctx);
    mz_progress_free(nc.progress);
    if (!rc && a->seat)
        rc = mz_report_seat(a->r, a->seat, a->n_assoc, &a->seat_embed, &a->seat_weat, nc.n, a->tpl,
                            a->n_tpl, &a->o->rules);
    if (a->seat) mz_suite_clear(a->seat, sizeof *a->seat, a->n_assoc);
    mz_free(a->seat);
    a->seat = NULL;
    return rc;
}

/* SEAT's tests; their reference and section wait for CEAT's stage when it runs (one set of
 * copies for both). */
static mz_status seat(audit *a, mz_progress *p, char *why, size_t n_why) {
    if (!a->n_assoc) return snprintf(why, n_why, "no association probe set"), MZ_OK;
    a->seat = mz_calloc(a->n_assoc + 1, sizeof *a->seat);
    mz_status rc =
        a->seat ? fill_frames(a, p) : mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_weat_options_default(&a->seat_weat);
    a->seat_weat.n_permutations = a->o->permutations, a->seat_weat.n_bootstrap = a->o->bootstrap;
    a->seat_weat.seed = a->o->seed;
    a->seat_embed = a->embed;
    a->seat_embed.pooling =
        mz_model_is_causal(mz_model_get_config(a->in->model)) ? MZ_POOL_LAST : MZ_POOL_MEAN;
    a->seat_embed.progress = NULL;
    if (!rc)
        rc = mz_seat_suite(a->seat, a->in->model, a->in->tokenizer, a->assoc, a->n_assoc, a->tpl,
                           a->n_tpl, &a->seat_embed, &a->seat_weat, a->ctx);
    if (rc) { /* a failed suite owns nothing */
        mz_free(a->seat);
        a->seat = NULL;
    }
    if (!rc && !(a->o->tests & 1u << MZ_AUDIT_CEAT)) rc = references(a, NULL, NULL);
    return rc;
}

static mz_status ceat(audit *a, mz_progress *p, char *why, size_t n_why) {
    if (!a->n_assoc) return snprintf(why, n_why, "no association probe set"), MZ_OK;
    mz_ceat_result *res = mz_calloc(a->n_assoc + 1, sizeof *res);
    mz_status rc = res ? fill_frames(a, p) : mz_fail(a->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_ceat_options co = {.embed = a->embed,
                          .n_samples = a->o->samples,
                          .ci_level = 0.95,
                          .seed = a->o->seed,
                          .n_permutations = a->o->permutations,
                          .n_bootstrap = a->o->bootstrap};
    co.embed.pooling = MZ_POOL_MEAN; /* over the word's own subwords */
    co.embed.progress = NULL;
    if (!rc)
        rc = mz_ceat_suite(res, a->in->model, a->in->tokenizer, a->assoc, a->n_assoc, a->tpl,
                           a->n_tpl, &co, a->ctx);
    if (!rc) rc = references(a, res, &co);
    if (!rc) rc = mz_report_ceat(a->r, res, a->n_assoc, &co, a->copies.n, &a->o->rules);
    mz_suite_clear(res, sizeof *res, a->n_assoc); /* a failed suite owns nothing */
    mz_free(res);
    return rc;
}

/* Why the likelihood tests cannot run on this model, or NULL. */
static const char *no_lm(const audit *a, int masked) {
    const mz_model_config *c = mz_model_get_config(a->in->model);
    if (!c->has_lm_head) return "the checkpoint has no language-model head to score sentences with";
    if (masked && mz_model_is_causal(c))
        return "a decoder has no [MASK] to fill: masked templates need a masked language model";
    if (!mz_model_is_causal(c) && mz_lik_mask_id(a->in->tokenizer) < 0)
        return "the tokenizer has no mask token ([MASK] or <mask>)";
    return NULL;
}

static mz_status pairs(audit *a, mz_progress *p, char *why, size_t n_why) {
    mz_probe_set **sets;
    size_t n;
    const char *no = no_lm(a, 0);
    if (no) return snprintf(why, n_why, "%s", no), MZ_OK;
    mz_status rc = sets_of(a, MZ_PROBE_MINIMAL_PAIRS, &sets, &n);
    if (!rc && !n) snprintf(why, n_why, "no minimal-pairs probe set");
    mz_pairs_options po;
    mz_pairs_options_default(&po);
    po.seed = a->o->seed;
    mz_lik_method method =
        a->o->method >= 0 ? (mz_lik_method)a->o->method : mz_lik_default_method(a->in->model);
    if (!rc && n)
        rc = mz_lik_pairs_suite(&a->pairs, a->in->model, a->in->tokenizer, sets, n, method, &po, p,
                                a->ctx);
    if (!rc && n) a->sets_pairs = sets, sets = NULL;
    if (!rc && n && !a->pairs.n_computable)
        rc = mz_fail(a->ctx, MZ_ERR_INPUT, NULL,
                     "no minimal pair fits the model (see the pairs' lengths)");
    if (!rc && n) rc = mz_report_pairs(a->r, &a->pairs, method, &po, &a->o->rules);
    mz_free(sets);
    return rc;
}

static mz_status masked(audit *a, mz_progress *p, char *why, size_t n_why) {
    mz_probe_set **sets;
    size_t n, computed = 0;
    const char *no = no_lm(a, 1);
    if (no) return snprintf(why, n_why, "%s", no), MZ_OK;
    mz_status rc = sets_of(a, MZ_PROBE_MASKED, &sets, &n);
    if (!rc && !n) snprintf(why, n_why, "no masked-template probe set");
    if (!rc && n)
        rc = mz_lik_masked_suite(&a->masked, a->in->model, a->in->tokenizer, sets, n,
                                 a->o->likelihood_bootstrap, 0.95, a->o->seed, p, a->ctx);
    if (!rc && n) a->sets_masked = sets, sets = NULL;
    for (size_t i = 0; !rc && i < a->masked.n; i++)
        computed += a->masked.results[i].n_computable > 0;
    if (!rc && n && !computed)
        rc = mz_fail(a->ctx, MZ_ERR_INPUT, NULL, "no masked-template set fits the model: %s",
                     a->masked.reason[0]);
    if (!rc && n) rc = mz_report_masked(a->r, &a->masked, a->o->likelihood_bootstrap, &a->o->rules);
    mz_free(sets);
    return rc;
}

/* ---- Provenance and the whole ------------------------------------------------------------- */

/* Whether any finding of the bias families was computed; the first reason when none was. */
static size_t computed_findings(const mz_results *r, char *first, size_t n_first) {
    static const char *const families[] = {"static", "seat", "ceat", "pairs", "masked"};
    const json_t *sections = json_object_get(mz_results_json(r), "sections");
    size_t n = 0;
    *first = '\0';
    for (size_t k = 0; k < sizeof families / sizeof *families; k++) {
        size_t i;
        const json_t *f;
        json_array_foreach(json_object_get(json_object_get(sections, families[k]), "findings"), i,
                           f) {
            const char *status = json_string_value(json_object_get(f, "status"));
            const char *reason = json_string_value(json_object_get(f, "reason"));
            if (status && !strcmp(status, "computed"))
                n++;
            else if (!*first && reason)
                snprintf(first, n_first, "%s: %s: %s", families[k],
                         json_string_value(json_object_get(f, "id")), reason);
        }
    }
    return n;
}

static void audit_free(audit *a) {
    if (a->seat) mz_suite_clear(a->seat, sizeof *a->seat, a->n_assoc);
    mz_free(a->seat);
    mz_embed_cache_free(a->cache);
    mz_pairs_suite_free(&a->pairs);
    mz_masked_suite_free(&a->masked);
    mz_free(a->assoc), mz_free(a->tpl), mz_free(a->sets_pairs), mz_free(a->sets_masked);
}

mz_status mz_audit_run(mz_results *r, const mz_audit_inputs *in, const mz_audit_options *o,
                       mz_ctx *ctx) {
    mz_audit_options eff = *o; /* with the null reference's K resolved */
    audit a = {.r = r, .in = in, .o = &eff, .ctx = ctx};
    a.embed = (mz_embed_options){.layer = o->layer};
    int refer = o->tests & (1u << MZ_AUDIT_SEAT | 1u << MZ_AUDIT_CEAT);
    size_t k =
        o->null_reference == MZ_AUDIT_NULL_REFERENCE_AUTO ? MZ_NULL_COPIES_AUTO : o->null_reference;
    mz_status rc = mz_null_copies_init(&a.copies, refer ? k : 0, o->seed, in->model_path,
                                       a.copies_config, sizeof a.copies_config, ctx);
    eff.null_reference = (uint32_t)a.copies.n;
    if (!rc) rc = mz_results_model(r, in->model, in->model_path, in->tokenizer);
    for (size_t i = 0; !rc && i < in->n_sets; i++)
        if (wanted(o, in->sets[i]) && in->sets[i]->kind != MZ_PROBE_NAMES &&
            in->sets[i]->kind != MZ_PROBE_SLURS)
            rc = mz_results_probe_set(r, in->sets[i]);
    if (!rc) rc = mz_audit_record_config(r, &eff);
    if (!rc) rc = sets_of(&a, MZ_PROBE_ASSOCIATION, &a.assoc, &a.n_assoc);
    if (!rc) rc = sets_of(&a, MZ_PROBE_TEMPLATES, &a.tpl, &a.n_tpl);
    a.stages = rc ? NULL : mz_rn_array(r, mz_results_run(r), "stages");
    if (!rc) rc = mz_results_status(r);
    if (!rc) rc = stage(&a, MZ_AUDIT_FAIRNESS, fairness, NULL);
    if (!rc) rc = stage(&a, MZ_AUDIT_STATIC, input_embeddings, NULL);
    if (!rc) rc = stage(&a, MZ_AUDIT_SEAT, seat, "sentences embedded");
    if (!rc) rc = stage(&a, MZ_AUDIT_CEAT, ceat, a.cache ? NULL : "contexts embedded");
    if (!rc && a.seat) rc = references(&a, NULL, NULL); /* CEAT's stage did not run */
    if (!rc) rc = stage(&a, MZ_AUDIT_PAIRS, pairs, "pairs");
    if (!rc) rc = stage(&a, MZ_AUDIT_MASKED, masked, "word-frame batches");
    if (!rc) rc = stage(&a, MZ_AUDIT_EXPLAIN, mz_audit_explain, "model rows");
    char first[768];
    if (!rc && !computed_findings(r, first, sizeof first))
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                     "no test could be computed on this model; the first: %s",
                     *first ? first : "no test was asked for");
    audit_free(&a);
    return rc;
}
