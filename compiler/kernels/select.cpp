// Kernel selection over the family variant lists (see select.h).
#include "kernels/select.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "kernels/binary_s8_variants.h"
#include "kernels/bottleneck_s8_variants.h"
#include "kernels/conv_s8_variants.h"
#include "kernels/quantize_variants.h"
#include "kernels/fc_s8_variants.h"
#include "kernels/pack_pool_s8.h"
#include "kernels/pool_s8_variants.h"
#include "ops/kernels_host.h"
#include "kernels/pack_s8_mve.h"

namespace ferrite {

namespace {

const Tensor* constant_of(const Graph& g, const Operand& o) {
  if (o.kind == Operand::Kind::Data) return o.data.get();
  if (o.kind == Operand::Kind::Tensor && g.t(o.id).is_constant() && o.offset_elems == 0) return &g.t(o.id);
  return nullptr;
}

template <typename T>
Tensor packed_tensor(const std::string& name, DType dt, const std::vector<T>& v) {
  Tensor t;
  t.name = name;
  t.dtype = dt;
  t.shape = {static_cast<int64_t>(v.size())};
  t.data = std::vector<uint8_t>(v.size() * sizeof(T));
  if (!v.empty()) std::memcpy(t.data->data(), v.data(), t.data->size());
  return t;
}

ConvRole conv_role(KernelId reference) {
  switch (reference) {
    case KernelId::conv1x1_s8_nhwc:
    case KernelId::conv1x1_s8_nhwc_tfl: return ConvRole::Pointwise;
    case KernelId::dwconv_s8_nhwc:
    case KernelId::dwconv_s8_nhwc_tfl: return ConvRole::Depthwise;
    default: return ConvRole::General;
  }
}

Numerics conv_numerics(KernelId reference) {
  return reference == KernelId::conv1x1_s8_nhwc_tfl || reference == KernelId::dwconv_s8_nhwc_tfl ||
                 reference == KernelId::conv_s8_nhwc_tfl
             ? Numerics::TFLite
             : Numerics::Ort;
}

// The first variant of the list with the reference's role and numerics that `target` runs and
// whose rule holds for `p`.
const ConvS8Variant* pick_conv_s8(const ferrite_rt::ConvS8Params& p, KernelId reference, const Target& target) {
  const ConvRole role = conv_role(reference);
  const Numerics numerics = conv_numerics(reference);
  for (const ConvS8Variant& v : conv_s8_variants())
    if (v.role == role && v.numerics == numerics && target.has(kernel_info(v.kernel).isa) && (!v.applies || v.applies(p)))
      return &v;
  return nullptr;
}

// TFLite variants' precondition (conv_s8_variants.h): for every output channel c, the largest
// |accumulator| the layer can produce, sum_k |w - w_zp| * max|x - in_zp| + |bias[c]|, times
// 2^(max(shift_c, 0) + 1), is below 2^31. `w` holds `taps` weights per channel: channel c's are
// w[c * taps + k] (channel_major) or w[k * channels + c] (depthwise [kh][kw][c]).
bool tfl_accumulators_fit(const Tensor& w, const Tensor* bias, const Tensor& qm, int64_t channels, int64_t taps,
                          bool channel_major, int32_t in_zp, int32_t w_zp) {
  if (w.dtype != DType::I8 || !w.data || static_cast<int64_t>(w.data->size()) != channels * taps) return false;
  if (qm.dtype != DType::I32 || qm.numel() != 2 * channels) return false;
  if (bias && (bias->dtype != DType::I32 || bias->numel() != channels)) return false;
  const auto* wd = reinterpret_cast<const int8_t*>(w.data->data());
  const auto* q = reinterpret_cast<const int32_t*>(qm.data->data());
  const auto* b = bias ? reinterpret_cast<const int32_t*>(bias->data->data()) : nullptr;
  const int64_t xmax = std::max<int64_t>(std::abs(-128 - int64_t{in_zp}), std::abs(127 - int64_t{in_zp}));
  for (int64_t c = 0; c < channels; ++c) {
    int64_t bound = b ? std::abs(int64_t{b[c]}) : 0;
    for (int64_t k = 0; k < taps; ++k)
      bound += std::abs(int64_t{wd[channel_major ? c * taps + k : k * channels + c]} - w_zp) * xmax;
    const int32_t shift = q[2 * c + 1];
    if (shift > 29) return false;
    if (q[2 * c] < 0 || shift < -31) return false;  // TFLite's pairs: M in [0, 2^31), shift >= -31
    if ((bound << (std::max(shift, 0) + 1)) >= (int64_t{1} << 31)) return false;
  }
  return true;
}

// TFLite layers: output channels whose weights all equal w_zp (dead channels; e.g. VWW's 1x1 convs
// have such channels with biases of +-2^30, beyond the bound of tfl_accumulators_fit) have the
// constant accumulator bias[c], so their output is the constant clamp(r + out_zp), r =
// tfl_mbqm(bias[c], M, shift). The same output comes from bias' = 2 * clamp(r, -256, 256) with
// (M, shift) = (2^30, 0): tfl_mbqm(2r', 2^30, 0) = floor(r' + 1/2) = r', and r' + out_zp lies on the
// same side of the int8 output range as r + out_zp. This rewrites the copies `bias` and `qm` of such
// layers (exact for every kernel of TFLite numerics) so that the bound holds for them.
// `bias` must have `channels` entries (zeros when the layer has none).
void tfl_constant_dead_channels(const Tensor& w, std::vector<int32_t>& bias, std::vector<int32_t>& qm,
                                int64_t channels, int64_t taps, bool channel_major, int32_t w_zp) {
  const auto* wd = reinterpret_cast<const int8_t*>(w.data->data());
  for (int64_t c = 0; c < channels; ++c) {
    bool dead = true;
    for (int64_t k = 0; k < taps && dead; ++k) dead = wd[channel_major ? c * taps + k : k * channels + c] == w_zp;
    const size_t i = static_cast<size_t>(c);
    if (!dead || qm[2 * i + 1] > 30 || qm[2 * i + 1] < -31) continue;
    int32_t r = ferrite_rt::tfl_mbqm(bias[i], qm[2 * i], qm[2 * i + 1]);
    r = std::clamp(r, -256, 256);
    bias[i] = 2 * r;
    qm[2 * i] = int32_t{1} << 30;
    qm[2 * i + 1] = 0;
  }
}

// The bias and (M, shift) pairs a TFLite variant gets: copies after tfl_constant_dead_channels
// (`changed`: a dead channel was rewritten, so the copies replace the layer's operands). nullopt
// when the constants do not have the expected types and sizes (the layer keeps its kernel).
struct TflConsts {
  Tensor bias, qm;
  bool changed = false;
};
std::optional<TflConsts> tfl_consts(const Tensor& w, const Tensor* b, const Tensor& qm, int64_t channels, int64_t taps,
                                    bool channel_major, int32_t w_zp) {
  if (w.dtype != DType::I8 || !w.data || static_cast<int64_t>(w.data->size()) != channels * taps) return std::nullopt;
  if (qm.dtype != DType::I32 || !qm.data || qm.numel() != 2 * channels) return std::nullopt;
  if (b && (b->dtype != DType::I32 || !b->data || b->numel() != channels)) return std::nullopt;
  std::vector<int32_t> bv(static_cast<size_t>(channels), 0), qv(static_cast<size_t>(2 * channels));
  if (b) std::memcpy(bv.data(), b->data->data(), bv.size() * sizeof(int32_t));
  std::memcpy(qv.data(), qm.data->data(), qv.size() * sizeof(int32_t));
  const std::vector<int32_t> b0 = bv, q0 = qv;
  tfl_constant_dead_channels(w, bv, qv, channels, taps, channel_major, w_zp);
  TflConsts t;
  t.changed = bv != b0 || qv != q0;
  t.bias = packed_tensor(w.name + "_bias_tfl_dead", DType::I32, bv);
  t.qm = packed_tensor(qm.name + "_dead", DType::I32, qv);
  return t;
}

// A TFLite variant's requantization operand: the [c][2] pairs as given, or the variant's layout.
template <typename P, typename V>
Operand tfl_requant_operand(const Operand& qm_op, const Tensor& qm, const P& p, const V& v) {
  if (!v.pack_requant) return qm_op;
  std::vector<int32_t> out(v.requant_words(p));
  v.pack_requant(p, reinterpret_cast<const int32_t*>(qm.data->data()), out.data());
  return Operand::constant(packed_tensor(qm.name + "_" + kernel_name(v.kernel), DType::I32, out));
}

// int8 convolution: portable call args are x, w, bias (or null), scale (TFLite: multiplier and shift
// pairs), y [, scratch].
Status select_conv_s8(const Graph& g, Lowered& l, const Target& target) {
  const KernelCall& ref = l.calls[0];
  const auto& p = std::get<ferrite_rt::ConvS8Params>(*ref.params);
  const ConvRole role = conv_role(ref.kernel);
  const bool tfl = conv_numerics(ref.kernel) == Numerics::TFLite;
  const Tensor* sc = constant_of(g, ref.args.size() > 3 ? ref.args[3] : Operand::null());
  std::optional<TflConsts> tc;  // TFLite: the constants after tfl_constant_dead_channels
  if (!tfl) {
    // The variants' requantization arguments assume finite scales (lowering makes them from positive
    // finite quantization scales, but a ratio can overflow): otherwise keep the portable kernel.
    if (sc)
      for (float f : sc->as_f32())
        if (!std::isfinite(f)) return Status::ok();
  } else {
    const Tensor* w = ref.args.size() > 2 ? constant_of(g, ref.args[1]) : nullptr;
    const Tensor* b = ref.args.size() > 2 && ref.args[2].kind != Operand::Kind::Null ? constant_of(g, ref.args[2]) : nullptr;
    if (!sc || !w || (ref.args[2].kind != Operand::Kind::Null && !b)) return Status::ok();
    const bool dw = role == ConvRole::Depthwise;
    const int64_t taps = int64_t{p.kh} * p.kw * (dw ? 1 : p.c_in / std::max(p.group, 1));
    tc = tfl_consts(*w, b, *sc, p.c_out, taps, !dw, p.w_zp);
    if (!tc || !tfl_accumulators_fit(*w, &tc->bias, tc->qm, p.c_out, taps, !dw, p.in_zp, p.w_zp)) return Status::ok();
  }
  if (const ConvS8Variant* picked = pick_conv_s8(p, ref.kernel, target)) {
    const ConvS8Variant& v = *picked;
    if (v.kernel == ref.kernel) return Status::ok();  // the portable kernel is the best there is
    if (ref.args.size() < 5) return make_error("internal error: {} lowered with {} operands", kernel_name(ref.kernel), ref.args.size());
    const Tensor* w = constant_of(g, ref.args[1]);
    const Tensor* b = ref.args[2].kind == Operand::Kind::Null ? nullptr : constant_of(g, ref.args[2]);
    if (!w || (ref.args[2].kind != Operand::Kind::Null && !b))
      return make_error("internal error: {}: weights or bias are not constants", kernel_name(ref.kernel));
    KernelCall c;
    c.kernel = v.kernel;
    c.variant = kernel_name(v.kernel);
    c.params = ref.params;
    c.args = ref.args;
    c.args.resize(5);
    const bool dead = tfl && tc->changed;  // dead channels rewritten: the copies replace bias and pairs
    if (tfl) c.args[3] = v.pack_requant || !dead ? tfl_requant_operand(dead ? Operand::constant(tc->qm) : ref.args[3], tc->qm, p, v)
                                                  : Operand::constant(tc->qm);
    const int32_t* bias_data = dead ? reinterpret_cast<const int32_t*>(tc->bias.data->data())
                                    : b ? reinterpret_cast<const int32_t*>(b->data->data()) : nullptr;
    if (v.pack) {
      std::vector<int8_t> wp(v.packed_weight_bytes(p));
      std::vector<int32_t> bp(static_cast<size_t>(p.c_out));
      v.pack(p, reinterpret_cast<const int8_t*>(w->data->data()), bias_data, wp.data(), bp.data());
      c.args[1] = Operand::constant(packed_tensor(w->name + "_" + kernel_name(v.kernel), DType::I8, wp));
      c.args[2] = Operand::constant(packed_tensor(w->name + "_bias_" + kernel_name(v.kernel), DType::I32, bp));
    } else if (dead) {
      c.args[2] = Operand::constant(tc->bias);
    }
    const size_t scratch = v.scratch_bytes ? v.scratch_bytes(p) : 0;
    if (scratch) c.args.push_back(Operand::scratch());
    l.reference_calls = l.calls;
    l.calls = {c};
    l.scratch_bytes = scratch;
    if (role == ConvRole::Depthwise) {
      l.inplace_calls.clear();
      l.inplace_scratch_bytes = 0;
      if (l.inplace_input >= 0 && v.in_place) {
        KernelCall ip = c;
        ip.args[0] = c.args[4];  // the buffer: output storage = the input's
        l.inplace_calls.push_back(std::move(ip));
        l.inplace_scratch_bytes = scratch;
      } else {
        l.inplace_input = -1;
      }
    }
    return Status::ok();
  }
  return Status::ok();
}

// int8 Add/Mul: variants take the same arguments (a, b, y) and possibly a compile-time table.
// TFLite ADD (add_s8_tfl: a, b, q, y) only gets TFLite variants, whose table comes from q.
Status select_binary_s8(const Graph& g, Lowered& l, const Target& target) {
  const auto& p = std::get<ferrite_rt::BinaryS8Params>(*l.calls[0].params);
  const bool tfl = l.calls[0].kernel == KernelId::add_s8_tfl;
  const Tensor* q = tfl && l.calls[0].args.size() == 4 ? constant_of(g, l.calls[0].args[2]) : nullptr;
  if (tfl && (!q || q->dtype != DType::I32 || q->numel() != 7)) return Status::ok();
  for (const BinaryS8Variant& v : binary_s8_variants()) {
    if (v.numerics != (tfl ? Numerics::TFLite : Numerics::Ort)) continue;
    if (!target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(p))) continue;
    if (v.kernel == l.calls[0].kernel) return Status::ok();
    KernelCall c = l.calls[0];
    c.kernel = v.kernel;
    c.variant = kernel_name(v.kernel);
    if (v.table_q) {
      std::vector<uint8_t> t(v.table_bytes(p));
      const size_t used = v.table_q(p, reinterpret_cast<const int32_t*>(q->data->data()), t.data());
      if (used == 0) continue;
      t.resize(used);
      c.args.push_back(Operand::constant(packed_tensor("", DType::U8, t)));
    } else if (v.table) {
      std::vector<uint8_t> t(v.table_bytes(p));
      v.table(p, t.data());
      c.args.push_back(Operand::constant(packed_tensor("", DType::U8, t)));
    }
    l.reference_calls = l.calls;
    l.calls = {c};
    if (!v.in_place) l.inplace_input = -1;
    return Status::ok();
  }
  return Status::ok();
}

// int8 fully connected: portable call args are x, w, bias (or null), scale (out_features), y.
Status select_fc_s8(const Graph& g, Lowered& l, const Target& target) {
  const KernelCall& ref = l.calls[0];
  const auto& p = std::get<ferrite_rt::FcS8Params>(*ref.params);
  if (ref.args.size() != 5) return make_error("internal error: fc_s8 lowered with {} operands", ref.args.size());
  const bool tfl = ref.kernel == KernelId::fc_s8_tfl;
  const Numerics numerics = tfl ? Numerics::TFLite : Numerics::Ort;
  const Tensor* sc = constant_of(g, ref.args[3]);
  if (!sc || sc->numel() != (tfl ? 2 : 1) * int64_t{p.out_features}) return Status::ok();
  const Tensor* w = constant_of(g, ref.args[1]);
  const Tensor* b = ref.args[2].kind == Operand::Kind::Null ? nullptr : constant_of(g, ref.args[2]);
  if (!w || (ref.args[2].kind != Operand::Kind::Null && !b)) return Status::ok();
  if (!tfl) {
    for (float f : sc->as_f32())
      if (!std::isfinite(f)) return Status::ok();  // the variants' requantization needs finite scales
  }
  std::optional<TflConsts> tc;  // TFLite: the constants after tfl_constant_dead_channels
  if (tfl) {
    tc = tfl_consts(*w, b, *sc, p.out_features, p.in_features, true, p.w_zp);
    if (!tc || !tfl_accumulators_fit(*w, &tc->bias, tc->qm, p.out_features, p.in_features, true, p.in_zp, p.w_zp))
      return Status::ok();
  }
  for (const FcS8Variant& v : fc_s8_variants()) {
    if (v.numerics != numerics || !target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(p))) continue;
    if (v.kernel == ref.kernel) return Status::ok();
    std::vector<int8_t> wp(v.packed_weight_bytes(p));
    std::vector<int32_t> bp(static_cast<size_t>(p.out_features));
    const bool dead = tfl && tc->changed;  // dead channels rewritten: the copies replace bias and pairs
    v.pack(p, reinterpret_cast<const int8_t*>(w->data->data()),
           dead ? reinterpret_cast<const int32_t*>(tc->bias.data->data())
                : b ? reinterpret_cast<const int32_t*>(b->data->data()) : nullptr,
           wp.data(), bp.data());
    KernelCall c = ref;
    c.kernel = v.kernel;
    c.variant = kernel_name(v.kernel);
    c.args[1] = Operand::constant(packed_tensor(w->name + "_" + kernel_name(v.kernel), DType::I8, wp));
    c.args[2] = Operand::constant(packed_tensor(w->name + "_bias_" + kernel_name(v.kernel), DType::I32, bp));
    if (tfl) c.args[3] = v.pack_requant || !dead ? tfl_requant_operand(dead ? Operand::constant(tc->qm) : ref.args[3], tc->qm, p, v)
                                                  : Operand::constant(tc->qm);
    l.reference_calls = l.calls;
    l.calls = {c};
    return Status::ok();
  }
  return Status::ok();
}

// int8 global average pooling: variants take the same arguments.
Status select_global_pool_s8(Lowered& l, const Target& target) {
  const auto& p = std::get<ferrite_rt::GlobalPoolS8Params>(*l.calls[0].params);
  for (const GlobalPoolS8Variant& v : global_pool_s8_variants()) {
    if (!target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(p))) continue;
    if (v.kernel == l.calls[0].kernel) return Status::ok();
    l.reference_calls = l.calls;
    l.calls[0].kernel = v.kernel;
    l.calls[0].variant = kernel_name(v.kernel);
    return Status::ok();
  }
  return Status::ok();
}

// The first variant of `list` (int8 average or max pooling, same arguments x, y) that `target`
// runs and whose rule holds.
Status select_pool_s8(Lowered& l, const Target& target, const std::vector<PoolS8Variant>& list,
                      Numerics numerics = Numerics::Ort) {
  const auto& p = std::get<ferrite_rt::PoolS8Params>(*l.calls[0].params);
  for (const PoolS8Variant& v : list) {
    if (v.numerics != numerics) continue;
    if (!target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(p))) continue;
    if (v.kernel == l.calls[0].kernel) return Status::ok();
    l.reference_calls = l.calls;
    l.calls[0].kernel = v.kernel;
    l.calls[0].variant = kernel_name(v.kernel);
    return Status::ok();
  }
  return Status::ok();
}

// int8 average pooling: variants take the same arguments (x, y). A window that covers the whole
// input without padding is what avgpool_s8_nhwc computes with global_avgpool_s8_nhwc: such layers
// take the global family's variant with the parameters the reference would pass it.
Status select_avgpool_s8(Lowered& l, const Target& target) {
  const auto& p = std::get<ferrite_rt::PoolS8Params>(*l.calls[0].params);
  if (kernels::avgpool_s8_is_global(p)) {
    const ferrite_rt::GlobalPoolS8Params gp = kernels::avgpool_s8_global_params(p);
    for (const GlobalPoolS8Variant& v : global_pool_s8_variants()) {
      if (!target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(gp))) continue;
      if (v.kernel == KernelId::global_avgpool_s8_nhwc) return Status::ok();  // keep the portable call
      l.reference_calls = l.calls;
      l.calls[0].kernel = v.kernel;
      l.calls[0].variant = kernel_name(v.kernel);
      l.calls[0].params = gp;
      return Status::ok();
    }
    return Status::ok();
  }
  return select_pool_s8(l, target, avgpool_s8_variants());
}

// int8 max pooling: variants take the same arguments (x, y).
Status select_maxpool_s8(Lowered& l, const Target& target) { return select_pool_s8(l, target, maxpool_s8_variants()); }

// float -> int8 QuantizeLinear: variants take the same arguments.
Status select_quantize(Lowered& l, const Target& target) {
  const auto& p = std::get<ferrite_rt::QuantizeParams>(*l.calls[0].params);
  for (const QuantizeVariant& v : quantize_variants()) {
    if (!target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(p))) continue;
    if (v.kernel == l.calls[0].kernel) return Status::ok();
    l.reference_calls = l.calls;
    l.calls[0].kernel = v.kernel;
    l.calls[0].variant = kernel_name(v.kernel);
    return Status::ok();
  }
  return Status::ok();
}

bool finite_scales(const Graph& g, const Operand& o) {
  const Tensor* sc = constant_of(g, o);
  if (!sc) return false;
  for (float f : sc->as_f32())
    if (!std::isfinite(f)) return false;
  return true;
}

}  // namespace

size_t conv_s8_scratch(const ferrite_rt::ConvS8Params& p, KernelId reference, const Target& target, bool in_place) {
  const ConvRole role = conv_role(reference);
  const bool tfl = conv_numerics(reference) == Numerics::TFLite;
  // The portable kernels (the TFLite general one needs no patch buffer).
  const size_t portable = role == ConvRole::Depthwise ? (in_place ? static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) : 0)
                          : role == ConvRole::General && !tfl ? ferrite_rt::conv_s8_scratch_bytes(p)
                                                              : 0;
  const ConvS8Variant* v = target.isa == kIsaNone ? nullptr : pick_conv_s8(p, reference, target);
  if (!v || v->kernel == reference) return portable;
  const size_t variant = v->scratch_bytes ? v->scratch_bytes(p) : 0;
  // TFLite: the weights may still keep the portable kernel (tfl_accumulators_fit): room for either.
  return tfl ? std::max(variant, portable) : variant;
}

Status select_bottleneck(Graph& g, Lowered& l, const Target& target) {
  if (l.calls.size() != 1 || l.calls[0].kernel != KernelId::bottleneck_s8_nhwc) return Status::ok();
  const KernelCall ref = l.calls[0];
  const auto& p = std::get<ferrite_rt::BottleneckS8Params>(*ref.params);
  // args: x, we, be, se, wd, bd, sd, wq, bq, sq, y, scratch
  if (ref.args.size() != 12)
    return make_error("internal error: bottleneck_s8_nhwc with {} operands", ref.args.size());
  for (const BottleneckS8Variant& v : bottleneck_s8_variants()) {
    if (!target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(p))) continue;
    if (v.kernel == ref.kernel) {
      l.scratch_bytes = v.scratch_bytes(p);
      return Status::ok();
    }
    // The variants requantize with tables proved exact for finite scales (dsp_s8_common.h).
    if (!finite_scales(g, ref.args[3]) || !finite_scales(g, ref.args[6]) || !finite_scales(g, ref.args[9])) continue;
    const Tensor* w[3];
    const Tensor* b[3];
    bool constants = true;
    for (int i = 0; i < 3; ++i) {
      const Operand& wo = ref.args[static_cast<size_t>(1 + 3 * i)];
      const Operand& bo = ref.args[static_cast<size_t>(2 + 3 * i)];
      w[i] = constant_of(g, wo);
      b[i] = bo.kind == Operand::Kind::Null ? nullptr : constant_of(g, bo);
      constants = constants && w[i] && (bo.kind == Operand::Kind::Null || b[i]);
    }
    if (!constants) continue;
    auto i8 = [](const Tensor* t) { return reinterpret_cast<const int8_t*>(t->data->data()); };
    auto i32 = [](const Tensor* t) { return t ? reinterpret_cast<const int32_t*>(t->data->data()) : nullptr; };
    BottleneckS8Packed pk;
    v.pack(p, i8(w[0]), i32(b[0]), i8(w[1]), i32(b[1]), i8(w[2]), i32(b[2]), pk);
    const std::string suffix = std::string("_") + kernel_name(v.kernel);
    // Copies: add_tensor may reallocate the tensor list the pointers above point into.
    const std::string names[3] = {w[0]->name, w[1]->name, w[2]->name};
    auto add = [&](Tensor t) { return Operand::tensor(g.add_tensor(std::move(t))); };
    KernelCall c = ref;
    c.kernel = v.kernel;
    c.variant = kernel_name(v.kernel);
    c.args[1] = add(packed_tensor(names[0] + suffix, DType::I8, pk.we));
    c.args[2] = add(packed_tensor(names[0] + "_bias" + suffix, DType::I32, pk.be));
    c.args[4] = add(packed_tensor(names[1] + suffix, DType::I8, pk.wd));
    c.args[5] = add(packed_tensor(names[1] + "_bias" + suffix, DType::I32, pk.bd));
    c.args[7] = add(packed_tensor(names[2] + suffix, DType::I8, pk.wq));
    c.args[8] = add(packed_tensor(names[2] + "_bias" + suffix, DType::I32, pk.bq));
    l.reference_calls = {ref};
    l.calls = {c};
    l.scratch_bytes = v.scratch_bytes(p);
    return Status::ok();
  }
  return Status::ok();
}

Status select_kernels(const Graph& g, Lowered& l, const Target& target) {
  if (l.calls.size() != 1 || l.alias) return Status::ok();
  switch (l.calls[0].kernel) {
    case KernelId::conv1x1_s8_nhwc:
    case KernelId::dwconv_s8_nhwc:
    case KernelId::conv_s8_nhwc:
    case KernelId::conv1x1_s8_nhwc_tfl:
    case KernelId::dwconv_s8_nhwc_tfl:
    case KernelId::conv_s8_nhwc_tfl:
      if (std::get<ferrite_rt::ConvS8Params>(*l.calls[0].params).out_int32) return Status::ok();
      return select_conv_s8(g, l, target);
    case KernelId::binary_s8:
      return select_binary_s8(g, l, target);
    case KernelId::add_s8_tfl:
      return select_binary_s8(g, l, target);
    case KernelId::quantize_f32:
      return select_quantize(l, target);
    case KernelId::fc_s8:
    case KernelId::fc_s8_tfl:
      return select_fc_s8(g, l, target);
    case KernelId::global_avgpool_s8_nhwc:
      return select_global_pool_s8(l, target);
    case KernelId::avgpool_s8_nhwc:
      return select_avgpool_s8(l, target);
    case KernelId::avgpool_s8_nhwc_tfl:  // whole-input windows too: the TFLite variants cover them
      return select_pool_s8(l, target, avgpool_s8_variants(), Numerics::TFLite);
    case KernelId::maxpool_s8_nhwc:
      return select_maxpool_s8(l, target);
    default:
      return Status::ok();
  }
}

}  // namespace ferrite
