// Schemas (inputs, type constraints, shape inference) for the com.microsoft operators Ferrite
// compiles, written from ONNX Runtime's contrib-op documentation. Only what checking and shape
// inference need is declared.
#include "frontend/contrib_schemas.h"

#include <mutex>

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>

namespace ferrite {

namespace {
using onnx::InferenceContext;
using onnx::OpSchema;

const std::vector<std::string> kAnyQuant = {"tensor(uint8)", "tensor(int8)"};

OpSchema base(const char* name) {
  OpSchema s;
  s.SetName(name).SetDomain("com.microsoft").SinceVersion(1);
  s.TypeConstraint("T", kAnyQuant, "quantized type");
  return s;
}

void same_shape(InferenceContext& ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (onnx::hasInputShape(ctx, 0)) onnx::propagateShapeFromInputToOutput(ctx, 0, 0);
}

void broadcast(InferenceContext& ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (onnx::hasInputShape(ctx, 0) && onnx::hasInputShape(ctx, 3))
    onnx::bidirectionalBroadcastShapeInference(ctx.getInputType(0)->tensor_type().shape(),
                                               ctx.getInputType(3)->tensor_type().shape(),
                                               *onnx::getOutputShape(ctx, 0));
}

// Pooling output dims (ONNX AveragePool rules: pads / auto_pad / ceil_mode / strides).
void pool_shape(InferenceContext& ctx) {
  onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!onnx::hasInputShape(ctx, 0)) return;
  const auto& in = ctx.getInputType(0)->tensor_type().shape();
  const bool nhwc = onnx::getAttribute(ctx, "channels_last", 0) != 0;
  const int rank = in.dim_size();
  if (rank < 3) return;
  const int nsp = rank - 2;
  std::vector<int64_t> k, s(nsp, 1), pads(2 * nsp, 0);
  if (auto* a = ctx.getAttribute("kernel_shape")) k.assign(a->ints().begin(), a->ints().end());
  if (auto* a = ctx.getAttribute("strides")) s.assign(a->ints().begin(), a->ints().end());
  if (auto* a = ctx.getAttribute("pads")) pads.assign(a->ints().begin(), a->ints().end());
  const std::string auto_pad = onnx::getAttribute(ctx, "auto_pad", std::string("NOTSET"));
  const bool ceil_mode = onnx::getAttribute(ctx, "ceil_mode", 0) != 0;
  if (static_cast<int>(k.size()) != nsp) return;
  auto* out = onnx::getOutputShape(ctx, 0);
  auto dim_of = [&](int i) { return in.dim(nhwc ? (i == 0 ? 0 : (i == 1 ? rank - 1 : i - 1)) : i); };
  std::vector<int64_t> od(static_cast<size_t>(rank), -1);
  od[0] = dim_of(0).has_dim_value() ? dim_of(0).dim_value() : -1;
  od[1] = dim_of(1).has_dim_value() ? dim_of(1).dim_value() : -1;
  for (int i = 0; i < nsp; ++i) {
    if (!dim_of(2 + i).has_dim_value()) return;
    const int64_t x = dim_of(2 + i).dim_value();
    int64_t o;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") o = (x + s[i] - 1) / s[i];
    else if (auto_pad == "VALID") o = (x - k[i]) / s[i] + 1;
    else {
      const int64_t span = x + pads[i] + pads[i + nsp] - k[i];
      o = (ceil_mode ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
    }
    od[static_cast<size_t>(2 + i)] = o;
  }
  std::vector<int64_t> order(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) order[static_cast<size_t>(i)] = nhwc ? (i == 0 ? 0 : (i == rank - 1 ? 1 : i + 1)) : i;
  for (int i = 0; i < rank; ++i) {
    auto* d = out->add_dim();
    if (od[static_cast<size_t>(order[static_cast<size_t>(i)])] >= 0) d->set_dim_value(od[static_cast<size_t>(order[static_cast<size_t>(i)])]);
  }
}

void register_all() {
  auto& ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance();
  if (ranges.Map().count("com.microsoft") == 0) ranges.AddDomainToVersion("com.microsoft", 1, 1);

  for (const char* name : {"QLinearAdd", "QLinearMul"}) {
    OpSchema s = base(name);
    s.Input(0, "A", "", "T").Input(1, "A_scale", "", "tensor(float)").Input(2, "A_zero_point", "", "T", OpSchema::Optional)
        .Input(3, "B", "", "T").Input(4, "B_scale", "", "tensor(float)").Input(5, "B_zero_point", "", "T", OpSchema::Optional)
        .Input(6, "C_scale", "", "tensor(float)").Input(7, "C_zero_point", "", "T", OpSchema::Optional)
        .Output(0, "C", "", "T").TypeAndShapeInferenceFunction(broadcast);
    onnx::RegisterSchema(s);
  }
  for (const char* name : {"QLinearSigmoid", "QLinearLeakyRelu"}) {
    OpSchema s = base(name);
    s.Input(0, "X", "", "T").Input(1, "X_scale", "", "tensor(float)").Input(2, "X_zero_point", "", "T", OpSchema::Optional)
        .Input(3, "Y_scale", "", "tensor(float)").Input(4, "Y_zero_point", "", "T", OpSchema::Optional)
        .Output(0, "Y", "", "T").Attr("alpha", "", onnx::AttributeProto::FLOAT, 0.01f)
        .TypeAndShapeInferenceFunction(same_shape);
    onnx::RegisterSchema(s);
  }
  {
    OpSchema s = base("QLinearGlobalAveragePool");
    s.Input(0, "X", "", "T").Input(1, "x_scale", "", "tensor(float)").Input(2, "x_zero_point", "", "T")
        .Input(3, "y_scale", "", "tensor(float)").Input(4, "y_zero_point", "", "T").Output(0, "Y", "", "T")
        .Attr("channels_last", "", onnx::AttributeProto::INT, static_cast<int64_t>(0))
        .TypeAndShapeInferenceFunction([](InferenceContext& ctx) {
          onnx::propagateElemTypeFromInputToOutput(ctx, 0, 0);
          if (!onnx::hasInputShape(ctx, 0)) return;
          const auto& in = ctx.getInputType(0)->tensor_type().shape();
          const bool nhwc = onnx::getAttribute(ctx, "channels_last", 0) != 0;
          auto* out = onnx::getOutputShape(ctx, 0);
          for (int i = 0; i < in.dim_size(); ++i) {
            const bool keep = i == 0 || i == (nhwc ? in.dim_size() - 1 : 1);
            if (keep) *out->add_dim() = in.dim(i);
            else out->add_dim()->set_dim_value(1);
          }
        });
    onnx::RegisterSchema(s);
  }
  {
    OpSchema s = base("QLinearAveragePool");
    s.Input(0, "X", "", "T").Input(1, "x_scale", "", "tensor(float)").Input(2, "x_zero_point", "", "T", OpSchema::Optional)
        .Input(3, "y_scale", "", "tensor(float)").Input(4, "y_zero_point", "", "T", OpSchema::Optional)
        .Output(0, "Y", "", "T")
        .Attr("auto_pad", "", onnx::AttributeProto::STRING, std::string("NOTSET"))
        .Attr("ceil_mode", "", onnx::AttributeProto::INT, static_cast<int64_t>(0))
        .Attr("channels_last", "", onnx::AttributeProto::INT, static_cast<int64_t>(0))
        .Attr("count_include_pad", "", onnx::AttributeProto::INT, static_cast<int64_t>(0))
        .Attr("kernel_shape", "", onnx::AttributeProto::INTS)
        .Attr("pads", "", onnx::AttributeProto::INTS, false)
        .Attr("strides", "", onnx::AttributeProto::INTS, false)
        .TypeAndShapeInferenceFunction(pool_shape);
    onnx::RegisterSchema(s);
  }
  {
    OpSchema s = base("QLinearConcat");
    s.Input(0, "Y_scale", "", "tensor(float)").Input(1, "Y_zero_point", "", "T")
        .Input(2, "inputs", "", "TV", OpSchema::Variadic, false)
        .TypeConstraint("TV", {"tensor(uint8)", "tensor(int8)", "tensor(float)"}, "")
        .Output(0, "Y", "", "T").Attr("axis", "", onnx::AttributeProto::INT)
        .TypeAndShapeInferenceFunction([](InferenceContext& ctx) {
          onnx::propagateElemTypeFromInputToOutput(ctx, 1, 0);
          const size_t n = ctx.getNumInputs();
          if (n < 5 || (n - 2) % 3 != 0) return;
          for (size_t i = 2; i < n; i += 3)
            if (!onnx::hasInputShape(ctx, i)) return;
          const auto& first = ctx.getInputType(2)->tensor_type().shape();
          const int rank = first.dim_size();
          int64_t axis = onnx::getAttribute(ctx, "axis", 0);
          if (axis < 0) axis += rank;
          if (axis < 0 || axis >= rank) return;
          auto* out = onnx::getOutputShape(ctx, 0);
          for (int d = 0; d < rank; ++d) {
            if (d != axis) { *out->add_dim() = first.dim(d); continue; }
            int64_t total = 0;
            bool known = true;
            for (size_t i = 2; i < n; i += 3) {
              const auto& dd = ctx.getInputType(i)->tensor_type().shape().dim(d);
              known = known && dd.has_dim_value();
              if (dd.has_dim_value()) total += dd.dim_value();
            }
            auto* od = out->add_dim();
            if (known) od->set_dim_value(total);
          }
        });
    onnx::RegisterSchema(s);
  }
  {
    OpSchema s = base("QGemm");
    s.Input(0, "A", "", "T").Input(1, "a_scale", "", "tensor(float)").Input(2, "a_zero_point", "", "T")
        .Input(3, "B", "", "TB").Input(4, "b_scale", "", "tensor(float)").Input(5, "b_zero_point", "", "TB")
        .TypeConstraint("TB", kAnyQuant, "quantized type of B")
        .Input(6, "C", "", "tensor(int32)", OpSchema::Optional).Input(7, "y_scale", "", "tensor(float)", OpSchema::Optional)
        .Input(8, "y_zero_point", "", "TY", OpSchema::Optional).Output(0, "Y", "", "TY")
        .TypeConstraint("TY", {"tensor(uint8)", "tensor(int8)", "tensor(float)"}, "")
        .Attr("alpha", "", onnx::AttributeProto::FLOAT, 1.0f)
        .Attr("transA", "", onnx::AttributeProto::INT, static_cast<int64_t>(0))
        .Attr("transB", "", onnx::AttributeProto::INT, static_cast<int64_t>(0))
        .TypeAndShapeInferenceFunction([](InferenceContext& ctx) {
          if (ctx.getNumInputs() > 8 && ctx.getInputType(8)) onnx::propagateElemTypeFromInputToOutput(ctx, 8, 0);
          else ctx.getOutputType(0)->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
          if (!onnx::hasInputShape(ctx, 0) || !onnx::hasInputShape(ctx, 3)) return;
          const auto& a = ctx.getInputType(0)->tensor_type().shape();
          const auto& b = ctx.getInputType(3)->tensor_type().shape();
          if (a.dim_size() != 2 || b.dim_size() != 2) return;
          const bool ta = onnx::getAttribute(ctx, "transA", 0) != 0, tb = onnx::getAttribute(ctx, "transB", 0) != 0;
          auto* out = onnx::getOutputShape(ctx, 0);
          *out->add_dim() = a.dim(ta ? 1 : 0);
          *out->add_dim() = b.dim(tb ? 0 : 1);
        });
    onnx::RegisterSchema(s);
  }
}
}  // namespace

void register_contrib_schemas() {
  static std::once_flag once;
  std::call_once(once, register_all);
}

}  // namespace ferrite
