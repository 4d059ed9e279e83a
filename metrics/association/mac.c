/* MAC, mean average cosine distance (Manzini et al. 2019), or the mean cosine similarity that
 * sweater and WEFE report under the same name. */
#include "embedding_math.h"
#include "mizani/alloc.h"

#include <math.h>

mz_status mz_assoc_mac(mz_metric_result *out, double *per_word, const mz_word_set *s,
                       const mz_word_set *a, const mz_word_set *b, size_t dim,
                       const mz_metric_options *opt, mz_ctx *ctx) {
    *out = (mz_metric_result){.p_value = NAN};
    if (!s->n || !a->n || !b->n)
        return mz_fail(ctx, MZ_ERR_INPUT, NULL, "MAC needs non-empty sets");
    double *cos_a = mz_malloc(s->n * (a->n + b->n + 1) * sizeof *cos_a);
    if (!cos_a) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    double *cos_b = cos_a + s->n * a->n, *values = cos_b + s->n * b->n;
    mz_status rc = mz_cosine_matrix(cos_a, s, a, dim, ctx);
    if (!rc) rc = mz_cosine_matrix(cos_b, s, b, dim, ctx);
    for (size_t i = 0; !rc && i < s->n; i++) {
        double da = 0, db = 0; /* mean cosine similarity to each group, then their mean */
        for (size_t j = 0; j < a->n; j++)
            da += cos_a[i * a->n + j];
        for (size_t j = 0; j < b->n; j++)
            db += cos_b[i * b->n + j];
        double similarity = (da / (double)a->n + db / (double)b->n) / 2;
        values[i] = opt->mac_similarity ? similarity : 1 - similarity; /* distance: 1 - cos */
        out->value += values[i] / (double)s->n;
        if (per_word) per_word[i] = values[i];
    }
    if (!rc) rc = mz_metric_ci(out, values, s->n, 0, opt, ctx);
    mz_free(cos_a);
    return rc;
}
