// int8 kernels with TFLite's integer arithmetic (models read by the TFLite frontend; docs/numerics.md
// "TFLite numerics"). They take the same parameter structs as the ONNX Runtime-exact kernels
// (conv_s8.h, fc_s8.h, pool_s8.h, binary_s8.h, softmax_s8.h, quantize.h, pasted before this file)
// but requantize with a per-channel int32 fixed-point multiplier and shift computed by the compiler
// (compiler/ops/tflite_numerics.cpp, as TFLite's QuantizeMultiplier computes them from the double
// scale ratio), never with a float. Every operation is int32/int64 integer arithmetic, so the host and
// every Cortex-M give the same bits. These are the reference the target variants with TFLite
// requantization (the *_tfl entries of the family lists in compiler/kernels/) are tested against.

// SaturatingRoundingDoublingHighMul: the high 32 bits of 2*a*b, rounded to nearest; the one
// overflowing case (a == b == INT32_MIN) saturates. With the nudge 1 - 2^30 for negative products and
// a truncating division, ties round up (towards +inf): the result is floor((a*b + 2^30) / 2^31) for
// every sign, which is what the target variants compute (e.g. SMMULR(2a, b), VQRDMULH).
inline int32_t tfl_srdhm(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));  // division truncates toward zero
}

// RoundingDivideByPOT: x / 2^e rounded to nearest, ties away from zero (0 <= e <= 31).
inline int32_t tfl_rdbpot(int32_t x, int32_t e) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << e) - 1);
  const int32_t rem = x & mask;
  const int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > thr ? 1 : 0);  // >> of a negative int32 is arithmetic (GCC, C++20)
}

// MultiplyByQuantizedMultiplier(x, mult, shift): x * 2^max(shift,0), saturated to int32, then
// SRDHM by mult, then a rounding right shift by max(-shift, 0). (TFLite's default double rounding.)
inline int32_t tfl_mbqm(int32_t x, int32_t mult, int32_t shift) {
  int64_t v = static_cast<int64_t>(x) * (int64_t{1} << (shift > 0 ? shift : 0));
  v = v < INT32_MIN ? INT32_MIN : (v > INT32_MAX ? INT32_MAX : v);
  return tfl_rdbpot(tfl_srdhm(static_cast<int32_t>(v), mult), shift > 0 ? 0 : -shift);
}

// MultiplyByQuantizedMultiplier(int64 x, mult, shift) (TFLite's 16x8 requantization): the multiplier
// reduced to 16 bits (rounded; 0x7FFF from 0x7FFF0000 up), x * reduced + 2^(14 - shift), arithmetic
// shift right by 15 - shift, truncated to int32 (as TFLite's default build). shift in [-31, 7].
inline int32_t tfl_mbqm64(int64_t x, int32_t mult, int32_t shift) {
  const int64_t reduced = mult < 0x7FFF0000 ? (static_cast<int64_t>(mult) + (1 << 15)) >> 16 : 0x7FFF;
  const int32_t total = 15 - shift;
  const int64_t r = (x * reduced + (int64_t{1} << (total - 1))) >> total;  // >> of a negative int64 is arithmetic
  return static_cast<int32_t>(r);
}

// One output of a conv / fully connected layer: the accumulator scaled by channel oc's (multiplier,
// shift), + zp, clamped to [lo, hi]. An int32 accumulator (int8 layers) uses tfl_mbqm, an int64 one
// (16x8 layers: int16 activations, int64 bias) tfl_mbqm64, as TFLite's kernels do.
inline int32_t tfl_scale_acc(int32_t acc, int32_t mult, int32_t shift) { return tfl_mbqm(acc, mult, shift); }
inline int32_t tfl_scale_acc(int64_t acc, int32_t mult, int32_t shift) { return tfl_mbqm64(acc, mult, shift); }
// 16x8 layers (T = int16) have zero points 0 (the compiler checks), so their loops skip them: the
// int16 kernels cost what they did as separate loops, the int8 expressions are unchanged.
template <typename T, typename Acc>
inline T tfl_store_as(Acc acc, const int32_t* qm, int32_t oc, int32_t zp, int32_t lo, int32_t hi) {
  int32_t q = tfl_scale_acc(acc, qm[2 * oc], qm[2 * oc + 1]);
  if constexpr (sizeof(T) == 1) q += zp;
  q = q < lo ? lo : q;
  return static_cast<T>(q > hi ? hi : q);
}
// One product of a conv / fully connected layer: (x - in_zp) * (w - w_zp), int32 (x * w for int16).
template <typename T, typename P>
inline int32_t tfl_tap(T x, int8_t w, const P& p) {
  if constexpr (sizeof(T) == 1) return (static_cast<int32_t>(x) - p.in_zp) * (static_cast<int32_t>(w) - p.w_zp);
  return static_cast<int32_t>(x) * static_cast<int32_t>(w);
}
inline int8_t tfl_store(int32_t acc, const int32_t* qm, int32_t oc, int32_t zp, int32_t lo, int32_t hi) {
  return tfl_store_as<int8_t>(acc, qm, oc, zp, lo, hi);
}

// Convolution (any group) on NHWC activations T (int8, or int16 for 16x8 layers with zero points 0).
// w: OHWI int8 [c_out][kh][kw][c_in/group]; bias Acc [c_out] (int32 / int64) or null; qm: int32
// [c_out][2] = (multiplier, shift). Each product (tfl_tap) is an int32 added to the Acc accumulator. Padded taps are skipped (their x - in_zp is 0). y must not alias x.
template <typename T, typename Acc>
inline void tfl_conv_nhwc(const ConvS8Params& p, const T* x, const int8_t* w, const Acc* bias, const int32_t* qm, T* y) {
  const int32_t cin_g = p.c_in / p.group, cout_g = p.c_out / p.group;
  for (int32_t n = 0; n < p.n; ++n)
    for (int32_t oh = 0; oh < p.h_out; ++oh)
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const size_t opix = ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                                 static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)) * static_cast<size_t>(p.c_out);
        for (int32_t oc = 0; oc < p.c_out; ++oc) {
          const int32_t g = oc / cout_g;
          Acc acc = 0;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = oh * p.stride_h - p.pad_top + ky * p.dil_h;
            if (ih < 0 || ih >= p.h_in) continue;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ow * p.stride_w - p.pad_left + kx * p.dil_w;
              if (iw < 0 || iw >= p.w_in) continue;
              const T* xp = x + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_in) + static_cast<size_t>(ih)) *
                                     static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) * static_cast<size_t>(p.c_in) +
                            static_cast<size_t>(g) * static_cast<size_t>(cin_g);
              const int8_t* wp = w + ((static_cast<size_t>(oc) * static_cast<size_t>(p.kh) + static_cast<size_t>(ky)) *
                                          static_cast<size_t>(p.kw) + static_cast<size_t>(kx)) * static_cast<size_t>(cin_g);
              for (int32_t ic = 0; ic < cin_g; ++ic)
                acc += static_cast<Acc>(tfl_tap(xp[ic], wp[ic], p));
            }
          }
          if (bias) acc += bias[oc];
          y[opix + static_cast<size_t>(oc)] = tfl_store_as<T>(acc, qm, oc, p.out_zp, p.act_min, p.act_max);
        }
      }
}
inline void conv_s8_nhwc_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                             const int32_t* qm, int8_t* y) {
  tfl_conv_nhwc(p, x, w, bias, qm, y);
}

// The pointwise role of conv_s8_nhwc_tfl (1x1, stride 1, no padding, group 1): the same arithmetic;
// its own kernel id lets the selection pick pointwise variants for TFLite models.
inline void conv1x1_s8_nhwc_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                                const int32_t* qm, int8_t* y) {
  conv_s8_nhwc_tfl(p, x, w, bias, qm, y);
}

// Depthwise convolution of channel c held as a plane (h_in * w_in values): output (oh, ow) goes to
// out[(oh * w_out + ow) * out_stride]. w: [kh][kw][c_out] (channel fastest).
inline void dwconv_s8_plane_tfl(const ConvS8Params& p, const int8_t* plane, const int8_t* w, const int32_t* bias,
                                const int32_t* qm, int32_t c, int8_t* out, size_t out_stride) {
  const size_t C = static_cast<size_t>(p.c_out);
  for (int32_t oh = 0; oh < p.h_out; ++oh)
    for (int32_t ow = 0; ow < p.w_out; ++ow) {
      int32_t acc = 0;
      for (int32_t ky = 0; ky < p.kh; ++ky) {
        const int32_t ih = oh * p.stride_h - p.pad_top + ky * p.dil_h;
        if (ih < 0 || ih >= p.h_in) continue;
        for (int32_t kx = 0; kx < p.kw; ++kx) {
          const int32_t iw = ow * p.stride_w - p.pad_left + kx * p.dil_w;
          if (iw < 0 || iw >= p.w_in) continue;
          acc += (static_cast<int32_t>(plane[ih * p.w_in + iw]) - p.in_zp) *
                 (static_cast<int32_t>(w[(static_cast<size_t>(ky) * static_cast<size_t>(p.kw) + static_cast<size_t>(kx)) * C +
                                         static_cast<size_t>(c)]) - p.w_zp);
        }
      }
      if (bias) acc += bias[c];
      out[(static_cast<size_t>(oh) * static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)) * out_stride] =
          tfl_store(acc, qm, c, p.out_zp, p.act_min, p.act_max);
    }
}

// Depthwise (group == c_in == c_out), NHWC, n == 1 per call of the plane routine. y must not alias x.
inline void dwconv_s8_nhwc_tfl(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                               const int32_t* qm, int8_t* y) {
  const size_t C = static_cast<size_t>(p.c_out);
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) * C;
    int8_t* yn = y + static_cast<size_t>(n) * static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out) * C;
    for (size_t c = 0; c < C; ++c) {
      // Gather-free: read the plane with stride C through a view of x.
      for (int32_t oh = 0; oh < p.h_out; ++oh)
        for (int32_t ow = 0; ow < p.w_out; ++ow) {
          int32_t acc = 0;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = oh * p.stride_h - p.pad_top + ky * p.dil_h;
            if (ih < 0 || ih >= p.h_in) continue;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ow * p.stride_w - p.pad_left + kx * p.dil_w;
              if (iw < 0 || iw >= p.w_in) continue;
              acc += (static_cast<int32_t>(xn[(static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) * C + c]) -
                      p.in_zp) *
                     (static_cast<int32_t>(w[(static_cast<size_t>(ky) * static_cast<size_t>(p.kw) + static_cast<size_t>(kx)) * C + c]) -
                      p.w_zp);
            }
          }
          if (bias) acc += bias[c];
          yn[(static_cast<size_t>(oh) * static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)) * C + c] =
              tfl_store(acc, qm, static_cast<int32_t>(c), p.out_zp, p.act_min, p.act_max);
        }
    }
  }
}

// Depthwise in place ("2N -> N+1", as dwconv_s8_nhwc_inplace): channel c is copied to `temp`
// (h_in * w_in bytes), then its outputs overwrite the channel-c slots of the same buffer. n == 1 and
// h_out * w_out <= h_in * w_in (checked by the compiler).
inline void dwconv_s8_nhwc_inplace_tfl(const ConvS8Params& p, int8_t* buf, const int8_t* w, const int32_t* bias,
                                       const int32_t* qm, void* temp_bytes) {
  int8_t* const temp = static_cast<int8_t*>(temp_bytes);
  const size_t C = static_cast<size_t>(p.c_out);
  const size_t in_plane = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
  for (size_t c = 0; c < C; ++c) {
    for (size_t i = 0; i < in_plane; ++i) temp[i] = buf[i * C + c];
    dwconv_s8_plane_tfl(p, temp, w, bias, qm, static_cast<int32_t>(c), buf + c, C);
  }
}

// Fully connected: x T [rows][K] (int8, or int16 with zero points 0), w int8 [N][K], bias Acc [N]
// (int32 / int64) or null, qm [N][2]; the accumulator as tfl_conv_nhwc's. No aliasing.
template <typename T, typename Acc>
inline void tfl_fc(const FcS8Params& p, const T* x, const int8_t* w, const Acc* bias, const int32_t* qm, T* y) {
  const int32_t K = p.in_features, N = p.out_features;
  for (int32_t r = 0; r < p.rows; ++r) {
    const T* xr = x + static_cast<size_t>(r) * static_cast<size_t>(K);
    for (int32_t j = 0; j < N; ++j) {
      const int8_t* wj = w + static_cast<size_t>(j) * static_cast<size_t>(K);
      Acc acc = 0;
      for (int32_t k = 0; k < K; ++k)
        acc += static_cast<Acc>(tfl_tap(xr[k], wj[k], p));
      if (bias) acc += bias[j];
      y[static_cast<size_t>(r) * static_cast<size_t>(N) + static_cast<size_t>(j)] =
          tfl_store_as<T>(acc, qm, j, p.out_zp, p.act_min, p.act_max);
    }
  }
}
inline void fc_s8_tfl(const FcS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias, const int32_t* qm,
                      int8_t* y) {
  tfl_fc(p, x, w, bias, qm, y);
}

// The binary operators walk the output as binary_s8 does (same_shape, or the strided view of `rank` dims, innermost last;
// broadcast operands have stride 0), calling f(a, b) -> int32 for each element; the result is
// clamped to [act_min, act_max]. In place is allowed when an input has the output's dense layout.
template <typename T, typename F>
inline void tfl_binary_walk(const BinaryS8Params& p, const T* a, const T* b, T* y, F f) {
  if (p.total <= 0) return;
  const int32_t r = p.same_shape ? 1 : p.rank;
  const int32_t inner = p.same_shape ? p.total : p.out_shape[r - 1];
  const int32_t sa = p.same_shape ? 1 : p.a_stride[r - 1];
  const int32_t sb = p.same_shape ? 1 : p.b_stride[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t ao = 0, bo = 0;
  T* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    for (int32_t i = 0; i < inner; ++i) {
      int32_t v = f(static_cast<int32_t>(a[ao + static_cast<ptrdiff_t>(i) * sa]),
                    static_cast<int32_t>(b[bo + static_cast<ptrdiff_t>(i) * sb]));
      v = v < p.act_min ? p.act_min : v;
      yp[i] = static_cast<T>(v > p.act_max ? p.act_max : v);
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

// ADD / SUB of two tensors T (TFLite's AddElementwise / SubElementwise; int8, or int16 with left
// shift 15): each input, minus its zero point, is shifted left by left_shift (20 for int8) and scaled
// by its multiplier (a ratio < 1), the int32 sum (difference) is scaled by the output multiplier, the
// output zero point added and the result clamped. The operands are walked by tfl_binary_walk (patches
// read an input region through strides). q: {left_shift, a_mult, a_shift, b_mult, b_shift, y_mult,
// y_shift}. In place is allowed when an input has the output's dense layout.
template <typename T>
inline void tfl_add_sub(const BinaryS8Params& p, const T* a, const T* b, const int32_t* q, T* y, bool subtract) {
  const int32_t ls = q[0];
  tfl_binary_walk(p, a, b, y, [&](int32_t av, int32_t bv) {
    const int32_t sa = tfl_mbqm((av - p.a_zp) * (1 << ls), q[1], q[2]);
    const int32_t sb = tfl_mbqm((bv - p.b_zp) * (1 << ls), q[3], q[4]);
    return tfl_mbqm(subtract ? sa - sb : sa + sb, q[5], q[6]) + p.y_zp;
  });
}
inline void add_s8_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, const int32_t* q, int8_t* y) {
  tfl_add_sub(p, a, b, q, y, false);
}

// Average / max pool on NHWC T (TFLite's AveragePool / MaxPool; int8, or int16 for 16x8 layers):
// average: the int32 sum of the raw values over the in-range taps, divided by their count rounding
// half away from zero; max: the largest in-range raw value. Then the fused clamp. Input and output
// share scale and zero point (the frontend checks). y must not alias x.
template <typename T>
inline void tfl_pool_nhwc(const PoolS8Params& p, const T* x, T* y, bool is_max) {
  const size_t C = static_cast<size_t>(p.c);
  for (int32_t n = 0; n < p.n; ++n)
    for (int32_t oh = 0; oh < p.h_out; ++oh)
      for (int32_t ow = 0; ow < p.w_out; ++ow)
        for (size_t c = 0; c < C; ++c) {
          int32_t acc = is_max ? (sizeof(T) == 1 ? -128 : -32768) : 0, cnt = 0;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = oh * p.stride_h - p.pad_top + ky;
            if (ih < 0 || ih >= p.h_in) continue;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ow * p.stride_w - p.pad_left + kx;
              if (iw < 0 || iw >= p.w_in) continue;
              const int32_t v = x[((static_cast<size_t>(n) * static_cast<size_t>(p.h_in) + static_cast<size_t>(ih)) *
                                       static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) * C + c];
              if (is_max) acc = v > acc ? v : acc;
              else acc += v;
              ++cnt;
            }
          }
          int32_t q = acc;
          if (!is_max) q = cnt == 0 ? 0 : (acc > 0 ? (acc + cnt / 2) / cnt : (acc - cnt / 2) / cnt);
          q = q < p.act_min ? p.act_min : (q > p.act_max ? p.act_max : q);
          y[((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                 static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)) * C + c] = static_cast<T>(q);
        }
}
inline void avgpool_s8_nhwc_tfl(const PoolS8Params& p, const int8_t* x, int8_t* y) { tfl_pool_nhwc(p, x, y, false); }

// TFLite's uint8 AVERAGE_POOL_2D (fully-uint8 models) on data stored as int8 (uint8 value - 128, as
// normalize-int8 stores it): the int32 sum of the uint8 values x + 128 over the in-range taps, which
// is never negative, divided by their count as (sum + count / 2) / count (ties round up: the uint8
// kernel's rule, not the int8 one's half away from zero on x), clamped, - 128. act_min / act_max are
// the int8-stored bounds. y must not alias x.
inline void avgpool_u8_nhwc_tfl(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  const size_t C = static_cast<size_t>(p.c);
  for (int32_t n = 0; n < p.n; ++n)
    for (int32_t oh = 0; oh < p.h_out; ++oh)
      for (int32_t ow = 0; ow < p.w_out; ++ow)
        for (size_t c = 0; c < C; ++c) {
          int32_t acc = 0, cnt = 0;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = oh * p.stride_h - p.pad_top + ky;
            if (ih < 0 || ih >= p.h_in) continue;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ow * p.stride_w - p.pad_left + kx;
              if (iw < 0 || iw >= p.w_in) continue;
              acc += static_cast<int32_t>(x[((static_cast<size_t>(n) * static_cast<size_t>(p.h_in) + static_cast<size_t>(ih)) *
                                                 static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) * C + c]) + 128;
              ++cnt;
            }
          }
          int32_t q = (cnt == 0 ? 0 : (acc + cnt / 2) / cnt) - 128;
          q = q < p.act_min ? p.act_min : (q > p.act_max ? p.act_max : q);
          y[((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                 static_cast<size_t>(p.w_out) + static_cast<size_t>(ow)) * C + c] = static_cast<int8_t>(q);
        }
}

// Requantize (TFLite QUANTIZE int8 -> int8; RELU / RELU6 on int8 or int16, T): (x - in_zp) scaled
// by (mult, shift), + out_zp, clamped to [qmin, qmax]. q: {mult, shift}. In place is allowed.
template <typename T>
inline void tfl_requantize(const RequantizeParams& p, const T* x, const int32_t* q, T* y) {
  for (int32_t i = 0; i < p.total; ++i) {
    int32_t r = tfl_mbqm(static_cast<int32_t>(x[i]) - p.in_zp, q[0], q[1]) + p.out_zp;
    r = r < p.qmin ? p.qmin : r;
    y[i] = static_cast<T>(r > p.qmax ? p.qmax : r);
  }
}
inline void requantize_s8_tfl(const RequantizeParams& p, const int8_t* x, const int32_t* q, int8_t* y) {
  tfl_requantize(p, x, q, y);
}

// ---- int8 SOFTMAX (TFLite's reference integer path, as TFLite Micro runs it) ----
// Fixed-point values are int32 with a stated number of integer bits (Qm.n). exp() of a non-positive
// Q5.26 value is computed as in gemmlowp: a polynomial on [-1/4, 0) and a barrel of exp(-2^k) factors.
inline int32_t tfl_exp_on_interval(int32_t a) {  // a in [-1/4, 0), Q0.31 -> exp(a), Q0.31
  const int32_t c = 1895147668;                  // exp(-1/8)
  const int32_t third = 715827883;               // 1/3
  const int32_t x = a + (1 << 28);               // a + 1/8
  const int32_t x2 = tfl_srdhm(x, x), x3 = tfl_srdhm(x2, x), x4 = tfl_srdhm(x2, x2);
  const int32_t x4_over_4 = tfl_rdbpot(x4, 2);
  const int32_t poly = tfl_rdbpot(tfl_srdhm(x4_over_4 + x3, third) + x2, 1);
  return c + tfl_srdhm(c, x + poly);
}
inline int32_t tfl_exp_on_negative(int32_t a) {  // a <= 0 in Q5.26 -> exp(a) in Q0.31
  const int32_t frac = 26;
  const int32_t quarter = 1 << (frac - 2);
  const int32_t a_mod = (a & (quarter - 1)) - quarter;
  int32_t r = tfl_exp_on_interval(static_cast<int32_t>(static_cast<uint32_t>(a_mod) << 5));
  const int32_t rem = a_mod - a;
  static const int32_t mult[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int32_t k = 0; k < 7; ++k)  // exponents -2 .. 4
    if (rem & (1 << (frac - 2 + k))) r = tfl_srdhm(r, mult[k]);
  return a == 0 ? INT32_MAX : r;
}
// 1 / (1 + a) for a in [0, 1) (Q0.31), Newton-Raphson in Q2.29, result Q0.31.
inline int32_t tfl_one_over_one_plus_x(int32_t a) {
  const int32_t half_den = static_cast<int32_t>((static_cast<int64_t>(a) + (int64_t{1} << 31)) / 2);
  int32_t x = 1515870810 + tfl_srdhm(half_den, -1010580540);  // 48/17 - 32/17 * d
  for (int i = 0; i < 3; ++i) {
    const int32_t one_minus = (1 << 29) - tfl_srdhm(half_den, x);
    int64_t t = static_cast<int64_t>(tfl_srdhm(x, one_minus)) * 4;
    t = t < INT32_MIN ? INT32_MIN : (t > INT32_MAX ? INT32_MAX : t);
    x += static_cast<int32_t>(t);
  }
  // ExactMulByPot<-1> (Q2.29 -> Q1.30, the same raw value), then Rescale to Q0.31: a saturating x2.
  const int64_t r = static_cast<int64_t>(x) * 2;
  return static_cast<int32_t>(r < INT32_MIN ? INT32_MIN : (r > INT32_MAX ? INT32_MAX : r));
}
inline int32_t tfl_clz32(uint32_t v) {
  int32_t n = 0;
  while (n < 32 && !(v & 0x80000000u)) {
    v <<= 1;
    ++n;
  }
  return n;
}
// q: {input_beta_multiplier, input_beta_left_shift, diff_min}. Output scale 1/256, zero point -128.
// y must not alias x.
inline void softmax_s8_tfl(const SoftmaxS8Params& p, const int8_t* x, const int32_t* q, int8_t* y) {
  const int32_t L = p.axis_len, I = p.inner;
  for (int32_t o = 0; o < p.outer; ++o)
    for (int32_t in = 0; in < I; ++in) {
      const size_t base = static_cast<size_t>(o) * static_cast<size_t>(L) * static_cast<size_t>(I) + static_cast<size_t>(in);
      auto at = [&](int32_t j) { return base + static_cast<size_t>(j) * static_cast<size_t>(I); };
      int32_t mx = -128;
      for (int32_t j = 0; j < L; ++j) mx = x[at(j)] > mx ? x[at(j)] : mx;
      int32_t sum = 0;  // Q12.19
      for (int32_t j = 0; j < L; ++j) {
        const int32_t d = static_cast<int32_t>(x[at(j)]) - mx;
        if (d >= q[2]) sum += tfl_rdbpot(tfl_exp_on_negative(tfl_mbqm(d, q[0], q[1])), 12);
      }
      const int32_t headroom = tfl_clz32(static_cast<uint32_t>(sum));
      const int32_t bits_over_unit = 12 - headroom;
      const int32_t shifted = static_cast<int32_t>((static_cast<uint32_t>(sum) << headroom) - (uint32_t{1} << 31));
      const int32_t scale = tfl_one_over_one_plus_x(shifted);
      for (int32_t j = 0; j < L; ++j) {
        const int32_t d = static_cast<int32_t>(x[at(j)]) - mx;
        int32_t r = -128;
        if (d >= q[2]) {
          const int32_t e = tfl_exp_on_negative(tfl_mbqm(d, q[0], q[1]));
          r = tfl_rdbpot(tfl_srdhm(scale, e), bits_over_unit + 31 - 8) - 128;
          r = r < -128 ? -128 : (r > 127 ? 127 : r);
        }
        y[at(j)] = static_cast<int8_t>(r);
      }
    }
}

// ---- stage 2: MEAN, PAD (TFLite Micro's int8 rules) ----
// SUB: tfl_add_sub subtracting (the compiler forms its multipliers as for ADD, TFLite's
// PrepareGeneralSubOp).
inline void sub_s8_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, const int32_t* q, int8_t* y) {
  tfl_add_sub(p, a, b, q, y, true);
}

// MUL (TFLite's MulElementwise): (a - a_zp) * (b - b_zp) scaled by one multiplier. q: {mult, shift}.
template <typename T>
inline void tfl_mul(const BinaryS8Params& p, const T* a, const T* b, const int32_t* q, T* y) {
  tfl_binary_walk(p, a, b, y,
                  [&](int32_t av, int32_t bv) { return tfl_mbqm((av - p.a_zp) * (bv - p.b_zp), q[0], q[1]) + p.y_zp; });
}
inline void mul_s8_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, const int32_t* q, int8_t* y) {
  tfl_mul(p, a, b, q, y);
}

// MAXIMUM / MINIMUM: the larger / smaller raw value (inputs and output share one quantization; the
// compiler checks). T: int8, or int16 (16x8).
template <typename T>
inline void tfl_max_min(const BinaryS8Params& p, const T* a, const T* b, T* y, bool is_max) {
  if (is_max) tfl_binary_walk(p, a, b, y, [](int32_t av, int32_t bv) { return av > bv ? av : bv; });
  else tfl_binary_walk(p, a, b, y, [](int32_t av, int32_t bv) { return av < bv ? av : bv; });
}
inline void max_s8_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) { tfl_max_min(p, a, b, y, true); }
inline void min_s8_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) { tfl_max_min(p, a, b, y, false); }

// MEAN over H and W of NHWC T (TFLite Micro's QuantizedMeanOrSum; int8, or int16 for 16x8): per
// (n, c) the int32 sum of (x - in_zp) over `spatial` values, scaled by q = {mult, shift} (the in/out
// multiplier with 1/spatial folded in by the compiler), + out_zp, clamped to [act_min, act_max]
// (T's range). y: [n][c]; in place is allowed (y == x), as for global_avgpool_s8_nhwc: (n, c)'s
// inputs are all read before y[n][c] is written.
template <typename T>
inline void tfl_mean_hw(const GlobalPoolS8Params& p, const T* x, const int32_t* q, T* y) {
  const size_t C = static_cast<size_t>(p.c), S = static_cast<size_t>(p.spatial);
  for (size_t n = 0; n < static_cast<size_t>(p.n); ++n)
    for (size_t c = 0; c < C; ++c) {
      const T* xc = x + n * S * C + c;
      int32_t acc = 0;
      for (size_t s = 0; s < S; ++s) acc += static_cast<int32_t>(xc[s * C]) - p.in_zp;
      int32_t v = tfl_mbqm(acc, q[0], q[1]) + p.out_zp;
      v = v < p.act_min ? p.act_min : (v > p.act_max ? p.act_max : v);
      y[n * C + c] = static_cast<T>(v);
    }
}
inline void mean_s8_tfl(const GlobalPoolS8Params& p, const int8_t* x, const int32_t* q, int8_t* y) {
  tfl_mean_hw(p, x, q, y);
}

// PAD / PADV2 on T (int8, or int16 for 16x8; constant mode): out-of-range positions get the value `p.value` (the
// output zero point, or PADV2's constant), the rest copy the input. Shapes are the physical ones
// (the compiler permutes an NHWC tensor's dims). y must not alias x.
template <typename T>
inline void tfl_pad(const PadParams& p, const T* x, T* y) {
  if (p.total <= 0) return;
  const int32_t r = p.rank;
  const T v = static_cast<T>(static_cast<int32_t>(p.value));
  int32_t in_stride[6];
  int32_t s = 1;
  for (int32_t d = r - 1; d >= 0; --d) {
    in_stride[d] = s;
    s *= p.in_shape[d];
  }
  const int32_t inner = p.out_shape[r - 1], in_inner = p.in_shape[r - 1], pb = p.pad_begin[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  T* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    int32_t base = 0;
    for (int32_t d = 0; d < r - 1 && base >= 0; ++d) {
      const int32_t c = idx[d] - p.pad_begin[d];
      base = (c < 0 || c >= p.in_shape[d]) ? -1 : base + c * in_stride[d];
    }
    for (int32_t i = 0; i < inner; ++i) {
      const int32_t c = i - pb;
      yp[i] = (base < 0 || c < 0 || c >= in_inner) ? v : x[base + c];
    }
    yp += inner;
    for (int32_t d = r - 2; d >= 0; --d) {
      if (++idx[d] < p.out_shape[d]) break;
      idx[d] = 0;
    }
  }
}
inline void pad_s8_tfl(const PadParams& p, const int8_t* x, int8_t* y) { tfl_pad(p, x, y); }

// QUANTIZE float32 -> int8 (TFLite's AffineQuantize): round(x / scale) half away from zero (a float
// division, std::round), + zero point, clamped to [qmin, qmax]. Per tensor; `relayout` as
// quantize_f32 (NCHW input -> NHWC output). y must not alias x.
inline int32_t tfl_quantize_value(float x, float scale, int32_t zp, int32_t qmin, int32_t qmax) {
  float v = std::round(x / scale);
  if (!(v == v)) v = 0.f;  // NaN (undefined in TFLite): the zero point
  v = v < -1073741824.f ? -1073741824.f : (v > 1073741824.f ? 1073741824.f : v);
  const int32_t q = static_cast<int32_t>(v) + zp;
  return q < qmin ? qmin : (q > qmax ? qmax : q);
}
template <typename T>
inline void tfl_quantize_f32(const QuantizeParams& p, const float* x, const float* scale, const int32_t* zero_point, T* y) {
  const size_t C = static_cast<size_t>(p.channels), I = static_cast<size_t>(p.inner);
  for (size_t o = 0; o < static_cast<size_t>(p.outer); ++o)
    for (size_t c = 0; c < C; ++c)
      for (size_t i = 0; i < I; ++i) {
        const size_t src = (o * C + c) * I + i;
        const size_t dst = p.relayout ? (o * I + i) * C + c : src;
        y[dst] = static_cast<T>(tfl_quantize_value(x[src], scale[0], zero_point[0], p.qmin, p.qmax));
      }
}
inline void quantize_f32_tfl(const QuantizeParams& p, const float* x, const float* scale, const int32_t* zero_point,
                             void* y_bytes) {
  tfl_quantize_f32(p, x, scale, zero_point, static_cast<int8_t*>(y_bytes));
}
