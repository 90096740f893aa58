// Resize (opsets 10-17; Upsample arrives converted to Resize): nearest with every coordinate
// transformation and nearest mode, linear (bilinear) and cubic (bicubic: cubic_coeff_a,
// exclude_outside) on the last two axes, for rank <= 4; tf_crop_and_resize (roi, extrapolation_value)
// in every mode. All coordinate arithmetic is done here, at compile time, in float32 as ONNX Runtime
// does it, into per-axis index/weight tables that resize_f32 reads. Linear or cubic interpolation
// along the leading axes is refused.
#include "ops/op_util.h"

namespace ferrite::ops {

namespace {
template <typename T>
Tensor table(const std::string& name, DType dt, const std::vector<T>& v) {
  Tensor t;
  t.name = name;
  t.dtype = dt;
  t.shape = {static_cast<int64_t>(v.size())};
  t.data = std::vector<uint8_t>(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(t.data->data(), v.data(), t.data->size());
  return t;
}
}  // namespace

Expected<Lowered> lower_Resize(const Graph& g, const Node& n) {
  const bool s8 = g.t(n.inputs[0]).dtype == DType::I8;  // nearest on int8 (fold-qdq): a copy
  if (!s8) {
    FERRITE_TRY(require_f32(g, n, {0}));
  }
  const Shape& x = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  if (x.empty() || x.size() > 4 || y.size() != x.size())
    return make_error("{}: rank {} is not supported (1 to 4 are)", n.display_name(), x.size());
  const std::string mode = n.attrs.s("mode", "nearest");
  const std::string ctm = n.attrs.s("coordinate_transformation_mode", "half_pixel");
  const std::string nearest_mode = n.attrs.s("nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return make_error("{}: mode '{}' is not supported (nearest, linear and cubic are)", n.display_name(), mode);
  if (ctm != "half_pixel" && ctm != "pytorch_half_pixel" && ctm != "align_corners" && ctm != "asymmetric" &&
      ctm != "tf_half_pixel_for_nn" && ctm != "tf_crop_and_resize")
    return make_error("{}: coordinate_transformation_mode '{}' is not supported", n.display_name(), ctm);
  const bool cubic = mode == "cubic";
  const float cubic_a = n.attrs.f("cubic_coeff_a", -0.75f);
  const bool exclude_outside = n.attrs.i("exclude_outside", 0) != 0;
  if (s8 && (cubic || ctm == "tf_crop_and_resize"))
    return make_error("{}: {} is not supported on int8", n.display_name(),
                      cubic ? "mode 'cubic'" : "coordinate_transformation_mode 'tf_crop_and_resize'");
  // tf_crop_and_resize: the region of interest (input 1: starts, then ends, per axis; constant).
  std::vector<float> roi;
  if (ctm == "tf_crop_and_resize") {
    if (!has_input(n, 1) || !g.t(n.inputs[1]).is_constant())
      return make_error("{}: tf_crop_and_resize needs a compile-time constant roi (input 1)", n.display_name());
    roi = g.t(n.inputs[1]).as_f32();
    if (roi.size() != 2 * x.size())
      return make_error("{}: roi '{}' has {} values, expected {} (starts and ends for rank {})", n.display_name(),
                        g.t(n.inputs[1]).name, roi.size(), 2 * x.size(), x.size());
  }
  if (nearest_mode != "round_prefer_floor" && nearest_mode != "round_prefer_ceil" && nearest_mode != "floor" &&
      nearest_mode != "ceil")
    return make_error("{}: nearest_mode '{}' is not supported", n.display_name(), nearest_mode);
  // Scales: the `scales` input when it has values, else output / input (from `sizes`, via inference).
  std::vector<float> scales;
  if (has_input(n, 2)) {
    const Tensor& s = g.t(n.inputs[2]);
    if (!s.is_constant()) return make_error("{}: input '{}' (scales) must be a compile-time constant", n.display_name(), s.name);
    if (s.numel() > 0) scales = s.as_f32();
  }
  if (!scales.empty() && scales.size() != x.size())
    return make_error("{}: scales has {} values for rank {}", n.display_name(), scales.size(), x.size());
  const size_t pad = 4 - x.size();
  ferrite_rt::ResizeParams p{};
  std::vector<int32_t> idx;
  std::vector<float> wt;
  bool lerp_leading = false;
  for (size_t a = 0; a < 4; ++a) {
    const int64_t in = a < pad ? 1 : x[a - pad], out = a < pad ? 1 : y[a - pad];
    if (in <= 0 || out <= 0) return make_error("{}: empty input or output", n.display_name());
    p.in_shape[a] = i32(in);
    p.out_shape[a] = i32(out);
    const float scale = a < pad ? 1.0f
                        : scales.empty() ? static_cast<float>(out) / static_cast<float>(in)
                                         : scales[a - pad];
    if (!(scale > 0.0f)) return make_error("{}: scale {} on axis {} is not positive", n.display_name(), scale, a - pad);
    const float resized_len = scales.empty() || a < pad ? static_cast<float>(out) : static_cast<float>(in) * scale;
    for (int64_t o = 0; o < out; ++o) {
      const float xr = static_cast<float>(o);
      float xo = 0.0f;
      bool outside = false;
      if (ctm == "tf_crop_and_resize") {
        // ONNX Runtime's float arithmetic; a position outside [0, in - 1] gets extrapolation_value.
        const float start = a < pad ? 0.0f : roi[a - pad], end = a < pad ? 1.0f : roi[a - pad + x.size()];
        const float len = static_cast<float>(in - 1);
        xo = out > 1 ? start * len + (xr * (end - start) * len) / static_cast<float>(out - 1) : 0.5f * (start + end) * len;
        outside = xo < 0.0f || xo > len;
      } else if (ctm == "half_pixel") xo = (xr + 0.5f) / scale - 0.5f;
      else if (ctm == "pytorch_half_pixel") xo = out > 1 ? (xr + 0.5f) / scale - 0.5f : 0.0f;
      // align_corners: the resized length is in * scale when scales are given (ONNX's definition,
      // test_resize_downsample_scales_linear_align_corners), else the output size.
      else if (ctm == "align_corners") xo = out == 1 ? 0.0f : xr * static_cast<float>(in - 1) / (resized_len - 1.0f);
      else if (ctm == "asymmetric") xo = xr / scale;
      else xo = (xr + 0.5f) / scale;  // tf_half_pixel_for_nn
      const auto clamp = [&](int64_t v) { return static_cast<int32_t>(std::clamp<int64_t>(v, 0, in - 1)); };
      if (outside) {  // every tap -1 (resize_f32 writes extrapolation_value)
        for (int k = 0; k < (cubic ? 4 : 2); ++k) idx.push_back(-1);
        for (int k = 0; k < (cubic ? 4 : 1); ++k) wt.push_back(0.0f);
        continue;
      }
      if (cubic) {
        // ONNX Runtime's cubic: taps floor(xo) - 1 .. floor(xo) + 2 clamped to the edge (the
        // coordinate itself is not clamped), Keys coefficients of the fraction in float32; with
        // exclude_outside, taps outside the input get 0 and the rest are renormalized by their sum.
        const float fl = std::floor(xo);
        const float s = std::fabs(xo - fl);
        const float A = cubic_a;
        float cf[4] = {((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A,
                       ((A + 2) * s - (A + 3)) * s * s + 1,
                       ((A + 2) * (1 - s) - (A + 3)) * (1 - s) * (1 - s) + 1,
                       ((A * (2 - s) - 5 * A) * (2 - s) + 8 * A) * (2 - s) - 4 * A};
        const int64_t base = static_cast<int64_t>(fl) - 1;
        if (exclude_outside) {
          float sum = 0.0f;
          for (int k = 0; k < 4; ++k) {
            if (base + k < 0 || base + k >= in) cf[k] = 0.0f;
            sum += cf[k];
          }
          for (float& c : cf) c = sum != 0.0f ? c / sum : 0.0f;
        }
        if (a < 2 && (cf[0] != 0.0f || cf[1] != 1.0f || cf[2] != 0.0f || cf[3] != 0.0f || clamp(base + 1) != o))
          lerp_leading = true;
        for (int k = 0; k < 4; ++k) {
          idx.push_back(clamp(base + k));
          wt.push_back(cf[k]);
        }
        continue;
      }
      if (mode == "nearest") {
        float r = 0.0f;
        if (nearest_mode == "floor") r = std::floor(xo);
        else if (nearest_mode == "ceil") r = std::ceil(xo);
        else if (xo == std::floor(xo) + 0.5f) r = nearest_mode == "round_prefer_floor" ? std::floor(xo) : std::ceil(xo);
        else r = std::round(xo);
        const int32_t i = clamp(static_cast<int64_t>(r));
        idx.push_back(i);
        idx.push_back(i);
        wt.push_back(0.0f);
      } else {
        const float c = std::clamp(xo, 0.0f, static_cast<float>(in - 1));
        const int32_t i0 = clamp(static_cast<int64_t>(c)), i1 = clamp(static_cast<int64_t>(i0) + 1);
        const float w1 = i0 == i1 ? 0.0f : c - static_cast<float>(i0);
        if (a < 2 && w1 != 0.0f) lerp_leading = true;
        idx.push_back(i0);
        idx.push_back(i1);
        wt.push_back(w1);
      }
    }
  }
  if (lerp_leading)
    return make_error("{}: {} interpolation along axes other than the last two is not supported", n.display_name(), mode);
  p.linear = mode == "linear" ? 1 : cubic ? 2 : 0;
  p.extrapolate = ctm == "tf_crop_and_resize" ? 1 : 0;
  p.extrapolation_value = n.attrs.f("extrapolation_value", 0.0f);
  if (s8 && mode == "linear") {
    // fold-qdq's bilinear Resize on int8 (slots 4-7: X_scale, X_zp, Y_scale, Y_zp): the indices and
    // weights of ONNX Runtime's SetupUpsampleBilinear, in float32, for resize_bilinear_s8.
    if (x.size() != 4 || x[0] != y[0] || x[1] != y[1] || g.t(n.inputs[0]).nhwc || n.inputs.size() != 8)
      return make_error("{}: only a bilinear Resize of the last two axes is supported on int8", n.display_name());
    for (size_t k = 4; k < 8; ++k)
      if (!g.t(n.inputs[k]).is_constant() || g.t(n.inputs[k]).numel() != 1)
        return make_error("{}: int8 Resize needs constant per-tensor scales and zero points", n.display_name());
    const float in_scale = g.t(n.inputs[4]).as_f32()[0], out_scale = g.t(n.inputs[6]).as_f32()[0];
    if (!(in_scale > 0.f) || !(out_scale > 0.f) || !std::isfinite(in_scale) || !std::isfinite(out_scale))
      return make_error("{}: scales must be positive and finite", n.display_name());
    std::vector<int32_t> it = {static_cast<int32_t>(g.t(n.inputs[5]).as_i64()[0]), static_cast<int32_t>(g.t(n.inputs[7]).as_i64()[0])};
    std::vector<float> ft = {in_scale, out_scale};
    std::vector<int32_t> i1[2], i2[2];
    std::vector<float> d1[2], d2[2];
    for (size_t a = 2; a < 4; ++a) {
      const int64_t in = x[a], out = y[a];
      const float scale = scales.empty() ? static_cast<float>(out) / static_cast<float>(in) : scales[a];
      for (int64_t o = 0; o < out; ++o) {
        const float xr = static_cast<float>(o);
        float c = xr;  // ORT: a scale of exactly 1 keeps the coordinate
        if (scale != 1.0f) {
          if (ctm == "half_pixel") c = (xr + 0.5f) / scale - 0.5f;
          else if (ctm == "pytorch_half_pixel") c = out > 1 ? (xr + 0.5f) / scale - 0.5f : 0.0f;
          else if (ctm == "align_corners") c = out == 1 ? 0.0f : xr * static_cast<float>(in - 1) / static_cast<float>(out - 1);
          else c = xr / scale;  // asymmetric
        }
        c = std::max(0.0f, std::min(c, static_cast<float>(in - 1)));
        const int64_t a1 = std::min(static_cast<int64_t>(c), in - 1), a2 = std::min(a1 + 1, in - 1);
        float w1 = std::fabs(c - static_cast<float>(a1)), w2 = std::fabs(c - static_cast<float>(a2));
        if (a1 == a2) w1 = w2 = 0.5f;
        i1[a - 2].push_back(static_cast<int32_t>(a1));
        i2[a - 2].push_back(static_cast<int32_t>(a2));
        d1[a - 2].push_back(w1);
        d2[a - 2].push_back(w2);
      }
    }
    for (size_t a = 0; a < 2; ++a) {
      it.insert(it.end(), i1[a].begin(), i1[a].end());
      it.insert(it.end(), i2[a].begin(), i2[a].end());
      ft.insert(ft.end(), d1[a].begin(), d1[a].end());
      ft.insert(ft.end(), d2[a].begin(), d2[a].end());
    }
    Lowered l;
    KernelCall c;
    c.kernel = KernelId::resize_bilinear_s8;
    c.variant = "resize_bilinear_s8";
    c.params = p;
    const std::string base = g.t(n.outputs[0]).name;
    c.args = {Operand::tensor(n.inputs[0]), Operand::constant(table(base + "_resize_i", DType::I32, it)),
              Operand::constant(table(base + "_resize_f", DType::F32, ft)), Operand::tensor(n.outputs[0])};
    l.calls.push_back(std::move(c));
    return l;
  }
  if (s8) {
    // resize_s8_tfl with weight 0: (i, i, 0) per output row, then per output column; N and C kept.
    if (mode != "nearest" || x.size() != 4 || x[0] != y[0] || x[1] != y[1] || g.t(n.inputs[0]).nhwc)
      return make_error("{}: only a nearest-neighbour Resize of the last two axes is supported on int8", n.display_name());
    const size_t rows_at = 2 * static_cast<size_t>(y[0] + y[1]), cols_at = rows_at + 2 * static_cast<size_t>(y[2]);
    std::vector<int32_t> tab;
    for (int64_t o = 0; o < y[2]; ++o) tab.insert(tab.end(), {idx[rows_at + 2 * static_cast<size_t>(o)], idx[rows_at + 2 * static_cast<size_t>(o)], 0});
    for (int64_t o = 0; o < y[3]; ++o) tab.insert(tab.end(), {idx[cols_at + 2 * static_cast<size_t>(o)], idx[cols_at + 2 * static_cast<size_t>(o)], 0});
    Lowered l;
    KernelCall c;
    c.kernel = KernelId::resize_s8_tfl;
    c.variant = "resize_s8_nearest";
    c.params = p;
    c.args = {Operand::tensor(n.inputs[0]), Operand::constant(table(g.t(n.outputs[0]).name + "_resize_tab", DType::I32, tab)),
              Operand::tensor(n.outputs[0])};
    l.calls.push_back(std::move(c));
    return l;
  }
  Lowered l;
  KernelCall c;
  c.kernel = KernelId::resize_f32;
  c.variant = fmt::format("resize_f32_{}", mode);
  c.params = p;
  const std::string base = g.t(n.outputs[0]).name;
  c.args = {Operand::tensor(n.inputs[0]), Operand::constant(table(base + "_resize_idx", DType::I32, idx)),
            Operand::constant(table(base + "_resize_w", DType::F32, wt)), Operand::tensor(n.outputs[0])};
  l.calls.push_back(std::move(c));
  return l;
}

}  // namespace ferrite::ops
