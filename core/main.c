/* main.c: the anomed-lua command. Runs a challenge script with every anomed module
 * preloaded; a script that declares routes is then served, one that declares none has
 * simply run (data preparation, tests). */
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anomed_lua.h"
#include "l_http.h"
#include "ledger.h"
#include "lua_guard.h"
#include "master.h"
#include "results.h"

#ifndef ANOMED_VERSION
#define ANOMED_VERSION "0.0.0"
#endif

static const char usage[] =
    "usage: anomed-lua [options] SCRIPT.lua [ARGS...]\n"
    "Runs SCRIPT.lua with the anomed modules preloaded; serves it when it declares routes.\n"
    "  --host H              address to listen on (127.0.0.1)\n"
    "  --port P              port (8080; 0 picks a free one, printed at start)\n"
    "  --workers N           worker processes (one per core)\n"
    "  --state-dir DIR       the challenge's state (.anomed-state next to the script)\n"
    "  --max-body N          request body bytes; larger is answered 413 (64M)\n"
    "  --max-decompressed N  bytes an npz body may inflate to (256M)\n"
    "  --max-buffered N      request body bytes a worker holds at once; past it, 503 (256M)\n"
    "  --max-connections N   open connections per worker (1024)\n"
    "  --max-per-ip N        open connections per client address and worker (64)\n"
    "  --timeout S           seconds an idle connection is kept (30)\n"
    "  --lua-seconds S       wall time a Lua handler may run; past it, 503 (10)\n"
    "  --lua-memory N        Lua heap a worker may add to what the script loaded (512M)\n"
    "  --grace S             seconds in-flight requests get on stop and reload (30)\n"
    "  --platform HOST[:PORT] deliver results to the AnoMed platform ($ANOMED_HOST)\n"
    "  --accept-changes      start although the challenge changed after evaluations\n"
    "  --check               load the script, list its routes, exit\n"
    "  --results             print the recorded evaluations and exit\n"
    "  --format F            --results as table (default), csv or json\n"
    "  -e CODE               run CODE (Lua) before the script; the script may then be omitted\n"
    "  --version, --help\n"
    "Sizes take K, M or G. SIGHUP reloads the script; SIGTERM or SIGINT stops gracefully.\n";

struct challenge {
  lua_guard guard;
  lua_State *L;
};

typedef struct {
  engine_config config;
  const char *code;
  const char *results_format; /* set by --results */
  char **argv;
  int argc, script; /* argv index of the script, or argc when there is none */
} invocation;

static invocation inv;

lua_State *challenge_state(challenge *c) { return c->L; }

void challenge_close(challenge *c) {
  if (!c) return;
  lua_close(c->L);
  free(c);
}

static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "anomed-lua: %s\n", msg ? msg : "(error object is not a string)");
    lua_pop(L, 1);
  }
  return status;
}

/* arg[0] is the script, arg[1..] its arguments, arg[-k] what came before */
static void set_arg_table(lua_State *L) {
  lua_createtable(L, inv.argc - inv.script, inv.script + 1);
  for (int i = 0; i < inv.argc; i++) {
    lua_pushstring(L, inv.argv[i]);
    lua_rawseti(L, -2, i - inv.script);
  }
  lua_setglobal(L, "arg");
}

static int run_chunks(lua_State *L) {
  if (inv.code && (report(L, luaL_loadbuffer(L, inv.code, strlen(inv.code), "=(command line)")) ||
                   report(L, guard_pcall(L, 0, 0, 0))))
    return -1;
  if (inv.script >= inv.argc) return 0;
  set_arg_table(L);
  if (report(L, luaL_loadfile(L, inv.argv[inv.script]))) return -1;
  for (int i = inv.script + 1; i < inv.argc; i++) lua_pushstring(L, inv.argv[i]);
  return report(L, guard_pcall(L, inv.argc - inv.script - 1, 0, 0)) ? -1 : 0;
}

/* Metrics must stay fixed once submissions are evaluated: a served challenge's fingerprint
 * is checked against the ledger's. */
static int check_fingerprint(lua_State *L, const engine_config *config) {
  char hex[65], err[400];
  if (inv.script >= inv.argc) return 0; /* -e code alone has no script to fingerprint */
  if (engine_fingerprint(L, config->script, hex)) {
    fprintf(stderr, "anomed-lua: cannot read %s\n", config->script);
    return -1;
  }
  ledger *l = ledger_open(config->state_dir, err, sizeof err);
  int rc = l ? ledger_check_fingerprint(l, hex, config->accept_changes, err, sizeof err) : -1;
  ledger_close(l);
  if (rc) fprintf(stderr, "anomed-lua: %s\n", err);
  return rc;
}

static challenge *load_challenge(const engine_config *config) {
  challenge *c = calloc(1, sizeof *c);
  if (!c || !(c->L = guard_newstate(&c->guard))) {
    free(c);
    fprintf(stderr, "anomed-lua: out of memory\n");
    return NULL;
  }
  luaL_openlibs(c->L);
  anomed_preload(c->L);
  engine_install(c->L, config);
  if (run_chunks(c->L)) {
    challenge_close(c);
    return NULL;
  }
  engine_freeze(c->L);
  if (engine_routes(c->L)->count > 0 && !config->check && check_fingerprint(c->L, config)) {
    challenge_close(c);
    return NULL;
  }
  ledger_close_in_process(c->L); /* no SQLite connection may cross fork */
  lua_settop(c->L, 0);
  lua_gc(c->L, LUA_GCCOLLECT);
  return c;
}

static size_t parse_size(const char *s, int *ok) {
  char *end;
  double v = strtod(s, &end);
  double unit = *end == 'K' ? 1024.0 : *end == 'M' ? 1048576.0 : *end == 'G' ? 1073741824.0 : 1;
  if (unit > 1) end++;
  *ok = *ok && end != s && *end == 0 && v >= 0 && v * unit < 1e18;
  return (size_t)(v * unit);
}

static double parse_number(const char *s, int *ok) {
  char *end;
  double v = strtod(s, &end);
  *ok = *ok && end != s && *end == 0 && v >= 0 && v <= 1e9;
  return *ok ? v : 0;
}

static int parse_option(engine_config *c, const char *name, const char *value) {
  int ok = 1;
  if (!strcmp(name, "--host")) c->host = value;
  else if (!strcmp(name, "--port")) c->port = (int)parse_number(value, &ok), ok = ok && c->port < 65536;
  else if (!strcmp(name, "--workers")) c->workers = (int)parse_number(value, &ok), ok = ok && c->workers >= 1 && c->workers <= 256;
  else if (!strcmp(name, "--state-dir")) snprintf(c->state_dir, sizeof c->state_dir, "%s", value);
  else if (!strcmp(name, "--max-body")) c->http.max_body = parse_size(value, &ok);
  else if (!strcmp(name, "--max-decompressed")) c->max_decompressed = parse_size(value, &ok);
  else if (!strcmp(name, "--max-buffered")) c->http.max_buffered = parse_size(value, &ok);
  else if (!strcmp(name, "--max-connections")) c->http.max_connections = (unsigned)parse_number(value, &ok);
  else if (!strcmp(name, "--max-per-ip")) c->http.max_per_ip = (unsigned)parse_number(value, &ok);
  else if (!strcmp(name, "--timeout")) c->http.timeout = (unsigned)parse_number(value, &ok);
  else if (!strcmp(name, "--lua-seconds")) c->lua_seconds = parse_number(value, &ok);
  else if (!strcmp(name, "--lua-memory")) c->lua_memory = parse_size(value, &ok);
  else if (!strcmp(name, "--grace")) c->grace = parse_number(value, &ok);
  else if (!strcmp(name, "--platform")) c->platform = value[0] ? value : NULL;
  else if (!strcmp(name, "--format")) ok = !strcmp(value, "table") || !strcmp(value, "csv") || !strcmp(value, "json"),
                                      inv.results_format = value;
  else if (!strcmp(name, "-e")) inv.code = value;
  else return -1;
  return ok ? 0 : -2;
}

static void default_state_dir(engine_config *c) {
  if (c->state_dir[0] || !c->script) return;
  const char *slash = strrchr(c->script, '/');
  int dir = slash ? (int)(slash - c->script) : 1;
  snprintf(c->state_dir, sizeof c->state_dir, "%.*s/.anomed-state", dir, slash ? c->script : ".");
}

/* returns -1 to go on, or an exit status */
static int parse_args(int argc, char **argv) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  engine_config *c = &inv.config;
  *c = (engine_config){.host = "127.0.0.1", .port = 8080, .workers = cores > 0 ? (int)cores : 1,
                       .http = {64u << 20, 256u << 20, 1024, 64, 30}, .max_decompressed = 256u << 20,
                       .lua_seconds = 10, .lua_memory = 512u << 20, .grace = 30,
                       .platform = getenv("ANOMED_HOST") && *getenv("ANOMED_HOST") ? getenv("ANOMED_HOST") : NULL};
  int results = 0;
  inv.argv = argv;
  inv.argc = argc;
  int i = 1;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (!strcmp(argv[i], "--version")) return printf("anomed-lua %s (%s)\n", ANOMED_VERSION, LUA_RELEASE), 0;
    if (!strcmp(argv[i], "--help")) return fputs(usage, stdout), 0;
    if (!strcmp(argv[i], "--check") || !strcmp(argv[i], "--accept-changes") || !strcmp(argv[i], "--results")) {
      c->check |= !strcmp(argv[i], "--check");
      c->accept_changes |= !strcmp(argv[i], "--accept-changes");
      results |= !strcmp(argv[i], "--results");
      continue;
    }
    int rc = i + 1 < argc ? parse_option(c, argv[i], argv[i + 1]) : -1;
    if (rc) {
      fprintf(stderr, "anomed-lua: %s %s\n%s", rc == -2 ? "bad value for" : "unknown option", argv[i], usage);
      return 2;
    }
    i++;
  }
  inv.script = i;
  if (i >= argc && !inv.code) return fputs(usage, stderr), 2;
  c->script = i < argc ? argv[i] : "(command line)";
  default_state_dir(c);
  if (results) return results_print(c->state_dir, inv.results_format ? inv.results_format : "table", stdout);
  return -1;
}

static void print_routes(lua_State *L) {
  const route_table *t = engine_routes(L);
  for (size_t i = 0; i < t->count; i++)
    fprintf(stderr, "  %-6s %s%s\n", t->items[i].method, t->items[i].path,
            t->items[i].kind == ROUTE_STATIC ? "  (static)" : "");
}

int main(int argc, char **argv) {
  int rc = parse_args(argc, argv);
  if (rc >= 0) return rc;
  challenge *c = load_challenge(&inv.config);
  if (!c) return 1;
  if (engine_routes(c->L)->count == 0) { /* nothing to serve: the script has run */
    challenge_close(c);
    return 0;
  }
  print_routes(c->L);
  if (inv.config.check) {
    fprintf(stderr, "anomed-lua: %s loads\n", inv.config.script);
    challenge_close(c);
    return 0;
  }
  return master_run(&inv.config, c, load_challenge);
}
