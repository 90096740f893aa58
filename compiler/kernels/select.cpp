// Kernel selection over the family variant lists (see select.h).
#include "kernels/select.h"

#include <cmath>
#include <cstring>

#include "kernels/binary_s8_variants.h"
#include "kernels/conv_s8_variants.h"

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
  return reference == KernelId::conv1x1_s8_nhwc ? ConvRole::Pointwise
         : reference == KernelId::dwconv_s8_nhwc ? ConvRole::Depthwise
                                                 : ConvRole::General;
}

// The first variant of the list that `target` runs and whose rule holds for `p`.
const ConvS8Variant* pick_conv_s8(const ferrite_rt::ConvS8Params& p, ConvRole role, const Target& target) {
  for (const ConvS8Variant& v : conv_s8_variants())
    if (v.role == role && target.has(kernel_info(v.kernel).isa) && (!v.applies || v.applies(p))) return &v;
  return nullptr;
}

// int8 convolution: portable call args are x, w, bias (or null), scale, y [, scratch].
Status select_conv_s8(const Graph& g, Lowered& l, const Target& target) {
  const KernelCall& ref = l.calls[0];
  const auto& p = std::get<ferrite_rt::ConvS8Params>(ref.params);
  const ConvRole role = conv_role(ref.kernel);
  // The variants' requantization arguments assume finite scales (lowering makes them from positive
  // finite quantization scales, but a ratio can overflow): otherwise keep the portable kernel.
  if (const Tensor* sc = constant_of(g, ref.args.size() > 3 ? ref.args[3] : Operand::null()))
    for (float f : sc->as_f32())
      if (!std::isfinite(f)) return Status::ok();
  if (const ConvS8Variant* picked = pick_conv_s8(p, role, target)) {
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
    if (v.pack) {
      std::vector<int8_t> wp(v.packed_weight_bytes(p));
      std::vector<int32_t> bp(static_cast<size_t>(p.c_out));
      v.pack(p, reinterpret_cast<const int8_t*>(w->data->data()),
             b ? reinterpret_cast<const int32_t*>(b->data->data()) : nullptr, wp.data(), bp.data());
      c.args[1] = Operand::constant(packed_tensor(w->name + "_" + kernel_name(v.kernel), DType::I8, wp));
      c.args[2] = Operand::constant(packed_tensor(w->name + "_bias_" + kernel_name(v.kernel), DType::I32, bp));
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

// int8 Add/Mul: variants take the same arguments.
Status select_binary_s8(Lowered& l, const Target& target) {
  const auto& p = std::get<ferrite_rt::BinaryS8Params>(l.calls[0].params);
  for (const BinaryS8Variant& v : binary_s8_variants()) {
    if (!target.has(kernel_info(v.kernel).isa) || (v.applies && !v.applies(p))) continue;
    if (v.kernel == l.calls[0].kernel) return Status::ok();
    l.reference_calls = l.calls;
    l.calls[0].kernel = v.kernel;
    l.calls[0].variant = kernel_name(v.kernel);
    return Status::ok();
  }
  return Status::ok();
}

}  // namespace

size_t conv_s8_scratch(const ferrite_rt::ConvS8Params& p, KernelId reference, const Target& target, bool in_place) {
  const ConvRole role = conv_role(reference);
  const ConvS8Variant* v = target.isa == kIsaNone ? nullptr : pick_conv_s8(p, role, target);
  if (v && v->kernel != reference) return v->scratch_bytes ? v->scratch_bytes(p) : 0;
  // The portable kernels.
  if (role == ConvRole::Depthwise)
    return in_place ? static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) : 0;
  return role == ConvRole::General ? ferrite_rt::conv_s8_scratch_bytes(p) : 0;
}

Status select_kernels(const Graph& g, Lowered& l, const Target& target) {
  if (l.calls.size() != 1 || l.alias) return Status::ok();
  switch (l.calls[0].kernel) {
    case KernelId::conv1x1_s8_nhwc:
    case KernelId::dwconv_s8_nhwc:
    case KernelId::conv_s8_nhwc:
      if (std::get<ferrite_rt::ConvS8Params>(l.calls[0].params).out_int32) return Status::ok();
      return select_conv_s8(g, l, target);
    case KernelId::binary_s8:
      return select_binary_s8(l, target);
    default:
      return Status::ok();
  }
}

}  // namespace ferrite
