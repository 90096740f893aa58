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
  };
  return v;
}

}  // namespace ferrite
