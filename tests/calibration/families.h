/* One replication of the calibration study: every test family run on fresh null data (Gaussian
 * word vectors; a random-weight BERT and GPT-2 seeded by the replication), with each family's
 * tests counted: how many could reach significance, how many had p < 0.05 before correction,
 * and whether any survived Holm across the family's tests of the run. */
#ifndef MZ_TESTS_FAMILIES_H
#define MZ_TESTS_FAMILIES_H

#include "mizani/mizani.h"
#include "mizani/probes.h"
#include "mizani/weat_units.h"

typedef enum family {
    F_WEAT,        /* static WEAT on Gaussian vectors, permutation over words */
    F_RND,         /* RND (WEFE) on Gaussian vectors, S = X, permutation of attribute labels */
    F_SEAT,        /* SEAT, words as units alone (--null-reference 0) */
    F_CEAT,        /* CEAT, words as units alone */
    F_SEAT_REF,    /* SEAT as run by default: a test whose target words share tokens with other
                    * words gets its null reference from random copies (other replications' models) */
    F_CEAT_REF,    /* CEAT as run by default, the same */
    F_MASKED,      /* masked templates, target words permuted */
    F_MASKED_LANG, /* masked templates, Swahili vs English (paired words permuted) */
    F_PLL,         /* minimal pairs, pseudo-log-likelihood, target clusters */
    F_AUL,         /* minimal pairs, all-unmasked likelihood */
    F_CAUSAL,      /* minimal pairs, GPT-2 log-likelihood */
    F_LANG,        /* minimal pairs, Swahili vs English (paired) */
    F_COUNT
} family;

extern const char *const family_names[F_COUNT];

typedef struct tally {
    unsigned long tests;    /* tests that could reach significance */
    unsigned long hits;     /* ... with p < 0.05 before correction */
    unsigned long too_few;  /* tests that said they cannot reach significance */
    unsigned long runs;     /* replications */
    unsigned long runs_any; /* ... with any test Holm-significant at 0.05 */
} tally;

/* SEAT's and CEAT's word-level tests of every replication (not computable: d NAN), for the null
 * reference, which takes each replication's copies from the other replications' models. */
typedef struct kept_tests {
    mz_weat_units_result *r[2]; /* [replication][association set]: SEAT, CEAT */
    size_t *shared[2];          /* [replication][association set]: the entry's shared_pieces */
    size_t runs, cap[2], cap_shared[2];
    unsigned long hits[4][64], tests[4][64]; /* per set: SEAT, CEAT, then with the reference */
} kept_tests;

typedef struct study {
    mz_probe_set **assoc, **tpl, **pairs, **masked;
    size_t n_assoc, n_tpl, n_pairs, n_masked;
    const char *bert_tokenizer, *gpt2_tokenizer;
    int layers, hidden, heads, positions;
    const char *workdir;   /* where null models are written */
    uint64_t permutations; /* Monte Carlo permutations per test */
    int families[F_COUNT]; /* 1: run it */
    size_t copies;         /* K: null models a test's reference is drawn from */
    kept_tests kept;
} study;

/* The study's shape: 2 layers, 4 heads, 128 positions, `hidden` units, the committed Unigram
 * vocabulary with a mask token (encoder) and byte-level BPE (decoder), null models written
 * under `workdir`, every family on. */
void study_defaults(study *s, int hidden, const char *workdir, uint64_t permutations);
/* The shipped probe sets under `corpora`. */
mz_status study_load(study *s, const char *corpora, mz_ctx *ctx);
void study_free(study *s);
/* One replication seeded by `seed`, added to t[F_COUNT]. */
mz_status study_replicate(study *s, unsigned long seed, tally *t, mz_ctx *ctx);
/* After the replications: SEAT and CEAT as Mizani runs them by default, with the null reference
 * (s->copies other replications' models as each one's random copies) for the tests whose target
 * words share tokens with other words, added to t[F_SEAT_REF] and t[F_CEAT_REF];
 * nothing when fewer than 3 copies are at hand. */
mz_status study_reference(study *s, tally *t, mz_ctx *ctx);
/* p < 0.05 per association set: SEAT and CEAT, without and with the reference. */
void study_print_sets(FILE *o, const study *s);
/* The bound a tally must stay within: the binomial 99% upper bound at 5%. */
int tally_ok(const tally *t);
void tally_print(FILE *o, const tally *t);

#endif
