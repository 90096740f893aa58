// Kernel identities, generated from kernels.def: the function a KernelCall runs, the runtime file
// that defines it, and the instruction-set features a core needs to compile that file.
#pragma once
#include <cstddef>
#include <cstdint>

namespace ferrite {

enum class KernelId : uint16_t {
#define FERRITE_KERNEL(name, params, file) name,
#define FERRITE_KERNEL_ISA(name, params, isa, file, base) name,
#include "kernels/kernels.def"
#undef FERRITE_KERNEL
#undef FERRITE_KERNEL_ISA
};

inline constexpr size_t kNumKernels = 0
#define FERRITE_KERNEL(name, params, file) +1
#define FERRITE_KERNEL_ISA(name, params, isa, file, base) +1
#include "kernels/kernels.def"
#undef FERRITE_KERNEL
#undef FERRITE_KERNEL_ISA
    ;

struct KernelInfo {
  const char* name;  // the ferrite_rt function
  const char* file;  // runtime_templates/ file that defines it
  uint32_t isa;      // Isa bits (target/target.h) the file needs; 0 = portable C++
  const char* base;  // target variants: the portable file pasted before `file` (its structs); else null
};

const KernelInfo& kernel_info(KernelId id);
inline const char* kernel_name(KernelId id) { return kernel_info(id).name; }

}  // namespace ferrite
