/* Static-vector association tests into the results tree: one finding per test, with every
 * target word's association score as the items that let two audits be compared word by word. */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

static const char *const method_text =
    "WEAT (Caliskan et al. 2017): each target word's association s(w, A, B) is its mean cosine "
    "similarity to the A words minus that to the B words; d is the difference of the two target "
    "lists' mean s over the standard deviation of s across both lists. p is one-sided (the first "
    "target list closer to A): the share of equal-size splits of the target words scoring at "
    "least as high, exact when there are at most the stated number of splits, Monte Carlo "
    "otherwise. The interval is a percentile bootstrap resampling every word list; p-values are "
    "adjusted across the tests by Holm (and Benjamini-Hochberg, in the details). The smallest "
    "detectable |d| is a normal approximation: 80% power at the Bonferroni level 0.05/m for the "
    "test's numbers of target words.";
static const char *const citations[] = {
    "Caliskan, Bryson and Narayanan (2017). Semantics derived automatically from language corpora "
    "contain human-like biases. Science 356(6334).",
    "Holm (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal "
    "of Statistics 6(2).",
    "Benjamini and Hochberg (1995). Controlling the false discovery rate. JRSS B 57(1)."};

/* The smallest |d| that a two-sample comparison of nx and ny words detects with 80% power,
 * one-sided at level alpha / m (normal approximation). */
static double detectable_d(size_t nx, size_t ny, size_t m) {
    if (nx < 2 || ny < 2 || m == 0) return NAN;
    double z = gsl_cdf_ugaussian_Qinv(0.05 / (double)m) + gsl_cdf_ugaussian_Qinv(0.2);
    return z * sqrt(1.0 / (double)nx + 1.0 / (double)ny);
}

/* How many tokens a word became and how many were unknown, for vectors from a model's input
 * embeddings (nothing for vectors read from a file); 1 when the word is poorly covered. */
static int pieces_of(mz_results *r, mz_rnode *at, const mz_vectors *v, const char *word, int fold) {
    size_t tokens, unknown;
    long row = mz_vectors_find(v, word, fold, NULL);
    if (row < 0 || !mz_vectors_pieces(v, (size_t)row, &tokens, &unknown)) return 0;
    mz_rn_int(r, at, "tokens", (long long)tokens);
    mz_rn_int(r, at, "unknown_tokens", (long long)unknown);
    return mz_vectors_poorly_covered(tokens, unknown);
}

/* Every found word of the four lists with its tokens (vectors from a model), and a caveat naming
 * how many are split into many pieces or partly unknown: their vectors carry little of them. */
static void word_pieces(mz_results *r, mz_rnode *fn, mz_rnode *details,
                        const mz_word_list lists[MZ_N_ROLES], const mz_vectors *v, int fold) {
    size_t found = 0, flagged = 0;
    mz_rnode *all = NULL;
    for (int i = 0; i < MZ_N_ROLES; i++)
        for (size_t j = 0; j < lists[i].n; j++) {
            size_t tokens, unknown;
            long row = mz_vectors_find(v, lists[i].words[j], fold, NULL);
            if (row < 0 || !mz_vectors_pieces(v, (size_t)row, &tokens, &unknown)) continue;
            if (!all) all = mz_rn_array(r, details, "word_pieces");
            mz_rnode *o = mz_rn_object(r, all, NULL);
            mz_rn_str(r, o, "word", lists[i].words[j]);
            mz_rn_str(r, o, "role", mz_role_names[i]);
            flagged += pieces_of(r, o, v, lists[i].words[j], fold);
            found++;
        }
    if (flagged)
        mz_results_caveat(r, fn,
                          "%zu of %zu probe words split into %d or more tokens or partly unknown "
                          "to the tokenizer: their vectors (means of the pieces) carry little of "
                          "the word",
                          flagged, found, MZ_VECTORS_MANY_PIECES);
}

/* Each found target word's s(w, A, B), looked up as the test did (with case folding when asked). */
static mz_status word_scores(mz_results *r, mz_rnode *items, const mz_word_list lists[MZ_N_ROLES],
                             const mz_vectors *v, int fold) {
    size_t dim = mz_vectors_dim(v), total = 0;
    for (int i = 0; i < MZ_N_ROLES; i++)
        total += lists[i].n;
    float *rows = mz_malloc((total + 1) * dim * sizeof *rows);
    const char **labels = mz_malloc((total + 1) * sizeof *labels);
    double *s = mz_malloc((total + 1) * sizeof *s);
    mz_status rc =
        rows && labels && s ? MZ_OK : mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_word_set sets[MZ_N_ROLES];
    size_t at = 0;
    for (int i = 0; !rc && i < MZ_N_ROLES; i++) {
        sets[i] = (mz_word_set){lists[i].name, labels + at, rows + at * dim, 0};
        for (size_t j = 0; j < lists[i].n; j++) {
            int folded;
            long row = mz_vectors_find(v, lists[i].words[j], fold, &folded);
            if (row < 0) continue;
            memcpy(rows + at * dim, mz_vectors_row(v, (size_t)row), dim * sizeof *rows);
            labels[at++] = lists[i].words[j];
            sets[i].n++;
        }
    }
    for (int i = 0; !rc && i < 2; i++) {
        rc = mz_assoc_word_scores(s, &sets[i], &sets[MZ_ROLE_A], &sets[MZ_ROLE_B], dim, r->ctx);
        for (size_t j = 0; !rc && j < sets[i].n; j++) {
            mz_rnode *it = mz_rn_object(r, items, NULL);
            mz_rn_str(r, it, "item", sets[i].words[j]);
            mz_rn_str(r, it, "role", i ? "Y" : "X");
            rc = mz_rn_num(r, it, "score", s[j]);
            pieces_of(r, it, v, sets[i].words[j], fold);
        }
    }
    if (rc && !r->status) r->status = rc;
    mz_free(rows);
    mz_free(labels);
    mz_free(s);
    return r->status;
}

static void metric(mz_results *r, mz_rnode *at, const char *key, const mz_metric_result *m) {
    mz_rnode *o = mz_rn_object(r, at, key);
    mz_rn_num(r, o, "value", m->value);
    mz_rn_interval(r, o, m->ci_lo, m->ci_hi, m->ci_level);
    mz_rn_num(r, o, "p", m->p_value);
}

static void metrics(mz_results *r, mz_rnode *details, const mz_static_weat *w) {
    mz_rnode *o = NULL;
    for (int m = 0; m < MZ_N_METRICS; m++) {
        const mz_static_metric *sm = &w->metrics[m];
        if (!sm->computed && !sm->reason[0]) continue;
        if (!o) o = mz_rn_object(r, details, "metrics");
        mz_rnode *e = mz_rn_object(r, o, mz_metric_names[m]);
        if (!sm->computed)
            mz_rn_str(r, e, "not_computable", sm->reason);
        else if (m == MZ_METRIC_RNSB)
            metric(r, e, "targets_x_and_y", &sm->on_x);
        else {
            metric(r, e, "targets_x", &sm->on_x);
            metric(r, e, "targets_y", &sm->on_y);
        }
    }
}

/* What became of each list: counts, missing words and words matched only after folding. */
static void lookups(mz_results *r, mz_rnode *details, const mz_static_weat *w,
                    const mz_word_list lists[MZ_N_ROLES]) {
    mz_rnode *sets = mz_rn_array(r, details, "sets");
    mz_rnode *notes = mz_rn_array(r, details, "word_notes");
    for (int i = 0; i < MZ_N_ROLES; i++) {
        const mz_set_lookup *l = &w->sets[i];
        mz_rnode *o = mz_rn_object(r, sets, NULL);
        mz_rn_str(r, o, "role", mz_role_names[i]);
        mz_rn_str(r, o, "list", lists[i].name);
        mz_rn_int(r, o, "asked", (long long)l->n_asked);
        mz_rn_int(r, o, "found", (long long)l->n_found);
        mz_rn_strs(r, o, "missing", (const char *const *)l->missing, l->n_missing);
        mz_rn_strs(r, o, "matched_after_case_folding", (const char *const *)l->folded, l->n_folded);
        for (int k = 0; k < 2; k++) {
            char *const *words = k ? l->folded : l->missing;
            size_t n = k ? l->n_folded : l->n_missing;
            if (!n) continue;
            size_t len = 1;
            for (size_t j = 0; j < n; j++)
                len += strlen(words[j]) + 2;
            char *text = mz_malloc(len);
            if (!text) {
                if (!r->status) r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
                return;
            }
            text[0] = '\0';
            for (size_t j = 0; j < n; j++) {
                if (j) strcat(text, ", ");
                strcat(text, words[j]);
            }
            mz_rnode *note = mz_rn_object(r, notes, NULL);
            mz_rn_strf(r, note, "list", "%s '%s', %s", mz_role_names[i], lists[i].name,
                       k ? "matched only after case folding" : "missing");
            mz_rn_str(r, note, "text", text);
            mz_free(text);
        }
    }
}

typedef struct test_ctx {
    const mz_probe_set *set; /* NULL for ad-hoc lists */
    double p_holm, p_bh;
    size_t m; /* computable tests in the family, for the detectable effect */
} test_ctx;

static mz_status finding(mz_results *r, mz_rnode *sec, const mz_static_weat *w,
                         const mz_word_list lists[MZ_N_ROLES], const mz_static_options *opt,
                         const mz_vectors *v, const test_ctx *t) {
    const mz_weat_result *d = &w->weat;
    mz_finding f = mz_finding_init("static", t->set ? t->set->id : w->name);
    if (t->set) mz_finding_set_probe(&f, t->set);
    f.status = w->computable ? MZ_FINDING_COMPUTED : MZ_FINDING_NOT_COMPUTABLE;
    f.reason = w->reason;
    f.effect = "d";
    f.units = MZ_UNITS_WORDS;
    f.n_units = w->sets[MZ_ROLE_X].n_found + w->sets[MZ_ROLE_Y].n_found;
    if (w->computable) {
        f.estimate = d->effect_size;
        f.ci_lo = d->ci_lo;
        f.ci_hi = d->ci_hi;
        f.ci_level = d->ci_level;
        f.p = d->perm.p_value;
        f.p_holm = t->p_holm;
        f.mde = detectable_d(w->sets[MZ_ROLE_X].n_found, w->sets[MZ_ROLE_Y].n_found, t->m);
    }
    mz_rnode *fn = mz_results_finding(r, sec, &f);
    if (w->computable && !d->perm.exact)
        mz_results_caveat(r, fn, "p from %llu random splits (Monte Carlo, standard error %.2g)",
                          (unsigned long long)d->perm.n_splits, d->perm.mc_se);
    mz_rnode *details = mz_rn_object(r, fn, "details");
    mz_rn_num(r, details, "mean_difference", w->computable ? d->mean_diff : NAN);
    mz_rn_num(r, details, "statistic", w->computable ? d->statistic : NAN);
    mz_rn_bool(r, details, "p_exact", w->computable && d->perm.exact);
    mz_rn_int(r, details, "splits", w->computable ? (long long)d->perm.n_splits : 0);
    mz_rn_num(r, details, "p_monte_carlo_se", w->computable ? d->perm.mc_se : NAN);
    mz_rn_num(r, details, "p_benjamini_hochberg", t->p_bh);
    lookups(r, details, w, lists);
    word_pieces(r, fn, details, lists, v, opt->fold_case);
    metrics(r, details, w);
    mz_rnode *items = mz_rn_array(r, fn, "items");
    if (w->computable) word_scores(r, items, lists, v, opt->fold_case);
    return r->status;
}

static mz_rnode *section(mz_results *r, const mz_static_options *opt) {
    const char *kind =
        json_string_value(json_object_get(json_object_get(r->root, "subject"), "kind"));
    mz_rnode *sec = mz_results_section(r, "static",
                                       kind && !strcmp(kind, "model")
                                           ? "Input embeddings (WEAT)"
                                           : "Association tests on static word vectors");
    mz_results_method(r, sec, method_text, citations, sizeof citations / sizeof *citations);
    mz_rnode *set = mz_rn_object(r, sec, "settings");
    mz_rn_int(r, set, "max_exact_splits", (long long)opt->weat.max_exact);
    mz_rn_int(r, set, "permutations", (long long)opt->weat.n_permutations);
    mz_rn_int(r, set, "bootstrap", opt->weat.n_bootstrap);
    mz_rn_num(r, set, "ci_level", opt->weat.ci_level);
    mz_rn_num(r, set, "max_missing", opt->max_missing);
    mz_rn_bool(r, set, "case_folding", opt->fold_case);
    return sec;
}

/* Larger vector files (fastText's are gigabytes) are identified by path and size only: hashing
 * them would cost more than the audit. */
#define MAX_HASHED_BYTES (256LL << 20)

static void subject(mz_results *r, const char *path, const mz_vectors *v) {
    if (json_object_get(r->root, "subject")) return; /* an audit's model, recorded already */
    mz_rnode *s = mz_results_subject(r, "vectors");
    struct stat st;
    int regular = path && !stat(path, &st) && S_ISREG(st.st_mode);
    if (regular && st.st_size <= MAX_HASHED_BYTES)
        mz_results_file_identity(r, s, "file", path);
    else {
        mz_rnode *o = mz_rn_object(r, s, "file");
        mz_rn_path(r, o, "path", path);
        mz_rn_null(r, o, "sha256");
        if (regular) mz_rn_int(r, o, "bytes", (long long)st.st_size);
        mz_rn_str(r, s, "hash_note",
                  regular ? "not hashed: larger than 256 MiB" : "a model folder, not hashed here");
    }
    if (path && !mz_utf8_valid(path, strlen(path)))
        mz_rn_str(r, s, "note",
                  "the path is not valid UTF-8: each byte that is not is shown as U+FFFD");
    mz_rn_int(r, s, "words_kept", (long long)mz_vectors_count(v));
    mz_rn_int(r, s, "dimension", (long long)mz_vectors_dim(v));
}

static void lists_of(mz_word_list lists[MZ_N_ROLES], const mz_probe_set *s) {
    const mz_probe_list *src[MZ_N_ROLES] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                            &s->attributes[1]};
    for (int i = 0; i < MZ_N_ROLES; i++)
        lists[i] = (mz_word_list){src[i]->name, src[i]->texts, src[i]->n};
}

mz_status mz_report_static_suite(mz_results *r, const mz_static_suite *s,
                                 const mz_static_options *opt, const mz_vectors *v) {
    subject(r, s->vectors_path, v);
    for (size_t i = 0; i < s->n; i++)
        mz_results_probe_set(r, s->sets[i]);
    mz_rnode *sec = section(r, opt);
    for (size_t i = 0; i < s->n && !r->status; i++) {
        mz_word_list lists[MZ_N_ROLES];
        lists_of(lists, s->sets[i]);
        test_ctx t = {s->sets[i], s->p_holm[i], s->p_bh[i], s->n_computable};
        finding(r, sec, &s->tests[i], lists, opt, v, &t);
    }
    return r->status;
}

mz_status mz_report_static_weat(mz_results *r, const mz_static_weat *w,
                                const mz_word_list lists[MZ_N_ROLES], const char *vectors_path,
                                const mz_static_options *opt, const mz_vectors *v) {
    subject(r, vectors_path, v);
    mz_rnode *sec = section(r, opt);
    /* a single test: nothing to adjust for */
    double p = w->computable ? w->weat.perm.p_value : NAN;
    test_ctx t = {NULL, p, p, w->computable ? 1 : 0};
    return finding(r, sec, w, lists, opt, v, &t);
}
