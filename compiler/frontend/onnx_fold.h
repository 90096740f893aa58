// Compile-time evaluation of an ONNX graph's shape arithmetic and constant data, before the IR is
// built (compiler/frontend/onnx_fold.cpp). Exporters such as torch.onnx compute shapes at run time
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape), wrap quantized tensors in Casts to their own
// type and build zero points with ConstantOfShape -> Cast; with every input shape static all of it
// is constant. Folding it here keeps the IR's invariant that every tensor has a static shape.
#pragma once
#include <string>
#include <vector>

#include "support/error.h"

namespace onnx { class ModelProto; }

namespace ferrite {

// Operators Ferrite accepts only when they fold away at compile time: they have no kernel, and a
// node of these types that is still in the graph after folding is refused (naming node and tensor).
const std::vector<std::string>& fold_only_ops();
bool is_fold_only_op(const std::string& domain, const std::string& op_type);

struct FoldStats {
  int folded = 0;      // nodes evaluated at compile time (their outputs became initializers)
  int aliases = 0;     // identity Casts / Expands removed (output = input)
  int constants = 0;   // Constant nodes turned into initializers
  int iterations = 0;  // shape-inference runs
};

// Runs ONNX shape inference (type checking, strict errors, data propagation) and folds, repeating
// until nothing changes: a node whose inputs are all constant and whose op is one of the foldable
// operators is evaluated and its outputs become initializers; Shape and Size of a tensor with a
// static inferred shape fold; a Cast to the tensor's own type and an Expand that does not change
// the shape are removed (the output is the input). Afterwards every remaining fold-only node is
// refused in one error that lists them all. `model` must be at the canonical opset (17).
Status fold_and_infer_shapes(onnx::ModelProto& model, const std::string& base_dir, FoldStats* stats = nullptr);

}  // namespace ferrite
