// The int8 convolution family's variant list (XNNPACK's habit: one list per family, in order of
// preference). Each entry names its kernel (kernels.def gives the function, file and the ISA it
// needs), the role it can take, its selection rule on the layer's parameters, its weight packing
// (done at compile time) and its scratch. The list is the only place that decides which variant a
// convolution gets; tests/kernels/variants run every entry against the portable reference.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ir/ir.h"
#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

enum class ConvRole { Pointwise, Depthwise, General };

struct ConvS8Variant {
  KernelId kernel;
  ConvRole role;
  // Selection rule: the layer shapes/attributes/numerics this variant computes exactly.
  bool (*applies)(const ferrite_rt::ConvS8Params&);
  // Packing: nullptr = the portable layouts (OHWI / [kh][kw][c] weights, bias as given). Otherwise
  // the packed weight bytes and a function writing packed weights and a c_out-entry packed bias
  // (input zero point folded in) from the portable layouts.
  size_t (*packed_weight_bytes)(const ferrite_rt::ConvS8Params&);
  void (*pack)(const ferrite_rt::ConvS8Params&, const int8_t* w, const int32_t* bias, int8_t* w_out,
               int32_t* bias_out);
  size_t (*scratch_bytes)(const ferrite_rt::ConvS8Params&);  // nullptr = none
  // Depthwise: the function also runs in place (x == y) with the same scratch.
  bool in_place;
  // The requantization the variant implements: ONNX Runtime's (float scale per channel, args[3] f32
  // [c_out]) or TFLite's (args[3] int32 [c_out][2] = multiplier, shift, as conv_s8_nhwc_tfl takes
  // it). A layer only gets variants of its reference kernel's numerics. TFLite variants may assume
  // that every accumulator a, times 2^(max(shift, 0) + 1), fits int32 (select.cpp checks this bound
  // on the constant weights and bias, else keeps the portable kernel).
  Numerics numerics = Numerics::Ort;
  // TFLite variants: their own layout of the requantization words (nullptr = the [c_out][2] pairs
  // as given): requant_words(p) int32 words written by pack_requant from the pairs.
  size_t (*requant_words)(const ferrite_rt::ConvS8Params&) = nullptr;
  void (*pack_requant)(const ferrite_rt::ConvS8Params&, const int32_t* qm, int32_t* out) = nullptr;
};

// Every variant, in order of preference (ISA variants first, the portable kernels last).
const std::vector<ConvS8Variant>& conv_s8_variants();

}  // namespace ferrite
