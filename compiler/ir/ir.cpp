// IR helpers: dtype tables, attribute access, the op registry table, graph queries and the verifier.
#include "ir/ir.h"

#include <cstring>
#include <set>

#include "common/prelude.h"
namespace ferrite_rt {
#include "common/convert.h"
}

namespace ferrite {

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32: case DType::I32: case DType::U32: return 4;
    case DType::F64: case DType::I64: case DType::U64: return 8;
    case DType::F16: case DType::BF16: case DType::I16: case DType::U16: return 2;
    case DType::I8: case DType::U8: case DType::Bool: return 1;
    default: return 0;
  }
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "float32";
    case DType::F64: return "float64";
    case DType::F16: return "float16";
    case DType::BF16: return "bfloat16";
    case DType::I8: return "int8";
    case DType::U8: return "uint8";
    case DType::I16: return "int16";
    case DType::U16: return "uint16";
    case DType::I32: return "int32";
    case DType::U32: return "uint32";
    case DType::I64: return "int64";
    case DType::U64: return "uint64";
    case DType::Bool: return "bool";
    case DType::String: return "string";
    default: return "undefined";
  }
}

const char* dtype_c_type(DType t) {
  switch (t) {
    case DType::F32: return "float";
    case DType::F64: return "double";
    case DType::I8: return "int8_t";
    case DType::U8: return "uint8_t";
    case DType::I16: return "int16_t";
    case DType::U16: case DType::F16: case DType::BF16: return "uint16_t";  // float16/bfloat16: bits
    case DType::I32: return "int32_t";
    case DType::U32: return "uint32_t";
    case DType::I64: return "int64_t";
    case DType::U64: return "uint64_t";
    case DType::Bool: return "bool";
    default: return "uint8_t";
  }
}

int64_t shape_numel(const Shape& s) {
  int64_t n = 1;
  bool saturated = false;
  for (int64_t d : s) {
    if (d < 0) return -1;
    if (!saturated && !checked_mul(n, d, &n)) saturated = true;
  }
  if (saturated) {
    for (int64_t d : s) if (d == 0) return 0;
    return INT64_MAX;
  }
  return n;
}

Status check_tensor_size(const Shape& s, size_t elem_size, const std::string& what) {
  int64_t n = 1;
  for (int64_t d : s)
    if (d < 0) return make_error("{} has a negative dimension ({})", what, d);
  for (int64_t d : s)
    if (d == 0) return Status::ok();
  for (int64_t d : s)
    if (!checked_mul(n, d, &n) || n > kMaxTensorElements) {
      std::string dims;
      for (size_t i = 0; i < s.size(); ++i) dims += (i ? "x" : "") + std::to_string(s[i]);
      return make_error("{} has shape {}: more than the {} elements a tensor may have", what, dims,
                        kMaxTensorElements);
    }
  if (elem_size && static_cast<uint64_t>(n) > kMaxTensorBytes / elem_size)
    return make_error("{} holds {} elements of {} bytes: more than the {} bytes a tensor may have", what, n,
                      elem_size, kMaxTensorBytes);
  return Status::ok();
}

std::string shape_str(const Shape& s) {
  if (s.empty()) return "scalar";
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) r += (i ? "x" : "") + std::to_string(s[i]);
  return r;
}

template <typename T>
static std::vector<T> convert_data(const Tensor& t) {
  // Not a constant, or data shorter than the shape (a bug elsewhere): no values, never a wild read.
  if (!t.data || t.numel() < 0 || t.data->size() < t.bytes()) return {};
  std::vector<T> out(static_cast<size_t>(t.numel()));
  const uint8_t* p = t.data->data();
  for (size_t i = 0; i < out.size(); ++i) {
    switch (t.dtype) {
#define CASE(DT, CT)                                           \
  case DType::DT: {                                            \
    CT v;                                                      \
    std::memcpy(&v, p + i * sizeof(CT), sizeof(CT));           \
    out[i] = static_cast<T>(v);                                \
    break;                                                     \
  }
      CASE(F32, float) CASE(F64, double) CASE(I8, int8_t) CASE(U8, uint8_t) CASE(I16, int16_t)
      CASE(U16, uint16_t) CASE(I32, int32_t) CASE(U32, uint32_t) CASE(I64, int64_t)
      CASE(U64, uint64_t) CASE(Bool, uint8_t)
#undef CASE
      case DType::F16: case DType::BF16: {
        uint16_t h;
        std::memcpy(&h, p + i * 2, 2);
        const float f = t.dtype == DType::F16 ? ferrite_rt::f16_to_f32(h) : ferrite_rt::bf16_to_f32(h);
        out[i] = static_cast<T>(f);
        break;
      }
      default: out[i] = T{};
    }
  }
  return out;
}

std::vector<int64_t> Tensor::as_i64() const { return convert_data<int64_t>(*this); }
std::vector<float> Tensor::as_f32() const { return convert_data<float>(*this); }

int64_t Attrs::i(const std::string& k, int64_t def) const {
  auto it = values.find(k);
  if (it == values.end()) return def;
  if (auto* v = std::get_if<int64_t>(&it->second)) return *v;
  return def;
}
float Attrs::f(const std::string& k, float def) const {
  auto it = values.find(k);
  if (it == values.end()) return def;
  if (auto* v = std::get_if<float>(&it->second)) return *v;
  if (auto* v = std::get_if<int64_t>(&it->second)) return static_cast<float>(*v);
  return def;
}
std::string Attrs::s(const std::string& k, const std::string& def) const {
  auto it = values.find(k);
  if (it == values.end()) return def;
  if (auto* v = std::get_if<std::string>(&it->second)) return *v;
  return def;
}
std::vector<int64_t> Attrs::ints(const std::string& k, std::vector<int64_t> def) const {
  auto it = values.find(k);
  if (it == values.end()) return def;
  if (auto* v = std::get_if<std::vector<int64_t>>(&it->second)) return *v;
  if (auto* v = std::get_if<int64_t>(&it->second)) return {*v};
  return def;
}
std::vector<float> Attrs::floats(const std::string& k) const {
  auto it = values.find(k);
  if (it == values.end()) return {};
  if (auto* v = std::get_if<std::vector<float>>(&it->second)) return *v;
  return {};
}

const std::vector<OpInfo>& all_ops() {
  static const std::vector<OpInfo> table = {
#define FERRITE_OP(kind, domain, onnx, lo, hi, cmask) {OpKind::kind, domain, onnx, lo, hi, cmask},
#include "ir/ops.def"
#undef FERRITE_OP
  };
  return table;
}

const OpInfo& op_info(OpKind k) { return all_ops().at(static_cast<size_t>(k)); }

std::optional<OpKind> op_from_onnx(const std::string& domain, const std::string& type) {
  const std::string d = domain == "ai.onnx" ? "" : domain;
  for (const OpInfo& o : all_ops())
    if (type == o.onnx_type && d == o.domain) return o.kind;
  return std::nullopt;
}

std::string Node::display_name() const {
  if (!name.empty()) return fmt::format("{} '{}'", op_info(op).onnx_type, name);
  return fmt::format("{} #{}", op_info(op).onnx_type, index);
}

TensorId Graph::add_tensor(Tensor t) {
  tensors.push_back(std::move(t));
  return static_cast<TensorId>(tensors.size() - 1);
}

bool Graph::is_graph_input(TensorId id) const {
  for (TensorId i : inputs) if (i == id) return true;
  return false;
}
bool Graph::is_graph_output(TensorId id) const {
  for (TensorId o : outputs) if (o == id) return true;
  return false;
}

std::vector<size_t> Graph::consumers(TensorId id) const {
  std::vector<size_t> r;
  for (size_t n = 0; n < nodes.size(); ++n)
    for (TensorId in : nodes[n].inputs)
      if (in == id) { r.push_back(n); break; }
  return r;
}

std::optional<size_t> Graph::producer(TensorId id) const {
  for (size_t n = 0; n < nodes.size(); ++n)
    for (TensorId o : nodes[n].outputs)
      if (o == id) return n;
  return std::nullopt;
}

void Graph::replace_uses(TensorId from, TensorId to) {
  for (Node& n : nodes)
    for (TensorId& in : n.inputs)
      if (in == from) in = to;
  for (TensorId& o : outputs)
    if (o == from) o = to;
}

Status verify(const Graph& g) {
  const auto nt = static_cast<TensorId>(g.tensors.size());
  std::set<TensorId> defined;
  for (TensorId i : g.inputs) {
    if (i < 0 || i >= nt) return make_error("verifier: graph input id {} out of range", i);
    defined.insert(i);
  }
  for (TensorId i = 0; i < nt; ++i)
    if (g.t(i).is_constant()) {
      if (g.t(i).data->size() != g.t(i).bytes())
        return make_error("verifier: constant '{}' holds {} bytes, its shape {} needs {}", g.t(i).name,
                          g.t(i).data->size(), shape_str(g.t(i).shape), g.t(i).bytes());
      defined.insert(i);
    }
  for (const Node& n : g.nodes) {
    for (TensorId in : n.inputs) {
      if (in == kNoTensor) continue;
      if (in < 0 || in >= nt) return make_error("verifier: {} reads tensor id {} out of range", n.display_name(), in);
      if (!defined.count(in))
        return make_error("verifier: {} reads '{}' before it is produced", n.display_name(), g.t(in).name);
    }
    for (TensorId o : n.outputs) {
      if (o < 0 || o >= nt) return make_error("verifier: {} writes tensor id {} out of range", n.display_name(), o);
      if (defined.count(o))
        return make_error("verifier: '{}' has more than one producer ({})", g.t(o).name, n.display_name());
      defined.insert(o);
    }
  }
  for (TensorId o : g.outputs)
    if (o < 0 || o >= nt || !defined.count(o)) return make_error("verifier: graph output id {} is never produced", o);
  return Status::ok();
}

std::string dump(const Graph& g) {
  std::string r = fmt::format("graph '{}' (opset {}), {} nodes\n", g.name, g.opset, g.nodes.size());
  auto tn = [&](TensorId id) {
    if (id == kNoTensor) return std::string("<none>");
    const Tensor& t = g.t(id);
    return fmt::format("%{}:{}[{}]{}", t.name, dtype_name(t.dtype), shape_str(t.shape), t.is_constant() ? "(const)" : "");
  };
  for (TensorId i : g.inputs) r += "  input " + tn(i) + "\n";
  for (const Node& n : g.nodes) {
    std::string ins, outs;
    for (TensorId i : n.inputs) ins += (ins.empty() ? "" : ", ") + tn(i);
    for (TensorId o : n.outputs) outs += (outs.empty() ? "" : ", ") + tn(o);
    r += fmt::format("  {} = {}({}){}\n", outs, n.display_name(), ins,
                     n.act.kind != FusedAct::None ? fmt::format(" +act{}", static_cast<int>(n.act.kind)) : "");
  }
  for (TensorId o : g.outputs) r += "  output " + tn(o) + "\n";
  return r;
}

}  // namespace ferrite
