// The channel-streamed inverted bottleneck's variant list (see conv_s8_variants.h for the pattern).
// The fused call is made by passes/bottleneck.cpp from the three layers' portable calls; the fusion
// then walks this list (select_bottleneck in select.cpp): the first entry whose ISA the target has
// and whose rule holds wins, its weights and biases are packed at compile time and its scratch is
// what the memory planner sees.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

// Packed operands of a bottleneck variant (weights as bytes, biases as int32 entries).
struct BottleneckS8Packed {
  std::vector<int8_t> we, wd, wq;
  std::vector<int32_t> be, bd, bq;
};

struct BottleneckS8Variant {
  KernelId kernel;
  // Selection rule: the shapes/attributes/numerics this variant computes exactly.
  bool (*applies)(const ferrite_rt::BottleneckS8Params&);
  // Packing from the portable layouts (biases may be null); nullptr = the portable layouts.
  void (*pack)(const ferrite_rt::BottleneckS8Params&, const int8_t* we, const int32_t* be, const int8_t* wd,
               const int32_t* bd, const int8_t* wq, const int32_t* bq, BottleneckS8Packed& out);
  size_t (*scratch_bytes)(const ferrite_rt::BottleneckS8Params&);
};

// Every variant, in order of preference; the portable bottleneck_s8_nhwc closes the list.
const std::vector<BottleneckS8Variant>& bottleneck_s8_variants();

}  // namespace ferrite
