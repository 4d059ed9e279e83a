/* ECT, the embedding coherence test (Dev and Phillips 2019). */
#include "embedding_math.h"
#include "mizani/alloc.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>

typedef struct ect_data {
    const double *u_a, *u_b; /* [n] cosines of each word with mean(A), mean(B) */
    size_t n;
} ect_data;

/* Spearman over the words idx picks; scratch: [4n] doubles. NAN when a side has no spread. */
static double resampled_spearman(const size_t *idx, void *data, void *scratch) {
    const ect_data *e = data;
    double *x = scratch, *y = x + e->n, *work = y + e->n;
    for (size_t i = 0; i < e->n; i++) {
        x[i] = e->u_a[idx[i]];
        y[i] = e->u_b[idx[i]];
    }
    if (gsl_stats_variance(x, 1, e->n) == 0 || gsl_stats_variance(y, 1, e->n) == 0) return NAN;
    return gsl_stats_spearman(x, 1, y, 1, e->n, work);
}

mz_status mz_assoc_ect(mz_metric_result *out, double *per_word, const mz_word_set *s,
                       const mz_word_set *a, const mz_word_set *b, size_t dim,
                       const mz_metric_options *opt, mz_ctx *ctx) {
    *out = (mz_metric_result){.p_value = NAN};
    if (s->n < 3 || !a->n || !b->n)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "ECT needs at least 3 words under test and "
                       "non-empty groups");
    const mz_word_set *sets[3] = {s, a, b};
    for (int i = 0; i < 3; i++) {
        mz_status rc = mz_vectors_check(sets[i], dim, ctx);
        if (rc) return rc;
    }
    double *buf = mz_malloc((2 * dim + 6 * s->n) * sizeof *buf);
    if (!buf) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    double *ma = buf, *mb = ma + dim, *u_a = mb + dim, *u_b = u_a + s->n, *scratch = u_b + s->n;
    mz_set_mean(ma, a, dim, 0);
    mz_set_mean(mb, b, dim, 0);
    for (size_t i = 0; i < s->n; i++) {
        u_a[i] = mz_cos_fd(s->vectors + i * dim, ma, dim);
        u_b[i] = mz_cos_fd(s->vectors + i * dim, mb, dim);
        if (per_word) per_word[i] = u_a[i] - u_b[i];
    }
    ect_data e = {u_a, u_b, s->n};
    mz_status rc = MZ_OK;
    size_t *ident = mz_malloc(s->n * sizeof *ident);
    if (!ident) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < s->n; i++)
        ident[i] = i;
    if (!rc) out->value = resampled_spearman(ident, &e, scratch);
    if (!rc && isnan(out->value))
        rc = mz_fail(ctx, MZ_ERR_INPUT, NULL,
                     "ECT is not computable: the words under test are "
                     "equally similar to a group mean (no spread to rank)");
    if (!rc && opt->n_bootstrap) {
        rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, resampled_spearman, &e,
                                   4 * s->n * sizeof(double), &s->n, 1, opt->n_bootstrap,
                                   opt->ci_level, opt->seed, ctx);
        if (!rc) out->ci_level = opt->ci_level;
    }
    mz_free(ident);
    mz_free(buf);
    return rc;
}
