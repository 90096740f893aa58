// Gemm (transposes, alpha/beta, every broadcast form of C) and MatMul (numpy batch broadcasting,
// 1-D operands) lowered to gemm_f32 / matmul_f32.
#include "ops/op_util.h"

namespace ferrite::ops {

Expected<Lowered> lower_Gemm(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2}));
  const Shape& a = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  const Shape& b = in_shape(g, n, 1);
  if (a.size() != 2 || b.size() != 2 || y.size() != 2) return make_error("{}: Gemm needs 2-D operands", n.display_name());
  {
    const bool ta = n.attrs.i("transA", 0) != 0, tb = n.attrs.i("transB", 0) != 0;
    const int64_t m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1], kb = tb ? b[1] : b[0], nb = tb ? b[0] : b[1];
    if (ka != kb)
      return make_error("{}: A '{}' ({}{}) and B '{}' ({}{}) disagree on K: {} vs {}", n.display_name(),
                        g.t(n.inputs[0]).name, shape_str(a), ta ? ", transposed" : "", g.t(n.inputs[1]).name,
                        shape_str(b), tb ? ", transposed" : "", ka, kb);
    if (y[0] != m || y[1] != nb)
      return make_error("{}: output '{}' has shape {}, A and B give {}x{}", n.display_name(), g.t(n.outputs[0]).name,
                        shape_str(y), m, nb);
  }
  ferrite_rt::GemmParams p{};
  p.trans_a = static_cast<int32_t>(n.attrs.i("transA", 0));
  p.trans_b = static_cast<int32_t>(n.attrs.i("transB", 0));
  p.m = i32(y[0]);
  p.n = i32(y[1]);
  p.k = i32(p.trans_a ? a[0] : a[1]);
  p.alpha = n.attrs.f("alpha", 1.0f);
  p.beta = n.attrs.f("beta", 1.0f);
  p.c_kind = ferrite_rt::GemmBias::None;
  p.act = to_act_params(n.act);
  if (has_input(n, 2)) {
    const Shape& c = in_shape(g, n, 2);
    const int64_t cn = shape_numel(c);
    if (cn == 1) p.c_kind = ferrite_rt::GemmBias::Scalar;
    else if (c.size() == 2 && c[0] == p.m && c[1] == p.n && p.m != 1) p.c_kind = ferrite_rt::GemmBias::Full;
    else if ((c.size() == 1 && c[0] == p.n) || (c.size() == 2 && c[0] == 1 && c[1] == p.n)) p.c_kind = ferrite_rt::GemmBias::Row;
    else if (c.size() == 2 && c[0] == p.m && c[1] == 1) p.c_kind = ferrite_rt::GemmBias::Col;
    else return make_error("{}: C of shape {} does not broadcast to {}x{}", n.display_name(), shape_str(c), p.m, p.n);
  }
  Lowered l;
  l.macs = static_cast<uint64_t>(p.m) * p.n * p.k;
  KernelCall c;
  c.kernel = KernelId::gemm_f32;
  c.variant = fmt::format("gemm_f32_{}{}", p.trans_a ? "t" : "n", p.trans_b ? "t" : "n");
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]),
            p.c_kind == ferrite_rt::GemmBias::None ? Operand::null() : Operand::tensor(n.inputs[2]),
            Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

Expected<Lowered> lower_MatMul(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1}));
  Shape a = in_shape(g, n, 0), b = in_shape(g, n, 1);
  if (a.empty() || b.empty()) return make_error("{}: MatMul operands must have rank >= 1", n.display_name());
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  const int64_t m = a[a.size() - 2], k = a[a.size() - 1], nn = b[b.size() - 1];
  if (b[b.size() - 2] != k) return make_error("{}: inner dims differ ({} vs {})", n.display_name(), k, b[b.size() - 2]);
  Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  const size_t br = std::max(ab.size(), bb.size());
  if (br > 4) return make_error("{}: more than 4 batch dims are not supported", n.display_name());
  Shape batch(br, 1);
  for (size_t i = 0; i < br; ++i) {
    int64_t da = i + ab.size() >= br ? ab[i + ab.size() - br] : 1;
    int64_t db = i + bb.size() >= br ? bb[i + bb.size() - br] : 1;
    if (da != db && da != 1 && db != 1)
      return make_error("{}: batch dims {} and {} do not broadcast", n.display_name(), da, db);
    batch[i] = std::max(da, db);
  }
  ferrite_rt::MatMulParams p{};
  p.batch_rank = static_cast<int32_t>(br);
  Shape sa = broadcast_strides(ab, batch), sb = broadcast_strides(bb, batch);
  for (size_t i = 0; i < br; ++i) {
    p.batch_shape[i] = i32(batch[i]);
    p.a_bstride[i] = i32(sa[i] * m * k);
    p.b_bstride[i] = i32(sb[i] * k * nn);
  }
  p.m = i32(m); p.n = i32(nn); p.k = i32(k);
  p.act = to_act_params(n.act);
  Lowered l;
  l.macs = static_cast<uint64_t>(shape_numel(batch)) * m * nn * k;
  KernelCall c;
  c.kernel = KernelId::matmul_f32;
  c.variant = br ? "matmul_f32_batched" : "matmul_f32";
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

}  // namespace ferrite::ops
