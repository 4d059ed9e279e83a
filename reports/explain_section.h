/* Internal to reports/: the explanation section's renderer, called by mz_report_section. */
#ifndef MZ_EXPLAIN_SECTION_H
#define MZ_EXPLAIN_SECTION_H

#include "html_internal.h"

/* The findings of $.sections.explain under `sec` (explain_section.c). */
mz_status mz_explain_section(mz_page *p, xmlNodePtr sec, const json_t *section);

#endif
