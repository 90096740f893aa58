// Constant folding over the ONNX graph, before the IR is built (see onnx_fold.h).
//
// Why here and not as an IR pass: the IR requires a static shape for every tensor, and a shape that
// an exporter computes at run time (Reshape(x, Concat(Shape(x)[0], -1))) is only known once the
// arithmetic is evaluated. So the frontend alternates ONNX's own shape inference (with data
// propagation) and a small evaluator for the operators exporters use for shapes and constants,
// until neither changes the graph. The evaluator works on any numeric element type with ONNX
// semantics (numpy broadcasting, integer wrap-around, Div truncating toward zero like ONNX
// Runtime, Cast float->int truncating); float arithmetic is IEEE single/double, so it gives the
// same bits as ONNX Runtime's constant folding and as the generated kernels.
#include "frontend/onnx_fold.h"
#include "frontend/onnx_infer.h"
#include "frontend/sandbox.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "frontend/onnx_import.h"
#include "ir/ir.h"
#include "ops/lower.h"

#include "common/prelude.h"
namespace ferrite_rt {
#include "common/convert.h"
}

namespace ferrite {

namespace {

// Largest tensor the evaluator produces (elements); larger results (an Expand of a constant to an
// activation-sized tensor, say) are left as nodes, which then are refused with this reason.
constexpr int64_t kMaxFoldElems = int64_t{1} << 22;

const std::set<std::string>& foldable_ops() {
  static const std::set<std::string> s = {"Shape",     "Size",    "Gather", "Cast",    "ConstantOfShape", "Range",
                                          "Expand",    "Concat",  "Slice",  "Unsqueeze", "Squeeze",       "Equal",
                                          "Where",     "Add",     "Sub",    "Mul",     "Div",             "Reshape",
                                          "Flatten",   "Identity", "Neg"};
  return s;
}

bool std_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }


int64_t geti(const Tensor& t, size_t i) {
  const uint8_t* p = t.data->data() + i * dtype_size(t.dtype);
  auto rd = [p](auto v) {
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (t.dtype) {
    case DType::I8: return rd(int8_t{});
    case DType::U8: return rd(uint8_t{});
    case DType::I16: return rd(int16_t{});
    case DType::U16: return rd(uint16_t{});
    case DType::I32: return rd(int32_t{});
    case DType::U32: return rd(uint32_t{});
    case DType::I64: return rd(int64_t{});
    case DType::U64: return static_cast<int64_t>(rd(uint64_t{}));
    case DType::Bool: return p[0] != 0;
    case DType::F32: return static_cast<int64_t>(rd(float{}));
    case DType::F64: return static_cast<int64_t>(rd(double{}));
    default: return 0;
  }
}

double getf(const Tensor& t, size_t i) {
  const uint8_t* p = t.data->data() + i * dtype_size(t.dtype);
  if (t.dtype == DType::F16 || t.dtype == DType::BF16) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return t.dtype == DType::F16 ? ferrite_rt::f16_to_f32(h) : ferrite_rt::bf16_to_f32(h);
  }
  if (t.dtype == DType::F32) {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (t.dtype == DType::F64) {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  if (t.dtype == DType::U64) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<double>(v);
  }
  return static_cast<double>(geti(t, i));
}

// Integer store: the low bytes of the two's complement value (ONNX/numpy wrap-around).
void seti(Tensor& t, size_t i, int64_t v) {
  uint8_t* p = t.data->data() + i * dtype_size(t.dtype);
  if (t.dtype == DType::Bool) {
    p[0] = v != 0;
  } else if (t.dtype == DType::F32) {
    const float f = static_cast<float>(v);
    std::memcpy(p, &f, 4);
  } else if (t.dtype == DType::F64) {
    const double d = static_cast<double>(v);
    std::memcpy(p, &d, 8);
  } else {
    std::memcpy(p, &v, dtype_size(t.dtype));  // little-endian host
  }
}

void setf32(Tensor& t, size_t i, float v) { std::memcpy(t.data->data() + i * 4, &v, 4); }
void setf64(Tensor& t, size_t i, double v) { std::memcpy(t.data->data() + i * 8, &v, 8); }

Tensor make(DType dt, Shape s) {
  Tensor t;
  t.dtype = dt;
  t.shape = std::move(s);
  t.data = std::vector<uint8_t>(t.bytes(), 0);
  return t;
}

// Why a node did not fold; kept for the final error message.
struct NoFold {
  std::string why;
};
template <typename T>
using Result = std::variant<T, NoFold>;

NoFold nofold(std::string why) { return NoFold{std::move(why)}; }

std::optional<Shape> broadcast(const Shape& a, const Shape& b) {
  const size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Source element index in `in` (right-aligned, broadcast) for every element of `out`.
std::vector<size_t> bcast_map(const Shape& out, const Shape& in) {
  const size_t r = out.size(), off = r - in.size();
  std::vector<size_t> stride(r, 0);
  size_t s = 1;
  for (size_t i = r; i-- > off;) {
    const int64_t d = in[i - off];
    stride[i] = d == 1 ? 0 : s;
    s *= static_cast<size_t>(d);
  }
  const size_t n = static_cast<size_t>(shape_numel(out));
  std::vector<size_t> m(n);
  std::vector<int64_t> idx(r, 0);
  size_t src = 0;
  for (size_t k = 0; k < n; ++k) {
    m[k] = src;
    for (size_t i = r; i-- > 0;) {
      if (++idx[i] < out[i]) {
        src += stride[i];
        break;
      }
      src -= stride[i] * static_cast<size_t>(out[i] - 1);
      idx[i] = 0;
    }
  }
  return m;
}

Result<Shape> checked(Shape s) {
  for (int64_t d : s)
    if (d < 0) return nofold(fmt::format("negative dimension in the result shape {}", shape_str(s)));
  int64_t n = 1;
  for (int64_t d : s) {
    if (d != 0 && n > kMaxFoldElems / d)
      return nofold(fmt::format("the result ({}) has more than {} elements, too many to fold", shape_str(s),
                                kMaxFoldElems));
    n *= d;
  }
  return s;
}

int64_t norm_axis(int64_t a, int64_t rank) { return a < 0 ? a + rank : a; }

struct NodeView {
  const onnx::NodeProto& np;
  std::vector<const Tensor*> in;  // nullptr for an omitted optional input
  int64_t attr_i(const char* name, int64_t def) const {
    for (const auto& a : np.attribute())
      if (a.name() == name && a.type() == onnx::AttributeProto::INT) return a.i();
    return def;
  }
  const onnx::AttributeProto* attr(const char* name) const {
    for (const auto& a : np.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  const Tensor* input(size_t i) const { return i < in.size() ? in[i] : nullptr; }
};

std::vector<int64_t> ints_of(const Tensor& t) {
  std::vector<int64_t> v(static_cast<size_t>(t.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = geti(t, i);
  return v;
}

// Element-wise binary arithmetic with numpy broadcasting.
Result<Tensor> arith(const std::string& op, const Tensor& a, const Tensor& b) {
  if (a.dtype != b.dtype) return nofold("operand types differ");
  if (a.dtype == DType::F16 || a.dtype == DType::BF16)
    return nofold(fmt::format("{} on {} is not evaluated at compile time", op, dtype_name(a.dtype)));
  auto shp = broadcast(a.shape, b.shape);
  if (!shp) return nofold(fmt::format("shapes {} and {} do not broadcast", shape_str(a.shape), shape_str(b.shape)));
  auto s = checked(*shp);
  if (auto* e = std::get_if<NoFold>(&s)) return *e;
  Tensor out = make(op == "Equal" ? DType::Bool : a.dtype, std::get<Shape>(s));
  const auto ma = bcast_map(out.shape, a.shape), mb = bcast_map(out.shape, b.shape);
  const bool unsig = a.dtype == DType::U8 || a.dtype == DType::U16 || a.dtype == DType::U32 || a.dtype == DType::U64;
  for (size_t k = 0; k < ma.size(); ++k) {
    if (a.dtype == DType::F32) {
      const float x = static_cast<float>(getf(a, ma[k])), y = static_cast<float>(getf(b, mb[k]));
      if (op == "Equal") seti(out, k, x == y);
      else setf32(out, k, op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    } else if (a.dtype == DType::F64) {
      const double x = getf(a, ma[k]), y = getf(b, mb[k]);
      if (op == "Equal") seti(out, k, x == y);
      else setf64(out, k, op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    } else {
      const int64_t x = geti(a, ma[k]), y = geti(b, mb[k]);
      const uint64_t ux = static_cast<uint64_t>(x), uy = static_cast<uint64_t>(y);
      int64_t r = 0;
      if (op == "Equal") r = x == y;
      else if (op == "Add") r = static_cast<int64_t>(ux + uy);
      else if (op == "Sub") r = static_cast<int64_t>(ux - uy);
      else if (op == "Mul") r = static_cast<int64_t>(ux * uy);
      else {
        if (y == 0) return nofold("integer division by zero");
        if (unsig) r = static_cast<int64_t>(ux / uy);
        else if (x == std::numeric_limits<int64_t>::min() && y == -1) return nofold("integer division overflows");
        else r = x / y;  // truncates toward zero, as ONNX Runtime does
      }
      seti(out, k, r);
    }
  }
  return out;
}

// With the run-time Cast kernels (runtime_templates/cast/cast.h), so that a folded Cast gives the
// bits the generated code would.
Result<Tensor> cast(const Tensor& x, DType to) {
  auto c = cast_call(x.dtype, to, x.numel());
  if (!c) return nofold(c.error().message);
  Tensor out = make(to, x.shape);
  if (out.numel() == 0) return out;
  Status st = execute_host(*c, {const_cast<uint8_t*>(x.data->data()), out.data->data()});
  if (!st) return nofold(st.error().message);
  return out;
}

Result<Tensor> slice(const NodeView& v) {
  const Tensor& x = *v.in[0];
  const auto starts = ints_of(*v.in[1]), ends = ints_of(*v.in[2]);
  const int64_t r = static_cast<int64_t>(x.shape.size());
  std::vector<int64_t> axes, steps;
  if (v.input(3)) axes = ints_of(*v.input(3));
  else for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (v.input(4)) steps = ints_of(*v.input(4));
  else steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    return nofold("starts, ends, axes and steps differ in length");
  std::vector<int64_t> st(static_cast<size_t>(r), 0), sp(static_cast<size_t>(r), 1);
  Shape os = x.shape;
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t ax = norm_axis(axes[i], r);
    if (ax < 0 || ax >= r) return nofold(fmt::format("axis {} is out of range", axes[i]));
    const int64_t dim = x.shape[static_cast<size_t>(ax)], step = steps[i];
    if (step == 0) return nofold("a step is 0");
    int64_t s = starts[i], e = ends[i];
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
    st[static_cast<size_t>(ax)] = s;
    sp[static_cast<size_t>(ax)] = step;
    os[static_cast<size_t>(ax)] = len;
  }
  Tensor out = make(x.dtype, os);
  const size_t es = dtype_size(x.dtype), n = static_cast<size_t>(out.numel());
  std::vector<int64_t> in_stride(static_cast<size_t>(r), 1);
  for (int64_t i = r - 1; i > 0; --i)
    in_stride[static_cast<size_t>(i - 1)] = in_stride[static_cast<size_t>(i)] * x.shape[static_cast<size_t>(i)];
  std::vector<int64_t> idx(static_cast<size_t>(r), 0);
  for (size_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t i = 0; i < static_cast<size_t>(r); ++i) src += (st[i] + idx[i] * sp[i]) * in_stride[i];
    std::memcpy(out.data->data() + k * es, x.data->data() + static_cast<size_t>(src) * es, es);
    for (size_t i = static_cast<size_t>(r); i-- > 0;) {
      if (++idx[i] < os[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

Result<Tensor> gather(const NodeView& v) {
  const Tensor& x = *v.in[0];
  const Tensor& ind = *v.in[1];
  const int64_t r = static_cast<int64_t>(x.shape.size());
  const int64_t ax = norm_axis(v.attr_i("axis", 0), r);
  if (ax < 0 || ax >= r) return nofold("axis out of range");
  Shape os(x.shape.begin(), x.shape.begin() + ax);
  os.insert(os.end(), ind.shape.begin(), ind.shape.end());
  os.insert(os.end(), x.shape.begin() + ax + 1, x.shape.end());
  auto s = checked(os);
  if (auto* e = std::get_if<NoFold>(&s)) return *e;
  Tensor out = make(x.dtype, os);
  const size_t es = dtype_size(x.dtype);
  const int64_t dim = x.shape[static_cast<size_t>(ax)];
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < ax; ++i) outer *= x.shape[static_cast<size_t>(i)];
  for (int64_t i = ax + 1; i < r; ++i) inner *= x.shape[static_cast<size_t>(i)];
  const auto idx = ints_of(ind);
  size_t k = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j : idx) {
      const int64_t jj = j < 0 ? j + dim : j;
      if (jj < 0 || jj >= dim) return nofold(fmt::format("index {} is out of range for a dimension of {}", j, dim));
      const size_t bytes = static_cast<size_t>(inner) * es;
      std::memcpy(out.data->data() + k, x.data->data() + static_cast<size_t>((o * dim + jj) * inner) * es, bytes);
      k += bytes;
    }
  return out;
}

Result<Tensor> concat(const NodeView& v) {
  const Tensor& x0 = *v.in[0];
  const int64_t r = static_cast<int64_t>(x0.shape.size());
  const int64_t ax = norm_axis(v.attr_i("axis", 0), r);
  if (ax < 0 || ax >= r) return nofold("axis out of range");
  Shape os = x0.shape;
  os[static_cast<size_t>(ax)] = 0;
  for (const Tensor* t : v.in) {
    if (!t || t->dtype != x0.dtype || t->shape.size() != x0.shape.size())
      return nofold("inputs differ in type or rank");
    for (int64_t i = 0; i < r; ++i)
      if (i != ax && t->shape[static_cast<size_t>(i)] != x0.shape[static_cast<size_t>(i)])
        return nofold("input shapes differ off the concatenation axis");
    os[static_cast<size_t>(ax)] += t->shape[static_cast<size_t>(ax)];
  }
  Tensor out = make(x0.dtype, os);
  int64_t outer = 1;
  for (int64_t i = 0; i < ax; ++i) outer *= os[static_cast<size_t>(i)];
  size_t k = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor* t : v.in) {
      const size_t blk = t->bytes() / static_cast<size_t>(std::max<int64_t>(outer, 1));
      if (blk) std::memcpy(out.data->data() + k, t->data->data() + static_cast<size_t>(o) * blk, blk);
      k += blk;
    }
  return out;
}

Tensor relabel(const Tensor& x, Shape s) {
  Tensor out = x;
  out.shape = std::move(s);
  return out;
}

Result<std::vector<Tensor>> evaluate(const NodeView& v, const std::string& op) {
  auto one = [](Result<Tensor> r) -> Result<std::vector<Tensor>> {
    if (auto* e = std::get_if<NoFold>(&r)) return *e;
    return std::vector<Tensor>{std::move(std::get<Tensor>(r))};
  };
  const Tensor* x = v.input(0);
  if (op == "Identity") return one(*x);
  if (op == "Cast") {
    const int to = static_cast<int>(v.attr_i("to", 0));
    if (dtype_from_onnx(to) == DType::Undefined)
      return nofold(fmt::format("Cast to ONNX element type {} is not supported", to));
    return one(cast(*x, dtype_from_onnx(to)));
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" || op == "Equal") return one(arith(op, *x, *v.in[1]));
  if (op == "Neg") {  // integers wrap (-INT_MIN = INT_MIN), as 0 - x does
    if (x->dtype == DType::F16 || x->dtype == DType::BF16)
      return nofold(fmt::format("Neg on {} is not evaluated at compile time", dtype_name(x->dtype)));
    Tensor out = make(x->dtype, x->shape);
    for (size_t i = 0; i < static_cast<size_t>(x->numel()); ++i) {
      if (x->dtype == DType::F32) setf32(out, i, -static_cast<float>(getf(*x, i)));
      else if (x->dtype == DType::F64) setf64(out, i, -getf(*x, i));
      else seti(out, i, static_cast<int64_t>(uint64_t{0} - static_cast<uint64_t>(geti(*x, i))));
    }
    return std::vector<Tensor>{out};
  }
  if (op == "Shape") {
    const int64_t r = static_cast<int64_t>(x->shape.size());
    int64_t s = norm_axis(v.attr_i("start", 0), r), e = norm_axis(v.attr_i("end", r), r);
    s = std::clamp<int64_t>(s, 0, r);
    e = std::clamp<int64_t>(e, 0, r);
    Tensor out = make(DType::I64, {std::max<int64_t>(e - s, 0)});
    for (int64_t i = s; i < e; ++i) seti(out, static_cast<size_t>(i - s), x->shape[static_cast<size_t>(i)]);
    return std::vector<Tensor>{out};
  }
  if (op == "Size") {
    Tensor out = make(DType::I64, {});
    seti(out, 0, x->numel());
    return std::vector<Tensor>{out};
  }
  if (op == "ConstantOfShape") {
    auto s = checked(ints_of(*x));
    if (auto* e = std::get_if<NoFold>(&s)) return *e;
    Tensor value = make(DType::F32, {1});
    if (const auto* a = v.attr("value")) {
      auto t = tensor_from_proto(a->t(), "");
      if (!t) return nofold(t.error().message);
      if (t->numel() != 1) return nofold("'value' must hold one element");
      value = std::move(*t);
    }
    Tensor out = make(value.dtype, std::get<Shape>(s));
    const size_t es = dtype_size(value.dtype);
    for (int64_t i = 0; i < out.numel(); ++i)
      std::memcpy(out.data->data() + static_cast<size_t>(i) * es, value.data->data(), es);
    return std::vector<Tensor>{out};
  }
  if (op == "Range") {
    const Tensor &st = *v.in[0], &li = *v.in[1], &de = *v.in[2];
    if (st.numel() != 1 || li.numel() != 1 || de.numel() != 1) return nofold("start, limit and delta must be scalars");
    if (st.dtype == DType::F16 || st.dtype == DType::BF16) return nofold("Range on 16-bit floats is not evaluated");
    const double dd = getf(de, 0);
    if (dd == 0) return nofold("delta is 0");
    const double nn = std::ceil((getf(li, 0) - getf(st, 0)) / dd);
    const int64_t n = nn > 0 ? static_cast<int64_t>(std::min(nn, static_cast<double>(kMaxFoldElems + 1))) : 0;
    auto s = checked({n});
    if (auto* e = std::get_if<NoFold>(&s)) return *e;
    Tensor out = make(st.dtype, {n});
    // Accumulated in the element type (start, start + delta, ...), as ONNX Runtime's Range does.
    if (st.dtype == DType::F32) {
      float a = static_cast<float>(getf(st, 0));
      const float d = static_cast<float>(dd);
      for (int64_t i = 0; i < n; ++i, a += d) setf32(out, static_cast<size_t>(i), a);
    } else if (st.dtype == DType::F64) {
      double a = getf(st, 0);
      for (int64_t i = 0; i < n; ++i, a += dd) setf64(out, static_cast<size_t>(i), a);
    } else {
      const int64_t a = geti(st, 0), d = geti(de, 0);
      for (int64_t i = 0; i < n; ++i) seti(out, static_cast<size_t>(i), a + i * d);
    }
    return std::vector<Tensor>{out};
  }
  if (op == "Expand") {
    auto shp = broadcast(x->shape, ints_of(*v.in[1]));
    if (!shp) return nofold("the shape does not broadcast with the input's");
    auto s = checked(*shp);
    if (auto* e = std::get_if<NoFold>(&s)) return *e;
    Tensor out = make(x->dtype, *shp);
    const auto m = bcast_map(out.shape, x->shape);
    const size_t es = dtype_size(x->dtype);
    for (size_t k = 0; k < m.size(); ++k) std::memcpy(out.data->data() + k * es, x->data->data() + m[k] * es, es);
    return std::vector<Tensor>{out};
  }
  if (op == "Where") {
    const Tensor &c = *v.in[0], &a = *v.in[1], &b = *v.in[2];
    if (a.dtype != b.dtype) return nofold("X and Y differ in type");
    auto s1 = broadcast(c.shape, a.shape);
    auto shp = s1 ? broadcast(*s1, b.shape) : std::nullopt;
    if (!shp) return nofold("the inputs do not broadcast");
    auto s = checked(*shp);
    if (auto* e = std::get_if<NoFold>(&s)) return *e;
    Tensor out = make(a.dtype, *shp);
    const auto mc = bcast_map(*shp, c.shape), ma = bcast_map(*shp, a.shape), mb = bcast_map(*shp, b.shape);
    const size_t es = dtype_size(a.dtype);
    for (size_t k = 0; k < mc.size(); ++k) {
      const bool pick_a = geti(c, mc[k]) != 0;
      std::memcpy(out.data->data() + k * es, (pick_a ? a : b).data->data() + (pick_a ? ma[k] : mb[k]) * es, es);
    }
    return std::vector<Tensor>{out};
  }
  if (op == "Concat") return one(concat(v));
  if (op == "Slice") return one(slice(v));
  if (op == "Gather") return one(gather(v));
  if (op == "Unsqueeze" || op == "Squeeze") {
    const int64_t r = static_cast<int64_t>(x->shape.size());
    std::vector<int64_t> axes;
    if (v.input(1)) axes = ints_of(*v.input(1));
    Shape os;
    if (op == "Unsqueeze") {
      const int64_t orank = r + static_cast<int64_t>(axes.size());
      std::vector<bool> ins(static_cast<size_t>(orank), false);
      for (int64_t a : axes) {
        const int64_t aa = norm_axis(a, orank);
        if (aa < 0 || aa >= orank || ins[static_cast<size_t>(aa)]) return nofold("bad axes");
        ins[static_cast<size_t>(aa)] = true;
      }
      size_t j = 0;
      for (int64_t i = 0; i < orank; ++i) os.push_back(ins[static_cast<size_t>(i)] ? 1 : x->shape[j++]);
    } else {
      std::vector<bool> del(static_cast<size_t>(r), false);
      for (int64_t a : axes) {
        const int64_t aa = norm_axis(a, r);
        if (aa < 0 || aa >= r || x->shape[static_cast<size_t>(aa)] != 1) return nofold("bad axes");
        del[static_cast<size_t>(aa)] = true;
      }
      for (int64_t i = 0; i < r; ++i)
        if (!(axes.empty() ? x->shape[static_cast<size_t>(i)] == 1 : del[static_cast<size_t>(i)]))
          os.push_back(x->shape[static_cast<size_t>(i)]);
    }
    return std::vector<Tensor>{relabel(*x, os)};
  }
  if (op == "Flatten") {
    const int64_t r = static_cast<int64_t>(x->shape.size());
    const int64_t ax = norm_axis(v.attr_i("axis", 1), r);
    if (ax < 0 || ax > r) return nofold("axis out of range");
    int64_t a = 1, b = 1;
    for (int64_t i = 0; i < r; ++i) (i < ax ? a : b) *= x->shape[static_cast<size_t>(i)];
    return std::vector<Tensor>{relabel(*x, {a, b})};
  }
  if (op == "Reshape") {
    auto req = ints_of(*v.in[1]);
    const bool allowzero = v.attr_i("allowzero", 0) != 0;
    Shape os;
    int64_t known = 1, infer = -1;
    for (size_t i = 0; i < req.size(); ++i) {
      int64_t d = req[i];
      if (d == 0 && !allowzero) {
        if (i >= x->shape.size()) return nofold("a 0 in the shape has no input dimension to copy");
        d = x->shape[i];
      }
      if (d == -1) {
        if (infer >= 0) return nofold("more than one -1 in the shape");
        infer = static_cast<int64_t>(i);
        os.push_back(1);
        continue;
      }
      if (d < 0) return nofold("negative dimension in the shape");
      known *= d;
      os.push_back(d);
    }
    if (infer >= 0) {
      if (known == 0 || x->numel() % known) return nofold("the shape does not match the element count");
      os[static_cast<size_t>(infer)] = x->numel() / known;
    }
    if (shape_numel(os) != x->numel()) return nofold("the shape does not match the element count");
    return std::vector<Tensor>{relabel(*x, os)};
  }
  return nofold("not an operator the compile-time evaluator knows");
}

onnx::TensorProto to_proto(const Tensor& t, const std::string& name) {
  onnx::TensorProto tp;
  tp.set_name(name);
  tp.set_data_type(dtype_to_onnx(t.dtype));
  for (int64_t d : t.shape) tp.add_dims(d);
  tp.set_raw_data(std::string(reinterpret_cast<const char*>(t.data->data()), t.data->size()));
  return tp;
}

// Constant node -> tensor (the attribute forms Ferrite reads); nullopt for sparse/string values.
std::optional<onnx::TensorProto> constant_value(const onnx::NodeProto& np) {
  if (np.attribute_size() != 1 || np.output_size() != 1) return std::nullopt;
  const auto& a = np.attribute(0);
  onnx::TensorProto tp;
  if (a.name() == "value") {
    tp = a.t();
  } else if (a.name() == "value_float") {
    tp.set_data_type(onnx::TensorProto::FLOAT);
    tp.add_float_data(a.f());
  } else if (a.name() == "value_floats") {
    tp.set_data_type(onnx::TensorProto::FLOAT);
    tp.add_dims(a.floats_size());
    for (float f : a.floats()) tp.add_float_data(f);
  } else if (a.name() == "value_int") {
    tp.set_data_type(onnx::TensorProto::INT64);
    tp.add_int64_data(a.i());
  } else if (a.name() == "value_ints") {
    tp.set_data_type(onnx::TensorProto::INT64);
    tp.add_dims(a.ints_size());
    for (int64_t i : a.ints()) tp.add_int64_data(i);
  } else {
    return std::nullopt;
  }
  tp.set_name(np.output(0));
  return tp;
}

std::string node_label(const onnx::NodeProto& np, int i) {
  return fmt::format("{} node '{}'", np.op_type(), np.name().empty() ? "#" + std::to_string(i) : np.name());
}

// ONNX's shape inference on `m` (in a sandbox child: frontend/sandbox.h): it only adds value_info and
// output types, so those come back, as a serialized GraphProto.
std::string infer_shapes(onnx::ModelProto& m) {
  onnx::ShapeInferenceOptions so(/*check_type=*/true, /*error_mode=*/1, /*data_prop=*/true);
  infer_shapes_guarded(m, so);
  onnx::GraphProto types;
  *types.mutable_value_info() = m.graph().value_info();
  *types.mutable_output() = m.graph().output();
  std::string out;
  types.SerializeToString(&out);
  return out;
}

// The same in a persistent sandbox worker, on the serialized model.
std::string infer_shapes_request(std::string_view request) {
  onnx::ModelProto m;
  if (!m.ParseFromArray(request.data(), static_cast<int>(request.size())))
    throw std::runtime_error("the model does not parse in the sandbox");
  return infer_shapes(m);
}

class Folder {
 public:
  Folder(onnx::ModelProto& m, std::string base_dir) : m_(m), g_(*m.mutable_graph()), base_dir_(std::move(base_dir)) {}

  Status run(FoldStats* stats) {
    FoldStats st;
    // First, what folds on the graph inputs' declared shapes (static: checked by the importer) and
    // the constants alone, before ONNX's inference sees it: ONNX 1.12's inference rejects some shape
    // arithmetic that folds (the LayerNormalization function's expansion for axis = -rank concatenates
    // an empty Slice of a shape, and its Concat inference then fails). No inferred type is used here.
    inputs_only_ = true;
    for (int round = 0; round < 64 && sweep(st);) ++round;
    inputs_only_ = false;
    for (;;) {
      prune_value_info();
      // In a child process (frontend/sandbox.h): ONNX's inference trusts what its checker does not
      // check. It only adds value_info and output types, so those come back.
      auto inferred = run_sandboxed(
          &infer_shapes_request,
          [&] {
            std::string request;
            if (!m_.SerializeToString(&request)) throw std::runtime_error("the model does not serialize");
            return request;
          },
          [&] { return infer_shapes(m_); });
      if (!inferred) return make_error("shape inference failed: {}", inferred.error().message);
      onnx::GraphProto types;
      if (!types.ParseFromString(*inferred) || types.output_size() != g_.output_size())
        return make_error("shape inference failed: its result does not parse");
      *g_.mutable_value_info() = std::move(*types.mutable_value_info());
      *g_.mutable_output() = std::move(*types.mutable_output());
      ++st.iterations;
      if (!sweep(st)) break;
      if (st.iterations > 64) return make_error("constant folding did not reach a fixed point after 64 rounds");
    }
    if (stats) *stats = st;
    return refuse_leftovers();
  }

 private:
  onnx::ModelProto& m_;
  onnx::GraphProto& g_;
  std::string base_dir_;
  std::unordered_map<std::string, Tensor> consts_;       // decoded constants (lazily)
  std::set<std::string> init_names_;                     // every initializer name
  std::unordered_map<std::string, int> init_index_;      // initializer name -> index in the graph
  std::unordered_map<std::string, const onnx::TypeProto*> types_;
  std::unordered_map<std::string, std::string> why_;     // first output of a node -> why it did not fold
  bool inputs_only_ = false;  // before the first inference: only graph inputs' declared types are known

  void index() {
    init_names_.clear();
    init_index_.clear();
    for (int k = 0; k < g_.initializer_size(); ++k) {
      init_names_.insert(g_.initializer(k).name());
      init_index_[g_.initializer(k).name()] = k;
    }
    types_.clear();
    for (const auto& vi : g_.input()) types_[vi.name()] = &vi.type();
    if (inputs_only_) return;  // the model's own value_info and output types are claims, unchecked yet
    for (const auto& vi : g_.value_info()) types_[vi.name()] = &vi.type();
    for (const auto& vi : g_.output()) types_[vi.name()] = &vi.type();
  }

  const Tensor* constant(const std::string& name) {
    auto it = consts_.find(name);
    if (it != consts_.end()) return &it->second;
    auto k = init_index_.find(name);
    if (k == init_index_.end()) return nullptr;
    auto r = tensor_from_proto(g_.initializer(k->second), base_dir_);
    if (!r) return nullptr;
    return &consts_.emplace(name, std::move(*r)).first->second;
  }

  // Static shape and element type from shape inference, if fully known.
  std::optional<std::pair<Shape, int>> static_type(const std::string& name) {
    if (const Tensor* c = init_names_.count(name) ? constant(name) : nullptr)
      return std::make_pair(c->shape, dtype_to_onnx(c->dtype));
    auto it = types_.find(name);
    if (it == types_.end() || !it->second->has_tensor_type()) return std::nullopt;
    const auto& tt = it->second->tensor_type();
    if (!tt.has_shape()) return std::nullopt;
    Shape s;
    for (const auto& d : tt.shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() < 0) return std::nullopt;
      s.push_back(d.dim_value());
    }
    return std::make_pair(s, tt.elem_type());
  }

  std::optional<int> elem_type(const std::string& name) {
    if (init_names_.count(name)) {
      const Tensor* c = constant(name);
      if (c) return dtype_to_onnx(c->dtype);
    }
    auto it = types_.find(name);
    if (it == types_.end() || !it->second->has_tensor_type() || !it->second->tensor_type().elem_type())
      return std::nullopt;
    return it->second->tensor_type().elem_type();
  }

  bool is_graph_output(const std::string& n) const {
    for (const auto& o : g_.output())
      if (o.name() == n) return true;
    return false;
  }
  bool is_graph_input(const std::string& n) const {
    for (const auto& i : g_.input())
      if (i.name() == n) return true;
    return false;
  }

  void add_initializer(const Tensor& t, const std::string& name) {
    *g_.add_initializer() = to_proto(t, name);
    init_names_.insert(name);
    init_index_[name] = g_.initializer_size() - 1;
    Tensor c = t;
    c.name = name;
    consts_[name] = std::move(c);
  }

  // Node `i` computes output = input 0. Returns true when the node was removed (false: it was turned
  // into an Identity, which the IR drops while keeping the graph output's name).
  bool make_alias(int i) {
    onnx::NodeProto& np = *g_.mutable_node(i);
    const std::string in = np.input(0), out = np.output(0);
    if (!is_graph_output(out)) {
      for (auto& n : *g_.mutable_node())
        for (auto& s : *n.mutable_input())
          if (s == out) s = in;
      return true;
    }
    // The output name must survive: rename the producer's output instead, when that is possible.
    int producer = -1;
    for (int k = 0; k < g_.node_size(); ++k)
      for (const auto& o : g_.node(k).output())
        if (o == in) producer = k;
    if (producer >= 0 && !is_graph_output(in)) {
      for (auto& o : *g_.mutable_node(producer)->mutable_output())
        if (o == in) o = out;
      for (auto& n : *g_.mutable_node())
        for (auto& s : *n.mutable_input())
          if (s == in) s = out;
      return true;
    }
    np.set_op_type("Identity");
    np.clear_attribute();
    while (np.input_size() > 1) np.mutable_input()->RemoveLast();
    return false;
  }

  // An Expand of a constant whose every reader is a broadcasting binary operator (Add, Sub, Mul,
  // Div) that gives the same result shape from the unexpanded constant: the readers can broadcast
  // the constant themselves, so the expanded copy is never stored (e.g. torch's
  // bias.expand(-1, -1, h, w) added to an activation).
  bool expand_is_implicit(int i, const Tensor& x, const Tensor& shape) {
    const std::string& out = g_.node(i).output(0);
    if (is_graph_output(out)) return false;
    auto full = broadcast(x.shape, ints_of(shape));
    if (!full) return false;
    int readers = 0;
    for (int k = 0; k < g_.node_size(); ++k) {
      const auto& n = g_.node(k);
      bool reads = false;
      for (const auto& in : n.input()) reads = reads || in == out;
      if (!reads) continue;
      ++readers;
      static const std::set<std::string> binary = {"Add", "Sub", "Mul", "Div"};
      if (!std_domain(n.domain()) || !binary.count(n.op_type()) || n.input_size() != 2) return false;
      const std::string& other = n.input(0) == out ? n.input(1) : n.input(0);
      if (other == out) return false;
      auto t = static_type(other);
      if (!t) return false;
      auto with_full = broadcast(t->first, *full), with_small = broadcast(t->first, x.shape);
      if (!with_full || !with_small || *with_full != *with_small) return false;
    }
    return readers > 0;
  }

  // A Gather on run-time data whose constant indices pick one index, or a contiguous ascending run,
  // along its axis (torch's y[:, -1], x[0]) is a Slice along that axis, followed by a Squeeze of the
  // axis when the index is a scalar. Rewrites node i into the Slice; the Squeeze (if any) goes into
  // *after, to be placed right behind it. Returns false (node unchanged) for any other Gather.
  bool gather_as_slice(int i, const Tensor& ind, std::optional<onnx::NodeProto>* after) {
    onnx::NodeProto& np = *g_.mutable_node(i);
    auto t = static_type(np.input(0));
    if (!t || t->second != onnx::TensorProto::FLOAT || ind.shape.size() > 1 || ind.numel() < 1) return false;
    const int64_t r = static_cast<int64_t>(t->first.size());
    const int64_t ax = norm_axis(NodeView{np, {}}.attr_i("axis", 0), r);
    if (ax < 0 || ax >= r) return false;
    const int64_t dim = t->first[static_cast<size_t>(ax)];
    std::vector<int64_t> idx = ints_of(ind);
    for (auto& j : idx) {
      if (j < -dim || j >= dim) return false;
      if (j < 0) j += dim;
    }
    for (size_t k = 1; k < idx.size(); ++k)
      if (idx[k] != idx[k - 1] + 1) return false;
    const std::string out = np.output(0), base = out + "_ferrite_gather";
    auto one = [&](int64_t v, const std::string& name) {
      Tensor c = make(DType::I64, {1});
      seti(c, 0, v);
      add_initializer(c, name);
      return name;
    };
    const std::string data = np.input(0);
    const std::string sliced = ind.shape.empty() ? base + "_slice" : out;
    np.set_op_type("Slice");
    np.clear_attribute();
    np.clear_input();
    np.add_input(data);
    np.add_input(one(idx.front(), base + "_starts"));
    np.add_input(one(idx.back() + 1, base + "_ends"));
    np.add_input(one(ax, base + "_axes"));
    np.set_output(0, sliced);
    if (ind.shape.empty()) {
      onnx::NodeProto sq;
      sq.set_op_type("Squeeze");
      sq.set_name(np.name().empty() ? base + "_squeeze" : np.name() + "_squeeze");
      sq.add_input(sliced);
      sq.add_input(one(ax, base + "_squeeze_axes"));
      sq.add_output(out);
      *after = std::move(sq);
    }
    return true;
  }

  bool sweep(FoldStats& st) {
    index();
    bool changed = false;
    std::vector<bool> remove(static_cast<size_t>(g_.node_size()), false);
    std::map<int, onnx::NodeProto> insert_after;
    for (int i = 0; i < g_.node_size(); ++i) {
      const onnx::NodeProto& np = g_.node(i);
      if (!std_domain(np.domain())) continue;
      const std::string& op = np.op_type();
      if (op == "Constant") {
        if (auto tp = constant_value(np)) {
          *g_.add_initializer() = *tp;
          init_names_.insert(tp->name());
          init_index_[tp->name()] = g_.initializer_size() - 1;
          remove[static_cast<size_t>(i)] = true;
          ++st.constants;
          changed = true;
        }
        continue;
      }
      if (!foldable_ops().count(op)) continue;
      NodeView v{np, {}};
      bool all_const = true;
      for (const auto& in : np.input()) {
        const Tensor* c = in.empty() ? nullptr : constant(in);
        if (!in.empty() && !c) all_const = false;
        v.in.push_back(c);
      }
      if (!np.output_size()) continue;
      const std::string key = np.output(0);
      // Shape and Size need only the input's (static) shape.
      Tensor shape_only;
      if (!all_const && (op == "Shape" || op == "Size") && np.input_size() == 1) {
        if (auto t = static_type(np.input(0))) {
          shape_only.shape = t->first;
          shape_only.dtype = DType::U8;
          v.in[0] = &shape_only;
          all_const = true;
        }
      }
      if (all_const && op == "Expand" && expand_is_implicit(i, *v.in[0], *v.in[1])) {
        // Every reader broadcasts anyway: read the small constant, do not store the expanded one.
        const std::string in = np.input(0), out = np.output(0);
        for (auto& n : *g_.mutable_node())
          for (auto& s : *n.mutable_input())
            if (s == out) s = in;
        remove[static_cast<size_t>(i)] = true;
        ++st.aliases;
        changed = true;
        continue;
      }
      if (all_const) {
        auto r = evaluate(v, op);
        if (auto* e = std::get_if<NoFold>(&r)) {
          why_[key] = e->why;
          continue;
        }
        auto& outs = std::get<std::vector<Tensor>>(r);
        for (int k = 0; k < np.output_size() && k < static_cast<int>(outs.size()); ++k)
          if (!np.output(k).empty()) add_initializer(outs[static_cast<size_t>(k)], np.output(k));
        remove[static_cast<size_t>(i)] = true;
        ++st.folded;
        changed = true;
        continue;
      }
      if (op == "Gather" && v.in.size() == 2 && !v.in[0] && v.in[1]) {
        std::optional<onnx::NodeProto> after;
        if (gather_as_slice(i, *v.in[1], &after)) {
          if (after) insert_after[i] = std::move(*after);
          ++st.aliases;
          changed = true;
          continue;
        }
      }
      // A Cast to the input's own type, and an Expand that keeps the input's shape, are the input.
      bool alias = false;
      if (op == "Cast") {
        auto et = elem_type(np.input(0));
        alias = et && *et == v.attr_i("to", -1);
      } else if (op == "Expand" && v.in.size() == 2 && v.in[1]) {
        auto t = static_type(np.input(0));
        auto b = t ? broadcast(t->first, ints_of(*v.in[1])) : std::nullopt;
        alias = b && *b == t->first;
      }
      if (alias) {
        if (make_alias(i)) remove[static_cast<size_t>(i)] = true;
        ++st.aliases;
        changed = true;
      }
    }
    if (changed) {
      google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
      for (int i = 0; i < g_.node_size(); ++i) {
        if (!remove[static_cast<size_t>(i)]) *kept.Add() = g_.node(i);
        if (auto a = insert_after.find(i); a != insert_after.end()) *kept.Add() = a->second;
      }
      g_.mutable_node()->Swap(&kept);
    }
    return changed;
  }

  // value_info of tensors that no node produces any more (folded into initializers or renamed away)
  // would only confuse shape inference.
  void prune_value_info() {
    std::set<std::string> produced;
    for (const auto& n : g_.node())
      for (const auto& o : n.output()) produced.insert(o);
    google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> kept;
    for (const auto& vi : g_.value_info())
      if (produced.count(vi.name())) *kept.Add() = vi;
    g_.mutable_value_info()->Swap(&kept);
  }

  // The graph input that a non-constant tensor depends on (for the message), if any.
  std::string depends_on(const std::string& name) {
    std::unordered_map<std::string, int> producer;
    for (int k = 0; k < g_.node_size(); ++k)
      for (const auto& o : g_.node(k).output()) producer[o] = k;
    std::vector<std::string> todo{name};
    std::set<std::string> seen;
    while (!todo.empty()) {
      std::string t = todo.back();
      todo.pop_back();
      if (!seen.insert(t).second) continue;
      if (is_graph_input(t) && !init_names_.count(t)) return t;
      auto p = producer.find(t);
      if (p == producer.end()) continue;
      for (const auto& in : g_.node(p->second).input())
        if (!in.empty() && !init_names_.count(in)) todo.push_back(in);
    }
    return "";
  }

  std::string type_str(const std::string& name) {
    auto et = elem_type(name);
    auto st = static_type(name);
    return fmt::format("{}{}", et ? dtype_name(dtype_from_onnx(*et)) : "unknown type",
                       st ? " " + shape_str(st->first) : "");
  }

  Status refuse_leftovers() {
    index();
    std::vector<std::string> bad;
    for (int i = 0; i < g_.node_size(); ++i) {
      const onnx::NodeProto& np = g_.node(i);
      if (!is_fold_only_op(np.domain(), np.op_type())) continue;
      const std::string who = node_label(np, i);
      const std::string out = np.output_size() ? np.output(0) : "";
      auto w = why_.find(out);
      if (w != why_.end()) {
        bad.push_back(fmt::format("  {}: output '{}' cannot be computed at compile time: {}", who, out, w->second));
        continue;
      }
      if ((np.op_type() == "Shape" || np.op_type() == "Size") && np.input_size() == 1) {
        bad.push_back(fmt::format("  {}: input '{}' ({}) has no static shape after shape inference", who, np.input(0),
                                  type_str(np.input(0))));
        continue;
      }
      std::string culprit;
      for (const auto& in : np.input())
        if (!in.empty() && !init_names_.count(in)) {
          culprit = in;
          break;
        }
      if (culprit.empty()) {
        bad.push_back(fmt::format("  {}: output '{}' cannot be computed at compile time", who, out));
        continue;
      }
      const std::string src = depends_on(culprit);
      bad.push_back(fmt::format(
          "  {}: input '{}' ({}) is not a compile-time constant{}; Ferrite supports {} only where it folds away at "
          "compile time (constant data, or the shape of a tensor)",
          who,
          culprit, type_str(culprit), src.empty() ? "" : fmt::format(" (it depends on graph input '{}')", src),
          np.op_type()));
    }
    if (bad.empty()) return Status::ok();
    std::string list;
    for (auto& b : bad) list += b + "\n";
    return make_error("{} node{} cannot be folded away:\n{}", bad.size(), bad.size() == 1 ? "" : "s",
                      list.substr(0, list.size() - 1));
  }
};

}  // namespace

const std::vector<std::string>& fold_only_ops() {
  // Expand and Where also have kernels now (ops.def): they fold when constant, else run.
  // Cast too: it runs when its input is not constant (cast_to_<type>).
  static const std::vector<std::string> v = {"Shape", "Size", "Gather", "ConstantOfShape", "Range", "Equal"};
  return v;
}

bool is_fold_only_op(const std::string& domain, const std::string& op_type) {
  if (!std_domain(domain)) return false;
  const auto& v = fold_only_ops();
  return std::find(v.begin(), v.end(), op_type) != v.end();
}

Status fold_and_infer_shapes(onnx::ModelProto& model, const std::string& base_dir, FoldStats* stats) {
  // Before IR version 4 an initializer had to be listed as a graph input to be visible to shape
  // inference; the initializers made here are not, so treat the graph as a newer one (in memory).
  if (model.ir_version() < 4) model.set_ir_version(4);
  Folder f(model, base_dir);
  return f.run(stats);
}

}  // namespace ferrite
