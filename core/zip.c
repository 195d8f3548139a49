/* zip.c: ZIP directory reading (ZIP64 aware, every offset checked against the buffer) and
 * writing in the byte layout CPython's zipfile gives numpy's savez (Python <= 3.11.3). */
#include "zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZIP64_LIMIT 0x7fffffffu /* CPython switches to ZIP64 fields past this */
#define EOCD_LEN 22
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define DOS_DATE_1980 0x21 /* 1980-01-01, the date numpy's members carry */

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

typedef struct {
  uint64_t count, dir_size, dir_offset;
} directory;

static int find_end(const unsigned char *buf, size_t len, size_t *at) {
  if (len < EOCD_LEN) return -1;
  size_t lowest = len - EOCD_LEN > 0xffff ? len - EOCD_LEN - 0xffff : 0;
  for (size_t i = len - EOCD_LEN + 1; i-- > lowest;) {
    if (memcmp(buf + i, "PK\5\6", 4) == 0) {
      *at = i;
      return 0;
    }
  }
  return -1;
}

static int read_zip64_end(const unsigned char *buf, size_t eocd, directory *dir) {
  if (eocd < 20 || memcmp(buf + eocd - 20, "PK\6\7", 4)) return -1;
  uint64_t at = rd64(buf + eocd - 20 + 8);
  if (at > eocd - 20 || eocd - 20 - at < 56 || memcmp(buf + at, "PK\6\6", 4)) return -1;
  dir->count = rd64(buf + at + 32);
  dir->dir_size = rd64(buf + at + 40);
  dir->dir_offset = rd64(buf + at + 48);
  return 0;
}

static int read_directory(const unsigned char *buf, size_t len, directory *dir, size_t *end,
                          char *err, size_t errsize) {
  size_t eocd;
  if (find_end(buf, len, &eocd)) {
    snprintf(err, errsize, "not a zip archive (no end of central directory)");
    return -1;
  }
  dir->count = rd16(buf + eocd + 10);
  dir->dir_size = rd32(buf + eocd + 12);
  dir->dir_offset = rd32(buf + eocd + 16);
  bool zip64 = dir->count == 0xffff || dir->dir_size == 0xffffffff || dir->dir_offset == 0xffffffff;
  if (zip64 && read_zip64_end(buf, eocd, dir)) {
    snprintf(err, errsize, "corrupt zip archive (bad ZIP64 end record)");
    return -1;
  }
  *end = zip64 ? eocd - 20 : eocd;
  if (dir->dir_offset > *end || dir->dir_size > *end - dir->dir_offset) {
    snprintf(err, errsize, "corrupt zip archive (central directory out of bounds)");
    return -1;
  }
  return 0;
}

/* ZIP64 extra field: only the fields whose 32-bit slot holds 0xFFFFFFFF, in this order. */
static int read_zip64_extra(const unsigned char *extra, size_t n, uint64_t *size,
                            uint64_t *compressed, uint64_t *offset) {
  uint64_t *want[3] = {size, compressed, offset};
  for (size_t i = 0; i + 4 <= n;) {
    uint16_t id = rd16(extra + i), len = rd16(extra + i + 2);
    if (len > n - i - 4) return -1;
    if (id == 1) {
      const unsigned char *p = extra + i + 4, *stop = p + len;
      for (int f = 0; f < 3; f++) {
        if (*want[f] != 0xffffffff) continue;
        if (stop - p < 8) return -1;
        *want[f] = rd64(p);
        p += 8;
      }
      return 0;
    }
    i += 4 + (size_t)len;
  }
  return 0;
}

static int read_entry(const unsigned char *buf, size_t dir_end, size_t *pos, zip_entry *e,
                      char *err, size_t errsize) {
  const unsigned char *c = buf + *pos;
  if (dir_end - *pos < CENTRAL_LEN || memcmp(c, "PK\1\2", 4)) {
    snprintf(err, errsize, "corrupt zip archive (bad central directory entry)");
    return -1;
  }
  size_t name_len = rd16(c + 28), extra_len = rd16(c + 30), comment_len = rd16(c + 32);
  if (dir_end - *pos - CENTRAL_LEN < name_len + extra_len + comment_len) {
    snprintf(err, errsize, "corrupt zip archive (central directory entry too long)");
    return -1;
  }
  uint64_t offset = rd32(c + 42);
  *e = (zip_entry){.name = (const char *)c + CENTRAL_LEN, .name_len = name_len,
                   .method = rd16(c + 10), .crc = rd32(c + 16),
                   .compressed_size = rd32(c + 20), .size = rd32(c + 24)};
  if (read_zip64_extra(c + CENTRAL_LEN + name_len, extra_len, &e->size, &e->compressed_size,
                       &offset)) {
    snprintf(err, errsize, "corrupt zip archive (bad ZIP64 extra field)");
    return -1;
  }
  if (rd16(c + 8) & 1) {
    snprintf(err, errsize, "encrypted zip members are not supported");
    return -1;
  }
  *pos += CENTRAL_LEN + name_len + extra_len + comment_len;
  /* the member's data follows its local header and must end before the directory */
  if (offset > dir_end || dir_end - offset < LOCAL_LEN || memcmp(buf + offset, "PK\3\4", 4)) {
    snprintf(err, errsize, "corrupt zip archive (bad local header)");
    return -1;
  }
  const unsigned char *l = buf + offset;
  uint64_t data = offset + LOCAL_LEN + rd16(l + 26) + rd16(l + 28);
  if (data > dir_end || e->compressed_size > dir_end - data) {
    snprintf(err, errsize, "corrupt zip archive (member data out of bounds)");
    return -1;
  }
  e->data = buf + data;
  return 0;
}

int zip_read(const unsigned char *buf, size_t len, size_t max_entries, zip_entry **entries,
             size_t *count, char *err, size_t errsize) {
  directory dir;
  size_t end;
  *entries = NULL;
  *count = 0;
  if (read_directory(buf, len, &dir, &end, err, errsize)) return -1;
  if (dir.count > max_entries) {
    snprintf(err, errsize, "archive has %llu members, more than the limit of %zu",
             (unsigned long long)dir.count, max_entries);
    return -1;
  }
  if (dir.count > dir.dir_size / CENTRAL_LEN) {
    snprintf(err, errsize, "corrupt zip archive (member count exceeds directory)");
    return -1;
  }
  zip_entry *list = calloc(dir.count ? dir.count : 1, sizeof *list);
  if (!list) {
    snprintf(err, errsize, "out of memory");
    return -1;
  }
  size_t pos = dir.dir_offset, dir_end = dir.dir_offset + dir.dir_size;
  for (size_t i = 0; i < dir.count; i++) {
    if (read_entry(buf, dir_end, &pos, &list[i], err, errsize)) {
      free(list);
      return -1;
    }
  }
  *entries = list;
  *count = dir.count;
  return 0;
}

static bool reserve(unsigned char **buf, size_t len, size_t *cap, size_t more, bool *failed) {
  if (*failed) return false;
  if (more <= *cap - len) return true;
  size_t want = *cap ? *cap : 4096;
  while (want - len < more) {
    if (want > SIZE_MAX / 2) return !(*failed = true);
    want *= 2;
  }
  unsigned char *p = realloc(*buf, want);
  if (!p) return !(*failed = true);
  *buf = p;
  *cap = want;
  return true;
}

static unsigned char *put16(unsigned char *p, uint64_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  return p + 2;
}
static unsigned char *put32(unsigned char *p, uint64_t v) { return put16(put16(p, v), v >> 16); }
static unsigned char *put64(unsigned char *p, uint64_t v) { return put32(put32(p, v), v >> 32); }

static bool is_ascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return false;
  return true;
}

static void add_central(zip_writer *w, const char *name, uint16_t flags, uint16_t method,
                        uint32_t crc, size_t compressed, size_t size, size_t offset) {
  size_t name_len = strlen(name);
  bool big = size > ZIP64_LIMIT || compressed > ZIP64_LIMIT, far = offset > ZIP64_LIMIT;
  size_t extra_len = big || far ? 4 + 16 * big + 8 * far : 0;
  if (!reserve(&w->dir, w->dir_len, &w->dir_cap, CENTRAL_LEN + name_len + extra_len, &w->failed))
    return;
  unsigned char *p = w->dir + w->dir_len;
  unsigned version = extra_len ? 45 : 20;
  memcpy(p, "PK\1\2", 4);
  p = put16(p + 4, version | 3 << 8); /* made by: unix */
  p = put16(p, version);
  p = put16(put16(p, flags), method);
  p = put16(put16(p, 0), DOS_DATE_1980);
  p = put32(p, crc);
  p = put32(put32(p, big ? 0xffffffff : compressed), big ? 0xffffffff : size);
  p = put16(put16(p, name_len), extra_len);
  p = put16(put16(put16(p, 0), 0), 0);     /* comment, disk, internal attributes */
  p = put32(p, 0x01800000);                /* -rw------- */
  p = put32(p, far ? 0xffffffff : offset);
  memcpy(p, name, name_len);
  p += name_len;
  if (extra_len) p = put16(put16(p, 1), extra_len - 4);
  if (big) p = put64(put64(p, size), compressed);
  if (far) p = put64(p, offset);
  w->dir_len = (size_t)(p - w->dir);
}

int zip_add(zip_writer *w, const char *name, uint16_t method, uint32_t crc,
            const unsigned char *data, size_t compressed, size_t size) {
  size_t name_len = strlen(name);
  if (name_len > 0xffff) w->failed = true;
  if (!reserve(&w->bytes, w->len, &w->cap, LOCAL_LEN + name_len + 20 + compressed, &w->failed))
    return -1;
  bool big = size > ZIP64_LIMIT || compressed > ZIP64_LIMIT;
  uint16_t flags = is_ascii(name) ? 0 : 0x800;
  size_t offset = w->len;
  unsigned char *p = w->bytes + offset;
  memcpy(p, "PK\3\4", 4);
  p = put16(p + 4, big ? 45 : 20);
  p = put16(put16(p, flags), method);
  p = put16(put16(p, 0), DOS_DATE_1980);
  p = put32(p, crc);
  p = put32(put32(p, big ? 0xffffffff : compressed), big ? 0xffffffff : size);
  p = put16(put16(p, name_len), 20);
  memcpy(p, name, name_len);
  p = put64(put64(put16(put16(p + name_len, 1), 16), size), compressed);
  if (compressed) memcpy(p, data, compressed);
  w->len = (size_t)(p - w->bytes) + compressed;
  add_central(w, name, flags, method, crc, compressed, size, offset);
  w->count++;
  return w->failed ? -1 : 0;
}

static void add_end_records(zip_writer *w) {
  size_t dir_offset = w->len - w->dir_len, dir_size = w->dir_len, count = w->count;
  bool zip64 = count > 0xffff || dir_offset > ZIP64_LIMIT || dir_size > ZIP64_LIMIT;
  if (!reserve(&w->bytes, w->len, &w->cap, 56 + 20 + EOCD_LEN, &w->failed)) return;
  unsigned char *p = w->bytes + w->len;
  if (zip64) {
    size_t at = w->len;
    memcpy(p, "PK\6\6", 4);
    p = put16(put16(put64(p + 4, 44), 45), 45);
    p = put32(put32(p, 0), 0);
    p = put64(put64(put64(put64(p, count), count), dir_size), dir_offset);
    memcpy(p, "PK\6\7", 4);
    p = put32(put64(put32(p + 4, 0), at), 1);
  }
  memcpy(p, "PK\5\6", 4);
  p = put16(put16(p + 4, 0), 0);
  p = put16(put16(p, count > 0xffff ? 0xffff : count), count > 0xffff ? 0xffff : count);
  p = put32(p, dir_size > 0xffffffff ? 0xffffffff : dir_size);
  p = put32(p, dir_offset > 0xffffffff ? 0xffffffff : dir_offset);
  p = put16(p, 0);
  w->len = (size_t)(p - w->bytes);
}

int zip_finish(zip_writer *w, unsigned char **out, size_t *outlen) {
  if (reserve(&w->bytes, w->len, &w->cap, w->dir_len, &w->failed)) {
    if (w->dir_len) memcpy(w->bytes + w->len, w->dir, w->dir_len);
    w->len += w->dir_len;
    add_end_records(w);
  }
  int rc = w->failed ? -1 : 0;
  if (!rc) {
    *out = w->bytes;
    *outlen = w->len;
    w->bytes = NULL;
  }
  zip_writer_free(w);
  return rc;
}

void zip_writer_free(zip_writer *w) {
  free(w->bytes);
  free(w->dir);
  *w = (zip_writer){0};
}
