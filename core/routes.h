/* routes.h: the route table: method + exact path -> a static response (served from C) or
 * a Lua handler (a registry reference). Built while the challenge loads, then frozen. */
#ifndef ANOMED_ROUTES_H
#define ANOMED_ROUTES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { ROUTE_STATIC, ROUTE_LUA } route_kind;

typedef struct {
  char *method, *path;
  route_kind kind;
  int status;           /* static */
  char *content_type;   /* static */
  unsigned char *body;  /* static, owned */
  size_t body_len;
  unsigned char digest[32]; /* static: SHA-256 of the data served, for the fingerprint */
  int handler;          /* Lua: registry reference */
} route;

typedef struct {
  route *items;
  size_t count, cap;
  bool frozen; /* no more routes once the challenge has loaded */
} route_table;

/* Adds a route; copies every string and the body. Returns NULL or an error message. */
const char *routes_add(route_table *t, const route *r);
/* The route for method and path; HEAD finds GET routes. NULL when none matches, with
 * *path_known telling whether the path exists under another method. */
const route *routes_find(const route_table *t, const char *method, const char *path,
                         bool *path_known);
/* "GET, POST": the methods a path has, for 405's Allow header (buf of size bytes). */
void routes_allowed(const route_table *t, const char *path, char *buf, size_t size);
void routes_free(route_table *t);

#endif
