/* SHA-256 as FIPS 180-4 defines it. The round constants are the first 32 bits of the
 * fractional parts of the cube roots of the first 64 primes, and the initial hash those of the
 * square roots of the first 8: computed once from that definition rather than typed in (the
 * tests check the standard digests, so any wrong bit would show).
 *
 * Two compressions of the same function: x86's SHA extensions where the CPU has them (about
 * 2 GB/s), and an unrolled portable one (about 250 MB/s) elsewhere; a model card's identity of
 * a BERT-base checkpoint then costs a fraction of a second, not half a minute. */
#include "mizani/sha256.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define MZ_SHA_NI 1
#endif

static uint32_t K[64], H0[8];
static int use_ni = -1; /* -1: not yet asked of the CPU */

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

#define ROTR(x, n)   (((x) >> (n)) | ((x) << (32 - (n))))
#define S0(a)        (ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22))
#define S1(e)        (ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25))
#define CH(e, f, g)  (((e) & (f)) ^ (~(e) & (g)))
#define MAJ(a, b, c) (((a) & (b)) ^ ((a) & (c)) ^ ((b) & (c)))
/* One round with the eight working variables named in their current roles: no copies. */
#define ROUND(a, b, c, d, e, f, g, h, i)                     \
    do {                                                     \
        uint32_t t1 = h + S1(e) + CH(e, f, g) + K[i] + w[i]; \
        d += t1;                                             \
        h = t1 + S0(a) + MAJ(a, b, c);                       \
    } while (0)

static void compress_portable(uint32_t h[8], const uint8_t *b, size_t blocks) {
    for (; blocks--; b += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
                   (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
        for (int i = 0; i < 64; i += 8) {
            ROUND(a, bb, c, d, e, f, g, hh, i);
            ROUND(hh, a, bb, c, d, e, f, g, i + 1);
            ROUND(g, hh, a, bb, c, d, e, f, i + 2);
            ROUND(f, g, hh, a, bb, c, d, e, i + 3);
            ROUND(e, f, g, hh, a, bb, c, d, i + 4);
            ROUND(d, e, f, g, hh, a, bb, c, i + 5);
            ROUND(c, d, e, f, g, hh, a, bb, i + 6);
            ROUND(bb, c, d, e, f, g, hh, a, i + 7);
        }
        h[0] += a, h[1] += bb, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
    }
}

#ifdef MZ_SHA_NI
/* The SHA extensions keep the state as ABEF and CDGH and run two rounds per instruction;
 * sha256msg1/msg2 extend the message schedule four words at a time. Group g covers rounds
 * 4g..4g+3; m[g % 4] holds their message words. */
__attribute__((target("sha,ssse3,sse4.1"))) static void
compress_ni(uint32_t h[8], const uint8_t *data, size_t blocks) {
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);  /* CDAB */
    __m128i s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B); /* EFGH */
    __m128i s0 = _mm_alignr_epi8(t, s1, 8);                                        /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);                                             /* CDGH */
    for (; blocks--; data += 64) {
        __m128i save0 = s0, save1 = s1, m[4];
        for (int g = 0; g < 16; g++) {
            if (g < 4)
                m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)), bswap);
            __m128i msg = _mm_add_epi32(m[g % 4], _mm_loadu_si128((const __m128i *)&K[4 * g]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
            if (g >= 3 && g <= 14) {
                __m128i next =
                    _mm_add_epi32(m[(g + 1) % 4], _mm_alignr_epi8(m[g % 4], m[(g + 3) % 4], 4));
                m[(g + 1) % 4] = _mm_sha256msg2_epu32(next, m[g % 4]);
            }
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(msg, 0x0E));
            if (g >= 1 && g <= 12) m[(g + 3) % 4] = _mm_sha256msg1_epu32(m[(g + 3) % 4], m[g % 4]);
        }
        s0 = _mm_add_epi32(s0, save0);
        s1 = _mm_add_epi32(s1, save1);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);                                  /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);                                 /* DCHG */
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, s1, 0xF0)); /* DCBA */
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(s1, t, 8));    /* HGFE */
}

static int cpu_has_sha(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1)) return 0;
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
}
#endif

static void compress(uint32_t h[8], const uint8_t *data, size_t blocks) {
#ifdef MZ_SHA_NI
    if (use_ni < 0) use_ni = cpu_has_sha();
    if (use_ni) {
        compress_ni(h, data, blocks);
        return;
    }
#endif
    compress_portable(h, data, blocks);
}

int mz_sha256_set_accelerated(int on) {
#ifdef MZ_SHA_NI
    use_ni = on && cpu_has_sha();
#else
    use_ni = 0;
    (void)on;
#endif
    return use_ni;
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
    if (s->fill) { /* complete the buffered block first */
        size_t take = 64 - s->fill < len ? 64 - s->fill : len;
        memcpy(s->block + s->fill, p, take);
        s->fill += take, p += take, len -= take;
        if (s->fill < 64) return;
        compress(s->h, s->block, 1);
        s->fill = 0;
    }
    compress(s->h, p, len / 64); /* whole blocks straight from the caller's memory */
    p += len / 64 * 64, len %= 64;
    memcpy(s->block, p, len);
    s->fill = len;
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
