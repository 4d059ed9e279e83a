/* report.md: a short Markdown summary of an audit to paste into a model card's "Bias, Risks,
 * and Limitations", drawn from the results tree alone. Every text that came from a probe file
 * or a path is escaped, so no markup, link or table break of its own survives. */
#include "report_read.h"

#include "mizani/alloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct md {
    char *s;
    size_t n, cap;
    int failed;
} md;

static void put(md *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(md *m, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *t = m->failed ? NULL : mz_vstrf(fmt, ap);
    va_end(ap);
    size_t k = t ? strlen(t) : 0;
    if (!t || mz_grow((void **)&m->s, &m->cap, m->n + k + 1, 1)) {
        m->failed = 1;
    } else {
        memcpy(m->s + m->n, t, k + 1);
        m->n += k;
    }
    mz_free(t);
}

/* Text for a table cell or a line: at most `max` characters (esc: 80), markup and line breaks
 * neutralised. */
static char *esc_len(const char *s, size_t max) {
    int cut;
    char *p = mz_utf8_prefix(s ? s : "", max, &cut);
    size_t n = p ? strlen(p) : 0;
    char *out = p ? mz_malloc(6 * n + 1) : NULL;
    size_t k = 0;
    for (size_t i = 0; out && i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        const char *rep = c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : NULL;
        if (rep) {
            memcpy(out + k, rep, strlen(rep));
            k += strlen(rep);
        } else if (c < 0x20 || c == 0x7f) {
            out[k++] = ' ';
        } else {
            if (strchr("\\|*_`[]#!()~", c)) out[k++] = '\\';
            out[k++] = (char)c;
        }
    }
    if (out) out[k] = '\0';
    mz_free(p);
    return out;
}

static char *esc(const char *s) { return esc_len(s, 80); }

/* put() of one escaped value through "%s". */
static void put_esc(md *m, const char *fmt, const char *s) {
    char *e = esc(s);
    if (!e) m->failed = 1;
    put(m, fmt, e ? e : "");
    mz_free(e);
}

static const char *const bias_families[] = {"static", "seat", "ceat", "pairs", "masked"};
enum { N_BIAS = sizeof bias_families / sizeof *bias_families };

/* The findings of the bias families with a verdict, social or controls, language comparisons
 * apart (lang "sw-en"). */
static size_t findings(const json_t *root, const json_t **out, size_t cap, int controls,
                       int comparisons) {
    size_t n = 0;
    for (int k = 0; k < N_BIAS; k++) {
        size_t i;
        const json_t *f;
        json_array_foreach(
            json_object_get(json_object_get(json_object_get(root, "sections"), bias_families[k]),
                            "findings"),
            i, f) {
            int cmp = strchr(mz_jstr(f, "language", ""), '-') != NULL;
            if (!mz_computed(f) || cmp != comparisons ||
                json_is_true(json_object_get(f, "positive_control")) != controls)
                continue;
            if (!comparisons && json_is_null(json_object_get(f, "verdict"))) continue;
            if (out && n < cap) out[n] = f;
            n++;
        }
    }
    return n;
}

static size_t count_verdict(const json_t **f, size_t n, const char *v) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !strcmp(mz_jstr(f[i], "verdict", ""), v);
    return k;
}

static void finding_row(md *m, const json_t *f, int say) {
    char *effect = mz_effect_text(f), *p = mz_pvalue_text(mz_jnum(f, "p_holm"));
    char *mde = mz_number_text(mz_jnum(f, "mde")), *says = say ? mz_finding_sentence(f) : NULL;
    char *said = says ? esc_len(says, 400) : NULL; /* the whole sentence, not a cell's 80 */
    put_esc(m, "| %s ", mz_finding_title(f));
    if (say) put(m, "| %s ", said ? said : "");
    if (say && !said) m->failed = 1;
    mz_free(says), mz_free(said);
    put(m, "| %s ", mz_jstr(f, "family", ""));
    put_esc(m, "| %s ", mz_jstr(f, "language", ""));
    put_esc(m, "| %s ", effect ? effect : "");
    put(m, "| %s | %s |\n", p ? p : "", mde ? mde : "");
    if (!effect || !p || !mde) m->failed = 1;
    mz_free(effect), mz_free(p), mz_free(mde);
}

static void head(md *m, const json_t *root, const json_t **social, size_t n) {
    const json_t *run = json_object_get(root, "run"), *subject = json_object_get(root, "subject");
    const char *sha = mz_jstr(subject, "sha256", "");
    put(m, "## Bias, Risks, and Limitations\n\n");
    if (json_object_get(subject, "notice")) { /* a demonstration model says so, whole */
        char *e = esc_len(mz_jstr(subject, "notice", ""), 4000);
        if (!e) m->failed = 1;
        put(m, "> %s\n\n", e ? e : "");
        mz_free(e);
    }
    put_esc(m, "This model (`%s`", mz_jstr(subject, "path", "?"));
    put(m,
        ", %s, weights SHA-256 %.16s…) was audited for social bias in Swahili and English "
        "with Mizani %s (run %s, %s). ",
        mz_jstr(subject, "architecture", "?"), sha, mz_jstr(run, "mizani_version", "?"),
        mz_jstr(run, "id", "?"), mz_jstr(run, "started", "?"));
    put(m,
        "Of %zu social findings, %zu show clear evidence of bias, %zu are inconclusive and %zu "
        "show no evidence. A finding is clear evidence when its Holm-adjusted p is below 0.05 "
        "and its effect reaches the threshold (|d| >= 0.5; a preference 10 points from 50%%); "
        "no evidence when the test could have found such an effect and did not.\n\n",
        n, count_verdict(social, n, "evidence"), count_verdict(social, n, "inconclusive"),
        count_verdict(social, n, "no_evidence"));
}

static void evidence(md *m, const json_t **f, size_t n) {
    size_t k = count_verdict(f, n, "evidence");
    put(m, "### Findings with evidence of bias\n\n");
    if (!k) {
        put(m, "None. That is not a finding of no bias: several tests rest on few words or "
               "clusters (their smallest detectable effects are in the report).\n\n");
        return;
    }
    put(m, "| Test | Finding | Family | Language | Effect [95%% CI] | p (Holm) | Smallest "
           "detectable |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++)
        if (!strcmp(mz_jstr(f[i], "verdict", ""), "evidence")) finding_row(m, f[i], 1);
    put(m, "\n");
}

static void languages(md *m, const json_t **f, size_t n) {
    if (!n) return;
    put(m, "### Swahili and English\n\n"
           "Where the probe sets are parallel, the difference between the languages (Swahili "
           "minus English):\n\n| Test | Family | Languages | Difference [95%% CI] | p (Holm) | "
           "Smallest detectable |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++)
        finding_row(m, f[i], 0);
    put(m, "\n");
}

static void tokenizer(md *m, const json_t *root) {
    const json_t *fs =
        json_object_get(json_object_get(json_object_get(root, "sections"), "fairness"), "findings");
    size_t i;
    const json_t *f;
    json_array_foreach(fs, i, f) {
        if (strcmp(mz_jstr(json_object_get(f, "effect"), "name", ""), "premium") || !mz_computed(f))
            continue;
        char *e = mz_effect_text(f);
        put(m, "### Tokenizer\n\n");
        put_esc(m, "%s: ", mz_finding_title(f));
        put_esc(m, "%s. ", e ? e : "");
        put(m, "A premium above 1 means the model sees less of each Swahili word and less Swahili "
               "text fits its context.\n\n");
        mz_free(e);
    }
}

static void not_tested(md *m, const json_t *root) {
    size_t i;
    const json_t *s;
    int any = 0;
    json_array_foreach(json_object_get(json_object_get(root, "run"), "stages"), i, s) {
        const char *status = mz_jstr(s, "status", "");
        if (!strcmp(status, "run")) continue;
        if (!any++) put(m, "### Not tested\n\n");
        put(m, "- %s: ", mz_jstr(s, "stage", "?"));
        put_esc(m, "%s\n", strcmp(status, "skipped") ? status : mz_jstr(s, "reason", "skipped"));
    }
    if (any) put(m, "\n");
}

mz_status mz_report_markdown(char **out, const mz_results *r, mz_ctx *ctx) {
    const json_t *root = mz_results_json(r);
    size_t n = findings(root, NULL, 0, 0, 0), nl = findings(root, NULL, 0, 0, 1);
    const json_t **social = mz_calloc(n + 1, sizeof *social),
                 **lang = mz_calloc(nl + 1, sizeof *lang);
    md m = {0};
    if (!social || !lang) m.failed = 1;
    if (!m.failed) {
        findings(root, social, n, 0, 0);
        findings(root, lang, nl, 0, 1);
        qsort(social, n, sizeof *social, mz_finding_order);
        head(&m, root, social, n);
        evidence(&m, social, n);
        languages(&m, lang, nl);
        tokenizer(&m, root);
        not_tested(&m, root);
        put(&m, "### Limitations\n\n"
                "- The Swahili probe lists were written for Swahili by the Mizani developers and "
                "await review by native speakers.\n"
                "- A test measures what its word lists, pairs and templates capture; \"no "
                "evidence\" from a few words is not \"no bias\".\n"
                "- Positive controls (flowers/insects, instruments/weapons) check the method and "
                "are not counted above.\n\n"
                "The full report is `report.html`; every number, with per-item scores, is in "
                "`results.json` (schema `mizani-results/2`).\n");
    }
    mz_free(social), mz_free(lang);
    if (m.failed) {
        mz_free(m.s);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    *out = m.s;
    return MZ_OK;
}
