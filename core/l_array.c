/* l_array.c: the anomed.array module: array userdata, constructors and methods.
 * Indices are 0-based like numpy's (negative ones count from the end); Lua tables that
 * list rows, such as take's argument, are ordinary 1-based sequences of such indices. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "anomed_lua.h"

void require_array_module(lua_State *L) {
  lua_getglobal(L, "require");
  lua_pushliteral(L, "anomed.array");
  lua_call(L, 1, 0);
}

ndarray *test_array(lua_State *L, int idx) { return luaL_testudata(L, idx, ARRAY_METATABLE); }

ndarray *check_array(lua_State *L, int idx) {
  ndarray *a = luaL_checkudata(L, idx, ARRAY_METATABLE);
  if (!a->buffer) luaL_argerror(L, idx, "array has been closed");
  return a;
}

ndarray *push_array(lua_State *L) {
  ndarray *a = lua_newuserdatauv(L, sizeof *a, 0);
  memset(a, 0, sizeof *a);
  luaL_setmetatable(L, ARRAY_METATABLE);
  return a;
}

nd_dtype check_dtype(lua_State *L, int idx) {
  nd_dtype t;
  const char *name = luaL_checkstring(L, idx);
  if (!nd_dtype_parse(name, &t))
    luaL_argerror(L, idx, lua_pushfstring(L, "unknown dtype '%s'", name));
  return t;
}

/* ---- shapes and indices ---- */

static int check_shape(lua_State *L, int idx, size_t *shape) {
  if (lua_isinteger(L, idx)) {
    lua_Integer n = lua_tointeger(L, idx);
    luaL_argcheck(L, n >= 0, idx, "negative dimension");
    shape[0] = (size_t)n;
    return 1;
  }
  luaL_checktype(L, idx, LUA_TTABLE);
  int ndim = (int)luaL_len(L, idx);
  luaL_argcheck(L, ndim <= ND_MAXDIMS, idx, "too many dimensions (at most 32)");
  for (int d = 0; d < ndim; d++) {
    lua_geti(L, idx, d + 1);
    lua_Integer n = lua_tointeger(L, -1);
    luaL_argcheck(L, lua_isinteger(L, -1) && n >= 0, idx, "dimensions must be non-negative integers");
    shape[d] = (size_t)n;
    lua_pop(L, 1);
  }
  return ndim;
}

static size_t check_index(lua_State *L, int arg, size_t n, int axis) {
  lua_Integer i = luaL_checkinteger(L, arg);
  if (i < 0) i += (lua_Integer)n;
  if (i < 0 || (lua_Unsigned)i >= n) {
    if (n == 0) luaL_argerror(L, arg, lua_pushfstring(L, "index out of range (axis %d is empty)", axis));
    luaL_argerror(L, arg, lua_pushfstring(L, "index %I out of range 0..%I for axis %d",
                                          luaL_checkinteger(L, arg), (lua_Integer)(n - 1), axis));
  }
  return (size_t)i;
}

/* flat offset (in elements) and depth of the indices at args first..last */
static size_t flat_index(lua_State *L, const ndarray *a, int first, int last) {
  size_t offset = 0;
  luaL_argcheck(L, last - first + 1 <= a->ndim, last, "too many indices");
  for (int d = 0; d < a->ndim; d++) {
    size_t i = first + d <= last ? check_index(L, first + d, a->shape[d], d) : 0;
    offset = offset * a->shape[d] + i;
  }
  return offset;
}

/* ---- building from nested tables ---- */

enum { SEEN_BOOL = 1, SEEN_INT = 2, SEEN_FLOAT = 4, SEEN_COMPLEX = 8, SEEN_STRING = 16 };

typedef struct {
  int ndim;
  size_t shape[ND_MAXDIMS];
  ndarray *fill; /* NULL while inferring the dtype */
  size_t next;
  int seen;
  size_t max_chars;
} builder;

static int is_nested(lua_State *L, int idx) {
  if (!lua_istable(L, idx)) return 0;
  int complex_scalar = lua_getfield(L, idx, "re") != LUA_TNIL;
  lua_pop(L, 1);
  return !complex_scalar;
}

static void discover_shape(lua_State *L, int idx, builder *b) {
  int depth = 0;
  lua_pushvalue(L, idx);
  while (is_nested(L, -1)) {
    luaL_argcheck(L, depth < ND_MAXDIMS, idx, "too many dimensions (at most 32)");
    size_t n = lua_rawlen(L, -1);
    b->shape[depth++] = n;
    if (n == 0) break;
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
  b->ndim = depth;
}

static size_t utf8_chars(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) n += ((unsigned char)s[i] & 0xc0) != 0x80;
  return n;
}

static void visit_leaf(lua_State *L, builder *b, int arg) {
  if (b->fill) {
    set_element(L, b->fill, b->next++, -1);
    return;
  }
  int t = lua_type(L, -1);
  if (t == LUA_TBOOLEAN) b->seen |= SEEN_BOOL;
  else if (t == LUA_TNUMBER) b->seen |= lua_isinteger(L, -1) ? SEEN_INT : SEEN_FLOAT;
  else if (t == LUA_TTABLE) b->seen |= SEEN_COMPLEX;
  else if (t == LUA_TSTRING) {
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    size_t chars = utf8_chars(s, len);
    b->seen |= SEEN_STRING;
    if (chars > b->max_chars) b->max_chars = chars;
  } else {
    luaL_argerror(L, arg, lua_pushfstring(L, "unsupported element type %s", luaL_typename(L, -1)));
  }
}

static void visit(lua_State *L, builder *b, int depth, int arg) {
  if (depth == b->ndim) {
    if (is_nested(L, -1)) luaL_argerror(L, arg, "rows have different lengths");
    visit_leaf(L, b, arg);
    return;
  }
  if (!is_nested(L, -1) || lua_rawlen(L, -1) != b->shape[depth])
    luaL_argerror(L, arg, "rows have different lengths");
  luaL_checkstack(L, 4, "array nesting");
  for (size_t i = 1; i <= b->shape[depth]; i++) {
    lua_rawgeti(L, -1, (lua_Integer)i);
    visit(L, b, depth + 1, arg);
    lua_pop(L, 1);
  }
}

static nd_dtype inferred_dtype(lua_State *L, const builder *b, int arg) {
  nd_dtype t = {ND_FLOAT64, 8};
  int s = b->seen;
  if (s == SEEN_BOOL) t = (nd_dtype){ND_BOOL, 1};
  else if (s == SEEN_INT) t = (nd_dtype){ND_INT64, 8};
  else if (s == SEEN_STRING) t = (nd_dtype){ND_UNICODE, 4 * (b->max_chars ? b->max_chars : 1)};
  else if (s & SEEN_COMPLEX && !(s & (SEEN_BOOL | SEEN_STRING))) t = (nd_dtype){ND_COMPLEX128, 16};
  else if (s && s & ~(SEEN_INT | SEEN_FLOAT))
    luaL_argerror(L, arg, "mixed element types (booleans, numbers and strings do not mix)");
  return t;
}

static int array_copy_of(lua_State *L, const ndarray *src) {
  nd_dtype t = lua_isnoneornil(L, 2) ? src->dtype : check_dtype(L, 2);
  ndarray *a = push_array(L);
  const char *msg;
  char err[120];
  if (nd_dtype_equal(t, src->dtype)) {
    if (nd_alloc(a, t, src->ndim, src->shape, &msg)) luaL_error(L, "%s", msg);
    if (nd_nbytes(src)) memcpy(a->data, src->data, nd_nbytes(src));
  } else {
    if (nd_astype(src, t, a, err, sizeof err)) luaL_error(L, "%s", err);
  }
  return 1;
}

static int array_new(lua_State *L) {
  builder b = {0};
  const char *err;
  ndarray *src = test_array(L, 1);
  if (src) return array_copy_of(L, check_array(L, 1));
  luaL_checkany(L, 1);
  discover_shape(L, 1, &b);
  lua_pushvalue(L, 1);
  visit(L, &b, 0, 1);
  lua_pop(L, 1);
  nd_dtype t = lua_isnoneornil(L, 2) ? inferred_dtype(L, &b, 1) : check_dtype(L, 2);
  ndarray *a = push_array(L);
  if (nd_alloc(a, t, b.ndim, b.shape, &err)) luaL_error(L, "%s", err);
  b.fill = a;
  lua_pushvalue(L, 1);
  visit(L, &b, 0, 1);
  lua_pop(L, 1);
  return 1;
}

static int array_zeros(lua_State *L) {
  size_t shape[ND_MAXDIMS];
  const char *err;
  int ndim = check_shape(L, 1, shape);
  nd_dtype t = lua_isnoneornil(L, 2) ? (nd_dtype){ND_FLOAT64, 8} : check_dtype(L, 2);
  if (nd_alloc(push_array(L), t, ndim, shape, &err)) luaL_error(L, "%s", err);
  return 1;
}

static int array_full(lua_State *L) {
  size_t shape[ND_MAXDIMS];
  const char *err;
  int ndim = check_shape(L, 1, shape);
  luaL_checkany(L, 2);
  builder b = {0};
  lua_pushvalue(L, 2);
  visit_leaf(L, &b, 2);
  lua_pop(L, 1);
  nd_dtype t = lua_isnoneornil(L, 3) ? inferred_dtype(L, &b, 2) : check_dtype(L, 3);
  ndarray *a = push_array(L);
  if (nd_alloc(a, t, ndim, shape, &err)) luaL_error(L, "%s", err);
  size_t n = nd_count(a), item = t.itemsize;
  if (n == 0) return 1;
  set_element(L, a, 0, 2);
  for (size_t i = 1; i < n; i++) memcpy(a->data + i * item, a->data, item);
  return 1;
}

static int array_arange(lua_State *L) {
  int nargs = lua_gettop(L);
  nd_dtype t = {ND_INT64, 8};
  int explicit_dtype = nargs > 0 && lua_type(L, nargs) == LUA_TSTRING;
  if (explicit_dtype) t = check_dtype(L, nargs--);
  luaL_argcheck(L, nargs >= 1 && nargs <= 3, 1, "expected arange(stop) or arange(start, stop[, step])");
  int is_int = 1;
  for (int i = 1; i <= nargs; i++) is_int = is_int && (luaL_checknumber(L, i), lua_isinteger(L, i));
  if (!is_int && !explicit_dtype) t = (nd_dtype){ND_FLOAT64, 8};
  int start_arg = nargs > 1 ? 1 : 0, stop_arg = nargs > 1 ? 2 : 1, step_arg = nargs > 2 ? 3 : 0;
  lua_Number start = start_arg ? lua_tonumber(L, start_arg) : 0, stop = lua_tonumber(L, stop_arg);
  lua_Number step = step_arg ? lua_tonumber(L, step_arg) : 1;
  lua_Integer istart = start_arg ? lua_tointeger(L, start_arg) : 0;
  lua_Integer istep = step_arg ? lua_tointeger(L, step_arg) : 1;
  luaL_argcheck(L, step != 0, step_arg ? step_arg : 1, "step must not be zero");
  lua_Number count = ceil((stop - start) / step);
  luaL_argcheck(L, count < 1e15, 1, "range too long");
  size_t n = count > 0 ? (size_t)count : 0;
  const char *err;
  ndarray *a = push_array(L);
  if (nd_alloc(a, t, 1, &n, &err)) luaL_error(L, "%s", err);
  for (size_t i = 0; i < n; i++) {
    nd_scalar v = {.tag = NDS_FLOAT, .re = start + (lua_Number)i * step};
    if (is_int) v = (nd_scalar){.tag = NDS_INT, .i = istart + (lua_Integer)i * istep};
    err = nd_set(a, i, &v);
    if (err != NULL) luaL_error(L, "%s", err);
  }
  return 1;
}

static int array_concat(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  size_t n = (size_t)luaL_len(L, 1);
  ndarray *parts = lua_newuserdatauv(L, (n ? n : 1) * sizeof *parts, 0);
  for (size_t i = 0; i < n; i++) {
    lua_geti(L, 1, (lua_Integer)i + 1);
    ndarray *a = test_array(L, -1);
    if (!a || !a->buffer) luaL_argerror(L, 1, "expected a list of arrays");
    parts[i] = *a; /* borrowed: the list keeps them alive */
    lua_pop(L, 1);
  }
  const char *err;
  if (nd_concat(parts, n, push_array(L), &err)) luaL_error(L, "%s", err);
  return 1;
}

static int array_equal(lua_State *L) {
  ndarray *a = test_array(L, 1), *b = test_array(L, 2);
  lua_pushboolean(L, a && b && a->buffer && b->buffer && nd_equal(a, b));
  return 1;
}

static int array_isarray(lua_State *L) {
  lua_pushboolean(L, test_array(L, 1) != NULL);
  return 1;
}

/* ---- methods ---- */

static int array_get(lua_State *L) {
  ndarray *a = check_array(L, 1);
  int last = lua_gettop(L);
  size_t offset = flat_index(L, a, 2, last);
  int given = last - 1;
  if (given == a->ndim) {
    push_element(L, a, offset);
    return 1;
  }
  ndarray *view = push_array(L); /* a sub-array, like numpy's a[i] on a 2-D array */
  nd_view(a, view);
  view->ndim = a->ndim - given;
  memmove(view->shape, a->shape + given, (size_t)view->ndim * sizeof(size_t));
  view->data = a->data + offset * a->dtype.itemsize;
  return 1;
}

static int array_set(lua_State *L) {
  ndarray *a = check_array(L, 1);
  int value = lua_gettop(L);
  luaL_argcheck(L, value - 2 == a->ndim, value, "set needs one index per dimension, then the value");
  set_element(L, a, flat_index(L, a, 2, value - 1), value);
  return 0;
}

/* rows as an int64 userdata (collected on error) from a table or an integer array */
static int64_t *check_rows(lua_State *L, int idx, size_t *n) {
  ndarray *ra = test_array(L, idx);
  if (ra) {
    luaL_argcheck(L, ra->ndim == 1 && ra->dtype.kind >= ND_INT8 && ra->dtype.kind <= ND_UINT64,
                  idx, "rows must be a 1-D integer array");
    *n = ra->shape[0];
  } else {
    luaL_checktype(L, idx, LUA_TTABLE);
    *n = (size_t)luaL_len(L, idx);
  }
  int64_t *rows = lua_newuserdatauv(L, (*n ? *n : 1) * sizeof *rows, 0);
  for (size_t i = 0; i < *n; i++) {
    if (ra) {
      nd_scalar v;
      nd_get(ra, i, &v);
      rows[i] = v.tag == NDS_UINT ? (v.u > INT64_MAX ? -1 : (int64_t)v.u) : v.i;
      continue;
    }
    lua_geti(L, idx, (lua_Integer)i + 1);
    if (!lua_isinteger(L, -1)) luaL_argerror(L, idx, "rows must be integers");
    rows[i] = lua_tointeger(L, -1);
    lua_pop(L, 1);
  }
  return rows;
}

static int array_take(lua_State *L) {
  ndarray *a = check_array(L, 1);
  size_t n;
  int64_t *rows = check_rows(L, 2, &n);
  char err[120];
  if (nd_take(a, rows, n, push_array(L), err, sizeof err)) luaL_argerror(L, 2, err);
  return 1;
}

/* Python slice bounds: negatives count from the end, out-of-range values clamp */
static size_t slice_bound(lua_State *L, int arg, size_t n, size_t dflt) {
  if (lua_isnoneornil(L, arg)) return dflt;
  lua_Integer i = luaL_checkinteger(L, arg);
  if (i < 0) i += (lua_Integer)n;
  return i < 0 ? 0 : (lua_Unsigned)i > n ? n : (size_t)i;
}

static int array_slice(lua_State *L) {
  ndarray *a = check_array(L, 1);
  luaL_argcheck(L, a->ndim > 0, 1, "cannot slice a 0-d array");
  size_t n = a->shape[0], start = slice_bound(L, 2, n, 0), stop = slice_bound(L, 3, n, n);
  nd_slice(a, start, stop < start ? start : stop, push_array(L));
  return 1;
}

static int array_reshape(lua_State *L) {
  ndarray *a = check_array(L, 1);
  size_t shape[ND_MAXDIMS], count = 1;
  int ndim = check_shape(L, 2, shape);
  for (int d = 0; d < ndim; d++) count *= shape[d];
  luaL_argcheck(L, count == nd_count(a), 2, "new shape has a different number of elements");
  ndarray *view = push_array(L);
  nd_view(a, view);
  view->ndim = ndim;
  memcpy(view->shape, shape, (size_t)ndim * sizeof(size_t));
  return 1;
}

static int array_astype(lua_State *L) {
  ndarray *a = check_array(L, 1);
  nd_dtype t = check_dtype(L, 2);
  char err[120];
  if (nd_astype(a, t, push_array(L), err, sizeof err)) luaL_error(L, "%s", err);
  return 1;
}

static int array_copy(lua_State *L) {
  lua_settop(L, 1);
  return array_copy_of(L, check_array(L, 1));
}

static void push_list(lua_State *L, const ndarray *a, int depth, size_t *next) {
  if (depth == a->ndim) {
    push_element(L, a, (*next)++);
    return;
  }
  luaL_checkstack(L, 4, "array nesting");
  size_t n = a->shape[depth];
  lua_createtable(L, n > INT_MAX ? INT_MAX : (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    push_list(L, a, depth + 1, next);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static int array_tolist(lua_State *L) {
  ndarray *a = check_array(L, 1);
  size_t next = 0;
  push_list(L, a, 0, &next);
  return 1;
}

static int array_totable(lua_State *L) {
  ndarray *a = check_array(L, 1);
  luaL_argcheck(L, a->ndim == 1, 1, "totable needs a 1-D array (use tolist for nested tables)");
  return array_tolist(L);
}

/* the raw elements, C order, native byte order */
static int array_bytes(lua_State *L) {
  ndarray *a = check_array(L, 1);
  lua_pushlstring(L, (const char *)a->data, nd_nbytes(a));
  return 1;
}

static int array_shape(lua_State *L, const ndarray *a) {
  lua_createtable(L, a->ndim, 0);
  for (int d = 0; d < a->ndim; d++) {
    lua_pushinteger(L, (lua_Integer)a->shape[d]);
    lua_rawseti(L, -2, d + 1);
  }
  return 1;
}

static int array_index(lua_State *L) {
  ndarray *a = check_array(L, 1);
  const char *key = luaL_checkstring(L, 2);
  char name[32];
  if (lua_getfield(L, lua_upvalueindex(1), key) != LUA_TNIL) return 1;
  if (strcmp(key, "shape") == 0) return array_shape(L, a);
  if (strcmp(key, "dtype") == 0) lua_pushstring(L, nd_dtype_name(a->dtype, name, sizeof name));
  else if (strcmp(key, "size") == 0) lua_pushinteger(L, (lua_Integer)nd_count(a));
  else if (strcmp(key, "ndim") == 0) lua_pushinteger(L, a->ndim);
  else if (strcmp(key, "nbytes") == 0) lua_pushinteger(L, (lua_Integer)nd_nbytes(a));
  else if (strcmp(key, "itemsize") == 0) lua_pushinteger(L, (lua_Integer)a->dtype.itemsize);
  else lua_pushnil(L);
  return 1;
}

static int array_len(lua_State *L) {
  ndarray *a = check_array(L, 1);
  luaL_argcheck(L, a->ndim > 0, 1, "len() of a 0-d array");
  lua_pushinteger(L, (lua_Integer)a->shape[0]);
  return 1;
}

static int array_tostring(lua_State *L) {
  push_array_repr(L, check_array(L, 1));
  return 1;
}

static int array_gc(lua_State *L) {
  nd_release(luaL_checkudata(L, 1, ARRAY_METATABLE));
  return 0;
}

static const luaL_Reg array_methods[] = {
    {"get", array_get},       {"set", array_set},         {"take", array_take},
    {"slice", array_slice},   {"reshape", array_reshape}, {"astype", array_astype},
    {"copy", array_copy},     {"tolist", array_tolist},   {"totable", array_totable},
    {"equal", array_equal},   {"bytes", array_bytes},     {NULL, NULL}};

static const luaL_Reg array_meta[] = {
    {"__len", array_len}, {"__eq", array_equal}, {"__tostring", array_tostring},
    {"__gc", array_gc},   {"__close", array_gc}, {NULL, NULL}};

static const luaL_Reg array_functions[] = {
    {"new", array_new},       {"zeros", array_zeros},   {"full", array_full},
    {"arange", array_arange}, {"concat", array_concat}, {"equal", array_equal},
    {"isarray", array_isarray}, {NULL, NULL}};

int luaopen_anomed_array(lua_State *L) {
  luaL_newmetatable(L, ARRAY_METATABLE);
  luaL_setfuncs(L, array_meta, 0);
  luaL_newlib(L, array_methods);
  lua_pushcclosure(L, array_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newlib(L, array_functions);
  return 1;
}
