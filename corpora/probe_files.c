/* Finding and reading probe files on disk. */
#define _GNU_SOURCE /* strverscmp */
#include "mizani/alloc.h"
#include "mizani/file.h"
#include "mizani/probes.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PROBE_FILE ((size_t)16 << 20)

mz_status mz_probes_load(mz_probe_set **out, const char *path, mz_ctx *ctx) {
    *out = NULL;
    char *text;
    size_t len;
    mz_status rc = mz_read_file(&text, &len, path, MAX_PROBE_FILE, ctx);
    if (!rc) rc = mz_probes_parse(out, text, len, path, ctx);
    mz_free(text);
    return rc;
}

typedef struct path_list {
    char **items;
    size_t n, cap;
} path_list;

static int ends_with_json(const char *s) {
    size_t n = strlen(s);
    return n > 5 && strcmp(s + n - 5, ".json") == 0;
}

static mz_status add_path(path_list *l, const char *path, mz_ctx *ctx) {
    if (mz_grow((void **)&l->items, &l->cap, l->n + 1, sizeof *l->items) ||
        !(l->items[l->n] = mz_strdup(path)))
        return mz_fail(ctx, MZ_ERR_NOMEM, path, "out of memory");
    l->n++;
    return MZ_OK;
}

/* A folder that holds a config.json is a model (its tokenizer.json and the like are not probe
 * files): the demonstration models live under corpora/demo/models/. */
static int is_model_folder(const char *dir) {
    char path[4200];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/config.json", dir) >= sizeof path) return 0;
    return !stat(path, &st) && S_ISREG(st.st_mode);
}

static mz_status walk(path_list *l, const char *root, int depth, mz_ctx *ctx) {
    struct stat st;
    if (stat(root, &st)) return mz_fail_errno(ctx, root, "cannot read probe path");
    if (!S_ISDIR(st.st_mode)) return add_path(l, root, ctx);
    if (depth > 16) return mz_fail(ctx, MZ_ERR_INPUT, root, "folders nested too deep");
    if (is_model_folder(root)) return MZ_OK;
    DIR *d = opendir(root);
    if (!d) return mz_fail_errno(ctx, root, "cannot list probe folder");
    mz_status rc = MZ_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t n = strlen(root) + strlen(e->d_name) + 2;
        char *child = mz_malloc(n);
        if (!child) {
            rc = mz_fail(ctx, MZ_ERR_NOMEM, root, "out of memory");
            break;
        }
        snprintf(child, n, "%s/%s", root, e->d_name);
        if (stat(child, &st) == 0 && (S_ISDIR(st.st_mode) || ends_with_json(child)))
            rc = S_ISDIR(st.st_mode) ? walk(l, child, depth + 1, ctx) : add_path(l, child, ctx);
        mz_free(child);
    }
    closedir(d);
    return rc;
}

static int compare_paths(const void *a, const void *b) {
    return strverscmp(*(char *const *)a, *(char *const *)b); /* weat2 before weat10 */
}

void mz_probes_paths_free(char **paths, size_t n) {
    for (size_t i = 0; i < n; i++)
        mz_free(paths[i]);
    mz_free(paths);
}

mz_status mz_probes_find(char ***paths, size_t *n, const char *const *roots, size_t n_roots,
                         mz_ctx *ctx) {
    path_list l = {0};
    mz_status rc = MZ_OK;
    for (size_t i = 0; i < n_roots && !rc; i++)
        rc = walk(&l, roots[i], 0, ctx);
    if (rc) {
        mz_probes_paths_free(l.items, l.n);
        return rc;
    }
    if (l.n) qsort(l.items, l.n, sizeof *l.items, compare_paths);
    *paths = l.items;
    *n = l.n;
    return MZ_OK;
}
