/* float16.h: IEEE 754 half precision <-> double, rounding to nearest even like numpy. */
#ifndef ANOMED_FLOAT16_H
#define ANOMED_FLOAT16_H

#include <stdint.h>

double half_to_double(uint16_t h);
uint16_t double_to_half(double d);
/* double -> float without undefined behaviour on overflow (gives +-inf like numpy) */
float double_to_float(double d);

#endif
