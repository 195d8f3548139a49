/* config.h: the engine's settings, from the command line (defaults in main.c). */
#ifndef ANOMED_CONFIG_H
#define ANOMED_CONFIG_H

#include <stddef.h>

#include "http_server.h"

typedef struct {
  const char *script;
  const char *host;
  int port;
  int workers;
  char state_dir[4096];
  http_limits http;
  size_t max_decompressed; /* bytes a request's npz body may inflate to */
  double lua_seconds;      /* wall time a Lua handler may run */
  size_t lua_memory;       /* Lua heap bytes a worker may add to what it inherits */
  double grace;            /* seconds in-flight requests get on stop or reload */
  int check;               /* load, report, exit */
  const char *platform;    /* host[:port] results are delivered to, or NULL */
  int accept_changes;      /* record a changed fingerprint instead of refusing to start */
} engine_config;

#endif
