// Makes every quantized tensor int8. A uint8 tensor with zero point z holds the same real values as
// an int8 tensor with zero point z - 128 whose bytes are the uint8 bytes xor 0x80, so: uint8
// constants (weights and zero points alike) are rewritten in place, uint8 activations are retyped,
// and uint8 graph inputs/outputs get a FlipSign node at the boundary (the model's API is unchanged).
// The int8 kernels then only ever see int8. A uint8 tensor that only integer elementwise arithmetic
// reads and writes (Add, Sub, Mul, Div, Min, Max, Sum, Clip, Pow: plain uint8 values, no zero point)
// stays uint8 for the typed kernels, and so does one that a Cast or a QuantizeLinear with a run-time
// scale or zero point (quantize_f32_rt) writes or reads; one that both such operators and other
// operators touch is refused, naming it (the arithmetic would see the flipped bytes).
#include "ir/op_traits.h"
#include "passes/pass.h"

namespace ferrite {


static bool integer_arithmetic(OpKind k) {
  switch (k) {
    case OpKind::Add: case OpKind::Sub: case OpKind::Mul: case OpKind::Div: case OpKind::Min: case OpKind::Max:
    case OpKind::Sum: case OpKind::Clip: case OpKind::Pow: return true;
    default: return false;
  }
}

Expected<bool> pass_normalize_int8(Graph& g, const PassContext&) {
  bool changed = false;
  // An omitted zero point of uint8 data means 0 in uint8, which is -128 in int8: make it explicit.
  for (size_t ni = 0; ni < g.nodes.size(); ++ni)
    for (const QSlot& q : int8_slots(g.nodes[ni])) {  // (the op traits' int8 slots)
      const int data = q.data, zp = q.zp;
      Node& n = g.nodes[ni];
      const TensorId d = data < 0 ? n.outputs[0] : (static_cast<size_t>(data) < n.inputs.size() ? n.inputs[static_cast<size_t>(data)] : kNoTensor);
      if (d == kNoTensor || g.t(d).dtype != DType::U8) continue;
      if (static_cast<size_t>(zp) < n.inputs.size() && n.inputs[static_cast<size_t>(zp)] != kNoTensor) continue;
      Tensor z;
      z.name = g.t(d).name + "_zero_point";
      z.dtype = DType::U8;
      z.data = std::vector<uint8_t>{0};
      const TensorId zid = g.add_tensor(std::move(z));
      Node& nn = g.nodes[ni];
      if (nn.inputs.size() <= static_cast<size_t>(zp)) nn.inputs.resize(static_cast<size_t>(zp) + 1, kNoTensor);
      nn.inputs[static_cast<size_t>(zp)] = zid;
      changed = true;
    }
  // Per tensor: read or written by an operator that takes plain uint8 values (integer arithmetic,
  // Cast, a run-time QuantizeLinear's output and run-time zero point) / by any other operator.
  // A run-time QuantizeLinear's constant zero point counts as neither (lowering reads it back in
  // the output's type), and an Identity gives its input and output the same treatment.
  std::vector<const Node*> arith(g.tensors.size(), nullptr);
  std::vector<bool> other(g.tensors.size(), false);
  for (const Node& n : g.nodes) {
    if (n.op == OpKind::Identity) continue;
    const bool rt_quantize = quantize_params_at_run_time(g, n);
    const bool plain = integer_arithmetic(n.op) || n.op == OpKind::Cast || rt_quantize;
    for (const auto* list : {&n.inputs, &n.outputs})
      for (TensorId t : *list) {
        if (t == kNoTensor) continue;
        if (rt_quantize && g.t(t).is_constant()) continue;
        if (plain) arith[static_cast<size_t>(t)] = &n;
        else other[static_cast<size_t>(t)] = true;
      }
  }
  for (bool again = true; again;) {
    again = false;
    for (const Node& n : g.nodes) {
      if (n.op != OpKind::Identity || n.inputs.empty() || n.inputs[0] == kNoTensor || n.outputs.empty()) continue;
      const auto a = static_cast<size_t>(n.inputs[0]), b = static_cast<size_t>(n.outputs[0]);
      if (other[a] != other[b]) other[a] = other[b] = again = true;
      if ((arith[a] == nullptr) != (arith[b] == nullptr)) {
        arith[a] = arith[b] = arith[a] ? arith[a] : arith[b];
        again = true;
      }
    }
  }
  const size_t nt = g.tensors.size();
  std::vector<Node> prologue, epilogue;
  for (size_t i = 0; i < nt; ++i) {
    Tensor& t = g.tensors[i];
    if (t.dtype != DType::U8) continue;
    const auto id = static_cast<TensorId>(i);
    if (arith[i] && !other[i]) continue;  // plain uint8 arithmetic: stays uint8
    if (arith[i])
      return make_error("{}: uint8 tensor '{}' is used both by {} ({}) and by other operators, "
                        "which Ferrite gives uint8 data as int8 (quantized models); this mix is not supported",
                        arith[i]->display_name(), t.name,
                        integer_arithmetic(arith[i]->op) ? "integer arithmetic"
                        : arith[i]->op == OpKind::Cast   ? "a Cast"
                                                         : "a QuantizeLinear with a run-time scale or zero point",
                        op_info(arith[i]->op).onnx_type);
    changed = true;
    if (t.is_constant()) {
      for (uint8_t& b : *t.data) b ^= 0x80;
      t.dtype = DType::I8;
      continue;
    }
    const bool in = g.is_graph_input(id), out = g.is_graph_output(id);
    if (in && out) continue;  // passed straight through: nothing reads it as int8
    Tensor s8 = t;
    s8.dtype = DType::I8;
    s8.name = t.name + "_int8";
    const TensorId sid = g.add_tensor(std::move(s8));  // invalidates `t`
    Node flip;
    flip.op = OpKind::FlipSign;
    flip.name = g.t(id).name + "_flip";
    if (in) {
      for (Node& n : g.nodes)
        for (TensorId& x : n.inputs)
          if (x == id) x = sid;
      flip.inputs = {id};
      flip.outputs = {sid};
      prologue.push_back(flip);
    } else if (out) {
      for (Node& n : g.nodes)
        for (TensorId& o : n.outputs)
          if (o == id) o = sid;
      for (Node& n : g.nodes)
        for (TensorId& x : n.inputs)
          if (x == id) x = sid;
      flip.inputs = {sid};
      flip.outputs = {id};
      epilogue.push_back(flip);
    } else {
      g.tensors.pop_back();  // an internal activation: just retype it
      g.t(id).dtype = DType::I8;
    }
  }
  if (!prologue.empty() || !epilogue.empty()) {
    prologue.insert(prologue.end(), g.nodes.begin(), g.nodes.end());
    prologue.insert(prologue.end(), epilogue.begin(), epilogue.end());
    g.nodes = std::move(prologue);
  }
  return changed;
}

}  // namespace ferrite
