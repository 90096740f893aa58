// Conv (1-D and 2-D, groups, depthwise, strides, dilations, pads, auto_pad) lowered to
// conv2d_f32 (im2col patch in scratch) or dwconv2d_f32 (depthwise, no scratch); ConvTranspose to
// conv_transpose2d_f32.
#include "ir/op_traits.h"
#include "ops/op_util.h"

namespace ferrite::ops {

Expected<Lowered> lower_Conv(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2}));
  const Shape& x = in_shape(g, n, 0);
  const Shape& w = in_shape(g, n, 1);
  const Shape& y = out_shape(g, n);
  if (x.size() != 3 && x.size() != 4)
    return make_error("{}: {}-D convolution is not supported (1-D and 2-D are)", n.display_name(), x.size() - 2);
  const bool one_d = x.size() == 3;
  if (w.size() != x.size() || y.size() != x.size() || y[0] != x[0] || y[1] != w[0])
    return make_error("{}: weights '{}' ({}) do not fit input '{}' ({}) and output '{}' ({})", n.display_name(),
                      g.t(n.inputs[1]).name, shape_str(w), g.t(n.inputs[0]).name, shape_str(x),
                      g.t(n.outputs[0]).name, shape_str(y));
  auto sp = [&](const Shape& s, int i) -> int64_t { return one_d ? (i == 0 ? 1 : s[2]) : s[2 + static_cast<size_t>(i)]; };
  const size_t nsp = x.size() - 2;
  auto attr2 = [&](const char* name, int64_t def) {
    std::vector<int64_t> v = n.attrs.ints(name, std::vector<int64_t>(nsp, def));
    if (one_d) v.insert(v.begin(), def);
    return v;
  };
  std::vector<int64_t> strides = attr2("strides", 1), dil = attr2("dilations", 1);
  std::vector<int64_t> pads = n.attrs.ints("pads", std::vector<int64_t>(2 * nsp, 0));
  if (pads.size() != 2 * nsp) return make_error("{}: pads has {} values, expected {}", n.display_name(), pads.size(), 2 * nsp);
  if (strides.size() != 2 || dil.size() != 2)
    return make_error("{}: strides/dilations have {}/{} values, expected {}", n.display_name(), strides.size() - (one_d ? 1 : 0),
                      dil.size() - (one_d ? 1 : 0), nsp);
  int64_t pad_t = one_d ? 0 : pads[0], pad_l = one_d ? pads[0] : pads[1];
  const int64_t group = n.attrs.i("group", 1);
  if (group <= 0 || group > x[1] || x[1] % group || y[1] % group || w[1] * group != x[1])
    return make_error("{}: group {} does not divide {} input / {} output channels (weights '{}' {})", n.display_name(),
                      group, x[1], y[1], g.t(n.inputs[1]).name, shape_str(w));
  for (size_t i = 0; i < nsp; ++i)
    if (strides[i + (one_d ? 1 : 0)] < 1 || dil[i + (one_d ? 1 : 0)] < 1 || pads[i] < 0 || pads[i + nsp] < 0)
      return make_error("{}: strides and dilations must be >= 1 and pads >= 0", n.display_name());
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  const int64_t kh = one_d ? 1 : w[2], kw = one_d ? w[2] : w[3];
  pad_t = resolve_pad_begin(auto_pad, sp(x, 0), sp(y, 0), kh, strides[0], dil[0], pad_t);
  pad_l = resolve_pad_begin(auto_pad, sp(x, 1), sp(y, 1), kw, strides[1], dil[1], pad_l);

  ferrite_rt::ConvParams p{};
  p.n = i32(x[0]); p.c_in = i32(x[1]); p.h_in = i32(sp(x, 0)); p.w_in = i32(sp(x, 1));
  p.c_out = i32(y[1]); p.h_out = i32(sp(y, 0)); p.w_out = i32(sp(y, 1));
  p.kh = i32(kh); p.kw = i32(kw);
  p.stride_h = i32(strides[0]); p.stride_w = i32(strides[1]);
  p.dil_h = i32(dil[0]); p.dil_w = i32(dil[1]);
  p.pad_top = i32(pad_t); p.pad_left = i32(pad_l);
  p.group = i32(group);
  p.act = to_act_params(n.act);

  Lowered l;
  l.macs = static_cast<uint64_t>(p.n) * p.c_out * p.h_out * p.w_out * (p.c_in / p.group) * p.kh * p.kw;
  KernelCall c;
  c.params = p;
  Operand bias = has_input(n, 2) ? Operand::tensor(n.inputs[2]) : Operand::null();
  const std::string spec = fmt::format("k{}x{}_s{}x{}", p.kh, p.kw, p.stride_h, p.stride_w);
  if (p.group == p.c_in && p.c_in == p.c_out) {
    c.kernel = KernelId::dwconv2d_f32;
    c.variant = "dwconv2d_f32_" + spec;
    c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), bias, Operand::tensor(n.outputs[0])};
    if (in_place_input(g, n) >= 0) {  // the op traits' Depthwise rule: one image, output plane no larger
      KernelCall ip = c;
      ip.kernel = KernelId::dwconv2d_f32_inplace;
      ip.variant = "dwconv2d_f32_" + spec + "_inplace";
      ip.args = {Operand::tensor(n.outputs[0]), Operand::tensor(n.inputs[1]), bias, Operand::scratch()};
      l.inplace_calls.push_back(std::move(ip));
      l.inplace_scratch_bytes = sizeof(float) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
    }
  } else {
    c.kernel = KernelId::conv2d_f32;
    c.variant = (p.kh == 1 && p.kw == 1 ? "conv2d_f32_pointwise_" : "conv2d_f32_") + spec;
    c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]), bias, Operand::tensor(n.outputs[0]),
              Operand::scratch()};
    l.scratch_bytes = ferrite_rt::conv2d_f32_scratch_bytes(p);
  }
  l.calls.push_back(std::move(c));
  return l;
}

// ConvTranspose (1-D and 2-D, groups, strides, dilations, pads, output_padding, output_shape,
// auto_pad) lowered to conv_transpose2d_f32 (gather form). The output size comes from ONNX's shape
// inference; the begin pads are the explicit ones, or computed from output_shape / auto_pad the way
// the ONNX specification states.
Expected<Lowered> lower_ConvTranspose(const Graph& g, const Node& n) {
  FERRITE_TRY(require_f32(g, n, {0, 1, 2}));
  const Shape& x = in_shape(g, n, 0);
  const Shape& w = in_shape(g, n, 1);
  const Shape& y = out_shape(g, n);
  if (x.size() != 3 && x.size() != 4)
    return make_error("{}: {}-D transposed convolution is not supported (1-D and 2-D are)", n.display_name(),
                      static_cast<int64_t>(x.size()) - 2);
  const bool one_d = x.size() == 3;
  const size_t nsp = x.size() - 2;
  const int64_t group = n.attrs.i("group", 1);
  if (w.size() != x.size() || y.size() != x.size() || y[0] != x[0] || w[0] != x[1] || group <= 0 || x[1] % group ||
      w[1] * group != y[1])
    return make_error("{}: weights '{}' ({}) and group {} do not fit input '{}' ({}) and output '{}' ({})",
                      n.display_name(), g.t(n.inputs[1]).name, shape_str(w), group, g.t(n.inputs[0]).name,
                      shape_str(x), g.t(n.outputs[0]).name, shape_str(y));
  auto ints = [&](const char* name, int64_t def, size_t count) {
    return n.attrs.ints(name, std::vector<int64_t>(count, def));
  };
  const std::vector<int64_t> strides = ints("strides", 1, nsp), dil = ints("dilations", 1, nsp);
  const std::vector<int64_t> opad = ints("output_padding", 0, nsp), pads = ints("pads", 0, 2 * nsp);
  if (strides.size() != nsp || dil.size() != nsp || opad.size() != nsp || pads.size() != 2 * nsp)
    return make_error("{}: strides/dilations/output_padding/pads do not have {} spatial values", n.display_name(), nsp);
  const std::string auto_pad = n.attrs.s("auto_pad", "NOTSET");
  const bool from_total = n.attrs.has("output_shape") || auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER";
  int64_t begin[2] = {0, 0}, k[2] = {1, 1}, in[2] = {1, 1}, out[2] = {1, 1}, st[2] = {1, 1}, dl[2] = {1, 1};
  for (size_t i = 0; i < nsp; ++i) {
    const size_t d = one_d ? 1 : i;
    k[d] = w[2 + i];
    in[d] = x[2 + i];
    out[d] = y[2 + i];
    st[d] = strides[i];
    dl[d] = dil[i];
    if (st[d] < 1 || dl[d] < 1 || pads[i] < 0 || pads[i + nsp] < 0)
      return make_error("{}: strides and dilations must be >= 1 and pads >= 0", n.display_name());
    if (from_total) {
      // total < 0 (output_shape larger than the full result): the extra rows are zeros at the end;
      // halves round toward -infinity as in ONNX's reference implementation.
      const int64_t total = st[d] * (in[d] - 1) + opad[i] + (k[d] - 1) * dl[d] + 1 - out[d];
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      begin[d] = auto_pad == "SAME_UPPER" ? half : total - half;
    } else if (auto_pad == "VALID") {
      begin[d] = 0;
    } else {
      begin[d] = pads[i];
    }
  }
  ferrite_rt::ConvParams p{};
  p.n = i32(x[0]); p.c_in = i32(x[1]); p.h_in = i32(in[0]); p.w_in = i32(in[1]);
  p.c_out = i32(y[1]); p.h_out = i32(out[0]); p.w_out = i32(out[1]);
  p.kh = i32(k[0]); p.kw = i32(k[1]);
  p.stride_h = i32(st[0]); p.stride_w = i32(st[1]);
  p.dil_h = i32(dl[0]); p.dil_w = i32(dl[1]);
  p.pad_top = i32(begin[0]); p.pad_left = i32(begin[1]);
  p.group = i32(group);
  p.act = to_act_params(n.act);
  Lowered l;
  l.macs = static_cast<uint64_t>(p.n) * p.c_in * p.h_in * p.w_in * (p.c_out / p.group) * p.kh * p.kw;
  KernelCall c;
  c.kernel = KernelId::conv_transpose2d_f32;
  c.variant = fmt::format("conv_transpose2d_f32_k{}x{}_s{}x{}", p.kh, p.kw, p.stride_h, p.stride_w);
  c.params = p;
  c.args = {Operand::tensor(n.inputs[0]), Operand::tensor(n.inputs[1]),
            has_input(n, 2) ? Operand::tensor(n.inputs[2]) : Operand::null(), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

}  // namespace ferrite::ops
