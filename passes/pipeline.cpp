// The pass pipeline as data. Order matters: constants are folded first so later pattern matches see
// constant weights; Identity/Dropout go before fusion so they do not hide producer/consumer pairs;
// BatchNorm folds into Conv/Gemm before activations fuse into the (then) final producer; dead nodes
// are swept last. Memory planning runs after lowering (passes/memory_plan.cpp).
#include "passes/pass.h"

#include <algorithm>

namespace ferrite {

const std::vector<Pass>& graph_pipeline() {
  static const std::vector<Pass> p = {
      {"constant-fold", "evaluate nodes whose inputs are all constants", pass_constant_fold},
      {"remove-identity", "drop Identity and inference-mode Dropout", pass_remove_identity},
      {"fold-batchnorm", "fold inference BatchNormalization into the preceding Conv/Gemm", pass_fold_batchnorm},
      {"fuse-activation", "fuse Relu/Clip/LeakyRelu/HardSigmoid/HardSwish/Sigmoid/Tanh into the producer",
       pass_fuse_activation},
      {"dead-node", "remove nodes whose outputs nobody reads", pass_dead_node},
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
