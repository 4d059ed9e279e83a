/* The audit's options: the tests by name, the defaults (those of the single commands, so that an
 * audit and a command run with the same seed give the same numbers), and the effective
 * configuration recorded in the results. */
#include "audit_internal.h"

#include <string.h>

const char *const mz_audit_test_names[MZ_AUDIT_N_TESTS] = {"fairness", "static", "seat",   "ceat",
                                                           "pairs",    "masked", "explain"};

mz_status mz_audit_parse_tests(unsigned *tests, const char *spec, mz_ctx *ctx) {
    *tests = 0;
    for (const char *p = spec; *p;) {
        size_t len = strcspn(p, ","), k = 0;
        if (len == 3 && !strncmp(p, "all", 3)) *tests = MZ_AUDIT_ALL, k = MZ_AUDIT_N_TESTS + 1;
        while (k < MZ_AUDIT_N_TESTS &&
               (strlen(mz_audit_test_names[k]) != len || strncmp(p, mz_audit_test_names[k], len)))
            k++;
        if (k == MZ_AUDIT_N_TESTS)
            return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                           "unknown test '%.*s'; the tests are fairness, static, seat, ceat, "
                           "pairs, masked, explain (or all)",
                           (int)len, p);
        if (k < MZ_AUDIT_N_TESTS) *tests |= 1u << k;
        p += len + (p[len] == ',');
    }
    if (!*tests) return mz_fail(ctx, MZ_ERR_USAGE, NULL, "no test named in '%s'", spec);
    return MZ_OK;
}

void mz_audit_options_default(mz_audit_options *o) {
    *o = (mz_audit_options){.tests = MZ_AUDIT_ALL,
                            .layer = -1,
                            .static_permutations = 100000,
                            .static_bootstrap = 5000,
                            .permutations = 10000,
                            .bootstrap = 1000,
                            .samples = 1000,
                            .method = -1,
                            .likelihood_bootstrap = 2000,
                            .fairness_bootstrap = 2000,
                            .explain_top = 1,
                            .null_reference = MZ_AUDIT_NULL_REFERENCE_AUTO};
    /* Explanations cost the most (a pair's pseudo-log-likelihood is one copy per scored token,
     * each through every Integrated Gradients point): the words' attributions and the heads
     * that matter, with fewer points than `mizani explain`; the config file raises them. */
    mz_explain_options_init(&o->explain);
    o->explain.methods = 1u << MZ_EXPLAIN_IG | 1u << MZ_EXPLAIN_OCCLUSION |
                         1u << MZ_EXPLAIN_ATTENTION | 1u << MZ_EXPLAIN_ATTATTR;
    o->explain.steps = 20;
    o->explain.attattr_steps = 5;
    o->explain.faithfulness = 0;
    mz_verdict_rules_default(&o->rules);
}

mz_status mz_audit_record_config(mz_results *r, const mz_audit_options *o) {
    mz_rnode *c = mz_rn_object(r, mz_results_run(r), "effective_config");
    mz_rnode *tests = mz_rn_array(r, c, "tests");
    for (int k = 0; k < MZ_AUDIT_N_TESTS; k++)
        if (o->tests & (1u << k)) mz_rn_str(r, tests, NULL, mz_audit_test_names[k]);
    if (o->languages)
        mz_rn_strs(r, c, "lang", o->languages, o->n_languages);
    else
        mz_rn_null(r, c, "lang");
    mz_rn_int(r, c, "layer", o->layer);
    mz_rn_int(r, c, "seed", (long long)o->seed);
    mz_rnode *th = mz_rn_object(r, c, "thresholds");
    mz_rn_num(r, th, "alpha", o->rules.alpha);
    mz_rn_num(r, th, "d", o->rules.d);
    mz_rn_num(r, th, "rate", o->rules.rate);
    mz_rn_num(r, th, "log_ratio", o->rules.log_ratio);
    mz_rnode *s = mz_rn_object(r, c, "static");
    mz_rn_int(r, s, "permutations", (long long)o->static_permutations);
    mz_rn_int(r, s, "bootstrap", o->static_bootstrap);
    s = mz_rn_object(r, c, "seat");
    mz_rn_int(r, s, "permutations", (long long)o->permutations);
    mz_rn_int(r, s, "bootstrap", o->bootstrap);
    mz_rn_int(r, s, "null_reference", o->null_reference);
    s = mz_rn_object(r, c, "ceat");
    mz_rn_int(r, s, "permutations", (long long)o->permutations);
    mz_rn_int(r, s, "bootstrap", o->bootstrap);
    mz_rn_int(r, s, "null_reference", o->null_reference);
    mz_rn_int(r, s, "samples", o->samples);
    s = mz_rn_object(r, c, "pairs");
    mz_rn_str(r, s, "method",
              o->method >= 0 ? mz_lik_method_name((mz_lik_method)o->method) : "auto");
    s = mz_rn_object(r, c, "masked");
    mz_rn_int(r, s, "bootstrap", o->likelihood_bootstrap);
    s = mz_rn_object(r, c, "fairness");
    mz_rn_int(r, s, "bootstrap", o->fairness_bootstrap);
    mz_rn_int(r, s, "dictionary_words", (long long)o->n_dictionary);
    s = mz_rn_object(r, c, "explain");
    mz_rn_int(r, s, "top", o->explain_top);
    mz_rnode *m = mz_rn_array(r, s, "methods");
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++)
        if (o->explain.methods & (1u << k)) mz_rn_str(r, m, NULL, mz_explain_method_names[k]);
    mz_rn_int(r, s, "steps", o->explain.steps);
    mz_rn_int(r, s, "attattr_steps", o->explain.attattr_steps);
    mz_rn_bool(r, s, "faithfulness", o->explain.faithfulness);
    return mz_results_status(r);
}
