/* delivery.h: the process that delivers recorded results to the AnoMed platform: it posts
 * due outbox rows with libcurl, marks 2xx answers delivered, retries the rest with backoff. */
#ifndef ANOMED_DELIVERY_H
#define ANOMED_DELIVERY_H

/* Runs until SIGTERM or SIGINT (which the caller has blocked); returns an exit status. */
int delivery_run(const char *state_dir);

/* Seconds to wait after a failed attempt (attempts made so far >= 1): 0.25 s doubling, at
 * most 60 s. */
double delivery_backoff(int attempts);

#endif
