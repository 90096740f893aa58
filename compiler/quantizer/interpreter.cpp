#include "quantizer/interpreter.h"

#include <cstring>

namespace ferrite {

Expected<HostInterpreter> HostInterpreter::create(Graph g) {
  HostInterpreter it;
  std::string errors;
  size_t scratch = 0;
  for (const Node& n : g.nodes) {
    auto l = lower_node(g, n, host_target());
    if (!l) {
      errors += "\n  " + l.error().message;
      continue;
    }
    scratch = std::max(scratch, l->scratch_bytes);
    it.lowered_.push_back(std::move(*l));
  }
  if (!errors.empty()) return make_error("the model cannot run on the host:{}", errors);
  it.values_.resize(g.tensors.size());
  for (size_t i = 0; i < g.tensors.size(); ++i)
    if (!g.tensors[i].is_constant()) it.values_[i].assign(g.tensors[i].bytes() + 16, 0);
  it.scratch_.assign(scratch + 16, 0);
  it.g_ = std::move(g);
  return it;
}

const uint8_t* HostInterpreter::data(TensorId t) const {
  const Tensor& x = g_.t(t);
  return x.is_constant() ? x.data->data() : values_[static_cast<size_t>(t)].data();
}

std::vector<float> HostInterpreter::as_f32(TensorId t) const {
  std::vector<float> v(static_cast<size_t>(g_.t(t).numel()));
  std::memcpy(v.data(), data(t), v.size() * sizeof(float));
  return v;
}

Status HostInterpreter::run(const std::vector<std::vector<uint8_t>>& inputs, const std::function<void(size_t)>& after_node) {
  if (inputs.size() != g_.inputs.size())
    return make_error("{} input tensors given, the model has {} inputs", inputs.size(), g_.inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorId id = g_.inputs[i];
    if (inputs[i].size() != g_.t(id).bytes())
      return make_error("input '{}' needs {} bytes, got {}", g_.t(id).name, g_.t(id).bytes(), inputs[i].size());
    std::memcpy(values_[static_cast<size_t>(id)].data(), inputs[i].data(), inputs[i].size());
  }
  for (size_t ni = 0; ni < g_.nodes.size(); ++ni) {
    const Node& n = g_.nodes[ni];
    const Lowered& l = lowered_[ni];
    if (l.alias) {
      std::memcpy(values_[static_cast<size_t>(n.outputs[0])].data(), data(n.inputs[0]), g_.t(n.outputs[0]).bytes());
    } else {
      for (const KernelCall& c : l.calls) {
        std::vector<void*> args;
        args.reserve(c.args.size());
        for (const Operand& op : c.args) {
          if (op.kind == Operand::Kind::Null) {
            args.push_back(nullptr);
          } else if (op.kind == Operand::Kind::Scratch) {
            args.push_back(scratch_.data());
          } else if (op.kind == Operand::Kind::Data) {
            args.push_back(const_cast<uint8_t*>(op.data->data->data()));
          } else {
            auto* p = const_cast<uint8_t*>(data(op.id));
            args.push_back(p + op.offset_elems * static_cast<int64_t>(dtype_size(g_.t(op.id).dtype)));
          }
        }
        FERRITE_TRY(execute_host(c, args));
      }
    }
    if (after_node) after_node(ni);
  }
  return Status::ok();
}

}  // namespace ferrite
