/* Explanations into the results tree ($.sections.explain): one finding per explained text, or
 * per minimal pair with both sentences' explanations, holding every number the job computed
 * (SCHEMA.md, `explain`). */
#include "results_internal.h"

#include "mizani/alloc.h"
#include "mizani/report.h"

#include <math.h>
#include <string.h>

static const char *const kind_names[] = {"masked", "next_token", "continuation",
                                         "pseudo_log_likelihood", "log_likelihood"};
static const char *const effect_names[] = {"log_probability", "log_probability", "log_likelihood",
                                           "pseudo_log_likelihood", "log_likelihood"};
static const char *const role_names[] = {"word", "special", "target"};
static const char *const rule_names[] = {"left", "middle", "gauss-legendre"};

static const char *const method_note =
    "Each explanation attributes one score of the model, f, to the words of its input. "
    "Integrated Gradients integrates the gradient of f along a straight path from a baseline "
    "(mask-token or zero embeddings; special tokens and the predicted position kept) to the "
    "input; its attributions add up to f(x) - f(baseline), and the completeness gap says how "
    "far the quadrature falls short (over 5%: take more steps). Saliency is the size of the "
    "gradient at the input, gradient x input its signed product with the input. Occlusion "
    "replaces one word at a time by the mask token (a decoder: leaves it out) and reports how "
    "much f falls. Raw attention, rollout, flow and norm-based attention read the attention "
    "from the target's positions: they show where information flows, not whether it raises f, "
    "and have no sign. Attention attribution integrates the gradient over each layer's attention "
    "matrices (every head scaled together) and names the heads and connections that carry f. "
    "Faithfulness removes each method's top words (deletion) or keeps only them (insertion): "
    "a faithful ranking makes f fall fast when its top words go (high comprehensiveness, low "
    "deletion area) and keeps f when only they stay (low sufficiency, high insertion area). "
    "Scores of tokens are summed over each word, since Swahili words split into many tokens.";

static const char *const citations[] = {
    "Sundararajan, Taly and Yan (2017). Axiomatic attribution for deep networks. ICML.",
    "Simonyan, Vedaldi and Zisserman (2014). Deep inside convolutional networks. ICLR workshop.",
    "Shrikumar et al. (2016). Not just a black box: learning important features through "
    "propagating activation differences. arXiv:1605.01713.",
    "Zeiler and Fergus (2014). Visualizing and understanding convolutional networks. ECCV.",
    "Abnar and Zuidema (2020). Quantifying attention flow in transformers. ACL.",
    "Kobayashi et al. (2020). Attention is not only a weight: analyzing transformers with "
    "vector norms. EMNLP.",
    "Hao, Dong, Wei and Xu (2021). Self-attention attribution: interpreting information "
    "interactions inside Transformer. AAAI.",
    "DeYoung et al. (2020). ERASER: a benchmark to evaluate rationalized NLP models. ACL.",
};

/* A float array as numbers. */
static void floats(mz_results *r, mz_rnode *at, const char *key, const float *x, size_t n) {
    mz_rnode *a = mz_rn_array(r, at, key);
    for (size_t i = 0; a && i < n; i++)
        mz_rn_num(r, a, NULL, x[i]);
}

/* A token's label for heatmaps: its text, or the vocabulary's spelling for added tokens. */
static char *token_label(const mz_explanation *e, size_t t) {
    if (e->end[t] > e->start[t]) return mz_strndup(e->text + e->start[t], e->end[t] - e->start[t]);
    return mz_strdup(e->tokens[t]);
}

static void tokens(mz_results *r, mz_rnode *d, const mz_explanation *e) {
    mz_rnode *a = mz_rn_array(r, d, "tokens");
    for (size_t t = 0; t < e->n_tokens; t++) {
        mz_rnode *o = mz_rn_object(r, a, NULL);
        mz_rn_str(r, o, "token", e->tokens[t]);
        mz_rn_int(r, o, "id", e->ids[t]);
        mz_rn_int(r, o, "start", e->start[t]);
        mz_rn_int(r, o, "end", e->end[t]);
        mz_rn_str(r, o, "role", role_names[e->role[t]]);
        if (e->words.word_of[t] >= 0)
            mz_rn_int(r, o, "word", e->words.word_of[t]);
        else
            mz_rn_null(r, o, "word");
    }
    a = mz_rn_array(r, d, "words");
    for (size_t w = 0; w < e->words.n_words; w++) {
        mz_rnode *o = mz_rn_object(r, a, NULL);
        char *s = mz_strndup(e->text + e->words.start[w], e->words.end[w] - e->words.start[w]);
        mz_rn_str(r, o, "text", s);
        mz_free(s);
        mz_rn_int(r, o, "start", e->words.start[w]);
        mz_rn_int(r, o, "end", e->words.end[w]);
        mz_rn_int(r, o, "tokens", e->words.n_subwords[w]);
    }
}

static void methods(mz_results *r, mz_rnode *d, const mz_explanation *e) {
    mz_rnode *ms = mz_rn_object(r, d, "methods");
    size_t W = e->words.n_words;
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++) {
        if (!e->word_scores[k]) continue;
        mz_rnode *m = mz_rn_object(r, ms, mz_explain_method_names[k]);
        if (e->token_scores[k])
            mz_rn_nums(r, m, "tokens", e->token_scores[k], e->n_tokens);
        else
            mz_rn_null(r, m, "tokens");
        mz_rn_nums(r, m, "words", e->word_scores[k], W);
        if (!e->deletion[k]) {
            mz_rn_null(r, m, "faithfulness");
            continue;
        }
        const mz_attr_faithfulness_result *f = &e->faithfulness[k];
        mz_rnode *fo = mz_rn_object(r, m, "faithfulness");
        mz_rn_nums(r, fo, "deletion", e->deletion[k], W + 1);
        mz_rn_nums(r, fo, "insertion", e->insertion[k], W + 1);
        mz_rn_num(r, fo, "deletion_area", f->deletion_area);
        mz_rn_num(r, fo, "insertion_area", f->insertion_area);
        mz_rn_num(r, fo, "comprehensiveness", f->comprehensiveness);
        mz_rn_num(r, fo, "sufficiency", f->sufficiency);
    }
}

/* The head that attention attribution ranks first (layer 0, head 0 without it). */
static size_t top_head(const mz_explanation *e) {
    size_t best = 0;
    for (size_t h = 0; e->head_importance && h < (size_t)e->layers * e->heads; h++)
        if (e->head_importance[h] > e->head_importance[best]) best = h;
    return best;
}

static void maps(mz_results *r, mz_rnode *d, const mz_explanation *e) {
    size_t T = e->n_tokens, L = (size_t)e->layers, H = (size_t)e->heads, big = top_head(e);
    int matrices = T <= MZ_EXPLAIN_MAP_MAX_TOKENS; /* beyond, T^2 per head outweighs the rest */
    if (e->attention) {
        mz_rnode *a = mz_rn_object(r, d, "attention");
        mz_rn_int(r, a, "layers", (long long)L);
        mz_rn_int(r, a, "heads", (long long)H);
        mz_rnode *labels = mz_rn_array(r, a, "labels");
        for (size_t t = 0; t < T; t++) {
            char *s = token_label(e, t);
            if (!s)
                r->status =
                    r->status ? r->status : mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            mz_rn_str(r, labels, NULL, s ? s : "");
            mz_free(s);
        }
        if (matrices) floats(r, a, "values", e->attention, L * H * T * T);
        mz_rn_int(r, a, "big_layer", (long long)(big / H));
        mz_rn_int(r, a, "big_head", (long long)(big % H));
        mz_rn_str(r, a, "value_name", "attention probability");
    }
    if (e->rollout) mz_rn_nums(r, d, "rollout", e->rollout, T * T);
    if (e->flow) mz_rn_nums(r, d, "flow", e->flow, T);
    if (e->norm) mz_rn_nums(r, d, "norm", e->norm, L * T * T);
    if (e->attattr) {
        mz_rnode *a = mz_rn_object(r, d, "attattr");
        if (matrices) mz_rn_nums(r, a, "values", e->attattr, L * H * T * T);
        mz_rn_nums(r, a, "head_importance", e->head_importance, L * H);
        mz_rnode *edges = mz_rn_array(r, a, "edges");
        for (size_t i = 0; i < e->n_edges; i++) {
            mz_rnode *o = mz_rn_object(r, edges, NULL);
            mz_rn_int(r, o, "layer", e->edges[i].layer);
            mz_rn_int(r, o, "from", e->edges[i].from);
            mz_rn_int(r, o, "to", e->edges[i].to);
            mz_rn_num(r, o, "score", e->edges[i].score);
        }
    }
}

static void explanation(mz_results *r, mz_rnode *d, const mz_explanation *e) {
    int ig = e->token_scores[MZ_EXPLAIN_IG] != NULL;
    mz_rn_str(r, d, "label", e->label);
    mz_rn_str(r, d, "text", e->text);
    mz_rn_str(r, d, "kind", kind_names[e->kind]);
    mz_rn_str(r, d, "target", e->target);
    mz_rn_str(r, d, "predicted", e->predicted);
    mz_rn_str(r, d, "contrast", e->contrast);
    mz_rn_num(r, d, "f_x", e->fx);
    mz_rn_num(r, d, "f_baseline", ig ? e->fbase : NAN);
    mz_rnode *s = mz_rn_object(r, d, "settings");
    mz_rn_str(r, s, "baseline", mz_explain_baseline_names[e->baseline]);
    mz_rn_int(r, s, "steps", e->steps);
    mz_rn_str(r, s, "rule", rule_names[e->rule]);
    mz_rn_int(r, s, "attattr_steps", e->attattr_steps);
    if (ig) {
        mz_rnode *c = mz_rn_object(r, d, "completeness");
        mz_rn_num(r, c, "sum", e->completeness.sum);
        mz_rn_num(r, c, "delta", e->completeness.delta);
        mz_rn_num(r, c, "gap", e->completeness.gap);
        mz_rn_num(r, c, "floor", MZ_ATTR_GAP_FLOOR);
        mz_rn_bool(r, c, "warning", e->completeness.warn);
    } else
        mz_rn_null(r, d, "completeness");
    tokens(r, d, e);
    methods(r, d, e);
    maps(r, d, e);
    mz_rn_strs(r, d, "notes", (const char *const *)e->notes, e->n_notes);
}

static void caveats(mz_results *r, mz_rnode *f, const mz_explanation *e, const char *side) {
    if (e->token_scores[MZ_EXPLAIN_IG] && e->completeness.warn)
        mz_results_caveat(r, f,
                          "%s%sIntegrated Gradients' completeness gap is %.1f%% (over 5%%): "
                          "its attributions are not reliable; take more steps",
                          side ? side : "", side ? ": " : "", 100 * e->completeness.gap);
}

static void text_finding(mz_results *r, mz_rnode *sec, const mz_explanation *e, size_t i,
                         const char *lang) {
    char id[32];
    snprintf(id, sizeof id, "explain-%zu", i + 1);
    mz_finding f = mz_finding_init("explain", id);
    f.language = lang, f.title = e->text;
    f.effect = e->contrast ? "log_probability_difference" : effect_names[e->kind];
    f.estimate = e->fx;
    f.units = MZ_UNITS_TOKENS, f.n_units = e->n_tokens;
    mz_rnode *fn = mz_results_finding(r, sec, &f);
    caveats(r, fn, e, NULL);
    explanation(r, mz_rn_object(r, fn, "details"), e);
}

static void pair_finding(mz_results *r, mz_rnode *sec, const mz_pair_explanation *p,
                         const mz_probe_set *set) {
    char *title = mz_strf("%s / %s", p->pair->more, p->pair->less);
    if (!title && !r->status) r->status = mz_fail(r->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_finding f = mz_finding_init("explain", p->pair->id);
    f.language = set->language, f.probe_set = set->id, f.dimension = p->pair->category;
    f.title = title;
    f.effect = "score_gap";
    f.estimate = p->side[0].fx - p->side[1].fx;
    f.units = MZ_UNITS_SENTENCES, f.n_units = 2;
    mz_rnode *fn = mz_results_finding(r, sec, &f);
    mz_free(title);
    caveats(r, fn, &p->side[0], "more");
    caveats(r, fn, &p->side[1], "less");
    mz_rnode *d = mz_rn_object(r, fn, "details");
    mz_rn_str(r, d, "pair", p->pair->id);
    mz_rn_str(r, d, "category", p->pair->category);
    mz_rnode *sides = mz_rn_object(r, d, "sides");
    explanation(r, mz_rn_object(r, sides, "more"), &p->side[0]);
    explanation(r, mz_rn_object(r, sides, "less"), &p->side[1]);
    mz_rnode *al = mz_rn_array(r, d, "aligned");
    for (size_t k = 0; k < p->n_aligned; k++) {
        mz_rnode *row = mz_rn_array(r, al, NULL);
        for (int s = 0; s < 2; s++)
            if (p->aligned[k][s] >= 0)
                mz_rn_int(r, row, NULL, p->aligned[k][s]);
            else
                mz_rn_null(r, row, NULL);
    }
}

static void settings(mz_results *r, mz_rnode *sec, const mz_explanation *e) {
    mz_rnode *s = mz_rn_object(r, sec, "settings");
    unsigned methods = 0;
    const char *names[MZ_EXPLAIN_N_METHODS];
    size_t n = 0;
    if (e) methods = e->methods;
    for (int k = 0; k < MZ_EXPLAIN_N_METHODS; k++)
        if ((methods >> k) & 1u) names[n++] = mz_explain_method_names[k];
    mz_rn_strs(r, s, "methods", names, n);
    mz_rn_str(r, s, "baseline", e ? mz_explain_baseline_names[e->baseline] : NULL);
    mz_rn_int(r, s, "steps", e ? e->steps : 0);
    mz_rn_str(r, s, "rule", e ? rule_names[e->rule] : NULL);
    mz_rn_int(r, s, "attattr_steps", e ? e->attattr_steps : 0);
    mz_rn_num(r, s, "completeness_floor", MZ_ATTR_GAP_FLOOR);
    mz_rn_num(r, s, "completeness_warning", MZ_ATTR_GAP_WARN);
    mz_rn_num(r, s, "tree_threshold", 0.4);
}

mz_status mz_report_explain(mz_results *r, const mz_model *m, const char *model_path,
                            const mz_explanation *ex, const mz_pair_explanation *px, size_t n,
                            const mz_probe_set *set, const char *lang) {
    if (m) mz_results_model(r, m, model_path, NULL);
    if (set) mz_results_probe_set(r, set);
    /* an audit explains pairs and templates in several calls: they share one section */
    json_t *have =
        r->status ? NULL : json_object_get(json_object_get(r->root, "sections"), "explain");
    mz_rnode *sec = (mz_rnode *)have;
    if (!sec) {
        sec = mz_results_section(r, "explain", "Explanations");
        mz_results_method(r, sec, method_note, citations, sizeof citations / sizeof *citations);
        settings(r, sec, n ? (px ? &px[0].side[0] : &ex[0]) : NULL);
    }
    size_t before = json_array_size(json_object_get(MZ_J(sec), "findings"));
    for (size_t i = 0; i < n; i++)
        if (px)
            pair_finding(r, sec, &px[i], set);
        else
            text_finding(r, sec, &ex[i], before + i, lang);
    return mz_results_status(r);
}
