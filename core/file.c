/* Whole-file reads for small inputs, read-only maps for large ones, and the one way every
 * input file is opened: only regular files, so a FIFO or a device never blocks or streams
 * forever. */
#include "mizani/file.h"
#include "mizani/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *kind_of(mode_t mode) {
    return S_ISDIR(mode)    ? "a folder"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

mz_status mz_open_regular(int *fd, off_t *size, const char *path, const char *what, mz_ctx *ctx) {
    *fd = -1;
    /* O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one forever */
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (f < 0) return mz_fail_errno(ctx, path, what);
    struct stat st;
    if (fstat(f, &st)) {
        mz_status rc = mz_fail_errno(ctx, path, "cannot stat");
        close(f);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        return mz_fail(ctx, MZ_ERR_INPUT, path, "%s, not a regular file: Mizani reads only files",
                       kind_of(st.st_mode));
    }
    fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK);
    *fd = f;
    if (size) *size = st.st_size;
    return MZ_OK;
}

mz_status mz_fopen_regular(FILE **out, const char *path, const char *what, mz_ctx *ctx) {
    int fd;
    *out = NULL;
    mz_status rc = mz_open_regular(&fd, NULL, path, what, ctx);
    if (rc) return rc;
    if (!(*out = fdopen(fd, "rb"))) {
        rc = mz_fail_errno(ctx, path, what);
        close(fd);
    }
    return rc;
}

mz_status mz_read_file(char **text, size_t *len, const char *path, size_t max_bytes, mz_ctx *ctx) {
    *text = NULL;
    *len = 0;
    FILE *f;
    mz_status rc = mz_fopen_regular(&f, path, "cannot open", ctx);
    if (rc) return rc;
    size_t cap = 0;
    for (size_t got = 1; !rc && got;) {
        if (*len > max_bytes)
            rc = mz_fail(ctx, MZ_ERR_INPUT, path, "larger than %zu bytes", max_bytes);
        else if (mz_grow((void **)text, &cap, *len + 65537, 1))
            rc = mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
        else
            *len += got = fread(*text + *len, 1, cap - *len - 1, f);
    }
    if (!rc && ferror(f)) rc = mz_fail_errno(ctx, path, "read failed");
    fclose(f);
    if (rc) {
        mz_free(*text);
        *text = NULL;
        *len = 0;
    } else {
        (*text)[*len] = '\0';
    }
    return rc;
}

mz_status mz_map_file(void **map, size_t *size, const char *path, mz_ctx *ctx) {
    *map = NULL;
    *size = 0;
    int fd;
    off_t n = 0;
    mz_status rc = mz_open_regular(&fd, &n, path, "cannot open", ctx);
    if (rc) return rc;
    if (n == 0) {
        close(fd);
        return mz_fail(ctx, MZ_ERR_INPUT, path, "empty file");
    }
    void *m = mmap(NULL, (size_t)n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) rc = mz_fail_errno(ctx, path, "cannot map");
    close(fd);
    if (rc) return rc;
    *map = m;
    *size = (size_t)n;
    return MZ_OK;
}

void mz_unmap_file(void *map, size_t size) {
    if (map) munmap(map, size);
}
