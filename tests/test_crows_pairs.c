/* The real CrowS-Pairs file, where ../shared has it: all 1,508 pairs kept, with the bias-type
 * counts of Nangia et al. (2020), Table 1, and every pair a valid minimal pair. */
#include "check.h"
#include "mizani/probes.h"

#include <stdio.h>
#include <stdlib.h>

#define CROWS MZ_SHARED_DATA "/crows-pairs/crows_pairs_anonymized.csv"

int main(void) {
    FILE *f = fopen(CROWS, "rb");
    if (!f) {
        printf("SKIP: %s is absent (../shared has no CrowS-Pairs copy)\n", CROWS);
        return 77;
    }
    fclose(f);
    mz_ctx *ctx = mz_ctx_new();
    char *json;
    size_t n;
    CHECK_INT(mz_crows_pairs_json(&json, &n, CROWS, ctx), MZ_OK);
    CHECK_INT(n, 1508);
    mz_probe_set *s = NULL;
    if (json) CHECK_INT(mz_probes_parse(&s, json, strlen(json), "crows-pairs-en.json", ctx), MZ_OK);
    static const struct {
        const char *category;
        size_t n;
    } table[] = {{"race-color", 516}, {"socioeconomic", 172},      {"gender", 262},
                 {"disability", 60},  {"nationality", 159},        {"sexual-orientation", 84},
                 {"religion", 105},   {"physical-appearance", 63}, {"age", 87}};
    for (size_t t = 0; s && t < sizeof table / sizeof *table; t++) {
        size_t count = 0;
        for (size_t i = 0; i < s->n_pairs; i++)
            count += !strcmp(s->pairs[i].category, table[t].category);
        if (count != table[t].n) fprintf(stderr, "%s: %zu pairs\n", table[t].category, count);
        CHECK_INT(count, table[t].n);
    }
    if (s) {
        mz_lint_report r = {0};
        CHECK_INT(mz_probes_lint(&r, s, ctx), MZ_OK);
        CHECK_INT(r.n_errors, 0);
        mz_lint_report_clear(&r);
    }
    mz_probes_free(s);
    free(json);
    mz_ctx_free(ctx);
    return mz_check_result("test_crows_pairs");
}
