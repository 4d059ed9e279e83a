/* CEAT over a suite of association sets: words in contexts -> span embeddings -> sampled WEAT
 * effect sizes -> DerSimonian-Laird. */
#include "assoc_internal.h"
#include "mizani/alloc.h"

#include <ctype.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

/* Every context of every word of the four lists, with the word's byte span in it. */
typedef struct contexts {
    char **text;
    size_t *start, *end, n, cap;
    size_t *first, *count; /* per word (X, Y, A, B words in order): its contexts */
    const char **word;     /* per word: its text, for messages */
    size_t n_words[4], total_words;
} contexts;

static void contexts_free(contexts *c) {
    for (size_t i = 0; i < c->n; i++)
        mz_free(c->text[i]);
    mz_free(c->text), mz_free(c->start), mz_free(c->end), mz_free(c->first), mz_free(c->count);
    mz_free(c->word);
}

/* The word in its sentence. A {Word} slot capitalises it at the start of the sentence (where
 * the same word may also occur later, "Ni ni hii."), so that place is tried first. */
static const char *find_word(const char *s, const char *w) {
    size_t n = strlen(w);
    if (n && (unsigned char)s[0] == toupper((unsigned char)w[0]) && !strncmp(s + 1, w + 1, n - 1) &&
        !isalpha((unsigned char)s[n]))
        return s;
    return strstr(s, w);
}

/* Appends one context (taking `text`) with the word at bytes [start, end). */
static mz_status push(contexts *c, char *text, size_t start, size_t end, mz_ctx *ctx) {
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        char **t = mz_realloc(c->text, cap * sizeof *t);
        if (t) c->text = t;
        size_t *a = t ? mz_realloc(c->start, cap * sizeof *a) : NULL;
        if (a) c->start = a;
        size_t *b = a ? mz_realloc(c->end, cap * sizeof *b) : NULL;
        if (b) c->end = b, c->cap = cap;
        if (!b) {
            mz_free(text);
            return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        }
    }
    c->text[c->n] = text, c->start[c->n] = start, c->end[c->n++] = end;
    return MZ_OK;
}

/* The word's sentence frames as its contexts. */
static mz_status frame_contexts(contexts *c, const mz_probe_set *tpl, const mz_probe_word *w,
                                const char *lang, mz_ctx *ctx) {
    char **s;
    size_t k;
    mz_status rc = mz_templates_expand(&s, &k, tpl, w, lang, ctx);
    for (size_t i = 0; !rc && i < k; i++) {
        const char *at = find_word(s[i], w->text);
        if (!at)
            rc = mz_fail(ctx, MZ_ERR_INPUT, NULL, "'%s' is not found in its context \"%s\"",
                         w->text, s[i]);
        else
            rc = push(c, s[i], (size_t)(at - s[i]), (size_t)(at - s[i]) + strlen(w->text), ctx),
            s[i] = NULL;
    }
    if (!rc)
        mz_free(s);
    else if (s)
        mz_templates_free(s, k);
    return rc;
}

static int word_byte(unsigned char b) { return isalnum(b) || b >= 0x80 || b == '\''; }

/* Where `w` stands as a whole word in `line` (as written, or capitalised), or NULL. */
static const char *find_whole(const char *line, const char *w) {
    size_t n = strlen(w);
    for (const char *p = line; n && *p; p++) {
        int hit = !strncmp(p, w, n) || ((unsigned char)*p == toupper((unsigned char)w[0]) &&
                                        !strncmp(p + 1, w + 1, n - 1));
        if (hit && (p == line || !word_byte((unsigned char)p[-1])) &&
            !word_byte((unsigned char)p[n]))
            return p;
    }
    return NULL;
}

/* Up to max lines of the corpus that hold the word. */
static mz_status corpus_contexts(contexts *c, const mz_ceat_options *o, const char *w,
                                 mz_ctx *ctx) {
    size_t found = 0;
    mz_status rc = MZ_OK;
    for (size_t i = 0; !rc && i < o->n_corpus && found < o->max_contexts; i++) {
        const char *at = find_whole(o->corpus[i], w);
        if (!at) continue;
        char *copy = mz_strdup(o->corpus[i]);
        rc = copy ? push(c, copy, (size_t)(at - o->corpus[i]),
                         (size_t)(at - o->corpus[i]) + strlen(w), ctx)
                  : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        found++;
    }
    if (!rc && !found)
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL, "no context for '%s' in the corpus", w);
    return rc;
}

static mz_status collect(contexts *c, const mz_probe_list *const lists[4], mz_probe_set *const *tpl,
                         size_t n_tpl, const mz_ceat_options *o, mz_ctx *ctx) {
    for (int k = 0; k < 4; k++)
        c->total_words += lists[k]->n;
    c->first = mz_calloc(c->total_words, sizeof *c->first);
    c->count = mz_calloc(c->total_words, sizeof *c->count);
    c->word = mz_calloc(c->total_words, sizeof *c->word);
    if (!c->first || !c->count || !c->word)
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    size_t w = 0;
    for (int k = 0; k < 4; k++) {
        const mz_probe_set *t = NULL;
        mz_status rc =
            o->corpus ? MZ_OK : mz_templates_find(&t, tpl, n_tpl, lists[k]->language, ctx);
        if (rc) return rc;
        c->n_words[k] = lists[k]->n;
        for (size_t i = 0; i < lists[k]->n; i++, w++) {
            c->first[w] = c->n;
            const mz_probe_word *pw = &lists[k]->words[i];
            c->word[w] = pw->text;
            rc = o->corpus ? corpus_contexts(c, o, pw->text, ctx)
                           : frame_contexts(c, t, pw, lists[k]->language, ctx);
            if (rc) return rc;
            c->count[w] = c->n - c->first[w];
        }
    }
    return MZ_OK;
}

/* N samples of one context per word; each sample's d and its variance. */
static mz_status sample(double *d, double *v, const contexts *c, const float *emb, size_t C,
                        const mz_ceat_options *o, mz_ctx *ctx) {
    size_t nx = c->n_words[0], ny = c->n_words[1], W = c->total_words;
    float *pick = mz_malloc(W * C * sizeof *pick);
    double *s = mz_malloc((nx + ny) * sizeof *s);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    mz_status rc = pick && s && r ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (r) gsl_rng_set(r, o->seed);
    for (uint32_t i = 0; !rc && i < o->n_samples; i++) {
        for (size_t w = 0; w < W; w++)
            memcpy(pick + w * C, emb + (c->first[w] + gsl_rng_uniform_int(r, c->count[w])) * C,
                   C * sizeof *pick);
        mz_word_set xy = {"targets", c->word, pick, nx + ny},
                    a = {"A", c->word + nx + ny, pick + (nx + ny) * C, c->n_words[2]},
                    b = {"B", c->word + nx + ny + c->n_words[2],
                         pick + (nx + ny + c->n_words[2]) * C, c->n_words[3]};
        rc = mz_assoc_word_scores(s, &xy, &a, &b, C, ctx);
        d[i] = rc ? NAN : mz_weat_d(s, nx, ny);
        if (!rc && !isfinite(d[i]))
            rc = mz_fail(ctx, MZ_ERR_INPUT, NULL, "a sample's association scores have no spread");
        v[i] = (double)(nx + ny) / (double)(nx * ny) + d[i] * d[i] / (2.0 * (double)(nx + ny));
    }
    gsl_rng_free(r);
    mz_free(pick), mz_free(s);
    return rc;
}

/* The word-level test: every context of a word moves with it. */
static mz_status word_test(mz_ceat_result *res, const contexts *c, const float *emb, size_t C,
                           const mz_ceat_args *u, mz_ctx *ctx) {
    const mz_ceat_options *o = u->o;
    int *stratum = mz_malloc((c->n_words[0] + c->n_words[1] + 1) * sizeof *stratum);
    if (!stratum) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t w = 0; w < c->n_words[0] + c->n_words[1]; w++) /* frames, or corpus lines */
        stratum[w] = o->corpus ? 0
                               : mz_frame_signature((const char *const *)c->text + c->first[w],
                                                    c->count[w], c->word[w]);
    mz_status rc =
        mz_word_strata(stratum, res->entry.tokens_per_word, u->t, res->entry.set, stratum, ctx);
    if (!rc)
        rc = mz_unit_scores_new(&res->entry.scores, c->count, c->n_words[0] + c->n_words[1], ctx);
    mz_unit_embeddings in = {.vectors = emb,
                             .dim = C,
                             .first = c->first,
                             .count = c->count,
                             .words = (const char *const *)c->word,
                             .stratum = stratum,
                             .row_scores = res->entry.scores.row,
                             .word_scores = res->entry.scores.word};
    memcpy(in.n_words, c->n_words, sizeof in.n_words);
    mz_weat_options wo;
    mz_weat_options_default(&wo);
    wo.max_exact = o->n_permutations ? wo.max_exact : 0; /* none: z alone */
    wo.n_permutations = o->n_permutations, wo.n_bootstrap = o->n_bootstrap;
    wo.ci_level = o->ci_level, wo.seed = o->seed;
    if (!rc) rc = mz_weat_units(&res->words, &in, &wo, 0.05, ctx);
    mz_free(stratum);
    return rc;
}

static mz_status one_test(mz_suite_entry *e, double *p_value, void *user, mz_ctx *ctx) {
    mz_ceat_result *res = (mz_ceat_result *)e;
    const mz_ceat_args *u = user;
    const mz_ceat_options *o = u->o;
    const mz_probe_set *set = e->set;
    const mz_probe_list *const lists[4] = {&set->targets[0], &set->targets[1], &set->attributes[0],
                                           &set->attributes[1]};
    size_t C = (size_t)mz_model_get_config(u->m)->d_model;
    contexts c = {0};
    float *emb = NULL;
    double *d = mz_malloc(o->n_samples * sizeof *d), *v = mz_malloc(o->n_samples * sizeof *v);
    mz_status rc = d && v ? collect(&c, lists, u->tpl, u->n_tpl, o, ctx)
                          : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc && !(emb = mz_malloc((c.n ? c.n : 1) * C * sizeof *emb)))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc)
        rc = mz_embed_spans(emb, u->m, u->t, (const char *const *)c.text, c.start, c.end, c.n,
                            &o->embed, ctx);
    if (!rc) rc = word_test(res, &c, emb, C, u, ctx);
    if (!rc) rc = sample(d, v, &c, emb, C, o, ctx);
    if (!rc) rc = mz_stats_meta_dl(&res->meta, d, v, o->n_samples, o->ci_level, ctx);
    for (uint32_t i = 0; !rc && i < o->n_samples; i++)
        res->mean_effect += d[i] / o->n_samples;
    res->n_contexts = c.n;
    *p_value = res->words.p_value;
    contexts_free(&c);
    mz_free(emb), mz_free(d), mz_free(v);
    return rc;
}

mz_status mz_ceat_suite(mz_ceat_result *out, mz_model *m, const mz_tokenizer *t,
                        mz_probe_set *const *sets, size_t n_sets, mz_probe_set *const *templates,
                        size_t n_templates, const mz_ceat_options *opt, mz_ctx *ctx) {
    if (opt->n_samples < 2)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "CEAT needs at least 2 samples");
    mz_ceat_args u = {m, t, templates, n_templates, opt};
    return mz_suite_run(out, sizeof *out, sets, n_sets, t, one_test, &u, ctx);
}

/* The suite on a copy: each word-level test's z; the description at its cheapest. */
static mz_status on_copy(void *results, mz_probe_set *const *sets, size_t n, mz_model *copy,
                         mz_embed_cache *cache, void *user, mz_ctx *ctx) {
    mz_ceat_args u = *(const mz_ceat_args *)user;
    mz_ceat_options o = *u.o;
    o.n_samples = 2, o.n_permutations = 0, o.n_bootstrap = 0;
    o.embed.cache = cache, o.embed.progress = NULL;
    u.m = copy, u.o = &o;
    return mz_suite_run(results, sizeof(mz_ceat_result), sets, n, u.t, one_test, &u, ctx);
}

static mz_weat_units_result *units(mz_suite_entry *e) { return &((mz_ceat_result *)e)->words; }

mz_suite_ref mz_ceat_part(mz_ceat_result *out, size_t n, mz_ceat_args *args) {
    return (mz_suite_ref){out, sizeof *out, n, on_copy, units, args};
}
