// int8 Mul (same shape, and the squeeze-excitation / scalar broadcasts) on a core with a
// single-precision FPU (M4F, M7, M33): the FPU computes binary_s8's Mul arithmetic
//   t = (float)((a - a_zp) * (b - b_zp)) * rM + (float)y_zp,  y = clamp(round_half_even(t))
// with the same two IEEE float32 operations (VMUL, then VADD: written in assembly so that no build
// flag can fuse them) and VCVTR for the rounding, so the results are bit-identical.
// Needs binary_s8.h and binary_s8_runs.h pasted before it.
//
//   qmul_s8_fpu(p, a, b, y)
//
// Shapes: as qadd_s8_mve (binary_s8_mve.h): p.same_shape, or innermost-dim runs in which each
// operand's stride is 0 or 1 and not both 0 (the rule qmul_s8_fpu_applies in
// compiler/kernels/pack_binary_s8.h); outer dims merged into the runs or walked (binary_s8_runs.h).
//
// Per pair of elements: 2x (LDRSB a, LDRSB b, SUB, SUB, MUL), one VMOV of both products to the
// FPU, 2x (VCVT, VMUL, VADD, VCVTR), one VMOV back, 2x (SSAT, STRB) (+ the clamp when it is not the
// full int8 range).
//
// Rounding: VCVTR rounds with FPSCR's mode, round to nearest with ties to even after reset (the
// runtime never changes it); round_half_even clamps to +-2^22 first, and any value that large
// saturates to the int8 range either way (VCVTR saturates instead of overflowing). The int32
// product is below 2^16 in magnitude, exact in float. Flush-to-zero (if FPSCR.FZ were set) could
// only flush a product below 2^-126, which rounds like the exact one after + y_zp.
// In place (y == a or y == b for an operand that is not broadcast) is fine: y[i] is written after
// a[i] and b[i] are read.

#ifndef FERRITE_RT_QMUL_S8_FPU
#define FERRITE_RT_QMUL_S8_FPU

// One element: product -> float, * rM, + zpC, round; returns the rounded int32 (not saturated).
__attribute__((always_inline)) inline int32_t qmul_s8_fpu_one(int32_t prod, float rM, float zpC) {
  float f = static_cast<float>(prod);
  float q;
  __asm__("vmul.f32 %0, %1, %2\n\t"
          "vadd.f32 %0, %0, %3\n\t"
          "vcvtr.s32.f32 %0, %0"
          : "=&t"(q)
          : "t"(f), "t"(rM), "t"(zpC));
  int32_t r;
  std::memcpy(&r, &q, sizeof r);
  return r;
}

// Two elements at once: both products to the FPU and both results back with one VMOV each.
__attribute__((always_inline)) inline void qmul_s8_fpu_two(int32_t& p0, int32_t& p1, float rM, float zpC) {
  __asm__("vmov s0, s1, %[p0], %[p1]\n\t"
          "vcvt.f32.s32 s0, s0\n\t"
          "vcvt.f32.s32 s1, s1\n\t"
          "vmul.f32 s0, s0, %[rm]\n\t"
          "vmul.f32 s1, s1, %[rm]\n\t"
          "vadd.f32 s0, s0, %[zc]\n\t"
          "vadd.f32 s1, s1, %[zc]\n\t"
          "vcvtr.s32.f32 s0, s0\n\t"
          "vcvtr.s32.f32 s1, s1\n\t"
          "vmov %[p0], %[p1], s0, s1"
          : [p0] "+r"(p0), [p1] "+r"(p1)
          : [rm] "t"(rM), [zc] "t"(zpC)
          : "s0", "s1");
}

__attribute__((always_inline)) inline int32_t qmul_s8_fpu_sat8(int32_t q) {
  int32_t r;
  __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(q));
  return r;
}

// One run of n elements; sb == 0: b is one value (the pointer is not advanced).
template <bool kFull>
__attribute__((always_inline)) inline int8_t qmul_s8_fpu_finish(int32_t q, int32_t lo, int32_t hi) {
  q = qmul_s8_fpu_sat8(q);
  if (!kFull) q = q < lo ? lo : (q > hi ? hi : q);
  return static_cast<int8_t>(q);
}

// One run of n elements, two per step; kScalarB: b is one value (the pointer is not advanced).
template <bool kScalarB, bool kFull>
inline void qmul_s8_fpu_run(const int8_t* a, const int8_t* b, int8_t* y, int32_t n, int32_t azp, int32_t bzp,
                            float rM, float zpC, int32_t lo, int32_t hi) {
  const int32_t bv = static_cast<int32_t>(b[0]) - bzp;
  for (int32_t k = n >> 1; k > 0; --k) {
    const int32_t b0 = kScalarB ? bv : static_cast<int32_t>(b[0]) - bzp;
    const int32_t b1 = kScalarB ? bv : static_cast<int32_t>(b[1]) - bzp;
    int32_t p0 = (static_cast<int32_t>(a[0]) - azp) * b0;
    int32_t p1 = (static_cast<int32_t>(a[1]) - azp) * b1;
    qmul_s8_fpu_two(p0, p1, rM, zpC);
    y[0] = qmul_s8_fpu_finish<kFull>(p0, lo, hi);
    y[1] = qmul_s8_fpu_finish<kFull>(p1, lo, hi);
    a += 2;
    if (!kScalarB) b += 2;
    y += 2;
  }
  if (n & 1) {
    const int32_t b0 = kScalarB ? bv : static_cast<int32_t>(b[0]) - bzp;
    y[0] = qmul_s8_fpu_finish<kFull>(qmul_s8_fpu_one((static_cast<int32_t>(a[0]) - azp) * b0, rM, zpC), lo, hi);
  }
}

// Requires qmul_s8_fpu_applies(p) (compiler/kernels/pack_binary_s8.h).
inline void qmul_s8_fpu(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) {
  if (p.total <= 0) return;
  const float ab = p.a_scale * p.b_scale;
  const float rM = ab / p.y_scale;
  const float zpC = static_cast<float>(p.y_zp);
  const bool full = p.act_min == -128 && p.act_max == 127;
  const BinaryS8Runs v = binary_s8_runs(p);
  const int32_t inner = v.inner;
  // (a - a_zp) * (b - b_zp) commutes: a run with a one value is the run with b one value, swapped.
  const bool swap = v.sa == 0;
  const bool scalar_b = v.sa == 0 || v.sb == 0;
  const int32_t azp = swap ? p.b_zp : p.a_zp;
  const int32_t bzp = swap ? p.a_zp : p.b_zp;
  binary_s8_runs_walk(v, [&](ptrdiff_t ao, ptrdiff_t bo) {
    const int8_t* ap = swap ? b + bo : a + ao;
    const int8_t* bp = swap ? a + ao : b + bo;
    if (scalar_b) {
      if (full) qmul_s8_fpu_run<true, true>(ap, bp, y, inner, azp, bzp, rM, zpC, p.act_min, p.act_max);
      else qmul_s8_fpu_run<true, false>(ap, bp, y, inner, azp, bzp, rM, zpC, p.act_min, p.act_max);
    } else {
      if (full) qmul_s8_fpu_run<false, true>(ap, bp, y, inner, azp, bzp, rM, zpC, p.act_min, p.act_max);
      else qmul_s8_fpu_run<false, false>(ap, bp, y, inner, azp, bzp, rM, zpC, p.act_min, p.act_max);
    }
    y += inner;
  });
}

#endif  // FERRITE_RT_QMUL_S8_FPU
