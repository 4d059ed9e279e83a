/* Every backward kernel (audit/model/backward.c) against central finite differences of an
 * independent double-precision forward written here. Each check's objective is a random
 * projection of the kernel's output, loss = sum(r * out), so the kernel gets dout = r; the
 * relative error max|got - fd| / max|fd| must stay within 1e-3 (measured: about 1e-6, float
 * rounding). Every double forward is first matched to the engine's float forward kernel
 * (layers.h), so the derivatives checked are those of the function the engine computes, and
 * the LayerNorm statistics the backward reads are the ones that forward wrote. Gradient buffers
 * start at a non-zero value: kernels must add, not overwrite. Attention runs over three packed
 * sequences of 5, 1 and 4 tokens, with and without the causal mask, separate and fused (GPT-2)
 * projections, grouped-query heads, and per-sequence probability scales (AttAttr's path). Well
 * under a second. */
#include "backward.h"
#include "check.h"
#include "layers.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PREFILL 0.25f /* gradient buffers start here: the kernels accumulate */
#define FD_STEP 1e-6
#define MAX_REL 1e-3

/* ---------------------------------------------------------------- helpers */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static double uniform(void) { /* [-1, 1) */
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}

static float *frand(size_t n, double scale) {
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)(scale * uniform());
    return v;
}

static float *ffill(size_t n, float value) {
    float *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = value;
    return v;
}

static double *to_double(const float *f, size_t n) {
    double *d = malloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = f[i];
    return d;
}

/* The objective over one of the case's double arrays; the case struct is `c`. */
typedef double (*loss_fn)(void *c);

/* Central differences of loss with respect to each x[i], i < n (x is read by loss via c). */
static double *finite_diff(loss_fn loss, void *c, double *x, size_t n) {
    double *g = malloc(n * sizeof *g);
    for (size_t i = 0; i < n; i++) {
        double keep = x[i];
        x[i] = keep + FD_STEP;
        double up = loss(c);
        x[i] = keep - FD_STEP;
        double down = loss(c);
        x[i] = keep;
        g[i] = (up - down) / (2 * FD_STEP);
    }
    return g;
}

/* got (a gradient buffer that started at PREFILL) against the finite differences `want`. */
static void check_grad(const char *what, const float *got, const double *want, size_t n) {
    double err = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        err = fmax(err, fabs((got[i] - PREFILL) - want[i]));
        scale = fmax(scale, fabs(want[i]));
    }
    double rel = err / (scale > 0 ? scale : 1);
    printf("  %-34s rel. error %.2e (max |grad| %.3g)\n", what, rel, scale);
    CHECK(scale > 0 || err == 0);
    CHECK(rel <= MAX_REL);
}

/* A double forward's output against the engine's float kernel's. */
static void check_forward(const char *what, const float *engine, const double *ref, size_t n) {
    double err = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        err = fmax(err, fabs(engine[i] - ref[i]));
        scale = fmax(scale, fabs(ref[i]));
    }
    if (err > 1e-5 * (scale > 1 ? scale : 1)) printf("  forward %s differs by %.2e\n", what, err);
    CHECK(err <= 1e-5 * (scale > 1 ? scale : 1));
}

static double dot(const double *a, const double *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* ---------------------------------------------------------------- double forwards */

static void ln_ref(double *out, const double *x, const double *w, const double *b, int N, int C,
                   double eps) {
    for (int n = 0; n < N; n++) {
        const double *r = x + (size_t)n * C;
        double mean = 0, var = 0;
        for (int i = 0; i < C; i++)
            mean += r[i];
        mean /= C;
        for (int i = 0; i < C; i++)
            var += (r[i] - mean) * (r[i] - mean);
        double rstd = 1 / sqrt(var / C + eps);
        for (int i = 0; i < C; i++)
            out[(size_t)n * C + i] = (r[i] - mean) * rstd * w[i] + b[i];
    }
}

static void matmul_ref(double *out, const double *x, const double *w, const double *b, int N, int C,
                       int OC, int w_in_out) {
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OC; o++) {
            double s = b ? b[o] : 0;
            for (int i = 0; i < C; i++)
                s += x[(size_t)n * C + i] *
                     (w_in_out ? w[(size_t)i * OC + o] : w[(size_t)o * C + i]);
            out[(size_t)n * OC + o] = s;
        }
}

static double gelu_ref(double x, int tanh_approx) {
    if (tanh_approx) return 0.5 * x * (1 + tanh(sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    return 0.5 * x * (1 + erf(x / sqrt(2)));
}

static void softmax_ref(double *p, const double *s, int L, int causal) {
    for (int i = 0; i < L; i++) {
        int keys = causal ? i + 1 : L;
        double mx = s[(size_t)i * L], sum = 0;
        for (int j = 0; j < keys; j++)
            mx = fmax(mx, s[(size_t)i * L + j]);
        for (int j = 0; j < L; j++) {
            double e = j < keys ? exp(s[(size_t)i * L + j] - mx) : 0;
            p[(size_t)i * L + j] = e, sum += e;
        }
        for (int j = 0; j < L; j++)
            p[(size_t)i * L + j] /= sum;
    }
}

/* Packed sequences for the attention and pooling cases. */
enum { S = 3, NTOK = 10 };
static const int seq_start[S] = {0, 5, 6}, seq_len[S] = {5, 1, 4};

/* One attention layout: H query heads of size d reading KV key/value heads; qkv rows hold
 * [q (H d) | k (KV d) | v (KV d)]. */
typedef struct att_shape {
    int H, KV, d;
} att_shape;

/* out [N,H d] = scale[s] softmax(Q K^T / sqrt(d)) V per sequence and head, from qkv rows;
 * probs (may be NULL) gets each sequence's [H,L,L] at off[s], unscaled. When A is given, it
 * replaces the probabilities (already scaled) as P V's left factor. */
static void attention_ref(double *out, double *probs, const double *A, const double *qkv,
                          const size_t *off, att_shape a, int causal, const double *scale) {
    int d = a.d, Ad = a.H * d, ld = Ad + 2 * a.KV * d;
    for (int s = 0; s < S; s++)
        for (int h = 0; h < a.H; h++) {
            int L = seq_len[s], r0 = seq_start[s], kv = h / (a.H / a.KV) * d;
            double sc[25], p[25];
            for (int i = 0; i < L; i++)
                for (int j = 0; j < L; j++) {
                    const double *q = qkv + (size_t)(r0 + i) * ld + h * d;
                    const double *k = qkv + (size_t)(r0 + j) * ld + Ad + kv;
                    sc[i * L + j] = dot(q, k, (size_t)d) / sqrt(d);
                }
            softmax_ref(p, sc, L, causal);
            const double *w = A ? A + off[s] + (size_t)h * L * L : p;
            for (int i = 0; i < L; i++)
                for (int e = 0; e < d; e++) {
                    double o = 0;
                    for (int j = 0; j < L; j++)
                        o += (A ? 1 : scale[s]) * w[i * L + j] *
                             qkv[(size_t)(r0 + j) * ld + Ad + a.KV * d + kv + e];
                    out[(size_t)(r0 + i) * Ad + h * d + e] = o;
                }
            for (int e = 0; probs && e < L * L; e++)
                probs[off[s] + (size_t)h * L * L + e] = p[e];
        }
}

/* ---------------------------------------------------------------- embeddings */

enum { V = 11, P = 12, TT = 2 };

typedef struct embed_case {
    int N, E, C, proj;
    int32_t ids[NTOK], pos[NTOK], types[NTOK];
    double *x, *wte, *wpe, *wtt, *lnw, *lnb, *pw, *pb, *r;
} embed_case;

/* inputs_embeds -> + positions + types -> LayerNorm (-> ELECTRA's projection E -> C), or the
 * bare sum with ids looked up in wte when x is NULL. */
static double embed_loss(void *p) {
    embed_case *c = p;
    int N = c->N, E = c->E;
    double *sum = malloc((size_t)N * E * sizeof *sum), *ln = malloc((size_t)N * E * sizeof *ln);
    for (int n = 0; n < N; n++)
        for (int i = 0; i < E; i++)
            sum[(size_t)n * E + i] =
                (c->x ? c->x[(size_t)n * E + i] : c->wte[(size_t)c->ids[n] * E + i]) +
                c->wpe[(size_t)c->pos[n] * E + i] + c->wtt[(size_t)c->types[n] * E + i];
    double loss;
    if (!c->lnw)
        loss = dot(sum, c->r, (size_t)N * E);
    else {
        ln_ref(ln, sum, c->lnw, c->lnb, N, E, 1e-12);
        if (c->proj) {
            double *o = malloc((size_t)N * c->C * sizeof *o);
            matmul_ref(o, ln, c->pw, c->pb, N, E, c->C, 0);
            loss = dot(o, c->r, (size_t)N * c->C);
            free(o);
        } else
            loss = dot(ln, c->r, (size_t)N * E);
    }
    free(sum), free(ln);
    return loss;
}

/* The lookup sum alone: dinp and the three tables' scatter-adds (ids repeat). */
static void test_embed_tables(void) {
    embed_case c = {.N = NTOK, .E = 6};
    for (int n = 0; n < NTOK; n++)
        c.ids[n] = (n * 7) % 4, c.pos[n] = n % P, c.types[n] = n % TT;
    float *wte = frand((size_t)V * c.E, 0.5), *wpe = frand((size_t)P * c.E, 0.5),
          *wtt = frand((size_t)TT * c.E, 0.5), *r = frand((size_t)NTOK * c.E, 1);
    c.wte = to_double(wte, (size_t)V * c.E), c.wpe = to_double(wpe, (size_t)P * c.E);
    c.wtt = to_double(wtt, (size_t)TT * c.E), c.r = to_double(r, (size_t)NTOK * c.E);

    float *out = malloc((size_t)NTOK * c.E * sizeof *out);
    mz_embed_forward(out, c.ids, NULL, c.pos, c.types, wte, wpe, wtt, NTOK, c.E);
    double *ref = malloc((size_t)NTOK * c.E * sizeof *ref);
    for (int n = 0; n < NTOK; n++)
        for (int i = 0; i < c.E; i++)
            ref[(size_t)n * c.E + i] = c.wte[(size_t)c.ids[n] * c.E + i] +
                                       c.wpe[(size_t)c.pos[n] * c.E + i] +
                                       c.wtt[(size_t)c.types[n] * c.E + i];
    check_forward("embed", out, ref, (size_t)NTOK * c.E);

    float *dinp = ffill((size_t)NTOK * c.E, PREFILL), *dwte = ffill((size_t)V * c.E, PREFILL),
          *dwpe = ffill((size_t)P * c.E, PREFILL), *dwtt = ffill((size_t)TT * c.E, PREFILL);
    mz_embed_backward(dinp, dwte, dwpe, dwtt, r, c.ids, c.pos, c.types, NTOK, c.E);
    double *g = finite_diff(embed_loss, &c, c.wte, (size_t)V * c.E);
    check_grad("embed: word table (repeated ids)", dwte, g, (size_t)V * c.E);
    free(g);
    g = finite_diff(embed_loss, &c, c.wpe, (size_t)P * c.E);
    check_grad("embed: position table", dwpe, g, (size_t)P * c.E);
    free(g);
    g = finite_diff(embed_loss, &c, c.wtt, (size_t)TT * c.E);
    check_grad("embed: type table", dwtt, g, (size_t)TT * c.E);
    free(g);
    check_grad("embed: input embeddings", dinp, c.r, (size_t)NTOK * c.E); /* d sum / d x = 1 */
    free(wte), free(wpe), free(wtt), free(r), free(out), free(ref);
    free(dinp), free(dwte), free(dwpe), free(dwtt);
    free(c.wte), free(c.wpe), free(c.wtt), free(c.r);
}

/* inputs_embeds through positions, types, LayerNorm and (ELECTRA) the projection, chained as
 * the engine's embed() will run the kernels backwards. */
static void test_embed_chain(int proj) {
    embed_case c = {.N = NTOK, .E = 6, .C = proj ? 8 : 6, .proj = proj};
    int N = c.N, E = c.E, C = c.C;
    for (int n = 0; n < N; n++)
        c.ids[n] = n % V, c.pos[n] = n % P, c.types[n] = n < 4;
    float *x = frand((size_t)N * E, 0.5), *wpe = frand((size_t)P * E, 0.5),
          *wtt = frand((size_t)TT * E, 0.5), *lnw = frand((size_t)E, 0.3),
          *lnb = frand((size_t)E, 0.1), *pw = frand((size_t)C * E, 0.4),
          *pb = frand((size_t)C, 0.1), *r = frand((size_t)N * C, 1);
    for (int i = 0; i < E; i++)
        lnw[i] += 1.0f;
    c.x = to_double(x, (size_t)N * E), c.wpe = to_double(wpe, (size_t)P * E);
    c.wtt = to_double(wtt, (size_t)TT * E), c.lnw = to_double(lnw, (size_t)E);
    c.lnb = to_double(lnb, (size_t)E), c.pw = to_double(pw, (size_t)C * E);
    c.pb = to_double(pb, (size_t)C), c.r = to_double(r, (size_t)N * C);

    /* forward as the engine: token embeddings given, LayerNorm with its statistics, projection */
    mz_norm norm = {lnw, lnb};
    mz_linear W = {pw, pb, E, C, MZ_W_OUT_IN};
    float *sum = malloc((size_t)N * E * sizeof *sum), *ln = malloc((size_t)N * E * sizeof *ln);
    float mean[NTOK], rstd[NTOK];
    mz_embed_forward(sum, NULL, x, c.pos, c.types, NULL, wpe, wtt, N, E);
    mz_layernorm_forward(ln, mean, rstd, sum, &norm, 1e-12f, N, E);
    /* backward: projection, LayerNorm, the sum */
    float *dln = ffill((size_t)N * E, 0), *dsum = ffill((size_t)N * E, 0),
          *dx = ffill((size_t)N * E, PREFILL);
    if (proj)
        mz_matmul_backward(dln, NULL, NULL, r, ln, &W, N);
    else
        memcpy(dln, r, (size_t)N * E * sizeof *dln);
    mz_layernorm_backward(dsum, NULL, NULL, dln, sum, mean, rstd, &norm, N, E);
    mz_embed_backward(dx, NULL, NULL, NULL, dsum, c.ids, c.pos, c.types, N, E);
    double *g = finite_diff(embed_loss, &c, c.x, (size_t)N * E);
    check_grad(proj ? "embed+LN+projection: inputs_embeds" : "embed+LN: inputs_embeds", dx, g,
               (size_t)N * E);
    free(g), free(x), free(wpe), free(wtt), free(lnw), free(lnb), free(pw), free(pb), free(r);
    free(sum), free(ln), free(dln), free(dsum), free(dx);
    free(c.x), free(c.wpe), free(c.wtt), free(c.lnw), free(c.lnb), free(c.pw), free(c.pb),
        free(c.r);
}

/* ---------------------------------------------------------------- LayerNorm */

typedef struct ln_case {
    int N, C;
    double *x, *w, *b, *r;
} ln_case;

static double ln_loss(void *p) {
    ln_case *c = p;
    double *o = malloc((size_t)c->N * c->C * sizeof *o);
    ln_ref(o, c->x, c->w, c->b, c->N, c->C, 1e-5);
    double l = dot(o, c->r, (size_t)c->N * c->C);
    free(o);
    return l;
}

static void test_layernorm(void) {
    int N = 7, C = 9;
    size_t n = (size_t)N * C;
    float *x = frand(n, 2), *w = frand((size_t)C, 0.5), *b = frand((size_t)C, 0.2),
          *r = frand(n, 1);
    for (int i = 0; i < C; i++)
        x[i] += 3.0f, w[i] += 1.0f; /* a row off centre */
    ln_case c = {
        N, C, to_double(x, n), to_double(w, (size_t)C), to_double(b, (size_t)C), to_double(r, n)};
    float *out = malloc(n * sizeof *out), mean[7], rstd[7];
    double *ref = malloc(n * sizeof *ref);
    mz_norm norm = {w, b};
    mz_layernorm_forward(out, mean, rstd, x, &norm, 1e-5f, N, C);
    ln_ref(ref, c.x, c.w, c.b, N, C, 1e-5);
    check_forward("layernorm", out, ref, n);
    float *dx = ffill(n, PREFILL), *dw = ffill((size_t)C, PREFILL), *db = ffill((size_t)C, PREFILL);
    mz_layernorm_backward(dx, dw, db, r, x, mean, rstd, &norm, N, C);
    double *g = finite_diff(ln_loss, &c, c.x, n);
    check_grad("layernorm: input", dx, g, n);
    free(g);
    g = finite_diff(ln_loss, &c, c.w, (size_t)C);
    check_grad("layernorm: weight", dw, g, (size_t)C);
    free(g);
    g = finite_diff(ln_loss, &c, c.b, (size_t)C);
    check_grad("layernorm: bias", db, g, (size_t)C);
    free(g), free(x), free(w), free(b), free(r), free(out), free(ref), free(dx), free(dw), free(db);
    free(c.x), free(c.w), free(c.b), free(c.r);
}

/* ---------------------------------------------------------------- matmul */

typedef struct mm_case {
    int N, C, OC, in_out;
    double *x, *w, *b, *r;
} mm_case;

static double mm_loss(void *p) {
    mm_case *c = p;
    double *o = malloc((size_t)c->N * c->OC * sizeof *o);
    matmul_ref(o, c->x, c->w, c->b, c->N, c->C, c->OC, c->in_out);
    double l = dot(o, c->r, (size_t)c->N * c->OC);
    free(o);
    return l;
}

/* N = 140 takes the row split of two threads; N = 5 the column split. */
static void test_matmul(int N, int in_out) {
    int C = 6, OC = 10;
    size_t nx = (size_t)N * C, nw = (size_t)C * OC, no = (size_t)N * OC;
    float *x = frand(nx, 1), *w = frand(nw, 0.5), *b = frand((size_t)OC, 0.2), *r = frand(no, 1);
    mm_case c = {N,
                 C,
                 OC,
                 in_out,
                 to_double(x, nx),
                 to_double(w, nw),
                 to_double(b, (size_t)OC),
                 to_double(r, no)};
    float *out = malloc(no * sizeof *out);
    double *ref = malloc(no * sizeof *ref);
    mz_linear W = {w, b, C, OC, in_out ? MZ_W_IN_OUT : MZ_W_OUT_IN};
    mz_matmul_forward(out, x, &W, 1, N);
    matmul_ref(ref, c.x, c.w, c.b, N, C, OC, in_out);
    check_forward("matmul", out, ref, no);
    float *dx = ffill(nx, PREFILL), *dw = ffill(nw, PREFILL), *db = ffill((size_t)OC, PREFILL);
    mz_matmul_backward(dx, dw, db, r, x, &W, N);
    char what[64];
    double *g = finite_diff(mm_loss, &c, c.x, nx);
    snprintf(what, sizeof what, "matmul %s N=%d: input", in_out ? "[C,OC]" : "[OC,C]", N);
    check_grad(what, dx, g, nx);
    free(g);
    g = finite_diff(mm_loss, &c, c.w, nw);
    check_grad("  weight", dw, g, nw);
    free(g);
    g = finite_diff(mm_loss, &c, c.b, (size_t)OC);
    check_grad("  bias", db, g, (size_t)OC);
    free(g);
    /* the same gradients, bit for bit, on one thread and on three */
    for (int threads = 1; threads <= 3; threads += 2) {
        omp_set_num_threads(threads);
        float *dx2 = ffill(nx, PREFILL), *dw2 = ffill(nw, PREFILL);
        mz_matmul_backward(dx2, dw2, NULL, r, x, &W, N);
        CHECK(memcmp(dx, dx2, nx * sizeof *dx) == 0 && memcmp(dw, dw2, nw * sizeof *dw) == 0);
        free(dx2), free(dw2);
    }
    omp_set_num_threads(2);
    free(x), free(w), free(b), free(r), free(out), free(ref), free(dx), free(dw), free(db);
    free(c.x), free(c.w), free(c.b), free(c.r);
}

/* ---------------------------------------------------------------- GELU, residual */

typedef struct gelu_case {
    int N, F, tanh_approx;
    double *x, *bias, *r;
} gelu_case;

static double gelu_loss(void *p) {
    gelu_case *c = p;
    double l = 0;
    for (int n = 0; n < c->N; n++)
        for (int i = 0; i < c->F; i++)
            l += c->r[(size_t)n * c->F + i] *
                 gelu_ref(c->x[(size_t)n * c->F + i] + c->bias[i], c->tanh_approx);
    return l;
}

static void test_gelu(int tanh_approx) {
    int N = 4, F = 12;
    size_t n = (size_t)N * F;
    float *x = frand(n, 4), *bias = frand((size_t)F, 0.3), *r = frand(n, 1);
    gelu_case c = {N, F, tanh_approx, to_double(x, n), to_double(bias, (size_t)F), to_double(r, n)};
    float *out = malloc(n * sizeof *out);
    double *ref = malloc(n * sizeof *ref);
    mz_gelu_forward(out, x, bias, N, F, tanh_approx);
    for (size_t e = 0; e < n; e++)
        ref[e] = gelu_ref(c.x[e] + c.bias[e % F], tanh_approx);
    check_forward("gelu", out, ref, n);
    float *dx = ffill(n, PREFILL), *db = ffill((size_t)F, PREFILL);
    mz_gelu_backward(dx, db, r, x, bias, N, F, tanh_approx);
    double *g = finite_diff(gelu_loss, &c, c.x, n);
    check_grad(tanh_approx ? "gelu tanh: input" : "gelu erf: input", dx, g, n);
    free(g);
    g = finite_diff(gelu_loss, &c, c.bias, (size_t)F);
    check_grad("  bias", db, g, (size_t)F);
    free(g);
    /* far into both tails: no overflow, no NaN; GELU' tends to 0 and to 1 */
    float big[6] = {-1e4f, -80, -30, 30, 80, 1e4f}, one[6] = {1, 1, 1, 1, 1, 1}, d[6] = {0};
    mz_gelu_backward(d, NULL, one, big, NULL, 1, 6, tanh_approx);
    for (int i = 0; i < 6; i++) {
        CHECK(isfinite(d[i]));
        CHECK_NEAR(d[i], big[i] > 0 ? 1.0 : 0.0, 1e-6);
    }
    free(x), free(bias), free(r), free(out), free(ref), free(dx), free(db);
    free(c.x), free(c.bias), free(c.r);
}

typedef struct res_case {
    int N, C;
    double *stream, *branch, *bias, *r;
} res_case;

static double res_loss(void *p) {
    res_case *c = p;
    double l = 0;
    for (int n = 0; n < c->N; n++)
        for (int i = 0; i < c->C; i++) {
            size_t e = (size_t)n * c->C + i;
            l += c->r[e] * (c->stream[e] + c->branch[e] + c->bias[i]);
        }
    return l;
}

static void test_residual(void) {
    int N = 5, C = 7;
    size_t n = (size_t)N * C;
    float *x = frand(n, 1), *br = frand(n, 1), *bias = frand((size_t)C, 0.3), *r = frand(n, 1);
    res_case c = {
        N, C, to_double(x, n), to_double(br, n), to_double(bias, (size_t)C), to_double(r, n)};
    float *brc = malloc(n * sizeof *brc), *out = malloc(n * sizeof *out);
    memcpy(brc, br, n * sizeof *brc);
    mz_residual_forward(out, x, brc, bias, N, C);
    double *ref = malloc(n * sizeof *ref);
    for (size_t e = 0; e < n; e++)
        ref[e] = c.stream[e] + c.branch[e] + c.bias[e % C];
    check_forward("residual", out, ref, n);
    float *dx = ffill(n, PREFILL), *dbr = ffill(n, PREFILL), *db = ffill((size_t)C, PREFILL);
    mz_residual_backward(dx, dbr, db, r, N, C);
    double *g = finite_diff(res_loss, &c, c.branch, n);
    check_grad("residual: branch", dbr, g, n);
    free(g);
    g = finite_diff(res_loss, &c, c.bias, (size_t)C);
    check_grad("  bias", db, g, (size_t)C);
    free(g);
    g = finite_diff(res_loss, &c, c.stream, n);
    check_grad("  stream", dx, g, n);
    free(g), free(x), free(br), free(brc), free(out), free(bias), free(r), free(ref), free(dx);
    free(dbr), free(db), free(c.stream), free(c.branch), free(c.bias), free(c.r);
}

/* ---------------------------------------------------------------- softmax, attention */

typedef struct sm_case {
    int L, causal;
    double *s, *r;
} sm_case;

static double sm_loss(void *p) {
    sm_case *c = p;
    double pr[64];
    softmax_ref(pr, c->s, c->L, c->causal);
    return dot(pr, c->r, (size_t)c->L * c->L);
}

static void test_softmax(int causal) {
    int L = 6;
    size_t n = (size_t)L * L;
    float *s = frand(n, 3), *r = frand(n, 1), *p = malloc(n * sizeof *p);
    sm_case c = {L, causal, to_double(s, n), to_double(r, n)};
    memcpy(p, s, n * sizeof *p);
    mz_softmax_rows(p, L, causal);
    double ref[64];
    softmax_ref(ref, c.s, L, causal);
    check_forward("softmax", p, ref, n);
    float *ds = malloc(n * sizeof *ds);
    mz_softmax_rows_backward(ds, r, p, L, causal);
    for (size_t e = 0; e < n; e++)
        ds[e] += PREFILL; /* written, not accumulated: shift to check_grad's convention */
    double *g = finite_diff(sm_loss, &c, c.s, n);
    check_grad(causal ? "softmax rows, causal" : "softmax rows", ds, g, n);
    free(g), free(s), free(r), free(p), free(ds), free(c.s), free(c.r);
}

typedef struct att_case {
    att_shape a;
    int causal;
    double scale[S];
    size_t off[S];
    double *qkv, *A, *r;
} att_case;

static double att_loss(void *p) {
    att_case *c = p;
    double out[NTOK * 16];
    attention_ref(out, NULL, c->A, c->qkv, c->off, c->a, c->causal, c->scale);
    return dot(out, c->r, (size_t)NTOK * c->a.H * c->a.d);
}

/* Separate projections (q [N,Hd] then k, v [N,KVd]) or GPT-2's fused rows, as the engine lays
 * them out; H = KV = 2, or four query heads sharing two key/value heads; every sequence scaled
 * by its own factor, or none. */
static void test_attention(int causal, int fused, int grouped, int scaled) {
    att_case c = {.a = {grouped ? 4 : 2, 2, 4}, .causal = causal};
    int H = c.a.H, KV = c.a.KV, d = c.a.d, Ad = H * d, KVd = KV * d, W3 = Ad + 2 * KVd;
    int ldq = fused ? W3 : Ad, ldkv = fused ? W3 : KVd;
    const float scales[S] = {0.37f, 0.6f, 0.81f};
    size_t nprobs = 0;
    for (int s = 0; s < S; s++) {
        c.off[s] = nprobs, nprobs += (size_t)H * seq_len[s] * seq_len[s];
        c.scale[s] = scaled ? scales[s] : 1.0;
    }
    mz_seqs seqs = {S, seq_start, seq_len, c.off};
    size_t nqkv = (size_t)NTOK * W3, no = (size_t)NTOK * Ad;
    float *qkv = frand(nqkv, 1.5), *r = frand(no, 1);
    c.qkv = to_double(qkv, nqkv), c.r = to_double(r, no);
    /* [N, q|k|v] rows to the engine's layout, and back for the gradients */
    size_t width[3] = {(size_t)Ad, (size_t)KVd, (size_t)KVd},
           col[3] = {0, (size_t)Ad, (size_t)(Ad + KVd)};
    size_t block[3] = {0, (size_t)NTOK * Ad, (size_t)NTOK * (Ad + KVd)};
    float *buf = malloc(nqkv * sizeof *buf), *dbuf = ffill(nqkv, PREFILL),
          *got = malloc(nqkv * sizeof *got);
    for (int n = 0; n < NTOK; n++)
        for (int part = 0; part < 3; part++)
            memcpy(fused ? buf + (size_t)n * W3 + col[part] : buf + block[part] + n * width[part],
                   qkv + (size_t)n * W3 + col[part], width[part] * sizeof *buf);
    float *q = buf, *k = fused ? buf + Ad : buf + block[1],
          *v = fused ? buf + Ad + KVd : buf + block[2];
    float *probs = malloc(nprobs * sizeof *probs), *out = malloc(no * sizeof *out);
    double *pref = malloc(nprobs * sizeof *pref), *oref = malloc(no * sizeof *oref);
    mz_attention_forward(out, probs, q, k, v, ldq, ldkv, &seqs, H, KV, d, causal,
                         scaled ? scales : NULL);
    attention_ref(oref, pref, NULL, c.qkv, c.off, c.a, causal, c.scale);
    check_forward("attention", out, oref, no);
    check_forward("attention probs", probs, pref, nprobs);
    float *dprobs = malloc(nprobs * sizeof *dprobs), *dscores = malloc(nprobs * sizeof *dscores);
    float *dq = dbuf, *dk = fused ? dbuf + Ad : dbuf + block[1],
          *dv = fused ? dbuf + Ad + KVd : dbuf + block[2];
    mz_attention_backward(dq, dk, dv, dprobs, dscores, r, probs, q, k, v, ldq, ldkv, &seqs, H, KV,
                          d, causal, scaled ? scales : NULL);
    for (int threads = 1; threads <= 3; threads += 2) { /* bit for bit on 1 and 3 threads */
        omp_set_num_threads(threads);
        float *d2 = ffill(nqkv, PREFILL);
        mz_attention_backward(d2, fused ? d2 + Ad : d2 + block[1],
                              fused ? d2 + Ad + KVd : d2 + block[2], dprobs, dscores, r, probs, q,
                              k, v, ldq, ldkv, &seqs, H, KV, d, causal, scaled ? scales : NULL);
        CHECK(memcmp(d2, dbuf, nqkv * sizeof *d2) == 0);
        free(d2);
    }
    omp_set_num_threads(2);
    for (int n = 0; n < NTOK; n++)
        for (int part = 0; part < 3; part++)
            memcpy(got + (size_t)n * W3 + col[part],
                   fused ? dbuf + (size_t)n * W3 + col[part] : dbuf + block[part] + n * width[part],
                   width[part] * sizeof *got);
    char what[80];
    snprintf(what, sizeof what, "attention%s%s%s%s: q,k,v", causal ? " causal" : "",
             fused ? " fused" : "", grouped ? " grouped" : "", scaled ? " scaled" : "");
    double *g = finite_diff(att_loss, &c, c.qkv, nqkv);
    check_grad(what, got, g, nqkv);
    free(g);
    /* dprobs: the gradient with respect to the matrix P V used (scale * P), 0 where masked */
    c.A = malloc(nprobs * sizeof *c.A);
    for (int s = 0; s < S; s++)
        for (size_t e = c.off[s]; e < c.off[s] + (size_t)H * seq_len[s] * seq_len[s]; e++)
            c.A[e] = c.scale[s] * pref[e];
    g = finite_diff(att_loss, &c, c.A, nprobs);
    for (int s = 0; s < S; s++)
        for (int h = 0; causal && h < H; h++)
            for (int i = 0; i < seq_len[s]; i++)
                for (int j = i + 1; j < seq_len[s]; j++)
                    g[c.off[s] + ((size_t)h * seq_len[s] + i) * seq_len[s] + j] = 0;
    for (size_t e = 0; e < nprobs; e++)
        dprobs[e] += PREFILL;
    check_grad("  probabilities (dprobs)", dprobs, g, nprobs);
    free(g), free(c.A), free(qkv), free(r), free(buf), free(probs), free(out), free(pref);
    free(oref), free(dbuf), free(dprobs), free(dscores), free(got), free(c.qkv), free(c.r);
}

/* ---------------------------------------------------------------- heads, pooling, targets */

typedef struct head_case {
    int M, C, E, V, tanh_approx;
    double *x, *dw, *db, *lw, *lb, *decw, *decb, *r;
} head_case;

static double head_loss(void *p) {
    head_case *c = p;
    size_t me = (size_t)c->M * c->E;
    double *h = calloc(me, sizeof *h), *ln = malloc(me * sizeof *ln),
           *lg = malloc((size_t)c->M * c->V * sizeof *lg);
    matmul_ref(h, c->x, c->dw, c->db, c->M, c->C, c->E, 0);
    for (size_t e = 0; e < me; e++)
        h[e] = gelu_ref(h[e], c->tanh_approx);
    ln_ref(ln, h, c->lw, c->lb, c->M, c->E, 1e-12);
    matmul_ref(lg, ln, c->decw, c->decb, c->M, c->E, c->V, 0);
    double l = dot(lg, c->r, (size_t)c->M * c->V);
    free(h), free(ln), free(lg);
    return l;
}

/* ELECTRA's shape: the head narrows C = 8 to E = 6 before a decoder over V = 11. */
static void test_mlm_head(int tanh_approx) {
    int M = 3, C = 8, E = 6;
    float *x = frand((size_t)M * C, 1), *dw = frand((size_t)E * C, 0.5),
          *db = frand((size_t)E, 0.1), *lw = frand((size_t)E, 0.2), *lb = frand((size_t)E, 0.1),
          *decw = frand((size_t)V * E, 0.5), *decb = frand((size_t)V, 0.1),
          *r = frand((size_t)M * V, 1);
    for (int i = 0; i < E; i++)
        lw[i] += 1.0f;
    head_case c = {M,
                   C,
                   E,
                   V,
                   tanh_approx,
                   to_double(x, (size_t)M * C),
                   to_double(dw, (size_t)E * C),
                   to_double(db, (size_t)E),
                   to_double(lw, (size_t)E),
                   to_double(lb, (size_t)E),
                   to_double(decw, (size_t)V * E),
                   to_double(decb, (size_t)V),
                   to_double(r, (size_t)M * V)};
    /* the engine's lm_head, keeping what the backward needs */
    mz_linear dense = {dw, db, C, E, MZ_W_OUT_IN}, dec = {decw, decb, E, V, MZ_W_OUT_IN};
    mz_norm norm = {lw, lb};
    float pre[3 * 6], act[3 * 6], ln[3 * 6], mean[3], rstd[3], scratch[2 * 3 * 6];
    mz_matmul_forward(pre, x, &dense, 1, M);
    mz_gelu_forward(act, pre, NULL, M, E, tanh_approx);
    mz_layernorm_forward(ln, mean, rstd, act, &norm, 1e-12f, M, E);
    mz_head_cache cache = {x, pre, act, mean, rstd};
    float *dx = ffill((size_t)M * C, PREFILL);
    mz_mlm_head_backward(dx, scratch, r, &cache, &dense, &norm, &dec, M, tanh_approx);
    double *g = finite_diff(head_loss, &c, c.x, (size_t)M * C);
    check_grad(tanh_approx ? "MLM head (tanh GELU)" : "MLM head (erf GELU)", dx, g, (size_t)M * C);
    free(g), free(x), free(dw), free(db), free(lw), free(lb), free(decw), free(decb), free(r);
    free(dx), free(c.x), free(c.dw), free(c.db), free(c.lw), free(c.lb), free(c.decw), free(c.decb);
    free(c.r);
}

typedef struct pool_case {
    int C;
    double *x, *w, *b, *r;
} pool_case;

static double pooler_loss(void *p) {
    pool_case *c = p;
    double o[S * 8];
    matmul_ref(o, c->x, c->w, c->b, S, c->C, c->C, 0);
    for (int e = 0; e < S * c->C; e++)
        o[e] = tanh(o[e]);
    return dot(o, c->r, (size_t)S * c->C);
}

static void test_pooler(void) {
    int C = 8;
    size_t n = (size_t)S * C;
    float *x = frand(n, 1), *w = frand((size_t)C * C, 0.6), *b = frand((size_t)C, 0.2),
          *r = frand(n, 1), pooled[S * 8], scratch[S * 8];
    pool_case c = {C, to_double(x, n), to_double(w, (size_t)C * C), to_double(b, (size_t)C),
                   to_double(r, n)};
    mz_linear W = {w, b, C, C, MZ_W_OUT_IN};
    mz_matmul_forward(pooled, x, &W, 1, S);
    for (size_t e = 0; e < n; e++)
        pooled[e] = tanhf(pooled[e]);
    float *dx = ffill(n, PREFILL), *dw = ffill((size_t)C * C, PREFILL),
          *db = ffill((size_t)C, PREFILL);
    mz_pooler_backward(dx, dw, db, scratch, r, x, pooled, &W, S);
    double *g = finite_diff(pooler_loss, &c, c.x, n);
    check_grad("pooler: first tokens", dx, g, n);
    free(g);
    g = finite_diff(pooler_loss, &c, c.w, (size_t)C * C);
    check_grad("  weight", dw, g, (size_t)C * C);
    free(g);
    g = finite_diff(pooler_loss, &c, c.b, (size_t)C);
    check_grad("  bias", db, g, (size_t)C);
    free(g), free(x), free(w), free(b), free(r), free(dx), free(dw), free(db);
    free(c.x), free(c.w), free(c.b), free(c.r);
}

/* mean pooling over the packed sequences, then a cosine between the first two sentences: the
 * sentence-similarity target end to end from the last hidden states */
typedef struct mean_case {
    int C;
    double *x, *r;
} mean_case;

static void mean_ref(double *m, const double *x, int C) {
    for (int s = 0; s < S; s++)
        for (int i = 0; i < C; i++) {
            double t = 0;
            for (int j = 0; j < seq_len[s]; j++)
                t += x[(size_t)(seq_start[s] + j) * C + i];
            m[(size_t)s * C + i] = t / seq_len[s];
        }
}

static double mean_loss(void *p) {
    mean_case *c = p;
    double m[S * 8];
    mean_ref(m, c->x, c->C);
    return dot(m, c->r, (size_t)S * c->C);
}

static double cosine_loss(void *p) {
    mean_case *c = p;
    double m[S * 8];
    mean_ref(m, c->x, c->C);
    return dot(m, m + c->C, (size_t)c->C) /
           sqrt(dot(m, m, (size_t)c->C) * dot(m + c->C, m + c->C, (size_t)c->C));
}

static void test_pooling_and_cosine(void) {
    int C = 8;
    size_t n = (size_t)NTOK * C;
    float *x = frand(n, 1), *r = frand((size_t)S * C, 1), m[S * 8] = {0};
    mean_case c = {C, to_double(x, n), to_double(r, (size_t)S * C)};
    float *dx = ffill(n, PREFILL);
    mz_mean_pool_backward(dx, r, seq_start, seq_len, S, C);
    double *g = finite_diff(mean_loss, &c, c.x, n);
    check_grad("mean pooling", dx, g, n);
    free(g);
    /* cosine of sentences 0 and 1, through their mean pooling */
    for (int s = 0; s < S; s++)
        for (int j = 0; j < seq_len[s]; j++)
            for (int i = 0; i < C; i++)
                m[s * C + i] += x[(size_t)(seq_start[s] + j) * C + i] / (float)seq_len[s];
    float dm[S * 8] = {0};
    double cos = mz_cosine_backward(dm, dm + C, m, m + C, C, 1.0f);
    CHECK_NEAR(cos, cosine_loss(&c), 1e-6);
    for (size_t e = 0; e < n; e++)
        dx[e] = PREFILL;
    mz_mean_pool_backward(dx, dm, seq_start, seq_len, S, C);
    g = finite_diff(cosine_loss, &c, c.x, n);
    check_grad("cosine of mean-pooled sentences", dx, g, n);
    free(g);
    float zero[8] = {0};
    CHECK(isnan(mz_cosine_backward(dm, NULL, zero, m, C, 1.0f)));
    free(x), free(r), free(dx), free(c.x), free(c.r);
}

typedef struct lp_case {
    double *logits; /* [2,V] */
    int32_t t[2], contrast;
} lp_case;

static double logsoftmax_ref(const double *z, int32_t t) {
    double mx = z[0], s = 0;
    for (int j = 1; j < V; j++)
        mx = fmax(mx, z[j]);
    for (int j = 0; j < V; j++)
        s += exp(z[j] - mx);
    return z[t] - mx - log(s);
}

/* log P(t) - log P(contrast) at row 0, plus log P(t[1]) at row 1 (a two-row "sequence") */
static double lp_loss(void *p) {
    lp_case *c = p;
    return logsoftmax_ref(c->logits, c->t[0]) - logsoftmax_ref(c->logits, c->contrast) +
           logsoftmax_ref(c->logits + V, c->t[1]);
}

static void test_targets(void) {
    float *z = frand(2 * V, 4);
    lp_case c = {to_double(z, 2 * V), {3, 7}, 9};
    float *dz = ffill(2 * V, PREFILL);
    double v = mz_logprob_backward(dz, z, V, c.t[0], 1.0f);
    CHECK_NEAR(v, logsoftmax_ref(c.logits, c.t[0]), 1e-6);
    v = mz_logprob_backward(dz, z, V, c.contrast, -1.0f);
    CHECK_NEAR(v, logsoftmax_ref(c.logits, c.contrast), 1e-6);
    mz_logprob_backward(dz + V, z + V, V, c.t[1], 1.0f);
    double *g = finite_diff(lp_loss, &c, c.logits, 2 * V);
    check_grad("log-prob difference + sequence", dz, g, 2 * V);
    /* the difference's gradient is onehot(t) - onehot(contrast): the softmax terms cancel */
    CHECK_NEAR(dz[c.t[0]] - PREFILL, 1.0, 1e-6);
    CHECK_NEAR(dz[c.contrast] - PREFILL, -1.0, 1e-6);
    CHECK_NEAR(dz[0] - PREFILL, 0.0, 1e-6);
    free(g), free(z), free(dz), free(c.logits);
}

int main(void) {
    openblas_set_num_threads(1); /* the engine's convention: its threads split the products */
    omp_set_num_threads(2);
    test_embed_tables();
    test_embed_chain(0);
    test_embed_chain(1);
    test_layernorm();
    test_matmul(5, 0);
    test_matmul(5, 1);
    test_matmul(140, 0);
    test_matmul(140, 1);
    test_gelu(0);
    test_gelu(1);
    test_residual();
    test_softmax(0);
    test_softmax(1);
    for (int causal = 0; causal <= 1; causal++)
        for (int fused = 0; fused <= 1; fused++)
            for (int grouped = 0; grouped <= 1; grouped++)
                for (int scaled = 0; scaled <= 1; scaled++)
                    test_attention(causal, fused, grouped, scaled);
    test_mlm_head(0);
    test_mlm_head(1);
    test_pooler();
    test_pooling_and_cosine();
    test_targets();
    return mz_check_result("test_gradients");
}
