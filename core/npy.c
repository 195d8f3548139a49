/* npy.c: .npy header parsing (a Python dict literal), header writing byte-exact with
 * numpy 1.24, and reordering of stored data into native C order. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define HEADER_TEXT_MAX (1u << 20)

typedef struct {
  const char *p, *end;
  char *err;
  size_t errsize;
} parser;

static int fail(parser *ps, const char *msg) {
  snprintf(ps->err, ps->errsize, "bad .npy header: %s", msg);
  return -1;
}

static void skip_space(parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

static bool accept(parser *ps, char c) {
  skip_space(ps);
  if (ps->p < ps->end && *ps->p == c) {
    ps->p++;
    return true;
  }
  return false;
}

/* A quoted string without escapes (numpy writes none in the keys and descrs we accept). */
static int parse_string(parser *ps, char *out, size_t outsize) {
  skip_space(ps);
  if (ps->p >= ps->end || (*ps->p != '\'' && *ps->p != '"')) return fail(ps, "expected a string");
  char quote = *ps->p++;
  size_t n = 0;
  while (ps->p < ps->end && *ps->p != quote) {
    if (*ps->p == '\\' || n + 1 >= outsize) return fail(ps, "unsupported string");
    out[n++] = *ps->p++;
  }
  if (ps->p >= ps->end) return fail(ps, "unterminated string");
  ps->p++;
  out[n] = 0;
  return 0;
}

static int parse_bool(parser *ps, bool *out) {
  skip_space(ps);
  size_t left = (size_t)(ps->end - ps->p);
  if (left >= 4 && memcmp(ps->p, "True", 4) == 0) {
    ps->p += 4;
    *out = true;
  } else if (left >= 5 && memcmp(ps->p, "False", 5) == 0) {
    ps->p += 5;
    *out = false;
  } else {
    return fail(ps, "fortran_order must be True or False");
  }
  return 0;
}

static int parse_dim(parser *ps, size_t *out) {
  skip_space(ps);
  if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') return fail(ps, "shape must hold integers");
  size_t v = 0;
  while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9') {
    size_t digit = (size_t)(*ps->p++ - '0');
    if (v > (SIZE_MAX - digit) / 10) return fail(ps, "dimension too large");
    v = v * 10 + digit;
  }
  if (ps->p < ps->end && *ps->p == 'L') ps->p++; /* Python 2 longs */
  *out = v;
  return 0;
}

static int parse_shape(parser *ps, npy_header *h, int max_dims) {
  if (!accept(ps, '(')) return fail(ps, "shape must be a tuple");
  h->ndim = 0;
  while (!accept(ps, ')')) {
    if (h->ndim >= max_dims) {
      snprintf(ps->err, ps->errsize, "array has more than %d dimensions", max_dims);
      return -1;
    }
    if (parse_dim(ps, &h->shape[h->ndim++])) return -1;
    if (!accept(ps, ',')) {
      if (!accept(ps, ')')) return fail(ps, "malformed shape tuple");
      break;
    }
  }
  return 0;
}

static int parse_descr(parser *ps, npy_header *h) {
  char d[64];
  skip_space(ps);
  if (ps->p < ps->end && *ps->p == '[') {
    snprintf(ps->err, ps->errsize, "structured dtypes are not supported");
    return -1;
  }
  if (parse_string(ps, d, sizeof d)) return -1;
  char order = d[0];
  const char *t = d + 1;
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    order = '=';
    t = d;
  }
  char type = t[0];
  char *end;
  unsigned long long size = strtoull(t + 1, &end, 10);
  if (type == 'O') {
    snprintf(ps->err, ps->errsize, "object arrays (pickled data) are refused");
    return -1;
  }
  if (*end || t[1] == 0 || size == 0) {
    snprintf(ps->err, ps->errsize, "unsupported dtype '%s'", d);
    return -1;
  }
  static const struct { char type; unsigned size; nd_kind kind; } known[] = {
      {'b', 1, ND_BOOL},    {'i', 1, ND_INT8},     {'i', 2, ND_INT16},
      {'i', 4, ND_INT32},   {'i', 8, ND_INT64},    {'u', 1, ND_UINT8},
      {'u', 2, ND_UINT16},  {'u', 4, ND_UINT32},   {'u', 8, ND_UINT64},
      {'f', 2, ND_FLOAT16}, {'f', 4, ND_FLOAT32},  {'f', 8, ND_FLOAT64},
      {'c', 8, ND_COMPLEX64}, {'c', 16, ND_COMPLEX128}};
  bool found = false;
  if ((type == 'U' || type == 'S') && size <= (1u << 30)) {
    h->dtype.kind = type == 'U' ? ND_UNICODE : ND_BYTES;
    h->dtype.itemsize = (size_t)size * (type == 'U' ? 4 : 1);
    found = true;
  }
  for (size_t i = 0; i < sizeof known / sizeof known[0] && !found; i++) {
    if (known[i].type == type && known[i].size == size) {
      h->dtype.kind = known[i].kind;
      h->dtype.itemsize = size;
      found = true;
    }
  }
  if (!found) {
    snprintf(ps->err, ps->errsize, "unsupported dtype '%s'", d);
    return -1;
  }
  uint16_t probe = 1;
  bool little = *(unsigned char *)&probe == 1;
  h->swap = (order == '<' && !little) || (order == '>' && little);
  return 0;
}

static int parse_dict(parser *ps, npy_header *h, int max_dims) {
  enum { DESCR = 1, FORTRAN = 2, SHAPE = 4 };
  int seen = 0;
  if (!accept(ps, '{')) return fail(ps, "expected a dict");
  while (!accept(ps, '}')) {
    char key[32];
    if (parse_string(ps, key, sizeof key)) return -1;
    if (!accept(ps, ':')) return fail(ps, "expected ':'");
    int which = strcmp(key, "descr") == 0           ? DESCR
                : strcmp(key, "fortran_order") == 0 ? FORTRAN
                : strcmp(key, "shape") == 0         ? SHAPE
                                                    : 0;
    if (!which || (seen & which)) return fail(ps, "unexpected or repeated key");
    seen |= which;
    int rc = which == DESCR     ? parse_descr(ps, h)
             : which == FORTRAN ? parse_bool(ps, &h->fortran)
                                : parse_shape(ps, h, max_dims);
    if (rc) return -1;
    if (!accept(ps, ',')) {
      if (!accept(ps, '}')) return fail(ps, "expected ',' or '}'");
      break;
    }
  }
  if (seen != (DESCR | FORTRAN | SHAPE)) return fail(ps, "missing descr, fortran_order or shape");
  skip_space(ps);
  if (ps->p != ps->end) return fail(ps, "trailing characters");
  return 0;
}

bool npy_is_npy(const unsigned char *buf, size_t len) {
  return len >= MAGIC_LEN && memcmp(buf, MAGIC, MAGIC_LEN) == 0;
}

int npy_parse_header(const unsigned char *buf, size_t len, const npy_limits *lim,
                     npy_header *h, char *err, size_t errsize) {
  if (!npy_is_npy(buf, len) || len < 10) {
    snprintf(err, errsize, "not an .npy array (bad magic)");
    return -1;
  }
  unsigned major = buf[6];
  size_t text_len, prefix;
  if (major == 1) {
    text_len = (size_t)buf[8] | (size_t)buf[9] << 8;
    prefix = 10;
  } else if ((major == 2 || major == 3) && len >= 12) {
    text_len = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
    prefix = 12;
  } else {
    snprintf(err, errsize, "unsupported .npy version %u.%u", major, buf[7]);
    return -1;
  }
  if (text_len > HEADER_TEXT_MAX || text_len > len - prefix) {
    snprintf(err, errsize, "truncated .npy header");
    return -1;
  }
  memset(h, 0, sizeof *h);
  parser ps = {(const char *)buf + prefix, (const char *)buf + prefix + text_len, err, errsize};
  if (parse_dict(&ps, h, lim->max_dims)) return -1;
  h->data_offset = prefix + text_len;
  if (!nd_shape_bytes(h->ndim, h->shape, h->dtype.itemsize, lim->max_bytes, &h->data_bytes)) {
    snprintf(err, errsize, "array data exceeds the limit of %zu bytes", lim->max_bytes);
    return -1;
  }
  if (h->data_bytes > len - h->data_offset) {
    snprintf(err, errsize, "truncated .npy data (%zu bytes expected, %zu present)",
             h->data_bytes, len - h->data_offset);
    return -1;
  }
  return 0;
}

static void swap_bytes(unsigned char *p, size_t nbytes, size_t width) {
  for (size_t i = 0; i + width <= nbytes; i += width)
    for (size_t a = i, b = i + width - 1; a < b; a++, b--) {
      unsigned char t = p[a];
      p[a] = p[b];
      p[b] = t;
    }
}

/* width of the units whose bytes a byte-order change reverses */
static size_t swap_width(nd_dtype t) {
  if (t.kind == ND_UNICODE) return 4;
  if (t.kind == ND_BYTES) return 1;
  if (t.kind == ND_COMPLEX64 || t.kind == ND_COMPLEX128) return t.itemsize / 2;
  return t.itemsize;
}

/* column-major src -> row-major dst, walking dst in order with an odometer over src */
static void fortran_to_c(const unsigned char *src, unsigned char *dst, const npy_header *h) {
  size_t item = h->dtype.itemsize, count = h->data_bytes / (item ? item : 1);
  size_t stride[ND_MAXDIMS], index[ND_MAXDIMS] = {0}, offset = 0;
  for (int d = 0; d < h->ndim; d++) stride[d] = d ? stride[d - 1] * h->shape[d - 1] : item;
  for (size_t i = 0; i < count; i++) {
    memcpy(dst + i * item, src + offset, item);
    for (int d = h->ndim - 1; d >= 0; d--) {
      offset += stride[d];
      if (++index[d] < h->shape[d]) break;
      offset -= stride[d] * h->shape[d];
      index[d] = 0;
    }
  }
}

static void normalize_bools(ndarray *a) {
  size_t n = nd_count(a);
  for (size_t i = 0; i < n; i++) a->data[i] = a->data[i] != 0;
}

static int to_native(ndarray *out, const npy_header *h) {
  if (h->swap) swap_bytes(out->data, h->data_bytes, swap_width(h->dtype));
  if (h->dtype.kind == ND_BOOL) normalize_bools(out);
  return 0;
}

int npy_decode(const unsigned char *buf, size_t len, const npy_limits *lim, ndarray *out,
               char *err, size_t errsize) {
  npy_header h;
  const char *msg;
  out->buffer = NULL;
  if (npy_parse_header(buf, len, lim, &h, err, errsize)) return -1;
  if (nd_alloc(out, h.dtype, h.ndim, h.shape, &msg)) {
    snprintf(err, errsize, "%s", msg);
    return -1;
  }
  if (h.fortran && h.ndim > 1)
    fortran_to_c(buf + h.data_offset, out->data, &h);
  else if (h.data_bytes)
    memcpy(out->data, buf + h.data_offset, h.data_bytes);
  return to_native(out, &h);
}

int npy_decode_owned(unsigned char *buf, size_t len, const npy_limits *lim, ndarray *out,
                     char *err, size_t errsize) {
  npy_header h;
  const char *msg;
  out->buffer = NULL;
  if (npy_parse_header(buf, len, lim, &h, err, errsize)) {
    free(buf);
    return -1;
  }
  if (h.fortran && h.ndim > 1) {
    int rc = npy_decode(buf, len, lim, out, err, errsize);
    free(buf);
    return rc;
  }
  if (nd_adopt(out, h.dtype, h.ndim, h.shape, buf, len, h.data_offset, &msg)) {
    free(buf);
    snprintf(err, errsize, "%s", msg);
    return -1;
  }
  return to_native(out, &h);
}

static size_t put_descr(const ndarray *a, char *p, size_t size) {
  static const char *const codes[] = {
      [ND_BOOL] = "|b1",    [ND_INT8] = "|i1",    [ND_INT16] = "i2",    [ND_INT32] = "i4",
      [ND_INT64] = "i8",    [ND_UINT8] = "|u1",   [ND_UINT16] = "u2",   [ND_UINT32] = "u4",
      [ND_UINT64] = "u8",   [ND_FLOAT16] = "f2",  [ND_FLOAT32] = "f4",  [ND_FLOAT64] = "f8",
      [ND_COMPLEX64] = "c8", [ND_COMPLEX128] = "c16"};
  uint16_t probe = 1;
  char order = *(unsigned char *)&probe == 1 ? '<' : '>';
  nd_kind k = a->dtype.kind;
  if (k == ND_UNICODE) return (size_t)snprintf(p, size, "%cU%zu", order, a->dtype.itemsize / 4);
  if (k == ND_BYTES) return (size_t)snprintf(p, size, "|S%zu", a->dtype.itemsize);
  if (codes[k][0] == '|') return (size_t)snprintf(p, size, "%s", codes[k]);
  return (size_t)snprintf(p, size, "%c%s", order, codes[k]);
}

size_t npy_write_header(const ndarray *a, unsigned char *hdr) {
  char text[NPY_HEADER_MAX], descr[32], shape[NPY_HEADER_MAX / 2];
  size_t n = 0;
  put_descr(a, descr, sizeof descr);
  shape[0] = 0;
  for (int d = 0; d < a->ndim; d++)
    n += (size_t)snprintf(shape + n, sizeof shape - n, d ? ", %zu" : "%zu", a->shape[d]);
  if (a->ndim == 1) snprintf(shape + n, sizeof shape - n, ",");
  n = (size_t)snprintf(text, sizeof text, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                       descr, shape);
  if (a->ndim > 0) { /* numpy >= 1.24 leaves room for the first dimension to grow */
    char digits[24];
    int used = snprintf(digits, sizeof digits, "%zu", a->shape[0]);
    for (int i = used; i < 21; i++) text[n++] = ' ';
  }
  size_t pad = 64 - (MAGIC_LEN + 4 + n + 1) % 64;
  size_t text_len = n + pad + 1;
  memcpy(hdr, MAGIC "\x01\x00", 8);
  hdr[8] = (unsigned char)(text_len & 0xff);
  hdr[9] = (unsigned char)(text_len >> 8);
  memcpy(hdr + 10, text, n);
  memset(hdr + 10 + n, ' ', pad);
  hdr[10 + n + pad] = '\n';
  return 10 + text_len;
}
