/* The quick calibration study: every test family on 20 null replications (random-weight BERT
 * and GPT-2 of 2 layers, hidden 32, 128 positions, with the committed Unigram vocabulary and a
 * mask token, and byte-level BPE; Gaussian word vectors), failing when a family's false alarms
 * exceed the binomial 99% bound at the nominal 5%: tests with p < 0.05 before correction, and
 * runs with any Holm-significant test. SEAT and CEAT as Mizani runs them (the null reference
 * for the tests whose words share tokens, each replication's copies being 10 of the other
 * replications' models), and over words alone (printed, not held to the bound). Under the
 * sanitizers (or MZ_CALIBRATION_RUNS) fewer runs. The full study (>= 200 replications, power
 * curves) is calibration_study. */
#include "check.h"
#include "families.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_RUNS 3
#else
#define DEFAULT_RUNS 20
#endif

int main(void) {
    mz_ctx *ctx = mz_ctx_new();
    mz_init(ctx);
    mz_set_threads(1); /* tiny models: threads would spend the time waiting for each other */
    const char *env = getenv("MZ_CALIBRATION_RUNS");
    int runs = env ? atoi(env) : DEFAULT_RUNS;
    char dir[] = "/tmp/mizani-calibration-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    study s;
    study_defaults(&s, 32, dir, 1000);                /* hidden 32: the quick study's budget */
    const char *only = getenv("MZ_CALIBRATION_ONLY"); /* a family's index, for timing */
    for (int f = 0; only && f < F_COUNT; f++)
        s.families[f] = atoi(only) == f;
    CHECK_INT(study_load(&s, "../corpora", ctx), MZ_OK);
    tally t[F_COUNT] = {{0}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int r = 0; r < runs; r++) {
        mz_status rc = study_replicate(&s, 1000 + (unsigned long)r, t, ctx);
        CHECK_INT(rc, MZ_OK);
        if (rc) {
            fprintf(stderr, "%s\n", mz_ctx_message(ctx));
            break;
        }
    }
    /* each replication's null reference from up to 10 of the others' models */
    s.copies = runs > 10 ? 10 : runs > 1 ? (size_t)runs - 1 : 0;
    CHECK_INT(study_reference(&s, t, ctx), MZ_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%d null replications in %.1f s\n", runs,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    tally_print(stdout, t);
    study_print_sets(stdout, &s);
    for (int f = 0; f < F_COUNT; f++) {
        int referred = f == F_SEAT_REF || f == F_CEAT_REF;
        CHECK_INT(t[f].runs, s.families[f] && (!referred || s.copies >= 3) ? runs : 0);
        /* SEAT and CEAT over words alone are what the null reference corrects (the full study
         * shows SEAT's alone above its bound): printed, not held to the bound */
        if (f != F_SEAT && f != F_CEAT) CHECK(tally_ok(&t[f]));
    }
    study_free(&s);
    rmdir(dir);
    mz_ctx_free(ctx);
    return mz_check_result("test_calibration");
}
