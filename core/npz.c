/* npz.c: .npz decoding (sizes checked before allocation, CRC-32 verified) and encoding
 * (stored or deflated members in CPython's zip layout, byte-exact with numpy via zlib). */
#include "npz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "zip.h"

void npz_default_limits(npz_limits *lim) {
  *lim = (npz_limits){NPZ_DEFAULT_MAX_BYTES, NPZ_DEFAULT_MAX_MEMBERS, NPZ_DEFAULT_MAX_DIMS};
}

void npz_members_free(npz_member *members, size_t count) {
  if (!members) return;
  for (size_t i = 0; i < count; i++) {
    free(members[i].name);
    nd_release(&members[i].array);
  }
  free(members);
}

static size_t stem_len(const zip_entry *e) {
  size_t n = e->name_len;
  return n >= 4 && memcmp(e->name + n - 4, ".npy", 4) == 0 ? n - 4 : n;
}

static char *member_name(const zip_entry *e) {
  size_t n = stem_len(e);
  char *name = malloc(n + 1);
  if (name) {
    memcpy(name, e->name, n);
    name[n] = 0;
  }
  return name;
}

/* The member's bytes, inflated when needed, in a malloc'd buffer (ownership passes). */
static unsigned char *member_bytes(const zip_entry *e, char *err, size_t errsize) {
  const char *msg = "out of memory";
  if (e->method != ZIP_STORED && e->method != ZIP_DEFLATED) {
    snprintf(err, errsize, "unsupported compression method %u", e->method);
    return NULL;
  }
  if (e->method == ZIP_STORED && e->size != e->compressed_size) {
    snprintf(err, errsize, "stored member sizes disagree");
    return NULL;
  }
  unsigned char *bytes = malloc(e->size ? e->size : 1);
  if (bytes && e->method == ZIP_STORED) {
    if (e->size) memcpy(bytes, e->data, e->size);
  } else if (bytes && inflate_raw_exact(e->data, e->compressed_size, bytes, e->size, &msg)) {
    free(bytes);
    bytes = NULL;
  }
  if (!bytes) {
    snprintf(err, errsize, "%s", msg);
    return NULL;
  }
  if (crc32_update(0, bytes, e->size) != e->crc) {
    snprintf(err, errsize, "CRC-32 mismatch");
    free(bytes);
    return NULL;
  }
  return bytes;
}

static int decode_member(const zip_entry *e, const npz_limits *lim, npz_member *m, char *err,
                         size_t errsize) {
  npy_limits nl = {lim->max_bytes, lim->max_dims};
  if (!(m->name = member_name(e))) {
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  unsigned char *bytes = member_bytes(e, err, errsize);
  if (!bytes) return -1;
  return npy_decode_owned(bytes, e->size, &nl, &m->array, err, errsize);
}

/* Sizes against the limit, and names as the caller sees them ("x" and "x.npy" collide). */
static int check_entries(const zip_entry *entries, size_t count, const npz_limits *lim,
                         char *err, size_t errsize) {
  uint64_t total = 0;
  for (size_t i = 0; i < count; i++) {
    if (entries[i].size > lim->max_bytes - total) {
      snprintf(err, errsize, "archive inflates past the limit of %zu bytes", lim->max_bytes);
      return -1;
    }
    total += entries[i].size;
    size_t n = stem_len(&entries[i]);
    if (memchr(entries[i].name, 0, entries[i].name_len)) {
      snprintf(err, errsize, "member name with a NUL byte");
      return -1;
    }
    for (size_t j = 0; j < i; j++) {
      if (stem_len(&entries[j]) == n && memcmp(entries[j].name, entries[i].name, n) == 0) {
        snprintf(err, errsize, "duplicate member '%.*s'", (int)n, entries[i].name);
        return -1;
      }
    }
  }
  return 0;
}

int npz_decode(const unsigned char *buf, size_t len, const npz_limits *lim,
               npz_member **members, size_t *count, char *err, size_t errsize) {
  zip_entry *entries;
  size_t n;
  char why[200];
  *members = NULL;
  *count = 0;
  if (zip_read(buf, len, lim->max_members, &entries, &n, err, errsize)) return -1;
  if (check_entries(entries, n, lim, err, errsize)) {
    free(entries);
    return -1;
  }
  npz_member *list = calloc(n ? n : 1, sizeof *list);
  if (!list) {
    free(entries);
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    if (decode_member(&entries[i], lim, &list[i], why, sizeof why)) {
      snprintf(err, errsize, "member '%.*s': %s", (int)entries[i].name_len, entries[i].name, why);
      npz_members_free(list, n);
      free(entries);
      return -1;
    }
  }
  free(entries);
  *members = list;
  *count = n;
  return 0;
}

int npy_encode(const ndarray *a, unsigned char **out, size_t *outlen, char *err,
               size_t errsize) {
  unsigned char header[NPY_HEADER_MAX];
  size_t hlen = npy_write_header(a, header), nbytes = nd_nbytes(a);
  unsigned char *image = malloc(hlen + nbytes);
  if (!image) {
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  memcpy(image, header, hlen);
  if (nbytes) memcpy(image + hlen, a->data, nbytes);
  *out = image;
  *outlen = hlen + nbytes;
  return 0;
}

static int add_member(zip_writer *w, const char *name, const ndarray *a, const npz_options *opt,
                      char *err, size_t errsize) {
  unsigned char *image, *packed = NULL;
  size_t len, packed_len = 0;
  const char *msg = "out of memory";
  char *member = malloc(strlen(name) + 5);
  if (!member || npy_encode(a, &image, &len, err, errsize)) {
    free(member);
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  sprintf(member, "%s.npy", name);
  uint32_t crc = crc32_update(0, image, len);
  int rc = 0;
  if (opt->level == 0)
    rc = zip_add(w, member, ZIP_STORED, crc, image, len, len);
  else if ((rc = deflate_raw(opt->engine, opt->level, opt->threads, image, len, &packed, &packed_len, &msg)) == 0)
    rc = zip_add(w, member, ZIP_DEFLATED, crc, packed, packed_len, len);
  if (rc) snprintf(err, errsize, "%s", msg);
  free(packed);
  free(image);
  free(member);
  return rc;
}

int npz_encode(size_t count, const char *const *names, const ndarray *arrays,
               const npz_options *opt, unsigned char **out, size_t *outlen, char *err,
               size_t errsize) {
  zip_writer w = {0};
  for (size_t i = 0; i < count; i++) {
    if (add_member(&w, names[i], &arrays[i], opt, err, errsize)) {
      zip_writer_free(&w);
      return -1;
    }
  }
  if (zip_finish(&w, out, outlen)) {
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  return 0;
}
