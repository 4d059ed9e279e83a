/* Attribution methods (metrics/attribution/) on cases whose answers are known: rollout and flow
 * on a 3-token, 2-layer attention graph computed by hand below, flow against an independent
 * Edmonds-Karp on random graphs, Integrated Gradients on functions with exact attributions,
 * AttAttr on a function of the attention matrix with known integrals, faithfulness curves on an
 * additive toy scorer, norm-based attention by hand, and word aggregation on a real tokenizer's
 * encoding of a Swahili sentence. */
#include "check.h"
#include "mizani/alloc.h"
#include "mizani/attribution.h"
#include "mizani/mizani.h"
#include "mizani/tokenizer.h"

#include <math.h>
#include <stdint.h>
#include <time.h>

static mz_ctx *ctx;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static double uniform01(void) {
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* ---------------------------------------------------------------- the 3-token graph
 *
 * Layer 0, two heads that differ only in row 2:
 *   head 0 = [1 0 0; .5 .5 0; 0 0 1]    head 1 = [1 0 0; .5 .5 0; 0 1 0]
 *   mean   = [1 0 0; .5 .5 0; 0 .5 .5]
 *   Ã0 = (mean + I) / 2 = [1 0 0; .25 .75 0; 0 .25 .75]
 * Layer 1, both heads attend to token 1: mean = [0 1 0; 0 1 0; 0 1 0]
 *   Ã1 = [.5 .5 0; 0 1 0; 0 .5 .5]
 * Rollout = Ã1 Ã0:
 *   row 0 = .5 [1 0 0] + .5 [.25 .75 0]        = [.625 .375 0]
 *   row 1 = [.25 .75 0]
 *   row 2 = .5 [.25 .75 0] + .5 [0 .25 .75]     = [.125 .5 .375]
 * Flow from the top node of token 2: its edges carry .5 to (1,1) and .5 to (1,2);
 *   (1,1) passes .25 to input 0 and .75 to input 1; (1,2) .25 to input 1 and .75 to input 2.
 *   to input 0: only through (1,1): min(.5, .25) = .25
 *   to input 1: min(.5, .75) + min(.5, .25) = .75
 *   to input 2: only through (1,2): min(.5, .75) = .5
 *   sum 1.5, so the row is [1/6, 1/2, 1/3] (rollout gives [.125 .5 .375]).
 * Flow from token 0: (2,0) -> (1,0) .5, (1,1) .5; (1,0) -> input 0 with 1.
 *   to input 0: .5 + min(.5, .25) = .75; to input 1: min(.5, .75) = .5; to input 2: 0
 *   sum 1.25: [.6 .4 0]. */
static const float layer0[2 * 9] = {1, 0, 0, .5f, .5f, 0, 0, 0, 1, /* head 0 */
                                    1, 0, 0, .5f, .5f, 0, 0, 1, 0};
static const float layer1[2 * 9] = {0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0};

static void test_attention_graph(void) {
    const float *layers[2] = {layer0, layer1};
    double raw[9], roll[9], flow[3];
    mz_attr_raw_attention(raw, layer0, 2, 3);
    const double want_raw[9] = {1, 0, 0, .5, .5, 0, 0, .5, .5};
    for (int e = 0; e < 9; e++)
        CHECK_NEAR(raw[e], want_raw[e], 1e-12);
    CHECK_INT(mz_attr_rollout(roll, layers, 2, 2, 3, ctx), MZ_OK);
    const double want_roll[9] = {.625, .375, 0, .25, .75, 0, .125, .5, .375};
    for (int e = 0; e < 9; e++)
        CHECK_NEAR(roll[e], want_roll[e], 1e-12);
    CHECK_INT(mz_attr_flow(flow, layers, 2, 2, 3, 2, ctx), MZ_OK);
    CHECK_NEAR(flow[0], 1.0 / 6, 1e-12);
    CHECK_NEAR(flow[1], 0.5, 1e-12);
    CHECK_NEAR(flow[2], 1.0 / 3, 1e-12);
    CHECK_INT(mz_attr_flow(flow, layers, 2, 2, 3, 0, ctx), MZ_OK);
    CHECK_NEAR(flow[0], 0.6, 1e-12);
    CHECK_NEAR(flow[1], 0.4, 1e-12);
    CHECK_NEAR(flow[2], 0.0, 1e-12);
    /* one layer: the flow to each input is the edge itself, as rollout */
    CHECK_INT(mz_attr_flow(flow, layers, 1, 2, 3, 1, ctx), MZ_OK);
    CHECK_NEAR(flow[0], 0.25, 1e-12);
    CHECK_NEAR(flow[1], 0.75, 1e-12);
    CHECK_INT(mz_attr_flow(flow, layers, 2, 2, 3, 3, ctx), MZ_ERR_USAGE);
}

/* An independent maximum flow for the cross-check: Edmonds-Karp on an explicit dense capacity
 * matrix of the same layered graph. */
static double edmonds_karp(double *cap, int n, int s, int t) {
    double total = 0;
    int *prev = malloc((size_t)n * sizeof *prev), *queue = malloc((size_t)n * sizeof *queue);
    for (;;) {
        for (int u = 0; u < n; u++)
            prev[u] = -1;
        prev[s] = s;
        int head = 0, tail = 0;
        queue[tail++] = s;
        while (head < tail && prev[t] < 0) {
            int u = queue[head++];
            for (int v = 0; v < n; v++)
                if (prev[v] < 0 && cap[(size_t)u * n + v] > 1e-12) prev[v] = u, queue[tail++] = v;
        }
        if (prev[t] < 0) break;
        double b = 1e300;
        for (int v = t; v != s; v = prev[v])
            b = fmin(b, cap[(size_t)prev[v] * n + v]);
        for (int v = t; v != s; v = prev[v])
            cap[(size_t)prev[v] * n + v] -= b, cap[(size_t)v * n + prev[v]] += b;
        total += b;
    }
    free(prev), free(queue);
    return total;
}

static float *random_attention(int H, int T, int causal) {
    float *p = malloc((size_t)H * T * T * sizeof *p);
    for (int h = 0; h < H; h++)
        for (int i = 0; i < T; i++) {
            float *row = p + ((size_t)h * T + i) * T, sum = 0;
            for (int j = 0; j < T; j++)
                sum += row[j] = causal && j > i ? 0.0f : (float)(uniform01() * uniform01());
            for (int j = 0; j < T; j++)
                row[j] /= sum;
        }
    return p;
}

static void test_flow_random(int causal) {
    enum { L = 3, H = 2, T = 6 };
    float *probs[L];
    for (int l = 0; l < L; l++)
        probs[l] = random_attention(H, T, causal);
    int n = (L + 1) * T;
    for (int q = 0; q < T; q++) {
        double got[T], want[T], sum = 0;
        CHECK_INT(mz_attr_flow(got, (const float *const *)probs, L, H, T, q, ctx), MZ_OK);
        for (int j = 0; j < T; j++) {
            double *cap = calloc((size_t)n * n, sizeof *cap);
            for (int l = 0; l < L; l++) { /* Ã_l by the definition: (mean + I), rows to 1 */
                for (int a = 0; a < T; a++) {
                    double row[T], rs = 0;
                    for (int b = 0; b < T; b++) {
                        row[b] = (a == b);
                        for (int h = 0; h < H; h++)
                            row[b] += probs[l][((size_t)h * T + a) * T + b] / H;
                        rs += row[b];
                    }
                    for (int b = 0; b < T; b++)
                        cap[(size_t)((l + 1) * T + a) * n + l * T + b] = row[b] / rs;
                }
            }
            sum += want[j] = edmonds_karp(cap, n, L * T + q, j);
            free(cap);
        }
        for (int j = 0; j < T; j++)
            CHECK_NEAR(got[j], want[j] / sum, 1e-9);
    }
    for (int l = 0; l < L; l++)
        free(probs[l]);
}

/* At the length cap: 12 layers of 64 tokens, one query row; and one token more is refused. */
static void test_flow_cap(void) {
    enum { L = 12, H = 2, T = MZ_ATTR_FLOW_MAX_TOKENS };
    float *probs[L];
    for (int l = 0; l < L; l++)
        probs[l] = random_attention(H, T, 0);
    double out[T + 1], sum = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_INT(mz_attr_flow(out, (const float *const *)probs, L, H, T, 0, ctx), MZ_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("attention flow, %d layers x %d tokens, one row: %.3f s\n", L, T,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    for (int j = 0; j < T; j++)
        sum += out[j];
    CHECK_NEAR(sum, 1.0, 1e-9);
    CHECK_INT(mz_attr_flow(out, (const float *const *)probs, L, H, T + 1, 0, ctx),
              MZ_ERR_UNSUPPORTED);
    CHECK_CONTAINS(mz_ctx_message(ctx), "up to 64 tokens");
    for (int l = 0; l < L; l++)
        free(probs[l]);
}

/* ---------------------------------------------------------------- norm-based attention
 * Two heads, two tokens, C = 2. f^0(x_0) = (3,4) (norm 5), f^0(x_1) = (1,0); f^1(x_0) = (0,1),
 * f^1(x_1) = (0,2). alpha^0 = [.5 .5; 1 0], alpha^1 = [1 0; .25 .75].
 *   per head: head 0 [2.5 .5; 5 0], head 1 [1 0; .25 1.5]
 *   summed: (0,0) ||.5(3,4) + (0,1)|| = ||(1.5, 3)|| = sqrt(11.25)
 *           (0,1) ||.5(1,0)|| = .5;  (1,0) ||(3,4) + .25(0,1)|| = sqrt(27.0625);  (1,1) 1.5 */
static void test_norm_attention(void) {
    const float probs[8] = {.5f, .5f, 1, 0, 1, 0, .25f, .75f};
    const float fx[8] = {3, 4, 1, 0, 0, 1, 0, 2};
    double per_head[8], summed[4];
    mz_attr_norm_attention(per_head, summed, probs, fx, 2, 2, 2);
    const double want[8] = {2.5, .5, 5, 0, 1, 0, .25, 1.5};
    for (int e = 0; e < 8; e++)
        CHECK_NEAR(per_head[e], want[e], 1e-12);
    CHECK_NEAR(summed[0], sqrt(11.25), 1e-12);
    CHECK_NEAR(summed[1], 0.5, 1e-12);
    CHECK_NEAR(summed[2], sqrt(27.0625), 1e-12);
    CHECK_NEAR(summed[3], 1.5, 1e-12);
}

/* ---------------------------------------------------------------- Integrated Gradients */

enum { T = 3, E = 2 };

/* IG of f(x) = sum x^p from the zero baseline: df/dx at alpha x is p alpha^(p-1) x^(p-1), the
 * integral is x^(p-1), so IG = x^p exactly; the quadrature's integrand is a polynomial of
 * degree p - 1 in alpha. */
static double ig_power_error(int p, int steps, mz_attr_rule rule) {
    const float x[T * E] = {0.5f, -1.25f, 2.0f, 0.75f, -0.5f, 1.5f};
    float zero[T * E] = {0}, *grads = malloc((size_t)steps * T * E * sizeof *grads);
    double alpha[64], weight[64], attr[T], err = 0;
    CHECK_INT(mz_attr_ig_path(alpha, weight, steps, rule, ctx), MZ_OK);
    for (int k = 0; k < steps; k++)
        for (int i = 0; i < T * E; i++)
            grads[k * T * E + i] = (float)(p * pow(alpha[k] * x[i], p - 1));
    mz_attr_ig_combine(attr, grads, weight, steps, x, zero, T, E);
    for (int t = 0; t < T; t++) {
        double want = pow(x[t * E], p) + pow(x[t * E + 1], p);
        err = fmax(err, fabs(attr[t] - want) / fmax(fabs(want), 1));
    }
    free(grads);
    return err;
}

static void test_ig_quadrature(void) {
    double alpha[64], weight[64], sum = 0;
    CHECK_INT(mz_attr_ig_path(alpha, weight, 4, MZ_ATTR_RIEMANN_LEFT, ctx), MZ_OK);
    CHECK_NEAR(alpha[0], 0.0, 1e-15);
    CHECK_NEAR(alpha[3], 0.75, 1e-15);
    CHECK_INT(mz_attr_ig_path(alpha, weight, 4, MZ_ATTR_RIEMANN_MIDDLE, ctx), MZ_OK);
    CHECK_NEAR(alpha[0], 0.125, 1e-15);
    CHECK_NEAR(weight[2], 0.25, 1e-15);
    CHECK_INT(mz_attr_ig_path(alpha, weight, 5, MZ_ATTR_GAUSS_LEGENDRE, ctx), MZ_OK);
    for (int k = 0; k < 5; k++) {
        sum += weight[k];
        if (k) CHECK(alpha[k] > alpha[k - 1]); /* ascending */
    }
    CHECK_NEAR(sum, 1.0, 1e-14);
    CHECK_NEAR(alpha[2], 0.5, 1e-14); /* the middle node of an odd rule */
    CHECK_INT(mz_attr_ig_path(alpha, weight, 0, MZ_ATTR_RIEMANN_LEFT, ctx), MZ_ERR_USAGE);
    /* Gauss-Legendre with m points is exact for integrands of degree 2m - 1 (p = 2m), and no
     * higher; the middle Riemann sum is exact for linear integrands (p = 2), the left one not */
    CHECK(ig_power_error(6, 3, MZ_ATTR_GAUSS_LEGENDRE) < 1e-6);
    CHECK(ig_power_error(8, 3, MZ_ATTR_GAUSS_LEGENDRE) > 1e-4);
    CHECK(ig_power_error(16, 8, MZ_ATTR_GAUSS_LEGENDRE) < 1e-5);
    CHECK(ig_power_error(2, 5, MZ_ATTR_RIEMANN_MIDDLE) < 1e-6);
    CHECK(ig_power_error(2, 5, MZ_ATTR_RIEMANN_LEFT) > 1e-2);
}

/* f(x) = exp(w . x), not a polynomial: IG from x' is exact in closed form,
 * IG[i] = (x - x')[i] w[i] (exp(w.x) - exp(w.x')) / (w . (x - x')). */
static void test_ig_exponential(void) {
    const float x[T * E] = {0.4f, -0.3f, 0.9f, 0.2f, -0.6f, 0.5f};
    const float w[T * E] = {1.0f, 0.5f, -0.8f, 1.2f, 0.3f, -1.1f};
    const float fill[E] = {0.1f, -0.2f};
    const uint8_t keep[T] = {0, 1, 0}; /* token 1 kept, as a special token would be */
    float base[T * E], path[64 * T * E], grads[64 * T * E];
    mz_attr_ig_baseline(base, x, fill, keep, T, E);
    CHECK_NEAR(base[2], x[2], 0); /* kept */
    CHECK_NEAR(base[4], 0.1, 1e-7);
    double wx = 0, wb = 0;
    for (int i = 0; i < T * E; i++)
        wx += (double)w[i] * x[i], wb += (double)w[i] * base[i];
    double want[T] = {0};
    for (int i = 0; i < T * E; i++)
        want[i / E] += ((double)x[i] - base[i]) * w[i] * (exp(wx) - exp(wb)) / (wx - wb);
    for (int steps = 2; steps <= 64; steps *= 32) {
        double alpha[64], weight[64], attr[T];
        mz_attr_ig_path(alpha, weight, steps,
                        steps == 64 ? MZ_ATTR_RIEMANN_MIDDLE : MZ_ATTR_RIEMANN_LEFT, ctx);
        mz_attr_ig_inputs(path, x, base, alpha, steps, T, E);
        CHECK_NEAR(path[(steps - 1) * T * E + 4], base[4] + alpha[steps - 1] * (x[4] - base[4]),
                   1e-7);
        for (int k = 0; k < steps; k++) { /* the model: gradient w exp(w . point) */
            double wp = 0;
            for (int i = 0; i < T * E; i++)
                wp += (double)w[i] * path[k * T * E + i];
            for (int i = 0; i < T * E; i++)
                grads[k * T * E + i] = (float)(w[i] * exp(wp));
        }
        mz_attr_ig_combine(attr, grads, weight, steps, x, base, T, E);
        mz_attr_completeness_result c;
        mz_attr_completeness(&c, attr, T, exp(wx), exp(wb), MZ_ATTR_GAP_FLOOR);
        CHECK_NEAR(attr[1], 0.0, 1e-12); /* the kept token has no path */
        if (steps == 64) {
            for (int t = 0; t < T; t++)
                CHECK_NEAR(attr[t], want[t], 1e-4 * fabs(want[t]) + 1e-7);
            CHECK(c.gap < 0.01);
            CHECK_INT(c.warn, 0);
        } else {
            CHECK(c.gap > MZ_ATTR_GAP_WARN); /* two left steps are not enough here */
            CHECK_INT(c.warn, 1);
        }
    }
    /* the floor: a target that barely moves is judged against 0.01, not against ~0 */
    mz_attr_completeness_result c;
    double tiny[2] = {0.0004, 0.0001};
    mz_attr_completeness(&c, tiny, 2, 1.0, 1.0 - 1e-6, MZ_ATTR_GAP_FLOOR);
    CHECK_NEAR(c.gap, (0.0005 - 1e-6) / 0.01, 1e-12);
}

/* A small "model" of the kind explained: f(x) = log softmax(M vec(x))[0], its gradient
 * M^T (onehot - softmax). Completeness within 1% at 64 middle steps and Gauss-Legendre's 16. */
static void test_ig_log_softmax(void) {
    enum { K = 4, D = T * E };
    double M[K * D];
    for (int i = 0; i < K * D; i++)
        M[i] = 2 * uniform01() - 1;
    const float x[D] = {0.9f, -0.4f, 1.3f, 0.2f, -1.1f, 0.6f};
    float zero[D] = {0}, path[64 * D], grads[64 * D];
    double f[2];
    for (int end = 0; end < 2; end++) { /* f(x') and f(x) */
        double z[K], mx = -1e300, s = 0;
        for (int c = 0; c < K; c++) {
            z[c] = 0;
            for (int i = 0; i < D; i++)
                z[c] += M[c * D + i] * (end ? x[i] : 0);
            mx = fmax(mx, z[c]);
        }
        for (int c = 0; c < K; c++)
            s += exp(z[c] - mx);
        f[end] = z[0] - mx - log(s);
    }
    mz_attr_rule rules[2] = {MZ_ATTR_RIEMANN_MIDDLE, MZ_ATTR_GAUSS_LEGENDRE};
    int steps[2] = {64, 16};
    for (int r = 0; r < 2; r++) {
        double alpha[64], weight[64], attr[T];
        mz_attr_ig_path(alpha, weight, steps[r], rules[r], ctx);
        mz_attr_ig_inputs(path, x, zero, alpha, steps[r], T, E);
        for (int k = 0; k < steps[r]; k++) {
            double z[K], mx = -1e300, s = 0;
            for (int c = 0; c < K; c++) {
                z[c] = 0;
                for (int i = 0; i < D; i++)
                    z[c] += M[c * D + i] * path[k * D + i];
                mx = fmax(mx, z[c]);
            }
            for (int c = 0; c < K; c++)
                s += exp(z[c] - mx);
            for (int i = 0; i < D; i++) {
                double g = 0;
                for (int c = 0; c < K; c++)
                    g += M[c * D + i] * ((c == 0) - exp(z[c] - mx) / s);
                grads[k * D + i] = (float)g;
            }
        }
        mz_attr_ig_combine(attr, grads, weight, steps[r], x, zero, T, E);
        mz_attr_completeness_result c;
        mz_attr_completeness(&c, attr, T, f[1], f[0], MZ_ATTR_GAP_FLOOR);
        printf("IG on a log-softmax, %s %d steps: completeness gap %.2e\n",
               r ? "Gauss-Legendre" : "Riemann middle", steps[r], c.gap);
        CHECK(c.gap < 0.01);
    }
}

/* Saliency and gradient x input on numbers checkable by eye. */
static void test_saliency(void) {
    const float g[T * E] = {3, 4, 0, -2, 1, 1}, x[T * E] = {1, 1, 5, 0.5f, -1, 2};
    double s[T], gi[T];
    mz_attr_saliency(s, g, T, E);
    mz_attr_grad_input(gi, g, x, T, E);
    CHECK_NEAR(s[0], 5, 1e-12);
    CHECK_NEAR(s[1], 2, 1e-12);
    CHECK_NEAR(s[2], sqrt(2), 1e-12);
    CHECK_NEAR(gi[0], 7, 1e-12);
    CHECK_NEAR(gi[1], -1, 1e-12);
    CHECK_NEAR(gi[2], 1, 1e-12);
}

/* ---------------------------------------------------------------- AttAttr
 * F(A) = sum c_hij A_hij^2 of one layer's matrices: at alpha A the gradient is 2 c alpha A,
 * whose integral over alpha is c A, so AttAttr = A * c A = c A^2 and the attributions sum to
 * F(A) - F(0) = F(A). The integrand is linear in alpha: the middle Riemann sum is exact and
 * the left one low by A^2 c / m. */
static void test_attattr(void) {
    enum { H = 2, TT = 3, N = H * TT * TT };
    float A[N], dprobs[20 * N];
    double c[N], attr[N], alpha[20], weight[20], total = 0;
    for (int e = 0; e < N; e++)
        A[e] = (float)uniform01(), c[e] = 2 * uniform01() - 1, total += c[e] * A[e] * A[e];
    for (int rule = 0; rule < 2; rule++) {
        mz_attr_ig_path(alpha, weight, 20, rule ? MZ_ATTR_RIEMANN_LEFT : MZ_ATTR_RIEMANN_MIDDLE,
                        ctx);
        for (int k = 0; k < 20; k++)
            for (int e = 0; e < N; e++)
                dprobs[k * N + e] = (float)(2 * c[e] * alpha[k] * A[e]);
        mz_attr_attattr(attr, A, dprobs, weight, 20, H, TT);
        double sum = 0;
        for (int e = 0; e < N; e++) {
            double want = c[e] * A[e] * A[e] * (rule ? 1 - 1.0 / 20 : 1);
            CHECK_NEAR(attr[e], want, 1e-6);
            sum += attr[e];
        }
        if (!rule) CHECK_NEAR(sum, total, 1e-5); /* completeness */
    }
    double imp[H];
    mz_attr_head_importance(imp, attr, H, TT);
    for (int h = 0; h < H; h++) {
        double mx = -1e300;
        for (int e = 0; e < TT * TT; e++)
            mx = fmax(mx, attr[h * TT * TT + e]);
        CHECK_NEAR(imp[h], mx, 0);
    }
}

/* Two layers whose head sums are
 *   S0 = [0 1 0; .6 .2 0; 0 .3 1.25]  largest 1.25 (on the diagonal, which is never an edge):
 *                                     edges 0<-1 (.8), 1<-0 (.48); 2<-1 scores .24 < .4
 *   S1 = [0 .8 -2; .5 0 0; 0 .2 0]    largest .8: edges 0<-1 (1), 1<-0 (.625); .2/.8 < .4
 * split unevenly over two heads. Strongest first: L1 0<-1, L0 0<-1, L1 1<-0, L0 1<-0. */
static void test_tree_edges(void) {
    const double S0[9] = {0, 1, 0, .6, .2, 0, 0, .3, 1.25}, S1[9] = {0, .8, -2, .5, 0, 0, 0, .2, 0};
    double a0[18], a1[18];
    for (int e = 0; e < 9; e++)
        a0[e] = 0.3 * S0[e] + 0.1, a0[9 + e] = 0.7 * S0[e] - 0.1, a1[e] = S1[e], a1[9 + e] = 0;
    const double *attr[2] = {a0, a1};
    mz_attr_edge *edges;
    size_t n;
    CHECK_INT(mz_attr_tree_edges(&edges, &n, attr, 2, 2, 3, 0.4, ctx), MZ_OK);
    CHECK_INT(n, 4);
    if (n == 4) {
        const mz_attr_edge want[4] = {
            {1, 1, 0, 1.0}, {0, 1, 0, .8}, {1, 0, 1, .625}, {0, 0, 1, .48}};
        for (int i = 0; i < 4; i++) {
            CHECK_INT(edges[i].layer, want[i].layer);
            CHECK_INT(edges[i].from, want[i].from);
            CHECK_INT(edges[i].to, want[i].to);
            CHECK_NEAR(edges[i].score, want[i].score, 1e-12);
        }
    }
    mz_free(edges);
}

/* ---------------------------------------------------------------- faithfulness
 * An additive toy scorer: f(kept words) = sum of v over the kept words, v = [3, -1, .5, 2].
 * The faithful explanation (scores = v) removes words 0, 3, 2, 1 in that order:
 *   deletion  f = 4.5, 1.5, -.5, -1, 0     area (3 + .5 - .75 - .5) / 4 = .5625
 *   insertion f = 0, 3, 5, 5.5, 4.5        area (1.5 + 4 + 5.25 + 5) / 4 = 3.9375
 * ERASER's bins on 4 words take k = 1, 1, 1, 1, 2 words:
 *   comprehensiveness ((4.5 - 1.5) 4 + (4.5 + .5)) / 5 = 3.4
 *   sufficiency       ((4.5 - 3) 4 + (4.5 - 5)) / 5   = 1.1
 * The reversed explanation (scores = -v) removes 1, 2, 3, 0: deletion 4.5, 5.5, 5, 3, 0 and
 * comprehensiveness ((4.5 - 5.5) 4 + (4.5 - 5)) / 5 = -.9. */
enum { W = 4 };
static const double toy_v[W] = {3, -1, .5, 2};

static double toy_score(const uint8_t *keep) {
    double s = 0;
    for (int w = 0; w < W; w++)
        s += keep[w] ? toy_v[w] : 0;
    return s;
}

static mz_attr_faithfulness_result toy_faithfulness(const double *scores) {
    int order[W];
    uint8_t keep[W];
    double del[W + 1], ins[W + 1];
    mz_attr_faith_order(order, scores, W);
    for (int k = 0; k <= W; k++) {
        mz_attr_faith_step(keep, order, W, k, 0);
        del[k] = toy_score(keep);
        mz_attr_faith_step(keep, order, W, k, 1);
        ins[k] = toy_score(keep);
    }
    mz_attr_faithfulness_result r = {0};
    CHECK_INT(mz_attr_faithfulness(&r, del, ins, W, NULL, 0, ctx), MZ_OK);
    return r;
}

static void test_faithfulness(void) {
    double reversed[W];
    for (int w = 0; w < W; w++)
        reversed[w] = -toy_v[w];
    mz_attr_faithfulness_result good = toy_faithfulness(toy_v), bad = toy_faithfulness(reversed);
    CHECK_NEAR(good.deletion_area, 0.5625, 1e-12);
    CHECK_NEAR(good.insertion_area, 3.9375, 1e-12);
    CHECK_NEAR(good.comprehensiveness, 3.4, 1e-12);
    CHECK_NEAR(good.sufficiency, 1.1, 1e-12);
    CHECK_NEAR(bad.comprehensiveness, -0.9, 1e-12);
    CHECK(bad.deletion_area > good.deletion_area && bad.insertion_area < good.insertion_area);
    /* ties keep position; the plan's steps */
    const double tied[W] = {1, 2, 2, 0};
    int order[W];
    uint8_t keep[W];
    mz_attr_faith_order(order, tied, W);
    CHECK(order[0] == 1 && order[1] == 2 && order[2] == 0 && order[3] == 3);
    mz_attr_faith_step(keep, order, W, 2, 0);
    CHECK(keep[0] == 1 && keep[1] == 0 && keep[2] == 0 && keep[3] == 1);
    /* occlusion of an additive scorer recovers its weights */
    double occluded[W], occ[W];
    for (int w = 0; w < W; w++) {
        uint8_t k[W] = {1, 1, 1, 1};
        k[w] = 0;
        occluded[w] = toy_score(k);
    }
    mz_attr_occlusion(occ, 4.5, occluded, W);
    for (int w = 0; w < W; w++)
        CHECK_NEAR(occ[w], toy_v[w], 1e-12);
    double bins[1] = {1.5}, curve[2] = {0, 0};
    mz_attr_faithfulness_result r;
    CHECK_INT(mz_attr_faithfulness(&r, curve, curve, 1, bins, 1, ctx), MZ_ERR_USAGE);
    CHECK_INT(mz_attr_faithfulness(&r, curve, curve, 0, NULL, 0, ctx), MZ_ERR_USAGE);
}

/* ---------------------------------------------------------------- words on a real encoding
 * The WordPiece test tokenizer splits "Daktari alisema wanawake wana haki." into
 * [CLS] d ##a ##k ##t ##ari | ali ##se ##ma | wanawake | wana | haki | . [SEP]. */
static void test_words(void) {
    mz_tokenizer *tok = NULL;
    CHECK_INT(mz_tokenizer_load(&tok, "golden/tokenizers/wordpiece-bert.json", ctx), MZ_OK);
    if (!tok) return;
    const char *text = "Daktari alisema wanawake wana haki.";
    mz_encoding enc = {0};
    CHECK_INT(mz_tokenizer_encode(&enc, tok, text, strlen(text), 1, ctx), MZ_OK);
    mz_attr_words w;
    CHECK_INT(mz_attr_words_from_encoding(&w, &enc, ctx), MZ_OK);
    const char *words[6] = {"Daktari", "alisema", "wanawake", "wana", "haki", "."};
    const int sub[6] = {5, 3, 1, 1, 1, 1};
    CHECK_INT(w.n_tokens, 14);
    CHECK_INT(w.n_words, 6);
    for (size_t i = 0; i < 6 && i < w.n_words; i++) {
        CHECK_INT(w.n_subwords[i], sub[i]);
        CHECK_INT(w.end[i] - w.start[i], strlen(words[i]));
        CHECK(strncmp(text + w.start[i], words[i], strlen(words[i])) == 0);
    }
    CHECK_INT(w.word_of[0], -1);
    CHECK_INT(w.word_of[13], -1);
    double tokens[14], per_word[6];
    for (int t = 0; t < 14; t++)
        tokens[t] = t + 1; /* [CLS] scores 1: left out */
    mz_attr_word_sum(per_word, &w, tokens);
    CHECK_NEAR(per_word[0], 2 + 3 + 4 + 5 + 6, 0);
    CHECK_NEAR(per_word[1], 7 + 8 + 9, 0);
    CHECK_NEAR(per_word[5], 13, 0);
    /* the occlusion input for "alisema": its three tokens masked, or removed */
    uint8_t keep[6] = {1, 0, 1, 1, 1, 1};
    int32_t ids[14];
    size_t n;
    mz_attr_words_apply(ids, &n, enc.ids, &w, keep, 4);
    CHECK_INT(n, 14);
    CHECK(ids[6] == 4 && ids[7] == 4 && ids[8] == 4 && ids[9] == enc.ids[9] &&
          ids[0] == enc.ids[0]);
    mz_attr_words_apply(ids, &n, enc.ids, &w, keep, -1);
    CHECK_INT(n, 11);
    CHECK(ids[6] == enc.ids[9] && ids[10] == enc.ids[13]);
    mz_attr_words_free(&w);
    mz_encoding_clear(&enc);
    mz_tokenizer_free(tok);
}

/* Every allocation failure in the functions that allocate is reported, never a crash. */
static void test_out_of_memory(void) {
    const float *layers[2] = {layer0, layer1};
    double out[9];
    mz_alloc_fail_at(1);
    CHECK_INT(mz_attr_rollout(out, layers, 2, 2, 3, ctx), MZ_ERR_NOMEM);
    mz_alloc_fail_at(1);
    CHECK_INT(mz_attr_flow(out, layers, 2, 2, 3, 0, ctx), MZ_ERR_NOMEM);
    double a[18] = {0, 1};
    const double *attr[1] = {a};
    mz_attr_edge *edges = (mz_attr_edge *)1;
    size_t n = 7;
    for (int fail = 1; fail <= 2; fail++) {
        mz_alloc_fail_at(fail);
        CHECK_INT(mz_attr_tree_edges(&edges, &n, attr, 1, 2, 3, 0.4, ctx), MZ_ERR_NOMEM);
        CHECK(edges == NULL && n == 0);
    }
    mz_tokenizer *tok = NULL;
    mz_encoding enc = {0};
    const char *text = "Daktari alisema.";
    if (mz_tokenizer_load(&tok, "golden/tokenizers/wordpiece-bert.json", ctx) ||
        mz_tokenizer_encode(&enc, tok, text, strlen(text), 1, ctx)) {
        CHECK(0);
        return;
    }
    for (int fail = 1; fail <= 4; fail++) {
        mz_attr_words w;
        mz_alloc_fail_at(fail);
        CHECK_INT(mz_attr_words_from_encoding(&w, &enc, ctx), MZ_ERR_NOMEM);
        CHECK(w.word_of == NULL && w.n_words == 0);
    }
    mz_alloc_fail_at(0);
    mz_encoding_clear(&enc);
    mz_tokenizer_free(tok);
}

int main(void) {
    ctx = mz_ctx_new();
    mz_init(ctx);
    test_attention_graph();
    test_flow_random(0);
    test_flow_random(1);
    test_flow_cap();
    test_norm_attention();
    test_saliency();
    test_ig_quadrature();
    test_ig_exponential();
    test_ig_log_softmax();
    test_attattr();
    test_tree_edges();
    test_faithfulness();
    test_words();
    test_out_of_memory();
    mz_ctx_free(ctx);
    return mz_check_result("test_attribution");
}
