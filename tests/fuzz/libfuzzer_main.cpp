// libFuzzer entry point (built by scripts/fuzz.sh with clang -fsanitize=fuzzer,address,undefined).
// FERRITE_FUZZ_TARGET selects the target: 0 model, 1 .npy, 2 TensorProto .pb, 3 .tflite. An exception that
// escapes the compiler aborts when FERRITE_FUZZ_STRICT is set (it would be an "error: ..." with
// exit code 2 from `ferrite`, but it means a check with a clear message is missing). An input whose
// sandbox worker (ONNX's code, frontend/sandbox.h) died aborts always: the compiler contained it,
// but ONNX crashed, or a sanitizer stopped it, on something the validation let through.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "frontend/sandbox.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ferrite::fuzz;
  std::string what;
  const uint64_t died_before = ferrite::sandbox_worker_stats().died;
  const Outcome o = run_one(static_cast<Target>(FERRITE_FUZZ_TARGET), data, size, &what);
  if (ferrite::sandbox_worker_stats().died != died_before) {
    std::fprintf(stderr, "the sandbox worker died: %s\n", what.c_str());
    std::abort();
  }
  if (o == Outcome::Exception && std::getenv("FERRITE_FUZZ_STRICT")) {
    std::fprintf(stderr, "exception escaped: %s\n", what.c_str());
    std::abort();
  }
  return 0;
}
