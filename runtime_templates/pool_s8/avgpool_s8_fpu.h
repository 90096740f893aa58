// int8 average pooling (avgpool_s8_nhwc in pool_s8.h: QLinearAveragePool on NHWC data) for cores
// with a single-precision FPU (M4F/M7/M33; the M55 uses avgpool_s8_mve). Bit-identical to
// avgpool_s8_nhwc for every input; same arguments; y must not alias x.
//
//   avgpool_s8_fpu(p, x, y)     selection rule (compiler/kernels/pack_pool_s8.h): act_min <= act_max
//                               inside int8 (global windows go to the global family)
//
// Why float and not SXTB16 integer sums: the reference adds in_scale * (float)(x - in_zp) tap by
// tap in float32, and each addition rounds, so the result is not a function of the integer sum
// (e.g. scale 0.1: 0.1f + 0.2f != 3 * 0.1f in float). Exactness needs the same float additions in
// the same order; this kernel removes everything else:
//   * the products come from a 256-entry table built once per call with the reference's own
//     expression, tbl[(uint8_t)x] = in_scale * (float)(x - in_zp) (same operation, same rounding;
//     -ffp-contract=off as everywhere, so the reference does not fuse it into the sum either);
//   * per output pixel the in-range window [ky0, ky1) x [kx0, kx1) and the divisor are computed
//     once (the reference tests every tap's bounds per channel), so there are no per-tap checks;
//   * channels in groups of 4: one word load per tap gives four table indices, four float sums
//     run side by side, each over the taps in the reference's order (rows, then columns, from 0.0f);
//   * the end of each output: the reference's avg = sum / cnt (0 if cnt == 0) and
//     t = avg / out_scale + out_zp (same float operations), then t is clamped in float to
//     [act_min, act_max] (NaN -> act_min) and rounded half to even by adding and subtracting
//     1.5 * 2^23 (exact for |t| < 2^22). The reference rounds first (after clamping to +-2^22,
//     NaN -> -2^22) and clamps the integer to int8 and then [act_min, act_max]: for
//     act_min <= act_max inside int8 both give the same, because rounding is monotone and fixes
//     the integer bounds, and NaN ends at act_min in both.
// Per tap and channel: a byte extract, a table load and VADD (about 4 instructions) instead of the
// reference's bounds tests, dequantization and multiply.
// A window covering the whole input without padding takes the reference's global path (as the
// reference does); the selection sends such layers to the global family instead.

// The in-range taps of a window starting at `start` (may be negative) along one axis:
// k0 <= k < k1 with 0 <= start + k * dil < size; k1 == k0 if none.
inline void avgpool_s8_fpu_range(int32_t start, int32_t k, int32_t dil, int32_t size, int32_t& k0, int32_t& k1) {
  k0 = 0;
  while (k0 < k && start + k0 * dil < 0) ++k0;
  k1 = k0;
  while (k1 < k && start + k1 * dil < size) ++k1;
}

inline void avgpool_s8_fpu(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  if (p.kh == p.h_in && p.kw == p.w_in && p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 &&
      p.pad_right == 0 && p.h_out == 1 && p.w_out == 1) {
    // The reference's global path, with its parameters.
    const GlobalPoolS8Params g{p.n, p.c, p.h_in * p.w_in, p.in_zp, p.out_zp, p.in_scale, p.out_scale,
                               p.act_min, p.act_max};
    global_avgpool_s8_nhwc(g, x, y);
    return;
  }
  float tbl[256];
  for (int32_t u = 0; u < 256; ++u)
    tbl[u] = p.in_scale * static_cast<float>(static_cast<int32_t>(static_cast<int8_t>(static_cast<uint8_t>(u))) - p.in_zp);
  const int32_t C = p.c;
  const int32_t groups = C >> 2;
  const float zpo = static_cast<float>(p.out_zp);
  const float out_scale = p.out_scale;
  const float lo = static_cast<float>(p.act_min), hi = static_cast<float>(p.act_max);
  const size_t row = static_cast<size_t>(p.w_in) * static_cast<size_t>(C);
  const size_t tap_step = static_cast<size_t>(p.dil_w) * static_cast<size_t>(C);
  const size_t row_step = static_cast<size_t>(p.dil_h) * row;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * row;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      int32_t ky0, ky1;
      avgpool_s8_fpu_range(hs, p.kh, p.dil_h, p.h_in, ky0, ky1);
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int32_t kx0, kx1;
        avgpool_s8_fpu_range(ws, p.kw, p.dil_w, p.w_in, kx0, kx1);
        int8_t* yp = y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                              static_cast<size_t>(p.w_out) +
                          static_cast<size_t>(ow)) *
                             static_cast<size_t>(C);
        const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
        const int32_t cnt = p.count_include_pad ? p.kh * p.kw : rows * cols;
        const float fcnt = static_cast<float>(cnt);
        // First in-range tap, channel 0 (only dereferenced when rows > 0 and cols > 0).
        const int8_t* x0 = rows > 0 && cols > 0
                               ? xn + static_cast<size_t>(hs + ky0 * p.dil_h) * row +
                                     static_cast<size_t>(ws + kx0 * p.dil_w) * static_cast<size_t>(C)
                               : xn;
        auto finish = [&](float sum) -> int8_t {
          const float avg = cnt > 0 ? sum / fcnt : 0.0f;
          float t = avg / out_scale + zpo;
          t = t > lo ? t : lo;  // NaN -> lo
          t = t < hi ? t : hi;
          return static_cast<int8_t>(static_cast<int32_t>((t + 12582912.0f) - 12582912.0f));
        };
        for (int32_t g = 0; g < groups; ++g) {
          float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
          const int8_t* r = x0 + 4 * g;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t* q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += tap_step) {
              uint32_t w;
              std::memcpy(&w, q, 4);
              s0 += tbl[w & 0xFFu];
              s1 += tbl[(w >> 8) & 0xFFu];
              s2 += tbl[(w >> 16) & 0xFFu];
              s3 += tbl[w >> 24];
            }
          }
          yp[4 * g] = finish(s0);
          yp[4 * g + 1] = finish(s1);
          yp[4 * g + 2] = finish(s2);
          yp[4 * g + 3] = finish(s3);
        }
        for (int32_t c = 4 * groups; c < C; ++c) {
          float s = 0.0f;
          const int8_t* r = x0 + c;
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const int8_t* q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += tap_step) s += tbl[static_cast<uint8_t>(*q)];
          }
          yp[c] = finish(s);
        }
      }
    }
  }
}
