// The int8 elementwise Add/Mul family's variant list (see conv_s8_variants.h for the pattern).
// These variants take the portable kernel's arguments unchanged: no packing, no scratch.
#pragma once
#include <vector>

#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

struct BinaryS8Variant {
  KernelId kernel;
  bool (*applies)(const ferrite_rt::BinaryS8Params&);  // nullptr = always
};

// In order of preference; the portable binary_s8 closes the list.
const std::vector<BinaryS8Variant>& binary_s8_variants();

}  // namespace ferrite
