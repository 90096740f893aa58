// libFuzzer entry point (built by scripts/fuzz.sh with clang -fsanitize=fuzzer,address,undefined).
// FERRITE_FUZZ_TARGET selects the target: 0 model, 1 .npy, 2 TensorProto .pb, 3 .tflite. An exception that
// escapes the compiler aborts when FERRITE_FUZZ_STRICT is set (it would be an "error: ..." with
// exit code 2 from `ferrite`, but it means a check with a clear message is missing).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferrite::fuzz;
  std::string what;
  const Outcome o = run_one(static_cast<Target>(FERRITE_FUZZ_TARGET), data, size, &what);
  if (o == Outcome::Exception && std::getenv("FERRITE_FUZZ_STRICT")) {
    std::fprintf(stderr, "exception escaped: %s\n", what.c_str());
    std::abort();
  }
  return 0;
}
