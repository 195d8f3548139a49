/* l_element.c: one array element <-> one Lua value. Numbers and booleans map directly,
 * complex numbers are tables {re = x, im = y}, U and S items are Lua strings (UTF-8 for U). */
#include <string.h>

#include "anomed_lua.h"

static void push_scalar(lua_State *L, const nd_scalar *v) {
  switch (v->tag) {
    case NDS_BOOL: lua_pushboolean(L, (int)v->i); break;
    case NDS_INT: lua_pushinteger(L, (lua_Integer)v->i); break;
    case NDS_UINT:
      if (v->u <= (uint64_t)LUA_MAXINTEGER)
        lua_pushinteger(L, (lua_Integer)v->u);
      else
        lua_pushnumber(L, (lua_Number)v->u);
      break;
    case NDS_FLOAT: lua_pushnumber(L, v->re); break;
    case NDS_COMPLEX:
      lua_createtable(L, 0, 2);
      lua_pushnumber(L, v->re);
      lua_setfield(L, -2, "re");
      lua_pushnumber(L, v->im);
      lua_setfield(L, -2, "im");
      break;
  }
}

static size_t utf8_put(char *out, uint32_t cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xc0 | cp >> 6);
    out[1] = (char)(0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xe0 | cp >> 12);
    out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (char)(0x80 | (cp & 0x3f));
    return 3;
  }
  out[0] = (char)(0xf0 | cp >> 18);
  out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
  out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
  out[3] = (char)(0x80 | (cp & 0x3f));
  return 4;
}

static void push_unicode(lua_State *L, const unsigned char *p, size_t width) {
  size_t n = width;
  uint32_t cp;
  while (n > 0 && (memcpy(&cp, p + 4 * (n - 1), 4), cp == 0)) n--;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, 4 * n);
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(&cp, p + 4 * i, 4);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    len += utf8_put(out + len, cp);
  }
  luaL_pushresultsize(&b, len);
}

void push_element(lua_State *L, const ndarray *a, size_t index) {
  const unsigned char *p = a->data + index * a->dtype.itemsize;
  if (a->dtype.kind == ND_UNICODE) {
    push_unicode(L, p, a->dtype.itemsize / 4);
  } else if (a->dtype.kind == ND_BYTES) {
    size_t n = a->dtype.itemsize;
    while (n > 0 && p[n - 1] == 0) n--;
    lua_pushlstring(L, (const char *)p, n);
  } else {
    nd_scalar v;
    nd_get(a, index, &v);
    push_scalar(L, &v);
  }
}

/* Decodes one UTF-8 sequence; returns its length, 0 when malformed. */
static size_t utf8_get(const unsigned char *s, size_t left, uint32_t *cp) {
  static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
  if (len == 0 || len > left || s[0] >= 0xf8) return 0;
  uint32_t v = len == 1 ? s[0] : s[0] & (0x3f >> (len - 1));
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80) return 0;
    v = v << 6 | (s[i] & 0x3f);
  }
  if ((len > 1 && v < min_for_len[len]) || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) return 0;
  *cp = v;
  return len;
}

/* Strings longer than the item are cut, as numpy does on assignment. */
static void set_string(lua_State *L, ndarray *a, unsigned char *p, int idx) {
  size_t len;
  if (lua_type(L, idx) != LUA_TSTRING)
    luaL_error(L, "expected a string for a %s array, got %s", a->dtype.kind == ND_BYTES ? "bytes" : "unicode",
               luaL_typename(L, idx));
  const unsigned char *s = (const unsigned char *)lua_tolstring(L, idx, &len);
  memset(p, 0, a->dtype.itemsize);
  if (a->dtype.kind == ND_BYTES) {
    memcpy(p, s, len < a->dtype.itemsize ? len : a->dtype.itemsize);
    return;
  }
  for (size_t pos = 0, i = 0; pos < len && i < a->dtype.itemsize / 4; i++) {
    uint32_t cp = 0;
    size_t step = utf8_get(s + pos, len - pos, &cp);
    if (!step) luaL_error(L, "invalid UTF-8 for a unicode array");
    memcpy(p + 4 * i, &cp, 4);
    pos += step;
  }
}

static nd_scalar to_scalar(lua_State *L, int idx) {
  nd_scalar v = {.tag = NDS_INT};
  if (lua_isboolean(L, idx)) {
    v.tag = NDS_BOOL;
    v.i = lua_toboolean(L, idx);
  } else if (lua_isinteger(L, idx)) {
    v.i = lua_tointeger(L, idx);
  } else if (lua_type(L, idx) == LUA_TNUMBER) {
    v.tag = NDS_FLOAT;
    v.re = lua_tonumber(L, idx);
  } else if (lua_istable(L, idx)) {
    v.tag = NDS_COMPLEX;
    lua_getfield(L, idx, "re");
    lua_getfield(L, idx, "im");
    if (lua_type(L, -2) != LUA_TNUMBER || lua_type(L, -1) != LUA_TNUMBER)
      luaL_error(L, "complex values are tables {re = number, im = number}");
    v.re = lua_tonumber(L, -2);
    v.im = lua_tonumber(L, -1);
    lua_pop(L, 2);
  } else {
    luaL_error(L, "expected a number, boolean or complex table, got %s", luaL_typename(L, idx));
  }
  return v;
}

/* Lua integers are checked against the element's range (as numpy 2 does); casts wrap. */
static int integer_fits(const ndarray *a, size_t index, const nd_scalar *given) {
  nd_scalar stored;
  if (given->tag != NDS_INT) return 1;
  nd_get(a, index, &stored);
  if (stored.tag == NDS_UINT) return given->i >= 0 && (uint64_t)given->i == stored.u;
  return stored.i == given->i;
}

void set_element(lua_State *L, ndarray *a, size_t index, int value_idx) {
  value_idx = lua_absindex(L, value_idx);
  if (!nd_dtype_numeric(a->dtype)) {
    set_string(L, a, a->data + index * a->dtype.itemsize, value_idx);
    return;
  }
  nd_scalar v = to_scalar(L, value_idx);
  if (v.tag == NDS_COMPLEX && a->dtype.kind < ND_COMPLEX64)
    luaL_error(L, "complex value for a real array");
  const char *err = nd_set(a, index, &v);
  if (err) luaL_error(L, "%s", err);
  if (a->dtype.kind > ND_BOOL && a->dtype.kind <= ND_UINT64 && !integer_fits(a, index, &v)) {
    char name[32];
    luaL_error(L, "value out of range for %s", nd_dtype_name(a->dtype, name, sizeof name));
  }
}
