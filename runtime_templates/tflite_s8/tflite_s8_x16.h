// TFLite's 16x8 quantization (models from the TFLite frontend; docs/tflite.md): int16 activations
// with zero point 0, int8 symmetric weights (per channel), int64 bias. The parameter structs are the
// int8 kernels' (ConvS8Params, FcS8Params, BinaryS8Params; zero points 0) and tfl_mbqm comes from
// tflite_s8.h, both pasted before this file. The multipliers and shifts are the ones TFLite computes
// for int8 (compiler/ops/tflite_numerics.cpp); conv and fully connected accumulate in int64 and scale
// with TFLite's 64-bit MultiplyByQuantizedMultiplier; ADD is the int8 rule with left shift 15.

// MultiplyByQuantizedMultiplier(int64 x, mult, shift) (TFLite's 16x8 requantization): the multiplier
// reduced to 16 bits (rounded; 0x7FFF from 0x7FFF0000 up), x * reduced + 2^(14 - shift), arithmetic
// shift right by 15 - shift, truncated to int32 (as TFLite's default build). shift in [-31, 7].
inline int32_t tfl_mbqm64(int64_t x, int32_t mult, int32_t shift) {
  const int64_t reduced = mult < 0x7FFF0000 ? (static_cast<int64_t>(mult) + (1 << 15)) >> 16 : 0x7FFF;
  const int32_t total = 15 - shift;
  const int64_t r = (x * reduced + (int64_t{1} << (total - 1))) >> total;  // >> of a negative int64 is arithmetic
  return static_cast<int32_t>(r);
}

// Convolution, any group (depthwise: group = c_in, with depth multiplier c_out / c_in), NHWC int16.
// w: OHWI int8 [c_out][kh][kw][c_in/group]; bias int64 [c_out] or null; qm: int32 [c_out][2] =
// (multiplier, shift). Padded taps are skipped. y must not alias x.
inline void conv_s16_nhwc_tfl(const ConvS8Params& p, const int16_t* x, const int8_t* w, const int64_t* bias,
                              const int32_t* qm, int16_t* y) {
  const int32_t cin_g = p.c_in / p.group, cout_g = p.c_out / p.group;
  for (int32_t n = 0; n < p.n; ++n)
    for (int32_t oh = 0; oh < p.h_out; ++oh)
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const size_t opix = ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                                 static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)) * static_cast<size_t>(p.c_out);
        for (int32_t oc = 0; oc < p.c_out; ++oc) {
          const int32_t g = oc / cout_g;
          int64_t acc = 0;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = oh * p.stride_h - p.pad_top + ky * p.dil_h;
            if (ih < 0 || ih >= p.h_in) continue;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ow * p.stride_w - p.pad_left + kx * p.dil_w;
              if (iw < 0 || iw >= p.w_in) continue;
              const int16_t* xp = x + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_in) + static_cast<size_t>(ih)) *
                                           static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) * static_cast<size_t>(p.c_in) +
                                  static_cast<size_t>(g) * static_cast<size_t>(cin_g);
              const int8_t* wp = w + ((static_cast<size_t>(oc) * static_cast<size_t>(p.kh) + static_cast<size_t>(ky)) *
                                          static_cast<size_t>(p.kw) + static_cast<size_t>(kx)) * static_cast<size_t>(cin_g);
              for (int32_t ic = 0; ic < cin_g; ++ic)
                acc += static_cast<int64_t>(static_cast<int32_t>(xp[ic]) * static_cast<int32_t>(wp[ic]));
            }
          }
          if (bias) acc += bias[oc];
          int32_t v = tfl_mbqm64(acc, qm[2 * oc], qm[2 * oc + 1]);
          v = v < p.act_min ? p.act_min : (v > p.act_max ? p.act_max : v);
          y[opix + static_cast<size_t>(oc)] = static_cast<int16_t>(v);
        }
      }
}

// Fully connected: x int16 [rows][K], w int8 [N][K], bias int64 [N] or null, qm [N][2]. No aliasing.
inline void fc_s16_tfl(const FcS8Params& p, const int16_t* x, const int8_t* w, const int64_t* bias, const int32_t* qm,
                       int16_t* y) {
  const int32_t K = p.in_features, N = p.out_features;
  for (int32_t r = 0; r < p.rows; ++r) {
    const int16_t* xr = x + static_cast<size_t>(r) * static_cast<size_t>(K);
    for (int32_t j = 0; j < N; ++j) {
      const int8_t* wj = w + static_cast<size_t>(j) * static_cast<size_t>(K);
      int64_t acc = 0;
      for (int32_t k = 0; k < K; ++k) acc += static_cast<int64_t>(static_cast<int32_t>(xr[k]) * static_cast<int32_t>(wj[k]));
      if (bias) acc += bias[j];
      int32_t v = tfl_mbqm64(acc, qm[2 * j], qm[2 * j + 1]);
      v = v < p.act_min ? p.act_min : (v > p.act_max ? p.act_max : v);
      y[static_cast<size_t>(r) * static_cast<size_t>(N) + static_cast<size_t>(j)] = static_cast<int16_t>(v);
    }
  }
}

// ADD of two int16 tensors (TFLite's general int16 AddElementwise): add_s8_tfl's arithmetic with
// left_shift 15 (q[0]) and the int16 clamp; the same operand walk. In place is allowed when an input
// has the output's dense layout.
inline void add_s16_tfl(const BinaryS8Params& p, const int16_t* a, const int16_t* b, const int32_t* q, int16_t* y) {
  if (p.total <= 0) return;
  const int32_t ls = q[0];
  const int32_t r = p.same_shape ? 1 : p.rank;
  const int32_t inner = p.same_shape ? p.total : p.out_shape[r - 1];
  const int32_t sa = p.same_shape ? 1 : p.a_stride[r - 1];
  const int32_t sb = p.same_shape ? 1 : p.b_stride[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t ao = 0, bo = 0;
  int16_t* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    for (int32_t i = 0; i < inner; ++i) {
      const int32_t av = (static_cast<int32_t>(a[ao + static_cast<ptrdiff_t>(i) * sa]) - p.a_zp) * (1 << ls);
      const int32_t bv = (static_cast<int32_t>(b[bo + static_cast<ptrdiff_t>(i) * sb]) - p.b_zp) * (1 << ls);
      const int32_t s = tfl_mbqm(av, q[1], q[2]) + tfl_mbqm(bv, q[3], q[4]);
      int32_t v = tfl_mbqm(s, q[5], q[6]) + p.y_zp;
      v = v < p.act_min ? p.act_min : v;
      yp[i] = static_cast<int16_t>(v > p.act_max ? p.act_max : v);
    }
    yp += inner;
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      ao += p.a_stride[d];
      bo += p.b_stride[d];
      if (idx[d] < p.out_shape[d]) break;
      ao -= static_cast<ptrdiff_t>(p.a_stride[d]) * p.out_shape[d];
      bo -= static_cast<ptrdiff_t>(p.b_stride[d]) * p.out_shape[d];
      idx[d] = 0;
    }
  }
}

// QUANTIZE float32 -> int16 (TFLite's AffineQuantize, as quantize_f32_tfl with the int16 limits) and
// DEQUANTIZE int16 -> float32 (float(q - zp) * scale: one rounding of the exact product, as TFLite's
// double product cast to float). Per tensor; relayout = 1: the NCHW side is [outer][channels][inner],
// the NHWC side [outer][inner][channels]. QuantizeParams comes from quantize/quantize.h. No aliasing.
inline void quantize_f32_s16_tfl(const QuantizeParams& p, const float* x, const float* scale, const int32_t* zero_point,
                                 int16_t* y) {
  const size_t C = static_cast<size_t>(p.channels), I = static_cast<size_t>(p.inner);
  for (size_t o = 0; o < static_cast<size_t>(p.outer); ++o)
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < I; ++i) {
        const size_t src = (o * C + c) * I + i;
        const size_t dst = p.relayout ? (o * I + i) * C + c : src;
        y[dst] = static_cast<int16_t>(tfl_quantize_value(x[src], scale[0], zero_point[0], p.qmin, p.qmax));
      }
}
inline void dequantize_s16_f32(const QuantizeParams& p, const int16_t* x, const float* scale, const int32_t* zero_point,
                               float* y) {
  const size_t C = static_cast<size_t>(p.channels), I = static_cast<size_t>(p.inner);
  for (size_t o = 0; o < static_cast<size_t>(p.outer); ++o)
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < I; ++i) {
        const size_t dst = (o * C + c) * I + i;
        const size_t src = p.relayout ? (o * I + i) * C + c : dst;
        y[dst] = static_cast<float>(static_cast<int32_t>(x[src]) - zero_point[0]) * scale[0];
      }
}
