// Ferrite's intermediate representation: plain value types addressed by ids. A Graph owns every
// Tensor and Node; nodes refer to tensors by TensorId and are kept in a valid execution order.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "support/error.h"

namespace ferrite {

// F16 and BF16 (float16, bfloat16) are stored as their 16-bit patterns (uint16_t in generated code).
enum class DType : uint8_t { Undefined, F32, F64, F16, I8, U8, I16, U16, I32, U32, I64, U64, Bool, String, BF16 };
size_t dtype_size(DType t);
const char* dtype_name(DType t);    // "float32", "int64", ...
const char* dtype_c_type(DType t);  // "float", "int64_t", ...

using Shape = std::vector<int64_t>;
using TensorId = int32_t;
constexpr TensorId kNoTensor = -1;

// Limits on what a model may ask for (docs/architecture.md, "Limits"). Every size derived from a
// model is checked against them with overflow-checked arithmetic before anything is allocated or
// emitted: kernel parameters are int32 and the arena is addressed from 32-bit code.
constexpr int64_t kMaxTensorElements = (int64_t{1} << 31) - 1;  // fits the kernels' int32 counts
constexpr uint64_t kMaxTensorBytes = (uint64_t{1} << 31) - 1;   // 2 GiB - 1
constexpr uint64_t kMaxArenaBytes = (uint64_t{1} << 31) - 1;    // 2 GiB - 1

// Product of the dims; saturates at INT64_MAX on overflow and gives -1 for a negative dim, so a
// size check on the result never passes by wrapping around.
int64_t shape_numel(const Shape& s);
// Overflow-checked a * b and a + b for non-negative sizes; false on overflow.
inline bool checked_mul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }
inline bool checked_add(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }
// An error when `s` has a negative dim or more than kMaxTensorElements elements (or, with
// `elem_size`, more than kMaxTensorBytes bytes); `what` names the tensor in the message.
Status check_tensor_size(const Shape& s, size_t elem_size, const std::string& what);
std::string shape_str(const Shape& s);  // "1x3x96x96"

struct Tensor {
  std::string name;  // the model's name, verbatim (never emitted unsanitized)
  DType dtype = DType::Undefined;
  Shape shape;
  std::optional<std::vector<uint8_t>> data;  // set for constants (little-endian, dense, C order)
  // Physical storage of a rank-4 activation: false = as its (logical, NCHW) shape; true = NHWC,
  // the layout of the int8 kernels. Decided by the layout pass; shapes stay logical.
  bool nhwc = false;
  bool is_constant() const { return data.has_value(); }
  // The shape in storage order (NHWC dims for an NHWC tensor): what the generated API exposes.
  Shape storage_shape() const {
    if (nhwc && shape.size() == 4) return {shape[0], shape[2], shape[3], shape[1]};
    return shape;
  }
  int64_t numel() const { return shape_numel(shape); }
  size_t bytes() const {  // saturates like shape_numel (sizes are checked at import)
    const int64_t n = numel();
    if (n < 0) return 0;
    size_t b = 0;
    return __builtin_mul_overflow(static_cast<size_t>(n), dtype_size(dtype), &b) ? SIZE_MAX : b;
  }
  // Typed views of constant data (dtype must match).
  const float* f32() const { return reinterpret_cast<const float*>(data->data()); }
  std::vector<int64_t> as_i64() const;  // integer/float constants converted to int64
  std::vector<float> as_f32() const;    // numeric constants converted to float (float16/bfloat16 decoded)
};

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>>;

// An operator's attributes, typed; values were validated against the ONNX schema by the checker.
struct Attrs {
  std::map<std::string, AttrValue> values;
  bool has(const std::string& k) const { return values.count(k) != 0; }
  int64_t i(const std::string& k, int64_t def) const;
  float f(const std::string& k, float def) const;
  std::string s(const std::string& k, const std::string& def) const;
  std::vector<int64_t> ints(const std::string& k, std::vector<int64_t> def = {}) const;
  std::vector<float> floats(const std::string& k) const;
};

enum class OpKind : uint16_t {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) kind,
#include "ir/ops.def"
#undef FERRITE_OP
  Count
};

struct OpInfo {
  OpKind kind;
  const char* domain;  // "" = ai.onnx
  const char* onnx_type;
  int min_opset, max_opset;
  uint32_t const_inputs;
};
const OpInfo& op_info(OpKind k);
std::optional<OpKind> op_from_onnx(const std::string& domain, const std::string& type);
const std::vector<OpInfo>& all_ops();

// An activation fused into its producer (Relu, Clip, ...); None when nothing was fused.
struct FusedAct {
  enum Kind : int32_t { None = 0, Relu, Clip, LeakyRelu, HardSigmoid, HardSwish, Sigmoid, Tanh, Silu } kind = None;
  float alpha = 0.f, beta = 0.f, lo = 0.f, hi = 0.f;
  std::string from;  // name of the node that was fused, for the report
};

struct Node {
  OpKind op;
  std::string name;  // the model's node name (may be empty; see display_name)
  std::vector<TensorId> inputs;  // kNoTensor for an omitted optional input
  std::vector<TensorId> outputs;
  Attrs attrs;
  FusedAct act;
  std::string display_name() const;  // "Conv 'conv1'" or "Conv #3"
  int index = 0;                      // position in the original model, for messages
};

// Quantization of an int8/uint8 model input or output (the model's own dtype and zero point).
struct IoQuant {
  float scale = 0.f;
  int32_t zero_point = 0;
};

// Which integer arithmetic the model's int8 operators follow (docs/numerics.md): ONNX Runtime's float
// requantization for ONNX models, TFLite's fixed-point multiplier + shift for .tflite models. Lowering
// picks the kernels accordingly (ops/tflite_numerics.cpp).
enum class Numerics : uint8_t { Ort, TFLite };

struct Graph {
  std::string name;
  Numerics numerics = Numerics::Ort;
  std::map<TensorId, IoQuant> io_quant;  // recorded before the passes, for the generated API
  // Patched stage: (window tensor, graph input) pairs, the window filled at the start of each patch.
  std::vector<std::pair<TensorId, TensorId>> patch_windows;
  int64_t opset = 0;
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;  // execution order
  std::vector<TensorId> inputs, outputs;

  TensorId add_tensor(Tensor t);
  Tensor& t(TensorId id) { return tensors.at(static_cast<size_t>(id)); }
  const Tensor& t(TensorId id) const { return tensors.at(static_cast<size_t>(id)); }
  bool is_graph_input(TensorId id) const;
  bool is_graph_output(TensorId id) const;
  // Nodes (indices into `nodes`) that read tensor `id`.
  std::vector<size_t> consumers(TensorId id) const;
  std::optional<size_t> producer(TensorId id) const;
  // Replaces every use of `from` (node inputs and graph outputs) by `to`.
  void replace_uses(TensorId from, TensorId to);
};

// Structural checks: ids in range, every non-constant input defined before use, single producer,
// graph outputs produced. Runs after every pass (it is cheap) and in tests.
Status verify(const Graph& g);

// Human-readable dump, for --print-after.
std::string dump(const Graph& g);

}  // namespace ferrite
