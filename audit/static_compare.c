/* Before and after fine-tuning: each association test on the words both vector files have,
 * the change of d with its paired interval and permutation p-value, Holm across tests. */
#include "mizani/alloc.h"
#include "mizani/static_audit.h"

#include <math.h>
#include <string.h>

/* The rows of the words of `list` found in both files, into before/after [n, dim] each. */
static size_t common_rows(float *before, float *after, const mz_probe_list *list,
                          const mz_vectors *vb, const mz_vectors *va, int fold) {
    size_t dim = mz_vectors_dim(vb), n = 0;
    for (size_t i = 0; i < list->n; i++) {
        long rb = mz_vectors_find(vb, list->texts[i], fold, NULL);
        long ra = mz_vectors_find(va, list->texts[i], fold, NULL);
        if (rb < 0 || ra < 0) continue;
        memcpy(before + n * dim, mz_vectors_row(vb, (size_t)rb), dim * sizeof *before);
        memcpy(after + n * dim, mz_vectors_row(va, (size_t)ra), dim * sizeof *after);
        n++;
    }
    return n;
}

static mz_status compare_one(mz_static_change *c, const mz_vectors *vb, const mz_vectors *va,
                             const mz_static_options *opt, mz_ctx *ctx) {
    const mz_probe_set *s = c->set;
    const mz_probe_list *lists[MZ_N_ROLES] = {&s->targets[0], &s->targets[1], &s->attributes[0],
                                              &s->attributes[1]};
    size_t dim = mz_vectors_dim(vb), total = 0, found[MZ_N_ROLES], at = 0;
    for (int r = 0; r < MZ_N_ROLES; r++)
        total += lists[r]->n;
    float *fb = mz_malloc((total ? total : 1) * dim * sizeof *fb),
          *fa = mz_malloc((total ? total : 1) * dim * sizeof *fa);
    double *sb = mz_malloc((total ? total : 1) * sizeof *sb),
           *sa = mz_malloc((total ? total : 1) * sizeof *sa);
    mz_status rc = fb && fa && sb && sa ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_word_set wb[MZ_N_ROLES], wa[MZ_N_ROLES];
    for (int r = 0; r < MZ_N_ROLES && !rc; r++) {
        found[r] = common_rows(fb + at * dim, fa + at * dim, lists[r], vb, va, opt->fold_case);
        wb[r] = (mz_word_set){.name = lists[r]->name, .vectors = fb + at * dim, .n = found[r]};
        wa[r] = (mz_word_set){.name = lists[r]->name, .vectors = fa + at * dim, .n = found[r]};
        at += found[r];
        c->words_used += found[r];
        if (!c->reason[0] &&
            (double)(lists[r]->n - found[r]) > opt->max_missing * (double)lists[r]->n)
            snprintf(c->reason, sizeof c->reason, "%s list '%s' has %zu of %zu words in both files",
                     mz_role_names[r], lists[r]->name, found[r], lists[r]->n);
    }
    if (!rc && !c->reason[0]) {
        /* X and Y are adjacent: one set of targets, scored against A and B in each space */
        mz_word_set tb = {.name = "X+Y", .vectors = wb[0].vectors, .n = found[0] + found[1]};
        mz_word_set ta = {.name = "X+Y", .vectors = wa[0].vectors, .n = found[0] + found[1]};
        rc = mz_assoc_word_scores(sb, &tb, &wb[2], &wb[3], dim, ctx);
        if (!rc) rc = mz_assoc_word_scores(sa, &ta, &wa[2], &wa[3], dim, ctx);
        if (!rc)
            rc = mz_weat_change_test(&c->change, sb, sa, found[0], found[1], opt->weat.n_bootstrap,
                                     opt->weat.n_permutations, opt->weat.ci_level, opt->weat.seed,
                                     ctx);
        c->computable = rc == MZ_OK;
        if (rc == MZ_ERR_INPUT || rc == MZ_ERR_NUMERIC) {
            snprintf(c->reason, sizeof c->reason, "%s", mz_ctx_cause(ctx));
            mz_ctx_clear(ctx);
            rc = MZ_OK;
        }
    }
    mz_free(fb);
    mz_free(fa);
    mz_free(sb);
    mz_free(sa);
    return rc;
}

mz_status mz_static_compare(mz_static_change *out, const mz_vectors *before,
                            const mz_vectors *after, const mz_probe_set *const *sets, size_t n_sets,
                            const mz_static_options *opt, double threshold, mz_ctx *ctx) {
    if (mz_vectors_dim(before) != mz_vectors_dim(after))
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "the two files have %zu and %zu dimensions; compare needs "
                       "the same",
                       mz_vectors_dim(before), mz_vectors_dim(after));
    double *p = mz_malloc((n_sets ? n_sets : 1) * sizeof *p);
    if (!p) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    mz_status rc = MZ_OK;
    size_t m = 0;
    for (size_t i = 0; i < n_sets && !rc; i++) {
        out[i] = (mz_static_change){.set = sets[i], .p_holm = NAN};
        rc = compare_one(&out[i], before, after, opt, ctx);
        if (!rc && out[i].computable) p[m++] = out[i].change.p_value;
    }
    if (!rc) rc = mz_stats_holm(p, p, m, ctx);
    for (size_t i = 0, k = 0; !rc && i < n_sets; i++) {
        if (!out[i].computable) continue;
        out[i].p_holm = p[k++];
        out[i].grew = fabs(out[i].change.d_after) - fabs(out[i].change.d_before) > threshold &&
                      out[i].p_holm < 0.05;
    }
    mz_free(p);
    return rc;
}
