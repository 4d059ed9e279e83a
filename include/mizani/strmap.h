/* A string-to-index hash map with keys copied into one arena: vocabularies, probe-word
 * look-ups, the word index of static vectors. Keys are byte strings (not NUL-terminated). */
#ifndef MIZANI_STRMAP_H
#define MIZANI_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mz_strmap mz_strmap;

mz_strmap *mz_strmap_new(void); /* NULL on no memory */
void mz_strmap_free(mz_strmap *m);

/* Inserts key -> value. Returns 1 when the key was new, 0 when it was already there (the
 * old value stays and is written to *existing if not NULL), -1 on no memory. */
int mz_strmap_put(mz_strmap *m, const char *key, size_t len, size_t value, size_t *existing);
/* 1 and *value when found, 0 otherwise. */
int mz_strmap_get(const mz_strmap *m, const char *key, size_t len, size_t *value);
size_t mz_strmap_count(const mz_strmap *m);

/* FNV-1a over n bytes, continuing from h (MZ_FNV1A_BASIS to start): the map's hash, for keys
 * hashed piece by piece. */
#define MZ_FNV1A_BASIS 0xcbf29ce484222325ULL
uint64_t mz_fnv1a(uint64_t h, const void *bytes, size_t n);

#ifdef __cplusplus
}
#endif
#endif
