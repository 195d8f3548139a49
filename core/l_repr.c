/* l_repr.c: numpy-style repr of an array for __tostring: "array([1, 2, 3])", uniform
 * float formatting (positional or scientific), line wrapping at 75 columns, and "..."
 * summaries past 1000 elements, after numpy's arrayprint. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomed_lua.h"
#include "float16.h"

#define LINE_WIDTH 75
#define EDGE_ITEMS 3
#define SUMMARY_THRESHOLD 1000
#define PREFIX "array("

typedef struct {
  const ndarray *a;
  int summarize;
  int exp_mode;           /* scientific notation for the floats */
  size_t left, right;     /* float padding around the '.' (or widths for other kinds) */
  size_t exp_width;
  luaL_Buffer *b;         /* NULL in the measuring pass */
  size_t line;            /* length of the current line */
} printer;

static int round_trips(const ndarray *a, double x, const char *s) {
  double y = strtod(s, NULL);
  if (a->dtype.kind == ND_FLOAT16) return double_to_half(y) == double_to_half(x);
  if (a->dtype.kind == ND_FLOAT32 || a->dtype.kind == ND_COMPLEX64) return (float)y == (float)x;
  return y == x;
}

/* shortest form with at most 8 fraction digits, numpy's unique=True precision=8 */
static void format_real(const printer *p, double x, char *out, size_t size) {
  if (isnan(x)) { snprintf(out, size, "nan"); return; }
  if (isinf(x)) { snprintf(out, size, x < 0 ? "-inf" : "inf"); return; }
  for (int prec = 0; prec <= 8; prec++) {
    snprintf(out, size, p->exp_mode ? "%.*e" : "%.*f", prec, x);
    if (round_trips(p->a, x, out)) break;
  }
  char *e = strchr(out, 'e'), exp[16] = "";
  if (e) {
    snprintf(exp, sizeof exp, "%s", e);
    *e = 0;
  }
  if (!strchr(out, '.')) strcat(out, ".");
  else {
    size_t n = strlen(out);
    while (out[n - 1] == '0') out[--n] = 0;
  }
  strcat(out, exp);
}

static void split_widths(const char *s, size_t *left, size_t *right, size_t *exp) {
  const char *dot = strchr(s, '.'), *e = strchr(s, 'e');
  size_t len = strlen(s);
  if (!dot) { /* nan, inf */
    *left = len;
    *right = *exp = 0;
    return;
  }
  *left = (size_t)(dot - s);
  *right = (size_t)((e ? e : s + len) - dot - 1);
  *exp = e ? (size_t)(s + len - e) : 0;
}

static void format_element(printer *p, size_t index, char *out, size_t size) {
  nd_scalar v;
  const ndarray *a = p->a;
  if (!nd_dtype_numeric(a->dtype)) return; /* strings go through Lua */
  nd_get(a, index, &v);
  switch (v.tag) {
    case NDS_BOOL: snprintf(out, size, v.i ? "True" : "False"); break;
    case NDS_INT: snprintf(out, size, "%lld", (long long)v.i); break;
    case NDS_UINT: snprintf(out, size, "%llu", (unsigned long long)v.u); break;
    case NDS_FLOAT: format_real(p, v.re, out, size); break;
    case NDS_COMPLEX: {
      char re[48], im[48];
      format_real(p, v.re, re, sizeof re);
      format_real(p, v.im, im, sizeof im);
      snprintf(out, size, "%s%s%sj", re, im[0] == '-' ? "" : "+", im);
      break;
    }
  }
}

static void emit(printer *p, const char *s, size_t n) {
  if (p->b) luaL_addlstring(p->b, s, n);
  const char *nl = memchr(s, '\n', n);
  p->line = nl ? (size_t)(s + n - nl - 1) : p->line + n;
}

static void emit_str(printer *p, const char *s) { emit(p, s, strlen(s)); }

static void emit_spaces(printer *p, size_t n) {
  for (size_t i = 0; i < n; i++) emit(p, " ", 1);
}

/* one element, padded to the common width (measured in the first pass) */
static void emit_element(printer *p, size_t index) {
  char s[128];
  lua_State *L = p->b ? p->b->L : NULL;
  if (!nd_dtype_numeric(p->a->dtype)) {
    if (!p->b) return;
    push_element(L, p->a, index);
    const char *q = p->a->dtype.kind == ND_BYTES ? "b'" : "'";
    emit_str(p, q);
    luaL_addvalue(p->b); /* the string itself, unpadded like numpy */
    emit(p, "'", 1);
    return;
  }
  format_element(p, index, s, sizeof s);
  size_t left, right, exp;
  split_widths(s, &left, &right, &exp);
  if (!p->b) {
    if (left > p->left) p->left = left;
    if (right > p->right) p->right = right;
    if (exp > p->exp_width) p->exp_width = exp;
    return;
  }
  int real = p->a->dtype.kind >= ND_FLOAT16 && p->a->dtype.kind <= ND_FLOAT64;
  emit_spaces(p, p->left > left ? p->left - left : 0);
  emit_str(p, s);
  if (real && strchr(s, '.')) emit_spaces(p, p->right - right + p->exp_width - exp);
}

static size_t element_width(const printer *p) {
  return p->left + (p->right || p->exp_width ? p->right + 1 + p->exp_width : 0);
}

static void emit_rows(printer *p, int axis, size_t offset, size_t indent);

static void emit_separator(printer *p, int axis, size_t indent) {
  if (axis == p->a->ndim - 1) {
    emit_str(p, ",");
    if (p->line + 1 + element_width(p) + 1 > LINE_WIDTH) {
      emit_str(p, "\n");
      emit_spaces(p, indent);
    } else {
      emit_str(p, " ");
    }
    return;
  }
  emit_str(p, ",");
  for (int i = axis; i < p->a->ndim - 1; i++) emit_str(p, "\n");
  emit_spaces(p, indent);
}

static void emit_item(printer *p, int axis, size_t offset, size_t i, size_t indent) {
  size_t stride = 1;
  for (int d = axis + 1; d < p->a->ndim; d++) stride *= p->a->shape[d];
  if (axis == p->a->ndim - 1) emit_element(p, offset + i);
  else emit_rows(p, axis + 1, offset + i * stride, indent + 1);
}

static void emit_rows(printer *p, int axis, size_t offset, size_t indent) {
  size_t n = p->a->shape[axis];
  int cut = p->summarize && n > 2 * EDGE_ITEMS;
  emit_str(p, "[");
  for (size_t i = 0; i < n; i++) {
    if (cut && i == EDGE_ITEMS) {
      emit_str(p, "...");
      emit_separator(p, axis, indent);
      i = n - EDGE_ITEMS;
    }
    emit_item(p, axis, offset, i, indent);
    if (i + 1 < n) emit_separator(p, axis, indent);
  }
  emit_str(p, "]");
}

static void choose_float_mode(printer *p) {
  const ndarray *a = p->a;
  if (a->dtype.kind < ND_FLOAT16 || a->dtype.kind > ND_COMPLEX128) return;
  double lo = INFINITY, hi = 0;
  size_t n = nd_count(a);
  for (size_t i = 0; i < n; i++) {
    nd_scalar v;
    nd_get(a, i, &v);
    double parts[2] = {fabs(v.re), fabs(v.im)};
    for (int k = 0; k < (v.tag == NDS_COMPLEX ? 2 : 1); k++) {
      if (!isfinite(parts[k]) || parts[k] == 0) continue;
      if (parts[k] < lo) lo = parts[k];
      if (parts[k] > hi) hi = parts[k];
    }
  }
  p->exp_mode = hi >= 1e8 || (hi > 0 && (lo < 1e-4 || hi / lo > 1e3));
}

static int default_dtype(nd_dtype t) {
  return t.kind == ND_BOOL || t.kind == ND_INT64 || t.kind == ND_FLOAT64 || t.kind == ND_COMPLEX128;
}

static void emit_suffix(printer *p, luaL_Buffer *b) {
  const ndarray *a = p->a;
  char name[32];
  uint16_t probe = 1;
  int little = *(unsigned char *)&probe == 1;
  if (nd_count(a) == 0 && a->ndim > 1) {
    luaL_addstring(b, ", shape=(");
    for (int d = 0; d < a->ndim; d++) {
      lua_pushfstring(b->L, d ? ", %I" : "%I", (lua_Integer)a->shape[d]);
      luaL_addvalue(b);
    }
    luaL_addstring(b, a->ndim == 1 ? ",)" : ")");
  }
  if (a->dtype.kind == ND_UNICODE || a->dtype.kind == ND_BYTES) {
    lua_pushfstring(b->L, ", dtype='%s%s'", a->dtype.kind == ND_BYTES ? "|" : little ? "<" : ">",
                    nd_dtype_name(a->dtype, name, sizeof name));
    luaL_addvalue(b);
  } else if (!default_dtype(a->dtype) || nd_count(a) == 0) {
    lua_pushfstring(b->L, ", dtype=%s", nd_dtype_name(a->dtype, name, sizeof name));
    luaL_addvalue(b);
  }
}

void push_array_repr(lua_State *L, const ndarray *a) {
  luaL_Buffer b;
  printer p = {.a = a, .summarize = nd_count(a) > SUMMARY_THRESHOLD};
  choose_float_mode(&p);
  luaL_buffinit(L, &b);
  luaL_addstring(&b, PREFIX);
  if (a->ndim == 0) {
    emit_element(&p, 0);
    p.b = &b;
    emit_element(&p, 0);
  } else if (nd_count(a) == 0) {
    luaL_addstring(&b, "[]");
  } else {
    emit_rows(&p, 0, 0, strlen(PREFIX) + 1); /* measure */
    p.b = &b;
    p.line = strlen(PREFIX);
    emit_rows(&p, 0, 0, strlen(PREFIX) + 1);
  }
  emit_suffix(&p, &b);
  luaL_addchar(&b, ')');
  luaL_pushresult(&b);
}
