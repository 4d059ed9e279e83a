/* Defaults shared by the metrics beyond WEAT. */
#include "mizani/association.h"

void mz_metric_options_default(mz_metric_options *opt) {
    *opt = (mz_metric_options){
        .n_bootstrap = 2000, .n_permutations = 10000, .ci_level = 0.95, .seed = 1};
}
