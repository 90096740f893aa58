// The int8 convolution variant list. Target variants come first (the first whose ISA the target has
// and whose rule applies wins); the portable kernels close the list and accept every layer their
// lowering produced.
#include "kernels/conv_s8_variants.h"

namespace ferrite {

const std::vector<ConvS8Variant>& conv_s8_variants() {
  static const std::vector<ConvS8Variant> v = {
      // portable reference kernels (ops/quantized.cpp lowers to these)
      {KernelId::conv1x1_s8_nhwc, ConvRole::Pointwise, nullptr, nullptr, nullptr, nullptr, false},
      {KernelId::dwconv_s8_nhwc, ConvRole::Depthwise, nullptr, nullptr, nullptr, nullptr, false},
      {KernelId::conv_s8_nhwc, ConvRole::General, nullptr, nullptr, nullptr, nullptr, false},
  };
  return v;
}

}  // namespace ferrite
