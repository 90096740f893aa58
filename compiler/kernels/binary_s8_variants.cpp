// The int8 Add/Mul variant list.
#include "kernels/binary_s8_variants.h"

namespace ferrite {

namespace {
// qadd_s8_fpu: a same-shape Add (the residual Add) with an output clamp inside int8.
bool qadd_same_shape(const ferrite_rt::BinaryS8Params& p) {
  return p.op == ferrite_rt::BinOpS8::Add && p.same_shape && p.act_min >= -128 && p.act_min <= p.act_max &&
         p.act_max <= 127;
}
}  // namespace

const std::vector<BinaryS8Variant>& binary_s8_variants() {
  static const std::vector<BinaryS8Variant> v = {
      {KernelId::qadd_s8_fpu, qadd_same_shape},
      {KernelId::binary_s8, nullptr},
  };
  return v;
}

}  // namespace ferrite
