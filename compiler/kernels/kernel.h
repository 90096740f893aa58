// Kernel identities, generated from kernels.def: the function a KernelCall runs, the runtime file
// that defines it, and the instruction-set features a core needs to compile that file.
#pragma once
#include <cstdint>

namespace ferrite {

enum class KernelId : uint16_t {
#define FERRITE_KERNEL(name, params, file) name,
#define FERRITE_KERNEL_ISA(name, params, isa, file) name,
#include "kernels/kernels.def"
#undef FERRITE_KERNEL
#undef FERRITE_KERNEL_ISA
};

struct KernelInfo {
  const char* name;  // the ferrite_rt function
  const char* file;  // runtime_templates/ file that defines it
  uint32_t isa;      // Isa bits (target/target.h) the file needs; 0 = portable C++
};

const KernelInfo& kernel_info(KernelId id);
inline const char* kernel_name(KernelId id) { return kernel_info(id).name; }

}  // namespace ferrite
