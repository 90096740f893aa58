// Shared helpers of the Arm DSP-extension int8 kernels (conv1x1_s8_dsp.h, dwconv_s8_dsp.h, ...):
// SIMD primitives (SMLAD / SXTB16 via ACLE <arm_acle.h>, portable equivalents elsewhere) and the
// exact, cheap requantization used by every *_s8_dsp kernel.
//
// Pasting: like every kernel file this one includes nothing and is pasted inside
// `namespace ferrite_rt` after the prelude and common/requant.h; on DSP targets the prelude must
// also include <arm_acle.h>. It must come before the *_dsp.h kernel files. A macro guard makes a
// second paste harmless.
//
// Targets: Cortex-M4/M7/M33 (__ARM_FEATURE_DSP) with a single-precision FPU (__ARM_FP & 4) get
// the fast paths. Without them (host, constant folding, soft-float cores) the same functions
// compile to portable C++ with identical results, so the kernels can be tested anywhere.
#ifndef FERRITE_DSP_S8_COMMON_H
#define FERRITE_DSP_S8_COMMON_H

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SAT)
#define FERRITE_DSP_SIMD 1
#else
#define FERRITE_DSP_SIMD 0
#endif
#if FERRITE_DSP_SIMD && defined(__ARM_FP) && (__ARM_FP & 4)
#define FERRITE_DSP_FPU 1
#else
#define FERRITE_DSP_FPU 0
#endif

// --- SIMD primitives ---------------------------------------------------------------------------
// Naming: a "pair" word holds two int16 lanes, lane 0 in bits 0-15 and lane 1 in bits 16-31.
#if FERRITE_DSP_SIMD
// [b0, b2] of the four int8 bytes b0..b3 of x (b0 = bits 0-7), sign-extended to int16 lanes.
inline uint32_t dsp_sxtb16(uint32_t x) { return static_cast<uint32_t>(__sxtb16(static_cast<int32_t>(x))); }
// [b1, b3]: SXTB16 with the rotation folded in (GCC does not fuse __ror into __sxtb16).
inline uint32_t dsp_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
// acc + a.lane0 * b.lane0 + a.lane1 * b.lane1 (modulo 2^32; SMLAD only sets the Q flag on wrap).
inline int32_t dsp_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad(static_cast<int32_t>(a), static_cast<int32_t>(b), acc);
}
// acc + a.laneX * b.laneY (SMLAxy; X, Y: 0 = bottom, 1 = top).
inline int32_t dsp_smlabb(uint32_t a, uint32_t b, int32_t acc) {
  return __smlabb(static_cast<int32_t>(a), static_cast<int32_t>(b), acc);
}
inline int32_t dsp_smlatb(uint32_t a, uint32_t b, int32_t acc) {
  return __smlatb(static_cast<int32_t>(a), static_cast<int32_t>(b), acc);
}
inline int32_t dsp_smlabt(uint32_t a, uint32_t b, int32_t acc) {
  return __smlabt(static_cast<int32_t>(a), static_cast<int32_t>(b), acc);
}
inline int32_t dsp_smlatt(uint32_t a, uint32_t b, int32_t acc) {
  return __smlatt(static_cast<int32_t>(a), static_cast<int32_t>(b), acc);
}
// Clamp to [-256, 255] (SSAT #9).
inline int32_t dsp_ssat9(int32_t v) { return __ssat(v, 9); }
#else
inline int32_t dsp_lane0(uint32_t a) { return static_cast<int16_t>(static_cast<uint16_t>(a & 0xFFFFu)); }
inline int32_t dsp_lane1(uint32_t a) { return static_cast<int16_t>(static_cast<uint16_t>(a >> 16)); }
inline uint32_t dsp_sxtb16(uint32_t x) {
  const uint32_t lo = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(static_cast<uint8_t>(x))));
  const uint32_t hi = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(static_cast<uint8_t>(x >> 16))));
  return (lo & 0xFFFFu) | (hi << 16);
}
inline uint32_t dsp_sxtb16_ror8(uint32_t x) { return dsp_sxtb16((x >> 8) | (x << 24)); }
inline int32_t dsp_wrap_add(int32_t acc, int32_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(acc) + static_cast<uint32_t>(v));
}
inline int32_t dsp_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return dsp_wrap_add(acc, dsp_lane0(a) * dsp_lane0(b) + dsp_lane1(a) * dsp_lane1(b));
}
inline int32_t dsp_smlabb(uint32_t a, uint32_t b, int32_t acc) { return dsp_wrap_add(acc, dsp_lane0(a) * dsp_lane0(b)); }
inline int32_t dsp_smlatb(uint32_t a, uint32_t b, int32_t acc) { return dsp_wrap_add(acc, dsp_lane1(a) * dsp_lane0(b)); }
inline int32_t dsp_smlabt(uint32_t a, uint32_t b, int32_t acc) { return dsp_wrap_add(acc, dsp_lane0(a) * dsp_lane1(b)); }
inline int32_t dsp_smlatt(uint32_t a, uint32_t b, int32_t acc) { return dsp_wrap_add(acc, dsp_lane1(a) * dsp_lane1(b)); }
inline int32_t dsp_ssat9(int32_t v) { return v < -256 ? -256 : (v > 255 ? 255 : v); }
#endif

// acc + [b0, b2] / acc + [b1, b3] of x, lane by lane modulo 2^16 (SXTAB16, SXTAB16 ROR #8): sums
// of int8 bytes in two int16 lanes (the pooling kernels).
#if FERRITE_DSP_SIMD
inline uint32_t dsp_sxtab16(uint32_t acc, uint32_t x) {
  return static_cast<uint32_t>(__sxtab16(static_cast<int32_t>(acc), static_cast<int32_t>(x)));
}
inline uint32_t dsp_sxtab16_ror8(uint32_t acc, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(x));
  return r;
}
#else
inline uint32_t dsp_sxtab16(uint32_t acc, uint32_t x) {
  const uint32_t e = dsp_sxtb16(x);
  return ((acc + e) & 0xFFFFu) | (((acc >> 16) + (e >> 16)) << 16);
}
inline uint32_t dsp_sxtab16_ror8(uint32_t acc, uint32_t x) { return dsp_sxtab16(acc, (x >> 8) | (x << 24)); }
#endif
// Lane 0 / lane 1 of a pair word as int16 values.
inline int32_t dsp_pair_lo(uint32_t v) { return static_cast<int16_t>(static_cast<uint16_t>(v & 0xFFFFu)); }
inline int32_t dsp_pair_hi(uint32_t v) { return static_cast<int16_t>(static_cast<uint16_t>(v >> 16)); }

// Unaligned little-endian word load (LDR; Cortex-M3+ allows unaligned LDR, not LDRD/LDM).
inline uint32_t dsp_load_u32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// --- Requantization ----------------------------------------------------------------------------
// Reference (common/requant.h): y = clamp(round_half_even(clampf(float(acc) * scale, +-2^22)) + zp,
// lo, hi) with float32 arithmetic. The DSP kernels compute it as
//     q = VCVTR.S32.F32(float(acc) * scale)       (VCVT.F32.S32, VMUL.F32, VCVTR; two lanes per VMOV)
//     y = table[SSAT(q, 9)],  table[i] = clamp(i + zp, lo, hi) for i in [-256, 255]
// i.e. 3.5 FPU instructions + SSAT + LDRB per output, with zero point and activation clamp in the
// 512-byte table built once per kernel call (dsp_requant_table).
//
// Proof of equality (for lo, hi, zp in [-128, 127] and a finite scale, FPSCR in its reset state:
// round to nearest even, no flush-to-zero, which the reference assumes too):
//  * v = float(acc) * scale is the same float32 value in both (same conversion, one IEEE multiply;
//    -ffp-contract=off keeps the reference from fusing anything). v is never NaN: acc is finite and
//    scale is finite, so v is finite or +-inf.
//  * Let f(t) = min(max(t, lo), hi) (the reference's clamp order). f is nondecreasing, f(t) =
//    f(-128) for t <= -128 and f(t) = f(127) for t >= 127, because lo >= -128 and hi <= 127.
//  * |v| <= 2^22: the reference's magic-number rounding is exact round-half-even R(v) there, and
//    VCVTR (rounding mode RN) gives the same R(v) (no saturation). If -256 <= R <= 255 the table
//    entry is f(R + zp), the reference value. If R > 255 then R + zp > 127 and 255 + zp >= 127, so
//    both are f(127); if R < -256 then R + zp < -128 and -256 + zp <= -129, so both are f(-128).
//  * |v| > 2^22 (incl. +-inf): the reference clamps to +-2^22, then +-2^22 + zp is beyond +-127, so
//    it returns f(127) for positive v, f(-128) for negative v; VCVTR gives a value of the same sign
//    with magnitude >= 2^22 (saturated to int32 if needed), SSAT maps it to 255 / -256, and the
//    table gives f(127) / f(-128) as shown above.
// A NaN scale (or an infinite scale times acc = 0) would differ (VCVTR(NaN) = 0, the reference
// takes -2^22): dsp_scales_finite() lets the compiler refuse such constants.
inline bool dsp_scales_finite(const float* scale, int32_t n) {
  for (int32_t i = 0; i < n; ++i) {
    uint32_t b;
    std::memcpy(&b, &scale[i], sizeof b);
    if ((b & 0x7F800000u) == 0x7F800000u) return false;
  }
  return true;
}

// Fills t[0..511] with clamp(i - 256 + zp, lo, hi) and returns t + 256 (index by SSAT(q, 9)).
inline const int8_t* dsp_requant_table(int8_t* t, int32_t zp, int32_t lo, int32_t hi) {
  // Entries are f(i - 256 + zp): f(lo_edge) up to index a, the ramp, then f(hi_edge) from b on.
  int32_t a = lo - zp + 256;  // first index whose value t - 256 + zp >= lo
  int32_t b = hi - zp + 256;  // last index whose value <= hi
  a = a < 0 ? 0 : (a > 512 ? 512 : a);
  b = b < -1 ? -1 : (b > 511 ? 511 : b);
  const int32_t flo = lo < hi ? lo : hi;  // f of small values (= hi when lo > hi)
  if (a > b + 1) a = b + 1;                 // empty ramp (lo > hi or range outside)
  std::memset(t, flo, static_cast<size_t>(a));
  // The ramp 4 entries per word once aligned: each byte of v goes up by 4 without carries into its
  // neighbour (SWAR byte add: the low 7 bits summed, the top bit restored by XOR), which is the
  // next 4 entries modulo 256 (int8 wrap-around cannot occur inside the ramp, whose values are lo..hi).
  int32_t i = a;
  for (; i <= b && (reinterpret_cast<uintptr_t>(t + i) & 3u) != 0; ++i) t[i] = static_cast<int8_t>(i - 256 + zp);
  if (i + 3 <= b) {
    uint32_t v = 0;
    for (int32_t k = 0; k < 4; ++k) v |= (static_cast<uint32_t>(i + k - 256 + zp) & 0xFFu) << (8 * k);
    for (; i + 3 <= b; i += 4) {
      std::memcpy(t + i, &v, 4);
      v = ((v & 0x7F7F7F7Fu) + 0x04040404u) ^ (v & 0x80808080u);
    }
  }
  for (; i <= b; ++i) t[i] = static_cast<int8_t>(i - 256 + zp);
  std::memset(t + (b + 1), hi, static_cast<size_t>(511 - b));
  return t + 256;
}

// Two accumulators -> two table indices (q = SSAT(VCVTR(float(acc) * scale), 9)).
inline void dsp_requant_idx2(int32_t& a, int32_t& b, float sa, float sb) {
#if FERRITE_DSP_FPU
  __asm__(
      "vmov s14, s15, %[a], %[b]\n\t"
      "vcvt.f32.s32 s14, s14\n\t"
      "vcvt.f32.s32 s15, s15\n\t"
      "vmul.f32 s14, s14, %[sa]\n\t"
      "vmul.f32 s15, s15, %[sb]\n\t"
      "vcvtr.s32.f32 s14, s14\n\t"
      "vcvtr.s32.f32 s15, s15\n\t"
      "vmov %[a], %[b], s14, s15"
      : [a] "+r"(a), [b] "+r"(b)
      : [sa] "t"(sa), [sb] "t"(sb)
      : "s14", "s15");
  a = dsp_ssat9(a);
  b = dsp_ssat9(b);
#else
  a = dsp_ssat9(round_half_even(static_cast<float>(a) * sa));
  b = dsp_ssat9(round_half_even(static_cast<float>(b) * sb));
#endif
}

inline void dsp_requant_idx1(int32_t& a, float sa) {
#if FERRITE_DSP_FPU
  __asm__(
      "vmov s15, %[a]\n\t"
      "vcvt.f32.s32 s15, s15\n\t"
      "vmul.f32 s15, s15, %[sa]\n\t"
      "vcvtr.s32.f32 s15, s15\n\t"
      "vmov %[a], s15"
      : [a] "+r"(a)
      : [sa] "t"(sa)
      : "s15");
  a = dsp_ssat9(a);
#else
  a = dsp_ssat9(round_half_even(static_cast<float>(a) * sa));
#endif
}

// --- TFLite requantization (models from the TFLite frontend) -----------------------------------
// Reference (tflite_s8.h, tfl_store): q = RoundingDivideByPOT(SRDHM(a * 2^ls, M), e) + zp, clamped
// to [lo, hi], with ls = max(shift, 0), e = max(-shift, 0), M the channel's multiplier (0, or in
// [2^30, 2^31) as QuantizeMultiplier makes it; a shift below -31 comes as (0, 0)). The DSP kernels
// compute, from five words per channel {M, ls + 1, r, s, e} packed at compile time
// (ferrite::kernels::pack_requant_s8_dsp_tfl in compiler/kernels/pack_s8_dsp.h; r = 2^(e-1) and s = -1 when e >= 1, r = s = 0 when e = 0):
//     t = r + (s & (a >> 31))                     (AND with ASR #31 operand, ADD)
//     y = SMMLAR(a << (ls + 1), M, t)             (LSL by register, SMMLAR: t + (2*a*2^ls*M + 2^31) >> 32)
//     q = SSAT(y >> e, 9), out = table[q]         (ASR by register, SSAT, LDRB: the table of dsp_s8_common)
// i.e. 5 instructions + SSAT + table load per output (the float epilogue: 3.5 + SSAT + load).
//
// Proof of equality. Precondition (select.cpp, tfl_accumulators_fit): |a| * 2^(ls+1) < 2^31, so
// A = a << (ls + 1) = 2 * a * 2^ls exactly, and a * 2^ls is not saturated by the reference.
//  * SRDHM(u, M) = floor((u*M + 2^30) / 2^31) for every sign (tflite_s8.h; the INT32_MIN * INT32_MIN
//    case needs M = INT32_MIN, never a multiplier). With u = a * 2^ls:
//    Y := SRDHM(u, M) = floor((2uM + 2^31) / 2^32) = floor((A*M + 2^31) / 2^32), the high word of
//    A*M + 2^31, which is what SMMLAR adds to t: y = t + Y (mod 2^32, exact as shown below).
//  * |A| <= 2^31 - 1 and 0 <= M <= 2^31 - 1 give |A*M| <= 2^62 - 2^32 + 1, hence |Y| <= 2^30 - 1.
//  * e = 0: t = 0, y = Y, and RoundingDivideByPOT(Y, 0) = Y.
//  * e >= 1 (e <= 31): RoundingDivideByPOT(Y, e) rounds Y / 2^e half away from zero, which equals
//    floor((Y + 2^(e-1) - [Y < 0]) / 2^e): for Y >= 0 it is floor(Y / 2^e + 1/2) (half up); for
//    Y < 0 the -1 changes floor((Y + 2^(e-1)) / 2^e) only when Y + 2^(e-1) is a multiple of 2^e,
//    i.e. at the ties Y = -(2k+1) 2^(e-1), which it moves from -k to -k-1 (away from zero), as
//    the reference does (remainder > threshold + 1 for negative x). The kernels use [a < 0] for [Y < 0]:
//    a >= 0 gives A*M >= 0 and Y >= 0; a < 0 gives A*M <= -2^31 (M >= 2^30, |A| >= 2), so Y <= 0;
//    the one case where they differ is Y = 0 with a < 0, where floor((2^(e-1) - 1) / 2^e) = 0 =
//    floor(2^(e-1) / 2^e). With M = 0, Y = 0 and the result is 0 either way, as in the reference.
//    t = r + (s & (a >> 31)) = 2^(e-1) - [a < 0]. No overflow: |Y| <= 2^30 - 1 and r <= 2^30, so
//    -2^30 <= Y + t <= 2^31 - 1; ASR by e is then floor division.
//  * Then + zp and the clamp are the table's (dsp_requant_table): any integer q in [-256, 255]
//    maps to clamp(q + zp, lo, hi); beyond, SSAT gives -256 / 255 and the table value equals
//    clamp(q + zp) since q + zp lies beyond [-128, 127] on the same side (see the float proof).
struct DspTflRq {
  int32_t m, ls1, r, s, e;
};
constexpr int32_t kDspTflRqWords = 5;
static_assert(sizeof(DspTflRq) == 4 * kDspTflRqWords, "the assembly reads the packed words as DspTflRq");

// One output: the index into the requantization table (SSAT(q, 9)).
inline int32_t dsp_tfl_idx(int32_t a, const DspTflRq& q) {
  const int32_t t = q.r + (q.s & (a >> 31));
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(a) << q.ls1);
#if FERRITE_DSP_SIMD
  int32_t y;
  __asm__("smmlar %0, %1, %2, %3" : "=r"(y) : "r"(x), "r"(q.m), "r"(t));
  return dsp_ssat9(y >> q.e);
#else
  const int64_t hi = (static_cast<int64_t>(x) * q.m + (int64_t{1} << 31)) >> 32;  // floor (arithmetic >>)
  const int32_t y = static_cast<int32_t>(static_cast<uint32_t>(t) + static_cast<uint32_t>(hi));
  return dsp_ssat9(y >> q.e);
#endif
}

// --- Requantization policies: the compile-time epilogue of the *_s8_dsp kernel bodies ---------
// Each kernel body is a template on one of these; Arg is the kernel's requantization argument,
// Ch one channel's constants (at(arg, c)), idx2/idx1 turn accumulators into table indices.
// kFloatAsm: the float-only assembly fast paths apply (the TFLite policy runs the C++/ACLE bodies).
struct DspRqOrt {
  using Arg = const float*;
  using Ch = float;
  static constexpr bool kFloatAsm = true;
  static Ch at(Arg a, int32_t c) { return a[c]; }
  static Arg off(Arg a, int32_t c) { return a + c; }
  static void idx2(int32_t& a, int32_t& b, Ch ca, Ch cb) { dsp_requant_idx2(a, b, ca, cb); }
  static void idx1(int32_t& a, Ch ca) { dsp_requant_idx1(a, ca); }
};
struct DspRqTfl {
  using Arg = const int32_t*;  // kDspTflRqWords words per channel (pack_requant_s8_dsp_tfl)
  using Ch = DspTflRq;
  static constexpr bool kFloatAsm = false;
  static Arg off(Arg a, int32_t c) { return a + kDspTflRqWords * c; }
  static Ch at(Arg a, int32_t c) {
    Ch q;
    std::memcpy(&q, a + kDspTflRqWords * c, sizeof q);
    return q;
  }
  static void idx2(int32_t& a, int32_t& b, const Ch& ca, const Ch& cb) {
    a = dsp_tfl_idx(a, ca);
    b = dsp_tfl_idx(b, cb);
  }
  static void idx1(int32_t& a, const Ch& ca) { a = dsp_tfl_idx(a, ca); }
};

#endif  // FERRITE_DSP_S8_COMMON_H
