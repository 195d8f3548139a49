/* l_time.c: the anomed.time module: a monotonic wall clock for timing (os.clock counts
 * CPU time, which adds up across threads). */
#include <time.h>

#include "anomed_lua.h"

static int time_now(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

static const luaL_Reg time_functions[] = {{"now", time_now}, {NULL, NULL}};

int luaopen_anomed_time(lua_State *L) {
  luaL_newlib(L, time_functions);
  return 1;
}
