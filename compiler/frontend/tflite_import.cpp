// TFLite frontend (docs/tflite.md). The file is verified with flatbuffers' Verifier field by field
// before anything is read; the schema v3 fields Ferrite reads are listed below by table and field
// index (a field's vtable slot is 4 + 2 * index). Operators become the IR's quantized operators
// (QLinearConv, QGemm, QLinearAdd, ...) with NCHW logical shapes, as the ONNX frontend produces them;
// Graph::numerics = TFLite makes lowering pick TFLite's fixed-point kernels (ops/tflite_numerics.cpp).
#include "frontend/tflite_import.h"

#include <flatbuffers/flatbuffers.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>

#include "common/prelude.h"
namespace ferrite_rt {
#include "common/convert.h"
}

namespace ferrite {

namespace {

using flatbuffers::Offset;
using flatbuffers::String;
using flatbuffers::Table;
using flatbuffers::Vector;
using flatbuffers::Verifier;
using flatbuffers::voffset_t;
using TableVec = Vector<Offset<Table>>;

constexpr uint64_t kMaxTfliteBytes = uint64_t{1} << 30;

// Field indices of the schema v3 tables read here.
enum ModelF { kModelOpcodes = 1, kModelSubgraphs = 2, kModelBuffers = 4 };
enum OpCodeF { kCodeDeprecated = 0, kCodeCustom = 1, kCodeBuiltin = 3 };
enum SubgraphF { kSgTensors = 0, kSgInputs = 1, kSgOutputs = 2, kSgOperators = 3 };
enum TensorF { kTShape = 0, kTType = 1, kTBuffer = 2, kTName = 3, kTQuant = 4, kTSparsity = 6 };
enum QuantF { kQScale = 2, kQZeroPoint = 3, kQDetails = 5, kQDim = 6 };
enum OperatorF { kOpCode = 0, kOpInputs = 1, kOpOutputs = 2, kOpOptionsType = 3, kOpOptions = 4 };
enum BufferF { kBufData = 0, kBufOffset = 1, kBufSize = 2 };

// BuiltinOperator codes Ferrite maps, and names for messages.
enum Builtin : int32_t {
  ADD = 0, AVERAGE_POOL_2D = 1, CONCATENATION = 2, CONV_2D = 3, DEPTHWISE_CONV_2D = 4, DEQUANTIZE = 6,
  FULLY_CONNECTED = 9, MAX_POOL_2D = 17, MUL = 18, RELU = 19, RELU_N1_TO_1 = 20, RELU6 = 21, RESHAPE = 22,
  SOFTMAX = 25, TANH = 28, CUSTOM = 32, LOGISTIC = 14, HARD_SWISH = 117, PAD = 34, TRANSPOSE = 39, MEAN = 40, SUB = 41, SQUEEZE = 43, STRIDED_SLICE = 45,
  SPLIT = 49, MAXIMUM = 55, MINIMUM = 57, PADV2 = 60, RESIZE_NEAREST_NEIGHBOR = 97, LEAKY_RELU = 98, QUANTIZE = 114,
  RESIZE_BILINEAR = 23, LOG_SOFTMAX = 50, CAST = 53
};
// BuiltinOptions union types of those operators.
enum OptionsType : uint8_t {
  kConv2D = 1, kDepthwise = 2, kPool2D = 5, kFullyConnected = 8, kSoftmax = 9, kConcat = 10, kAdd = 11, kResizeBilinear = 15,
  kReshape = 17,
  kMul = 21, kReducer = 27, kSub = 28, kSqueeze = 30, kStridedSlice = 32, kSplit = 35, kResizeNearest = 74,
  kLeakyRelu = 75
};

const char* builtin_name(int32_t code) {
  static const std::map<int32_t, const char*> names = {
      {0, "ADD"}, {1, "AVERAGE_POOL_2D"}, {2, "CONCATENATION"}, {3, "CONV_2D"}, {4, "DEPTHWISE_CONV_2D"},
      {5, "DEPTH_TO_SPACE"}, {6, "DEQUANTIZE"}, {8, "FLOOR"}, {9, "FULLY_CONNECTED"}, {14, "LOGISTIC"},
      {17, "MAX_POOL_2D"}, {18, "MUL"}, {19, "RELU"}, {20, "RELU_N1_TO_1"}, {21, "RELU6"}, {22, "RESHAPE"}, {23, "RESIZE_BILINEAR"},
      {25, "SOFTMAX"}, {28, "TANH"}, {32, "CUSTOM"}, {34, "PAD"}, {39, "TRANSPOSE"}, {40, "MEAN"}, {41, "SUB"},
      {43, "SQUEEZE"}, {45, "STRIDED_SLICE"}, {49, "SPLIT"}, {50, "LOG_SOFTMAX"}, {53, "CAST"}, {55, "MAXIMUM"}, {57, "MINIMUM"}, {60, "PADV2"},
      {97, "RESIZE_NEAREST_NEIGHBOR"}, {98, "LEAKY_RELU"}, {114, "QUANTIZE"}, {117, "HARD_SWISH"}};
  auto it = names.find(code);
  return it == names.end() ? nullptr : it->second;
}

// The operators the frontend maps (int8), for `ferrite ops` and refusals.
constexpr const char* kSupported[] = {"CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "SUB", "MUL", "MAXIMUM",
                                      "MINIMUM", "AVERAGE_POOL_2D", "MAX_POOL_2D", "MEAN", "PAD", "PADV2", "RESHAPE",
                                      "SQUEEZE", "CONCATENATION", "TRANSPOSE", "STRIDED_SLICE", "SPLIT", "SOFTMAX",
                                      "RELU", "RELU6", "RELU_N1_TO_1", "LEAKY_RELU", "LOGISTIC", "TANH",
                                      "HARD_SWISH", "QUANTIZE", "DEQUANTIZE", "RESIZE_NEAREST_NEIGHBOR",
                                      "RESIZE_BILINEAR", "LOG_SOFTMAX", "CAST"};  // LOG_SOFTMAX: float32 only; CAST: float16 -> float32 weights
constexpr const char* kSupportedList =
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, MAXIMUM, MINIMUM, AVERAGE_POOL_2D, MAX_POOL_2D, "
    "MEAN, PAD, PADV2, RESHAPE, SQUEEZE, CONCATENATION, TRANSPOSE, STRIDED_SLICE, SPLIT, SOFTMAX, RELU, RELU6, "
    "RELU_N1_TO_1, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, QUANTIZE (int8 -> int8, float -> int8, uint8 <-> int8), DEQUANTIZE (int8 -> float), "
    "RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR; int16 activations (16x8): all of these but RELU_N1_TO_1 and HARD_SWISH "
    "(TFLite has no int16 kernel for them), QUANTIZE float -> int16 and DEQUANTIZE int16 -> float only; uint8 models "
    "(uint8 activations, asymmetric per-tensor uint8 weights): all of these but MEAN and RESIZE_BILINEAR (TFLite's "
    "uint8 rules for them differ), QUANTIZE float / int8 / uint8 -> uint8 and DEQUANTIZE uint8 -> float";

constexpr voffset_t slot(int field) { return static_cast<voffset_t>(4 + 2 * field); }

template <typename T>
const Vector<T>* vec(const Table* t, int f) { return t->GetPointer<const Vector<T>*>(slot(f)); }
const TableVec* tables(const Table* t, int f) { return t->GetPointer<const TableVec*>(slot(f)); }
const Table* sub(const Table* t, int f) { return t->GetPointer<const Table*>(slot(f)); }
template <typename T>
T get(const Table* t, int f, T def) { return t->GetField<T>(slot(f), def); }

// ---- verification: every field read below is verified here first ----
template <typename T>
bool v_scalar(Verifier& v, const Table* t, int f) { return t->VerifyField<T>(v, slot(f), sizeof(T)); }
template <typename T>
bool v_vec(Verifier& v, const Table* t, int f) { return t->VerifyOffset(v, slot(f)) && v.VerifyVector(vec<T>(t, f)); }
bool v_str(Verifier& v, const Table* t, int f) {
  return t->VerifyOffset(v, slot(f)) && v.VerifyString(t->GetPointer<const String*>(slot(f)));
}
bool v_sub(Verifier& v, const Table* t, int f, const std::function<bool(Verifier&, const Table*)>& fn) {
  if (!t->VerifyOffset(v, slot(f))) return false;
  const Table* s = sub(t, f);
  return !s || fn(v, s);
}
bool v_tables(Verifier& v, const Table* t, int f, const std::function<bool(Verifier&, const Table*)>& fn) {
  if (!t->VerifyOffset(v, slot(f))) return false;
  const TableVec* tv = tables(t, f);
  if (!tv) return true;
  if (!v.VerifyVector(tv)) return false;
  for (flatbuffers::uoffset_t i = 0; i < tv->size(); ++i)
    if (!fn(v, tv->Get(i))) return false;
  return true;
}

bool v_quant(Verifier& v, const Table* q) {
  return q->VerifyTableStart(v) && v_vec<float>(v, q, 0) && v_vec<float>(v, q, 1) && v_vec<float>(v, q, kQScale) &&
         v_vec<int64_t>(v, q, kQZeroPoint) && q->VerifyOffset(v, slot(kQDetails)) && v_scalar<int32_t>(v, q, kQDim) &&
         v.EndTable();
}
bool v_tensor(Verifier& v, const Table* t) {
  return t->VerifyTableStart(v) && v_vec<int32_t>(v, t, kTShape) && v_scalar<int8_t>(v, t, kTType) &&
         v_scalar<uint32_t>(v, t, kTBuffer) && v_str(v, t, kTName) && v_sub(v, t, kTQuant, v_quant) &&
         t->VerifyOffset(v, slot(kTSparsity)) && v.EndTable();
}
// Options tables: the scalar fields of each type (their sizes, in field order).
bool v_options(Verifier& v, uint8_t type, const Table* o) {
  static const std::map<uint8_t, std::vector<int>> sizes = {
      {kConv2D, {1, 4, 4, 1, 4, 4}}, {kDepthwise, {1, 4, 4, 4, 1, 4, 4}}, {kPool2D, {1, 4, 4, 4, 4, 1}},
      {kFullyConnected, {1, 1, 1, 1}}, {kSoftmax, {4}}, {kAdd, {1, 1}}, {kConcat, {4, 1}}, {kMul, {1}},
      {kReducer, {1}}, {kSub, {1, 1}}, {kStridedSlice, {4, 4, 4, 4, 4, 1}}, {kSplit, {4}}, {kLeakyRelu, {4}}, {kResizeNearest, {1, 1}},
      {kResizeBilinear, {4, 4, 1, 1}}};
  if (!o->VerifyTableStart(v)) return false;
  auto it = sizes.find(type);
  if (it != sizes.end())
    for (size_t f = 0; f < it->second.size(); ++f) {
      const int sz = it->second[f];
      const bool ok = sz == 1 ? v_scalar<uint8_t>(v, o, static_cast<int>(f)) : v_scalar<int32_t>(v, o, static_cast<int>(f));
      if (!ok) return false;
    }
  if (type == kReshape && !v_vec<int32_t>(v, o, 0)) return false;
  if (type == kSqueeze && !v_vec<int32_t>(v, o, 0)) return false;
  return v.EndTable();
}
bool v_operator(Verifier& v, const Table* op) {
  if (!op->VerifyTableStart(v) || !v_scalar<uint32_t>(v, op, kOpCode) || !v_vec<int32_t>(v, op, kOpInputs) ||
      !v_vec<int32_t>(v, op, kOpOutputs) || !v_scalar<uint8_t>(v, op, kOpOptionsType) || !op->VerifyOffset(v, slot(kOpOptions)))
    return false;
  const Table* o = sub(op, kOpOptions);
  if (o && !v_options(v, get<uint8_t>(op, kOpOptionsType, 0), o)) return false;
  return v.EndTable();
}
// `bad_op` receives the index of the operator being verified (-1 outside the operator list), so a
// refusal can name it.
bool v_subgraph(Verifier& v, const Table* s, int64_t* bad_op) {
  if (!s->VerifyTableStart(v) || !v_tables(v, s, kSgTensors, v_tensor) || !v_vec<int32_t>(v, s, kSgInputs) ||
      !v_vec<int32_t>(v, s, kSgOutputs) || !s->VerifyOffset(v, slot(kSgOperators)))
    return false;
  if (const TableVec* ops = tables(s, kSgOperators)) {
    if (!v.VerifyVector(ops)) return false;
    for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) {
      *bad_op = i;
      if (!v_operator(v, ops->Get(i))) return false;
    }
  }
  *bad_op = -1;
  return v.EndTable();
}
bool v_opcode(Verifier& v, const Table* c) {
  return c->VerifyTableStart(v) && v_scalar<int8_t>(v, c, kCodeDeprecated) && v_str(v, c, kCodeCustom) &&
         v_scalar<int32_t>(v, c, 2) && v_scalar<int32_t>(v, c, kCodeBuiltin) && v.EndTable();
}
bool v_buffer(Verifier& v, const Table* b) {
  return b->VerifyTableStart(v) && v_vec<uint8_t>(v, b, kBufData) && v_scalar<uint64_t>(v, b, kBufOffset) &&
         v_scalar<uint64_t>(v, b, kBufSize) && v.EndTable();
}
bool v_model(Verifier& v, const Table* m, int64_t* bad_op) {
  auto sg = [bad_op](Verifier& vv, const Table* t) { return v_subgraph(vv, t, bad_op); };
  return m->VerifyTableStart(v) && v_scalar<uint32_t>(v, m, 0) && v_tables(v, m, kModelOpcodes, v_opcode) &&
         v_tables(v, m, kModelSubgraphs, sg) && v_tables(v, m, kModelBuffers, v_buffer) && v.EndTable();
}

// The float32 operators (float models), for `ferrite ops` and refusals.
constexpr const char* kFloatList =
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE, SQUEEZE, SOFTMAX, "
    "LOG_SOFTMAX, ADD, SUB, MUL, MAXIMUM, MINIMUM (broadcasting, float constants), MEAN, PAD, PADV2, CONCATENATION, "
    "TRANSPOSE, STRIDED_SLICE, SPLIT, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, "
    "RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, QUANTIZE (float -> int8 / int16), DEQUANTIZE or CAST (a float16 "
    "constant -> float32: float16 weights)";

// ---- the verified model ----
struct TfModel {
  std::string path;
  std::vector<uint8_t> bytes;
  const Table* model = nullptr;
  const Table* sg = nullptr;
  std::vector<int32_t> codes;  // per operator code: builtin code (CUSTOM for custom ops)
  std::vector<std::string> custom;
};

Expected<TfModel> load(const std::string& path) {
  TfModel m;
  m.path = path;
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) return make_error("{}: cannot open file", path);
  const auto size = static_cast<uint64_t>(f.tellg());
  if (size > kMaxTfliteBytes) return make_error("{}: {} bytes, more than the 1 GiB Ferrite reads", path, size);
  m.bytes.resize(size);
  f.seekg(0);
  if (size && !f.read(reinterpret_cast<char*>(m.bytes.data()), static_cast<std::streamsize>(size)))
    return make_error("{}: read error", path);
  if (size < 8 || std::memcmp(m.bytes.data() + 4, "TFL3", 4) != 0)
    return make_error("{}: not a TFLite flatbuffer (no \"TFL3\" identifier at byte 4)", path);
  Verifier v(m.bytes.data(), m.bytes.size());
  const flatbuffers::uoffset_t root = v.VerifyOffset(0);
  if (!root) return make_error("{}: truncated or corrupt TFLite file (root offset out of range)", path);
  m.model = reinterpret_cast<const Table*>(m.bytes.data() + root);
  int64_t bad_op = -1;
  if (!v_model(v, m.model, &bad_op))
    return make_error("{}: {}truncated or corrupt TFLite file (an offset or length points outside the {} bytes, or a "
                      "table is malformed; flatbuffers' Verifier refused it)",
                      path, bad_op >= 0 ? fmt::format("operator {}: ", bad_op) : std::string(), size);
  const TableVec* sgs = tables(m.model, kModelSubgraphs);
  if (!sgs || sgs->size() == 0) return make_error("{}: the model has no subgraph", path);
  if (sgs->size() > 1)
    return make_error("{}: {} subgraphs; Ferrite reads single-subgraph models only (no CALL/WHILE/IF)", path, sgs->size());
  m.sg = sgs->Get(0);
  if (const TableVec* codes = tables(m.model, kModelOpcodes))
    for (flatbuffers::uoffset_t i = 0; i < codes->size(); ++i) {
      const Table* c = codes->Get(i);
      const int32_t code = std::max<int32_t>(get<int8_t>(c, kCodeDeprecated, 0), get<int32_t>(c, kCodeBuiltin, 0));
      m.codes.push_back(code);
      const String* s = c->GetPointer<const String*>(slot(kCodeCustom));
      m.custom.push_back(s ? s->str() : "");
    }
  return m;
}

std::string op_label(const TfModel& m, size_t index, uint32_t code_index) {
  if (code_index >= m.codes.size()) return fmt::format("operator {} (opcode index {} out of range)", index, code_index);
  const int32_t code = m.codes[code_index];
  if (code == CUSTOM) return fmt::format("operator {} (CUSTOM '{}')", index, m.custom[code_index]);
  const char* n = builtin_name(code);
  return n ? fmt::format("operator {} ({})", index, n) : fmt::format("operator {} (builtin code {})", index, code);
}

// ---- building the IR ----
struct Builder {
  explicit Builder(const TfModel& model) : m(model) {}
  const TfModel& m;
  Graph g;
  std::vector<TensorId> ids;  // TFLite tensor index -> IR activation tensor (created on first use)
  const TableVec* tensors = nullptr;
  const TableVec* buffers = nullptr;
  std::string where;  // "operator 3 (CONV_2D)" while mapping an operator
  int cur_op = -1;    // its index

  template <typename... A>
  Error err(fmt::format_string<A...> f, A&&... a) {
    return Error{fmt::format("{}: {}: {}", m.path, where, fmt::format(f, std::forward<A>(a)...))};
  }

  Expected<const Table*> tensor(int32_t idx) {
    if (!tensors || idx < 0 || static_cast<uint32_t>(idx) >= tensors->size())
      return err("tensor index {} out of range ({} tensors)", idx, tensors ? tensors->size() : 0);
    return tensors->Get(static_cast<flatbuffers::uoffset_t>(idx));
  }
  static std::string name_of(const Table* t) {
    const String* s = t->GetPointer<const String*>(slot(kTName));
    return s ? s->str() : "";
  }
  Expected<Shape> shape_of(const Table* t) {
    Shape s;
    if (const Vector<int32_t>* v = vec<int32_t>(t, kTShape))
      for (int32_t d : *v) {
        if (d <= 0) return err("tensor '{}' has dimension {} (dynamic or empty shapes are not supported)", name_of(t), d);
        s.push_back(d);
      }
    if (s.size() > 6) return err("tensor '{}' has rank {}", name_of(t), s.size());
    return s;
  }
  Expected<DType> dtype_of(const Table* t) {
    switch (get<int8_t>(t, kTType, 0)) {
      case 0: return DType::F32;
      case 2: return DType::I32;
      case 3: return DType::U8;
      case 4: return DType::I64;
      case 7: return DType::I16;
      case 9: return DType::I8;
      case 1:  // float16: only as the constant input of DEQUANTIZE / CAST (float16 weights), folded at import
        return err("tensor '{}' is float16; float16 is supported only as a constant buffer read by DEQUANTIZE or CAST "
                   "(float16 weights), not as an activation, graph input or output, or operand of another operator",
                   name_of(t));
      default: return err("tensor '{}' has TFLite type {}, not supported", name_of(t), get<int8_t>(t, kTType, 0));
    }
  }
  // Constants computed at import, by tensor: the float32 values (stored order) of a DEQUANTIZE's
  // output whose input is a constant float16 buffer (dequantize_f16). data_of returns them as if the
  // tensor had a float32 buffer, so every consumer sees an ordinary float32 constant.
  std::map<const Table*, std::vector<uint8_t>> folded;
  // The constant bytes of a tensor (empty when it has no buffer data), checked against its size.
  Expected<std::vector<uint8_t>> data_of(const Table* t, DType dt, const Shape& s) {
    if (auto f = folded.find(t); f != folded.end()) return f->second;
    const uint32_t b = get<uint32_t>(t, kTBuffer, 0);
    if (!buffers || b >= buffers->size())
      return err("tensor '{}' refers to buffer {} out of range ({} buffers)", name_of(t), b, buffers ? buffers->size() : 0);
    const Table* buf = buffers->Get(b);
    if (get<uint64_t>(buf, kBufOffset, 0) != 0 || get<uint64_t>(buf, kBufSize, 0) != 0)
      return err("tensor '{}': buffer {} is stored outside the flatbuffer (offset/size), not supported", name_of(t), b);
    const Vector<uint8_t>* d = vec<uint8_t>(buf, kBufData);
    if (!d || d->size() == 0) return std::vector<uint8_t>{};
    if (Status st = check_tensor_size(s, dtype_size(dt), "'" + name_of(t) + "'"); !st) return err("{}", st.error().message);
    const uint64_t want = static_cast<uint64_t>(shape_numel(s)) * dtype_size(dt);
    if (d->size() != want)
      return err("tensor '{}': buffer {} holds {} bytes, its shape {} needs {}", name_of(t), b, d->size(), shape_str(s), want);
    return std::vector<uint8_t>(d->begin(), d->end());
  }
  struct Quant {
    std::vector<float> scale;
    std::vector<int64_t> zp;
    int32_t dim = 0;
  };
  Expected<Quant> quant_of(const Table* t) {
    Quant q;
    const Table* qt = sub(t, kTQuant);
    if (qt) {
      if (const Vector<float>* s = vec<float>(qt, kQScale)) q.scale.assign(s->begin(), s->end());
      // The verifier checks a vector's length word (4-byte aligned), not 8-byte elements: a hand-made
      // file may place this int64 vector at any 4-byte boundary, so it is read bytewise.
      if (const Vector<int64_t>* z = vec<int64_t>(qt, kQZeroPoint)) {
        q.zp.resize(z->size());
        if (!q.zp.empty()) std::memcpy(q.zp.data(), z->Data(), q.zp.size() * sizeof(int64_t));
        for (int64_t& v : q.zp) v = flatbuffers::EndianScalar(v);
      }
      q.dim = get<int32_t>(qt, kQDim, 0);
      if (sub(qt, kQDetails)) return err("tensor '{}' has custom quantization details, not supported", name_of(t));
    }
    if (q.zp.empty() && !q.scale.empty()) q.zp.assign(q.scale.size(), 0);
    if (q.zp.size() != q.scale.size()) return err("tensor '{}': {} scales but {} zero points", name_of(t), q.scale.size(), q.zp.size());
    for (float s : q.scale)
      if (!(s > 0.f) || !std::isfinite(s)) return err("tensor '{}': scale {} is not a positive finite number", name_of(t), s);
    return q;
  }

  // Logical IR shape of an activation: rank-4 NHWC becomes NCHW (the IR's convention).
  static Shape logical(const Shape& s) { return s.size() == 4 ? Shape{s[0], s[3], s[1], s[2]} : s; }

  // The IR tensor of an int8 activation (graph input or an operator's output), created on first use.
  Expected<TensorId> act(int32_t idx, bool as_output = false) {
    auto t = tensor(idx);
    if (!t) return t.error();
    if (ids[static_cast<size_t>(idx)] != kNoTensor) {
      if (as_output) return err("tensor '{}' is written by two operators", name_of(*t));
      return ids[static_cast<size_t>(idx)];
    }
    auto dt = dtype_of(*t);
    if (!dt) return dt.error();
    auto s = shape_of(*t);
    if (!s) return s.error();
    if (Status st = check_tensor_size(*s, dtype_size(*dt), "'" + name_of(*t) + "'"); !st) return err("{}", st.error().message);
    auto d = data_of(*t, *dt, *s);
    if (!d) return d.error();
    if (!d->empty()) return err("tensor '{}' is a constant where an activation is expected", name_of(*t));
    if (!as_output && !is_input(idx)) return err("tensor '{}' is read before any operator writes it", name_of(*t));
    if (*dt != DType::I8 && *dt != DType::F32 && *dt != DType::I16 && *dt != DType::U8)
      return err("tensor '{}' is {}; only int8, int16 (16x8) and float32 activations are supported", name_of(*t),
                 dtype_name(*dt));
    if (*dt == DType::U8) {  // only at QUANTIZE boundaries (the operator loop refuses any other reader/writer)
      auto q = quant_of(*t);
      if (!q) return q.error();
      if (q->scale.size() != 1) return err("uint8 tensor '{}' must be quantized per tensor", name_of(*t));
      if (q->zp[0] < 0 || q->zp[0] > 255) return err("tensor '{}': zero point {} outside uint8", name_of(*t), q->zp[0]);
    }
    if (*dt == DType::I8 || *dt == DType::I16) {
      auto q = quant_of(*t);
      if (!q) return q.error();
      if (q->scale.size() != 1) return err("{} tensor '{}' must be quantized per tensor", dtype_name(*dt), name_of(*t));
      if (q->zp[0] < -128 || q->zp[0] > 127) return err("tensor '{}': zero point {} outside int8", name_of(*t), q->zp[0]);
      if (*dt == DType::I16 && q->zp[0] != 0)
        return err("int16 tensor '{}' has zero point {} (TFLite's 16x8 quantization needs 0)", name_of(*t), q->zp[0]);
    }
    Tensor x;
    x.name = name_of(*t).empty() ? fmt::format("t{}", idx) : name_of(*t);
    x.dtype = *dt;
    x.shape = logical(*s);
    const TensorId id = g.add_tensor(std::move(x));
    ids[static_cast<size_t>(idx)] = id;
    return id;
  }
  bool is_input(int32_t idx) const {
    if (const Vector<int32_t>* in = vec<int32_t>(m.sg, kSgInputs))
      for (int32_t i : *in)
        if (i == idx) return true;
    return false;
  }
  // Per-tensor (scale, zp) of an activation as IR constants.
  Expected<std::pair<TensorId, TensorId>> qconsts(int32_t idx) {
    auto t = tensor(idx);
    if (!t) return t.error();
    auto q = quant_of(*t);
    if (!q) return q.error();
    if (q->scale.size() != 1) return err("tensor '{}' must be quantized per tensor", name_of(*t));
    if (get<int8_t>(*t, kTType, 0) == 3)  // uint8 (QUANTIZE boundaries): a uint8 zero point, as ONNX's uint8 QDQ
      return std::make_pair(constant(name_of(*t) + "_scale", DType::F32, {}, q->scale),
                            constant(name_of(*t) + "_zp", DType::U8, {}, std::vector<uint8_t>{static_cast<uint8_t>(q->zp[0])}));
    return std::make_pair(constant(name_of(*t) + "_scale", DType::F32, {}, q->scale),
                          constant(name_of(*t) + "_zp", DType::I8, {}, std::vector<int8_t>{static_cast<int8_t>(q->zp[0])}));
  }
  // The optional int32 bias (operator input 2) of a conv / fully connected layer with `count`
  // outputs as an IR constant; kNoTensor when the operator has none.
  // With int16 activations (16x8) the bias is int64 (int32 is accepted and widened): an int64 constant.
  Expected<TensorId> bias_constant(const std::vector<int32_t>& in, int64_t count, bool x16 = false) {
    if (in.size() <= 2 || in[2] < 0) return kNoTensor;
    auto bt = tensor(in[2]);
    if (!bt) return bt.error();
    auto bdt = dtype_of(*bt);
    if (!bdt) return bdt.error();
    auto bs = shape_of(*bt);
    if (!bs) return bs.error();
    if (x16 ? (*bdt != DType::I64 && *bdt != DType::I32) : *bdt != DType::I32)
      return err("bias must be an {} constant of {} values", x16 ? "int64 (or int32)" : "int32", count);
    if (*bs != Shape{count}) return err("bias must hold {} values", count);
    auto bd = data_of(*bt, *bdt, *bs);
    if (!bd) return bd.error();
    if (bd->empty()) return err("bias is not a constant");
    Tensor c;
    c.name = name_of(*bt);
    c.dtype = x16 ? DType::I64 : DType::I32;
    c.shape = {count};
    if (x16 && *bdt == DType::I32) {
      std::vector<int64_t> w(static_cast<size_t>(count));
      for (size_t i = 0; i < w.size(); ++i) {
        int32_t v;
        std::memcpy(&v, bd->data() + 4 * i, 4);
        w[i] = v;
      }
      c.data = std::vector<uint8_t>(w.size() * 8);
      std::memcpy(c.data->data(), w.data(), c.data->size());
    } else {
      c.data = std::move(*bd);
    }
    return g.add_tensor(std::move(c));
  }
  template <typename T>
  TensorId constant(const std::string& name, DType dt, Shape s, const std::vector<T>& v) {
    Tensor c;
    c.name = name;
    c.dtype = dt;
    c.shape = std::move(s);
    c.data = std::vector<uint8_t>(v.size() * sizeof(T));
    if (!v.empty()) std::memcpy(c.data->data(), v.data(), c.data->size());
    return g.add_tensor(std::move(c));
  }
  float qscale(int32_t idx) {
    auto t = tensor(idx);
    auto q = quant_of(*t);
    return q && !q->scale.empty() ? q->scale[0] : 1.f;
  }
  int64_t qzp(int32_t idx) {
    auto t = tensor(idx);
    auto q = quant_of(*t);
    return q && !q->zp.empty() ? q->zp[0] : 0;
  }

  // ---- NHWC-order reshapes ----
  // TFLite reshapes rank-4 tensors in NHWC element order; the IR's rank-4 tensors are NCHW. Both
  // orders agree when C == 1 or H * W == 1 (then a Reshape is an alias); otherwise the data goes
  // through a Transpose (a strided copy) to or from a tensor of logical shape [N, H, W, C], whose
  // element order is TFLite's.
  static bool orders_differ(const Shape& s) { return s.size() == 4 && s[2] * s[3] != 1 && s[1] != 1; }
  TensorId transpose(TensorId x, Shape to, std::vector<int64_t> perm, const std::string& nm) {
    Tensor t;
    t.name = nm;
    t.dtype = g.t(x).dtype;
    t.shape = std::move(to);
    const TensorId id = g.add_tensor(std::move(t));
    Node n;
    n.op = OpKind::Transpose;
    n.index = cur_op;
    n.name = nm;
    n.inputs = {x};
    n.outputs = {id};
    n.attrs.values["perm"] = std::move(perm);
    g.nodes.push_back(std::move(n));
    return id;
  }
  // x (logical NCHW) as [N, H, W, C] in NHWC element order.
  TensorId to_nhwc_order(TensorId x, const std::string& nm) {
    const Shape s = g.t(x).shape;
    return transpose(x, {s[0], s[2], s[3], s[1]}, {0, 2, 3, 1}, nm);
  }
  // Reshape x to `y` in TFLite's (NHWC) element order: Transposes where the orders differ.
  Node nhwc_order_reshape(TensorId x, TensorId y, const std::string& nm) {
    TensorId src = orders_differ(g.t(x).shape) ? to_nhwc_order(x, nm + "_nhwc_order") : x;
    const Shape ys = g.t(y).shape;
    Node n;
    n.index = cur_op;
    n.name = nm;
    if (!orders_differ(ys)) {
      n.op = OpKind::Reshape;
      n.inputs = {src, constant(nm + "_shape", DType::I64, {static_cast<int64_t>(ys.size())}, ys)};
      n.outputs = {y};
      return n;
    }
    Tensor t;  // y's elements in NHWC order, then transposed to y
    t.name = nm + "_nhwc";
    t.dtype = g.t(y).dtype;
    t.shape = {ys[0], ys[2], ys[3], ys[1]};
    const Shape ts = t.shape;
    const TensorId tid = g.add_tensor(std::move(t));
    Node r;
    r.op = OpKind::Reshape;
    r.index = cur_op;
    r.name = nm + "_reshape";
    r.inputs = {src, constant(r.name + "_shape", DType::I64, {4}, ts)};
    r.outputs = {tid};
    g.nodes.push_back(std::move(r));
    n.op = OpKind::Transpose;
    n.inputs = {tid};
    n.outputs = {y};
    n.attrs.values["perm"] = std::vector<int64_t>{0, 3, 1, 2};
    return n;
  }

  // ---- stage 2 helpers ----
  // The values of a constant int32/int64 tensor (axes, paddings, permutations, slice bounds).
  Expected<std::vector<int64_t>> ints(int32_t idx, const char* what) {
    auto t = tensor(idx);
    if (!t) return t.error();
    auto dt = dtype_of(*t);
    if (!dt) return dt.error();
    auto s = shape_of(*t);
    if (!s) return s.error();
    if (*dt != DType::I32 && *dt != DType::I64) return err("{} '{}' must be an int32 constant", what, name_of(*t));
    auto d = data_of(*t, *dt, *s);
    if (!d) return d.error();
    if (d->empty()) return err("{} '{}' must be a constant", what, name_of(*t));
    std::vector<int64_t> v(static_cast<size_t>(shape_numel(*s)));
    for (size_t i = 0; i < v.size(); ++i) {
      if (*dt == DType::I32) {
        int32_t x;
        std::memcpy(&x, d->data() + 4 * i, 4);
        v[i] = x;
      } else {
        std::memcpy(&v[i], d->data() + 8 * i, 8);
      }
    }
    return v;
  }
  // The TFLite shape of a tensor (NHWC for rank 4), as stored.
  Expected<Shape> tfl_shape(int32_t idx) {
    auto t = tensor(idx);
    if (!t) return t.error();
    return shape_of(*t);
  }
  // Both tensors carry the same per-tensor scale and zero point (data movement, MAXIMUM, ...).
  bool same_quant(int32_t a, int32_t c) { return qscale(a) == qscale(c) && qzp(a) == qzp(c); }

  // An operand of a broadcasting binary operator whose output has rank `rank`: an activation or an
  // int8 constant, brought to `rank` dims by leading 1s (numpy/TFLite broadcasting aligns trailing
  // NHWC dims), as an IR tensor with the logical (NCHW) shape. A constant's bytes are transposed
  // NHWC -> NCHW; a lower-rank activation gets a Reshape (an alias) where both orders agree.
  Expected<TensorId> operand(int32_t idx, size_t rank) {
    auto t = tensor(idx);
    if (!t) return t.error();
    auto dt = dtype_of(*t);
    if (!dt) return dt.error();
    auto s = shape_of(*t);
    if (!s) return s.error();
    if (s->size() > rank) return err("operand '{}' has rank {}, the output {}", name_of(*t), s->size(), rank);
    Shape e(rank - s->size(), 1);
    e.insert(e.end(), s->begin(), s->end());
    auto d = data_of(*t, *dt, *s);
    if (!d) return d.error();
    if (d->empty()) {
      auto x = act(idx);
      if (!x) return x.error();
      if (s->size() == rank) return *x;
      if (rank == 4 && e[1] * e[2] != 1 && e[3] != 1)
        return err("operand '{}' of shape {} would need an NHWC-order reshape to rank 4; not supported yet", name_of(*t),
                   shape_str(*s));
      Tensor r;
      r.name = g.t(*x).name + "_rank" + std::to_string(rank);
      r.dtype = g.t(*x).dtype;
      r.shape = logical(e);
      const TensorId rid = g.add_tensor(std::move(r));
      Node n;
      n.op = OpKind::Reshape;
      n.index = cur_op;
      n.name = g.t(rid).name;
      n.inputs = {*x, constant(n.name + "_shape", DType::I64, {static_cast<int64_t>(rank)}, g.t(rid).shape)};
      n.outputs = {rid};
      g.nodes.push_back(std::move(n));
      return rid;
    }
    if (*dt != DType::I8 && *dt != DType::I16 && *dt != DType::U8)
      return err("constant operand '{}' is {}, expected int8 (int16 in 16x8 models, uint8 in uint8 models)", name_of(*t),
                 dtype_name(*dt));
    auto q = quant_of(*t);
    if (!q) return q.error();
    if (q->scale.size() != 1) return err("constant operand '{}' must be quantized per tensor", name_of(*t));
    if (*dt == DType::I16 && q->zp[0] != 0)
      return err("int16 constant '{}' has zero point {} (TFLite's 16x8 quantization needs 0)", name_of(*t), q->zp[0]);
    if (*dt == DType::U8 && (q->zp[0] < 0 || q->zp[0] > 255))
      return err("constant '{}': zero point {} outside uint8", name_of(*t), q->zp[0]);
    const size_t es = dtype_size(*dt);
    std::vector<uint8_t> v(d->begin(), d->end());
    if (rank == 4) {  // NHWC -> NCHW, element by element
      std::vector<uint8_t> w(v.size());
      const int64_t N = e[0], H = e[1], W = e[2], C = e[3];
      for (int64_t n = 0; n < N; ++n)
        for (int64_t h = 0; h < H; ++h)
          for (int64_t x = 0; x < W; ++x)
            for (int64_t c = 0; c < C; ++c)
              std::memcpy(&w[static_cast<size_t>(((n * C + c) * H + h) * W + x) * es],
                          &v[static_cast<size_t>(((n * H + h) * W + x) * C + c) * es], es);
      v = std::move(w);
    }
    return constant(name_of(*t), *dt, logical(e), v);  // bytes
  }
};

// The IR (logical, NCHW for rank 4) axis of TFLite axis `a` (NHWC for rank 4) of a rank-`r` tensor.
int64_t logical_axis(int64_t a, size_t r) {
  static const int64_t nhwc_to_nchw[4] = {0, 2, 3, 1};
  return r == 4 ? nhwc_to_nchw[a] : a;
}

// Output size and leading padding of one spatial dim under TFLite's SAME (0) / VALID (1) rule.
std::pair<int64_t, int64_t> tfl_pad(int64_t in, int64_t k, int64_t stride, int64_t dil, int padding) {
  const int64_t eff = (k - 1) * dil + 1;
  if (padding == 1) return {(in - eff + stride) / stride, 0};
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>((out - 1) * stride + eff - in, 0);
  return {out, total / 2};
}

Status fused_act(Builder& b, Node& n, int8_t act) {
  switch (act) {
    case 0: return Status::ok();
    case 1: n.act.kind = FusedAct::Relu; break;
    case 2: n.act.kind = FusedAct::Clip; n.act.lo = -1.f; n.act.hi = 1.f; break;
    case 3: n.act.kind = FusedAct::Clip; n.act.lo = 0.f; n.act.hi = 6.f; break;
    default: return b.err("fused activation {} (TANH/SIGN_BIT) is not supported", act);
  }
  n.act.from = "fused activation";
  return Status::ok();
}


// Elementwise operators write as many elements as they read: the file's output shape must be the
// input's (a hostile file could otherwise make a kernel write past its output). CONCATENATION's
// inputs must match the output but along the axis, where they sum to it.
Status check_shapes(Builder& b, const Node& n) {
  switch (n.op) {
    case OpKind::Requantize: case OpKind::QLinearLeakyRelu: case OpKind::QLinearSigmoid: case OpKind::QLinearActivation:
    case OpKind::DequantizeLinear: case OpKind::QuantizeLinear: case OpKind::Relu: case OpKind::Clip:
    case OpKind::Softmax: case OpKind::LogSoftmax: case OpKind::QLinearSoftmax:
      for (TensorId i : n.inputs)
        if (!b.g.t(i).is_constant() && b.g.t(i).shape != b.g.t(n.outputs[0]).shape)
          return b.err("output shape {} differs from the input's {}", shape_str(b.g.t(n.outputs[0]).shape),
                       shape_str(b.g.t(i).shape));
      return Status::ok();
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Max: case OpKind::Min:  // float: broadcasting
      for (TensorId i : n.inputs) {
        const Shape& x = b.g.t(i).shape;
        const Shape& y = b.g.t(n.outputs[0]).shape;
        bool fits = x.size() == y.size();
        for (size_t d = 0; fits && d < y.size(); ++d) fits = x[d] == y[d] || x[d] == 1;
        if (!fits) return b.err("input shape {} does not broadcast to the output {}", shape_str(x), shape_str(y));
      }
      return Status::ok();
    case OpKind::QLinearConcat: {
      const Shape& y = b.g.t(n.outputs[0]).shape;
      const auto axis = static_cast<size_t>(n.attrs.i("axis", 0));
      int64_t sum = 0;
      for (size_t i = 2; i < n.inputs.size(); i += 3) {
        const Shape& x = b.g.t(n.inputs[i]).shape;
        if (x.size() != y.size()) return b.err("input {} has rank {}, the output {}", (i - 2) / 3, x.size(), y.size());
        for (size_t d = 0; d < y.size(); ++d)
          if (d != axis && x[d] != y[d]) return b.err("input {} of shape {} does not fit the output {}", (i - 2) / 3, shape_str(x), shape_str(y));
        sum += x[axis];
      }
      if (sum != y[axis]) return b.err("the inputs sum to {} along the axis, the output has {}", sum, y[axis]);
      return Status::ok();
    }
    default: return Status::ok();
  }
}

// ---- TFLite's 16x8 quantization: which operators take int16 activations ----
// The operators with an int16 kernel in TFLite (reference ops / TFLite Micro) that Ferrite computes
// with TFLite's int16 rules (ops/tflite_numerics.cpp, docs/tflite.md "16x8 models").
constexpr int32_t kInt16Ops[] = {CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, MAXIMUM, MINIMUM,
                                 AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, PAD, PADV2, RESHAPE, SQUEEZE, CONCATENATION,
                                 TRANSPOSE, STRIDED_SLICE, SPLIT, SOFTMAX, RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH,
                                 RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR};
constexpr const char* kInt16List =
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, MAXIMUM, MINIMUM, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, "
    "PAD, PADV2, RESHAPE, SQUEEZE, CONCATENATION, TRANSPOSE, STRIDED_SLICE, SPLIT, SOFTMAX, RELU, RELU6, LEAKY_RELU, "
    "LOGISTIC, TANH, RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, QUANTIZE (float -> int16) and DEQUANTIZE (int16 -> float)";

// Refuses an operator with int16 activation operands unless TFLite has an int16 kernel for it that
// Ferrite implements, and any mix of int16 with other activation types (QUANTIZE / DEQUANTIZE only
// between float32 and int16).
Status int16_gate(Builder& b, int32_t code, const std::vector<int32_t>& in, const std::vector<int32_t>& out) {
  std::vector<int32_t> acts = out;  // the activation operands: outputs, then the data inputs
  if (code == SPLIT) {
    if (in.size() > 1) acts.push_back(in[1]);  // in[0] is the axis
  } else if (code == CONCATENATION) {
    acts.insert(acts.end(), in.begin(), in.end());
  } else {
    if (!in.empty()) acts.push_back(in[0]);
    if ((code == ADD || code == SUB || code == MUL || code == MAXIMUM || code == MINIMUM) && in.size() > 1)
      acts.push_back(in[1]);
  }
  bool any16 = false, all16 = true, other_float = true;
  for (int32_t i : acts) {
    if (i < 0) continue;
    auto t = b.tensor(i);
    if (!t) return t.error();
    const int8_t ty = get<int8_t>(*t, kTType, 0);
    any16 = any16 || ty == 7;
    all16 = all16 && ty == 7;
    other_float = other_float && (ty == 7 || ty == 0);
  }
  if (!any16) return Status::ok();
  if (code == QUANTIZE || code == DEQUANTIZE) {  // the float <-> int16 boundary only
    if (!other_float || all16) return b.err("int16 {} is supported between float32 and int16 only", builtin_name(code));
    return Status::ok();
  }
  if (code == HARD_SWISH || code == RELU_N1_TO_1)
    return b.err("int16 {} is not supported: TFLite has no int16 {} kernel (int16 activations are supported for {})",
                 builtin_name(code), builtin_name(code), kInt16List);
  if (std::find(std::begin(kInt16Ops), std::end(kInt16Ops), code) == std::end(kInt16Ops))
    return b.err("int16 activations (16x8 quantization) are supported for {} only", kInt16List);
  if (!all16) return b.err("mixes int16 and other activation types (int16 operators need int16 inputs and outputs)");
  return Status::ok();
}

// ---- fully-uint8 models (legacy quantization: uint8 activations, asymmetric per-tensor uint8 weights) ----
// The operators with a uint8 kernel in TFLite whose uint8 rule Ferrite computes (docs/tflite.md
// "uint8 models"). The importer keeps their uint8 tensors, weights and zero points uint8;
// normalize-int8 then stores them as int8 with zero point - 128 (FlipSign at the model's uint8
// API), which gives the same (q - zero point) everywhere, so the int8 kernels compute TFLite's
// uint8 rule where it is written on q - zero point with uint8 limits. Where TFLite's uint8 rule
// differs from its int8 one, the node carries attribute "tfl_uint8" and lowering applies the uint8
// rule (CONV_2D / DEPTHWISE_CONV_2D: the multiplier from the float product x_scale * w_scale;
// SUB: double multipliers; MUL: the multiplier's ratio in float (TFLite's sub.cc / mul.cc, where the
// int8 rules follow TFLite Micro); AVERAGE_POOL_2D: the division rounding of the non-negative uint8
// sum; HARD_SWISH: the int16 sum with the uint8 zero point); MEAN and RESIZE_BILINEAR, whose uint8 paths TFLite computes otherwise
// (legacy float-rounded / float-interpolating kernels), are refused.
constexpr int32_t kUint8Ops[] = {CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, MAXIMUM, MINIMUM,
                                 AVERAGE_POOL_2D, MAX_POOL_2D, PAD, PADV2, RESHAPE, SQUEEZE, CONCATENATION,
                                 TRANSPOSE, STRIDED_SLICE, SPLIT, SOFTMAX, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU,
                                 LOGISTIC, TANH, HARD_SWISH, QUANTIZE, DEQUANTIZE, RESIZE_NEAREST_NEIGHBOR};
constexpr const char* kUint8List =
    "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED (uint8 weights, per tensor), ADD, SUB, MUL, MAXIMUM, MINIMUM, "
    "AVERAGE_POOL_2D, MAX_POOL_2D, PAD, PADV2, RESHAPE, SQUEEZE, CONCATENATION, TRANSPOSE, STRIDED_SLICE, SPLIT, "
    "SOFTMAX, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, LOGISTIC, TANH, HARD_SWISH, RESIZE_NEAREST_NEIGHBOR, QUANTIZE "
    "(float32 / int8 / uint8 -> uint8, uint8 -> int8) and DEQUANTIZE (uint8 -> float32)";

// Refuses an operator with uint8 operands unless TFLite has a uint8 kernel for it whose rule Ferrite
// computes, and any mix of uint8 with other types (QUANTIZE / DEQUANTIZE aside). *u8 tells whether
// the operator has uint8 operands.
Status uint8_gate(Builder& b, int32_t code, const std::vector<int32_t>& in, const std::vector<int32_t>& out, bool* u8) {
  std::vector<int32_t> ops = out;  // the typed operands: outputs, data inputs, weights / constant operands
  if (code == SPLIT) {
    if (in.size() > 1) ops.push_back(in[1]);
  } else if (code == CONCATENATION) {
    ops.insert(ops.end(), in.begin(), in.end());
  } else {
    if (!in.empty()) ops.push_back(in[0]);
    if ((code == ADD || code == SUB || code == MUL || code == MAXIMUM || code == MINIMUM || code == CONV_2D ||
         code == DEPTHWISE_CONV_2D || code == FULLY_CONNECTED) && in.size() > 1)
      ops.push_back(in[1]);
    if (code == PADV2 && in.size() > 2) ops.push_back(in[2]);
  }
  bool any8 = false, all8 = true;
  for (int32_t i : ops) {
    if (i < 0) continue;
    auto t = b.tensor(i);
    if (!t) return t.error();
    const int8_t ty = get<int8_t>(*t, kTType, 0);
    any8 = any8 || ty == 3;
    all8 = all8 && ty == 3;
  }
  *u8 = any8;
  if (!any8) return Status::ok();
  auto type_of = [&](int32_t i) -> int8_t {
    auto t = b.tensor(i);
    return t ? get<int8_t>(*t, kTType, 0) : -1;
  };
  auto tname = [](int8_t ty) {
    return ty == 0 ? std::string("float32") : ty == 7 ? std::string("int16") : ty == 9 ? std::string("int8")
                   : ty == 3 ? std::string("uint8") : fmt::format("TFLite type {}", ty);
  };
  if (code == QUANTIZE) {  // float32 / int8 / uint8 -> uint8, uint8 -> int8
    if (in.size() != 1 || out.size() != 1 || in[0] < 0 || out[0] < 0) return Status::ok();  // (the mapping refuses)
    const int8_t ti = type_of(in[0]), to = type_of(out[0]);
    if (!((to == 3 && (ti == 0 || ti == 9 || ti == 3)) || (ti == 3 && to == 9)))
      return b.err("uint8 QUANTIZE is supported from float32, int8 or uint8 to uint8 and from uint8 to int8 only "
                   "({} -> {})", tname(ti), tname(to));
    return Status::ok();
  }
  if (code == DEQUANTIZE) {
    if (out.size() == 1 && out[0] >= 0 && type_of(out[0]) != 0)
      return b.err("uint8 DEQUANTIZE is supported to float32 only (not {})", tname(type_of(out[0])));
    return Status::ok();
  }
  if (code == MEAN)
    return b.err("uint8 MEAN is not supported: TFLite's uint8 MEAN takes legacy paths (a float-rounded zero-point "
                 "bias over H, W; an integer division of the raw sum with equal quantization) that differ from its "
                 "int8 rule (uint8 operators: {})", kUint8List);
  if (code == RESIZE_BILINEAR)
    return b.err("uint8 RESIZE_BILINEAR is not supported: TFLite interpolates uint8 in float (reference_ops::"
                 "ResizeBilinear), not with the integer rule of its int8 kernel (uint8 operators: {})", kUint8List);
  if (std::find(std::begin(kUint8Ops), std::end(kUint8Ops), code) == std::end(kUint8Ops)) {
    const char* nm = builtin_name(code);
    bool mapped = false;
    for (const char* k : kSupported) mapped = mapped || (nm && std::strcmp(nm, k) == 0);
    if (mapped)
      return b.err("uint8 {} is not supported: TFLite has no uint8 {} kernel (uint8 operators: {})", builtin_name(code),
                   builtin_name(code), kUint8List);
    return Status::ok();  // an operator Ferrite does not map: the mapping's refusal names it
  }
  if (!all8)
    return b.err("mixes uint8 and other types (TFLite's uint8 {} needs uint8 inputs, outputs{})", builtin_name(code),
                 code == CONV_2D || code == DEPTHWISE_CONV_2D || code == FULLY_CONNECTED ? " and weights" : "");
  return Status::ok();
}

// RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (int8 and float32).
Status map_resize(Builder& b, int32_t code, const std::vector<int32_t>& in, const std::vector<int32_t>& out, uint8_t otype,
                  const Table* opt, Node& n) {
  // TFLite's index rule is evaluated at compile time. RESIZE_NEAREST_NEIGHBOR that is a
  // replication by an integer factor in both dims (the usual x2 upsampling) becomes byte copies:
  // Reshape [N,C,H,1,W,1] -> f copies concatenated on axis 5, then on axis 3 -> Reshape
  // [N,C,H*f,W*f] (any layout). Every other resize becomes an IR Resize node with attribute
  // "tfl_mode" (nearest / bilinear), lowered to resize_s8_tfl with TFLite's integer rule
  // (tflite_numerics.cpp, lower_resize).
  const bool bilinear = code == RESIZE_BILINEAR;
  if (in.size() != 2 || out.size() != 1) return b.err("{} inputs and {} outputs, expected 2 and 1", in.size(), out.size());
  bool align = false, half = false;
  if (opt) {
    if (otype != (bilinear ? kResizeBilinear : kResizeNearest)) return b.err("mismatched builtin options (type {})", otype);
    align = get<uint8_t>(opt, bilinear ? 2 : 0, 0) != 0;
    half = get<uint8_t>(opt, bilinear ? 3 : 1, 0) != 0;
  }
  if (bilinear && align && half) return b.err("align_corners and half_pixel_centers both set (TFLite refuses it)");
  auto x = b.act(in[0]);
  if (!x) return x.error();
  const Shape xs = b.g.t(*x).shape;  // NCHW
  if (xs.size() != 4) return b.err("input must be 4-D");
  auto size = b.ints(in[1], "size");
  if (!size) return size.error();
  if (size->size() != 2 || (*size)[0] < 1 || (*size)[1] < 1 || (*size)[0] > 65536 || (*size)[1] > 65536)
    return b.err("size must hold two positive values");
  if (xs[2] > 65536 || xs[3] > 65536) return b.err("input of {}x{} is above the supported 65536", xs[2], xs[3]);
  auto y = b.act(out[0], true);
  if (!y) return y.error();
  if (b.g.t(*y).dtype != b.g.t(*x).dtype) return b.err("input and output types differ");
  if (!b.same_quant(in[0], out[0])) return b.err("input and output quantization differ");
  const Shape want = {xs[0], xs[1], (*size)[0], (*size)[1]};
  if (b.g.t(*y).shape != want) return b.err("output shape {} (NCHW) is not {}", shape_str(b.g.t(*y).shape), shape_str(want));
  int64_t f[2] = {0, 0};
  for (int d = 0; d < 2 && !bilinear; ++d) {
    const auto in_size = static_cast<int32_t>(xs[2 + static_cast<size_t>(d)]);
    const auto out_size = static_cast<int32_t>((*size)[static_cast<size_t>(d)]);
    const std::vector<int32_t> idx = tflite_nearest_indices(in_size, out_size, align, half);
    f[d] = out_size % in_size == 0 ? out_size / in_size : 0;
    for (int32_t o = 0; o < out_size && f[d] > 0; ++o)
      if (idx[static_cast<size_t>(o)] != o / f[d]) f[d] = 0;
  }
  const int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  // (N = C = H = 1: the concat of one tensor with itself would be a contiguous-slice concat)
  if (bilinear || f[0] == 0 || f[1] == 0 || f[0] > 64 || f[1] > 64 || N * C * H == 1) {
    n.op = OpKind::Resize;
    n.inputs = {*x};
    n.outputs = {*y};
    n.attrs.values["tfl_mode"] = std::string(bilinear ? "bilinear" : "nearest");
    n.attrs.values["align_corners"] = int64_t{align ? 1 : 0};
    n.attrs.values["half_pixel_centers"] = int64_t{half ? 1 : 0};
    return Status::ok();
  }
  auto tensor6 = [&](const std::string& nm, Shape sh) {
    Tensor t;
    t.name = nm;
    t.dtype = b.g.t(*x).dtype;
    t.shape = std::move(sh);
    return b.g.add_tensor(std::move(t));
  };
  const std::string base = n.name;
  auto reshape = [&](TensorId from, TensorId to, const std::string& nm) {
    Node r;
    r.op = OpKind::Reshape;
    r.index = n.index;
    r.name = nm;
    r.inputs = {from, b.constant(nm + "_shape", DType::I64, {static_cast<int64_t>(b.g.t(to).shape.size())}, b.g.t(to).shape)};
    r.outputs = {to};
    b.g.nodes.push_back(std::move(r));
  };
  auto concat = [&](TensorId from, TensorId to, int64_t copies, int64_t axis, const std::string& nm) {
    Node c;
    c.op = OpKind::Concat;
    c.index = n.index;
    c.name = nm;
    c.inputs.assign(static_cast<size_t>(copies), from);
    c.outputs = {to};
    c.attrs.values["axis"] = axis;
    b.g.nodes.push_back(std::move(c));
  };
  const TensorId t0 = tensor6(base + "_r6", {N, C, H, 1, W, 1});
  reshape(*x, t0, base + "_r6");
  TensorId cur = t0;
  if (f[1] > 1) {
    const TensorId t1 = tensor6(base + "_w", {N, C, H, 1, W, f[1]});
    concat(cur, t1, f[1], 5, base + "_w");
    cur = t1;
  }
  if (f[0] > 1) {
    const TensorId t2 = tensor6(base + "_h", {N, C, H, f[0], W, f[1]});
    concat(cur, t2, f[0], 3, base + "_h");
    cur = t2;
  }
  n.op = OpKind::Reshape;
  n.inputs = {cur, b.constant(base + "_shape", DType::I64, {4}, want)};
  n.outputs = {*y};
  return Status::ok();
}

// ---- float32 operators (docs/tflite.md, "float models") ----
// A float tensor's IR constant: rank-4 data NHWC -> NCHW (logical(shape)), else as stored.
Expected<TensorId> float_const(Builder& b, int32_t idx, const char* what) {
  auto t = b.tensor(idx);
  if (!t) return t.error();
  auto dt = b.dtype_of(*t);
  if (!dt) return dt.error();
  auto s = b.shape_of(*t);
  if (!s) return s.error();
  if (*dt != DType::F32 && *dt != DType::I8) return b.err("{} '{}' must be float32 or int8", what, Builder::name_of(*t));
  auto d = b.data_of(*t, *dt, *s);
  if (!d) return d.error();
  if (d->empty()) return b.err("{} '{}' must be a constant", what, Builder::name_of(*t));
  std::vector<float> v(static_cast<size_t>(shape_numel(*s)));
  if (*dt == DType::F32) {
    std::memcpy(v.data(), d->data(), d->size());
  } else {
    // int8 weights of a "dynamic range" float model: dequantized here, w = q * scale[channel] (zero
    // point 0), so the layer computes in float (TFLite's hybrid kernels quantize the activations on
    // the fly instead; docs/tflite.md).
    auto q = b.quant_of(*t);
    if (!q) return q.error();
    if (q->scale.empty()) return b.err("int8 {} '{}' has no scale", what, Builder::name_of(*t));
    const auto dim = static_cast<size_t>(q->dim);
    if (dim >= s->size() || (q->scale.size() != 1 && q->scale.size() != static_cast<size_t>((*s)[dim])))
      return b.err("{} '{}': {} scales along dim {}", what, Builder::name_of(*t), q->scale.size(), q->dim);
    for (int64_t z : q->zp)
      if (z != 0) return b.err("{} '{}': zero point {} (int8 weights are symmetric)", what, Builder::name_of(*t), z);
    const int64_t inner = shape_numel(Shape(s->begin() + static_cast<std::ptrdiff_t>(dim) + 1, s->end()));
    for (size_t i = 0; i < v.size(); ++i) {
      const size_t c = q->scale.size() == 1 ? 0 : static_cast<size_t>(static_cast<int64_t>(i) / inner % (*s)[dim]);
      v[i] = static_cast<float>(static_cast<int8_t>((*d)[i])) * q->scale[c];
    }
  }
  if (s->size() == 4) {
    std::vector<float> w(v.size());
    const int64_t N = (*s)[0], H = (*s)[1], W = (*s)[2], C = (*s)[3];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t x = 0; x < W; ++x)
          for (int64_t c = 0; c < C; ++c)
            w[static_cast<size_t>(((n * C + c) * H + h) * W + x)] = v[static_cast<size_t>(((n * H + h) * W + x) * C + c)];
    v = std::move(w);
  }
  return b.constant(Builder::name_of(*t), DType::F32, Builder::logical(*s), v);
}

// DEQUANTIZE of a constant float16 buffer (TFLite's "float16 quantization": weights and biases stored
// as IEEE binary16, each read by a DEQUANTIZE to float32, whose output may feed several operators).
// TFLite computes it once (the input is constant) with an exact half -> float conversion; here it is
// folded at import: the output tensor becomes a float32 constant (Builder::folded), no node. Infinite
// and NaN values are refused (a float kernel here may pad with zeros where TFLite skips a tap, and
// inf * 0 is NaN: the results could differ); the converter clamps to the float16 range, so a real
// model has none.
// A CAST from a constant float16 buffer to float32 (some converters mark float16 weights so) is the
// same exact widening conversion (TFLite's Cast: static_cast<float> of the half), folded alike.
Status dequantize_f16(Builder& b, const std::vector<int32_t>& in, const std::vector<int32_t>& out, const char* op) {
  if (in.size() != 1 || out.size() != 1) return b.err("{} inputs and {} outputs, expected 1 and 1", in.size(), out.size());
  auto xt = b.tensor(in[0]);
  if (!xt) return xt.error();
  const std::string xn = Builder::name_of(*xt);
  auto xs = b.shape_of(*xt);
  if (!xs) return xs.error();
  auto d = b.data_of(*xt, DType::F16, *xs);
  if (!d) return d.error();
  if (d->empty())
    return b.err("float16 input '{}' is not a constant: float16 activations are not supported (float16 only as "
                 "constant weights read by DEQUANTIZE or CAST)", xn);
  if (out[0] < 0) return b.err("output tensor index {} out of range", out[0]);
  auto yt = b.tensor(out[0]);
  if (!yt) return yt.error();
  const std::string yn = Builder::name_of(*yt);
  if (get<int8_t>(*yt, kTType, 0) != 0) return b.err("float16 {} to TFLite type {} (float32 only)", op, get<int8_t>(*yt, kTType, 0));
  auto ys = b.shape_of(*yt);
  if (!ys) return ys.error();
  if (*ys != *xs) return b.err("output '{}' of shape {} differs from the input's {}", yn, shape_str(*ys), shape_str(*xs));
  auto yd = b.data_of(*yt, DType::F32, *ys);
  if (!yd) return yd.error();
  if (!yd->empty()) return b.err("output '{}' is a constant", yn);
  if (b.ids[static_cast<size_t>(out[0])] != kNoTensor) return b.err("tensor '{}' is written by two operators", yn);
  if (b.is_input(out[0])) return b.err("output '{}' is a graph input", yn);
  if (const Vector<int32_t>* go = vec<int32_t>(b.m.sg, kSgOutputs))
    for (int32_t o : *go)
      if (o == out[0])
        return b.err("output '{}' (float16 weights dequantized) is a graph output; a constant graph output is not supported", yn);
  std::vector<float> v(d->size() / 2);
  for (size_t i = 0; i < v.size(); ++i) {
    const auto h = static_cast<uint16_t>((*d)[2 * i] | ((*d)[2 * i + 1] << 8));  // little-endian
    if ((h & 0x7c00u) == 0x7c00u)
      return b.err("float16 constant '{}' holds {} at element {} (infinite and NaN weights are not supported)", xn,
                   (h & 0x3ffu) ? "NaN" : ((h & 0x8000u) ? "-inf" : "inf"), i);
    v[i] = ferrite_rt::f16_to_f32(h);  // exact: every binary16 value (subnormals included) is a float32
  }
  std::vector<uint8_t> bytes(v.size() * sizeof(float));
  if (!v.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
  if (!b.folded.emplace(*yt, std::move(bytes)).second) return b.err("tensor '{}' is written by two operators", yn);
  return Status::ok();
}

// An operand of a broadcasting float binary operator (ADD, SUB, MUL, MAXIMUM, MINIMUM) whose output
// has rank `rank`: a float32 constant (buffer-backed) brought to `rank` dims by leading 1s (TFLite's
// numpy broadcasting aligns trailing NHWC dims) and transposed NHWC -> NCHW at rank 4; an activation
// goes through Builder::operand (the int8 operators' rank expansion, a Reshape alias), or where the
// NCHW and NHWC orders of the rank-4 form differ, through an NHWC-order reshape (a Transpose copy).
Expected<TensorId> float_operand(Builder& b, int32_t idx, size_t rank) {
  auto t = b.tensor(idx);
  if (!t) return t.error();
  auto dt = b.dtype_of(*t);
  if (!dt) return dt.error();
  auto s = b.shape_of(*t);
  if (!s) return s.error();
  auto d = b.data_of(*t, *dt, *s);
  if (!d) return d.error();
  if (d->empty()) {
    if (rank == 4 && s->size() < 4) {
      Shape e(4 - s->size(), 1);
      e.insert(e.end(), s->begin(), s->end());
      if (Builder::orders_differ(Builder::logical(e))) {  // [.., H, W, C] -> [1, C, H, W] in NHWC order (a copy)
        auto x = b.act(idx);
        if (!x) return x.error();
        if (b.g.t(*x).dtype != DType::F32)
          return b.err("operand '{}' is {}, the other float32", b.g.t(*x).name, dtype_name(b.g.t(*x).dtype));
        Tensor r;
        r.name = b.g.t(*x).name + "_rank4";
        r.dtype = DType::F32;
        r.shape = Builder::logical(e);
        const TensorId rid = b.g.add_tensor(std::move(r));
        Node rn = b.nhwc_order_reshape(*x, rid, b.g.t(rid).name);
        b.g.nodes.push_back(std::move(rn));
        return rid;
      }
    }
    auto x = b.operand(idx, rank);
    if (!x) return x.error();
    if (b.g.t(*x).dtype != DType::F32)
      return b.err("operand '{}' is {}, the other float32", b.g.t(*x).name, dtype_name(b.g.t(*x).dtype));
    return *x;
  }
  if (*dt != DType::F32) return b.err("constant operand '{}' is {}, expected float32", Builder::name_of(*t), dtype_name(*dt));
  if (s->size() > rank) return b.err("operand '{}' has rank {}, the output {}", Builder::name_of(*t), s->size(), rank);
  Shape e(rank - s->size(), 1);
  e.insert(e.end(), s->begin(), s->end());
  std::vector<float> v(static_cast<size_t>(shape_numel(*s)));
  if (!v.empty()) std::memcpy(v.data(), d->data(), v.size() * sizeof(float));
  if (rank == 4) {  // NHWC -> NCHW
    std::vector<float> w(v.size());
    const int64_t N = e[0], H = e[1], W = e[2], C = e[3];
    for (int64_t n = 0; n < N; ++n)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t x = 0; x < W; ++x)
          for (int64_t c = 0; c < C; ++c)
            w[static_cast<size_t>(((n * C + c) * H + h) * W + x)] = v[static_cast<size_t>(((n * H + h) * W + x) * C + c)];
    v = std::move(w);
  }
  return b.constant(Builder::name_of(*t), DType::F32, Builder::logical(e), v);
}

// A float unary node x -> y of the same shape (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU, RELU_N1_TO_1, ...).
Status float_unary(Builder& b, const std::vector<int32_t>& in, const std::vector<int32_t>& out, OpKind op, Node& n) {
  if (in.size() != 1 || out.size() != 1) return b.err("{} inputs and {} outputs, expected 1 and 1", in.size(), out.size());
  auto x = b.act(in[0]);
  if (!x) return x.error();
  auto y = b.act(out[0], true);
  if (!y) return y.error();
  if (b.g.t(*y).dtype != DType::F32) return b.err("float32 input but {} output", dtype_name(b.g.t(*y).dtype));
  if (b.g.t(*y).shape != b.g.t(*x).shape)
    return b.err("output shape {} differs from the input's {}", shape_str(b.g.t(*y).shape), shape_str(b.g.t(*x).shape));
  n.op = op;
  n.inputs = {*x};
  n.outputs = {*y};
  return Status::ok();
}

// Float TRANSPOSE, STRIDED_SLICE and SPLIT are pure data movement: they take the int8 operators' path
// (the same Transpose / Slice / Reshape nodes and axis remapping, any element type); here only the
// element types are checked (every output float32 as the data input).
Status float_data_movement(Builder& b, int32_t code, const std::vector<int32_t>& in, const std::vector<int32_t>& out) {
  const size_t xi = code == SPLIT ? 1 : 0;
  if (in.size() <= xi || in[xi] < 0) return b.err("{} inputs", in.size());
  for (int32_t o : out) {
    auto t = b.tensor(o);
    if (!t) return t.error();
    auto dt = b.dtype_of(*t);
    if (!dt) return dt.error();
    if (*dt != DType::F32) return b.err("float32 input but {} output", dtype_name(*dt));
  }
  return Status::ok();
}

Status map_float(Builder& b, int32_t code, const std::vector<int32_t>& in, const std::vector<int32_t>& out, uint8_t otype,
                 const Table* opt, Node& n) {
  auto need = [&](size_t lo, size_t hi) -> Status {
    if (in.size() < lo || in.size() > hi || out.size() != 1)
      return b.err("{} inputs and {} outputs, expected {}..{} inputs and 1 output", in.size(), out.size(), lo, hi);
    return Status::ok();
  };
  auto float_out = [&](TensorId y) -> Status {
    if (b.g.t(y).dtype != DType::F32) return b.err("float32 input but {} output", dtype_name(b.g.t(y).dtype));
    return Status::ok();
  };
  switch (code) {
    case CONV_2D:
    case DEPTHWISE_CONV_2D: {
      const bool dw = code == DEPTHWISE_CONV_2D;
      FERRITE_TRY(need(2, 3));
      if (otype != (dw ? kDepthwise : kConv2D) || !opt) return b.err("missing or mismatched builtin options (type {})", otype);
      const int padding = get<int8_t>(opt, 0, 0);
      const int64_t sw = get<int32_t>(opt, 1, 1), sh = get<int32_t>(opt, 2, 1);
      const int8_t fa = get<int8_t>(opt, dw ? 4 : 3, 0);
      const int64_t dlw = get<int32_t>(opt, dw ? 5 : 4, 1), dlh = get<int32_t>(opt, dw ? 6 : 5, 1);
      if (sw < 1 || sh < 1 || dlw < 1 || dlh < 1 || sw > 64 || sh > 64 || dlw > 64 || dlh > 64)
        return b.err("stride {}x{} / dilation {}x{} out of range", sh, sw, dlh, dlw);
      auto x = b.act(in[0]);
      if (!x) return x.error();
      const Shape xs = b.g.t(*x).shape;
      if (xs.size() != 4) return b.err("input must be 4-D");
      auto wl = float_const(b, in[1], "filter");  // logical: CONV [O][I][KH][KW]; DEPTHWISE [1][O][KH][KW]
      if (!wl) return wl.error();
      Shape ws = b.g.t(*wl).shape;
      if (ws.size() != 4) return b.err("filter must be 4-D");
      const int64_t C = xs[1];
      const int64_t O = ws[dw ? 1 : 0], KH = ws[2], KW = ws[3];
      if (dw ? (ws[0] != 1 || O % C != 0) : (ws[1] != C)) return b.err("filter does not fit {} input channels", C);
      if (dw) b.g.t(*wl).shape = {O, 1, KH, KW};  // [1][O] -> [O][1]: the same bytes
      auto [oh, pt] = tfl_pad(xs[2], KH, sh, dlh, padding);
      auto [ow, pl] = tfl_pad(xs[3], KW, sw, dlw, padding);
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      if (b.g.t(*y).shape != Shape{xs[0], O, oh, ow}) return b.err("output shape {} (NCHW) differs from the computed one", shape_str(b.g.t(*y).shape));
      const int64_t pb = std::max<int64_t>((oh - 1) * sh + (KH - 1) * dlh + 1 - xs[2] - pt, 0);
      const int64_t pr = std::max<int64_t>((ow - 1) * sw + (KW - 1) * dlw + 1 - xs[3] - pl, 0);
      // Infinite or NaN filter values with zero padding: TFLite's reference kernels (TFLite Micro's)
      // skip the padded taps, the float convolution here multiplies the zeros (inf * 0 = NaN), so
      // the border outputs would differ: refused. Without padding every tap is real, as in TFLite.
      if (pt > 0 || pl > 0 || pb > 0 || pr > 0) {
        const std::vector<uint8_t>& wb = *b.g.t(*wl).data;
        for (size_t i = 0; i + sizeof(float) <= wb.size(); i += sizeof(float)) {
          float f;
          std::memcpy(&f, wb.data() + i, sizeof f);
          if (!std::isfinite(f))
            return b.err("float filter '{}' holds {}: with padding the convolution would multiply it by the zero "
                         "padding (NaN) where TFLite skips the padded taps; infinite and NaN filter values are "
                         "supported only without padding", b.g.t(*wl).name, f);
        }
      }
      n.op = OpKind::Conv;
      n.inputs = {*x, *wl};
      if (in.size() > 2 && in[2] >= 0) {
        auto bias = float_const(b, in[2], "bias");
        if (!bias) return bias.error();
        if (b.g.t(*bias).shape != Shape{O}) return b.err("bias must hold {} values", O);
        n.inputs.push_back(*bias);
      }
      n.outputs = {*y};
      n.attrs.values["strides"] = std::vector<int64_t>{sh, sw};
      n.attrs.values["dilations"] = std::vector<int64_t>{dlh, dlw};
      n.attrs.values["pads"] = std::vector<int64_t>{pt, pl, pb, pr};
      n.attrs.values["kernel_shape"] = std::vector<int64_t>{KH, KW};
      n.attrs.values["group"] = int64_t{dw ? C : 1};
      return fused_act(b, n, fa);
    }
    case FULLY_CONNECTED: {
      FERRITE_TRY(need(2, 3));
      int8_t fa = 0;
      if (opt) {
        if (otype != kFullyConnected) return b.err("mismatched builtin options (type {})", otype);
        fa = get<int8_t>(opt, 0, 0);
        if (get<int8_t>(opt, 1, 0) != 0) return b.err("shuffled weights format is not supported");
      }
      auto x = b.act(in[0]);
      if (!x) return x.error();
      auto w = float_const(b, in[1], "weights");
      if (!w) return w.error();
      const Shape ws = b.g.t(*w).shape;
      if (ws.size() != 2) return b.err("weights must be 2-D");
      const int64_t N = ws[0], K = ws[1], numel = b.g.t(*x).numel();
      if (numel % K != 0) return b.err("input of {} elements is not a multiple of {}", numel, K);
      TensorId a = *x;
      if (b.g.t(*x).shape != Shape{numel / K, K}) {
        const TensorId src = Builder::orders_differ(b.g.t(*x).shape) ? b.to_nhwc_order(*x, n.name + "_nhwc_order") : *x;
        Tensor f;
        f.name = b.g.t(*x).name + "_flat";
        f.dtype = DType::F32;
        f.shape = {numel / K, K};
        a = b.g.add_tensor(std::move(f));
        Node r;
        r.op = OpKind::Reshape;
        r.index = n.index;
        r.name = n.name + "_flatten";
        r.inputs = {src, b.constant(r.name + "_shape", DType::I64, {2}, std::vector<int64_t>{numel / K, K})};
        r.outputs = {a};
        b.g.nodes.push_back(std::move(r));
      }
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      if (b.g.t(*y).shape != Shape{numel / K, N}) return b.err("output shape {} is not [{}, {}]", shape_str(b.g.t(*y).shape), numel / K, N);
      n.op = OpKind::Gemm;
      n.inputs = {a, *w};
      if (in.size() > 2 && in[2] >= 0) {
        auto bias = float_const(b, in[2], "bias");
        if (!bias) return bias.error();
        n.inputs.push_back(*bias);
      }
      n.outputs = {*y};
      n.attrs.values["transB"] = int64_t{1};
      return fused_act(b, n, fa);
    }
    case AVERAGE_POOL_2D:
    case MAX_POOL_2D: {
      FERRITE_TRY(need(1, 1));
      if (otype != kPool2D || !opt) return b.err("missing or mismatched builtin options (type {})", otype);
      const int padding = get<int8_t>(opt, 0, 0);
      const int64_t sw = get<int32_t>(opt, 1, 1), sh = get<int32_t>(opt, 2, 1);
      const int64_t fw = get<int32_t>(opt, 3, 1), fh = get<int32_t>(opt, 4, 1);
      if (sw < 1 || sh < 1 || fw < 1 || fh < 1 || sw > 4096 || sh > 4096 || fw > 4096 || fh > 4096)
        return b.err("filter {}x{} / stride {}x{} out of range", fh, fw, sh, sw);
      auto x = b.act(in[0]);
      if (!x) return x.error();
      const Shape xs = b.g.t(*x).shape;
      if (xs.size() != 4) return b.err("input must be 4-D");
      auto [oh, pt] = tfl_pad(xs[2], fh, sh, 1, padding);
      auto [ow, pl] = tfl_pad(xs[3], fw, sw, 1, padding);
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      if (b.g.t(*y).shape != Shape{xs[0], xs[1], oh, ow}) return b.err("output shape {} (NCHW) differs from the computed one", shape_str(b.g.t(*y).shape));
      const int64_t pb = std::max<int64_t>((oh - 1) * sh + fh - xs[2] - pt, 0);
      const int64_t pr = std::max<int64_t>((ow - 1) * sw + fw - xs[3] - pl, 0);
      n.op = code == MAX_POOL_2D ? OpKind::MaxPool : OpKind::AveragePool;
      n.inputs = {*x};
      n.outputs = {*y};
      n.attrs.values["kernel_shape"] = std::vector<int64_t>{fh, fw};
      n.attrs.values["strides"] = std::vector<int64_t>{sh, sw};
      n.attrs.values["pads"] = std::vector<int64_t>{pt, pl, pb, pr};
      if (code == AVERAGE_POOL_2D) n.attrs.values["count_include_pad"] = int64_t{0};  // TFLite counts in-range taps
      return fused_act(b, n, get<int8_t>(opt, 5, 0));
    }
    case RESHAPE:
    case SQUEEZE: {
      if (in.empty() || in.size() > 2 || out.size() != 1) return b.err("expected 1 or 2 inputs and 1 output");
      auto x = b.act(in[0]);
      if (!x) return x.error();
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      if (b.g.t(*x).numel() != b.g.t(*y).numel())
        return b.err("{} elements reshaped to {}", b.g.t(*x).numel(), b.g.t(*y).numel());
      n = b.nhwc_order_reshape(*x, *y, n.name);
      return Status::ok();
    }
    case SOFTMAX:
    case LOG_SOFTMAX: {
      FERRITE_TRY(need(1, 1));
      // TFLite's float rules (reference_ops::Softmax / LogSoftmax, which TFLite Micro runs): per row
      // max, then exp((x - max) * float(beta)) summed in order and each divided by the sum; LogSoftmax
      // (no beta): (x - max) - log(sum of exp(x - max)). softmax_f32 computes exactly these
      // operations in this order; beta goes to the kernel (attribute `tfl_beta`), any value.
      const float beta = code == SOFTMAX && opt && otype == kSoftmax ? get<float>(opt, 0, 1.f) : 1.f;
      auto x = b.act(in[0]);
      if (!x) return x.error();
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      if (b.g.t(*y).shape != b.g.t(*x).shape) return b.err("output shape differs from the input's");
      const int64_t r = static_cast<int64_t>(b.g.t(*x).shape.size());
      n.op = code == SOFTMAX ? OpKind::Softmax : OpKind::LogSoftmax;
      n.inputs = {*x};
      n.outputs = {*y};
      n.attrs.values["axis"] = int64_t{r == 4 ? 1 : r - 1};
      if (beta != 1.f) n.attrs.values["tfl_beta"] = beta;
      return Status::ok();
    }
    case ADD:
    case SUB:
    case MUL:
    case MAXIMUM:
    case MINIMUM: {
      // TFLite's numpy broadcasting (NHWC dims aligned from the right), float32 constant operands.
      FERRITE_TRY(need(2, 2));
      int8_t fa = 0;
      const uint8_t want = code == ADD ? kAdd : (code == SUB ? kSub : (code == MUL ? kMul : 0));
      if (opt && want) {
        if (otype != want) return b.err("mismatched builtin options (type {})", otype);
        fa = get<int8_t>(opt, 0, 0);
      }
      auto ys = b.tfl_shape(out[0]);
      if (!ys) return ys.error();
      auto x0 = float_operand(b, in[0], ys->size());
      if (!x0) return x0.error();
      auto x1 = float_operand(b, in[1], ys->size());
      if (!x1) return x1.error();
      if (b.g.t(*x0).is_constant() && b.g.t(*x1).is_constant()) return b.err("both operands are constants");
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      const Shape& s0 = b.g.t(*x0).shape;
      const Shape& s1 = b.g.t(*x1).shape;
      const Shape& yl = b.g.t(*y).shape;
      for (size_t i = 0; i < yl.size(); ++i)  // the output must be the broadcast of the operands, no larger
        if ((s0[i] != yl[i] && s0[i] != 1) || (s1[i] != yl[i] && s1[i] != 1) || std::max(s0[i], s1[i]) != yl[i])
          return b.err("operands {} and {} do not broadcast to the output {} (NCHW)", shape_str(s0), shape_str(s1),
                       shape_str(yl));
      n.op = code == ADD ? OpKind::Add
             : code == SUB ? OpKind::Sub
             : code == MUL ? OpKind::Mul
             : code == MAXIMUM ? OpKind::Max
                               : OpKind::Min;
      n.inputs = {*x0, *x1};
      n.outputs = {*y};
      return fused_act(b, n, fa);
    }
    case MEAN: {
      FERRITE_TRY(need(2, 2));
      bool keep = false;
      if (opt) {
        if (otype != kReducer) return b.err("mismatched builtin options (type {})", otype);
        keep = get<uint8_t>(opt, 0, 0) != 0;
      }
      auto x = b.act(in[0]);
      if (!x) return x.error();
      auto xts = b.tfl_shape(in[0]);
      if (!xts) return xts.error();
      const auto r = static_cast<int64_t>(xts->size());
      auto axes = b.ints(in[1], "axis");
      if (!axes) return axes.error();
      std::vector<int64_t> ax;  // TFLite axes, normalized
      for (int64_t v : *axes) {
        if (v < -r || v >= r) return b.err("axis {} out of range for rank {}", v, r);
        ax.push_back(v < 0 ? v + r : v);
      }
      std::sort(ax.begin(), ax.end());
      ax.erase(std::unique(ax.begin(), ax.end()), ax.end());
      if (ax.empty()) return b.err("no axis to reduce");
      std::vector<int64_t> lax;  // logical axes
      Shape kshape = *xts;       // TFLite order, reduced dims 1
      Shape drop;
      for (int64_t v : ax) {
        lax.push_back(logical_axis(v, xts->size()));
        kshape[static_cast<size_t>(v)] = 1;
      }
      std::sort(lax.begin(), lax.end());
      for (size_t d = 0; d < kshape.size(); ++d)
        if (!std::binary_search(ax.begin(), ax.end(), static_cast<int64_t>(d))) drop.push_back(kshape[d]);
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      const Shape want = Builder::logical(keep ? kshape : drop);
      if (b.g.t(*y).shape != want) return b.err("output shape {} (NCHW) is not {}", shape_str(b.g.t(*y).shape), shape_str(want));
      // ReduceMean with the dims kept (the logical NCHW shape), then reshaped in TFLite's (NHWC)
      // order to the output when they are dropped.
      TensorId dst = *y;
      if (!keep) {
        Tensor t;
        t.name = b.g.t(*y).name + "_keepdims";
        t.dtype = DType::F32;
        t.shape = Builder::logical(kshape);
        dst = b.g.add_tensor(std::move(t));
      }
      n.op = OpKind::ReduceMean;
      n.inputs = {*x};
      n.outputs = {dst};
      n.attrs.values["axes"] = lax;
      n.attrs.values["keepdims"] = int64_t{1};
      if (dst != *y) {
        const std::string nm = n.name + "_squeeze";
        b.g.nodes.push_back(std::move(n));
        n = b.nhwc_order_reshape(dst, *y, nm);
      }
      return Status::ok();
    }
    case PAD:
    case PADV2: {
      FERRITE_TRY(need(2, code == PADV2 ? 3 : 2));
      auto x = b.act(in[0]);
      if (!x) return x.error();
      auto xs = b.tfl_shape(in[0]);
      if (!xs) return xs.error();
      auto pads = b.ints(in[1], "paddings");
      if (!pads) return pads.error();
      const size_t r = xs->size();
      if (pads->size() != 2 * r) return b.err("paddings hold {} values for rank {}", pads->size(), r);
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      float value = 0.f;  // PAD pads with 0; PADV2 with its constant
      if (code == PADV2 && in.size() > 2 && in[2] >= 0) {
        auto vt = b.tensor(in[2]);
        if (!vt) return vt.error();
        auto vdt = b.dtype_of(*vt);
        if (!vdt) return vdt.error();
        auto vs = b.shape_of(*vt);
        if (!vs) return vs.error();
        auto vd = b.data_of(*vt, *vdt, *vs);
        if (!vd) return vd.error();
        if (*vdt != DType::F32 || vd->size() != 4) return b.err("constant_values must be one float32 constant");
        std::memcpy(&value, vd->data(), 4);
      }
      std::vector<int64_t> lp(2 * r);
      for (size_t d = 0; d < r; ++d) {
        const int64_t pb = (*pads)[2 * d], pe = (*pads)[2 * d + 1];
        if (pb < 0 || pe < 0 || pb > (int64_t{1} << 20) || pe > (int64_t{1} << 20))
          return b.err("padding {} / {} of dim {} out of range", pb, pe, d);
        const auto l = static_cast<size_t>(logical_axis(static_cast<int64_t>(d), r));
        lp[l] = pb;
        lp[l + r] = pe;
      }
      const Shape& xl = b.g.t(*x).shape;
      if (xl.size() != r || b.g.t(*y).shape.size() != r)
        return b.err("output rank {} differs from the input rank {}", b.g.t(*y).shape.size(), r);
      for (size_t i = 0; i < r; ++i)
        if (xl[i] + lp[i] + lp[i + r] != b.g.t(*y).shape[i])
          return b.err("output shape {} (NCHW) does not match the paddings", shape_str(b.g.t(*y).shape));
      n.op = OpKind::Pad;  // pad_f32
      n.inputs = {*x, b.constant(n.name + "_pads", DType::I64, {static_cast<int64_t>(2 * r)}, lp),
                  b.constant(n.name + "_value", DType::F32, {}, std::vector<float>{value})};
      n.outputs = {*y};
      n.attrs.values["mode"] = std::string("constant");
      return Status::ok();
    }
    case CONCATENATION: {
      if (in.empty() || in.size() > 64 || out.size() != 1) return b.err("{} inputs and {} outputs", in.size(), out.size());
      if (!opt || otype != kConcat) return b.err("missing or mismatched builtin options (type {})", otype);
      // TFLite's CONCATENATION kernels refuse a fused activation (Prepare: activation must be none).
      if (get<int8_t>(opt, 1, 0) != 0) return b.err("a fused activation on CONCATENATION is not supported");
      auto ys = b.tfl_shape(out[0]);
      if (!ys) return ys.error();
      const auto r = static_cast<int64_t>(ys->size());
      int64_t axis = get<int32_t>(opt, 0, 0);
      if (axis < -r || axis >= r) return b.err("axis {} out of range for rank {}", axis, r);
      if (axis < 0) axis += r;
      const int64_t la = logical_axis(axis, ys->size());
      n.op = OpKind::Concat;
      size_t nconst = 0;
      for (int32_t i : in) {  // activations, or float32 constants (NHWC -> NCHW at rank 4)
        auto t = b.tensor(i);
        if (!t) return t.error();
        auto dt = b.dtype_of(*t);
        if (!dt) return dt.error();
        auto sh = b.shape_of(*t);
        if (!sh) return sh.error();
        auto d = b.data_of(*t, *dt, *sh);
        if (!d) return d.error();
        Expected<TensorId> x = kNoTensor;
        if (!d->empty()) {
          if (*dt != DType::F32) return b.err("constant input '{}' is {}, not float32", Builder::name_of(*t), dtype_name(*dt));
          x = float_const(b, i, "constant input");
          ++nconst;
        } else {
          x = b.act(i);
        }
        if (!x) return x.error();
        if (b.g.t(*x).dtype != DType::F32) return b.err("input '{}' is {}, not float32", b.g.t(*x).name, dtype_name(b.g.t(*x).dtype));
        n.inputs.push_back(*x);
      }
      if (nconst == in.size()) return b.err("every input is a constant");
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      const Shape& yl = b.g.t(*y).shape;
      int64_t sum = 0;
      for (size_t i = 0; i < n.inputs.size(); ++i) {
        const Shape& xl = b.g.t(n.inputs[i]).shape;
        if (xl.size() != yl.size()) return b.err("input {} has rank {}, the output {}", i, xl.size(), yl.size());
        for (size_t d = 0; d < yl.size(); ++d)
          if (static_cast<int64_t>(d) != la && xl[d] != yl[d])
            return b.err("input {} of shape {} does not fit the output {}", i, shape_str(xl), shape_str(yl));
        sum += xl[static_cast<size_t>(la)];
      }
      if (sum != yl[static_cast<size_t>(la)]) return b.err("the inputs sum to {} along the axis, the output has {}", sum, yl[static_cast<size_t>(la)]);
      n.outputs = {*y};
      n.attrs.values["axis"] = la;
      return Status::ok();
    }
    case LOGISTIC:
      return float_unary(b, in, out, OpKind::Sigmoid, n);
    case TANH:
      return float_unary(b, in, out, OpKind::Tanh, n);
    case HARD_SWISH:  // TFLite: x * relu6(x + 3) / 6; the IR's: x * clamp(x / 6 + 1 / 2, 0, 1)
      return float_unary(b, in, out, OpKind::HardSwish, n);
    case LEAKY_RELU: {  // TFLite: x > 0 ? x : alpha * x
      float alpha = 0.f;
      if (opt) {
        if (otype != kLeakyRelu) return b.err("mismatched builtin options (type {})", otype);
        alpha = get<float>(opt, 0, 0.f);
      }
      if (!std::isfinite(alpha)) return b.err("alpha {} is not finite", alpha);
      FERRITE_TRY(float_unary(b, in, out, OpKind::LeakyRelu, n));
      n.attrs.values["alpha"] = alpha;
      return Status::ok();
    }
    case QUANTIZE: {  // float -> int8 (TFLite's AffineQuantize rounding: tflite_numerics.cpp)
      FERRITE_TRY(need(1, 1));
      auto x = b.act(in[0]);
      if (!x) return x.error();
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      if (b.g.t(*y).dtype != DType::I8 && b.g.t(*y).dtype != DType::I16 && b.g.t(*y).dtype != DType::U8)
        return b.err("float32 QUANTIZE to {} is not supported (int8, uint8 and int16 only)", dtype_name(b.g.t(*y).dtype));
      auto qy = b.qconsts(out[0]);
      if (!qy) return qy.error();
      n.op = OpKind::QuantizeLinear;
      n.inputs = {*x, qy->first, qy->second};
      n.outputs = {*y};
      return Status::ok();
    }
    case RESIZE_NEAREST_NEIGHBOR:
    case RESIZE_BILINEAR:
      return map_resize(b, code, in, out, otype, opt, n);
    case RELU:
    case RELU6:
    case RELU_N1_TO_1: {
      FERRITE_TRY(need(1, 1));
      auto x = b.act(in[0]);
      if (!x) return x.error();
      auto y = b.act(out[0], true);
      if (!y) return y.error();
      FERRITE_TRY(float_out(*y));
      n.op = code == RELU ? OpKind::Relu : OpKind::Clip;
      n.inputs = {*x};
      const float lo = code == RELU6 ? 0.f : -1.f, hi = code == RELU6 ? 6.f : 1.f;
      if (code != RELU)
        n.inputs.insert(n.inputs.end(), {b.constant(n.name + "_min", DType::F32, {}, std::vector<float>{lo}),
                                         b.constant(n.name + "_max", DType::F32, {}, std::vector<float>{hi})});
      n.outputs = {*y};
      return Status::ok();
    }
    default: {
      const char* nm = builtin_name(code);
      return b.err("float32 {} is not supported (float32 TFLite operators: {})", nm ? nm : "operator", kFloatList);
    }
  }
}

}  // namespace

std::vector<int32_t> tflite_nearest_indices(int32_t in_size, int32_t out_size, bool align, bool half) {
  const float scale = (align && out_size > 1) ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1)
                                              : static_cast<float>(in_size) / static_cast<float>(out_size);
  const float offset = half ? 0.5f : 0.0f;
  std::vector<int32_t> idx(static_cast<size_t>(out_size));
  for (int32_t o = 0; o < out_size; ++o) {
    const float v = (static_cast<float>(o) + offset) * scale;
    int32_t i = std::min(align ? static_cast<int32_t>(std::round(v)) : static_cast<int32_t>(std::floor(v)), in_size - 1);
    if (half) i = std::max(0, i);
    idx[static_cast<size_t>(o)] = i;
  }
  return idx;
}

bool is_tflite_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  char h[8] = {};
  const bool got = static_cast<bool>(f.read(h, 8));
  if (got && std::memcmp(h + 4, "TFL3", 4) == 0) return true;
  // An ONNX ModelProto starts with its ir_version field (tag byte 0x08): the ONNX frontend takes it,
  // whatever the extension.
  if (got && h[0] == 0x08) return false;
  // A file named .tflite without the identifier (truncated, damaged) gets the TFLite frontend's error.
  const std::string ext = ".tflite";
  return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
}

Expected<std::vector<std::string>> tflite_input_names(const std::string& path) {
  auto g = import_tflite(path);
  if (!g) return g.error();
  std::vector<std::string> names;
  for (TensorId i : g->inputs) names.push_back(g->t(i).name);
  return names;
}

std::pair<std::string, std::string> tflite_supported_lists() {
  return {kSupportedList, kFloatList};
}

bool tflite_operator_supported(const std::string& name) {
  for (const char* s : kSupported)
    if (name == s) return true;
  return false;
}

Expected<std::map<std::string, int>> tflite_operators(const std::string& path) {
  auto m = load(path);
  if (!m) return m.error();
  std::map<std::string, int> r;
  if (const TableVec* ops = tables(m->sg, kSgOperators))
    for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) {
      const uint32_t ci = get<uint32_t>(ops->Get(i), kOpCode, 0);
      if (ci >= m->codes.size()) return make_error("{}: {}", path, op_label(*m, i, ci));
      const int32_t c = m->codes[ci];
      const char* n = builtin_name(c);
      ++r[c == CUSTOM ? "CUSTOM:" + m->custom[ci] : (n ? n : fmt::format("BUILTIN_{}", c))];
    }
  return r;
}

// An int8 / int16 PAD of H and W whose only reader is a CONV_2D / DEPTHWISE_CONV_2D, padding with
// the conv's input zero point (TFLite's PAD pads with the zero point; MCUNet's models put an explicit
// PAD before each stride-2 VALID conv): the padding moves into the conv's pads and the PAD node goes.
// Exact: TFLite's conv adds (x - zp) * w for each padded value, 0, and skips a padded tap, 0 again;
// the int8 / int16 conv kernels skip padded taps. Saves the padded copy (MCUNet-V2's largest tensor).
// Only where no output window lies entirely in the padding (each side at most the kernel extent - 1).
// float32: a PAD with 0.0 before a float Conv likewise, when the filter is finite (the float
// convolution computes the same products, 0 * w, that TFLite computes on the padded copy).
void fold_pad_into_conv(Graph& g) {
  for (size_t pi = 0; pi < g.nodes.size(); ++pi) {
    const Node& p = g.nodes[pi];
    if (p.op != OpKind::Pad || p.inputs.size() < 2 || p.outputs.size() != 1) continue;
    const Tensor& x = g.t(p.inputs[0]);
    const Tensor& pt = g.t(p.inputs[1]);
    const bool f32 = x.dtype == DType::F32;
    if ((x.dtype != DType::I8 && x.dtype != DType::I16 && !f32) || x.shape.size() != 4 || !pt.is_constant() ||
        pt.dtype != DType::I64 || pt.data->size() != 8 * sizeof(int64_t))
      continue;
    int64_t pads[8];
    std::memcpy(pads, pt.data->data(), sizeof pads);  // NCHW begin..., end...
    if (pads[0] || pads[1] || pads[4] || pads[5]) continue;  // N or C padded
    const TensorId po = p.outputs[0];
    if (std::find(g.outputs.begin(), g.outputs.end(), po) != g.outputs.end()) continue;
    const std::vector<size_t> readers = g.consumers(po);
    if (readers.size() != 1) continue;
    Node& c = g.nodes[readers[0]];
    if (c.op != (f32 ? OpKind::Conv : OpKind::QLinearConv) || c.inputs.size() < (f32 ? 2u : 3u) || c.inputs[0] != po)
      continue;
    bool other_use = false;  // the padded tensor read again by the conv (as another operand)
    for (size_t i = 1; i < c.inputs.size(); ++i) other_use = other_use || c.inputs[i] == po;
    if (other_use || p.attrs.s("mode", "constant") != "constant") continue;
    if (f32) {  // pad value +0.0 (PAD; PADV2 with 0), a finite float32 filter
      if (p.inputs.size() != 3 || !g.t(p.inputs[2]).is_constant() || g.t(p.inputs[2]).data->size() != 4) continue;
      uint32_t vbits;
      std::memcpy(&vbits, g.t(p.inputs[2]).data->data(), 4);
      const Tensor& wt = g.t(c.inputs[1]);
      if (vbits != 0 || !wt.is_constant() || wt.dtype != DType::F32) continue;
      bool finite = true;
      for (size_t i = 0; finite && i + 4 <= wt.data->size(); i += 4) {
        float f;
        std::memcpy(&f, wt.data->data() + i, 4);
        finite = std::isfinite(f);
      }
      if (!finite) continue;
    } else {
      const Tensor& zp = g.t(c.inputs[2]);  // an int8 constant (int16 layers: 0), as qconsts makes it
      if (!zp.is_constant() || zp.dtype != DType::I8 || zp.data->size() != 1) continue;
      if (p.attrs.i("value", 0) != static_cast<int8_t>((*zp.data)[0])) continue;
    }
    std::vector<int64_t> cp = c.attrs.ints("pads");
    const std::vector<int64_t> ks = c.attrs.ints("kernel_shape"), dl = c.attrs.ints("dilations", {1, 1});
    if (cp.size() != 4 || ks.size() != 2 || dl.size() != 2) continue;
    const int64_t np[4] = {cp[0] + pads[2], cp[1] + pads[3], cp[2] + pads[6], cp[3] + pads[7]};
    const int64_t ext_h = (ks[0] - 1) * dl[0], ext_w = (ks[1] - 1) * dl[1];
    if (np[0] > ext_h || np[2] > ext_h || np[1] > ext_w || np[3] > ext_w) continue;
    c.attrs.values["pads"] = std::vector<int64_t>{np[0], np[1], np[2], np[3]};
    c.inputs[0] = p.inputs[0];
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(pi));
    --pi;
  }
}

Expected<Graph> import_tflite(const std::string& path) {
  auto loaded = load(path);
  if (!loaded) return loaded.error();
  const TfModel& m = *loaded;
  Builder b(m);
  b.g.numerics = Numerics::TFLite;
  b.g.opset = 17;
  b.tensors = tables(m.sg, kSgTensors);
  b.buffers = tables(m.model, kModelBuffers);
  b.ids.assign(b.tensors ? b.tensors->size() : 0, kNoTensor);
  b.where = "graph inputs";
  const Vector<int32_t>* gin = vec<int32_t>(m.sg, kSgInputs);
  const Vector<int32_t>* gout = vec<int32_t>(m.sg, kSgOutputs);
  if (!gin || gin->size() == 0 || !gout || gout->size() == 0) return b.err("the subgraph has no inputs or no outputs");
  for (int32_t i : *gin) {
    auto id = b.act(i);
    if (!id) return id.error();
    b.g.inputs.push_back(*id);
    if (b.g.t(*id).dtype == DType::I8 || b.g.t(*id).dtype == DType::I16 || b.g.t(*id).dtype == DType::U8)
      b.g.io_quant[*id] = IoQuant{b.qscale(i), static_cast<int32_t>(b.qzp(i))};
  }
  const TableVec* ops = tables(m.sg, kSgOperators);
  if (!ops || ops->size() == 0) return b.err("the subgraph has no operators");
  for (flatbuffers::uoffset_t oi = 0; oi < ops->size(); ++oi) {
    const Table* op = ops->Get(oi);
    const uint32_t ci = get<uint32_t>(op, kOpCode, 0);
    b.where = op_label(m, oi, ci);
    b.cur_op = static_cast<int>(oi);
    if (ci >= m.codes.size()) return b.err("refused");
    const int32_t code = m.codes[ci];
    std::vector<int32_t> in, out;
    if (const Vector<int32_t>* v = vec<int32_t>(op, kOpInputs)) in.assign(v->begin(), v->end());
    if (const Vector<int32_t>* v = vec<int32_t>(op, kOpOutputs)) out.assign(v->begin(), v->end());
    const uint8_t otype = get<uint8_t>(op, kOpOptionsType, 0);
    const Table* opt = sub(op, kOpOptions);
    auto need = [&](size_t nin, size_t nin_max, uint8_t want_opt) -> Status {
      if (in.size() < nin || in.size() > nin_max || out.size() != 1)
        return b.err("{} inputs and {} outputs, expected {}..{} inputs and 1 output", in.size(), out.size(), nin, nin_max);
      if (want_opt && (otype != want_opt || !opt)) return b.err("missing or mismatched builtin options (type {})", otype);
      return Status::ok();
    };
    Node n;
    n.index = static_cast<int>(oi);
    n.name = fmt::format("op{}_{}", oi, code == CUSTOM ? "CUSTOM" : (builtin_name(code) ? builtin_name(code) : "?"));
    // uint8: fully-uint8 models and uint8 model I/O (uint8_gate).
    bool u8 = false;
    FERRITE_TRY(uint8_gate(b, code, in, out, &u8));
    // int16 activations (TFLite's 16x8 quantization): the operators of kInt16List, every activation
    // operand int16 (int16_gate below).
    FERRITE_TRY(int16_gate(b, code, in, out));
    // float16 weights: a DEQUANTIZE (or CAST) of a constant float16 buffer is folded into a float32 constant.
    if ((code == DEQUANTIZE || code == CAST) && !in.empty() && in[0] >= 0) {
      auto t0 = b.tensor(in[0]);
      if (!t0) return t0.error();
      if (get<int8_t>(*t0, kTType, 0) == 1) {
        FERRITE_TRY(dequantize_f16(b, in, out, code == CAST ? "CAST" : "DEQUANTIZE"));
        continue;
      }
      if (code == CAST)
        return b.err("CAST is supported only from a constant float16 buffer to float32 (float16 weights)");
    }
    // float32 operators (float models): the IR's float operators, computed in float.
    if ((code == TRANSPOSE || code == STRIDED_SLICE || code == SPLIT) && in.size() > (code == SPLIT ? 1u : 0u) &&
        in[code == SPLIT ? 1 : 0] >= 0) {
      auto t0 = b.tensor(in[code == SPLIT ? 1 : 0]);
      if (!t0) return t0.error();
      if (get<int8_t>(*t0, kTType, 0) == 0) FERRITE_TRY(float_data_movement(b, code, in, out));  // then as int8
    } else if (!in.empty() && in[0] >= 0) {
      auto t0 = b.tensor(in[0]);
      if (!t0) return t0.error();
      if (get<int8_t>(*t0, kTType, 0) == 0) {
        FERRITE_TRY(map_float(b, code, in, out, otype, opt, n));
        FERRITE_TRY(check_shapes(b, n));
        b.g.nodes.push_back(std::move(n));
        continue;
      }
    }
    switch (code) {
      case CONV_2D:
      case DEPTHWISE_CONV_2D: {
        const bool dw = code == DEPTHWISE_CONV_2D;
        FERRITE_TRY(need(2, 3, dw ? kDepthwise : kConv2D));
        const int padding = get<int8_t>(opt, 0, 0);
        const int64_t sw = get<int32_t>(opt, 1, 1), sh = get<int32_t>(opt, 2, 1);
        const int8_t fa = get<int8_t>(opt, dw ? 4 : 3, 0);
        const int64_t dlw = get<int32_t>(opt, dw ? 5 : 4, 1), dlh = get<int32_t>(opt, dw ? 6 : 5, 1);
        if (sw < 1 || sh < 1 || dlw < 1 || dlh < 1 || sw > 64 || sh > 64 || dlw > 64 || dlh > 64)
          return b.err("stride {}x{} / dilation {}x{} out of range", sh, sw, dlh, dlw);
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto wt = b.tensor(in[1]);
        if (!wt) return wt.error();
        auto wdt = b.dtype_of(*wt);
        if (!wdt) return wdt.error();
        auto ws = b.shape_of(*wt);
        if (!ws) return ws.error();
        if ((*wdt != DType::I8 && *wdt != DType::U8) || ws->size() != 4)
          return b.err("filter must be a 4-D int8 (uint8 in uint8 models) constant");
        auto wd = b.data_of(*wt, *wdt, *ws);
        if (!wd) return wd.error();
        if (wd->empty()) return b.err("filter '{}' is not a constant", Builder::name_of(*wt));
        auto wq = b.quant_of(*wt);
        if (!wq) return wq.error();
        const Shape xs = b.g.t(*x).shape;  // NCHW
        if (xs.size() != 4) return b.err("input must be 4-D");
        const int64_t C = xs[1], H = xs[2], W = xs[3];
        // Filter: CONV_2D [O][KH][KW][I]; DEPTHWISE [1][KH][KW][O]. To OIHW.
        const int64_t O = dw ? (*ws)[3] : (*ws)[0], KH = (*ws)[1], KW = (*ws)[2], I = dw ? 1 : (*ws)[3];
        if (dw ? ((*ws)[0] != 1 || O % C != 0) : (I != C))
          return b.err("filter shape {} does not fit input channels {}", shape_str(*ws), C);
        if (wq->scale.size() != 1 && wq->scale.size() != static_cast<size_t>(O))
          return b.err("{} filter scales for {} output channels", wq->scale.size(), O);
        // uint8 filters (fully-uint8 models): per tensor, any zero point in 0..255 (TFLite's uint8 rule).
        const bool wu8 = *wdt == DType::U8;
        if (wu8 && wq->scale.size() != 1)
          return b.err("uint8 filter with {} scales (TFLite quantizes uint8 filters per tensor only)", wq->scale.size());
        for (int64_t z : wq->zp)
          if (wu8 ? (z < 0 || z > 255) : z != 0)
            return b.err("filter zero point {} ({})", z, wu8 ? "outside uint8" : "TFLite int8 filters are symmetric");
        std::vector<uint8_t> w(static_cast<size_t>(O * I * KH * KW));  // bytes (int8 or uint8)
        const uint8_t* src = wd->data();
        for (int64_t o = 0; o < O; ++o)
          for (int64_t i = 0; i < I; ++i)
            for (int64_t ky = 0; ky < KH; ++ky)
              for (int64_t kx = 0; kx < KW; ++kx)
                w[static_cast<size_t>(((o * I + i) * KH + ky) * KW + kx)] =
                    dw ? src[(ky * KW + kx) * O + o] : src[((o * KH + ky) * KW + kx) * I + i];
        auto [oh, pt] = tfl_pad(H, KH, sh, dlh, padding);
        auto [ow, pl] = tfl_pad(W, KW, sw, dlw, padding);
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        const Shape want = {xs[0], O, oh, ow};
        if (b.g.t(*y).shape != want)
          return b.err("output shape {} (NCHW) differs from the computed {}", shape_str(b.g.t(*y).shape), shape_str(want));
        const int64_t pb = std::max<int64_t>((oh - 1) * sh + (KH - 1) * dlh + 1 - H - pt, 0);
        const int64_t pr = std::max<int64_t>((ow - 1) * sw + (KW - 1) * dlw + 1 - W - pl, 0);
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        auto bias = b.bias_constant(in, O, b.g.t(*x).dtype == DType::I16);
        if (!bias) return bias.error();
        const std::string wn = Builder::name_of(*wt);
        n.op = OpKind::QLinearConv;
        n.inputs = {*x, qx->first, qx->second, b.constant(wn, *wdt, {O, I, KH, KW}, w),
                    b.constant(wn + "_scale", DType::F32, {static_cast<int64_t>(wq->scale.size())}, wq->scale),
                    wu8 ? b.constant(wn + "_zp", DType::U8, {1}, std::vector<uint8_t>{static_cast<uint8_t>(wq->zp[0])})
                        : b.constant(wn + "_zp", DType::I8, {static_cast<int64_t>(wq->scale.size())},
                                     std::vector<int8_t>(wq->scale.size(), 0)),
                    qy->first, qy->second, *bias};
        n.outputs = {*y};
        n.attrs.values["strides"] = std::vector<int64_t>{sh, sw};
        n.attrs.values["dilations"] = std::vector<int64_t>{dlh, dlw};
        n.attrs.values["pads"] = std::vector<int64_t>{pt, pl, pb, pr};
        n.attrs.values["kernel_shape"] = std::vector<int64_t>{KH, KW};
        n.attrs.values["group"] = int64_t{dw ? C : 1};
        FERRITE_TRY(fused_act(b, n, fa));
        break;
      }
      case FULLY_CONNECTED: {
        FERRITE_TRY(need(2, 3, 0));
        int8_t fa = 0;
        if (opt) {
          if (otype != kFullyConnected) return b.err("mismatched builtin options (type {})", otype);
          fa = get<int8_t>(opt, 0, 0);
          if (get<int8_t>(opt, 1, 0) != 0) return b.err("shuffled weights format is not supported");
        }
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto wt = b.tensor(in[1]);
        if (!wt) return wt.error();
        auto wdt = b.dtype_of(*wt);
        if (!wdt) return wdt.error();
        auto ws = b.shape_of(*wt);
        if (!ws) return ws.error();
        if ((*wdt != DType::I8 && *wdt != DType::U8) || ws->size() != 2)
          return b.err("weights must be a 2-D int8 (uint8 in uint8 models) constant");
        auto wd = b.data_of(*wt, *wdt, *ws);
        if (!wd) return wd.error();
        if (wd->empty()) return b.err("weights are not a constant");
        auto wq = b.quant_of(*wt);
        if (!wq) return wq.error();
        const int64_t N = (*ws)[0], K = (*ws)[1];
        if (wq->scale.size() != 1 && wq->scale.size() != static_cast<size_t>(N))
          return b.err("{} weight scales for {} outputs", wq->scale.size(), N);
        const bool wu8 = *wdt == DType::U8;  // fully-uint8 models: per tensor, any uint8 zero point
        if (wu8 && wq->scale.size() != 1)
          return b.err("uint8 weights with {} scales (TFLite quantizes uint8 weights per tensor only)", wq->scale.size());
        for (int64_t z : wq->zp)
          if (wu8 ? (z < 0 || z > 255) : z != 0)
            return b.err("weight zero point {} ({})", z, wu8 ? "outside uint8" : "TFLite int8 weights are symmetric");
        const int64_t numel = b.g.t(*x).numel();
        if (numel % K != 0) return b.err("input of {} elements is not a multiple of {}", numel, K);
        TensorId a = *x;
        if (b.g.t(*x).shape != Shape{numel / K, K}) {  // flatten to [rows, K]: a Reshape (an alias)
          const TensorId src = Builder::orders_differ(b.g.t(*x).shape) ? b.to_nhwc_order(*x, n.name + "_nhwc_order") : *x;
          Tensor f;
          f.name = b.g.t(*x).name + "_flat";
          f.dtype = b.g.t(*x).dtype;
          f.shape = {numel / K, K};
          a = b.g.add_tensor(std::move(f));
          Node r;
          r.op = OpKind::Reshape;
          r.index = n.index;
          r.name = n.name + "_flatten";
          r.inputs = {src, b.constant(r.name + "_shape", DType::I64, {2}, std::vector<int64_t>{numel / K, K})};
          r.outputs = {a};
          b.g.nodes.push_back(std::move(r));
        }
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        // keep_num_dims (or any output of [rows, N] elements with N last): the product is [rows, N],
        // then reshaped in TFLite's (NHWC) order to the output.
        TensorId fc_out = *y;
        if (b.g.t(*y).shape != Shape{numel / K, N}) {
          auto yts = b.tfl_shape(out[0]);
          if (!yts) return yts.error();
          if (yts->empty() || yts->back() != N || b.g.t(*y).numel() != numel / K * N)
            return b.err("output shape {} is not [{}, {}]", shape_str(b.g.t(*y).shape), numel / K, N);
          Tensor t;
          t.name = b.g.t(*y).name + "_2d";
          t.dtype = b.g.t(*y).dtype;
          t.shape = {numel / K, N};
          fc_out = b.g.add_tensor(std::move(t));
        }
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        auto bias = b.bias_constant(in, N, b.g.t(*x).dtype == DType::I16);
        if (!bias) return bias.error();
        const std::string wn = Builder::name_of(*wt);
        const std::vector<uint8_t> w(wd->begin(), wd->end());  // bytes (int8 or uint8)
        n.op = OpKind::QGemm;  // A [rows][K] x B^T, B = [N][K] as TFLite stores it
        n.inputs = {a, qx->first, qx->second, b.constant(wn, *wdt, {N, K}, w),
                    b.constant(wn + "_scale", DType::F32, {static_cast<int64_t>(wq->scale.size())}, wq->scale),
                    wu8 ? b.constant(wn + "_zp", DType::U8, {1}, std::vector<uint8_t>{static_cast<uint8_t>(wq->zp[0])})
                        : b.constant(wn + "_zp", DType::I8, {static_cast<int64_t>(wq->scale.size())},
                                     std::vector<int8_t>(wq->scale.size(), 0)),
                    *bias, qy->first, qy->second};
        n.outputs = {fc_out};
        n.attrs.values["transB"] = int64_t{1};
        FERRITE_TRY(fused_act(b, n, fa));
        if (fc_out != *y) {
          const std::string nm = n.name + "_keep_dims";
          b.g.nodes.push_back(std::move(n));
          n = b.nhwc_order_reshape(fc_out, *y, nm);
        }
        break;
      }
      case ADD:
      case SUB:
      case MUL:
      case MAXIMUM:
      case MINIMUM: {
        FERRITE_TRY(need(2, 2, 0));
        int8_t fa = 0;
        const uint8_t want = code == ADD ? kAdd : (code == SUB ? kSub : (code == MUL ? kMul : 0));
        if (opt && want) {
          if (otype != want) return b.err("mismatched builtin options (type {})", otype);
          fa = get<int8_t>(opt, 0, 0);
        }
        auto ys = b.tfl_shape(out[0]);
        if (!ys) return ys.error();
        auto a = b.operand(in[0], ys->size());
        if (!a) return a.error();
        auto c = b.operand(in[1], ys->size());
        if (!c) return c.error();
        if (b.g.t(*a).is_constant() && b.g.t(*c).is_constant()) return b.err("both operands are constants");
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        const Shape& yl = b.g.t(*y).shape;
        for (TensorId o : {*a, *c}) {
          const Shape& ol = b.g.t(o).shape;
          for (size_t i = 0; i < yl.size(); ++i)
            if (ol[i] != yl[i] && ol[i] != 1)
              return b.err("operands {} and {} do not broadcast to the output {} (NCHW)", shape_str(b.g.t(*a).shape),
                           shape_str(b.g.t(*c).shape), shape_str(yl));
        }
        auto qa = b.qconsts(in[0]);
        if (!qa) return qa.error();
        auto qb = b.qconsts(in[1]);
        if (!qb) return qb.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        n.op = code == MUL ? OpKind::QLinearMul : OpKind::QLinearAdd;  // same operand list
        n.inputs = {*a, qa->first, qa->second, *c, qb->first, qb->second, qy->first, qy->second};
        n.outputs = {*y};
        if ((code == MAXIMUM || code == MINIMUM) && !(b.same_quant(in[0], out[0]) && b.same_quant(in[1], out[0])))
          return b.err("inputs and output must share one scale and zero point (int8 {} compares raw values)",
                       builtin_name(code));
        if (code == SUB || code == MAXIMUM || code == MINIMUM)  // tflite_numerics.cpp picks the kernel
          n.attrs.values["tflite_op"] = std::string(builtin_name(code));
        // A constant or broadcast operand: no patch window (passes/memory_patches.cpp).
        for (TensorId o : {*a, *c})
          if (b.g.t(o).is_constant() || b.g.t(o).shape != b.g.t(*y).shape) n.attrs.values["tfl_broadcast"] = int64_t{1};
        FERRITE_TRY(fused_act(b, n, fa));
        break;
      }
      case MEAN: {
        FERRITE_TRY(need(2, 2, 0));
        bool keep = false;
        if (opt) {
          if (otype != kReducer) return b.err("mismatched builtin options (type {})", otype);
          keep = get<uint8_t>(opt, 0, 0) != 0;
        }
        auto x = b.act(in[0]);
        if (!x) return x.error();
        const Shape xs = b.g.t(*x).shape;  // NCHW
        auto axes = b.ints(in[1], "axis");
        if (!axes) return axes.error();
        std::vector<int64_t> ax;
        for (int64_t v : *axes) ax.push_back(v < 0 ? v + static_cast<int64_t>(xs.size()) : v);
        std::sort(ax.begin(), ax.end());
        ax.erase(std::unique(ax.begin(), ax.end()), ax.end());
        for (int64_t v : ax)
          if (v < 0 || v >= static_cast<int64_t>(xs.size())) return b.err("axis {} out of range for rank {}", v, xs.size());
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        if (xs.size() != 4 || ax != std::vector<int64_t>{1, 2}) {
          // Any other axes: an int8 ReduceMean (mean_axes_s8_tfl, TFLite's QuantizedMeanOrSum) on the
          // logical (NCHW) order; the layout pass gives it NCHW storage.
          auto tx = b.tensor(in[0]);
          if (!tx) return tx.error();
          auto txs = b.shape_of(*tx);
          if (!txs) return txs.error();
          std::vector<int64_t> lax;  // logical axes
          Shape kshape = *txs;       // TFLite order, reduced dims 1
          for (int64_t v : ax) {
            lax.push_back(logical_axis(v, xs.size()));
            kshape[static_cast<size_t>(v)] = 1;
          }
          std::sort(lax.begin(), lax.end());
          Shape drop;
          for (size_t d = 0; d < kshape.size(); ++d)
            if (!std::binary_search(ax.begin(), ax.end(), static_cast<int64_t>(d))) drop.push_back(kshape[d]);
          const Shape want_l = Builder::logical(keep ? kshape : drop);
          if (b.g.t(*y).shape != want_l)
            return b.err("output shape {} (NCHW) is not {}", shape_str(b.g.t(*y).shape), shape_str(want_l));
          auto qx = b.qconsts(in[0]);
          if (!qx) return qx.error();
          auto qy = b.qconsts(out[0]);
          if (!qy) return qy.error();
          TensorId dst = *y;
          const Shape keep_l = Builder::logical(kshape);
          if (!keep && kshape.size() == 4) {  // [N,C,H,W] with 1s, then reshaped in NHWC order to the output
            Tensor t;
            t.name = b.g.t(*y).name + "_keepdims";
            t.dtype = b.g.t(*x).dtype;  // int8, or int16 (16x8)
            t.shape = keep_l;
            dst = b.g.add_tensor(std::move(t));
          }
          n.op = OpKind::ReduceMean;
          n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
          n.outputs = {dst};
          n.attrs.values["axes"] = lax;
          n.attrs.values["keepdims"] = int64_t{1};
          n.attrs.values["tflite_op"] = std::string("MEAN");
          if (dst != *y) {
            const std::string nm = n.name + "_squeeze";
            b.g.nodes.push_back(std::move(n));
            n = b.nhwc_order_reshape(dst, *y, nm);
          }
          break;
        }
        const Shape want = keep ? Shape{xs[0], xs[1], 1, 1} : Shape{xs[0], xs[1]};
        if (b.g.t(*y).shape != want) return b.err("output shape {} is not {}", shape_str(b.g.t(*y).shape), shape_str(want));
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        TensorId pooled = *y;
        if (!keep) {  // [N, C, 1, 1], then an alias to [N, C]
          Tensor t;
          t.name = b.g.t(*y).name + "_nc11";
          t.dtype = b.g.t(*x).dtype;
          t.shape = {xs[0], xs[1], 1, 1};
          pooled = b.g.add_tensor(std::move(t));
        }
        n.op = OpKind::QLinearGlobalAveragePool;  // TFLite numerics: mean_s8_tfl
        n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
        n.outputs = {pooled};
        if (!keep) {
          Node r;
          r.op = OpKind::Reshape;
          r.index = n.index;
          r.name = n.name + "_squeeze";
          r.inputs = {pooled, b.constant(r.name + "_shape", DType::I64, {2}, want)};
          r.outputs = {*y};
          b.g.nodes.push_back(std::move(n));
          n = std::move(r);
        }
        break;
      }
      case PAD:
      case PADV2: {
        FERRITE_TRY(need(2, code == PADV2 ? 3 : 2, 0));
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto xs = b.tfl_shape(in[0]);
        if (!xs) return xs.error();
        auto pads = b.ints(in[1], "paddings");
        if (!pads) return pads.error();
        const size_t r = xs->size();
        if (pads->size() != 2 * r) return b.err("paddings hold {} values for rank {}", pads->size(), r);
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        if (!b.same_quant(in[0], out[0])) return b.err("input and output quantization differ (TFLite requires them equal)");
        int64_t value = b.qzp(out[0]);
        if (code == PADV2 && in.size() > 2 && in[2] >= 0) {
          auto vt = b.tensor(in[2]);
          if (!vt) return vt.error();
          auto vdt = b.dtype_of(*vt);
          if (!vdt) return vdt.error();
          auto vs = b.shape_of(*vt);
          if (!vs) return vs.error();
          auto vd = b.data_of(*vt, *vdt, *vs);
          if (!vd) return vd.error();
          const DType xdt = b.g.t(*x).dtype;  // int8, or int16 (16x8: the raw int16 value, as TFLite pads)
          if (*vdt != xdt || vd->size() != dtype_size(xdt))
            return b.err("constant_values must be one {} constant", dtype_name(xdt));
          if (!b.same_quant(in[2], out[0])) return b.err("constant_values quantization differs from the output's");
          if (xdt == DType::I16) {
            int16_t v16;
            std::memcpy(&v16, vd->data(), 2);
            value = v16;
          } else if (xdt == DType::U8) {
            value = (*vd)[0];  // the raw uint8 value
          } else {
            value = static_cast<int8_t>((*vd)[0]);
          }
        }
        // uint8 (the output zero point or PADV2's raw value): normalize-int8 stores the data as int8
        // (value - 128, the same bytes xor 0x80), and the pad kernel writes the attribute's int8 value.
        if (b.g.t(*x).dtype == DType::U8) value -= 128;
        std::vector<int64_t> lp(2 * r);
        for (size_t d = 0; d < r; ++d) {
          const int64_t pb = (*pads)[2 * d], pe = (*pads)[2 * d + 1];
          if (pb < 0 || pe < 0 || pb > (int64_t{1} << 20) || pe > (int64_t{1} << 20))
            return b.err("padding {} / {} of dim {} out of range", pb, pe, d);
          const auto l = static_cast<size_t>(logical_axis(static_cast<int64_t>(d), r));
          lp[l] = pb;
          lp[l + r] = pe;
        }
        const Shape& xl = b.g.t(*x).shape;
        if (xl.size() != r || b.g.t(*y).shape.size() != r)
          return b.err("output rank {} differs from the input rank {}", b.g.t(*y).shape.size(), r);
        for (size_t i = 0; i < r; ++i)
          if (xl[i] + lp[i] + lp[i + r] != b.g.t(*y).shape[i])
            return b.err("output shape {} (NCHW) does not match the paddings", shape_str(b.g.t(*y).shape));
        n.op = OpKind::Pad;  // TFLite numerics: pad_s8_tfl with the int8 value
        n.inputs = {*x, b.constant(n.name + "_pads", DType::I64, {static_cast<int64_t>(2 * r)}, lp)};
        n.outputs = {*y};
        n.attrs.values["mode"] = std::string("constant");
        n.attrs.values["value"] = value;
        break;
      }
      case CONCATENATION: {
        if (in.empty() || in.size() > 64 || out.size() != 1) return b.err("{} inputs and {} outputs", in.size(), out.size());
        if (!opt || otype != kConcat) return b.err("missing or mismatched builtin options (type {})", otype);
        if (get<int8_t>(opt, 1, 0) != 0) return b.err("a fused activation on CONCATENATION is not supported");
        auto ys = b.tfl_shape(out[0]);
        if (!ys) return ys.error();
        const auto r = static_cast<int64_t>(ys->size());
        int64_t axis = get<int32_t>(opt, 0, 0);
        if (axis < -r || axis >= r) return b.err("axis {} out of range for rank {}", axis, r);
        if (axis < 0) axis += r;
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        n.op = OpKind::QLinearConcat;
        n.inputs = {qy->first, qy->second};
        for (int32_t i : in) {
          auto x = b.act(i);
          if (!x) return x.error();
          if (!b.same_quant(i, out[0]))
            return b.err("input '{}' has another scale or zero point than the output (TFLite's int8 / int16 CONCATENATION "
                         "needs them equal; its uint8 one requantizes in float, which Ferrite does not)", b.g.t(*x).name);
          auto qx = b.qconsts(i);
          if (!qx) return qx.error();
          n.inputs.insert(n.inputs.end(), {*x, qx->first, qx->second});
        }
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        n.outputs = {*y};
        n.attrs.values["axis"] = logical_axis(axis, ys->size());
        break;
      }
      case RELU:
      case RELU6:
      case RELU_N1_TO_1: {
        FERRITE_TRY(need(1, 1, 0));
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        n.op = OpKind::Requantize;  // x_scale / y_scale requantization, then the activation's clamp
        n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
        n.outputs = {*y};
        n.attrs.values["tflite_op"] = std::string("RELU");  // ReluPrepare's ratio: a float division
        FERRITE_TRY(fused_act(b, n, code == RELU ? 1 : (code == RELU6 ? 3 : 2)));
        break;
      }
      case LEAKY_RELU: {
        FERRITE_TRY(need(1, 1, 0));
        float alpha = 0.f;
        if (opt) {
          if (otype != kLeakyRelu) return b.err("mismatched builtin options (type {})", otype);
          alpha = get<float>(opt, 0, 0.f);
        }
        if (!std::isfinite(alpha)) return b.err("alpha {} is not finite", alpha);
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        n.op = OpKind::QLinearLeakyRelu;  // TFLite numerics: a table of TFLite's fixed-point rule
        n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
        n.outputs = {*y};
        n.attrs.values["alpha"] = alpha;
        break;
      }
      case LOGISTIC:
      case TANH:
      case HARD_SWISH: {
        FERRITE_TRY(need(1, 1, 0));
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        const bool x16 = b.g.t(*x).dtype == DType::I16;  // int16: the output rule is checked in tflite_numerics.cpp
        const bool xu8 = b.g.t(*x).dtype == DType::U8;   // uint8: the int8 rule's zero point + 128
        const char* ty = xu8 ? "uint8" : "int8";
        if (!x16 && code == LOGISTIC && (b.qscale(out[0]) != 1.f / 256.f || b.qzp(out[0]) != (xu8 ? 0 : -128)))
          return b.err("{} output must have scale 1/256 and zero point {} (TFLite's rule)", ty, xu8 ? 0 : -128);
        if (!x16 && code == TANH && (b.qscale(out[0]) != 1.f / 128.f || b.qzp(out[0]) != (xu8 ? 128 : 0)))
          return b.err("{} output must have scale 1/128 and zero point {} (TFLite's rule)", ty, xu8 ? 128 : 0);
        // TFLite numerics: a lookup table of TFLite's fixed-point kernel (tflite_numerics.cpp).
        n.op = code == LOGISTIC ? OpKind::QLinearSigmoid : OpKind::QLinearActivation;
        n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
        n.outputs = {*y};
        if (code != LOGISTIC) n.attrs.values["function"] = std::string(code == TANH ? "Tanh" : "HardSwish");
        break;
      }
      case RESIZE_NEAREST_NEIGHBOR:
      case RESIZE_BILINEAR:
        FERRITE_TRY(map_resize(b, code, in, out, otype, opt, n));
        break;
      case TRANSPOSE: {
        FERRITE_TRY(need(2, 2, 0));
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto perm = b.ints(in[1], "perm");
        if (!perm) return perm.error();
        const size_t r = b.g.t(*x).shape.size();
        std::vector<bool> seen(r, false);
        if (perm->size() != r) return b.err("perm has {} values for rank {}", perm->size(), r);
        for (int64_t v : *perm) {
          if (v < 0 || v >= static_cast<int64_t>(r) || seen[static_cast<size_t>(v)]) return b.err("perm is not a permutation");
          seen[static_cast<size_t>(v)] = true;
        }
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        if (!b.same_quant(in[0], out[0])) return b.err("input and output quantization differ");
        // Logical perm: output logical dim j is NHWC dim L2N[j] of the output, i.e. input NHWC dim
        // perm[L2N[j]], i.e. input logical dim N2L[perm[L2N[j]]].
        static const int64_t l2n[4] = {0, 3, 1, 2};
        std::vector<int64_t> lp(r);
        Shape want(r);
        for (size_t j = 0; j < r; ++j) {
          lp[j] = r == 4 ? logical_axis((*perm)[static_cast<size_t>(l2n[j])], 4) : (*perm)[j];
          want[j] = b.g.t(*x).shape[static_cast<size_t>(lp[j])];
        }
        if (b.g.t(*y).shape != want) return b.err("output shape {} differs from the computed {}", shape_str(b.g.t(*y).shape), shape_str(want));
        n.op = OpKind::Transpose;
        n.inputs = {*x};
        n.outputs = {*y};
        n.attrs.values["perm"] = lp;
        break;
      }
      case STRIDED_SLICE:
      case SPLIT: {
        // Both become IR Slice nodes (strided copies) on logical axes.
        int32_t xi = in.empty() ? -1 : in[0];
        struct Piece { int32_t out; std::vector<int64_t> starts, ends, steps; };
        std::vector<Piece> pieces;
        int32_t sm = 0;  // STRIDED_SLICE's shrink_axis_mask
        if (code == STRIDED_SLICE) {
          FERRITE_TRY(need(4, 4, 0));
          int32_t bm = 0, em = 0;
          if (opt) {
            if (otype != kStridedSlice) return b.err("mismatched builtin options (type {})", otype);
            bm = get<int32_t>(opt, 0, 0);
            em = get<int32_t>(opt, 1, 0);
            sm = get<int32_t>(opt, 4, 0);
            if (get<int32_t>(opt, 2, 0) || get<int32_t>(opt, 3, 0) || get<uint8_t>(opt, 5, 0))
              return b.err("ellipsis / new-axis masks and offset are not supported");
          }
          auto xs = b.tfl_shape(xi);
          if (!xs) return xs.error();
          auto bg = b.ints(in[1], "begin");
          if (!bg) return bg.error();
          auto en = b.ints(in[2], "end");
          if (!en) return en.error();
          auto st = b.ints(in[3], "strides");
          if (!st) return st.error();
          const size_t r = xs->size();
          if (bg->size() != r || en->size() != r || st->size() != r) return b.err("begin/end/strides do not have {} values", r);
          Piece p{out[0], {}, {}, {}};
          for (size_t d = 0; d < r; ++d) {
            const int64_t dim = (*xs)[d], stp = (*st)[d];
            if (stp == 0) return b.err("stride 0");
            if (sm >> d & 1) {  // shrink: the one element at start; the dim is dropped
              // TFLite (strided_slice_logic.h, StridedSliceStartForAxis / EndForAxis): start = begin,
              // + dim if negative, clamped to [0, dim]; a begin_mask bit makes it 0; the end is
              // start + 1 whatever `end` and the end_mask bit say. With a negative stride its loop
              // (index > start + 1) copies nothing, and with start = dim neither: refused.
              if (stp < 0)
                return b.err("shrink_axis_mask with a negative stride on dim {} is not supported (TFLite's kernel "
                             "copies no element)", d);
              int64_t s0 = (*bg)[d] < 0 ? (*bg)[d] + dim : (*bg)[d];
              s0 = (bm >> d & 1) ? 0 : std::clamp<int64_t>(s0, 0, dim);
              if (s0 >= dim) return b.err("shrink_axis_mask: begin {} out of range for dim {} of size {}", (*bg)[d], d, dim);
              p.starts.push_back(s0);
              p.ends.push_back(s0 + 1);
              p.steps.push_back(1);
              continue;
            }
            // TFLite: masked bounds take the full range; negative indices count from the end; clamped.
            int64_t s0 = (*bg)[d], e0 = (*en)[d];
            if (s0 < 0) s0 += dim;
            if (e0 < 0) e0 += dim;
            if (stp > 0) {
              s0 = (bm >> d & 1) ? 0 : std::clamp<int64_t>(s0, 0, dim);
              e0 = (em >> d & 1) ? dim : std::clamp<int64_t>(e0, 0, dim);
            } else {
              s0 = (bm >> d & 1) ? dim - 1 : std::clamp<int64_t>(s0, -1, dim - 1);
              e0 = (em >> d & 1) ? -1 : std::clamp<int64_t>(e0, -1, dim - 1);
            }
            p.starts.push_back(s0);
            p.ends.push_back(e0 < 0 ? -(int64_t{1} << 40) : e0);  // "before index 0" for negative steps
            p.steps.push_back(stp);
          }
          pieces.push_back(std::move(p));
        } else {
          if (in.size() != 2 || out.empty() || out.size() > 64) return b.err("{} inputs and {} outputs", in.size(), out.size());
          xi = in[1];
          auto xs = b.tfl_shape(xi);
          if (!xs) return xs.error();
          auto axv = b.ints(in[0], "axis");
          if (!axv) return axv.error();
          const auto r = static_cast<int64_t>(xs->size());
          if (axv->size() != 1 || (*axv)[0] < -r || (*axv)[0] >= r) return b.err("axis must be one value in [-{}, {})", r, r);
          const auto a = static_cast<size_t>((*axv)[0] < 0 ? (*axv)[0] + r : (*axv)[0]);
          const auto k = static_cast<int64_t>(out.size());
          if (opt && otype == kSplit && get<int32_t>(opt, 0, 0) != k) return b.err("num_splits differs from {} outputs", k);
          if ((*xs)[a] % k != 0) return b.err("dim {} of size {} does not split in {}", a, (*xs)[a], k);
          for (int64_t i = 0; i < k; ++i) {
            Piece p{out[static_cast<size_t>(i)], {}, {}, {}};
            for (size_t d = 0; d < xs->size(); ++d) {
              const int64_t len = d == a ? (*xs)[d] / k : (*xs)[d];
              p.starts.push_back(d == a ? i * len : 0);
              p.ends.push_back(d == a ? (i + 1) * len : (*xs)[d]);
              p.steps.push_back(1);
            }
            pieces.push_back(std::move(p));
          }
        }
        auto x = b.act(xi);
        if (!x) return x.error();
        const size_t r = b.g.t(*x).shape.size();
        std::vector<int64_t> axes(r);
        for (size_t d = 0; d < r; ++d) axes[d] = logical_axis(static_cast<int64_t>(d), r);
        for (size_t i = 0; i < pieces.size(); ++i) {
          auto y = b.act(pieces[i].out, true);
          if (!y) return y.error();
          if (!b.same_quant(xi, pieces[i].out)) return b.err("input and output quantization differ");
          if (sm) {
            // Slice with the shrunk dims kept (size 1), then a Reshape (an alias) to the output; it is
            // one only where the NCHW and NHWC element orders agree.
            Shape keep(r);  // TFLite (NHWC) shape of the kept-dims slice
            for (size_t d = 0; d < r; ++d) {
              const int64_t s0 = pieces[i].starts[d], e0 = pieces[i].ends[d], stp = pieces[i].steps[d];
              keep[d] = stp > 0 ? std::max<int64_t>((e0 - s0 + stp - 1) / stp, 0)
                                : std::max<int64_t>((s0 - std::max<int64_t>(e0, -1) + (-stp) - 1) / (-stp), 0);
              if (keep[d] == 0) return b.err("the slice of dim {} is empty", d);
            }
            const Shape kl = Builder::logical(keep);
            Shape yshape;
            for (size_t d = 0; d < r; ++d)
              if (!(sm >> d & 1)) yshape.push_back(keep[d]);
            if (Builder::logical(yshape) != b.g.t(*y).shape)
              return b.err("output shape {} (NCHW) differs from the computed {}", shape_str(b.g.t(*y).shape),
                           shape_str(Builder::logical(yshape)));
            Tensor kt;
            kt.name = b.g.t(*y).name + "_keepdims";
            kt.dtype = b.g.t(*x).dtype;
            kt.shape = kl;
            const TensorId kid = b.g.add_tensor(std::move(kt));
            Node sn;
            sn.op = OpKind::Slice;
            sn.index = n.index;
            sn.name = n.name + "_keepdims";
            sn.inputs = {*x, b.constant(sn.name + "_starts", DType::I64, {static_cast<int64_t>(r)}, pieces[i].starts),
                         b.constant(sn.name + "_ends", DType::I64, {static_cast<int64_t>(r)}, pieces[i].ends),
                         b.constant(sn.name + "_axes", DType::I64, {static_cast<int64_t>(r)}, axes),
                         b.constant(sn.name + "_steps", DType::I64, {static_cast<int64_t>(r)}, pieces[i].steps)};
            sn.outputs = {kid};
            b.g.nodes.push_back(std::move(sn));
            n = b.nhwc_order_reshape(kid, *y, n.name);
            continue;
          }
          Node sn;
          sn.op = OpKind::Slice;
          sn.index = n.index;
          sn.name = pieces.size() == 1 ? n.name : fmt::format("{}_{}", n.name, i);
          const std::string pre = sn.name;
          sn.inputs = {*x, b.constant(pre + "_starts", DType::I64, {static_cast<int64_t>(r)}, pieces[i].starts),
                       b.constant(pre + "_ends", DType::I64, {static_cast<int64_t>(r)}, pieces[i].ends),
                       b.constant(pre + "_axes", DType::I64, {static_cast<int64_t>(r)}, axes),
                       b.constant(pre + "_steps", DType::I64, {static_cast<int64_t>(r)}, pieces[i].steps)};
          sn.outputs = {*y};
          if (i + 1 < pieces.size()) b.g.nodes.push_back(std::move(sn));
          else n = std::move(sn);
        }
        break;
      }
      case AVERAGE_POOL_2D:
      case MAX_POOL_2D: {
        FERRITE_TRY(need(1, 1, kPool2D));
        const int padding = get<int8_t>(opt, 0, 0);
        const int64_t sw = get<int32_t>(opt, 1, 1), sh = get<int32_t>(opt, 2, 1);
        const int64_t fw = get<int32_t>(opt, 3, 1), fh = get<int32_t>(opt, 4, 1);
        const int8_t fa = get<int8_t>(opt, 5, 0);
        if (sw < 1 || sh < 1 || fw < 1 || fh < 1 || sw > 4096 || sh > 4096 || fw > 4096 || fh > 4096)
          return b.err("filter {}x{} / stride {}x{} out of range", fh, fw, sh, sw);
        auto x = b.act(in[0]);
        if (!x) return x.error();
        const Shape xs = b.g.t(*x).shape;
        if (xs.size() != 4) return b.err("input must be 4-D");
        auto [oh, pt] = tfl_pad(xs[2], fh, sh, 1, padding);
        auto [ow, pl] = tfl_pad(xs[3], fw, sw, 1, padding);
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        if (b.g.t(*y).shape != Shape{xs[0], xs[1], oh, ow}) return b.err("output shape {} (NCHW) differs from the computed one", shape_str(b.g.t(*y).shape));
        if (b.qscale(in[0]) != b.qscale(out[0]) || b.qzp(in[0]) != b.qzp(out[0]))
          return b.err("input and output quantization differ (TFLite requires them equal)");
        const int64_t pb = std::max<int64_t>((oh - 1) * sh + fh - xs[2] - pt, 0);
        const int64_t pr = std::max<int64_t>((ow - 1) * sw + fw - xs[3] - pl, 0);
        n.attrs.values["kernel_shape"] = std::vector<int64_t>{fh, fw};
        n.attrs.values["strides"] = std::vector<int64_t>{sh, sw};
        n.attrs.values["pads"] = std::vector<int64_t>{pt, pl, pb, pr};
        if (code == MAX_POOL_2D) {
          n.op = OpKind::MaxPool;
          n.inputs = {*x};
          // The fused activation's quantized bounds (TFLite's CalculateActivationRangeQuantized): MaxPool
          // has no quantization inputs (ops/tflite_numerics.cpp reads them from here).
          if (fa == 1 || fa == 2 || fa == 3) {
            const bool x16 = b.g.t(*x).dtype == DType::I16;
            const int64_t qmin = x16 ? -32768 : -128, qmax = x16 ? 32767 : 127;
            const float sc = b.qscale(out[0]);
            // uint8: TFLite's bounds in 0..255 from zero point z are the int8 ones from z - 128, + 128
            // (normalize-int8 stores the data as int8, so the kernel clamps at the int8 bounds).
            const int64_t zp = b.qzp(out[0]) - (b.g.t(*x).dtype == DType::U8 ? 128 : 0);
            auto q = [&](float v) { return zp + static_cast<int64_t>(std::round(v / sc)); };
            const float lo_f = fa == 2 ? -1.f : 0.f;
            const int64_t lo = std::max(qmin, q(lo_f)), hi = fa == 1 ? qmax : std::min(qmax, q(fa == 2 ? 1.f : 6.f));
            n.attrs.values["tfl_act_range"] = std::vector<int64_t>{lo, hi};
          }
        } else {
          auto qx = b.qconsts(in[0]);
          if (!qx) return qx.error();
          auto qy = b.qconsts(out[0]);
          if (!qy) return qy.error();
          n.op = OpKind::QLinearAveragePool;
          n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
          n.attrs.values["count_include_pad"] = int64_t{0};
        }
        n.outputs = {*y};
        FERRITE_TRY(fused_act(b, n, fa));
        break;
      }
      case RESHAPE:
      case SQUEEZE: {
        if (in.empty() || in.size() > 2 || out.size() != 1) return b.err("expected 1 or 2 inputs and 1 output");
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        if (b.g.t(*x).numel() != b.g.t(*y).numel())
          return b.err("{} elements reshaped to {}", b.g.t(*x).numel(), b.g.t(*y).numel());
        if (b.qscale(in[0]) != b.qscale(out[0]) || b.qzp(in[0]) != b.qzp(out[0]))
          return b.err("input and output quantization differ");
        n = b.nhwc_order_reshape(*x, *y, n.name);  // a Reshape alias, or Transposes where NHWC order matters
        break;
      }
      case SOFTMAX: {
        FERRITE_TRY(need(1, 1, kSoftmax));
        const float beta = get<float>(opt, 0, 1.f);
        if (!(beta > 0.f) || !std::isfinite(beta)) return b.err("beta {} is not a positive finite number", beta);
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        if (b.g.t(*x).shape != b.g.t(*y).shape) return b.err("output shape differs from the input's");
        if (b.g.t(*x).dtype == DType::I16) {
          if (b.qzp(out[0]) != 0 || std::fabs(b.qscale(out[0]) - 1.f / 32768) > 0.001f / 32768)
            return b.err("int16 output must have scale 1/32768 and zero point 0 (TFLite's rule)");
        } else if (b.g.t(*x).dtype == DType::U8) {
          if (b.qscale(out[0]) != 1.f / 256.f || b.qzp(out[0]) != 0)
            return b.err("uint8 output must have scale 1/256 and zero point 0 (TFLite's rule)");
        } else if (b.qscale(out[0]) != 1.f / 256.f || b.qzp(out[0]) != -128) {
          return b.err("int8 output must have scale 1/256 and zero point -128 (TFLite's rule)");
        }
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        n.op = OpKind::QLinearSoftmax;
        n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
        n.outputs = {*y};
        const int64_t r = static_cast<int64_t>(b.g.t(*x).shape.size());
        n.attrs.values["axis"] = int64_t{r == 4 ? 1 : r - 1};  // TFLite: the last (NHWC) dim
        n.attrs.values["beta"] = beta;
        break;
      }
      case DEQUANTIZE: {  // int8 -> float (a model's float output)
        FERRITE_TRY(need(1, 1, 0));
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        if (b.g.t(*y).dtype != DType::F32) return b.err("DEQUANTIZE to {} is not supported (float32 only)", dtype_name(b.g.t(*y).dtype));
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        n.op = OpKind::DequantizeLinear;
        n.inputs = {*x, qx->first, qx->second};
        n.outputs = {*y};
        break;
      }
      case QUANTIZE: {
        FERRITE_TRY(need(1, 1, 0));
        auto x = b.act(in[0]);
        if (!x) return x.error();
        auto y = b.act(out[0], true);
        if (!y) return y.error();
        auto qx = b.qconsts(in[0]);
        if (!qx) return qx.error();
        auto qy = b.qconsts(out[0]);
        if (!qy) return qy.error();
        n.op = OpKind::Requantize;  // int8 / uint8 -> int8 / uint8 (float inputs are refused by act())
        n.inputs = {*x, qx->first, qx->second, qy->first, qy->second};
        n.outputs = {*y};
        break;
      }
      case CUSTOM:
        return b.err("custom operators are not supported");
      default:
        return b.err("operator not supported by Ferrite's TFLite frontend (supported, int8: {})", kSupportedList);
    }
    // uint8 operators whose TFLite uint8 rule is not the int8 one on q - zero point: lowering reads this.
    if (u8 && (n.op == OpKind::QLinearConv || n.op == OpKind::QLinearAveragePool || n.op == OpKind::QLinearActivation ||
               n.op == OpKind::QLinearAdd || n.op == OpKind::QLinearMul))
      n.attrs.values["tfl_uint8"] = int64_t{1};
    FERRITE_TRY(check_shapes(b, n));
    b.g.nodes.push_back(std::move(n));
  }
  b.where = "graph outputs";
  for (int32_t o : *gout) {
    auto t = b.tensor(o);
    if (!t) return t.error();
    if (b.ids[static_cast<size_t>(o)] == kNoTensor) return b.err("output tensor {} is not written by any operator", o);
    const TensorId id = b.ids[static_cast<size_t>(o)];
    b.g.outputs.push_back(id);
    if (b.g.t(id).dtype == DType::I8 || b.g.t(id).dtype == DType::I16 || b.g.t(id).dtype == DType::U8)
      b.g.io_quant[id] = IoQuant{b.qscale(o), static_cast<int32_t>(b.qzp(o))};
  }
  fold_pad_into_conv(b.g);
  FERRITE_TRY(verify(b.g));
  return std::move(b.g);
}

}  // namespace ferrite
