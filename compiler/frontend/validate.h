// Validation of a model before anything trusts it (docs/architecture.md, section 1). ONNX's shape
// inference divides by strides and multiplies dims without checks, and the later stages size
// allocations, int32 kernel parameters and arena offsets from the model: so attributes and declared
// sizes are checked first, on the protobuf, and the built IR once more (every tensor's size, empty
// tensors, quantization parameter lengths). Each error names the node, the attribute or tensor and
// the value, in the model's own names.
#pragma once
#include "ir/ir.h"

namespace onnx { class GraphProto; }

namespace ferrite {

// Tensor data stored outside the model file is read for graph initializers only (a Constant node's
// tensor with external data is refused: it would be resolved against no folder).
Status refuse_external_data_outside_initializers(const onnx::GraphProto& g);

// Per-operator attribute sanity for the operators Ferrite imports, before ONNX's checker, version
// converter and shape inference run: kernel_shape, strides and dilations >= 1, pads >= 0, group >= 1,
// all fitting int32, consistent lengths; auto_pad one of its four values; boolean attributes 0 or 1;
// no input left empty ("") in a slot the operator's schema (at `opset`) does not mark optional.
Status validate_attributes(const onnx::GraphProto& g, int64_t opset);

// A Conv/ConvInteger/QLinearConv whose weights are an initializer gets its kernel_shape attribute
// spelled out (the spec infers it from the weights): ONNX's shape inference then checks its length
// against the input's rank instead of reading past the end of its own arrays when they differ.
void make_kernel_shapes_explicit(onnx::GraphProto& g);

// The declared dims of the graph inputs (after --input-shape) and of the initializers: no negative
// dim, at most kMaxTensorElements elements (overflow-checked), before shape inference multiplies them.
// With inputs = false, the initializers and Constant values only: the importer checks those first,
// before the opset rewrite reads them, and everything again once --input-shape has been applied.
Status validate_declared_sizes(const onnx::GraphProto& g, bool inputs = true);

// The imported graph: every tensor within the size limits; no empty (zero-element) tensor read or
// written by a computing node (views and Slice may pass one on; constants in constant-only slots,
// such as a Reshape to a scalar's empty shape, are fine); Quantize/DequantizeLinear scales and
// zero points of matching lengths.
Status validate_graph(const Graph& g);

}  // namespace ferrite
