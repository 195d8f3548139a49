/* deflate.c: compression and decompression of raw deflate streams, with hard output caps. */
#include "deflate.h"

#include <libdeflate.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* One raw deflate piece. A piece that is not the last ends with a sync flush on a byte
 * boundary so pieces concatenate; dict primes the window with the input before it. */
static int zlib_piece(int level, const unsigned char *dict, size_t dict_len,
                      const unsigned char *in, size_t n, int last, unsigned char **out,
                      size_t *outlen) {
  z_stream zs = {0};
  if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
  if (dict_len && deflateSetDictionary(&zs, dict, (uInt)dict_len) != Z_OK) {
    deflateEnd(&zs);
    return -1;
  }
  size_t cap = deflateBound(&zs, (uLong)n) + 16;
  unsigned char *buf = malloc(cap);
  if (!buf) {
    deflateEnd(&zs);
    return -1;
  }
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.next_out = buf;
  int rc = Z_OK, flush = last ? Z_FINISH : Z_SYNC_FLUSH;
  size_t in_left = n, out_left = cap;
  for (;;) { /* avail_* are 32-bit: feed large buffers in slices */
    uInt in_step = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
    uInt out_step = out_left > UINT_MAX ? UINT_MAX : (uInt)out_left;
    zs.avail_in = in_step;
    zs.avail_out = out_step;
    rc = deflate(&zs, in_step == in_left ? flush : Z_NO_FLUSH);
    in_left -= in_step - zs.avail_in;
    out_left -= out_step - zs.avail_out;
    if (rc != Z_OK) break;                                   /* the end, or stuck */
    if (!last && in_left == 0 && zs.avail_out > 0) break; /* sync flush complete */
  }
  deflateEnd(&zs);
  if (rc != (last ? Z_STREAM_END : Z_OK)) {
    free(buf);
    return -1;
  }
  *out = buf;
  *outlen = cap - out_left;
  return 0;
}

#define PIECE_SIZE ((size_t)1 << 20)
#define WINDOW ((size_t)1 << 15)

typedef struct {
  int level;
  const unsigned char *in;
  size_t n, npieces;
  unsigned char **out;
  size_t *outlen;
  atomic_size_t next;
  atomic_int failed;
} parallel_job;

static void *compress_pieces(void *arg) {
  parallel_job *job = arg;
  for (size_t i; (i = atomic_fetch_add(&job->next, 1)) < job->npieces;) {
    size_t start = i * PIECE_SIZE, len = job->n - start < PIECE_SIZE ? job->n - start : PIECE_SIZE;
    size_t dict = start < WINDOW ? start : WINDOW;
    if (zlib_piece(job->level, job->in + start - dict, dict, job->in + start, len,
                   i + 1 == job->npieces, &job->out[i], &job->outlen[i]))
      atomic_store(&job->failed, 1);
  }
  return NULL;
}

static int join_pieces(parallel_job *job, unsigned char **out, size_t *outlen) {
  size_t total = 0;
  for (size_t i = 0; i < job->npieces; i++) total += job->outlen[i];
  unsigned char *buf = atomic_load(&job->failed) ? NULL : malloc(total ? total : 1);
  for (size_t i = 0, at = 0; i < job->npieces; i++) {
    if (buf) memcpy(buf + at, job->out[i], job->outlen[i]);
    at += job->outlen[i];
    free(job->out[i]);
  }
  *out = buf;
  *outlen = total;
  return buf ? 0 : -1;
}

/* pigz's scheme on threads; one thread gives exactly zlib's single stream */
static int deflate_zlib(int level, int threads, const unsigned char *in, size_t n,
                        unsigned char **out, size_t *outlen, const char **err) {
  size_t npieces = n > PIECE_SIZE ? (n + PIECE_SIZE - 1) / PIECE_SIZE : 1;
  if (threads <= 1 || npieces == 1) {
    if (zlib_piece(level, NULL, 0, in, n, 1, out, outlen) == 0) return 0;
    *err = "zlib compression failed";
    return -1;
  }
  parallel_job job = {.level = level, .in = in, .n = n, .npieces = npieces};
  job.out = calloc(npieces, sizeof *job.out);
  job.outlen = calloc(npieces, sizeof *job.outlen);
  pthread_t tids[DEFLATE_MAX_THREADS];
  int started = 0;
  if (job.out && job.outlen) {
    for (; started < threads - 1 && started < DEFLATE_MAX_THREADS; started++)
      if (pthread_create(&tids[started], NULL, compress_pieces, &job)) break;
    compress_pieces(&job);
    for (int t = 0; t < started; t++) pthread_join(tids[t], NULL);
  }
  int rc = job.out && job.outlen ? join_pieces(&job, out, outlen) : -1;
  free(job.out);
  free(job.outlen);
  if (rc) *err = "zlib compression failed";
  return rc;
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

int deflate_raw(deflate_engine engine, int level, int threads, const unsigned char *in,
                size_t n, unsigned char **out, size_t *outlen, const char **err) {
  int max = engine == DEFLATE_ZLIB ? 9 : 12;
  if (level < 1 || level > max) {
    *err = engine == DEFLATE_ZLIB ? "zlib level must be 1..9" : "libdeflate level must be 1..12";
    return -1;
  }
  if (engine == DEFLATE_ZLIB) return deflate_zlib(level, threads, in, n, out, outlen, err);
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
