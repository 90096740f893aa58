// Helium (MVE + MVE-F) int8 Add and Mul for Armv8.1-M (Cortex-M55): same shape and the broadcasts
// of residual and squeeze-excitation blocks, bit-identical to binary_s8 (binary_s8.h) for every
// input the selection rules qadd_s8_mve_applies / qmul_s8_mve_applies (compiler/kernels/
// pack_binary_s8.h) admit. Needs <arm_mve.h> before the ferrite_rt namespace (the emitter adds it
// to the prelude for MVE targets), binary_s8.h and binary_s8_runs.h pasted before it.
//
//   qadd_s8_mve(p, a, b, y)      qmul_s8_mve(p, a, b, y)
//
// Shapes: p.same_shape (one flat run), or runs along the innermost dim of binary_s8's view in
// which each operand's stride is 1 (it varies) or 0 (one value for the run) and not both 0 (e.g.
// NHWC x[h][w][c] * s[c]: runs of c, both varying; NCHW-style x[c][hw] + s[c]: runs of hw, s one
// value per run). binary_s8_runs.h merges outer dims into the runs where both operands are
// contiguous through them and walks the rest in output order.
//
// Algorithm: 8 elements per step. vldrb.s16 loads 8 int8 as int16; Add widens the even / odd lanes
// to int32 (vmovlb / vmovlt) and converts them to two float32 vectors; Mul subtracts the zero
// points in int16 and forms the int32 products of the even / odd lanes with vmullb / vmullt. The float32 arithmetic is ORT's (see binary_s8.h):
//   Add, both vary:  t = fma(a, rA, fma(b, rB, F))    vfmas (b * rB + F), then vfma (+ a * rA)
//   Add, b per run:  t = fma(a, rA, Fb), Fb = F + (float)b * rB   (Fb in scalar code, unfused)
//   Add, a per run:  t = fma(b, rB, Fa), Fa = F + (float)a * rA
//   Mul:             t = (float)((a - a_zp) * (b - b_zp)) * rM + (float)y_zp   (vmul, then vadd)
// each vector op being one IEEE float32 operation with one rounding, like the reference's exact
// software fma / scalar float ops. vcvtn (round to nearest, ties to even, saturating to int32) gives
// round_half_even; vqmovnb / vqmovnt narrow the even / odd int32 lanes back into one int16 vector
// in element order (saturating); then either vqmovnb.s16 (full int8 clamp) or vmax / vmin to
// [act_min, act_max] (inside int8), and vstrb.16 stores the low bytes. The tail of a run (< 8
// elements) is the same step under a lane predicate (vctp16), so nothing past a run is read or
// written.
//
// Exactness notes (vs binary_s8):
//   * round_half_even clamps to +-2^22 before rounding; any such value saturates to the int8 range
//     either way, and vcvtn saturates instead of overflowing. Saturation to int8 and the fused
//     clamp commute with the int16 narrowing (act_min, act_max are inside int8).
//   * The float ops use FPSCR's rounding mode (round to nearest even after reset; the runtime never
//     changes it). Flush-to-zero, if FPSCR.FZ were set, could only matter for subnormal operands or
//     results: the Add rule requires rA, rB, F, every fma(b, rB, F) and every F + b * rB,
//     F + a * rA to be 0 or at least 2^-125 in magnitude, so no operand is subnormal, and a
//     subnormal final result rounds to 0 both ways. For Mul, a flushed product (< 2^-126) plus
//     y_zp rounds like the exact one (it is far below half an integer).
//   * In place (y == a or y == b for an operand that is not broadcast) is fine: each step loads
//     its 8 elements of a and b before storing the 8 outputs at the same positions.

#ifndef FERRITE_RT_BINARY_S8_MVE
#define FERRITE_RT_BINARY_S8_MVE

// Saturates the int32 results of the even (te) and odd (to) elements to int8 / the fused clamp and
// stores them in element order (pred: the active lanes of the 8).
template <bool kPred>
__attribute__((always_inline)) inline void binary_s8_mve_store(int8_t* y, int32x4_t qe, int32x4_t qo, bool full,
                                                               int16x8_t lo, int16x8_t hi, mve_pred16_t pred) {
  // In assembly: the intrinsics would copy a zeroed register into each narrowing destination (whose
  // other half the instruction keeps, and which is overwritten or unused here).
  int16x8_t h;
  if (full) {
    int8x16_t x;
    __asm__("vqmovnb.s32 %q[h], %q[e]\n\t"
            "vqmovnt.s32 %q[h], %q[o]\n\t"
            "vqmovnb.s16 %q[x], %q[h]"
            : [h] "=&w"(h), [x] "=w"(x)
            : [e] "w"(qe), [o] "w"(qo));
    h = vreinterpretq_s16_s8(x);
  } else {
    __asm__("vqmovnb.s32 %q[h], %q[e]\n\t"
            "vqmovnt.s32 %q[h], %q[o]"
            : [h] "=&w"(h)
            : [e] "w"(qe), [o] "w"(qo));
    h = vminq_s16(vmaxq_s16(h, lo), hi);
  }
  if (kPred) vstrbq_p_s16(y, h, pred);
  else vstrbq_s16(y, h);
}

// 8 int8 as int16 lanes; under kPred only the lanes of pred are read (the others are 0).
template <bool kPred>
__attribute__((always_inline)) inline int16x8_t binary_s8_mve_load(const int8_t* p, mve_pred16_t pred) {
  if (kPred) return vldrbq_z_s16(p, pred);
  return vldrbq_s16(p);
}

// int8 x 8 (as int16) -> float32 even lanes / odd lanes, exact.
__attribute__((always_inline)) inline void binary_s8_mve_widen(int16x8_t v, float32x4_t& e, float32x4_t& o) {
  e = vcvtq_f32_s32(vmovlbq_s16(v));
  o = vcvtq_f32_s32(vmovltq_s16(v));
}

// 8 elements of qadd (kMode 0: both vary, 1: b one value, 2: a one value; fb = Fb or Fa).
template <int kMode, bool kFull, bool kPred>
__attribute__((always_inline)) inline void qadd_s8_mve_step(const int8_t* a, const int8_t* b, int8_t* y, float rA,
                                                            float rB, float F, float fb, int16x8_t lo, int16x8_t hi,
                                                            mve_pred16_t pred) {
  float32x4_t te, to;
  if (kMode == 0) {
    float32x4_t ae, ao, be, bo;
    binary_s8_mve_widen(binary_s8_mve_load<kPred>(a, pred), ae, ao);
    binary_s8_mve_widen(binary_s8_mve_load<kPred>(b, pred), be, bo);
    te = vfmaq_n_f32(vfmasq_n_f32(be, vdupq_n_f32(rB), F), ae, rA);
    to = vfmaq_n_f32(vfmasq_n_f32(bo, vdupq_n_f32(rB), F), ao, rA);
  } else {
    const float rv = kMode == 2 ? rB : rA;
    float32x4_t ve, vo;
    binary_s8_mve_widen(binary_s8_mve_load<kPred>(kMode == 2 ? b : a, pred), ve, vo);
    te = vfmasq_n_f32(ve, vdupq_n_f32(rv), fb);
    to = vfmasq_n_f32(vo, vdupq_n_f32(rv), fb);
  }
  binary_s8_mve_store<kPred>(y, vcvtnq_s32_f32(te), vcvtnq_s32_f32(to), kFull, lo, hi, pred);
}

// One run of n elements of qadd: full steps, then the tail under a lane predicate.
template <int kMode, bool kFull>
__attribute__((always_inline)) inline void qadd_s8_mve_run(const int8_t* a, const int8_t* b, int8_t* y, int32_t n, float rA, float rB, float F,
                            float fb, int16x8_t lo, int16x8_t hi) {
  const mve_pred16_t all = 0xFFFF;
  for (int32_t k = n >> 3; k > 0; --k) {
    qadd_s8_mve_step<kMode, kFull, false>(a, b, y, rA, rB, F, fb, lo, hi, all);
    if (kMode != 2) a += 8;
    if (kMode != 1) b += 8;
    y += 8;
  }
  if (n & 7)
    qadd_s8_mve_step<kMode, kFull, true>(a, b, y, rA, rB, F, fb, lo, hi, vctp16q(static_cast<uint32_t>(n & 7)));
}

// 8 elements of qmul (kScalarB: b is one value, bv = b - b_zp).
template <bool kScalarB, bool kFull, bool kPred>
__attribute__((always_inline)) inline void qmul_s8_mve_step(const int8_t* a, const int8_t* b, int8_t* y, int16_t azp,
                                                            int16_t bzp, int16x8_t bvv, float rM, float zpC,
                                                            int16x8_t lo, int16x8_t hi, mve_pred16_t pred) {
  const int16x8_t av = vsubq_n_s16(binary_s8_mve_load<kPred>(a, pred), azp);
  const int16x8_t bw = kScalarB ? bvv : vsubq_n_s16(binary_s8_mve_load<kPred>(b, pred), bzp);
  const int32x4_t pe = vmullbq_int_s16(av, bw);
  const int32x4_t po = vmulltq_int_s16(av, bw);
  const float32x4_t te = vaddq_n_f32(vmulq_n_f32(vcvtq_f32_s32(pe), rM), zpC);
  const float32x4_t to = vaddq_n_f32(vmulq_n_f32(vcvtq_f32_s32(po), rM), zpC);
  binary_s8_mve_store<kPred>(y, vcvtnq_s32_f32(te), vcvtnq_s32_f32(to), kFull, lo, hi, pred);
}

// One run of n elements of qmul: full steps, then the tail under a lane predicate.
template <bool kScalarB, bool kFull>
__attribute__((always_inline)) inline void qmul_s8_mve_run(const int8_t* a, const int8_t* b, int8_t* y, int32_t n, int32_t azp, int32_t bzp,
                            int32_t bv, float rM, float zpC, int16x8_t lo, int16x8_t hi) {
  const mve_pred16_t all = 0xFFFF;
  const int16_t az = static_cast<int16_t>(azp), bz = static_cast<int16_t>(bzp);
  const int16x8_t bvv = vdupq_n_s16(static_cast<int16_t>(bv));
  for (int32_t k = n >> 3; k > 0; --k) {
    qmul_s8_mve_step<kScalarB, kFull, false>(a, b, y, az, bz, bvv, rM, zpC, lo, hi, all);
    a += 8;
    if (!kScalarB) b += 8;
    y += 8;
  }
  if (n & 7)
    qmul_s8_mve_step<kScalarB, kFull, true>(a, b, y, az, bz, bvv, rM, zpC, lo, hi, vctp16q(static_cast<uint32_t>(n & 7)));
}

// All runs of qadd with one formula (the innermost strides are the same for every run).
template <int kMode, bool kFull>
inline void qadd_s8_mve_runs(const BinaryS8Runs& v, const int8_t* a, const int8_t* b, int8_t* y, float rA,
                             float rB, float F, int16x8_t lo, int16x8_t hi) {
  const int32_t inner = v.inner;
  binary_s8_runs_walk(v, [&](ptrdiff_t ao, ptrdiff_t bo) {
    const int8_t* ap = a + ao;
    const int8_t* bp = b + bo;
    float fb = 0.0f;
    if (kMode == 1) {  // binary_s8: tB = (float)b * rB, Fb = F + tB
      const float tB = static_cast<float>(static_cast<int32_t>(bp[0])) * rB;
      fb = F + tB;
    } else if (kMode == 2) {  // tA = (float)a * rA, Fa = F + tA
      const float tA = static_cast<float>(static_cast<int32_t>(ap[0])) * rA;
      fb = F + tA;
    }
    qadd_s8_mve_run<kMode, kFull>(ap, bp, y, inner, rA, rB, F, fb, lo, hi);
    y += inner;
  });
}

// All runs of qmul; kScalarB: b is one value per run (a run with a one value has been swapped to b).
template <bool kScalarB, bool kFull>
inline void qmul_s8_mve_runs(const BinaryS8Runs& v, const int8_t* a, const int8_t* b, int8_t* y, bool swap,
                             int32_t a_zp, int32_t b_zp, float rM, float zpC, int16x8_t lo, int16x8_t hi) {
  const int32_t inner = v.inner;
  const int32_t azp = swap ? b_zp : a_zp, bzp = swap ? a_zp : b_zp;
  binary_s8_runs_walk(v, [&](ptrdiff_t ao, ptrdiff_t bo) {
    const int8_t* ap = swap ? b + bo : a + ao;
    const int8_t* bp = swap ? a + ao : b + bo;
    const int32_t bv = kScalarB ? static_cast<int32_t>(bp[0]) - bzp : 0;
    qmul_s8_mve_run<kScalarB, kFull>(ap, bp, y, inner, azp, bzp, bv, rM, zpC, lo, hi);
    y += inner;
  });
}

// Requires qadd_s8_mve_applies(p) (compiler/kernels/pack_binary_s8.h).
inline void qadd_s8_mve(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) {
  if (p.total <= 0) return;
  // binary_s8's Add constants, same float32 operations in the same order.
  const float rA = p.a_scale / p.y_scale;
  const float rB = p.b_scale / p.y_scale;
  const float prodA = rA * static_cast<float>(p.a_zp);
  const float prodB = rB * static_cast<float>(p.b_zp);
  const float sumAB = prodA + prodB;
  const float F = static_cast<float>(p.y_zp) - sumAB;
  const bool full = p.act_min == -128 && p.act_max == 127;
  const int16x8_t lo = vdupq_n_s16(static_cast<int16_t>(p.act_min));
  const int16x8_t hi = vdupq_n_s16(static_cast<int16_t>(p.act_max));
  const BinaryS8Runs v = binary_s8_runs(p);
  // binary_s8's choice of formula: a one value first, then b one value, else both vary.
  if (v.sa == 0) {
    if (full) qadd_s8_mve_runs<2, true>(v, a, b, y, rA, rB, F, lo, hi);
    else qadd_s8_mve_runs<2, false>(v, a, b, y, rA, rB, F, lo, hi);
  } else if (v.sb == 0) {
    if (full) qadd_s8_mve_runs<1, true>(v, a, b, y, rA, rB, F, lo, hi);
    else qadd_s8_mve_runs<1, false>(v, a, b, y, rA, rB, F, lo, hi);
  } else {
    if (full) qadd_s8_mve_runs<0, true>(v, a, b, y, rA, rB, F, lo, hi);
    else qadd_s8_mve_runs<0, false>(v, a, b, y, rA, rB, F, lo, hi);
  }
}

// Requires qmul_s8_mve_applies(p) (compiler/kernels/pack_binary_s8.h).
inline void qmul_s8_mve(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) {
  if (p.total <= 0) return;
  const float ab = p.a_scale * p.b_scale;
  const float rM = ab / p.y_scale;
  const float zpC = static_cast<float>(p.y_zp);
  const bool full = p.act_min == -128 && p.act_max == 127;
  const int16x8_t lo = vdupq_n_s16(static_cast<int16_t>(p.act_min));
  const int16x8_t hi = vdupq_n_s16(static_cast<int16_t>(p.act_max));
  const BinaryS8Runs v = binary_s8_runs(p);
  // (a - a_zp) * (b - b_zp) commutes: a run with a one value is the run with b one value, swapped.
  const bool swap = v.sa == 0;
  if (v.sa == 0 || v.sb == 0) {
    if (full) qmul_s8_mve_runs<true, true>(v, a, b, y, swap, p.a_zp, p.b_zp, rM, zpC, lo, hi);
    else qmul_s8_mve_runs<true, false>(v, a, b, y, swap, p.a_zp, p.b_zp, rM, zpC, lo, hi);
  } else {
    if (full) qmul_s8_mve_runs<false, true>(v, a, b, y, false, p.a_zp, p.b_zp, rM, zpC, lo, hi);
    else qmul_s8_mve_runs<false, false>(v, a, b, y, false, p.a_zp, p.b_zp, rM, zpC, lo, hi);
  }
}

#endif  // FERRITE_RT_BINARY_S8_MVE
