// Shared helpers of the Helium (MVE, Cortex-M55) int8 kernels (conv1x1/dwconv/conv/fc/bottleneck
// _s8_mve.h): float32 requantization of int32 accumulators (ONNX Runtime's numerics), TFLite's
// fixed-point requantization (the *_tfl variants; proof below), the policies that select one of
// the two at compile time, and a 4-lane vector builder. Pasted
// before them (kernels.def `base`); needs <arm_mve.h> before the ferrite_rt namespace.
//
// Requantization exactness (vs requantize() in requant.h, reference computed with scalar VFP):
//   * float(acc): VCVT.F32.S32 rounds to nearest even, like the reference's scalar conversion: both
//     use the default rounding mode of FPSCR, which the runtime never changes (VCVTN below rounds
//     to nearest even by itself).
//   * float(acc) * scale: one IEEE float32 multiplication (no fused operations; -ffp-contract=off
//     in the reference), so identical unless denormals are involved. float(acc) is an integer (0 or
//     |.| >= 1). If scale is denormal or the product is below 2^-126 in magnitude, the exact product
//     is below 2^-126 * 2^31 = 2^-95 in magnitude, so the reference rounds it to 0 and a flushed
//     (+-0) result also gives 0: flush-to-zero cannot change an output.
//   * Rounding and clamping: the reference computes clamp(rne(clamp(v, -2^22, 2^22)) + zp, lo, hi),
//     NaN -> -2^22. Here v is clamped in float to [lo - zp, hi - zp] (VMAXNM first, then VMINNM;
//     integers, exact in float), then VCVTN (round to nearest, ties to even) and + zp. Because
//     rounding is monotone and fixes integers, rne(max(min(v))) == max(min(rne(v))) for the integer
//     bounds; the rules require -128 <= act_min, act_max <= 127 and -128 <= out_zp <= 127, so
//     [lo - zp, hi - zp] lies inside [-2^22, 2^22] and the reference's 2^22 clamp is implied. Large
//     or infinite v saturate to the bound (no int32 overflow: the conversion sees at most 255 in
//     magnitude). NaN: VMAXNM returns the number, i.e. lo - zp -> act_min, as the reference (NaN ->
//     -2^22 -> act_min). act_min > act_max gives act_max in both (max first, then min).
//   * The int8 store keeps the low 8 bits like the reference's static_cast<int8_t>.
// The assembly kernels (conv1x1_s8_mve.h) inline the same instruction sequence.

#if !defined(__OPTIMIZE__)
#error "The Helium (MVE) kernels need an optimizing build (-O1 or higher): their inline assembly needs more core registers than an unoptimized build leaves free."
#endif

#ifndef FERRITE_RT_MVE_S8_COMMON
#define FERRITE_RT_MVE_S8_COMMON
// Requantizes four int32 accumulators (bias already added) with one scale.
// lo = float(act_min - out_zp), hi = float(act_max - out_zp).
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_requant(int32x4_t acc, float scale, float32x4_t lo,
                                                                    float32x4_t hi, int32_t zp) {
  float32x4_t f = vmulq_n_f32(vcvtq_f32_s32(acc), scale);
  f = vminnmq_f32(vmaxnmq_f32(f, lo), hi);
  return vaddq_n_s32(vcvtnq_s32_f32(f), zp);
}
// The same with one scale per lane.
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

// ---- TFLite requantization (the *_mve_tfl variants; reference: tfl_mbqm in tflite_s8.h) ----
// Per output channel the compiler packs three int32 words (pack_requant_s8_mve_tfl in
// compiler/kernels/pack_s8_mve.h) from TFLite's (multiplier M, shift): ls = max(shift, 0),
// M, post = -(max(-shift, 0) + 1). With a = acc * 2^ls (bias added), the output is
//   clamp(VRSHL(d + 2 * VQRDMULH(a, M), post) + zp, act_min, act_max),   d = a >> 31 (0 or -1),
// computed as VSHL a by ls; d = VSHR a #31; two VQRDMLAH d, a, M (d + y, then d + 2y); VRSHL by post.
// Proof that this is tfl_mbqm(acc, M, shift) (M in [2^30, 2^31), e = max(-shift, 0) <= 31, and the
// selection's bound |acc| * 2^(ls + 1) < 2^31 from tfl_accumulators_fit, select.cpp):
//   * a = acc * 2^ls: |a| < 2^30, so VSHL does not overflow and tfl_mbqm's saturation never acts.
//   * y = SRDHM(a, M) = floor((a*M + 2^30) / 2^31) (tflite_s8.h). VQRDMLAH(d, a, M) computes
//     sat((2*a*M + d*2^32 + 2^31) >> 32) = d + floor((2aM + 2^31) / 2^32) = d + y (d is an integer);
//     |y| <= |a| < 2^30 (M < 2^31), so d + y and d + 2y fit int32: no saturation.
//   * RoundingDivideByPOT(y, e) (ties away from zero) = floor((y - [y < 0] + 2^(e-1)) / 2^e) for
//     e >= 1, = y for e = 0. VRSHL by -(e+1) gives floor((z + 2^e) / 2^(e+1)), z = 2y + d:
//     - e = 0: floor((2y + d + 1) / 2) = y for d in {0, -1}.
//     - e >= 1: E = 2y + 2^e is even and D = 2^(e+1) is even, so floor((E - 1) / D) = floor((E - 2) / D)
//       (E - 1 is odd, never a multiple of D): with d = -1 this is floor((y - 1 + 2^(e-1)) / 2^e), the
//       rounding of a negative y. d = -[a < 0] instead of -[y < 0]: y has the sign of a or is 0 (M > 0),
//       and they differ only when y = 0, where both forms give floor((2^e - [.]) / 2^(e+1)) = 0.
//     VRSHL's rounding addition is done without overflow (the architecture computes it wider), and
//     post = -32 (e = 31) gives floor((z + 2^31) / 2^32) = 0 for |z| < 2^31, as the reference's 0.
//   * + zp and the clamp: the result r satisfies |r| < 2^30, so r + zp fits; the assembly clamps
//     through 16-bit halves: VQMOVNT (saturate to int16 into the top halves), VMAX.S16 with act_min
//     in the top halves, VREV32.16 (to the bottom halves), VMIN.S16 with act_max in the bottom halves:
//     min(max(sat16(r + zp), act_min), act_max) = the reference's clamp because act_min, act_max are
//     int8 (the rules) and clamping is monotone; the byte store keeps the low 8 bits of the bottom half.
// Checked against tfl_mbqm by tests/kernels/variants/test_variants_mve.cpp (random multipliers in
// [2^30, 2^31), shifts 29 .. -31, accumulators at the bound).

// The clamp vector of the TFLite epilogue: int16 lanes, bottom halves act_max, top halves act_min.
__attribute__((always_inline)) inline int16x8_t conv_s8_mve_tfl_clamp(int32_t act_min, int32_t act_max) {
  return vreinterpretq_s16_s32(vdupq_n_s32(static_cast<int32_t>((static_cast<uint32_t>(act_min) << 16) |
                                                                (static_cast<uint32_t>(act_max) & 0xFFFFu))));
}
// The clamp and the int8 result in the low byte of each lane (see above).
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_tfl_clamp_apply(int32x4_t t, int16x8_t c) {
  int16x8_t h = vqmovntq_s32(vreinterpretq_s16_s32(t), t);
  h = vmaxq_s16(h, c);
  return vreinterpretq_s32_s16(vminq_s16(vrev32q_s16(h), c));
}
// MultiplyByQuantizedMultiplier of four lanes by one (ls, M, post) (before + zp and the clamp).
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_tfl_mbqm(int32x4_t x, int32_t ls, int32_t m, int32_t post) {
  const int32x4_t a = vshlq_r_s32(x, ls);
  int32x4_t z = vshrq_n_s32(a, 31);
  z = vqrdmlahq_n_s32(z, a, m);
  z = vqrdmlahq_n_s32(z, a, m);
  return vrshlq_n_s32(z, post);
}
// Four accumulators (bias added) of one channel: q = {ls, M, post}.
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_requant_tfl(int32x4_t acc, const int32_t* q, int16x8_t c,
                                                                        int32_t zp) {
  return conv_s8_mve_tfl_clamp_apply(vaddq_n_s32(conv_s8_mve_tfl_mbqm(acc, q[0], q[1], q[2]), zp), c);
}
// Four channels in the lanes: ls, M, post per lane.
__attribute__((always_inline)) inline int32x4_t conv_s8_mve_requant_tfl_v(int32x4_t acc, int32x4_t ls, int32x4_t m,
                                                                          int32x4_t post, int16x8_t c, int32_t zp) {
  const int32x4_t a = vshlq_s32(acc, ls);
  const int32x4_t y = vqrdmulhq_s32(a, m);
  const int32x4_t z = vaddq_s32(vaddq_s32(vshrq_n_s32(a, 31), y), y);
  return conv_s8_mve_tfl_clamp_apply(vaddq_n_s32(vrshlq_s32(z, post), zp), c);
}

// Requantization policies: the kernels that take one are templates on it, and their assembly
// selects the epilogue with .if on kTfl. Q: the type of the per-channel requantization operand;
// kWords: its words per channel; lo/hi: the two vector constants the kernels keep (TFLite: the
// clamp vector, and a vector register the epilogue uses as its temporary).
struct MveRqF32 {
  using Q = float;
  static constexpr int kTfl = 0;
  static constexpr int kWords = 1;
  static float32x4_t lo(int32_t act_min, int32_t, int32_t zp) { return vdupq_n_f32(static_cast<float>(act_min - zp)); }
  static float32x4_t hi(int32_t, int32_t act_max, int32_t zp) { return vdupq_n_f32(static_cast<float>(act_max - zp)); }
  __attribute__((always_inline)) static int32x4_t requant(int32x4_t acc, const float* q, float32x4_t lo, float32x4_t hi,
                                                          int32_t zp) {
    return conv_s8_mve_requant(acc, *q, lo, hi, zp);
  }
};
struct MveRqTfl {
  using Q = int32_t;
  static constexpr int kTfl = 1;
  static constexpr int kWords = 3;
  static float32x4_t lo(int32_t act_min, int32_t act_max, int32_t) {
    return vreinterpretq_f32_s16(conv_s8_mve_tfl_clamp(act_min, act_max));
  }
  static float32x4_t hi(int32_t, int32_t, int32_t) { return vdupq_n_f32(0.0f); }
  __attribute__((always_inline)) static int32x4_t requant(int32x4_t acc, const int32_t* q, float32x4_t lo, float32x4_t,
                                                          int32_t zp) {
    return conv_s8_mve_requant_tfl(acc, q, vreinterpretq_s16_f32(lo), zp);
  }
};
#endif  // FERRITE_RT_MVE_S8_COMMON
