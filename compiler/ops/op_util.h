// Helpers shared by the per-op lowering files: shape arithmetic, broadcasting strides, constant
// operand access and the common "float32 only" checks, all producing errors that name the node.
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/kernel_params.h"
#include "ops/lower.h"
#include "ops/pads.h"

namespace ferrite::ops {

inline int32_t i32(int64_t v) { return static_cast<int32_t>(v); }

// Dense row-major strides of `s`.
inline Shape dense_strides(const Shape& s) {
  Shape st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Strides of operand shape `s` broadcast to `out` (numpy rules): 0 where s has 1 or lacks the dim.
inline Shape broadcast_strides(const Shape& s, const Shape& out) {
  Shape st(out.size(), 0);
  if (s.size() > out.size()) return st;  // not a broadcast (require_broadcast refuses it)
  Shape ds = dense_strides(s);
  const size_t off = out.size() - s.size();
  for (size_t i = 0; i < s.size(); ++i) st[off + i] = (s[i] == 1 && out[off + i] != 1) ? 0 : ds[i];
  return st;
}

// Operand `in` of node n broadcasts (numpy rules) to `out`: no higher rank, each dim equal or 1.
// ONNX's inference does not check this for PRelu's slope, for one.
inline Status require_broadcast(const Graph& g, const Node& n, TensorId in, const Shape& out) {
  const Shape& s = g.t(in).shape;
  bool ok = s.size() <= out.size();
  for (size_t i = 0; ok && i < s.size(); ++i) {
    const int64_t d = s[i], o = out[out.size() - s.size() + i];
    ok = d == o || d == 1;
  }
  if (!ok)
    return make_error("{}: input '{}' of shape {} does not broadcast to the output's shape {}", n.display_name(),
                      g.t(in).name, shape_str(s), shape_str(out));
  return Status::ok();
}

inline int64_t prod(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to && i < s.size(); ++i) p *= s[i];
  return p;
}

// Normalizes a possibly negative axis against `rank`.
inline Expected<int64_t> norm_axis(int64_t axis, size_t rank, const Node& n) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) return make_error("{}: axis {} is out of range for rank {}", n.display_name(), axis, r);
  return axis < 0 ? axis + r : axis;
}

// The model's own tensor behind `id`: a uint8 graph input is read through an internal int8 copy
// (passes/normalize_int8.cpp, a FlipSign node); errors name the model's tensor and its type.
inline const Tensor& model_tensor(const Graph& g, TensorId id) {
  if (auto p = g.producer(id); p && g.nodes[*p].op == OpKind::FlipSign && !g.nodes[*p].inputs.empty())
    return g.t(g.nodes[*p].inputs[0]);
  return g.t(id);
}

// `f32_outputs`: how many leading outputs must be float32 (all by default; MaxPool's Indices is int64).
inline Status require_f32(const Graph& g, const Node& n, std::initializer_list<int> inputs,
                          size_t f32_outputs = static_cast<size_t>(-1)) {
  for (int i : inputs) {
    if (i >= static_cast<int>(n.inputs.size()) || n.inputs[static_cast<size_t>(i)] == kNoTensor) continue;
    const TensorId id = n.inputs[static_cast<size_t>(i)];
    if (g.t(id).dtype == DType::F32) continue;  // (model_tensor's producer lookup is linear: only on failure)
    const Tensor& t = model_tensor(g, id);
    if (t.dtype != DType::F32)
      return make_error("{}: input '{}' is {}; this operator is supported for float32 only", n.display_name(), t.name,
                        dtype_name(t.dtype));
  }
  for (size_t k = 0; k < n.outputs.size() && k < f32_outputs; ++k)
    if (const TensorId o = n.outputs[k]; g.t(o).dtype != DType::F32)
      return make_error("{}: output '{}' is {}; this operator is supported for float32 only", n.display_name(),
                        g.t(o).name, dtype_name(g.t(o).dtype));
  return Status::ok();
}

inline bool has_input(const Node& n, size_t i) { return i < n.inputs.size() && n.inputs[i] != kNoTensor; }

// The tensor of ONNX output position `slot` (kNoTensor when the model omitted it): the importer drops
// omitted outputs and records the kept ones' positions in "ferrite.output_slots" when they moved.
inline TensorId output_slot(const Node& n, size_t slot) {
  if (!n.attrs.has("ferrite.output_slots")) return slot < n.outputs.size() ? n.outputs[slot] : kNoTensor;
  const std::vector<int64_t> s = n.attrs.ints("ferrite.output_slots");
  for (size_t k = 0; k < s.size() && k < n.outputs.size(); ++k)
    if (s[k] == static_cast<int64_t>(slot)) return n.outputs[k];
  return kNoTensor;
}

// A constant input's values as int64 / float; an error naming the tensor when it is not constant.
inline Expected<std::vector<int64_t>> const_ints(const Graph& g, const Node& n, size_t i, const char* what) {
  const Tensor& t = g.t(n.inputs[i]);
  if (!t.is_constant())
    return make_error("{}: input '{}' ({}) must be a compile-time constant", n.display_name(), t.name, what);
  return t.as_i64();
}
inline Expected<float> const_scalar_f32(const Graph& g, const Node& n, size_t i, const char* what) {
  const Tensor& t = g.t(n.inputs[i]);
  if (!t.is_constant())
    return make_error("{}: input '{}' ({}) must be a compile-time constant", n.display_name(), t.name, what);
  if (t.numel() != 1) return make_error("{}: input '{}' ({}) must hold one value", n.display_name(), t.name, what);
  return t.as_f32()[0];
}

inline const Shape& in_shape(const Graph& g, const Node& n, size_t i) { return g.t(n.inputs[i]).shape; }
inline const Shape& out_shape(const Graph& g, const Node& n, size_t i = 0) { return g.t(n.outputs[i]).shape; }

// The geometry of a ConvTranspose / QLinearConvTranspose (compiler/ops/conv.cpp): input `x_slot`,
// weights `w_slot` ([c_in][c_out/group][k...]); begin pads resolved, p.act empty.
Expected<ferrite_rt::ConvParams> conv_transpose_params(const Graph& g, const Node& n, size_t x_slot, size_t w_slot);

inline ferrite_rt::ActParams no_act() {
  return {ferrite_rt::Act::None, 0.f, 0.f, -std::numeric_limits<float>::infinity(),
          std::numeric_limits<float>::infinity()};
}

}  // namespace ferrite::ops
