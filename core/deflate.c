/* deflate.c: compression and decompression of raw deflate streams, with hard output caps. */
#include "deflate.h"

#include <libdeflate.h>
#include <limits.h>
#include <stdlib.h>
#include <zlib.h>

static int deflate_zlib(int level, const unsigned char *in, size_t n, unsigned char **out,
                        size_t *outlen, const char **err) {
  z_stream zs = {0};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    *err = "zlib initialisation failed";
    return -1;
  }
  size_t cap = deflateBound(&zs, (uLong)n);
  unsigned char *buf = malloc(cap ? cap : 1);
  if (!buf) {
    deflateEnd(&zs);
    *err = "out of memory";
    return -1;
  }
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.next_out = buf;
  int rc = Z_OK;
  size_t in_left = n, out_left = cap;
  while (rc == Z_OK) { /* avail_* are 32-bit: feed large buffers in slices */
    uInt in_step = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
    uInt out_step = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
    zs.avail_in = in_step;
    zs.avail_out = out_step;
    rc = deflate(&zs, in_step == in_left ? Z_FINISH : Z_NO_FLUSH);
    in_left -= in_step - zs.avail_in;
    out_left -= out_step - zs.avail_out;
  }
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    free(buf);
    *err = "zlib compression failed";
    return -1;
  }
  *out = buf;
  *outlen = cap - out_left;
  return 0;
}

static int deflate_libdeflate(int level, const unsigned char *in, size_t n, unsigned char **out,
                              size_t *outlen, const char **err) {
  struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
  if (!c) {
    *err = "out of memory";
    return -1;
  }
  size_t cap = libdeflate_deflate_compress_bound(c, n);
  unsigned char *buf = malloc(cap);
  size_t got = buf ? libdeflate_deflate_compress(c, in, n, buf, cap) : 0;
  libdeflate_free_compressor(c);
  if (!got) {
    free(buf);
    *err = "out of memory";
    return -1;
  }
  *out = buf;
  *outlen = got;
  return 0;
}

int deflate_raw(deflate_engine engine, int level, const unsigned char *in, size_t n,
                unsigned char **out, size_t *outlen, const char **err) {
  int max = engine == DEFLATE_ZLIB ? 9 : 12;
  if (level < 1 || level > max) {
    *err = engine == DEFLATE_ZLIB ? "zlib level must be 1..9" : "libdeflate level must be 1..12";
    return -1;
  }
  if (engine == DEFLATE_ZLIB) return deflate_zlib(level, in, n, out, outlen, err);
  return deflate_libdeflate(level, in, n, out, outlen, err);
}

int inflate_raw_exact(const unsigned char *in, size_t n, unsigned char *out, size_t outlen,
                      const char **err) {
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  if (!d) {
    *err = "out of memory";
    return -1;
  }
  enum libdeflate_result rc = libdeflate_deflate_decompress(d, in, n, out, outlen, NULL);
  libdeflate_free_decompressor(d);
  switch (rc) {
    case LIBDEFLATE_SUCCESS: return 0;
    case LIBDEFLATE_SHORT_OUTPUT: *err = "deflate stream shorter than its declared size"; break;
    case LIBDEFLATE_INSUFFICIENT_SPACE: *err = "deflate stream longer than its declared size"; break;
    default: *err = "corrupt deflate stream"; break;
  }
  return -1;
}

uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n) {
  return libdeflate_crc32(crc, p, n);
}
