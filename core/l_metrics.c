/* l_metrics.c: the anomed.metrics module: counting primitives for evaluators. A shape or
 * dtype that does not fit returns nil and the reason (it came from a submission). */
#include "anomed_lua.h"
#include "metrics.h"

static int mismatch(lua_State *L, const ndarray *p, const ndarray *t, const char *what) {
  char pd[32], td[32];
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "%s: prediction is %s of shape (", what, nd_dtype_name(p->dtype, pd, sizeof pd));
  luaL_addvalue(&b);
  for (int d = 0; d < p->ndim; d++) {
    lua_pushfstring(L, d ? ", %I" : "%I", (lua_Integer)p->shape[d]);
    luaL_addvalue(&b);
  }
  lua_pushfstring(L, "%s), expected %s of shape (", p->ndim == 1 ? "," : "", nd_dtype_name(t->dtype, td, sizeof td));
  luaL_addvalue(&b);
  for (int d = 0; d < t->ndim; d++) {
    lua_pushfstring(L, d ? ", %I" : "%I", (lua_Integer)t->shape[d]);
    luaL_addvalue(&b);
  }
  luaL_addstring(&b, t->ndim == 1 ? ",)" : ")");
  luaL_pushresult(&b);
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

/* row_matches(prediction, truth) -> rows equal in every element */
static int metrics_row_matches_l(lua_State *L) {
  ndarray *p = check_array(L, 1), *t = check_array(L, 2);
  long long n = metrics_row_matches(p, t);
  if (n < 0) return mismatch(L, p, t, "shape mismatch");
  lua_pushinteger(L, n);
  return 1;
}

/* confusion(prediction, truth) -> {tp, fp, tn, fn} of two 1-D bool arrays */
static int metrics_confusion_l(lua_State *L) {
  ndarray *p = check_array(L, 1), *t = check_array(L, 2);
  metrics_confusion c;
  if (metrics_confusion_counts(p, t, &c)) return mismatch(L, p, t, "expected boolean memberships");
  static const char *const names[] = {"tp", "fp", "tn", "fn"};
  lua_Integer counts[] = {(lua_Integer)c.tp, (lua_Integer)c.fp, (lua_Integer)c.tn, (lua_Integer)c.fn};
  lua_createtable(L, 0, 4);
  for (int i = 0; i < 4; i++) {
    lua_pushinteger(L, counts[i]);
    lua_setfield(L, -2, names[i]);
  }
  return 1;
}

/* errors(prediction, truth) -> {sse, sae, sst, n} of two real arrays of one shape */
static int metrics_errors_l(lua_State *L) {
  ndarray *p = check_array(L, 1), *t = check_array(L, 2);
  metrics_errors e;
  if (metrics_error_sums(p, t, &e)) return mismatch(L, p, t, "expected real numbers of the same shape");
  static const char *const names[] = {"sse", "sae", "sst"};
  double sums[] = {e.sse, e.sae, e.sst};
  lua_createtable(L, 0, 4);
  for (int i = 0; i < 3; i++) {
    lua_pushnumber(L, sums[i]);
    lua_setfield(L, -2, names[i]);
  }
  lua_pushinteger(L, (lua_Integer)e.n);
  lua_setfield(L, -2, "n");
  return 1;
}

static const luaL_Reg metrics_functions[] = {{"row_matches", metrics_row_matches_l},
                                             {"confusion", metrics_confusion_l},
                                             {"errors", metrics_errors_l},
                                             {NULL, NULL}};

int luaopen_anomed_metrics(lua_State *L) {
  require_array_module(L);
  luaL_newlib(L, metrics_functions);
  return 1;
}
