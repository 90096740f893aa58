// Dispatch from OpKind to the per-op lowering functions (generated from ir/ops.def), the
// activation conversion, and host execution of kernel calls for constant folding.
#include <limits>
#include <utility>

#include "kernels/select.h"

#include "ir/op_traits.h"
#include "ops/op_util.h"

namespace ferrite {
namespace ops {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) Expected<Lowered> lower_##kind(const Graph& g, const Node& n);
#include "ir/ops.def"
#undef FERRITE_OP
}  // namespace ops

Expected<Lowered> lower_node_portable(const Graph& g, const Node& n) {
  using Fn = Expected<Lowered> (*)(const Graph&, const Node&);
  static const Fn table[] = {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) &ops::lower_##kind,
#include "ir/ops.def"
#undef FERRITE_OP
  };
  return table[static_cast<size_t>(n.op)](g, n);
}

Expected<Lowered> lower_node(const Graph& g, const Node& n, const Target& target) {
  for (TensorId t : n.inputs)
    if (t != kNoTensor && g.t(t).numel() > std::numeric_limits<int32_t>::max())
      return make_error("{}: tensor '{}' has {} elements, more than 2^31-1", n.display_name(), g.t(t).name, g.t(t).numel());
  for (TensorId t : n.outputs)
    if (g.t(t).numel() > std::numeric_limits<int32_t>::max())
      return make_error("{}: tensor '{}' has {} elements, more than 2^31-1", n.display_name(), g.t(t).name, g.t(t).numel());
  // TFLite numerics: TFLite's fixed-point kernels; the selection then takes the target variants that
  // implement the same arithmetic (the families' TFLite entries).
  auto l = g.numerics == Numerics::TFLite ? lower_node_tflite(g, n) : lower_node_portable(g, n);
  if (!l) return l;
  // In-place legality is the op traits' (ir/op_traits.h); a Depthwise rule needs the in-place form.
  l->inplace_input = l->alias ? -1 : in_place_input(g, n, !l->inplace_calls.empty());
  if (target.isa == kIsaNone) return l;
  FERRITE_TRY(select_kernels(g, *l, target));
  return l;
}

ferrite_rt::ActParams to_act_params(const FusedAct& a) {
  ferrite_rt::ActParams p = ops::no_act();
  p.kind = static_cast<ferrite_rt::Act>(a.kind);
  p.alpha = a.alpha;
  p.beta = a.beta;
  if (a.kind == FusedAct::Clip) {
    p.lo = a.lo;
    p.hi = a.hi;
  }
  return p;
}

namespace {
// Host execution of one portable kernel: the void* arguments are cast to the kernel's own parameter
// types (deduced from its signature), so no argument list is written twice.
template <typename P, typename... A, size_t... I>
void call_unpacked(void (*f)(const P&, A...), const KernelParams& kp, const std::vector<void*>& a,
                   std::index_sequence<I...>) {
  f(std::get<P>(kp), static_cast<A>(a[I])...);
}
template <typename P, typename... A>
bool call_host(void (*f)(const P&, A...), const KernelParams& kp, const std::vector<void*>& a) {
  if (a.size() != sizeof...(A) || !std::holds_alternative<P>(kp)) return false;
  call_unpacked(f, kp, a, std::index_sequence_for<A...>{});
  return true;
}
using HostFn = bool (*)(const KernelParams&, const std::vector<void*>&);
}  // namespace

Status execute_host(const KernelCall& c, const std::vector<void*>& a) {
  static const HostFn table[] = {
#define FERRITE_KERNEL(name, params, file) \
  [](const KernelParams& kp, const std::vector<void*>& v) { return call_host(&ferrite_rt::name, kp, v); },
#define FERRITE_KERNEL_ISA(name, params, isa, file, base) nullptr,
#include "kernels/kernels.def"
#undef FERRITE_KERNEL
#undef FERRITE_KERNEL_ISA
  };
  const HostFn f = table[static_cast<size_t>(c.kernel)];
  if (!f) return make_error("internal error: kernel {} needs {} and cannot run on the host", kernel_name(c.kernel),
                            isa_names(kernel_info(c.kernel).isa));
  if (!f(*c.params, a))
    return make_error("internal error: kernel {} called with {} arguments or the wrong parameters",
                      kernel_name(c.kernel), a.size());
  return Status::ok();
}

}  // namespace ferrite
