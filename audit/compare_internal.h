/* What compare's files share: a checkpoint's findings as compare sees them (identity, what the
 * audit reported, per-item values with their units). Not a public API. */
#ifndef MZ_COMPARE_INTERNAL_H
#define MZ_COMPARE_INTERNAL_H

#include "mizani/compare.h"

/* One item of a finding. */
typedef struct cmp_item {
    const char *key;  /* identity across checkpoints (with the group) */
    const char *unit; /* the unit of inference it belongs to; NULL: itself */
    const char *word; /* masked cells: the target word, the crossed unit (the attribute: unit) */
    int group;        /* association: 0 for X, 1 for Y */
    int row;          /* the word's row (a SEAT sentence, a CEAT context); 0 for a word alone */
    int tested;       /* pairs: the two sentences have equal token counts */
    double v[2];
} cmp_item;

typedef struct cmp_finding {
    int family;
    const char *id, *title, *language, *dimension, *probe_set, *effect, *reason, *verdict;
    const char *unit_kind;
    int positive_control, computed;
    const char *unpairable; /* why its items cannot be paired (SEAT sentences without a word) */
    double estimate, lo, hi, level, p_holm, null_value;
    cmp_item *items;
    size_t n_items;
    char *own_id;   /* the id, when the checkpoint made it */
    char *own_keys; /* masked cells' keys, "attribute US word", one after another */
} cmp_finding;

typedef struct cmp_probe {
    const char *id, *sha256, *version, *language;
} cmp_probe;

#define CMP_MAX_TOKEN_LEVEL 8

struct mz_checkpoint {
    char *label, *source;
    mz_results *tree; /* owned; NULL for findings added from memory */
    const char *tokenizer_sha256, *run_id;
    cmp_probe *probes;
    size_t n_probes;
    cmp_finding *f;
    size_t n, cap;
    const char *token_level[CMP_MAX_TOKEN_LEVEL]; /* sections whose units are tokens */
    size_t n_token_level;
};

/* The finding of `family` and `id` in cp, or NULL. */
const cmp_finding *cmp_find(const mz_checkpoint *cp, int family, const char *id);

#endif
