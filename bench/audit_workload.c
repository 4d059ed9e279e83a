/* The model passes of a default audit, as token counts, for bench/audit.py's PyTorch reference
 * (its passes cost what their lengths cost: random weights, so the ids do not matter):
 *   seat  N: each unique SEAT sentence (CEAT's contexts are the same sentences), tokens;
 *   pair  N K: each minimal-pair sentence, tokens and tokens scored (each one masked copy);
 *   masked N: each masked-template sentence (two passes each: the attribute present, masked).
 * Usage: audit_workload MODEL_DIR CORPORA_DIR */
#include "mizani/likelihood_run.h"
#include "mizani/mizani.h"
#include "mizani/probes.h"
#include "mizani/seat.h"
#include "mizani/tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mz_ctx *ctx;

static size_t encode(const mz_tokenizer *t, const char *s, mz_encoding *e) {
    if (mz_tokenizer_encode(e, t, s, strlen(s), 1, ctx)) {
        fprintf(stderr, "audit_workload: %s\n", mz_ctx_message(ctx));
        exit(1);
    }
    return e->n;
}

static void sets_of(mz_probe_set **all, size_t n, mz_probe_kind kind, mz_probe_set ***out,
                    size_t *k) {
    *out = calloc(n + 1, sizeof **out), *k = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i]->kind == kind) (*out)[(*k)++] = all[i];
}

static void pairs(const mz_tokenizer *t, mz_probe_set **sets, size_t n) {
    mz_encoding a = {0}, b = {0};
    for (size_t s = 0; s < n; s++)
        for (size_t i = 0; i < sets[s]->n_pairs; i++) {
            const mz_minimal_pair *p = &sets[s]->pairs[i];
            size_t na = encode(t, p->more, &a), nb = encode(t, p->less, &b);
            uint8_t *sa = calloc(na + 1, 1), *sb = calloc(nb + 1, 1);
            mz_lik_align(sa, sb, a.ids, (int)na, b.ids, (int)nb, ctx);
            size_t ka = 0, kb = 0;
            for (size_t q = 0; q < na; q++)
                ka += sa[q] && !a.special[q];
            for (size_t q = 0; q < nb; q++)
                kb += sb[q] && !b.special[q];
            printf("pair %zu %zu\npair %zu %zu\n", na, ka, nb, kb);
            free(sa), free(sb);
        }
    mz_encoding_clear(&a), mz_encoding_clear(&b);
}

static void masked(const mz_tokenizer *t, mz_probe_set **sets, size_t n) {
    mz_encoding e = {0};
    char text[1024];
    size_t ts[2], as[2];
    for (size_t s = 0; s < n; s++)
        for (size_t a = 0; a < sets[s]->attributes[0].n; a++)
            for (int g = 0; g < 2; g++)
                for (size_t w = 0; w < sets[s]->targets[g].n; w++)
                    for (size_t f = 0; f < sets[s]->n_frames; f++)
                        if (mz_lik_masked_fill(text, sizeof text, sets[s]->frames[f],
                                               sets[s]->targets[g].words[w].text,
                                               sets[s]->attributes[0].words[a].text, ts, as))
                            printf("masked %zu\n", encode(t, text, &e));
    mz_encoding_clear(&e);
}

int main(int argc, char **argv) {
    if (argc != 3) return fprintf(stderr, "usage: audit_workload MODEL_DIR CORPORA_DIR\n"), 2;
    ctx = mz_ctx_new();
    mz_init(ctx);
    mz_tokenizer *t = NULL;
    char **paths = NULL, **texts = NULL;
    size_t n_paths = 0, n_texts = 0, k;
    const char *root = argv[2];
    if (mz_tokenizer_load(&t, argv[1], ctx) || mz_probes_find(&paths, &n_paths, &root, 1, ctx))
        return fprintf(stderr, "audit_workload: %s\n", mz_ctx_message(ctx)), 1;
    mz_probe_set **all = calloc(n_paths + 1, sizeof *all), **assoc, **tpl, **pr, **mk;
    for (size_t i = 0; i < n_paths; i++)
        if (mz_probes_load(&all[i], paths[i], ctx))
            return fprintf(stderr, "audit_workload: %s\n", mz_ctx_message(ctx)), 1;
    size_t n_assoc, n_tpl, n_pr, n_mk;
    sets_of(all, n_paths, MZ_PROBE_ASSOCIATION, &assoc, &n_assoc);
    sets_of(all, n_paths, MZ_PROBE_TEMPLATES, &tpl, &n_tpl);
    sets_of(all, n_paths, MZ_PROBE_MINIMAL_PAIRS, &pr, &n_pr);
    sets_of(all, n_paths, MZ_PROBE_MASKED, &mk, &n_mk);
    if (mz_seat_sentences(&texts, &n_texts, assoc, n_assoc, tpl, n_tpl, ctx))
        return fprintf(stderr, "audit_workload: %s\n", mz_ctx_message(ctx)), 1;
    mz_encoding e = {0};
    for (size_t i = 0; i < n_texts; i++) { /* each sentence once, as the cache runs it */
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(texts[i], texts[j]);
        if (!seen) printf("seat %zu\n", encode(t, texts[i], &e));
    }
    pairs(t, pr, n_pr);
    masked(t, mk, n_mk);
    for (k = 0; k < n_paths; k++)
        mz_probes_free(all[k]);
    mz_templates_free(texts, n_texts);
    mz_probes_paths_free(paths, n_paths);
    mz_encoding_clear(&e);
    mz_tokenizer_free(t);
    free(all), free(assoc), free(tpl), free(pr), free(mk);
    mz_ctx_free(ctx);
    return 0;
}
