/* deflate.h: raw deflate streams and CRC-32, through zlib (byte-exact with numpy) or
 * libdeflate (faster, as small or smaller). Pure C. */
#ifndef ANOMED_DEFLATE_H
#define ANOMED_DEFLATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { DEFLATE_LIBDEFLATE, DEFLATE_ZLIB } deflate_engine;

#define DEFLATE_MAX_THREADS 64

/* Compresses in at level (1..9 for zlib, 1..12 for libdeflate) into *out (caller frees).
 * zlib with threads > 1 compresses 1 MiB pieces in parallel (pigz's scheme: each piece
 * primed with the 32 KiB before it); with one thread its bytes are exactly zlib's. */
int deflate_raw(deflate_engine engine, int level, int threads, const unsigned char *in,
                size_t n, unsigned char **out, size_t *outlen, const char **err);

/* Inflates a raw deflate stream that must produce exactly outlen bytes into out. */
int inflate_raw_exact(const unsigned char *in, size_t n, unsigned char *out, size_t outlen,
                      const char **err);

uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n);

#endif
