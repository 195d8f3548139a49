/* rng.c: SeedSequence + PCG64 and the draws numpy's Generator builds on them. */
#include "rng.h"

#include <string.h>

__extension__ typedef unsigned __int128 u128;

#define INIT_A 0x43b0d7e5u
#define MULT_A 0x931e8875u
#define INIT_B 0x8b51f9ddu
#define MULT_B 0x58f38dedu
#define MIX_MULT_L 0xca01f9ddu
#define MIX_MULT_R 0x4973f715u
#define POOL 4

static uint32_t hashmix(uint32_t v, uint32_t *h) {
  v ^= *h;
  *h *= MULT_A;
  v *= *h;
  return v ^ v >> 16;
}

static uint32_t mix(uint32_t x, uint32_t y) {
  uint32_t r = MIX_MULT_L * x - MIX_MULT_R * y;
  return r ^ r >> 16;
}

void rng_seed_state(const uint32_t *words, size_t nwords, uint64_t state[4]) {
  uint32_t pool[POOL], h = INIT_A;
  for (size_t i = 0; i < POOL; i++) pool[i] = hashmix(i < nwords ? words[i] : 0, &h);
  for (size_t src = 0; src < POOL; src++)
    for (size_t dst = 0; dst < POOL; dst++)
      if (src != dst) pool[dst] = mix(pool[dst], hashmix(pool[src], &h));
  for (size_t k = POOL; k < nwords; k++)
    for (size_t dst = 0; dst < POOL; dst++) pool[dst] = mix(pool[dst], hashmix(words[k], &h));
  uint32_t out[8], hb = INIT_B;
  for (size_t i = 0; i < 8; i++) {
    uint32_t v = pool[i % POOL] ^ hb;
    hb *= MULT_B;
    v *= hb;
    out[i] = v ^ v >> 16;
  }
  for (size_t k = 0; k < 4; k++) state[k] = out[2 * k] | (uint64_t)out[2 * k + 1] << 32;
}

static const u128 PCG_MULT = ((u128)0x2360ED051FC65DA4ull << 64) | 0x4385DF649FCCF645ull;

static u128 state_of(const rng_pcg64 *g) { return (u128)g->state_hi << 64 | g->state_lo; }

static void step(rng_pcg64 *g) {
  u128 s = state_of(g) * PCG_MULT + ((u128)g->inc_hi << 64 | g->inc_lo);
  g->state_hi = (uint64_t)(s >> 64);
  g->state_lo = (uint64_t)s;
}

void rng_seed(rng_pcg64 *g, const uint32_t *words, size_t nwords) {
  uint64_t s[4];
  rng_seed_state(words, nwords, s);
  u128 inc = ((u128)s[2] << 64 | s[3]) << 1 | 1;
  *g = (rng_pcg64){.inc_hi = (uint64_t)(inc >> 64), .inc_lo = (uint64_t)inc};
  step(g);
  u128 st = state_of(g) + ((u128)s[0] << 64 | s[1]);
  g->state_hi = (uint64_t)(st >> 64);
  g->state_lo = (uint64_t)st;
  step(g);
}

/* drop the most significant zero words; zero itself is one word */
static size_t trim_words(uint32_t *words, size_t n) {
  while (n > 1 && words[n - 1] == 0) n--;
  if (n == 0) words[n++] = 0;
  return n;
}

size_t rng_words_from_decimal(const char *s, size_t len, uint32_t *words, size_t max) {
  size_t n = 0;
  if (len == 0) return 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9') return 0;
    uint64_t carry = (uint64_t)(s[i] - '0');
    for (size_t k = 0; k < n; k++) {
      uint64_t v = (uint64_t)words[k] * 10 + carry;
      words[k] = (uint32_t)v;
      carry = v >> 32;
    }
    if (carry) {
      if (n == max) return 0;
      words[n++] = (uint32_t)carry;
    }
  }
  return trim_words(words, n);
}

size_t rng_words_from_bytes(const unsigned char *b, size_t len, uint32_t *words, size_t max) {
  size_t n = (len + 3) / 4;
  if (n > max || max == 0) return 0;
  memset(words, 0, n * sizeof *words);
  for (size_t i = 0; i < len; i++) { /* byte i counts from the most significant end */
    size_t bit = (len - 1 - i) * 8;
    words[bit / 32] |= (uint32_t)b[i] << (bit % 32);
  }
  return trim_words(words, n);
}

size_t rng_words_from_u64(uint64_t v, uint32_t *words) {
  words[0] = (uint32_t)v;
  words[1] = (uint32_t)(v >> 32);
  return trim_words(words, 2);
}

uint64_t rng_next64(rng_pcg64 *g) {
  step(g);
  uint64_t x = g->state_hi ^ g->state_lo;
  unsigned rot = (unsigned)(g->state_hi >> 58);
  return (x >> rot) | (x << ((64 - rot) & 63));
}

uint32_t rng_next32(rng_pcg64 *g) {
  if (g->has_half) {
    g->has_half = false;
    return g->half;
  }
  uint64_t v = rng_next64(g);
  g->has_half = true;
  g->half = (uint32_t)(v >> 32);
  return (uint32_t)v;
}

double rng_double(rng_pcg64 *g) { return (double)(rng_next64(g) >> 11) * (1.0 / 9007199254740992.0); }

uint64_t rng_interval(rng_pcg64 *g, uint64_t max) {
  if (max == 0) return 0;
  uint64_t mask = max, value;
  for (int s = 1; s < 64; s *= 2) mask |= mask >> s;
  if (max <= 0xffffffffu) {
    while ((value = (rng_next32(g) & mask)) > max) {}
  } else {
    while ((value = (rng_next64(g) & mask)) > max) {}
  }
  return value;
}

static uint32_t bounded32(rng_pcg64 *g, uint32_t range) {
  uint32_t excl = range + 1;
  uint64_t m = (uint64_t)rng_next32(g) * excl;
  uint32_t leftover = (uint32_t)m;
  if (leftover < excl) {
    uint32_t threshold = (UINT32_MAX - range) % excl;
    while (leftover < threshold) {
      m = (uint64_t)rng_next32(g) * excl;
      leftover = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

static uint64_t bounded64(rng_pcg64 *g, uint64_t range) {
  uint64_t excl = range + 1;
  u128 m = (u128)rng_next64(g) * excl;
  uint64_t leftover = (uint64_t)m;
  if (leftover < excl) {
    uint64_t threshold = (UINT64_MAX - range) % excl;
    while (leftover < threshold) {
      m = (u128)rng_next64(g) * excl;
      leftover = (uint64_t)m;
    }
  }
  return (uint64_t)(m >> 64);
}

uint64_t rng_bounded(rng_pcg64 *g, uint64_t range) {
  if (range == 0) return 0;
  if (range == 0xffffffffu) return rng_next32(g);
  if (range < 0xffffffffu) return bounded32(g, (uint32_t)range);
  if (range == UINT64_MAX) return rng_next64(g);
  return bounded64(g, range);
}

void rng_shuffle(rng_pcg64 *g, unsigned char *rows, size_t n, size_t row_bytes) {
  unsigned char tmp[256];
  for (size_t i = n; i-- > 1;) {
    size_t j = (size_t)rng_interval(g, i);
    if (i == j) continue;
    unsigned char *a = rows + i * row_bytes, *b = rows + j * row_bytes;
    for (size_t off = 0; off < row_bytes; off += sizeof tmp) {
      size_t k = row_bytes - off < sizeof tmp ? row_bytes - off : sizeof tmp;
      memcpy(tmp, a + off, k);
      memcpy(a + off, b + off, k);
      memcpy(b + off, tmp, k);
    }
  }
}

void rng_permutation(rng_pcg64 *g, int64_t *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = (int64_t)i;
  for (size_t i = n; i-- > 1;) {
    size_t j = (size_t)rng_interval(g, i);
    int64_t t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
}
