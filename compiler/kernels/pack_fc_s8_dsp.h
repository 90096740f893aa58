// Compile-time packing and selection rules of the DSP fully connected variants
// (runtime_templates/fc_s8/fc_s8_dsp.h): the pointwise conv1x1_s8_dsp(_w8) packing of the
// [out_features][in_features] weights, seen as a 1x1 convolution over `rows` pixels.
//
// Header-only; host and target-test includable. Needs ferrite_rt::FcS8Params, ConvS8Params and
// fc_s8_dsp_conv (fc_s8/fc_s8.h, conv_s8/conv_s8.h, fc_s8/fc_s8_dsp.h) declared before it, and
// compiler/kernels/pack_s8_dsp.h.
#pragma once
#include "kernels/pack_s8_dsp.h"

namespace ferrite::kernels {

inline bool fc_s8_dsp_shape(const ferrite_rt::FcS8Params& p) {
  return p.rows >= 1 && p.in_features >= 1 && p.out_features >= 1 && p.out_int32 == 0;
}
// fc_s8_dsp_w8: int8 weights (w_zp == 0); fc_s8_dsp: int16 weights (|w_zp| <= 255). Both: an int8
// output whose zero point and clamp lie in int8 (conv1x1_s8_dsp's rules on the equivalent conv).
inline bool fc_s8_dsp_w8_applies(const ferrite_rt::FcS8Params& p) {
  return fc_s8_dsp_shape(p) && conv1x1_s8_dsp_w8_applies(ferrite_rt::fc_s8_dsp_conv(p));
}
inline bool fc_s8_dsp_applies(const ferrite_rt::FcS8Params& p) {
  return fc_s8_dsp_shape(p) && conv1x1_s8_dsp_applies(ferrite_rt::fc_s8_dsp_conv(p));
}
inline size_t fc_s8_dsp_w8_packed_weight_bytes(const ferrite_rt::FcS8Params& p) {
  return conv1x1_s8_dsp_w8_packed_weight_bytes(ferrite_rt::fc_s8_dsp_conv(p));
}
inline size_t fc_s8_dsp_packed_weight_bytes(const ferrite_rt::FcS8Params& p) {
  return conv1x1_s8_dsp_packed_weight_bytes(ferrite_rt::fc_s8_dsp_conv(p));
}
// w: int8 [out_features][in_features]; bias: int32 [out_features] or null; bias_out: out_features.
inline void pack_fc_s8_dsp_w8(const ferrite_rt::FcS8Params& p, const int8_t* w, const int32_t* bias, int8_t* w_out,
                              int32_t* bias_out) {
  pack_conv1x1_s8_dsp_w8(ferrite_rt::fc_s8_dsp_conv(p), w, bias, w_out, bias_out);
}
inline void pack_fc_s8_dsp(const ferrite_rt::FcS8Params& p, const int8_t* w, const int32_t* bias, int8_t* w_out,
                           int32_t* bias_out) {
  pack_conv1x1_s8_dsp(ferrite_rt::fc_s8_dsp_conv(p), w, bias, w_out, bias_out);
}

// TFLite variants (fc_s8_dsp_tfl, fc_s8_dsp_w8_tfl): requantization words as the conv family's.
inline size_t fc_s8_dsp_tfl_requant_words(const ferrite_rt::FcS8Params& p) {
  return static_cast<size_t>(kRequantWordsS8DspTfl) * static_cast<size_t>(p.out_features);
}
inline void pack_fc_s8_dsp_tfl_requant(const ferrite_rt::FcS8Params& p, const int32_t* qm, int32_t* out) {
  pack_requant_s8_dsp_tfl_n(qm, p.out_features, out);
}
inline void pack_fc_s8_dsp_tfl_requant_const(const ferrite_rt::FcS8Params& p, const int32_t* qm, const int32_t* konst,
                                             int32_t* out) {
  pack_requant_s8_dsp_tfl_const_n(qm, konst, p.out_features, out);
}

}  // namespace ferrite::kernels
