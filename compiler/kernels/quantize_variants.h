// The float -> int8 QuantizeLinear family's variant list (see conv_s8_variants.h for the pattern).
// Variants take the portable quantize_f32's arguments unchanged (no packing, no scratch) and are
// safe in place under the same rule.
#pragma once
#include <vector>

#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

struct QuantizeVariant {
  KernelId kernel;
  bool (*applies)(const ferrite_rt::QuantizeParams&);  // nullptr = always
};

// In order of preference; the portable quantize_f32 closes the list.
const std::vector<QuantizeVariant>& quantize_variants();

}  // namespace ferrite
