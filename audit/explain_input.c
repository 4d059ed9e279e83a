/* Inputs of an explanation, prepared and checked before the model runs: the text's tokens and
 * their roles, its words, and the target as log-probability terms. Every problem with an input
 * is one MZ_ERR_INPUT line naming the input (its label). */
#include "explain_internal.h"
#include "mizani/alloc.h"
#include "mizani/runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

mz_status xnote(mz_explanation *e, mz_ctx *ctx, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t cap = e->n_notes;
    char *s = mz_strdup(buf);
    if (!s || mz_grow((void **)&e->notes, &cap, e->n_notes + 1, sizeof *e->notes)) {
        mz_free(s);
        return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    }
    e->notes[e->n_notes++] = s;
    return MZ_OK;
}

void xinput_clear(xinput *in) {
    mz_free(in->masked), mz_free(in->terms), mz_free(in->query);
    mz_free(in->x), mz_free(in->base), mz_free(in->grad_x), mz_free(in->ig);
    memset(in, 0, sizeof *in);
}

static mz_status nomem(const xjob *j) {
    return mz_fail(j->ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

mz_status xinput_tokens(xinput *in, const xjob *j, const mz_encoding *enc, const uint8_t *role) {
    mz_explanation *e = in->e;
    size_t n = enc->n, cap = n ? n : 1;
    if ((int)n > j->max_len)
        return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                       "%s: %zu tokens, more than the model's %d positions", e->label, n,
                       j->max_len);
    for (size_t i = 0; i < n; i++)
        if (enc->ids[i] < 0 || enc->ids[i] >= j->V)
            return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                           "%s: token id %d is beyond the model's vocabulary of %d: is the "
                           "tokenizer the model's own?",
                           e->label, enc->ids[i], j->V);
    e->n_tokens = n, in->T = (int)n;
    e->ids = mz_malloc(cap * sizeof *e->ids), e->start = mz_malloc(cap * sizeof *e->start);
    e->end = mz_malloc(cap * sizeof *e->end), e->role = mz_malloc(cap);
    e->tokens = mz_calloc(cap, sizeof *e->tokens);
    uint8_t *special = mz_malloc(cap);
    if (!e->ids || !e->start || !e->end || !e->role || !e->tokens || !special) {
        mz_free(special);
        return nomem(j);
    }
    memcpy(e->ids, enc->ids, n * sizeof *e->ids);
    memcpy(e->start, enc->start, n * sizeof *e->start);
    memcpy(e->end, enc->end, n * sizeof *e->end);
    memcpy(e->role, role, n);
    for (size_t i = 0; i < n; i++) {
        const char *tok = mz_tokenizer_token(j->t, enc->ids[i]);
        special[i] = role[i] != MZ_ROLE_WORD;
        if (!(e->tokens[i] = mz_strdup(tok ? tok : "?"))) {
            mz_free(special);
            return nomem(j);
        }
    }
    /* the words of the text alone: special and target tokens belong to none */
    mz_encoding w = {.n = n,
                     .ids = e->ids,
                     .start = e->start,
                     .end = e->end,
                     .word_ids = enc->word_ids,
                     .special = special};
    mz_status rc = mz_attr_words_from_encoding(&e->words, &w, j->ctx);
    mz_free(special);
    return rc;
}

/* ---- text helpers */

static size_t count_of(const char *s, const char *what) {
    size_t k = 0, n = strlen(what);
    for (const char *p = strstr(s, what); p; p = strstr(p + n, what))
        k++;
    return k;
}

/* s with every `from` replaced by `to` (mz_free). */
static char *replace_all(const char *s, const char *from, const char *to) {
    size_t nf = strlen(from), nt = strlen(to), k = count_of(s, from);
    char *out = mz_malloc(strlen(s) + k * nt + 1), *o = out;
    if (!out) return NULL;
    for (const char *p = s, *q; *p; p = q + nf) {
        if (!(q = strstr(p, from))) {
            strcpy(o, p);
            return out;
        }
        memcpy(o, p, (size_t)(q - p)), o += q - p;
        memcpy(o, to, nt), o += nt;
    }
    *o = 0;
    return out;
}

mz_status xrelabel(const xjob *j, mz_status rc, const char *label) {
    long long at = mz_ctx_offset(j->ctx);
    if (at >= 0)
        return mz_fail(j->ctx, rc, NULL, "%s: byte %lld: %s", label, at, mz_ctx_cause(j->ctx));
    return mz_fail(j->ctx, rc, NULL, "%s: %s", label, mz_ctx_cause(j->ctx));
}

static mz_status encode(mz_encoding *enc, const xjob *j, const char *text, int special,
                        const char *label) {
    mz_status rc = mz_tokenizer_encode(enc, j->t, text, strlen(text), special, j->ctx);
    return rc ? xrelabel(j, rc, label) : MZ_OK;
}

/* The pieces a word takes where it stands at bytes [at, at + strlen(word)) of `text`: the
 * tokens inside that span (leading whitespace allowed, as byte-level BPE attaches it). Refuses a
 * word that maps to the unknown token, that merges with the text around it, or that splits when
 * the options refuse splits. */
typedef struct pieces {
    int32_t ids[64];
    int n;
} pieces;

static void piece_list(char *buf, size_t cap, const xjob *j, const pieces *p) {
    size_t k = 0;
    buf[0] = 0;
    for (int i = 0; i < p->n && k + 1 < cap; i++) {
        const char *tok = mz_tokenizer_token(j->t, p->ids[i]);
        k += (size_t)snprintf(buf + k, cap - k, "%s%s", i ? " " : "", tok ? tok : "?");
    }
}

static mz_status word_pieces(pieces *p, const xjob *j, const char *text, size_t at,
                             const char *word, const char *what, const char *label) {
    mz_encoding enc = {0};
    size_t end = at + strlen(word);
    int32_t unk = mz_unknown_id(j->t);
    p->n = 0;
    if (!*word) return mz_fail(j->ctx, MZ_ERR_INPUT, NULL, "%s: the %s word is empty", label, what);
    mz_status rc = encode(&enc, j, text, !j->causal, label);
    for (size_t i = 0; !rc && i < enc.n; i++) {
        if (enc.special[i] || enc.end[i] <= at || enc.start[i] >= end) continue;
        int inside = enc.end[i] <= end;
        for (size_t b = enc.start[i]; b < at && inside; b++)
            inside = text[b] == ' ';
        if (!inside)
            rc = mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                         "%s: the %s word '%s' merges with the text around it into one token; "
                         "separate it with a space",
                         label, what, word);
        else if (enc.ids[i] == unk && unk >= 0)
            rc = mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                         "%s: the %s word '%s' is not in the model's vocabulary (the tokenizer "
                         "maps it to %s)",
                         label, what, word, mz_tokenizer_token(j->t, unk));
        else if (p->n == 64)
            rc = mz_fail(j->ctx, MZ_ERR_INPUT, NULL, "%s: the %s word '%s' takes over 64 tokens",
                         label, what, word);
        else
            p->ids[p->n++] = enc.ids[i];
    }
    mz_encoding_clear(&enc);
    if (!rc && p->n == 0)
        rc = mz_fail(j->ctx, MZ_ERR_INPUT, NULL, "%s: the %s word '%s' gives no token", label, what,
                     word);
    if (!rc && p->n > 1 && j->o->split == MZ_EXPLAIN_SPLIT_REFUSE) {
        char list[512];
        piece_list(list, sizeof list, j, p);
        rc = mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                     "%s: the %s word '%s' is not one token: the tokenizer splits it into %d "
                     "(%s); --split sum scores the sum of their log-probabilities, all masked",
                     label, what, word, p->n, list);
    }
    return rc;
}

/* The target's pieces (and the contrast's) where `at` stands in text, filled into a copy of
 * the text with the word in place of bytes [at, at + cut). */
static mz_status fill_pieces(pieces *p, const xjob *j, const char *text, size_t at, size_t cut,
                             const char *sep, const char *word, const char *what,
                             const char *label) {
    size_t n = strlen(text), nw = strlen(word), ns = strlen(sep);
    char *filled = mz_malloc(n + ns + nw + 1);
    if (!filled) return nomem(j);
    memcpy(filled, text, at);
    memcpy(filled + at, sep, ns);
    memcpy(filled + at + ns, word, nw);
    strcpy(filled + at + ns + nw, text + at + cut);
    mz_status rc = word_pieces(p, j, filled, at + ns, word, what, label);
    mz_free(filled);
    return rc;
}

static mz_status set_str(char **dst, const xjob *j, const char *s) {
    return s && !(*dst = mz_strdup(s)) ? nomem(j) : MZ_OK;
}

static mz_status alloc_target(xinput *in, const xjob *j, int n_terms, int n_query) {
    in->n_copies = 1;
    in->masked = mz_malloc(sizeof *in->masked);
    in->terms = mz_calloc((size_t)n_terms + 1, sizeof *in->terms);
    in->query = mz_calloc((size_t)n_query + 1, sizeof *in->query);
    if (!in->masked || !in->terms || !in->query) return nomem(j);
    in->masked[0] = -1;
    return MZ_OK;
}

/* Terms of a target of k pieces at rows pos[i] (a contrast's pieces subtracted). */
static mz_status target_terms(xinput *in, const xjob *j, const int *pos, const pieces *tgt,
                              const pieces *con) {
    int k = tgt ? tgt->n : 1;
    mz_status rc = alloc_target(in, j, 2 * k, k);
    for (int i = 0; !rc && i < k; i++) {
        in->query[in->n_query++] = pos[i];
        if (tgt) in->terms[in->n_terms++] = (xterm){0, pos[i], tgt->ids[i], 1.0f};
        if (con) in->terms[in->n_terms++] = (xterm){0, pos[i], con->ids[i], -1.0f};
    }
    in->predict = !tgt;
    if (!tgt) in->n_terms = 1, in->terms[0] = (xterm){0, pos[0], -1, 1.0f};
    return rc;
}

static mz_status check_contrast(const xjob *j, const pieces *tgt, const pieces *con,
                                const char *label) {
    if (!con || tgt->n == con->n) return MZ_OK;
    return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                   "%s: the target '%s' takes %d token%s and the contrast '%s' %d; a difference "
                   "of log-probabilities needs the same mask positions for both",
                   label, j->o->target, tgt->n, tgt->n == 1 ? "" : "s", j->o->contrast, con->n);
}

/* ---- masked LMs */

/* The text with the tokenizer's mask token (users write [MASK] for every model), and where it
 * stands. */
static mz_status find_mask(char **text, size_t *at, const xjob *j, const char *given,
                           const char *label) {
    const char *ms = mz_tokenizer_token(j->t, j->mask_id);
    *text = strcmp(ms, "[MASK]") ? replace_all(given, "[MASK]", ms) : mz_strdup(given);
    if (!*text) return nomem(j);
    size_t k = count_of(*text, ms);
    if (k == 0)
        return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                       "%s: no [MASK] in the text; a masked LM (%s) explains the word it "
                       "predicts at its mask token",
                       label, j->c->model_type);
    if (k > 1)
        return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                       "%s: %zu mask tokens (%s); a masked LM explains one at a time", label, k,
                       ms);
    *at = (size_t)(strstr(*text, ms) - *text);
    return MZ_OK;
}

/* The encoding with its one mask token repeated k times (a target of k pieces). */
static mz_status expand_mask(mz_encoding *out, int *pos, const mz_encoding *enc, int32_t mask_id,
                             int k, const xjob *j, const char *label) {
    size_t at = enc->n, n = enc->n + (size_t)k - 1;
    for (size_t i = 0; i < enc->n; i++)
        if (enc->ids[i] == mask_id) at = i;
    if (at == enc->n)
        return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                       "%s: the tokenizer does not read the text's %s as its mask token", label,
                       mz_tokenizer_token(j->t, mask_id));
    out->ids = mz_malloc(n * sizeof *out->ids), out->start = mz_malloc(n * sizeof *out->start);
    out->end = mz_malloc(n * sizeof *out->end), out->word_ids = mz_malloc(n * 4);
    out->special = mz_malloc(n);
    if (!out->ids || !out->start || !out->end || !out->word_ids || !out->special) return nomem(j);
    out->n = out->cap = n;
    for (size_t i = 0, o = 0; i < enc->n; i++)
        for (int r = 0; r < (i == at ? k : 1); r++, o++) {
            out->ids[o] = enc->ids[i], out->start[o] = enc->start[i], out->end[o] = enc->end[i];
            out->word_ids[o] = i == at ? -1 : enc->word_ids[i];
            out->special[o] = enc->special[i];
            if (i == at) pos[r] = (int)o;
        }
    return MZ_OK;
}

static mz_status masked_text(xinput *in, const xjob *j, const char *given, const char *label) {
    mz_explanation *e = in->e;
    const mz_explain_options *o = j->o;
    size_t at = 0;
    pieces tgt, con;
    mz_encoding enc = {0}, wide = {0};
    int pos[64];
    mz_status rc = find_mask(&e->text, &at, j, given, label);
    const char *ms = e->text ? mz_tokenizer_token(j->t, j->mask_id) : "";
    if (!rc && o->target)
        rc = fill_pieces(&tgt, j, e->text, at, strlen(ms), "", o->target, "target", label);
    if (!rc && o->contrast)
        rc = fill_pieces(&con, j, e->text, at, strlen(ms), "", o->contrast, "contrast", label);
    if (!rc && o->target) rc = check_contrast(j, &tgt, o->contrast ? &con : NULL, label);
    if (!rc) rc = encode(&enc, j, e->text, 1, label);
    if (!rc) rc = expand_mask(&wide, pos, &enc, j->mask_id, o->target ? tgt.n : 1, j, label);
    uint8_t *role = rc ? NULL : mz_malloc(wide.n + 1);
    if (!rc && !role) rc = nomem(j);
    for (size_t i = 0; role && i < wide.n; i++)
        role[i] = wide.word_ids[i] < 0 && wide.ids[i] == j->mask_id ? MZ_ROLE_TARGET
                  : wide.special[i]                                 ? MZ_ROLE_SPECIAL
                                                                    : MZ_ROLE_WORD;
    if (!rc) rc = xinput_tokens(in, j, &wide, role);
    if (!rc)
        rc = target_terms(in, j, pos, o->target ? &tgt : NULL,
                          o->target && o->contrast ? &con : NULL);
    e->kind = MZ_EXPLAIN_MASKED;
    mz_free(role);
    mz_encoding_clear(&enc);
    mz_free(wide.ids), mz_free(wide.start), mz_free(wide.end), mz_free(wide.word_ids);
    mz_free(wide.special);
    return rc;
}

/* ---- decoders */

/* The text and the continuation (or target word) after it: tokens of the text, then the
 * continuation's, which must not merge with the text's last token. */
static mz_status decoder_text(xinput *in, const xjob *j, const char *given, const char *label) {
    mz_explanation *e = in->e;
    const mz_explain_options *o = j->o;
    const char *after = o->continuation ? o->continuation : o->target;
    if (strstr(given, "[MASK]") || strstr(given, "<mask>"))
        return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                       "%s: a decoder (%s) has no [MASK]: it predicts the token after the text; "
                       "give the text before the word, and the word with --target",
                       label, j->c->model_type);
    size_t n = strlen(given);
    while (n && given[n - 1] == ' ') /* a trailing space would be a token of its own */
        n--;
    if (!n)
        return mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                       "%s: the text is empty; a decoder needs the words before the one it "
                       "predicts",
                       label);
    const char *sep = after && after[0] != ' ' ? " " : "";
    pieces tgt = {.n = 0}, con;
    mz_status rc = MZ_OK;
    if (o->continuation) {
        mz_explain_options one = *o; /* a continuation is any number of tokens */
        xjob jj = *j;
        one.split = MZ_EXPLAIN_SPLIT_SUM, jj.o = &one;
        rc = fill_pieces(&tgt, &jj, given, n, strlen(given) - n, sep, after, "continuation", label);
    } else if (o->target)
        rc = fill_pieces(&tgt, j, given, n, strlen(given) - n, sep, after, "target", label);
    int cont = tgt.n > 1 || o->continuation; /* scored token by token, each given the ones before */
    if (!rc && o->contrast && cont)
        rc = mz_fail(j->ctx, MZ_ERR_INPUT, NULL,
                     "%s: a contrast compares two next tokens, and '%s' takes %d tokens", label,
                     after, tgt.n);
    if (!rc && o->contrast)
        rc = fill_pieces(&con, j, given, n, strlen(given) - n, o->contrast[0] != ' ' ? " " : "",
                         o->contrast, "contrast", label);
    if (rc) return rc;
    /* the explained text: the given one, and the continuation when its tokens are inputs */
    size_t na = cont ? strlen(sep) + strlen(after) : 0;
    if (!(e->text = mz_malloc(n + na + 1))) return nomem(j);
    memcpy(e->text, given, n);
    snprintf(e->text + n, na + 1, "%s%s", cont ? sep : "", cont ? after : "");
    mz_encoding enc = {0};
    rc = encode(&enc, j, e->text, 0, label);
    uint8_t *role = rc ? NULL : mz_malloc(enc.n + 1);
    int ctx_tokens = 0, pos[64];
    if (!rc && !role) rc = nomem(j);
    for (size_t i = 0; role && i < enc.n; i++) {
        role[i] = enc.start[i] >= n && cont ? MZ_ROLE_TARGET
                  : enc.special[i]          ? MZ_ROLE_SPECIAL
                                            : MZ_ROLE_WORD;
        ctx_tokens += enc.start[i] < n;
    }
    if (!rc && ctx_tokens == 0)
        rc = mz_fail(j->ctx, MZ_ERR_INPUT, NULL, "%s: the text gives no token", label);
    if (!rc) rc = xinput_tokens(in, j, &enc, role);
    int k = cont ? tgt.n : 1;
    for (int i = 0; i < k; i++) /* row ctx_tokens - 1 + i predicts the i-th token after the text */
        pos[i] = ctx_tokens - 1 + i;
    if (!rc)
        rc = target_terms(in, j, pos, o->target || o->continuation ? &tgt : NULL,
                          o->contrast ? &con : NULL);
    e->kind = cont ? MZ_EXPLAIN_CONTINUATION : MZ_EXPLAIN_NEXT;
    in->removes = 1;
    mz_free(role);
    mz_encoding_clear(&enc);
    return rc;
}

mz_status xinput_text(xinput *in, mz_explanation *e, const xjob *j, const char *text,
                      const char *label) {
    memset(in, 0, sizeof *in);
    in->e = e;
    const char *word = j->o->continuation ? j->o->continuation : j->o->target;
    mz_status rc = set_str(&e->label, j, label);
    if (!rc) rc = j->causal ? decoder_text(in, j, text, label) : masked_text(in, j, text, label);
    if (!rc) rc = set_str(&e->predicted, j, word);
    if (!rc) rc = set_str(&e->contrast, j, j->o->contrast);
    return rc;
}

/* ---- sentences of minimal pairs */

mz_status xinput_sentence(xinput *in, mz_explanation *e, const xjob *j, const char *text,
                          const char *label, const mz_encoding *enc, const uint8_t *scored) {
    memset(in, 0, sizeof *in);
    in->e = e;
    int n = (int)enc->n, k = 0;
    for (int i = j->causal; i < n; i++)
        k += scored[i] != 0;
    uint8_t *role = mz_malloc((size_t)n + 1);
    mz_status rc = set_str(&e->label, j, label);
    if (!rc) rc = set_str(&e->text, j, text);
    if (!rc && !role) rc = nomem(j);
    for (int i = 0; role && i < n; i++)
        role[i] = enc->special[i] ? MZ_ROLE_SPECIAL : MZ_ROLE_WORD;
    if (!rc) rc = xinput_tokens(in, j, enc, role);
    mz_free(role);
    if (rc) return rc;
    e->kind = j->causal ? MZ_EXPLAIN_LOGLIK : MZ_EXPLAIN_PLL;
    in->n_copies = j->causal ? 1 : (k ? k : 1);
    in->masked = mz_malloc((size_t)in->n_copies * sizeof *in->masked);
    in->terms = mz_calloc((size_t)k + 1, sizeof *in->terms);
    in->query = mz_calloc((size_t)k + 1, sizeof *in->query);
    if (!in->masked || !in->terms || !in->query) return nomem(j);
    in->masked[0] = -1;
    for (int i = j->causal; i < n; i++) {
        if (!scored[i]) continue;
        int copy = j->causal ? 0 : in->n_terms, row = j->causal ? i - 1 : i;
        if (!j->causal) in->masked[copy] = i; /* the pseudo-log-likelihood's copy i */
        in->terms[in->n_terms++] = (xterm){copy, row, enc->ids[i], 1.0f};
        in->query[in->n_query++] = row;
    }
    in->removes = j->causal;
    if (j->causal)
        in->no_faith = "removing a word from a decoder's sentence also removes its own terms "
                       "from the log-likelihood, so the score would not measure its influence";
    if (!k) in->no_faith = "the sentence shares no token with the other";
    char what[160];
    snprintf(what, sizeof what, "%s of the %d tokens shared with the other sentence",
             j->causal ? "log-likelihood" : "pseudo-log-likelihood", k);
    return set_str(&e->target, j, what);
}
