/* sha256.h: SHA-256 (FIPS 180-4), incremental. Pure C. */
#ifndef ANOMED_SHA256_H
#define ANOMED_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t h[8];
  uint64_t length; /* bytes hashed so far */
  unsigned char block[64];
  size_t used;
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t n);
void sha256_final(sha256_ctx *c, unsigned char digest[32]);
void sha256(const void *data, size_t n, unsigned char digest[32]);

#endif
