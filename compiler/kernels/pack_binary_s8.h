// Compile-time tables and selection rules of the int8 Add/Mul variants
// (runtime_templates/binary_s8/qadd_s8_fpu.h).
//
// Header-only; includable by the host compiler and by target test programs. Needs
// <cstddef>/<cstdint>/<cstring> and ferrite_rt::BinaryS8Params, binary_s8_fma, binary_s8_finish
// (binary_s8/binary_s8.h) declared before it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

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

// qadd_s8_fpu: a same-shape Add (the residual Add) with an output clamp inside int8, and Add
// constants rA, rB, F that are finite and below 2^100 in magnitude, so that no fma overflows
// (binary_s8_fma, which makes the table, is the exact fma of finite operands, as VFMA is; any real
// model's scale ratios and zero points are far inside).
inline bool qadd_s8_fpu_applies(const ferrite_rt::BinaryS8Params& p) {
  if (p.op != ferrite_rt::BinOpS8::Add || !p.same_shape || p.act_min < -128 || p.act_min > p.act_max ||
      p.act_max > 127)
    return false;
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

}  // namespace ferrite::kernels
