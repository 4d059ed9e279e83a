/* Explanations of a model's prediction through the engine: which words of the input drive a
 * target score (gradient methods, Integrated Gradients, occlusion), where attention goes (raw,
 * rollout, flow, norm-based) and which heads matter (attention attribution), with the
 * faithfulness of every word-level method measured on the same input, so a reader can see which
 * explanation to trust. The methods themselves are pure functions (attribution.h); this job runs
 * the model, builds their inputs and gathers their results.
 *
 * Targets, all natural-log scores of the model (f below):
 *   masked LM, a text with one [MASK] (or the tokenizer's own mask token, e.g. <mask>):
 *     log P(target word at [MASK]); minus log P(contrast word) with a contrast; without a target,
 *     the model's top prediction there. A target word the tokenizer splits into k pieces is
 *     refused (MZ_ERR_INPUT) unless split = MZ_EXPLAIN_SPLIT_SUM: the [MASK] then becomes k mask
 *     tokens and f = the sum of the pieces' log-probabilities, every piece masked (Kurita et
 *     al.'s convention, as `mizani masked` scores multi-token targets).
 *   decoder (GPT-2), a text without [MASK]: log P(next token = target word); without a target,
 *     the top prediction; with a continuation, the log-likelihood of its tokens after the text.
 *   a minimal pair (mz_explain_pairs): each sentence's own score as `mizani pairs` computes it
 *     (pseudo-log-likelihood of the tokens both sentences share for a masked LM, causal
 *     log-likelihood of them for a decoder), attributed on that sentence alone.
 *
 * Work is packed as the forward is: the Integrated Gradients points of one sentence and of
 * several sentences run as rows of one batch, at most max_tokens tokens per pass (memory stays
 * bounded for long inputs and many steps). Results do not depend on the thread count; another
 * packing of the rows (max_tokens) changes only the last bits of the products (test_explain: at
 * most 4e-6 of each array's largest value). */
#ifndef MIZANI_EXPLAIN_H
#define MIZANI_EXPLAIN_H

#include "mizani/attribution.h"
#include "mizani/model.h"
#include "mizani/probes.h"
#include "mizani/progress.h"
#include "mizani/tokenizer.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mz_explain_method {
    MZ_EXPLAIN_IG,         /* Integrated Gradients on the input embeddings (signed) */
    MZ_EXPLAIN_SALIENCY,   /* ||df/dx|| per token (unsigned) */
    MZ_EXPLAIN_GRAD_INPUT, /* df/dx . x per token (signed) */
    MZ_EXPLAIN_OCCLUSION,  /* f(x) - f(x without the word): words only (signed) */
    MZ_EXPLAIN_ATTENTION,  /* the last layer's head-averaged attention from the target rows */
    MZ_EXPLAIN_ROLLOUT,    /* attention rollout from the target rows */
    MZ_EXPLAIN_FLOW,       /* attention flow from the target rows (up to 64 tokens) */
    MZ_EXPLAIN_NORM,       /* the last layer's ||sum_h alpha f(x)|| from the target rows */
    MZ_EXPLAIN_ATTATTR,    /* attention attribution per layer and head: heads and edges */
    MZ_EXPLAIN_N_METHODS
} mz_explain_method;

/* The attention and attribution matrices (layers x heads x T x T numbers: about 5 MB of
 * results.json a matrix for BERT-base at 31 tokens) go into the results and onto the page only
 * for texts of at most this many tokens; the explanation says so beyond. */
#define MZ_EXPLAIN_MAP_MAX_TOKENS 64

/* "ig", "saliency", "grad-input", "occlusion", "attention", "rollout", "flow", "norm",
 * "attattr". */
extern const char *const mz_explain_method_names[MZ_EXPLAIN_N_METHODS];
#define MZ_EXPLAIN_ALL ((1u << MZ_EXPLAIN_N_METHODS) - 1u)
/* A comma-separated list of those names, or "all", as a bit set (1u << method). An unknown name
 * is MZ_ERR_USAGE naming it and the known ones. */
mz_status mz_explain_parse_methods(unsigned *methods, const char *spec, mz_ctx *ctx);

typedef enum mz_explain_baseline {
    MZ_EXPLAIN_BASELINE_AUTO, /* mask for masked LMs, zero for decoders (they have no mask) */
    MZ_EXPLAIN_BASELINE_MASK, /* the mask token's embedding row */
    MZ_EXPLAIN_BASELINE_PAD,  /* the padding token's embedding row */
    MZ_EXPLAIN_BASELINE_ZERO  /* zero vectors */
} mz_explain_baseline;
extern const char *const mz_explain_baseline_names[]; /* "auto", "mask", "pad", "zero" */

typedef enum mz_explain_split {
    MZ_EXPLAIN_SPLIT_REFUSE, /* a target word of several tokens is an input error */
    MZ_EXPLAIN_SPLIT_SUM     /* scored as the sum of its pieces' log-probabilities, all masked */
} mz_explain_split;

typedef struct mz_explain_options {
    unsigned methods;  /* bits 1u << mz_explain_method (MZ_EXPLAIN_ALL) */
    int steps;         /* Integrated Gradients' points (50) */
    mz_attr_rule rule; /* their quadrature (Gauss-Legendre, as Captum's default) */
    int attattr_steps; /* attention attribution's points per layer (20, as Hao et al.) */
    mz_explain_baseline baseline;
    mz_explain_split split;
    const char *target;   /* the word to explain; NULL: the model's top prediction */
    const char *contrast; /* masked LMs: explain log P(target) - log P(contrast) */
    const char
        *continuation;     /* decoders: explain the log-likelihood of this text after the input */
    int faithfulness;      /* 1: occlusion-style curves for every word-level method (1) */
    int max_tokens;        /* tokens per forward pass (2048) */
    mz_progress *progress; /* counts model rows (forward passes of one sequence); may be NULL */
} mz_explain_options;

/* The defaults above. */
void mz_explain_options_init(mz_explain_options *o);

typedef enum mz_explain_kind {
    MZ_EXPLAIN_MASKED,       /* a word at the [MASK] */
    MZ_EXPLAIN_NEXT,         /* a decoder's next token */
    MZ_EXPLAIN_CONTINUATION, /* a decoder's log-likelihood of a continuation */
    MZ_EXPLAIN_PLL,          /* a sentence's pseudo-log-likelihood (masked LM) */
    MZ_EXPLAIN_LOGLIK        /* a sentence's log-likelihood (decoder) */
} mz_explain_kind;

/* How each token takes part. */
typedef enum mz_explain_role {
    MZ_ROLE_WORD,    /* a token of one of the text's words: attributed */
    MZ_ROLE_SPECIAL, /* [CLS], [SEP]: kept in the baseline, in no word */
    MZ_ROLE_TARGET   /* the predicted [MASK] positions, or a continuation: kept, in no word */
} mz_explain_role;

/* One explained input. Arrays of tokens hold n_tokens entries, of words words.n_words. A method
 * not computed has NULL arrays. */
typedef struct mz_explanation {
    char *label;  /* where the input came from: "--text", "texts.txt:3", "pair t-1 (more)" */
    char *text;   /* the text explained ([MASK] spelled as the tokenizer's mask token) */
    char *target; /* the score in words: "log P(mwanamume) - log P(mwanamke) at <mask>" */
    char *predicted, *contrast; /* the target word (the top prediction, without a target) and the
                                   contrast, as the tokenizer decodes them; NULL if none */
    mz_explain_kind kind;
    size_t n_tokens;
    int32_t *ids;
    uint32_t *start, *end; /* each token's byte span in text (0, 0 for added special tokens) */
    char **tokens;         /* each token as the vocabulary spells it */
    uint8_t *role;         /* mz_explain_role */
    mz_attr_words words;   /* the text's words (tokens of role MZ_ROLE_WORD) */
    double fx, fbase;      /* f(x) and f at Integrated Gradients' baseline */
    mz_explain_baseline baseline;
    int steps, attattr_steps;
    mz_attr_rule rule;
    mz_attr_completeness_result completeness;   /* of Integrated Gradients */
    unsigned methods;                           /* the methods computed */
    double *token_scores[MZ_EXPLAIN_N_METHODS]; /* [n_tokens]; NULL for occlusion and attattr */
    double *word_scores[MZ_EXPLAIN_N_METHODS];  /* [n_words]; NULL for attattr */
    /* Faithfulness of each word-level method: the score with the top-k words removed (deletion
     * [W+1]) or only they kept (insertion [W+1]), ranked by the method's word scores. */
    double *deletion[MZ_EXPLAIN_N_METHODS], *insertion[MZ_EXPLAIN_N_METHODS];
    mz_attr_faithfulness_result faithfulness[MZ_EXPLAIN_N_METHODS];
    int layers, heads;
    float *attention;        /* [layers,heads,T,T] the input's attention probabilities */
    double *rollout;         /* [T,T] */
    double *flow;            /* [T] from the target rows */
    double *norm;            /* [layers,T,T] ||sum_h alpha^h_ij f^h(x_j)|| */
    double *attattr;         /* [layers,heads,T,T] */
    double *head_importance; /* [layers,heads] */
    mz_attr_edge *edges;     /* the attribution tree's edges (threshold 0.4), strongest first */
    size_t n_edges;
    char **notes; /* what could not be computed and why, for the reader */
    size_t n_notes;
} mz_explanation;

void mz_explanation_clear(mz_explanation *e);

/* Explains n texts (labels name them in errors and results) with the options' target. Every
 * input is checked before the model runs; a problem with one is MZ_ERR_INPUT naming its label:
 * no [MASK] in a masked LM's text (or more than one), a [MASK] given to a decoder, a target or
 * contrast the tokenizer splits or maps to its unknown token, a text longer than the model's
 * positions, a model without an LM head. out [n], cleared on failure. */
mz_status mz_explain_texts(mz_explanation *out, const mz_model *m, const mz_tokenizer *t,
                           const char *const *texts, const char *const *labels, size_t n,
                           const mz_explain_options *opt, mz_ctx *ctx);

/* The same with a target of each text's own (masked templates: each group word at its frame's
 * mask), still packed together; a NULL target, contrast or continuation here takes none (the
 * options' are not used). */
typedef struct mz_explain_input {
    const char *text, *label;
    const char *target, *contrast, *continuation;
} mz_explain_input;

mz_status mz_explain_inputs(mz_explanation *out, const mz_model *m, const mz_tokenizer *t,
                            const mz_explain_input *in, size_t n, const mz_explain_options *opt,
                            mz_ctx *ctx);

/* A minimal pair explained: both sentences' scores attributed on their own inputs, and their
 * words aligned (the tokens they share, by longest common subsequence, as the pair's score
 * uses them): row r pairs word aligned[r][0] of `more` with word aligned[r][1] of `less`, -1
 * where a word has no partner (the differing target words), in reading order. */
typedef struct mz_pair_explanation {
    const mz_minimal_pair *pair;
    mz_explanation side[2]; /* more, less */
    int (*aligned)[2];
    size_t n_aligned;
} mz_pair_explanation;

void mz_pair_explanation_clear(mz_pair_explanation *p);

/* Explains n pairs; `label` (the pairs file) names them in errors. The options' target,
 * contrast and continuation do not apply. out [n], cleared on failure. */
mz_status mz_explain_pairs(mz_pair_explanation *out, const mz_model *m, const mz_tokenizer *t,
                           const mz_minimal_pair *pairs, size_t n, const char *label,
                           const mz_explain_options *opt, mz_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
