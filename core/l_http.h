/* l_http.h: what main and the master need of the engine's Lua side. */
#ifndef ANOMED_L_HTTP_H
#define ANOMED_L_HTTP_H

#include <lua.h>

#include "config.h"
#include "routes.h"

/* Creates the engine (route table, settings) in L; before the script runs. */
void engine_install(lua_State *L, const engine_config *config);
route_table *engine_routes(lua_State *L);
/* After the load phase: no more routes. */
void engine_freeze(lua_State *L);
/* The http_dispatch_fn for Lua routes; ctx is the worker's lua_State. */
void engine_dispatch(void *ctx, const route *r, http_request *req);

#endif
