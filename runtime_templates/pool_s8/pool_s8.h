// int8 pooling on NHWC data: MaxPool (no requantization: the output has the input's scale),
// AveragePool (com.microsoft QLinearAveragePool semantics) and GlobalAveragePool
// (QLinearGlobalAveragePool), each with float requantization as ONNX Runtime's MLAS computes it.
//
// Exact ORT arithmetic followed:
// GlobalAveragePool -- MlasQLinearGlobalAveragePoolNhwc (onnxruntime/core/mlas/lib/qlgavgpool.cpp):
//   acc = sum(x) + (-in_zp * spatial)                                (int32)
//   scale = in_scale / (out_scale * (float)spatial)                  (float: product first, then divide)
//   y = clamp(round_half_even((float)acc * scale) + out_zp)           (as MlasRequantizeOutput)
// AveragePool -- QLinearAveragePool (onnxruntime/contrib_ops/cpu/quantization/qlinear_pool.cc):
//   xf = in_scale * (float)(x - in_zp)     (dequantize_value)
//   s  = float sum of xf over the window's in-range taps, row by row (from 0.0f)
//   avg = s / (float)count                 count = kh*kw with count_include_pad (the full kernel,
//                                          never clipped), else the number of in-range taps
//   y = clamp(round_half_even(avg / out_scale + (float)out_zp))      (zero point added before rounding)
//   When the kernel covers the whole input and every pad is 0, ORT uses the global-pool path above
//   instead; avgpool_s8_nhwc does the same. ORT's QLinearAveragePool has no dilation (use 1).
struct PoolS8Params {
  int32_t n, c, h_in, w_in;
  int32_t h_out, w_out;
  int32_t kh, kw;
  int32_t stride_h, stride_w;
  int32_t dil_h, dil_w;
  int32_t pad_top, pad_left, pad_bottom, pad_right;
  int32_t count_include_pad;
  int32_t in_zp, out_zp;
  float in_scale, out_scale;
  int32_t act_min, act_max;
};

inline int8_t pool_s8_clamp(int32_t q, int32_t lo, int32_t hi) {
  q = q < -128 ? -128 : (q > 127 ? 127 : q);
  q = q < lo ? lo : (q > hi ? hi : q);
  return static_cast<int8_t>(q);
}

// The taps [*k0, *k1) of a pooling window along one axis whose positions start + k * dil
// (k < taps) lie inside [0, extent) (used by the DSP / Helium pool variants).
inline void pool_s8_window(int32_t start, int32_t taps, int32_t dil, int32_t extent, int32_t* k0, int32_t* k1) {
  int32_t a = 0;
  while (a < taps && start + a * dil < 0) ++a;
  int32_t b = a;
  while (b < taps && start + b * dil < extent) ++b;
  *k0 = a;
  *k1 = b;
}

// TFLite's int8 average pool (avgpool_s8_nhwc_tfl in tflite_s8.h) divides the window sum acc by
// the tap count cnt rounding half away from zero: (acc + cnt/2) / cnt for acc > 0, (acc - cnt/2) /
// cnt otherwise (C division truncates). Its DSP / Helium variants compute the same quotient for
// 2 <= cnt <= kTflPoolRecipMax and int8 sums (|acc| <= 128 cnt) without a division or sign tests:
//     quotient = ((u * m) >> 32) - 128,   u = acc + tfl_pool_bias(cnt) - (cnt even && acc < 0),
//     m = tfl_pool_recip(cnt) = ceil(2^32 / cnt),   tfl_pool_bias(cnt) = 128 cnt + floor(cnt / 2).
// Proof. (1) u / cnt rounds as the reference: with h = floor(cnt / 2), for acc >= 0 the reference
// is floor((acc + h) / cnt) = floor((acc + 128 cnt + h) / cnt) - 128. For acc < 0 it is
// -floor((-acc + h) / cnt) = ceil((acc - h) / cnt) = floor((acc - h + cnt - 1) / cnt), and
// cnt - 1 - h = floor((cnt - 1) / 2), which is h - 1 for even cnt and h for odd cnt: u - 128 cnt.
// (2) floor(u / cnt) = (u * m) >> 32: 0 <= u <= 255.5 cnt. m * cnt = 2^32 + e with 0 <= e <= cnt - 1
// (2^32 - 1 = cnt f + r, m = f + 1, e = cnt - 1 - r). Write u = q cnt + r', 0 <= r' <= cnt - 1;
// then u m / 2^32 = q + r' / cnt + u e / (cnt 2^32), and u e <= 255.5 cnt (cnt - 1) <= 255.5 * 4096
// * 4095 < 2^32 for cnt <= 4096, so the last term is below 1 / cnt and the floor is q. u < 2^21 and
// m <= 2^31: the product fits uint64. Every int8 sum of every count 1 .. 4200 is also checked
// against the reference by tests/kernels/variants (pool_tfl_div_check).
// cnt = 1 is acc itself, cnt = 0 (no tap) 0; larger counts divide (tfl_pool_round_div).
constexpr int32_t kTflPoolRecipMax = 4096;
inline uint32_t tfl_pool_recip(int32_t cnt) {
  return cnt <= 1 ? 0u : 0xFFFFFFFFu / static_cast<uint32_t>(cnt) + 1u;  // ceil(2^32 / cnt) for cnt >= 2
}
inline uint32_t tfl_pool_bias(int32_t cnt) { return 128u * static_cast<uint32_t>(cnt) + static_cast<uint32_t>(cnt >> 1); }
// The reference's quotient for any cnt >= 1 (m = tfl_pool_recip(cnt)).
inline int32_t tfl_pool_round_div(int32_t acc, int32_t cnt, uint32_t m) {
  if (cnt == 1) return acc;
  if (cnt > kTflPoolRecipMax) {
    const uint32_t n = (acc < 0 ? 0u - static_cast<uint32_t>(acc) : static_cast<uint32_t>(acc)) +
                       static_cast<uint32_t>(cnt >> 1);
    const int32_t q = static_cast<int32_t>(n / static_cast<uint32_t>(cnt));
    return acc < 0 ? -q : q;
  }
  const uint32_t u = static_cast<uint32_t>(acc) + tfl_pool_bias(cnt) -
                     ((cnt & 1) == 0 ? static_cast<uint32_t>(acc) >> 31 : 0u);
  return static_cast<int32_t>((static_cast<uint64_t>(u) * m) >> 32) - 128;
}

// The output pixels of a TFLite average pool (dilation 1), for its DSP and Helium variants: per pixel
// f(x0, rows, cols, cnt, yp): x0 the window's first in-range input pixel (x's start when the window
// holds none), rows x cols positions row = w_in * c bytes apart (a full-width window as one run of
// rows * cols positions), cnt = the in-range tap count, yp the pixel's output.
template <class F>
__attribute__((always_inline)) inline void avgpool_s8_tfl_windows(const PoolS8Params& p, const int8_t* x, int8_t* y,
                                                                  const F& f) {
  const size_t Cs = static_cast<size_t>(p.c);
  const size_t row = static_cast<size_t>(p.w_in) * Cs;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * row;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      int32_t ky0, ky1;
      pool_s8_window(hs, p.kh, 1, p.h_in, &ky0, &ky1);
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int32_t kx0, kx1;
        pool_s8_window(ws, p.kw, 1, p.w_in, &kx0, &kx1);
        int8_t* yp = y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                              static_cast<size_t>(p.w_out) +
                          static_cast<size_t>(ow)) *
                             Cs;
        int32_t rows = ky1 - ky0, cols = kx1 - kx0;
        const int32_t cnt = rows * cols;
        const int8_t* x0 =
            cnt > 0 ? xn + static_cast<size_t>(hs + ky0) * row + static_cast<size_t>(ws + kx0) * Cs : xn;
        if (cols == p.w_in) {  // full-width window: its rows are one run of positions
          cols = cnt;
          rows = 1;
        }
        f(x0, rows, cols, cnt, yp);
      }
    }
  }
}

// y must not alias x.
// Max over the in-range taps (padding never wins; -128 if the window has none), then the fused
// activation clamp.
inline void maxpool_s8_nhwc(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  const int32_t C = p.c;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) *
                               static_cast<size_t>(C);
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int8_t* yp = y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                              static_cast<size_t>(p.w_out) +
                          static_cast<size_t>(ow)) *
                             static_cast<size_t>(C);
        for (int32_t c = 0; c < C; ++c) yp[c] = -128;
        for (int32_t ky = 0; ky < p.kh; ++ky) {
          const int32_t ih = hs + ky * p.dil_h;
          if (ih < 0 || ih >= p.h_in) continue;
          for (int32_t kx = 0; kx < p.kw; ++kx) {
            const int32_t iw = ws + kx * p.dil_w;
            if (iw < 0 || iw >= p.w_in) continue;
            const int8_t* xp = xn + (static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) *
                                        static_cast<size_t>(C);
            for (int32_t c = 0; c < C; ++c)
              if (xp[c] > yp[c]) yp[c] = xp[c];
          }
        }
        for (int32_t c = 0; c < C; ++c) yp[c] = pool_s8_clamp(yp[c], p.act_min, p.act_max);
      }
    }
  }
}

struct GlobalPoolS8Params {
  int32_t n, c, spatial;
  int32_t in_zp, out_zp;
  float in_scale, out_scale;
  int32_t act_min, act_max;
};
// x: NHWC [n][spatial][c] -> y: [n][c]. In place is allowed (y == x).
// Channel by channel: all spatial values of (n, c) are read before y[n][c] is written, and y[n][c]
// never lies after an input value still to be read, so y == x is safe.
inline void global_avgpool_s8_nhwc(const GlobalPoolS8Params& p, const int8_t* x, int8_t* y) {
  const float denom = p.out_scale * static_cast<float>(p.spatial);
  const float scale = p.in_scale / denom;
  const int32_t bias = -p.in_zp * p.spatial;
  const int32_t C = p.c;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.spatial) * static_cast<size_t>(C);
    for (int32_t c = 0; c < C; ++c) {
      int32_t acc = 0;
      for (int32_t s = 0; s < p.spatial; ++s) acc += xn[static_cast<size_t>(s) * static_cast<size_t>(C) + static_cast<size_t>(c)];
      const int32_t q = requantize(acc + bias, scale, p.out_zp, -128, 127);
      y[static_cast<size_t>(n) * static_cast<size_t>(C) + static_cast<size_t>(c)] = pool_s8_clamp(q, p.act_min, p.act_max);
    }
  }
}

// y must not alias x.
inline void avgpool_s8_nhwc(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  if (p.kh == p.h_in && p.kw == p.w_in && p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 &&
      p.pad_right == 0 && p.h_out == 1 && p.w_out == 1) {
    const GlobalPoolS8Params g{p.n, p.c, p.h_in * p.w_in, p.in_zp, p.out_zp, p.in_scale, p.out_scale,
                               p.act_min, p.act_max};
    global_avgpool_s8_nhwc(g, x, y);
    return;
  }
  const int32_t C = p.c;
  const float zpo = static_cast<float>(p.out_zp);
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) *
                               static_cast<size_t>(C);
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int8_t* yp = y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                              static_cast<size_t>(p.w_out) +
                          static_cast<size_t>(ow)) *
                             static_cast<size_t>(C);
        int32_t cnt = 0;
        for (int32_t ky = 0; ky < p.kh; ++ky) {
          const int32_t ih = hs + ky * p.dil_h;
          if (ih < 0 || ih >= p.h_in) continue;
          for (int32_t kx = 0; kx < p.kw; ++kx) {
            const int32_t iw = ws + kx * p.dil_w;
            if (iw >= 0 && iw < p.w_in) ++cnt;
          }
        }
        if (p.count_include_pad) cnt = p.kh * p.kw;
        const float fcnt = static_cast<float>(cnt);
        for (int32_t c = 0; c < C; ++c) {
          float sum = 0.0f;
          for (int32_t ky = 0; ky < p.kh; ++ky) {
            const int32_t ih = hs + ky * p.dil_h;
            if (ih < 0 || ih >= p.h_in) continue;
            for (int32_t kx = 0; kx < p.kw; ++kx) {
              const int32_t iw = ws + kx * p.dil_w;
              if (iw < 0 || iw >= p.w_in) continue;
              const int32_t xv = xn[(static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw)) *
                                        static_cast<size_t>(C) +
                                    static_cast<size_t>(c)];
              sum += p.in_scale * static_cast<float>(xv - p.in_zp);
            }
          }
          const float avg = cnt > 0 ? sum / fcnt : 0.0f;
          const float t = avg / p.out_scale + zpo;
          yp[c] = pool_s8_clamp(round_half_even(t), p.act_min, p.act_max);
        }
      }
    }
  }
}

// ReduceMean over the trailing axes on int8 data (QDQ ReduceMean, e.g. the H, W mean of a
// squeeze-excitation block): ONNX Runtime runs it as DequantizeLinear -> float ReduceMean ->
// QuantizeLinear (no integer kernel), and this reproduces those float operations bit for bit.
// Rows: n * c outputs, each the mean of `spatial` inputs (NCHW: one contiguous row; _nhwc, below:
// channel c of an NHWC tensor, which ONNX Runtime sums in another order).
//   xf = (float)(x - in_zp) * in_scale                     (DequantizeLinear)
//   s  = the sum of the row's xf in Eigen's order (below)   (ReduceAggregatorSum::FastReduceKR:
//        ConstEigenVectorArrayMap(row).sum(), onnxruntime/core/providers/cpu/reduction/reduction_ops.h)
//   m  = s / (float)spatial                                 (ReduceAggregatorMean::FastReduceKR)
//   y  = QuantizeLinear(m): m / out_scale, clamp to [-128 - out_zp, 127 - out_zp], round half to
//        even, + out_zp (MlasQuantizeLinear)
// Eigen's vectorized sum (Redux.h, LinearVectorizedTraversal, SSE packets of 4 floats as ORT's x64
// build uses): ORT's buffers are 16-byte aligned, so row r starts at element offset r * spatial
// and its first aligned element is a = (4 - (r * spatial) % 4) % 4. With k = (len - a) / 4 full
// packets: k == 0 -> a plain left-to-right sum; else the packets are summed lane-wise into two
// accumulators (even/odd packets) from a, the two are added, an odd last packet is added to the
// first, the lanes reduce as (l0 + l2) + (l1 + l3), then the a leading elements and the trailing
// ones are added one by one. Checked against ONNX Runtime 1.30 float ReduceMean on 1,120 rows of
// 9 shapes (scripts/models/make_int8_patterns.py references): identical.
inline float reduce_mean_s8_deq(int8_t v, int32_t zp, float scale) {
  return static_cast<float>(static_cast<int32_t>(v) - zp) * scale;
}

inline int8_t reduce_mean_s8_row(const GlobalPoolS8Params& p, int64_t row, const int8_t* x, int32_t step) {
  const int32_t len = p.spatial;
  const int32_t zp = p.in_zp;
  const float sc = p.in_scale;
  const auto at = [&](int32_t i) { return reduce_mean_s8_deq(x[static_cast<ptrdiff_t>(i) * step], zp, sc); };
  int32_t a = static_cast<int32_t>((4 - (row % 4) * (len % 4) % 4) % 4);
  if (a > len) a = len;
  const int32_t packets = (len - a) / 4;
  float s;
  if (packets == 0) {
    s = at(0);
    for (int32_t i = 1; i < len; ++i) s += at(i);
  } else {
    float r0[4] = {0.f, 0.f, 0.f, 0.f}, r1[4] = {0.f, 0.f, 0.f, 0.f};
    for (int32_t l = 0; l < 4; ++l) r0[l] = at(a + l);
    const int32_t end2 = a + (packets / 2) * 8, end1 = a + packets * 4;
    if (packets > 1) {
      for (int32_t l = 0; l < 4; ++l) r1[l] = at(a + 4 + l);
      for (int32_t i = a + 8; i < end2; i += 8)
        for (int32_t l = 0; l < 4; ++l) {
          r0[l] += at(i + l);
          r1[l] += at(i + 4 + l);
        }
      for (int32_t l = 0; l < 4; ++l) r0[l] += r1[l];
      if (end1 > end2)
        for (int32_t l = 0; l < 4; ++l) r0[l] += at(end2 + l);
    }
    const float t0 = r0[0] + r0[2];
    const float t1 = r0[1] + r0[3];
    s = t0 + t1;
    for (int32_t i = 0; i < a; ++i) s += at(i);
    for (int32_t i = end1; i < len; ++i) s += at(i);
  }
  const float m = s / static_cast<float>(len);
  const float lo = static_cast<float>(-128 - p.out_zp), hi = static_cast<float>(127 - p.out_zp);
  float v = m / p.out_scale;
  v = v > lo ? v : lo;
  v = v < hi ? v : hi;
  return pool_s8_clamp(round_half_even(v) + p.out_zp, p.act_min, p.act_max);
}

// x [n][c][spatial] -> y [n][c]. y may not alias x.
inline void reduce_mean_s8(const GlobalPoolS8Params& p, const int8_t* x, int8_t* y) {
  const int64_t rows = static_cast<int64_t>(p.n) * p.c;
  for (int64_t r = 0; r < rows; ++r) y[r] = reduce_mean_s8_row(p, r, x + r * p.spatial, 1);
}

// x [1][spatial][c] (NHWC) -> y [c]. ONNX Runtime runs a ReduceMean whose input its layout
// transformer made NHWC (it follows the int8 convolutions, as Ferrite's layout pass does) on that
// NHWC tensor with the axes moved: ReduceAggregatorSum::FastReduceRK copies the first row of C
// values and adds the next rows one by one, i.e. per channel a plain left-to-right sum over the
// spatial positions; then m = s / (float)spatial and QuantizeLinear as above. Batch 1 only
// (fold-qdq folds no other).
inline void reduce_mean_s8_nhwc(const GlobalPoolS8Params& p, const int8_t* x, int8_t* y) {
  const float lo = static_cast<float>(-128 - p.out_zp), hi = static_cast<float>(127 - p.out_zp);
  for (int32_t c = 0; c < p.c; ++c) {
    float s = reduce_mean_s8_deq(x[c], p.in_zp, p.in_scale);
    for (int32_t i = 1; i < p.spatial; ++i)
      s += reduce_mean_s8_deq(x[static_cast<ptrdiff_t>(i) * p.c + c], p.in_zp, p.in_scale);
    const float m = s / static_cast<float>(p.spatial);
    float v = m / p.out_scale;
    v = v > lo ? v : lo;
    v = v < hi ? v : hi;
    y[c] = pool_s8_clamp(round_half_even(v) + p.out_zp, p.act_min, p.act_max);
  }
}
