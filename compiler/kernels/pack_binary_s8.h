// Compile-time tables and selection rules of the int8 Add/Mul variants
// (runtime_templates/binary_s8/qadd_s8_fpu.h, qmul_s8_fpu.h, binary_s8_mve.h).
//
// Header-only; includable by the host compiler and by target test programs. Needs
// <cstddef>/<cstdint>/<cstring> and ferrite_rt::BinaryS8Params, binary_s8_fma, binary_s8_finish
// (binary_s8/binary_s8.h) declared before it.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/pack_s8_dsp.h"

namespace ferrite::kernels {

namespace qadd_detail {
inline bool finite(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return (b & 0x7F800000u) != 0x7F800000u;
}
inline float magnitude(float f) { return f < 0 ? -f : f; }
// binary_s8's Add constants, with the same float32 operations in the same order.
struct AddConsts {
  float rA, rB, F;
};
inline AddConsts add_consts(const ferrite_rt::BinaryS8Params& p) {
  AddConsts c;
  c.rA = p.a_scale / p.y_scale;
  c.rB = p.b_scale / p.y_scale;
  const float prodA = c.rA * static_cast<float>(p.a_zp);
  const float prodB = c.rB * static_cast<float>(p.b_zp);
  const float sumAB = prodA + prodB;
  c.F = static_cast<float>(p.y_zp) - sumAB;
  return c;
}
}  // namespace qadd_detail

// qadd_s8_fpu: a same-shape Add (the residual Add; broadcast runs: see below) with an output clamp
// inside int8, and Add
// constants rA, rB, F that are finite and below 2^100 in magnitude, so that no fma overflows
// (binary_s8_fma, which makes the table, is the exact fma of finite operands, as VFMA is; any real
// model's scale ratios and zero points are far inside).
inline bool qadd_s8_mve_applies(const ferrite_rt::BinaryS8Params& p);
inline bool qadd_s8_fpu_applies(const ferrite_rt::BinaryS8Params& p) {
  if (p.op != ferrite_rt::BinOpS8::Add || p.act_min < -128 || p.act_min > p.act_max || p.act_max > 127)
    return false;
  // Broadcast runs (operand strides 0 / 1 in the innermost dim): the Helium variant's rule, whose
  // extra checks (no subnormal operand of any float op) cover the per-run constants F + v * r too.
  if (!p.same_shape) return qadd_s8_mve_applies(p);
  const qadd_detail::AddConsts c = qadd_detail::add_consts(p);
  const float lim = 1.2676506e30f;  // 2^100
  return qadd_detail::finite(c.rA) && qadd_detail::finite(c.rB) && qadd_detail::finite(c.F) &&
         qadd_detail::magnitude(c.rA) < lim && qadd_detail::magnitude(c.rB) < lim && qadd_detail::magnitude(c.F) < lim;
}

// Bytes of its table operand: 256 floats, + 512 clamp bytes unless the clamp is the full int8 range.
inline size_t qadd_s8_fpu_table_bytes(const ferrite_rt::BinaryS8Params& p) {
  return 1024u + (p.act_min == -128 && p.act_max == 127 ? 0u : 512u);
}

// T[u] = fma(int8(u), rB, F) for u = 0..255 (float32, little-endian), then C[i] =
// binary_s8_finish(i - 256) for i = 0..511 when the clamp is not the full range.
inline void pack_qadd_s8_fpu(const ferrite_rt::BinaryS8Params& p, uint8_t* out) {
  const qadd_detail::AddConsts c = qadd_detail::add_consts(p);
  for (int32_t u = 0; u < 256; ++u) {
    const int32_t bv = u < 128 ? u : u - 256;
    const float t = ferrite_rt::binary_s8_fma(bv, c.rB, c.F);
    std::memcpy(out + 4 * u, &t, 4);
  }
  if (qadd_s8_fpu_table_bytes(p) > 1024)
    for (int32_t i = 0; i < 512; ++i) out[1024 + i] = static_cast<uint8_t>(ferrite_rt::binary_s8_finish(p, i - 256));
}

// ---- qadd_s8_mve / qmul_s8_mve (Helium) and qmul_s8_fpu ----
namespace qadd_detail {
// 0, or a normal float at least 2^-125 in magnitude (a margin of one binade: such a value stays
// normal under any one-ulp difference, and a flush-to-zero FPSCR leaves it alone).
inline bool zero_or_normal(float f) { return f == 0.0f || magnitude(f) >= 2.3509887e-38f; }  // 2^-125
inline bool clamp_in_s8(const ferrite_rt::BinaryS8Params& p) {
  return p.act_min >= -128 && p.act_min <= p.act_max && p.act_max <= 127;
}
// The runs the vector kernels walk: same_shape, or an innermost dim in which each operand's stride
// is 0 or 1 and not both 0 (binary_s8 picks its Add formula from the same strides).
inline bool runs_ok(const ferrite_rt::BinaryS8Params& p) {
  if (p.same_shape) return true;
  if (p.rank < 1 || p.rank > 6 || p.out_shape[p.rank - 1] < 1) return false;
  const int32_t sa = p.a_stride[p.rank - 1], sb = p.b_stride[p.rank - 1];
  return (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && (sa | sb) != 0;
}
}  // namespace qadd_detail

// qadd_s8_mve: Add with the runs above, an output clamp inside int8, rA, rB, F finite and below
// 2^100 (no fma overflows), and every float the kernel feeds to a vector op 0 or normal (>= 2^-125):
// rA, rB, F, the intermediate products and sums of F, fma(b, rB, F) for every int8 b, and the
// per-run constants F + b * rB, F + a * rA for every int8 a, b (see binary_s8_mve.h).
inline bool qadd_s8_mve_applies(const ferrite_rt::BinaryS8Params& p) {
  using namespace qadd_detail;
  if (p.op != ferrite_rt::BinOpS8::Add || !clamp_in_s8(p) || !runs_ok(p)) return false;
  const AddConsts c = add_consts(p);
  const float lim = 1.2676506e30f;  // 2^100
  if (!finite(c.rA) || !finite(c.rB) || !finite(c.F) || magnitude(c.rA) >= lim || magnitude(c.rB) >= lim ||
      magnitude(c.F) >= lim)
    return false;
  const float prodA = c.rA * static_cast<float>(p.a_zp);
  const float prodB = c.rB * static_cast<float>(p.b_zp);
  if (!zero_or_normal(c.rA) || !zero_or_normal(c.rB) || !zero_or_normal(c.F) || !zero_or_normal(prodA) ||
      !zero_or_normal(prodB) || !zero_or_normal(prodA + prodB))
    return false;
  for (int32_t v = -128; v < 128; ++v) {
    const float fv = static_cast<float>(v);
    const float tB = fv * c.rB, tA = fv * c.rA;
    if (!zero_or_normal(ferrite_rt::binary_s8_fma(v, c.rB, c.F)) || !zero_or_normal(tB) || !zero_or_normal(tA) ||
        !zero_or_normal(c.F + tB) || !zero_or_normal(c.F + tA))
      return false;
  }
  return true;
}

// qmul_s8_mve / qmul_s8_fpu: Mul with the runs above, an output clamp inside int8, int8 zero points
// and a finite rM = (a_scale * b_scale) / y_scale (the float ops are exact IEEE ones, see the
// kernels' notes; an infinite rM would make 0 * rM a NaN).
inline bool qmul_s8_mve_applies(const ferrite_rt::BinaryS8Params& p) {
  using namespace qadd_detail;
  if (p.op != ferrite_rt::BinOpS8::Mul || !clamp_in_s8(p) || !runs_ok(p)) return false;
  if (p.a_zp < -128 || p.a_zp > 127 || p.b_zp < -128 || p.b_zp > 127 || p.y_zp < -128 || p.y_zp > 127) return false;
  const float ab = p.a_scale * p.b_scale;
  const float rM = ab / p.y_scale;
  return finite(ab) && finite(rM);
}
inline bool qmul_s8_fpu_applies(const ferrite_rt::BinaryS8Params& p) { return qmul_s8_mve_applies(p); }

// ---- TFLite ADD as a table lookup (runtime_templates/binary_s8/add_s8_dsp_tfl.h, tflite_s8/add_s8_mve_tfl.h) ----
// Needs ferrite_rt::tfl_mbqm (tflite_s8/tflite_s8.h).
// Rule: Add, same shape, int8 zero point and clamp.
inline bool add_s8_dsp_tfl_applies(const ferrite_rt::BinaryS8Params& p) {
  return p.op == ferrite_rt::BinOpS8::Add && p.same_shape && p.total >= 1 && p.y_zp >= -128 && p.y_zp <= 127 &&
         p.act_min >= -128 && p.act_min <= p.act_max && p.act_max <= 127;
}
// The table: int32 P[256], Q[256] (indexed by the operand's byte as uint8), int32 F, int32 n, then the
// n int8 outputs T; per element y = T[(P[a] + Q[b]) >> F]. At most this many bytes:
constexpr size_t kAddLutMaxOut = 4096;
inline size_t add_s8_dsp_tfl_table_bytes(const ferrite_rt::BinaryS8Params&) { return 4 * (512 + 2) + kAddLutMaxOut; }

namespace add_lut_detail {
// floor(x / 2^k) for k in [0, 62] (arithmetic >> of int64: floor, GCC/Clang, C++20).
inline int64_t floor_div_pow2(int64_t x, int32_t k) { return x >> k; }
}  // namespace add_lut_detail

// Writes the table for add_s8_tfl's q = {left_shift, a_mult, a_shift, b_mult, b_shift, y_mult, y_shift}
// and returns its size in bytes (0: refused, the layer keeps add_s8_tfl).
//
// Construction. With A[a] = tfl_mbqm((a - a_zp) << ls, a_mult, a_shift) and B[b] likewise (the
// reference's two input terms, tabulated with its own arithmetic), the reference output is
// clamp(Z(A[a] + B[b]) + y_zp) with Z(s) = tfl_mbqm(s, M, y_shift). Without saturation,
// Z(s) = floor((s*M + D) / 2^N) with N = 31 + e - l (e = max(-y_shift, 0), l = max(y_shift, 0)) and
// D = 2^(30-l) + [e > 0] * 2^(30+e) - [negative tie] * 2^31 (SRDHM's rounding, then
// RoundingDivideByPOT's half away from zero; the last term only moves ties of negative values, and
// the packer tries a few constant terms in [0, 2^31] in its place).
// The packer splits the numerator into P[a] = floor((A[a]*M + c) / 2^(N-F)) and
// Q[b] = floor((B[b]*M + D - c) / 2^(N-F)) - zmin * 2^F, so that (P + Q) >> F is Z - zmin except
// when the two floors lose a unit at a multiple of 2^F, and T[i] = clamp(zmin + i + y_zp).
// It does not rely on that argument: every one of the 65,536 (a, b) pairs is checked against the
// reference's arithmetic (Z by tfl_mbqm of the int32 sum, exactly as add_s8_tfl computes it), for a
// few rounding offsets c and both tie terms; a table is only returned when all pairs agree, so the
// kernels are bit-identical to add_s8_tfl for every input (same shape).
inline size_t pack_add_s8_dsp_tfl(const ferrite_rt::BinaryS8Params& p, const int32_t* q, uint8_t* out) {
  using add_lut_detail::floor_div_pow2;
  if (!add_s8_dsp_tfl_applies(p) || q[0] < 0 || q[0] > 22 || q[5] < 0 || q[6] < -30 || q[6] > 29) return 0;
  int32_t A[256], B[256];  // by int8 value + 128
  int64_t amin = INT64_MAX, amax = INT64_MIN, bmin = INT64_MAX, bmax = INT64_MIN;
  for (int32_t v = -128; v < 128; ++v) {
    A[v + 128] = ferrite_rt::tfl_mbqm((v - p.a_zp) * (1 << q[0]), q[1], q[2]);
    B[v + 128] = ferrite_rt::tfl_mbqm((v - p.b_zp) * (1 << q[0]), q[3], q[4]);
    amin = std::min<int64_t>(amin, A[v + 128]);
    amax = std::max<int64_t>(amax, A[v + 128]);
    bmin = std::min<int64_t>(bmin, B[v + 128]);
    bmax = std::max<int64_t>(bmax, B[v + 128]);
  }
  // The reference adds the two terms in int32: refuse if that could wrap.
  if (amin + bmin < INT32_MIN || amax + bmax > INT32_MAX) return 0;
  const int32_t M = q[5], e = q[6] < 0 ? -q[6] : 0, l = q[6] > 0 ? q[6] : 0;
  const int32_t N = 31 + e - l;
  auto zref = [&](int32_t s) { return ferrite_rt::tfl_mbqm(s, M, q[6]); };
  const int32_t zmin = zref(static_cast<int32_t>(amin + bmin)), zmax = zref(static_cast<int32_t>(amax + bmax));
  if (zmax < zmin) return 0;
  const int64_t n = int64_t{zmax} - zmin + 1;
  if (n > static_cast<int64_t>(kAddLutMaxOut)) return 0;
  int32_t bits = 0;
  while ((int64_t{1} << bits) < n) ++bits;
  int32_t F = 29 - bits;  // (P + Q) stays below 2^30: no int32 overflow anywhere
  if (F > N) F = N;
  if (F < 0) return 0;
  const int32_t k = N - F;
  auto clampv = [&](int32_t v) { return v < p.act_min ? p.act_min : (v > p.act_max ? p.act_max : v); };
  const int64_t D0 = (int64_t{1} << (30 - l)) + (e > 0 ? (int64_t{1} << (30 + e)) : 0);
  int32_t P[256], Q[256];
  // delta: where ties of negative values start rounding down (0: none; 2^31: all; between: ties whose
  // numerator lies below delta within the 2^31-wide tie zone, which can separate the two signs).
  static const int64_t kDelta[5] = {0, int64_t{1} << 31, int64_t{1} << 30, int64_t{1} << 29, int64_t{3} << 29};
  for (int32_t tie = 0; tie < 5; ++tie) {
    if (tie >= 1 && e == 0) break;
    const int64_t D = D0 - kDelta[tie];
    for (int32_t attempt = 0; attempt < 16; ++attempt) {
      const int64_t unit = int64_t{1} << k;
      static const int32_t kNum[16] = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};  // c = unit * kNum / 16
      const int64_t c = k >= 4 ? (unit >> 4) * kNum[attempt] : (attempt == 0 ? 0 : -1);
      if (c < 0) break;
      bool ok = true;
      for (int32_t i = 0; i < 256 && ok; ++i) {
        const int64_t pv = floor_div_pow2(int64_t{A[i]} * M + c, k);
        const int64_t qv = floor_div_pow2(int64_t{B[i]} * M + D - c, k) - int64_t{zmin} * (int64_t{1} << F);
        if (pv < INT32_MIN || pv > INT32_MAX || qv < INT32_MIN || qv > INT32_MAX) ok = false;
        P[i] = static_cast<int32_t>(pv);
        Q[i] = static_cast<int32_t>(qv);
      }
      // Every pair against the reference.
      for (int32_t ia = 0; ia < 256 && ok; ++ia)
        for (int32_t ib = 0; ib < 256; ++ib) {
          const int64_t idx = int64_t{P[ia]} + Q[ib];
          const int32_t want = clampv(zref(A[ia] + B[ib]) + p.y_zp);
          if (idx < 0 || (idx >> F) >= n || clampv(zmin + static_cast<int32_t>(idx >> F) + p.y_zp) != want) {
            ok = false;
            break;
          }
        }
      if (!ok) continue;
      // Reindex by the operand byte as uint8: the kernels load bytes unsigned.
      int32_t words[514];
      for (int32_t v = -128; v < 128; ++v) {
        const size_t u = static_cast<uint8_t>(static_cast<int8_t>(v));
        words[u] = P[v + 128];
        words[256 + u] = Q[v + 128];
      }
      words[512] = F;
      words[513] = static_cast<int32_t>(n);
      std::memcpy(out, words, sizeof words);
      for (int64_t i = 0; i < n; ++i)
        out[sizeof words + static_cast<size_t>(i)] =
            static_cast<uint8_t>(static_cast<int8_t>(clampv(zmin + static_cast<int32_t>(i) + p.y_zp)));
      return sizeof words + static_cast<size_t>(n);
    }
  }
  return 0;
}

}  // namespace ferrite::kernels
