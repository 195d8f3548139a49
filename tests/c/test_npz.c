/* test_npz.c: the npz container: numpy's exact layout, round trips, and hostile archives
 * (truncated, corrupt, lying sizes, bombs, too many members) rejected with exact errors. */
#include <stdint.h>
#include <stdlib.h>

#include "npz.h"
#include "test.h"

static uint32_t rd32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> 8 * i);
}

/* savez_compressed(X=arange(3), y=array([True, False])) */
static unsigned char *spec_example(int level, size_t *len) {
  ndarray arrays[2];
  const char *msg, *names[2] = {"X", "y"};
  char err[200];
  nd_alloc(&arrays[0], (nd_dtype){ND_INT64, 8}, 1, (size_t[]){3}, &msg);
  for (int64_t i = 0; i < 3; i++) memcpy(arrays[0].data + 8 * i, &i, 8);
  nd_alloc(&arrays[1], (nd_dtype){ND_BOOL, 1}, 1, (size_t[]){2}, &msg);
  arrays[1].data[0] = 1;
  unsigned char *out = NULL;
  npz_options opt = {level, DEFLATE_ZLIB, 1};
  CHECK(npz_encode(2, names, arrays, &opt, &out, len, err, sizeof err) == 0);
  nd_release(&arrays[0]);
  nd_release(&arrays[1]);
  return out;
}

static void test_numpy_layout(void) {
  size_t len;
  unsigned char *z = spec_example(6, &len);
  CHECK(len == 380);
  CHECK(memcmp(z, "PK\3\4", 4) == 0 && rd32(z + 14) == 0xEA1240F7 && rd32(z + 18) == 76 && rd32(z + 22) == 152);
  CHECK(memcmp(z + 131, "PK\3\4", 4) == 0 && rd32(z + 131 + 14) == 0x5DBB19EE && rd32(z + 131 + 18) == 70);
  CHECK(memcmp(z + 256, "PK\1\2", 4) == 0 && memcmp(z + 307, "PK\1\2", 4) == 0);
  CHECK(memcmp(z + 358, "PK\5\6", 4) == 0);
  free(z);
}

static int decode(const unsigned char *z, size_t len, size_t max_bytes, char *err, size_t *count) {
  npz_limits lim = {max_bytes, 8, 32};
  npz_member *m;
  int rc = npz_decode(z, len, &lim, &m, count, err, 200);
  npz_members_free(m, *count);
  return rc;
}

static void test_round_trip(void) {
  for (int level = 0; level <= 9; level += 3) {
    size_t len, count;
    unsigned char *z = spec_example(level, &len);
    npz_limits lim;
    npz_default_limits(&lim);
    npz_member *m;
    char err[200];
    CHECK(npz_decode(z, len, &lim, &m, &count, err, sizeof err) == 0 && count == 2);
    CHECK_STR(m[0].name, "X");
    CHECK_STR(m[1].name, "y");
    CHECK(m[0].array.shape[0] == 3 && ((int64_t *)(void *)m[0].array.data)[2] == 2);
    CHECK(m[1].array.dtype.kind == ND_BOOL && m[1].array.data[0] == 1 && m[1].array.data[1] == 0);
    npz_members_free(m, count);
    free(z);
  }
}

static void test_hostile(void) {
  size_t len, count;
  char err[200];
  unsigned char *z = spec_example(0, &len); /* stored: offsets are easy to patch */
  CHECK(decode(z, len - 1, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "not a zip archive (no end of central directory)");
  CHECK(decode(z, len, 100, err, &count) == -1);
  CHECK_STR(err, "archive inflates past the limit of 100 bytes");
  z[100] ^= 1; /* a data byte of X */
  CHECK(decode(z, len, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "member 'X.npy': CRC-32 mismatch");
  z[100] ^= 1;
  size_t dir = rd32(z + len - 6);
  unsigned char saved[4];
  memcpy(saved, z + dir + 20, 4);
  wr32(z + dir + 20, 0x7fffff00); /* X's compressed size, far past the archive */
  CHECK(decode(z, len, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "corrupt zip archive (member data out of bounds)");
  memcpy(z + dir + 20, saved, 4);
  wr32(z + dir + 42, 0x10000); /* X's local header offset */
  CHECK(decode(z, len, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "corrupt zip archive (bad local header)");
  wr32(z + dir + 42, 0);
  z[len - 12] = 200; /* member count */
  CHECK(decode(z, len, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "archive has 200 members, more than the limit of 8");
  z[len - 12] = 2;
  z[dir + 46] = 'y'; /* both members named y */
  CHECK(decode(z, len, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "duplicate member 'y'");
  z[dir + 46] = 'X';
  CHECK(decode(z, len, 1 << 20, err, &count) == 0 && count == 2);
  free(z);
}

static void test_lying_deflate_size(void) {
  size_t len, count;
  char err[200];
  unsigned char *z = spec_example(6, &len);
  size_t dir = rd32(z + len - 6);
  wr32(z + dir + 24, 100); /* X inflates to 152 bytes but claims 100 */
  CHECK(decode(z, len, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "member 'X.npy': deflate stream longer than its declared size");
  wr32(z + dir + 24, 200);
  CHECK(decode(z, len, 1 << 20, err, &count) == -1);
  CHECK_STR(err, "member 'X.npy': deflate stream shorter than its declared size");
  free(z);
}

/* Python >= 3.11.4 writes version 45 and 0xFFFFFFFF sizes in local headers. */
static void test_zip64_layouts(void) {
  size_t len, count;
  char err[200];
  unsigned char *z = spec_example(6, &len);
  z[4] = 45;
  wr32(z + 18, 0xffffffff);
  wr32(z + 22, 0xffffffff);
  CHECK(decode(z, len, 1 << 20, err, &count) == 0 && count == 2);
  free(z);
}

static void test_empty_archive(void) {
  size_t len, count;
  char err[200];
  unsigned char *z;
  npz_options opt = {6, DEFLATE_ZLIB, 1};
  CHECK(npz_encode(0, NULL, NULL, &opt, &z, &len, err, sizeof err) == 0 && len == 22);
  CHECK(decode(z, len, 1 << 20, err, &count) == 0 && count == 0);
  free(z);
}

/* pigz-style pieces on two threads still inflate to the input */
static void test_parallel_deflate(void) {
  size_t n = 3 * (1u << 20) + 12345;
  unsigned char *in = malloc(n), *back = malloc(n), *z;
  for (size_t i = 0; i < n; i++) in[i] = (unsigned char)((i * 2654435761u) >> 13 % 7);
  size_t zlen;
  const char *err;
  CHECK(deflate_raw(DEFLATE_ZLIB, 6, 2, in, n, &z, &zlen, &err) == 0);
  CHECK(inflate_raw_exact(z, zlen, back, n, &err) == 0 && memcmp(in, back, n) == 0);
  free(z);
  free(in);
  free(back);
}

int main(void) {
  test_parallel_deflate();
  test_numpy_layout();
  test_round_trip();
  test_hostile();
  test_lying_deflate_size();
  test_zip64_layouts();
  test_empty_archive();
  return test_summary();
}
