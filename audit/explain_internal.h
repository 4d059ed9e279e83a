/* Internal to the explanation job (audit/explain*.c): prepared inputs, the packed row runner,
 * and the phases that fill an mz_explanation. */
#ifndef MIZANI_EXPLAIN_INTERNAL_H
#define MIZANI_EXPLAIN_INTERNAL_H

#include "mizani/explain.h"

/* What every input of one job shares. */
typedef struct xjob {
    const mz_model *m;
    const mz_model_config *c;
    const mz_tokenizer *t;
    const mz_explain_options *o;
    mz_run *run;
    const float *wte; /* [V,E] the input embedding matrix */
    int E, V, L, H, causal;
    int max_len;      /* tokens the model's positions allow */
    int32_t mask_id;  /* -1 when the tokenizer has none */
    int32_t start_id; /* decoders: what stands for an empty context (-1: none) */
    int32_t fill_id;  /* the baseline's token, -1 for zero vectors */
    mz_ctx *ctx;
} xjob;

/* One log-probability in a target: weight * log P(token) at row `pos` of copy `copy`. */
typedef struct xterm {
    int copy, pos;
    int32_t token;
    float weight;
} xterm;

/* One input, prepared: its explanation (tokens, roles, words), the target as terms over copies
 * of the input (one copy; a pseudo-log-likelihood has one per scored token, each with that token
 * masked), and the accumulators of the phases. */
typedef struct xinput {
    mz_explanation *e;
    int T;
    int n_copies;
    int *masked; /* [n_copies] the position each copy masks, -1 for none */
    xterm *terms;
    int n_terms;
    int predict; /* 1: the target is the model's top prediction at query[0] */
    int *query;  /* rows whose attention is read: the target's rows */
    int n_query;
    int removes;          /* perturbations remove words (decoders) rather than mask them */
    const char *no_faith; /* why perturbations do not apply, or NULL */
    float *x, *base;      /* [T,E] */
    float *grad_x;        /* [T,E] df/dx at x, summed over copies */
    double *ig;           /* [T] */
} xinput;

void xinput_clear(xinput *in);

/* Prepares a text (masked LM or decoder, by the model) with the options' target: every input
 * error is found here, before the model runs. */
mz_status xinput_text(xinput *in, mz_explanation *e, const xjob *j, const char *text,
                      const char *label);
/* Prepares one sentence of a minimal pair scored over the tokens marked `scored` (the tokens
 * it shares with the other sentence); the encoding is the sentence's own, with specials. */
mz_status xinput_sentence(xinput *in, mz_explanation *e, const xjob *j, const char *text,
                          const char *label, const mz_encoding *enc, const uint8_t *scored);
/* Shared by both: the explanation's token arrays from an encoding, roles given. */
mz_status xinput_tokens(xinput *in, const xjob *j, const mz_encoding *enc, const uint8_t *role);
/* The context's failure again, prefixed with the input's label (and the byte it names). */
mz_status xrelabel(const xjob *j, mz_status rc, const char *label);
/* A note for the reader on the explanation (printf-style). */
mz_status xnote(mz_explanation *e, mz_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- The row runner: sequences packed into batches of at most max_tokens tokens. */
typedef enum xmode {
    XM_FORWARD,     /* values only */
    XM_GRAD_EMBEDS, /* values and each row's gradient w.r.t. its token embeddings */
    XM_GRAD_PROBS   /* values, each row's probabilities of one layer and their gradient */
} xmode;

typedef struct xrow {
    const xinput *in;
    int copy;
    int T, shift;          /* tokens; how far the terms moved left (words removed before them) */
    const int32_t *ids;    /* [T]; NULL: the input's own */
    const float *x, *base; /* embeddings: x alone, or the point alpha between base and x; x NULL:
                              the rows of ids */
    double alpha;
    float scale; /* the layer's attention scale (XM_GRAD_PROBS) */
    int kind;    /* the caller's: what this row is */
    double weight;
    int slot;     /* the caller's: which value this row adds to */
    double value; /* written: the row's target value */
} xrow;

/* Called for each row in order: grad [T,E] (XM_GRAD_EMBEDS) or the layer's dprobs [H,T,T] with
 * its probabilities probs [H,T,T] (XM_GRAD_PROBS); NULL in XM_FORWARD. */
typedef mz_status (*xrow_done)(void *user, const xrow *row, const float *grad, const float *probs);

mz_status xrun(const xjob *j, xrow *rows, size_t n, xmode mode, int layer, xrow_done done,
               void *user);

/* ---- Phases (explain.c, explain_faith.c) */
/* Runs every phase over prepared inputs, a group of them at a time (their path inputs and
 * accumulators in memory together, their rows packed together). */
mz_status xexplain(const xjob *j, xinput *ins, size_t n);
mz_status xfaithfulness(const xjob *j, xinput *ins, size_t n);

/* The job's shared state for a model and tokenizer; xjob_free releases the run. */
mz_status xjob_init(xjob *j, const mz_model *m, const mz_tokenizer *t, const mz_explain_options *o,
                    mz_ctx *ctx);
void xjob_free(xjob *j);

#endif
