// Ferrite runtime prelude: the only system headers kernels may rely on. Kernel files in
// runtime_templates/<op>/ include nothing themselves; the emitter and the compiler's constant folder
// include this prelude first, then the kernel bodies inside `namespace ferrite_rt`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <cmath>

// GNU as before 2.41 misreads an IT-predicated VCVT ("vcvtne.f32.s32") as an MVE instruction and
// rejects it, and GCC 12 emits those for Armv8.1-M with MVE (Cortex-M55) when its post-reload
// if-conversion predicates an int -> float conversion. Kernel functions where that happens opt out
// of that one optimization there (same results, no other effect; other compilers and cores ignore it).
#if defined(__GNUC__) && !defined(__clang__) && defined(__ARM_FEATURE_MVE)
#define FERRITE_NO_PREDICATED_VCVT __attribute__((optimize("no-if-conversion2")))
#else
#define FERRITE_NO_PREDICATED_VCVT
#endif
