/* npy.h: the .npy format (numpy.lib.format): header parsing and writing, and conversion of
 * the stored data (byte order, fortran order) to native C-order ndarrays. Pure C. */
#ifndef ANOMED_NPY_H
#define ANOMED_NPY_H

#include <stdbool.h>
#include <stddef.h>

#include "ndarray.h"

/* The longest header npy_write_header produces: 32 dims of 20 digits fit easily. */
#define NPY_HEADER_MAX 1024

typedef struct {
  size_t max_bytes; /* array data bytes */
  int max_dims;
} npy_limits;

typedef struct {
  nd_dtype dtype;
  bool swap;    /* stored in the other byte order */
  bool fortran; /* stored column-major */
  int ndim;
  size_t shape[ND_MAXDIMS];
  size_t data_offset; /* bytes before the array data */
  size_t data_bytes;
} npy_header;

/* True when buf starts with the .npy magic. */
bool npy_is_npy(const unsigned char *buf, size_t len);

/* Parses and checks the header against len and the limits (data must be present). */
int npy_parse_header(const unsigned char *buf, size_t len, const npy_limits *lim,
                     npy_header *h, char *err, size_t errsize);

/* Decodes an .npy image whose bytes the caller owns (copied). */
int npy_decode(const unsigned char *buf, size_t len, const npy_limits *lim, ndarray *out,
               char *err, size_t errsize);

/* Decodes an .npy image in a malloc'd buffer of size len, taking ownership of buf in
 * every case: the array uses it in place when no reordering is needed. */
int npy_decode_owned(unsigned char *buf, size_t len, const npy_limits *lim, ndarray *out,
                     char *err, size_t errsize);

/* Writes the header numpy 1.24 writes for a (version 1.0, padded to 64 bytes) into
 * hdr (NPY_HEADER_MAX bytes); returns its length. */
size_t npy_write_header(const ndarray *a, unsigned char *hdr);

#endif
