/* The compare section of a report, drawn from the tree (compare_section.c). */
#ifndef MZ_COMPARE_SECTION_H
#define MZ_COMPARE_SECTION_H

#include "html_internal.h"

/* $.sections.compare under `sec`: per pair of checkpoints and family, paired plots, change
 * plots and a table of outcomes in words; trajectories beyond two checkpoints; what was not
 * compared. */
mz_status mz_compare_section(mz_page *p, xmlNodePtr sec, const json_t *root, const json_t *section);

#endif
