/* L2-regularised logistic regression by Newton's method. The Newton system
 * (I + X'DX) delta = g is solved through the m x m matrix I + S K S (K = XX', S = D^1/2,
 * Woodbury), so a 300-dimensional fit on a few dozen attribute words costs m^2 d, not d^3. */
#include "mizani/alloc.h"
#include "mizani/stats.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <string.h>

#define MAX_ITER 100

typedef struct fit {
    const double *x; /* [m, d] */
    const int *y;    /* [m] in {-1, +1} */
    size_t m, d;     /* d without the bias feature */
    double c;
} fit;

/* x_i . w with the bias feature 1 */
static double margin(const fit *f, const double *w, size_t i) {
    double z = w[f->d];
    for (size_t k = 0; k < f->d; k++)
        z += f->x[i * f->d + k] * w[k];
    return z;
}

static double log1pexp(double t) { return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t)); }

static double objective(const fit *f, const double *w) {
    double o = 0;
    for (size_t k = 0; k <= f->d; k++)
        o += 0.5 * w[k] * w[k];
    for (size_t i = 0; i < f->m; i++)
        o += f->c * log1pexp(-f->y[i] * margin(f, w, i));
    return o;
}

/* g = w + sum_i c (sigma(y_i z_i) - 1) y_i x_i; sd_i = sqrt(c p (1 - p)). Returns |g|. */
static double gradient(double *g, double *sd, const fit *f, const double *w) {
    memcpy(g, w, (f->d + 1) * sizeof *g);
    for (size_t i = 0; i < f->m; i++) {
        double p = 1 / (1 + exp(-f->y[i] * margin(f, w, i)));
        double r = f->c * (p - 1) * f->y[i];
        for (size_t k = 0; k < f->d; k++)
            g[k] += r * f->x[i * f->d + k];
        g[f->d] += r;
        sd[i] = sqrt(f->c * p * (1 - p));
    }
    double n = 0;
    for (size_t k = 0; k <= f->d; k++)
        n += g[k] * g[k];
    return sqrt(n);
}

/* delta = g - X' S M^-1 S X g with M = I + S K S; mm: [m, m] scratch, v: [m] scratch. */
static mz_status newton_step(double *delta, const fit *f, const double *g, const double *sd,
                             const double *gram, double *mm, double *v, mz_ctx *ctx) {
    size_t m = f->m, d = f->d;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < m; j++)
            mm[i * m + j] = sd[i] * gram[i * m + j] * sd[j] + (i == j);
        double xg = g[d]; /* the bias feature */
        for (size_t k = 0; k < d; k++)
            xg += f->x[i * d + k] * g[k];
        v[i] = sd[i] * xg;
    }
    gsl_matrix_view M = gsl_matrix_view_array(mm, m, m);
    gsl_vector_view V = gsl_vector_view_array(v, m);
    if (gsl_linalg_cholesky_decomp1(&M.matrix) || gsl_linalg_cholesky_svx(&M.matrix, &V.vector))
        return mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                       "logistic regression: Newton system not "
                       "positive definite");
    memcpy(delta, g, (d + 1) * sizeof *delta);
    for (size_t i = 0; i < m; i++) {
        double u = sd[i] * v[i];
        for (size_t k = 0; k < d; k++)
            delta[k] -= u * f->x[i * d + k];
        delta[d] -= u;
    }
    return MZ_OK;
}

static void gram_matrix(double *gram, const fit *f) {
    for (size_t i = 0; i < f->m; i++)
        for (size_t j = 0; j <= i; j++) {
            double s = 1; /* bias features multiply to 1 */
            for (size_t k = 0; k < f->d; k++)
                s += f->x[i * f->d + k] * f->x[j * f->d + k];
            gram[i * f->m + j] = gram[j * f->m + i] = s;
        }
}

/* Halves the step until the objective does not rise (Newton on a convex objective rarely
 * needs it, but a far start can overshoot). Near the optimum the objective is flat to
 * rounding, so a rise within rounding error does not count as a rise. */
static void line_search(double *w, double *trial, const double *delta, const fit *f) {
    double before = objective(f, w), slack = 1e-12 * (1 + fabs(before));
    for (double t = 1; t > 1e-10; t /= 2) {
        for (size_t k = 0; k <= f->d; k++)
            trial[k] = w[k] - t * delta[k];
        if (objective(f, trial) <= before + slack) break;
    }
    memcpy(w, trial, (f->d + 1) * sizeof *w);
}

mz_status mz_stats_logistic_fit(double *w, const double *x, const int *y, size_t m, size_t d,
                                double c, mz_ctx *ctx) {
    if (m == 0 || !(c > 0))
        return mz_fail(ctx, MZ_ERR_INPUT, NULL,
                       "logistic regression needs "
                       "samples and a positive C");
    fit f = {x, y, m, d, c};
    double *g = mz_malloc((2 * (d + 1) + (d + 1)) * sizeof *g), *delta = g + d + 1,
           *trial = delta + d + 1;
    double *gram = mz_malloc((2 * m * m + 2 * m) * sizeof *gram), *mm = gram + m * m,
           *sd = mm + m * m, *v = sd + m;
    mz_status rc = g && gram ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc) {
        memset(w, 0, (d + 1) * sizeof *w);
        gram_matrix(gram, &f);
    }
    double g0 = rc ? 0 : gradient(g, sd, &f, w), gn = g0;
    int iter = 0;
    while (!rc && gn > 1e-10 * fmax(1, g0) && iter++ < MAX_ITER) {
        rc = newton_step(delta, &f, g, sd, gram, mm, v, ctx);
        if (!rc) line_search(w, trial, delta, &f);
        if (!rc) gn = gradient(g, sd, &f, w);
    }
    if (!rc && iter > MAX_ITER)
        rc = mz_fail(ctx, MZ_ERR_NUMERIC, NULL,
                     "logistic regression did not converge in %d "
                     "Newton steps",
                     MAX_ITER);
    mz_free(g);
    mz_free(gram);
    return rc;
}
