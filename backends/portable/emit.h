// The portable backend: emits <name>.h, <name>.cpp and <name>_weights.cpp (+ .bin) from a compiled model,
// with the plain C++ kernels from runtime_templates/ pasted in. Runs on the host and any Cortex-M.
#pragma once
#include <string>
#include <vector>

#include "backends/portable/profile.h"
#include "model/compiled_model.h"

namespace ferrite {

struct EmittedSource {
  std::string header, source, weights;
  std::string weights_blob;          // <name>_weights.bin with --weights-format incbin, else empty
  size_t weights_section_bytes = 0;  // the size of the weights section these constants make
  std::vector<ProfileRow> profile;  // with --profile: the rows of profile_counts(), in order
};

Expected<EmittedSource> emit_portable(const CompiledModel& m);

// Symbol name the weights file gives constant tensor `id`.
std::string weight_symbol(const Graph& g, TensorId id);

}  // namespace ferrite
