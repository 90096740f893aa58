// The graph pass interface and the pipeline. A pass is a name, a one-line summary and a function
// that rewrites the graph and says whether it changed anything.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace ferrite {

struct PassContext {
  bool verify_each = true;                 // run the IR verifier after every pass
  std::vector<std::string> print_after;    // pass names whose result is dumped ("all" for every pass)
  std::function<void(const std::string&)> log = nullptr;  // where dumps go
  bool input_nhwc = false;  // --input-layout nhwc: rank-4 graph inputs are given NHWC by the caller
  bool quantized_io = false;  // --quantized-io: QuantizeLinear'd inputs / DequantizeLinear'd outputs go quantized
};

struct Pass {
  const char* name;
  const char* summary;
  Expected<bool> (*run)(Graph& g, const PassContext& ctx);
};

// The graph-level pipeline, in order (see pipeline.cpp for why each runs where it does).
const std::vector<Pass>& graph_pipeline();
Status run_pipeline(Graph& g, const PassContext& ctx);

// Individual passes (one per file).
Expected<bool> pass_remove_identity(Graph& g, const PassContext& ctx);
Expected<bool> pass_constant_fold(Graph& g, const PassContext& ctx);
Expected<bool> pass_dead_node(Graph& g, const PassContext& ctx);
Expected<bool> pass_fold_batchnorm(Graph& g, const PassContext& ctx);
Expected<bool> pass_fuse_swish(Graph& g, const PassContext& ctx);
Expected<bool> pass_fuse_pointwise(Graph& g, const PassContext& ctx);
Expected<bool> pass_fuse_layernorm(Graph& g, const PassContext& ctx);
Expected<bool> pass_fuse_activation(Graph& g, const PassContext& ctx);
Expected<bool> pass_fold_qdq(Graph& g, const PassContext& ctx);
Expected<bool> pass_normalize_int8(Graph& g, const PassContext& ctx);
Expected<bool> pass_layout_nhwc(Graph& g, const PassContext& ctx);
Expected<bool> pass_quantized_io(Graph& g, const PassContext& ctx);

// Shared rewrite helper: `keep` now writes `removed`'s output tensor directly (so graph output
// names survive), and `removed` is erased. Valid when keep's output feeds only `removed`.
void absorb_consumer(Graph& g, size_t keep, size_t removed);

}  // namespace ferrite
