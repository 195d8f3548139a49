/* test_faults.c: fault injection after SQLite's and Lua's ltests.c: the Nth allocation of
 * the core fails, for every N, while an npz is encoded and decoded. Each run must fail
 * cleanly or succeed; the sanitizer build's leak checker proves nothing leaks. The core's
 * malloc, calloc and realloc are wrapped at link time (-Wl,--wrap). */
#include <stdint.h>
#include <stdlib.h>

#include "npz.h"
#include "test.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long countdown = -1; /* allocations left before one fails; -1: never */

static int should_fail(void) {
  if (countdown < 0) return 0;
  return countdown-- == 0;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return should_fail() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }

/* encode two arrays and decode them back; 0 when everything worked */
static int round_trip(int level, deflate_engine engine) {
  ndarray arrays[2];
  const char *msg, *names[2] = {"X", "y"};
  char err[300];
  int rc = -1;
  arrays[0].buffer = arrays[1].buffer = NULL;
  if (nd_alloc(&arrays[0], (nd_dtype){ND_FLOAT64, 8}, 2, (size_t[]){50, 4}, &msg) ||
      nd_alloc(&arrays[1], (nd_dtype){ND_INT64, 8}, 1, (size_t[]){50}, &msg))
    goto done;
  unsigned char *bytes;
  size_t len, count;
  npz_options opt = {level, engine, 1};
  if (npz_encode(2, names, arrays, &opt, &bytes, &len, err, sizeof err)) goto done;
  npz_limits lim;
  npz_default_limits(&lim);
  npz_member *members;
  rc = npz_decode(bytes, len, &lim, &members, &count, err, sizeof err);
  if (rc == 0) {
    rc = count == 2 && nd_equal(&members[0].array, &arrays[0]) ? 0 : -2; /* -2: wrong result */
    npz_members_free(members, count);
  }
  free(bytes);
done:
  nd_release(&arrays[0]);
  nd_release(&arrays[1]);
  return rc;
}

int main(void) {
  static const struct { int level; deflate_engine engine; } cases[] = {
      {0, DEFLATE_ZLIB}, {6, DEFLATE_ZLIB}, {6, DEFLATE_LIBDEFLATE}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    int failures_seen = 0, wrong = 0, succeeded = 0;
    for (long n = 0; n < 200 && !succeeded; n++) {
      countdown = n;
      int rc = round_trip(cases[c].level, cases[c].engine);
      countdown = -1;
      failures_seen += rc == -1;
      wrong += rc == -2;
      succeeded = rc == 0;
    }
    CHECK(failures_seen > 3); /* the allocations really were failed, one after another */
    CHECK(wrong == 0);
    CHECK(succeeded);         /* and with enough of them granted, the round trip works */
  }
  return test_summary();
}
