/* zip.h: the ZIP container as numpy's savez writes and reads it: a directory reader that
 * checks every offset and size, and a writer with CPython's zipfile layout. Pure C. */
#ifndef ANOMED_ZIP_H
#define ANOMED_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { ZIP_STORED = 0, ZIP_DEFLATED = 8 };

typedef struct {
  const char *name; /* borrowed from the archive, not NUL terminated */
  size_t name_len;
  uint16_t method;
  uint32_t crc;
  uint64_t compressed_size, size;
  const unsigned char *data; /* borrowed: compressed_size bytes inside the archive */
} zip_entry;

/* Reads the central directory of buf; *entries is malloc'd (caller frees). */
int zip_read(const unsigned char *buf, size_t len, size_t max_entries, zip_entry **entries,
             size_t *count, char *err, size_t errsize);

typedef struct {
  unsigned char *bytes;
  size_t len, cap;
  unsigned char *dir; /* central directory records, appended at finish */
  size_t dir_len, dir_cap;
  size_t count;
  bool failed; /* out of memory once: every later call is a no-op */
} zip_writer;

/* Appends a member whose data is already compressed (or stored). */
int zip_add(zip_writer *w, const char *name, uint16_t method, uint32_t crc,
            const unsigned char *data, size_t compressed_size, size_t size);
/* Writes the central directory and end records; *out is malloc'd (caller frees). The
 * writer is empty afterwards, on success and on failure. */
int zip_finish(zip_writer *w, unsigned char **out, size_t *outlen);
void zip_writer_free(zip_writer *w);

#endif
