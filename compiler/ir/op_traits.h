// Per-op traits: what the passes need to know about an operator beyond its ONNX signature (which
// inputs carry activations, the int8 scale/zero-point slots, the layout role, activation fusion,
// patch-based inference, in-place legality in and outside patches). One table (op_traits.cpp), next to ops.def, queried by
// the passes instead of each pass keeping its own `switch (OpKind)` list. An op without an entry
// has the defaults: one data input (slot 0), no int8 slots, no layout role, no fusion, no patches,
// never in place.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "ir/ir.h"

namespace ferrite {

// Physical layout of int8 rank-4 activations (passes/layout_nhwc.cpp).
enum class LayoutRole : uint8_t {
  None,      // reads/writes the logical (NCHW) layout only
  Native,    // reads/writes NHWC (the int8 conv family)
  Agnostic,  // works in whichever layout its operands share (elementwise, lookup tables, copies)
};
// When the layout roles apply.
enum class LayoutWhen : uint8_t { Always, Int8Input, TFLiteInt8Input };

// Float activation fusion (passes/fuse_activation.cpp).
enum class ActFusion : uint8_t {
  None,
  Activation,  // an activation a producer can absorb (ops::activation_of converts it)
  Accepts,     // its kernel applies a fused activation to its output
};

// In-place legality outside patches: when output 0 may be written over one of the inputs, if the
// planner finds that input dead at the node (passes/memory_plan.cpp decides that part).
enum class InPlaceWhen : uint8_t {
  Never,
  Always,        // the first candidate: kernels that read element k before writing it (activations,
                 // math functions, normalizations, lookup tables, requantize, global pools)
  SameShape,     // the first candidate with the output's shape and layout (broadcasting binary ops:
                 // a broadcast operand is read again after its storage would be overwritten)
  Depthwise,     // depthwise convolution (group = input = output channels) of one image whose output
                 // plane is no larger than the input's, through the kernel's in-place form
                 // (Lowered::inplace_calls, a one-channel temporary); lowering makes the form when
                 // this holds, and the rule needs it
  QuantizeInt8,  // quantize to int8 (uint8: a run-time quantize), unless it also transposes NCHW -> NHWC with more than 4 channels
                 // (quantize_f32: the int8 output must lie in the first channel's float plane)
};
struct InPlaceRule {
  std::array<int8_t, 2> inputs = {-1, -1};  // candidate input slots, in order of preference
  InPlaceWhen when = InPlaceWhen::Never;
};

// Role in patch-based inference (passes/memory_patches.cpp): which ops may run in a patched stage.
enum class PatchRole : uint8_t { None, Conv, Pool, Add, Unary, Quantize };

// One (data, scale, zero point) triple of a quantized operator; data -1 = output 0, scale -1 = the
// op has no scale input for it (ConvInteger, MatMulInteger).
struct QSlot {
  int data, scale, zp;
};

struct OpTraits {
  // Input slots that carry activations (-1 = unused), plus, for variadic ops, every slot
  // `variadic_from + k * variadic_stride` below the input count.
  std::array<int8_t, 2> data_inputs = {0, -1};
  int8_t variadic_from = -1, variadic_stride = 0;
  // int8 quantization triples, fixed ones first; QLinearConcat adds (i, i+1, i+2) for its data
  // inputs (variadic_from / variadic_stride).
  std::array<QSlot, 3> qslots = {};
  uint8_t n_qslots = 0;
  bool variadic_qslots = false;
  // Layout roles of the data inputs and of output 0.
  LayoutRole layout_in = LayoutRole::None, layout_out = LayoutRole::None;
  LayoutWhen layout_when = LayoutWhen::Always;
  ActFusion act = ActFusion::None;
  // QDQ folding: a Relu/Clip between this float op and its QuantizeLinear becomes the int8 op's
  // output clamp (the QOperator form takes a fused activation).
  bool qdq_fused_clamp = false;
  // Which input output 0 may overwrite, and when (in_place_input below evaluates it).
  InPlaceRule inplace;
  PatchRole patch = PatchRole::None;
  // In a patched stage the op may write over its input (false for additions: their inputs may be
  // larger windows than the output).
  bool inplace_in_patch = true;
};

const OpTraits& op_traits(OpKind k);

// The input slots of `n` that carry activations (the ops' data inputs), in slot order.
std::vector<size_t> data_input_slots(const Node& n);
bool is_data_input(const Node& n, size_t slot);
// The int8 (data, scale, zero point) triples of `n`, inputs in slot order, then the output.
std::vector<QSlot> int8_slots(const Node& n);
// The input slot output 0 of `n` may overwrite by its in-place rule, -1 when none. `has_inplace_form`:
// whether lowering made the kernel's in-place form (Lowered::inplace_calls), which a Depthwise rule
// needs; lowering asks with the default (true) whether to make it. lower_node sets
// Lowered::inplace_input from this; kernel selection clears it for a variant that cannot run in place.
int in_place_input(const Graph& g, const Node& n, bool has_inplace_form = true);
// Whether the layout roles of `n` apply (MaxPool: only on int8 data; Pad: only TFLite int8).
bool layout_roles_apply(const Graph& g, const Node& n);
// Whether `n` is a QuantizeLinear whose scale or zero point is computed at run time (not a
// constant): lowered to quantize_f32_rt; the passes that need constant quantization parameters
// (fold-qdq, quantized-io, patches) leave it alone, and normalize-int8 keeps its uint8 tensors uint8.
bool quantize_params_at_run_time(const Graph& g, const Node& n);

}  // namespace ferrite
