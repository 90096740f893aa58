// ONNX shape inference behind a guard (onnx_infer.h).
#include "frontend/onnx_infer.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ferrite {

namespace {

// The rank of input `i` when it has a type with a shape, else -1.
int input_rank(onnx::InferenceContext& ctx, size_t i) {
  if (i >= ctx.getNumInputs()) return -1;
  const onnx::TypeProto* t = ctx.getInputType(i);
  if (!t || !t->has_tensor_type() || !t->tensor_type().has_shape()) return -1;
  return t->tensor_type().shape().dim_size();
}

int64_t attr_int(onnx::InferenceContext& ctx, const char* name, int64_t fallback) {
  const onnx::AttributeProto* a = ctx.getAttribute(name);
  return a && a->type() == onnx::AttributeProto::INT ? a->i() : fallback;
}

int attr_len(onnx::InferenceContext& ctx, const char* name) {
  const onnx::AttributeProto* a = ctx.getAttribute(name);
  return a && a->type() == onnx::AttributeProto::INTS ? a->ints_size() : -1;
}

// The input ranks that ONNX 1.12's inference function for `op` indexes without checking them
// (fuzzed models crashed it on ConvTranspose's weights and LayerNormalization's axis: docs/fuzzing.md,
// round 9; the convolutions and pools share the same convPoolShapeInference).
void check_ranks(const std::string& op, onnx::InferenceContext& ctx) {
  const bool conv = op == "Conv" || op == "ConvTranspose" || op == "ConvInteger" || op == "QLinearConv";
  const bool pool = op == "MaxPool" || op == "AveragePool" || op == "LpPool" || op == "QLinearAveragePool";
  if (conv || pool) {
    const size_t w_slot = op == "QLinearConv" ? 3 : 1;
    const int x = input_rank(ctx, 0), w = conv ? input_rank(ctx, w_slot) : -1;
    if (x >= 0 && x < 3) fail_shape_inference("input X has rank ", x, "; it must have rank 3 or more (N, C, spatial dims)");
    if (w >= 0 && w < 3) fail_shape_inference("weights W have rank ", w, "; they must have rank 3 or more (M, C/group, kernel dims)");
    if (x >= 0 && w >= 0 && x != w) fail_shape_inference("input X has rank ", x, ", weights W rank ", w, "; they must be equal");
    const int spatial = x >= 0 ? x - 2 : w >= 0 ? w - 2 : -1;
    if (spatial >= 0)
      for (const char* name : {"kernel_shape", "strides", "dilations"}) {
        const int len = attr_len(ctx, name);
        if (len >= 0 && len != spatial)
          fail_shape_inference("attribute ", name, " has ", len, " values for ", spatial, " spatial dims");
      }
    const int pads = attr_len(ctx, "pads");
    if (spatial >= 0 && pads >= 0 && pads != 2 * spatial)
      fail_shape_inference("attribute pads has ", pads, " values; ", spatial, " spatial dims need ", 2 * spatial);
  } else if (op == "LayerNormalization") {
    const int r = input_rank(ctx, 0);
    const int64_t axis = attr_int(ctx, "axis", -1);
    if (r >= 0 && (axis < -r || axis >= r))
      fail_shape_inference("attribute axis = ", axis, " is outside the input's rank ", r);
  }
}

// A copy of ONNX's registry whose schemas run check_ranks before their inference function and
// leave a failed node's outputs untyped (onnx_infer.h).
class GuardedRegistry final : public onnx::ISchemaRegistry {
 public:
  const onnx::OpSchema* GetSchema(const std::string& key, const int max_inclusive_version,
                                  const std::string& domain) const override {
    const onnx::OpSchema* s = onnx::OpSchemaRegistry::Instance()->GetSchema(key, max_inclusive_version, domain);
    if (!s) return nullptr;
    auto it = guarded_.find(s);
    if (it != guarded_.end()) return it->second.get();
    auto copy = std::make_unique<onnx::OpSchema>(*s);
    if (s->has_type_and_shape_inference_function()) {
      copy->TypeAndShapeInferenceFunction(
          [op = s->Name(), inner = s->GetTypeAndShapeInferenceFunction()](onnx::InferenceContext& ctx) {
            try {
              check_ranks(op, ctx);
              inner(ctx);
            } catch (...) {
              for (size_t i = 0; i < ctx.getNumOutputs(); ++i) ctx.getOutputType(i)->Clear();
              throw;
            }
          });
    }
    if (s->has_data_propagation_function()) {
      // (Shape's reads its input's type without a null check: an input whose producer failed to
      // infer has none. Data propagation only refines shapes, so it is skipped there.)
      // An omitted optional input has no type either: only the inputs the schema requires count.
      std::vector<bool> required;
      for (const auto& f : s->inputs()) required.push_back(f.GetOption() != onnx::OpSchema::Optional);
      copy->PartialDataPropagationFunction(
          [required, inner = s->GetDataPropagationFunction()](onnx::DataPropagationContext& ctx) {
            for (size_t i = 0; i < ctx.getNumInputs() && !required.empty(); ++i)
              if (required[std::min(i, required.size() - 1)] && !ctx.getInputType(i)) return;
            inner(ctx);
          });
    }
    return guarded_.emplace(s, std::move(copy)).first->second.get();
  }

 private:
  mutable std::map<const onnx::OpSchema*, std::unique_ptr<onnx::OpSchema>> guarded_;
};

}  // namespace

void infer_shapes_guarded(onnx::ModelProto& m, const onnx::ShapeInferenceOptions& options) {
  GuardedRegistry registry;
  try {
    onnx::shape_inference::InferShapes(m, &registry, options);
  } catch (const onnx::InferenceError& e) {
    // ONNX lists every node that failed; after the first, most failed because it did (their inputs
    // have no type): the first one is the message.
    const std::string all = e.what();
    const size_t nl = all.find('\n');
    if (nl == std::string::npos || nl + 1 >= all.size()) throw;
    size_t more = 0;
    for (size_t p = nl; p != std::string::npos && p + 1 < all.size(); p = all.find('\n', p + 1)) ++more;
    throw std::runtime_error(fmt::format("{} (and {} more after it)", all.substr(0, nl), more));
  }
}

}  // namespace ferrite
