// The constants of a compiled model as the generated code stores them (--weights-format): one blob
// of every constant at 16-byte aligned offsets, placed by an assembler `.incbin` stub (incbin) or as
// string literals (text), or the old per-constant typed arrays (array). docs/generated-api.md.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/compiled_model.h"

namespace ferrite {

// Every constant the code reads (m.weights, in that order), each at a multiple of 16 bytes, zero
// padding between. A constant with no elements takes one zero element, as in the array format.
struct WeightsBlob {
  std::vector<uint8_t> bytes;
  std::map<TensorId, size_t> offset;
};
WeightsBlob pack_weights(const CompiledModel& m);

struct EmittedWeights {
  std::string decls;       // declarations for <name>.cpp (inside namespace <name>::weights)
  std::string file;        // <name>_weights.cpp
  std::string blob;        // <name>_weights.bin (incbin format), else empty
  std::map<TensorId, std::string> refs;  // the expression <name>.cpp uses for each constant
  size_t section_bytes = 0;  // size of the weights section this model's constants make
};
EmittedWeights emit_weights(const CompiledModel& m, const std::string& model_file, size_t weights_bytes);

// The size of the weights section the model's constants make (padding included; the text format
// has one NUL byte more).
size_t weights_section_bytes(const CompiledModel& m);

// The symbol of the whole blob (C linkage, global): ferrite_<name>_weights.
std::string weights_blob_symbol(const CompiledModel& m);

}  // namespace ferrite
