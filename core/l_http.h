/* l_http.h: what main and the master need of the engine's Lua side. */
#ifndef ANOMED_L_HTTP_H
#define ANOMED_L_HTTP_H

#include <lua.h>

#include "config.h"
#include "routes.h"

/* Creates the engine (route table, settings) in L; before the script runs. */
void engine_install(lua_State *L, const engine_config *config);
route_table *engine_routes(lua_State *L);
const engine_config *engine_config_of(lua_State *L);
/* After the load phase: no more routes. */
void engine_freeze(lua_State *L);
/* The http_dispatch_fn for Lua routes; ctx is the worker's lua_State. */
void engine_dispatch(void *ctx, const route *r, http_request *req);

/* The challenge's fingerprint: SHA-256 over the script file and every route (method,
 * path, and the bytes of static answers) as lowercase hex into hex[65]; -1 when the
 * script cannot be read. */
int engine_fingerprint(lua_State *L, const char *script, char hex[65]);

/* Closes this process's ledger connection, before the master forks. */
void ledger_close_in_process(lua_State *L);

#endif
