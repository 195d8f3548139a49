/* delivery.c: the outbox loop. Rows stay in the ledger until the platform answers 2xx, so
 * a crash or restart loses nothing; the evaluation id in every body lets the platform
 * recognise a repeat of the rare post that succeeded just before a crash. */
#include "delivery.h"

#include <curl/curl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ledger.h"

#define IDLE_WAIT_MS 200

double delivery_backoff(int attempts) {
  double wait = 0.25 * pow(2, attempts - 1);
  return wait < 60 ? wait : 60;
}

static double wall_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t discard(char *data, size_t size, size_t n, void *ud) {
  (void)data;
  (void)ud;
  return size * n;
}

/* 0 when the platform accepted the body; otherwise why not, in why */
static int post(CURL *curl, const ledger_delivery *d, char *why, size_t size) {
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, d->url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) snprintf(why, size, "%s", curl_easy_strerror(rc));
  else if (status < 200 || status > 299) snprintf(why, size, "HTTP %ld", status);
  return rc != CURLE_OK || status < 200 || status > 299;
}

static void deliver_one(ledger *l, CURL *curl, ledger_delivery *d) {
  char why[256];
  if (post(curl, d, why, sizeof why) == 0) {
    ledger_mark_delivered(l, d->evaluation, wall_now());
    fprintf(stderr, "anomed-lua: delivered evaluation %lld to %s\n", d->evaluation, d->url);
  } else {
    double wait = delivery_backoff(d->attempts + 1);
    ledger_mark_failed(l, d->evaluation, wall_now() + wait, why);
    fprintf(stderr, "anomed-lua: delivering evaluation %lld to %s failed (%s); again in %.2g s\n",
            d->evaluation, d->url, why, wait);
  }
}

int delivery_run(const char *state_dir) {
  char err[300];
  ledger *l = ledger_open(state_dir, err, sizeof err);
  CURL *curl = curl_easy_init();
  if (!l || !curl) {
    fprintf(stderr, "anomed-lua: delivery: %s\n", l ? "libcurl did not start" : err);
    ledger_close(l);
    return 1;
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  for (;;) {
    ledger_delivery d;
    int found = ledger_next_delivery(l, wall_now(), &d);
    if (found == 1) {
      deliver_one(l, curl, &d);
      free(d.body);
    }
    struct timespec wait = {0, found == 1 ? 0 : IDLE_WAIT_MS * 1000000L};
    int sig = sigtimedwait(&stop, NULL, &wait);
    if (sig == SIGTERM || sig == SIGINT) break;
  }
  curl_easy_cleanup(curl);
  ledger_close(l);
  return 0;
}
