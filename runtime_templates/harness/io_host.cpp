// Ferrite harness platform API: hosted implementation (stdio).
#include "fe_io.h"

#include <cstdio>
#include <cstdlib>

extern "C" void fe_print(const char* s) {
  std::fputs(s, stdout);
  std::fflush(stdout);
}

extern "C" int fe_write_file(const char* path, const void* data,
                             unsigned long n) {
  std::FILE* f = std::fopen(path, "wb");
  if (f == nullptr) return 1;
  const std::size_t written = n ? std::fwrite(data, 1, n, f) : 0;
  const int close_rc = std::fclose(f);
  return (written == n && close_rc == 0) ? 0 : 1;
}

extern "C" void fe_exit(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::exit(code);
}
