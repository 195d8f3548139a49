/* test_npy.c: .npy headers, parsed (table-driven, exact errors) and written (numpy's bytes),
 * and stored data reordered: big-endian and fortran order. */
#include <stdint.h>
#include <stdlib.h>

#include "npy.h"
#include "test.h"

/* an .npy image: v1 preamble, header text, then data */
static size_t make_npy(unsigned char *out, const char *text, const void *data, size_t nbytes) {
  size_t n = strlen(text);
  memcpy(out, "\x93NUMPY\x01\x00", 8);
  out[8] = (unsigned char)n;
  out[9] = (unsigned char)(n >> 8);
  memcpy(out + 10, text, n);
  if (nbytes) memcpy(out + 10 + n, data, nbytes);
  return 10 + n + nbytes;
}

static void test_header_errors(void) {
  static const struct {
    const char *name, *text, *error;
  } cases[] = {
      {"object", "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
       "object arrays (pickled data) are refused"},
      {"structured", "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }",
       "structured dtypes are not supported"},
      {"datetime", "{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (1,), }",
       "unsupported dtype '<M8[ns]'"},
      {"longdouble", "{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }",
       "unsupported dtype '<f16'"},
      {"missing key", "{'descr': '<i8', 'shape': (1,), }",
       "bad .npy header: missing descr, fortran_order or shape"},
      {"extra key", "{'descr': '<i8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
       "bad .npy header: unexpected or repeated key"},
      {"bad bool", "{'descr': '<i8', 'fortran_order': 0, 'shape': (1,), }",
       "bad .npy header: fortran_order must be True or False"},
      {"negative dim", "{'descr': '<i8', 'fortran_order': False, 'shape': (-1,), }",
       "bad .npy header: shape must hold integers"},
      {"huge dim", "{'descr': '<i8', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
       "bad .npy header: dimension too large"},
      {"overflowing shape", "{'descr': '<i8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
       "array data exceeds the limit of 1048576 bytes"},
      {"lying shape", "{'descr': '<i8', 'fortran_order': False, 'shape': (1000,), }",
       "truncated .npy data (8000 bytes expected, 0 present)"},
      {"33 dims", "{'descr': '<i8', 'fortran_order': False, 'shape': "
                  "(1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1), }",
       "array has more than 32 dimensions"},
      {"trailing", "{'descr': '<i8', 'fortran_order': False, 'shape': (0,), } x",
       "bad .npy header: trailing characters"},
      {"not a dict", "['descr']", "bad .npy header: expected a dict"},
  };
  npy_limits lim = {1 << 20, 32};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unsigned char buf[512];
    ndarray a;
    char err[200] = "";
    size_t len = make_npy(buf, cases[i].text, NULL, 0);
    int rc = npy_decode(buf, len, &lim, &a, err, sizeof err);
    CHECK(rc == -1);
    if (strcmp(err, cases[i].error)) fprintf(stderr, "case %s:\n", cases[i].name);
    CHECK_STR(err, cases[i].error);
  }
  ndarray a;
  char err[200];
  CHECK(npy_decode((const unsigned char *)"\x93NUMPY\x01\x00\xff\xff{", 11, &lim, &a, err, sizeof err) == -1);
  CHECK_STR(err, "truncated .npy header");
  CHECK(npy_decode((const unsigned char *)"\x93NUMPY\x04\x00\x00\x00", 10, &lim, &a, err, sizeof err) == -1);
  CHECK_STR(err, "unsupported .npy version 4.0");
  CHECK(npy_decode((const unsigned char *)"PK\x03\x04", 4, &lim, &a, err, sizeof err) == -1);
  CHECK_STR(err, "not an .npy array (bad magic)");
}

static void test_header_written_as_numpy(void) {
  ndarray a;
  const char *msg;
  nd_alloc(&a, (nd_dtype){ND_INT64, 8}, 1, (size_t[]){3}, &msg);
  unsigned char hdr[NPY_HEADER_MAX];
  size_t n = npy_write_header(&a, hdr);
  /* numpy 1.24: np.lib.format.write_array(f, np.arange(3)) */
  const char *text = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }";
  CHECK(n == 128);
  CHECK(memcmp(hdr, "\x93NUMPY\x01\x00\x76\x00", 10) == 0);
  CHECK(memcmp(hdr + 10, text, strlen(text)) == 0);
  CHECK(hdr[127] == '\n' && hdr[126] == ' ');
  nd_release(&a);
  nd_alloc(&a, (nd_dtype){ND_UNICODE, 20}, 0, NULL, &msg);
  n = npy_write_header(&a, hdr);
  text = "{'descr': '<U5', 'fortran_order': False, 'shape': (), }";
  CHECK(n == 128 && memcmp(hdr + 10, text, strlen(text)) == 0 && hdr[10 + strlen(text)] == 0x20);
  nd_release(&a);
}

static void test_reordering(void) {
  npy_limits lim = {1 << 20, 32};
  unsigned char buf[512];
  char err[200];
  ndarray a;
  /* big-endian int32 [1, 258] */
  const unsigned char be[] = {0, 0, 0, 1, 0, 0, 1, 2};
  size_t len = make_npy(buf, "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be, 8);
  CHECK(npy_decode(buf, len, &lim, &a, err, sizeof err) == 0);
  CHECK(((int32_t *)(void *)a.data)[0] == 1 && ((int32_t *)(void *)a.data)[1] == 258);
  nd_release(&a);
  /* fortran-order 2x3 [[0,1,2],[3,4,5]] is stored column by column: 0 3 1 4 2 5 */
  const int16_t f[6] = {0, 3, 1, 4, 2, 5};
  len = make_npy(buf, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }", f, 12);
  CHECK(npy_decode(buf, len, &lim, &a, err, sizeof err) == 0);
  int ok = 1;
  for (int i = 0; i < 6; i++) ok = ok && ((int16_t *)(void *)a.data)[i] == i;
  CHECK(ok);
  nd_release(&a);
  /* bools other than 0/1 read as True */
  const unsigned char bools[3] = {0, 1, 7};
  len = make_npy(buf, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", bools, 3);
  CHECK(npy_decode(buf, len, &lim, &a, err, sizeof err) == 0 && a.data[2] == 1);
  nd_release(&a);
  /* big-endian unicode swaps each code unit */
  const unsigned char u[8] = {0, 0, 0, 'h', 0, 0, 0, 'i'};
  len = make_npy(buf, "{'descr': '>U2', 'fortran_order': False, 'shape': (), }", u, 8);
  CHECK(npy_decode(buf, len, &lim, &a, err, sizeof err) == 0 && a.data[0] == 'h' && a.data[4] == 'i');
  nd_release(&a);
}

int main(void) {
  test_header_errors();
  test_header_written_as_numpy();
  test_reordering();
  return test_summary();
}
