/* SHA-256 as FIPS 180-4 defines it. The round constants are the first 32 bits of the
 * fractional parts of the cube roots of the first 64 primes, and the initial hash those of the
 * square roots of the first 8: computed once from that definition rather than typed in (the
 * tests check the standard digests, so any wrong bit would show). */
#include "mizani/sha256.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static uint32_t K[64], H0[8];

static uint32_t frac32(long double x) { return (uint32_t)((x - floorl(x)) * 4294967296.0L); }

static void constants(void) {
    if (K[0]) return;
    int primes[64], n = 0;
    for (int c = 2; n < 64; c++) {
        int prime = 1;
        for (int i = 0; i < n && primes[i] * primes[i] <= c; i++)
            prime &= c % primes[i] != 0;
        if (prime) primes[n++] = c;
    }
    for (int i = 0; i < 8; i++)
        H0[i] = frac32(sqrtl((long double)primes[i]));
    for (int i = 0; i < 64; i++)
        K[i] = frac32(cbrtl((long double)primes[i]));
}

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void compress(uint32_t h[8], const uint8_t b[64]) {
    uint32_t w[64], v[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
               (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    memcpy(v, h, sizeof v);
    for (int i = 0; i < 64; i++) {
        uint32_t e = v[4], a = v[0];
        uint32_t t1 = v[7] + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & v[5]) ^ (~e & v[6])) +
                      K[i] + w[i];
        uint32_t t2 =
            (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
        memmove(v + 1, v, 7 * sizeof *v);
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

void mz_sha256_init(mz_sha256 *s) {
    constants();
    memcpy(s->h, H0, sizeof s->h);
    s->bytes = 0;
    s->fill = 0;
}

void mz_sha256_update(mz_sha256 *s, const void *data, size_t len) {
    const uint8_t *p = data;
    s->bytes += len;
    while (len) {
        size_t take = 64 - s->fill < len ? 64 - s->fill : len;
        memcpy(s->block + s->fill, p, take);
        s->fill += take, p += take, len -= take;
        if (s->fill == 64) compress(s->h, s->block), s->fill = 0;
    }
}

void mz_sha256_final(mz_sha256 *s, char hex[65]) {
    uint64_t bits = s->bytes * 8;
    uint8_t pad[72] = {0x80}, len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (uint8_t)(bits >> (56 - 8 * i));
    mz_sha256_update(s, pad, s->fill < 56 ? 56 - s->fill : 120 - s->fill);
    mz_sha256_update(s, len, 8);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", s->h[i]);
}
