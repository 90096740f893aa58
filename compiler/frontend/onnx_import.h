// ONNX frontend: reads a .onnx file (and external data beside it), validates it with ONNX's own
// checker, converts it to Ferrite's canonical opset, infers shapes, and builds the IR Graph.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace onnx { class TensorProto; }

namespace ferrite {

// The opset every model is converted to before import (ONNX's version converter).
constexpr int kCanonicalOpset = 17;
// Largest model file accepted (protobuf cannot address more than 2 GiB).
constexpr uint64_t kMaxModelBytes = uint64_t{1} << 30;

struct ImportOptions {
  std::map<std::string, Shape> input_shapes;  // --input-shape overrides (dims for dynamic inputs)
  // Graph inputs to turn into constants (--freeze-input NAME=FILE), with their data.
  std::map<std::string, Tensor> frozen_inputs;
  // Data for graph inputs; an input read only in slots that must be constant (a Reshape's shape, a
  // Slice's starts, Clip's bounds, ...) is frozen with it, and so is an input that no node reads
  // (nor is a graph output). `ferrite run` passes its inputs here.
  std::map<std::string, Tensor> const_slot_inputs;
};

Expected<Graph> import_onnx(const std::string& path, const ImportOptions& opts);

// External-data files read during one import, by real path (each file is read once).
struct ExternalDataCache {
  std::map<std::string, std::string> files;
  uint64_t total_bytes = 0;
};

// Decodes a TensorProto (raw_data, typed fields or external data inside `base_dir`; an empty
// `base_dir` refuses external data) into a Tensor with dense little-endian data. The declared size
// is checked against the limits and against the bytes present before anything is allocated.
Expected<Tensor> tensor_from_proto(const onnx::TensorProto& tp, const std::string& base_dir,
                                   ExternalDataCache* cache = nullptr);

// Reads a serialized TensorProto file (.pb, as in ONNX's node tests).
Expected<Tensor> read_tensor_pb(const std::string& path);

DType dtype_from_onnx(int onnx_type);
int dtype_to_onnx(DType t);

// Operator types a model uses: (domain, op_type) -> node count. Reads the file only.
Expected<std::map<std::pair<std::string, std::string>, int>> model_operators(const std::string& path);

// Names of the graph inputs that are not initializers, in order. Reads the file only.
Expected<std::vector<std::string>> graph_input_names(const std::string& path);

// Parses "1x3x96x96" (also "1,3,96,96").
Expected<Shape> parse_shape(const std::string& s);

}  // namespace ferrite
