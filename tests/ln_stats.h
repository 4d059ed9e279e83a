/* LayerNorm's statistics as the engine's forward computes them (in double, stored as float),
 * for tests that call the backward kernels before the engine keeps them. */
#ifndef MZ_TESTS_LN_STATS_H
#define MZ_TESTS_LN_STATS_H

#include <math.h>
#include <stddef.h>

/* mean, rstd [N] of the rows of x [N,C]; rstd = 1/sqrt(var + eps). */
static inline void ln_stats(float *mean, float *rstd, const float *x, int N, int C, double eps) {
    for (int n = 0; n < N; n++) {
        double m = 0, v = 0;
        for (int i = 0; i < C; i++)
            m += x[(size_t)n * C + i];
        m /= C;
        for (int i = 0; i < C; i++)
            v += (x[(size_t)n * C + i] - m) * (x[(size_t)n * C + i] - m);
        mean[n] = (float)m, rstd[n] = (float)(1 / sqrt(v / C + eps));
    }
}

#endif
