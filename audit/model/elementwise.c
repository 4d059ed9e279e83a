/* The engine's transcendental passes: GELU over the feed-forward width and the attention
 * softmax. Built with -ffast-math so that GCC calls glibc's vector erff/tanhf/expf (libmvec)
 * under `omp simd`: twice the scalar speed at the same accuracy (glibc's vector variants are
 * accurate to a few ulp), and again for AVX2 through the clone the loader picks on such CPUs.
 * Nothing here relies on infinities or NaN: the causal mask limits the keys instead. */
#include "layers.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__)
#define MZ_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MZ_CLONES
#endif

/* One row: out[i] = GELU(inp[i] + bias[i]) (bias may be NULL). */
MZ_CLONES static void gelu_row(float *out, const float *inp, const float *bias, size_t n,
                               int tanh_approx) {
    const float s2 = 0.70710678118654752f, k = 0.79788456080286536f; /* 1/sqrt2, sqrt(2/pi) */
    if (tanh_approx) {
#pragma omp simd
        for (size_t i = 0; i < n; i++) {
            float x = inp[i] + (bias ? bias[i] : 0.0f);
            out[i] = 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
        }
        return;
    }
#pragma omp simd
    for (size_t i = 0; i < n; i++) {
        float x = inp[i] + (bias ? bias[i] : 0.0f);
        out[i] = 0.5f * x * (1.0f + erff(x * s2));
    }
}

/* GELU's derivative: erf form Phi(x) + x phi(x); tanh form 0.5 (1 + t) + 0.5 x (1 - t^2) u'(x)
 * with t = tanh(u), u = sqrt(2/pi) (x + 0.044715 x^3). Written so that no term can overflow
 * for any finite x (1 - t^2 rather than sech^2; exp(-x^2/2) only underflows), which is what
 * keeps it safe under this file's -ffast-math (test_gradients checks |x| = 1e4). */
static inline float gelu_grad(float x, int tanh_approx) {
    const float s2 = 0.70710678118654752f, k = 0.79788456080286536f; /* 1/sqrt2, sqrt(2/pi) */
    const float inv_sqrt_2pi = 0.39894228040143268f;
    if (tanh_approx) {
        float t = tanhf(k * (x + 0.044715f * x * x * x));
        return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * k * (1.0f + 3 * 0.044715f * x * x);
    }
    return 0.5f * (1.0f + erff(x * s2)) + x * inv_sqrt_2pi * expf(-0.5f * x * x);
}

float mz_gelu_grad(float x, int tanh_approx) { return gelu_grad(x, tanh_approx); }

MZ_CLONES void mz_gelu_grad_row(float *dx, const float *g, const float *x, const float *bias,
                                size_t n, int tanh_approx) {
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        dx[i] += g[i] * gelu_grad(x[i] + (bias ? bias[i] : 0.0f), tanh_approx);
}

void mz_gelu_forward(float *out, const float *inp, const float *bias, int N, int F,
                     int tanh_approx) {
#pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++)
        gelu_row(out + (size_t)n * F, inp + (size_t)n * F, bias, (size_t)F, tanh_approx);
}

/* p[0..keys) turned into probabilities in place. */
MZ_CLONES void mz_softmax_row(float *p, int keys) {
    float mx = p[0], sum = 0.0f;
#pragma omp simd reduction(max : mx)
    for (int j = 0; j < keys; j++)
        mx = p[j] > mx ? p[j] : mx;
#pragma omp simd reduction(+ : sum)
    for (int j = 0; j < keys; j++)
        sum += p[j] = expf(p[j] - mx);
    float inv = 1.0f / sum;
#pragma omp simd
    for (int j = 0; j < keys; j++)
        p[j] *= inv;
}

void mz_softmax_rows(float *P, int L, int causal) {
    for (int i = 0; i < L; i++) {
        float *p = P + (size_t)i * L; /* [L] */
        int keys = causal ? i + 1 : L;
        mz_softmax_row(p, keys);
        for (int j = keys; j < L; j++)
            p[j] = 0.0f;
    }
}
