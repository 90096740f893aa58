// The int8 pooling variant lists: global average pooling, average pooling and max pooling.
#include "kernels/pool_s8_variants.h"

#include "kernels/pack_pool_s8.h"

namespace ferrite {

// In order of preference; each rule is in kernels/pack_pool_s8.h (proofs in the kernel files).
const std::vector<GlobalPoolS8Variant>& global_pool_s8_variants() {
  static const std::vector<GlobalPoolS8Variant> v = {
      {KernelId::global_avgpool_s8_mve, kernels::global_avgpool_s8_mve_applies},
      {KernelId::global_avgpool_s8_dsp, kernels::global_avgpool_s8_dsp_applies},
      {KernelId::global_avgpool_s8_nhwc, nullptr},
  };
  return v;
}

// Global windows never reach this list: the selection sends them to the global family
// (avgpool_s8_nhwc computes them with global_avgpool_s8_nhwc).
const std::vector<PoolS8Variant>& avgpool_s8_variants() {
  static const std::vector<PoolS8Variant> v = {
      {KernelId::avgpool_s8_mve, kernels::avgpool_s8_mve_applies},
      {KernelId::avgpool_s8_fpu, kernels::avgpool_s8_fpu_applies},
      {KernelId::avgpool_s8_nhwc, nullptr},
      // --- TFLite AVERAGE_POOL_2D (integer sums, reciprocal-multiply division; whole-input windows
      // take the same kernels, whose full-width windows run as one stretch of positions) ---
      {KernelId::avgpool_s8_mve_tfl, kernels::avgpool_s8_tfl_variant_applies, Numerics::TFLite},
      {KernelId::avgpool_s8_dsp_tfl, kernels::avgpool_s8_tfl_variant_applies, Numerics::TFLite},
      {KernelId::avgpool_s8_nhwc_tfl, nullptr, Numerics::TFLite},
  };
  return v;
}

const std::vector<PoolS8Variant>& maxpool_s8_variants() {
  static const std::vector<PoolS8Variant> v = {
      {KernelId::maxpool_s8_mve, kernels::maxpool_s8_mve_applies},
      {KernelId::maxpool_s8_dsp, kernels::maxpool_s8_dsp_applies},
      {KernelId::maxpool_s8_nhwc, nullptr},
  };
  return v;
}

}  // namespace ferrite
