/* routes.c: a small route table; challenges have a handful of routes, so lookups scan. */
#include "routes.h"

#include <stdlib.h>
#include <string.h>

static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c) memcpy(c, s, n);
  return c;
}

static void route_free(route *r) {
  free(r->method);
  free(r->path);
  free(r->content_type);
  free(r->body);
}

const char *routes_add(route_table *t, const route *r) {
  bool known;
  if (t->frozen) return "routes can only be declared while the challenge loads";
  if (r->path[0] != '/') return "a route's path must start with '/'";
  if (routes_find(t, r->method, r->path, &known)) return "route declared twice";
  if (t->count == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 16;
    route *items = realloc(t->items, cap * sizeof *items);
    if (!items) return "out of memory";
    t->items = items;
    t->cap = cap;
  }
  route c = *r;
  c.method = copy_string(r->method);
  c.path = copy_string(r->path);
  c.content_type = r->content_type ? copy_string(r->content_type) : NULL;
  c.body = r->body_len ? malloc(r->body_len) : NULL;
  if (!c.method || !c.path || (r->content_type && !c.content_type) || (r->body_len && !c.body)) {
    route_free(&c);
    return "out of memory";
  }
  if (r->body_len) memcpy(c.body, r->body, r->body_len);
  t->items[t->count++] = c;
  return NULL;
}

const route *routes_find(const route_table *t, const char *method, const char *path,
                         bool *path_known) {
  if (strcmp(method, "HEAD") == 0) method = "GET";
  *path_known = false;
  for (size_t i = 0; i < t->count; i++) {
    if (strcmp(t->items[i].path, path)) continue;
    *path_known = true;
    if (strcmp(t->items[i].method, method) == 0) return &t->items[i];
  }
  return NULL;
}

void routes_allowed(const route_table *t, const char *path, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = 0;
  for (size_t i = 0; i < t->count; i++) {
    if (strcmp(t->items[i].path, path)) continue;
    size_t n = strlen(t->items[i].method);
    if (used + n + 3 > size) break;
    if (used) {
      memcpy(buf + used, ", ", 2);
      used += 2;
    }
    memcpy(buf + used, t->items[i].method, n + 1);
    used += n;
  }
}

void routes_free(route_table *t) {
  for (size_t i = 0; i < t->count; i++) route_free(&t->items[i]);
  free(t->items);
  *t = (route_table){0};
}
