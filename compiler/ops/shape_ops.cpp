// Data-movement ops. Reshape, Flatten, Squeeze, Unsqueeze, Identity and Dropout are aliases (no code;
// the planner gives the output the input's storage). Transpose and Slice become a strided copy, Concat
// one copy per input into its slice of the output (dropped when the planner stores that input in its
// slice), Pad a padded copy. These work for any element
// type, so constant folding uses them on integer shape tensors too.
#include "ops/op_util.h"

namespace ferrite::ops {

static Lowered alias() {
  Lowered l;
  l.alias = true;
  return l;
}

// An alias reinterprets its input's bytes: the output must hold exactly as many elements (ONNX's
// shape inference does not check this for a Reshape to a constant shape, e.g. 24 elements to 5x5).
static Expected<Lowered> checked_alias(const Graph& g, const Node& n) {
  if (n.inputs.empty() || n.outputs.empty() || n.inputs[0] == kNoTensor)
    return make_error("{}: expects a data input and an output", n.display_name());
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  if (x.numel() != y.numel() || x.dtype != y.dtype)
    return make_error("{}: output '{}' ({} {}, {} elements) cannot be a view of input '{}' ({} {}, {} elements)",
                      n.display_name(), y.name, dtype_name(y.dtype), shape_str(y.shape), y.numel(), x.name,
                      dtype_name(x.dtype), shape_str(x.shape), x.numel());
  return alias();
}

Expected<Lowered> lower_Reshape(const Graph& g, const Node& n) { return checked_alias(g, n); }
Expected<Lowered> lower_Flatten(const Graph& g, const Node& n) { return checked_alias(g, n); }
Expected<Lowered> lower_Squeeze(const Graph& g, const Node& n) { return checked_alias(g, n); }
Expected<Lowered> lower_Unsqueeze(const Graph& g, const Node& n) { return checked_alias(g, n); }
Expected<Lowered> lower_Identity(const Graph& g, const Node& n) { return checked_alias(g, n); }
static KernelCall strided_call(const Graph& g, const Node& n, const Shape& out, const Shape& in_stride, int64_t offset,
                               const char* variant);

// Dropout in inference (training_mode absent or a constant false): y is x (an alias, or a copy when
// the mask is asked for too) and the mask is all true (a strided copy of one constant true with
// stride 0). training_mode true (or given at run time) is refused: the output is random, unless
// ratio is 0, which a run-time ratio cannot promise.
Expected<Lowered> lower_Dropout(const Graph& g, const Node& n) {
  if (has_input(n, 2)) {
    auto t = const_ints(g, n, 2, "training_mode");
    if (!t) return t.error();
    if (!t->empty() && (*t)[0] != 0) {
      bool zero_ratio = false;
      if (has_input(n, 1) && g.t(n.inputs[1]).is_constant()) {
        const auto r = g.t(n.inputs[1]).as_f32();
        zero_ratio = r.size() == 1 && r[0] == 0.0f;
      }
      if (!zero_ratio)
        return make_error("{}: training_mode=true with a ratio other than a constant 0 is random; not supported "
                          "(inference only)", n.display_name());
    }
  }
  const TensorId mask = output_slot(n, 1);
  if (mask == kNoTensor) return checked_alias(g, n);
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(output_slot(n, 0));
  const Tensor& m = g.t(mask);
  if (m.dtype != DType::Bool || m.shape != x.shape || y.shape != x.shape || y.dtype != x.dtype)
    return make_error("{}: output '{}' or mask '{}' does not match input '{}'", n.display_name(), y.name, m.name, x.name);
  Lowered l;
  if (x.numel() == 0) return l;
  if (output_slot(n, 0) != kNoTensor) {
    KernelCall c = strided_call(g, n, x.shape, dense_strides(x.shape), 0, "dropout_copy");
    c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(output_slot(n, 0))};
    l.calls.push_back(std::move(c));
  }
  Tensor one;
  one.name = m.name + "_true";
  one.dtype = DType::Bool;
  one.shape = {};
  one.data = std::vector<uint8_t>{1};
  KernelCall c = strided_call(g, n, m.shape, Shape(m.shape.size(), 0), 0, "dropout_mask_true");
  std::get<ferrite_rt::StridedCopyParams>(*c.params).elem_size = 1;
  c.args = {Operand::constant(std::move(one)), Operand::tensor(mask)};
  l.calls.push_back(std::move(c));
  return l;
}
Expected<Lowered> lower_Constant(const Graph&, const Node& n) {
  return make_error("{}: Constant nodes are turned into constants by the frontend", n.display_name());
}

static KernelCall strided_call(const Graph& g, const Node& n, const Shape& out, const Shape& in_stride, int64_t offset,
                               const char* variant) {
  ferrite_rt::StridedCopyParams p{};
  Shape os = out.empty() ? Shape{1} : out;
  p.rank = static_cast<int32_t>(os.size());
  for (size_t i = 0; i < os.size(); ++i) {
    p.out_shape[i] = i32(os[i]);
    p.in_stride[i] = out.empty() ? 0 : i32(in_stride[i]);
  }
  p.in_offset = i32(offset);
  p.total = i32(shape_numel(out));
  p.elem_size = static_cast<int32_t>(dtype_size(g.t(n.inputs[0]).dtype));
  KernelCall c;
  c.kernel = KernelId::strided_copy;
  c.variant = variant;
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  return c;
}

Expected<Lowered> lower_Transpose(const Graph& g, const Node& n) {
  const Shape& x = in_shape(g, n, 0);
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());
  std::vector<int64_t> perm = n.attrs.ints("perm");
  if (perm.empty())
    for (size_t i = x.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  {
    std::vector<bool> seen(x.size(), false);
    bool ok = perm.size() == x.size();
    for (int64_t pi : perm) {
      ok = ok && pi >= 0 && pi < static_cast<int64_t>(x.size()) && !seen[static_cast<size_t>(pi)];
      if (ok) seen[static_cast<size_t>(pi)] = true;
    }
    if (!ok) return make_error("{}: perm is not a permutation of the {} axes of '{}'", n.display_name(), x.size(),
                               g.t(n.inputs[0]).name);
  }
  Shape ds = dense_strides(x), out, st;
  for (int64_t pi : perm) {
    out.push_back(x[static_cast<size_t>(pi)]);
    st.push_back(ds[static_cast<size_t>(pi)]);
  }
  Lowered l;
  l.calls.push_back(strided_call(g, n, out, st, 0, "transpose"));
  return l;
}

Expected<Lowered> lower_Slice(const Graph& g, const Node& n) {
  const Shape& x = in_shape(g, n, 0);
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());
  auto starts = const_ints(g, n, 1, "starts");
  if (!starts) return starts.error();
  auto ends = const_ints(g, n, 2, "ends");
  if (!ends) return ends.error();
  std::vector<int64_t> axes, steps(starts->size(), 1);
  if (has_input(n, 3)) {
    auto a = const_ints(g, n, 3, "axes");
    if (!a) return a.error();
    axes = *a;
  } else {
    for (size_t i = 0; i < starts->size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (has_input(n, 4)) {
    auto s = const_ints(g, n, 4, "steps");
    if (!s) return s.error();
    steps = *s;
  }
  if (ends->size() != starts->size() || axes.size() != starts->size() || steps.size() != starts->size())
    return make_error("{}: starts, ends, axes and steps differ in length", n.display_name());
  Shape ds = dense_strides(x), out = x, st = ds;
  int64_t offset = 0;
  for (size_t i = 0; i < starts->size(); ++i) {
    auto ax = norm_axis(axes[i], x.size(), n);
    if (!ax) return ax.error();
    const auto a = static_cast<size_t>(*ax);
    const int64_t dim = x[a], step = steps[i];
    if (step == 0) return make_error("{}: step 0", n.display_name());
    int64_t s = (*starts)[i], e = (*ends)[i];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
    } else {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
    }
    // Without overflow for steps up to INT64_MAX / INT64_MIN (s and e are clamped into the dim).
    const uint64_t mag = step > 0 ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
    const int64_t span = step > 0 ? e - s : s - e;
    const int64_t len = span > 0 ? static_cast<int64_t>((static_cast<uint64_t>(span) - 1) / mag + 1) : 0;
    out[a] = len;
    offset += s * ds[a];
    st[a] = len > 1 ? ds[a] * step : 0;  // |step| < dim when two elements are taken
  }
  if (out != out_shape(g, n))
    return make_error("{}: computed shape {} differs from the inferred {}", n.display_name(), shape_str(out),
                      shape_str(out_shape(g, n)));
  Lowered l;
  if (shape_numel(out) > 0) l.calls.push_back(strided_call(g, n, out, st, offset, "slice"));
  return l;
}

Expected<Lowered> lower_Concat(const Graph& g, const Node& n) {
  const Shape& y = out_shape(g, n);
  auto axis = norm_axis(n.attrs.i("axis", 0), y.size(), n);
  if (!axis) return axis.error();
  const auto a = static_cast<size_t>(*axis);
  Lowered l;
  int64_t offset = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Shape& x = in_shape(g, n, i);
    ferrite_rt::ConcatPartParams p{};
    p.outer = i32(prod(y, 0, a));
    p.in_inner = i32(prod(x, a, x.size()));
    p.out_inner = i32(prod(y, a, y.size()));
    p.offset = i32(offset);
    p.elem_size = static_cast<int32_t>(dtype_size(g.t(n.outputs[0]).dtype));
    offset += p.in_inner;
    // With nothing before the axis (outer == 1) the copy is one contiguous range: the input may be
    // produced straight into it (NCHW batch-1 channel concat). Otherwise its rows interleave.
    if (p.outer == 1 && shape_numel(x) > 0 && !g.t(n.inputs[i]).nhwc && !g.t(n.outputs[0]).nhwc) {
      const auto es = static_cast<size_t>(p.elem_size);
      l.slices.push_back({static_cast<int>(i), static_cast<int>(i), static_cast<size_t>(p.offset) * es,
                          static_cast<size_t>(p.in_inner) * es, static_cast<int>(l.calls.size())});
    }
    if (shape_numel(x) == 0) continue;
    KernelCall c;
    c.kernel = KernelId::concat_part;
    c.variant = "concat_part";
    c.params = p;
    c.args = {Operand::tensor(n.inputs[i]), Operand::tensor(n.outputs[0])};
    l.calls.push_back(std::move(c));
  }
  return l;
}

// A zero pad on int8 data (fold-qdq: DQ -> Pad(0.0) -> Q): the padded positions get the input's
// zero point (input 2, an int8 constant), which dequantizes to exactly 0.0 as ONNX Runtime's float
// Pad writes. Either layout (the dims are permuted for NHWC); pad_s8_tfl copies bytes.
static Expected<Lowered> lower_pad_s8(const Graph& g, const Node& n) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  const size_t r = x.shape.size();
  if (y.dtype != DType::I8 || r == 0 || r > 6 || x.nhwc != y.nhwc || n.attrs.s("mode", "constant") != "constant")
    return make_error("{}: only a constant int8 Pad of rank 1..6 is supported", n.display_name());
  auto pads = const_ints(g, n, 1, "pads");
  if (!pads) return pads.error();
  if (pads->size() != 2 * r) return make_error("{}: pads has {} values for rank {}", n.display_name(), pads->size(), r);
  if (!has_input(n, 2) || !g.t(n.inputs[2]).is_constant() || g.t(n.inputs[2]).dtype != DType::I8 ||
      g.t(n.inputs[2]).numel() != 1)
    return make_error("{}: the int8 pad value must be an int8 constant", n.display_name());
  std::vector<size_t> order(r);
  for (size_t i = 0; i < r; ++i) order[i] = i;
  if (x.nhwc && r == 4) order = {0, 2, 3, 1};
  ferrite_rt::PadParams p{};
  p.rank = static_cast<int32_t>(r);
  for (size_t i = 0; i < r; ++i) {
    const size_t d = order[i];
    if ((*pads)[d] < 0 || (*pads)[d + r] < 0 || x.shape[d] + (*pads)[d] + (*pads)[d + r] != y.shape[d])
      return make_error("{}: pads do not give the output shape {}", n.display_name(), shape_str(y.shape));
    p.in_shape[i] = i32(x.shape[d]);
    p.out_shape[i] = i32(y.shape[d]);
    p.pad_begin[i] = i32((*pads)[d]);
  }
  p.mode = ferrite_rt::PadMode::Constant;
  p.value = static_cast<float>(g.t(n.inputs[2]).as_i64()[0]);
  p.total = i32(shape_numel(y.shape));
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::pad_s8_tfl;
  c.variant = "pad_s8";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_Pad(const Graph& g, const Node& n) {
  const DType dt = g.t(n.inputs[0]).dtype;
  if (dt == DType::I8) return lower_pad_s8(g, n);
  // float32: pad_f32; any other type with a C element type: pad_any (bytes moved, the constant's bytes)
  const size_t es = dtype_size(dt);
  if (dt != DType::F32 && (es != 1 && es != 2 && es != 4 && es != 8))
    return make_error("{}: input '{}' is {}; Pad does not support this element type", n.display_name(),
                      model_tensor(g, n.inputs[0]).name, dtype_name(model_tensor(g, n.inputs[0]).dtype));
  if (g.t(n.outputs[0]).dtype != dt)
    return make_error("{}: output '{}' is {}, input '{}' is {}", n.display_name(), g.t(n.outputs[0]).name,
                      dtype_name(g.t(n.outputs[0]).dtype), g.t(n.inputs[0]).name, dtype_name(dt));
  const Shape& x = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());
  auto pads = const_ints(g, n, 1, "pads");
  if (!pads) return pads.error();
  if (pads->size() != 2 * x.size()) return make_error("{}: pads has {} values for rank {}", n.display_name(), pads->size(), x.size());
  ferrite_rt::PadParams p{};
  const std::string mode = n.attrs.s("mode", "constant");
  if (mode == "constant") p.mode = ferrite_rt::PadMode::Constant;
  else if (mode == "edge") p.mode = ferrite_rt::PadMode::Edge;
  else if (mode == "reflect") p.mode = ferrite_rt::PadMode::Reflect;
  else return make_error("{}: pad mode '{}' is not supported", n.display_name(), mode);
  p.value = 0.f;
  if (has_input(n, 2) && dt == DType::F32) {
    auto v = const_scalar_f32(g, n, 2, "constant_value");
    if (!v) return v.error();
    p.value = *v;
  } else if (has_input(n, 2)) {
    const Tensor& v = g.t(n.inputs[2]);
    if (!v.is_constant() || v.numel() != 1 || v.dtype != dt || !v.data || v.data->size() != es)
      return make_error("{}: constant_value '{}' must be one compile-time constant {} value", n.display_name(), v.name,
                        dtype_name(dt));
    uint32_t bits[2] = {0, 0};
    std::memcpy(bits, v.data->data(), es);
    p.value_bits[0] = static_cast<int32_t>(bits[0]);
    p.value_bits[1] = static_cast<int32_t>(bits[1]);
  }
  p.elem_size = static_cast<int32_t>(es);
  Shape xs = x.empty() ? Shape{1} : x, ys = y.empty() ? Shape{1} : y;
  p.rank = static_cast<int32_t>(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    p.in_shape[i] = i32(xs[i]);
    p.out_shape[i] = i32(ys[i]);
    p.pad_begin[i] = x.empty() ? 0 : i32((*pads)[i]);
  }
  p.total = i32(shape_numel(y));
  Lowered l;
  KernelCall c;
  c.kernel = dt == DType::F32 ? KernelId::pad_f32 : KernelId::pad_any;
  c.variant = fmt::format("pad_{}_{}", dt == DType::F32 ? "f32" : dtype_name(dt), mode);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

// Split: one strided copy per output (its slice of the axis). The sizes are the constant `split`
// input (opset 13), the `split` attribute (older models arrive converted to opset 17, where it is
// the input) or equal parts; opset-18 `num_outputs` arrives rewritten (frontend/onnx_opset.cpp).
// Each output's shape is checked against the inferred one. Any element type.
Expected<Lowered> lower_Split(const Graph& g, const Node& n) {
  const Shape& x = in_shape(g, n, 0);
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());
  if (x.empty()) return make_error("{}: input '{}' is a scalar", n.display_name(), g.t(n.inputs[0]).name);
  auto axis = norm_axis(n.attrs.i("axis", 0), x.size(), n);
  if (!axis) return axis.error();
  const auto a = static_cast<size_t>(*axis);
  if (n.attrs.has("ferrite.output_slots"))
    return make_error("{}: an omitted output is not supported", n.display_name());
  std::vector<int64_t> parts;
  if (has_input(n, 1)) {
    auto s = const_ints(g, n, 1, "split");
    if (!s) return s.error();
    parts = *s;
  } else if (n.attrs.has("split")) {
    parts = n.attrs.ints("split");
  } else {
    const auto k = static_cast<int64_t>(n.outputs.size());
    if (x[a] % k != 0)
      return make_error("{}: axis {} of '{}' ({}) does not split into {} equal parts", n.display_name(), a,
                        g.t(n.inputs[0]).name, x[a], k);
    parts.assign(n.outputs.size(), x[a] / k);
  }
  if (parts.size() != n.outputs.size())
    return make_error("{}: split has {} sizes for {} outputs", n.display_name(), parts.size(), n.outputs.size());
  int64_t total = 0;
  for (int64_t p : parts) {
    if (p < 0) return make_error("{}: negative split size {}", n.display_name(), p);
    total += p;
  }
  if (total != x[a])
    return make_error("{}: split sizes sum to {}, axis {} of '{}' has {}", n.display_name(), total, a,
                      g.t(n.inputs[0]).name, x[a]);
  const Shape ds = dense_strides(x);
  Lowered l;
  int64_t start = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    Shape out = x;
    out[a] = parts[k];
    if (out != out_shape(g, n, k))
      return make_error("{}: output '{}' computed shape {} differs from the inferred {}", n.display_name(),
                        g.t(n.outputs[k]).name, shape_str(out), shape_str(out_shape(g, n, k)));
    if (parts[k] > 0) {
      KernelCall c = strided_call(g, n, out, ds, start * ds[a], "split");
      c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[k])};
      l.calls.push_back(std::move(c));
    }
    start += parts[k];
  }
  return l;
}

// Expand at run time (a constant input folds in the frontend): a strided copy with stride 0 along
// the broadcast dims. Any element type.
Expected<Lowered> lower_Expand(const Graph& g, const Node& n) {
  const Shape& x = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  if (y.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), y.size());
  auto shp = const_ints(g, n, 1, "shape");
  if (!shp) return shp.error();
  FERRITE_TRY(require_broadcast(g, n, n.inputs[0], y));
  if (g.t(n.inputs[0]).dtype != g.t(n.outputs[0]).dtype)
    return make_error("{}: input and output types differ", n.display_name());
  if (x == y) {
    Lowered l;
    l.alias = true;
    return l;
  }
  const Shape st = broadcast_strides(x, y.empty() ? Shape{1} : y);
  Lowered l;
  if (shape_numel(y) > 0) l.calls.push_back(strided_call(g, n, y, st, 0, "expand"));
  return l;
}

// Tile at run time: tile_copy (each input row copied repeats times, the outer dims by an odometer
// whose input index wraps). Constant repeats; any element type; rank <= 6.
Expected<Lowered> lower_Tile(const Graph& g, const Node& n) {
  const Shape& x = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  auto rep = const_ints(g, n, 1, "repeats");
  if (!rep) return rep.error();
  if (rep->size() != x.size())
    return make_error("{}: repeats has {} values for rank {}", n.display_name(), rep->size(), x.size());
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());
  if (g.t(n.inputs[0]).dtype != g.t(n.outputs[0]).dtype)
    return make_error("{}: input and output types differ", n.display_name());
  Shape expect;
  for (size_t d = 0; d < x.size(); ++d) {
    if ((*rep)[d] < 0) return make_error("{}: negative repeat {}", n.display_name(), (*rep)[d]);
    expect.push_back(x[d] * (*rep)[d]);
  }
  if (expect != y)
    return make_error("{}: computed shape {} differs from the inferred {}", n.display_name(), shape_str(expect),
                      shape_str(y));
  Lowered l;
  if (shape_numel(y) == 0) return l;
  if (x == y) {
    l.alias = true;
    return l;
  }
  ferrite_rt::TileParams p{};
  p.rank = static_cast<int32_t>(x.size());
  for (size_t d = 0; d < x.size(); ++d) {
    p.out_shape[d] = i32(y[d]);
    p.in_shape[d] = i32(x[d]);
  }
  p.total = i32(shape_numel(y));
  p.elem_size = static_cast<int32_t>(dtype_size(g.t(n.inputs[0]).dtype));
  KernelCall c;
  c.kernel = KernelId::tile_copy;
  c.variant = "tile";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

// Where at run time (constant inputs fold in the frontend): y = cond ? x : y with numpy
// broadcasting (where_select). cond is bool; X and Y share the output's element type (any).
Expected<Lowered> lower_Where(const Graph& g, const Node& n) {
  if (n.inputs.size() != 3) return make_error("{}: expects 3 inputs", n.display_name());
  const Tensor& c = g.t(n.inputs[0]);
  if (model_tensor(g, n.inputs[0]).dtype != DType::Bool || c.dtype != DType::Bool)
    return make_error("{}: condition '{}' is {}, expected bool", n.display_name(), c.name, dtype_name(c.dtype));
  const Tensor& yt = g.t(n.outputs[0]);
  for (size_t i = 1; i <= 2; ++i)
    if (g.t(n.inputs[i]).dtype != yt.dtype)
      return make_error("{}: input '{}' is {}, output '{}' is {}", n.display_name(), g.t(n.inputs[i]).name,
                        dtype_name(g.t(n.inputs[i]).dtype), yt.name, dtype_name(yt.dtype));
  const Shape& y = yt.shape;
  if (y.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), y.size());
  for (TensorId in : n.inputs) FERRITE_TRY(require_broadcast(g, n, in, y));
  const Shape ys = y.empty() ? Shape{1} : y;
  const Shape sc = broadcast_strides(in_shape(g, n, 0), ys), sa = broadcast_strides(in_shape(g, n, 1), ys),
              sb = broadcast_strides(in_shape(g, n, 2), ys);
  ferrite_rt::WhereParams p{};
  p.rank = static_cast<int32_t>(ys.size());
  for (size_t i = 0; i < ys.size(); ++i) {
    p.out_shape[i] = i32(ys[i]);
    p.c_stride[i] = i32(sc[i]);
    p.a_stride[i] = i32(sa[i]);
    p.b_stride[i] = i32(sb[i]);
  }
  p.total = i32(shape_numel(y));
  p.elem_size = static_cast<int32_t>(dtype_size(yt.dtype));
  Lowered l;  // in place over X or Y of the output's shape: op_traits
  if (p.total == 0) return l;
  KernelCall k;
  k.kernel = KernelId::where_select;
  k.variant = "where";
  k.params = p;
  k.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), Operand::tensor(n.inputs[2]),
            Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(k));
  return l;
}

}  // namespace ferrite::ops
