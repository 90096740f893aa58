// Fuzz targets shared by the libFuzzer build (tests/fuzz/libfuzzer_main.cpp, clang, ASan/UBSan) and
// the deterministic mutation fuzzer of the normal build (tests/fuzz/fuzz_driver.cpp). Each takes
// arbitrary bytes and runs them through a real entry point of the compiler; it must return, never
// crash, hang or exhaust memory. Errors (Expected/Status) are the expected outcome of most inputs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace ferrite::fuzz {

enum class Target { Model, Npy, TensorPb, Tflite };

// Outcome of one input, for statistics: compiled, refused with an error, or an exception escaped
// (which `ferrite` reports as an error and exit 2, but which means a check is missing).
enum class Outcome { Compiled, Refused, Exception };

// Writes the bytes to a scratch file (the entry points read files) and runs the target:
//  Model:    import, passes, lowering, scheduling, planning, emission of all files in memory;
//  Npy:      the .npy reader (`ferrite run --input`, `--freeze-input`);
//  TensorPb: the TensorProto reader (ONNX node tests' .pb files);
//  Tflite:   as Model, the file named model.tflite: the TFLite flatbuffer reader
//            (frontend/tflite_import.cpp) whatever the identifier says, then the whole pipeline.
// `what` receives the error or exception message.
Outcome run_one(Target target, const uint8_t* data, size_t size, std::string* what = nullptr);

}  // namespace ferrite::fuzz
