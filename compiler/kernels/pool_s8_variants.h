// The int8 global average pooling family's variant list (see conv_s8_variants.h for the pattern).
// Variants take the portable kernel's arguments unchanged (no packing, no scratch), in place too.
#pragma once
#include <vector>

#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

struct GlobalPoolS8Variant {
  KernelId kernel;
  bool (*applies)(const ferrite_rt::GlobalPoolS8Params&);  // nullptr = always
};

// In order of preference; the portable global_avgpool_s8_nhwc closes the list.
const std::vector<GlobalPoolS8Variant>& global_pool_s8_variants();

}  // namespace ferrite
