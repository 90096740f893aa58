// Lowering for the memory stage's decisions (ops/plan_lowering.h): patch views and windows, the
// per-patch scratch of int8 convolutions, the fused inverted bottleneck.
#include "ops/plan_lowering.h"

#include <algorithm>

#include "kernels/select.h"
#include "ops/kernel_params.h"

namespace ferrite {

bool bottleneck_conv_ok(const KernelCall& c) {
  const auto* p = std::get_if<ferrite_rt::ConvS8Params>(c.params.get());
  return p && !p->out_int32 && p->n == 1;
}

Expected<Lowered> lower_bottleneck(Graph& g, const KernelCall& e, const KernelCall& d, const KernelCall& p,
                                   uint64_t macs, const Target& target) {
  ferrite_rt::BottleneckS8Params bp{std::get<ferrite_rt::ConvS8Params>(*e.params),
                                    std::get<ferrite_rt::ConvS8Params>(*d.params),
                                    std::get<ferrite_rt::ConvS8Params>(*p.params)};
  KernelCall c;
  c.kernel = KernelId::bottleneck_s8_nhwc;
  c.variant = fmt::format("bottleneck_s8_k{}x{}_s{}", bp.dw.kh, bp.dw.kw, bp.dw.stride_h);
  c.params = bp;
  c.args = {e.args[0], e.args[1], e.args[2], e.args[3], d.args[1], d.args[2],
            d.args[3], p.args[1], p.args[2], p.args[3], p.args[4], Operand::scratch()};
  Lowered fused;
  fused.macs = macs;
  fused.scratch_bytes = ferrite_rt::bottleneck_s8_scratch_bytes(bp);
  fused.calls.push_back(std::move(c));
  FERRITE_TRY(select_bottleneck(g, fused, target));
  return fused;
}

bool expand_dw_f32_ok(const KernelCall& e, const KernelCall& d) {
  if (e.kernel != KernelId::conv2d_f32 || d.kernel != KernelId::dwconv2d_f32) return false;
  const auto* ep = std::get_if<ferrite_rt::ConvParams>(e.params.get());
  const auto* dp = std::get_if<ferrite_rt::ConvParams>(d.params.get());
  return ep && dp && ep->n == 1 && dp->n == 1 && ep->group == 1 && dp->c_in == ep->c_out &&
         dp->c_out == ep->c_out && dp->group == ep->c_out && dp->h_in == ep->h_out && dp->w_in == ep->w_out &&
         e.args.size() == 5 && d.args.size() == 4;
}

Lowered lower_expand_dw_f32(const KernelCall& e, const KernelCall& d, uint64_t macs) {
  ferrite_rt::ExpandDwF32Params p{std::get<ferrite_rt::ConvParams>(*e.params), std::get<ferrite_rt::ConvParams>(*d.params)};
  KernelCall c;
  c.kernel = KernelId::expand_dw_f32;
  c.variant = fmt::format("expand_dw_f32_k{}x{}_s{}", p.dw.kh, p.dw.kw, p.dw.stride_h);
  c.params = p;
  // conv args: x, w, bias, y[, scratch]
  c.args = {e.args[0], e.args[1], e.args[2], d.args[1], d.args[2], d.args[3], Operand::scratch()};
  Lowered fused;
  fused.macs = macs;
  fused.scratch_bytes = ferrite_rt::expand_dw_f32_scratch_bytes(p);
  fused.calls.push_back(std::move(c));
  return fused;
}

bool is_patch_conv_s8(const KernelCall& ref) {
  return std::holds_alternative<ferrite_rt::ConvS8Params>(*ref.params) &&
         (ref.kernel == KernelId::conv1x1_s8_nhwc || ref.kernel == KernelId::dwconv_s8_nhwc ||
          ref.kernel == KernelId::conv_s8_nhwc || ref.kernel == KernelId::conv1x1_s8_nhwc_tfl ||
          ref.kernel == KernelId::dwconv_s8_nhwc_tfl || ref.kernel == KernelId::conv_s8_nhwc_tfl);
}

std::pair<size_t, size_t> patch_conv_s8_scratch(const KernelCall& ref, const Rect& in, const Rect& out,
                                                const Target& target) {
  const auto& cp = std::get<ferrite_rt::ConvS8Params>(*ref.params);
  ferrite_rt::ConvS8Params q = cp;
  q.h_in = static_cast<int32_t>(in.rows());
  q.w_in = static_cast<int32_t>(in.cols());
  q.h_out = static_cast<int32_t>(out.rows());
  q.w_out = static_cast<int32_t>(out.cols());
  q.pad_top = static_cast<int32_t>(in.r0 - (out.r0 * cp.stride_h - cp.pad_top));
  q.pad_left = static_cast<int32_t>(in.c0 - (out.c0 * cp.stride_w - cp.pad_left));
  return {conv_s8_scratch(q, ref.kernel, target, false), conv_s8_scratch(q, ref.kernel, target, true)};
}

KernelCall lower_window_copy(const Tensor& full_t, const Rect& r, TensorId full, TensorId patch, bool to_full,
                             const char* variant) {
  ferrite_rt::WindowCopyParams w{};
  w.planes = full_t.nhwc ? 1 : static_cast<int32_t>(full_t.shape[1]);
  w.pixel_elems = full_t.nhwc ? static_cast<int32_t>(full_t.shape[1]) : 1;
  w.full_rows = static_cast<int32_t>(full_t.shape[2]);
  w.full_cols = static_cast<int32_t>(full_t.shape[3]);
  w.row0 = static_cast<int32_t>(r.r0);
  w.col0 = static_cast<int32_t>(r.c0);
  w.rows = static_cast<int32_t>(r.rows());
  w.cols = static_cast<int32_t>(r.cols());
  w.elem_size = static_cast<int32_t>(dtype_size(full_t.dtype));
  w.to_full = to_full ? 1 : 0;
  KernelCall c;
  c.kernel = KernelId::window_copy;
  c.variant = variant;
  c.params = w;
  c.args = to_full ? std::vector<Operand>{Operand::tensor(patch), Operand::tensor(full)}
                   : std::vector<Operand>{Operand::tensor(full), Operand::tensor(patch)};
  return c;
}

namespace {
// Strides (elements) of a rank-4 buffer of region `in` (C channels, layout nhwc) seen in the
// iteration order of an output of region `out`, and the offset of out's first element in it.
void view_of(int64_t C, bool nhwc, const Rect& in, const Rect& out, int32_t* stride, int64_t* offset) {
  const int64_t rows = in.rows(), cols = in.cols();
  if (nhwc) {  // physical [N][H][W][C]
    const int64_t st[4] = {rows * cols * C, cols * C, C, 1};
    for (int i = 0; i < 4; ++i) stride[i] = static_cast<int32_t>(st[i]);
    *offset = ((out.r0 - in.r0) * cols + (out.c0 - in.c0)) * C;
  } else {  // [N][C][H][W]
    const int64_t st[4] = {C * rows * cols, rows * cols, cols, 1};
    for (int i = 0; i < 4; ++i) stride[i] = static_cast<int32_t>(st[i]);
    *offset = (out.r0 - in.r0) * cols + (out.c0 - in.c0);
  }
}

template <class P>
constexpr bool kBinary = std::is_same_v<P, ferrite_rt::BinaryS8Params> || std::is_same_v<P, ferrite_rt::BinaryParams>;
}  // namespace

void view_add_input(KernelCall& c, size_t which, const Tensor& y, const Rect& in, const Rect& out) {
  int32_t st[4];
  int64_t off;
  view_of(y.shape[1], y.nhwc, in, out, st, &off);
  std::visit([&](auto& prm) {
    using P = std::decay_t<decltype(prm)>;
    if constexpr (kBinary<P>) {
      prm.same_shape = 0;
      for (int d = 0; d < 4; ++d) (which == 0 ? prm.a_stride : prm.b_stride)[d] = st[d];
    }
  }, *c.params);
  c.args[which].offset_elems = off;
}

void view_add_output(KernelCall& c, const Tensor& y, const Rect& out, const bool same_region[2]) {
  std::visit([&](auto& prm) {
    using P = std::decay_t<decltype(prm)>;
    if constexpr (kBinary<P>) {
      const int64_t C = y.shape[1];
      const int64_t d[4] = {1, y.nhwc ? out.rows() : C, y.nhwc ? out.cols() : out.rows(), y.nhwc ? C : out.cols()};
      prm.rank = 4;
      for (int i = 0; i < 4; ++i) prm.out_shape[i] = static_cast<int32_t>(d[i]);
      for (size_t which = 0; which < 2; ++which)
        if (same_region[which]) {
          int32_t st[4];
          int64_t off;
          view_of(C, y.nhwc, out, out, st, &off);
          for (int i = 0; i < 4; ++i) (which == 0 ? prm.a_stride : prm.b_stride)[i] = st[i];
        }
    }
  }, *c.params);
}

Expected<KernelCall> lower_quantize_window(const KernelCall& c0, const Tensor& x, const Tensor& y, const Rect& out) {
  KernelCall c = c0;
  const auto& qp = std::get<ferrite_rt::QuantizeParams>(*c.params);
  const Shape& xs = x.shape;
  ferrite_rt::QuantizeWindowParams w{};
  w.channels = static_cast<int32_t>(xs[1]);
  w.full_rows = static_cast<int32_t>(xs[2]);
  w.full_cols = static_cast<int32_t>(xs[3]);
  w.row0 = static_cast<int32_t>(out.r0);
  w.col0 = static_cast<int32_t>(out.c0);
  w.rows = static_cast<int32_t>(out.rows());
  w.cols = static_cast<int32_t>(out.cols());
  w.per_channel = qp.per_channel;
  w.qmin = qp.qmin;
  w.qmax = qp.qmax;
  w.relayout = y.nhwc ? 1 : 0;
  if (x.nhwc) return make_error("patches need an NCHW input image");
  c.kernel = KernelId::quantize_window_f32;
  c.variant = "quantize_window_f32";
  c.params = w;
  return c;
}

KernelCall lower_dense_copy(const Tensor& y, TensorId in, TensorId out, const char* variant) {
  ferrite_rt::StridedCopyParams cp{};
  cp.rank = 1;
  cp.out_shape[0] = static_cast<int32_t>(y.numel());
  cp.in_stride[0] = 1;
  cp.total = cp.out_shape[0];
  cp.elem_size = static_cast<int32_t>(dtype_size(y.dtype));
  KernelCall c;
  c.kernel = KernelId::strided_copy;
  c.variant = variant;
  c.params = cp;
  c.args = {Operand::tensor(in), Operand::tensor(out)};
  return c;
}

}  // namespace ferrite
