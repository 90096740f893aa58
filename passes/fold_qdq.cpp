// Folds QDQ patterns into integer operators. Starting from each QuantizeLinear, it looks at the
// float operator that produced its input (optionally through a Relu/Clip, which becomes the int8
// op's output clamp) and, when that operator's inputs come from DequantizeLinear nodes, replaces
// the DQ -> op -> Q group with one quantized operator in ONNX's QOperator form:
//   Conv -> QLinearConv, MatMul -> QLinearMatMul, Gemm -> QGemm, Add/Mul -> QLinearAdd/QLinearMul,
//   GlobalAveragePool/AveragePool -> QLinear*Pool, Concat -> QLinearConcat, Softmax -> QLinearSoftmax,
//   Sigmoid/Tanh/HardSwish/HardSigmoid/LeakyRelu/Relu/Clip -> QLinearActivation (a lookup table),
//   MaxPool, the Reshape family, a zero Pad, a nearest Resize -> the same op on int8 data
//   (+ Requantize when scales differ), a bilinear Resize -> Resize on int8 with the quantization
//   parameters in slots 4-7, ReduceMean over trailing axes -> QLinearReduceMean, a 2-D ConvTranspose
//   -> QLinearConvTranspose, DQ -> Q -> Requantize.
// Where ONNX Runtime (x64) runs the float op between DQ and Q instead of an integer kernel
// (ReduceMean, bilinear Resize, ConvTranspose), the int8 op repeats those float operations bit for bit.
// DequantizeLinear nodes left without readers are removed by dead-node; those still read by float
// operators stay (the report counts the float operators that remain).
#include <cmath>
#include <cstring>

#include "ir/op_traits.h"
#include "passes/pass.h"

namespace ferrite {

namespace {

struct QdqFolder {
  Graph& g;

  std::optional<size_t> producer_op(TensorId t, OpKind k) {
    auto p = g.producer(t);
    if (p && g.nodes[*p].op == k) return p;
    return std::nullopt;
  }
  bool only_reader(TensorId t, size_t node) {
    auto c = g.consumers(t);
    return !g.is_graph_output(t) && c.size() == 1 && c[0] == node;
  }
  // The DequantizeLinear producing `t`, per-tensor or per-axis.
  const Node* dq(TensorId t) {
    auto p = producer_op(t, OpKind::DequantizeLinear);
    return p ? &g.nodes[*p] : nullptr;
  }
  static TensorId in(const Node& n, size_t i) { return i < n.inputs.size() ? n.inputs[i] : kNoTensor; }
  bool same_values(TensorId a, TensorId b) {
    if (a == b) return true;
    if (a == kNoTensor || b == kNoTensor) {
      TensorId c = a == kNoTensor ? b : a;
      if (!g.t(c).is_constant()) return false;
      for (int64_t v : g.t(c).as_i64()) if (v != 0) return false;
      return true;
    }
    const Tensor& x = g.t(a);
    const Tensor& y = g.t(b);
    return x.is_constant() && y.is_constant() && x.as_f32() == y.as_f32();
  }
  bool per_tensor(const Node& qdq) { return g.t(qdq.inputs[1]).numel() == 1; }

  TensorId add_i32(const std::string& name, const std::vector<int32_t>& v) {
    Tensor t;
    t.name = name;
    t.dtype = DType::I32;
    t.shape = {static_cast<int64_t>(v.size())};
    t.data = std::vector<uint8_t>(v.size() * 4);
    std::memcpy(t.data->data(), v.data(), t.data->size());
    return g.add_tensor(std::move(t));
  }

  // An int32 bias for a conv/gemm: DQ(int32) is used as is; a float constant is quantized with
  // scale x_scale * w_scale[c] (round half to even), as ONNX Runtime's quantizer does.
  std::optional<TensorId> int_bias(TensorId b, TensorId x_scale, TensorId w_scale, int64_t channels) {
    if (b == kNoTensor) return kNoTensor;
    if (const Node* d = dq(b)) {
      const Tensor& bq = g.t(d->inputs[0]);
      if (bq.dtype == DType::I32 && bq.is_constant()) return d->inputs[0];
      return std::nullopt;
    }
    const Tensor& bf = g.t(b);
    if (!bf.is_constant() || bf.dtype != DType::F32) return std::nullopt;
    // The scales must be constants of the right lengths (a scale computed by a node has no value
    // here); otherwise the group is left unfolded and lowering reports what it cannot compile.
    const Tensor& xs = g.t(x_scale);
    const Tensor& ws = g.t(w_scale);
    if (!xs.is_constant() || !ws.is_constant() || xs.numel() != 1 || (ws.numel() != 1 && ws.numel() != channels))
      return std::nullopt;
    const float sx = xs.as_f32()[0];
    const auto sw = ws.as_f32();
    const auto v = bf.as_f32();
    if (static_cast<int64_t>(v.size()) != channels) return std::nullopt;
    std::vector<int32_t> q(v.size());
    for (size_t c = 0; c < v.size(); ++c) {
      const float r = std::nearbyint(v[c] / (sx * (sw.size() == 1 ? sw[0] : sw[c])));
      // A bias that is no int32 at this scale (a zero or tiny scale, a huge bias, NaN) stays float:
      // converting it would be undefined behaviour (found by libFuzzer + UBSan).
      if (!(r >= -2147483648.f && r < 2147483648.f)) return std::nullopt;
      q[c] = static_cast<int32_t>(r);
    }
    return add_i32(bf.name + "_int32", q);
  }

  // A Pad or Resize that only moves values: a constant pad of 0.0 with non-negative pads (no
  // axes input), or a rank-4 nearest-neighbour Resize of the last two axes.
  bool moves_bytes(const Node& P) {
    if (P.outputs.size() != 1) return false;
    if (P.op == OpKind::Pad) {
      if (P.attrs.s("mode", "constant") != "constant" || P.inputs.size() > 3) return false;
      if (in(P, 1) == kNoTensor || !g.t(P.inputs[1]).is_constant()) return false;
      for (int64_t v : g.t(P.inputs[1]).as_i64())
        if (v < 0) return false;
      if (in(P, 2) != kNoTensor) {
        const Tensor& v = g.t(P.inputs[2]);
        if (!v.is_constant() || v.dtype != DType::F32 || v.numel() != 1 || v.as_f32()[0] != 0.0f) return false;
      }
      return true;
    }
    if (P.op == OpKind::Resize) {
      if (P.attrs.s("mode", "nearest") != "nearest") return false;
      const Shape& xs = g.t(P.inputs[0]).shape;
      const Shape& ys = g.t(P.outputs[0]).shape;
      return xs.size() == 4 && ys.size() == 4 && xs[0] == ys[0] && xs[1] == ys[1] &&
             P.attrs.s("coordinate_transformation_mode", "half_pixel") != "tf_crop_and_resize";
    }
    return false;
  }

  // A rank-4 bilinear Resize of the last two axes with a coordinate mode resize_bilinear_s8 knows.
  bool linear_resize_ok(const Node& P) {
    if (P.outputs.size() != 1 || P.inputs.size() > 4) return false;
    const Shape& xs = g.t(P.inputs[0]).shape;
    const Shape& ysh = g.t(P.outputs[0]).shape;
    const std::string ctm = P.attrs.s("coordinate_transformation_mode", "half_pixel");
    if (ctm != "half_pixel" && ctm != "pytorch_half_pixel" && ctm != "align_corners" && ctm != "asymmetric") return false;
    if (P.attrs.i("antialias", 0) != 0 || P.attrs.i("exclude_outside", 0) != 0) return false;
    return xs.size() == 4 && ysh.size() == 4 && xs[0] == ysh[0] && xs[1] == ysh[1];
  }

  // A one-element constant holding the zero point of int8/uint8 data `x` (0 when omitted).
  TensorId zero_point_const(TensorId x, TensorId zp) {
    Tensor t;
    t.name = g.t(x).name + "_zero_point_" + std::to_string(g.tensors.size());
    t.dtype = g.t(x).dtype;
    t.shape = {};
    uint8_t b = 0;
    if (zp != kNoTensor) b = static_cast<uint8_t>(g.t(zp).as_i64()[0]);
    t.data = std::vector<uint8_t>{b};
    return g.add_tensor(std::move(t));
  }

  // Tries to fold the group ending at Q node `qi`; returns true when the graph changed.
  bool fold(size_t qi) {
    const Node q = g.nodes[qi];
    if (quantize_params_at_run_time(g, q)) return false;  // (lowered alone: quantize_f32_rt)
    if (!per_tensor(q)) return false;
    const TensorId yq = q.outputs[0], ys = in(q, 1), yz = in(q, 2);
    const TensorId t = q.inputs[0];
    auto pi = g.producer(t);
    if (!pi || !only_reader(t, qi)) return false;
    std::optional<size_t> act_i;
    FusedAct act;
    size_t p = *pi;
    const OpKind pk = g.nodes[p].op;
    if ((pk == OpKind::Relu || pk == OpKind::Clip) && g.nodes[p].inputs.size() >= 1) {
      auto inner = g.producer(g.nodes[p].inputs[0]);
      if (inner && only_reader(g.nodes[p].inputs[0], p) && g.nodes[*inner].act.kind == FusedAct::None) {
        const OpKind ik = g.nodes[*inner].op;
        if (op_traits(ik).qdq_fused_clamp) {  // the QOperator form takes the Relu/Clip as its clamp
          const Node& a = g.nodes[p];
          act.from = a.display_name();
          if (a.op == OpKind::Relu) {
            act.kind = FusedAct::Relu;
          } else {
            act.kind = FusedAct::Clip;
            act.lo = -INFINITY;
            act.hi = INFINITY;
            if (in(a, 1) != kNoTensor) { if (!g.t(a.inputs[1]).is_constant()) return false; act.lo = g.t(a.inputs[1]).as_f32()[0]; }
            if (in(a, 2) != kNoTensor) { if (!g.t(a.inputs[2]).is_constant()) return false; act.hi = g.t(a.inputs[2]).as_f32()[0]; }
          }
          act_i = p;
          p = *inner;
        }
      }
    }
    const Node P = g.nodes[p];
    Node r;
    r.name = P.name;
    r.index = P.index;
    r.attrs = P.attrs;
    r.act = act;
    r.outputs = {yq};
    auto dq_in = [&](size_t slot) { return dq(in(P, slot)); };
    switch (P.op) {
      case OpKind::Conv: {
        const Node* dx = dq_in(0);
        const Node* dw = dq_in(1);
        if (!dx || !dw || !per_tensor(*dx) || !g.t(dw->inputs[0]).is_constant() || g.t(dw->inputs[0]).shape.empty())
          return false;
        auto b = int_bias(in(P, 2), dx->inputs[1], dw->inputs[1], g.t(dw->inputs[0]).shape[0]);
        if (!b) return false;
        r.op = OpKind::QLinearConv;
        r.inputs = {dx->inputs[0], dx->inputs[1], in(*dx, 2), dw->inputs[0], dw->inputs[1], in(*dw, 2), ys, yz, *b};
        break;
      }
      case OpKind::ConvTranspose: {
        // ONNX Runtime runs the float ConvTranspose between the DQ and the Q; QLinearConvTranspose
        // repeats its float operations (conv_transpose_s8). Only what that kernel matches: 2-D,
        // explicit pads (no auto_pad SAME_* / output_shape, where ORT places the padding its own
        // way), an input of more than one pixel (MLAS multiplies a one-column matrix with another
        // kernel), constant int8 weights quantized per tensor or per output channel (axis 1) with
        // one zero point, and a bias that is absent, a float constant or DQ(int32 constant).
        const Node* dx = dq_in(0);
        const Node* dw = dq_in(1);
        if (!dx || !dw || !per_tensor(*dx)) return false;
        const Tensor& wq = g.t(dw->inputs[0]);
        const Shape& xs = g.t(P.inputs[0]).shape;
        if (!wq.is_constant() || (wq.dtype != DType::I8 && wq.dtype != DType::U8) || wq.shape.size() != 4 ||
            xs.size() != 4 || xs[2] * xs[3] <= 1)
          return false;
        if (P.attrs.has("output_shape") || (P.attrs.s("auto_pad", "NOTSET") != "NOTSET" && P.attrs.s("auto_pad", "") != "VALID"))
          return false;
        const Tensor& wsc = g.t(dw->inputs[1]);
        if (!wsc.is_constant() || (wsc.numel() != 1 && (wsc.numel() != wq.shape[1] || (dw->attrs.i("axis", 1) != 1 && dw->attrs.i("axis", 1) != -3))))
          return false;
        if (in(*dw, 2) != kNoTensor) {
          if (!g.t(dw->inputs[2]).is_constant()) return false;
          const auto z = g.t(dw->inputs[2]).as_i64();
          for (int64_t v : z)
            if (v != z[0]) return false;
        }
        TensorId bias = kNoTensor;
        if (in(P, 2) != kNoTensor) {
          const int64_t cout = g.t(P.outputs[0]).shape.size() == 4 ? g.t(P.outputs[0]).shape[1] : -1;
          if (const Node* db = dq(P.inputs[2])) {
            // DQ(int32) as ONNX Runtime computes it: (float)(b - zp) * scale, in float32.
            const Tensor& bq = g.t(db->inputs[0]);
            const Tensor& bs = g.t(db->inputs[1]);
            if (bq.dtype != DType::I32 || !bq.is_constant() || bq.numel() != cout || !bs.is_constant() ||
                (bs.numel() != 1 && bs.numel() != cout) || (in(*db, 2) != kNoTensor && !g.t(db->inputs[2]).is_constant()))
              return false;
            const auto bv = bq.as_i64();
            const auto sv = bs.as_f32();
            std::vector<int64_t> zv(bv.size(), 0);
            if (in(*db, 2) != kNoTensor) {
              zv = g.t(db->inputs[2]).as_i64();
              if (zv.size() == 1) zv.assign(bv.size(), zv[0]);
              if (zv.size() != bv.size()) return false;
            }
            std::vector<float> bf(bv.size());
            for (size_t c = 0; c < bv.size(); ++c)
              bf[c] = static_cast<float>(static_cast<int32_t>(bv[c] - zv[c])) * sv[sv.size() == 1 ? 0 : c];
            Tensor t;
            t.name = g.t(P.inputs[2]).name + "_f32";
            t.dtype = DType::F32;
            t.shape = {cout};
            t.data = std::vector<uint8_t>(bf.size() * 4);
            std::memcpy(t.data->data(), bf.data(), t.data->size());
            bias = g.add_tensor(std::move(t));
          } else {
            const Tensor& bf = g.t(P.inputs[2]);
            if (!bf.is_constant() || bf.dtype != DType::F32 || bf.numel() != cout) return false;
            bias = P.inputs[2];
          }
        }
        r.op = OpKind::QLinearConvTranspose;
        r.inputs = {dx->inputs[0], dx->inputs[1], in(*dx, 2), dw->inputs[0], dw->inputs[1], in(*dw, 2), ys, yz, bias};
        break;
      }
      case OpKind::Gemm: {
        const Node* da = dq_in(0);
        const Node* db = dq_in(1);
        if (!da || !db || !per_tensor(*da) || !g.t(db->inputs[0]).is_constant()) return false;
        if (P.attrs.f("beta", 1.f) != 1.f || P.attrs.i("transA", 0) != 0) return false;
        const Shape& bs = g.t(db->inputs[0]).shape;
        if (bs.size() != 2) return false;
        auto b = int_bias(in(P, 2), da->inputs[1], db->inputs[1], P.attrs.i("transB", 0) ? bs[0] : bs[1]);
        if (!b) return false;
        r.op = OpKind::QGemm;
        r.attrs.values.erase("beta");
        r.inputs = {da->inputs[0], da->inputs[1], in(*da, 2), db->inputs[0], db->inputs[1], in(*db, 2), *b, ys, yz};
        break;
      }
      case OpKind::MatMul: {
        const Node* da = dq_in(0);
        const Node* db = dq_in(1);
        if (!da || !db || !per_tensor(*da)) return false;
        r.op = OpKind::QLinearMatMul;
        r.inputs = {da->inputs[0], da->inputs[1], in(*da, 2), db->inputs[0], db->inputs[1], in(*db, 2), ys, yz};
        break;
      }
      case OpKind::Add:
      case OpKind::Mul: {
        const Node* da = dq_in(0);
        const Node* db = dq_in(1);
        if (!da || !db || !per_tensor(*da) || !per_tensor(*db)) return false;
        r.op = P.op == OpKind::Add ? OpKind::QLinearAdd : OpKind::QLinearMul;
        r.inputs = {da->inputs[0], da->inputs[1], in(*da, 2), db->inputs[0], db->inputs[1], in(*db, 2), ys, yz};
        break;
      }
      case OpKind::GlobalAveragePool:
      case OpKind::AveragePool: {
        const Node* dx = dq_in(0);
        if (!dx || !per_tensor(*dx)) return false;
        r.op = P.op == OpKind::GlobalAveragePool ? OpKind::QLinearGlobalAveragePool : OpKind::QLinearAveragePool;
        r.inputs = {dx->inputs[0], dx->inputs[1], in(*dx, 2), ys, yz};
        break;
      }
      case OpKind::Concat: {
        r.op = OpKind::QLinearConcat;
        r.inputs = {ys, yz};
        for (TensorId x : P.inputs) {
          const Node* dx = dq(x);
          if (!dx || !per_tensor(*dx)) return false;
          r.inputs.insert(r.inputs.end(), {dx->inputs[0], dx->inputs[1], in(*dx, 2)});
        }
        break;
      }
      case OpKind::Softmax:
      case OpKind::Sigmoid:
      case OpKind::Tanh:
      case OpKind::HardSwish:
      case OpKind::HardSigmoid:
      case OpKind::LeakyRelu:
      case OpKind::Relu:
      case OpKind::Clip: {
        const Node* dx = dq_in(0);
        if (!dx || !per_tensor(*dx)) return false;
        r.inputs = {dx->inputs[0], dx->inputs[1], in(*dx, 2), ys, yz};
        if (P.op == OpKind::Softmax) {
          r.op = OpKind::QLinearSoftmax;
          break;
        }
        r.op = OpKind::QLinearActivation;
        r.attrs.values.clear();
        r.attrs.values["function"] = std::string(op_info(P.op).onnx_type);
        if (P.op == OpKind::LeakyRelu) r.attrs.values["alpha"] = P.attrs.f("alpha", 0.01f);
        if (P.op == OpKind::HardSigmoid) {
          r.attrs.values["alpha"] = P.attrs.f("alpha", 0.2f);
          r.attrs.values["beta"] = P.attrs.f("beta", 0.5f);
        }
        if (P.op == OpKind::Clip) {
          for (size_t s = 1; s <= 2; ++s)
            if (in(P, s) != kNoTensor) {
              if (!g.t(P.inputs[s]).is_constant()) return false;
              r.attrs.values[s == 1 ? "min" : "max"] = g.t(P.inputs[s]).as_f32()[0];
            }
        }
        break;
      }
      case OpKind::Pad:
      case OpKind::Resize:
        if (P.op == OpKind::Resize && P.attrs.s("mode", "nearest") == "linear") {
          // Bilinear: the int8 Resize repeats ONNX Runtime's float interpolation of the dequantized
          // values and quantizes to the Q's scale itself (resize_bilinear_s8); the quantization
          // parameters ride in slots 4-7 (X_scale, X_zp, Y_scale, Y_zp), zero points made explicit.
          const Node* dx = dq_in(0);
          if (!dx || !per_tensor(*dx) || !linear_resize_ok(P)) return false;
          r.op = OpKind::Resize;
          r.inputs = P.inputs;
          r.inputs.resize(4, kNoTensor);
          r.inputs[0] = dx->inputs[0];
          r.inputs.insert(r.inputs.end(), {dx->inputs[1], zero_point_const(dx->inputs[0], in(*dx, 2)), ys,
                                           zero_point_const(yq, yz)});
          break;
        }
        // Pure data movement on int8 (a zero pad, a nearest-neighbour resize): the float op between
        // the DQ and the Q only copies dequantized values, which the int8 op does exactly.
        if (!moves_bytes(P)) return false;
        [[fallthrough]];
      case OpKind::MaxPool:
      case OpKind::Reshape:
      case OpKind::Flatten:
      case OpKind::Squeeze:
      case OpKind::Unsqueeze:
      case OpKind::Transpose:
      case OpKind::Identity: {
        const Node* dx = dq_in(0);
        if (!dx || !per_tensor(*dx) || P.outputs.size() != 1) return false;
        r.op = P.op;
        r.inputs = P.inputs;
        r.inputs[0] = dx->inputs[0];
        if (P.op == OpKind::Pad) {  // the padding is real 0: the input's zero point, in its dtype
          r.inputs.resize(3);
          r.inputs[2] = zero_point_const(dx->inputs[0], in(*dx, 2));
        }
        if (!same_values(dx->inputs[1], ys) || !same_values(in(*dx, 2), yz)) {
          // The op on int8 data, then a Requantize to the Q's scale.
          Tensor tmp = g.t(dx->inputs[0]);
          tmp.name = g.t(P.outputs[0]).name + "_int8";
          tmp.shape = g.t(P.outputs[0]).shape;
          tmp.data.reset();
          const TensorId tid = g.add_tensor(std::move(tmp));
          r.outputs = {tid};
          Node rq;
          rq.op = OpKind::Requantize;
          rq.name = r.name + "_requantize";
          rq.index = r.index;
          rq.inputs = {tid, dx->inputs[1], in(*dx, 2), ys, yz};
          rq.outputs = {yq};
          replace(p, act_i, qi, {r, rq});
          return true;
        }
        break;
      }
      case OpKind::ReduceMean: {
        // A mean over trailing axes (the H, W of a squeeze-excitation): ONNX Runtime runs the float
        // ReduceMean between the DQ and the Q; QLinearReduceMean repeats its float operations.
        const Node* dx = dq_in(0);
        if (!dx || !per_tensor(*dx) || P.inputs.size() > 1) return false;
        const Shape& xs = g.t(P.inputs[0]).shape;
        const auto rank = static_cast<int64_t>(xs.size());
        if (rank == 0) return false;
        std::vector<int64_t> axes = P.attrs.ints("axes");
        if (axes.empty())
          for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
        std::vector<bool> red(xs.size(), false);
        for (int64_t& a : axes) {
          if (a < -rank || a >= rank) return false;
          if (a < 0) a += rank;
          red[static_cast<size_t>(a)] = true;
        }
        size_t first = xs.size();
        for (size_t i = 0; i < xs.size(); ++i)
          if (red[i] && first == xs.size()) first = i;
        for (size_t i = first; i < xs.size(); ++i)
          if (!red[i]) return false;  // not a trailing block: ORT reduces in another order
        // Rank 4: H, W of batch 1 only (ORT sums NHWC data in another order, reduce_mean_s8_nhwc).
        if (rank == 4 && (first != 2 || xs[0] != 1)) return false;
        r.op = OpKind::QLinearReduceMean;
        r.attrs.values.clear();
        r.attrs.values["axes"] = axes;
        r.attrs.values["keepdims"] = P.attrs.i("keepdims", 1);
        r.inputs = {dx->inputs[0], dx->inputs[1], in(*dx, 2), ys, yz};
        break;
      }
      case OpKind::DequantizeLinear: {
        if (!per_tensor(P)) return false;
        r.op = OpKind::Requantize;
        r.attrs.values.clear();
        r.inputs = {P.inputs[0], P.inputs[1], in(P, 2), ys, yz};
        break;
      }
      default:
        return false;
    }
    replace(p, act_i, qi, {r});
    return true;
  }

  // Puts `with` where node p was and erases the activation and Q nodes.
  void replace(size_t p, std::optional<size_t> act_i, size_t qi, const std::vector<Node>& with) {
    std::vector<Node> out;
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      if (i == p) {
        out.insert(out.end(), with.begin(), with.end());
        continue;
      }
      if (i == qi || (act_i && i == *act_i)) continue;
      out.push_back(std::move(g.nodes[i]));
    }
    g.nodes = std::move(out);
  }
};

}  // namespace

Expected<bool> pass_fold_qdq(Graph& g, const PassContext&) {
  QdqFolder f{g};
  bool changed = false;
  for (bool again = true; again;) {
    again = false;
    for (size_t i = 0; i < g.nodes.size(); ++i)
      if (g.nodes[i].op == OpKind::QuantizeLinear && f.fold(i)) {
        changed = again = true;
        break;
      }
  }
  return changed;
}

}  // namespace ferrite
