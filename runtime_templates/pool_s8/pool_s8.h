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
