/* Writing reports so that a reader never finds a half-written file: everything goes into a
 * temporary beside its final place and is renamed there. A run killed midway leaves only a
 * temporary, named with its process id, which the next run removes once that process is gone. */
#include "html_internal.h"

#include "mizani/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_MARK ".mizani-tmp-"

/* dirname and basename of path, as new strings. */
static mz_status split_path(char **dir, char **base, const char *path, mz_ctx *ctx) {
    char *a = mz_strdup(path), *b = mz_strdup(path);
    *dir = a ? mz_strdup(dirname(a)) : NULL;
    *base = b ? mz_strdup(basename(b)) : NULL;
    mz_free(a);
    mz_free(b);
    if (*dir && *base) return MZ_OK;
    mz_free(*dir);
    mz_free(*base);
    return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

/* Removes a temporary file or folder (one level deep: that is all a writer makes). */
static void remove_tmp(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *p = mz_strf("%s/%s", path, e->d_name);
        if (p) unlink(p);
        mz_free(p);
    }
    closedir(d);
    rmdir(path);
}

/* Temporaries ".BASE.mizani-tmp-PID" in dir whose process has ended. */
static void clean_stale(const char *dir, const char *base) {
    DIR *d = opendir(dir);
    if (!d) return;
    char *prefix = mz_strf(".%s" TMP_MARK, base);
    size_t np = prefix ? strlen(prefix) : 0;
    struct dirent *e;
    while (prefix && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, np)) continue;
        char *end;
        long pid = strtol(e->d_name + np, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid()) continue;
        if (!kill((pid_t)pid, 0) || errno != ESRCH) continue; /* still writing */
        char *p = mz_strf("%s/%s", dir, e->d_name);
        if (p) remove_tmp(p);
        mz_free(p);
    }
    mz_free(prefix);
    closedir(d);
}

/* The temporary's name for `path` (".BASE.mizani-tmp-PID" beside it), stale ones cleaned. */
static mz_status tmp_name(char **tmp, const char *path, mz_ctx *ctx) {
    char *dir, *base;
    mz_status rc = split_path(&dir, &base, path, ctx);
    if (rc) return rc;
    clean_stale(dir, base);
    *tmp = mz_strf("%s/.%s" TMP_MARK "%ld", dir, base, (long)getpid());
    mz_free(dir);
    mz_free(base);
    return *tmp ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

static mz_status write_all(const char *path, const char *shown, const void *data, size_t len,
                           mz_ctx *ctx) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return mz_fail_errno(ctx, shown, "cannot write");
    const char *p = data;
    while (len) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            mz_status rc = mz_fail_errno(ctx, shown, "cannot write");
            close(fd);
            return rc;
        }
        p += k;
        len -= (size_t)k;
    }
    /* on disk before the rename makes it visible, so a crash cannot expose an empty file */
    if (fsync(fd) || close(fd)) return mz_fail_errno(ctx, shown, "cannot write");
    return MZ_OK;
}

mz_status mz_write_file_atomic(const char *path, const void *data, size_t len, mz_ctx *ctx) {
    char *tmp;
    mz_status rc = tmp_name(&tmp, path, ctx);
    if (rc) return rc;
    rc = write_all(tmp, path, data, len, ctx);
    if (!rc && rename(tmp, path)) rc = mz_fail_errno(ctx, path, "cannot move into place");
    if (rc) unlink(tmp);
    mz_free(tmp);
    return rc;
}

/* A file of a report folder: its name in the folder and its bytes. */
typedef struct out_file {
    char *name, *data;
    size_t len;
} out_file;

static void files_free(out_file *f, size_t n) {
    for (size_t i = 0; f && i < n; i++)
        mz_free(f[i].name), mz_free(f[i].data);
}

/* Every file into the folder `tmp`, then into `dir`: the folder itself when there is none yet
 * (all files appear at once), otherwise file by file. */
static mz_status place(const char *tmp, const char *dir, const out_file *f, size_t n, mz_ctx *ctx) {
    mz_status rc = MZ_OK;
    if (mkdir(tmp, 0777)) rc = mz_fail_errno(ctx, dir, "cannot create the report folder");
    for (size_t i = 0; !rc && i < n; i++) {
        char *t = mz_strf("%s/%s", tmp, f[i].name), *d = mz_strf("%s/%s", dir, f[i].name);
        rc = t && d ? write_all(t, d, f[i].data, f[i].len, ctx)
                    : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
        mz_free(t), mz_free(d);
    }
    struct stat st;
    if (!rc && stat(dir, &st)) {
        if (errno != ENOENT || rename(tmp, dir))
            rc = mz_fail_errno(ctx, dir, "cannot move the report folder into place");
    } else if (!rc && !S_ISDIR(st.st_mode)) {
        rc = mz_fail(ctx, MZ_ERR_IO, dir, "not a folder");
    } else {
        for (size_t i = 0; !rc && i < n; i++) {
            char *t = mz_strf("%s/%s", tmp, f[i].name), *d = mz_strf("%s/%s", dir, f[i].name);
            if (!t || !d)
                rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
            else if (rename(t, d))
                rc = mz_fail_errno(ctx, dir, "cannot move the report into place");
            mz_free(t), mz_free(d);
        }
    }
    remove_tmp(tmp); /* empty, or gone after the folder's rename; all of it after a failure */
    return rc;
}

static mz_status write_folder(const char *dir, const out_file *f, size_t n, mz_ctx *ctx) {
    char *tmp = NULL;
    mz_status rc = tmp_name(&tmp, dir, ctx);
    if (!rc) rc = place(tmp, dir, f, n, ctx);
    mz_free(tmp);
    return rc;
}

static mz_status name_file(out_file *f, const char *name, char *data, size_t len, mz_ctx *ctx) {
    f->data = data, f->len = len;
    if ((f->name = mz_strdup(name))) return MZ_OK;
    return mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
}

/* results.json and the page `draw` makes, as files; the page is kept in *page when asked. */
static mz_status render(out_file f[2], mz_page **page, mz_results *r, const char *html_name,
                        mz_report_renderer draw, mz_ctx *ctx) {
    char *json = NULL, *html = NULL;
    size_t html_len = 0;
    mz_page *pg = NULL;
    mz_status rc = mz_results_finish(r);
    if (!rc) rc = mz_results_text(&json, r, ctx);
    if (!rc) rc = name_file(&f[0], "results.json", json, strlen(json), ctx), json = NULL;
    if (!rc) rc = draw(&pg, r, ctx);
    if (!rc) rc = mz_page_serialise(pg, &html, &html_len);
    if (!rc) rc = name_file(&f[1], html_name, html, html_len, ctx), html = NULL;
    mz_free(json), mz_free(html);
    if (page && !rc)
        *page = pg;
    else
        mz_page_free(pg);
    return rc;
}

mz_status mz_report_write_dir_as(mz_results *r, const char *dir, const char *html_name,
                                 mz_report_renderer draw, mz_ctx *ctx) {
    out_file f[2] = {{0}};
    mz_status rc = render(f, NULL, r, html_name, draw, ctx);
    if (!rc) rc = write_folder(dir, f, 2, ctx);
    files_free(f, 2);
    return rc;
}

mz_status mz_report_write_dir(mz_results *r, const char *dir, mz_ctx *ctx) {
    return mz_report_write_dir_as(r, dir, "report.html", mz_report_render, ctx);
}

/* Each figure of the page as a standalone SVG file, named by its order and caption. */
static mz_status figure_files(out_file **f, size_t *n, mz_page *page, mz_ctx *ctx) {
    char **names = NULL, **svgs = NULL;
    size_t k = 0;
    mz_status rc = mz_page_figures(page, &names, &svgs, &k);
    *f = rc ? NULL : mz_calloc(k + 1, sizeof **f), *n = 0;
    if (!rc && !*f) rc = mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < k; i++) {
        if (!rc)
            (*f)[(*n)++] = (out_file){names[i], svgs[i], strlen(svgs[i])};
        else
            mz_free(names[i]), mz_free(svgs[i]);
    }
    mz_free(names), mz_free(svgs);
    return rc;
}

mz_status mz_report_write_audit(mz_results *r, const char *dir, const char *figures_dir,
                                mz_ctx *ctx) {
    out_file f[3] = {{0}}, *figs = NULL;
    size_t n_figs = 0, md_len = 0;
    mz_page *page = NULL;
    char *md = NULL;
    mz_status rc = render(f, figures_dir ? &page : NULL, r, "report.html", mz_report_render, ctx);
    if (!rc) rc = mz_report_markdown(&md, r, ctx);
    if (!rc) md_len = strlen(md);
    if (!rc) rc = name_file(&f[2], "report.md", md, md_len, ctx), md = NULL;
    if (!rc && figures_dir) rc = figure_files(&figs, &n_figs, page, ctx);
    if (!rc) rc = write_folder(dir, f, 3, ctx);
    if (!rc && figures_dir) rc = write_folder(figures_dir, figs, n_figs, ctx);
    files_free(f, 3);
    files_free(figs, n_figs);
    mz_free(figs), mz_free(md);
    mz_page_free(page);
    return rc;
}
