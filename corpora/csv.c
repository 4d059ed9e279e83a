/* Comma-separated values as RFC 4180 writes them: fields quoted with '"' when they hold a
 * comma, a quote (doubled) or a line break. Read for the review forms and CrowS-Pairs. */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "probe_file.h"

#include <string.h>

#define MAX_CSV_BYTES ((size_t)256 << 20)

mz_status mz_csv_open(mz_csv *r, const char *path, mz_ctx *ctx) {
    memset(r, 0, sizeof *r);
    r->name = path;
    r->line = 1;
    return mz_read_file(&r->text, &r->len, path, MAX_CSV_BYTES, ctx);
}

void mz_csv_close(mz_csv *r) {
    mz_free(r->buf);
    mz_free(r->starts);
    mz_free(r->fields);
    mz_free(r->text);
    memset(r, 0, sizeof *r);
}

/* Appends byte c to the row buffer; a NUL byte ends a field. */
static int put(mz_csv *r, char c) {
    if (mz_grow((void **)&r->buf, &r->buf_cap, r->buf_len + 1, 1)) return -1;
    r->buf[r->buf_len++] = c;
    return 0;
}

/* Starts field number r->n at the current end of the row buffer. */
static int start_field(mz_csv *r) {
    if (mz_grow((void **)&r->starts, &r->cap, r->n + 1, sizeof *r->starts)) return -1;
    r->starts[r->n++] = r->buf_len;
    return 0;
}

/* Points r->fields at the row's fields, now that the buffer no longer moves. */
static mz_status finish_row(mz_csv *r, mz_ctx *ctx) {
    size_t cap = 0;
    mz_free(r->fields);
    r->fields = NULL;
    if (put(r, '\0') || mz_grow((void **)&r->fields, &cap, r->n, sizeof *r->fields))
        return mz_fail(ctx, MZ_ERR_NOMEM, r->name, "out of memory");
    for (size_t i = 0; i < r->n; i++)
        r->fields[i] = r->buf + r->starts[i];
    return MZ_OK;
}

mz_status mz_csv_next(mz_csv *r, int *done, mz_ctx *ctx) {
    r->n = r->buf_len = 0;
    r->row_line = r->line;
    *done = r->pos >= r->len;
    if (*done) return MZ_OK;
    int quoted = 0, at_start = 1, oom = start_field(r);
    while (!oom && r->pos < r->len) {
        char c = r->text[r->pos++];
        if (c == '\0')
            return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->line, 0, "a NUL byte in the text");
        if (c == '"' && quoted && r->pos < r->len && r->text[r->pos] == '"') {
            r->pos++; /* a doubled quote inside quotes is one quote */
        } else if (c == '"' && (quoted || at_start)) {
            quoted = !quoted;
            at_start = 0;
            continue;
        } else if (c == ',' && !quoted) {
            oom = put(r, '\0') || start_field(r);
            at_start = 1;
            continue;
        } else if ((c == '\n' || c == '\r') && !quoted) {
            if (c == '\r' && r->pos < r->len && r->text[r->pos] == '\n') r->pos++;
            r->line++;
            break;
        }
        r->line += c == '\n';
        at_start = 0;
        oom = put(r, c);
    }
    if (oom) return mz_fail(ctx, MZ_ERR_NOMEM, r->name, "out of memory");
    if (quoted)
        return mz_fail_line(ctx, MZ_ERR_INPUT, r->name, r->row_line, 0,
                            "a quoted field is not closed before the end of the file");
    return finish_row(r, ctx);
}

void mz_csv_write_field(FILE *f, const char *s, int last) {
    if (strpbrk(s, ",\"\r\n")) {
        fputc('"', f);
        for (; *s; s++) {
            if (*s == '"') fputc('"', f);
            fputc(*s, f);
        }
        fputc('"', f);
    } else {
        fputs(s, f);
    }
    fputc(last ? '\n' : ',', f);
}
