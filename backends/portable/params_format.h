// C++ initializers for kernel parameter structs, so the generated code gets exactly the values
// lowering computed (floats printed so that they round-trip bit for bit).
#pragma once
#include <string>

#include "ops/lower.h"

namespace ferrite {
std::string float_literal(float v);
std::string params_type(const KernelParams& p);  // "ferrite_rt::ConvParams"
std::string params_init(const KernelParams& p);  // "{1, 3, 96, ...}"
}  // namespace ferrite
