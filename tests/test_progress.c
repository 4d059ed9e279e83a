/* The progress reporter's line output and its quiet mode. */
#include "check.h"
#include "mizani/progress.h"

#include <stdlib.h>

int main(void) {
    FILE *f = tmpfile();
    mz_progress *p = mz_progress_new(f, MZ_PROGRESS_LINES, "permutations", 200);
    CHECK(p != NULL);
    mz_progress_set_interval(p, 0);
    mz_progress_add(p, 50);
    mz_progress_add(p, 150);
    mz_progress_free(p);
    char *s = slurp(f);
    CHECK_CONTAINS(s, "permutations: 50/200 (25%)");
    CHECK_CONTAINS(s, "permutations: 200/200 (100%)");
    CHECK_CONTAINS(s, ", done\n");
    CHECK(strstr(s, "\r") == NULL); /* logs get whole lines, not redraws */
    free(s);
    fclose(f);

    f = tmpfile();
    p = mz_progress_new(f, MZ_PROGRESS_QUIET, "quiet", 10);
    mz_progress_add(p, 10);
    mz_progress_free(p);
    CHECK_INT(ftell(f), 0);
    fclose(f);

    f = tmpfile();
    p = mz_progress_new(f, MZ_PROGRESS_LINES, "sentences", 0); /* unknown total */
    mz_progress_set_interval(p, 0);
    mz_progress_add(p, 7);
    mz_progress_free(p);
    s = slurp(f);
    CHECK_CONTAINS(s, "sentences: 7,");
    CHECK(strstr(s, "ETA") == NULL);
    free(s);
    fclose(f);

    f = tmpfile(); /* a total learnt after the start: percentages from then on */
    p = mz_progress_new(f, MZ_PROGRESS_LINES, "pairs", 0);
    mz_progress_set_interval(p, 0);
    mz_progress_set_total(p, 40);
    mz_progress_add(p, 10);
    mz_progress_free(p);
    s = slurp(f);
    CHECK_CONTAINS(s, "pairs: 10/40 (25%)");
    free(s);
    fclose(f);
    return mz_check_result("test_progress");
}
