/* http_server.h: one worker's HTTP server (libmicrohttpd, one event thread) on a listening
 * socket it shares with the other workers. Static routes are answered here; Lua routes go
 * to a dispatch callback. Every limit is explicit. Pure C. */
#ifndef ANOMED_HTTP_SERVER_H
#define ANOMED_HTTP_SERVER_H

#include <stddef.h>

#include "routes.h"

typedef struct {
  size_t max_body;          /* bytes; a larger Content-Length is answered 413 unread */
  size_t max_buffered;      /* request body bytes a worker holds at once; past it, 503 */
  unsigned max_connections; /* per worker */
  unsigned max_per_ip;      /* per worker and client address */
  unsigned timeout;         /* seconds a connection may stay idle */
} http_limits;

typedef struct http_request http_request;
typedef struct http_server http_server;

/* Called on the server's thread once a Lua route's body is complete; it must answer
 * with http_send or http_send_error. */
typedef void (*http_dispatch_fn)(void *ctx, const route *r, http_request *req);

http_server *http_start(int listen_fd, const route_table *routes, const http_limits *lim,
                        http_dispatch_fn dispatch, void *ctx, char *err, size_t errsize);
/* stop accepting; in-flight requests go on, and their answers close their connections */
void http_quiesce(http_server *s);
unsigned http_in_flight(http_server *s);   /* requests begun and not answered yet */
unsigned http_connections(http_server *s); /* open connections, idle ones included */
void http_stop(http_server *s);

/* the request being dispatched */
const char *http_method(const http_request *req);
const char *http_path(const http_request *req);
const unsigned char *http_body(const http_request *req, size_t *len);
/* calls fn for each query argument (kind 'q') or header (kind 'h') */
void http_each(const http_request *req, char kind,
               void (*fn)(void *ud, const char *key, const char *value), void *ud);

/* answers; the body is copied */
void http_send(http_request *req, int status, const char *content_type, const void *body,
               size_t len);
/* answers with the JSON error {"title": ..., "description": ...} */
void http_send_error(http_request *req, int status, const char *title, const char *description);

#endif
