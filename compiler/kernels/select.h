// Kernel selection: after lowering has produced the portable calls of a node, each kernel family's
// variant table picks the fastest variant the target can run for that layer's shape and attributes,
// packs its weights at compile time, and sets its scratch. Selection is data (the tables in
// kernels/*_variants.cpp); the portable call stays the reference the variants are tested against.
#pragma once
#include "ops/kernel_params.h"
#include "ops/lower.h"

namespace ferrite {

// Replaces the portable calls of `l` (lowered from a node of `g`) by target variants where a
// family's table has one that applies; keeps the portable calls in `l.reference_calls`.
Status select_kernels(const Graph& g, Lowered& l, const Target& target);

// The kernel scratch an int8 convolution with parameters `p`, lowered to the portable `reference`
// kernel (conv1x1_s8_nhwc, dwconv_s8_nhwc or conv_s8_nhwc), needs on `target`: the variant the
// selection picks for `p`, out of place or in place. Needs no weights, so the planner can size the
// scratch of every patch of a patched stage cheaply.
size_t conv_s8_scratch(const ferrite_rt::ConvS8Params& p, KernelId reference, const Target& target, bool in_place);

// The fused inverted bottleneck (passes/bottleneck.cpp): `l` holds the portable bottleneck_s8_nhwc
// call; replaces it by the first variant of kernels/bottleneck_s8_variants.cpp the target can run,
// adding its packed weights to `g` as constants, and sets `l.scratch_bytes` to the chosen kernel's.
Status select_bottleneck(Graph& g, Lowered& l, const Target& target);

}  // namespace ferrite
