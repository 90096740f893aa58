// ONNX shape inference behind a guard.
//
// ONNX 1.12's inference functions trust what ONNX's checker does not check, and its inference goes
// on after a node fails. Both crash it on hostile models: a ConvTranspose whose weights have rank 0
// reads dims that do not exist; a MatMul whose inner dims differ fails and leaves its output without
// a type, and the Shape node after it dereferences that missing type while propagating data. The
// sandbox (sandbox.h) contains such crashes; this guard keeps them from happening:
//   - every schema's inference function is wrapped: the input ranks its ONNX function indexes
//     without checking are checked first (an error naming what is wrong, as ONNX's own errors do),
//   - a node whose inference fails leaves its outputs without a type, as if it had no inference
//     function (nothing downstream reads a partly written type),
//   - data propagation is skipped for a node whose required input has no type.
// Inference results are otherwise ONNX's own: a model that infers without error gets the same types.
#pragma once

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

namespace ferrite {

// onnx::shape_inference::InferShapes(m, registry, options) with the guard above.
void infer_shapes_guarded(onnx::ModelProto& m, const onnx::ShapeInferenceOptions& options);

}  // namespace ferrite
