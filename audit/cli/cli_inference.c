/* How every test's inference is shown in text: "cannot reach significance" in place of a
 * p-value when it has too few units, and the legend under a table (JSON goes through the
 * results tree: mz_results_inference). */
#include "cli.h"

#include <math.h>
#include <stdio.h>

const char *mz_cli_p_text(char *buf, size_t n, double p, const mz_inference *inf) {
    if (!inf->can_reach)
        snprintf(buf, n, "too few");
    else if (isfinite(p))
        snprintf(buf, n, "%.4f", p);
    else
        snprintf(buf, n, "-");
    return buf;
}

void mz_cli_inference_note(FILE *o) {
    fprintf(o,
            "units: the independent units the test rests on; mde: the smallest effect it detects\n"
            "with 80%% power at alpha 0.05 given those units; 'too few': the design cannot give\n"
            "p < 0.05 (no p-value is reported).\n");
}
