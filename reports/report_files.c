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

typedef struct rendered {
    char *json, *html;
    size_t json_len, html_len;
} rendered;

static mz_status render(rendered *out, mz_results *r, mz_report_renderer draw, mz_ctx *ctx) {
    mz_status rc = mz_results_finish(r);
    if (!rc) rc = mz_results_text(&out->json, r, ctx);
    if (!rc) out->json_len = strlen(out->json);
    mz_page *page = NULL;
    if (!rc) rc = draw(&page, r, ctx);
    if (!rc) rc = mz_page_serialise(page, &out->html, &out->html_len);
    mz_page_free(page);
    return rc;
}

/* Both files into the folder `tmp`, then into `dir`: the folder itself when there is none yet
 * (both files appear at once), otherwise file by file. */
static mz_status place(const char *tmp, const char *dir, const char *json, const char *html,
                       const rendered *f, mz_ctx *ctx) {
    char *tj = mz_strf("%s/%s", tmp, json), *th = mz_strf("%s/%s", tmp, html);
    char *dj = mz_strf("%s/%s", dir, json), *dh = mz_strf("%s/%s", dir, html);
    mz_status rc = tj && th && dj && dh ? MZ_OK : mz_fail(ctx, MZ_ERR_NOMEM, NULL, "out of memory");
    if (!rc && mkdir(tmp, 0777)) rc = mz_fail_errno(ctx, dir, "cannot create the report folder");
    if (!rc) rc = write_all(tj, dj, f->json, f->json_len, ctx);
    if (!rc) rc = write_all(th, dh, f->html, f->html_len, ctx);
    struct stat st;
    if (!rc && stat(dir, &st)) {
        if (errno != ENOENT || rename(tmp, dir))
            rc = mz_fail_errno(ctx, dir, "cannot move the report folder into place");
    } else if (!rc) {
        if (!S_ISDIR(st.st_mode))
            rc = mz_fail(ctx, MZ_ERR_IO, dir, "not a folder");
        else if (rename(tj, dj) || rename(th, dh))
            rc = mz_fail_errno(ctx, dir, "cannot move the report into place");
    }
    remove_tmp(tmp); /* empty, or gone after the folder's rename; all of it after a failure */
    mz_free(tj);
    mz_free(th);
    mz_free(dj);
    mz_free(dh);
    return rc;
}

mz_status mz_report_write_dir_named(mz_results *r, const char *dir, const char *json_name,
                                    const char *html_name, mz_report_renderer draw, mz_ctx *ctx) {
    rendered f = {0};
    mz_status rc = render(&f, r, draw, ctx);
    char *tmp = NULL;
    if (!rc) rc = tmp_name(&tmp, dir, ctx);
    if (!rc) rc = place(tmp, dir, json_name, html_name, &f, ctx);
    mz_free(tmp);
    mz_free(f.json);
    mz_free(f.html);
    return rc;
}

mz_status mz_report_write_dir_as(mz_results *r, const char *dir, const char *html_name,
                                 mz_report_renderer draw, mz_ctx *ctx) {
    return mz_report_write_dir_named(r, dir, "results.json", html_name, draw, ctx);
}

mz_status mz_report_write_dir(mz_results *r, const char *dir, mz_ctx *ctx) {
    return mz_report_write_dir_as(r, dir, "report.html", mz_report_render, ctx);
}
