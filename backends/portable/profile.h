// Per-layer profiling of the generated code (`ferrite compile --profile`, docs/generated-api.md#profiling).
//
// With profiling on, invoke() reads a counter before the first layer call and after every layer
// call (`ferrite_profile_counter()`, extern "C": by default DWT->CYCCNT on Cortex-M3/M4/M7/M33/M55
// and a nanosecond clock on the host; weak, so a harness or firmware can supply its own) and stores
// each difference in a per-row array (`<ns>::profile_counts()`). A row is one function invoke()
// calls: a layer function (one graph node) or, with a patch plan, one patch of the first stage.
// This file makes the text for that; the portable emitter only asks it for each call line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/compiled_model.h"

namespace ferrite {

struct ProfileRow {
  std::string function;  // the generated function invoke() calls: layer012_Conv_x or patch003
  int node = -1;         // layer rows: index into graph.nodes (the execution step)
  int patch = -1;        // patch rows: index of the patch
  std::string op;        // ONNX op type of the node, or "patch"
  std::string name;      // node name (display name when empty), or "patch 4/36 (layers 0-5)"
  std::string kernels;   // the kernel calls' variant strings, distinct, joined by '+'
  uint64_t macs = 0;
  uint64_t elements = 0;  // layer rows: elements of the node's first output (for per-element costs)
};

class ProfileEmitter {
 public:
  explicit ProfileEmitter(const CompiledModel& m);
  bool on() const { return on_; }
  // The invoke() line calling a layer / patch function, followed by its mark when profiling.
  std::string layer_call(const std::string& fn, size_t node);
  std::string patch_call(const std::string& fn, size_t patch);
  // Text for the templates (all empty without --profile, so the generated code is unchanged).
  std::string invoke_prologue() const;       // first statement of invoke(): the starting read
  std::string source_support() const;        // model.cpp.in {profile_support}: counter, array, marks
  std::string header_api() const;            // model.h.in {profile_api}: kProfileRows, kProfile[]
  std::string header_c_api() const;          // model.h.in {profile_c_api}: C declarations
  // The rows in invoke() order (row i is profile_counts()[i]).
  const std::vector<ProfileRow>& rows() const { return rows_; }

 private:
  std::string mark(size_t row) const;
  const CompiledModel& m_;
  bool on_;
  size_t patches_ = 0, layers_ = 0;
  std::vector<ProfileRow> rows_;
};

}  // namespace ferrite
