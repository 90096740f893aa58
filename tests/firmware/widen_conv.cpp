// Test helper: writes a copy of an ONNX model whose first Conv has one more output channel (zero
// weights and bias) and whose second Conv reads it with zero weights, so the outputs are the same
// but every activation between the two convolutions is wider. Used to check that
// `ferrite report --baseline` catches the arena growth.
//   ferrite_widen_conv in.onnx out.onnx
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace {

onnx::TensorProto* find_init(onnx::GraphProto& g, const std::string& name) {
  for (auto& t : *g.mutable_initializer())
    if (t.name() == name) return &t;
  return nullptr;
}

std::vector<float> floats(const onnx::TensorProto& t) {
  if (t.data_type() != onnx::TensorProto::FLOAT) throw std::runtime_error("not float32: " + t.name());
  if (!t.raw_data().empty()) {
    std::vector<float> v(t.raw_data().size() / sizeof(float));
    std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(float));
    return v;
  }
  return {t.float_data().begin(), t.float_data().end()};
}

void set_floats(onnx::TensorProto& t, const std::vector<float>& v) {
  t.clear_float_data();
  t.set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s in.onnx out.onnx\n", argv[0]);
    return 2;
  }
  try {
    onnx::ModelProto m;
    std::ifstream in(argv[1], std::ios::binary);
    if (!m.ParseFromIstream(&in)) throw std::runtime_error("cannot parse model");
    auto& g = *m.mutable_graph();
    std::vector<onnx::NodeProto*> convs;
    for (auto& n : *g.mutable_node())
      if (n.op_type() == "Conv") convs.push_back(&n);
    if (convs.size() < 2) throw std::runtime_error("need two Conv nodes");
    // First Conv: W [O, I, kh, kw] -> [O+1, ...], B [O] -> [O+1].
    auto* w1 = find_init(g, convs[0]->input(1));
    if (!w1 || w1->dims_size() != 4) throw std::runtime_error("first Conv weight not found");
    const long o = w1->dims(0), per_out = w1->dims(1) * w1->dims(2) * w1->dims(3);
    auto v = floats(*w1);
    v.resize(static_cast<size_t>((o + 1) * per_out), 0.0f);
    set_floats(*w1, v);
    w1->set_dims(0, o + 1);
    if (convs[0]->input_size() > 2) {
      auto* b1 = find_init(g, convs[0]->input(2));
      auto bv = floats(*b1);
      bv.push_back(0.0f);
      set_floats(*b1, bv);
      b1->set_dims(0, o + 1);
    }
    // Second Conv: W [O2, O, kh, kw] -> [O2, O+1, kh, kw] with a zero input channel.
    auto* w2 = find_init(g, convs[1]->input(1));
    if (!w2 || w2->dims(1) != o) throw std::runtime_error("second Conv does not read the first one's channels");
    const long o2 = w2->dims(0), k = w2->dims(2) * w2->dims(3);
    auto old2 = floats(*w2);
    std::vector<float> nw;
    for (long oc = 0; oc < o2; ++oc) {
      nw.insert(nw.end(), old2.begin() + oc * o * k, old2.begin() + (oc + 1) * o * k);
      nw.insert(nw.end(), static_cast<size_t>(k), 0.0f);
    }
    set_floats(*w2, nw);
    w2->set_dims(1, o + 1);
    g.clear_value_info();  // stale intermediate shapes; shape inference recomputes them
    std::ofstream out(argv[2], std::ios::binary);
    if (!m.SerializeToOstream(&out)) throw std::runtime_error("cannot write model");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "widen_conv: %s\n", e.what());
    return 2;
  }
  return 0;
}
