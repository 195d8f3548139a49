/* main.c: the anomed-lua command. Runs a Lua script with every anomed module preloaded,
 * with `arg` and `...` as the standalone lua interpreter sets them. */
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomed_lua.h"

#ifndef ANOMED_VERSION
#define ANOMED_VERSION "0.0.0"
#endif

static const char usage[] =
    "usage: anomed-lua [options] SCRIPT.lua [ARGS...]\n"
    "Runs SCRIPT.lua with the anomed modules (anomed.array, anomed.npz, anomed.rng,\n"
    "anomed.hash, anomed) preloaded.\n"
    "options:\n"
    "  -e CODE      run CODE (a Lua chunk) before the script; the script may then be omitted\n"
    "  --version    print the version and exit\n"
    "  --help       print this help and exit\n";

static int traceback(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    fprintf(stderr, "anomed-lua: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  return status;
}

static int call(lua_State *L, int nargs) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback);
  lua_insert(L, base);
  int status = lua_pcall(L, nargs, 0, base);
  lua_remove(L, base);
  return report(L, status);
}

/* arg[0] is the script, arg[1..] its arguments, arg[-k] what came before */
static void set_arg_table(lua_State *L, char **argv, int argc, int script) {
  lua_createtable(L, argc - script - 1, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

static int run_script(lua_State *L, char **argv, int argc, int script) {
  set_arg_table(L, argv, argc, script);
  if (report(L, luaL_loadfile(L, argv[script]))) return 1;
  for (int i = script + 1; i < argc; i++) lua_pushstring(L, argv[i]);
  return call(L, argc - script - 1) != LUA_OK;
}

int main(int argc, char **argv) {
  int i = 1;
  const char *code = NULL;
  for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
    if (strcmp(argv[i], "--version") == 0) {
      printf("anomed-lua %s (%s)\n", ANOMED_VERSION, LUA_RELEASE);
      return 0;
    }
    if (strcmp(argv[i], "--help") == 0) {
      fputs(usage, stdout);
      return 0;
    }
    if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
      code = argv[++i];
      continue;
    }
    fprintf(stderr, "anomed-lua: unknown option %s\n%s", argv[i], usage);
    return 2;
  }
  if (i >= argc && !code) {
    fputs(usage, stderr);
    return 2;
  }
  lua_State *L = luaL_newstate();
  if (!L) return 1;
  luaL_openlibs(L);
  anomed_preload(L);
  int failed = code && (report(L, luaL_loadbuffer(L, code, strlen(code), "=(command line)")) ||
                        call(L, 0) != LUA_OK);
  if (!failed && i < argc) failed = run_script(L, argv, argc, i);
  lua_close(L);
  return failed ? 1 : 0;
}
