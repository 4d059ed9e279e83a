/* Self-attention attribution (Hao et al. 2021, AttAttr): Integrated Gradients over a layer's
 * attention matrices, the heads' importance, and the attribution tree's edges. */
#include "mizani/alloc.h"
#include "mizani/attribution.h"

#include <stdlib.h>

void mz_attr_attattr(double *out, const float *probs, const float *dprobs, const double *weight,
                     int steps, int H, int T) {
    size_t n = (size_t)H * T * T;
    for (size_t e = 0; e < n; e++) {
        double g = 0;
        for (int k = 0; k < steps; k++)
            g += weight[k] * dprobs[k * n + e];
        out[e] = probs[e] * g;
    }
}

void mz_attr_head_importance(double *out, const double *attr, int H, int T) {
    size_t n = (size_t)T * T;
    for (int h = 0; h < H; h++) {
        double mx = attr[h * n];
        for (size_t e = 1; e < n; e++)
            mx = attr[h * n + e] > mx ? attr[h * n + e] : mx;
        out[h] = mx;
    }
}

static int edge_order(const void *pa, const void *pb) {
    const mz_attr_edge *a = pa, *b = pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->layer != b->layer) return b->layer - a->layer;
    if (a->to != b->to) return a->to - b->to;
    return a->from - b->from;
}

/* Layer l's pairs above the threshold, appended to *edges. sum [T,T] is scratch. */
static mz_status layer_edges(mz_attr_edge **edges, size_t *n, size_t *cap, double *sum,
                             const double *attr, int l, int H, int T, double threshold,
                             mz_ctx *ctx) {
    size_t tt = (size_t)T * T;
    double mx = 0;
    for (size_t e = 0; e < tt; e++) {
        sum[e] = 0;
        for (int h = 0; h < H; h++)
            sum[e] += attr[h * tt + e];
        mx = sum[e] > mx ? sum[e] : mx;
    }
    if (mx <= 0) return MZ_OK;
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            double s = sum[(size_t)i * T + j] / mx;
            if (i == j || s <= threshold) continue;
            if (mz_grow((void **)edges, cap, *n + 1, sizeof **edges))
                return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for attribution edges");
            (*edges)[(*n)++] = (mz_attr_edge){.layer = l, .from = j, .to = i, .score = s};
        }
    return MZ_OK;
}

mz_status mz_attr_tree_edges(mz_attr_edge **edges, size_t *n, const double *const *attr, int layers,
                             int H, int T, double threshold, mz_ctx *ctx) {
    *edges = NULL, *n = 0;
    size_t cap = 0;
    double *sum = mz_malloc((size_t)T * T * sizeof *sum + 1);
    if (!sum) return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory for attribution edges");
    mz_status rc = MZ_OK;
    for (int l = 0; !rc && l < layers; l++)
        rc = layer_edges(edges, n, &cap, sum, attr[l], l, H, T, threshold, ctx);
    mz_free(sum);
    if (rc) {
        mz_free(*edges);
        *edges = NULL, *n = 0;
        return rc;
    }
    if (*n) qsort(*edges, *n, sizeof **edges, edge_order);
    return MZ_OK;
}
