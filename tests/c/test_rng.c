/* test_rng.c: SeedSequence, PCG64 and permutation against numpy's own outputs
 * (spec/numpy-random.md), and seed parsing. */
#include <stdint.h>

#include "rng.h"
#include "test.h"

static void check_permutation(const uint32_t *words, size_t n, const int64_t want[10]) {
  rng_pcg64 g;
  int64_t got[10];
  rng_seed(&g, words, n);
  rng_permutation(&g, got, 10);
  CHECK(memcmp(got, want, sizeof got) == 0);
}

int main(void) {
  uint32_t words[16];
  uint64_t state[4];
  size_t n = rng_words_from_u64(0, words);
  CHECK(n == 1 && words[0] == 0);
  rng_seed_state(words, n, state);
  CHECK(state[0] == 0xdb2cd7e7b0f478beull);
  rng_pcg64 g;
  rng_seed(&g, words, n);
  CHECK(rng_next64(&g) == 0xa30febcfd9c2825full);

  check_permutation(words, n, (const int64_t[10]){4, 6, 2, 7, 3, 5, 9, 0, 8, 1});
  n = rng_words_from_u64(42, words);
  check_permutation(words, n, (const int64_t[10]){5, 6, 0, 7, 3, 2, 4, 9, 1, 8});
  const char *big = "1606938044258990275541962092341162602522202993782792835301383"; /* 2^200+7 */
  n = rng_words_from_decimal(big, strlen(big), words, 16);
  CHECK(n == 7 && words[0] == 7 && words[6] == 256);
  check_permutation(words, n, (const int64_t[10]){7, 1, 6, 5, 8, 0, 9, 2, 4, 3});

  /* big-endian bytes: 2^64 + 3 is words [3, 0, 1]; leading zero bytes do not add words */
  const unsigned char bytes[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3};
  n = rng_words_from_bytes(bytes, sizeof bytes, words, 16);
  CHECK(n == 3 && words[0] == 3 && words[1] == 0 && words[2] == 1);
  CHECK(rng_words_from_decimal("18446744073709551619", 20, words, 16) == 3 && words[0] == 3);
  CHECK(rng_words_from_decimal("12a", 3, words, 16) == 0);
  CHECK(rng_words_from_decimal("", 0, words, 16) == 0);
  CHECK(rng_words_from_decimal("0000", 4, words, 16) == 1 && words[0] == 0);

  /* next32 hands out both halves of one 64-bit draw, low first */
  rng_seed(&g, words, rng_words_from_u64(0, words));
  uint32_t lo = rng_next32(&g), hi = rng_next32(&g);
  CHECK(((uint64_t)hi << 32 | lo) == 0xa30febcfd9c2825full);
  int in_range = 1;
  for (int i = 0; i < 1000; i++) in_range = in_range && rng_bounded(&g, 6) <= 6 && rng_interval(&g, 9) <= 9;
  CHECK(in_range);
  return test_summary();
}
