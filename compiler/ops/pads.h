// Conv/pool padding arithmetic (ONNX auto_pad), shared by lowering and by the patch geometry of the
// memory stage (passes/memory_patches.cpp), which must not include the kernel headers.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ferrite::ops {

// Explicit begin pads for a conv/pool spatial dim, resolving auto_pad against the inferred output.
inline int64_t resolve_pad_begin(const std::string& auto_pad, int64_t in, int64_t out, int64_t k, int64_t s,
                                 int64_t d, int64_t explicit_begin) {
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    int64_t total = (out - 1) * s + (k - 1) * d + 1 - in;
    if (total < 0) total = 0;
    return auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
  }
  if (auto_pad == "VALID") return 0;
  return explicit_begin;
}

// Begin and end pads of a pooling window along one spatial axis: explicit pads, or auto_pad
// resolved against the inferred output size (the end pad is what makes the window count right).
inline std::pair<int64_t, int64_t> resolve_pool_pads(const std::string& auto_pad, int64_t in, int64_t out, int64_t k,
                                                     int64_t s, int64_t d, int64_t begin, int64_t end) {
  if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID") return {begin, end};
  const int64_t total = auto_pad == "VALID" ? 0 : std::max<int64_t>(0, (out - 1) * s + (k - 1) * d + 1 - in);
  const int64_t b = resolve_pad_begin(auto_pad, in, out, k, s, d, begin);
  return {b, total - b};
}

// The 1 to 3 spatial values of a convolution or pool (input/output dims, kernel, strides, dilations,
// pads) in the kernels' three (depth, height, width) slots, right-aligned: a 2-D op has depth
// `fill`, a 1-D op height `fill` too.
inline std::array<int64_t, 3> dhw(const std::vector<int64_t>& spatial, int64_t fill) {
  std::array<int64_t, 3> r{fill, fill, fill};
  const size_t nsp = std::min<size_t>(spatial.size(), 3);
  for (size_t i = 0; i < nsp; ++i) r[3 - nsp + i] = spatial[spatial.size() - nsp + i];
  return r;
}

}  // namespace ferrite::ops
