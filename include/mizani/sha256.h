/* SHA-256 (FIPS 180-4), for the model card: the digest of the weight files an audit read. */
#ifndef MIZANI_SHA256_H
#define MIZANI_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct mz_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t fill;
} mz_sha256;

void mz_sha256_init(mz_sha256 *s);
void mz_sha256_update(mz_sha256 *s, const void *data, size_t len);
/* hex: 64 lowercase hex digits and a NUL. */
void mz_sha256_final(mz_sha256 *s, char hex[65]);
/* The CPU's SHA extensions are used where it has them; 0 turns them off (the portable code
 * then runs: tests check both give the standard digests). Returns whether they are now used. */
int mz_sha256_set_accelerated(int on);

#endif
