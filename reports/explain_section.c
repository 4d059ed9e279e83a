/* The explanation section of a report ($.sections.explain), drawn from the tree alone: per
 * explained text, its words shaded by every method, the completeness gap, each method's
 * faithfulness, the heads that matter, and the attention maps (every layer and head as
 * thumbnails, one enlarged); per minimal pair, the two sentences' words side by side first.
 * And explain.html: that section, what was run, and how to run it again. */
#include "explain_section.h"
#include "report_read.h"

#include "mizani/alloc.h"
#include "mizani/explain.h"

#include <math.h>
#include <string.h>

/* Explanations whose maps and graphs the page draws (every one gets its heads table); heads
 * listed in that table. */
enum { MAX_MAPS = 4, TOP_HEADS = 10 };

static const char *const method_titles[MZ_EXPLAIN_N_METHODS] = {
    "Integrated Gradients (signed: > 0 raises the score)",
    "Saliency: the gradient's size (unsigned)",
    "Gradient x input (signed)",
    "Occlusion: how much the score falls without the word (signed)",
    "Raw attention from the target's positions, last layer (unsigned)",
    "Attention rollout from the target's positions (unsigned)",
    "Attention flow from the target's positions (unsigned)",
    "Norm-based attention from the target's positions, last layer (unsigned)",
    "Attention attribution"};

static void oom(mz_page *p) { p->failed = 1; }

/* A table of cells the caller made (each a new string, NULL where empty; `cells` NULL: making
 * them failed), drawn and then freed. */
static void owned_table(mz_page *p, xmlNodePtr parent, const char *caption, const mz_column *cols,
                        size_t n_cols, char **cells, const char *const *langs, size_t n) {
    if (cells)
        mz_widget_table(p, parent, caption, cols, n_cols, (const char *const *)cells, langs, n);
    else
        oom(p);
    for (size_t i = 0; cells && i < n * n_cols; i++)
        mz_free(cells[i]);
    mz_free(cells);
}

static const json_t *jget(const json_t *o, const char *k) { return json_object_get(o, k); }

/* Element i of an array of numbers, NAN when it is not one. */
static double jnum_at(const json_t *a, size_t i) {
    const json_t *x = json_array_get(a, i);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

/* Element i of an array of strings, "" when it is not one. */
static const char *jstr_at(const json_t *a, size_t i) {
    const char *s = json_string_value(json_array_get(a, i));
    return s ? s : "";
}

/* ---- words shaded by each method */

static void shaded(mz_page *p, xmlNodePtr parent, const json_t *d, const char *lang) {
    const json_t *words = jget(d, "words"), *methods = jget(d, "methods");
    size_t W = json_array_size(words);
    mz_token_score *rows = mz_calloc(W + 1, sizeof *rows);
    if (!rows) return oom(p);
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++) {
        const json_t *scores = jget(jget(methods, mz_explain_method_names[k]), "words");
        if (!scores || json_array_size(scores) != W || !W) continue;
        for (size_t w = 0; w < W; w++) {
            const json_t *x = json_array_get(words, w);
            rows[w] =
                (mz_token_score){(size_t)json_integer_value(jget(x, "start")),
                                 (size_t)json_integer_value(jget(x, "end")), jnum_at(scores, w)};
        }
        mz_widget_tokens(p, parent, method_titles[k], mz_jstr(d, "text", ""), lang, rows, W,
                         mz_explain_method_names[k]);
    }
    mz_free(rows);
}

/* ---- faithfulness */

static void faithfulness(mz_page *p, xmlNodePtr parent, const json_t *d) {
    static const mz_column cols[] = {{"Method", 0},
                                     {"Deletion area (low is good)", 1},
                                     {"Insertion area (high)", 1},
                                     {"Comprehensiveness (high)", 1},
                                     {"Sufficiency (low)", 1}};
    static const char *const keys[] = {"deletion_area", "insertion_area", "comprehensiveness",
                                       "sufficiency"};
    const json_t *methods = jget(d, "methods");
    char **cells = mz_calloc(5 * MZ_EXPLAIN_N_METHODS, sizeof *cells);
    size_t n = 0;
    const char *best = NULL;
    double best_c = -INFINITY;
    for (int k = 0; cells && k < MZ_EXPLAIN_N_METHODS; k++) {
        const json_t *f = jget(jget(methods, mz_explain_method_names[k]), "faithfulness");
        if (!json_is_object(f)) continue;
        if (!(cells[5 * n] = mz_strdup(mz_explain_method_names[k]))) oom(p);
        for (int c = 0; c < 4; c++)
            if (!(cells[5 * n + 1 + c] = mz_number_text(mz_jnum(f, keys[c])))) oom(p);
        if (mz_jnum(f, "comprehensiveness") > best_c)
            best_c = mz_jnum(f, "comprehensiveness"), best = mz_explain_method_names[k];
        n++;
    }
    if (!cells) oom(p);
    if (!n) {
        mz_free(cells);
        return;
    }
    xmlNodePtr sec = mz_page_section(p, parent, NULL, "Which explanation to trust");
    mz_page_el(p, sec, "p",
               "Each method's words are removed in its order of importance (a masked LM's "
               "become mask tokens; a decoder's are left out) and the score measured again. "
               "A faithful ranking makes the score fall fast as its top words go and "
               "recover fast when only they are kept.");
    mz_page_elf(p, sec, "p",
                "Most comprehensive here: %s (removing its top words lowers the score the most).",
                best);
    owned_table(p, sec,
                "Faithfulness of each word ranking (areas over the fraction of words removed or "
                "kept; ERASER's bins 1-50%)",
                cols, 5, cells, NULL, n);
}

/* ---- heads and maps */

static float *floats_of(const json_t *a, size_t n) {
    float *v = mz_malloc((n + 1) * sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        v[i] = (float)jnum_at(a, i);
    return v;
}

/* The heads attention attribution ranks highest, largest first. */
static void heads(mz_page *p, xmlNodePtr parent, const json_t *att, size_t H) {
    static const mz_column cols[] = {{"Head", 0}, {"Largest attribution", 1}};
    const json_t *imp = jget(att, "head_importance");
    size_t n = json_array_size(imp), k = n < TOP_HEADS ? n : TOP_HEADS;
    if (!n || !H) return;
    char **cells = mz_calloc(2 * k, sizeof *cells);
    uint8_t *used = mz_calloc(n, 1);
    for (size_t i = 0; cells && used && i < k; i++) {
        size_t best = n;
        for (size_t h = 0; h < n; h++)
            if (!used[h] && (best == n || jnum_at(imp, h) > jnum_at(imp, best))) best = h;
        used[best] = 1;
        cells[2 * i] = mz_strf("layer %zu, head %zu", best / H, best % H);
        cells[2 * i + 1] = mz_number_text(jnum_at(imp, best));
        if (!cells[2 * i] || !cells[2 * i + 1]) oom(p);
    }
    if (!used) oom(p);
    mz_free(used);
    xmlNodePtr sec = mz_page_section(p, parent, NULL, "Heads that matter");
    owned_table(p, sec,
                "The heads whose attention carries the score most: each head's largest attention "
                "attribution (Hao et al. 2021)",
                cols, 2, cells, NULL, k);
}

static void edges(mz_page *p, xmlNodePtr parent, const json_t *att, const json_t *labels,
                  const char *lang) {
    static const mz_column cols[] = {
        {"Layer", 1}, {"From token", 0}, {"To token", 0}, {"Score", 1}};
    const json_t *list = jget(att, "edges");
    size_t n = json_array_size(list), i;
    if (!n) return;
    char **cells = mz_calloc(4 * n, sizeof *cells);
    const char **langs = mz_calloc(n, sizeof *langs);
    const json_t *e;
    json_array_foreach(list, i, e) {
        if (!cells || !langs) break;
        cells[4 * i] = mz_strf("%lld", (long long)json_integer_value(jget(e, "layer")));
        cells[4 * i + 1] = mz_strdup(jstr_at(labels, (size_t)json_integer_value(jget(e, "from"))));
        cells[4 * i + 2] = mz_strdup(jstr_at(labels, (size_t)json_integer_value(jget(e, "to"))));
        cells[4 * i + 3] = mz_number_text(mz_jnum(e, "score"));
        langs[i] = lang;
        for (int c = 0; c < 4; c++)
            if (!cells[4 * i + c]) oom(p);
    }
    if (!langs) oom(p);
    owned_table(p, parent,
                "The attribution tree's edges: at a layer, the 'to' token takes information from "
                "the 'from' token (share of the layer's largest attribution, over 0.4)",
                cols, 4, cells, langs, n);
    mz_free(langs);
}

/* values [layers,heads,T,T] as the heatmap widget's grid. */
static void heatmap(mz_page *p, xmlNodePtr parent, const char *caption, const json_t *values,
                    size_t layers, size_t heads, const json_t *labels, const char *lang,
                    size_t big_l, size_t big_h, const char *value_name) {
    size_t T = json_array_size(labels), n = layers * heads * T * T;
    if (!T || json_array_size(values) != n) return;
    float *v = floats_of(values, n);
    const char **lab = mz_calloc(T, sizeof *lab);
    if (v && lab) {
        for (size_t t = 0; t < T; t++)
            lab[t] = jstr_at(labels, t);
        mz_heatmap h = {v, layers, heads, T, lab, lang, big_l, big_h, value_name};
        mz_widget_heatmaps(p, parent, caption, &h);
    } else
        oom(p);
    mz_free(v), mz_free(lab);
}

static void maps(mz_page *p, xmlNodePtr parent, const json_t *d, const char *lang) {
    const json_t *att = jget(d, "attention"), *aa = jget(d, "attattr");
    const json_t *labels = jget(att, "labels");
    size_t L = (size_t)json_integer_value(jget(att, "layers"));
    size_t H = (size_t)json_integer_value(jget(att, "heads"));
    size_t bl = (size_t)json_integer_value(jget(att, "big_layer"));
    size_t bh = (size_t)json_integer_value(jget(att, "big_head"));
    if (!att) return;
    if (aa) edges(p, parent, aa, labels, lang);
    if (!jget(att, "values")) return; /* a text too long for its matrices to be kept */
    xmlNodePtr sec = mz_page_section(p, parent, NULL, "Attention");
    heatmap(p, sec,
            "Attention probabilities per layer and head (rows: from-token); enlarged: the head "
            "that attention attribution ranks first",
            jget(att, "values"), L, H, labels, lang, bl, bh, "attention probability");
    if (jget(d, "rollout"))
        heatmap(p, sec, "Attention rollout through every layer (rows: top-layer positions)",
                jget(d, "rollout"), 1, 1, labels, lang, 0, 0, "rollout");
    if (jget(d, "norm"))
        heatmap(p, sec, "Norm-based attention per layer, heads summed", jget(d, "norm"), L, 1,
                labels, lang, L ? L - 1 : 0, 0, "norm of the weighted vectors");
}

/* ---- one explanation */

static void summary(mz_page *p, xmlNodePtr sec, const json_t *d) {
    const json_t *c = jget(d, "completeness");
    mz_page_elf(p, sec, "p", "Explains %s: f(x) = %+.4f.", mz_jstr(d, "target", "?"),
                mz_jnum(d, "f_x"));
    if (!json_is_object(c)) return;
    const json_t *s = jget(d, "settings");
    mz_page_elf(p, sec, "p",
                "Integrated Gradients, %lld %s points from the %s baseline (f = %+.4f): the "
                "attributions add up to %+.4f of f(x) - f(baseline) = %+.4f; completeness gap "
                "%.2f%%.",
                (long long)json_integer_value(jget(s, "steps")), mz_jstr(s, "rule", "?"),
                mz_jstr(s, "baseline", "?"), mz_jnum(d, "f_baseline"), mz_jnum(c, "sum"),
                mz_jnum(c, "delta"), 100 * mz_jnum(c, "gap"));
    if (json_is_true(jget(c, "warning"))) {
        xmlNodePtr w = mz_page_el(p, sec, "p", NULL);
        mz_page_attr(p, w, "class", "warning");
        mz_page_el(p, w, "strong", "Warning: ");
        mz_page_el(p, w, "span",
                   "the completeness gap is over 5%: Integrated Gradients' attributions are not "
                   "reliable for this input; run again with more --steps.");
    }
}

static void notes(mz_page *p, xmlNodePtr sec, const json_t *d) {
    const json_t *list = jget(d, "notes");
    size_t i;
    const json_t *x;
    if (!json_array_size(list)) return;
    xmlNodePtr ul = mz_page_el(p, sec, "ul", NULL);
    mz_page_attr(p, ul, "class", "note");
    json_array_foreach(list, i, x) mz_page_el(p, ul, "li", json_string_value(x));
}

static void explanation(mz_page *p, xmlNodePtr parent, const char *title, const json_t *d,
                        const char *lang, int draw_maps) {
    xmlNodePtr sec = mz_page_section(p, parent, NULL, title);
    xmlNodePtr q = mz_page_el(p, sec, "blockquote", mz_jstr(d, "text", ""));
    mz_page_lang(p, q, lang);
    summary(p, sec, d);
    shaded(p, sec, d, lang);
    faithfulness(p, sec, d);
    const json_t *att = jget(d, "attention"), *aa = jget(d, "attattr");
    if (att && aa) heads(p, sec, aa, (size_t)json_integer_value(jget(att, "heads")));
    if (draw_maps)
        maps(p, sec, d, lang);
    else if (jget(d, "attention"))
        mz_page_el(p, sec, "p",
                   "Attention maps and the attribution graph: in results.json (the page draws "
                   "those of the first four explanations).");
    notes(p, sec, d);
}

/* ---- a minimal pair */

static void aligned(mz_page *p, xmlNodePtr sec, const json_t *d, const char *lang) {
    const json_t *more = jget(jget(d, "sides"), "more"), *less = jget(jget(d, "sides"), "less");
    const json_t *rows = jget(d, "aligned");
    const char *method = NULL;
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS && !method; k++)
        if (jget(jget(more, "methods"), mz_explain_method_names[k]))
            method = mz_explain_method_names[k];
    size_t n = json_array_size(rows), i;
    if (!method || !n) return;
    mz_column cols[4] = {
        {"More stereotypical", 0}, {method, 1}, {"Less stereotypical", 0}, {method, 1}};
    char **cells = mz_calloc(4 * n, sizeof *cells);
    const char **langs = mz_calloc(n, sizeof *langs);
    const json_t *row;
    json_array_foreach(rows, i, row) {
        if (!cells || !langs) break;
        for (int s = 0; s < 2; s++) {
            const json_t *side = s ? less : more, *w = json_array_get(row, (size_t)s);
            if (!json_is_integer(w)) continue;
            size_t k = (size_t)json_integer_value(w);
            cells[4 * i + 2 * s] =
                mz_strdup(mz_jstr(json_array_get(jget(side, "words"), k), "text", ""));
            cells[4 * i + 2 * s + 1] =
                mz_number_text(jnum_at(jget(jget(jget(side, "methods"), method), "words"), k));
            if (!cells[4 * i + 2 * s] || !cells[4 * i + 2 * s + 1]) oom(p);
        }
        langs[i] = lang;
    }
    if (!langs) oom(p);
    owned_table(p, sec,
                "The two sentences' words side by side, aligned on the words they share; each "
                "word's attribution to its own sentence's score",
                cols, 4, cells, langs, n);
    mz_free(langs);
}

static void pair(mz_page *p, xmlNodePtr parent, const json_t *f, const json_t *d, int draw_maps) {
    const char *lang = mz_jstr(f, "language", NULL);
    char *title = mz_strf("Pair %s (%s)", mz_jstr(d, "pair", "?"), mz_jstr(d, "category", "?"));
    xmlNodePtr sec = mz_page_section(p, parent, NULL, title ? title : "Pair");
    if (!title) oom(p);
    mz_free(title);
    const json_t *more = jget(jget(d, "sides"), "more"), *less = jget(jget(d, "sides"), "less");
    mz_page_elf(p, sec, "p",
                "Score gap, more minus less stereotypical: %+.4f (%s). Each sentence's score is "
                "attributed on its own input, since Integrated Gradients explains one input.",
                mz_jnum(jget(f, "effect"), "estimate"), mz_jstr(more, "target", ""));
    aligned(p, sec, d, lang);
    explanation(p, sec, "More stereotypical sentence", more, lang, draw_maps);
    explanation(p, sec, "Less stereotypical sentence", less, lang, draw_maps);
}

mz_status mz_explain_section(mz_page *p, xmlNodePtr sec, const json_t *section) {
    size_t i, drawn = 0;
    const json_t *f;
    json_array_foreach(jget(section, "findings"), i, f) {
        if (!mz_computed(f)) continue;
        const json_t *d = jget(f, "details");
        int sides = jget(d, "sides") != NULL;
        if (sides)
            pair(p, sec, f, d, drawn + 2 <= MAX_MAPS);
        else
            explanation(p, sec, mz_jstr(d, "label", "Explanation"), d, mz_jstr(f, "language", NULL),
                        drawn + 1 <= MAX_MAPS);
        drawn += sides ? 2 : 1;
    }
    return mz_page_status(p);
}

mz_status mz_report_explain_page(mz_page **out, const mz_results *r, mz_ctx *ctx) {
    const json_t *root = mz_results_json(r);
    mz_page *p;
    mz_status rc = mz_page_new(&p, "Mizani explanation: which words drive the model's score",
                               mz_results_run_id(r), ctx);
    if (rc) return rc;
    xmlNodePtr main = mz_page_main(p);
    xmlNodePtr lead = mz_page_elf(p, main, "p", "Run %s.", mz_results_run_id(r));
    mz_page_attr(p, lead, "class", "note");
    mz_report_section(p, main, r, "explain");
    mz_report_method(p, main, r, "explain", "Method");
    mz_report_card(p, main, root);
    mz_report_footer(p, main, root);
    if ((rc = mz_page_status(p))) {
        mz_page_free(p);
        return rc;
    }
    *out = p;
    return MZ_OK;
}
