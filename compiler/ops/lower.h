// Lowering: turns one IR node into the kernel calls that execute it, with fully computed kernel
// parameters (the ferrite_rt structs), plus what the memory planner needs to know (scratch, in-place
// and alias opportunities) and the MAC count for the report. One file per op family in compiler/ops/.
#pragma once
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ir/ir.h"
#include "kernels/kernel.h"
#include "target/target.h"

namespace ferrite {

// The kernel's parameter struct (a std::variant of the ferrite_rt structs, ops/kernel_params.h),
// held by pointer so that this header does not include the kernel headers: code that only moves
// kernel calls around (the passes, the memory planner) compiles without them; code that reads or
// writes parameters (lowering, kernel selection, the backend) includes ops/kernel_params.h and
// reaches the variant through `*call.params`.
struct KernelParams;
class ParamsBox {
 public:
  ParamsBox();  // a value-initialized KernelParams (its first alternative)
  ParamsBox(const ParamsBox& o);
  ParamsBox(ParamsBox&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  ParamsBox& operator=(const ParamsBox& o);
  ParamsBox& operator=(ParamsBox&& o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~ParamsBox();
  // From any parameter struct (needs ops/kernel_params.h where it is used).
  template <class T, class P = KernelParams,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<T>, ParamsBox>>>
  ParamsBox(T&& v) : p_(new P(std::forward<T>(v))) {}  // NOLINT: implicit, as the variant's
  KernelParams& operator*() { return *p_; }
  const KernelParams& operator*() const { return *p_; }
  KernelParams* get() { return p_; }
  const KernelParams* get() const { return p_; }

 private:
  KernelParams* p_ = nullptr;
};

// A kernel argument after the params: a tensor (constant, arena buffer), the node's scratch buffer,
// or a null pointer (an omitted optional input such as a missing bias).
// Data: a constant computed by lowering in the kernel's own format (int8 weights relaid out to OHWI,
// per-channel requantization scales, lookup tables); the compile driver adds it to the graph as a
// constant tensor, so it is emitted into the weights file like any other.
struct Operand {
  enum class Kind { Tensor, Scratch, Null, Data } kind = Kind::Null;
  TensorId id = kNoTensor;
  std::shared_ptr<const Tensor> data;
  int64_t offset_elems = 0;  // Tensor: start this many elements into the tensor's storage (patch views)
  static Operand tensor(TensorId t) { return {Kind::Tensor, t, nullptr}; }
  static Operand scratch() { return {Kind::Scratch, kNoTensor, nullptr}; }
  static Operand null() { return {Kind::Null, kNoTensor, nullptr}; }
  static Operand constant(Tensor t) { return {Kind::Data, kNoTensor, std::make_shared<const Tensor>(std::move(t))}; }
};

struct KernelCall {
  KernelId kernel = KernelId::conv2d_f32;  // the kernel (kernels/kernels.def): function, file, ISA
  std::string variant;  // what this call specializes, for comments and reports, e.g. "conv2d_f32_k3x3_s2"
  ParamsBox params;  // *params: the ferrite_rt struct (ops/kernel_params.h)
  std::vector<Operand> args;  // in the kernel's argument order after the params
};

// A Concat input whose copy is the identity into one contiguous byte range of the output (NCHW
// batch-1 channel concat, any concat whose output dims before the axis multiply to 1, and for int8
// only an input quantized like the output). The planner may store the input inside the output at
// `offset` bytes; the copy `call` (an index into Lowered::calls) is then dropped.
struct ConcatSlice {
  int input = 0;      // index into Node::inputs
  int part = 0;       // which of the Concat's data inputs (0 = first), for the report
  size_t offset = 0;  // bytes from the start of the output
  size_t bytes = 0;
  int call = 0;
};

struct Lowered {
  std::vector<KernelCall> calls;
  bool alias = false;      // output 0 is a view of input 0 (Reshape family): no code, shared storage
  // Input index whose storage output 0 may reuse when that input dies here: set by lower_node from
  // the op traits (ir/op_traits.h, in_place_input), cleared by kernel selection for a target variant
  // that cannot run in place. Per-op lowerings leave it alone.
  int inplace_input = -1;
  size_t scratch_bytes = 0;
  // When non-empty: the calls (and scratch) to use instead when the planner does put the output in
  // the input's storage (e.g. depthwise convolution in place through a one-channel temporary);
  // when empty, `calls` are safe in place as they are.
  std::vector<KernelCall> inplace_calls;
  size_t inplace_scratch_bytes = 0;
  std::vector<ConcatSlice> slices;  // Concat: inputs that may be produced straight into their slice
  uint64_t macs = 0;
  // When a target variant replaced the portable calls: the portable calls (reference layouts), for
  // passes that work on them (bottleneck fusion). Empty when `calls` are the portable ones.
  std::vector<KernelCall> reference_calls;
};

// Lowers one node to portable kernel calls, then lets the kernel families' selection tables
// (kernels/select.h) replace each call by the fastest variant `target` can run.
Expected<Lowered> lower_node(const Graph& g, const Node& n, const Target& target = host_target());
// The portable calls of ONNX Runtime's arithmetic, without target selection or numerics dispatch.
Expected<Lowered> lower_node_portable(const Graph& g, const Node& n);
// Lowering under TFLite numerics (ops/tflite_numerics.cpp): TFLite's fixed-point kernels.
Expected<Lowered> lower_node_tflite(const Graph& g, const Node& n);

// Executes one lowered call on the host (constant folding): `args` are the operands' addresses in
// the kernel's argument order. Fails for kernels that need a core feature (target variants).
Status execute_host(const KernelCall& c, const std::vector<void*>& args);

// The Cast kernel call (runtime_templates/cast/cast.h) converting `total` elements of type `from` to
// `to`, without operands; lowering and the frontend's constant folding share it. Fails for types
// Cast does not run (string).
Expected<KernelCall> cast_call(DType from, DType to, int64_t total);

}  // namespace ferrite
