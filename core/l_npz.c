/* l_npz.c: the anomed.npz module: .npz and .npy bytes and files <-> arrays. Data errors
 * (a malformed archive) return nil and a message; misuse raises. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomed_lua.h"
#include "npy.h"
#include "npz.h"

#define GUARD_METATABLE "anomed.npz.guard"

/* Owns C allocations while Lua code that may raise runs; freed by the collector. */
typedef struct {
  npz_member *members;
  size_t count;
  unsigned char *bytes;
} guard;

static int guard_gc(lua_State *L) {
  guard *g = luaL_checkudata(L, 1, GUARD_METATABLE);
  npz_members_free(g->members, g->count);
  free(g->bytes);
  *g = (guard){0};
  return 0;
}

static guard *push_guard(lua_State *L) {
  guard *g = lua_newuserdatauv(L, sizeof *g, 0);
  *g = (guard){0};
  luaL_setmetatable(L, GUARD_METATABLE);
  return g;
}

static size_t limit_field(lua_State *L, int idx, const char *name, size_t dflt) {
  lua_getfield(L, idx, name);
  lua_Integer v = lua_isnil(L, -1) ? (lua_Integer)dflt : lua_tointeger(L, -1);
  if (!lua_isnil(L, -1) && (!lua_isinteger(L, -1) || v < 0))
    luaL_argerror(L, idx, lua_pushfstring(L, "limit %s must be a non-negative integer", name));
  lua_pop(L, 1);
  return (size_t)v;
}

static void check_limits(lua_State *L, int idx, npz_limits *lim) {
  npz_default_limits(lim);
  if (lua_isnoneornil(L, idx)) return;
  luaL_checktype(L, idx, LUA_TTABLE);
  lim->max_bytes = limit_field(L, idx, "max_bytes", lim->max_bytes);
  lim->max_members = limit_field(L, idx, "max_members", lim->max_members);
  size_t dims = limit_field(L, idx, "max_dims", (size_t)lim->max_dims);
  luaL_argcheck(L, dims <= ND_MAXDIMS, idx, "max_dims is at most 32");
  lim->max_dims = (int)dims;
}

static int push_failure(lua_State *L, const char *err) {
  lua_pushnil(L);
  lua_pushstring(L, err);
  return 2;
}

/* the decoded arrays as {name1, name2, ..., name1 = array, name2 = array} */
static int decode_into_table(lua_State *L, const unsigned char *buf, size_t len, int limits_idx) {
  npz_limits lim;
  char err[300];
  check_limits(L, limits_idx, &lim);
  guard *g = push_guard(L);
  if (npz_decode(buf, len, &lim, &g->members, &g->count, err, sizeof err)) return push_failure(L, err);
  lua_createtable(L, (int)g->count, (int)g->count);
  for (size_t i = 0; i < g->count; i++) {
    lua_pushstring(L, g->members[i].name);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, (lua_Integer)i + 1);
    ndarray *a = push_array(L);
    *a = g->members[i].array; /* ownership moves to the userdata */
    g->members[i].array.buffer = NULL;
    lua_rawset(L, -3);
  }
  return 1;
}

static int decode_npy(lua_State *L, const unsigned char *buf, size_t len, int limits_idx) {
  npz_limits lim;
  char err[300];
  check_limits(L, limits_idx, &lim);
  npy_limits nl = {lim.max_bytes, lim.max_dims};
  ndarray *a = push_array(L);
  if (npy_decode(buf, len, &nl, a, err, sizeof err)) return push_failure(L, err);
  return 1;
}

static int npz_decode_l(lua_State *L) {
  size_t len;
  const unsigned char *buf = (const unsigned char *)luaL_checklstring(L, 1, &len);
  return decode_into_table(L, buf, len, 2);
}

static int npz_decode_npy_l(lua_State *L) {
  size_t len;
  const unsigned char *buf = (const unsigned char *)luaL_checklstring(L, 1, &len);
  return decode_npy(L, buf, len, 2);
}

static void check_options(lua_State *L, int idx, npz_options *opt) {
  *opt = (npz_options){.level = 6, .engine = DEFLATE_LIBDEFLATE, .threads = 1};
  if (lua_isnoneornil(L, idx)) return;
  luaL_checktype(L, idx, LUA_TTABLE);
  lua_getfield(L, idx, "level");
  if (!lua_isnil(L, -1)) opt->level = (int)luaL_checkinteger(L, -1);
  lua_getfield(L, idx, "engine");
  const char *engine = luaL_optstring(L, -1, "libdeflate");
  luaL_argcheck(L, strcmp(engine, "zlib") == 0 || strcmp(engine, "libdeflate") == 0, idx,
                "engine must be 'zlib' or 'libdeflate'");
  opt->engine = strcmp(engine, "zlib") == 0 ? DEFLATE_ZLIB : DEFLATE_LIBDEFLATE;
  lua_getfield(L, idx, "threads");
  lua_Integer threads = luaL_optinteger(L, -1, 1);
  luaL_argcheck(L, threads >= 1 && threads <= DEFLATE_MAX_THREADS, idx, "threads must be 1..64");
  opt->threads = (int)threads;
  lua_pop(L, 3);
  luaL_argcheck(L, opt->level >= 0 && opt->level <= (opt->engine == DEFLATE_ZLIB ? 9 : 12), idx,
                "level must be 0 (stored) to 9 (zlib) or 12 (libdeflate)");
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* names and arrays from {{name, array}, ...} (in order) or {name = array} (sorted) */
static size_t collect_members(lua_State *L, int idx, const char ***names, ndarray **arrays) {
  luaL_checktype(L, idx, LUA_TTABLE);
  size_t n = 0, listed = (size_t)lua_rawlen(L, idx);
  for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) n++;
  luaL_argcheck(L, listed == 0 || listed == n, idx, "give either {{name, array}, ...} or {name = array}");
  *names = lua_newuserdatauv(L, (n ? n : 1) * sizeof **names, 0);
  *arrays = lua_newuserdatauv(L, (n ? n : 1) * sizeof **arrays, 0);
  size_t i = 0;
  for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
    if (listed) {
      lua_Integer k = lua_isinteger(L, -2) ? lua_tointeger(L, -2) : 0;
      luaL_argcheck(L, k >= 1 && (size_t)k <= n && lua_istable(L, -1), idx,
                    "list entries must be {name, array}");
      lua_rawgeti(L, -1, 1);
      luaL_argcheck(L, lua_type(L, -1) == LUA_TSTRING, idx, "array names must be strings");
      (*names)[k - 1] = lua_tostring(L, -1); /* kept alive by the list */
      lua_pop(L, 1);
    } else {
      luaL_argcheck(L, lua_type(L, -2) == LUA_TSTRING, idx, "array names must be strings");
      (*names)[i++] = lua_tostring(L, -2);
    }
  }
  if (!listed) qsort(*names, n, sizeof **names, compare_names);
  for (i = 0; i < n; i++) {
    if (listed) {
      lua_rawgeti(L, idx, (lua_Integer)i + 1);
      lua_rawgeti(L, -1, 2);
    } else {
      lua_getfield(L, idx, (*names)[i]);
    }
    ndarray *a = test_array(L, -1);
    if (!a || !a->buffer) luaL_argerror(L, idx, lua_pushfstring(L, "'%s' is not an array", (*names)[i]));
    (*arrays)[i] = *a;
    lua_pop(L, listed ? 2 : 1);
  }
  return n;
}

static int encode(lua_State *L, unsigned char **out, size_t *len, guard **g) {
  const char **names;
  ndarray *arrays;
  npz_options opt;
  char err[300];
  check_options(L, 2, &opt);
  size_t n = collect_members(L, 1, &names, &arrays);
  *g = push_guard(L);
  if (npz_encode(n, names, arrays, &opt, &(*g)->bytes, len, err, sizeof err))
    return luaL_error(L, "%s", err);
  *out = (*g)->bytes;
  return 0;
}

static int npz_encode_l(lua_State *L) {
  unsigned char *out;
  size_t len;
  guard *g;
  encode(L, &out, &len, &g);
  lua_pushlstring(L, (const char *)out, len);
  return 1;
}

static int npz_encode_npy_l(lua_State *L) {
  ndarray *a = check_array(L, 1);
  guard *g = push_guard(L);
  size_t len;
  char err[100];
  if (npy_encode(a, &g->bytes, &len, err, sizeof err)) return luaL_error(L, "%s", err);
  lua_pushlstring(L, (const char *)g->bytes, len);
  return 1;
}

/* Reads a whole file into a guard; returns NULL with a message pushed on failure. */
static unsigned char *read_file(lua_State *L, const char *path, size_t *len) {
  guard *g = push_guard(L);
  FILE *f = fopen(path, "rb");
  long size = -1;
  if (f && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  if (f && size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (g->bytes = malloc(size ? (size_t)size : 1)) &&
      fread(g->bytes, 1, (size_t)size, f) == (size_t)size) {
    fclose(f);
    *len = (size_t)size;
    return g->bytes;
  }
  lua_pushfstring(L, "%s: %s", path, errno ? strerror(errno) : "read failed");
  if (f) fclose(f);
  return NULL;
}

static int npz_load_l(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  size_t len;
  lua_settop(L, 2); /* the limits stay at 2, above them the file's guard */
  errno = 0;
  unsigned char *buf = read_file(L, path, &len);
  if (!buf) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (npy_is_npy(buf, len)) return decode_npy(L, buf, len, 2);
  return decode_into_table(L, buf, len, 2);
}

static int write_file(lua_State *L, const char *path, const unsigned char *bytes, size_t len) {
  errno = 0;
  FILE *f = fopen(path, "wb");
  int ok = f && fwrite(bytes, 1, len, f) == len;
  ok = f && fclose(f) == 0 && ok;
  if (!ok) return push_failure(L, lua_pushfstring(L, "%s: %s", path, errno ? strerror(errno) : "write failed"));
  lua_pushboolean(L, 1);
  return 1;
}

static int npz_save_l(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  unsigned char *out;
  size_t len;
  guard *g;
  lua_settop(L, 3);
  lua_rotate(L, 1, -1); /* arrays, options, then the path, kept on the stack */
  encode(L, &out, &len, &g);
  return write_file(L, path, out, len);
}

static int npz_save_npy_l(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  ndarray *a = check_array(L, 2);
  guard *g = push_guard(L);
  size_t len;
  char err[100];
  if (npy_encode(a, &g->bytes, &len, err, sizeof err)) return luaL_error(L, "%s", err);
  return write_file(L, path, g->bytes, len);
}

static int npz_limits_l(lua_State *L) {
  npz_limits lim;
  npz_default_limits(&lim);
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, (lua_Integer)lim.max_bytes);
  lua_setfield(L, -2, "max_bytes");
  lua_pushinteger(L, (lua_Integer)lim.max_members);
  lua_setfield(L, -2, "max_members");
  lua_pushinteger(L, lim.max_dims);
  lua_setfield(L, -2, "max_dims");
  return 1;
}

static const luaL_Reg npz_functions[] = {
    {"encode", npz_encode_l},         {"decode", npz_decode_l},
    {"encode_npy", npz_encode_npy_l}, {"decode_npy", npz_decode_npy_l},
    {"load", npz_load_l},             {"save", npz_save_l},
    {"save_npy", npz_save_npy_l},     {"default_limits", npz_limits_l},
    {NULL, NULL}};

int luaopen_anomed_npz(lua_State *L) {
  require_array_module(L);
  luaL_newmetatable(L, GUARD_METATABLE);
  lua_pushcfunction(L, guard_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  luaL_newlib(L, npz_functions);
  return 1;
}
