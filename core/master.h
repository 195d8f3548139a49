/* master.h: the process model (after nginx and gunicorn): a master that owns the listening
 * socket and the loaded challenge, and forked workers that serve it. */
#ifndef ANOMED_MASTER_H
#define ANOMED_MASTER_H

#include <lua.h>

#include "config.h"

/* A loaded challenge: a Lua state and the guard its allocator counts into. */
typedef struct challenge challenge;

/* Loads the script into a new challenge; NULL (and a logged reason) when it fails. */
typedef challenge *(*challenge_loader)(const engine_config *config);
lua_State *challenge_state(challenge *c);
void challenge_close(challenge *c);

/* Serves first (taking ownership) until SIGTERM or SIGINT; SIGHUP loads the script
 * again with load. Returns the process exit status. */
int master_run(const engine_config *config, challenge *first, challenge_loader load);

#endif
