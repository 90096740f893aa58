// The int8 fully connected family's variant list (see conv_s8_variants.h for the pattern).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ir/ir.h"
#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

struct FcS8Variant {
  KernelId kernel;
  bool (*applies)(const ferrite_rt::FcS8Params&);  // nullptr = always
  // Packing (nullptr = the portable layout): packed weight bytes, and packed weights plus an
  // out_features-entry packed bias from the portable [out][in] weights and bias (or null).
  size_t (*packed_weight_bytes)(const ferrite_rt::FcS8Params&);
  void (*pack)(const ferrite_rt::FcS8Params&, const int8_t* w, const int32_t* bias, int8_t* w_out, int32_t* bias_out);
  // Requantization scheme and its packing, as ConvS8Variant (conv_s8_variants.h): TFLite variants
  // take args[3] int32 [out_features][2] (multiplier, shift), or their own layout.
  Numerics numerics = Numerics::Ort;
  size_t (*requant_words)(const ferrite_rt::FcS8Params&) = nullptr;
  void (*pack_requant)(const ferrite_rt::FcS8Params&, const int32_t* qm, int32_t* out) = nullptr;
};

// In order of preference; the portable fc_s8 closes the list.
const std::vector<FcS8Variant>& fc_s8_variants();

}  // namespace ferrite
