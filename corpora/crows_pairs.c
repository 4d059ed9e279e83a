/* CrowS-Pairs (Nangia et al. 2020) to a minimal_pairs probe file: every row kept, its bias
 * type as the category, sent_more as `more` (the sentence the paper's metric counts a model
 * for preferring, whether the row is stereo or antistereo), the two sentences' differing
 * words as the target spans. */
#include "mizani/alloc.h"
#include "probe_file.h"

#include <ctype.h>
#include <string.h>

/* The columns CrowS-Pairs' CSV has, by name. */
enum { COL_INDEX, COL_MORE, COL_LESS, COL_DIRECTION, COL_BIAS, N_COLS };
static const char *const column_names[N_COLS] = {"", "sent_more", "sent_less", "stereo_antistereo",
                                                 "bias_type"};

/* Byte offsets of the words of s (split at spaces and line breaks): starts[i], ends[i]. */
static size_t words_of(const char *s, size_t *starts, size_t *ends, size_t cap) {
    size_t n = 0;
    for (size_t i = 0; s[i] && n < cap;) {
        i += strspn(s + i, " \n\r\t");
        if (!s[i]) break;
        starts[n] = i;
        i += strcspn(s + i, " \n\r\t");
        ends[n++] = i;
    }
    return n;
}

#define MAX_WORDS 512

/* The spans of whole words in which a and b differ: [*sa, *ea) of a and [*sb, *eb) of b.
 * When one sentence only inserts words, both spans take in the shared word before (or after)
 * them; punctuation that both spans end in is left out. */
static void diff_spans(const char *a, const char *b, size_t *sa, size_t *ea, size_t *sb,
                       size_t *eb) {
    static size_t as[MAX_WORDS], ae[MAX_WORDS], bs[MAX_WORDS], be[MAX_WORDS];
    size_t na = words_of(a, as, ae, MAX_WORDS), nb = words_of(b, bs, be, MAX_WORDS), p = 0, q = 0;
    /* the text outside the spans must be byte for byte the same, separators included */
    while (p < na && p < nb && ae[p] == be[p] && !memcmp(a, b, ae[p]))
        p++;
    while (q < na - p && q < nb - p && !strcmp(a + as[na - 1 - q], b + bs[nb - 1 - q]))
        q++;
    if (p + q == na || p + q == nb) { /* an insertion: take in a shared neighbour */
        if (p > 0)
            p--;
        else if (q > 0)
            q--;
    }
    /* from the end of the shared leading words to the start of the shared trailing ones, less
       what both still share at either edge (a separator, closing punctuation) */
    *sa = p ? ae[p - 1] : 0, *sb = p ? be[p - 1] : 0;
    *ea = q ? as[na - q] : strlen(a), *eb = q ? bs[nb - q] : strlen(b);
    while (*sa < *ea && *sb < *eb && a[*sa] == b[*sb] && strchr(" \n\r\t", a[*sa]))
        ++*sa, ++*sb;
    while (*ea > *sa + 1 && *eb > *sb + 1 && a[*ea - 1] == b[*eb - 1] &&
           strchr(" \n\r\t.,!?;:", a[*ea - 1]))
        --*ea, --*eb;
}

/* A target id from the two spans: lower case, other bytes as '-', in sorted order so that
 * the same two groups give one id whichever is the stereotyped one. */
static void target_id(char *out, size_t cap, const char *a, size_t la, const char *b, size_t lb) {
    char x[48], y[48];
    const char *src[2] = {a, b};
    size_t len[2] = {la, lb};
    char *dst[2] = {x, y};
    for (int s = 0; s < 2; s++) {
        size_t n = 0;
        for (size_t i = 0; i < len[s] && n + 1 < sizeof x; i++)
            dst[s][n++] =
                isalnum((unsigned char)src[s][i]) ? (char)tolower((unsigned char)src[s][i]) : '-';
        dst[s][n] = '\0';
    }
    int swap = strcmp(x, y) > 0;
    snprintf(out, cap, "crows-t-%s-%s", swap ? y : x, swap ? x : y);
}

static mz_status header_columns(mz_csv *r, int cols[N_COLS], mz_ctx *ctx) {
    for (int c = 1; c <= N_COLS; c++) { /* the unnamed index column (0) last: optional */
        int k = c % N_COLS;
        cols[k] = -1;
        for (size_t f = 0; f < r->n; f++)
            if (!strcmp(r->fields[f], column_names[k])) cols[k] = (int)f;
        if (cols[k] < 0 && k != COL_INDEX)
            return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->row_line, 0,
                                "no column '%s': not a CrowS-Pairs file (its header is "
                                "\",sent_more,sent_less,stereo_antistereo,bias_type,...\")",
                                column_names[k]);
    }
    return MZ_OK;
}

static mz_status add_pair(json_t *pairs, mz_csv *r, const int cols[N_COLS], mz_ctx *ctx) {
    for (int c = 1; c < N_COLS; c++)
        if ((size_t)cols[c] >= r->n || !r->fields[cols[c]][0])
            return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->row_line, 0, "the row has no '%s'",
                                c ? column_names[c] : "index");
    const char *more = r->fields[cols[COL_MORE]], *less = r->fields[cols[COL_LESS]];
    if (!strcmp(more, less))
        return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->row_line, 0,
                            "sent_more and sent_less are the same sentence");
    size_t sa, ea, sb, eb;
    diff_spans(more, less, &sa, &ea, &sb, &eb);
    char id[64], frame[64], target[128], row[24];
    snprintf(row, sizeof row, "%zu", json_array_size(pairs));
    const char *index =
        cols[COL_INDEX] >= 0 && (size_t)cols[COL_INDEX] < r->n ? r->fields[cols[COL_INDEX]] : row;
    snprintf(id, sizeof id, "crows-%.20s-%.20s", index, r->fields[cols[COL_DIRECTION]]);
    snprintf(frame, sizeof frame, "crows-%.20s", index);
    target_id(target, sizeof target, more + sa, ea - sa, less + sb, eb - sb);
    json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s#, s:s#}", "id", id, "category",
                          r->fields[cols[COL_BIAS]], "frame", frame, "target", target, "more", more,
                          "less", less, "target_more", more + sa, (int)(ea - sa), "target_less",
                          less + sb, (int)(eb - sb));
    if (!p || json_array_append_new(pairs, p))
        return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->row_line, 0,
                            "the row is not valid UTF-8 (or out of memory)");
    return MZ_OK;
}

mz_status mz_crows_pairs_json(char **json, size_t *n_pairs, const char *path, mz_ctx *ctx) {
    *json = NULL;
    *n_pairs = 0;
    mz_csv r;
    int done, cols[N_COLS];
    mz_status rc = mz_csv_open(&r, path, ctx);
    if (!rc) rc = mz_csv_next(&r, &done, ctx);
    if (!rc && done) rc = mz_fail(ctx, MZ_ERR_INPUT, path, "empty file");
    if (!rc) rc = header_columns(&r, cols, ctx);
    json_t *pairs = json_array();
    while (!rc && pairs && !(rc = mz_csv_next(&r, &done, ctx)) && !done)
        if (r.n > 1 || r.fields[0][0]) rc = add_pair(pairs, &r, cols, ctx);
    json_t *doc =
        rc || !pairs
            ? NULL
            : json_pack(
                  "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:O}", "schema",
                  MZ_PROBES_SCHEMA, "id", "crows-pairs-en", "kind", "minimal_pairs", "language",
                  "en", "dimension",
                  "race-color, socioeconomic, gender, disability, nationality, sexual-orientation, "
                  "physical-appearance, religion, age",
                  "title", "CrowS-Pairs: more vs less stereotypical sentences (Nangia et al. 2020)",
                  "source",
                  "Nangia, Vania, Bhalerao and Bowman (2020), CrowS-Pairs, EMNLP; converted by "
                  "mizani probes import-crows-pairs",
                  "licence", "CC-BY-SA-4.0", "notes",
                  "Every pair of the CSV, its bias type as the category. 'more' is sent_more, the sentence "
                  "the paper's metric counts a model for preferring, in stereo and antistereo rows alike; "
                  "the id ends in the row's direction. Each row is its own frame (the pairs were written "
                  "independently); the target id names the two differing spans.",
                  "limitations",
                  "Blodgett et al. (2021) found many pairs that do not isolate a stereotype "
                  "or that differ in more than the group; US-centric.",
                  "pairs", pairs);
    if (!rc && !doc) rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    if (!rc && !(*json = json_dumps(doc, JSON_INDENT(1))))
        rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    if (!rc) *n_pairs = json_array_size(pairs);
    json_decref(doc);
    json_decref(pairs);
    mz_csv_close(&r);
    return rc;
}
