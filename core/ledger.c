/* ledger.c: the ledger's schema and statements. Writes run in BEGIN IMMEDIATE
 * transactions, so concurrent workers serialise on the database and a claim is taken once. */
#include "ledger.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ledger {
  sqlite3 *db;
};

static const char schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS evaluations ("
    "  id INTEGER PRIMARY KEY, time TEXT NOT NULL, route TEXT NOT NULL, anonymizer TEXT NOT NULL,"
    "  deanonymizer TEXT, data_split TEXT NOT NULL, metrics TEXT NOT NULL, fingerprint TEXT);"
    "CREATE TABLE IF NOT EXISTS claims ("
    "  key TEXT PRIMARY KEY, evaluation INTEGER NOT NULL REFERENCES evaluations(id));"
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  evaluation INTEGER PRIMARY KEY REFERENCES evaluations(id), url TEXT NOT NULL,"
    "  body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL DEFAULT 0,"
    "  delivered REAL, last_error TEXT);"
    "CREATE TABLE IF NOT EXISTS changes ("
    "  id INTEGER PRIMARY KEY, time TEXT NOT NULL, old_fingerprint TEXT, new_fingerprint TEXT NOT NULL,"
    "  evaluations INTEGER NOT NULL);";

#define NOW_ISO "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

static int fail(ledger *l, char *err, size_t errsize) {
  snprintf(err, errsize, "ledger: %s", sqlite3_errmsg(l->db));
  return -1;
}

/* mkdir -p: the directory and its missing parents */
static int make_dirs(const char *dir, char *err, size_t errsize) {
  char path[4200];
  snprintf(path, sizeof path, "%s", dir);
  for (char *p = path + 1;; p++) {
    if (*p && *p != '/') continue;
    char end = *p;
    *p = 0;
    if (mkdir(path, 0700) && errno != EEXIST) {
      snprintf(err, errsize, "cannot create the state directory %s: %s", path, strerror(errno));
      return -1;
    }
    if (!end) return 0;
    *p = end;
  }
}

ledger *ledger_open(const char *dir, char *err, size_t errsize) {
  char path[4200];
  if (make_dirs(dir, err, errsize)) return NULL;
  snprintf(path, sizeof path, "%s/%s", dir, LEDGER_FILE);
  ledger *l = calloc(1, sizeof *l);
  if (!l) {
    snprintf(err, errsize, "out of memory");
    return NULL;
  }
  if (sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) ||
      sqlite3_busy_timeout(l->db, 30000) || sqlite3_exec(l->db, schema, NULL, NULL, NULL)) {
    snprintf(err, errsize, "ledger %s: %s", path, l->db ? sqlite3_errmsg(l->db) : "cannot open");
    ledger_close(l);
    return NULL;
  }
  return l;
}

void ledger_close(ledger *l) {
  if (!l) return;
  sqlite3_close(l->db);
  free(l);
}

/* prepares sql and binds the NULL-terminated text arguments in order */
static sqlite3_stmt *prepare(ledger *l, const char *sql, const char *const *texts) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(l->db, sql, -1, &st, NULL)) return NULL;
  for (int i = 0; texts && texts[i] != (const char *)-1; i++)
    sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_TRANSIENT);
  return st;
}

#define TEXTS(...) ((const char *const[]){__VA_ARGS__, (const char *)-1})

static int exec(ledger *l, const char *sql) { return sqlite3_exec(l->db, sql, NULL, NULL, NULL); }

int ledger_meta_get(ledger *l, const char *key, char *value, size_t size) {
  sqlite3_stmt *st = prepare(l, "SELECT value FROM meta WHERE key = ?", TEXTS(key));
  if (!st) return -1;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) snprintf(value, size, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int meta_set(ledger *l, const char *key, const char *value, const char *verb) {
  char sql[100];
  snprintf(sql, sizeof sql, "INSERT OR %s INTO meta (key, value) VALUES (?, ?)", verb);
  sqlite3_stmt *st = prepare(l, sql, TEXTS(key, value));
  int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

int ledger_meta_claim(ledger *l, const char *key, const char *value, char *stored, size_t size) {
  if (exec(l, "BEGIN IMMEDIATE")) return -1;
  int rc = meta_set(l, key, value, "IGNORE") == 0 && ledger_meta_get(l, key, stored, size) == 1 ? 0 : -1;
  return exec(l, rc ? "ROLLBACK" : "COMMIT") ? -1 : rc;
}

static long long scalar(ledger *l, const char *sql, const char *const *texts) {
  sqlite3_stmt *st = prepare(l, sql, texts);
  long long v = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  return v;
}

/* 1 with the conflict when the claim is taken */
static int find_claim(ledger *l, const char *claim, ledger_conflict *conflict) {
  sqlite3_stmt *st = prepare(l, "SELECT e.id, e.time FROM claims c JOIN evaluations e ON e.id = c.evaluation "
                                "WHERE c.key = ?", TEXTS(claim));
  if (!st) return -1;
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    conflict->id = sqlite3_column_int64(st, 0);
    snprintf(conflict->time, sizeof conflict->time, "%s", (const char *)sqlite3_column_text(st, 1));
  }
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static int insert_evaluation(ledger *l, const ledger_entry *e, long long *id) {
  char fingerprint[80] = "";
  ledger_meta_get(l, "fingerprint", fingerprint, sizeof fingerprint);
  sqlite3_stmt *st = prepare(l, "INSERT INTO evaluations (time, route, anonymizer, deanonymizer, data_split, "
                                "metrics, fingerprint) VALUES (" NOW_ISO ", ?, ?, ?, ?, ?, ?)",
                             TEXTS(e->route, e->anonymizer, e->deanonymizer, e->data_split, e->metrics,
                                   fingerprint[0] ? fingerprint : NULL));
  int rc = st ? sqlite3_step(st) : SQLITE_ERROR;
  sqlite3_finalize(st);
  *id = sqlite3_last_insert_rowid(l->db);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int insert_outbox(ledger *l, const ledger_entry *e, long long id) {
  const char *rest = strchr(e->outbox_body, '{');
  if (!rest) return -1;
  size_t n = strlen(rest) + 64;
  char *body = malloc(n);
  if (!body) return -1;
  snprintf(body, n, "{\"evaluation_id\": %lld%s%s", id, rest[1] == '}' ? "" : ", ", rest + 1);
  sqlite3_stmt *st = prepare(l, "INSERT INTO outbox (evaluation, url, body) VALUES (?, ?, ?)", NULL);
  int rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, e->outbox_url, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, body, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
  }
  sqlite3_finalize(st);
  free(body);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int insert_claim(ledger *l, const char *claim, long long id) {
  char number[32];
  snprintf(number, sizeof number, "%lld", id);
  return scalar(l, "INSERT INTO claims (key, evaluation) VALUES (?, ?) RETURNING evaluation",
                TEXTS(claim, number)) == id ? 0 : -1;
}

int ledger_record(ledger *l, const ledger_entry *e, long long *id, ledger_conflict *conflict,
                  char *err, size_t errsize) {
  if (exec(l, "BEGIN IMMEDIATE")) return fail(l, err, errsize);
  int taken = e->claim ? find_claim(l, e->claim, conflict) : 0;
  int rc = taken;
  if (taken == 0) {
    rc = insert_evaluation(l, e, id) || (e->claim && insert_claim(l, e->claim, *id)) ||
                 (e->outbox_url && insert_outbox(l, e, *id))
             ? -1
             : 0;
  }
  if (rc < 0) {
    fail(l, err, errsize);
    exec(l, "ROLLBACK");
    return -1;
  }
  if (exec(l, rc == 0 ? "COMMIT" : "ROLLBACK")) return fail(l, err, errsize);
  return rc;
}

int ledger_check_fingerprint(ledger *l, const char *fingerprint, int accept, char *err,
                             size_t errsize) {
  char old[80] = "";
  if (exec(l, "BEGIN IMMEDIATE")) return fail(l, err, errsize);
  int known = ledger_meta_get(l, "fingerprint", old, sizeof old);
  long long evaluations = scalar(l, "SELECT count(*) FROM evaluations", NULL);
  int changed = known == 1 && strcmp(old, fingerprint) != 0;
  if (known < 0 || evaluations < 0) {
    exec(l, "ROLLBACK");
    return fail(l, err, errsize);
  }
  if (changed && evaluations > 0 && !accept) {
    exec(l, "ROLLBACK");
    snprintf(err, errsize,
             "the challenge changed (its script or the data it serves) after %lld evaluations were "
             "recorded; metrics must stay fixed once submissions are evaluated. Restore it, or start "
             "with --accept-changes to record the change and go on", evaluations);
    return -1;
  }
  char count[32];
  snprintf(count, sizeof count, "%lld", evaluations);
  sqlite3_stmt *st = changed ? prepare(l, "INSERT INTO changes (time, old_fingerprint, new_fingerprint, evaluations) "
                                          "VALUES (" NOW_ISO ", ?, ?, ?)", TEXTS(old, fingerprint, count))
                             : NULL;
  int ok = (!changed || (st && sqlite3_step(st) == SQLITE_DONE)) && meta_set(l, "fingerprint", fingerprint, "REPLACE") == 0;
  sqlite3_finalize(st);
  if (!ok || exec(l, "COMMIT")) {
    fail(l, err, errsize);
    exec(l, "ROLLBACK");
    return -1;
  }
  return 0;
}

int ledger_next_delivery(ledger *l, double now, ledger_delivery *d) {
  sqlite3_stmt *st = prepare(l, "SELECT evaluation, attempts, url, body FROM outbox WHERE delivered IS NULL "
                                "AND next_attempt <= ? ORDER BY evaluation LIMIT 1", NULL);
  if (!st) return -1;
  sqlite3_bind_double(st, 1, now);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    d->evaluation = sqlite3_column_int64(st, 0);
    d->attempts = sqlite3_column_int(st, 1);
    snprintf(d->url, sizeof d->url, "%s", (const char *)sqlite3_column_text(st, 2));
    const char *body = (const char *)sqlite3_column_text(st, 3);
    d->body = malloc(strlen(body) + 1);
    if (d->body) strcpy(d->body, body);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_ROW) return d->body ? 1 : -1;
  return rc == SQLITE_DONE ? 0 : -1;
}

static int update_outbox(ledger *l, const char *sql, long long evaluation, double when, const char *why) {
  sqlite3_stmt *st = prepare(l, sql, NULL);
  int rc = SQLITE_ERROR;
  if (st) {
    sqlite3_bind_double(st, 1, when);
    sqlite3_bind_int64(st, 2, evaluation);
    if (why) sqlite3_bind_text(st, 3, why, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

int ledger_mark_delivered(ledger *l, long long evaluation, double now) {
  return update_outbox(l, "UPDATE outbox SET delivered = ?, attempts = attempts + 1 WHERE evaluation = ?",
                       evaluation, now, NULL);
}

int ledger_mark_failed(ledger *l, long long evaluation, double retry_at, const char *why) {
  return update_outbox(l, "UPDATE outbox SET next_attempt = ?, attempts = attempts + 1, last_error = ?3 "
                          "WHERE evaluation = ?2", evaluation, retry_at, why);
}

int ledger_each(ledger *l, void (*fn)(void *ud, const ledger_row *r), void *ud) {
  sqlite3_stmt *st = prepare(l, "SELECT e.id, e.time, e.route, e.anonymizer, e.deanonymizer, e.data_split, "
                                "e.metrics, CASE WHEN o.evaluation IS NULL THEN '' WHEN o.delivered IS NULL "
                                "THEN 'pending' ELSE 'delivered' END FROM evaluations e "
                                "LEFT JOIN outbox o ON o.evaluation = e.id ORDER BY e.id", NULL);
  if (!st) return -1;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    ledger_row r = {.id = sqlite3_column_int64(st, 0)};
    const char **fields[] = {&r.time, &r.route, &r.anonymizer, &r.deanonymizer, &r.data_split, &r.metrics, &r.delivery};
    for (int i = 0; i < 7; i++) {
      const unsigned char *text = sqlite3_column_text(st, i + 1);
      *fields[i] = text ? (const char *)text : "";
    }
    fn(ud, &r);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : -1;
}
