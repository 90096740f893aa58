// The compile driver: frontend -> graph passes -> lowering -> memory plan -> backend, plus writing
// the generated files atomically (all or nothing) and the memory report.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "frontend/onnx_import.h"
#include "ops/lower.h"
#include "passes/memory_patches.h"
#include "passes/memory_plan.h"
#include "passes/pass.h"
#include "passes/schedule.h"

namespace ferrite {

class Progress;
extern const char* const kVersion;

// How the constants are emitted (--weights-format, --weights-section, --weights-align):
//   incbin (default): <name>_weights.bin holds every constant, <name>_weights.cpp is a small
//          assembler stub (`.incbin`, GNU as / arm-none-eabi-as) that places it in `section`;
//          the folder with the .bin must be on the include path (-I), as for <name>.h.
//   text:  <name>_weights.cpp holds the same bytes as compact string literals (any C++17 compiler;
//          one NUL byte more at the end of the section);
//   array: <name>_weights.cpp defines one typed, initialized array per constant (the old form:
//          readable, but about 3.6x the binary size and slow to compile).
// Every constant starts at a multiple of 16 bytes; `align` (a power of two, >= 16) aligns the whole.
struct WeightsOptions {
  std::string format = "incbin";
  std::string section = ".rodata.weights";
  size_t align = 16;
};

struct CompileOptions {
  std::string model_path;
  std::string name;             // C++ namespace / file stem; default: the model's file stem
  std::string target = "host";  // host, cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m33, cortex-m55
  uint64_t sram_budget = 0;     // 0 = none
  ImportOptions import;
  PassContext passes;
  PlanOptions plan;
  ScheduleOptions schedule;  // execution order: searched (--schedule auto) or the model's
  // Patch-based inference: "off", "auto" (smallest arena within max_patch_overhead extra MACs, or
  // the fewest extra MACs that fit sram_budget), "RxC" (grid, best split) or "RxC@N" (split after
  // layer N).
  std::string patch = "auto";
  double max_patch_overhead = 0.20;
  // Channel-streamed inverted bottlenecks (passes/bottleneck.h): "auto" fuses the blocks at the
  // arena's peak, round by round, while that lowers the arena; "all" every chain; "off" none.
  std::string fuse_bottlenecks = "auto";
  // --profile: invoke() records a counter per layer call (backends/portable/profile.h).
  bool profile = false;
  WeightsOptions weights;
  Progress* progress = nullptr;  // stage lines on stderr (driver/progress.h), or none
};

struct CompiledModel {
  std::string name;  // sanitized namespace
  std::string model_file;
  Target target;  // the core the code is generated for: decides the kernel variants
  Graph graph;
  std::vector<Lowered> lowered;  // per graph.nodes[i]
  MemoryPlan plan;
  ScheduleResult schedule;  // how the node order was chosen (graph.nodes is already in that order)
  std::vector<TensorId> weights;  // constants the generated code references, in id order
  size_t weights_bytes = 0;       // their bytes
  uint64_t macs = 0;
  std::optional<PatchExec> patch;            // set when the first stage runs patch by patch
  std::vector<std::string> patch_candidates;  // the arena / extra-MAC trade-off that was considered
  std::vector<std::string> fused_notes;       // inverted bottlenecks run channel by channel
  bool profile = false;                       // --profile: per-layer counters in invoke()
  WeightsOptions weights_options;             // how the constants are emitted
  std::string plan_reason;                    // why this patch plan (or none) was chosen
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
