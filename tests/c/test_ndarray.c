/* test_ndarray.c: dtypes, allocation limits, row operations, equality, casts, float16. */
#include <math.h>
#include <stdint.h>

#include "float16.h"
#include "ndarray.h"
#include "test.h"

static ndarray vector_i64(const int64_t *v, size_t n) {
  ndarray a;
  const char *err;
  nd_alloc(&a, (nd_dtype){ND_INT64, 8}, 1, &n, &err);
  memcpy(a.data, v, n * 8);
  return a;
}

static void test_dtype_names(void) {
  static const char *names[] = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
                                "uint32", "uint64", "float16", "float32", "float64",
                                "complex64", "complex128", "U7", "S3"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    nd_dtype t;
    char buf[32];
    CHECK(nd_dtype_parse(names[i], &t));
    CHECK_STR(nd_dtype_name(t, buf, sizeof buf), names[i]);
  }
  nd_dtype t;
  CHECK(nd_dtype_parse("U7", &t) && t.itemsize == 28);
  CHECK(!nd_dtype_parse("float128", &t));
  CHECK(!nd_dtype_parse("U0", &t));
  CHECK(!nd_dtype_parse("Ux", &t));
}

static void test_alloc_limits(void) {
  ndarray a;
  const char *err = NULL;
  size_t huge[2] = {SIZE_MAX / 2, 4};
  CHECK(nd_alloc(&a, (nd_dtype){ND_FLOAT64, 8}, 2, huge, &err) == -1);
  CHECK_STR(err, "array too large");
  size_t dims[33] = {0};
  CHECK(nd_alloc(&a, (nd_dtype){ND_FLOAT64, 8}, 33, dims, &err) == -1);
  CHECK_STR(err, "too many dimensions (at most 32)");
  size_t empty[2] = {0, SIZE_MAX}, nbytes = 1;
  CHECK(nd_shape_bytes(2, empty, 8, 0, &nbytes) && nbytes == 0);
  CHECK(nd_alloc(&a, (nd_dtype){ND_FLOAT64, 8}, 0, NULL, &err) == 0 && nd_count(&a) == 1);
  nd_release(&a);
  nd_release(&a); /* twice is safe */
}

static void test_rows(void) {
  int64_t v[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, rows[3] = {9, 0, 9};
  ndarray a = vector_i64(v, 10), t, s, c;
  char err[100];
  CHECK(nd_take(&a, rows, 3, &t, err, sizeof err) == 0);
  CHECK(((int64_t *)(void *)t.data)[0] == 9 && ((int64_t *)(void *)t.data)[1] == 0);
  int64_t bad[1] = {12};
  CHECK(nd_take(&a, bad, 1, &s, err, sizeof err) == -1);
  CHECK_STR(err, "row 12 out of range 0..9");
  CHECK(nd_slice(&a, 2, 5, &s) == 0 && s.shape[0] == 3 && ((int64_t *)(void *)s.data)[0] == 2);
  CHECK(a.buffer->refs == 2);
  ndarray parts[2] = {s, t};
  const char *msg;
  CHECK(nd_concat(parts, 2, &c, &msg) == 0 && c.shape[0] == 6);
  CHECK(((int64_t *)(void *)c.data)[3] == 9);
  nd_release(&c);
  ndarray f;
  nd_alloc(&f, (nd_dtype){ND_FLOAT64, 8}, 1, (size_t[]){2}, &msg);
  parts[1] = f;
  CHECK(nd_concat(parts, 2, &c, &msg) == -1);
  CHECK_STR(msg, "arrays have different dtypes");
  nd_release(&a);
  nd_release(&s);
  nd_release(&t);
  nd_release(&f);
}

static void test_equal_and_cast(void) {
  const char *msg;
  char err[100];
  ndarray a, b, c;
  nd_alloc(&a, (nd_dtype){ND_FLOAT64, 8}, 1, (size_t[]){2}, &msg);
  nd_alloc(&b, (nd_dtype){ND_FLOAT64, 8}, 1, (size_t[]){2}, &msg);
  ((double *)(void *)a.data)[0] = 0.0;
  ((double *)(void *)b.data)[0] = -0.0;
  CHECK(nd_equal(&a, &b)); /* -0 == 0 as in numpy */
  ((double *)(void *)a.data)[1] = NAN;
  ((double *)(void *)b.data)[1] = NAN;
  CHECK(!nd_equal(&a, &b)); /* NaN != NaN as in array_equal */
  CHECK(nd_astype(&a, (nd_dtype){ND_INT32, 4}, &c, err, sizeof err) == -1);
  CHECK_STR(err, "element 1: NaN cannot be converted to an integer");
  ((double *)(void *)a.data)[1] = 1e30;
  CHECK(nd_astype(&a, (nd_dtype){ND_INT64, 8}, &c, err, sizeof err) == -1);
  CHECK_STR(err, "element 1: value out of range for the integer dtype");
  ((double *)(void *)a.data)[1] = -2.7;
  CHECK(nd_astype(&a, (nd_dtype){ND_INT8, 1}, &c, err, sizeof err) == 0);
  CHECK(((int8_t *)c.data)[1] == -2);
  nd_release(&c);
  int64_t v[2] = {300, -1};
  ndarray i = vector_i64(v, 2);
  CHECK(nd_astype(&i, (nd_dtype){ND_UINT8, 1}, &c, err, sizeof err) == 0);
  CHECK(c.data[0] == 44 && c.data[1] == 255); /* integers wrap like numpy's astype */
  nd_release(&c);
  ((double *)(void *)a.data)[1] = 1e40;
  CHECK(nd_astype(&a, (nd_dtype){ND_FLOAT32, 4}, &c, err, sizeof err) == 0);
  CHECK(isinf(((float *)(void *)c.data)[1]));
  nd_release(&c);
  nd_release(&i);
  nd_release(&a);
  nd_release(&b);
}

static void test_float16(void) {
  static const struct {
    double value;
    uint16_t bits;
    int exact; /* the half converts back to exactly value */
  } cases[] = {{0.0, 0x0000, 1},      {-0.0, 0x8000, 1},     {1.0, 0x3c00, 1},
               {0.1, 0x2e66, 0},      {65504.0, 0x7bff, 1},  {65519.0, 0x7bff, 0},
               {65520.0, 0x7c00, 0},  {1e10, 0x7c00, 0},     {0x1p-24, 0x0001, 1},
               {0x1p-25, 0x0000, 0},  {0x1.8p-25, 0x0001, 0}, {0x1p-14, 0x0400, 1},
               {2049.0, 0x6800, 0},   {2051.0, 0x6802, 0},   {-INFINITY, 0xfc00, 1}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CHECK(double_to_half(cases[i].value) == cases[i].bits);
    if (cases[i].exact) CHECK(half_to_double(cases[i].bits) == cases[i].value);
  }
  CHECK(isnan(half_to_double(double_to_half(NAN))));
  int all_round_trip = 1;
  for (uint32_t h = 0; h < 0x7c00; h++)
    all_round_trip = all_round_trip && double_to_half(half_to_double((uint16_t)h)) == h;
  CHECK(all_round_trip);
}

int main(void) {
  test_dtype_names();
  test_alloc_limits();
  test_rows();
  test_equal_and_cast();
  test_float16();
  return test_summary();
}
