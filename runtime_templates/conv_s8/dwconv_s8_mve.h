// Helium (MVE) depthwise int8 convolution for Armv8.1-M (Cortex-M55): k x k (k = 3, 5, 7), stride
// 1 or 2, dilation 1, any padding, n == 1, int8 output, out of place or in place (x == y).
// Bit-identical to dwconv_s8_nhwc / dwconv_s8_nhwc_inplace (conv_s8.h) for every input the rule
// dwconv_s8_mve_applies (compiler/kernels/pack_s8_mve.h) admits. Needs <arm_mve.h> before the
// ferrite_rt namespace and conv_s8_mve_requant (conv1x1_s8_mve.h, repeated below under a guard).
//
// Packed operands (pack_dwconv_s8_mve): w int16 [c][k*k] = w[ky][kx][c] - w_zp (little-endian, any alignment);
// bias int32 [c] = bias[c] - in_zp * sum_taps (w - w_zp).
//
// Algorithm: one channel at a time through a zero-point-padded plane in scratch.
//   1. The whole plane is filled with in_zp once per call; padding taps then contribute
//      in_zp * w', which the packed bias removes again (exact in int32, see pack_s8_mve.h).
//   2. Per channel, the channel's input values (stride c in NHWC) are gathered into the plane's
//      interior (8 bytes per VLDRB.U16 gather; c <= 4096 keeps the 16-bit offsets in range). Stride 2 stores even and odd padded columns in two
//      halves of each plane row, so every tap of 4 neighbouring outputs is one contiguous load.
//   3. Each output row is computed 4 pixels per int32 vector: per tap one VLDRB.S32 (4 plane
//      bytes widened) and one VMLA by the tap weight held as a scalar; the first tap uses VMLAS to
//      add the bias vector for free. Requantization as in conv1x1_s8_mve.h (exactness notes there)
//      and one VSTRB scatter (stride c) writes the 4 int8 outputs; the row's last 1-3 outputs are
//      stored under a lane predicate (their extra lanes read plane slack and are discarded).
// In place: channel c's input is fully copied into the plane before any of its outputs is written,
// and an output (pixel q, channel c) only overwrites the slot (q, c) of the same channel; with
// h_out * w_out <= h_in * w_in that slot's input value has been gathered already and no other
// channel reads it (same argument as dwconv_s8_nhwc_inplace).
//
// Scratch (dwconv_s8_mve_scratch_bytes): one padded plane, wq = round_up(w_out, 4),
//   stride 1: (h_out + k - 1) rows x (wq + k - 1) bytes
//   stride 2: (2 * h_out + k - 2) rows x 2 * (wq + (k - 1) / 2) bytes
//   plus 16 bytes of slack for the gathers' and loads' vector granularity.
//   e.g. 48x48 -> 48x48 3x3 s1: 50 x 50 + 16 = 2516 B; 48x48 -> 24x24 3x3 s2: 49 x 50 + 16 = 2466 B.

#ifndef FERRITE_RT_CONV_S8_MVE_COMMON
#define FERRITE_RT_CONV_S8_MVE_COMMON
// Requantizes four int32 accumulators (bias already added) with one scale: see the exactness notes
// in conv1x1_s8_mve.h. lo = float(act_min - out_zp), hi = float(act_max - out_zp).
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_requant(int32x4_t acc, float scale, float32x4_t lo,
                                                                    float32x4_t hi, int32_t zp) {
  float32x4_t f = vmulq_n_f32(vcvtq_f32_s32(acc), scale);
  f = vminnmq_f32(vmaxnmq_f32(f, lo), hi);
  return vaddq_n_s32(vcvtnq_s32_f32(f), zp);
}
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_requant_v(int32x4_t acc, float32x4_t scale,
                                                                      float32x4_t lo, float32x4_t hi, int32_t zp) {
  float32x4_t f = vmulq_f32(vcvtq_f32_s32(acc), scale);
  f = vminnmq_f32(vmaxnmq_f32(f, lo), hi);
  return vaddq_n_s32(vcvtnq_s32_f32(f), zp);
}
// {a0, a1, a2, a3} with two 2-lane VMOVs (GCC builds it with four single-lane moves).
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_vec4(int32_t a0, int32_t a1, int32_t a2, int32_t a3) {
  int32x4_t v;
  __asm__("vmov %q0[2], %q0[0], %1, %2\n\tvmov %q0[3], %q0[1], %3, %4" : "=&w"(v) : "r"(a0), "r"(a2), "r"(a1), "r"(a3));
  return v;
}
#endif  // FERRITE_RT_CONV_S8_MVE_COMMON

// Plane geometry shared by the scratch size and the kernel.
struct DwS8MveGeom {
  int32_t wq;     // w_out rounded up to a multiple of 4
  int32_t half;   // stride 2: width of the even (and of the odd) column half; stride 1: unused
  int32_t pitch;  // bytes per plane row
  int32_t rows;   // plane rows
};

inline DwS8MveGeom dwconv_s8_mve_geom(const ConvS8Params& p) {
  DwS8MveGeom g;
  const int32_t k = p.kw;
  g.wq = (p.w_out + 3) & ~3;
  if (p.stride_w == 1) {
    g.half = 0;
    g.pitch = g.wq + k - 1;
    g.rows = p.h_out + p.kh - 1;
  } else {
    g.half = g.wq + (k - 1) / 2;
    g.pitch = 2 * g.half;
    g.rows = 2 * (p.h_out - 1) + p.kh;
  }
  return g;
}

inline size_t dwconv_s8_mve_scratch_bytes(const ConvS8Params& p) {
  const DwS8MveGeom g = dwconv_s8_mve_geom(p);
  return static_cast<size_t>(g.pitch) * static_cast<size_t>(g.rows) + 16;
}

// Copies n bytes src[0], src[C], src[2C], ... to dst[0..n) (8 per gather; C <= 4096 by the rule).
// Stride 2 uses the same with a doubled C (every other column).
__attribute__((always_inline)) inline void dwconv_s8_mve_gather(int8_t* dst, const int8_t* src, int32_t n,
                                                                 uint16x8_t goff, int32_t step8) {
  const uint8_t* s = reinterpret_cast<const uint8_t*>(src);
  uint8_t* d = reinterpret_cast<uint8_t*>(dst);
  for (; n >= 8; n -= 8) {
    vstrbq_u16(d, vldrbq_gather_offset_u16(s, goff));
    s += step8;
    d += 8;
  }
  if (n > 0) {
    const mve_pred16_t pr = vctp16q(static_cast<uint32_t>(n));
    vstrbq_p_u16(d, vldrbq_gather_offset_z_u16(s, goff, pr), pr);
  }
}

// 4 outputs of one row: rows[ky] points at the plane row of tap row ky, at this output group.
// The first tap is VMLAS: x * w0 (w0 broadcast in w0v) + bias, the others VMLA by a scalar.
template <int K, int S>
__attribute__((always_inline)) inline int32x4_t dwconv_s8_mve_acc4(const int8_t* const* rows, int32_t half,
                                                                   const int32_t* wt, int32x4_t w0v, int32_t b) {
  int32x4_t acc = vmlasq_n_s32(vldrbq_s32(rows[0]), w0v, b);
#pragma GCC unroll 7
  for (int ky = 0; ky < K; ++ky) {
#pragma GCC unroll 7
    for (int kx = 0; kx < K; ++kx) {
      if (ky == 0 && kx == 0) continue;
      const int8_t* src = S == 1 ? rows[ky] + kx : rows[ky] + (kx & 1) * half + (kx >> 1);
      acc = vmlaq_n_s32(acc, vldrbq_s32(src), wt[ky * K + kx]);
    }
  }
  return acc;
}

template <int K, int S>
inline void dwconv_s8_mve_run(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                              const float* scale, int8_t* y, void* scratch) {
  const DwS8MveGeom g = dwconv_s8_mve_geom(p);
  const int32_t C = p.c_out;
  int8_t* const plane = static_cast<int8_t*>(scratch);
  // 1. Padding value everywhere (interior overwritten per channel).
  {
    const int8x16_t zpv = vdupq_n_s8(static_cast<int8_t>(p.in_zp));
    const int32_t total = g.pitch * g.rows + 16;
    for (int32_t i = 0; i + 16 <= total; i += 16) vstrbq_s8(plane + i, zpv);
  }
  // Input rows/columns that land inside the plane (padded index = input index + pad).
  const int32_t ih0 = p.pad_top > 0 ? 0 : -p.pad_top;
  const int32_t ih1 = p.h_in < g.rows - p.pad_top ? p.h_in : g.rows - p.pad_top;
  const int32_t plane_cols = S == 1 ? g.pitch : g.pitch;  // padded columns covered
  const int32_t iw0 = p.pad_left > 0 ? 0 : -p.pad_left;
  const int32_t iw1 = p.w_in < plane_cols - p.pad_left ? p.w_in : plane_cols - p.pad_left;
  const uint16x8_t goff = vmulq_n_u16(vidupq_n_u16(0, 1), static_cast<uint16_t>(S * C));
  const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(C));
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(p.act_min - p.out_zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(p.act_max - p.out_zp));
  const int32_t zp = p.out_zp;
  const int32_t wfull = p.w_out & ~3;
  const mve_pred16_t ptail = vctp32q(static_cast<uint32_t>(p.w_out - wfull));
  const size_t row_out = static_cast<size_t>(p.w_out) * static_cast<size_t>(C);
  const int8_t* wc = w;
  for (int32_t c = 0; c < C; ++c, wc += 2 * K * K) {
    // 2. Gather channel c into the plane interior.
    for (int32_t ih = ih0; ih < ih1; ++ih) {
      int8_t* prow = plane + static_cast<size_t>(ih + p.pad_top) * static_cast<size_t>(g.pitch);
      const int8_t* src = x + (static_cast<size_t>(ih) * static_cast<size_t>(p.w_in) + static_cast<size_t>(iw0)) *
                                  static_cast<size_t>(C) +
                              static_cast<size_t>(c);
      if (S == 1) {
        dwconv_s8_mve_gather(prow + iw0 + p.pad_left, src, iw1 - iw0, goff, 8 * C);
      } else {
        // Padded column P = iw + pad_left goes to half (P & 1) at index P >> 1.
        const int32_t p0 = iw0 + p.pad_left;
        const int32_t n_first = (iw1 - iw0 + 1) >> 1, n_second = (iw1 - iw0) >> 1;
        dwconv_s8_mve_gather(prow + (p0 & 1) * g.half + (p0 >> 1), src, n_first, goff, 16 * C);
        dwconv_s8_mve_gather(prow + ((p0 + 1) & 1) * g.half + ((p0 + 1) >> 1), src + C, n_second, goff, 16 * C);
      }
    }
    // 3. Outputs.
    int32_t wt[K * K];
#pragma GCC unroll 49
    for (int t = 0; t < K * K; ++t) {
      int16_t v;
      std::memcpy(&v, wc + 2 * t, sizeof v);
      wt[t] = v;
    }
    const int32x4_t w0v = vdupq_n_s32(wt[0]);
    const int32_t b = bias[c];
    const float sc = scale[c];
    for (int32_t oh = 0; oh < p.h_out; ++oh) {
      const int8_t* rows[K];
#pragma GCC unroll 7
      for (int ky = 0; ky < K; ++ky)
        rows[ky] = plane + static_cast<size_t>(oh * S + ky) * static_cast<size_t>(g.pitch);
      int8_t* yo = y + static_cast<size_t>(oh) * row_out + static_cast<size_t>(c);
      for (int32_t ow = 0; ow < wfull; ow += 4) {
        const int32x4_t acc = dwconv_s8_mve_acc4<K, S>(rows, g.half, wt, w0v, b);
        vstrbq_scatter_offset_s32(yo, yoff, conv_s8_mve_requant(acc, sc, lo, hi, zp));
#pragma GCC unroll 7
        for (int ky = 0; ky < K; ++ky) rows[ky] += 4;
        yo += 4 * C;
      }
      if (wfull < p.w_out) {
        const int32x4_t acc = dwconv_s8_mve_acc4<K, S>(rows, g.half, wt, w0v, b);
        vstrbq_scatter_offset_p_s32(yo, yoff, conv_s8_mve_requant(acc, sc, lo, hi, zp), ptail);
      }
    }
  }
}

// x_or_buf: NHWC int8 input (n == 1); y: NHWC int8 output, may equal x_or_buf (in place).
#define FERRITE_RT_DWCONV_S8_MVE(K, S)                                                                      \
  inline void dwconv##K##x##K##_s##S##_s8_mve(const ConvS8Params& p, int8_t* x_or_buf, const int8_t* w,    \
                                              const int32_t* bias, const float* scale, int8_t* y,          \
                                              void* scratch) {                                             \
    dwconv_s8_mve_run<K, S>(p, x_or_buf, w, bias, scale, y, scratch);                                      \
  }
FERRITE_RT_DWCONV_S8_MVE(3, 1)
FERRITE_RT_DWCONV_S8_MVE(3, 2)
FERRITE_RT_DWCONV_S8_MVE(5, 1)
FERRITE_RT_DWCONV_S8_MVE(5, 2)
FERRITE_RT_DWCONV_S8_MVE(7, 1)
FERRITE_RT_DWCONV_S8_MVE(7, 2)
#undef FERRITE_RT_DWCONV_S8_MVE
