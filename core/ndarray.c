/* ndarray.c: allocation, views, row gather/slice/concat, equality and casts of ndarrays. */
#include "ndarray.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "float16.h"

static const struct {
  const char *name;
  size_t itemsize;
} kinds[] = {
    [ND_BOOL] = {"bool", 1},       [ND_INT8] = {"int8", 1},
    [ND_INT16] = {"int16", 2},     [ND_INT32] = {"int32", 4},
    [ND_INT64] = {"int64", 8},     [ND_UINT8] = {"uint8", 1},
    [ND_UINT16] = {"uint16", 2},   [ND_UINT32] = {"uint32", 4},
    [ND_UINT64] = {"uint64", 8},   [ND_FLOAT16] = {"float16", 2},
    [ND_FLOAT32] = {"float32", 4}, [ND_FLOAT64] = {"float64", 8},
    [ND_COMPLEX64] = {"complex64", 8}, [ND_COMPLEX128] = {"complex128", 16},
    [ND_UNICODE] = {"U", 0},       [ND_BYTES] = {"S", 0},
};

bool nd_dtype_numeric(nd_dtype t) { return t.kind != ND_UNICODE && t.kind != ND_BYTES; }

bool nd_dtype_equal(nd_dtype a, nd_dtype b) {
  return a.kind == b.kind && a.itemsize == b.itemsize;
}

size_t nd_kind_itemsize(nd_kind k) { return kinds[k].itemsize; }

const char *nd_dtype_name(nd_dtype t, char *buf, size_t bufsize) {
  if (t.kind == ND_UNICODE)
    snprintf(buf, bufsize, "U%zu", t.itemsize / 4);
  else if (t.kind == ND_BYTES)
    snprintf(buf, bufsize, "S%zu", t.itemsize);
  else
    snprintf(buf, bufsize, "%s", kinds[t.kind].name);
  return buf;
}

bool nd_dtype_parse(const char *name, nd_dtype *out) {
  if ((name[0] == 'U' || name[0] == 'S') && name[1] >= '1' && name[1] <= '9') {
    char *end;
    unsigned long long width = strtoull(name + 1, &end, 10);
    if (*end || width > (1u << 30)) return false;
    out->kind = name[0] == 'U' ? ND_UNICODE : ND_BYTES;
    out->itemsize = (size_t)width * (name[0] == 'U' ? 4 : 1);
    return true;
  }
  for (int k = ND_BOOL; k <= ND_COMPLEX128; k++) {
    if (strcmp(name, kinds[k].name) == 0) {
      out->kind = (nd_kind)k;
      out->itemsize = kinds[k].itemsize;
      return true;
    }
  }
  return false;
}

size_t nd_count(const ndarray *a) {
  size_t n = 1;
  for (int d = 0; d < a->ndim; d++) n *= a->shape[d];
  return n;
}

size_t nd_nbytes(const ndarray *a) { return nd_count(a) * a->dtype.itemsize; }

size_t nd_row_bytes(const ndarray *a) {
  size_t n = a->dtype.itemsize;
  for (int d = 1; d < a->ndim; d++) n *= a->shape[d];
  return n;
}

bool nd_shape_bytes(int ndim, const size_t *shape, size_t itemsize, size_t max_bytes,
                    size_t *nbytes) {
  size_t n = itemsize;
  bool zero = itemsize == 0;
  for (int d = 0; d < ndim; d++) zero = zero || shape[d] == 0;
  for (int d = 0; d < ndim && !zero; d++) {
    if (n > SIZE_MAX / shape[d]) return false;
    n *= shape[d];
  }
  if (zero) n = 0;
  if (n > max_bytes) return false;
  *nbytes = n;
  return true;
}

static int set_header(ndarray *out, nd_dtype t, int ndim, const size_t *shape,
                      const char **err) {
  if (ndim < 0 || ndim > ND_MAXDIMS) {
    *err = "too many dimensions (at most 32)";
    return -1;
  }
  if (t.itemsize == 0) {
    *err = "dtype has no item size";
    return -1;
  }
  out->dtype = t;
  out->ndim = ndim;
  for (int d = 0; d < ndim; d++) out->shape[d] = shape[d];
  return 0;
}

int nd_adopt(ndarray *out, nd_dtype t, int ndim, const size_t *shape, unsigned char *bytes,
             size_t size, size_t offset, const char **err) {
  out->buffer = NULL;
  size_t nbytes;
  if (set_header(out, t, ndim, shape, err)) return -1;
  if (!nd_shape_bytes(ndim, shape, t.itemsize, SIZE_MAX, &nbytes) || offset > size ||
      size - offset < nbytes) {
    *err = "array larger than its buffer";
    return -1;
  }
  nd_buffer *buf = malloc(sizeof *buf);
  if (!buf) {
    *err = "out of memory";
    return -1;
  }
  *buf = (nd_buffer){.refs = 1, .size = size, .bytes = bytes};
  out->buffer = buf;
  out->data = bytes + offset;
  return 0;
}

int nd_alloc(ndarray *out, nd_dtype t, int ndim, const size_t *shape, const char **err) {
  size_t nbytes;
  out->buffer = NULL;
  if (set_header(out, t, ndim, shape, err)) return -1;
  if (!nd_shape_bytes(ndim, shape, t.itemsize, SIZE_MAX / 2, &nbytes)) {
    *err = "array too large";
    return -1;
  }
  unsigned char *bytes = calloc(nbytes ? nbytes : 1, 1);
  if (!bytes) {
    *err = "out of memory";
    return -1;
  }
  if (nd_adopt(out, t, ndim, shape, bytes, nbytes, 0, err)) {
    free(bytes);
    return -1;
  }
  return 0;
}

void nd_view(const ndarray *src, ndarray *out) {
  *out = *src;
  if (out->buffer) out->buffer->refs++;
}

void nd_release(ndarray *a) {
  nd_buffer *buf = a->buffer;
  a->buffer = NULL;
  a->data = NULL;
  if (buf && --buf->refs == 0) {
    free(buf->bytes);
    free(buf);
  }
}

int nd_take(const ndarray *src, const int64_t *rows, size_t nrows, ndarray *out, char *err,
            size_t errsize) {
  const char *msg;
  out->buffer = NULL;
  if (src->ndim == 0) {
    snprintf(err, errsize, "cannot take rows of a 0-d array");
    return -1;
  }
  size_t n = src->shape[0];
  for (size_t i = 0; i < nrows; i++) {
    if (rows[i] < 0 || (uint64_t)rows[i] >= n) {
      if (n == 0)
        snprintf(err, errsize, "row %lld out of range (array is empty)", (long long)rows[i]);
      else
        snprintf(err, errsize, "row %lld out of range 0..%zu", (long long)rows[i], n - 1);
      return -1;
    }
  }
  size_t shape[ND_MAXDIMS];
  memcpy(shape, src->shape, sizeof shape);
  shape[0] = nrows;
  if (nd_alloc(out, src->dtype, src->ndim, shape, &msg)) {
    snprintf(err, errsize, "%s", msg);
    return -1;
  }
  size_t row = nd_row_bytes(src);
  for (size_t i = 0; i < nrows; i++)
    memcpy(out->data + i * row, src->data + (size_t)rows[i] * row, row);
  return 0;
}

int nd_slice(const ndarray *src, size_t start, size_t stop, ndarray *out) {
  if (src->ndim == 0 || start > stop || stop > src->shape[0]) return -1;
  nd_view(src, out);
  out->shape[0] = stop - start;
  out->data = src->data + start * nd_row_bytes(src);
  return 0;
}

int nd_concat(const ndarray *parts, size_t nparts, ndarray *out, const char **err) {
  out->buffer = NULL;
  if (nparts == 0) {
    *err = "need at least one array to concatenate";
    return -1;
  }
  const ndarray *first = &parts[0];
  size_t rows = 0;
  for (size_t p = 0; p < nparts; p++) {
    const ndarray *a = &parts[p];
    if (a->ndim == 0) {
      *err = "cannot concatenate 0-d arrays";
      return -1;
    }
    if (!nd_dtype_equal(a->dtype, first->dtype)) {
      *err = "arrays have different dtypes";
      return -1;
    }
    if (a->ndim != first->ndim ||
        memcmp(a->shape + 1, first->shape + 1, (size_t)(a->ndim - 1) * sizeof(size_t))) {
      *err = "arrays differ in shape beyond axis 0";
      return -1;
    }
    rows += a->shape[0];
  }
  size_t shape[ND_MAXDIMS];
  memcpy(shape, first->shape, sizeof shape);
  shape[0] = rows;
  if (nd_alloc(out, first->dtype, first->ndim, shape, err)) return -1;
  unsigned char *dst = out->data;
  for (size_t p = 0; p < nparts; p++) {
    size_t n = nd_nbytes(&parts[p]);
    if (n) memcpy(dst, parts[p].data, n);
    dst += n;
  }
  return 0;
}

static bool scalar_equal(const nd_scalar *x, const nd_scalar *y) {
  switch (x->tag) {
    case NDS_BOOL:
    case NDS_INT: return x->i == y->i;
    case NDS_UINT: return x->u == y->u;
    case NDS_FLOAT: return x->re == y->re;
    case NDS_COMPLEX: return x->re == y->re && x->im == y->im;
  }
  return false;
}

bool nd_equal(const ndarray *a, const ndarray *b) {
  if (!nd_dtype_equal(a->dtype, b->dtype) || a->ndim != b->ndim ||
      memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof(size_t)))
    return false;
  size_t n = nd_count(a);
  if (!nd_dtype_numeric(a->dtype) || a->dtype.kind <= ND_UINT64)
    return n == 0 || memcmp(a->data, b->data, n * a->dtype.itemsize) == 0;
  for (size_t i = 0; i < n; i++) { /* floats: NaN differs from itself, -0 equals 0 */
    nd_scalar x, y;
    nd_get(a, i, &x);
    nd_get(b, i, &y);
    if (!scalar_equal(&x, &y)) return false;
  }
  return true;
}

/* memcpy keeps loads and stores legal at any alignment; compilers emit a plain move */
#define LOAD(type, p) load_##type(p)
#define STORE(type, p, v) do { type tmp_ = (type)(v); memcpy((p), &tmp_, sizeof tmp_); } while (0)
#define DEFINE_LOAD(type) \
  static inline type load_##type(const unsigned char *p) { type v; memcpy(&v, p, sizeof v); return v; }
DEFINE_LOAD(int8_t)
DEFINE_LOAD(int16_t)
DEFINE_LOAD(int32_t)
DEFINE_LOAD(int64_t)
DEFINE_LOAD(uint8_t)
DEFINE_LOAD(uint16_t)
DEFINE_LOAD(uint32_t)
DEFINE_LOAD(uint64_t)
DEFINE_LOAD(float)
DEFINE_LOAD(double)

void nd_get(const ndarray *a, size_t index, nd_scalar *out) {
  const unsigned char *p = a->data + index * a->dtype.itemsize;
  *out = (nd_scalar){.tag = NDS_INT};
  switch (a->dtype.kind) {
    case ND_BOOL: out->tag = NDS_BOOL; out->i = *p != 0; break;
    case ND_INT8: out->i = LOAD(int8_t, p); break;
    case ND_INT16: out->i = LOAD(int16_t, p); break;
    case ND_INT32: out->i = LOAD(int32_t, p); break;
    case ND_INT64: out->i = LOAD(int64_t, p); break;
    case ND_UINT8: out->tag = NDS_UINT; out->u = LOAD(uint8_t, p); break;
    case ND_UINT16: out->tag = NDS_UINT; out->u = LOAD(uint16_t, p); break;
    case ND_UINT32: out->tag = NDS_UINT; out->u = LOAD(uint32_t, p); break;
    case ND_UINT64: out->tag = NDS_UINT; out->u = LOAD(uint64_t, p); break;
    case ND_FLOAT16: out->tag = NDS_FLOAT; out->re = half_to_double(LOAD(uint16_t, p)); break;
    case ND_FLOAT32: out->tag = NDS_FLOAT; out->re = LOAD(float, p); break;
    case ND_FLOAT64: out->tag = NDS_FLOAT; out->re = LOAD(double, p); break;
    case ND_COMPLEX64:
      out->tag = NDS_COMPLEX;
      out->re = LOAD(float, p);
      out->im = LOAD(float, p + 4);
      break;
    case ND_COMPLEX128:
      out->tag = NDS_COMPLEX;
      out->re = LOAD(double, p);
      out->im = LOAD(double, p + 8);
      break;
    case ND_UNICODE:
    case ND_BYTES: break;
  }
}

/* The value as 64 raw bits for an integer target: integers wrap as in numpy's astype;
 * floats must be finite and in range of the target. */
static const char *integer_bits(const nd_scalar *v, nd_kind target, uint64_t *bits) {
  if (v->tag == NDS_BOOL || v->tag == NDS_INT) {
    *bits = (uint64_t)v->i;
    return NULL;
  }
  if (v->tag == NDS_UINT) {
    *bits = v->u;
    return NULL;
  }
  double x = trunc(v->re);
  bool is_signed = target >= ND_INT8 && target <= ND_INT64;
  if (isnan(x)) return "NaN cannot be converted to an integer";
  if (is_signed ? (x < -0x1p63 || x >= 0x1p63) : (x < 0 || x >= 0x1p64))
    return "value out of range for the integer dtype";
  *bits = is_signed ? (uint64_t)(int64_t)x : (uint64_t)x;
  return NULL;
}

static double scalar_real(const nd_scalar *v) {
  switch (v->tag) {
    case NDS_BOOL:
    case NDS_INT: return (double)v->i;
    case NDS_UINT: return (double)v->u;
    default: return v->re;
  }
}

const char *nd_set(ndarray *a, size_t index, const nd_scalar *v) {
  unsigned char *p = a->data + index * a->dtype.itemsize;
  nd_kind k = a->dtype.kind;
  uint64_t bits = 0;
  const char *err;
  if (k == ND_BOOL) {
    *p = v->tag == NDS_COMPLEX ? (v->re != 0 || v->im != 0) : scalar_real(v) != 0;
    return NULL;
  }
  if (k <= ND_UINT64 && (err = integer_bits(v, k, &bits))) return err;
  double re = scalar_real(v), im = v->tag == NDS_COMPLEX ? v->im : 0;
  switch (k) {
    case ND_INT8: case ND_UINT8: STORE(uint8_t, p, bits); break;
    case ND_INT16: case ND_UINT16: STORE(uint16_t, p, bits); break;
    case ND_INT32: case ND_UINT32: STORE(uint32_t, p, bits); break;
    case ND_INT64: case ND_UINT64: STORE(uint64_t, p, bits); break;
    case ND_FLOAT16: STORE(uint16_t, p, double_to_half(re)); break;
    case ND_FLOAT32: STORE(float, p, double_to_float(re)); break;
    case ND_FLOAT64: STORE(double, p, re); break;
    case ND_COMPLEX64:
      STORE(float, p, double_to_float(re));
      STORE(float, p + 4, double_to_float(im));
      break;
    case ND_COMPLEX128:
      STORE(double, p, re);
      STORE(double, p + 8, im);
      break;
    default: return "not a numeric dtype";
  }
  return NULL;
}

int nd_astype(const ndarray *src, nd_dtype t, ndarray *out, char *err, size_t errsize) {
  const char *msg;
  out->buffer = NULL;
  if (!nd_dtype_numeric(src->dtype) || !nd_dtype_numeric(t)) {
    snprintf(err, errsize, "astype converts between numeric dtypes only");
    return -1;
  }
  if (nd_alloc(out, t, src->ndim, src->shape, &msg)) {
    snprintf(err, errsize, "%s", msg);
    return -1;
  }
  size_t n = nd_count(src);
  for (size_t i = 0; i < n; i++) {
    nd_scalar v;
    nd_get(src, i, &v);
    if ((msg = nd_set(out, i, &v))) {
      snprintf(err, errsize, "element %zu: %s", i, msg);
      nd_release(out);
      return -1;
    }
  }
  return 0;
}
