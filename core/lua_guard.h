/* lua_guard.h: limits on author code in a Lua state: a memory cap through the allocator
 * and a wall-clock deadline through a count hook that, once past, fires on every
 * instruction so a pcall in the author's code cannot swallow the stop (Redis's scheme). */
#ifndef ANOMED_LUA_GUARD_H
#define ANOMED_LUA_GUARD_H

#include <lua.h>
#include <stddef.h>

typedef struct {
  size_t used, limit; /* Lua heap bytes; limit 0 means none */
  double deadline;    /* monotonic seconds; 0 means none */
  int expired;
} lua_guard;

/* A new state whose allocator counts into g (g must outlive it). */
lua_State *guard_newstate(lua_guard *g);
double guard_now(void);

/* lua_pcall with a traceback message handler and, when seconds > 0, a deadline.
 * Returns a lua_pcall status, or GUARD_TIMEOUT when the deadline stopped the call. */
#define GUARD_TIMEOUT 100
int guard_pcall(lua_State *L, int nargs, int nresults, double seconds);

#endif
