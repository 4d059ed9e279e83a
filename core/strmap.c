/* Open-addressing hash map (linear probing, FNV-1a) from byte strings to indices. */
#include "mizani/strmap.h"
#include "mizani/alloc.h"

#include <stdint.h>
#include <string.h>

typedef struct entry {
    size_t key_off, key_len, value;
    uint64_t hash; /* 0 marks an empty slot */
} entry;

struct mz_strmap {
    entry *slots;
    size_t n_slots, count; /* n_slots is a power of two */
    char *keys;            /* every key, back to back */
    size_t keys_len, keys_cap;
};

uint64_t mz_fnv1a(uint64_t h, const void *bytes, size_t n) {
    const unsigned char *b = bytes;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t hash_of(const char *key, size_t len) {
    uint64_t h = mz_fnv1a(MZ_FNV1A_BASIS, key, len);
    return h ? h : 1;
}

mz_strmap *mz_strmap_new(void) {
    mz_strmap *m = mz_calloc(1, sizeof *m);
    if (!m) return NULL;
    m->n_slots = 64;
    m->slots = mz_calloc(m->n_slots, sizeof *m->slots);
    if (!m->slots) {
        mz_free(m);
        return NULL;
    }
    return m;
}

void mz_strmap_free(mz_strmap *m) {
    if (!m) return;
    mz_free(m->slots);
    mz_free(m->keys);
    mz_free(m);
}

static entry *find_slot(const mz_strmap *m, const char *key, size_t len, uint64_t h) {
    size_t mask = m->n_slots - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        entry *e = &m->slots[i];
        if (!e->hash) return e;
        if (e->hash == h && e->key_len == len && memcmp(m->keys + e->key_off, key, len) == 0)
            return e;
    }
}

static int grow_slots(mz_strmap *m) {
    size_t n = m->n_slots * 2;
    entry *slots = mz_calloc(n, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < m->n_slots; i++) {
        entry *e = &m->slots[i];
        if (!e->hash) continue;
        size_t j = (size_t)e->hash & (n - 1);
        while (slots[j].hash)
            j = (j + 1) & (n - 1);
        slots[j] = *e;
    }
    mz_free(m->slots);
    m->slots = slots;
    m->n_slots = n;
    return 0;
}

int mz_strmap_put(mz_strmap *m, const char *key, size_t len, size_t value, size_t *existing) {
    uint64_t h = hash_of(key, len);
    entry *e = find_slot(m, key, len, h);
    if (e->hash) {
        if (existing) *existing = e->value;
        return 0;
    }
    if (mz_grow((void **)&m->keys, &m->keys_cap, m->keys_len + len + 1, 1)) return -1;
    if ((m->count + 1) * 2 > m->n_slots) { /* keep the load under one half */
        if (grow_slots(m)) return -1;
        e = find_slot(m, key, len, h);
    }
    memcpy(m->keys + m->keys_len, key, len);
    *e = (entry){.key_off = m->keys_len, .key_len = len, .value = value, .hash = h};
    m->keys_len += len;
    m->count++;
    return 1;
}

int mz_strmap_get(const mz_strmap *m, const char *key, size_t len, size_t *value) {
    entry *e = find_slot(m, key, len, hash_of(key, len));
    if (!e->hash) return 0;
    if (value) *value = e->value;
    return 1;
}

size_t mz_strmap_count(const mz_strmap *m) { return m->count; }
