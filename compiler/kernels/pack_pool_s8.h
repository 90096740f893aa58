// Selection rules of the int8 pooling variants (runtime_templates/pool_s8/*: avgpool_s8_fpu,
// avgpool_s8_mve, global_avgpool_s8_dsp, global_avgpool_s8_mve, maxpool_s8_dsp, maxpool_s8_mve,
// avgpool_s8_dsp_tfl, avgpool_s8_mve_tfl).
// None packs anything.
//
// Header-only; includable by the host compiler and by target test programs. Needs
// <cstdint>/<cstring> and ferrite_rt::PoolS8Params, GlobalPoolS8Params (pool_s8/pool_s8.h)
// declared before it.
#pragma once
#include <cstdint>
#include <cstring>

namespace ferrite::kernels {

namespace pool_detail {
inline bool finite(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return (b & 0x7F800000u) != 0x7F800000u;
}
inline bool in_s8(int32_t v) { return v >= -128 && v <= 127; }
}  // namespace pool_detail

// The window covers the whole input without padding: avgpool_s8_nhwc then runs
// global_avgpool_s8_nhwc with global_params(p), and so does the selection (the global family).
inline bool avgpool_s8_is_global(const ferrite_rt::PoolS8Params& p) {
  return p.kh == p.h_in && p.kw == p.w_in && p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 &&
         p.pad_right == 0 && p.h_out == 1 && p.w_out == 1;
}
// The parameters avgpool_s8_nhwc passes to global_avgpool_s8_nhwc for a global window.
inline ferrite_rt::GlobalPoolS8Params avgpool_s8_global_params(const ferrite_rt::PoolS8Params& p) {
  return ferrite_rt::GlobalPoolS8Params{p.n, p.c, p.h_in * p.w_in, p.in_zp, p.out_zp, p.in_scale, p.out_scale,
                                        p.act_min, p.act_max};
}

// avgpool_s8_fpu: the reference's scalar float sums; its clamp-then-round end needs act_min <=
// act_max inside int8 (proof in avgpool_s8_fpu.h). Any shape.
inline bool avgpool_s8_fpu_applies(const ferrite_rt::PoolS8Params& p) {
  return p.n >= 1 && p.c >= 1 && p.kh >= 1 && p.kw >= 1 && p.dil_h >= 1 && p.dil_w >= 1 &&
         pool_detail::in_s8(p.act_min) && pool_detail::in_s8(p.act_max) && p.act_min <= p.act_max;
}
// avgpool_s8_mve: vector float sums; no denormal can occur when |in_scale| >= 2^-100; the vector
// round-and-clamp needs act_min <= act_max inside int8 (proofs in pool_s8_mve.h).
inline bool avgpool_s8_mve_applies(const ferrite_rt::PoolS8Params& p) {
  const float s = p.in_scale < 0 ? -p.in_scale : p.in_scale;
  return avgpool_s8_fpu_applies(p) && pool_detail::finite(p.in_scale) && s >= 7.88860905e-31f /* 2^-100 */;
}

// avgpool_s8_dsp_tfl / avgpool_s8_mve_tfl (TFLite AVERAGE_POOL_2D): the reference ignores
// dilation (TFLite has none; the frontend checks), so the variants need 1; act_min <= act_max
// inside int8 (the clamp as max then min); windows of at most 2^22 taps keep every int32 sum exact
// (|sum| <= 128 * taps). Any padding, stride and window otherwise.
inline bool avgpool_s8_tfl_variant_applies(const ferrite_rt::PoolS8Params& p) {
  return p.n >= 1 && p.c >= 1 && p.kh >= 1 && p.kw >= 1 && p.dil_h == 1 && p.dil_w == 1 &&
         int64_t{p.kh} * p.kw <= (int64_t{1} << 22) && pool_detail::in_s8(p.act_min) &&
         pool_detail::in_s8(p.act_max) && p.act_min <= p.act_max;
}

// maxpool_s8_dsp / maxpool_s8_mve: byte-wise max from -128, then max/min clamp (equal to the
// reference's clamp for act_min <= act_max inside int8). Any shape.
inline bool maxpool_s8_applies(const ferrite_rt::PoolS8Params& p) {
  return p.n >= 1 && p.c >= 1 && p.kh >= 1 && p.kw >= 1 && p.dil_h >= 1 && p.dil_w >= 1 &&
         pool_detail::in_s8(p.act_min) && pool_detail::in_s8(p.act_max) && p.act_min <= p.act_max;
}
inline bool maxpool_s8_dsp_applies(const ferrite_rt::PoolS8Params& p) { return maxpool_s8_applies(p); }
inline bool maxpool_s8_mve_applies(const ferrite_rt::PoolS8Params& p) { return maxpool_s8_applies(p); }

// Global pools with a table (DSP) or vector (MVE) requantization: zero point and clamp inside
// int8, act_min <= act_max, a finite scale in_scale / (out_scale * spatial) computed with the
// kernel's float operations.
inline bool global_avgpool_s8_requant_ok(const ferrite_rt::GlobalPoolS8Params& p) {
  const float denom = p.out_scale * static_cast<float>(p.spatial);
  const float scale = p.in_scale / denom;
  return p.n >= 1 && p.c >= 1 && p.spatial >= 1 && pool_detail::in_s8(p.out_zp) && pool_detail::in_s8(p.act_min) &&
         pool_detail::in_s8(p.act_max) && p.act_min <= p.act_max && pool_detail::finite(scale);
}
inline bool global_avgpool_s8_dsp_applies(const ferrite_rt::GlobalPoolS8Params& p) {
  return global_avgpool_s8_requant_ok(p);
}
// MVE: also int32 sums that cannot overflow (|sum| <= 255 * spatial, bias |in_zp| * spatial).
inline bool global_avgpool_s8_mve_applies(const ferrite_rt::GlobalPoolS8Params& p) {
  return global_avgpool_s8_requant_ok(p) && p.spatial <= (1 << 22);
}

}  // namespace ferrite::kernels
