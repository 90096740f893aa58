// Helium (MVE, Cortex-M55) TFLite int8 AVERAGE_POOL_2D: avgpool_s8_nhwc_tfl (tflite_s8/tflite_s8.h)
// bit for bit. Needs <arm_mve.h> before the ferrite_rt namespace and pool_s8/pool_s8.h pasted
// before this file. Same arguments; y must not alias x.
//
//   avgpool_s8_mve_tfl(p, x, y)   selection rule (compiler/kernels/pack_pool_s8.h): dilation 1,
//                                 act_min <= act_max inside int8, kh * kw <= 2^22
//
// As avgpool_s8_dsp_tfl.h: the in-range window of each output pixel computed once (a window as
// wide as the input, e.g. a whole-input pool, is one run of rows * w_in positions); 16 channels per
// block (two 8-lane int16 vectors, lane-predicated for the last block): per tap two VLDRB.S16 +
// two VADD.I16; int16 lanes are exact for 256 taps (|sum| <= 128 * 256), then VMOVLB / VMOVLT
// widen the even and odd lanes into int32 sums. Division for windows of up to 4096 taps: VABS,
// + floor(cnt / 2), VMULH.U32 by m = tfl_pool_recip(cnt) (proof in pool_s8.h), the sign back with
// VNEG + VPSEL; cnt = 1 (m = 0) adds the magnitude itself through a mask, cnt = 0 gives 0 as the
// reference. Larger windows divide lane by lane (tfl_pool_round_div). Clamp VMAX / VMIN (the
// reference's clamp for act_min <= act_max), VMOVNB / VMOVNT back in channel order, one predicated
// VSTRB.16 per 8 outputs.

struct AvgPoolTflMveDiv {
  int32_t cnt;
  uint32x4_t m, unit, half;
  int32x4_t lo, hi;
  __attribute__((always_inline)) int32x4_t operator()(int32x4_t acc) const {
    if (cnt > kTflPoolRecipMax) {
      int32_t a[4];
      vst1q_s32(a, acc);
      for (int i = 0; i < 4; ++i) a[i] = tfl_pool_round_div(a[i], cnt, 0u);
      acc = vld1q_s32(a);
    } else {
      const uint32x4_t mag = vaddq_u32(vreinterpretq_u32_s32(vabsq_s32(acc)), half);
      const uint32x4_t q = vaddq_u32(vmulhq_u32(mag, m), vandq_u32(mag, unit));
      const int32x4_t v = vreinterpretq_s32_u32(q);
      acc = vpselq_s32(vnegq_s32(v), v, vcmpltq_n_s32(acc, 0));
    }
    return vminq_s32(vmaxq_s32(acc, lo), hi);
  }
};

inline void avgpool_s8_mve_tfl(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  const int32_t C = p.c;
  const size_t Cs = static_cast<size_t>(C);
  const size_t row = static_cast<size_t>(p.w_in) * Cs;
  AvgPoolTflMveDiv div;
  div.lo = vdupq_n_s32(p.act_min);
  div.hi = vdupq_n_s32(p.act_max);
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
        div.cnt = cnt;
        div.m = vdupq_n_u32(tfl_pool_recip(cnt));
        div.unit = vdupq_n_u32(cnt == 1 ? 0xFFFFFFFFu : 0u);
        div.half = vdupq_n_u32(static_cast<uint32_t>(cnt >> 1));
        for (int32_t c = 0; c < C; c += 16) {
          const int32_t left = C - c;
          const mve_pred16_t p0 = vctp16q(static_cast<uint32_t>(left));
          const mve_pred16_t p1 = vctp16q(static_cast<uint32_t>(left > 8 ? left - 8 : 0));
          int32x4_t e0 = vdupq_n_s32(0), o0 = e0, e1 = e0, o1 = e0;
          int16x8_t a0 = vdupq_n_s16(0), a1 = a0;
          int32_t pending = 0;  // taps in the int16 lanes
          for (int32_t r = 0; r < rows; ++r) {
            const int8_t* q = x0 + c + static_cast<size_t>(r) * row;
            for (int32_t k = 0; k < cols;) {
              int32_t chunk = 256 - pending;
              chunk = chunk < cols - k ? chunk : cols - k;
              k += chunk;
              pending += chunk;
              if (left >= 16) {
                for (; chunk > 0; --chunk, q += Cs) {
                  a0 = vaddq_s16(a0, vldrbq_s16(q));
                  a1 = vaddq_s16(a1, vldrbq_s16(q + 8));
                }
              } else {
                for (; chunk > 0; --chunk, q += Cs) {
                  a0 = vaddq_s16(a0, vldrbq_z_s16(q, p0));
                  a1 = vaddq_s16(a1, vldrbq_z_s16(q + 8, p1));
                }
              }
              if (pending == 256) {
                e0 = vaddq_s32(e0, vmovlbq_s16(a0));
                o0 = vaddq_s32(o0, vmovltq_s16(a0));
                e1 = vaddq_s32(e1, vmovlbq_s16(a1));
                o1 = vaddq_s32(o1, vmovltq_s16(a1));
                a0 = a1 = vdupq_n_s16(0);
                pending = 0;
              }
            }
          }
          e0 = vaddq_s32(e0, vmovlbq_s16(a0));
          o0 = vaddq_s32(o0, vmovltq_s16(a0));
          e1 = vaddq_s32(e1, vmovlbq_s16(a1));
          o1 = vaddq_s32(o1, vmovltq_s16(a1));
          int16x8_t r0 = vdupq_n_s16(0), r1 = r0;
          r0 = vmovnbq_s32(r0, div(e0));
          r0 = vmovntq_s32(r0, div(o0));
          r1 = vmovnbq_s32(r1, div(e1));
          r1 = vmovntq_s32(r1, div(o1));
          vstrbq_p_s16(yp + c, r0, p0);
          vstrbq_p_s16(yp + c + 8, r1, p1);
        }
      }
    }
  }
}
