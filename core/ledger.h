/* ledger.h: the evaluation ledger, a SQLite database (WAL) in the state directory that
 * every process opens on its own: evaluations, once-only validation claims, the outbox of
 * results for the platform, and small facts (the drawn seed, the challenge fingerprint). */
#ifndef ANOMED_LEDGER_H
#define ANOMED_LEDGER_H

#include <stddef.h>

typedef struct ledger ledger;

#define LEDGER_FILE "ledger.sqlite"

/* Opens (creating it and DIR with its parents) DIR/ledger.sqlite; NULL with err filled on
 * failure. */
ledger *ledger_open(const char *dir, char *err, size_t errsize);
void ledger_close(ledger *l);

/* 1 and the value when key is set, 0 when not, -1 on error. */
int ledger_meta_get(ledger *l, const char *key, char *value, size_t size);
/* Sets key to value unless it is set already; stored gets the value that holds. */
int ledger_meta_claim(ledger *l, const char *key, const char *value, char *stored, size_t size);

typedef struct {
  const char *route, *anonymizer, *deanonymizer; /* deanonymizer may be NULL */
  const char *data_split;
  const char *metrics;     /* a JSON object */
  const char *claim;       /* once-only key, or NULL */
  const char *outbox_url;  /* where to deliver, or NULL */
  const char *outbox_body; /* a JSON object; "evaluation_id" is added */
} ledger_entry;

typedef struct {
  long long id;
  char time[40];
} ledger_conflict;

/* Records e in one transaction (claim, evaluation, outbox): 0 with *id, 1 with *conflict
 * when e->claim was taken before, -1 on error. */
int ledger_record(ledger *l, const ledger_entry *e, long long *id, ledger_conflict *conflict,
                  char *err, size_t errsize);

/* The challenge fingerprint against the recorded one: stores it when there is none or no
 * evaluation yet; when it differs while evaluations exist, -1 with err unless accept, which
 * records the change. */
int ledger_check_fingerprint(ledger *l, const char *fingerprint, int accept, char *err,
                             size_t errsize);

typedef struct {
  long long evaluation;
  int attempts;
  char url[512];
  char *body; /* malloc'd */
} ledger_delivery;

/* The oldest undelivered result due by now: 1 (free d->body), 0 when none, -1 on error. */
int ledger_next_delivery(ledger *l, double now, ledger_delivery *d);
int ledger_mark_delivered(ledger *l, long long evaluation, double now);
int ledger_mark_failed(ledger *l, long long evaluation, double retry_at, const char *why);

typedef struct {
  long long id;
  const char *time, *route, *anonymizer, *deanonymizer, *data_split, *metrics, *delivery;
} ledger_row;

/* Calls fn for every evaluation in id order. */
int ledger_each(ledger *l, void (*fn)(void *ud, const ledger_row *r), void *ud);

#endif
