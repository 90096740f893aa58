// The int8 elementwise Add/Mul family's variant list (see conv_s8_variants.h for the pattern).
// Variants take the portable kernel's arguments, plus an optional constant table operand made at
// compile time (appended after y); no scratch.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ir/ir.h"
#include "kernels/kernel.h"
#include "ops/kernels_host.h"

namespace ferrite {

struct BinaryS8Variant {
  KernelId kernel;
  bool (*applies)(const ferrite_rt::BinaryS8Params&);  // nullptr = always
  // Constant table operand: its bytes and the function writing it (nullptr = none).
  size_t (*table_bytes)(const ferrite_rt::BinaryS8Params&);
  void (*table)(const ferrite_rt::BinaryS8Params&, uint8_t* out);
  // y may alias the operand that is not broadcast (Lowered::inplace_input): every y[i] is written
  // after the a[i], b[i] it needs are read. false: the selection drops the in-place option.
  bool in_place;
  // Requantization scheme (a layer only gets variants of its reference's numerics: binary_s8 is
  // ONNX Runtime's, add_s8_tfl TFLite's) and, for TFLite variants, a table written from the
  // reference's constant operand q (add_s8_tfl's {left_shift, a_mult, a_shift, b_mult, b_shift,
  // y_mult, y_shift}) into table_bytes(p) bytes; it returns the bytes it used, 0 when the variant
  // is not exact for these constants.
  Numerics numerics = Numerics::Ort;
  size_t (*table_q)(const ferrite_rt::BinaryS8Params&, const int32_t* q, uint8_t* out) = nullptr;
};

// In order of preference; the portable binary_s8 closes the list.
const std::vector<BinaryS8Variant>& binary_s8_variants();

}  // namespace ferrite
