/* master.c: listening socket, workers forked from the loaded challenge (sharing its data
 * copy-on-write), respawn on death, reload on SIGHUP, graceful stop on SIGTERM/SIGINT.
 * Signals are blocked and taken synchronously with sigtimedwait: no handlers, no races. */
#include "master.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "delivery.h"
#include "l_http.h"
#include "lua_guard.h"

#define MAX_WORKERS 256

typedef struct {
  pid_t pid;
  int generation;
  double started;
} worker;

typedef struct {
  const engine_config *config;
  int listen_fd;
  challenge *current;
  int generation;
  worker workers[2 * MAX_WORKERS]; /* the current generation and one draining */
  int count;
  pid_t deliverer; /* delivers results to the platform, when one is configured */
} master;

static int open_listener(const engine_config *c) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
  struct addrinfo *res;
  char port[16];
  snprintf(port, sizeof port, "%d", c->port);
  int rc = getaddrinfo(c->host, port, &hints, &res);
  if (rc) {
    fprintf(stderr, "anomed-lua: %s: %s\n", c->host, gai_strerror(rc));
    return -1;
  }
  int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0), one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
      bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 1024) ||
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
    fprintf(stderr, "anomed-lua: cannot listen on %s:%d: %s\n", c->host, c->port, strerror(errno));
    if (fd >= 0) close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

static int bound_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len)) return -1;
  if (ss.ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static sigset_t handled_signals(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

/* ---- worker ---- */

/* In-flight requests finish. A connection with no request yet gets a second to send one
 * (it may have been accepted just before the quiesce); idle keep-alive ones are closed. */
static void drain(http_server *s, double grace) {
  double until = guard_now() + grace, quiet_since = 0;
  http_quiesce(s);
  while (http_connections(s) > 0 && guard_now() < until) {
    if (http_in_flight(s) > 0) quiet_since = 0;
    else if (quiet_since == 0) quiet_since = guard_now();
    else if (guard_now() - quiet_since > 1) break;
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
}

static void worker_main(master *m, pid_t parent) {
  lua_State *L = challenge_state(m->current);
  prctl(PR_SET_PDEATHSIG, SIGTERM); /* no orphan keeps the port */
  if (getppid() != parent) _exit(0);
  void *ud;
  lua_getallocf(L, &ud);
  lua_guard *guard = ud;
  guard->limit = guard->used + m->config->lua_memory;
  char err[200];
  http_server *s = http_start(m->listen_fd, engine_routes(L), &m->config->http, engine_dispatch, L,
                              err, sizeof err);
  if (!s) {
    fprintf(stderr, "anomed-lua: worker %d: %s\n", (int)getpid(), err);
    _exit(1);
  }
  sigset_t set = handled_signals();
  int sig;
  do sig = sigwaitinfo(&set, NULL);
  while (sig != SIGTERM && sig != SIGINT);
  drain(s, m->config->grace);
  http_stop(s);
  close(m->listen_fd);
  challenge_close(m->current);
  exit(0);
}

static void spawn(master *m) {
  if (m->count >= 2 * MAX_WORKERS) return;
  pid_t parent = getpid(), pid = fork();
  if (pid == 0) worker_main(m, parent);
  if (pid < 0) {
    fprintf(stderr, "anomed-lua: fork: %s\n", strerror(errno));
    return;
  }
  m->workers[m->count++] = (worker){pid, m->generation, guard_now()};
}

static void spawn_generation(master *m) {
  for (int i = 0; i < m->config->workers; i++) spawn(m);
}

static void signal_generation(master *m, int generation, int sig) {
  for (int i = 0; i < m->count; i++)
    if (generation < 0 || m->workers[i].generation == generation) kill(m->workers[i].pid, sig);
}

static void spawn_deliverer(master *m) {
  if (!m->config->platform) return;
  pid_t parent = getpid(), pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(0);
    close(m->listen_fd);
    exit(delivery_run(m->config->state_dir));
  }
  m->deliverer = pid > 0 ? pid : 0;
}

/* ---- master ---- */

static void reap(master *m, int stopping) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == m->deliverer) {
      m->deliverer = 0;
      if (!stopping) spawn_deliverer(m);
      continue;
    }
    for (int i = 0; i < m->count; i++) {
      if (m->workers[i].pid != pid) continue;
      worker w = m->workers[i];
      m->workers[i] = m->workers[--m->count];
      if (stopping || w.generation != m->generation) break;
      fprintf(stderr, "anomed-lua: worker %d %s %d; starting another\n", (int)pid,
              WIFSIGNALED(status) ? "killed by signal" : "exited with", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
      if (guard_now() - w.started < 1) sleep(1); /* a worker that dies at once: do not spin */
      spawn(m);
      break;
    }
  }
}

static void reload(master *m, challenge_loader load) {
  fprintf(stderr, "anomed-lua: SIGHUP: loading %s again\n", m->config->script);
  challenge *next = load(m->config);
  if (!next) {
    fprintf(stderr, "anomed-lua: reload failed; the running workers go on serving\n");
    return;
  }
  int old = m->generation++;
  challenge_close(m->current);
  m->current = next;
  spawn_generation(m);
  signal_generation(m, old, SIGTERM); /* they finish in-flight requests, then exit */
}

static int stop(master *m) {
  double until = guard_now() + m->config->grace + 5;
  signal_generation(m, -1, SIGTERM);
  if (m->deliverer) {
    kill(m->deliverer, SIGTERM);
    waitpid(m->deliverer, NULL, 0);
    m->deliverer = 0;
  }
  while (m->count > 0 && guard_now() < until) {
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    reap(m, 1);
  }
  signal_generation(m, -1, SIGKILL);
  while (m->count > 0 && waitpid(-1, NULL, 0) > 0) reap(m, 1);
  return 0;
}

int master_run(const engine_config *config, challenge *first, challenge_loader load) {
  static master m;
  m = (master){.config = config, .current = first};
  sigset_t set = handled_signals();
  sigprocmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if ((m.listen_fd = open_listener(config)) < 0) {
    challenge_close(first);
    return 1;
  }
  fprintf(stderr, "anomed-lua: serving %s on http://%s:%d with %d worker%s\n", config->script,
          config->host, bound_port(m.listen_fd), config->workers, config->workers == 1 ? "" : "s");
  spawn_generation(&m);
  spawn_deliverer(&m);
  for (;;) {
    struct timespec tick = {1, 0};
    int sig = sigtimedwait(&set, NULL, &tick);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (sig == SIGHUP) reload(&m, load);
    reap(&m, 0);
  }
  fprintf(stderr, "anomed-lua: stopping\n");
  int status = stop(&m);
  close(m.listen_fd);
  challenge_close(m.current);
  return status;
}
