// Tiny IR builders shared by the unit tests: activation tensors, float constants and nodes.
#pragma once
#include <cstring>
#include <vector>

#include "ir/ir.h"

namespace ferrite::testing {

inline TensorId act(Graph& g, const char* name, Shape s) {
  Tensor t;
  t.name = name;
  t.dtype = DType::F32;
  t.shape = std::move(s);
  return g.add_tensor(std::move(t));
}

inline TensorId cst(Graph& g, const char* name, Shape s, const std::vector<float>& v) {
  Tensor t;
  t.name = name;
  t.dtype = DType::F32;
  t.shape = std::move(s);
  t.data = std::vector<uint8_t>(v.size() * sizeof(float));
  std::memcpy(t.data->data(), v.data(), t.data->size());
  return g.add_tensor(std::move(t));
}

inline Node node(OpKind k, std::vector<TensorId> in, std::vector<TensorId> out, const char* name) {
  Node n;
  n.op = k;
  n.name = name;
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  return n;
}

}  // namespace ferrite::testing
