// int8 Mul (same shape, and the squeeze-excitation / scalar broadcasts) on a core with a
// single-precision FPU (M4F, M7, M33): the FPU computes binary_s8's Mul arithmetic
//   t = (float)((a - a_zp) * (b - b_zp)) * rM + (float)y_zp,  y = clamp(round_half_even(t))
// with the same two IEEE float32 operations (VMUL, then VADD: written in assembly so that no build
// flag can fuse them) and VCVTR for the rounding, so the results are bit-identical.
//
//   qmul_s8_fpu(p, a, b, y)
//
// Shapes: as qadd_s8_mve (binary_s8_mve.h): p.same_shape, or innermost-dim runs in which each
// operand's stride is 0 or 1 and not both 0 (the rule qmul_s8_fpu_applies in
// compiler/kernels/pack_binary_s8.h); outer dims walked by binary_s8's odometer.
//
// Per element pair: 2x (LDRSB a, LDRSB b, SUB, SUB, MUL), VMOV x2 -> VCVT x2, VMUL x2, VADD x2,
// VCVTR x2, VMOV -> 2 cores, SSAT x2 (or SSAT #9 + clamp), STRB x2: about 10 instructions per
// element.
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

__attribute__((always_inline)) inline int32_t qmul_s8_fpu_sat8(int32_t q) {
  int32_t r;
  __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(q));
  return r;
}

// One run of n elements; sb == 0: b is one value (the pointer is not advanced).
template <bool kFull>
inline void qmul_s8_fpu_run(const int8_t* a, const int8_t* b, int8_t* y, int32_t n, int32_t sb, int32_t azp,
                            int32_t bzp, float rM, float zpC, int32_t lo, int32_t hi) {
  if (sb == 0) {
    const int32_t bv = static_cast<int32_t>(b[0]) - bzp;
    for (int32_t i = 0; i < n; ++i) {
      int32_t q = qmul_s8_fpu_one((static_cast<int32_t>(a[i]) - azp) * bv, rM, zpC);
      q = qmul_s8_fpu_sat8(q);
      if (!kFull) q = q < lo ? lo : (q > hi ? hi : q);
      y[i] = static_cast<int8_t>(q);
    }
    return;
  }
  for (int32_t i = 0; i < n; ++i) {
    int32_t q = qmul_s8_fpu_one((static_cast<int32_t>(a[i]) - azp) * (static_cast<int32_t>(b[i]) - bzp), rM, zpC);
    q = qmul_s8_fpu_sat8(q);
    if (!kFull) q = q < lo ? lo : (q > hi ? hi : q);
    y[i] = static_cast<int8_t>(q);
  }
}

// Requires qmul_s8_fpu_applies(p) (compiler/kernels/pack_binary_s8.h).
inline void qmul_s8_fpu(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) {
  if (p.total <= 0) return;
  const float ab = p.a_scale * p.b_scale;
  const float rM = ab / p.y_scale;
  const float zpC = static_cast<float>(p.y_zp);
  const bool full = p.act_min == -128 && p.act_max == 127;
  const int32_t r = p.same_shape ? 1 : p.rank;
  const int32_t inner = p.same_shape ? p.total : p.out_shape[r - 1];
  const int32_t sa = p.same_shape ? 1 : p.a_stride[r - 1];
  const int32_t sb = p.same_shape ? 1 : p.b_stride[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t ao = 0, bo = 0;
  for (int32_t o = 0; o < outer; ++o) {
    // a * b commutes: a run with a one value is the run with b one value, operands swapped.
    const int8_t* ap = sa == 0 ? b + bo : a + ao;
    const int8_t* bp = sa == 0 ? a + ao : b + bo;
    const int32_t azp = sa == 0 ? p.b_zp : p.a_zp;
    const int32_t bzp = sa == 0 ? p.a_zp : p.b_zp;
    const int32_t sbr = sa == 0 ? 0 : sb;
    if (full) qmul_s8_fpu_run<true>(ap, bp, y, inner, sbr, azp, bzp, rM, zpC, p.act_min, p.act_max);
    else qmul_s8_fpu_run<false>(ap, bp, y, inner, sbr, azp, bzp, rM, zpC, p.act_min, p.act_max);
    y += inner;
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      ao += p.a_stride[d];
      bo += p.b_stride[d];
      if (idx[d] < p.out_shape[d]) break;
      ao -= static_cast<ptrdiff_t>(p.a_stride[d]) * p.out_shape[d];
      bo -= static_cast<ptrdiff_t>(p.b_stride[d]) * p.out_shape[d];
      idx[d] = 0;
    }
  }
}

#endif  // FERRITE_RT_QMUL_S8_FPU
