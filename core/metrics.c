/* metrics.c: row matches, confusion counts and error sums in one pass each. */
#include "metrics.h"

#include <string.h>

static int same_shape(const ndarray *a, const ndarray *b) {
  return a->ndim == b->ndim && memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof(size_t)) == 0;
}

static double real_value(const ndarray *a, size_t i) {
  nd_scalar v;
  nd_get(a, i, &v);
  switch (v.tag) {
    case NDS_BOOL:
    case NDS_INT: return (double)v.i;
    case NDS_UINT: return (double)v.u;
    default: return v.re;
  }
}

static int elements_equal(const ndarray *a, const ndarray *b, size_t i) {
  if (!nd_dtype_numeric(a->dtype) || !nd_dtype_numeric(b->dtype)) {
    return nd_dtype_equal(a->dtype, b->dtype) &&
           memcmp(a->data + i * a->dtype.itemsize, b->data + i * b->dtype.itemsize, a->dtype.itemsize) == 0;
  }
  nd_scalar x, y;
  nd_get(a, i, &x);
  nd_get(b, i, &y);
  if (x.tag == NDS_INT && y.tag == NDS_INT) return x.i == y.i; /* exact past 2^53 */
  return real_value(a, i) == real_value(b, i) && x.im == y.im;
}

long long metrics_row_matches(const ndarray *a, const ndarray *b) {
  if (!same_shape(a, b) || a->ndim == 0) return -1;
  size_t rows = a->shape[0], per_row = rows ? nd_count(a) / rows : 0;
  long long matches = 0;
  for (size_t r = 0; r < rows; r++) {
    size_t i = r * per_row, end = i + per_row;
    while (i < end && elements_equal(a, b, i)) i++;
    matches += i == end;
  }
  return matches;
}

int metrics_confusion_counts(const ndarray *prediction, const ndarray *truth, metrics_confusion *c) {
  if (prediction->dtype.kind != ND_BOOL || truth->dtype.kind != ND_BOOL || prediction->ndim != 1 ||
      !same_shape(prediction, truth))
    return -1;
  *c = (metrics_confusion){0};
  for (size_t i = 0; i < prediction->shape[0]; i++) {
    int p = prediction->data[i] != 0, t = truth->data[i] != 0;
    c->tp += p && t;
    c->fp += p && !t;
    c->tn += !p && !t;
    c->fn += !p && t;
  }
  return 0;
}

int metrics_error_sums(const ndarray *prediction, const ndarray *truth, metrics_errors *e) {
  if (!same_shape(prediction, truth) || !nd_dtype_numeric(prediction->dtype) ||
      !nd_dtype_numeric(truth->dtype) || prediction->dtype.kind >= ND_COMPLEX64 ||
      truth->dtype.kind >= ND_COMPLEX64)
    return -1;
  *e = (metrics_errors){.n = nd_count(truth)};
  double mean = 0;
  for (size_t i = 0; i < e->n; i++) mean += real_value(truth, i);
  mean = e->n ? mean / (double)e->n : 0;
  for (size_t i = 0; i < e->n; i++) {
    double t = real_value(truth, i), d = real_value(prediction, i) - t;
    e->sse += d * d;
    e->sae += d < 0 ? -d : d;
    e->sst += (t - mean) * (t - mean);
  }
  return 0;
}
