// Model validation before use (validate.h).
#include "frontend/validate.h"
#include "frontend/onnx_import.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>

namespace ferrite {

namespace {

std::string node_label(const onnx::NodeProto& n, int index) {
  return fmt::format("{} node '{}'", n.op_type(), n.name().empty() ? "#" + std::to_string(index) : n.name());
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::string ints_str(const google::protobuf::RepeatedField<int64_t>& v) {
  std::string s = "[";
  for (int i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v.Get(i));
  return s + "]";
}

// An INTS attribute whose values must lie in [lo, INT32_MAX]; returns its length (-1 when absent).
Expected<int> check_ints(const onnx::NodeProto& n, int index, const char* name, int64_t lo, const char* rule) {
  const auto* a = find_attr(n, name);
  if (!a) return -1;
  if (a->type() != onnx::AttributeProto::INTS)
    return make_error("{}: attribute '{}' must be a list of integers", node_label(n, index), name);
  for (int64_t v : a->ints())
    if (v < lo || v > std::numeric_limits<int32_t>::max())
      return make_error("{}: attribute {} = {}: each value must be {} (and at most {})", node_label(n, index), name,
                        ints_str(a->ints()), rule, std::numeric_limits<int32_t>::max());
  return a->ints_size();
}

Status check_int(const onnx::NodeProto& n, int index, const char* name, int64_t lo, int64_t hi) {
  const auto* a = find_attr(n, name);
  if (!a) return Status::ok();
  if (a->type() != onnx::AttributeProto::INT)
    return make_error("{}: attribute '{}' must be an integer", node_label(n, index), name);
  if (a->i() < lo || a->i() > hi)
    return make_error("{}: attribute {} = {} is out of range: it must be {} to {}", node_label(n, index), name, a->i(),
                      lo, hi);
  return Status::ok();
}

// Conv, ConvInteger, QLinearConv and the pools: window attributes.
Status check_window(const onnx::NodeProto& n, int index, bool conv, int weight_rank) {
  auto k = check_ints(n, index, "kernel_shape", 1, ">= 1");
  if (!k) return k.error();
  auto s = check_ints(n, index, "strides", 1, ">= 1");
  if (!s) return s.error();
  auto d = check_ints(n, index, "dilations", 1, ">= 1");
  if (!d) return d.error();
  auto p = check_ints(n, index, "pads", 0, ">= 0");
  if (!p) return p.error();
  if (!conv && *k < 0) return make_error("{}: attribute kernel_shape is missing", node_label(n, index));
  const int spatial = *k >= 0 ? *k : weight_rank >= 2 ? weight_rank - 2 : *s >= 0 ? *s : *d >= 0 ? *d : *p >= 0 ? *p / 2 : -1;
  if (spatial == 0) return make_error("{}: attribute kernel_shape is empty", node_label(n, index));
  for (auto [name, len] : {std::pair<const char*, int>{"strides", *s}, {"dilations", *d}})
    if (len >= 0 && len != spatial)
      return make_error("{}: attribute {} has {} values for {} spatial dims", node_label(n, index), name, len, spatial);
  if (*p >= 0 && *p != 2 * spatial)
    return make_error("{}: attribute pads has {} values, {} spatial dims need {}", node_label(n, index), *p, spatial,
                      2 * spatial);
  if (const auto* a = find_attr(n, "auto_pad")) {
    const std::string v = a->s();
    if (v != "NOTSET" && v != "SAME_UPPER" && v != "SAME_LOWER" && v != "VALID")
      return make_error("{}: attribute auto_pad = '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID",
                        node_label(n, index), v);
  }
  if (conv) FERRITE_TRY(check_int(n, index, "group", 1, std::numeric_limits<int32_t>::max()));
  if (conv) {  // ConvTranspose's (before ONNX's inference, which adds them up in int64)
    auto op = check_ints(n, index, "output_padding", 0, ">= 0");
    if (!op) return op.error();
    auto os = check_ints(n, index, "output_shape", 1, ">= 1");
    if (!os) return os.error();
  }
  FERRITE_TRY(check_int(n, index, "ceil_mode", 0, 1));
  FERRITE_TRY(check_int(n, index, "count_include_pad", 0, 1));
  FERRITE_TRY(check_int(n, index, "storage_order", 0, 1));
  return Status::ok();
}

}  // namespace

Status refuse_external_data_outside_initializers(const onnx::GraphProto& g) {
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto& a : g.node(i).attribute()) {
      bool ext = a.has_t() && a.t().data_location() == onnx::TensorProto::EXTERNAL;
      for (const auto& t : a.tensors()) ext = ext || t.data_location() == onnx::TensorProto::EXTERNAL;
      if (ext)
        return make_error("{}: attribute '{}' holds a tensor with external data; only initializers may store their "
                          "data outside the model file",
                          node_label(g.node(i), i), a.name());
    }
  return Status::ok();
}

Status validate_attributes(const onnx::GraphProto& g, int64_t opset) {
  std::map<std::string, int> init_rank;  // the weights' rank tells a Conv's spatial dims
  for (const auto& t : g.initializer()) init_rank[t.name()] = t.dims_size();
  std::map<std::string, int> rank = init_rank;  // ...and the declared ranks of the graph inputs
  for (const auto& in : g.input())
    if (in.type().has_tensor_type() && in.type().tensor_type().has_shape() && !rank.count(in.name()))
      rank[in.name()] = in.type().tensor_type().shape().dim_size();
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    const std::string& op = n.op_type();
    // An omitted input ("") only in an optional slot (the checker lets one through in a variadic
    // or required slot, e.g. Concat(x, "")).
    if (const auto* schema = onnx::OpSchemaRegistry::Schema(op, static_cast<int>(opset), n.domain())) {
      const auto& formal = schema->inputs();
      for (int k = 0; k < n.input_size() && !formal.empty(); ++k) {
        const auto& f = formal[std::min<size_t>(static_cast<size_t>(k), formal.size() - 1)];
        if (n.input(k).empty() && f.GetOption() != onnx::OpSchema::Optional)
          return make_error("{}: input {} ('{}') is required but left empty", node_label(n, i), k, f.GetName());
      }
    }
    if (op == "Conv" || op == "ConvInteger" || op == "QLinearConv" || op == "ConvTranspose") {
      const int w_slot = op == "QLinearConv" ? 3 : 1;
      // ONNX's convolution shape inference reads out of bounds when they differ.
      if (n.input_size() > w_slot && rank.count(n.input(0)) && rank.count(n.input(w_slot)) &&
          rank[n.input(0)] != rank[n.input(w_slot)])
        return make_error("{}: input '{}' has rank {}, weights '{}' rank {}; they must be equal", node_label(n, i),
                          n.input(0), rank[n.input(0)], n.input(w_slot), rank[n.input(w_slot)]);
      auto it = n.input_size() > w_slot ? init_rank.find(n.input(w_slot)) : init_rank.end();
      FERRITE_TRY(check_window(n, i, true, it == init_rank.end() ? -1 : it->second));
    } else if (op == "MaxPool" || op == "AveragePool" || op == "QLinearAveragePool" || op == "LpPool") {
      FERRITE_TRY(check_window(n, i, false, -1));
    } else if (op == "Gemm" || op == "QGemm") {
      FERRITE_TRY(check_int(n, i, "transA", 0, 1));
      FERRITE_TRY(check_int(n, i, "transB", 0, 1));
      // (ONNX's version converter takes a Gemm below opset 7 to 7 by indexing the declared dims of A
      // and B: a rank-0 or rank-1 A made it read past them. QGemm's input 1 is A's scale.)
      const int operands = op == "Gemm" ? std::min(n.input_size(), 2) : 0;
      for (int k = 0; k < operands; ++k)
        if (auto r = rank.find(n.input(k)); r != rank.end() && r->second != 2)
          return make_error("{}: input {} ('{}') has rank {}; Gemm multiplies matrices (rank 2)", node_label(n, i),
                            k == 0 ? "A" : "B", n.input(k), r->second);
    } else if (op == "ReduceMean" || op == "ReduceSum" || op == "ReduceMax" || op == "ReduceMin" ||
               op == "ReduceProd" || op == "ReduceL1" || op == "ReduceL2" || op == "ReduceSumSquare" ||
               op == "ReduceLogSum" || op == "ReduceLogSumExp" || op == "ArgMax" || op == "ArgMin") {
      FERRITE_TRY(check_int(n, i, "keepdims", 0, 1));
      FERRITE_TRY(check_int(n, i, "noop_with_empty_axes", 0, 1));
    } else if (op == "RNN" || op == "GRU" || op == "LSTM") {
      // hidden_size sizes the weights (gates x hidden_size rows) and every state: multiplied before
      // the weights' shapes are compared with it
      FERRITE_TRY(check_int(n, i, "hidden_size", 1, std::numeric_limits<int32_t>::max()));
      FERRITE_TRY(check_int(n, i, "layout", 0, 1));
      FERRITE_TRY(check_int(n, i, "linear_before_reset", 0, 1));
      FERRITE_TRY(check_int(n, i, "input_forget", 0, 1));
    }
    // Axes are checked against ranks by shape inference and again in lowering; here only that they
    // are small enough to be an axis at all (no rank is above 2^16).
    for (const char* name : {"axis", "axes", "perm"}) {
      const auto* a = find_attr(n, name);
      if (!a) continue;
      constexpr int64_t kMaxAxis = int64_t{1} << 16;
      if (a->type() == onnx::AttributeProto::INT && (a->i() < -kMaxAxis || a->i() > kMaxAxis))
        return make_error("{}: attribute {} = {} is not an axis", node_label(n, i), name, a->i());
      for (int64_t v : a->ints())
        if (v < -kMaxAxis || v > kMaxAxis)
          return make_error("{}: attribute {} = {} holds {}, which is not an axis", node_label(n, i), name,
                            ints_str(a->ints()), v);
    }
  }
  return Status::ok();
}

void make_kernel_shapes_explicit(onnx::GraphProto& g) {
  std::map<std::string, const onnx::TensorProto*> inits;
  for (const auto& t : g.initializer()) inits[t.name()] = &t;
  for (auto& n : *g.mutable_node()) {
    const std::string& op = n.op_type();
    const int w_slot = op == "QLinearConv" ? 3 : 1;
    if ((op != "Conv" && op != "ConvInteger" && op != "QLinearConv") || n.input_size() <= w_slot ||
        find_attr(n, "kernel_shape"))
      continue;
    auto it = inits.find(n.input(w_slot));
    if (it == inits.end() || it->second->dims_size() < 3) continue;
    auto* a = n.add_attribute();
    a->set_name("kernel_shape");
    a->set_type(onnx::AttributeProto::INTS);
    for (int k = 2; k < it->second->dims_size(); ++k) a->add_ints(it->second->dims(k));
  }
}

// A tensor's stored values must be exactly what its shape declares (raw bytes: element count times
// element size; typed fields: the element count): ONNX's own readers (shape inference's ParseData)
// trust the dims and copy the raw bytes into a buffer sized by them. External data is checked when read.
static Status check_held(const onnx::TensorProto& t, const Shape& s, size_t es, const std::string& what) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return Status::ok();
  const int64_t declared = shape_numel(s);
  if (t.has_raw_data()) {
    if (es && t.raw_data().size() != static_cast<size_t>(declared) * es)
      return make_error("{} declares shape {} ({} values of {} bytes) but holds {} bytes", what, shape_str(s), declared,
                        es, t.raw_data().size());
    return Status::ok();
  }
  int64_t held = -1;
  switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: held = t.float_data_size(); break;
    case onnx::TensorProto::DOUBLE: held = t.double_data_size(); break;
    case onnx::TensorProto::INT64: held = t.int64_data_size(); break;
    case onnx::TensorProto::UINT32: case onnx::TensorProto::UINT64: held = t.uint64_data_size(); break;
    case onnx::TensorProto::STRING: held = t.string_data_size(); break;
    case onnx::TensorProto::INT32: case onnx::TensorProto::INT16: case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT16: case onnx::TensorProto::UINT8: case onnx::TensorProto::BOOL:
    case onnx::TensorProto::FLOAT16: case onnx::TensorProto::BFLOAT16:
      held = t.int32_data_size();
      break;
    default: break;
  }
  if (held >= 0 && held != declared)
    return make_error("{} declares shape {} ({} values) but holds {}", what, shape_str(s), declared, held);
  return Status::ok();
}

Status validate_declared_sizes(const onnx::GraphProto& g, bool inputs) {
  std::set<std::string> inits;
  std::map<std::string, int64_t> numel;  // declared element counts of initializers and inputs
  for (const auto& t : g.initializer()) {
    inits.insert(t.name());
    const Shape s(t.dims().begin(), t.dims().end());
    const size_t es = dtype_size(dtype_from_onnx(t.data_type()));
    FERRITE_TRY(check_tensor_size(s, es, fmt::format("initializer '{}'", t.name())));
    FERRITE_TRY(check_held(t, s, es, fmt::format("initializer '{}'", t.name())));
    numel[t.name()] = shape_numel(s);
  }
  for (const auto& in : g.input()) {
    if (!inputs) break;
    if (inits.count(in.name()) || !in.type().has_tensor_type() || !in.type().tensor_type().has_shape()) continue;
    Shape s;
    for (const auto& d : in.type().tensor_type().shape().dim()) {
      if (d.has_dim_value() && d.dim_value() < 0)
        return make_error("input '{}' has a negative dimension ({}) in the model", in.name(), d.dim_value());
      if (d.has_dim_value()) s.push_back(d.dim_value());
    }
    FERRITE_TRY(check_tensor_size(s, dtype_size(dtype_from_onnx(in.type().tensor_type().elem_type())),
                                  fmt::format("input '{}'", in.name())));
    numel[in.name()] = shape_numel(s);
  }
  // A Constant's value is a tensor in an attribute: its declared shape must fit the limits and agree
  // with the values it holds (ONNX's inference trusts the dims: a Constant declaring 2^31 values while
  // holding one made an operator downstream build a result of that rank, which exhausted memory).
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    if (n.op_type() != "Constant" || n.output_size() < 1) continue;
    for (const auto& a : n.attribute()) {
      if (a.name() != "value" || !a.has_t()) continue;
      const onnx::TensorProto& t = a.t();
      const Shape s(t.dims().begin(), t.dims().end());
      for (int64_t d : s)
        if (d < 0) return make_error("{}: attribute value has a negative dimension ({})", node_label(n, i), d);
      const size_t es = dtype_size(dtype_from_onnx(t.data_type()));
      FERRITE_TRY(check_tensor_size(s, es, fmt::format("{}: attribute value", node_label(n, i))));
      FERRITE_TRY(check_held(t, s, es, fmt::format("{}: attribute value", node_label(n, i))));
      numel[n.output(0)] = shape_numel(s);
    }
  }
  // Operands whose length is the rank of a result (ONNX's inference builds that many dims): a shape
  // of 2^31 values would hang it. Ranks above kMaxShapeOperand are refused here.
  constexpr int64_t kMaxShapeOperand = 64;
  struct Slot { const char* op; int input; };
  static const Slot slots[] = {{"Reshape", 1}, {"Expand", 1}, {"ConstantOfShape", 0}, {"Tile", 1}, {"Pad", 1},
                               {"Slice", 1},   {"Slice", 2},  {"Slice", 3},           {"Slice", 4}, {"Squeeze", 1},
                               {"Unsqueeze", 1}, {"ReduceMean", 1}, {"Range", 0}, {"ReduceSum", 1}};
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    for (const Slot& sl : slots) {
      if (n.op_type() != sl.op || n.input_size() <= sl.input) continue;
      auto it = numel.find(n.input(sl.input));
      if (it != numel.end() && it->second > kMaxShapeOperand)
        return make_error("{}: input '{}' holds {} values; a shape or axes operand may hold at most {}",
                          node_label(n, i), n.input(sl.input), it->second, kMaxShapeOperand);
    }
  }
  return Status::ok();
}

Status validate_graph(const Graph& g) {
  for (const Tensor& t : g.tensors)
    FERRITE_TRY(check_tensor_size(t.shape, dtype_size(t.dtype), fmt::format("tensor '{}'", t.name)));
  for (const Node& n : g.nodes) {
    const uint32_t const_mask = op_info(n.op).const_inputs;
    // Views and copies handle zero elements (a Slice past the end, a Reshape of an empty tensor:
    // ONNX's node tests have both); computing operators never see an empty tensor.
    const bool empty_ok = n.op == OpKind::Reshape || n.op == OpKind::Flatten || n.op == OpKind::Squeeze ||
                          n.op == OpKind::Unsqueeze || n.op == OpKind::Identity || n.op == OpKind::Dropout ||
                          n.op == OpKind::Slice || n.op == OpKind::Split || n.op == OpKind::Expand ||
                          n.op == OpKind::Tile;
    for (size_t k = 0; !empty_ok && k < n.inputs.size(); ++k) {
      if (n.inputs[k] == kNoTensor) continue;
      const Tensor& t = g.t(n.inputs[k]);
      const bool const_slot = k < 32 && ((const_mask >> k) & 1u) && t.is_constant();
      if (t.numel() == 0 && !const_slot)
        return make_error("{}: input '{}' is empty (shape {}); tensors without elements are not supported",
                          n.display_name(), t.name, shape_str(t.shape));
    }
    for (TensorId o : n.outputs)
      if (!empty_ok && g.t(o).numel() == 0)
        return make_error("{}: output '{}' is empty (shape {}); tensors without elements are not supported",
                          n.display_name(), g.t(o).name, shape_str(g.t(o).shape));
    if (n.op == OpKind::QuantizeLinear || n.op == OpKind::DequantizeLinear) {
      if (n.inputs.size() < 2 || n.inputs[1] == kNoTensor) continue;
      const Tensor& x = g.t(n.inputs[0]);
      const Tensor& scale = g.t(n.inputs[1]);
      if (scale.shape.size() > 1)
        return make_error("{}: scale '{}' has shape {}; it must be a scalar or 1-D", n.display_name(), scale.name,
                          shape_str(scale.shape));
      if (n.inputs.size() > 2 && n.inputs[2] != kNoTensor && g.t(n.inputs[2]).numel() != scale.numel())
        return make_error("{}: zero point '{}' has {} values, scale '{}' has {}", n.display_name(), g.t(n.inputs[2]).name,
                          g.t(n.inputs[2]).numel(), scale.name, scale.numel());
      // One scale value is per-tensor quantization: ONNX ignores `axis` then (PyTorch's exports give
      // 1-element 1-D scales to rank-1 biases with the default axis 1).
      if (scale.numel() == 1) continue;
      const auto rank = static_cast<int64_t>(x.shape.size());
      int64_t axis = n.attrs.i("axis", 1);
      if (axis < -rank || axis >= rank)
        return make_error("{}: axis {} is out of range for '{}' of rank {}", n.display_name(), axis, x.name, rank);
      if (axis < 0) axis += rank;
      if (scale.numel() != 1 && scale.numel() != x.shape[static_cast<size_t>(axis)])
        return make_error("{}: per-axis scale '{}' has {} values, but axis {} of '{}' (shape {}) has {}",
                          n.display_name(), scale.name, scale.numel(), axis, x.name, shape_str(x.shape),
                          x.shape[static_cast<size_t>(axis)]);
    }
  }
  return Status::ok();
}

}  // namespace ferrite
