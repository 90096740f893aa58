// The inverted bottleneck variant list: the Helium variants (one per depthwise kernel size and
// stride), the DSP variants (one per depthwise kernel size and
// stride), then the portable kernel, which accepts every chain passes/bottleneck.cpp fuses.
#include "kernels/bottleneck_s8_variants.h"

// The DSP kernel files compile to portable C++ off-target: the scratch formula comes from the very
// file the generated code uses (as in conv_s8_variants.cpp).
namespace ferrite_rt {
#include "conv_s8/dsp_s8_common.h"
#include "conv_s8/conv1x1_s8_dsp.h"
#include "conv_s8/dwconv_s8_dsp.h"
#include "conv_s8/bottleneck_s8_dsp.h"
}  // namespace ferrite_rt
#include "kernels/pack_s8_dsp.h"
#include "kernels/pack_s8_mve.h"

namespace ferrite {

namespace k = ferrite::kernels;

namespace {
void pack_dsp(const ferrite_rt::BottleneckS8Params& p, const int8_t* we, const int32_t* be, const int8_t* wd,
              const int32_t* bd, const int8_t* wq, const int32_t* bq, BottleneckS8Packed& out) {
  const k::BottleneckS8DspSizes s = k::bottleneck_s8_dsp_packed_sizes(p);
  out.we.assign(s.we, 0);
  out.wd.assign(s.wd, 0);
  out.wq.assign(s.wq, 0);
  out.be.assign(s.be, 0);
  out.bd.assign(s.bd, 0);
  out.bq.assign(s.bq, 0);
  k::pack_bottleneck_s8_dsp(p, we, be, wd, bd, wq, bq, out.we.data(), out.be.data(), out.wd.data(), out.bd.data(),
                            out.wq.data(), out.bq.data());
}
void pack_mve(const ferrite_rt::BottleneckS8Params& p, const int8_t* we, const int32_t* be, const int8_t* wd,
              const int32_t* bd, const int8_t* wq, const int32_t* bq, BottleneckS8Packed& out) {
  const k::BottleneckS8MveSizes s = k::bottleneck_s8_mve_packed_sizes(p);
  out.we.assign(s.we, 0);
  out.wd.assign(s.wd, 0);
  out.wq.assign(s.wq, 0);
  out.be.assign(s.be, 0);
  out.bd.assign(s.bd, 0);
  out.bq.assign(s.bq, 0);
  k::pack_bottleneck_s8_mve(p, we, be, wd, bd, wq, bq, out.we.data(), out.be.data(), out.wd.data(), out.bd.data(),
                            out.wq.data(), out.bq.data());
}
size_t mve_scratch(const ferrite_rt::BottleneckS8Params& p) { return k::bottleneck_s8_mve_scratch_bytes(p); }
size_t portable_scratch(const ferrite_rt::BottleneckS8Params& p) { return ferrite_rt::bottleneck_s8_scratch_bytes(p); }
}  // namespace

const std::vector<BottleneckS8Variant>& bottleneck_s8_variants() {
  static const std::vector<BottleneckS8Variant> v = {
      // --- Helium (MVE, Cortex-M55): compiler/kernels/pack_s8_mve.h ---
      {KernelId::bottleneck3x3_s1_s8_mve, k::bottleneck3x3_s1_s8_mve_applies, pack_mve, mve_scratch},
      {KernelId::bottleneck3x3_s2_s8_mve, k::bottleneck3x3_s2_s8_mve_applies, pack_mve, mve_scratch},
      {KernelId::bottleneck5x5_s1_s8_mve, k::bottleneck5x5_s1_s8_mve_applies, pack_mve, mve_scratch},
      {KernelId::bottleneck5x5_s2_s8_mve, k::bottleneck5x5_s2_s8_mve_applies, pack_mve, mve_scratch},
      {KernelId::bottleneck7x7_s1_s8_mve, k::bottleneck7x7_s1_s8_mve_applies, pack_mve, mve_scratch},
      {KernelId::bottleneck7x7_s2_s8_mve, k::bottleneck7x7_s2_s8_mve_applies, pack_mve, mve_scratch},
      // --- DSP extension + FPU (Cortex-M4F, M7, M33): compiler/kernels/pack_s8_dsp.h ---
      {KernelId::bottleneck3x3_s1_s8_dsp, k::bottleneck3x3_s1_s8_dsp_applies, pack_dsp,
       ferrite_rt::bottleneck_s8_dsp_scratch_bytes},
      {KernelId::bottleneck3x3_s2_s8_dsp, k::bottleneck3x3_s2_s8_dsp_applies, pack_dsp,
       ferrite_rt::bottleneck_s8_dsp_scratch_bytes},
      {KernelId::bottleneck5x5_s1_s8_dsp, k::bottleneck5x5_s1_s8_dsp_applies, pack_dsp,
       ferrite_rt::bottleneck_s8_dsp_scratch_bytes},
      {KernelId::bottleneck5x5_s2_s8_dsp, k::bottleneck5x5_s2_s8_dsp_applies, pack_dsp,
       ferrite_rt::bottleneck_s8_dsp_scratch_bytes},
      {KernelId::bottleneck7x7_s1_s8_dsp, k::bottleneck7x7_s1_s8_dsp_applies, pack_dsp,
       ferrite_rt::bottleneck_s8_dsp_scratch_bytes},
      {KernelId::bottleneck7x7_s2_s8_dsp, k::bottleneck7x7_s2_s8_dsp_applies, pack_dsp,
       ferrite_rt::bottleneck_s8_dsp_scratch_bytes},
      // --- portable reference kernel (passes/bottleneck.cpp builds this call) ---
      {KernelId::bottleneck_s8_nhwc, nullptr, nullptr, portable_scratch},
  };
  return v;
}

}  // namespace ferrite
