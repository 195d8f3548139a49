/* test.h: a minimal harness for the C unit tests: CHECK macros that count, and a summary
 * line "N passed, N failed" that the runner reads. */
#ifndef ANOMED_TEST_H
#define ANOMED_TEST_H

#include <stdio.h>
#include <string.h>

static int test_passed, test_failed;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (cond) {                                                            \
      test_passed++;                                                       \
    } else {                                                               \
      test_failed++;                                                       \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

#define CHECK_STR(got, want)                                                       \
  do {                                                                             \
    const char *got_ = (got), *want_ = (want);                                     \
    if (got_ && want_ && strcmp(got_, want_) == 0) {                               \
      test_passed++;                                                               \
    } else {                                                                       \
      test_failed++;                                                               \
      fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__,      \
              got_ ? got_ : "(null)", want_ ? want_ : "(null)");                   \
    }                                                                              \
  } while (0)

static inline int test_summary(void) {
  printf("%d passed, %d failed\n", test_passed, test_failed);
  return test_failed != 0;
}

#endif
