/* Checkpoints for compare: the findings of a results tree (or of minimal pairs scored in
 * memory) with their per-item values and units, read once so that comparing never looks at a
 * summary where it needs the items. What each family's items hold is reports/SCHEMA.md's
 * "items[], by family". */
#include "compare_internal.h"

#include "mizani/alloc.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

const char *const mz_cmp_family_names[MZ_CMP_N_FAMILIES] = {"static", "seat",   "ceat",
                                                            "pairs",  "masked", "fairness"};

int mz_cmp_family(const char *name) {
    for (int f = 0; name && f < MZ_CMP_N_FAMILIES; f++)
        if (!strcmp(name, mz_cmp_family_names[f])) return f;
    return -1;
}

static const char *jstr(const json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}

static double jnum(const json_t *o, const char *key) {
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

mz_status mz_checkpoint_new(mz_checkpoint **out, const char *label, const char *source,
                            mz_ctx *ctx) {
    mz_checkpoint *cp = mz_calloc(1, sizeof *cp);
    if (cp) cp->label = mz_strdup(label), cp->source = mz_strdup(source);
    if (!cp || !cp->label || !cp->source) {
        mz_checkpoint_free(cp);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    *out = cp;
    return MZ_OK;
}

void mz_checkpoint_free(mz_checkpoint *cp) {
    if (!cp) return;
    for (size_t i = 0; i < cp->n; i++)
        mz_free(cp->f[i].items), mz_free(cp->f[i].own_id), mz_free(cp->f[i].own_keys);
    mz_free(cp->f);
    mz_free(cp->probes);
    mz_results_free(cp->tree);
    mz_free(cp->label);
    mz_free(cp->source);
    mz_free(cp);
}

const char *mz_checkpoint_label(const mz_checkpoint *cp) { return cp->label; }
const char *mz_checkpoint_source(const mz_checkpoint *cp) { return cp->source; }
const mz_results *mz_checkpoint_results(const mz_checkpoint *cp) { return cp->tree; }

const cmp_finding *cmp_find(const mz_checkpoint *cp, int family, const char *id) {
    for (size_t i = 0; i < cp->n; i++)
        if (cp->f[i].family == family && !strcmp(cp->f[i].id, id)) return &cp->f[i];
    return NULL;
}

static cmp_finding *new_finding(mz_checkpoint *cp, mz_ctx *ctx) {
    if (mz_grow((void **)&cp->f, &cp->cap, cp->n + 1, sizeof *cp->f)) {
        mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        return NULL;
    }
    cmp_finding *f = &cp->f[cp->n++];
    memset(f, 0, sizeof *f);
    f->estimate = f->lo = f->hi = f->p_holm = NAN;
    return f;
}

/* ---- From a results tree ------------------------------------------------------------------ */

/* One item of a family's finding, as SCHEMA.md gives it. */
static void read_item(cmp_item *it, const json_t *j, int family) {
    *it = (cmp_item){.tested = 1, .v = {NAN, NAN}};
    switch (family) {
    case MZ_CMP_PAIRS: {
        const json_t *tok = json_object_get(j, "tokens");
        it->key = jstr(j, "id");
        it->unit = jstr(j, "target") ? jstr(j, "target") : jstr(j, "target_id");
        it->v[0] = mz_lik_preference(jnum(j, "score_more"), jnum(j, "score_less"));
        if (!isfinite(jnum(j, "score_more")) || !isfinite(jnum(j, "score_less"))) it->v[0] = NAN;
        it->tested = !json_is_true(json_object_get(j, "unequal_token_counts")) &&
                     !(json_array_size(tok) == 2 && json_integer_value(json_array_get(tok, 0)) !=
                                                        json_integer_value(json_array_get(tok, 1)));
        break;
    }
    case MZ_CMP_FAIRNESS:
        it->key = jstr(j, "item");
        it->v[0] = jnum(j, "tokens_en"), it->v[1] = jnum(j, "tokens_sw");
        break;
    case MZ_CMP_MASKED:
        it->key = jstr(j, "item");
        it->v[0] = json_is_false(json_object_get(j, "computable")) ? NAN : jnum(j, "score");
        break;
    default: /* association: a word's (SEAT: a sentence's) score, with its word as the unit */
        it->key = jstr(j, "item");
        it->group = jstr(j, "role") && !strcmp(jstr(j, "role"), "Y");
        it->unit = jstr(j, "word") ? jstr(j, "word") : jstr(j, "unit");
        it->v[0] = jnum(j, "score");
    }
}

/* A target word's rows (a SEAT word's sentences, a CEAT word's contexts) as items of their own,
 * the word their unit: d is over the rows, the test over the words. Returns how many. */
static size_t word_rows(cmp_item *x, const json_t *it) {
    const json_t *rows = json_object_get(it, "rows");
    cmp_item word = *x;
    size_t n = json_array_size(rows);
    for (size_t k = 0; k < n; k++) {
        const json_t *v = json_array_get(rows, k);
        x[k] = word;
        x[k].unit = word.key;
        x[k].row = (int)k;
        x[k].v[0] = json_is_number(v) ? json_number_value(v) : NAN;
    }
    return n;
}

/* A masked finding whose attributes carry their sentence grid (`cells`, [target word, frame])
 * and whose details name the target words with their groups: one item per attribute and target
 * word (the frames' mean), keyed "attribute US word", for the test crossed over both. 0 when the
 * finding has no grid (its attributes' scores are the items then). */
static size_t masked_cells(cmp_finding *f, const json_t *j, mz_ctx *ctx, mz_status *rc) {
    const json_t *words = json_object_get(json_object_get(j, "details"), "target_words");
    const json_t *items = json_object_get(j, "items"), *it;
    size_t W = json_array_size(words), i, n = 0, bytes = 0;
    json_array_foreach(items, i, it) {
        size_t cells = json_array_size(json_object_get(it, "cells"));
        if (!W || !jstr(it, "item") || (cells && cells % W)) return 0;
        if (!cells) continue;
        n += W;
        for (size_t w = 0; w < W; w++)
            bytes += strlen(jstr(it, "item")) +
                     strlen(jstr(json_array_get(words, w), "word")
                                ? jstr(json_array_get(words, w), "word")
                                : "") +
                     2;
    }
    if (!n) return 0;
    f->items = mz_calloc(n, sizeof *f->items);
    char *k = f->own_keys = mz_malloc(bytes);
    if (!f->items || !k) {
        *rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        return 0;
    }
    json_array_foreach(items, i, it) {
        const json_t *cells = json_object_get(it, "cells");
        size_t F = json_array_size(cells) / W;
        for (size_t w = 0; F && w < W; w++) {
            const json_t *word = json_array_get(words, w);
            double sum = 0;
            for (size_t c = 0; c < F; c++) { /* a cell that could not be scored: no value */
                const json_t *v = json_array_get(cells, w * F + c);
                sum += json_is_number(v) ? json_number_value(v) : NAN;
            }
            cmp_item *x = &f->items[f->n_items++];
            *x = (cmp_item){.key = k,
                            .unit = jstr(it, "item"),
                            .word = jstr(word, "word"),
                            .group = json_integer_value(json_object_get(word, "group")) != 0,
                            .tested = 1,
                            .v = {sum / (double)F, NAN}};
            k += sprintf(k, "%s\x1f%s", jstr(it, "item"), x->word ? x->word : "") + 1;
        }
    }
    return f->n_items;
}

static mz_status read_finding(mz_checkpoint *cp, const json_t *j, int family, mz_ctx *ctx) {
    cmp_finding *f = new_finding(cp, ctx);
    if (!f) return MZ_ERR_NOMEM;
    const json_t *e = json_object_get(j, "effect"), *ci = json_object_get(e, "ci");
    f->family = family;
    f->id = jstr(j, "id");
    f->title = jstr(j, "title");
    f->language = jstr(j, "language");
    f->dimension = jstr(j, "dimension");
    f->probe_set = jstr(j, "probe_set");
    f->effect = jstr(e, "name");
    f->reason = jstr(j, "reason");
    f->verdict = jstr(j, "verdict");
    f->unit_kind = jstr(json_object_get(j, "units"), "kind");
    f->positive_control = json_is_true(json_object_get(j, "positive_control"));
    f->computed = jstr(j, "status") && !strcmp(jstr(j, "status"), "computed");
    f->estimate = jnum(e, "estimate");
    f->null_value = jnum(e, "null");
    if (!isfinite(f->null_value)) f->null_value = family == MZ_CMP_PAIRS ? 0.5 : 0;
    f->lo = json_is_number(json_array_get(ci, 0)) ? json_number_value(json_array_get(ci, 0)) : NAN;
    f->hi = json_is_number(json_array_get(ci, 1)) ? json_number_value(json_array_get(ci, 1)) : NAN;
    f->level = jnum(e, "level");
    f->p_holm = jnum(j, "p_holm");
    const char *cmp = jstr(json_object_get(j, "details"), "comparison");
    if (cmp && !strcmp(cmp, "languages")) /* no items of its own: the sets are compared apart */
        f->unpairable = "a comparison of two languages: the gate compares each language's set";
    mz_status rc = MZ_OK;
    if (family == MZ_CMP_MASKED && masked_cells(f, j, ctx, &rc)) return MZ_OK;
    if (rc) return rc;
    const json_t *items = json_object_get(j, "items"), *it;
    size_t i, n = 0;
    json_array_foreach(items, i, it) n += 1 + json_array_size(json_object_get(it, "rows"));
    f->items = mz_calloc(n + 1, sizeof *f->items);
    if (!f->items) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    json_array_foreach(items, i, it) {
        cmp_item *x = &f->items[f->n_items];
        read_item(x, it, family);
        if (!x->key) continue; /* an item without identity cannot pair */
        if (family <= MZ_CMP_CEAT && json_array_size(json_object_get(it, "rows")))
            f->n_items += word_rows(x, it);
        else
            f->n_items++;
        if (family == MZ_CMP_SEAT && !x->unit && !json_object_get(it, "rows"))
            f->unpairable = "its sentences do not name the word they belong to, so a word's "
                            "sentences cannot move together";
    }
    return MZ_OK;
}

/* "SET/all", the overall finding of the set itself (not a language comparison that names the
 * set, "sw-vs-en/all"). */
static int set_overall(const cmp_finding *f) {
    size_t n = strlen(f->probe_set);
    return !strncmp(f->id, f->probe_set, n) && !strcmp(f->id + n, "/all");
}

/* A minimal-pairs set's overall finding ("SET/all") holds no items of its own: it is paired on
 * its categories' items, pooled (findings from `first` on). */
static mz_status pool_overall(mz_checkpoint *cp, size_t first, mz_ctx *ctx) {
    for (size_t k = first; k < cp->n; k++) {
        cmp_finding *all = &cp->f[k];
        if (all->family != MZ_CMP_PAIRS || all->n_items || !all->probe_set || !set_overall(all))
            continue;
        size_t n = 0;
        for (size_t j = first; j < cp->n; j++)
            if (j != k && cp->f[j].probe_set && !strcmp(cp->f[j].probe_set, all->probe_set))
                n += cp->f[j].n_items;
        cmp_item *items = n ? mz_calloc(n, sizeof *items) : NULL;
        if (n && !items) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        if (!n) continue;
        mz_free(all->items);
        all->items = items, all->n_items = 0;
        for (size_t j = first; j < cp->n; j++)
            if (j != k && cp->f[j].probe_set && !strcmp(cp->f[j].probe_set, all->probe_set))
                for (size_t i = 0; i < cp->f[j].n_items; i++)
                    all->items[all->n_items++] = cp->f[j].items[i];
    }
    return MZ_OK;
}

static mz_status read_sections(mz_checkpoint *cp, const json_t *sections, mz_ctx *ctx) {
    const char *name;
    const json_t *s;
    json_object_foreach((json_t *)sections, name, s) {
        const json_t *findings = json_object_get(s, "findings"), *f;
        int family = mz_cmp_family(name);
        size_t i, first = cp->n;
        json_array_foreach(findings, i, f) {
            const char *kind = jstr(json_object_get(f, "units"), "kind");
            if (kind && !strcmp(kind, "tokens") && cp->n_token_level < CMP_MAX_TOKEN_LEVEL &&
                (!cp->n_token_level || strcmp(cp->token_level[cp->n_token_level - 1], name)))
                cp->token_level[cp->n_token_level++] = name;
            if (family < 0 || !jstr(f, "id")) continue;
            mz_status rc = read_finding(cp, f, family, ctx);
            if (rc) return rc;
        }
        mz_status rc = family == MZ_CMP_PAIRS ? pool_overall(cp, first, ctx) : MZ_OK;
        if (rc) return rc;
    }
    return MZ_OK;
}

static mz_status read_probes(mz_checkpoint *cp, const json_t *sets, mz_ctx *ctx) {
    cp->probes = mz_calloc(json_array_size(sets) + 1, sizeof *cp->probes);
    if (!cp->probes) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t i;
    const json_t *s;
    json_array_foreach(sets, i, s) {
        if (!jstr(s, "id")) continue;
        cp->probes[cp->n_probes++] =
            (cmp_probe){jstr(s, "id"), jstr(s, "sha256"), jstr(s, "version"), jstr(s, "language")};
    }
    return MZ_OK;
}

mz_status mz_checkpoint_from_results(mz_checkpoint **out, mz_results *r, const char *label,
                                     const char *source, mz_ctx *ctx) {
    *out = NULL;
    mz_status rc = mz_checkpoint_new(out, label, source, ctx);
    if (rc) {
        mz_results_free(r);
        return rc;
    }
    mz_checkpoint *cp = *out;
    cp->tree = r;
    const json_t *root = mz_results_json(r);
    cp->run_id = jstr(json_object_get(root, "run"), "id");
    cp->tokenizer_sha256 =
        jstr(json_object_get(json_object_get(root, "subject"), "tokenizer"), "sha256");
    rc = read_probes(cp, json_object_get(root, "probe_sets"), ctx);
    if (!rc) rc = read_sections(cp, json_object_get(root, "sections"), ctx);
    if (rc) {
        mz_checkpoint_free(cp);
        *out = NULL;
    }
    return rc;
}

/* ---- From minimal pairs scored in memory -------------------------------------------------- */

mz_status mz_checkpoint_add_pairs(mz_checkpoint *cp, const mz_probe_set *set,
                                  const mz_pairs_result *r, mz_ctx *ctx) {
    for (size_t s = 0; s < r->n_summaries; s++) {
        const mz_pair_summary *sum = &r->summaries[s];
        int all = s + 1 == r->n_summaries; /* the last: every category's pairs */
        cmp_finding *f = new_finding(cp, ctx);
        if (!f) return MZ_ERR_NOMEM;
        f->family = MZ_CMP_PAIRS;
        /* a category of one set: the sets of two languages share category names */
        if (!(f->own_id = mz_malloc(strlen(set->id) + strlen(sum->category) + 2)))
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        strcat(strcat(strcpy(f->own_id, set->id), "/"), sum->category);
        f->id = f->own_id;
        f->title = f->dimension = sum->category;
        f->language = set->language;
        f->probe_set = set->id;
        f->effect = "preference_rate";
        f->unit_kind = "clusters";
        f->computed = 1;
        f->estimate = sum->rate, f->lo = sum->ci_lo, f->hi = sum->ci_hi, f->p_holm = sum->p_holm;
        f->level = isfinite(sum->ci_lo) ? 0.95 : NAN; /* mz_pairs_options' level */
        f->null_value = 0.5;
        f->items = mz_calloc(r->n_scores + 1, sizeof *f->items);
        if (!f->items) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        for (size_t i = 0; i < r->n_scores; i++) {
            const mz_pair_score *x = &r->scores[i];
            if ((!all && strcmp(x->pair->category, sum->category)) || !x->computable) continue;
            f->items[f->n_items++] = (cmp_item){.key = x->pair->id,
                                                .unit = x->pair->target_id,
                                                .tested = !x->count_mismatch,
                                                .v = {mz_lik_preference(x->more, x->less), NAN}};
        }
    }
    return MZ_OK;
}
