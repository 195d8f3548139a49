/* float16.c: half precision conversions, exact in both directions where representable. */
#include "float16.h"

#include <float.h>
#include <math.h>

double half_to_double(uint16_t h) {
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  if (exp == 0) return sign * ldexp(mant, -24);
  if (exp == 31) return mant ? NAN : sign * INFINITY;
  return sign * ldexp(1024 + mant, exp - 25);
}

uint16_t double_to_half(double d) {
  uint16_t sign = signbit(d) ? 0x8000 : 0;
  double a = fabs(d);
  if (isnan(d)) return sign | 0x7e00;
  if (a >= 65520.0) return sign | 0x7c00; /* rounds past the largest half, 65504 */
  if (a < 0x1p-14) return sign | (uint16_t)rint(a * 0x1p24); /* subnormal; 1024 is exact min normal */
  int e;
  double frac = frexp(a, &e); /* a = frac * 2^e, frac in [0.5, 1) */
  double mant = rint((frac * 2 - 1) * 1024);
  int exp = e - 1;
  if (mant == 1024) {
    mant = 0;
    exp++;
  }
  return sign | (uint16_t)((exp + 15) << 10) | (uint16_t)mant;
}

float double_to_float(double d) {
  /* FLT_MAX plus half its last unit: anything at or past it rounds to infinity */
  const double overflow = 0x1p128 - 0x1p103;
  if (d >= overflow) return INFINITY;
  if (d <= -overflow) return -INFINITY;
  return (float)d;
}
