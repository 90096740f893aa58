// The int8 convolution variant list. Target variants come first (the first whose ISA the target has
// and whose rule applies wins); the portable kernels close the list and accept every layer their
// lowering produced.
#include "kernels/conv_s8_variants.h"

// The variants' packing and rules (host-includable), and their scratch sizes: the DSP kernel files
// compile to portable C++ off-target, so the compiler takes the scratch formulas from the very
// files the generated code uses.
namespace ferrite_rt {
#include "conv_s8/dsp_s8_common.h"
#include "conv_s8/conv1x1_s8_dsp.h"
#include "conv_s8/dwconv_s8_dsp.h"
#include "conv_s8/conv_s8_dsp.h"
}  // namespace ferrite_rt
#include "kernels/pack_s8_dsp.h"
#include "kernels/pack_s8_mve.h"

namespace ferrite {

namespace k = ferrite::kernels;
using ferrite_rt::ConvS8Params;

const std::vector<ConvS8Variant>& conv_s8_variants() {
  static const std::vector<ConvS8Variant> v = {
      // --- Helium (MVE, Cortex-M55): compiler/kernels/pack_s8_mve.h ---
      {KernelId::conv1x1_s8_mve, ConvRole::Pointwise, k::conv1x1_s8_mve_applies, k::conv1x1_s8_mve_packed_weight_bytes,
       k::pack_conv1x1_s8_mve, nullptr, false},
      {KernelId::dwconv3x3_s1_s8_mve, ConvRole::Depthwise, k::dwconv3x3_s1_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_scratch_bytes, true},
      {KernelId::dwconv3x3_s2_s8_mve, ConvRole::Depthwise, k::dwconv3x3_s2_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_scratch_bytes, true},
      {KernelId::dwconv5x5_s1_s8_mve, ConvRole::Depthwise, k::dwconv5x5_s1_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_scratch_bytes, true},
      {KernelId::dwconv5x5_s2_s8_mve, ConvRole::Depthwise, k::dwconv5x5_s2_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_scratch_bytes, true},
      {KernelId::dwconv7x7_s1_s8_mve, ConvRole::Depthwise, k::dwconv7x7_s1_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_scratch_bytes, true},
      {KernelId::dwconv7x7_s2_s8_mve, ConvRole::Depthwise, k::dwconv7x7_s2_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_scratch_bytes, true},
      {KernelId::conv_s8_mve, ConvRole::General, k::conv_s8_mve_applies, k::conv_s8_mve_packed_weight_bytes,
       k::pack_conv_s8_mve, k::conv_s8_mve_scratch_bytes, false},
      // --- DSP extension + FPU (Cortex-M4F, M7, M33): compiler/kernels/pack_s8_dsp.h ---
      // Pointwise: int8 weights first (no flash growth, w_zp == 0), int16 weights for any w_zp.
      {KernelId::conv1x1_s8_dsp_w8, ConvRole::Pointwise, k::conv1x1_s8_dsp_w8_applies,
       k::conv1x1_s8_dsp_w8_packed_weight_bytes, k::pack_conv1x1_s8_dsp_w8, nullptr, false},
      {KernelId::conv1x1_s8_dsp, ConvRole::Pointwise, k::conv1x1_s8_dsp_applies, k::conv1x1_s8_dsp_packed_weight_bytes,
       k::pack_conv1x1_s8_dsp, nullptr, false},
      // Depthwise K x K, stride S: one packing and one scratch formula for all six.
      {KernelId::dwconv3x3_s1_s8_dsp, ConvRole::Depthwise, k::dwconv3x3_s1_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true},
      {KernelId::dwconv3x3_s2_s8_dsp, ConvRole::Depthwise, k::dwconv3x3_s2_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true},
      {KernelId::dwconv5x5_s1_s8_dsp, ConvRole::Depthwise, k::dwconv5x5_s1_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true},
      {KernelId::dwconv5x5_s2_s8_dsp, ConvRole::Depthwise, k::dwconv5x5_s2_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true},
      {KernelId::dwconv7x7_s1_s8_dsp, ConvRole::Depthwise, k::dwconv7x7_s1_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true},
      {KernelId::dwconv7x7_s2_s8_dsp, ConvRole::Depthwise, k::dwconv7x7_s2_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true},
      // General (group 1): any kernel, stride, padding, dilation; the first conv (c_in 1-3) included.
      {KernelId::conv_s8_dsp, ConvRole::General, k::conv_s8_dsp_applies, k::conv_s8_dsp_packed_weight_bytes,
       k::pack_conv_s8_dsp, ferrite_rt::conv_s8_dsp_scratch_bytes, false},
      // --- portable reference kernels (ops/quantized.cpp lowers to these) ---
      {KernelId::conv1x1_s8_nhwc, ConvRole::Pointwise, nullptr, nullptr, nullptr, nullptr, false},
      {KernelId::dwconv_s8_nhwc, ConvRole::Depthwise, nullptr, nullptr, nullptr, nullptr, false},
      {KernelId::conv_s8_nhwc, ConvRole::General, nullptr, nullptr, nullptr, nullptr, false},
      // --- TFLite requantization (multiplier + shift per channel): target variants, then the portable
      // kernels (ops/tflite_numerics.cpp lowers to these) ---
      // Helium (Cortex-M55) with TFLite requantization: the Ort variants' rules, packing and scratch,
      // the (multiplier, shift) pairs packed as {ls, M, post} (compiler/kernels/pack_s8_mve.h).
      {KernelId::conv1x1_s8_mve_tfl, ConvRole::Pointwise, k::conv1x1_s8_mve_applies, k::conv1x1_s8_mve_packed_weight_bytes,
       k::pack_conv1x1_s8_mve, nullptr, false, Numerics::TFLite, k::conv_requant_words_s8_mve_tfl,
       k::pack_conv_requant_s8_mve_tfl},
      {KernelId::dwconv3x3_s1_s8_mve_tfl, ConvRole::Depthwise, k::dwconv3x3_s1_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_tfl_scratch_bytes, true,
       Numerics::TFLite, k::dw_requant_words_s8_mve_tfl, k::pack_dw_requant_s8_mve_tfl},
      {KernelId::dwconv3x3_s2_s8_mve_tfl, ConvRole::Depthwise, k::dwconv3x3_s2_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_tfl_scratch_bytes, true,
       Numerics::TFLite, k::dw_requant_words_s8_mve_tfl, k::pack_dw_requant_s8_mve_tfl},
      {KernelId::dwconv5x5_s1_s8_mve_tfl, ConvRole::Depthwise, k::dwconv5x5_s1_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_tfl_scratch_bytes, true,
       Numerics::TFLite, k::dw_requant_words_s8_mve_tfl, k::pack_dw_requant_s8_mve_tfl},
      {KernelId::dwconv5x5_s2_s8_mve_tfl, ConvRole::Depthwise, k::dwconv5x5_s2_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_tfl_scratch_bytes, true,
       Numerics::TFLite, k::dw_requant_words_s8_mve_tfl, k::pack_dw_requant_s8_mve_tfl},
      {KernelId::dwconv7x7_s1_s8_mve_tfl, ConvRole::Depthwise, k::dwconv7x7_s1_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_tfl_scratch_bytes, true,
       Numerics::TFLite, k::dw_requant_words_s8_mve_tfl, k::pack_dw_requant_s8_mve_tfl},
      {KernelId::dwconv7x7_s2_s8_mve_tfl, ConvRole::Depthwise, k::dwconv7x7_s2_s8_mve_applies,
       k::dwconv_s8_mve_packed_weight_bytes, k::pack_dwconv_s8_mve, k::dwconv_s8_mve_tfl_scratch_bytes, true,
       Numerics::TFLite, k::dw_requant_words_s8_mve_tfl, k::pack_dw_requant_s8_mve_tfl},
      {KernelId::conv_s8_mve_tfl, ConvRole::General, k::conv_s8_mve_applies, k::conv_s8_mve_packed_weight_bytes,
       k::pack_conv_s8_mve, k::conv_s8_mve_scratch_bytes, false, Numerics::TFLite, k::conv_requant_words_s8_mve_tfl,
       k::pack_conv_requant_s8_mve_tfl},
      // DSP extension (Cortex-M4F/M7/M33): the DSP kernel bodies with the TFLite epilogue
      // (DspRqTfl, conv_s8/dsp_s8_common.h); same rules, packing and scratch as the float variants.
      {KernelId::conv1x1_s8_dsp_w8_tfl, ConvRole::Pointwise, k::conv1x1_s8_dsp_w8_applies,
       k::conv1x1_s8_dsp_w8_packed_weight_bytes, k::pack_conv1x1_s8_dsp_w8, nullptr, false, Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::conv1x1_s8_dsp_tfl, ConvRole::Pointwise, k::conv1x1_s8_dsp_applies,
       k::conv1x1_s8_dsp_packed_weight_bytes, k::pack_conv1x1_s8_dsp, nullptr, false, Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::dwconv3x3_s1_s8_dsp_tfl, ConvRole::Depthwise, k::dwconv3x3_s1_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true,
       Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::dwconv3x3_s2_s8_dsp_tfl, ConvRole::Depthwise, k::dwconv3x3_s2_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true,
       Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::dwconv5x5_s1_s8_dsp_tfl, ConvRole::Depthwise, k::dwconv5x5_s1_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true,
       Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::dwconv5x5_s2_s8_dsp_tfl, ConvRole::Depthwise, k::dwconv5x5_s2_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true,
       Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::dwconv7x7_s1_s8_dsp_tfl, ConvRole::Depthwise, k::dwconv7x7_s1_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true,
       Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::dwconv7x7_s2_s8_dsp_tfl, ConvRole::Depthwise, k::dwconv7x7_s2_s8_dsp_applies,
       k::dwconv_s8_dsp_packed_weight_bytes, k::pack_dwconv_s8_dsp, ferrite_rt::dwconv_s8_dsp_scratch_bytes, true,
       Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      {KernelId::conv_s8_dsp_tfl, ConvRole::General, k::conv_s8_dsp_applies, k::conv_s8_dsp_packed_weight_bytes,
       k::pack_conv_s8_dsp, ferrite_rt::conv_s8_dsp_scratch_bytes, false, Numerics::TFLite,
       k::requant_words_s8_dsp_tfl, k::pack_requant_s8_dsp_tfl},
      // portable TFLite kernels
      {KernelId::conv1x1_s8_nhwc_tfl, ConvRole::Pointwise, nullptr, nullptr, nullptr, nullptr, false, Numerics::TFLite},
      {KernelId::dwconv_s8_nhwc_tfl, ConvRole::Depthwise, nullptr, nullptr, nullptr, nullptr, false, Numerics::TFLite},
      {KernelId::conv_s8_nhwc_tfl, ConvRole::General, nullptr, nullptr, nullptr, nullptr, false, Numerics::TFLite},
  };
  return v;
}

}  // namespace ferrite
