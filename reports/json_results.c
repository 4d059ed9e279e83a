/* Results as JSON. Numbers that could not be computed are written as null with a reason,
 * never as NaN (which JSON cannot hold). */
#include "mizani/alloc.h"
#include "mizani/mizani.h"
#include "mizani/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static json_t *number_or_null(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *string_array(char *const *items, size_t n) {
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(items[i]));
    return a;
}

static json_t *set_json(const char *role, const mz_set_lookup *s) {
    return json_pack("{s:s, s:I, s:I, s:o, s:o}", "role", role, "asked", (json_int_t)s->n_asked,
                     "found", (json_int_t)s->n_found, "missing",
                     string_array(s->missing, s->n_missing), "matched_after_case_folding",
                     string_array(s->folded, s->n_folded));
}

static json_t *weat_json(const mz_weat_result *w) {
    json_t *o = json_pack(
        "{s:o, s:o, s:o, s:{s:o, s:b, s:I, s:o}}", "effect_size", number_or_null(w->effect_size),
        "mean_difference", number_or_null(w->mean_diff), "statistic", number_or_null(w->statistic),
        "permutation_test", "p_value", number_or_null(w->perm.p_value), "exact", w->perm.exact,
        "splits", (json_int_t)w->perm.n_splits, "monte_carlo_se", number_or_null(w->perm.mc_se));
    if (o && w->ci_level > 0)
        json_object_set_new(o, "confidence_interval",
                            json_pack("{s:o, s:o, s:f, s:s, s:I}", "low", number_or_null(w->ci_lo),
                                      "high", number_or_null(w->ci_hi), "level", w->ci_level,
                                      "method", "percentile bootstrap", "draws",
                                      (json_int_t)w->n_bootstrap));
    return o;
}

static json_t *metric_json(const mz_metric_result *m) {
    json_t *o = json_pack("{s:o, s:o}", "value", number_or_null(m->value), "p_value",
                          number_or_null(m->p_value));
    if (o && m->ci_level > 0)
        json_object_set_new(o, "confidence_interval",
                            json_pack("{s:o, s:o, s:f, s:s}", "low", number_or_null(m->ci_lo),
                                      "high", number_or_null(m->ci_hi), "level", m->ci_level,
                                      "method", "percentile bootstrap"));
    return o;
}

/* The metrics beyond WEAT that were asked for: each on X and on Y (RNSB on both together). */
static json_t *metrics_json(const mz_static_weat *r) {
    json_t *o = json_object();
    for (int m = 0; o && m < MZ_N_METRICS; m++) {
        const mz_static_metric *sm = &r->metrics[m];
        if (!sm->computed && !sm->reason[0]) continue;
        json_t *e = !sm->computed ? json_pack("{s:s}", "not_computable", sm->reason)
                    : m == MZ_METRIC_RNSB
                        ? json_pack("{s:o}", "targets_x_and_y", metric_json(&sm->on_x))
                        : json_pack("{s:o, s:o}", "targets_x", metric_json(&sm->on_x), "targets_y",
                                    metric_json(&sm->on_y));
        json_object_set_new(o, mz_metric_names[m], e);
    }
    return o;
}

json_t *mz_report_static_weat_json(const mz_static_weat *r) {
    json_t *sets = json_array();
    for (int i = 0; sets && i < MZ_N_ROLES; i++)
        json_array_append_new(sets, set_json(mz_role_names[i], &r->sets[i]));
    json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "test", r->name, "kind", "WEAT", "computable",
                          r->computable, "sets", sets);
    if (!o) return NULL;
    if (r->computable) {
        json_object_set_new(o, "weat", weat_json(&r->weat));
        json_t *m = metrics_json(r);
        if (json_object_size(m))
            json_object_set_new(o, "metrics", m);
        else
            json_decref(m);
    } else
        json_object_set_new(o, "reason", json_string(r->reason));
    return o;
}

static json_t *probe_set_json(const mz_probe_set *p) {
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", p->id, "path", p->path, "title", p->title,
                     "dimension", p->dimension, "language", p->language);
}

json_t *mz_report_static_suite_json(const mz_static_suite *s, const mz_static_options *opt) {
    json_t *tests = json_array();
    for (size_t i = 0; tests && i < s->n; i++) {
        json_t *t = mz_report_static_weat_json(&s->tests[i]);
        if (!t) {
            json_decref(tests);
            return NULL;
        }
        json_object_set_new(t, "probe_set", probe_set_json(s->sets[i]));
        json_object_set_new(t, "p_holm", number_or_null(s->p_holm[i]));
        json_object_set_new(t, "p_benjamini_hochberg", number_or_null(s->p_bh[i]));
        json_array_append_new(tests, t);
    }
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:{s:s, s:I, s:I}, s:{s:I, s:b, s:f, s:I, s:I, s:I, s:f}, s:I, s:o}",
        "schema", "mizani-results/1", "job", "static-association", "mizani_version", mz_version(),
        "build", mz_build_info(), "vectors", "path", s->vectors_path, "words_kept",
        (json_int_t)s->vectors_words, "dimension", (json_int_t)s->vectors_dim, "options", "seed",
        (json_int_t)s->seed, "case_folding", s->fold_case, "max_missing", opt->max_missing,
        "max_exact_splits", (json_int_t)opt->weat.max_exact, "permutations",
        (json_int_t)opt->weat.n_permutations, "bootstrap", (json_int_t)opt->weat.n_bootstrap,
        "ci_level", opt->weat.ci_level, "computable_tests", (json_int_t)s->n_computable, "tests",
        tests);
}

mz_status mz_report_write_json(const json_t *root, const char *path, mz_ctx *ctx) {
    size_t n = strlen(path) + 16;
    char *tmp = mz_malloc(n);
    if (!tmp) return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    mz_status rc = MZ_OK;
    if (json_dump_file(root, tmp, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_REAL_PRECISION(17)))
        rc = mz_fail_errno(ctx, path, "cannot write results");
    else if (rename(tmp, path))
        rc = mz_fail_errno(ctx, path, "cannot move results into place");
    if (rc) unlink(tmp);
    mz_free(tmp);
    return rc;
}
