// The int8 global average pooling variant list.
#include "kernels/pool_s8_variants.h"

#include <cmath>

namespace ferrite {

namespace {
bool in_s8(int32_t v) { return v >= -128 && v <= 127; }
// global_avgpool_s8_dsp: its table requantization needs the output zero point and the clamp inside
// int8 and a finite scale (computed with the kernel's float operations).
bool gap_dsp_applies(const ferrite_rt::GlobalPoolS8Params& p) {
  const float denom = p.out_scale * static_cast<float>(p.spatial);
  const float scale = p.in_scale / denom;
  return p.n >= 1 && p.c >= 1 && p.spatial >= 1 && in_s8(p.out_zp) && in_s8(p.act_min) && in_s8(p.act_max) &&
         p.act_min <= p.act_max && std::isfinite(scale);
}
}  // namespace

const std::vector<GlobalPoolS8Variant>& global_pool_s8_variants() {
  static const std::vector<GlobalPoolS8Variant> v = {
      {KernelId::global_avgpool_s8_dsp, gap_dsp_applies},
      {KernelId::global_avgpool_s8_nhwc, nullptr},
  };
  return v;
}

}  // namespace ferrite
