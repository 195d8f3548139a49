/* http_server.c: libmicrohttpd glue after its largepost.c example: per-request state on the
 * first callback, the body appended under a hard cap, the answer queued on the final call,
 * cleanup and the access-log line in the completed callback. */
#include "http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct http_server {
  struct MHD_Daemon *daemon;
  const route_table *routes;
  struct MHD_Response **statics; /* one prebuilt response per static route */
  http_limits limits;
  http_dispatch_fn dispatch;
  void *ctx;
  size_t buffered;            /* body bytes held by all requests now */
  atomic_uint in_flight;      /* requests begun and not completed (read by the main thread) */
  atomic_int closing;         /* quiesced: every answer closes its connection */
};

struct http_request {
  http_server *server;
  struct MHD_Connection *connection;
  const route *route;
  char method[16], path[256];
  unsigned char *body;
  size_t len, cap;
  int path_known, too_large, overloaded, answered, status;
  size_t sent;
  struct timespec start;
};

static double elapsed_ms(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void queue(http_request *req, int status, struct MHD_Response *res, size_t len) {
  if (req->server->closing && !MHD_get_response_header(res, MHD_HTTP_HEADER_CONNECTION))
    MHD_add_response_header(res, MHD_HTTP_HEADER_CONNECTION, "close"); /* no reuse while draining */
  req->answered = 1;
  req->status = status;
  req->sent = len;
  MHD_queue_response(req->connection, (unsigned)status, res);
}

void http_send(http_request *req, int status, const char *content_type, const void *body,
               size_t len) {
  struct MHD_Response *res =
      MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
  if (!res) return; /* out of memory: MHD closes the connection */
  MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
  queue(req, status, res, len);
  MHD_destroy_response(res);
}

static size_t json_escape(char *out, size_t size, const char *s) {
  size_t n = 0;
  for (; *s && n + 7 < size; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      out[n++] = '\\';
      out[n++] = (char)c;
    } else if (c < 0x20) {
      n += (size_t)snprintf(out + n, size - n, "\\u%04x", c);
    } else {
      out[n++] = (char)c;
    }
  }
  out[n] = 0;
  return n;
}

static struct MHD_Response *json_error(const char *title, const char *description, size_t *len) {
  char t[256], d[2048], body[2400];
  json_escape(t, sizeof t, title);
  json_escape(d, sizeof d, description);
  int n = snprintf(body, sizeof body, "{\"title\": \"%s\", \"description\": \"%s\"}", t, d);
  *len = (size_t)n;
  struct MHD_Response *res = MHD_create_response_from_buffer(*len, body, MHD_RESPMEM_MUST_COPY);
  if (res) MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  return res;
}

void http_send_error(http_request *req, int status, const char *title, const char *description) {
  size_t len;
  struct MHD_Response *res = json_error(title, description, &len);
  if (!res) return;
  queue(req, status, res, len);
  MHD_destroy_response(res);
}

static void send_not_routed(http_request *req, int path_known) {
  char allow[128], description[400];
  if (!path_known) {
    snprintf(description, sizeof description, "No route for %.300s.", req->path);
    http_send_error(req, 404, "Not Found", description);
    return;
  }
  routes_allowed(req->server->routes, req->path, allow, sizeof allow);
  snprintf(description, sizeof description, "%.300s allows %s.", req->path, allow);
  size_t len;
  struct MHD_Response *res = json_error("Method Not Allowed", description, &len);
  if (!res) return;
  MHD_add_response_header(res, MHD_HTTP_HEADER_ALLOW, allow);
  queue(req, 405, res, len);
  MHD_destroy_response(res);
}

static void send_too_large(http_request *req) {
  char description[200];
  snprintf(description, sizeof description, "The request body exceeds the limit of %zu bytes.",
           req->server->limits.max_body);
  http_send_error(req, 413, "Payload Too Large", description);
}

/* the first callback: route lookup, and an announced size over the limit answered before
 * any body is read (other answers wait for the body, so the client is not reset) */
static void begin(http_request *req, const char *method, const char *url) {
  bool path_known;
  snprintf(req->method, sizeof req->method, "%s", method);
  snprintf(req->path, sizeof req->path, "%s", url);
  req->route = routes_find(req->server->routes, method, url, &path_known);
  req->path_known = path_known;
  const char *length = MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (length && strtoull(length, NULL, 10) > req->server->limits.max_body) send_too_large(req);
}

static void append_body(http_request *req, const char *data, size_t n) {
  http_server *s = req->server;
  if (req->too_large || req->overloaded || n > s->limits.max_body - req->len) {
    req->too_large = !req->overloaded;
    return;
  }
  if (req->len + n > req->cap) {
    size_t cap = req->cap ? req->cap : 16384;
    while (cap < req->len + n) cap *= 2;
    unsigned char *body = cap - req->cap <= s->limits.max_buffered - s->buffered ? realloc(req->body, cap) : NULL;
    if (!body) {
      req->overloaded = 1;
      return;
    }
    s->buffered += cap - req->cap;
    req->body = body;
    req->cap = cap;
  }
  memcpy(req->body + req->len, data, n);
  req->len += n;
}

static void finish(http_request *req) {
  http_server *s = req->server;
  if (!req->route) {
    send_not_routed(req, req->path_known);
  } else if (req->too_large) {
    send_too_large(req);
  } else if (req->overloaded) {
    http_send_error(req, 503, "Service Unavailable", "The server holds too many request bodies at once; try again.");
  } else if (req->route->kind == ROUTE_STATIC) {
    size_t i = (size_t)(req->route - s->routes->items);
    queue(req, req->route->status, s->statics[i], req->route->body_len);
  } else {
    s->dispatch(s->ctx, req->route, req);
    if (!req->answered) http_send_error(req, 500, "Internal Server Error", "The handler gave no answer.");
  }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
  (void)version;
  http_request *req = *con_cls;
  if (!req) {
    if (!(req = calloc(1, sizeof *req))) return MHD_NO;
    req->server = cls;
    req->server->in_flight++;
    req->connection = connection;
    clock_gettime(CLOCK_MONOTONIC, &req->start);
    *con_cls = req;
    begin(req, method, url);
    return MHD_YES;
  }
  if (*upload_data_size) { /* a request without a route reads its body and drops it */
    if (!req->answered && req->route) append_body(req, upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  if (!req->answered) finish(req);
  return MHD_YES;
}

static void client_address(struct MHD_Connection *c, char *buf, size_t size) {
  const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const struct sockaddr *sa = info ? info->client_addr : NULL;
  snprintf(buf, size, "-");
  if (sa && sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)size);
  else if (sa && sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)size);
}

/* the one place a request's memory is freed; writes its access-log line */
static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
  (void)cls; /* the request knows its server */
  http_request *req = *con_cls;
  if (!req) return;
  char client[64], line[512];
  client_address(connection, client, sizeof client);
  int n = snprintf(line, sizeof line, "%s %s %s %d %zu %.2fms%s\n", client, req->method, req->path,
                   req->status, req->sent, elapsed_ms(&req->start),
                   code == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
  fwrite(line, 1, n > 0 && (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, stderr);
  req->server->buffered -= req->cap;
  req->server->in_flight--;
  free(req->body);
  free(req);
  *con_cls = NULL;
}

static int build_statics(http_server *s) {
  size_t n = s->routes->count;
  s->statics = calloc(n ? n : 1, sizeof *s->statics);
  if (!s->statics) return -1;
  for (size_t i = 0; i < n; i++) {
    const route *r = &s->routes->items[i];
    if (r->kind != ROUTE_STATIC) continue;
    s->statics[i] = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_PERSISTENT);
    if (!s->statics[i]) return -1;
    MHD_add_response_header(s->statics[i], MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
  }
  return 0;
}

static void free_statics(http_server *s) {
  for (size_t i = 0; s->statics && i < s->routes->count; i++)
    if (s->statics[i]) MHD_destroy_response(s->statics[i]);
  free(s->statics);
}

http_server *http_start(int listen_fd, const route_table *routes, const http_limits *lim,
                        http_dispatch_fn dispatch, void *ctx, char *err, size_t errsize) {
  http_server *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errsize, "out of memory");
    return NULL;
  }
  *s = (http_server){.routes = routes, .limits = *lim, .dispatch = dispatch, .ctx = ctx};
  if (build_statics(s) == 0)
    s->daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, s, MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_CONNECTION_LIMIT,
        lim->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->max_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, lim->timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
        NULL, MHD_OPTION_END);
  if (!s->daemon) {
    snprintf(err, errsize, "libmicrohttpd did not start");
    free_statics(s);
    free(s);
    return NULL;
  }
  return s;
}

void http_quiesce(http_server *s) {
  s->closing = 1;
  MHD_quiesce_daemon(s->daemon);
}

unsigned http_in_flight(http_server *s) { return s->in_flight; }

unsigned http_connections(http_server *s) {
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info ? info->num_connections : 0;
}

void http_stop(http_server *s) {
  MHD_stop_daemon(s->daemon);
  free_statics(s);
  free(s);
}

const char *http_method(const http_request *req) { return req->method; }
const char *http_path(const http_request *req) { return req->path; }

const unsigned char *http_body(const http_request *req, size_t *len) {
  *len = req->len;
  return req->body ? req->body : (const unsigned char *)"";
}

typedef struct {
  void (*fn)(void *ud, const char *key, const char *value);
  void *ud;
} each_ctx;

static enum MHD_Result each_value(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  (void)kind;
  each_ctx *e = cls;
  e->fn(e->ud, key, value ? value : "");
  return MHD_YES;
}

void http_each(const http_request *req, char kind,
               void (*fn)(void *ud, const char *key, const char *value), void *ud) {
  each_ctx e = {fn, ud};
  MHD_get_connection_values(req->connection, kind == 'q' ? MHD_GET_ARGUMENT_KIND : MHD_HEADER_KIND,
                            each_value, &e);
}
