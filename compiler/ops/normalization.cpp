// BatchNormalization (inference: what the fold pass could not fold into a producer; training mode) and
// Softmax (opset-13 single-axis semantics; older models arrive converted by ONNX's version converter).
#include "ops/op_util.h"

namespace ferrite::ops {

// training_mode = 1 (opsets 14, 15): batchnorm_train_f32 normalizes with the batch's mean and
// (biased) variance and writes the optional running_mean / running_var outputs (momentum), ONNX's
// reference definition.
Expected<Lowered> lower_BatchNormalization(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2, 3, 4}));
  const bool training = n.attrs.i("training_mode", 0) != 0;
  if (!training && n.outputs.size() > 1)
    return make_error("{}: running statistics outputs without training_mode = 1 are not supported", n.display_name());
  const Shape& x = in_shape(g, n, 0);
  if (x.size() < 2) return make_error("{}: input must have rank >= 2", n.display_name());
  Lowered l;
  KernelCall c;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), Operand::tensor(n.inputs[2]),
            Operand::tensor(n.inputs[3]), Operand::tensor(n.inputs[4]), Operand::tensor(n.outputs[0])};
  if (training) {
    ferrite_rt::BatchNormTrainParams p{};
    p.n = i32(x[0]);
    p.c = i32(x[1]);
    p.spatial = i32(prod(x, 2, x.size()));
    p.epsilon = n.attrs.f("epsilon", 1e-5f);
    p.momentum = n.attrs.f("momentum", 0.9f);
    p.act = to_act_params(n.act);
    for (size_t i = 1; i <= 4; ++i)
      if (g.t(n.inputs[i]).numel() != p.c)
        return make_error("{}: input '{}' {} must hold one value per channel ({})", n.display_name(),
                          g.t(n.inputs[i]).name, shape_str(g.t(n.inputs[i]).shape), p.c);
    for (size_t i = 1; i <= 2; ++i)
      c.args.push_back(output_slot(n, i) != kNoTensor ? Operand::tensor(output_slot(n, i)) : Operand::null());
    c.kernel = KernelId::batchnorm_train_f32;
    c.variant = "batchnorm_train_f32";
    c.params = p;
  } else {
    ferrite_rt::BatchNormParams p{};
    p.n = i32(x[0]);
    p.c = i32(x[1]);
    p.spatial = i32(prod(x, 2, x.size()));
    p.epsilon = n.attrs.f("epsilon", 1e-5f);
    p.act = to_act_params(n.act);
    c.kernel = KernelId::batchnorm_f32;
    c.variant = "batchnorm_f32";
    c.params = p;
  }
  l.calls.push_back(std::move(c));
  return l;
}

static Expected<Lowered> lower_softmax(const Graph& g, const Node& n, bool log) {
  FERRITE_TRY(require_f32(g, n, {0}));
  const Shape& x = in_shape(g, n, 0);
  Shape xs = x.empty() ? Shape{1} : x;
  auto axis = norm_axis(n.attrs.i("axis", -1), xs.size(), n);
  if (!axis) return axis.error();
  const auto a = static_cast<size_t>(*axis);
  ferrite_rt::SoftmaxParams p{};
  p.outer = i32(prod(xs, 0, a));
  p.axis_len = i32(xs[a]);
  p.inner = i32(prod(xs, a + 1, xs.size()));
  p.log = log ? 1 : 0;
  // TFLite's float SOFTMAX beta (frontend attribute `tfl_beta`; ONNX's Softmax has none).
  p.beta = log ? 1.0f : n.attrs.f("tfl_beta", 1.0f);
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::softmax_f32;
  c.variant = fmt::format("{}_f32_{}", log ? "logsoftmax" : "softmax", p.inner == 1 ? "lastaxis" : "strided");
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_Softmax(const Graph& g, const Node& n) { return lower_softmax(g, n, false); }
Expected<Lowered> lower_LogSoftmax(const Graph& g, const Node& n) { return lower_softmax(g, n, true); }

// LayerNormalization (opset 17): normalizes over the dims from `axis` on; scale and bias must hold
// exactly those dims' values (the shapes torch and the node tests use; other broadcasts are refused).
// The optional Mean / InvStdDev outputs get one value per normalized row.
Expected<Lowered> lower_LayerNormalization(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2}));
  if (n.attrs.i("stash_type", 1) != 1)
    return make_error("{}: stash_type {} is not supported (float32 statistics only)", n.display_name(),
                      n.attrs.i("stash_type", 1));
  const Shape& x = in_shape(g, n, 0);
  if (x.empty()) return make_error("{}: input must have rank >= 1", n.display_name());
  auto axis = norm_axis(n.attrs.i("axis", -1), x.size(), n);
  if (!axis) return axis.error();
  ferrite_rt::LayerNormParams p{};
  p.outer = i32(prod(x, 0, static_cast<size_t>(*axis)));
  p.inner = i32(prod(x, static_cast<size_t>(*axis), x.size()));
  p.epsilon = n.attrs.f("epsilon", 1e-5f);
  p.has_bias = has_input(n, 2) ? 1 : 0;
  for (size_t i = 1; i <= 2; ++i)
    if (has_input(n, i) && g.t(n.inputs[i]).numel() != p.inner)
      return make_error("{}: {} '{}' of shape {} does not hold the {} normalized values (broadcast {} is not supported)",
                        n.display_name(), i == 1 ? "scale" : "bias", g.t(n.inputs[i]).name,
                        shape_str(g.t(n.inputs[i]).shape), p.inner, i == 1 ? "scale" : "bias");
  auto opt_out = [&](size_t i) {
    return output_slot(n, i) != kNoTensor ? Operand::tensor(output_slot(n, i)) : Operand::null();
  };
  Lowered l;
  KernelCall c;
  if (n.attrs.i("decomposed", 0)) {
    // The ReduceMean / Sub / Pow / ... chain passes/fuse_layernorm.cpp fused: its own rounding
    // (its attributes say which expansion: the kernel's LayerNormForm bits).
    p.has_scale = has_input(n, 1) ? 1 : 0;
    p.exponent = n.attrs.f("exponent", 2.0f);
    p.form = (n.attrs.i("mean_of_squares", 0) ? ferrite_rt::kLnMeanOfSquares : 0) |
             (n.attrs.i("square_mul", 0) ? ferrite_rt::kLnSquareMul : 0) |
             (n.attrs.i("mean_square_mul", 0) ? ferrite_rt::kLnMeanSquareMul : 0) |
             (n.attrs.i("reciprocal", 0) ? ferrite_rt::kLnReciprocal : 0);
    c.kernel = KernelId::layernorm_decomposed_f32;
    c.variant = "layernorm_decomposed_f32";
    c.params = p;
    c.args = {Operand::tensor(n.inputs[0]), p.has_scale ? Operand::tensor(n.inputs[1]) : Operand::null(),
              p.has_bias ? Operand::tensor(n.inputs[2]) : Operand::null(), Operand::tensor(n.outputs[0])};
    l.calls.push_back(std::move(c));
    return l;
  }
  c.kernel = KernelId::layernorm_f32;
  c.variant = "layernorm_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]),
            p.has_bias ? Operand::tensor(n.inputs[2]) : Operand::null(), Operand::tensor(n.outputs[0]), opt_out(1),
            opt_out(2)};
  l.calls.push_back(std::move(c));
  return l;
}

// InstanceNormalization: each (batch, channel) plane normalized on its own; scale and bias hold one
// value per channel. GroupNormalization reaches it as the frontend's rewrite (its [N, G, C/G * spatial]
// view, compiler/frontend/onnx_opset.cpp).
Expected<Lowered> lower_InstanceNormalization(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2}));
  const Shape& x = in_shape(g, n, 0);
  if (x.size() < 3)
    return make_error("{}: input '{}' {} must have rank >= 3 (N, C, spatial...)", n.display_name(),
                      g.t(n.inputs[0]).name, shape_str(x));
  ferrite_rt::InstanceNormParams p{};
  p.n = i32(x[0]);
  p.c = i32(x[1]);
  p.spatial = i32(prod(x, 2, x.size()));
  p.epsilon = n.attrs.f("epsilon", 1e-5f);
  for (size_t i = 1; i <= 2; ++i)
    if (!has_input(n, i) || g.t(n.inputs[i]).numel() != p.c)
      return make_error("{}: {} must hold one value per channel ({}), '{}' has shape {}", n.display_name(),
                        i == 1 ? "scale" : "B", p.c, has_input(n, i) ? g.t(n.inputs[i]).name : std::string("(omitted)"),
                        has_input(n, i) ? shape_str(g.t(n.inputs[i]).shape) : std::string("-"));
  Lowered l;  // instancenorm_f32 allows y == x (op traits: in place over input 0)
  KernelCall c;
  c.kernel = KernelId::instancenorm_f32;
  c.variant = "instancenorm_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), Operand::tensor(n.inputs[2]),
            Operand::tensor(n.outputs[0])};
  l.macs = 3 * static_cast<uint64_t>(g.t(n.inputs[0]).numel());
  l.calls.push_back(std::move(c));
  return l;
}

// The reductions. ReduceMean/Sum/Max/Min run reduce_f32; ReduceProd/L1/L2/SumSquare/LogSum run
// reduce_acc_f32 (a per-element map, a product or sum, a final function); ReduceLogSumExp runs
// reduce_f32 Max into scratch, then reduce_acc_f32 with exp(x - max) and log(sum) + max. The axes
// are the attribute, or ReduceSum's constant input 1 (opset 13); no axes: all of them, or with
// noop_with_empty_axes = 1 the output is the input (an alias). keepdims only changes the shape.
enum class RedKind { Mean, Sum, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp };

static Expected<Lowered> lower_reduce(const Graph& g, const Node& n, RedKind kind, const char* name) {
  // float64: every reduction reduce_acc runs (Sum and Max included), in double (reduce_acc_f64).
  const bool f64 = g.t(n.inputs[0]).dtype == DType::F64 && g.t(n.outputs[0]).dtype == DType::F64 &&
                   kind != RedKind::Mean && kind != RedKind::Min;
  if (!f64) FERRITE_TRY(require_f32(g, n, {0}));
  const Shape& x = in_shape(g, n, 0);
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());
  std::vector<int64_t> axes = n.attrs.ints("axes");
  if (has_input(n, 1)) {
    auto a = const_ints(g, n, 1, "axes");
    if (!a) return a.error();
    axes = *a;
  }
  if (axes.empty() && n.attrs.i("noop_with_empty_axes", 0) != 0) {
    const Tensor& y = g.t(n.outputs[0]);
    if (y.shape != x)
      return make_error("{}: with noop_with_empty_axes and no axes the output '{}' {} must have the input's shape {}",
                        n.display_name(), y.name, shape_str(y.shape), shape_str(x));
    Lowered l;
    l.alias = true;
    return l;
  }
  Shape xs = x.empty() ? Shape{1} : x;
  if (axes.empty())
    for (size_t i = 0; i < x.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  int32_t mask = 0;
  for (int64_t ax : axes) {
    auto a = norm_axis(ax, xs.size(), n);
    if (!a) return a.error();
    mask |= 1 << *a;
  }
  int32_t count = 1;
  for (size_t i = 0; i < xs.size(); ++i)
    if (mask & (1 << i)) count *= i32(xs[i]);
  const int32_t out_total = i32(g.t(n.outputs[0]).numel());
  if (static_cast<int64_t>(out_total) * count != shape_numel(xs))
    return make_error("{}: output '{}' {} does not match the reduction of '{}' {} (reduce mask {:#x})", n.display_name(),
                      g.t(n.outputs[0]).name, shape_str(g.t(n.outputs[0]).shape), g.t(n.inputs[0]).name, shape_str(x),
                      mask);
  auto plain = [&](ferrite_rt::ReduceOp op) {
    ferrite_rt::ReduceParams p{};
    p.op = op;
    p.rank = static_cast<int32_t>(xs.size());
    for (size_t i = 0; i < xs.size(); ++i) p.in_shape[i] = i32(xs[i]);
    p.reduce_mask = mask;
    p.reduce_count = count;
    p.out_total = out_total;
    return p;
  };
  Lowered l;
  KernelCall c;
  c.variant = fmt::format("reduce_{}_{}", name, f64 ? "f64" : "f32");
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  if (!f64) switch (kind) {
    case RedKind::Mean:
    case RedKind::Sum:
    case RedKind::Max:
    case RedKind::Min: {
      const ferrite_rt::ReduceOp op = kind == RedKind::Mean  ? ferrite_rt::ReduceOp::Mean
                                      : kind == RedKind::Sum ? ferrite_rt::ReduceOp::Sum
                                      : kind == RedKind::Max ? ferrite_rt::ReduceOp::Max
                                                             : ferrite_rt::ReduceOp::Min;
      c.kernel = KernelId::reduce_f32;
      c.params = plain(op);
      l.calls.push_back(std::move(c));
      return l;
    }
    default: break;
  }
  ferrite_rt::ReduceAccParams p{};
  p.rank = static_cast<int32_t>(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) p.in_shape[i] = i32(xs[i]);
  p.reduce_mask = mask;
  p.out_total = out_total;
  p.prod = kind == RedKind::Prod ? 1 : f64 && kind == RedKind::Max ? 2 : 0;
  p.map = kind == RedKind::L1                                  ? ferrite_rt::ReduceMap::Abs
          : kind == RedKind::L2 || kind == RedKind::SumSquare ? ferrite_rt::ReduceMap::Square
          : kind == RedKind::LogSumExp                        ? ferrite_rt::ReduceMap::ExpShift
                                                              : ferrite_rt::ReduceMap::None;
  p.fin = kind == RedKind::L2          ? ferrite_rt::ReduceFinal::Sqrt
          : kind == RedKind::LogSum    ? ferrite_rt::ReduceFinal::Log
          : kind == RedKind::LogSumExp ? ferrite_rt::ReduceFinal::LogShift
                                       : ferrite_rt::ReduceFinal::None;
  Operand shift = Operand::null();
  if (kind == RedKind::LogSumExp) {
    KernelCall m;
    if (f64) {
      ferrite_rt::ReduceAccParams mp = p;
      mp.prod = 2;
      mp.map = ferrite_rt::ReduceMap::None;
      mp.fin = ferrite_rt::ReduceFinal::None;
      m.kernel = KernelId::reduce_acc_f64;
      m.variant = "reduce_logsumexp_max_f64";
      m.params = mp;
      m.args = {Operand::tensor(n.inputs[0]), Operand::null(), Operand::scratch()};
    } else {
      m.kernel = KernelId::reduce_f32;
      m.variant = "reduce_logsumexp_max_f32";
      m.params = plain(ferrite_rt::ReduceOp::Max);
      m.args = {Operand::tensor(n.inputs[0]), Operand::scratch()};
    }
    l.calls.push_back(std::move(m));
    l.scratch_bytes = static_cast<size_t>(out_total) * (f64 ? sizeof(double) : sizeof(float));
    shift = Operand::scratch();
  }
  c.kernel = f64 ? KernelId::reduce_acc_f64 : KernelId::reduce_acc_f32;
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), shift, Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_ReduceMean(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::Mean, "mean"); }
Expected<Lowered> lower_ReduceSum(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::Sum, "sum"); }
Expected<Lowered> lower_ReduceMax(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::Max, "max"); }
Expected<Lowered> lower_ReduceMin(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::Min, "min"); }
Expected<Lowered> lower_ReduceProd(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::Prod, "prod"); }
Expected<Lowered> lower_ReduceL1(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::L1, "l1"); }
Expected<Lowered> lower_ReduceL2(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::L2, "l2"); }
Expected<Lowered> lower_ReduceSumSquare(const Graph& g, const Node& n) {
  return lower_reduce(g, n, RedKind::SumSquare, "sumsquare");
}
Expected<Lowered> lower_ReduceLogSum(const Graph& g, const Node& n) { return lower_reduce(g, n, RedKind::LogSum, "logsum"); }
Expected<Lowered> lower_ReduceLogSumExp(const Graph& g, const Node& n) {
  return lower_reduce(g, n, RedKind::LogSumExp, "logsumexp");
}

// ArgMax / ArgMin: float32 data, int64 indices (argmax_f32); keepdims only changes the shape;
// select_last_index picks the last of equal extremes.
static Expected<Lowered> lower_arg(const Graph& g, const Node& n, bool is_min) {
  if (const Tensor& xt = model_tensor(g, n.inputs[0]); xt.dtype != DType::F32 || g.t(n.inputs[0]).dtype != DType::F32)
    return make_error("{}: input '{}' is {}; this operator is supported for float32 only", n.display_name(), xt.name,
                      dtype_name(xt.dtype));
  const Tensor& yt = g.t(n.outputs[0]);
  if (yt.dtype != DType::I64)
    return make_error("{}: output '{}' is {}, expected int64", n.display_name(), yt.name, dtype_name(yt.dtype));
  const Shape& x = in_shape(g, n, 0);
  if (x.empty()) return make_error("{}: input '{}' is a scalar", n.display_name(), g.t(n.inputs[0]).name);
  auto axis = norm_axis(n.attrs.i("axis", 0), x.size(), n);
  if (!axis) return axis.error();
  const auto a = static_cast<size_t>(*axis);
  ferrite_rt::ArgMaxParams p{};
  p.outer = i32(prod(x, 0, a));
  p.axis_len = i32(x[a]);
  p.inner = i32(prod(x, a + 1, x.size()));
  p.is_min = is_min ? 1 : 0;
  p.select_last = n.attrs.i("select_last_index", 0) != 0 ? 1 : 0;
  if (static_cast<int64_t>(p.outer) * p.inner != yt.numel())
    return make_error("{}: output '{}' {} does not match '{}' {} reduced over axis {}", n.display_name(), yt.name,
                      shape_str(yt.shape), g.t(n.inputs[0]).name, shape_str(x), a);
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::argmax_f32;
  c.variant = fmt::format("{}_f32{}", is_min ? "argmin" : "argmax", p.select_last ? "_last" : "");
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_ArgMax(const Graph& g, const Node& n) { return lower_arg(g, n, false); }
Expected<Lowered> lower_ArgMin(const Graph& g, const Node& n) { return lower_arg(g, n, true); }

}  // namespace ferrite::ops
