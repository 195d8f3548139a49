/* l_ledger.c: the anomed.ledger module. Each process opens its own connection to the
 * ledger in the state directory on first use (a SQLite connection must not cross fork:
 * the master closes its own before forking, see ledger_close_in_process). */
#include <string.h>
#include <unistd.h>

#include "anomed_lua.h"
#include "l_http.h"
#include "ledger.h"

#define LEDGER_KEY "anomed.ledger.connection"

typedef struct {
  ledger *l;
  pid_t pid;
} connection;

/* closes c's ledger when this process opened it (a forked child leaves its parent's alone) */
static void close_connection(connection *c) {
  if (c && c->l && c->pid == getpid()) ledger_close(c->l);
  if (c) c->l = NULL;
}

static int connection_gc(lua_State *L) {
  close_connection(lua_touserdata(L, 1));
  return 0;
}

static ledger *open_ledger(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, LEDGER_KEY);
  connection *c = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (c && c->l && c->pid == getpid()) return c->l;
  char err[300];
  ledger *l = ledger_open(engine_config_of(L)->state_dir, err, sizeof err);
  if (!l) luaL_error(L, "%s", err);
  c = lua_newuserdatauv(L, sizeof *c, 0);
  *c = (connection){l, getpid()};
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, connection_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, LEDGER_KEY);
  return l;
}

void ledger_close_in_process(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, LEDGER_KEY);
  close_connection(lua_touserdata(L, -1));
  lua_pop(L, 1);
}

static const char *opt_field(lua_State *L, const char *name) {
  lua_getfield(L, 1, name);
  const char *s = lua_tostring(L, -1); /* kept alive by the argument table */
  lua_pop(L, 1);
  return s;
}

static const char *field(lua_State *L, const char *name) {
  const char *s = opt_field(L, name);
  if (!s) luaL_argerror(L, 1, lua_pushfstring(L, "field '%s' must be a string", name));
  return s;
}

/* record{route, anonymizer, deanonymizer?, data_split, metrics (JSON), claim?, outbox_url?,
 * outbox_body?} -> id, or nil and {id, time} of the evaluation that holds the claim */
static int ledger_record_l(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  ledger_entry e = {field(L, "route"),   field(L, "anonymizer"), opt_field(L, "deanonymizer"),
                    field(L, "data_split"), field(L, "metrics"), opt_field(L, "claim"),
                    opt_field(L, "outbox_url"), opt_field(L, "outbox_body")};
  luaL_argcheck(L, !e.outbox_url == !e.outbox_body, 1, "outbox_url and outbox_body go together");
  ledger *l = open_ledger(L);
  long long id;
  ledger_conflict conflict;
  char err[300];
  int rc = ledger_record(l, &e, &id, &conflict, err, sizeof err);
  if (rc < 0) return luaL_error(L, "%s", err);
  if (rc == 0) {
    lua_pushinteger(L, id);
    return 1;
  }
  lua_pushnil(L);
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, conflict.id);
  lua_setfield(L, -2, "id");
  lua_pushstring(L, conflict.time);
  lua_setfield(L, -2, "time");
  return 2;
}

/* claim(key, value) -> the value that holds: value when key was unset */
static int ledger_claim_l(lua_State *L) {
  const char *key = luaL_checkstring(L, 1), *value = luaL_checkstring(L, 2);
  char stored[4096];
  if (ledger_meta_claim(open_ledger(L), key, value, stored, sizeof stored))
    return luaL_error(L, "ledger: cannot store %s", key);
  lua_pushstring(L, stored);
  return 1;
}

static const luaL_Reg ledger_functions[] = {{"record", ledger_record_l}, {"claim", ledger_claim_l}, {NULL, NULL}};

int luaopen_anomed_ledger(lua_State *L) {
  luaL_newlib(L, ledger_functions);
  return 1;
}
