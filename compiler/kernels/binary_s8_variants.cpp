// The int8 Add/Mul variant list.
#include "kernels/binary_s8_variants.h"

#include "kernels/pack_binary_s8.h"

namespace ferrite {

namespace k = ferrite::kernels;

const std::vector<BinaryS8Variant>& binary_s8_variants() {
  static const std::vector<BinaryS8Variant> v = {
      // Helium (M55): Add and Mul, same shape and broadcast runs (runtime_templates/binary_s8/binary_s8_mve.h)
      {KernelId::qadd_s8_mve, k::qadd_s8_mve_applies, nullptr, nullptr, true},
      {KernelId::qmul_s8_mve, k::qmul_s8_mve_applies, nullptr, nullptr, true},
      // Add on an FPU with VFMA, same shape and broadcast runs (runtime_templates/binary_s8/qadd_s8_fpu.h)
      {KernelId::qadd_s8_fpu, k::qadd_s8_fpu_applies, k::qadd_s8_fpu_table_bytes, k::pack_qadd_s8_fpu, true},
      // Mul on an FPU, same shape and broadcast runs (runtime_templates/binary_s8/qmul_s8_fpu.h)
      {KernelId::qmul_s8_fpu, k::qmul_s8_fpu_applies, nullptr, nullptr, true},
      {KernelId::binary_s8, nullptr, nullptr, nullptr, true},
      // --- TFLite ADD (int8, TFLite's fixed-point arithmetic) ---
      // Same shape, y = T[(P[a] + Q[b]) >> F] with tables checked on every operand pair
      // (pack_add_s8_dsp_tfl): Helium gathers (tflite_s8/add_s8_mve_tfl.h), scalar loads (binary_s8/add_s8_dsp_tfl.h)
      {KernelId::add_s8_mve_tfl, k::add_s8_dsp_tfl_applies, k::add_s8_dsp_tfl_table_bytes, nullptr, true,
       Numerics::TFLite, k::pack_add_s8_dsp_tfl},
      {KernelId::add_s8_dsp_tfl, k::add_s8_dsp_tfl_applies, k::add_s8_dsp_tfl_table_bytes, nullptr, true,
       Numerics::TFLite, k::pack_add_s8_dsp_tfl},
      {KernelId::add_s8_tfl, nullptr, nullptr, nullptr, true, Numerics::TFLite},
  };
  return v;
}

}  // namespace ferrite
