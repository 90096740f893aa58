// Compile-time side of the Helium (MVE, Cortex-M55) int8 convolution kernels
// (runtime_templates/conv_s8/{conv1x1,dwconv}_s8_mve.h): per variant the selection rule, the packed
// weight size and the packing of the portable weight layout plus bias (zero points folded in).
//
// Header-only, needs only <cstddef>/<cstdint>/<cstring>, and must be included after the definition
// of ferrite_rt::ConvS8Params (runtime_templates/conv_s8/conv_s8.h; the fully connected functions
// take a ferrite_rt::FcS8Params from fc_s8/fc_s8.h; both are in compiler/ops/kernels_host.h), so
// that both the host compiler and target test programs can use it. Integer folding uses unsigned (wrapping) arithmetic: the
// kernels' int32 sums equal the reference's modulo 2^32, hence exactly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace ferrite::kernels {

namespace mve_detail {
inline bool in_s8(int32_t v) { return v >= -128 && v <= 127; }
// Output side common to every MVE conv variant: int8 output with zero point and activation bounds
// inside int8 (see the requantization notes in conv1x1_s8_mve.h).
inline bool s8_output_ok(const ferrite_rt::ConvS8Params& p) {
  return p.out_int32 == 0 && in_s8(p.out_zp) && in_s8(p.act_min) && in_s8(p.act_max) && in_s8(p.in_zp) &&
         in_s8(p.w_zp) && p.n >= 1 && p.c_in >= 1 && p.c_out >= 1 && p.h_out >= 1 && p.w_out >= 1;
}
inline int32_t wrap_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
inline int32_t wrap_mul(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}
}  // namespace mve_detail

// ---------------------------------------------------------------------------------------------
// conv1x1_s8_mve: pointwise convolution (conv1x1_s8_mve in conv1x1_s8_mve.h).
// Rule: 1x1 kernel, stride 1, no padding, group 1, same spatial size (exactly the cases the
// portable conv1x1_s8_nhwc is used for), int8 output, weight zero point 0, zero points and
// activation bounds in int8.
// Packed weights: c_in > 8: int8 [c_out][cin16], cin16 = round_up(c_in, 16); row oc = w[oc][0..c_in)
// then zeros. c_in <= 8: int8 [c_out][32]; row oc = w[oc][0..c_in), zeros to 16, c_in zeros,
// w[oc][0..c_in), zeros to 32 (weights of the first and the second pixel of a 16-byte vector that
// holds two pixels). Packed bias: int32 [c_out] = bias[oc] (0 if null) - in_zp * sum_i w[oc][i].
inline bool conv1x1_s8_mve_applies(const ferrite_rt::ConvS8Params& p) {
  return mve_detail::s8_output_ok(p) && p.kh == 1 && p.kw == 1 && p.stride_h == 1 && p.stride_w == 1 &&
         p.pad_top == 0 && p.pad_left == 0 && p.group == 1 && p.h_out == p.h_in && p.w_out == p.w_in &&
         p.w_zp == 0;
}

inline size_t conv1x1_s8_mve_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {
  return static_cast<size_t>(p.c_out) * static_cast<size_t>(p.c_in <= 8 ? 32 : (p.c_in + 15) / 16 * 16);
}

inline void pack_conv1x1_s8_mve(const ferrite_rt::ConvS8Params& p, const int8_t* w, const int32_t* bias,
                                int8_t* w_out, int32_t* bias_out) {
  const size_t cin = static_cast<size_t>(p.c_in);
  const size_t stride = conv1x1_s8_mve_packed_weight_bytes(p) / static_cast<size_t>(p.c_out);
  for (size_t oc = 0; oc < static_cast<size_t>(p.c_out); ++oc) {
    const int8_t* wr = w + oc * cin;
    int8_t* wo = w_out + oc * stride;
    std::memset(wo, 0, stride);
    int32_t sum = 0;
    for (size_t i = 0; i < cin; ++i) {
      const int32_t v = static_cast<int32_t>(wr[i]) - p.w_zp;
      wo[i] = static_cast<int8_t>(v);
      if (cin <= 8) wo[16 + cin + i] = static_cast<int8_t>(v);
      sum += v;
    }
    bias_out[oc] = mve_detail::wrap_add(bias ? bias[oc] : 0, mve_detail::wrap_mul(-p.in_zp, sum));
  }
}

// ---------------------------------------------------------------------------------------------
// conv_s8_mve: general convolution, group 1 (conv_s8_mve in conv_s8_mve.h; im2col rows through the
// pointwise core). Rule: group 1, int8 output, weight zero point 0, zero points and activation
// bounds in int8; any kernel size, strides, dilations, padding, batch.
// Packed weights: int8 [c_out][L16], L = kh*kw*c_in, L16 = round_up(L, 16); row oc = the OHWI row
// w[oc][ky][kx][ci] then zeros. Packed bias: int32 [c_out] = bias[oc] (0 if null) - in_zp * sum w[oc].
inline bool conv_s8_mve_applies(const ferrite_rt::ConvS8Params& p) {
  return mve_detail::s8_output_ok(p) && p.group == 1 && p.w_zp == 0 && p.kh >= 1 && p.kw >= 1 &&
         p.stride_h >= 1 && p.stride_w >= 1 && p.dil_h >= 1 && p.dil_w >= 1;
}

// Scratch bytes of conv_s8_mve (one output row of im2col patches), as conv_s8_mve_scratch_bytes in
// conv_s8_mve.h.
inline size_t conv_s8_mve_scratch_bytes(const ferrite_rt::ConvS8Params& p) {
  return static_cast<size_t>(p.w_out) * static_cast<size_t>((p.kh * p.kw * p.c_in + 15) / 16 * 16) + 16;
}

inline size_t conv_s8_mve_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {
  return static_cast<size_t>(p.c_out) * static_cast<size_t>((p.kh * p.kw * p.c_in + 15) / 16 * 16);
}

inline void pack_conv_s8_mve(const ferrite_rt::ConvS8Params& p, const int8_t* w, const int32_t* bias, int8_t* w_out,
                             int32_t* bias_out) {
  const size_t L = static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw) * static_cast<size_t>(p.c_in);
  const size_t L16 = (L + 15) / 16 * 16;
  for (size_t oc = 0; oc < static_cast<size_t>(p.c_out); ++oc) {
    int32_t sum = 0;
    for (size_t i = 0; i < L16; ++i) {
      const int32_t v = i < L ? static_cast<int32_t>(w[oc * L + i]) - p.w_zp : 0;
      w_out[oc * L16 + i] = static_cast<int8_t>(v);
      sum += v;
    }
    bias_out[oc] = mve_detail::wrap_add(bias ? bias[oc] : 0, mve_detail::wrap_mul(-p.in_zp, sum));
  }
}

// ---------------------------------------------------------------------------------------------
// fc_s8_mve: fully connected (fc_s8_mve in runtime_templates/fc_s8/fc_s8_mve.h). Rule: int8 output, weight zero point 0, zero points and
// activation bounds in int8. Packed weights and bias: the conv1x1_s8_mve layout with c_in =
// in_features, c_out = out_features.
// (Templates over the parameter type, so that this header does not need fc_s8.h unless they are
// used; call them with a ferrite_rt::FcS8Params.)
template <class FcS8Params>
inline bool fc_s8_mve_applies(const FcS8Params& p) {
  return p.out_int32 == 0 && p.w_zp == 0 && mve_detail::in_s8(p.in_zp) && mve_detail::in_s8(p.out_zp) &&
         mve_detail::in_s8(p.act_min) && mve_detail::in_s8(p.act_max) && p.rows >= 1 && p.in_features >= 1 &&
         p.out_features >= 1;
}

template <class FcS8Params>
inline ferrite_rt::ConvS8Params fc_s8_mve_as_conv(const FcS8Params& p) {
  ferrite_rt::ConvS8Params c{};
  c.n = 1;
  c.c_in = p.in_features;
  c.c_out = p.out_features;
  c.h_in = c.h_out = p.rows;
  c.w_in = c.w_out = 1;
  c.kh = c.kw = c.stride_h = c.stride_w = c.dil_h = c.dil_w = c.group = 1;
  c.in_zp = p.in_zp;
  c.w_zp = p.w_zp;
  c.out_zp = p.out_zp;
  c.act_min = p.act_min;
  c.act_max = p.act_max;
  return c;
}

template <class FcS8Params>
inline size_t fc_s8_mve_packed_weight_bytes(const FcS8Params& p) {
  return conv1x1_s8_mve_packed_weight_bytes(fc_s8_mve_as_conv(p));
}

template <class FcS8Params>
inline void pack_fc_s8_mve(const FcS8Params& p, const int8_t* w, const int32_t* bias, int8_t* w_out,
                           int32_t* bias_out) {
  pack_conv1x1_s8_mve(fc_s8_mve_as_conv(p), w, bias, w_out, bias_out);
}

// ---------------------------------------------------------------------------------------------
// Depthwise k x k, stride s (dwconv<k>x<k>_s<s>_s8_mve in dwconv_s8_mve.h), k in {3, 5, 7},
// s in {1, 2}. Rule: group == c_in == c_out, square k x k kernel, equal strides s, dilation 1,
// n == 1, int8 output, zero points and activation bounds in int8, any padding (pad_top/pad_left and
// the bottom/right padding implied by the output size). Works out of place and in place
// (x == y; in place additionally needs h_out * w_out <= h_in * w_in, which the planner guarantees).
// Scratch: dwconv_s8_mve_scratch_bytes below (formulas in dwconv_s8_mve.h).
// Packed weights: int16 [ceil(c / 4)][k*k][4]: per block of 4 channels, per tap (ky, kx) row-major,
// the 4 channels' w[ky][kx][c] - w_zp (any w_zp; channels past c are 0). Must be 2-byte aligned
// (the emitter's constants are alignas(16)). Packed bias: int32 [c] = bias[c] (0 if null) -
// in_zp * sum_taps (w - w_zp).
inline bool dwconv_s8_mve_applies(const ferrite_rt::ConvS8Params& p, int32_t k, int32_t s) {
  return mve_detail::s8_output_ok(p) && p.group == p.c_in && p.c_in == p.c_out && p.kh == k && p.kw == k &&
         p.stride_h == s && p.stride_w == s && p.dil_h == 1 && p.dil_w == 1 && p.n == 1;
}

inline size_t dwconv_s8_mve_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {
  return sizeof(int16_t) * static_cast<size_t>((p.c_out + 3) / 4 * 4) * static_cast<size_t>(p.kh) *
         static_cast<size_t>(p.kw);
}

inline void pack_dwconv_s8_mve(const ferrite_rt::ConvS8Params& p, const int8_t* w, const int32_t* bias,
                               int8_t* w_out, int32_t* bias_out) {
  const size_t C = static_cast<size_t>(p.c_out);
  const size_t taps = static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw);
  const size_t C4 = (C + 3) / 4 * 4;
  for (size_t c = 0; c < C4; ++c) {
    int32_t sum = 0;
    for (size_t t = 0; t < taps; ++t) {
      const int16_t v = c < C ? static_cast<int16_t>(static_cast<int32_t>(w[t * C + c]) - p.w_zp) : int16_t{0};
      std::memcpy(w_out + sizeof(int16_t) * (((c / 4) * taps + t) * 4 + c % 4), &v, sizeof v);
      sum += v;
    }
    if (c < C) bias_out[c] = mve_detail::wrap_add(bias ? bias[c] : 0, mve_detail::wrap_mul(-p.in_zp, sum));
  }
}

// The channel-lane mode's scratch (Ort and TFLite depthwise): constants, weights and the band
// (the whole padded plane up to whole_bytes, else a ring of rows).
inline size_t dwconv_s8_mve_lane_scratch_bytes(const ferrite_rt::ConvS8Params& p, int32_t whole_bytes = 4096) {
  const int32_t wp = (p.w_out - 1) * p.stride_w + p.kw;
  const int32_t hp = (p.h_out - 1) * p.stride_h + p.kh;
  int32_t band = hp;
  if (16 * wp * hp > whole_bytes) {
    band = p.kh;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t window = oh * p.stride_h + p.kh - 1;
      const int32_t slots = ((oh + 1) * p.w_out - 1) / p.w_in + p.pad_top;
      const int32_t span = (slots > window ? slots : window) - oh * p.stride_h + 1;
      band = span > band ? span : band;
    }
    band = band < hp ? band : hp;
  }
  return 15 + 16 * (4 + static_cast<size_t>(p.kh) * static_cast<size_t>(p.kw) +
                    static_cast<size_t>(band) * static_cast<size_t>(wp));
}

// Scratch bytes of the depthwise kernels, for the planner (the same arithmetic as
// ferrite_rt::dwconv_s8_mve_scratch_bytes in dwconv_s8_mve.h, which needs <arm_mve.h>; the target
// tests check that both agree).
inline size_t dwconv_s8_mve_scratch_bytes(const ferrite_rt::ConvS8Params& p) {
  const int32_t wq = (p.w_out + 3) & ~3;
  // Plane mode (3x3, wide enough, c <= 4096): the compile-time pitch.
  if (p.kh == 3 && p.kw == 3 && p.c_out <= 4096 && p.w_out >= (p.stride_w == 1 ? 16 : 8)) {
    static const int32_t kPitch1[] = {16, 32, 64, 124};
    static const int32_t kHalf2[] = {8, 16, 32, 42};
    int32_t pitch = 0;
    for (int i = 0; i < 4 && !pitch; ++i) {
      if (p.stride_w == 1 && kPitch1[i] >= wq + 2) pitch = kPitch1[i];
      if (p.stride_w == 2 && kHalf2[i] >= wq + 1) pitch = 2 * kHalf2[i];
    }
    if (pitch)
      return 15 + static_cast<size_t>((p.h_out - 1) * p.stride_h + 3) * static_cast<size_t>(pitch) + 16 +
             static_cast<size_t>(p.h_out) * static_cast<size_t>(wq);
  }
  // Channel-lane mode: constants, weights and the band (whole plane up to 4 KB, else a ring).
  return dwconv_s8_mve_lane_scratch_bytes(p);
}

// ---------------------------------------------------------------------------------------------
// TFLite requantization of the *_mve_tfl variants (conv1x1_s8_mve_tfl, conv_s8_mve_tfl,
// fc_s8_mve_tfl): the same rules, weight packing and bias folding as the variants above; the
// per-channel (multiplier, shift) pairs become three int32 words {ls, M, post} per channel,
// ls = max(shift, 0), post = -(max(-shift, 0) + 1) (the epilogue and its proof: mve_s8_common.h).
// The selection (select.cpp) only uses them when tfl_accumulators_fit holds; the pairs TFLite's
// QuantizeMultiplier gives have M in [2^30, 2^31) (or 0 with shift 0, which also works: y = 0).
inline void pack_requant_s8_mve_tfl(int32_t channels, const int32_t* qm, int32_t* out) {
  for (int32_t c = 0; c < channels; ++c) {
    const int32_t m = qm[2 * c], shift = qm[2 * c + 1];
    out[3 * c] = shift > 0 ? shift : 0;
    out[3 * c + 1] = m;
    out[3 * c + 2] = -((shift < 0 ? -shift : 0) + 1);
  }
}
inline size_t conv_requant_words_s8_mve_tfl(const ferrite_rt::ConvS8Params& p) { return 3 * static_cast<size_t>(p.c_out); }
inline void pack_conv_requant_s8_mve_tfl(const ferrite_rt::ConvS8Params& p, const int32_t* qm, int32_t* out) {
  pack_requant_s8_mve_tfl(p.c_out, qm, out);
}
template <class FcS8Params>
inline size_t fc_requant_words_s8_mve_tfl(const FcS8Params& p) {
  return 3 * static_cast<size_t>(p.out_features);
}
template <class FcS8Params>
inline void pack_fc_requant_s8_mve_tfl(const FcS8Params& p, const int32_t* qm, int32_t* out) {
  pack_requant_s8_mve_tfl(p.out_features, qm, out);
}

// Depthwise with TFLite requantization (dwconv{K}x{K}_s{S}_s8_mve_tfl): the rule, weight packing
// and bias folding of dwconv_s8_mve; the requantization words are int32 [ceil(c/4)][3][4]: per
// block of 4 channels the 4 ls, the 4 M, the 4 post (channels past c: 0, 0, -1), i.e. block c0's
// words start at 3 * c0 (the kernels' lane vectors). Scratch: always the channel-lane mode (the
// plane mode keeps the Ort epilogue only), dwconv_s8_mve_tfl_scratch_bytes.
inline size_t dw_requant_words_s8_mve_tfl(const ferrite_rt::ConvS8Params& p) {
  return 3 * static_cast<size_t>((p.c_out + 3) / 4 * 4);
}
inline void pack_dw_requant_s8_mve_tfl(const ferrite_rt::ConvS8Params& p, const int32_t* qm, int32_t* out) {
  const int32_t C4 = (p.c_out + 3) / 4 * 4;
  for (int32_t c = 0; c < C4; ++c) {
    const int32_t m = c < p.c_out ? qm[2 * c] : 0, shift = c < p.c_out ? qm[2 * c + 1] : 0;
    int32_t* b = out + 12 * (c / 4) + c % 4;
    b[0] = shift > 0 ? shift : 0;
    b[4] = m;
    b[8] = -((shift < 0 ? -shift : 0) + 1);
  }
}
// TFLite 3x3 stride-2 layers narrower than the interleaved-rows mode (w_out < 16) keep the whole
// padded int8 plane up to 16 KB (ferrite_rt::dwconv_s8_mve_whole_bytes).
inline size_t dwconv_s8_mve_tfl_scratch_bytes(const ferrite_rt::ConvS8Params& p) {
  const bool s2_narrow = p.kh == 3 && p.kw == 3 && p.stride_h == 2 && p.stride_w == 2 && p.w_out < 16;
  return dwconv_s8_mve_lane_scratch_bytes(p, s2_narrow ? 16384 : 4096);
}

#define FERRITE_MVE_DW_VARIANT(K, S)                                                                        \
  inline bool dwconv##K##x##K##_s##S##_s8_mve_applies(const ferrite_rt::ConvS8Params& p) {                \
    return dwconv_s8_mve_applies(p, K, S);                                                                  \
  }                                                                                                         \
  inline size_t dwconv##K##x##K##_s##S##_s8_mve_packed_weight_bytes(const ferrite_rt::ConvS8Params& p) {  \
    return dwconv_s8_mve_packed_weight_bytes(p);                                                            \
  }                                                                                                         \
  inline void pack_dwconv##K##x##K##_s##S##_s8_mve(const ferrite_rt::ConvS8Params& p, const int8_t* w,     \
                                                   const int32_t* bias, int8_t* w_out, int32_t* bias_out) { \
    pack_dwconv_s8_mve(p, w, bias, w_out, bias_out);                                                        \
  }
FERRITE_MVE_DW_VARIANT(3, 1)
FERRITE_MVE_DW_VARIANT(3, 2)
FERRITE_MVE_DW_VARIANT(5, 1)
FERRITE_MVE_DW_VARIANT(5, 2)
FERRITE_MVE_DW_VARIANT(7, 1)
FERRITE_MVE_DW_VARIANT(7, 2)
#undef FERRITE_MVE_DW_VARIANT

// ---------------------------------------------------------------------------------------------
// Inverted bottleneck (bottleneck{K}x{K}_s{S}_s8_mve in bottleneck_s8_mve.h): the channel-streamed
// expand -> depthwise -> project block of bottleneck_s8_nhwc built from the Helium pointwise and
// depthwise kernels. Rule: the expand and project layers satisfy conv1x1_s8_mve_applies, the
// depthwise layer dwconv_s8_mve_applies(K, S), the three chain (channel counts and spatial sizes),
// and the depthwise output has at most as many pixels as its input (the group buffer is reused in
// place). (Templates over the parameter type, like the FC functions, so that this header does not
// need the BottleneckS8Params definition unless they are used.)
template <class BottleneckS8Params>
inline bool bottleneck_s8_mve_applies(const BottleneckS8Params& p, int32_t k, int32_t s) {
  const ferrite_rt::ConvS8Params &e = p.expand, &d = p.dw, &q = p.project;
  return conv1x1_s8_mve_applies(e) && dwconv_s8_mve_applies(d, k, s) && conv1x1_s8_mve_applies(q) && e.n == 1 &&
         q.n == 1 && e.c_out == d.c_in && d.c_out == q.c_in && e.h_out == d.h_in && e.w_out == d.w_in &&
         d.h_out == q.h_in && d.w_out == q.w_in && d.h_out * d.w_out <= d.h_in * d.w_in;
}

// Scratch bytes (the formula of bottleneck_s8_mve_scratch_bytes in bottleneck_s8_mve.h).
template <class BottleneckS8Params>
inline size_t bottleneck_s8_mve_scratch_bytes(const BottleneckS8Params& p) {
  ferrite_rt::ConvS8Params d = p.dw;
  d.c_in = d.c_out = d.group = p.expand.c_out < 16 ? p.expand.c_out : 16;
  return 15 +
         4 * static_cast<size_t>(p.project.h_out) * static_cast<size_t>(p.project.w_out) *
             static_cast<size_t>(p.project.c_out) +
         16 * static_cast<size_t>(p.expand.h_in) * static_cast<size_t>(p.expand.w_in) + 16 +
         ferrite::kernels::dwconv_s8_mve_scratch_bytes(d);
}

struct BottleneckS8MveSizes {
  size_t we, wd, wq, be, bd, bq;  // bytes of packed weights, int32 entries of packed biases
};

template <class BottleneckS8Params>
inline BottleneckS8MveSizes bottleneck_s8_mve_packed_sizes(const BottleneckS8Params& p) {
  BottleneckS8MveSizes z;
  z.we = conv1x1_s8_mve_packed_weight_bytes(p.expand);
  z.wd = dwconv_s8_mve_packed_weight_bytes(p.dw);
  z.wq = static_cast<size_t>((p.project.c_in + 15) / 16) * 16 * static_cast<size_t>(p.project.c_out);
  z.be = static_cast<size_t>(p.expand.c_out);
  z.bd = static_cast<size_t>(p.dw.c_out);
  z.bq = static_cast<size_t>(p.project.c_out);
  return z;
}

// Packs from the portable layouts (biases may be null) into buffers of the sizes above.
template <class BottleneckS8Params>
inline void pack_bottleneck_s8_mve(const BottleneckS8Params& p, const int8_t* we, const int32_t* be,
                                   const int8_t* wd, const int32_t* bd, const int8_t* wq, const int32_t* bq,
                                   int8_t* we_out, int32_t* be_out, int8_t* wd_out, int32_t* bd_out, int8_t* wq_out,
                                   int32_t* bq_out) {
  pack_conv1x1_s8_mve(p.expand, we, be, we_out, be_out);
  pack_dwconv_s8_mve(p.dw, wd, bd, wd_out, bd_out);
  const ferrite_rt::ConvS8Params& q = p.project;
  const size_t c_mid = static_cast<size_t>(q.c_in), c_out = static_cast<size_t>(q.c_out);
  const size_t groups = (c_mid + 15) / 16;
  std::memset(wq_out, 0, groups * 16 * c_out);
  for (size_t oc = 0; oc < c_out; ++oc) {
    int32_t sum = 0;
    for (size_t c = 0; c < c_mid; ++c) {
      const int32_t v = static_cast<int32_t>(wq[oc * c_mid + c]) - q.w_zp;
      wq_out[((c / 16) * c_out + oc) * 16 + c % 16] = static_cast<int8_t>(v);
      sum += v;
    }
    bq_out[oc] = mve_detail::wrap_add(bq ? bq[oc] : 0, mve_detail::wrap_mul(-q.in_zp, sum));
  }
}

#define FERRITE_MVE_BN_VARIANT(K, S)                                                   \
  template <class BottleneckS8Params>                                                  \
  inline bool bottleneck##K##x##K##_s##S##_s8_mve_applies(const BottleneckS8Params& p) { \
    return bottleneck_s8_mve_applies(p, K, S);                                         \
  }
FERRITE_MVE_BN_VARIANT(3, 1)
FERRITE_MVE_BN_VARIANT(3, 2)
FERRITE_MVE_BN_VARIANT(5, 1)
FERRITE_MVE_BN_VARIANT(5, 2)
FERRITE_MVE_BN_VARIANT(7, 1)
FERRITE_MVE_BN_VARIANT(7, 2)
#undef FERRITE_MVE_BN_VARIANT

}  // namespace ferrite::kernels
