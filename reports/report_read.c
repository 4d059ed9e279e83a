/* Reading findings back out of the results tree for the renderers. */
#include "report_read.h"

#include "mizani/alloc.h"

#include <math.h>
#include <string.h>

const char *mz_jstr(const json_t *obj, const char *key, const char *fallback) {
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : fallback;
}

double mz_jnum(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

int mz_computed(const json_t *f) { return !strcmp(mz_jstr(f, "status", ""), "computed"); }

double mz_alpha(const json_t *f) {
    double a = mz_jnum(json_object_get(f, "rule"), "alpha");
    return isfinite(a) ? a : 0.05;
}

const char *mz_finding_title(const json_t *f) {
    return mz_jstr(f, "title", mz_jstr(f, "id", "(untitled)"));
}

char *mz_finding_label(const json_t *f) {
    const char *lang = mz_jstr(f, "language", NULL);
    /* the language first: a shortened label must still say which language it is */
    return lang ? mz_strf("[%s] %s", lang, mz_finding_title(f)) : mz_strdup(mz_finding_title(f));
}

static void interval(const json_t *f, double *lo, double *hi) {
    const json_t *ci = json_object_get(json_object_get(f, "effect"), "ci");
    const json_t *a = json_array_get(ci, 0), *b = json_array_get(ci, 1);
    *lo = json_is_number(a) ? json_number_value(a) : NAN;
    *hi = json_is_number(b) ? json_number_value(b) : NAN;
}

void mz_finding_row(mz_interval_row *row, const json_t *f, const char *label) {
    double lo, hi;
    interval(f, &lo, &hi);
    *row = (mz_interval_row){label,
                             mz_jstr(f, "language", NULL),
                             mz_jnum(json_object_get(f, "effect"), "estimate"),
                             lo,
                             hi,
                             mz_jnum(f, "p_holm") < mz_alpha(f)};
}

/* Decimals that show the largest of the numbers with two significant digits (at least two
 * decimals, at most six), so that a small effect and its interval never read "-0.00". */
static int decimals(double a, double b, double c) {
    double m = fmax(fabs(a), fmax(isfinite(b) ? fabs(b) : 0, isfinite(c) ? fabs(c) : 0));
    if (!(m > 0) || m >= 0.1) return 2;
    int d = 1 - (int)floor(log10(m));
    return d > 6 ? 6 : d;
}

char *mz_effect_text(const json_t *f) {
    const json_t *e = json_object_get(f, "effect");
    double est = mz_jnum(e, "estimate"), lo, hi;
    interval(f, &lo, &hi);
    const char *name = mz_jstr(e, "name", "effect");
    if (!isfinite(est)) return mz_strf("%s: —", name);
    int k = decimals(est, lo, hi);
    if (isfinite(lo) && isfinite(hi))
        return mz_strf("%s %+.*f [%+.*f, %+.*f]", name, k, est, k, lo, k, hi);
    return mz_strf("%s %+.*f (no interval)", name, k, est);
}

/* Where in the model an association family looks. */
static const char *family_place(const char *family) {
    if (!strcmp(family, "static")) return "In the input embeddings";
    if (!strcmp(family, "seat")) return "In sentence embeddings";
    if (!strcmp(family, "ceat")) return "In words' contextual embeddings";
    return "In the model";
}

/* Cohen's labels for |d|. */
static const char *d_size(double d) {
    d = fabs(d);
    return d < 0.2   ? "a negligible effect"
           : d < 0.5 ? "a small effect"
           : d < 0.8 ? "a medium effect"
                     : "a large effect";
}

static const char *list_name(const json_t *f, const char *key, size_t i) {
    return json_string_value(json_array_get(json_object_get(f, key), i));
}

char *mz_finding_sentence(const json_t *f) {
    const char *effect = mz_jstr(json_object_get(f, "effect"), "name", "");
    double est = mz_jnum(json_object_get(f, "effect"), "estimate");
    const char *x = list_name(f, "groups", 0), *y = list_name(f, "groups", 1);
    const char *a = list_name(f, "attributes", 0), *b = list_name(f, "attributes", 1);
    if (!isfinite(est)) return mz_strdup(mz_finding_title(f));
    if (!strcmp(effect, "d") && x && y && a && b)
        return mz_strf("%s, words for %s are closer to %s, and words for %s to %s (d %+.2f, %s).",
                       family_place(mz_jstr(f, "family", "")), x, est >= 0 ? a : b, y,
                       est >= 0 ? b : a, est, d_size(est));
    if (!strcmp(effect, "preference_rate")) {
        const char *id = mz_jstr(f, "id", "");
        size_t n = strlen(id);
        int all = n >= 4 && !strcmp(id + n - 4, "/all");
        return mz_strf("The model prefers the more stereotypical sentence in %.0f%% of %s%s "
                       "minimal pairs (50%%: no preference).",
                       100 * est, all ? "all the" : "the ", all ? "" : mz_jstr(f, "dimension", ""));
    }
    if (!strcmp(effect, "log_probability_ratio") && x && y)
        return mz_strf("The %s make %s %s likely, against %s, by a factor of %.2f on average "
                       "(log ratio %+.2f).",
                       a ? a : "attributes", x, est >= 0 ? "more" : "less", y, exp(fabs(est)), est);
    return mz_strdup(mz_finding_title(f));
}

char *mz_pvalue_text(double p) {
    if (!isfinite(p)) return mz_strdup("—");
    if (p < 1e-4) return mz_strdup("< 0.0001");
    return mz_strf("%.2g", p);
}

char *mz_number_text(double x) { return isfinite(x) ? mz_strf("%.3g", x) : mz_strdup("—"); }

const char *mz_verdict_text(const json_t *f) {
    const char *v = mz_jstr(f, "verdict", "");
    if (!strcmp(v, "evidence")) return "▲ evidence of bias";
    if (!strcmp(v, "inconclusive"))
        return "△ inconclusive"; /* not ◆: the plots' significant mark */
    if (!strcmp(v, "no_evidence")) return "○ no evidence";
    return mz_computed(f) ? "no verdict" : "not computed";
}

int mz_finding_order(const void *a, const void *b) {
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    int c = strcmp(mz_jstr(x, "dimension", ""), mz_jstr(y, "dimension", ""));
    if (c) return c;
    c = -strcmp(mz_jstr(x, "language", ""), mz_jstr(y, "language", "")); /* sw before en */
    return c ? c : strcmp(mz_jstr(x, "id", ""), mz_jstr(y, "id", ""));
}

mz_status mz_findings_table(mz_page *p, xmlNodePtr parent, const char *caption,
                            const mz_column *cols, size_t n_cols, const json_t **f, size_t n,
                            mz_cells_fn fill) {
    char **cells = mz_calloc(n_cols * (n ? n : 1), sizeof *cells);
    const char **langs = mz_calloc(n ? n : 1, sizeof *langs);
    int bad = !cells || !langs;
    for (size_t i = 0; !bad && i < n; i++) {
        fill(cells + n_cols * i, f[i]);
        langs[i] = mz_jstr(f[i], "language", NULL);
        for (size_t k = 0; k < n_cols; k++)
            bad |= !cells[n_cols * i + k];
    }
    if (bad)
        p->failed = 1;
    else
        mz_widget_table(p, parent, caption, cols, n_cols, (const char *const *)cells, langs, n);
    for (size_t i = 0; cells && i < n_cols * n; i++)
        mz_free(cells[i]);
    mz_free(cells);
    mz_free(langs);
    return mz_page_status(p);
}
