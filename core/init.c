/* Process-wide set-up: GSL's error handler, thread counts, version and build provenance. */
#include "mizani/mizani.h"

#include <cblas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>
#include <jansson.h>
#include <libxml/xmlversion.h>
#include <stdio.h>
#include <unicode/uversion.h>
#include <utf8proc.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static int n_threads; /* 0: all cores */

mz_status mz_init(mz_ctx *ctx) {
    (void)ctx;
    /* GSL's default handler calls abort(); Mizani checks every GSL status instead. */
    gsl_set_error_handler_off();
    /* OpenBLAS on one thread (as mz_run_new also makes it): Mizani's OpenMP threads split the
     * work, and GSL's few BLAS calls are small. */
    openblas_set_num_threads(1);
    return MZ_OK;
}

void mz_set_threads(int threads) {
    n_threads = threads > 0 ? threads : 0;
    int n = mz_threads();
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
}

int mz_threads(void) {
    if (n_threads > 0) return n_threads;
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

const char *mz_version(void) { return MZ_VERSION; }

const char *mz_build_info(void) {
    static char info[512];
    if (!info[0]) {
        UVersionInfo icu;
        char icu_s[U_MAX_VERSION_STRING_LENGTH];
        u_getVersion(icu);
        u_versionToString(icu, icu_s);
        snprintf(info, sizeof info, "GSL %s, ICU %s, utf8proc %s, libxml2 %s, jansson %s, %s",
                 gsl_version, icu_s, utf8proc_version(), LIBXML_DOTTED_VERSION,
                 jansson_version_str(), openblas_get_config());
    }
    return info;
}
