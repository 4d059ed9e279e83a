/* How every test's inference is shown: its units, the smallest effect it could detect, and
 * "cannot reach significance" in place of a p-value when it has too few units; numbers that
 * are not finite become JSON null. */
#include "cli.h"

#include <math.h>
#include <stdio.h>

json_t *mz_cli_number(double x) { return isfinite(x) ? json_real(x) : json_null(); }

const char *mz_cli_p_text(char *buf, size_t n, double p, const mz_inference *inf) {
    if (!inf->can_reach)
        snprintf(buf, n, "too few");
    else if (isfinite(p))
        snprintf(buf, n, "%.4f", p);
    else
        snprintf(buf, n, "-");
    return buf;
}

json_t *mz_cli_inference_json(const mz_inference *inf) {
    json_t *o = json_pack("{s:s, s:I, s:o, s:o, s:f, s:b}", "unit", inf->unit ? inf->unit : "",
                          "units", (json_int_t)inf->n_units, "mde_80", mz_cli_number(inf->mde),
                          "min_p", mz_cli_number(inf->min_p), "alpha", inf->alpha,
                          "can_reach_significance", inf->can_reach);
    if (o && !inf->can_reach) {
        char why[160];
        snprintf(why, sizeof why, "%zu %s cannot give p < %g: no p-value is reported", inf->n_units,
                 inf->unit ? inf->unit : "units", inf->alpha);
        json_object_set_new(o, "caveat", json_string(why));
    }
    return o;
}

void mz_cli_inference_note(FILE *o) {
    fprintf(o,
            "units: the independent units the test rests on; mde: the smallest effect it detects\n"
            "with 80%% power at alpha 0.05 given those units; 'too few': the design cannot give\n"
            "p < 0.05 (no p-value is reported).\n");
}
