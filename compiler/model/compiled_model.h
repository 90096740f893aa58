// The compiled model: what the compiler's stages produce and the backends and reports consume (the
// graph after the passes, its lowered kernel calls, the memory plan, the patch execution, the
// constants the code reads). It sits below the driver, so backends need nothing from it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ops/lower.h"
#include "passes/memory_patches.h"
#include "passes/memory_plan.h"
#include "passes/schedule.h"

namespace ferrite {

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

// Replaces the Operand::Data arguments of `calls` (constants computed by lowering or patching) by
// graph constants, adding each distinct one once (`made` remembers them across calls); an unnamed
// one is named by `name_of(call index, argument index)`.
template <typename NameOf>
void adopt_data_operands(Graph& g, std::vector<KernelCall>& calls, std::map<const Tensor*, TensorId>& made,
                         NameOf name_of) {
  for (size_t ci = 0; ci < calls.size(); ++ci)
    for (size_t ai = 0; ai < calls[ci].args.size(); ++ai) {
      Operand& op = calls[ci].args[ai];
      if (op.kind != Operand::Kind::Data) continue;
      auto it = made.find(op.data.get());
      if (it == made.end()) {
        Tensor t = *op.data;
        if (t.name.empty()) t.name = name_of(ci, ai);
        it = made.emplace(op.data.get(), g.add_tensor(std::move(t))).first;
      }
      op = Operand::tensor(it->second);
    }
}

}  // namespace ferrite
