/* test_sha256.c: FIPS 180-4 example vectors, one-shot and incremental. */
#include "sha256.h"
#include "test.h"

static const char *hex(const unsigned char d[32], char out[65]) {
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
  return out;
}

int main(void) {
  static const struct {
    const char *message, *digest;
  } cases[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
  };
  unsigned char d[32];
  char out[65];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    sha256(cases[i].message, strlen(cases[i].message), d);
    CHECK_STR(hex(d, out), cases[i].digest);
  }
  sha256_ctx c;
  sha256_init(&c);
  char block[1001];
  memset(block, 'a', sizeof block);
  for (int i = 0; i < 1000; i++) sha256_update(&c, block, i % 2 ? 999 : 1001); /* uneven pieces */
  sha256_final(&c, d);
  CHECK_STR(hex(d, out), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  return test_summary();
}
