/* metrics.h: the counting that evaluators build on, over whole arrays. Pure C. */
#ifndef ANOMED_METRICS_H
#define ANOMED_METRICS_H

#include <stddef.h>

#include "ndarray.h"

/* Rows (along axis 0) of a and b equal in every element, compared as values (int32 3
 * equals float64 3.0; NaN equals nothing). Shapes must match: -1 otherwise. */
long long metrics_row_matches(const ndarray *a, const ndarray *b);

typedef struct {
  size_t tp, fp, tn, fn;
} metrics_confusion;

/* prediction and truth: 1-D bool arrays of one length; -1 otherwise. */
int metrics_confusion_counts(const ndarray *prediction, const ndarray *truth, metrics_confusion *c);

typedef struct {
  double sse;  /* sum of squared errors */
  double sae;  /* sum of absolute errors */
  double sst;  /* sum of squared deviations of truth from its mean */
  size_t n;
} metrics_errors;

/* Numeric arrays of one shape (complex not allowed); -1 otherwise. */
int metrics_error_sums(const ndarray *prediction, const ndarray *truth, metrics_errors *e);

#endif
