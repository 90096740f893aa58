// The int8 fully connected variant list.
#include "kernels/fc_s8_variants.h"

namespace ferrite_rt {
#include "conv_s8/dsp_s8_common.h"
#include "conv_s8/conv1x1_s8_dsp.h"
#include "fc_s8/fc_s8_dsp.h"
}  // namespace ferrite_rt
#include "kernels/pack_fc_s8_dsp.h"
#include "kernels/pack_s8_mve.h"

namespace ferrite {

namespace k = ferrite::kernels;

const std::vector<FcS8Variant>& fc_s8_variants() {
  static const std::vector<FcS8Variant> v = {
      // Helium (Cortex-M55): the pointwise MVE core over the rows.
      {KernelId::fc_s8_mve, k::fc_s8_mve_applies<ferrite_rt::FcS8Params>,
       k::fc_s8_mve_packed_weight_bytes<ferrite_rt::FcS8Params>, k::pack_fc_s8_mve<ferrite_rt::FcS8Params>},
      // DSP extension + FPU: int8 weights first (no flash growth), int16 weights for any w_zp.
      {KernelId::fc_s8_dsp_w8, k::fc_s8_dsp_w8_applies, k::fc_s8_dsp_w8_packed_weight_bytes, k::pack_fc_s8_dsp_w8},
      {KernelId::fc_s8_dsp, k::fc_s8_dsp_applies, k::fc_s8_dsp_packed_weight_bytes, k::pack_fc_s8_dsp},
      {KernelId::fc_s8, nullptr, nullptr, nullptr},
      // --- TFLite requantization (multiplier + shift per output) ---
      // Helium with TFLite requantization: fc_s8_mve's rule and packing, {ls, M, post} words.
      {KernelId::fc_s8_mve_tfl, k::fc_s8_mve_applies<ferrite_rt::FcS8Params>,
       k::fc_s8_mve_packed_weight_bytes<ferrite_rt::FcS8Params>, k::pack_fc_s8_mve<ferrite_rt::FcS8Params>,
       Numerics::TFLite, k::fc_requant_words_s8_mve_tfl<ferrite_rt::FcS8Params>,
       k::pack_fc_requant_s8_mve_tfl<ferrite_rt::FcS8Params>},
      // DSP extension: the pointwise DSP body with the TFLite epilogue (int8 weights first).
      {KernelId::fc_s8_dsp_w8_tfl, k::fc_s8_dsp_w8_applies, k::fc_s8_dsp_w8_packed_weight_bytes, k::pack_fc_s8_dsp_w8,
       Numerics::TFLite, k::fc_s8_dsp_tfl_requant_words, k::pack_fc_s8_dsp_tfl_requant},
      {KernelId::fc_s8_dsp_tfl, k::fc_s8_dsp_applies, k::fc_s8_dsp_packed_weight_bytes, k::pack_fc_s8_dsp,
       Numerics::TFLite, k::fc_s8_dsp_tfl_requant_words, k::pack_fc_s8_dsp_tfl_requant},
      {KernelId::fc_s8_tfl, nullptr, nullptr, nullptr, Numerics::TFLite},
  };
  return v;
}

}  // namespace ferrite
