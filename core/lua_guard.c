/* lua_guard.c: the allocator with a cap, and the deadline hook. The guard is the
 * allocator's userdata, so the hook finds it without globals. */
#include "lua_guard.h"

#include <lauxlib.h>
#include <stdlib.h>
#include <time.h>

#define HOOK_EVERY 10000 /* instructions between clock checks */

static void *guard_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  lua_guard *g = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) {
    free(ptr);
    g->used -= old;
    return NULL;
  }
  if (g->limit && nsize > old && g->used - old + nsize > g->limit) return NULL;
  void *p = realloc(ptr, nsize);
  if (p) g->used = g->used - old + nsize;
  return p;
}

lua_State *guard_newstate(lua_guard *g) { return lua_newstate(guard_alloc, g); }

double guard_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static lua_guard *guard_of(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

static void deadline_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_guard *g = guard_of(L);
  if (!g->expired && guard_now() < g->deadline) return;
  g->expired = 1;
  lua_sethook(L, deadline_hook, LUA_MASKCOUNT, 1); /* from now on, every instruction */
  luaL_error(L, "time limit exceeded");
}

static int traceback(lua_State *L) {
  if (lua_type(L, 1) == LUA_TSTRING) luaL_traceback(L, L, lua_tostring(L, 1), 1);
  return 1; /* other error objects (HTTP errors) pass unchanged */
}

int guard_pcall(lua_State *L, int nargs, int nresults, double seconds) {
  lua_guard *g = guard_of(L);
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  g->expired = 0;
  if (seconds > 0) {
    g->deadline = guard_now() + seconds;
    lua_sethook(L, deadline_hook, LUA_MASKCOUNT, HOOK_EVERY);
  }
  int status = lua_pcall(L, nargs, nresults, base);
  lua_sethook(L, NULL, 0, 0);
  lua_remove(L, base);
  if (status != LUA_OK && g->expired) status = GUARD_TIMEOUT;
  g->expired = 0;
  return status;
}
