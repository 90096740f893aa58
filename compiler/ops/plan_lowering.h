// What the memory stage and the post-lowering fusions (passes/memory_patches.cpp, passes/memory/,
// passes/bottleneck.cpp) ask of lowering, without the kernel parameter structs: the passes decide
// (a patch grid and its regions, which layers run in place, which convolutions fuse) and these
// functions turn the decision into kernel calls and scratch sizes. Planning passes never edit a
// kernel's parameters themselves.
#pragma once
#include <cstddef>
#include <cstdint>

#include "ops/lower.h"

namespace ferrite {

// A spatial region of a rank-4 tensor.
struct Rect {
  int64_t r0 = 0, r1 = 0, c0 = 0, c1 = 0;  // rows [r0, r1), cols [c0, c1)
  int64_t rows() const { return r1 - r0; }
  int64_t cols() const { return c1 - c0; }
  bool empty() const { return r1 <= r0 || c1 <= c0; }
};

// --- Inverted bottleneck fusion ---
// Whether `c` is an int8 convolution that the channel-streamed bottleneck can take (batch 1,
// int8 output).
bool bottleneck_conv_ok(const KernelCall& c);
// The fused expand -> depthwise -> project call of three portable conv calls (kernel selected
// for `target`, its scratch and MACs filled).
Expected<Lowered> lower_bottleneck(Graph& g, const KernelCall& expand, const KernelCall& depthwise,
                                   const KernelCall& project, uint64_t macs, const Target& target);

// Whether `expand` (conv2d_f32) and `depthwise` (dwconv2d_f32) can run as one channel-streamed
// expand_dw_f32 call: batch 1, a group-1 expand whose output channels the depthwise takes.
bool expand_dw_f32_ok(const KernelCall& expand, const KernelCall& depthwise);
// That call (its scratch: one expanded plane and the expand's patch; MACs `macs`).
Lowered lower_expand_dw_f32(const KernelCall& expand, const KernelCall& depthwise, uint64_t macs);

// --- Patch-based inference ---
// Whether `ref` (a portable call) is an int8 convolution whose scratch depends on the patch shape.
bool is_patch_conv_s8(const KernelCall& ref);
// The kernel scratch (out of place, in place) of the variant `target` selects for the int8
// convolution `ref` run on one patch: input region `in`, output region `out`.
std::pair<size_t, size_t> patch_conv_s8_scratch(const KernelCall& ref, const Rect& in, const Rect& out,
                                                const Target& target);
// A window_copy call between the full tensor `full` (`full_t`) and its patch buffer `patch` for
// region r (to_full: patch -> full window; else full window -> patch).
KernelCall lower_window_copy(const Tensor& full_t, const Rect& r, TensorId full, TensorId patch, bool to_full,
                             const char* variant);
// A strided_copy call (variant `variant`) of all of `y`'s bytes from tensor `in` to tensor `out`
// (`y`: the output tensor): for a layer the whole-graph plan runs as a copy whose lowering for one
// patch is an alias (a Relayout of a 1x1 patch), since the plan gave input and output their own storage.
KernelCall lower_dense_copy(const Tensor& y, TensorId in, TensorId out, const char* variant);
// Rewrites an addition's call (lowered for same-shape inputs of the output region `out`) to read
// input `which` (0/1) through a strided view of its larger region `in` (`y`: the output tensor).
void view_add_input(KernelCall& c, size_t which, const Tensor& y, const Rect& in, const Rect& out);
// Gives an addition's call the output region's dims in iteration (physical) order; inputs at the
// output's own region (`same_region[which]`) keep dense strides of that region.
void view_add_output(KernelCall& c, const Tensor& y, const Rect& out, const bool same_region[2]);
// The quantize call of a patch's first layer rewritten to read its window `out` of the full input
// image `x` (NCHW) into the layout of `y`.
Expected<KernelCall> lower_quantize_window(const KernelCall& c, const Tensor& x, const Tensor& y, const Rect& out);

}  // namespace ferrite
