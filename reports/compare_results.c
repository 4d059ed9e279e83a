/* A comparison into the results tree ($.sections.compare, reports/SCHEMA.md): the checkpoints
 * as the subject, their probe sets, the gate's decision, and one finding per comparison holding
 * the change with its interval and p-values, what each audit reported, the outcome in words and
 * every paired item, so that compare.html and the JUnit file are drawn from the tree alone. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"

#include <math.h>
#include <string.h>

static const char *const method_text =
    "Each finding is compared between consecutive checkpoints on the items both audits share "
    "(never two summaries subtracted): association tests on each target word's association score "
    "(a SEAT sentence's score moves with its word), minimal pairs on each pair's preference for "
    "the more stereotypical sentence among pairs of equal token counts in both audits, masked "
    "templates on each attribute's group bias, tokenizer fairness on each segment's token counts. "
    "The change (after minus before) of the effect recomputed on those items is tested by "
    "swapping each unit's before and after values at random (words; pairs sharing target words "
    "as one cluster; attributes; segments), two-sided, exact when every pattern can be "
    "enumerated; its interval resamples the units (within the target lists for association "
    "tests), the same draw on both sides. Holm adjusts across every comparison of the run. A "
    "finding regressed when its bias, the distance of the effect from no effect, grew by more "
    "than its family's threshold and the change survives Holm; improved when it shrank by more "
    "than the threshold; changed when the change survives Holm but moved the bias less. The "
    "detectable change is the one 80% power finds at alpha, from the interval's width.";
static const char *const citations[] = {
    "Caliskan, Bryson and Narayanan (2017). Semantics derived automatically from language corpora "
    "contain human-like biases. Science 356(6334).",
    "Nangia, Vania, Bhalerao and Bowman (2020). CrowS-Pairs: a challenge dataset for measuring "
    "social biases in masked language models. EMNLP.",
    "Kurita, Vyas, Pareek, Black and Tsvetkov (2019). Measuring bias in contextualized word "
    "representations. GeBNLP workshop.",
    "Holm (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal "
    "of Statistics 6(2).",
    "Good (2005). Permutation, parametric and bootstrap tests of hypotheses. Springer."};

/* The checkpoints, each with what its tree says about itself. */
static void subject(mz_results *r, const mz_compare *c) {
    mz_rnode *s = mz_results_subject(r, "checkpoints");
    mz_rnode *list = mz_rn_array(r, s, "checkpoints");
    for (size_t i = 0; i < c->n_checkpoints; i++) {
        const mz_checkpoint *cp = c->checkpoints[i];
        const mz_results *t = mz_checkpoint_results(cp);
        const json_t *root = t ? mz_results_json(t) : NULL, *run = json_object_get(root, "run");
        mz_rnode *o = mz_rn_object(r, list, NULL);
        mz_rn_int(r, o, "index", (long long)i + 1);
        mz_rn_path(r, o, "label", mz_checkpoint_label(cp));
        mz_rn_str(r, o, "source", mz_checkpoint_source(cp));
        mz_rn_str(r, o, "run_id", json_string_value(json_object_get(run, "id")));
        mz_rn_str(r, o, "job", json_string_value(json_object_get(run, "job")));
        const json_t *subj = json_object_get(root, "subject");
        if (subj && !r->status) {
            json_t *copy = json_deep_copy(subj);
            if (!copy || json_object_set_new(MZ_J(o), "subject", copy))
                r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        }
    }
}

/* Every probe set the checkpoints' trees name, once per id and hash. */
static void probe_sets(mz_results *r, const mz_compare *c) {
    json_t *sets = json_object_get(r->root, "probe_sets");
    for (size_t i = 0; i < c->n_checkpoints && !r->status; i++) {
        const mz_results *t = mz_checkpoint_results(c->checkpoints[i]);
        size_t k;
        const json_t *s;
        json_array_foreach(json_object_get(t ? mz_results_json(t) : NULL, "probe_sets"), k, s) {
            size_t j;
            const json_t *x;
            int seen = 0;
            json_array_foreach(sets, j, x) seen |= json_equal(x, s);
            if (seen) continue;
            if (!sets) sets = MZ_J(mz_rn_array(r, mz_results_root(r), "probe_sets"));
            json_t *copy = json_deep_copy(s);
            if (!sets || !copy || json_array_append_new(sets, copy)) {
                if (!r->status) r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
                return;
            }
        }
    }
}

static mz_rnode *section(mz_results *r, const mz_compare *c) {
    const mz_compare_options *o = &c->options;
    mz_rnode *sec = mz_results_section(r, "compare", "Before and after fine-tuning");
    mz_results_method(r, sec, method_text, citations, sizeof citations / sizeof *citations);
    mz_rnode *set = mz_rn_object(r, sec, "settings");
    mz_rn_num(r, set, "alpha", o->alpha);
    mz_rn_num(r, set, "ci_level", o->ci_level);
    mz_rn_int(r, set, "permutations", (long long)o->n_permutations);
    mz_rn_int(r, set, "bootstrap", o->n_bootstrap);
    mz_rn_bool(r, set, "allow_probe_change", o->allow_probe_change);
    mz_rnode *th = mz_rn_object(r, set, "thresholds");
    for (int f = 0; f < MZ_CMP_N_FAMILIES; f++)
        mz_rn_num(r, th, mz_cmp_family_names[f], o->threshold[f]);
    mz_rnode *gate = mz_rn_object(r, sec, "gate");
    mz_rn_str(r, gate, "decision", mz_compare_regressed(c) ? "fail" : "pass");
    for (int k = 0; k <= MZ_CMP_NOT_COMPARED; k++)
        mz_rn_int(r, gate, mz_cmp_outcome_names[k], (long long)c->count[k]);
    mz_rn_int(r, gate, "failures", (long long)c->failures);
    mz_rn_strf(r, gate, "rule",
               "fail (exit 1) when a social finding regressed: its bias grew by more than its "
               "family's threshold and the change holds after Holm correction at %g (positive "
               "controls are reported, never counted)",
               o->alpha);
    mz_rn_strs(r, sec, "notes", (const char *const *)c->notes, c->n_notes);
    return sec;
}

/* What one audit reported of the finding: its estimate, interval, Holm p and verdict. */
static void reported(mz_results *r, mz_rnode *at, const char *key, const mz_comparison *x, int side,
                     const char *label) {
    mz_rnode *o = mz_rn_object(r, at, key);
    mz_rn_path(r, o, "checkpoint", label);
    mz_rn_num(r, o, "estimate", x->reported[side]);
    double level = x->reported_level[side];
    mz_rn_interval(r, o, x->reported_lo[side], x->reported_hi[side], isfinite(level) ? level : 0);
    mz_rn_num(r, o, "p_holm", x->reported_p_holm[side]);
    mz_rn_str(r, o, "verdict", x->reported_verdict[side]);
}

static void items(mz_results *r, mz_rnode *fn, const mz_comparison *x) {
    mz_rnode *list = mz_rn_array(r, fn, "items");
    for (size_t i = 0; i < x->n_paired && !r->status; i++) {
        const mz_cmp_pair *q = &x->pairs[i];
        mz_rnode *it = mz_rn_object(r, list, NULL);
        mz_rn_str(r, it, "item", q->word ? q->unit : q->key); /* masked: attribute and word */
        if (q->word)
            mz_rn_str(r, it, "word", q->word);
        else if (q->unit)
            mz_rn_str(r, it, "unit", q->unit);
        if (x->family <= MZ_CMP_CEAT) mz_rn_str(r, it, "role", q->group ? "Y" : "X");
        if (x->family == MZ_CMP_FAIRNESS) {
            mz_rn_nums(r, it, "before", q->before, 2);
            mz_rn_nums(r, it, "after", q->after, 2);
        } else {
            mz_rn_num(r, it, "before", q->before[0]);
            mz_rn_num(r, it, "after", q->after[0]);
        }
    }
}

static void details(mz_results *r, mz_rnode *fn, const mz_compare *c, const mz_comparison *x) {
    mz_rnode *d = mz_rn_object(r, fn, "details");
    mz_rn_str(r, d, "compared_family", mz_cmp_family_names[x->family]);
    mz_rn_str(r, d, "test", x->test);
    mz_rn_int(r, d, "from", (long long)x->from + 1);
    mz_rn_int(r, d, "to", (long long)x->to + 1);
    mz_rn_str(r, d, "outcome", mz_cmp_outcome_names[x->outcome]);
    char *words = mz_cmp_outcome_text(x);
    if (!words && !r->status) r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_rn_str(r, d, "in_words", words);
    mz_free(words);
    reported(r, d, "before", x, 0, mz_checkpoint_label(c->checkpoints[x->from]));
    reported(r, d, "after", x, 1, mz_checkpoint_label(c->checkpoints[x->to]));
    mz_rnode *p = mz_rn_object(r, d, "paired");
    mz_rn_str(r, p, "effect", x->effect);
    mz_rn_num(r, p, "before", x->before);
    mz_rn_num(r, p, "after", x->after);
    mz_rn_num(r, p, "null", x->null_value);
    mz_rn_num(r, d, "bias_before", x->bias_before);
    mz_rn_num(r, d, "bias_after", x->bias_after);
    mz_rn_num(r, d, "bias_change", x->bias_change);
    mz_rn_num(r, d, "threshold", x->threshold);
    mz_rn_bool(r, d, "flipped", x->flipped);
    mz_rn_bool(r, d, "fails_gate", x->outcome == MZ_CMP_REGRESSED && !x->positive_control);
    mz_rn_int(r, d, "items_paired", (long long)x->n_paired);
    mz_rn_int(r, d, "items_only_before", (long long)x->n_only_before);
    mz_rn_int(r, d, "items_only_after", (long long)x->n_only_after);
    mz_rn_int(r, d, "items_untested", (long long)x->n_untested);
    mz_rn_bool(r, d, "p_exact", x->exact);
    mz_rn_num(r, d, "p_monte_carlo_se", x->exact ? NAN : x->mc_se);
}

static void caveats(mz_results *r, mz_rnode *fn, const mz_compare *c, const mz_comparison *x) {
    const char *a = mz_checkpoint_label(c->checkpoints[x->from]),
               *b = mz_checkpoint_label(c->checkpoints[x->to]);
    if (x->n_only_before || x->n_only_after)
        mz_results_caveat(r, fn, "%zu items only in %s and %zu only in %s were dropped",
                          x->n_only_before, a, x->n_only_after, b);
    if (x->n_untested)
        mz_results_caveat(r, fn,
                          "%zu items of both audits were left out: not tested in one of them "
                          "(unequal token counts) or without a score",
                          x->n_untested);
    if (x->family == MZ_CMP_MASKED)
        mz_results_caveat(r, fn,
                          "attributes are the units; the target words are the same in both "
                          "audits, so their own variation is not part of the change's interval");
    if (x->positive_control)
        mz_results_caveat(r, fn,
                          "a positive control: a check that the method works, not a "
                          "social finding");
}

static mz_finding finding_of(const mz_comparison *x, const char *id) {
    mz_finding f = mz_finding_init("compare", id);
    f.probe_set = x->probe_set;
    f.language = x->language;
    f.dimension = x->dimension;
    f.title = x->title ? x->title : x->test;
    f.positive_control = x->positive_control;
    f.status = x->outcome == MZ_CMP_NOT_COMPARED ? MZ_FINDING_NOT_COMPUTABLE : MZ_FINDING_COMPUTED;
    f.reason = x->reason;
    f.null_value = 0;
    f.alpha = 0.05;
    f.threshold = x->threshold;
    f.units = x->family == MZ_CMP_PAIRS      ? MZ_UNITS_CLUSTERS
              : x->family == MZ_CMP_MASKED   ? MZ_UNITS_TEMPLATES
              : x->family == MZ_CMP_FAIRNESS ? MZ_UNITS_SEGMENTS
                                             : MZ_UNITS_WORDS;
    f.n_units = x->inference.n_units;
    if (x->outcome != MZ_CMP_NOT_COMPARED) {
        f.estimate = x->change;
        f.ci_lo = x->ci_lo, f.ci_hi = x->ci_hi, f.ci_level = x->ci_level;
        f.p = x->p, f.p_holm = x->p_holm;
        f.mde = x->inference.mde;
    }
    return f;
}

mz_status mz_report_compare(mz_results *r, const mz_compare *c) {
    subject(r, c);
    probe_sets(r, c);
    mz_rnode *sec = section(r, c);
    for (size_t i = 0; i < c->n && !r->status; i++) {
        const mz_comparison *x = &c->c[i];
        char id[400], effect[96];
        if (c->n_checkpoints > 2)
            snprintf(id, sizeof id, "%s/%s@%zu", mz_cmp_family_names[x->family], x->test,
                     x->to + 1);
        else
            snprintf(id, sizeof id, "%s/%s", mz_cmp_family_names[x->family], x->test);
        snprintf(effect, sizeof effect, "change_in_%s", x->effect ? x->effect : "effect");
        mz_finding f = finding_of(x, id);
        f.effect = effect;
        f.alpha = c->options.alpha;
        mz_rnode *fn = mz_results_finding(r, sec, &f);
        caveats(r, fn, c, x);
        items(r, fn, x);
        details(r, fn, c, x);
    }
    return r->status;
}
