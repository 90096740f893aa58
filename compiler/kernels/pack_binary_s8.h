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

// ---- TFLite ADD on the DSP extension (runtime_templates/binary_s8/add_s8_dsp_tfl.h) ----
// Needs ferrite_rt::tfl_mbqm (tflite_s8/tflite_s8.h) and compiler/kernels/pack_s8_dsp.h.
// Rule: Add, same shape, int8 zero point and clamp (the requantization table).
inline bool add_s8_dsp_tfl_applies(const ferrite_rt::BinaryS8Params& p) {
  return p.op == ferrite_rt::BinOpS8::Add && p.same_shape && p.total >= 1 && p.y_zp >= -128 && p.y_zp <= 127 &&
         p.act_min >= -128 && p.act_min <= p.act_max && p.act_max <= 127;
}
inline size_t add_s8_dsp_tfl_table_bytes(const ferrite_rt::BinaryS8Params&) { return 4 * (512 + 5); }
// out: int32 A[256], B[256] (index value + 128) and the output's 5 words; q: add_s8_tfl's
// {left_shift, a_mult, a_shift, b_mult, b_shift, y_mult, y_shift}. False (the layer keeps add_s8_tfl)
// unless every sum A + B satisfies the DspRqTfl bound |s| * 2^(max(y_shift, 0) + 1) < 2^31.
inline bool pack_add_s8_dsp_tfl(const ferrite_rt::BinaryS8Params& p, const int32_t* q, uint8_t* out) {
  if (q[0] < 0 || q[0] > 22 || q[6] > 29) return false;
  int32_t t[512 + 5];
  int64_t ma = 0, mb = 0;
  for (int32_t v = -128; v < 128; ++v) {
    const int32_t av = ferrite_rt::tfl_mbqm((v - p.a_zp) * (1 << q[0]), q[1], q[2]);
    const int32_t bv = ferrite_rt::tfl_mbqm((v - p.b_zp) * (1 << q[0]), q[3], q[4]);
    t[v + 128] = av;
    t[256 + v + 128] = bv;
    ma = std::max<int64_t>(ma, av < 0 ? -int64_t{av} : av);
    mb = std::max<int64_t>(mb, bv < 0 ? -int64_t{bv} : bv);
  }
  const int32_t ls = q[6] > 0 ? q[6] : 0;
  if (((ma + mb) << (ls + 1)) >= (int64_t{1} << 31)) return false;
  const int32_t qy[2] = {q[5], q[6]};
  pack_requant_s8_dsp_tfl_n(qy, 1, t + 512);
  std::memcpy(out, t, sizeof t);
  return true;
}

}  // namespace ferrite::kernels
