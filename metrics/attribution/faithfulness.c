/* Faithfulness of a word-level explanation: the removal plan, deletion and insertion curves,
 * ERASER's comprehensiveness and sufficiency (DeYoung et al. 2020), and leave-one-word-out
 * occlusion. The caller runs the model on each planned input; these functions only order
 * words and turn the measured scores into numbers. */
#include "mizani/attribution.h"

#include <math.h>
#include <string.h>

void mz_attr_faith_order(int *order, const double *word_scores, int W) {
    for (int w = 0; w < W; w++)
        order[w] = w;
    for (int i = 1; i < W; i++) /* stable insertion sort, largest first: ties keep position */
        for (int j = i; j > 0 && word_scores[order[j]] > word_scores[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1], order[j - 1] = t;
        }
}

void mz_attr_faith_step(uint8_t *keep, const int *order, int W, int k, int insertion) {
    memset(keep, insertion ? 0 : 1, (size_t)W);
    for (int i = 0; i < k && i < W; i++)
        keep[order[i]] = insertion ? 1 : 0;
}

/* The trapezoid rule over x = k/W, k = 0..W. */
static double curve_area(const double *f, int W) {
    double a = 0;
    for (int k = 0; k < W; k++)
        a += 0.5 * (f[k] + f[k + 1]) / W;
    return a;
}

mz_status mz_attr_faithfulness(mz_attr_faithfulness_result *out, const double *deletion,
                               const double *insertion, int W, const double *bins, int n_bins,
                               mz_ctx *ctx) {
    static const double eraser[] = MZ_ATTR_ERASER_BINS;
    if (!bins) bins = eraser, n_bins = (int)(sizeof eraser / sizeof *eraser);
    if (W < 1 || n_bins < 1)
        return mz_fail(ctx, MZ_ERR_USAGE, NULL, "faithfulness needs at least one word and one bin");
    double fx = deletion[0], comp = 0, suff = 0;
    for (int b = 0; b < n_bins; b++) {
        if (!(bins[b] > 0 && bins[b] <= 1))
            return mz_fail(ctx, MZ_ERR_USAGE, NULL,
                           "faithfulness bin %g is not a fraction in (0,1]", bins[b]);
        int k = (int)ceil(bins[b] * W - 1e-9); /* 0.2 * 5 is 1, not 2, despite rounding */
        k = k < 1 ? 1 : k;
        comp += fx - deletion[k], suff += fx - insertion[k];
    }
    out->deletion_area = curve_area(deletion, W);
    out->insertion_area = curve_area(insertion, W);
    out->comprehensiveness = comp / n_bins;
    out->sufficiency = suff / n_bins;
    return MZ_OK;
}

void mz_attr_occlusion(double *out, double fx, const double *occluded, int W) {
    for (int w = 0; w < W; w++)
        out[w] = fx - occluded[w];
}
