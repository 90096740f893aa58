// Elementwise ops: broadcasting binary arithmetic (Add, Sub, Mul, Div, PRelu, Pow) via binary_f32
// (float32) and binary_<type> / pow_mixed (float64 and the integer types: binary_call),
// activation functions (Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid, HardSwish) and math
// functions (Sqrt, Exp, Log, Abs, Neg, Reciprocal, Floor, Ceil, Round, Erf) via unary_f32; Elu via elu_f32.
// Both may write in place over an input that dies at the node (the op traits' in-place rules).
#include <optional>

#include "ops/op_util.h"

namespace ferrite::ops {

// The element type of elementwise operand `id` for the typed kernels, refusing (naming the model's
// own tensor) the types they do not run and a uint8 tensor that quantized operators read as int8.
static Expected<ferrite_rt::ElemType> elem_type(const Graph& g, const Node& n, TensorId id, const char* what) {
  using ferrite_rt::ElemType;
  const Tensor& t = g.t(id);
  const Tensor& mt = model_tensor(g, id);
  if (mt.dtype != t.dtype)
    return make_error("{}: {} '{}' is {} and is also read by quantized operators (as int8); {} on it is not supported",
                      n.display_name(), what, mt.name, dtype_name(mt.dtype), op_info(n.op).onnx_type);
  switch (t.dtype) {
    case DType::F32: return ElemType::F32;
    case DType::F64: return ElemType::F64;
    case DType::I8: return ElemType::I8;
    case DType::U8: return ElemType::U8;
    case DType::I16: return ElemType::I16;
    case DType::U16: return ElemType::U16;
    case DType::I32: return ElemType::I32;
    case DType::U32: return ElemType::U32;
    case DType::I64: return ElemType::I64;
    case DType::U64: return ElemType::U64;
    case DType::F16: return ElemType::F16;  // Max and Min only (binary_call)
    default:
      return make_error("{}: {} '{}' is {}; this operator supports float32, float64 and the integer types",
                        n.display_name(), what, t.name, dtype_name(t.dtype));
  }
}

// One broadcasting binary call y = a op b into the node's output (shapes as, bs broadcast to it):
// binary_f32 for float32 (with `act`), binary_<type> for the other element types (ONNX integer
// semantics, runtime_templates/binary/binary_f32.h), pow_mixed for Pow with a non-float32 base or
// exponent. Refuses mixed operand types (but Pow's exponent) and a fused activation on non-float data.
static Expected<KernelCall> binary_call(const Graph& g, const Node& n, ferrite_rt::BinOp op, const char* name,
                                        Operand a, TensorId a_type_of, const Shape& as, Operand b, TensorId b_type_of,
                                        const Shape& bs, const ferrite_rt::ActParams& act) {
  using ferrite_rt::ElemType;
  const TensorId yid = n.outputs[0];
  auto ta = elem_type(g, n, a_type_of, "input");
  if (!ta) return ta.error();
  auto tb = elem_type(g, n, b_type_of, "input");
  if (!tb) return tb.error();
  auto ty = elem_type(g, n, yid, "output");
  if (!ty) return ty.error();
  if (*ta != *ty || (op != ferrite_rt::BinOp::Pow && *tb != *ta))
    return make_error("{}: inputs '{}' ({}) and '{}' ({}) and output '{}' ({}) must have one element type",
                      n.display_name(), g.t(a_type_of).name, dtype_name(g.t(a_type_of).dtype), g.t(b_type_of).name,
                      dtype_name(g.t(b_type_of).dtype), g.t(yid).name, dtype_name(g.t(yid).dtype));
  const bool f32 = *ta == ElemType::F32 && *tb == ElemType::F32;
  if (!f32 && act.kind != ferrite_rt::Act::None)
    return make_error("{}: a fused activation on {} data is not supported", n.display_name(), dtype_name(g.t(yid).dtype));
  if (!f32 && op == ferrite_rt::BinOp::PRelu)
    return make_error("{}: input '{}' is {}; PRelu is supported for float32 only", n.display_name(),
                      g.t(*ta == ElemType::F32 ? b_type_of : a_type_of).name,
                      dtype_name(g.t(*ta == ElemType::F32 ? b_type_of : a_type_of).dtype));
  if ((*ta == ElemType::F16 || *tb == ElemType::F16) && op != ferrite_rt::BinOp::Max && op != ferrite_rt::BinOp::Min) {
    const TensorId h = *ta == ElemType::F16 ? a_type_of : b_type_of;
    return make_error("{}: input '{}' is float16; on float16 data Ferrite runs Max, Min and Cast only",
                      n.display_name(), g.t(h).name);
  }
  KernelId k = KernelId::binary_f32;
  if (op == ferrite_rt::BinOp::Pow && !f32) {
    if (*ta != ElemType::F32 && *ta != ElemType::F64 && *ta != ElemType::I32 && *ta != ElemType::I64)
      return make_error("{}: base '{}' is {}; Pow's base is float32, float64, int32 or int64", n.display_name(),
                        g.t(a_type_of).name, dtype_name(g.t(a_type_of).dtype));
    k = KernelId::pow_mixed;
  } else {
    switch (*ta) {
      case ElemType::F32: k = KernelId::binary_f32; break;
      case ElemType::F64: k = KernelId::binary_f64; break;
      case ElemType::I8: k = KernelId::binary_i8; break;
      case ElemType::U8: k = KernelId::binary_u8; break;
      case ElemType::I16: k = KernelId::binary_i16; break;
      case ElemType::U16: k = KernelId::binary_u16; break;
      case ElemType::I32: k = KernelId::binary_i32; break;
      case ElemType::U32: k = KernelId::binary_u32; break;
      case ElemType::I64: k = KernelId::binary_i64; break;
      case ElemType::U64: k = KernelId::binary_u64; break;
      case ElemType::F16: k = KernelId::binary_f16; break;
    }
  }
  const Shape& y = out_shape(g, n);
  ferrite_rt::BinaryParams p{};
  p.op = op;
  p.total = i32(shape_numel(y));
  p.same_shape = (as == y && bs == y) ? 1 : 0;
  const Shape ys = y.empty() ? Shape{1} : y;
  const Shape sa = broadcast_strides(as, ys), sb = broadcast_strides(bs, ys);
  p.rank = static_cast<int32_t>(ys.size());
  for (size_t i = 0; i < ys.size(); ++i) {
    p.out_shape[i] = i32(ys[i]);
    p.a_stride[i] = i32(sa[i]);
    p.b_stride[i] = i32(sb[i]);
  }
  p.act = act;
  p.a_type = *ta;
  p.b_type = *tb;
  KernelCall c;
  c.kernel = k;
  const std::string tname = f32 ? "f32" : *ta == *tb ? dtype_name(g.t(a_type_of).dtype)
                                                     : fmt::format("{}_{}", dtype_name(g.t(a_type_of).dtype),
                                                                   dtype_name(g.t(b_type_of).dtype));
  c.variant = fmt::format("{}_{}_{}", name, tname, p.same_shape ? "same" : "bcast");
  c.params = p;
  c.args = {std::move(a), std::move(b), Operand::tensor(yid)};
  return c;
}

static Expected<Lowered> lower_binary(const Graph& g, const Node& n, ferrite_rt::BinOp op, const char* name) {
  for (size_t i = 0; i < 2; ++i)
    if (!has_input(n, i)) return make_error("{}: needs two inputs", n.display_name());
  const Shape& y = out_shape(g, n);
  if (y.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), y.size());
  FERRITE_TRY(require_broadcast(g, n, n.inputs[0], y));
  FERRITE_TRY(require_broadcast(g, n, n.inputs[1], y));
  auto c = binary_call(g, n, op, name, Operand::tensor(n.inputs[0]), n.inputs[0], in_shape(g, n, 0),
                       Operand::tensor(n.inputs[1]), n.inputs[1], in_shape(g, n, 1), to_act_params(n.act));
  if (!c) return c.error();
  Lowered l;  // in place over an operand of the output's shape (op traits: SameShape)
  l.calls.push_back(std::move(*c));
  return l;
}

Expected<Lowered> lower_Add(const Graph& g, const Node& n) { return lower_binary(g, n, ferrite_rt::BinOp::Add, "add"); }
Expected<Lowered> lower_Sub(const Graph& g, const Node& n) { return lower_binary(g, n, ferrite_rt::BinOp::Sub, "sub"); }
Expected<Lowered> lower_Mul(const Graph& g, const Node& n) { return lower_binary(g, n, ferrite_rt::BinOp::Mul, "mul"); }
Expected<Lowered> lower_Div(const Graph& g, const Node& n) { return lower_binary(g, n, ferrite_rt::BinOp::Div, "div"); }
Expected<Lowered> lower_PRelu(const Graph& g, const Node& n) {
  return lower_binary(g, n, ferrite_rt::BinOp::PRelu, "prelu");
}

// The activation function an activation node computes, as a FusedAct (also used by the fusion pass).
Expected<FusedAct> activation_of(const Graph& g, const Node& n) {
  FusedAct a;
  a.from = n.name;
  switch (n.op) {
    case OpKind::Relu: a.kind = FusedAct::Relu; break;
    case OpKind::Sigmoid: a.kind = FusedAct::Sigmoid; break;
    case OpKind::Tanh: a.kind = FusedAct::Tanh; break;
    case OpKind::Silu: a.kind = FusedAct::Silu; break;
    case OpKind::HardSwish: a.kind = FusedAct::HardSwish; break;
    case OpKind::LeakyRelu:
      a.kind = FusedAct::LeakyRelu;
      a.alpha = n.attrs.f("alpha", 0.01f);
      break;
    case OpKind::HardSigmoid:
      a.kind = FusedAct::HardSigmoid;
      a.alpha = n.attrs.f("alpha", 0.2f);
      a.beta = n.attrs.f("beta", 0.5f);
      break;
    case OpKind::Clip: {
      a.kind = FusedAct::Clip;
      a.lo = -std::numeric_limits<float>::infinity();
      a.hi = std::numeric_limits<float>::infinity();
      if (has_input(n, 1)) {
        auto v = const_scalar_f32(g, n, 1, "min");
        if (!v) return v.error();
        a.lo = *v;
      }
      if (has_input(n, 2)) {
        auto v = const_scalar_f32(g, n, 2, "max");
        if (!v) return v.error();
        a.hi = *v;
      }
      break;
    }
    default: return make_error("{}: not an activation", n.display_name());
  }
  return a;
}

static Expected<Lowered> lower_activation(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0}));
  auto a = activation_of(g, n);
  if (!a) return a.error();
  ferrite_rt::UnaryParams p{};
  p.op = ferrite_rt::UnOp::Act;
  p.total = i32(g.t(n.inputs[0]).numel());
  p.act = to_act_params(*a);
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::unary_f32;
  c.variant = fmt::format("{}_f32", op_info(n.op).onnx_type);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_Relu(const Graph& g, const Node& n) { return lower_activation(g, n); }

// Clip on float32 with constant bounds is an activation (and fuses into its producer); with bounds
// computed at run time, or on the other element types, it becomes y = Max(x, min) then
// y = Min(y, max) with scalar broadcasting, in place (no bounds: y is x, an alias).
Expected<Lowered> lower_Clip(const Graph& g, const Node& n) {
  const bool runtime_bounds = (has_input(n, 1) && !g.t(n.inputs[1]).is_constant()) ||
                              (has_input(n, 2) && !g.t(n.inputs[2]).is_constant());
  const DType dt = g.t(n.inputs[0]).dtype;
  if (!runtime_bounds && dt == DType::F32) return lower_activation(g, n);
  for (size_t i = 1; i <= 2; ++i)
    if (has_input(n, i) && g.t(n.inputs[i]).numel() != 1)
      return make_error("{}: bound '{}' must hold one value", n.display_name(), g.t(n.inputs[i]).name);
  const TensorId y = n.outputs[0];
  if (in_shape(g, n, 0) != g.t(y).shape)
    return make_error("{}: output '{}' {} differs from input '{}' {}", n.display_name(), g.t(y).name,
                      shape_str(g.t(y).shape), g.t(n.inputs[0]).name, shape_str(in_shape(g, n, 0)));
  Lowered l;
  TensorId cur = n.inputs[0];
  for (size_t i = 1; i <= 2; ++i) {
    if (!has_input(n, i)) continue;
    const TensorId bound = n.inputs[i];
    auto c = binary_call(g, n, i == 1 ? ferrite_rt::BinOp::Max : ferrite_rt::BinOp::Min, i == 1 ? "clip_min" : "clip_max",
                         Operand::tensor(cur), cur, g.t(y).shape, Operand::tensor(bound), bound, g.t(bound).shape,
                         no_act());
    if (!c) return c.error();
    c->variant = fmt::format("{}_{}_runtime", i == 1 ? "clip_min" : "clip_max",
                             dt == DType::F32 ? "f32" : dtype_name(dt));
    l.calls.push_back(std::move(*c));
    cur = y;  // the second bound is applied in place
  }
  if (l.calls.empty()) {
    if (dt == DType::F32) return lower_activation(g, n);
    if (auto t = elem_type(g, n, n.inputs[0], "input"); !t) return t.error();
    l.alias = true;  // no bounds: the identity
  }
  return l;
}
Expected<Lowered> lower_LeakyRelu(const Graph& g, const Node& n) { return lower_activation(g, n); }
Expected<Lowered> lower_Sigmoid(const Graph& g, const Node& n) { return lower_activation(g, n); }
Expected<Lowered> lower_Tanh(const Graph& g, const Node& n) { return lower_activation(g, n); }
Expected<Lowered> lower_HardSigmoid(const Graph& g, const Node& n) { return lower_activation(g, n); }
Expected<Lowered> lower_HardSwish(const Graph& g, const Node& n) { return lower_activation(g, n); }
Expected<Lowered> lower_Silu(const Graph& g, const Node& n) { return lower_activation(g, n); }

// Float math functions (unary_f32 with a UnOp), in place over an input that dies here.
static Expected<Lowered> lower_math(const Graph& g, const Node& n, ferrite_rt::UnOp op, const char* name) {
  FERRITE_TRY(require_f32(g, n, {0}));
  ferrite_rt::UnaryParams p{};
  p.op = op;
  p.total = i32(g.t(n.inputs[0]).numel());
  p.act = to_act_params(n.act);
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::unary_f32;
  c.variant = fmt::format("{}_f32", name);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

// Elu: its own kernel (elu_f32), in place over an input that dies here. No fused activation: the
// fusion pass only fuses into ops whose kernel applies ActParams (op traits, ir/op_traits.cpp).
Expected<Lowered> lower_Elu(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0}));
  ferrite_rt::EluParams p{};
  p.total = i32(g.t(n.inputs[0]).numel());
  p.alpha = n.attrs.f("alpha", 1.0f);
  Lowered l;  // elu_f32 allows y == x (op traits: in place over input 0)
  KernelCall c;
  c.kernel = KernelId::elu_f32;
  c.variant = "elu_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_Sqrt(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Sqrt, "sqrt"); }
Expected<Lowered> lower_Exp(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Exp, "exp"); }
Expected<Lowered> lower_Log(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Log, "log"); }
Expected<Lowered> lower_Abs(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Abs, "abs"); }
Expected<Lowered> lower_Neg(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Neg, "neg"); }
Expected<Lowered> lower_Reciprocal(const Graph& g, const Node& n) {
  return lower_math(g, n, ferrite_rt::UnOp::Reciprocal, "reciprocal");
}
Expected<Lowered> lower_Floor(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Floor, "floor"); }
Expected<Lowered> lower_Ceil(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Ceil, "ceil"); }
Expected<Lowered> lower_Round(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Round, "round"); }
Expected<Lowered> lower_Erf(const Graph& g, const Node& n) { return lower_math(g, n, ferrite_rt::UnOp::Erf, "erf"); }
Expected<Lowered> lower_Softplus(const Graph& g, const Node& n) {
  return lower_math(g, n, ferrite_rt::UnOp::Softplus, "softplus");
}

// The unary_f32 / binary_f32 function of one step of a Pointwise program (the op the step was).
static std::optional<ferrite_rt::UnOp> math_unop(OpKind k) {
  using U = ferrite_rt::UnOp;
  switch (k) {
    case OpKind::Abs: return U::Abs;
    case OpKind::Neg: return U::Neg;
    case OpKind::Exp: return U::Exp;
    case OpKind::Sqrt: return U::Sqrt;
    case OpKind::Reciprocal: return U::Reciprocal;
    case OpKind::Floor: return U::Floor;
    case OpKind::Ceil: return U::Ceil;
    case OpKind::Log: return U::Log;
    case OpKind::Erf: return U::Erf;
    case OpKind::Round: return U::Round;
    case OpKind::Softplus: return U::Softplus;
    default: return std::nullopt;
  }
}
static std::optional<ferrite_rt::BinOp> math_binop(OpKind k) {
  using B = ferrite_rt::BinOp;
  switch (k) {
    case OpKind::Add: return B::Add;
    case OpKind::Sub: return B::Sub;
    case OpKind::Mul: return B::Mul;
    case OpKind::Div: return B::Div;
    case OpKind::Pow: return B::Pow;
    default: return std::nullopt;
  }
}

// Pointwise (passes/fuse_pointwise.cpp): one pointwise_f32 call running the fused steps per element
// with the functions of the kernels the steps were (unary_f32_eval / binary_f32_eval): same bits.
Expected<Lowered> lower_Pointwise(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0}));
  const auto ops = n.attrs.ints("step_op"), a = n.attrs.ints("step_a"), b = n.attrs.ints("step_b");
  const auto k = n.attrs.floats("step_k"), alpha = n.attrs.floats("step_alpha"), beta = n.attrs.floats("step_beta");
  const size_t steps = ops.size();
  if (steps == 0 || steps > static_cast<size_t>(ferrite_rt::kPointwiseMaxSteps) || a.size() != steps ||
      b.size() != steps || k.size() != steps || alpha.size() != steps || beta.size() != steps)
    return make_error("{}: internal error: malformed pointwise program ({} steps)", n.display_name(), steps);
  ferrite_rt::PointwiseParams p{};
  p.total = i32(g.t(n.inputs[0]).numel());
  p.steps = static_cast<int32_t>(steps);
  for (size_t s = 0; s < steps; ++s) {
    ferrite_rt::PointwiseStep& st = p.step[s];
    const auto kind = static_cast<OpKind>(ops[s]);
    if (a[s] < -1 || a[s] > static_cast<int64_t>(s) || b[s] < -1 || b[s] > static_cast<int64_t>(s))
      return make_error("{}: internal error: pointwise step {} reads a later step", n.display_name(), s);
    st.a = static_cast<int32_t>(a[s]);
    st.b = static_cast<int32_t>(b[s]);
    st.k = k[s];
    st.act = no_act();
    if (auto bo = math_binop(kind)) {
      st.binary = 1;
      st.op = static_cast<int32_t>(*bo);
    } else if (auto uo = math_unop(kind)) {
      st.op = static_cast<int32_t>(*uo);
    } else {
      Node act_node;  // an activation step: its function as the activation ops compute it
      act_node.op = kind;
      act_node.name = n.name;
      act_node.attrs.values["alpha"] = alpha[s];
      act_node.attrs.values["beta"] = beta[s];
      auto fa = activation_of(g, act_node);
      if (!fa) return make_error("{}: internal error: pointwise step {} is {}", n.display_name(), s, op_info(kind).onnx_type);
      st.op = static_cast<int32_t>(ferrite_rt::UnOp::Act);
      st.act = to_act_params(*fa);
    }
  }
  Lowered l;  // pointwise_f32 allows y == x (op traits: in place over input 0)
  KernelCall c;
  c.kernel = KernelId::pointwise_f32;
  c.variant = fmt::format("pointwise_f32_{}_steps", steps);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}
// Pow (numpy broadcasting): float32^float32 is powf (binary_f32); any other base / exponent type
// pair runs pow_mixed (ONNX Runtime's double arithmetic, exact integer powers; binary_f32.h).
Expected<Lowered> lower_Pow(const Graph& g, const Node& n) { return lower_binary(g, n, ferrite_rt::BinOp::Pow, "pow"); }

// Variadic Min / Max / Sum / Mean (numpy broadcasting of every input to the output's shape): one
// input is the output (an alias); else y = x0 op x1, then y = y op xk in place for k >= 2, and Mean
// divides by the input count at the end (the sum in input order, then one division, as ONNX's
// reference). Min/Max: y = b < a ? b : a / a < b ? b : a (a NaN in the first operand propagates).
static Expected<Lowered> lower_variadic(const Graph& g, const Node& n, ferrite_rt::BinOp op, const char* name, bool mean) {
  if (n.inputs.empty()) return make_error("{}: needs at least one input", n.display_name());
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.inputs[i] == kNoTensor) return make_error("{}: input {} is empty", n.display_name(), i);
  const Shape& y = out_shape(g, n);
  if (y.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), y.size());
  for (TensorId in : n.inputs) FERRITE_TRY(require_broadcast(g, n, in, y));
  Lowered l;
  if (n.inputs.size() == 1) {
    if (in_shape(g, n, 0) != y)
      return make_error("{}: output '{}' {} differs from input '{}' {}", n.display_name(), g.t(n.outputs[0]).name,
                        shape_str(y), g.t(n.inputs[0]).name, shape_str(in_shape(g, n, 0)));
    l.alias = true;
    return l;
  }
  auto call = [&](TensorId a, const Shape& as, Operand b, TensorId b_type_of, const Shape& bs, ferrite_rt::BinOp bop,
                  const char* v) -> Status {
    auto c = binary_call(g, n, bop, v, Operand::tensor(a), a, as, std::move(b), b_type_of, bs, no_act());
    if (!c) return c.error();
    l.calls.push_back(std::move(*c));
    return Status::ok();
  };
  FERRITE_TRY(call(n.inputs[0], in_shape(g, n, 0), Operand::tensor(n.inputs[1]), n.inputs[1], in_shape(g, n, 1), op, name));
  for (size_t k = 2; k < n.inputs.size(); ++k)
    FERRITE_TRY(call(n.outputs[0], y, Operand::tensor(n.inputs[k]), n.inputs[k], in_shape(g, n, k), op, name));
  if (mean) {
    const DType dt = g.t(n.outputs[0]).dtype;
    if (dt != DType::F32 && dt != DType::F64)
      return make_error("{}: output '{}' is {}; Mean is supported for float32 and float64", n.display_name(),
                        g.t(n.outputs[0]).name, dtype_name(dt));
    Tensor cnt;
    cnt.name = g.t(n.outputs[0]).name + "_count";
    cnt.dtype = dt;
    cnt.shape = {};
    cnt.data = std::vector<uint8_t>(dtype_size(dt));
    if (dt == DType::F32) {
      const float v = static_cast<float>(n.inputs.size());
      std::memcpy(cnt.data->data(), &v, sizeof v);
    } else {
      const double v = static_cast<double>(n.inputs.size());
      std::memcpy(cnt.data->data(), &v, sizeof v);
    }
    // (the count has the output's type: the output stands for it in binary_call's type checks)
    FERRITE_TRY(call(n.outputs[0], y, Operand::constant(std::move(cnt)), n.outputs[0], Shape{}, ferrite_rt::BinOp::Div,
                     "mean_div"));
  }
  // In place over input 0 when it has the output's shape: op_traits (the planner refuses it when
  // input 0 also feeds another slot, which a later call reads after y was written).
  return l;
}

Expected<Lowered> lower_Min(const Graph& g, const Node& n) { return lower_variadic(g, n, ferrite_rt::BinOp::Min, "min", false); }
Expected<Lowered> lower_Max(const Graph& g, const Node& n) { return lower_variadic(g, n, ferrite_rt::BinOp::Max, "max", false); }
Expected<Lowered> lower_Sum(const Graph& g, const Node& n) { return lower_variadic(g, n, ferrite_rt::BinOp::Add, "sum", false); }
Expected<Lowered> lower_Mean(const Graph& g, const Node& n) { return lower_variadic(g, n, ferrite_rt::BinOp::Add, "mean", true); }

// Cast at run time (cast_to_<type>, runtime_templates/cast/cast.h): any numeric type to any other,
// float16 and bfloat16 included; string tensors are refused. Casts of constants fold before the IR
// exists (compiler/frontend/onnx_fold.cpp, with the same kernels), and a Cast to the input's own type
// is removed there.
static std::optional<ferrite_rt::CastType> cast_type(DType t) {
  using ferrite_rt::CastType;
  switch (t) {
    case DType::F32: return CastType::F32;
    case DType::F64: return CastType::F64;
    case DType::F16: return CastType::F16;
    case DType::BF16: return CastType::BF16;
    case DType::I8: return CastType::I8;
    case DType::U8: return CastType::U8;
    case DType::I16: return CastType::I16;
    case DType::U16: return CastType::U16;
    case DType::I32: return CastType::I32;
    case DType::U32: return CastType::U32;
    case DType::I64: return CastType::I64;
    case DType::U64: return CastType::U64;
    case DType::Bool: return CastType::Bool;
    default: return std::nullopt;
  }
}

}  // namespace ferrite::ops

namespace ferrite {
Expected<KernelCall> cast_call(DType from, DType to, int64_t total) {
  const auto f = ops::cast_type(from), t = ops::cast_type(to);
  if (!f || !t) return make_error("Cast from {} to {} is not supported", dtype_name(from), dtype_name(to));
  KernelCall c;
  switch (*t) {
    case ferrite_rt::CastType::F32: c.kernel = KernelId::cast_to_f32; break;
    case ferrite_rt::CastType::F64: c.kernel = KernelId::cast_to_f64; break;
    case ferrite_rt::CastType::F16: c.kernel = KernelId::cast_to_f16; break;
    case ferrite_rt::CastType::BF16: c.kernel = KernelId::cast_to_bf16; break;
    case ferrite_rt::CastType::I8: c.kernel = KernelId::cast_to_i8; break;
    case ferrite_rt::CastType::U8: c.kernel = KernelId::cast_to_u8; break;
    case ferrite_rt::CastType::I16: c.kernel = KernelId::cast_to_i16; break;
    case ferrite_rt::CastType::U16: c.kernel = KernelId::cast_to_u16; break;
    case ferrite_rt::CastType::I32: c.kernel = KernelId::cast_to_i32; break;
    case ferrite_rt::CastType::U32: c.kernel = KernelId::cast_to_u32; break;
    case ferrite_rt::CastType::I64: c.kernel = KernelId::cast_to_i64; break;
    case ferrite_rt::CastType::U64: c.kernel = KernelId::cast_to_u64; break;
    case ferrite_rt::CastType::Bool: c.kernel = KernelId::cast_to_bool; break;
  }
  ferrite_rt::CastParams p{};
  p.total = static_cast<int32_t>(total);
  p.from = *f;
  p.to = *t;
  c.params = p;
  c.variant = fmt::format("cast_{}_to_{}", dtype_name(from), dtype_name(to));
  return c;
}
}  // namespace ferrite

namespace ferrite::ops {
Expected<Lowered> lower_Cast(const Graph& g, const Node& n) {
  const Tensor &x = g.t(n.inputs[0]), &y = g.t(n.outputs[0]);
  const Tensor& mx = model_tensor(g, n.inputs[0]);
  const Tensor& my = model_tensor(g, n.outputs[0]);
  if (mx.dtype != x.dtype || my.dtype != y.dtype)
    return make_error("{}: '{}' is also read by quantized operators (as int8); Cast on it is not supported",
                      n.display_name(), mx.dtype != x.dtype ? mx.name : my.name);
  if (!cast_type(x.dtype) || !cast_type(y.dtype))
    return make_error("{}: Cast of '{}' ({}) to '{}' ({}) is not supported: {} tensors are not", n.display_name(), x.name,
                      dtype_name(x.dtype), y.name, dtype_name(y.dtype),
                      dtype_name(cast_type(x.dtype) ? y.dtype : x.dtype));
  if (x.shape != y.shape)
    return make_error("{}: output '{}' {} differs from input '{}' {}", n.display_name(), y.name, shape_str(y.shape),
                      x.name, shape_str(x.shape));
  auto c = cast_call(x.dtype, y.dtype, x.numel());
  if (!c) return make_error("{}: {}", n.display_name(), c.error().message);
  c->args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  Lowered l;
  l.calls.push_back(std::move(*c));
  return l;
}

}  // namespace ferrite::ops
