/* results.c: one row per evaluation: id, time, route, anonymizer, deanonymizer,
 * data_split, metrics (a JSON object) and delivery (pending, delivered, or empty). */
#include "results.h"

#include <string.h>
#include <unistd.h>

#include "ledger.h"

typedef struct {
  FILE *out;
  const char *format;
  int rows;
} printer;

static void csv_field(FILE *out, const char *s, const char *sep) {
  if (strpbrk(s, ",\"\n")) {
    fputc('"', out);
    for (; *s; s++) fputs(*s == '"' ? "\"\"" : (char[]){*s, 0}, out);
    fputc('"', out);
  } else {
    fputs(s, out);
  }
  fputs(sep, out);
}

static void json_string(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') fprintf(out, "\\%c", *s);
    else if ((unsigned char)*s < 0x20) fprintf(out, "\\u%04x", *s);
    else fputc(*s, out);
  }
  fputc('"', out);
}

static void print_row(void *ud, const ledger_row *r) {
  printer *p = ud;
  FILE *out = p->out;
  if (!strcmp(p->format, "csv")) {
    fprintf(out, "%lld,", r->id);
    const char *fields[] = {r->time, r->route, r->anonymizer, r->deanonymizer, r->data_split, r->metrics};
    for (int i = 0; i < 6; i++) csv_field(out, fields[i], ",");
    csv_field(out, r->delivery, "\n");
  } else if (!strcmp(p->format, "json")) {
    fprintf(out, "%s\n  {\"id\": %lld, \"time\": ", p->rows ? "," : "", r->id);
    json_string(out, r->time);
    const char *names[] = {"route", "anonymizer", "deanonymizer", "data_split", "delivery"};
    const char *values[] = {r->route, r->anonymizer, r->deanonymizer, r->data_split, r->delivery};
    for (int i = 0; i < 5; i++) {
      fprintf(out, ", \"%s\": ", names[i]);
      json_string(out, values[i]);
    }
    fprintf(out, ", \"metrics\": %s}", r->metrics);
  } else {
    fprintf(out, "%-5lld %-24s %-22s %-16s %-16s %-10s %-9s %s\n", r->id, r->time, r->route, r->anonymizer,
            r->deanonymizer, r->data_split, r->delivery, r->metrics);
  }
  p->rows++;
}

int results_print(const char *state_dir, const char *format, FILE *out) {
  char path[4200], err[300];
  snprintf(path, sizeof path, "%s/%s", state_dir, LEDGER_FILE);
  if (access(path, R_OK)) {
    fprintf(stderr, "anomed-lua: no ledger at %s: nothing evaluated yet\n", path);
    return 1;
  }
  ledger *l = ledger_open(state_dir, err, sizeof err);
  if (!l) {
    fprintf(stderr, "anomed-lua: %s\n", err);
    return 1;
  }
  printer p = {out, format, 0};
  if (!strcmp(format, "csv")) fputs("id,time,route,anonymizer,deanonymizer,data_split,metrics,delivery\n", out);
  else if (!strcmp(format, "json")) fputc('[', out);
  else fprintf(out, "%-5s %-24s %-22s %-16s %-16s %-10s %-9s %s\n", "id", "time", "route", "anonymizer",
               "deanonymizer", "data_split", "delivery", "metrics");
  int rc = ledger_each(l, print_row, &p);
  if (!strcmp(format, "json")) fputs(p.rows ? "\n]\n" : "]\n", out);
  ledger_close(l);
  return rc ? 1 : 0;
}
