// The compile driver: frontend -> graph passes -> lowering -> memory plan -> backend, plus writing
// the generated files atomically (all or nothing) and the memory report.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "frontend/onnx_import.h"
#include "model/compiled_model.h"
#include "passes/memory/memory_stage.h"
#include "passes/pass.h"

namespace ferrite {

class Progress;

struct CompileOptions {
  std::string model_path;
  std::string name;             // C++ namespace / file stem; default: the model's file stem
  std::string target = "host";  // host, cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55
  ImportOptions import;
  PassContext passes;
  // The memory stage (passes/memory/memory_stage.h): planner options, execution order, patches,
  // bottleneck fusion, the SRAM budget (0 = none; else the arena must fit).
  MemoryOptions memory;
  // --profile: invoke() records a counter per layer call (backends/portable/profile.h).
  bool profile = false;
  WeightsOptions weights;
  Progress* progress = nullptr;  // stage lines on stderr (driver/progress.h), or none
};

Expected<CompiledModel> compile_model(const CompileOptions& o);

struct GeneratedFile {
  std::string name;
  std::string content;
};

// The files `ferrite compile` writes: <name>.h, <name>.cpp, <name>_weights.cpp, with
// --weights-format incbin <name>_weights.bin, <name>_report.json, <name>_report.txt and
// <name>_memory.html.
// With --profile, `profile_rows` (when given) receives the rows of the generated profile_counts().
struct ProfileRow;
Expected<std::vector<GeneratedFile>> generate_files(const CompiledModel& m,
                                                    std::vector<ProfileRow>* profile_rows = nullptr);

// Writes files into `dir` all-or-nothing: into a temporary sibling directory first, then renamed
// into place; on failure nothing is left behind.
Status write_files_atomically(const std::string& dir, const std::vector<GeneratedFile>& files);

// Parses "256KiB", "1MiB", "65536", "64KB" (=64000).
Expected<uint64_t> parse_bytes(const std::string& s);

}  // namespace ferrite
