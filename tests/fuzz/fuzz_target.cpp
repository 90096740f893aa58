// Fuzz targets (fuzz_target.h).
#include "fuzz_target.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>

#include "driver/compile.h"
#include "driver/npy.h"
#include "frontend/onnx_import.h"
#include "frontend/sandbox.h"

namespace ferrite::fuzz {

namespace {

// One scratch folder per process (on tmpfs when there is one); the input is written to a file in it.
const std::string& scratch_dir() {
  static const std::string dir = [] {
    std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path().string();
    std::string tmpl = base + "/ferrite-fuzz-XXXXXX";
    if (!mkdtemp(tmpl.data())) std::abort();
    static std::string keep = tmpl;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(keep, ec);
    });
    return tmpl;
  }();
  return dir;
}

std::string write_input(const char* name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace

Outcome run_one(Target target, const uint8_t* data, size_t size, std::string* what) {
  // ONNX's shape inference and version converter in one persistent sandbox worker for the whole run
  // (frontend/sandbox.h), not a fork per call: same protection, ten times the throughput.
  static SandboxWorkerScope sandbox_worker;
  try {
    switch (target) {
      case Target::Model:
      case Target::Tflite: {
        CompileOptions o;
        // A .tflite name sends every input to the TFLite reader, even with a damaged identifier.
        o.model_path = write_input(target == Target::Tflite ? "model.tflite" : "model.onnx", data, size);
        auto m = compile_model(o);
        if (!m) {
          if (what) *what = m.error().message;
          return Outcome::Refused;
        }
        auto files = generate_files(*m);
        if (!files) {
          if (what) *what = files.error().message;
          return Outcome::Refused;
        }
        return Outcome::Compiled;
      }
      case Target::Npy: {
        auto t = read_tensor_file(write_input("input.npy", data, size));
        if (!t) {
          if (what) *what = t.error().message;
          return Outcome::Refused;
        }
        return Outcome::Compiled;
      }
      case Target::TensorPb: {
        auto t = read_tensor_pb(write_input("tensor.pb", data, size));
        if (!t) {
          if (what) *what = t.error().message;
          return Outcome::Refused;
        }
        return Outcome::Compiled;
      }
    }
  } catch (const std::exception& e) {
    if (what) *what = e.what();
    return Outcome::Exception;
  }
  return Outcome::Refused;
}

}  // namespace ferrite::fuzz
