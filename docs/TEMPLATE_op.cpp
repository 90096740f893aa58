// TEMPLATE — not compiled. Copy the function into the family file in compiler/ops/ (or a new file
// listed in CMakeLists.txt) and replace MyOp / my_op / MyOpParams. See docs/adding-an-op.md for
// the other files to touch (ops.def, op traits, kernel, kernels_host.h, kernel_params.h,
// kernels.def, params_format.cpp, tests, expected_failures.txt).
//
// <One or two lines: which ONNX op(s) this lowers, which attributes/variants are supported, and
//  which kernel it calls.>
#include "ops/op_util.h"  // Graph, Node, Lowered, KernelCall, Operand, KernelParams, ferrite_rt::*, helpers

namespace ferrite::ops {

// Called once per node after the graph passes (and by constant folding when every input is
// constant: it must then either succeed with host-executable calls or return an error).
// Every check happens here; the generated code trusts these parameters.
Expected<Lowered> lower_MyOp(const Graph& g, const Node& n) {
  // 1. Dtypes. require_f32 checks the listed inputs *and all outputs*; skip it when an output is not
  //    float32 (e.g. int64 indices) and check by hand.
  FERRITE_TRY(require_f32(g, n, {0}));

  // 2. Shapes: static and already inferred by ONNX shape inference (opset 17 semantics).
  const Shape& x = in_shape(g, n, 0);
  const Shape& y = out_shape(g, n);
  if (x.size() > 6) return make_error("{}: rank {} is above the supported 6", n.display_name(), x.size());

  // 3. Attributes (typed; the ONNX checker validated them against the schema). Defaults as in the
  //    ONNX spec for opset 17.
  auto axis = norm_axis(n.attrs.i("axis", -1), x.size(), n);
  if (!axis) return axis.error();
  const std::string mode = n.attrs.s("mode", "default");
  if (mode != "default") return make_error("{}: mode '{}' is not supported", n.display_name(), mode);

  // 4. Inputs that must be compile-time constants (set their bits in ops.def's const_input_mask so
  //    `ferrite run` can freeze them when tests pass them as inputs).
  //    auto axes = const_ints(g, n, 1, "axes");  if (!axes) return axes.error();

  // 5. Kernel parameters: compute everything now; the struct is emitted as a constexpr initializer.
  ferrite_rt::MyOpParams p{};
  p.outer = i32(prod(x, 0, static_cast<size_t>(*axis)));
  p.axis_len = i32(x[static_cast<size_t>(*axis)]);
  p.inner = i32(prod(x, static_cast<size_t>(*axis) + 1, x.size()));
  p.act = to_act_params(n.act);  // only if the kernel applies a fused activation (and the op is in
                                 // has ActFusion::Accepts in compiler/ir/op_traits.cpp)

  // 6. What the planner and report need.
  // In place (y == x) is not set here: give the op an in-place rule in compiler/ir/op_traits.cpp
  // (`inplace`) if the kernel documents that y may equal x; lower_node applies it.
  Lowered l;
  l.scratch_bytes = 0;   // = ferrite_rt::my_op_f32_scratch_bytes(p) if it needs scratch
  l.macs = 0;            // multiply-accumulates, for the report

  // 7. The call(s). Argument order = the kernel's parameter order after the params struct.
  KernelCall c;
  c.kernel = KernelId::my_op_f32;                            // its FERRITE_KERNEL line (kernels.def)
  c.variant = fmt::format("my_op_f32_axis{}", *axis);        // specialization name (report, comment)
  c.params = p;                                              // must be in the KernelParams variant
  c.args = {Operand::tensor(n.inputs[0]),                    // activations or constants
            has_input(n, 1) ? Operand::tensor(n.inputs[1]) : Operand::null(),  // optional input
            Operand::tensor(n.outputs[0])};                  // + Operand::scratch() if scratch_bytes
  l.calls.push_back(std::move(c));
  (void)y;
  return l;
}

// An op that is only a view of its input (same bytes, new shape) needs no kernel:
//   Expected<Lowered> lower_MyView(const Graph&, const Node&) { Lowered l; l.alias = true; return l; }

}  // namespace ferrite::ops
