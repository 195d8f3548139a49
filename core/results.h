/* results.h: the recorded evaluations for the author, as a table, CSV or JSON. */
#ifndef ANOMED_RESULTS_H
#define ANOMED_RESULTS_H

#include <stdio.h>

/* Prints the ledger in state_dir to out in format "table", "csv" or "json"; returns an
 * exit status (1 with a message on stderr when there is no ledger). */
int results_print(const char *state_dir, const char *format, FILE *out);

#endif
