/* embedded_lua.h: the Lua library (every .lua file under lua/anomed) compiled into the binary by
 * core/embed_lua.cmake; the table ends with an entry whose name is NULL. */
#ifndef ANOMED_EMBEDDED_LUA_H
#define ANOMED_EMBEDDED_LUA_H

#include <stddef.h>

typedef struct {
  const char *name;      /* module name, e.g. "anomed.errors" */
  const char *chunkname; /* "@lua/anomed/errors.lua" for tracebacks */
  const char *source;
  size_t length;
} embedded_lua;

extern const embedded_lua embedded_lua_modules[];

#endif
