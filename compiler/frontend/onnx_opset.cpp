// Rewrites ai.onnx opsets 18..23 into opset 17 (onnx_opset.h).
//
// How a node is handled: its schema at the model's opset is the newest table entry for its op type
// whose since-version is at most that opset (18..23). No entry: the op's opset-17 schema still
// applies, nothing to do. An entry: its rewrite takes a node of that signature to the opset-17 one
// (attribute moved back from an input, a new attribute dropped where its value is the old
// behaviour, ...) or refuses it, naming node, op and opset. Operators that opset 17 does not have
// at all are refused the same way. Element types are checked once for the whole model: the type
// extensions of opsets 19-23 are accepted as long as a model only uses types opset 17 knows.
//
// The table below was made from ONNX's operator changelog (docs/Changelog.md, operator_sets.h of
// ONNX 1.18): every (op, version) of opsets 18 to 23 has an entry.
#include "frontend/onnx_opset.h"
#include "frontend/onnx_infer.h"
#include "frontend/onnx_import.h"
#include "frontend/sandbox.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <set>
#include <unordered_map>
#include <vector>

#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

namespace ferrite {

namespace {

constexpr int kIrVersionOfOnnx112 = 8;

std::string label(const onnx::NodeProto& n, int index) {
  return fmt::format("{} node '{}'", n.op_type(), n.name().empty() ? "#" + std::to_string(index) : n.name());
}

const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

void remove_attr(onnx::NodeProto& n, const std::string& name) {
  auto* attrs = n.mutable_attribute();
  for (int i = attrs->size() - 1; i >= 0; --i)
    if (attrs->Get(i).name() == name) attrs->DeleteSubrange(i, 1);
}

int64_t attr_i(const onnx::NodeProto& n, const std::string& name, int64_t dflt) {
  const auto* a = find_attr(n, name);
  return a ? a->i() : dflt;
}

std::string attr_s(const onnx::NodeProto& n, const std::string& name, const std::string& dflt) {
  const auto* a = find_attr(n, name);
  return a ? a->s() : dflt;
}

void set_attr_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  remove_attr(n, name);
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}

// Drops trailing omitted ("") inputs.
void trim_inputs(onnx::NodeProto& n) {
  while (n.input_size() > 0 && n.input(n.input_size() - 1).empty()) n.mutable_input()->RemoveLast();
}

bool has_input(const onnx::NodeProto& n, int k) { return n.input_size() > k && !n.input(k).empty(); }

// Element types opset 17 (ONNX 1.12, IR version 8) does not know, with the opset that added them.
struct NewType { int id; const char* name; int opset; };
constexpr NewType kNewTypes[] = {
    {17, "FLOAT8E4M3FN", 19}, {18, "FLOAT8E4M3FNUZ", 19}, {19, "FLOAT8E5M2", 19}, {20, "FLOAT8E5M2FNUZ", 19},
    {21, "UINT4", 21},        {22, "INT4", 21},           {23, "FLOAT4E2M1", 23}, {24, "FLOAT8E8M0", 24},
    {25, "UINT2", 25},        {26, "INT2", 25},
};

std::string type_name(int t) {
  for (const auto& nt : kNewTypes)
    if (nt.id == t) return nt.name;
  return onnx::TensorProto::DataType_IsValid(t) ? onnx::TensorProto::DataType_Name(t) : fmt::format("#{}", t);
}

// Empty when opset 17 knows type `t`.
std::string unknown_type(int t) {
  if (t >= 0 && t <= 16) return "";
  for (const auto& nt : kNewTypes)
    if (nt.id == t) return fmt::format("element type {} (added in opset {})", nt.name, nt.opset);
  return fmt::format("element type #{} (not an ONNX type)", t);
}

struct Ctx {
  Ctx(onnx::ModelProto& m, onnx::GraphProto& graph, int64_t o) : model(m), g(graph), opset(o) {}
  onnx::ModelProto& model;
  onnx::GraphProto& g;
  int64_t opset;
  int since = 0;  // version of the table entry being applied
  std::unordered_map<std::string, const onnx::TensorProto*> inits;
  std::unordered_map<std::string, const onnx::NodeProto*> constant_nodes;  // Constant outputs
  std::set<std::string> names;                                             // every tensor name
  // Shapes from ONNX's inference of the graph above deferred nodes (null before it ran).
  const std::map<std::string, Shape>* shapes = nullptr;
  bool deferred = false;  // set by a rewrite that needs `shapes`
  bool final = false;     // no more shapes to come: a rewrite that needs one refuses
  std::vector<onnx::TensorProto> new_inits;
  // Nodes a rewrite adds before node i (a decomposition: the rewritten node is its last step).
  std::vector<std::pair<int, onnx::NodeProto>> inserted;

  std::string where(const onnx::NodeProto& n, int i) const {
    return fmt::format("{} (opset {}, signature of {}-{})", label(n, i), opset, n.op_type(), since);
  }

  // The constant data of a tensor name: an initializer or a Constant node's value.
  std::optional<Tensor> constant(const std::string& name) const {
    const onnx::TensorProto* tp = nullptr;
    if (auto it = inits.find(name); it != inits.end()) tp = it->second;
    Tensor t;
    if (!tp) {
      auto c = constant_nodes.find(name);
      if (c == constant_nodes.end() || c->second->attribute_size() != 1) return std::nullopt;
      const auto& a = c->second->attribute(0);
      if (a.name() == "value") {
        tp = &a.t();
      } else if (a.name() == "value_ints" || a.name() == "value_int") {
        std::vector<int64_t> v = a.name() == "value_int" ? std::vector<int64_t>{a.i()}
                                                        : std::vector<int64_t>(a.ints().begin(), a.ints().end());
        t.dtype = DType::I64;
        if (a.name() == "value_ints") t.shape = {static_cast<int64_t>(v.size())};
        t.data = std::vector<uint8_t>(v.size() * 8);
        std::memcpy(t.data->data(), v.data(), v.size() * 8);
        return t;
      } else {
        return std::nullopt;
      }
    }
    auto r = tensor_from_proto(*tp, "");
    if (!r) return std::nullopt;
    return std::move(*r);
  }

  // Element type of a constant tensor name, 0 when not a constant.
  int constant_type(const std::string& name) const {
    if (auto it = inits.find(name); it != inits.end()) return it->second->data_type();
    auto c = constant_nodes.find(name);
    if (c == constant_nodes.end() || c->second->attribute_size() != 1) return 0;
    const auto& a = c->second->attribute(0);
    if (a.name() == "value") return a.t().data_type();
    if (a.name() == "value_int" || a.name() == "value_ints") return onnx::TensorProto::INT64;
    if (a.name() == "value_float" || a.name() == "value_floats") return onnx::TensorProto::FLOAT;
    return 0;
  }

  std::optional<Shape> constant_dims(const std::string& name) const {
    if (auto it = inits.find(name); it != inits.end()) return Shape(it->second->dims().begin(), it->second->dims().end());
    auto t = constant(name);
    if (!t) return std::nullopt;
    return t->shape;
  }

  std::string fresh_name(const std::string& base) {
    std::string n = base;
    for (int k = 1; names.count(n); ++k) n = fmt::format("{}_{}", base, k);
    names.insert(n);
    return n;
  }

  std::string add_int64_init(const std::string& base, const std::vector<int64_t>& v) {
    onnx::TensorProto tp;
    tp.set_name(fresh_name(base));
    tp.set_data_type(onnx::TensorProto::INT64);
    tp.add_dims(static_cast<int64_t>(v.size()));
    tp.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8));
    new_inits.push_back(tp);
    return tp.name();
  }

  std::string add_float_scalar(const std::string& base, float v) {
    onnx::TensorProto tp;
    tp.set_name(fresh_name(base));
    tp.set_data_type(onnx::TensorProto::FLOAT);
    tp.set_raw_data(std::string(reinterpret_cast<const char*>(&v), sizeof v));
    new_inits.push_back(tp);
    return tp.name();
  }

  std::string add_float_init(const std::string& base, const std::vector<float>& v) {
    onnx::TensorProto tp;
    tp.set_name(fresh_name(base));
    tp.set_data_type(onnx::TensorProto::FLOAT);
    tp.add_dims(static_cast<int64_t>(v.size()));
    tp.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    new_inits.push_back(tp);
    return tp.name();
  }

  // The static shape of `name` when known (constants, graph inputs, then inference); nullptr to defer.
  std::optional<Shape> shape(const std::string& name) const {
    if (auto d = constant_dims(name)) return d;
    if (shapes)
      if (auto it = shapes->find(name); it != shapes->end()) return it->second;
    return std::nullopt;
  }
};

std::optional<std::vector<int64_t>> int_values(const Tensor& t) {
  if (t.dtype != DType::I64 && t.dtype != DType::I32) return std::nullopt;
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) {
    if (t.dtype == DType::I64) {
      std::memcpy(&v[i], t.data->data() + i * 8, 8);
    } else {
      int32_t x;
      std::memcpy(&x, t.data->data() + i * 4, 4);
      v[i] = x;
    }
  }
  return v;
}

std::optional<std::vector<float>> float_values(const Tensor& t) {
  if (t.dtype != DType::F32) return std::nullopt;
  std::vector<float> v(static_cast<size_t>(t.numel()));
  if (!v.empty()) std::memcpy(v.data(), t.data->data(), v.size() * 4);
  return v;
}

// A constant integer list input (axes, pads, split); nullopt with an error when it is computed.
Expected<std::vector<int64_t>> const_ints(Ctx& c, const onnx::NodeProto& n, int i, int k, const char* what) {
  auto t = c.constant(n.input(k));
  if (!t)
    return make_error("{}: {} '{}' is computed at run time; opset 17's {} takes them as a constant attribute, so "
                      "they must be an initializer or a Constant",
                      c.where(n, i), what, n.input(k), n.op_type());
  auto v = int_values(*t);
  if (!v) return make_error("{}: {} '{}' must be int64", c.where(n, i), what, n.input(k));
  return *v;
}

using RewriteFn = Status (*)(Ctx&, onnx::NodeProto&, int);

struct Rewrite {
  const char* op;
  int since;
  RewriteFn fn;
};
const std::vector<Rewrite>& rewrite_table();

// ---- rewrites ----

// Signature changed only by accepting more element types (checked for the whole model).
Status types_only(Ctx&, onnx::NodeProto&, int) { return Status::ok(); }

// Reduce*-18 (and ReduceMax/ReduceMin-20, which add bool): `axes` moved from attribute to an
// optional input, with noop_with_empty_axes. Opset 17 form: constant axes as the attribute; no axes
// reduces everything; empty axes with noop_with_empty_axes=1 is the identity.
Status reduce_axes_input(Ctx& c, onnx::NodeProto& n, int i) {
  const int64_t noop = attr_i(n, "noop_with_empty_axes", 0);
  std::vector<int64_t> axes;
  if (has_input(n, 1)) {
    auto v = const_ints(c, n, i, 1, "axes");
    if (!v) return v.error();
    axes = *v;
  }
  remove_attr(n, "noop_with_empty_axes");
  while (n.input_size() > 1) n.mutable_input()->RemoveLast();
  if (axes.empty() && noop) {
    n.set_op_type("Identity");
    n.clear_attribute();
  } else if (!axes.empty()) {
    set_attr_ints(n, "axes", axes);
  }
  return Status::ok();
}

// Split-18: `num_outputs` instead of the output count; uneven splits make the last part smaller.
Status split_num_outputs(Ctx& c, onnx::NodeProto& n, int i) {
  const auto* a = find_attr(n, "num_outputs");
  if (!a) return Status::ok();
  if (has_input(n, 1)) return make_error("{}: has both a split input and num_outputs", c.where(n, i));
  const int64_t parts = a->i();
  if (parts != n.output_size())
    return make_error("{}: num_outputs = {} but the node has {} outputs", c.where(n, i), parts, n.output_size());
  auto s = c.shape(n.input(0));
  if (!s) {
    if (!c.final) {
      c.deferred = true;
      return Status::ok();
    }
    return make_error("{}: num_outputs needs the static shape of input '{}', which shape inference does not give "
                      "(give dynamic inputs a shape with --input-shape)",
                      c.where(n, i), n.input(0));
  }
  const int64_t rank = static_cast<int64_t>(s->size());
  int64_t axis = attr_i(n, "axis", 0);
  if (axis < -rank || axis >= rank)
    return make_error("{}: axis {} is out of range for input '{}' of rank {}", c.where(n, i), axis, n.input(0), rank);
  if (axis < 0) axis += rank;
  const int64_t d = (*s)[static_cast<size_t>(axis)];
  remove_attr(n, "num_outputs");
  if (parts > 0 && d % parts == 0) return Status::ok();  // opset 17 splits evenly by default
  const int64_t chunk = parts > 0 ? (d + parts - 1) / parts : 0;
  const int64_t last = d - chunk * (parts - 1);
  if (parts <= 0 || last <= 0)
    return make_error("{}: axis {} of '{}' has {} elements, which cannot be split into {} parts of {} (the last "
                      "would have {})",
                      c.where(n, i), axis, n.input(0), d, parts, chunk, last);
  std::vector<int64_t> sizes(static_cast<size_t>(parts), chunk);
  sizes.back() = last;
  while (n.input_size() < 2) n.add_input("");
  n.set_input(1, c.add_int64_init(n.output(0) + "_split_sizes", sizes));
  return Status::ok();
}

// Pad-18 (axes input), -19 ("wrap" mode), -21/-23 (types).
Status pad_axes(Ctx& c, onnx::NodeProto& n, int i) {
  const std::string mode = attr_s(n, "mode", "constant");
  if (mode == "wrap")
    return make_error("{}: mode 'wrap' (opset 19) has no opset-17 form and Ferrite does not implement it",
                      c.where(n, i));
  if (!has_input(n, 3)) {
    trim_inputs(n);
    while (n.input_size() > 3) n.mutable_input()->RemoveLast();
    return Status::ok();
  }
  auto axes = const_ints(c, n, i, 3, "axes");
  if (!axes) return axes.error();
  if (!has_input(n, 1)) return make_error("{}: has axes but no pads", c.where(n, i));
  auto pads = const_ints(c, n, i, 1, "pads");
  if (!pads) return pads.error();
  if (pads->size() != 2 * axes->size())
    return make_error("{}: pads '{}' has {} values, axes '{}' {} axes need {}", c.where(n, i), n.input(1),
                      pads->size(), n.input(3), axes->size(), 2 * axes->size());
  auto s = c.shape(n.input(0));
  if (!s) {
    if (!c.final) {
      c.deferred = true;
      return Status::ok();
    }
    return make_error("{}: axes needs the rank of input '{}', which shape inference does not give (give dynamic "
                      "inputs a shape with --input-shape)",
                      c.where(n, i), n.input(0));
  }
  const int64_t rank = static_cast<int64_t>(s->size());
  std::vector<int64_t> full(static_cast<size_t>(2 * rank), 0);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t k = 0; k < axes->size(); ++k) {
    int64_t ax = (*axes)[k];
    if (ax < -rank || ax >= rank)
      return make_error("{}: axis {} is out of range for input '{}' of rank {}", c.where(n, i), ax, n.input(0), rank);
    if (ax < 0) ax += rank;
    if (seen[static_cast<size_t>(ax)]) return make_error("{}: axis {} appears twice in axes", c.where(n, i), ax);
    seen[static_cast<size_t>(ax)] = true;
    full[static_cast<size_t>(ax)] = (*pads)[k];
    full[static_cast<size_t>(ax + rank)] = (*pads)[k + axes->size()];
  }
  n.set_input(1, c.add_int64_init(n.output(0) + "_pads", full));
  n.mutable_input()->RemoveLast();  // axes
  trim_inputs(n);
  return Status::ok();
}

// Resize-18 (antialias, axes, keep_aspect_ratio_policy) and -19 (half_pixel_symmetric).
Status resize_attrs(Ctx& c, onnx::NodeProto& n, int i) {
  const std::string mode = attr_s(n, "mode", "nearest");
  const bool has_sizes = has_input(n, 3);
  if (attr_i(n, "antialias", 0) != 0 && mode != "nearest")
    return make_error("{}: antialias = 1 with mode '{}' (opset 18) filters when downscaling; opset 17 has no such "
                      "filter",
                      c.where(n, i), mode);
  remove_attr(n, "antialias");  // no effect in nearest mode
  const std::string policy = attr_s(n, "keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch" && has_sizes)
    return make_error("{}: keep_aspect_ratio_policy '{}' (opset 18) has no opset-17 form; only 'stretch' does",
                      c.where(n, i), policy);
  remove_attr(n, "keep_aspect_ratio_policy");  // only read with `sizes`
  if (attr_s(n, "coordinate_transformation_mode", "half_pixel") == "half_pixel_symmetric") {
    // Equal to half_pixel when every output length is exactly scale * input length, which holds for
    // integer scales; anything else shifts the sampling grid.
    std::optional<std::vector<float>> scales;
    if (!has_sizes && has_input(n, 2))
      if (auto t = c.constant(n.input(2))) scales = float_values(*t);
    const bool integral = scales && std::all_of(scales->begin(), scales->end(), [](float s) {
                            return s >= 1.0f && s == std::floor(s) && s < 65536.0f;
                          });
    if (!integral)
      return make_error("{}: coordinate_transformation_mode 'half_pixel_symmetric' (opset 19) equals 'half_pixel' "
                        "only for constant integer scales; this node has {}",
                        c.where(n, i), has_sizes ? "sizes" : "other scales");
    remove_attr(n, "coordinate_transformation_mode");
    auto* a = n.add_attribute();
    a->set_name("coordinate_transformation_mode");
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s("half_pixel");
  }
  const auto* axes_attr = find_attr(n, "axes");
  if (!axes_attr) return Status::ok();
  std::vector<int64_t> axes(axes_attr->ints().begin(), axes_attr->ints().end());
  auto s = c.shape(n.input(0));
  if (!s) {
    if (!c.final) {
      c.deferred = true;
      return Status::ok();
    }
    return make_error("{}: axes needs the shape of input '{}', which shape inference does not give (give dynamic "
                      "inputs a shape with --input-shape)",
                      c.where(n, i), n.input(0));
  }
  const int64_t rank = static_cast<int64_t>(s->size());
  std::vector<int> pos(static_cast<size_t>(rank), -1);  // axis -> index in axes
  for (size_t k = 0; k < axes.size(); ++k) {
    int64_t ax = axes[k];
    if (ax < -rank || ax >= rank || pos[static_cast<size_t>(ax < 0 ? ax + rank : ax)] >= 0)
      return make_error("{}: axes holds {} (out of range or repeated) for input '{}' of rank {}", c.where(n, i), ax,
                        n.input(0), rank);
    pos[static_cast<size_t>(ax < 0 ? ax + rank : ax)] = static_cast<int>(k);
  }
  remove_attr(n, "axes");
  if (has_input(n, 1) && attr_s(n, "coordinate_transformation_mode", "half_pixel") == "tf_crop_and_resize") {
    auto roi = c.constant(n.input(1));
    auto rv = roi ? float_values(*roi) : std::nullopt;
    if (!rv || rv->size() != 2 * axes.size())
      return make_error("{}: roi '{}' with axes must be a constant float tensor of {} values", c.where(n, i),
                        n.input(1), 2 * axes.size());
    std::vector<float> full(static_cast<size_t>(2 * rank));
    for (int64_t d = 0; d < rank; ++d) {
      const int k = pos[static_cast<size_t>(d)];
      full[static_cast<size_t>(d)] = k < 0 ? 0.0f : (*rv)[static_cast<size_t>(k)];
      full[static_cast<size_t>(d + rank)] = k < 0 ? 1.0f : (*rv)[static_cast<size_t>(k) + axes.size()];
    }
    onnx::TensorProto tp;
    tp.set_name(c.fresh_name(n.output(0) + "_roi"));
    tp.set_data_type(onnx::TensorProto::FLOAT);
    tp.add_dims(2 * rank);
    tp.set_raw_data(std::string(reinterpret_cast<const char*>(full.data()), full.size() * 4));
    c.new_inits.push_back(tp);
    n.set_input(1, tp.name());
  }
  if (has_sizes) {
    auto sz = const_ints(c, n, i, 3, "sizes");
    if (!sz) return sz.error();
    if (sz->size() != axes.size())
      return make_error("{}: sizes '{}' has {} values for {} axes", c.where(n, i), n.input(3), sz->size(), axes.size());
    std::vector<int64_t> full(static_cast<size_t>(rank));
    for (int64_t d = 0; d < rank; ++d) {
      const int k = pos[static_cast<size_t>(d)];
      full[static_cast<size_t>(d)] = k < 0 ? (*s)[static_cast<size_t>(d)] : (*sz)[static_cast<size_t>(k)];
    }
    n.set_input(3, c.add_int64_init(n.output(0) + "_sizes", full));
  } else if (has_input(n, 2)) {
    auto t = c.constant(n.input(2));
    auto sv = t ? float_values(*t) : std::nullopt;
    if (!sv || sv->size() != axes.size())
      return make_error("{}: scales '{}' with axes must be a constant float tensor of {} values", c.where(n, i),
                        n.input(2), axes.size());
    std::vector<float> full(static_cast<size_t>(rank), 1.0f);
    for (int64_t d = 0; d < rank; ++d)
      if (pos[static_cast<size_t>(d)] >= 0) full[static_cast<size_t>(d)] = (*sv)[static_cast<size_t>(pos[static_cast<size_t>(d)])];
    onnx::TensorProto tp;
    tp.set_name(c.fresh_name(n.output(0) + "_scales"));
    tp.set_data_type(onnx::TensorProto::FLOAT);
    tp.add_dims(rank);
    tp.set_raw_data(std::string(reinterpret_cast<const char*>(full.data()), full.size() * 4));
    c.new_inits.push_back(tp);
    n.set_input(2, tp.name());
  }
  return Status::ok();
}

// AveragePool-19 adds dilations (and -22 bfloat16): only dilations of 1 are the opset-17 operator.
Status avgpool_dilations(Ctx& c, onnx::NodeProto& n, int i) {
  if (const auto* a = find_attr(n, "dilations")) {
    for (int64_t d : a->ints())
      if (d != 1)
        return make_error("{}: dilations other than 1 (opset 19) have no opset-17 form and Ferrite does not "
                          "implement them",
                          c.where(n, i));
    remove_attr(n, "dilations");
  }
  return Status::ok();
}

// LpPool-18 adds ceil_mode.
Status lppool_ceil(Ctx& c, onnx::NodeProto& n, int i) {
  if (attr_i(n, "ceil_mode", 0) != 0)
    return make_error("{}: ceil_mode = 1 (opset 18) has no opset-17 form", c.where(n, i));
  remove_attr(n, "ceil_mode");
  return Status::ok();
}

// Cast/CastLike-19+: `saturate` only applies to float8 targets, which the type check refuses.
Status cast_saturate(Ctx&, onnx::NodeProto& n, int) {
  remove_attr(n, "saturate");
  return Status::ok();
}

// ScatterND/ScatterElements-18 add reduction 'max'/'min'.
Status scatter_reduction(Ctx& c, onnx::NodeProto& n, int i) {
  const std::string r = attr_s(n, "reduction", "none");
  if (r == "max" || r == "min")
    return make_error("{}: reduction '{}' (opset 18) has no opset-17 form", c.where(n, i), r);
  return Status::ok();
}

// The quantization attributes of opsets 19-23 that have an opset-17 meaning.
Status qdq_common(Ctx& c, onnx::NodeProto& n, int i) {
  if (attr_i(n, "block_size", 0) != 0)
    return make_error("{}: block_size = {}: blocked quantization (opset 21) is not supported", c.where(n, i),
                      attr_i(n, "block_size", 0));
  remove_attr(n, "block_size");
  const int64_t precision = attr_i(n, "precision", 0);
  if (precision != 0 && precision != onnx::TensorProto::FLOAT)
    return make_error("{}: precision {} is not supported (float only)", c.where(n, i), type_name(static_cast<int>(precision)));
  remove_attr(n, "precision");
  return Status::ok();
}

Status quantize_linear(Ctx& c, onnx::NodeProto& n, int i) {
  FERRITE_TRY(qdq_common(c, n, i));
  remove_attr(n, "saturate");  // float8 only
  const int64_t out = attr_i(n, "output_dtype", 0);
  remove_attr(n, "output_dtype");
  if (has_input(n, 2)) {
    const int zp = c.constant_type(n.input(2));
    if (zp == 0 && out != 0)
      return make_error("{}: output_dtype is given but the zero point '{}' is computed at run time", c.where(n, i),
                        n.input(2));
    if (out != 0 && out != zp)
      return make_error("{}: output_dtype {} does not match zero point '{}' of type {}", c.where(n, i),
                        type_name(static_cast<int>(out)), n.input(2), type_name(zp));
    if (zp != 0 && zp != onnx::TensorProto::INT8 && zp != onnx::TensorProto::UINT8)
      return make_error("{}: quantizes to {} (zero point '{}'); opset 17 and Ferrite quantize to int8 and uint8 only",
                        c.where(n, i), type_name(zp), n.input(2));
    return Status::ok();
  }
  if (out == 0 || out == onnx::TensorProto::UINT8) return Status::ok();  // uint8 is opset 17's default
  if (out != onnx::TensorProto::INT8)
    return make_error("{}: output_dtype {}: opset 17 and Ferrite quantize to int8 and uint8 only", c.where(n, i),
                      type_name(static_cast<int>(out)));
  // int8 without a zero point: an explicit zero point of the scale's shape says so at opset 17.
  auto dims = has_input(n, 1) ? c.constant_dims(n.input(1)) : std::nullopt;
  if (!dims)
    return make_error("{}: output_dtype INT8 without a zero point needs a constant scale ('{}' is computed)",
                      c.where(n, i), n.input_size() > 1 ? n.input(1) : "");
  onnx::TensorProto tp;
  tp.set_name(c.fresh_name(n.output(0) + "_zero_point"));
  tp.set_data_type(onnx::TensorProto::INT8);
  for (int64_t d : *dims) tp.add_dims(d);
  tp.set_raw_data(std::string(static_cast<size_t>(shape_numel(*dims)), '\0'));
  c.new_inits.push_back(tp);
  while (n.input_size() < 3) n.add_input("");
  n.set_input(2, tp.name());
  return Status::ok();
}

Status dequantize_linear(Ctx& c, onnx::NodeProto& n, int i) {
  FERRITE_TRY(qdq_common(c, n, i));
  const int64_t out = attr_i(n, "output_dtype", 0);
  remove_attr(n, "output_dtype");
  const int scale = has_input(n, 1) ? c.constant_type(n.input(1)) : 0;
  if (out != 0 && out != onnx::TensorProto::FLOAT)
    return make_error("{}: output_dtype {}: Ferrite dequantizes to float only", c.where(n, i),
                      type_name(static_cast<int>(out)));
  if (out != 0 && scale != 0 && scale != onnx::TensorProto::FLOAT)
    return make_error("{}: output_dtype FLOAT with a {} scale '{}' has no opset-17 form", c.where(n, i),
                      type_name(scale), n.input(1));
  if (has_input(n, 2)) {
    const int zp = c.constant_type(n.input(2));
    if (zp != 0 && zp != onnx::TensorProto::INT8 && zp != onnx::TensorProto::UINT8 && zp != onnx::TensorProto::INT32)
      return make_error("{}: dequantizes {} (zero point '{}'); opset 17 dequantizes int8, uint8 and int32 only",
                        c.where(n, i), type_name(zp), n.input(2));
  }
  return Status::ok();
}

// Gelu-20: decomposed into the opset-17 form ONNX's function body and PyTorch's exports write,
// 0.5 * x * (1 + erf(x / sqrt(2))) or, with approximate = "tanh",
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))), float32 constants.
Status gelu_decompose(Ctx& c, onnx::NodeProto& n, int i) {
  const std::string approx = attr_s(n, "approximate", "none");
  if (approx != "none" && approx != "tanh")
    return make_error("{}: approximate = '{}' is not 'none' or 'tanh'", c.where(n, i), approx);
  if (n.input_size() != 1 || n.output_size() != 1 || n.input(0).empty())
    return make_error("{}: expects one input and one output", c.where(n, i));
  if (const int t = c.constant_type(n.input(0)); t != 0 && t != onnx::TensorProto::FLOAT)
    return make_error("{}: input '{}' is {}; Gelu is supported for float32 only", c.where(n, i), n.input(0),
                      type_name(t));
  const std::string x = n.input(0), y = n.output(0);
  const std::string base = n.name().empty() ? y : n.name();
  auto step = [&](const char* op, const std::string& a, const std::string& b) {
    onnx::NodeProto m;
    m.set_op_type(op);
    m.set_name(c.fresh_name(base + "/gelu_" + op));
    m.add_input(a);
    if (!b.empty()) m.add_input(b);
    m.add_output(c.fresh_name(base + "/gelu_" + std::string(op) + "_out"));
    c.inserted.emplace_back(i, m);
    return m.output(0);
  };
  std::string inner;
  if (approx == "none") {
    const std::string t = step("Div", x, c.add_float_scalar(base + "/gelu_sqrt2", static_cast<float>(std::sqrt(2.0))));
    inner = step("Erf", t, "");
  } else {
    const std::string x2 = step("Mul", x, x);
    const std::string x3 = step("Mul", x2, x);
    const std::string k = step("Mul", x3, c.add_float_scalar(base + "/gelu_c", 0.044715f));
    const std::string s = step("Add", x, k);
    const std::string z =
        step("Mul", s, c.add_float_scalar(base + "/gelu_sqrt_2_over_pi", static_cast<float>(std::sqrt(2.0 / 3.14159265358979323846))));
    inner = step("Tanh", z, "");
  }
  const std::string one = step("Add", inner, c.add_float_scalar(base + "/gelu_one", 1.0f));
  const std::string half = step("Mul", x, c.add_float_scalar(base + "/gelu_half", 0.5f));
  n.set_op_type("Mul");
  n.clear_attribute();
  n.clear_input();
  n.add_input(half);
  n.add_input(one);
  return Status::ok();
}

// GroupNormalization-18/21: decomposed into opset-17 ops as ONNX's opset-18 function body does:
// InstanceNormalization of the [N, G, C/G * spatial] view (Reshape), reshaped back to X's shape.
// Opset 18's scale and bias hold one value per group: they are the InstanceNormalization's. Opset 21's
// hold one per channel: the InstanceNormalization gets ones and zeros, and scale and bias apply after
// it as Mul and Add over [C, 1, ...] (Reshape). stash_type (21) must be 1 (float32 statistics).
Status groupnorm_decompose(Ctx& c, onnx::NodeProto& n, int i) {
  const auto* ga = find_attr(n, "num_groups");
  if (!ga) return make_error("{}: the num_groups attribute is missing", c.where(n, i));
  const int64_t groups = ga->i();
  const auto* ea = find_attr(n, "epsilon");
  const float eps = ea ? ea->f() : 1e-5f;
  if (const int64_t st = attr_i(n, "stash_type", 1); st != 1)
    return make_error("{}: stash_type = {} is not supported (float32 statistics only, stash_type = 1)", c.where(n, i),
                      st);
  if (n.input_size() != 3 || n.output_size() != 1 || n.input(0).empty() || n.input(1).empty() || n.input(2).empty())
    return make_error("{}: expects inputs X, scale, bias and one output", c.where(n, i));
  for (int k = 0; k < 3; ++k)
    if (const int t = c.constant_type(n.input(k)); t != 0 && t != onnx::TensorProto::FLOAT)
      return make_error("{}: input '{}' is {}; GroupNormalization is supported for float32 only", c.where(n, i),
                        n.input(k), type_name(t));
  auto s = c.shape(n.input(0));
  if (!s) {
    if (!c.final) {
      c.deferred = true;
      return Status::ok();
    }
    return make_error("{}: the decomposition needs the static shape of input '{}', which shape inference does not "
                      "give (give dynamic inputs a shape with --input-shape)",
                      c.where(n, i), n.input(0));
  }
  if (s->size() < 2)
    return make_error("{}: input '{}' has rank {}; GroupNormalization needs (N, C, ...)", c.where(n, i), n.input(0),
                      s->size());
  const int64_t ch = (*s)[1];
  // (with 0 channels every count "divides": a count above the channels sized the decomposition's
  // per-group constants, 2^31 of them)
  if (groups <= 0 || groups > ch || ch % groups != 0)
    return make_error("{}: num_groups = {} does not divide the {} channels of '{}'", c.where(n, i), groups, ch,
                      n.input(0));
  int64_t per_group = ch / groups;
  for (size_t d = 2; d < s->size(); ++d)  // (before the element-count checks of the import: checked here)
    if ((*s)[d] < 0 || __builtin_mul_overflow(per_group, (*s)[d], &per_group) ||
        per_group > std::numeric_limits<int32_t>::max())
      return make_error("{}: input '{}' has shape {}: more than the {} elements a tensor may have", c.where(n, i),
                        n.input(0), fmt::format("{}", fmt::join(*s, "x")), std::numeric_limits<int32_t>::max());
  const std::string x = n.input(0), scale = n.input(1), bias = n.input(2), y = n.output(0);
  const std::string base = n.name().empty() ? y : n.name();
  auto step = [&](const char* op, const std::string& a, const std::string& b, const std::string& b2 = "") {
    onnx::NodeProto m;
    m.set_op_type(op);
    m.set_name(c.fresh_name(base + "/groupnorm_" + op));
    m.add_input(a);
    m.add_input(b);
    if (!b2.empty()) m.add_input(b2);
    m.add_output(c.fresh_name(base + "/groupnorm_" + std::string(op) + "_out"));
    c.inserted.emplace_back(i, m);
    return &c.inserted.back().second;
  };
  const bool per_channel = c.since >= 21;
  const std::string view = step("Reshape", x, c.add_int64_init(base + "/groupnorm_view", {(*s)[0], groups, per_group}))
                               ->output(0);
  const std::string in_scale = per_channel ? c.add_float_init(base + "/groupnorm_ones", std::vector<float>(static_cast<size_t>(groups), 1.0f)) : scale;
  const std::string in_bias = per_channel ? c.add_float_init(base + "/groupnorm_zeros", std::vector<float>(static_cast<size_t>(groups), 0.0f)) : bias;
  onnx::NodeProto* inorm = step("InstanceNormalization", view, in_scale, in_bias);
  auto* eattr = inorm->add_attribute();
  eattr->set_name("epsilon");
  eattr->set_type(onnx::AttributeProto::FLOAT);
  eattr->set_f(eps);
  const std::string normed = inorm->output(0);
  const std::string x_shape = c.add_int64_init(base + "/groupnorm_shape", std::vector<int64_t>(s->begin(), s->end()));
  n.clear_attribute();
  n.clear_input();
  if (!per_channel) {
    n.set_op_type("Reshape");
    n.add_input(normed);
    n.add_input(x_shape);
    return Status::ok();
  }
  std::vector<int64_t> cshape(s->size() - 1, 1);
  cshape[0] = ch;
  const std::string back = step("Reshape", normed, x_shape)->output(0);
  const std::string sc = step("Reshape", scale, c.add_int64_init(base + "/groupnorm_cshape", cshape))->output(0);
  const std::string bi = step("Reshape", bias, c.add_int64_init(base + "/groupnorm_cshape", cshape))->output(0);
  const std::string scaled = step("Mul", back, sc)->output(0);
  n.set_op_type("Add");
  n.add_input(scaled);
  n.add_input(bi);
  return Status::ok();
}

// Mish-18/22: decomposed into ONNX's function body, x * Tanh(Softplus(x)) (float32), which
// fuse-pointwise makes one in-place node again.
Status mish_decompose(Ctx& c, onnx::NodeProto& n, int i) {
  if (n.input_size() != 1 || n.output_size() != 1 || n.input(0).empty())
    return make_error("{}: expects one input and one output", c.where(n, i));
  if (const int t = c.constant_type(n.input(0)); t != 0 && t != onnx::TensorProto::FLOAT)
    return make_error("{}: input '{}' is {}; Mish is supported for float32 only", c.where(n, i), n.input(0),
                      type_name(t));
  const std::string x = n.input(0);
  const std::string base = n.name().empty() ? n.output(0) : n.name();
  std::string cur = x;
  for (const char* op : {"Softplus", "Tanh"}) {
    onnx::NodeProto m;
    m.set_op_type(op);
    m.set_name(c.fresh_name(base + "/mish_" + op));
    m.add_input(cur);
    m.add_output(c.fresh_name(base + "/mish_" + std::string(op) + "_out"));
    c.inserted.emplace_back(i, m);
    cur = m.output(0);
  }
  n.set_op_type("Mul");
  n.clear_attribute();
  n.clear_input();
  n.add_input(x);
  n.add_input(cur);
  return Status::ok();
}

// Operators that are new after opset 17 (or, for a few, changed in a way with no opset-17 form).
Status refuse_new(Ctx& c, onnx::NodeProto& n, int i) {
  std::string why = "opset 17 has no such operator and Ferrite has no kernel for it";
  int first = c.since;  // the opset that added the operator
  for (const Rewrite& r : rewrite_table())
    if (r.op == n.op_type()) first = std::min(first, r.since);
  return make_error("{}: {} is new in opset {} (the model is opset {}); {}", label(n, i), n.op_type(), first, c.opset,
                    why);
}

Status refuse_changed(Ctx& c, onnx::NodeProto& n, int i) {
  return make_error("{}: the opset-{} signature of {} has no opset-17 form that Ferrite rewrites to, and Ferrite "
                    "has no kernel for it",
                    c.where(n, i), c.since, n.op_type());
}

// Every (operator, version) of ai.onnx opsets 18 to 23.
const std::vector<Rewrite>& rewrite_table() {
  static const std::vector<Rewrite> t = {
      // ---- opset 18 ----
      {"ReduceMean", 18, reduce_axes_input}, {"ReduceMax", 18, reduce_axes_input}, {"ReduceMin", 18, reduce_axes_input},
      {"ReduceProd", 18, reduce_axes_input}, {"ReduceL1", 18, reduce_axes_input}, {"ReduceL2", 18, reduce_axes_input},
      {"ReduceLogSum", 18, reduce_axes_input}, {"ReduceLogSumExp", 18, reduce_axes_input},
      {"ReduceSumSquare", 18, reduce_axes_input},
      {"Split", 18, split_num_outputs},
      {"Pad", 18, pad_axes},
      {"Resize", 18, resize_attrs},
      {"LpPool", 18, lppool_ceil},
      {"ScatterND", 18, scatter_reduction}, {"ScatterElements", 18, scatter_reduction},
      {"OptionalGetElement", 18, refuse_changed}, {"OptionalHasElement", 18, refuse_changed},
      {"CenterCropPad", 18, refuse_new}, {"Col2Im", 18, refuse_new}, {"Mish", 18, mish_decompose},
      {"BitwiseAnd", 18, refuse_new}, {"BitwiseOr", 18, refuse_new}, {"BitwiseXor", 18, refuse_new},
      {"BitwiseNot", 18, refuse_new}, {"GroupNormalization", 18, groupnorm_decompose},
      // ---- opset 19 ----
      {"AveragePool", 19, avgpool_dilations},
      {"Cast", 19, cast_saturate}, {"CastLike", 19, cast_saturate},
      {"QuantizeLinear", 19, quantize_linear}, {"DequantizeLinear", 19, dequantize_linear},
      {"Pad", 19, pad_axes},
      {"Resize", 19, resize_attrs},
      {"Equal", 19, types_only}, {"Constant", 19, types_only}, {"Identity", 19, types_only},
      {"If", 19, types_only}, {"Loop", 19, types_only}, {"Scan", 19, types_only},
      {"Reshape", 19, types_only}, {"Shape", 19, types_only}, {"Size", 19, types_only},
      {"DeformConv", 19, refuse_new},
      // ---- opset 20 ----
      {"ReduceMax", 20, reduce_axes_input}, {"ReduceMin", 20, reduce_axes_input},
      {"ConstantOfShape", 20, types_only}, {"IsInf", 20, types_only}, {"IsNaN", 20, types_only},
      {"DFT", 20, refuse_changed}, {"GridSample", 20, refuse_changed},
      {"AffineGrid", 20, refuse_new}, {"Gelu", 20, gelu_decompose}, {"ImageDecoder", 20, refuse_new},
      {"RegexFullMatch", 20, refuse_new}, {"StringConcat", 20, refuse_new}, {"StringSplit", 20, refuse_new},
      // ---- opset 21 (int4/uint4 types; blocked quantization) ----
      {"Cast", 21, cast_saturate}, {"CastLike", 21, cast_saturate},
      {"QuantizeLinear", 21, quantize_linear}, {"DequantizeLinear", 21, dequantize_linear},
      {"GroupNormalization", 21, groupnorm_decompose},
      {"Pad", 21, pad_axes},
      {"Constant", 21, types_only}, {"ConstantOfShape", 21, types_only}, {"Flatten", 21, types_only},
      {"Identity", 21, types_only}, {"If", 21, types_only}, {"Loop", 21, types_only}, {"Scan", 21, types_only},
      {"QLinearMatMul", 21, types_only}, {"Reshape", 21, types_only}, {"Shape", 21, types_only},
      {"Size", 21, types_only}, {"Squeeze", 21, types_only}, {"Transpose", 21, types_only},
      {"Unsqueeze", 21, types_only},
      // ---- opset 22 (bfloat16 for these) ----
      {"EyeLike", 22, types_only}, {"RandomUniform", 22, types_only}, {"RandomNormal", 22, types_only},
      {"RandomUniformLike", 22, types_only}, {"RandomNormalLike", 22, types_only}, {"Multinomial", 22, types_only},
      {"Bernoulli", 22, types_only}, {"ThresholdedRelu", 22, types_only}, {"Selu", 22, types_only},
      {"Elu", 22, types_only}, {"Mish", 22, mish_decompose}, {"HardSigmoid", 22, types_only},
      {"HardSwish", 22, types_only}, {"Softsign", 22, types_only}, {"Softplus", 22, types_only},
      {"Sin", 22, types_only}, {"Cos", 22, types_only}, {"Tan", 22, types_only}, {"Asin", 22, types_only},
      {"Acos", 22, types_only}, {"Atan", 22, types_only}, {"Sinh", 22, types_only}, {"Cosh", 22, types_only},
      {"Asinh", 22, types_only}, {"Acosh", 22, types_only}, {"Atanh", 22, types_only}, {"Round", 22, types_only},
      {"Det", 22, types_only}, {"NegativeLogLikelihoodLoss", 22, types_only},
      {"AveragePool", 22, avgpool_dilations}, {"MaxPool", 22, types_only}, {"MaxUnpool", 22, types_only},
      {"LpPool", 22, lppool_ceil}, {"MaxRoiPool", 22, types_only}, {"Conv", 22, types_only},
      {"ConvTranspose", 22, types_only}, {"DeformConv", 22, refuse_new}, {"GlobalAveragePool", 22, types_only},
      {"GlobalMaxPool", 22, types_only}, {"GlobalLpPool", 22, types_only},
      {"InstanceNormalization", 22, types_only}, {"LpNormalization", 22, types_only},
      {"Dropout", 22, types_only}, {"RoiAlign", 22, types_only}, {"RNN", 22, types_only},
      {"GRU", 22, types_only}, {"LSTM", 22, types_only}, {"GridSample", 22, refuse_changed},
      // ---- opset 23 (float4e2m1 types) ----
      {"Cast", 23, cast_saturate}, {"CastLike", 23, cast_saturate},
      {"QuantizeLinear", 23, quantize_linear}, {"DequantizeLinear", 23, dequantize_linear},
      {"Pad", 23, pad_axes},
      {"Constant", 23, types_only}, {"ConstantOfShape", 23, types_only}, {"Flatten", 23, types_only},
      {"Identity", 23, types_only}, {"If", 23, types_only}, {"Loop", 23, types_only}, {"Scan", 23, types_only},
      {"Reshape", 23, types_only}, {"Shape", 23, types_only}, {"Size", 23, types_only},
      {"Squeeze", 23, types_only}, {"Transpose", 23, types_only}, {"Unsqueeze", 23, types_only},
      {"Attention", 23, refuse_new}, {"RMSNormalization", 23, refuse_new}, {"RotaryEmbedding", 23, refuse_new},
  };
  return t;
}

}  // namespace

const std::vector<DecomposedOp>& decomposed_ops() {
  static const std::vector<DecomposedOp> t = {
      {"Gelu", 20, "Div, Erf (or Mul, Tanh), Add, Mul"},
      {"GroupNormalization", 18, "Reshape, InstanceNormalization (opset 21: and Mul, Add)"},
      {"Mish", 18, "Softplus, Tanh, Mul"},
  };
  return t;
}

namespace {

// The entry for `op` at `opset`: the newest since-version <= opset; nullptr when the op's schema is
// the opset-17 one.
const Rewrite* entry_for(const std::string& op, int64_t opset) {
  const Rewrite* best = nullptr;
  for (const Rewrite& r : rewrite_table())
    if (r.op == op && r.since <= opset && (!best || r.since > best->since)) best = &r;
  return best;
}

// Refuses element types opset 17 does not know, wherever the model declares one.
Status check_types(const onnx::GraphProto& g) {
  auto check_type = [](const onnx::TypeProto& t, const std::string& what) -> Status {
    const onnx::TypeProto* cur = &t;
    while (cur) {
      if (cur->has_tensor_type()) {
        const std::string u = unknown_type(cur->tensor_type().elem_type());
        if (!u.empty()) return make_error("{} has {}; opset 17 and Ferrite do not know it", what, u);
        return Status::ok();
      }
      if (cur->has_sequence_type()) cur = &cur->sequence_type().elem_type();
      else if (cur->has_optional_type()) cur = &cur->optional_type().elem_type();
      else cur = nullptr;
    }
    return Status::ok();
  };
  auto check_tensor = [](const onnx::TensorProto& t, const std::string& what) -> Status {
    const std::string u = unknown_type(t.data_type());
    if (!u.empty()) return make_error("{} has {}; opset 17 and Ferrite do not know it", what, u);
    return Status::ok();
  };
  for (const auto& v : g.input()) FERRITE_TRY(check_type(v.type(), fmt::format("input '{}'", v.name())));
  for (const auto& v : g.output()) FERRITE_TRY(check_type(v.type(), fmt::format("output '{}'", v.name())));
  for (const auto& v : g.value_info()) FERRITE_TRY(check_type(v.type(), fmt::format("tensor '{}'", v.name())));
  for (const auto& t : g.initializer()) FERRITE_TRY(check_tensor(t, fmt::format("initializer '{}'", t.name())));
  for (const auto& s : g.sparse_initializer())
    FERRITE_TRY(check_tensor(s.values(), fmt::format("sparse initializer '{}'", s.values().name())));
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    for (const auto& a : n.attribute()) {
      const std::string what = fmt::format("{}: attribute '{}'", label(n, i), a.name());
      if (a.has_t()) FERRITE_TRY(check_tensor(a.t(), what));
      for (const auto& t : a.tensors()) FERRITE_TRY(check_tensor(t, what));
      if (a.has_g()) FERRITE_TRY(check_types(a.g()));
      for (const auto& sub : a.graphs()) FERRITE_TRY(check_types(sub));
      if (a.type() == onnx::AttributeProto::INT &&
          (a.name() == "to" || a.name() == "dtype" || a.name() == "output_dtype" || a.name() == "precision")) {
        const std::string u = a.i() == 0 && a.name() != "to" ? "" : unknown_type(static_cast<int>(a.i()));
        if (!u.empty()) return make_error("{} names {}; opset 17 and Ferrite do not know it", what, u);
      }
    }
  }
  return Status::ok();
}

// Shapes of the tensors that deferred nodes read, from ONNX's inference (non-strict, in a child
// process) of the graph above them: the ancestors of those nodes, with --input-shape applied.
Expected<std::map<std::string, Shape>> infer_above(const onnx::ModelProto& model, const std::vector<int>& deferred,
                                                   const std::map<std::string, Shape>& input_shapes) {
  const onnx::GraphProto& g = model.graph();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto& o : g.node(i).output()) producer[o] = i;
  std::set<int> dset(deferred.begin(), deferred.end());
  std::vector<bool> keep(static_cast<size_t>(g.node_size()), false);
  std::vector<int> stack;
  std::set<std::string> wanted;
  for (int d : deferred)
    for (const auto& in : g.node(d).input())
      if (!in.empty()) {
        wanted.insert(in);
        if (auto p = producer.find(in); p != producer.end()) stack.push_back(p->second);
      }
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    if (keep[static_cast<size_t>(v)] || dset.count(v)) continue;  // a deferred node: its outputs stay unknown
    keep[static_cast<size_t>(v)] = true;
    for (const auto& in : g.node(v).input())
      if (auto p = producer.find(in); p != producer.end()) stack.push_back(p->second);
  }
  onnx::ModelProto m;
  m.set_ir_version(kIrVersionOfOnnx112);
  *m.mutable_opset_import() = model.opset_import();
  onnx::GraphProto* mg = m.mutable_graph();
  mg->set_name(g.name());
  *mg->mutable_input() = g.input();
  *mg->mutable_initializer() = g.initializer();
  for (int i = 0; i < g.node_size(); ++i)
    if (keep[static_cast<size_t>(i)]) *mg->add_node() = g.node(i);
  for (const auto& w : wanted) mg->add_output()->set_name(w);
  for (auto& in : *mg->mutable_input()) {
    auto it = input_shapes.find(in.name());
    if (it == input_shapes.end()) continue;
    auto* shp = in.mutable_type()->mutable_tensor_type()->mutable_shape();
    shp->clear_dim();
    for (int64_t d : it->second) shp->add_dim()->set_dim_value(d);
  }
  auto inferred = run_in_child([&] {
    onnx::ShapeInferenceOptions so(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/true);
    infer_shapes_guarded(m, so);
    onnx::GraphProto types;
    *types.mutable_value_info() = m.graph().value_info();
    *types.mutable_input() = m.graph().input();
    std::string out;
    types.SerializeToString(&out);
    return out;
  });
  if (!inferred) return make_error("shape inference failed: {}", inferred.error().message);
  onnx::GraphProto types;
  if (!types.ParseFromString(*inferred)) return make_error("shape inference failed: its result does not parse");
  std::map<std::string, Shape> r;
  auto take = [&](const onnx::ValueInfoProto& vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    Shape s;
    for (const auto& d : vi.type().tensor_type().shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() < 0) return;
      s.push_back(d.dim_value());
    }
    r[vi.name()] = s;
  };
  for (const auto& vi : types.input()) take(vi);
  for (const auto& vi : types.value_info()) take(vi);
  return r;
}

}  // namespace

Status rewrite_to_opset17(onnx::ModelProto& model, int64_t opset, const std::map<std::string, Shape>& input_shapes,
                          OpsetRewriteStats* stats) {
  if (opset <= kCanonicalOpset) return Status::ok();
  if (opset > kMaxOpset)
    return make_error("the model uses ai.onnx opset {}; Ferrite reads opsets 1 to {}", opset, kMaxOpset);
  onnx::GraphProto& g = *model.mutable_graph();
  FERRITE_TRY(check_types(g));

  Ctx c(model, g, opset);
  for (const auto& t : g.initializer()) {
    c.inits[t.name()] = &t;
    c.names.insert(t.name());
  }
  for (const auto& in : g.input()) c.names.insert(in.name());
  for (const auto& n : g.node()) {
    for (const auto& o : n.output()) c.names.insert(o);
    if (n.op_type() == "Constant" && (n.domain().empty() || n.domain() == "ai.onnx") && n.output_size() == 1)
      c.constant_nodes[n.output(0)] = &n;
  }

  OpsetRewriteStats st;
  auto apply = [&](int i) -> Status {
    onnx::NodeProto& n = *g.mutable_node(i);
    const Rewrite* r = (n.domain().empty() || n.domain() == "ai.onnx") ? entry_for(n.op_type(), opset) : nullptr;
    if (!r) {
      ++st.unchanged;
      return Status::ok();
    }
    c.since = r->since;
    const std::string before = n.SerializeAsString();
    FERRITE_TRY(r->fn(c, n, i));
    if (n.SerializeAsString() != before) ++st.rewritten;
    else if (!c.deferred) ++st.unchanged;
    return Status::ok();
  };
  std::vector<int> deferred;
  for (int i = 0; i < g.node_size(); ++i) {
    c.deferred = false;
    FERRITE_TRY(apply(i));
    if (c.deferred) deferred.push_back(i);
  }
  // Decompositions (Gelu, GroupNormalization): their steps go before the rewritten node, in order;
  // the waiting nodes' indices move by the steps inserted before them. Run after the first pass and
  // after each round of deferred rewrites (whose nodes are visited in increasing index order).
  auto splice = [&](std::vector<int>& waiting) {
    if (c.inserted.empty()) return;
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    std::vector<int> moved(static_cast<size_t>(g.node_size()));
    size_t k = 0;
    for (int i = 0; i < g.node_size(); ++i) {
      for (; k < c.inserted.size() && c.inserted[k].first == i; ++k) *nodes.Add() = c.inserted[k].second;
      moved[static_cast<size_t>(i)] = nodes.size();
      *nodes.Add() = g.node(i);
    }
    g.mutable_node()->Swap(&nodes);
    for (int& d : waiting) d = moved[static_cast<size_t>(d)];
    c.inserted.clear();
    c.constant_nodes.clear();  // pointers into the old node list
    for (const auto& m : g.node())
      if (m.op_type() == "Constant" && (m.domain().empty() || m.domain() == "ai.onnx") && m.output_size() == 1)
        c.constant_nodes[m.output(0)] = &m;
  };
  splice(deferred);
  // Rewrites that need a static shape, in rounds: each round infers the shapes above the nodes
  // still waiting (a waiting node's own outputs stay unknown until it is rewritten).
  while (!deferred.empty()) {
    for (auto& t : c.new_inits) *g.add_initializer() = t;
    c.new_inits.clear();
    c.inits.clear();
    for (const auto& t : g.initializer()) c.inits[t.name()] = &t;
    for (auto& o : *model.mutable_opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") o.set_version(kCanonicalOpset);
    auto shapes = infer_above(model, deferred, input_shapes);
    for (auto& o : *model.mutable_opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") o.set_version(opset);
    if (!shapes) return make_error("{} (while rewriting opset {} to 17)", shapes.error().message, opset);
    c.shapes = &*shapes;
    std::vector<int> still;
    for (int d : deferred) {
      c.deferred = false;
      FERRITE_TRY(apply(d));
      if (c.deferred) still.push_back(d);  // its input comes from a node still waiting
    }
    c.shapes = nullptr;
    splice(still);
    if (still.size() == deferred.size()) {
      c.final = true;
      c.shapes = &*shapes;
      FERRITE_TRY(apply(still[0]));  // gives the reason
      return make_error("{}: the rewrite to opset 17 waits on shapes that never become known",
                        label(g.node(still[0]), still[0]));
    }
    deferred = still;
  }
  for (auto& t : c.new_inits) *g.add_initializer() = t;
  for (auto& o : *model.mutable_opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") o.set_version(kCanonicalOpset);
  if (model.ir_version() > kIrVersionOfOnnx112) model.set_ir_version(kIrVersionOfOnnx112);
  if (stats) *stats = st;
  return Status::ok();
}

}  // namespace ferrite
