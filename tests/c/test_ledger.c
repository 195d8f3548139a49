/* test_ledger.c: the ledger on a real SQLite file: claims, conflicts, the outbox with its
 * evaluation id, the fingerprint rule, and the delivery backoff. */
#include <stdlib.h>
#include <unistd.h>

#include "delivery.h"
#include "ledger.h"
#include "test.h"

static void test_claims_and_outbox(ledger *l) {
  char err[300];
  long long id;
  ledger_conflict held;
  ledger_entry e = {"/utility/anonymizer", "anon", NULL, "validation", "{\"accuracy\": 1.0}",
                    "[\"anonymizer\",\"anon\"]", "http://x/submissions/anonymizer-evaluation-results",
                    "{\"anonymizer\": \"anon\"}"};
  CHECK(ledger_record(l, &e, &id, &held, err, sizeof err) == 0 && id == 1);
  CHECK(ledger_record(l, &e, &id, &held, err, sizeof err) == 1 && held.id == 1 && held.time[0] == '2');
  e.claim = NULL;
  e.data_split = "tuning";
  CHECK(ledger_record(l, &e, &id, &held, err, sizeof err) == 0 && id == 2);
  ledger_delivery d;
  CHECK(ledger_next_delivery(l, 1e12, &d) == 1 && d.evaluation == 1 && d.attempts == 0);
  CHECK_STR(d.body, "{\"evaluation_id\": 1, \"anonymizer\": \"anon\"}");
  free(d.body);
  CHECK(ledger_mark_failed(l, 1, 1e12 + 5, "HTTP 503") == 0);
  CHECK(ledger_next_delivery(l, 1e12, &d) == 1 && d.evaluation == 2); /* 1 waits for its retry */
  free(d.body);
  CHECK(ledger_mark_delivered(l, 2, 1e12) == 0);
  CHECK(ledger_next_delivery(l, 1e12, &d) == 0);
  CHECK(ledger_next_delivery(l, 1e12 + 6, &d) == 1 && d.evaluation == 1 && d.attempts == 1);
  free(d.body);
}

static void test_meta_and_fingerprint(ledger *l) {
  char stored[100], err[400];
  CHECK(ledger_meta_claim(l, "seed", "123", stored, sizeof stored) == 0);
  CHECK(ledger_meta_claim(l, "seed", "456", stored, sizeof stored) == 0);
  CHECK_STR(stored, "123");
  CHECK(ledger_check_fingerprint(l, "aaaa", 0, err, sizeof err) == 0); /* first: stored */
  CHECK(ledger_check_fingerprint(l, "bbbb", 0, err, sizeof err) == -1);
  CHECK(strstr(err, "after 2 evaluations were recorded") != NULL);
  CHECK(ledger_check_fingerprint(l, "bbbb", 1, err, sizeof err) == 0);
  CHECK(ledger_check_fingerprint(l, "bbbb", 0, err, sizeof err) == 0);
}

int main(void) {
  char dir[] = "/tmp/anomed-ledger-XXXXXX", err[300], path[100];
  CHECK(mkdtemp(dir) != NULL);
  ledger *l = ledger_open(dir, err, sizeof err);
  CHECK(l != NULL);
  if (l) {
    test_claims_and_outbox(l);
    test_meta_and_fingerprint(l);
    ledger_close(l);
  }
  CHECK(delivery_backoff(1) == 0.25 && delivery_backoff(3) == 1.0 && delivery_backoff(30) == 60);
  CHECK(ledger_open("/dev/null/ledger", err, sizeof err) == NULL); /* cannot be created */
  CHECK(strstr(err, "cannot create the state directory /dev/null") != NULL);
  static const char *const files[] = {"", "-wal", "-shm"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(path, sizeof path, "%s/%s%s", dir, LEDGER_FILE, files[i]);
    unlink(path);
  }
  rmdir(dir);
  return test_summary();
}
