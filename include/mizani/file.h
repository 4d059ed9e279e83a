/* Reading a whole file that is small by nature (probe files, HTML pages, configs), mapping a
 * large one, and opening any input file: only regular files are read (a FIFO, device or folder
 * is refused, never waited on). */
#ifndef MIZANI_FILE_H
#define MIZANI_FILE_H

#include "mizani/error.h"

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Opens `path` read-only when it is a regular file; *size (may be NULL) gets its size.
 * MZ_ERR_IO "PATH: WHAT: reason" when it cannot be opened, MZ_ERR_INPUT naming what it is
 * when it is not a regular file. */
mz_status mz_open_regular(int *fd, off_t *size, const char *path, const char *what, mz_ctx *ctx);
/* The same as a stdio stream ("rb"). */
mz_status mz_fopen_regular(FILE **f, const char *path, const char *what, mz_ctx *ctx);

/* *text (mz_free) holds the file and a terminating NUL; *len its length. MZ_ERR_INPUT when the
 * file is larger than max_bytes, MZ_ERR_IO naming the file when it cannot be read. */
mz_status mz_read_file(char **text, size_t *len, const char *path, size_t max_bytes, mz_ctx *ctx);

/* Maps a whole file read-only (weights: pointed into, never copied). MZ_ERR_INPUT for an empty
 * file, MZ_ERR_IO naming the file when it cannot be opened or mapped. Undo with mz_unmap_file. */
mz_status mz_map_file(void **map, size_t *size, const char *path, mz_ctx *ctx);
void mz_unmap_file(void *map, size_t size);

#endif
