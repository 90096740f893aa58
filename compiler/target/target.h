// Targets: the core the generated code is compiled for, and the instruction-set features that
// decide which kernel variants a layer may use. Chosen by `--target` / `ferrite_add_model(CPU ...)`
// and passed into lowering; `host` and the cores without DSP/MVE get the portable kernels, which
// stay the bit-exact reference every variant is tested against.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "support/error.h"

namespace ferrite {

// Instruction-set features a kernel variant may need (a bit set).
enum Isa : uint32_t {
  kIsaNone = 0,
  kIsaFpu = 1u << 0,   // single-precision FPU with VFMA and VCVTR (FPv4-SP, FPv5, the M55's FPU)
  kIsaDsp = 1u << 1,   // Armv7E-M / Armv8-M DSP extension: SMLAD, SXTB16, QADD, SSAT (<arm_acle.h>)
  kIsaMve = 1u << 2,   // Armv8.1-M MVE (Helium) integer vectors (<arm_mve.h>)
  kIsaMveF = 1u << 3,  // MVE floating-point vectors
};

struct Target {
  std::string name;        // as given to --target: "host", "cortex-m4", ...
  uint32_t isa = kIsaNone; // features the generated code may use
  std::string cpu_flags;   // arm-none-eabi-g++ flags for this core ("" for host)
  std::string summary;     // one line for --help and the docs
  bool has(uint32_t features) const { return (isa & features) == features; }
};

// Every target Ferrite knows, in --help order.
const std::vector<Target>& targets();
// The target named `name`, or an error listing the valid names.
Expected<Target> find_target(const std::string& name);
// The portable reference target (constant folding and --target host).
const Target& host_target();
// "Fpu+Dsp" style text for reports.
std::string isa_names(uint32_t isa);

}  // namespace ferrite
