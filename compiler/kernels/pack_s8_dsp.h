// Compile-time packing and selection rules of the Arm DSP-extension int8 kernels
// (runtime_templates/conv_s8/conv1x1_s8_dsp.h, dwconv_s8_dsp.h; shared helpers in dsp_s8_common.h).
//
// Header-only; includable by the host compiler and by target test programs. Needs only
// <cstddef>/<cstdint>/<cstring> and ferrite_rt::ConvS8Params (conv_s8/conv_s8.h) declared before it.
//
// Per variant V:
//   bool   V_applies(p)               the selection rule: V is bit-identical to the portable kernel
//                                     for every input when it holds (and the requantization scales are
//                                     finite, see dsp_scales_finite in dsp_s8_common.h);
//   size_t V_packed_weight_bytes(p)   bytes of the packed weight buffer (must be 4-byte aligned);
//   void   pack_V(p, w, bias, w_out, bias_out)
//                                     w in the portable kernels' layout (OHWI / [kh][kw][c]), bias
//                                     int32 [c_out] or null; bias_out always gets c_out entries.
// The packed layouts are documented at each pack function (and in the kernel headers).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ferrite::kernels {

namespace dsp_detail {

inline bool in_s8(int32_t v) { return v >= -128 && v <= 127; }

// Requantized int8 output whose zero point and clamp lie in int8 (the table requantization needs it).
inline bool s8_output(const ferrite_rt::ConvS8Params& p) {
  return p.out_int32 == 0 && in_s8(p.out_zp) && in_s8(p.act_min) && in_s8(p.act_max);
}

// Wrap-around int32 arithmetic (what the target's int32 additions do), without signed overflow.
inline int32_t wrap(uint32_t v) {
  int32_t r;
  std::memcpy(&r, &v, sizeof r);
  return r;
}

inline void put_u32(int8_t* out, size_t word, uint32_t v) { std::memcpy(out + 4 * word, &v, 4); }

inline uint32_t pair16(int32_t lane0, int32_t lane1) {
  return (static_cast<uint32_t>(lane0) & 0xFFFFu) | ((static_cast<uint32_t>(lane1) & 0xFFFFu) << 16);
}

inline uint32_t quad8(int32_t b0, int32_t b1, int32_t b2, int32_t b3) {
  return (static_cast<uint32_t>(b0) & 0xFFu) | ((static_cast<uint32_t>(b1) & 0xFFu) << 8) |
         ((static_cast<uint32_t>(b2) & 0xFFu) << 16) | ((static_cast<uint32_t>(b3) & 0xFFu) << 24);
}

// bias[o] - x_zp * sum w'  (mod 2^32); w' = w - w_zp over `count` taps with stride `step`.
inline int32_t folded_bias(const int8_t* w, size_t count, size_t step, int32_t w_zp, int32_t x_zp, int32_t bias) {
  uint32_t sum = 0;
  for (size_t k = 0; k < count; ++k) sum += static_cast<uint32_t>(static_cast<int32_t>(w[k * step]) - w_zp);
  return wrap(static_cast<uint32_t>(bias) - static_cast<uint32_t>(x_zp) * sum);
}

inline bool conv1x1_shape(const ferrite_rt::ConvS8Params& p) {
  return p.n >= 1 && p.c_in >= 1 && p.c_out >= 1 && p.h_in >= 1 && p.w_in >= 1 && p.kh == 1 && p.kw == 1 &&
         p.stride_h == 1 && p.stride_w == 1 && p.pad_top == 0 && p.pad_left == 0 && p.group == 1 &&
         p.h_out == p.h_in && p.w_out == p.w_in && s8_output(p);
}

// Shared by both 1x1 variants: wpg = words per output channel per group of 4 input channels.
inline void pack_conv1x1(const ferrite_rt::ConvS8Params& p, const int8_t* w, const int32_t* bias, int8_t* w_out,
                         int32_t* bias_out, bool w16) {
  const int32_t ci = p.c_in, co = p.c_out;
  const int32_t groups = (ci + 3) / 4;
  const int32_t wpg = w16 ? 2 : 1;
  auto wv = [&](int32_t oc, int32_t k) -> int32_t {
    return k < ci ? static_cast<int32_t>(w[static_cast<size_t>(oc) * static_cast<size_t>(ci) + static_cast<size_t>(k)]) - p.w_zp
                  : 0;
  };
  size_t word = 0;
  for (int32_t ob = 0; ob < co; ob += 2) {
    for (int32_t g = 0; g < groups; ++g)
      for (int32_t j = 0; j < 2; ++j) {
        const int32_t oc = ob + j, k = 4 * g;
        if (oc >= co) {  // phantom channel of an odd c_out: zeros
          for (int32_t z = 0; z < wpg; ++z) put_u32(w_out, word++, 0);
          continue;
        }
        if (w16) {
          put_u32(w_out, word++, pair16(wv(oc, k), wv(oc, k + 2)));
          put_u32(w_out, word++, pair16(wv(oc, k + 1), wv(oc, k + 3)));
        } else {
          put_u32(w_out, word++, quad8(wv(oc, k), wv(oc, k + 1), wv(oc, k + 2), wv(oc, k + 3)));
        }
      }
  }
  for (int32_t oc = 0; oc < co; ++oc)
    bias_out[oc] = folded_bias(w + static_cast<size_t>(oc) * static_cast<size_t>(ci), static_cast<size_t>(ci), 1,
                               p.w_zp, p.in_zp, bias ? bias[oc] : 0);
}

}  // namespace dsp_detail

// ------------------------------------------------------------------------------------------------
// conv1x1_s8_dsp: pointwise conv, int16 pre-widened weights (any weight zero point).
// Rule: kh = kw = 1, stride 1, no padding, group 1, h/w_out = h/w_in, out_int32 = 0, out_zp,
//       act_min, act_max in [-128, 127], |w_zp| <= 255 (w - w_zp fits int16); any n, c_in, c_out.
// Layout: output channels in blocks of 2 (an odd c_out gets a zero phantom channel c_out, computed
//   and never stored), input channels in groups of 4 (G = ceil(c_in / 4), missing channels 0).
//   Block b (channels 2b, 2b+1) = G groups, each group = for each channel of the block two
//   int16-pair words [w'(4g), w'(4g+2)], [w'(4g+1), w'(4g+3)]  (w' = w - w_zp, lane 0 = low half).
//   Bytes: 8 * G * C2, C2 = c_out rounded up to even. Bias (c_out entries):
//   bias[oc] - x_zp * sum_k w'[oc][k].
inline bool conv1x1_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) {
  return dsp_detail::conv1x1_shape(p) && p.w_zp >= -255 && p.w_zp <= 255;
}
inline size_t conv1x1_s8_dsp_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {
  return 8u * static_cast<size_t>((p.c_in + 3) / 4) * static_cast<size_t>((p.c_out + 1) & ~1);
}
inline void pack_conv1x1_s8_dsp(const ferrite_rt::ConvS8Params& p, const int8_t* w_ref_layout, const int32_t* bias_or_null,
                                int8_t* w_out, int32_t* bias_out) {
  dsp_detail::pack_conv1x1(p, w_ref_layout, bias_or_null, w_out, bias_out, true);
}

// ------------------------------------------------------------------------------------------------
// conv1x1_s8_dsp_w8: pointwise conv, int8 weights (same weight bytes as the portable kernel, rounded
// up to whole groups of 4 input channels).
// Rule: as conv1x1_s8_dsp, and w_zp == 0 (w' must fit int8).
// Layout: as conv1x1_s8_dsp with one word per channel per group: bytes w(4g), w(4g+1), w(4g+2),
//   w(4g+3) (missing channels and the phantom channel 0). Bytes: 4 * G * C2.
//   Bias: bias[oc] - x_zp * sum_k w[oc][k].
inline bool conv1x1_s8_dsp_w8_applies(const ferrite_rt::ConvS8Params& p) {
  return dsp_detail::conv1x1_shape(p) && p.w_zp == 0;
}
inline size_t conv1x1_s8_dsp_w8_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {
  return 4u * static_cast<size_t>((p.c_in + 3) / 4) * static_cast<size_t>((p.c_out + 1) & ~1);
}
inline void pack_conv1x1_s8_dsp_w8(const ferrite_rt::ConvS8Params& p, const int8_t* w_ref_layout,
                                   const int32_t* bias_or_null, int8_t* w_out, int32_t* bias_out) {
  dsp_detail::pack_conv1x1(p, w_ref_layout, bias_or_null, w_out, bias_out, false);
}

// ------------------------------------------------------------------------------------------------
// dwconv{K}x{K}_s{S}_s8_dsp (K = 3, 5, 7; S = 1, 2): depthwise conv, one packing for all six.
// Rule: group == c_in == c_out, kh == kw == K, stride_h == stride_w == S, dil 1, pads >= 0, n >= 1,
//       h_out, w_out >= 1, out_int32 = 0, out_zp, act_min, act_max in [-128, 127], |w_zp| <= 255.
//       In place (x == y) additionally needs n == 1 and h_out * w_out <= h_in * w_in (the same
//       condition as dwconv_s8_nhwc_inplace).
// Scratch: ferrite_rt::dwconv_s8_dsp_scratch_bytes(p) (kernel header), 4-byte aligned.
// Layout (plane path): per channel c, K rows of M + 1 words (M = K / 2): word m < M =
//   [w'(ky, 2m), w'(ky, 2m+1)], word M = [w'(ky, K-1), 0] (int16 lanes, lane 0 = low half;
//   w' = w - w_zp); channel c at word c * K * (M + 1). Bytes: 4 * K * (M + 1) * C.
// Layout (channel-group path, dwconv_s8_dsp_grouped_layout): per
//   group of 4 channels g (the last one padded with zero channels), per tap t = 3 ky + kx two
//   words [w'(t, 4g), w'(t, 4g+2)], [w'(t, 4g+1), w'(t, 4g+3)]; group g at word 18 g.
//   Bytes: 72 * ceil(C / 4).
// Bias (both): bias[c] - x_zp * sum w'(c).
inline bool dwconv_s8_dsp_applies(const ferrite_rt::ConvS8Params& p, int32_t k, int32_t s) {
  return p.group == p.c_in && p.c_in == p.c_out && p.c_out >= 1 && p.kh == k && p.kw == k && p.stride_h == s &&
         p.stride_w == s && p.dil_h == 1 && p.dil_w == 1 && p.pad_top >= 0 && p.pad_left >= 0 && p.n >= 1 &&
         p.h_in >= 1 && p.w_in >= 1 && p.h_out >= 1 && p.w_out >= 1 && dsp_detail::s8_output(p) &&
         p.w_zp >= -255 && p.w_zp <= 255;
}
inline bool dwconv3x3_s1_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) { return dwconv_s8_dsp_applies(p, 3, 1); }
inline bool dwconv3x3_s2_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) { return dwconv_s8_dsp_applies(p, 3, 2); }
inline bool dwconv5x5_s1_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) { return dwconv_s8_dsp_applies(p, 5, 1); }
inline bool dwconv5x5_s2_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) { return dwconv_s8_dsp_applies(p, 5, 2); }
inline bool dwconv7x7_s1_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) { return dwconv_s8_dsp_applies(p, 7, 1); }
inline bool dwconv7x7_s2_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) { return dwconv_s8_dsp_applies(p, 7, 2); }

// Which of the two layouts the kernel uses (must match dwconv_s8_dsp_grouped in dwconv_s8_dsp.h):
// 3x3 with c_out >= 4 and either at most 6 output columns or stride 2 with a group plane
// (8 bytes per padded-input cell) of at most 16 KB takes the channel-group layout.
inline bool dwconv_s8_dsp_grouped_layout(const ferrite_rt::ConvS8Params& p) {
  if (p.kh != 3 || p.c_out < 4) return false;
  if (p.w_out <= 6) return true;
  const int64_t cells = static_cast<int64_t>((p.h_out - 1) * p.stride_h + 3) * ((p.w_out - 1) * p.stride_w + 3);
  return p.stride_h == 2 && cells * 8 <= 16384;
}
inline size_t dwconv_s8_dsp_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {
  if (dwconv_s8_dsp_grouped_layout(p)) return 72u * static_cast<size_t>((p.c_out + 3) / 4);
  return 4u * static_cast<size_t>(p.kh) * static_cast<size_t>(p.kh / 2 + 1) * static_cast<size_t>(p.c_out);
}
inline void pack_dwconv_s8_dsp(const ferrite_rt::ConvS8Params& p, const int8_t* w_ref_layout, const int32_t* bias_or_null,
                               int8_t* w_out, int32_t* bias_out) {
  const int32_t K = p.kh, M = K / 2, C = p.c_out;
  auto wv = [&](int32_t c, int32_t ky, int32_t kx) -> int32_t {
    if (kx >= K || c >= C) return 0;
    return static_cast<int32_t>(w_ref_layout[(static_cast<size_t>(ky) * static_cast<size_t>(K) + static_cast<size_t>(kx)) *
                                                 static_cast<size_t>(C) +
                                             static_cast<size_t>(c)]) -
           p.w_zp;
  };
  size_t word = 0;
  if (dwconv_s8_dsp_grouped_layout(p)) {
    for (int32_t c = 0; c < C; c += 4)
      for (int32_t ky = 0; ky < 3; ++ky)
        for (int32_t kx = 0; kx < 3; ++kx) {
          dsp_detail::put_u32(w_out, word++, dsp_detail::pair16(wv(c, ky, kx), wv(c + 2, ky, kx)));
          dsp_detail::put_u32(w_out, word++, dsp_detail::pair16(wv(c + 1, ky, kx), wv(c + 3, ky, kx)));
        }
  } else {
    for (int32_t c = 0; c < C; ++c)
      for (int32_t ky = 0; ky < K; ++ky)
        for (int32_t m = 0; m <= M; ++m)
          dsp_detail::put_u32(w_out, word++, dsp_detail::pair16(wv(c, ky, 2 * m), m < M ? wv(c, ky, 2 * m + 1) : 0));
  }
  for (int32_t c = 0; c < C; ++c)
    bias_out[c] = dsp_detail::folded_bias(w_ref_layout + c, static_cast<size_t>(K) * static_cast<size_t>(K),
                                          static_cast<size_t>(C), p.w_zp, p.in_zp, bias_or_null ? bias_or_null[c] : 0);
}
// Per-variant names (same packing for every K and S).
#define FERRITE_DW_DSP_ALIASES(NAME)                                                                          \
  inline size_t NAME##_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {                              \
    return dwconv_s8_dsp_packed_weight_bytes(p);                                                             \
  }                                                                                                          \
  inline void pack_##NAME(const ferrite_rt::ConvS8Params& p, const int8_t* w, const int32_t* b, int8_t* wo, \
                          int32_t* bo) {                                                                     \
    pack_dwconv_s8_dsp(p, w, b, wo, bo);                                                                     \
  }
FERRITE_DW_DSP_ALIASES(dwconv3x3_s1_s8_dsp)
FERRITE_DW_DSP_ALIASES(dwconv3x3_s2_s8_dsp)
FERRITE_DW_DSP_ALIASES(dwconv5x5_s1_s8_dsp)
FERRITE_DW_DSP_ALIASES(dwconv5x5_s2_s8_dsp)
FERRITE_DW_DSP_ALIASES(dwconv7x7_s1_s8_dsp)
FERRITE_DW_DSP_ALIASES(dwconv7x7_s2_s8_dsp)
#undef FERRITE_DW_DSP_ALIASES


// ------------------------------------------------------------------------------------------------
// conv_s8_dsp: general convolution (group 1; any kernel, stride, padding, dilation), e.g. the first
// 3x3 stride-2 layer on a 1-3 channel image. (Use conv1x1_s8_dsp / dwconv*_s8_dsp where they apply:
// they are faster.)
// Rule: group == 1, n >= 1, sizes >= 1, pads >= 0, out_int32 = 0, out_zp, act_min, act_max in
//       [-128, 127], |w_zp| <= 255. y must not alias x.
// Scratch: ferrite_rt::conv_s8_dsp_scratch_bytes(p) = 8 * KP + 512 (kernel header), 4-byte aligned.
// Layout (c_in == 1, square K = 3/5/7, stride 1/2 both ways, dilation 1: single-plane path): the
//   depthwise plane layout per output channel (K rows of K / 2 + 1 int16-pair words, see dwconv
//   below); bytes 4 * K * (K / 2 + 1) * c_out.
// Layout (otherwise): taps in OHWI order, L = kw * c_in per kernel row: slot ky * L + r holds row tap r
//   (r = kx * c_in + ci), except that each full group of 4 (r < 4 * (L / 4)) holds taps
//   (0, 2, 1, 3) of the group, the order SXTB16 unpacks activations in; slots in pairs
//   (KP = ceil(kh * L / 2) rounded up to even, missing slots 0); channel pairs (an odd c_out gets
//   a zero phantom channel); block b (channels 2b, 2b+1) = for k = 0, 2, 4, ...: [oc0 pair k]
//   [oc1 pair k] [oc0 pair k+1] [oc1 pair k+1], pair k = [w'(slot 2k), w'(slot 2k+1)] (int16
//   lanes, lane 0 = low half, w' = w - w_zp).
//   Bytes: 4 * KP * C2 (C2 = c_out rounded up to even). Bias: bias[oc] - x_zp * sum_k w'[oc][k].
inline int32_t conv_s8_dsp_packed_kp(const ferrite_rt::ConvS8Params& p) {
  const int32_t kp = (p.kh * p.kw * p.c_in + 1) / 2;
  return (kp + 1) & ~1;
}
// Single-channel input (must match conv_s8_dsp_single_plane in conv_s8_dsp.h): the depthwise plane
// layout per output channel (see dwconv above), from w[oc][ky][kx].
inline bool conv_s8_dsp_single_plane_layout(const ferrite_rt::ConvS8Params& p) {
  return p.c_in == 1 && p.group == 1 && p.kh == p.kw && (p.kh == 3 || p.kh == 5 || p.kh == 7) &&
         p.stride_h == p.stride_w && (p.stride_h == 1 || p.stride_h == 2) && p.dil_h == 1 && p.dil_w == 1;
}
inline bool conv_s8_dsp_applies(const ferrite_rt::ConvS8Params& p) {
  return p.group == 1 && p.n >= 1 && p.c_in >= 1 && p.c_out >= 1 && p.h_in >= 1 && p.w_in >= 1 && p.h_out >= 1 &&
         p.w_out >= 1 && p.kh >= 1 && p.kw >= 1 && p.stride_h >= 1 && p.stride_w >= 1 && p.dil_h >= 1 &&
         p.dil_w >= 1 && p.pad_top >= 0 && p.pad_left >= 0 && dsp_detail::s8_output(p) && p.w_zp >= -255 &&
         p.w_zp <= 255;
}
inline size_t conv_s8_dsp_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {
  if (conv_s8_dsp_single_plane_layout(p))
    return 4u * static_cast<size_t>(p.kh) * static_cast<size_t>(p.kh / 2 + 1) * static_cast<size_t>(p.c_out);
  return 4u * static_cast<size_t>(conv_s8_dsp_packed_kp(p)) * static_cast<size_t>((p.c_out + 1) & ~1);
}
inline void pack_conv_s8_dsp(const ferrite_rt::ConvS8Params& p, const int8_t* w_ref_layout, const int32_t* bias_or_null,
                             int8_t* w_out, int32_t* bias_out) {
  if (conv_s8_dsp_single_plane_layout(p)) {
    const int32_t K = p.kh, M = K / 2, C = p.c_out;
    auto wv = [&](int32_t oc, int32_t ky, int32_t kx) -> int32_t {
      if (kx >= K) return 0;
      return static_cast<int32_t>(w_ref_layout[(static_cast<size_t>(oc) * static_cast<size_t>(K) + static_cast<size_t>(ky)) *
                                                   static_cast<size_t>(K) +
                                               static_cast<size_t>(kx)]) -
             p.w_zp;
    };
    size_t word = 0;
    for (int32_t oc = 0; oc < C; ++oc)
      for (int32_t ky = 0; ky < K; ++ky)
        for (int32_t m = 0; m <= M; ++m)
          dsp_detail::put_u32(w_out, word++, dsp_detail::pair16(wv(oc, ky, 2 * m), m < M ? wv(oc, ky, 2 * m + 1) : 0));
    for (int32_t oc = 0; oc < C; ++oc)
      bias_out[oc] = dsp_detail::folded_bias(w_ref_layout + static_cast<size_t>(oc) * static_cast<size_t>(K * K),
                                             static_cast<size_t>(K * K), 1, p.w_zp, p.in_zp,
                                             bias_or_null ? bias_or_null[oc] : 0);
    return;
  }
  const int32_t K = p.kh * p.kw * p.c_in, KP = conv_s8_dsp_packed_kp(p), C = p.c_out;
  const int32_t L = p.kw * p.c_in;
  auto wv = [&](int32_t oc, int32_t slot) -> int32_t {
    const int32_t ky = slot / L;
    int32_t r = slot % L;
    if (oc >= C || ky >= p.kh) return 0;
    if (r < 4 * (L / 4)) r = (r & ~3) | ((r & 1) << 1) | ((r >> 1) & 1);  // (0, 2, 1, 3) per group of 4
    const int32_t t = ky * L + r;
    return static_cast<int32_t>(w_ref_layout[static_cast<size_t>(oc) * static_cast<size_t>(K) + static_cast<size_t>(t)]) -
           p.w_zp;
  };
  size_t word = 0;
  for (int32_t ob = 0; ob < C; ob += 2)
    for (int32_t k = 0; k < KP; k += 2)
      for (int32_t kk = k; kk < k + 2; ++kk)
        for (int32_t j = 0; j < 2; ++j)
          dsp_detail::put_u32(w_out, word++, dsp_detail::pair16(wv(ob + j, 2 * kk), wv(ob + j, 2 * kk + 1)));
  for (int32_t oc = 0; oc < C; ++oc)
    bias_out[oc] = dsp_detail::folded_bias(w_ref_layout + static_cast<size_t>(oc) * static_cast<size_t>(K),
                                           static_cast<size_t>(K), 1, p.w_zp, p.in_zp, bias_or_null ? bias_or_null[oc] : 0);
}


// ------------------------------------------------------------------------------------------------
// bottleneck{K}x{K}_s{S}_s8_dsp (K = 3, 5, 7; S = 1, 2): the channel-streamed inverted bottleneck
// (expand 1x1 -> depthwise KxK stride S -> project 1x1, BottleneckS8Params; kernel in
// runtime_templates/conv_s8/bottleneck_s8_dsp.h).
// Rule: the expand and project convolutions satisfy conv1x1_s8_dsp_applies, the depthwise one
//       dwconv_s8_dsp_applies(K, S); n == 1 everywhere; the three shapes chain (expand output =
//       depthwise input = project input in channels and size).
// Scratch: ferrite_rt::bottleneck_s8_dsp_scratch_bytes(p) (kernel header), 4-byte aligned.
// Layouts (int16 lanes, lane 0 = low half, w' = w - w_zp of the layer):
//   expand   the conv1x1_s8_dsp layout over c_mid output channels; bias C2 = c_mid rounded up to
//            even entries, bias[c] - x_zp * sum_k w'[c][k] (the phantom channel's 0);
//   dw       the depthwise plane layout (per channel K rows of K / 2 + 1 words, see dwconv above),
//            bias c_mid entries;
//   project  per group g of 4 middle channels (missing ones 0), per output channel oc two words
//            [w'(oc, 4g), w'(oc, 4g + 2)], [w'(oc, 4g + 1), w'(oc, 4g + 3)]; bias c_out entries
//            bias[oc] - x_zp * sum_c w'(oc, c).
inline bool bottleneck_s8_dsp_applies(const ferrite_rt::BottleneckS8Params& p, int32_t k, int32_t s) {
  const ferrite_rt::ConvS8Params &e = p.expand, &d = p.dw, &q = p.project;
  return conv1x1_s8_dsp_applies(e) && conv1x1_s8_dsp_applies(q) && dwconv_s8_dsp_applies(d, k, s) && e.n == 1 &&
         d.n == 1 && q.n == 1 && d.c_in == e.c_out && d.h_in == e.h_out && d.w_in == e.w_out &&
         q.c_in == d.c_out && q.h_in == d.h_out && q.w_in == d.w_out;
}
#define FERRITE_BN_DSP_RULE(K, S)                                                          \
  inline bool bottleneck##K##x##K##_s##S##_s8_dsp_applies(const ferrite_rt::BottleneckS8Params& p) { \
    return bottleneck_s8_dsp_applies(p, K, S);                                             \
  }
FERRITE_BN_DSP_RULE(3, 1)
FERRITE_BN_DSP_RULE(3, 2)
FERRITE_BN_DSP_RULE(5, 1)
FERRITE_BN_DSP_RULE(5, 2)
FERRITE_BN_DSP_RULE(7, 1)
FERRITE_BN_DSP_RULE(7, 2)
#undef FERRITE_BN_DSP_RULE

// Packed sizes: weights in bytes, biases in int32 entries.
struct BottleneckS8DspSizes {
  size_t we, wd, wq;  // bytes
  size_t be, bd, bq;  // entries
};
inline BottleneckS8DspSizes bottleneck_s8_dsp_packed_sizes(const ferrite_rt::BottleneckS8Params& p) {
  const int32_t c_in = p.expand.c_in, c_mid = p.expand.c_out, c_out = p.project.c_out, K = p.dw.kh;
  BottleneckS8DspSizes s;
  s.we = 8u * static_cast<size_t>((c_in + 3) / 4) * static_cast<size_t>((c_mid + 1) & ~1);
  s.wd = 4u * static_cast<size_t>(K) * static_cast<size_t>(K / 2 + 1) * static_cast<size_t>(c_mid);
  s.wq = 8u * static_cast<size_t>((c_mid + 3) / 4) * static_cast<size_t>(c_out);
  s.be = static_cast<size_t>((c_mid + 1) & ~1);
  s.bd = static_cast<size_t>(c_mid);
  s.bq = static_cast<size_t>(c_out);
  return s;
}

// we/wd/wq, be/bd/bq: the portable layouts of bottleneck_s8_nhwc (biases may be null).
inline void pack_bottleneck_s8_dsp(const ferrite_rt::BottleneckS8Params& p, const int8_t* we, const int32_t* be,
                                   const int8_t* wd, const int32_t* bd, const int8_t* wq, const int32_t* bq,
                                   int8_t* we_out, int32_t* be_out, int8_t* wd_out, int32_t* bd_out, int8_t* wq_out,
                                   int32_t* bq_out) {
  const ferrite_rt::ConvS8Params &e = p.expand, &d = p.dw, &q = p.project;
  const int32_t c_mid = e.c_out, c_out = q.c_out;
  // expand: the conv1x1 int16 layout (its bias gets c_mid entries, then the phantom's 0)
  dsp_detail::pack_conv1x1(e, we, be, we_out, be_out, true);
  if (c_mid & 1) be_out[c_mid] = 0;
  // depthwise: the plane layout
  const int32_t K = d.kh, M = K / 2;
  auto wdv = [&](int32_t c, int32_t ky, int32_t kx) -> int32_t {
    if (kx >= K) return 0;
    return static_cast<int32_t>(wd[(static_cast<size_t>(ky) * static_cast<size_t>(K) + static_cast<size_t>(kx)) *
                                       static_cast<size_t>(c_mid) +
                                   static_cast<size_t>(c)]) -
           d.w_zp;
  };
  size_t word = 0;
  for (int32_t c = 0; c < c_mid; ++c)
    for (int32_t ky = 0; ky < K; ++ky)
      for (int32_t m = 0; m <= M; ++m)
        dsp_detail::put_u32(wd_out, word++, dsp_detail::pair16(wdv(c, ky, 2 * m), m < M ? wdv(c, ky, 2 * m + 1) : 0));
  for (int32_t c = 0; c < c_mid; ++c)
    bd_out[c] = dsp_detail::folded_bias(wd + c, static_cast<size_t>(K) * static_cast<size_t>(K),
                                        static_cast<size_t>(c_mid), d.w_zp, d.in_zp, bd ? bd[c] : 0);
  // project: groups of 4 middle channels, per output channel the SXTB16-ordered pairs
  auto wqv = [&](int32_t oc, int32_t c) -> int32_t {
    if (c >= c_mid) return 0;
    return static_cast<int32_t>(wq[static_cast<size_t>(oc) * static_cast<size_t>(c_mid) + static_cast<size_t>(c)]) -
           q.w_zp;
  };
  word = 0;
  for (int32_t c = 0; c < c_mid; c += 4)
    for (int32_t oc = 0; oc < c_out; ++oc) {
      dsp_detail::put_u32(wq_out, word++, dsp_detail::pair16(wqv(oc, c), wqv(oc, c + 2)));
      dsp_detail::put_u32(wq_out, word++, dsp_detail::pair16(wqv(oc, c + 1), wqv(oc, c + 3)));
    }
  for (int32_t oc = 0; oc < c_out; ++oc)
    bq_out[oc] = dsp_detail::folded_bias(wq + static_cast<size_t>(oc) * static_cast<size_t>(c_mid),
                                         static_cast<size_t>(c_mid), 1, q.w_zp, q.in_zp, bq ? bq[oc] : 0);
}

// ---- TFLite requantization words (the DspRqTfl epilogue of dsp_s8_common.h, proof there) ----
// From the [c][2] (multiplier, shift) pairs TFLite layers carry, 5 words per channel:
//   {M, ls + 1, r, s, e}  with ls = max(shift, 0), e = min(max(-shift, 0), 31),
//   r = 2^(e-1), s = -1 when e >= 1; r = s = 0 when e = 0.
// (e is capped at 31: the frontend makes shifts >= -31, and any |y| < 2^30 divided by 2^31 or more
// rounds to 0 either way.) One packing for every *_dsp_tfl variant of every family.
constexpr int32_t kRequantWordsS8DspTfl = 5;
inline void pack_requant_s8_dsp_tfl_n(const int32_t* qm, int32_t channels, int32_t* out) {
  for (int32_t c = 0; c < channels; ++c) {
    const int32_t m = qm[2 * c], sh = qm[2 * c + 1];
    const int32_t e = sh < 0 ? (sh < -31 ? 31 : -sh) : 0;
    out[5 * c + 0] = m;
    out[5 * c + 1] = (sh > 0 ? sh : 0) + 1;
    out[5 * c + 2] = e ? static_cast<int32_t>(uint32_t{1} << (e - 1)) : 0;
    out[5 * c + 3] = e ? -1 : 0;
    out[5 * c + 4] = e;
  }
}
// Constant channels (konst[c] != INT32_MIN: weights all w_zp, so the accumulator is bias[c]):
// {M = 0, 1, r = konst[c], s = 0, e = 0}: SMMLAR(x, 0, t) = t = konst[c], whatever the accumulator.
inline void pack_requant_s8_dsp_tfl_const_n(const int32_t* qm, const int32_t* konst, int32_t channels, int32_t* out) {
  pack_requant_s8_dsp_tfl_n(qm, channels, out);
  for (int32_t c = 0; c < channels; ++c)
    if (konst[c] != INT32_MIN) {
      out[5 * c + 0] = 0;
      out[5 * c + 1] = 1;
      out[5 * c + 2] = konst[c];
      out[5 * c + 3] = 0;
      out[5 * c + 4] = 0;
    }
}
inline void pack_requant_s8_dsp_tfl_const(const ferrite_rt::ConvS8Params& p, const int32_t* qm, const int32_t* konst,
                                          int32_t* out) {
  pack_requant_s8_dsp_tfl_const_n(qm, konst, p.c_out, out);
}
inline size_t requant_words_s8_dsp_tfl(const ferrite_rt::ConvS8Params& p) {
  return static_cast<size_t>(kRequantWordsS8DspTfl) * static_cast<size_t>(p.c_out);
}
inline void pack_requant_s8_dsp_tfl(const ferrite_rt::ConvS8Params& p, const int32_t* qm, int32_t* out) {
  pack_requant_s8_dsp_tfl_n(qm, p.c_out, out);
}

}  // namespace ferrite::kernels
