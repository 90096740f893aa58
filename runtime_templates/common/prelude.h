// Ferrite runtime prelude: the only system headers kernels may rely on. Kernel files in
// runtime_templates/<op>/ include nothing themselves; the emitter and the compiler's constant folder
// include this prelude first, then the kernel bodies inside `namespace ferrite_rt`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cmath>
