// ONNX frontend. Order of checks: file size and protobuf parse, external data, graph structure
// (cycles), the rewrite of opsets 18-23 to opset 17 (onnx_opset.h), unsupported operators (all
// listed at once), ONNX checker, version conversion to the canonical opset, shape inference with the
// user's shape overrides alternating with constant folding of the shape arithmetic (onnx_fold.h),
// then IR construction where every tensor must end up with a static shape and a known dtype.
#include "frontend/onnx_import.h"
#include "frontend/contrib_schemas.h"
#include "frontend/onnx_fold.h"
#include "frontend/onnx_opset.h"
#include "frontend/sandbox.h"
#include "frontend/validate.h"
#include "support/sanitize.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include <stdexcept>

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <onnx/version_converter/convert.h>

namespace fs = std::filesystem;

namespace ferrite {

DType dtype_from_onnx(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT: return DType::F32;
    case onnx::TensorProto::DOUBLE: return DType::F64;
    case onnx::TensorProto::FLOAT16: return DType::F16;
    case onnx::TensorProto::BFLOAT16: return DType::BF16;
    case onnx::TensorProto::INT8: return DType::I8;
    case onnx::TensorProto::UINT8: return DType::U8;
    case onnx::TensorProto::INT16: return DType::I16;
    case onnx::TensorProto::UINT16: return DType::U16;
    case onnx::TensorProto::INT32: return DType::I32;
    case onnx::TensorProto::UINT32: return DType::U32;
    case onnx::TensorProto::INT64: return DType::I64;
    case onnx::TensorProto::UINT64: return DType::U64;
    case onnx::TensorProto::BOOL: return DType::Bool;
    case onnx::TensorProto::STRING: return DType::String;
    default: return DType::Undefined;
  }
}

int dtype_to_onnx(DType t) {
  for (int i = 0; i <= 16; ++i)
    if (dtype_from_onnx(i) == t && t != DType::Undefined) return i;
  return 0;
}

Expected<Shape> parse_shape(const std::string& s) {
  Shape r;
  std::string cur;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == 'x' || s[i] == ',' || s[i] == 'X') {
      if (cur.empty() || cur.size() > 12) return make_error("bad shape '{}': expected dims like 1x3x96x96", s);
      for (char c : cur)
        if (c < '0' || c > '9') return make_error("bad shape '{}': expected dims like 1x3x96x96", s);
      r.push_back(std::stoll(cur));
      cur.clear();
    } else {
      cur += s[i];
    }
  }
  return r;
}

static Expected<std::string> read_file_limited(const std::string& path, uint64_t limit, const char* what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error("cannot read {} '{}': no such file", what, path);
  if (!fs::is_regular_file(path, ec)) return make_error("cannot read {} '{}': not a regular file", what, path);
  uint64_t size = fs::file_size(path, ec);
  if (ec) return make_error("cannot read {} '{}': {}", what, path, ec.message());
  if (size > limit) return make_error("{} '{}' is {} bytes, larger than the {} byte limit", what, path, size, limit);
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error("cannot open {} '{}'", what, path);
  std::string data(size, '\0');
  f.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(f.gcount()) != size) return make_error("short read of {} '{}'", what, path);
  return data;
}

// Resolves an external-data reference to a file inside the model's folder and returns a view of its
// bytes. The location must be a relative path of printable characters without "..", and its real
// path (symbolic links resolved) must lie inside the model's real folder. Each file is read once per
// import (`cache`, keyed by real path: real exporters put every initializer in one file), the total
// of all files is limited to kMaxModelBytes, and offset/length are checked against the file's size.
static Expected<std::string_view> load_external(const onnx::TensorProto& tp, const std::string& base_dir,
                                                ExternalDataCache* cache) {
  std::string location;
  int64_t offset = 0, length = -1;
  auto number = [](const std::string& v, int64_t* out) {
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) return false;
    *out = std::stoll(v);
    return true;
  };
  for (const auto& kv : tp.external_data()) {
    if (kv.key() == "location") location = kv.value();
    else if ((kv.key() == "offset" && !number(kv.value(), &offset)) || (kv.key() == "length" && !number(kv.value(), &length)))
      return make_error("initializer '{}': external data {} '{}' is not a byte count", tp.name(), kv.key(), kv.value());
  }
  if (location.empty()) return make_error("initializer '{}': external data has no location", tp.name());
  for (unsigned char c : location)
    if (c < 0x20 || c == 0x7f)
      return make_error("initializer '{}': external data location '{}' contains a control character (byte {})",
                        tp.name(), comment_safe(location), static_cast<int>(c));
  fs::path rel(location);
  if (rel.is_absolute() || location.find("..") != std::string::npos || base_dir.empty())
    return make_error("initializer '{}': external data location '{}' must be a relative path inside the model's folder",
                      tp.name(), location);
  std::error_code ec;
  const fs::path base_real = fs::canonical(base_dir, ec);
  if (ec) return make_error("initializer '{}': cannot resolve the model's folder '{}': {}", tp.name(), base_dir, ec.message());
  const fs::path full = fs::path(base_dir) / rel;
  if (!fs::exists(full, ec))
    return make_error("initializer '{}': cannot read external data file '{}': no such file", tp.name(), full.string());
  const fs::path real = fs::canonical(full, ec);
  if (ec) return make_error("initializer '{}': cannot resolve external data file '{}': {}", tp.name(), full.string(), ec.message());
  const std::string base_s = base_real.string(), real_s = real.string();
  if (real_s.size() <= base_s.size() || real_s.compare(0, base_s.size(), base_s) != 0 ||
      (base_s.back() != '/' && real_s[base_s.size()] != '/'))
    return make_error("initializer '{}': external data location '{}' resolves to '{}', outside the model's folder '{}' "
                      "(through a symbolic link)",
                      tp.name(), location, real_s, base_s);
  ExternalDataCache local;
  if (!cache) cache = &local;
  auto it = cache->files.find(real_s);
  if (it == cache->files.end()) {
    auto content = read_file_limited(real_s, kMaxModelBytes, "external data file");
    if (!content) return make_error("initializer '{}': {}", tp.name(), content.error().message);
    if (content->size() > kMaxModelBytes - std::min<uint64_t>(cache->total_bytes, kMaxModelBytes))
      return make_error("initializer '{}': the external data files add up to more than the {} byte limit", tp.name(),
                        kMaxModelBytes);
    cache->total_bytes += content->size();
    it = cache->files.emplace(real_s, std::move(*content)).first;
  }
  const std::string& data = it->second;
  if (static_cast<uint64_t>(offset) > data.size())
    return make_error("initializer '{}': external data offset {} is past the end of '{}' ({} bytes)", tp.name(), offset,
                      location, data.size());
  const uint64_t avail = data.size() - static_cast<uint64_t>(offset);
  if (length >= 0 && static_cast<uint64_t>(length) > avail)
    return make_error("initializer '{}': external data range (offset {}, length {}) runs past the end of '{}' ({} bytes)",
                      tp.name(), offset, length, location, data.size());
  const size_t len = length < 0 ? static_cast<size_t>(avail) : static_cast<size_t>(length);
  return std::string_view(data).substr(static_cast<size_t>(offset), len);
}

Expected<Tensor> tensor_from_proto(const onnx::TensorProto& tp, const std::string& base_dir, ExternalDataCache* cache) {
  Tensor t;
  t.name = tp.name();
  t.dtype = dtype_from_onnx(tp.data_type());
  for (int64_t d : tp.dims()) t.shape.push_back(d);
  if (t.dtype == DType::Undefined || t.dtype == DType::String)
    return make_error("tensor '{}': element type {} is not supported", tp.name(), tp.data_type());
  // The declared size is checked (overflow-safe) and compared with the data actually present
  // before anything sized by it is allocated.
  FERRITE_TRY(check_tensor_size(t.shape, dtype_size(t.dtype), fmt::format("tensor '{}'", tp.name())));
  const int64_t n = t.numel();
  const size_t bytes = t.bytes();
  std::vector<uint8_t> out;
  auto take = [&](const auto& field, auto conv) -> Status {
    if (static_cast<int64_t>(field.size()) != n)
      return make_error("tensor '{}': holds {} values, its shape {} needs {}", tp.name(), field.size(), shape_str(t.shape), n);
    out.resize(bytes);
    const size_t es = dtype_size(t.dtype);
    for (int64_t i = 0; i < n; ++i) conv(field[static_cast<int>(i)], out.data() + static_cast<size_t>(i) * es);
    return Status::ok();
  };
  if (tp.data_location() == onnx::TensorProto::EXTERNAL) {
    auto raw = load_external(tp, base_dir, cache);
    if (!raw) return raw.error();
    if (raw->size() != bytes)
      return make_error("initializer '{}': external data holds {} bytes, its shape {} needs {}", tp.name(), raw->size(),
                        shape_str(t.shape), bytes);
    out.assign(raw->begin(), raw->end());
  } else if (tp.has_raw_data()) {
    if (tp.raw_data().size() != bytes)
      return make_error("tensor '{}': raw data holds {} bytes, its shape {} needs {}", tp.name(), tp.raw_data().size(),
                        shape_str(t.shape), bytes);
    out.assign(tp.raw_data().begin(), tp.raw_data().end());
  } else {
    Status st;
    switch (t.dtype) {
      case DType::F32: st = take(tp.float_data(), [](float v, uint8_t* p) { std::memcpy(p, &v, 4); }); break;
      case DType::F64: st = take(tp.double_data(), [](double v, uint8_t* p) { std::memcpy(p, &v, 8); }); break;
      case DType::I64: st = take(tp.int64_data(), [](int64_t v, uint8_t* p) { std::memcpy(p, &v, 8); }); break;
      case DType::U32: case DType::U64:
        st = take(tp.uint64_data(), [&](uint64_t v, uint8_t* p) { std::memcpy(p, &v, dtype_size(t.dtype)); });
        break;
      default:  // int32-family: int32, int16, int8, uint16, uint8, bool
        st = take(tp.int32_data(), [&](int32_t v, uint8_t* p) { std::memcpy(p, &v, dtype_size(t.dtype)); });
    }
    if (!st) return st.error();
  }
  t.data = std::move(out);
  return t;
}

Expected<Tensor> read_tensor_pb(const std::string& path) {
  auto content = read_file_limited(path, kMaxModelBytes, "tensor file");
  if (!content) return content.error();
  onnx::TensorProto tp;
  if (!tp.ParseFromString(*content) || !tp.has_data_type())
    return make_error("'{}' is not a serialized ONNX TensorProto (nor a .npy file)", path);
  const std::string dir = fs::path(path).parent_path().string();
  return tensor_from_proto(tp, dir.empty() ? "." : dir);
}

// Reports a cycle (or a use before definition that no reordering can fix) naming the nodes involved;
// reorders the nodes topologically when they are merely out of order.
static Status check_structure(onnx::GraphProto& g) {
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto& o : g.node(i).output())
      if (!o.empty()) {
        if (producer.count(o))
          return make_error("tensor '{}' is produced by two nodes ('{}' and '{}')", o, g.node(producer[o]).name(),
                            g.node(i).name());
        producer[o] = i;
      }
  // Every name must be defined somewhere (ONNX's version converter crashes on a graph output that
  // nothing produces, and the checker words a missing tensor as an ordering problem).
  std::set<std::string> defined;
  for (const auto& i : g.input()) defined.insert(i.name());
  for (const auto& i : g.initializer()) defined.insert(i.name());
  for (int i = 0; i < g.node_size(); ++i)
    for (const auto& in : g.node(i).input())
      if (!in.empty() && !defined.count(in) && !producer.count(in))
        return make_error("{} node '{}': input '{}' is not defined: it is neither a graph input, an initializer, nor "
                          "produced by a node (a missing initializer?)",
                          g.node(i).op_type(), g.node(i).name().empty() ? "#" + std::to_string(i) : g.node(i).name(),
                          in);
  for (const auto& o : g.output())
    if (!defined.count(o.name()) && !producer.count(o.name()))
      return make_error("graph output '{}' is never produced: no node, input or initializer has that name", o.name());
  // Depth-first, with an explicit stack (a chain of 100,000 nodes would overflow the call stack).
  const int n = g.node_size();
  std::vector<int> state(static_cast<size_t>(n), 0), order;
  std::vector<std::pair<int, int>> stack;  // node, next input to look at
  for (int root = 0; root < n; ++root) {
    if (state[static_cast<size_t>(root)]) continue;
    state[static_cast<size_t>(root)] = 1;
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto& [v, k] = stack.back();
      if (k == g.node(v).input_size()) {
        state[static_cast<size_t>(v)] = 2;
        order.push_back(v);
        stack.pop_back();
        continue;
      }
      auto p = producer.find(g.node(v).input(k++));
      if (p == producer.end() || state[static_cast<size_t>(p->second)] == 2) continue;
      const int w = p->second;
      if (state[static_cast<size_t>(w)] == 1) {
        std::string cyc;
        auto it = std::find_if(stack.begin(), stack.end(), [&](const auto& e) { return e.first == w; });
        for (; it != stack.end(); ++it) cyc += fmt::format("{} '{}' -> ", g.node(it->first).op_type(), g.node(it->first).name());
        cyc += fmt::format("{} '{}'", g.node(w).op_type(), g.node(w).name());
        return make_error("the graph has a cycle: {}", cyc);
      }
      state[static_cast<size_t>(w)] = 1;
      stack.emplace_back(w, 0);
    }
  }
  bool sorted = true;
  for (int i = 0; i < n; ++i) sorted = sorted && order[static_cast<size_t>(i)] == i;
  if (!sorted) {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    for (int i : order) *nodes.Add() = g.node(i);
    g.mutable_node()->Swap(&nodes);
  }
  return Status::ok();
}

static Status check_supported(const onnx::GraphProto& g, int64_t opset) {
  std::vector<std::string> bad;
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& n = g.node(i);
    auto k = op_from_onnx(n.domain(), n.op_type());
    if (k && std::string(op_info(*k).domain) == "ferrite") k.reset();  // internal ops are never imported
    if (!k && is_fold_only_op(n.domain(), n.op_type())) continue;  // checked again after folding
    if (!k) {
      bad.push_back(fmt::format("  {} (domain '{}') node '{}'", n.op_type(), n.domain().empty() ? "ai.onnx" : n.domain(),
                                n.name().empty() ? "#" + std::to_string(i) : n.name()));
    } else if (opset > op_info(*k).max_opset) {
      bad.push_back(fmt::format("  {} node '{}' at opset {} (supported up to {})", n.op_type(), n.name(), opset,
                                op_info(*k).max_opset));
    }
    for (const auto& a : n.attribute())
      if (a.type() == onnx::AttributeProto::GRAPH || a.type() == onnx::AttributeProto::GRAPHS)
        bad.push_back(fmt::format("  {} node '{}': subgraph attribute '{}'", n.op_type(), n.name(), a.name()));
  }
  if (bad.empty()) return Status::ok();
  std::string list;
  for (auto& b : bad) list += b + "\n";
  return make_error("{} unsupported node{} (see `ferrite ops` for what is supported):\n{}", bad.size(),
                    bad.size() == 1 ? "" : "s", list.substr(0, list.size() - 1));
}

static Expected<AttrValue> convert_attr(const onnx::AttributeProto& a, const std::string& where) {
  switch (a.type()) {
    case onnx::AttributeProto::INT: return AttrValue(int64_t{a.i()});
    case onnx::AttributeProto::FLOAT: return AttrValue(a.f());
    case onnx::AttributeProto::STRING: return AttrValue(a.s());
    case onnx::AttributeProto::INTS: return AttrValue(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
    case onnx::AttributeProto::FLOATS: return AttrValue(std::vector<float>(a.floats().begin(), a.floats().end()));
    case onnx::AttributeProto::STRINGS: {  // one string, the elements joined by ',' (RNN activations)
      std::string s;
      for (const auto& e : a.strings()) s += (s.empty() ? "" : ",") + e;
      return AttrValue(s);
    }
    default: return make_error("{}: attribute '{}' has a type Ferrite does not support", where, a.name());
  }
}

static Shape shape_of(const onnx::TypeProto& tp, bool* known) {
  Shape s;
  *known = tp.has_tensor_type() && tp.tensor_type().has_shape();
  if (!*known) return s;
  for (const auto& d : tp.tensor_type().shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() < 0) *known = false;
    s.push_back(d.has_dim_value() ? d.dim_value() : -1);
  }
  return s;
}

// ONNX's version converter in a child process (sandbox.h): its adapters trust the shapes of the
// nodes they rewrite (a Gemm of scalars at opset 6 makes Gemm_6_7 read past an empty dims list).
static std::string convert_version(const onnx::ModelProto& model, int target) {
  std::string out;
  if (!onnx::version_conversion::ConvertVersion(model, target).SerializeToString(&out))
    throw std::runtime_error("the converted model does not serialize");
  return out;
}

// The same in a persistent sandbox worker (sandbox.h): the target opset (4 bytes), then the model.
static std::string convert_version_request(std::string_view request) {
  int32_t target = 0;
  onnx::ModelProto model;
  if (request.size() < sizeof target) throw std::runtime_error("a short request");
  std::memcpy(&target, request.data(), sizeof target);
  request.remove_prefix(sizeof target);
  if (!model.ParseFromArray(request.data(), static_cast<int>(request.size())))
    throw std::runtime_error("the model does not parse in the sandbox");
  return convert_version(model, target);
}

static Expected<onnx::ModelProto> convert_version_sandboxed(const onnx::ModelProto& model, int target) {
  auto bytes = run_sandboxed(
      &convert_version_request,
      [&] {
        const int32_t t = target;
        std::string request(reinterpret_cast<const char*>(&t), sizeof t);
        if (!model.AppendToString(&request)) throw std::runtime_error("the model does not serialize");
        return request;
      },
      [&] { return convert_version(model, target); });
  if (!bytes) {
    if (bytes.error().message.rfind("it crashed", 0) == 0)
      return make_error("{} on a node it does not check (an operator given inputs of the wrong rank?)",
                        bytes.error().message);
    return bytes.error();
  }
  onnx::ModelProto m;
  if (!m.ParseFromString(*bytes)) return make_error("its result does not parse");
  return m;
}

// Whether every ai.onnx node has the same schema (since-version) at `from` as at `to`.
static bool same_schemas(const onnx::GraphProto& g, int64_t from, int64_t to) {
  for (const auto& n : g.node()) {
    if (!n.domain().empty() && n.domain() != "ai.onnx") continue;
    const auto* a = onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(from), "");
    const auto* b = onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(to), "");
    if (!a || !b || a->SinceVersion() != b->SinceVersion()) return false;
  }
  return true;
}

// What a file that is not an ONNX model is, by its magic bytes ("" when unknown): the hint that
// follows "is not an ONNX model". (A TFLite frontend replaces the TFLite case with a dispatch.)
static std::string not_onnx_hint(const std::string& bytes) {
  if (bytes.size() >= 8 && bytes.compare(4, 4, "TFL3") == 0)
    return "it is a TFLite flatbuffer: give it as a .tflite model (the TFLite frontend reads it by its \"TFL3\" "
           "identifier, docs/tflite.md)";
  if (bytes.compare(0, 6, "\x93NUMPY") == 0)
    return "it is a NumPy .npy array (an input or reference?), not a model";
  if (bytes.compare(0, 2, "\x1f\x8b") == 0) return "it is gzip-compressed: decompress it first";
  if (bytes.compare(0, 4, std::string("PK\x03\x04", 4)) == 0)
    return "it is a zip archive (a PyTorch .pt/.pth checkpoint?): export the model with torch.onnx.export";
  if (bytes.compare(0, 4, "\x89HDF") == 0) return "it is an HDF5 file (a Keras .h5 model?): convert it to ONNX (tf2onnx)";
  return "";
}

// Reads and parses a model file, refusing oversize files and anything that is not a ModelProto.
static Expected<onnx::ModelProto> load_model_proto(const std::string& path) {
  auto content = read_file_limited(path, kMaxModelBytes, "model");
  if (!content) return content.error();
  onnx::ModelProto model;
  if (const std::string hint = not_onnx_hint(*content); !hint.empty())
    return make_error("'{}' is not an ONNX model: {}", path, hint);
  if (content->empty() || !model.ParseFromString(*content))
    return make_error("'{}' is not an ONNX model: the protobuf does not parse (truncated or not a .onnx file)", path);
  return model;
}

Expected<std::map<std::pair<std::string, std::string>, int>> model_operators(const std::string& path) {
  auto loaded = load_model_proto(path);
  if (!loaded) return loaded.error();
  const onnx::ModelProto& model = *loaded;
  std::map<std::pair<std::string, std::string>, int> r;
  for (const auto& n : model.graph().node()) ++r[{n.domain() == "ai.onnx" ? "" : n.domain(), n.op_type()}];
  return r;
}

// The type of a graph input or output as ONNX writes it (tensor(FLOAT), seq(tensor(FLOAT)), ...).
// Protobuf's parser limits nesting to 100 levels, which bounds the recursion.
static std::string value_type_str(const onnx::TypeProto& t) {
  switch (t.value_case()) {
    case onnx::TypeProto::kTensorType:
      return fmt::format("tensor({})", onnx::TensorProto_DataType_Name(t.tensor_type().elem_type()));
    case onnx::TypeProto::kSequenceType:
      return fmt::format("seq({})", value_type_str(t.sequence_type().elem_type()));
    case onnx::TypeProto::kOptionalType:
      return fmt::format("optional({})", value_type_str(t.optional_type().elem_type()));
    case onnx::TypeProto::kMapType:
      return fmt::format("map({}, {})", onnx::TensorProto_DataType_Name(t.map_type().key_type()),
                         value_type_str(t.map_type().value_type()));
    case onnx::TypeProto::kSparseTensorType:
      return fmt::format("sparse_tensor({})", onnx::TensorProto_DataType_Name(t.sparse_tensor_type().elem_type()));
    default:
      return "no type";
  }
}

// Graph inputs and outputs must be tensors: sequences, optionals, maps and sparse tensors are refused
// by name and type before anything reads them (a sequence's .pb would otherwise parse as a garbage tensor).
static Status check_graph_value_types(const onnx::GraphProto& g) {
  std::set<std::string> inits;
  for (const auto& i : g.initializer()) inits.insert(i.name());
  for (const auto* list : {&g.input(), &g.output()}) {
    const bool inputs = list == &g.input();
    for (const auto& v : *list) {
      if (inputs && inits.count(v.name())) continue;
      if (v.type().value_case() != onnx::TypeProto::kTensorType)
        return make_error("graph {} '{}' has type {}: Ferrite compiles models whose inputs and outputs are tensors",
                          inputs ? "input" : "output", v.name(), value_type_str(v.type()));
    }
  }
  return Status::ok();
}

Expected<std::vector<std::string>> graph_input_names(const std::string& path) {
  auto loaded = load_model_proto(path);
  if (!loaded) return loaded.error();
  const onnx::ModelProto& model = *loaded;
  FERRITE_TRY(check_graph_value_types(model.graph()));
  std::set<std::string> inits;
  for (const auto& i : model.graph().initializer()) inits.insert(i.name());
  std::vector<std::string> r;
  for (const auto& i : model.graph().input())
    if (!inits.count(i.name())) r.push_back(i.name());
  return r;
}

Expected<Graph> import_onnx(const std::string& path, const ImportOptions& opts) {
  register_contrib_schemas();
  auto loaded = load_model_proto(path);
  if (!loaded) return loaded.error();
  onnx::ModelProto model = std::move(*loaded);
  if (!model.has_graph() || model.graph().node_size() == 0)
    return make_error("'{}' is not an ONNX model: it has no graph or the graph has no nodes", path);
  std::string base_dir = fs::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  onnx::GraphProto* g = model.mutable_graph();

  // External data is read in now so that every later stage sees self-contained initializers; each
  // file once, however many initializers it holds.
  FERRITE_TRY(refuse_external_data_outside_initializers(*g));
  ExternalDataCache external_files;
  for (auto& init : *g->mutable_initializer())
    if (init.data_location() == onnx::TensorProto::EXTERNAL) {
      auto t = tensor_from_proto(init, base_dir, &external_files);
      if (!t) return t.error();
      init.clear_external_data();
      init.set_data_location(onnx::TensorProto::DEFAULT);
      init.set_raw_data(std::string(reinterpret_cast<const char*>(t->data->data()), t->data->size()));
    }
  external_files = ExternalDataCache{};

  int64_t opset = -1;
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = o.version();
  if (opset < 0) return make_error("'{}' imports no ai.onnx opset", path);
  if (opset > kMaxOpset)
    return make_error("'{}' uses opset {}; Ferrite supports opsets 1 to {}", path, opset, kMaxOpset);

  FERRITE_TRY(check_structure(*g));
  FERRITE_TRY(check_graph_value_types(*g));
  FERRITE_TRY(validate_declared_sizes(*g, /*inputs=*/false));  // the opset rewrite reads constants' dims
  if (opset > kCanonicalOpset) {
    // ONNX 1.12 knows opsets up to 17: newer signatures are rewritten to theirs first (onnx_opset.h).
    FERRITE_TRY(rewrite_to_opset17(model, opset, opts.input_shapes));
    opset = kCanonicalOpset;
  }
  FERRITE_TRY(check_supported(*g, opset));
  FERRITE_TRY(validate_attributes(*g, opset));  // before ONNX's checker and shape inference see them

  // Frozen inputs become initializers; remaining inputs get their shape overrides.
  std::set<std::string> initializer_names;
  for (const auto& init : g->initializer()) initializer_names.insert(init.name());
  std::map<std::string, Tensor> frozen = opts.frozen_inputs;
  for (const auto& [name, tensor] : opts.const_slot_inputs) {
    bool used = false, all_const = true;
    for (const auto& n : g->node()) {
      auto k = op_from_onnx(n.domain(), n.op_type());
      for (int i = 0; i < n.input_size(); ++i)
        if (n.input(i) == name) {
          used = true;
          // Fold-only operators (Gather, Cast, ...) must fold away: every input of theirs is a constant slot.
          all_const = all_const && ((k && i < 32 && ((op_info(*k).const_inputs >> i) & 1u)) ||
                                    (!k && is_fold_only_op(n.domain(), n.op_type())));
        }
    }
    // An input that no node reads (ONNX's castlike_*_expanded tests keep CastLike's `like`) cannot
    // change any output: it is frozen too, so its data need not match its declared shape.
    bool is_output = false;
    for (const auto& o : g->output()) is_output = is_output || o.name() == name;
    if ((used ? all_const : !is_output) && !frozen.count(name)) frozen[name] = tensor;
  }
  for (auto& [name, tensor] : frozen) {
    int idx = -1;
    for (int i = 0; i < g->input_size(); ++i)
      if (g->input(i).name() == name) idx = i;
    if (idx < 0) return make_error("--freeze-input: the model has no input named '{}'", name);
    const auto& declared = g->input(idx).type();
    // bfloat16 data comes as uint16 bit patterns (numpy has no bfloat16; ONNX's test data hold it so).
    if (declared.has_tensor_type() && declared.tensor_type().elem_type() == onnx::TensorProto::BFLOAT16 &&
        tensor.dtype == DType::U16)
      tensor.dtype = DType::BF16;
    if (declared.has_tensor_type() && declared.tensor_type().elem_type() != dtype_to_onnx(tensor.dtype))
      return make_error("input '{}': the data given is {}, the model declares element type {}", name,
                        dtype_name(tensor.dtype),
                        dtype_from_onnx(declared.tensor_type().elem_type()) == DType::Undefined
                            ? std::to_string(declared.tensor_type().elem_type())
                            : dtype_name(dtype_from_onnx(declared.tensor_type().elem_type())));
    onnx::TensorProto* tp = g->add_initializer();
    tp->set_name(name);
    tp->set_data_type(dtype_to_onnx(tensor.dtype));
    for (int64_t d : tensor.shape) tp->add_dims(d);
    tp->set_raw_data(std::string(reinterpret_cast<const char*>(tensor.data->data()), tensor.data->size()));
    g->mutable_input()->DeleteSubrange(idx, 1);
    initializer_names.insert(name);
  }
  for (const auto& [name, shape] : opts.input_shapes) {
    bool found = false;
    for (auto& in : *g->mutable_input()) {
      if (in.name() != name) continue;
      found = true;
      auto* shp = in.mutable_type()->mutable_tensor_type()->mutable_shape();
      if (shp->dim_size() != 0 && shp->dim_size() != static_cast<int>(shape.size()))
        return make_error("--input-shape {}={}: the input has rank {}, not {}", name, shape_str(shape), shp->dim_size(),
                          shape.size());
      for (int i = 0; i < shp->dim_size(); ++i) {
        const auto& d = shp->dim(i);
        if (d.has_dim_value() && d.dim_value() != shape[static_cast<size_t>(i)])
          return make_error("--input-shape {}={}: dim {} is fixed to {} by the model", name, shape_str(shape), i,
                            d.dim_value());
      }
      shp->clear_dim();
      for (int64_t d : shape) shp->add_dim()->set_dim_value(d);
    }
    if (!found) return make_error("--input-shape: the model has no input named '{}'", name);
  }
  for (const auto& in : g->input()) {
    if (initializer_names.count(in.name())) continue;
    bool known = false;
    Shape s = shape_of(in.type(), &known);
    // A negative dim is an error in the model, not a dynamic one (--input-shape would not help)
    if (in.type().has_tensor_type() && in.type().tensor_type().has_shape())
      for (const auto& d : in.type().tensor_type().shape().dim())
        if (d.has_dim_value() && d.dim_value() < 0)
          return make_error("input '{}' has a negative dimension ({}) in the model", in.name(), d.dim_value());
    if (!known)
      return make_error("input '{}' has a dynamic or unknown shape ({}); give it one with --input-shape {}=<dims>, e.g. 1x3x96x96",
                        in.name(), shape_str(s), in.name());
  }

  FERRITE_TRY(validate_declared_sizes(*g));
  make_kernel_shapes_explicit(*g);

  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return make_error("'{}' fails the ONNX checker: {}", path, e.what());
  }
  if (opset != kCanonicalOpset && same_schemas(*g, opset, kCanonicalOpset)) {
    // No operator of the model changed between its opset and the canonical one: the conversion
    // would only rewrite the opset number (ONNX's converter takes O(nodes^2) to find that out).
    for (auto& o : *model.mutable_opset_import())
      if (o.domain().empty() || o.domain() == "ai.onnx") o.set_version(kCanonicalOpset);
  } else if (opset != kCanonicalOpset) {
    auto converted = convert_version_sandboxed(model, kCanonicalOpset);
    if (!converted)
      return make_error("'{}': ONNX's version converter cannot take opset {} to {}: {}", path, opset, kCanonicalOpset,
                        converted.error().message);
    model = std::move(*converted);
    g = model.mutable_graph();
    FERRITE_TRY(check_supported(*g, kCanonicalOpset));
    FERRITE_TRY(validate_attributes(*g, kCanonicalOpset));
  }
  // Shape inference and constant folding of the shape arithmetic, to a fixed point (onnx_fold.h).
  if (Status st = fold_and_infer_shapes(model, base_dir); !st) return make_error("'{}': {}", path, st.error().message);
  g = model.mutable_graph();
  initializer_names.clear();
  for (const auto& init : g->initializer()) initializer_names.insert(init.name());

  // ---- IR construction ----
  Graph graph;
  graph.name = g->name();
  graph.opset = kCanonicalOpset;
  std::unordered_map<std::string, TensorId> ids;
  std::unordered_map<std::string, const onnx::TypeProto*> types;
  for (const auto& vi : g->input()) types[vi.name()] = &vi.type();
  for (const auto& vi : g->value_info()) types[vi.name()] = &vi.type();
  for (const auto& vi : g->output()) types[vi.name()] = &vi.type();

  for (const auto& init : g->initializer()) {
    auto t = tensor_from_proto(init, base_dir);
    if (!t) return t.error();
    ids[init.name()] = graph.add_tensor(std::move(*t));
  }
  auto typed_tensor = [&](const std::string& name, const std::string& who) -> Expected<TensorId> {
    auto it = types.find(name);
    bool known = false;
    Shape s;
    DType dt = DType::Undefined;
    if (it != types.end()) {
      s = shape_of(*it->second, &known);
      if (it->second->has_tensor_type()) dt = dtype_from_onnx(it->second->tensor_type().elem_type());
    }
    if (it != types.end() && it->second->has_tensor_type() && it->second->tensor_type().has_shape())
      for (const auto& d : it->second->tensor_type().shape().dim())
        if (d.has_dim_value() && d.dim_value() < 0)
          return make_error("{}: shape inference gives tensor '{}' a negative dimension ({}): a kernel or window "
                            "larger than its (padded) input, or a size that overflows",
                            who, name, shape_str(s));
    if (!known || dt == DType::Undefined)
      return make_error("{}: tensor '{}' has no static shape/type after shape inference ({}); "
                        "fix the dynamic dims with --input-shape or make the shape computation constant",
                        who, name, shape_str(s));
    Tensor t;
    t.name = name;
    t.dtype = dt;
    t.shape = s;
    return graph.add_tensor(std::move(t));
  };
  for (const auto& in : g->input()) {
    if (ids.count(in.name())) continue;  // an initializer listed as input (old-style defaults)
    auto id = typed_tensor(in.name(), "input");
    if (!id) return id.error();
    ids[in.name()] = *id;
    graph.inputs.push_back(*id);
  }
  for (int i = 0; i < g->node_size(); ++i) {
    const auto& np = g->node(i);
    Node n;
    n.op = *op_from_onnx(np.domain(), np.op_type());
    n.name = np.name();
    n.index = i;
    const std::string who = n.display_name();
    for (const auto& a : np.attribute()) {
      if (n.op == OpKind::Constant) continue;
      auto v = convert_attr(a, who);
      if (!v) return v.error();
      n.attrs.values[a.name()] = std::move(*v);
    }
    if (n.op == OpKind::Constant) {
      // Constants become constant tensors right away; no node is kept.
      if (np.output_size() != 1) return make_error("{}: expects one output", who);
      Tensor t;
      const auto& a = np.attribute(0);
      if (a.name() == "value") {
        auto r = tensor_from_proto(a.t(), base_dir);
        if (!r) return make_error("{}: {}", who, r.error().message);
        t = std::move(*r);
      } else if (a.name() == "value_float" || a.name() == "value_floats") {
        std::vector<float> v = a.name() == "value_float" ? std::vector<float>{a.f()}
                                                           : std::vector<float>(a.floats().begin(), a.floats().end());
        t.dtype = DType::F32;
        if (a.name() == "value_floats") t.shape = {static_cast<int64_t>(v.size())};
        t.data = std::vector<uint8_t>(v.size() * 4);
        std::memcpy(t.data->data(), v.data(), v.size() * 4);
      } else if (a.name() == "value_int" || a.name() == "value_ints") {
        std::vector<int64_t> v = a.name() == "value_int" ? std::vector<int64_t>{a.i()}
                                                          : std::vector<int64_t>(a.ints().begin(), a.ints().end());
        t.dtype = DType::I64;
        if (a.name() == "value_ints") t.shape = {static_cast<int64_t>(v.size())};
        t.data = std::vector<uint8_t>(v.size() * 8);
        std::memcpy(t.data->data(), v.data(), v.size() * 8);
      } else {
        return make_error("{}: attribute '{}' is not supported", who, a.name());
      }
      t.name = np.output(0);
      const TensorId cid = graph.add_tensor(std::move(t));
      ids[np.output(0)] = cid;
      continue;
    }
    for (const auto& in : np.input()) {
      if (in.empty()) { n.inputs.push_back(kNoTensor); continue; }
      auto it = ids.find(in);
      if (it == ids.end())
        return make_error("{}: input '{}' is neither a graph input, an initializer, nor produced by an earlier node",
                          who, in);
      n.inputs.push_back(it->second);
    }
    // An omitted optional output is dropped; when a later one is present, the ONNX position of every
    // kept output is recorded in the attribute "ferrite.output_slots" (see output_slot in op_util.h).
    std::vector<int64_t> slots;
    bool gap = false;
    for (int k = 0; k < np.output_size(); ++k) {
      if (np.output(k).empty()) gap = true;
      else slots.push_back(k);
    }
    if (gap && !slots.empty() && slots.back() + 1 != static_cast<int64_t>(slots.size()))
      n.attrs.values["ferrite.output_slots"] = slots;
    for (const auto& out : np.output()) {
      if (out.empty()) continue;  // omitted optional output
      auto id = typed_tensor(out, who);
      if (!id) {
        // The usual cause: a graph input in a slot that must be constant (a Reshape's shape, Pad's pads...).
        for (int k = 0; k < np.input_size() && k < 32; ++k)
          if (((op_info(n.op).const_inputs >> k) & 1u) && !initializer_names.count(np.input(k)) &&
              std::any_of(g->input().begin(), g->input().end(),
                          [&](const onnx::ValueInfoProto& vi) { return vi.name() == np.input(k); }))
            return make_error("{}: input '{}' is a graph input, but it must be constant: the shape of '{}' depends on "
                              "it; make it an initializer or bake a value in with --freeze-input {}=FILE (.npy or .pb)",
                              who, np.input(k), out, np.input(k));
        return id.error();
      }
      ids[out] = *id;
      n.outputs.push_back(*id);
    }
    graph.nodes.push_back(std::move(n));
  }
  for (const auto& out : g->output()) {
    auto it = ids.find(out.name());
    if (it == ids.end()) return make_error("graph output '{}' is never produced", out.name());
    graph.outputs.push_back(it->second);
  }
  FERRITE_TRY(validate_graph(graph));
  FERRITE_TRY(verify(graph));
  return graph;
}

}  // namespace ferrite
