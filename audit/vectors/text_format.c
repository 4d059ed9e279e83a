/* fastText / GloVe text vectors: an optional "count dim" header line, then one word per
 * line followed by dim numbers, separated by spaces or tabs. The numbers are read from
 * the end of the line, so words that contain spaces (as in GloVe 840B) survive. */
#include "mizani/alloc.h"
#include "vectors_internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* No text vectors line comes near this (300 numbers take about 3 kB). */
#define MZ_VECTORS_MAX_LINE ((size_t)4 << 20)

typedef struct field {
    char *start;
    size_t len;
} field;

typedef struct text_reader {
    mz_vectors *v;
    const char *name;
    long line_no;
    field *fields;
    size_t n_fields, cap_fields;
    float *row;
    long declared_count; /* from the header, -1 without one */
    long n_data;         /* lines with a word and its vector */
} text_reader;

static int is_sep(char c) { return c == ' ' || c == '\t'; }

/* The next field at or after *i: [*start, *i) on return; 0 when the line has no more. */
static int next_field(const char *line, size_t len, size_t *i, size_t *start) {
    while (*i < len && is_sep(line[*i]))
        (*i)++;
    if (*i == len) return 0;
    *start = *i;
    while (*i < len && !is_sep(line[*i]))
        (*i)++;
    return 1;
}

/* Splits the line in place into fields (no copies). 0 on success, -1 on no memory. */
static int split_fields(text_reader *r, char *line, size_t len) {
    r->n_fields = 0;
    for (size_t i = 0, start; next_field(line, len, &i, &start);) {
        if (mz_grow((void **)&r->fields, &r->cap_fields, r->n_fields + 1, sizeof *r->fields))
            return -1;
        r->fields[r->n_fields++] = (field){line + start, i - start};
    }
    return 0;
}

static int parse_long(const field *f, long *out) {
    char buf[32];
    if (f->len == 0 || f->len >= sizeof buf) return 0;
    memcpy(buf, f->start, f->len);
    buf[f->len] = '\0';
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (errno || *end || v < 0) return 0;
    *out = v;
    return 1;
}

/* A field that reads whole as a number: a line with one number too many would otherwise
 * pass it off as part of a word with spaces. */
static int looks_numeric(const field *f) {
    char buf[64];
    if (f->len == 0 || f->len >= sizeof buf) return 0;
    memcpy(buf, f->start, f->len);
    buf[f->len] = '\0';
    char *end;
    strtod(buf, &end);
    return *end == '\0';
}

/* A header is exactly two non-negative integers: the word count and the dimension. */
static int try_header(text_reader *r) {
    long count, dim;
    if (r->n_fields != 2 || !parse_long(&r->fields[0], &count) || !parse_long(&r->fields[1], &dim))
        return 0;
    r->declared_count = count;
    r->v->dim = (size_t)dim;
    return 1;
}

static mz_status bad(text_reader *r, mz_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static mz_status bad(text_reader *r, mz_ctx *ctx, const char *fmt, ...) {
    char cause[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cause, sizeof cause, fmt, ap);
    va_end(ap);
    return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->line_no, 0, "%s", cause);
}

static mz_status parse_numbers(text_reader *r, const field *nums, mz_ctx *ctx) {
    for (size_t i = 0; i < r->v->dim; i++) {
        char *s = nums[i].start, saved = s[nums[i].len];
        s[nums[i].len] = '\0'; /* fields are separated, so this byte is a separator or the end */
        char *end;
        errno = 0;
        float x = strtof(s, &end);
        int ok = end == s + nums[i].len && isfinite(x) && errno != ERANGE;
        if (!ok && errno == ERANGE && end == s + nums[i].len && fabsf(x) < 1)
            ok = 1; /* underflow */
        if (!ok) {
            mz_status rc =
                bad(r, ctx, "'%.40s' is not a finite number (number %zu of the vector)", s, i + 1);
            s[nums[i].len] = saved;
            return rc;
        }
        s[nums[i].len] = saved;
        r->row[i] = x;
    }
    return MZ_OK;
}

/* Fields on the line, counted without recording them; *first_len gets the first's length. */
static size_t count_fields(const char *line, size_t len, size_t *first_len) {
    size_t n = 0;
    *first_len = 0;
    for (size_t i = 0, start; next_field(line, len, &i, &start);)
        if (n++ == 0) *first_len = i - start;
    return n;
}

/* Most lines of a large file hold words nobody asked for: when the line has exactly the
 * word and dim numbers and its first field is not wanted, it is counted and skipped without
 * recording its fields. Anything else takes the full path (and its checks). */
static int skippable(text_reader *r, const char *line, size_t len) {
    if (!r->v->keep || r->v->dim == 0 || len == 0 || is_sep(line[0])) return 0;
    size_t first_len, n = count_fields(line, len, &first_len);
    if (n != r->v->dim + 1 || mz_vectors_wanted(r->v, line, first_len)) return 0;
    return mz_utf8_invalid_at(line, first_len) == 0;
}

static mz_status process_line(text_reader *r, char *line, size_t len, mz_ctx *ctx) {
    if (skippable(r, line, len)) {
        r->n_data++;
        return MZ_OK;
    }
    if (split_fields(r, line, len)) return mz_fail(ctx, MZ_ERR_NOMEM, r->name, "out of memory");
    if (r->n_fields == 0) return MZ_OK; /* blank line */
    if (r->v->dim == 0) {
        if (r->line_no == 1 && try_header(r)) {
            if (r->v->dim == 0) return bad(r, ctx, "the header declares dimension 0");
            return MZ_OK;
        }
        if (r->n_fields < 2) return bad(r, ctx, "a word with no numbers");
        r->v->dim = r->n_fields - 1;
    }
    size_t dim = r->v->dim;
    if (r->n_fields < dim + 1)
        return bad(r, ctx, "%zu numbers, want %zu (the dimension of the %s)", r->n_fields - 1, dim,
                   r->declared_count >= 0 ? "header" : "first line");
    /* allocated only once a line has shown that many numbers, whatever the header claims */
    if (!r->row && !(r->row = mz_malloc(dim * sizeof *r->row)))
        return mz_fail(ctx, MZ_ERR_NOMEM, r->name, "out of memory");
    if (r->n_fields > dim + 1 && looks_numeric(&r->fields[r->n_fields - dim - 1]))
        return bad(r, ctx, "more than %zu numbers (the dimension of the %s)", dim,
                   r->declared_count >= 0 ? "header" : "first line");
    r->n_data++;
    field *nums = r->fields + (r->n_fields - dim);
    char *word = line;
    size_t wlen = (size_t)(nums[0].start - line);
    while (wlen && is_sep(word[wlen - 1]))
        wlen--;
    while (wlen && is_sep(*word))
        word++, wlen--;
    size_t bad_at = mz_utf8_invalid_at(word, wlen);
    if (bad_at)
        return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->line_no, (long)bad_at,
                            "the word is not valid UTF-8");
    if (!mz_vectors_wanted(r->v, word, wlen))
        return MZ_OK; /* numbers of skipped words are not parsed */
    mz_status rc = parse_numbers(r, nums, ctx);
    return rc ? rc : mz_vectors_append(r->v, word, wlen, r->row, ctx);
}

/* A buffered reader of lines with a bound on their length: a file without line ends is an
 * error, not a file read whole into memory; a read error is an error, not the end. */
typedef struct lines {
    FILE *f;
    char *buf;
    size_t cap, start, end; /* unread bytes: buf[start, end); one spare byte after them */
    int eof;
} lines;

/* The next line in [*line, *line + *len), its "\n" (if any) left in the buffer; *got 0 at the
 * end of the file. */
static mz_status next_line(lines *L, char **line, size_t *len, int *got, const text_reader *r,
                           mz_ctx *ctx) {
    for (;;) {
        char *from = L->buf + L->start; /* buf is NULL before the first read */
        char *nl = L->end > L->start ? memchr(from, '\n', L->end - L->start) : NULL;
        if ((nl ? (size_t)(nl - from) : L->end - L->start) > MZ_VECTORS_MAX_LINE)
            return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->line_no + 1, 0,
                                "a line longer than %zu MiB (is this a text vectors file?)",
                                (size_t)MZ_VECTORS_MAX_LINE >> 20);
        if (nl || (L->eof && L->end > L->start)) {
            *line = from;
            *len = (nl ? (size_t)(nl - from) : L->end - L->start);
            L->start += *len + (nl != NULL);
            *got = 1;
            return MZ_OK;
        }
        if (L->eof) {
            *got = 0;
            return MZ_OK;
        }
        if (L->start) { /* the unread part of a line to the front, then read on after it */
            memmove(L->buf, from, L->end - L->start);
            L->end -= L->start, L->start = 0;
        }
        if (mz_grow((void **)&L->buf, &L->cap, L->end + 65536 + 1, 1))
            return mz_fail(ctx, MZ_ERR_NOMEM, r->name, "out of memory reading line %ld",
                           r->line_no + 1);
        size_t n = fread(L->buf + L->end, 1, L->cap - L->end - 1, L->f);
        L->end += n;
        if (!n && ferror(L->f)) return mz_fail_errno(ctx, r->name, "read failed");
        L->eof = n == 0;
    }
}

mz_status mz_vectors_read_text(mz_vectors *v, FILE *f, const char *name, mz_progress *progress,
                               mz_ctx *ctx) {
    text_reader r = {.v = v, .name = name, .declared_count = -1};
    lines L = {.f = f};
    char *line = NULL;
    size_t len = 0;
    int got = 1;
    mz_status rc = MZ_OK;
    while (!rc && !(rc = next_line(&L, &line, &len, &got, &r, ctx)) && got) {
        r.line_no++;
        mz_progress_add(progress, (uint64_t)len + 1);
        while (len && line[len - 1] == '\r')
            len--;
        if (memchr(line, '\0', len))
            rc = mz_fail_line(ctx, MZ_ERR_INPUT, name, r.line_no, 0,
                              "a NUL byte in a text "
                              "vectors file (is it word2vec binary? use --format bin)");
        else
            rc = process_line(&r, line, len, ctx);
    }
    mz_free(L.buf);
    mz_free(r.fields);
    mz_free(r.row);
    if (rc) return rc;
    if (v->dim == 0 || r.n_data == 0)
        return mz_fail(ctx, MZ_ERR_INPUT, name, "no vectors in the file");
    if (r.declared_count >= 0 && r.declared_count != r.n_data)
        return mz_fail(ctx, MZ_ERR_INPUT, name,
                       "the header declares %ld words but the file has "
                       "%ld (truncated?)",
                       r.declared_count, r.n_data);
    return MZ_OK;
}
