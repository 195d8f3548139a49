/* npz.h: .npz archives (a zip of .npy members) to and from ndarrays, with limits that
 * make hostile input an error instead of a crash or a huge allocation. Pure C. */
#ifndef ANOMED_NPZ_H
#define ANOMED_NPZ_H

#include <stddef.h>

#include "deflate.h"
#include "ndarray.h"

typedef struct {
  size_t max_bytes;   /* total decompressed bytes of all members */
  size_t max_members;
  int max_dims;
} npz_limits;

#define NPZ_DEFAULT_MAX_BYTES ((size_t)1 << 30)
#define NPZ_DEFAULT_MAX_MEMBERS 1024
#define NPZ_DEFAULT_MAX_DIMS ND_MAXDIMS

typedef struct {
  char *name; /* without ".npy"; malloc'd */
  ndarray array;
} npz_member;

typedef struct {
  int level; /* 0 stores members, 1..9 (zlib) or 1..12 (libdeflate) deflates them */
  deflate_engine engine;
  int threads; /* zlib only: more than 1 compresses large members in parallel */
} npz_options;

void npz_default_limits(npz_limits *lim);

/* Decodes buf; *members (count entries, archive order) belongs to the caller: free it
 * with npz_members_free. */
int npz_decode(const unsigned char *buf, size_t len, const npz_limits *lim,
               npz_member **members, size_t *count, char *err, size_t errsize);
void npz_members_free(npz_member *members, size_t count);

/* Encodes arrays as members NAME.npy in the given order; *out is malloc'd. */
int npz_encode(size_t count, const char *const *names, const ndarray *arrays,
               const npz_options *opt, unsigned char **out, size_t *outlen, char *err,
               size_t errsize);

/* An .npy image of one array (header + data); *out is malloc'd. */
int npy_encode(const ndarray *a, unsigned char **out, size_t *outlen, char *err,
               size_t errsize);

#endif
