// Helium (MVE) int8 average pooling for Armv8.1-M (Cortex-M55), bit-identical to the portable
// kernels of pool_s8.h for every input their selection rules (compiler/kernels/pool_s8_variants.cpp)
// admit. Needs <arm_mve.h> before the ferrite_rt namespace and pool_s8.h pasted before this file.
//
// global_avgpool_s8_mve(p, x, y)   = global_avgpool_s8_nhwc; in place allowed (y == x).
//   Rule: out_zp, act_min <= act_max inside int8, finite scale in_scale / (out_scale * spatial).
//   16 channels per block (two 8-lane int16 vectors, lane-predicated for the last block): per
//   position two VLDRB.S16 + two VADD.I16; int16 lanes are exact for 256 positions (|sum| <=
//   128 * 256), then VMOVLB/VMOVLT widen the even and odd lanes into int32 sums (starting from the
//   bias -in_zp * spatial). Requantization as conv1x1_s8_mve.h (exactness notes there): VCVT, one
//   VMUL by the scalar scale, clamp in float to [act_min - zp, act_max - zp] (VMAXNM, VMINNM),
//   VCVTN (ties to even), + zp. The reference clamps to int8 then to [act_min, act_max]; for
//   act_min <= act_max inside int8 that is the one clamp. VMOVNB/VMOVNT put even and odd channels
//   back in order and one predicated VSTRB.16 writes 8 outputs.
//   In place: a block's outputs are written after all its inputs are read, on bytes (position 0,
//   channels c .. c + 15) that later blocks do not read; batches as in the reference.
//
// avgpool_s8_mve(p, x, y)          = avgpool_s8_nhwc; y must not alias x.
//   Rule: finite in_scale >= 2^-100; act_min <= act_max inside int8.
//   The reference sums in_scale * (float)(x - in_zp) tap by tap in float32 (see avgpool_s8_fpu.h
//   for why integer sums cannot reproduce it). Here the products come from a 256-entry float table
//   (tbl[(uint8_t)x], built with VCVT + VMUL, the same IEEE operations as the reference's scalar
//   conversion and product), and 4 channels are summed per vector: per tap VLDRB.U32 (4 table
//   indices), a gather VLDRW.U32 [tbl, idx, UXTW #2] and VADD.F32 (16 channels per pass, 4
//   vectors). Each lane adds its channel's products in the reference's order (in-range rows, then
//   columns, from 0.0f), so the sums are the reference's unless the vector unit treats denormals
//   differently: with |in_scale| >= 2^-100 every product is 0 or at least in_scale in magnitude,
//   so every product and partial sum is a multiple of ulp(in_scale) >= 2^-123: no denormal ever
//   occurs (inf and NaN propagate as in scalar IEEE arithmetic). Then per channel the reference's
//   scalar divisions avg = sum / cnt, t = avg / out_scale + out_zp (VDIV is scalar only), and a
//   vector round and clamp (AvgPoolS8MveFinish). A global window without padding takes the
//   reference's global path.

#if !defined(__OPTIMIZE__)
#error "The Helium (MVE) kernels need an optimizing build (-O1 or higher)."
#endif

__attribute__((always_inline)) inline int32x4_t pool_s8_mve_requant(int32x4_t acc, float scale, float32x4_t lo,
                                                                    float32x4_t hi, int32_t zp) {
  float32x4_t f = vmulq_n_f32(vcvtq_f32_s32(acc), scale);
  f = vminnmq_f32(vmaxnmq_f32(f, lo), hi);
  return vaddq_n_s32(vcvtnq_s32_f32(f), zp);
}

FERRITE_NO_PREDICATED_VCVT inline void global_avgpool_s8_mve(const GlobalPoolS8Params& p, const int8_t* x,
                                                             int8_t* y) {
  const float denom = p.out_scale * static_cast<float>(p.spatial);
  const float scale = p.in_scale / denom;
  const int32_t bias = -p.in_zp * p.spatial;
  const int32_t C = p.c, S = p.spatial, zp = p.out_zp;
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(p.act_min - zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(p.act_max - zp));
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(S) * static_cast<size_t>(C);
    int8_t* yn = y + static_cast<size_t>(n) * static_cast<size_t>(C);
    for (int32_t c = 0; c < C; c += 16) {
      const int32_t left = C - c;
      const mve_pred16_t p0 = vctp16q(static_cast<uint32_t>(left));
      const mve_pred16_t p1 = vctp16q(static_cast<uint32_t>(left > 8 ? left - 8 : 0));
      int32x4_t e0 = vdupq_n_s32(bias), o0 = e0, e1 = e0, o1 = e0;
      const int8_t* xp = xn + c;
      for (int32_t s0 = 0; s0 < S; s0 += 256) {
        const int32_t s1 = S - s0 < 256 ? S - s0 : 256;
        int16x8_t a0 = vdupq_n_s16(0), a1 = a0;
        if (left >= 16) {
          for (int32_t s = 0; s < s1; ++s, xp += C) {
            a0 = vaddq_s16(a0, vldrbq_s16(xp));
            a1 = vaddq_s16(a1, vldrbq_s16(xp + 8));
          }
        } else {
          for (int32_t s = 0; s < s1; ++s, xp += C) {
            a0 = vaddq_s16(a0, vldrbq_z_s16(xp, p0));
            a1 = vaddq_s16(a1, vldrbq_z_s16(xp + 8, p1));
          }
        }
        e0 = vaddq_s32(e0, vmovlbq_s16(a0));
        o0 = vaddq_s32(o0, vmovltq_s16(a0));
        e1 = vaddq_s32(e1, vmovlbq_s16(a1));
        o1 = vaddq_s32(o1, vmovltq_s16(a1));
      }
      int16x8_t r0 = vdupq_n_s16(0), r1 = r0;
      r0 = vmovnbq_s32(r0, pool_s8_mve_requant(e0, scale, lo, hi, zp));
      r0 = vmovntq_s32(r0, pool_s8_mve_requant(o0, scale, lo, hi, zp));
      r1 = vmovnbq_s32(r1, pool_s8_mve_requant(e1, scale, lo, hi, zp));
      r1 = vmovntq_s32(r1, pool_s8_mve_requant(o1, scale, lo, hi, zp));
      vstrbq_p_s16(yn + c, r0, p0);
      vstrbq_p_s16(yn + c + 8, r1, p1);
    }
  }
}

// The end of 4 outputs of avgpool_s8_mve: the reference's avg = sum / cnt (0 if cnt == 0) and
// t = avg / out_scale + out_zp in scalar float (the same operations), then round and clamp as one
// vector: clamp in float to [act_min, act_max] (VMAXNM, VMINNM), VCVTN (ties to even), and a
// narrowing store of the first m lanes. The reference rounds half to even after clamping t to
// +-2^22 (NaN -> -2^22), then clamps to int8 and to [act_min, act_max]; with act_min <= act_max
// inside int8 (the rule) that equals clamp-then-round, since rounding is monotone and fixes the
// integer bounds; NaN: VMAXNM gives act_min, as the reference.
struct AvgPoolS8MveFinish {
  float fcnt, out_scale, zpo;
  float32x4_t lo, hi;
  bool any;  // cnt > 0
  __attribute__((always_inline)) void out4(float32x4_t s, int8_t* y, int32_t m) const {
    float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
    if (any) {
      a0 = vgetq_lane_f32(s, 0) / fcnt;
      a1 = vgetq_lane_f32(s, 1) / fcnt;
      a2 = vgetq_lane_f32(s, 2) / fcnt;
      a3 = vgetq_lane_f32(s, 3) / fcnt;
    }
    float32x4_t t = vdupq_n_f32(a0 / out_scale + zpo);
    t = vsetq_lane_f32(a1 / out_scale + zpo, t, 1);
    t = vsetq_lane_f32(a2 / out_scale + zpo, t, 2);
    t = vsetq_lane_f32(a3 / out_scale + zpo, t, 3);
    t = vminnmq_f32(vmaxnmq_f32(t, lo), hi);
    vstrbq_p_s32(y, vcvtnq_s32_f32(t), vctp32q(static_cast<uint32_t>(m)));
  }
};

FERRITE_NO_PREDICATED_VCVT inline void avgpool_s8_mve(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  if (p.kh == p.h_in && p.kw == p.w_in && p.pad_top == 0 && p.pad_left == 0 && p.pad_bottom == 0 &&
      p.pad_right == 0 && p.h_out == 1 && p.w_out == 1) {
    // The reference's global path, with its parameters.
    const GlobalPoolS8Params g{p.n, p.c, p.h_in * p.w_in, p.in_zp, p.out_zp, p.in_scale, p.out_scale,
                               p.act_min, p.act_max};
    global_avgpool_s8_nhwc(g, x, y);
    return;
  }
  alignas(16) float tbl[256];
  // tbl[u] = in_scale * (float)((int8_t)u - in_zp), lanes u .. u + 3.
  for (int32_t u = 0; u < 256; u += 4) {
    const int32x4_t v = vsubq_n_s32(vreinterpretq_s32_u32(vidupq_n_u32(static_cast<uint32_t>(u), 1)), p.in_zp);
    // (int8_t)u for u >= 128 is u - 256.
    const int32x4_t d = u >= 128 ? vsubq_n_s32(v, 256) : v;
    vst1q_f32(tbl + u, vmulq_n_f32(vcvtq_f32_s32(d), p.in_scale));
  }
  const int32_t C = p.c;
  const float zpo = static_cast<float>(p.out_zp);
  const float out_scale = p.out_scale;
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(p.act_min));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(p.act_max));
  const size_t row = static_cast<size_t>(p.w_in) * static_cast<size_t>(C);
  const size_t tap_step = static_cast<size_t>(p.dil_w) * static_cast<size_t>(C);
  const size_t row_step = static_cast<size_t>(p.dil_h) * row;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * row;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      int32_t ky0, ky1;
      pool_s8_window(hs, p.kh, p.dil_h, p.h_in, &ky0, &ky1);
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int32_t kx0, kx1;
        pool_s8_window(ws, p.kw, p.dil_w, p.w_in, &kx0, &kx1);
        int8_t* yp = y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                              static_cast<size_t>(p.w_out) +
                          static_cast<size_t>(ow)) *
                             static_cast<size_t>(C);
        const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
        const int32_t cnt = p.count_include_pad ? p.kh * p.kw : rows * cols;
        AvgPoolS8MveFinish fin;
        fin.fcnt = static_cast<float>(cnt);
        fin.out_scale = out_scale;
        fin.zpo = zpo;
        fin.lo = lo;
        fin.hi = hi;
        fin.any = cnt > 0;
        const int8_t* x0 = rows > 0 && cols > 0
                               ? xn + static_cast<size_t>(hs + ky0 * p.dil_h) * row +
                                     static_cast<size_t>(ws + kx0 * p.dil_w) * static_cast<size_t>(C)
                               : xn;
        int32_t c = 0;
        for (; c + 16 <= C; c += 16) {
          float32x4_t s0 = vdupq_n_f32(0.0f), s1 = s0, s2 = s0, s3 = s0;
          const uint8_t* r = reinterpret_cast<const uint8_t*>(x0 + c);
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const uint8_t* q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += tap_step) {
              s0 = vaddq_f32(s0, vldrwq_gather_shifted_offset_f32(tbl, vldrbq_u32(q)));
              s1 = vaddq_f32(s1, vldrwq_gather_shifted_offset_f32(tbl, vldrbq_u32(q + 4)));
              s2 = vaddq_f32(s2, vldrwq_gather_shifted_offset_f32(tbl, vldrbq_u32(q + 8)));
              s3 = vaddq_f32(s3, vldrwq_gather_shifted_offset_f32(tbl, vldrbq_u32(q + 12)));
            }
          }
          fin.out4(s0, yp + c, 4);
          fin.out4(s1, yp + c + 4, 4);
          fin.out4(s2, yp + c + 8, 4);
          fin.out4(s3, yp + c + 12, 4);
        }
        for (; c < C; c += 4) {  // the last C % 16 channels, 4 (or fewer: lane predicate) at a time
          const int32_t m = C - c < 4 ? C - c : 4;
          const mve_pred16_t pr = vctp32q(static_cast<uint32_t>(m));
          float32x4_t s0 = vdupq_n_f32(0.0f);
          const uint8_t* r = reinterpret_cast<const uint8_t*>(x0 + c);
          for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
            const uint8_t* q = r;
            for (int32_t kx = 0; kx < cols; ++kx, q += tap_step)
              s0 = vaddq_f32(s0, vldrwq_gather_shifted_offset_f32(tbl, vldrbq_z_u32(q, pr)));
          }
          fin.out4(s0, yp + c, m);
        }
      }
    }
  }
}

// maxpool_s8_mve(p, x, y)          = maxpool_s8_nhwc; y must not alias x.
//   Rule: act_min <= act_max inside int8. Per output pixel the in-range window is computed once;
//   16 channels per vector, VMAX.S8 per tap from -128 (the reference's value for a window without
//   in-range taps), then VMAX/VMIN with act_min/act_max (the reference's clamp for lo <= hi) and one
//   store; the last C % 16 channels under a lane predicate (loads of lanes >= C read nothing).
inline void maxpool_s8_mve(const PoolS8Params& p, const int8_t* x, int8_t* y) {
  const int32_t C = p.c;
  const int8x16_t lo = vdupq_n_s8(static_cast<int8_t>(p.act_min));
  const int8x16_t hi = vdupq_n_s8(static_cast<int8_t>(p.act_max));
  const size_t row = static_cast<size_t>(p.w_in) * static_cast<size_t>(C);
  const size_t tap_step = static_cast<size_t>(p.dil_w) * static_cast<size_t>(C);
  const size_t row_step = static_cast<size_t>(p.dil_h) * row;
  for (int32_t n = 0; n < p.n; ++n) {
    const int8_t* xn = x + static_cast<size_t>(n) * static_cast<size_t>(p.h_in) * row;
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int32_t hs = oh * p.stride_h - p.pad_top;
      int32_t ky0, ky1;
      pool_s8_window(hs, p.kh, p.dil_h, p.h_in, &ky0, &ky1);
      for (int32_t ow = 0; ow < p.w_out; ++ow) {
        const int32_t ws = ow * p.stride_w - p.pad_left;
        int32_t kx0, kx1;
        pool_s8_window(ws, p.kw, p.dil_w, p.w_in, &kx0, &kx1);
        int8_t* yp = y + ((static_cast<size_t>(n) * static_cast<size_t>(p.h_out) + static_cast<size_t>(oh)) *
                              static_cast<size_t>(p.w_out) +
                          static_cast<size_t>(ow)) *
                             static_cast<size_t>(C);
        const int32_t rows = ky1 - ky0, cols = kx1 - kx0;
        const int8_t* x0 = rows > 0 && cols > 0
                               ? xn + static_cast<size_t>(hs + ky0 * p.dil_h) * row +
                                     static_cast<size_t>(ws + kx0 * p.dil_w) * static_cast<size_t>(C)
                               : xn;
        for (int32_t c = 0; c < C; c += 16) {
          const mve_pred16_t pr = vctp8q(static_cast<uint32_t>(C - c));
          int8x16_t m = vdupq_n_s8(-128);
          const int8_t* r = x0 + c;
          if (C - c >= 16) {
            for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
              const int8_t* q = r;
              for (int32_t kx = 0; kx < cols; ++kx, q += tap_step) m = vmaxq_s8(m, vld1q_s8(q));
            }
          } else {
            for (int32_t ky = 0; ky < rows; ++ky, r += row_step) {
              const int8_t* q = r;
              for (int32_t kx = 0; kx < cols; ++kx, q += tap_step) m = vmaxq_s8(m, vldrbq_z_s8(q, pr));
            }
          }
          vstrbq_p_s8(yp + c, vminq_s8(vmaxq_s8(m, lo), hi), pr);
        }
      }
    }
  }
}
