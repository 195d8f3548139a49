/* anomed_lua.h: what the Lua binding files share: the module openers and the array
 * userdata (metatable "anomed.array") that every module passes around. */
#ifndef ANOMED_LUA_H
#define ANOMED_LUA_H

#include <lauxlib.h>
#include <lua.h>

#include "ndarray.h"

#define ARRAY_METATABLE "anomed.array"

int luaopen_anomed_array(lua_State *L);
int luaopen_anomed_npz(lua_State *L);
int luaopen_anomed_rng(lua_State *L);
int luaopen_anomed_hash(lua_State *L);
int luaopen_anomed_time(lua_State *L);
int luaopen_anomed_http(lua_State *L);
int luaopen_anomed_metrics(lua_State *L);
int luaopen_anomed_ledger(lua_State *L);

/* Registers the C modules and the embedded Lua library in package.preload. */
void anomed_preload(lua_State *L);

/* Makes sure anomed.array (and so the array metatable) is loaded. */
void require_array_module(lua_State *L);

ndarray *check_array(lua_State *L, int idx);
ndarray *test_array(lua_State *L, int idx); /* NULL when idx holds no array */
/* Pushes a new array userdata owning nothing yet; fill it with nd_* calls. */
ndarray *push_array(lua_State *L);
/* Raises unless the dtype name at idx is known. */
nd_dtype check_dtype(lua_State *L, int idx);

/* Element conversion between Lua values and array elements (flat C-order index). */
void push_element(lua_State *L, const ndarray *a, size_t index);
void set_element(lua_State *L, ndarray *a, size_t index, int value_idx);

/* Pushes numpy's repr of a. */
void push_array_repr(lua_State *L, const ndarray *a);

#endif
