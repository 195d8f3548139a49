/* l_rng.c: the anomed.rng module: numpy-exact seeded generators. A generator keeps its
 * state across calls as numpy's Generator does. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "anomed_lua.h"
#include "rng.h"

#define RNG_METATABLE "anomed.rng.generator"

static rng_pcg64 *check_rng(lua_State *L) { return luaL_checkudata(L, 1, RNG_METATABLE); }

static int push_generator(lua_State *L, const uint32_t *words, size_t n) {
  rng_pcg64 *g = lua_newuserdatauv(L, sizeof *g, 0);
  rng_seed(g, words, n);
  luaL_setmetatable(L, RNG_METATABLE);
  return 1;
}

/* rng.new(seed): a non-negative integer or its decimal string, of any size */
static int rng_new(lua_State *L) {
  uint32_t *words = lua_newuserdatauv(L, RNG_SEED_WORDS_MAX * sizeof *words, 0);
  size_t n;
  if (lua_isinteger(L, 1)) {
    lua_Integer seed = lua_tointeger(L, 1);
    luaL_argcheck(L, seed >= 0, 1, "seed must be non-negative");
    n = rng_words_from_u64((uint64_t)seed, words);
  } else {
    luaL_argcheck(L, lua_type(L, 1) == LUA_TSTRING, 1, "seed must be an integer or a decimal string");
    size_t len;
    const char *s = lua_tolstring(L, 1, &len);
    n = rng_words_from_decimal(s, len, words, RNG_SEED_WORDS_MAX);
    luaL_argcheck(L, n > 0, 1, "seed must be a non-negative decimal integer");
  }
  return push_generator(L, words, n);
}

/* rng.from_bytes(digest): the bytes read as one big-endian unsigned integer */
static int rng_from_bytes(lua_State *L) {
  size_t len;
  const unsigned char *b = (const unsigned char *)luaL_checklstring(L, 1, &len);
  luaL_argcheck(L, len > 0 && len <= 4 * RNG_SEED_WORDS_MAX, 1, "seed bytes must be 1..4096 long");
  uint32_t *words = lua_newuserdatauv(L, RNG_SEED_WORDS_MAX * sizeof *words, 0);
  return push_generator(L, words, rng_words_from_bytes(b, len, words, RNG_SEED_WORDS_MAX));
}

/* rng.random_seed(): 128 bits from the operating system as a decimal string */
static int rng_random_seed(lua_State *L) {
  uint32_t words[4];
  if (getrandom(words, sizeof words, 0) != (ssize_t)sizeof words)
    return luaL_error(L, "getrandom failed");
  char digits[48];
  size_t n = 0;
  for (int nonzero = 1; nonzero;) { /* repeated division by 10, least significant digit first */
    uint64_t rem = 0;
    nonzero = 0;
    for (int i = 3; i >= 0; i--) {
      uint64_t cur = rem << 32 | words[i];
      words[i] = (uint32_t)(cur / 10);
      rem = cur % 10;
      nonzero |= words[i] != 0;
    }
    digits[n++] = (char)('0' + rem);
  }
  for (size_t i = 0; i < n / 2; i++) {
    char t = digits[i];
    digits[i] = digits[n - 1 - i];
    digits[n - 1 - i] = t;
  }
  lua_pushlstring(L, digits, n);
  return 1;
}

static size_t check_count(lua_State *L, int idx) {
  lua_Integer n = luaL_checkinteger(L, idx);
  luaL_argcheck(L, n >= 0, idx, "count must be non-negative");
  return (size_t)n;
}

static ndarray *new_vector(lua_State *L, nd_kind kind, size_t n) {
  const char *err;
  ndarray *a = push_array(L);
  if (nd_alloc(a, (nd_dtype){kind, 8}, 1, &n, &err)) luaL_error(L, "%s", err);
  return a;
}

static int generator_permutation(lua_State *L) {
  rng_pcg64 *g = check_rng(L);
  size_t n = check_count(L, 2);
  ndarray *a = new_vector(L, ND_INT64, n);
  rng_permutation(g, (int64_t *)(void *)a->data, n);
  return 1;
}

/* shuffle(x): an array along axis 0, or a Lua sequence, in place */
static int generator_shuffle(lua_State *L) {
  rng_pcg64 *g = check_rng(L);
  ndarray *a = test_array(L, 2);
  if (a) {
    luaL_argcheck(L, a->buffer && a->ndim > 0, 2, "cannot shuffle a 0-d array");
    rng_shuffle(g, a->data, a->shape[0], nd_row_bytes(a));
    return 0;
  }
  luaL_checktype(L, 2, LUA_TTABLE);
  for (lua_Integer i = luaL_len(L, 2); i > 1; i--) {
    lua_Integer j = (lua_Integer)rng_interval(g, (uint64_t)(i - 1)) + 1;
    lua_geti(L, 2, i);
    lua_geti(L, 2, j);
    lua_seti(L, 2, i);
    lua_seti(L, 2, j);
  }
  return 0;
}

/* integers(high) or integers(low, high[, n]): numpy's integers, int64, high excluded */
static int generator_integers(lua_State *L) {
  rng_pcg64 *g = check_rng(L);
  int two = !lua_isnoneornil(L, 3);
  lua_Integer low = two ? luaL_checkinteger(L, 2) : 0, high = luaL_checkinteger(L, two ? 3 : 2);
  luaL_argcheck(L, low < high, two ? 3 : 2, "low >= high");
  uint64_t range = (uint64_t)high - (uint64_t)low - 1;
  if (lua_isnoneornil(L, 4)) {
    lua_pushinteger(L, (lua_Integer)((uint64_t)low + rng_bounded(g, range)));
    return 1;
  }
  size_t n = check_count(L, 4);
  ndarray *a = new_vector(L, ND_INT64, n);
  for (size_t i = 0; i < n; i++) {
    int64_t v = (int64_t)((uint64_t)low + rng_bounded(g, range));
    memcpy(a->data + 8 * i, &v, 8);
  }
  return 1;
}

/* random([n]): doubles in [0, 1) */
static int generator_random(lua_State *L) {
  rng_pcg64 *g = check_rng(L);
  if (lua_isnoneornil(L, 2)) {
    lua_pushnumber(L, rng_double(g));
    return 1;
  }
  size_t n = check_count(L, 2);
  ndarray *a = new_vector(L, ND_FLOAT64, n);
  for (size_t i = 0; i < n; i++) {
    double v = rng_double(g);
    memcpy(a->data + 8 * i, &v, 8);
  }
  return 1;
}

/* random_raw(): the next raw 64-bit output, as numpy's bit_generator.random_raw() */
static int generator_random_raw(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)rng_next64(check_rng(L)));
  return 1;
}

static const luaL_Reg generator_methods[] = {
    {"permutation", generator_permutation}, {"shuffle", generator_shuffle},
    {"integers", generator_integers},       {"random", generator_random},
    {"random_raw", generator_random_raw},   {NULL, NULL}};

static const luaL_Reg rng_functions[] = {
    {"new", rng_new}, {"from_bytes", rng_from_bytes}, {"random_seed", rng_random_seed}, {NULL, NULL}};

int luaopen_anomed_rng(lua_State *L) {
  require_array_module(L);
  luaL_newmetatable(L, RNG_METATABLE);
  luaL_newlib(L, generator_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newlib(L, rng_functions);
  return 1;
}
