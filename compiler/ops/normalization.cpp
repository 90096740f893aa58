// BatchNormalization (inference; what the fold pass could not fold into a producer) and
// Softmax (opset-13 single-axis semantics; older models arrive converted by ONNX's version converter).
#include "ops/op_util.h"

namespace ferrite::ops {

Expected<Lowered> lower_BatchNormalization(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2, 3, 4}));
  if (n.attrs.i("training_mode", 0) != 0 || n.outputs.size() > 1)
    return make_error("{}: training mode (running statistics outputs) is not supported; export the model in eval mode",
                      n.display_name());
  const Shape& x = in_shape(g, n, 0);
  if (x.size() < 2) return make_error("{}: input must have rank >= 2", n.display_name());
  ferrite_rt::BatchNormParams p{};
  p.n = i32(x[0]);
  p.c = i32(x[1]);
  p.spatial = i32(prod(x, 2, x.size()));
  p.epsilon = n.attrs.f("epsilon", 1e-5f);
  p.act = to_act_params(n.act);
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::batchnorm_f32;
  c.variant = "batchnorm_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), Operand::tensor(n.inputs[2]),
            Operand::tensor(n.inputs[3]), Operand::tensor(n.inputs[4]), Operand::tensor(n.outputs[0])};
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
  c.kernel = KernelId::layernorm_f32;
  c.variant = "layernorm_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]),
            p.has_bias ? Operand::tensor(n.inputs[2]) : Operand::null(), Operand::tensor(n.outputs[0]), opt_out(1),
            opt_out(2)};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_ReduceMean(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0}));
  const Shape& x = in_shape(g, n, 0);
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());
  std::vector<int64_t> axes = n.attrs.ints("axes");
  ferrite_rt::ReduceParams p{};
  p.op = ferrite_rt::ReduceOp::Mean;
  Shape xs = x.empty() ? Shape{1} : x;
  p.rank = static_cast<int32_t>(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) p.in_shape[i] = i32(xs[i]);
  if (axes.empty())
    for (size_t i = 0; i < x.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  p.reduce_mask = 0;
  for (int64_t ax : axes) {
    auto a = norm_axis(ax, xs.size(), n);
    if (!a) return a.error();
    p.reduce_mask |= 1 << *a;
  }
  p.reduce_count = 1;
  for (size_t i = 0; i < xs.size(); ++i)
    if (p.reduce_mask & (1 << i)) p.reduce_count *= p.in_shape[i];
  p.out_total = i32(g.t(n.outputs[0]).numel());
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::reduce_f32;
  c.variant = "reduce_mean_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

}  // namespace ferrite::ops
