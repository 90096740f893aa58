// Channel-streamed inverted bottlenecks (MobileNetV2 blocks): an int8 1x1 expand convolution, a
// depthwise convolution and a 1x1 project convolution, run by one kernel (bottleneck_s8_nhwc in
// runtime_templates/conv_s8/conv_s8.h) that never stores the expanded tensor. It needs
// c_out * 4 bytes of accumulators per output pixel plus two one-channel planes instead of the
// expanded tensor's c_mid bytes per pixel, so it lowers the peak of the wide layer-by-layer blocks
// (the 28x28 residual blocks of MobileNetV2-1.0-224 int8: 200,704 -> 152,096 bytes) and costs no
// extra MACs; the accumulators are read and written once per middle channel, which makes it slower
// than the layer-by-layer kernels, so the compiler only fuses the blocks that decide the arena
// (compile.cpp, --fuse-bottlenecks auto).
#pragma once
#include <string>
#include <vector>

#include "ops/lower.h"

namespace ferrite {

// First node index of every fusable chain: nodes i, i+1, i+2 lowered to conv1x1_s8_nhwc,
// dwconv_s8_nhwc, conv1x1_s8_nhwc, each reading the previous one's output, which no other node
// reads and which is not a graph output. Only chains starting at or after `from` are returned; they
// do not overlap (the first match wins).
std::vector<size_t> find_bottlenecks(const Graph& g, const std::vector<Lowered>& lowered, size_t from = 0);

// Float blocks: first node index of every chain of nodes i, i+1 lowered to conv2d_f32 (a group-1
// expand) and dwconv2d_f32 reading its output, which no other node reads and which is not a graph
// output (from `from` on, not overlapping). EfficientNet's MBConv puts squeeze-excitation between
// the depthwise and the project convolution, so the float chain stops at the depthwise.
std::vector<size_t> find_expand_dw_f32(const Graph& g, const std::vector<Lowered>& lowered, size_t from = 0);

// Replaces nodes first, first+1 (a chain from find_expand_dw_f32) by one InvertedBottleneck node
// running expand_dw_f32 (the expanded tensor streamed one channel plane at a time; bit-identical);
// returns a note for the report.
std::string fuse_expand_dw_f32(Graph& g, std::vector<Lowered>& lowered, size_t first);

// Replaces nodes first..first+2 (a chain from find_bottlenecks) by one InvertedBottleneck node whose
// call is the fastest bottleneck variant `target` can run (kernels/bottleneck_s8_variants.cpp; its
// packed weights are added to `g`, its scratch is the layer's); returns a note for the report
// naming the three layers.
Expected<std::string> fuse_bottleneck(Graph& g, std::vector<Lowered>& lowered, size_t first,
                                      const Target& target = host_target());

}  // namespace ferrite
