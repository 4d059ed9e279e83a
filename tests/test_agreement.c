/* Krippendorff's alpha against the worked examples of Krippendorff (2011), "Computing
 * Krippendorff's Alpha-Reliability": four coders, twelve units, missing values (published
 * alphas 0.743 nominal, 0.815 ordinal, 0.849 interval, 0.797 ratio) and two coders on ten
 * binary units (0.095). The values to 1e-6 were checked with an independent computation from
 * the pairwise definition (every pair of pairable values within a unit, no coincidence
 * matrix), in Python. */
#include "check.h"
#include "mizani/stats.h"

#include <math.h>

#define M NAN

static void test_published(mz_ctx *ctx) {
    const double reliability[4 * 12] = {
        1, 2, 3, 3, 2, 1, 4, 1, 2, M, M, M, /* coder A */
        1, 2, 3, 3, 2, 2, 4, 1, 2, 5, M, 3, /* coder B */
        M, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, M, /* coder C */
        1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, M, /* coder D */
    };
    const struct {
        mz_alpha_metric metric;
        double published, exact;
    } cases[] = {{MZ_ALPHA_NOMINAL, 0.743, 0.743421},
                 {MZ_ALPHA_ORDINAL, 0.815, 0.815388},
                 {MZ_ALPHA_INTERVAL, 0.849, 0.849107},
                 {MZ_ALPHA_RATIO, 0.797, 0.797403}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        double a;
        CHECK_INT(mz_stats_krippendorff_alpha(&a, reliability, 4, 12, cases[i].metric, ctx), MZ_OK);
        CHECK_NEAR(a, cases[i].published, 5e-4);
        CHECK_NEAR(a, cases[i].exact, 1e-6);
    }
    const double binary[2 * 10] = {0, 1, 0, 0, 0, 0, 0, 0, 1, 0, /* */
                                   1, 1, 1, 0, 0, 1, 0, 0, 0, 0};
    double a;
    CHECK_INT(mz_stats_krippendorff_alpha(&a, binary, 2, 10, MZ_ALPHA_NOMINAL, ctx), MZ_OK);
    CHECK_NEAR(a, 0.095238, 1e-6);
    CHECK_NEAR(a, 2.0 / 21.0, 1e-12); /* exactly 2/21 */
}

static void test_edges(mz_ctx *ctx) {
    double a;
    const double same[2 * 3] = {1, 2, 3, 1, 2, 3};
    CHECK_INT(mz_stats_krippendorff_alpha(&a, same, 2, 3, MZ_ALPHA_NOMINAL, ctx), MZ_OK);
    CHECK_NEAR(a, 1, 1e-12);
    const double constant[2 * 3] = {1, 1, 1, 1, 1, 1};
    CHECK_INT(mz_stats_krippendorff_alpha(&a, constant, 2, 3, MZ_ALPHA_NOMINAL, ctx), MZ_ERR_INPUT);
    CHECK(isnan(a));
    CHECK_CONTAINS(mz_ctx_message(ctx), "agreement is undefined");
    const double alone[2 * 2] = {1, M, M, 0}; /* no unit rated twice */
    CHECK_INT(mz_stats_krippendorff_alpha(&a, alone, 2, 2, MZ_ALPHA_NOMINAL, ctx), MZ_ERR_INPUT);
    CHECK_CONTAINS(mz_ctx_message(ctx), "at least two coders");
}

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    test_published(ctx);
    test_edges(ctx);
    mz_ctx_free(ctx);
    return mz_check_result("test_agreement");
}
