/* l_hash.c: the anomed.hash module: SHA-256 digests and hex encoding. */
#include "anomed_lua.h"
#include "sha256.h"

static int hash_sha256(lua_State *L) {
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  unsigned char digest[32];
  sha256(s, len, digest);
  lua_pushlstring(L, (const char *)digest, sizeof digest);
  return 1;
}

static int hash_hex(lua_State *L) {
  static const char digits[] = "0123456789abcdef";
  size_t len;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, 2 * len);
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[s[i] >> 4];
    out[2 * i + 1] = digits[s[i] & 15];
  }
  luaL_pushresultsize(&b, 2 * len);
  return 1;
}

static const luaL_Reg hash_functions[] = {{"sha256", hash_sha256}, {"hex", hash_hex}, {NULL, NULL}};

int luaopen_anomed_hash(lua_State *L) {
  luaL_newlib(L, hash_functions);
  return 1;
}
