// The int8 average pooling families' variant lists (see conv_s8_variants.h for the pattern).
// Variants take the portable kernel's arguments unchanged (no packing, no scratch), in place too.
#pragma once
#include <vector>

#include "ir/ir.h"
#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

struct GlobalPoolS8Variant {
  KernelId kernel;
  bool (*applies)(const ferrite_rt::GlobalPoolS8Params&);  // nullptr = always
};

// In order of preference; the portable global_avgpool_s8_nhwc closes the list.
const std::vector<GlobalPoolS8Variant>& global_pool_s8_variants();

struct PoolS8Variant {
  KernelId kernel;
  bool (*applies)(const ferrite_rt::PoolS8Params&);  // nullptr = always
  // A layer only gets variants of its reference's numerics (avgpool_s8_nhwc: ONNX Runtime's float
  // sums; avgpool_s8_nhwc_tfl: TFLite's integer sums and rounded division).
  Numerics numerics = Numerics::Ort;
};

// In order of preference, per numerics; the portable avgpool_s8_nhwc (avgpool_s8_nhwc_tfl for
// TFLite) closes the entries of its numerics.
const std::vector<PoolS8Variant>& avgpool_s8_variants();
// In order of preference; the portable maxpool_s8_nhwc closes the list.
const std::vector<PoolS8Variant>& maxpool_s8_variants();

}  // namespace ferrite
