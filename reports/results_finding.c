/* The standard pieces every test family fills the same way: sections, findings with their
 * effect, interval, p-values, verdict and units, and the provenance of files and probe sets.
 * One place decides how a missing number or interval is written (null) and what a verdict
 * means. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/probes.h"
#include "mizani/sha256.h"
#include "mizani/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const mz_verdict_names[] = {"evidence", "inconclusive", "no_evidence", NULL};
static const char *const status_names[] = {"computed", "not_computable", "skipped"};
static const char *const unit_names[] = {"words",     "sentences", "pairs", "clusters",
                                         "templates", "segments",  "tokens"};

mz_finding mz_finding_init(const char *family, const char *id) {
    return (mz_finding){.id = id,
                        .family = family,
                        .status = MZ_FINDING_COMPUTED,
                        .estimate = NAN,
                        .ci_lo = NAN,
                        .ci_hi = NAN,
                        .p = NAN,
                        .p_holm = NAN,
                        .alpha = 0.05,
                        .threshold = 0.5,
                        .mde = NAN};
}

void mz_finding_set_probe(mz_finding *f, const mz_probe_set *set) {
    f->probe_set = set->id;
    f->language = set->language;
    f->dimension = set->dimension;
    f->title = set->title;
    for (int g = 0; g < 2; g++) {
        f->groups[g] = set->targets[g].n ? set->targets[g].name : NULL;
        f->attributes[g] = set->attributes[g].n ? set->attributes[g].name : NULL;
    }
    f->positive_control = set->dimension && strstr(set->dimension, "control") != NULL;
}

void mz_verdict_rules_default(mz_verdict_rules *rules) {
    *rules = (mz_verdict_rules){.alpha = 0.05, .d = 0.5, .rate = 0.1, .log_ratio = 0.25};
}

static int has_interval(const mz_finding *f) {
    return f->ci_level > 0 && isfinite(f->ci_lo) && isfinite(f->ci_hi);
}

mz_verdict mz_finding_verdict(const mz_finding *f) {
    if (f->status != MZ_FINDING_COMPUTED || !isfinite(f->estimate) || !isfinite(f->p_holm))
        return MZ_VERDICT_NONE;
    double size = fabs(f->estimate - f->null_value);
    /* A test and an interval that disagree (a permutation p beside a bootstrap interval over
     * few units) make no claim of bias. */
    int excludes = !has_interval(f) || f->ci_lo > f->null_value || f->ci_hi < f->null_value;
    if (f->p_holm < f->alpha)
        return size >= f->threshold && excludes ? MZ_VERDICT_EVIDENCE : MZ_VERDICT_INCONCLUSIVE;
    int narrow = has_interval(f) ? f->ci_lo > f->null_value - f->threshold &&
                                       f->ci_hi < f->null_value + f->threshold
                                 : isfinite(f->mde) && f->mde <= f->threshold;
    return narrow ? MZ_VERDICT_NO_EVIDENCE : MZ_VERDICT_INCONCLUSIVE;
}

mz_rnode *mz_results_section(mz_results *r, const char *family, const char *title) {
    json_t *sections = r->status ? NULL : json_object_get(r->root, "sections");
    mz_rnode *all =
        sections ? (mz_rnode *)sections : mz_rn_object(r, mz_results_root(r), "sections");
    mz_rnode *s = mz_rn_object(r, all, family);
    mz_rn_str(r, s, "title", title);
    mz_rn_array(r, s, "findings");
    return s;
}

mz_status mz_results_method(mz_results *r, mz_rnode *section, const char *text,
                            const char *const *citations, size_t n_citations) {
    mz_rnode *m = mz_rn_object(r, section, "method");
    mz_rn_str(r, m, "text", text);
    return mz_rn_strs(r, m, "citations", citations, n_citations);
}

static void effect(mz_results *r, mz_rnode *fn, const mz_finding *f) {
    mz_rnode *e = mz_rn_object(r, fn, "effect");
    mz_rn_str(r, e, "name", f->effect);
    mz_rn_num(r, e, "estimate", f->estimate);
    mz_rn_num(r, e, "null", f->null_value);
    mz_rn_interval(r, e, f->ci_lo, f->ci_hi, f->ci_level);
}

mz_status mz_rn_interval(mz_results *r, mz_rnode *at, double lo, double hi, double level) {
    if (level > 0 && isfinite(lo) && isfinite(hi)) {
        double ci[2] = {lo, hi};
        mz_rn_nums(r, at, "ci", ci, 2);
        return mz_rn_num(r, at, "level", level);
    }
    mz_rn_null(r, at, "ci");
    return mz_rn_null(r, at, "level");
}

static void verdict(mz_results *r, mz_rnode *fn, const mz_finding *f) {
    mz_verdict v = mz_finding_verdict(f);
    if (v == MZ_VERDICT_NONE) {
        mz_rn_null(r, fn, "verdict");
        mz_rn_null(r, fn, "rule");
        return;
    }
    mz_rn_str(r, fn, "verdict", mz_verdict_names[v]);
    mz_rnode *rule = mz_rn_object(r, fn, "rule");
    mz_rn_num(r, rule, "alpha", f->alpha);
    mz_rn_num(r, rule, "threshold", f->threshold);
    mz_rn_strf(r, rule, "text",
               "evidence: Holm p < %g, |%s - %g| >= %g and the interval (if any) excluding %g; "
               "no evidence: Holm p >= %g and the interval within %g +/- %g (without one: "
               "minimum detectable effect <= %g); otherwise inconclusive",
               f->alpha, f->effect ? f->effect : "effect", f->null_value, f->threshold,
               f->null_value, f->alpha, f->null_value, f->threshold, f->threshold);
}

mz_rnode *mz_results_finding(mz_results *r, mz_rnode *section, const mz_finding *f) {
    json_t *list = section ? json_object_get(MZ_J(section), "findings") : NULL;
    mz_rnode *fn = mz_rn_object(r, list ? (mz_rnode *)list : NULL, NULL);
    mz_rn_str(r, fn, "id", f->id);
    mz_rn_str(r, fn, "family", f->family);
    mz_rn_str(r, fn, "probe_set", f->probe_set);
    mz_rn_str(r, fn, "language", f->language);
    mz_rn_str(r, fn, "dimension", f->dimension);
    mz_rn_str(r, fn, "title", f->title);
    if (f->groups[0] && f->groups[1]) mz_rn_strs(r, fn, "groups", f->groups, 2);
    if (f->attributes[0]) mz_rn_strs(r, fn, "attributes", f->attributes, f->attributes[1] ? 2 : 1);
    mz_rn_bool(r, fn, "positive_control", f->positive_control);
    mz_rn_str(r, fn, "status", status_names[f->status]);
    mz_rn_str(r, fn, "reason", f->status == MZ_FINDING_COMPUTED ? NULL : f->reason);
    effect(r, fn, f);
    mz_rn_num(r, fn, "p", f->p);
    mz_rn_num(r, fn, "p_holm", f->p_holm);
    verdict(r, fn, f);
    mz_rnode *u = mz_rn_object(r, fn, "units");
    mz_rn_str(r, u, "kind", unit_names[f->units]);
    mz_rn_int(r, u, "n", (long long)f->n_units);
    mz_rn_num(r, fn, "mde", f->mde);
    mz_rn_array(r, fn, "caveats");
    return fn;
}

mz_status mz_results_caveat(mz_results *r, mz_rnode *finding, const char *fmt, ...) {
    if (r->status) return r->status;
    json_t *list = finding ? json_object_get(MZ_J(finding), "caveats") : NULL;
    va_list ap;
    va_start(ap, fmt);
    char *s = mz_vstrf(fmt, ap);
    va_end(ap);
    if (!s) return r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_rn_str(r, list ? (mz_rnode *)list : NULL, NULL, s);
    mz_free(s);
    return r->status;
}

mz_status mz_results_inference(mz_results *r, mz_rnode *finding, mz_rnode *at,
                               const mz_inference *inf) {
    mz_rnode *o = mz_rn_object(r, at, "inference");
    mz_rn_str(r, o, "unit", inf->unit ? inf->unit : "units");
    mz_rn_int(r, o, "units", (long long)inf->n_units);
    mz_rn_num(r, o, "mde_80", inf->mde);
    mz_rn_num(r, o, "min_p", inf->min_p);
    mz_rn_num(r, o, "alpha", inf->alpha);
    mz_rn_bool(r, o, "can_reach_significance", inf->can_reach);
    if (!inf->can_reach)
        mz_results_caveat(r, finding,
                          "%zu %s cannot give p < %g (the smallest p this design allows is %.3g): "
                          "no p-value is reported, and 'no evidence' would mean 'not testable'",
                          inf->n_units, inf->unit ? inf->unit : "units", inf->alpha, inf->min_p);
    return r->status;
}

/* SHA-256 and size of a file, read in blocks (weights can be gigabytes), opened as every input
 * is (regular files only); a read error is reported, never taken for the end of the file. */
static mz_status hash_file(char hex[65], long long *bytes, const char *path, mz_ctx *ctx) {
    FILE *f;
    mz_status rc = mz_fopen_regular(&f, path, "cannot open for its SHA-256", ctx);
    if (rc) return rc;
    mz_sha256 s;
    mz_sha256_init(&s);
    unsigned char buf[1 << 16];
    size_t n;
    *bytes = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        mz_sha256_update(&s, buf, n);
        *bytes += (long long)n;
    }
    if (ferror(f)) rc = mz_fail_errno(ctx, path, "cannot read for its SHA-256");
    fclose(f);
    if (!rc) mz_sha256_final(&s, hex);
    return rc;
}

mz_status mz_results_file_identity(mz_results *r, mz_rnode *at, const char *key, const char *path) {
    if (r->status) return r->status;
    char hex[65];
    long long bytes;
    mz_status rc = hash_file(hex, &bytes, path, r->ctx);
    if (rc) return r->status = rc;
    mz_rnode *o = mz_rn_object(r, at, key);
    mz_rn_path(r, o, "path", path);
    mz_rn_str(r, o, "sha256", hex);
    return mz_rn_int(r, o, "bytes", bytes);
}

mz_status mz_results_probe_set(mz_results *r, const mz_probe_set *set) {
    if (r->status) return r->status;
    json_t *list = json_object_get(r->root, "probe_sets");
    mz_rnode *sets = list ? (mz_rnode *)list : mz_rn_array(r, mz_results_root(r), "probe_sets");
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        if (!strcmp(json_string_value(json_object_get(v, "id")), set->id)) return MZ_OK;
    }
    char hex[65];
    long long bytes;
    mz_status rc = hash_file(hex, &bytes, set->path, r->ctx);
    if (rc) return r->status = rc;
    mz_rnode *o = mz_rn_object(r, sets, NULL);
    mz_rn_str(r, o, "id", set->id);
    mz_rn_path(r, o, "path", set->path);
    mz_rn_str(r, o, "sha256", hex);
    mz_rn_str(r, o, "version", MZ_PROBES_SCHEMA);
    mz_rn_str(r, o, "kind", mz_probe_kind_names[set->kind]);
    mz_rn_str(r, o, "language", set->language);
    mz_rn_str(r, o, "dimension", set->dimension);
    return mz_rn_str(r, o, "title", set->title);
}
