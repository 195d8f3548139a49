/* rng.h: numpy's default_rng, bit for bit: SeedSequence (pool size 4) feeding PCG64, with
 * numpy's shuffle, bounded integers (Lemire) and doubles. Pure C. */
#ifndef ANOMED_RNG_H
#define ANOMED_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A seed as numpy sees it: 32-bit words, least significant first, as many as needed. */
#define RNG_SEED_WORDS_MAX 1024

typedef struct {
  uint64_t state_hi, state_lo, inc_hi, inc_lo;
  bool has_half;    /* a buffered upper 32 bits from the last next32 */
  uint32_t half;
} rng_pcg64;

/* SeedSequence.generate_state(4, uint64) for the given entropy words. */
void rng_seed_state(const uint32_t *words, size_t nwords, uint64_t state[4]);
void rng_seed(rng_pcg64 *g, const uint32_t *words, size_t nwords);

/* Seed words from a non-negative decimal string, or from big-endian bytes; return the
 * word count, or 0 for malformed or oversized input. */
size_t rng_words_from_decimal(const char *s, size_t len, uint32_t *words, size_t max);
size_t rng_words_from_bytes(const unsigned char *b, size_t len, uint32_t *words, size_t max);
size_t rng_words_from_u64(uint64_t v, uint32_t *words);

uint64_t rng_next64(rng_pcg64 *g);
uint32_t rng_next32(rng_pcg64 *g);
double rng_double(rng_pcg64 *g); /* [0, 1), 53 bits */

/* uniform in [0, max], numpy's random_interval (masked rejection), used by shuffle */
uint64_t rng_interval(rng_pcg64 *g, uint64_t max);
/* uniform in [0, range], numpy's bounded Lemire draw, used by integers() */
uint64_t rng_bounded(rng_pcg64 *g, uint64_t range);

/* numpy's Generator.shuffle of n rows of row_bytes each, in place */
void rng_shuffle(rng_pcg64 *g, unsigned char *rows, size_t n, size_t row_bytes);
/* permutation(n) into out */
void rng_permutation(rng_pcg64 *g, int64_t *out, size_t n);

#endif
