// Helium (MVE) pointwise int8 convolution for Armv8.1-M (Cortex-M55): 1x1, stride 1, no padding,
// group 1, int8 output. Bit-identical to conv1x1_s8_nhwc (conv_s8.h) for every input the selection
// rule conv1x1_s8_mve_applies (compiler/kernels/pack_s8_mve.h) admits. Needs <arm_mve.h> before the
// ferrite_rt namespace (the emitter adds it to the prelude for MVE targets).
//
// Packed operands (pack_conv1x1_s8_mve):
//   w:    int8 [c_out][cin16], cin16 = c_in rounded up to a multiple of 16, row oc = w[oc][0..c_in)
//         followed by zeros (w_zp == 0 is required, so these are the raw weights).
//   bias: int32 [c_out] = bias[oc] - in_zp * sum_i w[oc][i] (wrapping int32 arithmetic), so that
//         sum_i x * w + bias' == sum_i (x - in_zp) * w + bias modulo 2^32, i.e. the reference's int32.
//
// Algorithm: four pixels x one output channel per step. For each 16-channel chunk, VMLADAVA.S8 forms
// the 16-term dot products of four pixel vectors with one weight vector (16 MACs per instruction);
// the last chunk loads x with a tail predicate (lanes >= c_in read as 0, nothing past the pixel is
// read). With c_in <= 16 the four pixel vectors stay in registers for all output channels. The four
// int32 sums go into one vector (two 2-lane VMOVs), get the packed bias and are requantized in
// float32 lanes (conv_s8_mve_requant below), then stored as int8 with one scatter (stride c_out).
// A last group of 1-3 pixels repeats the last pixel's address and stores under a lane predicate.
//
// Requantization exactness (vs requantize() in requant.h, reference computed with scalar VFP):
//   * float(acc): VCVT.F32.S32 rounds to nearest even, like the scalar conversion (default rounding
//     mode). MVE floating-point arithmetic always rounds to nearest even.
//   * float(acc) * scale: one IEEE float32 multiplication (no fused operations; -ffp-contract=off
//     in the reference), so identical unless denormals are involved. float(acc) is an integer (0 or
//     |.| >= 1). If scale is denormal or the product is below 2^-126 in magnitude, the exact product
//     is below 2^-126 * 2^31 = 2^-95 in magnitude, so the reference rounds it to 0 and a flushed
//     (+-0) result also gives 0: flush-to-zero cannot change an output.
//   * Rounding and clamping: the reference computes clamp(rne(clamp(v, -2^22, 2^22)) + zp, lo, hi),
//     NaN -> -2^22. Here v is clamped in float to [lo - zp, hi - zp] (VMAXNM first, then VMINNM;
//     integers, exact in float), then VCVTN (round to nearest, ties to even) and + zp. Because
//     rounding is monotone and fixes integers, rne(max(min(v))) == max(min(rne(v))) for the integer
//     bounds; the rule requires -128 <= act_min, act_max <= 127 and -128 <= out_zp <= 127, so
//     [lo - zp, hi - zp] lies inside [-2^22, 2^22] and the reference's 2^22 clamp is implied. Large
//     or infinite v saturate to the bound (no int32 overflow: the conversion sees at most 255 in
//     magnitude). NaN: VMAXNM returns the number, i.e. lo - zp -> act_min, as the reference (NaN ->
//     -2^22 -> act_min). act_min > act_max gives act_max in both (max first, then min).
//   * The int8 store keeps the low 8 bits like the reference's static_cast<int8_t>.

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

// Four pixels starting at x0 (pixel stride c_in; pixel k at x0 + k * dx[k]) against all output
// channels. kOneChunk: c_in <= 16. kPred: the group has fewer than 4 pixels (store predicate pst).
template <bool kOneChunk, bool kPred>
__attribute__((always_inline)) inline void conv1x1_s8_mve_group(const int8_t* x0, const int8_t* x1, const int8_t* x2,
                                                                const int8_t* x3, int32_t chunks,
                                                                mve_pred16_t ptail, const int8_t* w,
                                                                const int32_t* bias, const float* scale,
                                                                int32_t cout, int8_t* y, uint32x4_t yoff,
                                                                float32x4_t lo, float32x4_t hi, int32_t zp,
                                                                mve_pred16_t pst) {
  if (kOneChunk) {
    const int8x16_t v0 = vldrbq_z_s8(x0, ptail);
    const int8x16_t v1 = vldrbq_z_s8(x1, ptail);
    const int8x16_t v2 = vldrbq_z_s8(x2, ptail);
    const int8x16_t v3 = vldrbq_z_s8(x3, ptail);
    for (int32_t oc = 0; oc < cout; ++oc) {
      const int8x16_t wv = vldrbq_s8(w);
      w += 16;
      const int32_t a0 = vmladavq_s8(v0, wv);
      const int32_t a1 = vmladavq_s8(v1, wv);
      const int32_t a2 = vmladavq_s8(v2, wv);
      const int32_t a3 = vmladavq_s8(v3, wv);
      const int32x4_t acc = vaddq_n_s32(conv_s8_mve_vec4(a0, a1, a2, a3), bias[oc]);
      const int32x4_t q = conv_s8_mve_requant(acc, scale[oc], lo, hi, zp);
      if (kPred)
        vstrbq_scatter_offset_p_s32(y + oc, yoff, q, pst);
      else
        vstrbq_scatter_offset_s32(y + oc, yoff, q);
    }
  } else {
    for (int32_t oc = 0; oc < cout; ++oc) {
      int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      const int8_t* p0 = x0;
      const int8_t* p1 = x1;
      const int8_t* p2 = x2;
      const int8_t* p3 = x3;
      for (int32_t k = 1; k < chunks; ++k) {
        const int8x16_t wv = vldrbq_s8(w);
        w += 16;
        a0 = vmladavaq_s8(a0, vldrbq_s8(p0), wv);
        a1 = vmladavaq_s8(a1, vldrbq_s8(p1), wv);
        a2 = vmladavaq_s8(a2, vldrbq_s8(p2), wv);
        a3 = vmladavaq_s8(a3, vldrbq_s8(p3), wv);
        p0 += 16;
        p1 += 16;
        p2 += 16;
        p3 += 16;
      }
      const int8x16_t wv = vldrbq_s8(w);
      w += 16;
      a0 = vmladavaq_s8(a0, vldrbq_z_s8(p0, ptail), wv);
      a1 = vmladavaq_s8(a1, vldrbq_z_s8(p1, ptail), wv);
      a2 = vmladavaq_s8(a2, vldrbq_z_s8(p2, ptail), wv);
      a3 = vmladavaq_s8(a3, vldrbq_z_s8(p3, ptail), wv);
      const int32x4_t acc = vaddq_n_s32(conv_s8_mve_vec4(a0, a1, a2, a3), bias[oc]);
      const int32x4_t q = conv_s8_mve_requant(acc, scale[oc], lo, hi, zp);
      if (kPred)
        vstrbq_scatter_offset_p_s32(y + oc, yoff, q, pst);
      else
        vstrbq_scatter_offset_s32(y + oc, yoff, q);
    }
  }
}

template <bool kOneChunk>
inline void conv1x1_s8_mve_run(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                               const float* scale, int8_t* y) {
  const int32_t cin = p.c_in, cout = p.c_out;
  const int32_t chunks = (cin + 15) >> 4;
  const mve_pred16_t ptail = vctp8q(static_cast<uint32_t>(cin - (chunks - 1) * 16));
  const int32_t pixels = p.n * p.h_out * p.w_out;
  const uint32x4_t yoff = vmulq_n_u32(vidupq_n_u32(0, 1), static_cast<uint32_t>(cout));
  const float32x4_t lo = vdupq_n_f32(static_cast<float>(p.act_min - p.out_zp));
  const float32x4_t hi = vdupq_n_f32(static_cast<float>(p.act_max - p.out_zp));
  const int32_t zp = p.out_zp;
  const size_t xs = static_cast<size_t>(cin), ys = static_cast<size_t>(cout);
  int32_t px = 0;
  for (; px + 4 <= pixels; px += 4) {
    const int8_t* x0 = x + static_cast<size_t>(px) * xs;
    conv1x1_s8_mve_group<kOneChunk, false>(x0, x0 + xs, x0 + 2 * xs, x0 + 3 * xs, chunks, ptail, w, bias, scale,
                                           cout, y + static_cast<size_t>(px) * ys, yoff, lo, hi, zp, 0);
  }
  if (px < pixels) {
    const int32_t rem = pixels - px;
    const int8_t* x0 = x + static_cast<size_t>(px) * xs;
    const int8_t* x1 = rem > 1 ? x0 + xs : x0;
    const int8_t* x2 = rem > 2 ? x0 + 2 * xs : x0;
    conv1x1_s8_mve_group<kOneChunk, true>(x0, x1, x2, x0, chunks, ptail, w, bias, scale, cout,
                                          y + static_cast<size_t>(px) * ys, yoff, lo, hi, zp,
                                          vctp32q(static_cast<uint32_t>(rem)));
  }
}

// x: NHWC int8 [pixels][c_in]; w, bias: packed as above; scale: float [c_out]; y: NHWC int8
// [pixels][c_out], must not alias x.
inline void conv1x1_s8_mve(const ConvS8Params& p, const int8_t* x, const int8_t* w, const int32_t* bias,
                           const float* scale, void* y) {
  if (p.c_in <= 16)
    conv1x1_s8_mve_run<true>(p, x, w, bias, scale, static_cast<int8_t*>(y));
  else
    conv1x1_s8_mve_run<false>(p, x, w, bias, scale, static_cast<int8_t*>(y));
}
