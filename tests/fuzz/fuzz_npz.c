/* fuzz_npz.c: libFuzzer target for the .npz and .npy decoders. Whatever decodes must
 * re-encode and decode to an equal array (a round-trip property, not just "no crash"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "npz.h"

static void round_trip(const npz_member *m, size_t count) {
  const char *names[64];
  ndarray arrays[64];
  size_t n = count < 64 ? count : 64;
  for (size_t i = 0; i < n; i++) {
    names[i] = m[i].name;
    arrays[i] = m[i].array;
  }
  unsigned char *bytes;
  size_t len;
  char err[300];
  npz_options opt = {.level = 1, .engine = DEFLATE_ZLIB, .threads = 2};
  if (npz_encode(n, names, arrays, &opt, &bytes, &len, err, sizeof err)) abort();
  npz_limits lim;
  npz_default_limits(&lim);
  npz_member *again;
  size_t again_count;
  if (npz_decode(bytes, len, &lim, &again, &again_count, err, sizeof err)) {
    fprintf(stderr, "re-decode failed: %s\n", err);
    abort();
  }
  if (again_count != n) abort();
  for (size_t i = 0; i < n; i++) { /* bytes, not values: NaN must survive too */
    const ndarray *a = &again[i].array, *b = &m[i].array;
    if (!nd_dtype_equal(a->dtype, b->dtype) || a->ndim != b->ndim ||
        memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof(size_t)) ||
        (nd_nbytes(a) && memcmp(a->data, b->data, nd_nbytes(a))))
      abort();
  }
  npz_members_free(again, again_count);
  free(bytes);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  npz_limits lim = {.max_bytes = 1 << 20, .max_members = 64, .max_dims = ND_MAXDIMS};
  npz_member *members;
  size_t count;
  char err[300];
  if (npz_decode(data, size, &lim, &members, &count, err, sizeof err) == 0) {
    round_trip(members, count);
    npz_members_free(members, count);
  }
  npy_limits nl = {1 << 20, ND_MAXDIMS};
  ndarray a;
  if (npy_decode(data, size, &nl, &a, err, sizeof err) == 0) nd_release(&a);
  return 0;
}
