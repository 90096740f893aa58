// Shared helpers of the Helium (MVE, Cortex-M55) int8 kernels (conv1x1/dwconv/conv/fc/bottleneck
// _s8_mve.h): float32 requantization of int32 accumulators and a 4-lane vector builder. Pasted
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
#endif  // FERRITE_RT_MVE_S8_COMMON
