// The QuantizeLinear (float -> int8) variant list.
#include "kernels/quantize_variants.h"

namespace ferrite {

namespace {
// quantize_f32_fpu: int8 storage (its table saturates to [-128, 127]); any scales, zero points,
// layout (relayout or not, per tensor or per channel) and values (NaN, infinities included).
bool int8_storage(const ferrite_rt::QuantizeParams& p) { return p.qmin == -128 && p.qmax == 127; }
}  // namespace

const std::vector<QuantizeVariant>& quantize_variants() {
  static const std::vector<QuantizeVariant> v = {
      {KernelId::quantize_f32_fpu, int8_storage},
      {KernelId::quantize_f32, nullptr},
  };
  return v;
}

}  // namespace ferrite
