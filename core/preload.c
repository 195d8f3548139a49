/* preload.c: makes every anomed module require-able in any Lua state without LUA_PATH:
 * the C modules and the Lua library compiled into the binary (embedded_lua.c). */
#include <string.h>

#include "anomed_lua.h"
#include "embedded_lua.h"

static int load_embedded(lua_State *L) {
  const embedded_lua *m = lua_touserdata(L, lua_upvalueindex(1));
  if (luaL_loadbuffer(L, m->source, m->length, m->chunkname) != LUA_OK) return lua_error(L);
  lua_pushvalue(L, 1); /* the module name, as require passes it */
  lua_call(L, 1, 1);
  return 1;
}

void anomed_preload(lua_State *L) {
  static const luaL_Reg c_modules[] = {{"anomed.array", luaopen_anomed_array},
                                       {"anomed.npz", luaopen_anomed_npz},
                                       {"anomed.rng", luaopen_anomed_rng},
                                       {"anomed.hash", luaopen_anomed_hash},
                                       {"anomed.time", luaopen_anomed_time},
                                       {"anomed.http", luaopen_anomed_http},
                                       {"anomed.metrics", luaopen_anomed_metrics},
                                       {"anomed.ledger", luaopen_anomed_ledger},
                                       {NULL, NULL}};
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  for (const luaL_Reg *m = c_modules; m->name; m++) {
    lua_pushcfunction(L, m->func);
    lua_setfield(L, -2, m->name);
  }
  for (const embedded_lua *m = embedded_lua_modules; m->name; m++) {
    lua_pushlightuserdata(L, (void *)(uintptr_t)m);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, m->name);
  }
  lua_pop(L, 1);
}
