// Opsets 18 to 23 on Debian's ONNX library, which knows opsets up to 17 (compiler/frontend/onnx_opset.cpp).
// Before ONNX's checker and shape inference run, the operators whose signature changed after opset 17
// are rewritten into their opset-17 form, following one table (op, since-version, rewrite); what has
// no exact opset-17 form is refused naming node, operator and opset. docs/onnx-support.md lists both.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "support/error.h"

namespace onnx { class ModelProto; }

namespace ferrite {

// Newest ai.onnx opset Ferrite reads (rewritten to kCanonicalOpset).
constexpr int kMaxOpset = 23;

struct OpsetRewriteStats {
  int rewritten = 0;  // nodes whose attributes/inputs changed
  int unchanged = 0;  // nodes whose opset-17 schema is the same (or differs in element types only)
};

// Rewrites `model` (ai.onnx opset `opset`, 18..kMaxOpset) in place into an opset-17 model: nodes are
// rewritten, the ai.onnx opset import becomes 17 and the IR version at most 8 (ONNX 1.12's). Element
// types that opset 17 does not know (float8, int4, float4, ...) are refused wherever a model declares
// them. A few rewrites need a static shape (Split's num_outputs, Pad's and Resize's axes): those take
// it from ONNX's shape inference of the part of the graph above the node, with `input_shapes`
// (--input-shape) applied. `model`'s graph must be structurally sound (check_structure) and hold
// no external data.
// The ai.onnx operators opset 17 does not have that the rewrite decomposes into opset-17 operators
// Ferrite runs (Gelu-20, GroupNormalization-18/21): `ferrite ops` claims them.
struct DecomposedOp {
  const char* op;
  int since;         // the opset that added it
  const char* into;  // what it becomes
};
const std::vector<DecomposedOp>& decomposed_ops();

Status rewrite_to_opset17(onnx::ModelProto& model, int64_t opset, const std::map<std::string, Shape>& input_shapes,
                          OpsetRewriteStats* stats = nullptr);

}  // namespace ferrite
