// `ferrite run`: compile a model, build the generated code with a generated harness for the host or
// an emulated Cortex-M, run it on given inputs, save the outputs as .npy, compare with references.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "driver/compile.h"

namespace ferrite {

struct RunOptions {
  CompileOptions compile;
  std::vector<std::pair<std::string, std::string>> inputs;      // NAME=FILE
  std::vector<std::pair<std::string, std::string>> references;  // NAME=FILE
  std::string output_dir;
  std::string target = "host";  // host, qemu-cortex-m3, -m4, -m7, -m33, -m55
  double rtol = 1e-3, atol = 1e-7;
  double range_tol = -1;  // when >= 0: pass if max |err| <= range_tol * (max(ref) - min(ref))
  std::string cxx = "g++";
  std::vector<std::string> extra_cxx_flags;
  int timeout_s = 900;
  bool quiet = false;
  // Inputs hold a dataset: one extra leading axis of N entries, run one inference each; outputs get
  // the same leading axis.
  bool dataset = false;
  // QEMU targets: build with a SysTick counter and run with -icount shift=0; prints retired
  // instructions per inference and per MAC (deterministic, unlike wall time under emulation).
  bool count_instructions = false;
  // Compile with --profile and print/write (profile.json in output_dir) the per-layer counts:
  // instructions on QEMU targets (implies the counter above), nanoseconds on the host.
  bool profile = false;
  // Folder for the harness's prebuilt objects (startup code, I/O), shared by runs with the same
  // compiler, flags and harness sources; empty: build everything in <output-dir>/build each time.
  std::string build_cache;
};

// Returns the process exit code: 0 ok, 1 outputs differ from references, 2 usage/model/build error.
int run_model(const RunOptions& o);

struct QemuBoard {
  std::string target, machine, linker_script;
  std::vector<std::string> cpu_flags;
  // Retired instructions per SysTick tick under -icount shift=0 (10^9 / the board's SysTick clock).
  double instructions_per_tick = 0;
};
const std::vector<QemuBoard>& qemu_boards();

}  // namespace ferrite
