/* The comparison drawn from the results tree alone: per pair of checkpoints and family, a paired
 * plot of each finding before and after with the change's interval, the changes as a forest
 * plot, a table with each outcome in plain words; the trajectory of every finding across more
 * than two checkpoints; what could not be compared and why; and compare.html around it. */
#include "compare_section.h"
#include "report_read.h"

#include "mizani/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const json_t *details(const json_t *f) { return json_object_get(f, "details"); }

static long long to_of(const json_t *f) {
    const json_t *t = json_object_get(details(f), "to");
    return json_is_integer(t) ? json_integer_value(t) : 2;
}

static const char *family_of(const json_t *f) {
    return mz_jstr(details(f), "compared_family", "comparison");
}

/* The computed findings of one pair of checkpoints (ending at `to`) and family, sorted. */
static const json_t **group(const json_t *section, long long to, const char *family, size_t *n) {
    const json_t *list = json_object_get(section, "findings"), *f;
    const json_t **out = mz_calloc(json_array_size(list) + 1, sizeof *out);
    size_t i;
    *n = 0;
    json_array_foreach(list, i, f) {
        if (out && mz_computed(f) && to_of(f) == to && !strcmp(family_of(f), family))
            out[(*n)++] = f;
    }
    if (out) qsort(out, *n, sizeof *out, mz_finding_order);
    return out;
}

static const char *effect_title(const char *family) {
    if (!strcmp(family, "pairs")) return "preference for the more stereotypical sentence";
    if (!strcmp(family, "masked")) return "log-probability ratio, first group minus second";
    if (!strcmp(family, "fairness")) return "premium: tokens in Swahili per token in English";
    return "effect size d";
}

/* Before -> after, one row per finding (needs the details compare writes). */
static void paired_plot(mz_page *p, xmlNodePtr sec, const json_t **f, size_t n,
                        const char *family) {
    mz_interval_row *rows = mz_calloc(n + 1, sizeof *rows);
    char **labels = mz_calloc(n + 1, sizeof *labels);
    double *from = mz_calloc(n + 1, sizeof *from);
    size_t m = 0;
    for (size_t i = 0; rows && labels && from && i < n; i++) {
        const json_t *pd = json_object_get(details(f[i]), "paired");
        if (!pd) continue;
        mz_finding_row(&rows[m], f[i], NULL);
        if (!(labels[m] = mz_finding_label(f[i]))) break;
        double before = mz_jnum(pd, "before");
        rows[m].label = labels[m];
        from[m] = before;
        rows[m].estimate = mz_jnum(pd, "after");
        rows[m].lo += before, rows[m].hi += before;
        rows[m].significant = json_is_true(json_object_get(details(f[i]), "fails_gate"));
        m++;
    }
    if (!rows || !labels || !from) p->failed = 1;
    char *cap = mz_strf("Before and after: %s of each finding, with the change's interval",
                        effect_title(family));
    const json_t *pd = m ? json_object_get(details(f[0]), "paired") : NULL;
    mz_axis axis = {.title = effect_title(family), .ref = mz_jnum(pd, "null")};
    if (!strcmp(family, "pairs")) axis.lo = 0, axis.hi = 1, axis.percent = 1;
    if (m && cap) mz_widget_paired(p, sec, cap, rows, from, m, &axis);
    if (!cap) p->failed = 1;
    for (size_t i = 0; labels && i < m; i++)
        mz_free(labels[i]);
    mz_free(cap), mz_free(labels), mz_free(rows), mz_free(from);
}

static void change_plot(mz_page *p, xmlNodePtr sec, const json_t **f, size_t n,
                        const char *family) {
    mz_interval_row *rows = mz_calloc(n + 1, sizeof *rows);
    char **labels = mz_calloc(n + 1, sizeof *labels);
    int bad = !rows || !labels;
    for (size_t i = 0; !bad && i < n; i++) {
        bad = !(labels[i] = mz_finding_label(f[i]));
        mz_finding_row(&rows[i], f[i], labels[i]);
    }
    char *title =
        mz_strf("change of the %s, after minus before (0: no change)", effect_title(family));
    mz_axis axis = {.title = title, .ref = 0};
    if (bad || !title)
        p->failed = 1;
    else
        mz_widget_forest(p, sec,
                         "The change with its interval (a filled diamond: beyond chance "
                         "after Holm correction)",
                         rows, n, &axis);
    for (size_t i = 0; labels && i < n; i++)
        mz_free(labels[i]);
    mz_free(title), mz_free(labels), mz_free(rows);
}

static const mz_column cols[] = {{"Finding", 0}, {"Lang.", 0},       {"Before", 1},
                                 {"After", 1},   {"Change [CI]", 1}, {"p (Holm)", 1},
                                 {"Outcome", 0}, {"Units", 1},       {"Detectable", 1}};

static void cells(char **c, const json_t *f) {
    const json_t *d = details(f), *u = json_object_get(f, "units");
    c[0] = mz_strdup(mz_finding_title(f));
    c[1] = mz_strdup(mz_jstr(f, "language", ""));
    c[2] = mz_number_text(mz_jnum(json_object_get(d, "paired"), "before"));
    c[3] = mz_number_text(mz_jnum(json_object_get(d, "paired"), "after"));
    c[4] = mz_effect_text(f);
    c[5] = mz_pvalue_text(mz_jnum(f, "p_holm"));
    c[6] = mz_strdup(mz_jstr(d, "in_words", mz_verdict_text(f)));
    c[7] = mz_strf("%lld %s", (long long)json_integer_value(json_object_get(u, "n")),
                   mz_jstr(u, "kind", ""));
    c[8] = mz_number_text(mz_jnum(f, "mde"));
}

/* The same row with the pair of checkpoints it compares ("2 → 3: ") before the finding. */
static void step_cells(char **c, const json_t *f) {
    cells(c, f);
    long long to = to_of(f);
    char *title = c[0] ? mz_strf("%lld → %lld: %s", to - 1, to, c[0]) : NULL;
    mz_free(c[0]);
    c[0] = title;
}

/* The checkpoints' labels from the subject, "1", "2" ... when it has none. */
static const char *checkpoint_label(const json_t *root, long long k) {
    const json_t *cps = json_object_get(json_object_get(root, "subject"), "checkpoints");
    return mz_jstr(json_array_get(cps, (size_t)(k - 1)), "label", NULL);
}

static long long last_checkpoint(const json_t *section) {
    long long n = 2;
    size_t i;
    const json_t *f;
    json_array_foreach(json_object_get(section, "findings"), i, f) {
        if (to_of(f) > n) n = to_of(f);
    }
    return n;
}

static void families_of(const json_t *section, const char **fam, size_t *n) {
    size_t i;
    const json_t *f;
    *n = 0;
    json_array_foreach(json_object_get(section, "findings"), i, f) {
        size_t k = 0;
        while (k < *n && strcmp(fam[k], family_of(f)))
            k++;
        if (k == *n && *n < 16) fam[(*n)++] = family_of(f);
    }
}

static void pair_of_checkpoints(mz_page *p, xmlNodePtr sec, const json_t *root,
                                const json_t *section, long long to) {
    const char *a = checkpoint_label(root, to - 1), *b = checkpoint_label(root, to);
    xmlNodePtr s = sec;
    if (last_checkpoint(section) > 2 || (a && b)) {
        char *title =
            a && b ? mz_strf("%s → %s", a, b) : mz_strf("Checkpoint %lld → %lld", to - 1, to);
        if (!title) {
            p->failed = 1;
            return;
        }
        s = mz_page_section(p, sec, NULL, title);
        mz_free(title);
    }
    const char *fam[16];
    size_t nf;
    families_of(section, fam, &nf);
    for (size_t k = 0; k < nf; k++) {
        size_t n;
        const json_t **f = group(section, to, fam[k], &n);
        if (!f) {
            p->failed = 1;
            return;
        }
        if (n) {
            char *cap = mz_strf("%s: each finding before and after", fam[k]);
            xmlNodePtr fs = nf > 1 ? mz_page_section(p, s, NULL, fam[k]) : s;
            paired_plot(p, fs, f, n, fam[k]);
            change_plot(p, fs, f, n, fam[k]);
            if (cap)
                mz_findings_table(p, fs, cap, cols, sizeof cols / sizeof *cols, f, n, cells);
            else
                p->failed = 1;
            mz_free(cap);
        }
        mz_free(f);
    }
}

/* ---- Trajectories -------------------------------------------------------------------------- */

typedef struct track {
    const json_t *first; /* the finding of the first pair, for its label */
    double *v, *lo, *hi; /* [n_points] */
} track;

/* The audits' own estimates per checkpoint, joined by test across the consecutive pairs. */
static size_t tracks(track *t, size_t cap, const json_t *section, size_t points) {
    size_t n = 0, i;
    const json_t *f;
    json_array_foreach(json_object_get(section, "findings"), i, f) {
        const json_t *d = details(f);
        long long to = to_of(f);
        if (!d || to < 2 || (size_t)to > points) continue;
        size_t k = 0;
        while (k < n &&
               !(!strcmp(mz_jstr(details(t[k].first), "test", ""), mz_jstr(d, "test", "")) &&
                 !strcmp(family_of(t[k].first), family_of(f))))
            k++;
        if (k == n) {
            if (n == cap) continue;
            t[n].first = f, n++;
        }
        for (int side = 0; side < 2; side++) {
            const json_t *e = json_object_get(d, side ? "after" : "before"),
                         *ci = json_object_get(e, "ci");
            size_t at = (size_t)to - 2 + (size_t)side;
            t[k].v[at] = mz_jnum(e, "estimate");
            t[k].lo[at] = json_is_number(json_array_get(ci, 0))
                              ? json_number_value(json_array_get(ci, 0))
                              : NAN;
            t[k].hi[at] = json_is_number(json_array_get(ci, 1))
                              ? json_number_value(json_array_get(ci, 1))
                              : NAN;
        }
    }
    return n;
}

static void trajectory(mz_page *p, xmlNodePtr sec, const json_t *root, const json_t *section) {
    size_t points = (size_t)last_checkpoint(section),
           cap = json_array_size(json_object_get(section, "findings"));
    if (points < 3 || !cap) return;
    track *t = mz_calloc(cap, sizeof *t);
    double *buf = mz_malloc(3 * cap * points * sizeof *buf);
    mz_series *s = mz_calloc(cap, sizeof *s);
    char **labels = mz_calloc(cap, sizeof *labels);
    const char **names = mz_calloc(points, sizeof *names);
    if (!t || !buf || !s || !labels || !names) {
        p->failed = 1;
        goto done;
    }
    for (size_t i = 0; i < 3 * cap * points; i++)
        buf[i] = NAN;
    for (size_t k = 0; k < cap; k++)
        t[k] = (track){NULL, buf + 3 * k * points, buf + (3 * k + 1) * points,
                       buf + (3 * k + 2) * points};
    size_t n = tracks(t, cap, section, points);
    for (size_t k = 0; k < n; k++) {
        labels[k] = mz_strf("%s (%s)", mz_finding_title(t[k].first), family_of(t[k].first));
        if (!labels[k]) p->failed = 1;
        s[k] =
            (mz_series){labels[k], mz_jstr(t[k].first, "language", NULL), t[k].v, t[k].lo, t[k].hi};
    }
    for (size_t k = 0; k < points; k++)
        names[k] = checkpoint_label(root, (long long)k + 1)
                       ? checkpoint_label(root, (long long)k + 1)
                       : "checkpoint";
    xmlNodePtr ts = mz_page_section(p, sec, "trajectory", "Trajectory across the checkpoints");
    mz_page_el(p, ts, "p",
               "Each finding's effect as each audit reported it, checkpoint by checkpoint in "
               "training order, with its interval; the dashed line is no effect.");
    mz_axis axis = {.title = "the finding's effect", .ref = 0};
    if (n)
        mz_widget_trajectory(p, ts, "Trajectories; the checkpoints in order:", names, points, s, n,
                             &axis);
done:
    for (size_t k = 0; labels && k < cap; k++)
        mz_free(labels[k]);
    mz_free(labels), mz_free(names), mz_free(s), mz_free(buf), mz_free(t);
}

/* ---- Not compared, notes, and the section ------------------------------------------------- */

static void not_compared(mz_page *p, xmlNodePtr sec, const json_t *section) {
    const json_t *list = json_object_get(section, "findings"), *f;
    size_t n = 0, i;
    json_array_foreach(list, i, f) n += !mz_computed(f);
    if (!n) return;
    mz_missing_row *rows = mz_calloc(n, sizeof *rows);
    if (!rows) {
        p->failed = 1;
        return;
    }
    n = 0;
    json_array_foreach(list, i, f) {
        if (!mz_computed(f))
            rows[n++] = (mz_missing_row){mz_jstr(f, "id", ""), mz_jstr(f, "language", NULL),
                                         "not compared", mz_jstr(f, "reason", "no reason given")};
    }
    mz_page_el(p, sec, "p", "Not compared: these findings could not be paired, and why.");
    mz_widget_not_computable(p, sec, rows, n);
    mz_free(rows);
}

mz_status mz_compare_section(mz_page *p, xmlNodePtr sec, const json_t *root,
                             const json_t *section) {
    const json_t *gate = json_object_get(section, "gate");
    if (gate)
        mz_page_elf(p, sec, "p",
                    "%lld findings regressed, %lld improved, %lld changed within their "
                    "threshold, %lld unchanged; %lld had too few units to test and %lld could "
                    "not be compared.",
                    (long long)json_integer_value(json_object_get(gate, "regressed")),
                    (long long)json_integer_value(json_object_get(gate, "improved")),
                    (long long)json_integer_value(json_object_get(gate, "changed")),
                    (long long)json_integer_value(json_object_get(gate, "unchanged")),
                    (long long)json_integer_value(json_object_get(gate, "too_few")),
                    (long long)json_integer_value(json_object_get(gate, "not_compared")));
    const json_t *notes = json_object_get(section, "notes"), *x;
    size_t i;
    xmlNodePtr ul = json_array_size(notes) ? mz_page_el(p, sec, "ul", NULL) : NULL;
    json_array_foreach(notes, i, x) mz_page_el(p, ul, "li", json_string_value(x));
    for (long long to = 2; to <= last_checkpoint(section); to++)
        pair_of_checkpoints(p, sec, root, section, to);
    trajectory(p, sec, root, section);
    not_compared(p, sec, section);
    return mz_page_status(p);
}

/* ---- compare.html ------------------------------------------------------------------------- */

static void decision(mz_page *p, xmlNodePtr main, const json_t *section) {
    xmlNodePtr sec = mz_page_section(p, main, "summary", "Summary");
    const json_t *gate = json_object_get(section, "gate");
    long long regressed = json_integer_value(json_object_get(gate, "failures"));
    xmlNodePtr lead =
        regressed
            ? mz_page_elf(p, sec, "p",
                          "The gate fails: %lld finding%s regressed, its bias larger after than "
                          "before by more than the threshold, beyond chance.",
                          regressed, regressed == 1 ? "" : "s")
            : mz_page_el(p, sec, "p",
                         "The gate passes: no finding's bias grew past its threshold beyond "
                         "chance.");
    mz_page_attr(p, lead, "class", "verdict-evidence");
    mz_page_elf(p, sec, "p", "Rule: %s.", mz_jstr(gate, "rule", "see the method note"));
    const json_t *list = json_object_get(section, "findings"), *f;
    size_t n = 0, i;
    const json_t **moved = mz_calloc(json_array_size(list) + 1, sizeof *moved);
    if (!moved) {
        p->failed = 1;
        return;
    }
    json_array_foreach(list, i, f) {
        const char *o = mz_jstr(details(f), "outcome", "");
        if (!strcmp(o, "regressed") || !strcmp(o, "improved") || !strcmp(o, "changed"))
            moved[n++] = f;
    }
    qsort(moved, n, sizeof *moved, mz_finding_order);
    if (n)
        mz_findings_table(p, sec, "Findings whose bias changed beyond chance", cols,
                          sizeof cols / sizeof *cols, moved, n, step_cells);
    else
        mz_page_el(p, sec, "p", "No finding changed beyond chance.");
    mz_free(moved);
}

static void checkpoints(mz_page *p, xmlNodePtr main, const json_t *root) {
    const json_t *cps = json_object_get(json_object_get(root, "subject"), "checkpoints"), *c;
    size_t n = json_array_size(cps), i;
    xmlNodePtr sec = mz_page_section(p, main, "checkpoints", "Checkpoints, in order");
    static const mz_column head[] = {
        {"#", 1}, {"Checkpoint", 0}, {"Source", 0}, {"Audit run", 0}, {"Audited", 0}};
    char **cells_ = mz_calloc(5 * n + 1, sizeof *cells_);
    if (!cells_) {
        p->failed = 1;
        return;
    }
    json_array_foreach(cps, i, c) {
        const json_t *s = json_object_get(c, "subject");
        const char *what = mz_jstr(s, "path", mz_jstr(json_object_get(s, "file"), "path", ""));
        cells_[5 * i] = mz_strf("%zu", i + 1);
        cells_[5 * i + 1] = mz_strdup(mz_jstr(c, "label", ""));
        cells_[5 * i + 2] = mz_strdup(mz_jstr(c, "source", ""));
        cells_[5 * i + 3] = mz_strdup(mz_jstr(c, "run_id", "—"));
        cells_[5 * i + 4] = mz_strdup(what);
        for (int k = 0; k < 5; k++)
            if (!cells_[5 * i + k]) p->failed = 1;
    }
    if (!p->failed)
        mz_widget_table(p, sec, "The audits compared", head, 5, (const char *const *)cells_, NULL,
                        n);
    for (i = 0; i < 5 * n; i++)
        mz_free(cells_[i]);
    mz_free(cells_);
}

mz_status mz_report_compare_page(mz_page **out, const mz_results *r, mz_ctx *ctx) {
    const json_t *root = mz_results_json(r);
    const json_t *section = json_object_get(json_object_get(root, "sections"), "compare");
    mz_page *p;
    mz_status rc =
        mz_page_new(&p, "Mizani: bias before and after fine-tuning", mz_results_run_id(r), ctx);
    if (rc) return rc;
    xmlNodePtr main = mz_page_main(p);
    xmlNodePtr lead = mz_page_elf(p, main, "p", "Run %s.", mz_results_run_id(r));
    mz_page_attr(p, lead, "class", "note");
    decision(p, main, section);
    checkpoints(p, main, root);
    mz_report_section(p, main, r, "compare");
    mz_report_method(p, main, r, "compare", "Method");
    mz_report_footer(p, main, root);
    rc = mz_page_status(p);
    if (rc) {
        mz_page_free(p);
        return rc;
    }
    *out = p;
    return MZ_OK;
}
