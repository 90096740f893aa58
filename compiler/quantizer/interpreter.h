// Runs a graph on the host with the kernels the generated code uses (ops/kernels_host.h): the
// calibration of `ferrite quantize` runs the float model with it, and its evaluation runs the
// quantized model's integer kernels with it, so the figures it prints are those of the compiled code.
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "ops/lower.h"

namespace ferrite {

class HostInterpreter {
 public:
  // Lowers every node of `g` (after the graph passes) for the portable host kernels; fails naming
  // the nodes that have no host kernel.
  static Expected<HostInterpreter> create(Graph g);

  // One inference. `inputs`: one tensor per graph input, in the graph's input order, as bytes in
  // the input's dtype and storage layout. `after_node(i)` is called after node i ran (its outputs
  // are then readable with value()).
  Status run(const std::vector<std::vector<uint8_t>>& inputs, const std::function<void(size_t)>& after_node = {});

  const Graph& graph() const { return g_; }
  // The bytes of tensor `t` after the last run (constants: their data).
  const uint8_t* data(TensorId t) const;
  std::vector<float> as_f32(TensorId t) const;  // a float32 tensor's values

 private:
  Graph g_;
  std::vector<Lowered> lowered_;
  std::vector<std::vector<uint8_t>> values_;  // per tensor (activations), sized bytes() + 16
  std::vector<uint8_t> scratch_;
};

}  // namespace ferrite
