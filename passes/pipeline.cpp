// The pass pipeline as data. Order matters: constants are folded first so later pattern matches see
// constant weights (DequantizeLinear is never folded: int8 weights stay int8); --quantized-io then
// drops the input QuantizeLinear / output DequantizeLinear (it needs their scales constant); QDQ groups become
// integer operators before any float fusion can split them; Identity/Dropout go before fusion so they
// do not hide producer/consumer pairs; BatchNorm folds into Conv/Gemm before activations fuse into the
// (then) final producer; SiLU/HardSwish pairs become one activation node first (after fold-qdq, so an
// int8 pair is left to it), which fuse-activation can then fuse into the producer of x; dead nodes (e.g. DequantizeLinear left without readers) are swept; then the
// int8 representation is normalized (uint8 -> int8) and NHWC layouts are chosen, which both need the
// final set of operators. Memory planning runs after lowering (passes/memory_plan.cpp).
#include "passes/pass.h"

#include <algorithm>

namespace ferrite {

const std::vector<Pass>& graph_pipeline() {
  static const std::vector<Pass> p = {
      {"constant-fold", "evaluate nodes whose inputs are all constants", pass_constant_fold},
      {"quantized-io", "with --quantized-io: the API takes the quantized input / returns the quantized output",
       pass_quantized_io},
      // Before fold-qdq: torch's opset-13 int8 export of HardSwish is DQ -> HardSigmoid -> Mul -> Q,
      // which becomes DQ -> HardSwish -> Q and then one int8 lookup table instead of float ops.
      {"fuse-swish", "x * Sigmoid(x) -> Silu, x * HardSigmoid(x) (1/6, 0.5) -> HardSwish (one live tensor less)",
       pass_fuse_swish},
      {"fold-qdq", "turn DequantizeLinear -> op -> QuantizeLinear groups into integer operators", pass_fold_qdq},
      {"remove-identity", "drop Identity and inference-mode Dropout", pass_remove_identity},
      {"fold-batchnorm", "fold inference BatchNormalization into the preceding Conv/Gemm", pass_fold_batchnorm},
      // After fold-qdq (an int8 group is left to it) and before fuse-activation (which would hide an
      // activation step inside its producer): chains over one tensor become one in-place node.
      {"fuse-layernorm",
       "LayerNorm as ReduceMean/Sub/square/ReduceMean/Add/Sqrt/Div or Reciprocal+Mul[/Mul/Add] (torch's, ONNX's "
       "function body, other exporters') -> one LayerNormalization (in place)",
       pass_fuse_layernorm},
      {"fuse-pointwise", "elementwise chains over one tensor (GELU, Mish, ...) -> one Pointwise node (in place)",
       pass_fuse_pointwise},
      {"fuse-activation", "fuse Relu/Clip/LeakyRelu/HardSigmoid/HardSwish/Sigmoid/Tanh into the producer",
       pass_fuse_activation},
      {"dead-node", "remove nodes whose outputs nobody reads", pass_dead_node},
      {"normalize-int8", "store every quantized tensor as int8 (uint8: zero point - 128, FlipSign at the API)",
       pass_normalize_int8},
      {"layout-nhwc", "store int8 conv-family activations NHWC, inserting Relayout where needed", pass_layout_nhwc},
  };
  return p;
}

void absorb_consumer(Graph& g, size_t keep, size_t removed) {
  g.nodes[keep].outputs[0] = g.nodes[removed].outputs[0];
  g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(removed));
}

Status run_pipeline(Graph& g, const PassContext& ctx) {
  for (const Pass& pass : graph_pipeline()) {
    auto changed = pass.run(g, ctx);
    if (!changed) return changed.error();
    if (ctx.verify_each) {
      Status st = verify(g);
      if (!st) return make_error("internal error after pass '{}': {}", pass.name, st.error().message);
    }
    const auto& pa = ctx.print_after;
    if (ctx.log && (std::find(pa.begin(), pa.end(), pass.name) != pa.end() ||
                    std::find(pa.begin(), pa.end(), "all") != pa.end()))
      ctx.log(fmt::format("// ----- after {} ({}) -----\n{}", pass.name, *changed ? "changed" : "unchanged", dump(g)));
  }
  return Status::ok();
}

}  // namespace ferrite
