/* l_http.c: the anomed.http module: route declaration while the challenge loads, and the
 * dispatch of a request to a Lua route's handler under the time and memory limits. A
 * handler returns status, content type and body; an error object {status, title,
 * description} becomes that JSON error. */
#include <stdio.h>
#include <string.h>

#include "anomed_lua.h"
#include "l_http.h"
#include "lua_guard.h"
#include "sha256.h"

#define ENGINE_KEY "anomed.engine"

typedef struct {
  route_table routes;
  const engine_config *config;
} engine;

static int engine_gc(lua_State *L) {
  engine *e = lua_touserdata(L, 1);
  routes_free(&e->routes);
  return 0;
}

void engine_install(lua_State *L, const engine_config *config) {
  engine *e = lua_newuserdatauv(L, sizeof *e, 0);
  *e = (engine){.config = config};
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, engine_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, ENGINE_KEY);
}

static engine *engine_of(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, ENGINE_KEY);
  engine *e = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (!e) luaL_error(L, "anomed.http needs the anomed-lua engine");
  return e;
}

route_table *engine_routes(lua_State *L) { return &engine_of(L)->routes; }

const engine_config *engine_config_of(lua_State *L) { return engine_of(L)->config; }

static void add_route(lua_State *L, route *r) {
  engine *e = engine_of(L);
  if (e->routes.frozen)
    luaL_error(L, "routes can only be declared while the challenge loads (%s %s)", r->method, r->path);
  const char *err = routes_add(&e->routes, r);
  if (err) luaL_error(L, "%s: %s %s", err, r->method, r->path);
}

static const char *check_method(lua_State *L, int idx) {
  const char *m = luaL_checkstring(L, idx);
  static const char *const known[] = {"GET", "POST", "PUT", "DELETE", "PATCH", NULL};
  luaL_checkoption(L, idx, NULL, known);
  return m;
}

/* http.route(method, path, handler) */
static int http_route(lua_State *L) {
  route r = {.method = (char *)check_method(L, 1), .path = (char *)luaL_checkstring(L, 2),
             .kind = ROUTE_LUA};
  luaL_checktype(L, 3, LUA_TFUNCTION);
  lua_pushvalue(L, 3);
  r.handler = luaL_ref(L, LUA_REGISTRYINDEX);
  add_route(L, &r);
  return 0;
}

/* http.static(method, path, status, content_type, body [, digest]): digest (32 bytes)
 * stands for the data in the challenge's fingerprint; by default the SHA-256 of body */
static int http_static(lua_State *L) {
  size_t len, digest_len;
  route r = {.method = (char *)check_method(L, 1), .path = (char *)luaL_checkstring(L, 2),
             .kind = ROUTE_STATIC, .status = (int)luaL_checkinteger(L, 3),
             .content_type = (char *)luaL_checkstring(L, 4)};
  r.body = (unsigned char *)(uintptr_t)luaL_checklstring(L, 5, &len);
  r.body_len = len;
  luaL_argcheck(L, r.status >= 200 && r.status <= 599, 3, "status must be 200..599");
  const char *digest = luaL_optlstring(L, 6, NULL, &digest_len);
  luaL_argcheck(L, !digest || digest_len == sizeof r.digest, 6, "digest must be 32 bytes");
  if (digest) memcpy(r.digest, digest, sizeof r.digest);
  else sha256(r.body, r.body_len, r.digest);
  add_route(L, &r);
  return 0;
}

static void set_number(lua_State *L, const char *key, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, -2, key);
}

static void set_integer(lua_State *L, const char *key, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

/* http.config(): the engine's settings, for the script */
static int http_config(lua_State *L) {
  const engine_config *c = engine_of(L)->config;
  lua_createtable(L, 0, 12);
  lua_pushstring(L, c->script);
  lua_setfield(L, -2, "script");
  lua_pushstring(L, c->host);
  lua_setfield(L, -2, "host");
  lua_pushstring(L, c->state_dir);
  lua_setfield(L, -2, "state_dir");
  set_integer(L, "port", c->port);
  set_integer(L, "workers", c->workers);
  set_integer(L, "max_body", (lua_Integer)c->http.max_body);
  set_integer(L, "max_decompressed", (lua_Integer)c->max_decompressed);
  set_number(L, "lua_seconds", c->lua_seconds);
  set_integer(L, "lua_memory", (lua_Integer)c->lua_memory);
  lua_pushstring(L, c->platform ? c->platform : "");
  lua_setfield(L, -2, "platform");
  return 1;
}

/* http.routes(): {{method, path, kind}, ...} as declared */
static int http_routes(lua_State *L) {
  route_table *t = engine_routes(L);
  lua_createtable(L, (int)t->count, 0);
  for (size_t i = 0; i < t->count; i++) {
    lua_createtable(L, 3, 0);
    lua_pushstring(L, t->items[i].method);
    lua_rawseti(L, -2, 1);
    lua_pushstring(L, t->items[i].path);
    lua_rawseti(L, -2, 2);
    lua_pushstring(L, t->items[i].kind == ROUTE_STATIC ? "static" : "lua");
    lua_rawseti(L, -2, 3);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

static const luaL_Reg http_functions[] = {{"route", http_route},   {"static", http_static},
                                          {"config", http_config}, {"routes", http_routes},
                                          {NULL, NULL}};

int luaopen_anomed_http(lua_State *L) {
  luaL_newlib(L, http_functions);
  return 1;
}

/* ---- dispatch, in a worker ---- */

static void set_pair(void *ud, const char *key, const char *value) {
  lua_State *L = ud;
  lua_pushstring(L, value);
  lua_setfield(L, -2, key);
}

static void push_request(lua_State *L, http_request *req) {
  size_t len;
  const unsigned char *body = http_body(req, &len);
  lua_createtable(L, 0, 5);
  lua_pushstring(L, http_method(req));
  lua_setfield(L, -2, "method");
  lua_pushstring(L, http_path(req));
  lua_setfield(L, -2, "path");
  lua_newtable(L);
  http_each(req, 'q', set_pair, L);
  lua_setfield(L, -2, "query");
  lua_newtable(L);
  http_each(req, 'h', set_pair, L);
  lua_setfield(L, -2, "headers");
  lua_pushlstring(L, (const char *)body, len);
  lua_setfield(L, -2, "body");
}

/* an error object {status = 4xx/5xx, title = s, description = s}: answered as is */
static int send_http_error(lua_State *L, http_request *req) {
  if (!lua_istable(L, -1)) return 0;
  lua_getfield(L, -1, "status");
  lua_getfield(L, -2, "title");
  lua_getfield(L, -3, "description");
  lua_Integer status = lua_tointeger(L, -3);
  int ok = lua_isinteger(L, -3) && status >= 400 && status <= 599 && lua_type(L, -2) == LUA_TSTRING &&
           lua_type(L, -1) == LUA_TSTRING;
  if (ok) http_send_error(req, (int)status, lua_tostring(L, -2), lua_tostring(L, -1));
  lua_pop(L, 3);
  return ok;
}

static void send_failure(lua_State *L, http_request *req, int status, double seconds) {
  char description[300];
  if (status == GUARD_TIMEOUT) {
    snprintf(description, sizeof description, "The challenge's code ran past its limit of %g s.", seconds);
    http_send_error(req, 503, "Service Unavailable", description);
  } else if (status == LUA_ERRMEM) {
    http_send_error(req, 503, "Service Unavailable", "The challenge's code ran out of memory.");
  } else if (!send_http_error(L, req)) {
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "(an error object that is not a string)";
    fprintf(stderr, "anomed-lua: error in %s %s: %s\n", http_method(req), http_path(req), msg);
    snprintf(description, sizeof description, "%.*s", (int)strcspn(msg, "\n"), msg);
    http_send_error(req, 500, "Internal Server Error", description);
  }
}

void engine_dispatch(void *ctx, const route *r, http_request *req) {
  lua_State *L = ctx;
  double seconds = engine_of(L)->config->lua_seconds;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, r->handler);
  push_request(L, req);
  int status = guard_pcall(L, 1, 3, seconds);
  if (status != LUA_OK) {
    send_failure(L, req, status, seconds);
  } else if (!lua_isinteger(L, 1) || lua_tointeger(L, 1) < 200 || lua_tointeger(L, 1) > 599 ||
             lua_type(L, 2) != LUA_TSTRING || lua_type(L, 3) != LUA_TSTRING) {
    http_send_error(req, 500, "Internal Server Error", "The handler returned no status (200..599), content type and body.");
  } else {
    size_t len;
    const char *body = lua_tolstring(L, 3, &len);
    http_send(req, (int)lua_tointeger(L, 1), lua_tostring(L, 2), body, len);
  }
  lua_settop(L, 0);
}

void engine_freeze(lua_State *L) { engine_routes(L)->frozen = true; }

static void hash_text(sha256_ctx *c, const char *s) { sha256_update(c, s, strlen(s) + 1); }

int engine_fingerprint(lua_State *L, const char *script, char hex[65]) {
  sha256_ctx c;
  unsigned char chunk[65536], digest[32];
  size_t n;
  FILE *f = fopen(script, "rb");
  if (!f) return -1;
  sha256_init(&c);
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sha256_update(&c, chunk, n);
  fclose(f);
  const route_table *t = engine_routes(L);
  for (size_t i = 0; i < t->count; i++) {
    hash_text(&c, t->items[i].method);
    hash_text(&c, t->items[i].path);
    if (t->items[i].kind == ROUTE_STATIC) sha256_update(&c, t->items[i].digest, sizeof t->items[i].digest);
  }
  sha256_final(&c, digest);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return 0;
}
