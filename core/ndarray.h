/* ndarray.h: n-dimensional typed arrays, C-order contiguous, over a reference-counted
 * buffer that views share. Pure C, no Lua; errors are returned as static strings. */
#ifndef ANOMED_NDARRAY_H
#define ANOMED_NDARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ND_MAXDIMS 32

typedef enum {
  ND_BOOL, ND_INT8, ND_INT16, ND_INT32, ND_INT64,
  ND_UINT8, ND_UINT16, ND_UINT32, ND_UINT64,
  ND_FLOAT16, ND_FLOAT32, ND_FLOAT64, ND_COMPLEX64, ND_COMPLEX128,
  ND_UNICODE, /* fixed width UCS-4 in native byte order, itemsize = 4 * code points */
  ND_BYTES    /* fixed width, NUL padded, itemsize = bytes */
} nd_kind;

typedef struct {
  nd_kind kind;
  size_t itemsize;
} nd_dtype;

/* One allocation owned by every array that refers to it. */
typedef struct {
  size_t refs;
  size_t size;
  unsigned char *bytes;
} nd_buffer;

typedef struct {
  nd_dtype dtype;
  int ndim;
  size_t shape[ND_MAXDIMS];
  nd_buffer *buffer; /* NULL once released */
  unsigned char *data;
} ndarray;

/* A single element as a value, for reading, writing and casting. */
typedef enum { NDS_BOOL, NDS_INT, NDS_UINT, NDS_FLOAT, NDS_COMPLEX } nd_scalar_tag;
typedef struct {
  nd_scalar_tag tag;
  int64_t i;
  uint64_t u;
  double re, im;
} nd_scalar;

/* dtypes */
bool nd_dtype_numeric(nd_dtype t);
bool nd_dtype_equal(nd_dtype a, nd_dtype b);
/* fixed itemsize of a numeric kind; 0 for the string kinds */
size_t nd_kind_itemsize(nd_kind k);
/* "float64", "U5", "S3"; writes into buf (at least 32 bytes) */
const char *nd_dtype_name(nd_dtype t, char *buf, size_t bufsize);
/* parses the names nd_dtype_name gives; returns false on an unknown name */
bool nd_dtype_parse(const char *name, nd_dtype *out);

/* shapes */
size_t nd_count(const ndarray *a);
size_t nd_nbytes(const ndarray *a);
/* bytes of one row along axis 0 (the whole array for 0-d) */
size_t nd_row_bytes(const ndarray *a);
/* product of dims times itemsize; false when it overflows or exceeds max_bytes */
bool nd_shape_bytes(int ndim, const size_t *shape, size_t itemsize, size_t max_bytes,
                    size_t *nbytes);

/* lifetime: every function that fills an ndarray gives the caller one reference */
int nd_alloc(ndarray *out, nd_dtype t, int ndim, const size_t *shape, const char **err);
/* takes ownership of bytes (malloc'd, size bytes); data starts at bytes + offset */
int nd_adopt(ndarray *out, nd_dtype t, int ndim, const size_t *shape, unsigned char *bytes,
             size_t size, size_t offset, const char **err);
void nd_view(const ndarray *src, ndarray *out);
void nd_release(ndarray *a); /* safe to call twice */

/* row operations along axis 0 (errors name the offending row) */
int nd_take(const ndarray *src, const int64_t *rows, size_t nrows, ndarray *out,
            char *err, size_t errsize);
int nd_slice(const ndarray *src, size_t start, size_t stop, ndarray *out);
int nd_concat(const ndarray *parts, size_t nparts, ndarray *out, const char **err);

bool nd_equal(const ndarray *a, const ndarray *b);
int nd_astype(const ndarray *src, nd_dtype t, ndarray *out, char *err, size_t errsize);

/* elements by flat C-order index */
void nd_get(const ndarray *a, size_t index, nd_scalar *out);
/* numeric kinds only; returns an error message for a value the dtype cannot hold */
const char *nd_set(ndarray *a, size_t index, const nd_scalar *value);

#endif
