/* RNSB, relative negative sentiment bias (Sweeney and Najafian 2019). The interval resamples
 * the attribute words the classifier learns from, A and B each within itself. */
#include "embedding_math.h"
#include "mizani/alloc.h"

#include <math.h>
#include <string.h>

#define RNSB_C 1.0 /* LIBLINEAR's default cost */

typedef struct rnsb_data {
    const mz_word_set *s;
    const double *x; /* [na + nb, dim] attribute vectors, A then B */
    size_t na, nb, dim;
} rnsb_data;

/* Working memory of one fit: probs [n_s], w [dim + 1], x [m, dim], then y [m] ints. */
static size_t scratch_size(const rnsb_data *r) {
    size_t m = r->na + r->nb;
    return (r->s->n + r->dim + 1 + m * r->dim) * sizeof(double) + m * sizeof(int);
}

/* KL(P || uniform), where P is P(negative) of each word of S normalised over S; the
 * classifier learns from the attribute rows listed in `rows` (A's first). P is left at the
 * start of `scratch`. NAN when the fit fails. */
static double kl_for(const size_t *rows, void *data, void *scratch) {
    const rnsb_data *r = data;
    size_t m = r->na + r->nb, d = r->dim;
    double *probs = scratch, *w = probs + r->s->n, *x = w + d + 1;
    int *y = (int *)(x + m * d);
    for (size_t i = 0; i < m; i++) {
        memcpy(x + i * d, r->x + rows[i] * d, d * sizeof *x);
        y[i] = i < r->na ? -1 : 1; /* B is the negative class, label 1 */
    }
    if (mz_stats_logistic_fit(w, x, y, m, d, RNSB_C, NULL)) return NAN;
    double total = 0;
    for (size_t i = 0; i < r->s->n; i++) {
        double z = w[d];
        for (size_t k = 0; k < d; k++)
            z += w[k] * r->s->vectors[i * d + k];
        probs[i] = 1 / (1 + exp(-z));
        total += probs[i];
    }
    double kl = 0, n = (double)r->s->n;
    for (size_t i = 0; i < r->s->n; i++) {
        probs[i] /= total;
        if (probs[i] > 0) kl += probs[i] * log(probs[i] * n);
    }
    return kl;
}

mz_status mz_assoc_rnsb(mz_metric_result *out, double *per_word, const mz_word_set *s,
                        const mz_word_set *a, const mz_word_set *b, size_t dim,
                        const mz_metric_options *opt, mz_ctx *ctx) {
    *out = (mz_metric_result){.p_value = NAN};
    if (s->n < 2 || !a->n || !b->n)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "RNSB needs at least 2 words under test and "
                       "non-empty positive and negative sets");
    size_t m = a->n + b->n;
    double *x = mz_malloc(m * dim * sizeof *x);
    size_t *rows = mz_malloc(m * sizeof *rows);
    rnsb_data r = {s, x, a->n, b->n, dim};
    void *scratch = mz_malloc(scratch_size(&r));
    mz_status rc = x && rows && scratch ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; !rc && i < m; i++) {
        const float *v = i < a->n ? a->vectors + i * dim : b->vectors + (i - a->n) * dim;
        for (size_t k = 0; k < dim; k++)
            x[i * dim + k] = v[k];
        rows[i] = i;
    }
    if (!rc) {
        out->value = kl_for(rows, &r, scratch);
        if (isnan(out->value))
            rc = mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                         "RNSB: the sentiment classifier did not converge");
        if (!rc && per_word) memcpy(per_word, scratch, s->n * sizeof *per_word);
    }
    if (!rc && opt->n_bootstrap) {
        const size_t strata[2] = {a->n, b->n};
        rc = mz_stats_bootstrap_ci(&out->ci_lo, &out->ci_hi, kl_for, &r, scratch_size(&r), strata,
                                   2, opt->n_bootstrap, opt->ci_level, opt->seed, ctx);
        if (!rc) out->ci_level = opt->ci_level;
    }
    mz_free(scratch);
    mz_free(rows);
    mz_free(x);
    return rc;
}
