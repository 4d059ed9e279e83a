/* Whole-file reads for small inputs, read-only maps for large ones. */
#include "mizani/file.h"
#include "mizani/alloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

mz_status mz_read_file(char **text, size_t *len, const char *path, size_t max_bytes, mz_ctx *ctx) {
    *text = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return mz_fail_errno(ctx, path, "cannot open");
    size_t cap = 0;
    mz_status rc = MZ_OK;
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
    int fd = open(path, O_RDONLY);
    if (fd < 0) return mz_fail_errno(ctx, path, "cannot open");
    struct stat st;
    if (fstat(fd, &st) || st.st_size == 0) {
        int empty = st.st_size == 0;
        close(fd);
        return empty ? mz_fail(ctx, MZ_ERR_INPUT, path, "empty file")
                     : mz_fail_errno(ctx, path, "cannot stat");
    }
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return mz_fail_errno(ctx, path, "cannot map");
    *map = m;
    *size = (size_t)st.st_size;
    return MZ_OK;
}

void mz_unmap_file(void *map, size_t size) {
    if (map) munmap(map, size);
}
