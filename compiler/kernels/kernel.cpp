// The kernel table generated from kernels.def.
#include "kernels/kernel.h"

#include "target/target.h"

namespace ferrite {

namespace {
// Feature names in kernels.def, as Isa bits.
constexpr uint32_t None = kIsaNone;
constexpr uint32_t Fpu = kIsaFpu;
constexpr uint32_t Dsp = kIsaDsp;
constexpr uint32_t Mve = kIsaMve;
constexpr uint32_t MveF = kIsaMveF;

const KernelInfo kKernels[] = {
#define FERRITE_KERNEL(name, params, file) {#name, file, None, nullptr},
#define FERRITE_KERNEL_ISA(name, params, isa, file, base) {#name, file, isa, base},
#include "kernels/kernels.def"
#undef FERRITE_KERNEL
#undef FERRITE_KERNEL_ISA
};
}  // namespace

const KernelInfo& kernel_info(KernelId id) { return kKernels[static_cast<size_t>(id)]; }

}  // namespace ferrite
