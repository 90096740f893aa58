#include "quantizer/quantize.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include "passes/pass.h"
#include "quantizer/interpreter.h"

namespace fs = std::filesystem;

namespace ferrite {

namespace {

// ---- what gets quantized ----------------------------------------------------------------------

enum class Role { Float, Compute, PassThrough };

Role role_of(OpKind k) {
  switch (k) {
    case OpKind::Conv: case OpKind::Gemm: case OpKind::MatMul: case OpKind::Add: case OpKind::Mul:
    case OpKind::AveragePool: case OpKind::GlobalAveragePool: case OpKind::Concat:
      return Role::Compute;
    case OpKind::MaxPool: case OpKind::Reshape: case OpKind::Flatten: case OpKind::Squeeze: case OpKind::Unsqueeze:
    case OpKind::Transpose:
      return Role::PassThrough;
    default:
      return Role::Float;
  }
}

// The int8 operators fold-qdq forms fuse a following Relu / Clip into their output range.
bool takes_activation(OpKind k) {
  return k == OpKind::Conv || k == OpKind::Gemm || k == OpKind::MatMul || k == OpKind::Add || k == OpKind::Mul ||
         k == OpKind::AveragePool || k == OpKind::GlobalAveragePool;
}

struct Plan {
  std::vector<bool> quantized;   // per node
  std::vector<int> fused_act;    // per node: the Relu/Clip node whose output is the quantized output, or -1
  std::vector<bool> absorbed;    // per node: a Relu/Clip absorbed into its producer's output range
  std::set<TensorId> activations;        // tensors that get QuantizeLinear -> DequantizeLinear
  std::map<TensorId, TensorId> same_as;  // pass-through outputs: quantized like this input
};

bool is_float_activation(const Graph& g, TensorId t) {
  return t != kNoTensor && !g.t(t).is_constant() && g.t(t).dtype == DType::F32;
}
bool is_float_constant(const Graph& g, TensorId t) {
  return t != kNoTensor && g.t(t).is_constant() && g.t(t).dtype == DType::F32;
}

// Whether node n's inputs have the form its int8 operator needs.
bool quantizable(const Graph& g, const Node& n) {
  const auto in = [&](size_t i) { return i < n.inputs.size() ? n.inputs[i] : kNoTensor; };
  for (TensorId o : n.outputs)
    if (g.t(o).dtype != DType::F32) return false;
  switch (n.op) {
    case OpKind::Conv: {
      if (!is_float_activation(g, in(0)) || !is_float_constant(g, in(1)) || g.t(in(1)).shape.size() != 4) return false;
      return in(2) == kNoTensor || (is_float_constant(g, in(2)) && g.t(in(2)).numel() == g.t(in(1)).shape[0]);
    }
    case OpKind::Gemm: {
      if (!is_float_activation(g, in(0)) || !is_float_constant(g, in(1)) || g.t(in(1)).shape.size() != 2) return false;
      if (n.attrs.i("transA", 0) != 0 || n.attrs.f("alpha", 1.f) != 1.f || n.attrs.f("beta", 1.f) != 1.f) return false;
      const int64_t cols = n.attrs.i("transB", 0) ? g.t(in(1)).shape[0] : g.t(in(1)).shape[1];
      return in(2) == kNoTensor || (is_float_constant(g, in(2)) && g.t(in(2)).shape == Shape{cols});
    }
    case OpKind::MatMul:
      return is_float_activation(g, in(0)) && is_float_constant(g, in(1)) && g.t(in(1)).shape.size() == 2;
    case OpKind::Add: case OpKind::Mul: {
      if (n.inputs.size() != 2) return false;
      const bool a = is_float_activation(g, in(0)), b = is_float_activation(g, in(1));
      return (a && b) || (a && is_float_constant(g, in(1))) || (b && is_float_constant(g, in(0)));
    }
    case OpKind::Concat:
      for (TensorId t : n.inputs)
        if (!is_float_activation(g, t)) return false;
      return !n.inputs.empty();
    case OpKind::AveragePool: case OpKind::GlobalAveragePool: case OpKind::MaxPool:
      return is_float_activation(g, in(0)) && g.t(in(0)).shape.size() == 4 && n.outputs.size() == 1;
    case OpKind::Reshape: case OpKind::Flatten: case OpKind::Squeeze: case OpKind::Unsqueeze: case OpKind::Transpose:
      return is_float_activation(g, in(0)) && n.outputs.size() == 1;
    default:
      return false;
  }
}

Plan make_plan(const Graph& g, const std::set<std::string>& keep_float) {
  Plan p;
  const size_t nn = g.nodes.size();
  p.quantized.assign(nn, false);
  p.fused_act.assign(nn, -1);
  p.absorbed.assign(nn, false);
  std::set<TensorId> will_be_int8;  // outputs of quantized nodes
  for (size_t i = 0; i < nn; ++i) {
    const Node& n = g.nodes[i];
    if (p.absorbed[i] || keep_float.count(n.name)) continue;
    const Role r = role_of(n.op);
    if (r == Role::Float || !quantizable(g, n)) continue;
    if (r == Role::PassThrough && !will_be_int8.count(n.inputs[0])) continue;
    p.quantized[i] = true;
    TensorId out = n.outputs[0];
    if (takes_activation(n.op) && !g.is_graph_output(out)) {
      const auto readers = g.consumers(out);
      if (readers.size() == 1) {
        const Node& a = g.nodes[readers[0]];
        bool ok = a.op == OpKind::Relu && !keep_float.count(a.name);
        if (a.op == OpKind::Clip && !keep_float.count(a.name)) {
          ok = true;
          for (size_t s = 1; s < a.inputs.size(); ++s)
            if (a.inputs[s] != kNoTensor && !g.t(a.inputs[s]).is_constant()) ok = false;
        }
        if (ok && a.inputs[0] == out) {
          p.fused_act[i] = static_cast<int>(readers[0]);
          p.absorbed[readers[0]] = true;
          out = a.outputs[0];
        }
      }
    }
    for (TensorId t : n.inputs)
      if (is_float_activation(g, t) && (r == Role::Compute || t == n.inputs[0])) p.activations.insert(t);
    p.activations.insert(out);
    will_be_int8.insert(out);
    if (r == Role::PassThrough) p.same_as[out] = n.inputs[0];
  }
  return p;
}

// ---- statistics -----------------------------------------------------------------------------------

std::vector<std::vector<uint8_t>> input_bytes(const std::vector<std::vector<float>>& sample) {
  std::vector<std::vector<uint8_t>> b;
  for (const auto& v : sample) {
    b.emplace_back(v.size() * sizeof(float));
    std::memcpy(b.back().data(), v.data(), b.back().size());
  }
  return b;
}

// Per-channel sums of a float tensor (axis 1 of NCHW / the last axis of [M, K]) into `sum`.
void add_channel_sums(const Tensor& t, const float* v, std::vector<double>& sum) {
  const size_t n = static_cast<size_t>(t.numel());
  if (t.shape.size() >= 3) {
    const auto C = static_cast<size_t>(t.shape[1]);
    size_t inner = 1;
    for (size_t d = 2; d < t.shape.size(); ++d) inner *= static_cast<size_t>(t.shape[d]);
    sum.resize(C, 0.0);
    for (size_t i = 0; i < n; ++i) sum[(i / inner) % C] += v[i];
  } else if (!t.shape.empty()) {
    const auto K = static_cast<size_t>(t.shape.back());
    sum.resize(K, 0.0);
    for (size_t i = 0; i < n; ++i) sum[i % K] += v[i];
  }
}

struct Statistics {
  std::map<TensorId, TensorStats> ranges;
  std::map<TensorId, std::vector<double>> means;  // per-channel means of `mean_of` tensors
};

Expected<Statistics> collect_stats(HostInterpreter& it, const Samples& samples, bool histograms,
                                   const std::set<TensorId>& mean_of, const QuantizeProgress& progress) {
  const Graph& g = it.graph();
  Statistics out;
  auto& st = out.ranges;
  auto take = [&](TensorId o, const float* v, bool hist) {
    const auto n = static_cast<size_t>(g.t(o).numel());
    hist ? st[o].add_histogram(v, n) : st[o].add_minmax(v, n);
    if (!hist && mean_of.count(o)) add_channel_sums(g.t(o), v, out.means[o]);
  };
  auto visit = [&](bool hist) {
    return [&, hist](size_t ni) {
      for (TensorId o : g.nodes[ni].outputs)
        if (g.t(o).dtype == DType::F32) take(o, reinterpret_cast<const float*>(it.data(o)), hist);
    };
  };
  for (int pass = 0; pass < (histograms ? 2 : 1); ++pass) {
    if (pass == 1)
      for (auto& [t, s] : st) s.begin_histogram();
    for (size_t k = 0; k < samples.size(); ++k) {
      if (progress) progress(pass == 0 ? "calibration: ranges" : "calibration: histograms", k, samples.size());
      for (size_t i = 0; i < g.inputs.size(); ++i) take(g.inputs[i], samples[k][i].data(), pass == 1);
      FERRITE_TRY(it.run(input_bytes(samples[k]), visit(pass == 1)));
    }
  }
  // Sums -> means over every sample and position.
  for (auto& [t, sum] : out.means) {
    const double per = static_cast<double>(g.t(t).numel()) / static_cast<double>(std::max<size_t>(sum.size(), 1));
    for (double& x : sum) x /= per * static_cast<double>(samples.size());
  }
  return out;
}

// ---- weights ------------------------------------------------------------------------------------

// Symmetric int8 weights in [-127, 127], one scale per index of `axis` (per_channel) or one in all.
struct QuantWeight {
  std::vector<int8_t> q;
  std::vector<float> scale;
  int64_t inner = 1, channels = 1;  // element i belongs to channel (i / inner) % channels
  size_t channel_of(size_t i) const { return static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels); }
};

QuantWeight quantize_weight(const Tensor& t, int axis, bool per_channel) {
  QuantWeight w;
  const auto v = t.as_f32();
  w.channels = per_channel ? t.shape[static_cast<size_t>(axis)] : 1;
  if (per_channel)
    for (size_t d = static_cast<size_t>(axis) + 1; d < t.shape.size(); ++d) w.inner *= t.shape[d];
  w.scale.assign(static_cast<size_t>(w.channels), 0.f);
  for (size_t i = 0; i < v.size(); ++i) w.scale[w.channel_of(i)] = std::max(w.scale[w.channel_of(i)], std::fabs(v[i]));
  for (float& s : w.scale) s = s > 0.f ? s / 127.f : 1.f;
  w.q.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    w.q[i] = static_cast<int8_t>(std::clamp(std::nearbyint(v[i] / w.scale[w.channel_of(i)]), -127.f, 127.f));
  return w;
}

// Bias correction (Nagel et al., "Data-free quantization"; here with the calibration data's means):
// the weights' rounding error shifts output channel c by E[sum_k dW[c,k] x_k] = sum_k dW[c,k] E[x_k];
// subtracting that from the bias removes the shift. `mean` holds E[x] per input channel (Conv: per
// channel of the NCHW input, Gemm: per input feature). Returns the correction per output channel.
std::vector<double> weight_error_shift(const Graph& g, const Node& n, const QuantWeight& qw, const std::vector<double>& mean) {
  const Tensor& w = g.t(n.inputs[1]);
  const auto v = w.as_f32();
  std::vector<double> corr;
  if (n.op == OpKind::Conv) {
    const int64_t cout = w.shape[0], cin_g = w.shape[1], k = w.shape[2] * w.shape[3];
    const int64_t groups = n.attrs.i("group", 1), cout_g = cout / std::max<int64_t>(groups, 1);
    corr.assign(static_cast<size_t>(cout), 0.0);
    for (int64_t c = 0; c < cout; ++c)
      for (int64_t ci = 0; ci < cin_g; ++ci) {
        const auto in_ch = static_cast<size_t>((c / cout_g) * cin_g + ci);
        if (in_ch >= mean.size()) continue;
        for (int64_t t = 0; t < k; ++t) {
          const auto i = static_cast<size_t>((c * cin_g + ci) * k + t);
          const double dw = static_cast<double>(qw.q[i]) * qw.scale[qw.channel_of(i)] - v[i];
          corr[static_cast<size_t>(c)] += dw * mean[in_ch];
        }
      }
  } else {  // Gemm: B is [K, N] (transB = 0) or [N, K]
    const bool tb = n.attrs.i("transB", 0) != 0;
    const int64_t K = tb ? w.shape[1] : w.shape[0], N = tb ? w.shape[0] : w.shape[1];
    corr.assign(static_cast<size_t>(N), 0.0);
    for (int64_t r = 0; r < K; ++r)
      for (int64_t c = 0; c < N; ++c) {
        const auto i = static_cast<size_t>(tb ? c * K + r : r * N + c);
        const double dw = static_cast<double>(qw.q[i]) * qw.scale[qw.channel_of(i)] - v[i];
        if (static_cast<size_t>(r) < mean.size()) corr[static_cast<size_t>(c)] += dw * mean[static_cast<size_t>(r)];
      }
  }
  return corr;
}

// ---- writing the QDQ model --------------------------------------------------------------------

struct Writer {
  const Graph& g;
  const Plan& plan;
  const std::map<TensorId, QParams>& act_q;
  const QuantizeOptions& o;
  onnx::GraphProto* gp = nullptr;
  const std::map<TensorId, std::vector<double>>& means;  // per-channel input means (bias correction)
  bool correct_bias = false;
  std::set<std::string> initializers;
  std::map<TensorId, std::string> weight_q;  // float weight -> name of its dequantized tensor

  std::string add_init(const std::string& name, DType dt, const Shape& shape, const void* data, size_t bytes) {
    if (initializers.insert(name).second) {
      auto* t = gp->add_initializer();
      t->set_name(name);
      t->set_data_type(dtype_to_onnx(dt));
      for (int64_t d : shape) t->add_dims(d);
      t->set_raw_data(std::string(static_cast<const char*>(data), bytes));
    }
    return name;
  }
  std::string scalar_f32(const std::string& name, float v) { return add_init(name, DType::F32, {}, &v, 4); }
  std::string scalar_zp(const std::string& name, int32_t z) {
    if (o.uint8_activations) {
      const auto u = static_cast<uint8_t>(z);
      return add_init(name, DType::U8, {}, &u, 1);
    }
    const auto s = static_cast<int8_t>(z);
    return add_init(name, DType::I8, {}, &s, 1);
  }
  onnx::NodeProto* node(const std::string& op, const std::string& name, std::vector<std::string> ins, std::vector<std::string> outs) {
    auto* n = gp->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& s : ins) n->add_input(s);
    for (auto& s : outs) n->add_output(s);
    return n;
  }
  static void set_int(onnx::NodeProto* n, const char* k, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(k);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }

  // Per-channel (or per-tensor) symmetric int8 weights along `axis`; returns the DQ'd tensor name.
  std::string weight(TensorId w, int axis, bool per_channel) {
    auto it = weight_q.find(w);
    if (it != weight_q.end()) return it->second;
    const Tensor& t = g.t(w);
    const QuantWeight qw = quantize_weight(t, axis, per_channel);
    std::vector<int8_t> zp(qw.scale.size(), 0);
    const Shape cs = per_channel ? Shape{qw.channels} : Shape{};
    const std::string qn = add_init(t.name + "_quantized", DType::I8, t.shape, qw.q.data(), qw.q.size());
    const std::string sn = add_init(t.name + "_scale", DType::F32, cs, qw.scale.data(), qw.scale.size() * 4);
    const std::string zn = add_init(t.name + "_zero_point", DType::I8, cs, zp.data(), zp.size());
    auto* d = node("DequantizeLinear", t.name + "_DequantizeLinear", {qn, sn, zn}, {t.name + "_dequantized"});
    if (per_channel) set_int(d, "axis", axis);
    return weight_q[w] = t.name + "_dequantized";
  }

  // A float constant operand of Add/Mul: asymmetric int8 per tensor over its own min/max.
  std::string constant_operand(TensorId c) {
    auto it = weight_q.find(c);
    if (it != weight_q.end()) return it->second;
    const Tensor& t = g.t(c);
    const auto v = t.as_f32();
    Range r;
    for (float x : v) r.lo = std::min(r.lo, x), r.hi = std::max(r.hi, x);
    const QParams qp = qparams_for(r, -128, 127);
    std::vector<int8_t> q(v.size());
    for (size_t i = 0; i < v.size(); ++i)
      q[i] = static_cast<int8_t>(std::clamp(std::nearbyint(v[i] / qp.scale) + static_cast<float>(qp.zero_point), -128.f, 127.f));
    const auto z = static_cast<int8_t>(qp.zero_point);
    const std::string qn = add_init(t.name + "_quantized", DType::I8, t.shape, q.data(), q.size());
    const std::string sn = scalar_f32(t.name + "_scale", qp.scale);
    const std::string zn = add_init(t.name + "_zero_point", DType::I8, {}, &z, 1);
    node("DequantizeLinear", t.name + "_DequantizeLinear", {qn, sn, zn}, {t.name + "_dequantized"});
    return weight_q[c] = t.name + "_dequantized";
  }

  // The int32 bias of a Conv/Gemm (b: its float bias, or kNoTensor for none): scale
  // x_scale * w_scale[c], zero point 0; with bias correction, minus the weights' error shift.
  std::string bias(const Node& n, TensorId b, int axis) {
    const Tensor& wt = g.t(n.inputs[1]);
    const QuantWeight qw = quantize_weight(wt, axis, o.per_channel);
    const int64_t channels = wt.shape[static_cast<size_t>(axis)];
    std::vector<double> v(static_cast<size_t>(channels), 0.0);
    if (b != kNoTensor) {
      const auto bv = g.t(b).as_f32();
      for (size_t c = 0; c < v.size() && c < bv.size(); ++c) v[c] = bv[c];
    }
    if (correct_bias) {
      auto m = means.find(n.inputs[0]);
      if (m != means.end()) {
        const auto corr = weight_error_shift(g, n, qw, m->second);
        for (size_t c = 0; c < v.size() && c < corr.size(); ++c) v[c] -= corr[c];
      }
    }
    const float sx = act_q.at(n.inputs[0]).scale;
    std::vector<int32_t> q(v.size());
    std::vector<float> scale(v.size());
    std::vector<int32_t> zp(v.size(), 0);
    for (size_t c = 0; c < v.size(); ++c) {
      scale[c] = sx * qw.scale[o.per_channel ? c : 0];
      const double r = std::nearbyint(v[c] / scale[c]);
      q[c] = static_cast<int32_t>(std::clamp(r, -2147483648.0, 2147483647.0));
    }
    const Shape bs{channels};
    const std::string base = (n.name.empty() ? wt.name : n.name) + "_bias";
    const std::string qn = add_init(base + "_quantized", DType::I32, bs, q.data(), q.size() * 4);
    const std::string sn = add_init(base + "_scale", DType::F32, bs, scale.data(), scale.size() * 4);
    const std::string zn = add_init(base + "_zero_point", DType::I32, bs, zp.data(), zp.size() * 4);
    auto* d = node("DequantizeLinear", base + "_DequantizeLinear", {qn, sn, zn}, {base + "_dequantized"});
    set_int(d, "axis", 0);
    return base + "_dequantized";
  }
};

void set_attr(onnx::NodeProto* np, OpKind op, const std::string& k, const AttrValue& v) {
  auto* a = np->add_attribute();
  a->set_name(k);
  if (const auto* i = std::get_if<int64_t>(&v)) {
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(*i);
  } else if (const auto* f = std::get_if<float>(&v)) {
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(*f);
  } else if (const auto* s = std::get_if<std::string>(&v)) {
    if ((op == OpKind::LSTM || op == OpKind::GRU) && k == "activations") {
      a->set_type(onnx::AttributeProto::STRINGS);
      std::string cur;
      for (char c : *s + ",") {
        if (c == ',') {
          a->add_strings(cur);
          cur.clear();
        } else {
          cur += c;
        }
      }
    } else {
      a->set_type(onnx::AttributeProto::STRING);
      a->set_s(*s);
    }
  } else if (const auto* is = std::get_if<std::vector<int64_t>>(&v)) {
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : *is) a->add_ints(x);
  } else if (const auto* fs = std::get_if<std::vector<float>>(&v)) {
    a->set_type(onnx::AttributeProto::FLOATS);
    for (float x : *fs) a->add_floats(x);
  }
}

void value_info(onnx::ValueInfoProto* vi, const Tensor& t) {
  vi->set_name(t.name);
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(dtype_to_onnx(t.dtype));
  auto* sh = tt->mutable_shape();
  for (int64_t d : t.shape) sh->add_dim()->set_dim_value(d);
}

Expected<std::string> write_qdq(const Graph& g, const Plan& plan, const std::map<TensorId, QParams>& act_q,
                                const QuantizeOptions& o, const std::map<TensorId, std::vector<double>>& means,
                                bool correct_bias) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("ferrite quantize");
  m.set_producer_version(FERRITE_VERSION);
  auto* os = m.add_opset_import();
  os->set_domain("");
  os->set_version(kCanonicalOpset);
  onnx::GraphProto* gp = m.mutable_graph();
  gp->set_name(g.name.empty() ? "quantized" : g.name);
  Writer w{g, plan, act_q, o, gp, means, correct_bias, {}, {}};
  std::set<std::string> names;
  for (const Tensor& t : g.tensors)
    if (!names.insert(t.name).second) return make_error("internal: two tensors named '{}'", t.name);

  // The name each tensor is read under: the DequantizeLinear output for quantized activations.
  std::map<TensorId, std::string> read_as;
  auto name_of = [&](TensorId t) {
    auto it = read_as.find(t);
    return it != read_as.end() ? it->second : g.t(t).name;
  };
  // Graph outputs keep their names: a quantized one is written by its DequantizeLinear, and its
  // producer writes "<name>_prequant".
  auto written_as = [&](TensorId t) {
    return plan.activations.count(t) && g.is_graph_output(t) ? g.t(t).name + "_prequant" : g.t(t).name;
  };
  auto quantize_here = [&](TensorId t) {
    const QParams& q = act_q.at(t);
    const std::string& nm = g.t(t).name;
    const std::string s = w.scalar_f32(nm + "_scale", q.scale);
    const std::string z = w.scalar_zp(nm + "_zero_point", q.zero_point);
    w.node("QuantizeLinear", nm + "_QuantizeLinear", {written_as(t), s, z}, {nm + "_quantized"});
    const std::string dq = g.is_graph_output(t) ? nm : nm + "_dequantized";
    w.node("DequantizeLinear", nm + "_DequantizeLinear", {nm + "_quantized", s, z}, {dq});
    read_as[t] = dq;
  };
  for (TensorId in : g.inputs) {
    value_info(gp->add_input(), g.t(in));
    if (plan.activations.count(in)) quantize_here(in);
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!n.act.from.empty() || n.act.kind != FusedAct::None) return make_error("internal: fused activation in {}", n.display_name());
    const OpInfo& info = op_info(n.op);
    if (std::string(info.domain) == "ferrite")
      return make_error("{} has no standard ONNX form (Ferrite-internal operator)", n.display_name());
    if (!std::string(info.domain).empty()) {
      bool have = false;
      for (const auto& op : m.opset_import()) have = have || op.domain() == info.domain;
      if (!have) {
        auto* d = m.add_opset_import();
        d->set_domain(info.domain);
        d->set_version(1);
      }
    }
    std::vector<std::string> ins;
    for (size_t s = 0; s < n.inputs.size(); ++s) {
      const TensorId t = n.inputs[s];
      if (t == kNoTensor) {
        ins.emplace_back();
        continue;
      }
      std::string nm = name_of(t);
      if (plan.quantized[i] && g.t(t).is_constant() && g.t(t).dtype == DType::F32) {
        switch (n.op) {
          case OpKind::Conv:
            nm = s == 1 ? w.weight(t, 0, o.per_channel) : w.bias(n, t, 0);
            break;
          case OpKind::Gemm: {
            const int axis = n.attrs.i("transB", 0) ? 0 : 1;
            nm = s == 1 ? w.weight(t, axis, o.per_channel) : w.bias(n, t, axis);
            break;
          }
          case OpKind::MatMul:
            nm = w.weight(t, 1, false);
            break;
          case OpKind::Add: case OpKind::Mul:
            nm = w.constant_operand(t);
            break;
          default:
            break;
        }
      }
      if (g.t(t).is_constant() && nm == g.t(t).name) {
        const Tensor& c = g.t(t);
        w.add_init(c.name, c.dtype, c.shape, c.data->data(), c.data->size());
      }
      ins.push_back(nm);
    }
    while (!ins.empty() && ins.back().empty()) ins.pop_back();
    // Bias correction gives a Conv/Gemm without a bias one.
    if (plan.quantized[i] && w.correct_bias && (n.op == OpKind::Conv || n.op == OpKind::Gemm) && ins.size() == 2)
      ins.push_back(w.bias(n, kNoTensor, n.op == OpKind::Gemm && !n.attrs.i("transB", 0) ? 1 : 0));
    std::vector<std::string> outs;
    for (TensorId t : n.outputs) outs.push_back(t == kNoTensor ? std::string() : written_as(t));
    auto* np = w.node(info.onnx_type, n.name, ins, outs);
    np->set_domain(info.domain);
    for (const auto& [k, v] : n.attrs.values)
      if (k.rfind("ferrite.", 0) != 0) set_attr(np, n.op, k, v);
    for (TensorId t : n.outputs)
      if (t != kNoTensor && plan.activations.count(t)) quantize_here(t);
  }
  for (TensorId out : g.outputs) value_info(gp->add_output(), g.t(out));
  // The model must be valid ONNX that shape inference accepts.
  try {
    onnx::checker::check_model(m);
    onnx::ShapeInferenceOptions so{true, 1, false};
    onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(), so);
  } catch (const std::exception& e) {
    return make_error("internal: the quantized model is not valid ONNX: {}", e.what());
  }
  std::string bytes;
  if (!m.SerializeToString(&bytes)) return make_error("cannot serialize the quantized model");
  return bytes;
}

// ---- the int8 model on the host ------------------------------------------------------------------

// Compiles QDQ model bytes the way `ferrite compile` does (import, graph passes) into an interpreter.
Expected<HostInterpreter> int8_interpreter(const std::string& bytes) {
  std::string tmpl = (fs::temp_directory_path() / "ferrite-quantize-XXXXXX").string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) return make_error("cannot create a temporary file in '{}'", fs::temp_directory_path().string());
  ::close(fd);
  const std::string path = tmpl;
  {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto g = import_onnx(path, {});
  std::error_code ec;
  fs::remove(path, ec);
  if (!g) return make_error("the quantized model does not import: {}", g.error().message);
  PassContext ctx;
  FERRITE_TRY(run_pipeline(*g, ctx));
  return HostInterpreter::create(std::move(*g));
}

double sqnr_db(double signal, double noise) {
  if (noise <= 0.0) return 200.0;
  if (signal <= 0.0) return -200.0;
  return 10.0 * std::log10(signal / noise);
}

// A quantized activation of the int8 graph, as floats in the logical (NCHW) order, with the scale and
// zero point the graph holds for it (after normalize-int8: int8 data and an int8 zero point).
std::vector<float> dequantized(const HostInterpreter& it, TensorId t, TensorId scale, TensorId zero_point) {
  const Graph& g = it.graph();
  const Tensor& x = g.t(t);
  const float s = g.t(scale).as_f32().at(0);
  const int64_t z = g.t(zero_point).as_i64().at(0);
  const auto n = static_cast<size_t>(x.numel());
  const auto* d = it.data(t);
  std::vector<float> v(n);
  const Shape& sh = x.shape;
  for (size_t i = 0; i < n; ++i) {
    size_t src = i;
    if (x.nhwc && sh.size() == 4) {  // logical index i (n, c, h, w) -> storage (n, h, w, c)
      const auto C = static_cast<size_t>(sh[1]), H = static_cast<size_t>(sh[2]), W = static_cast<size_t>(sh[3]);
      const size_t w_ = i % W, h = (i / W) % H, c = (i / (W * H)) % C, b = i / (W * H * C);
      src = ((b * H + h) * W + w_) * C + c;
    }
    const int64_t q = x.dtype == DType::U8 ? static_cast<int64_t>(d[src]) : static_cast<int64_t>(static_cast<int8_t>(d[src]));
    v[i] = static_cast<float>(q - z) * s;
  }
  return v;
}

// Per-layer and output SQNR of an int8 graph against the float graph it was made from. A float tensor
// T that was quantized is, in the int8 graph, the tensor "T_quantized" with the constants "T_scale"
// and "T_zero_point" (the names the QDQ writer gives them, kept through import and the passes).
struct Scorer {
  const Graph& fg;
  struct Pair {
    TensorId f, q, scale, zp;
  };
  std::vector<Pair> pairs;
  std::vector<double> sig, noise;
  double out_sig = 0.0, out_noise = 0.0;

  void bind(const Graph& qg) {
    std::map<std::string, TensorId> by_name;
    for (size_t i = 0; i < qg.tensors.size(); ++i) by_name.emplace(qg.tensors[i].name, static_cast<TensorId>(i));
    auto find = [&](const std::string& n) { auto it = by_name.find(n); return it == by_name.end() ? kNoTensor : it->second; };
    for (const Node& n : fg.nodes)
      for (TensorId out : n.outputs) {
        if (out == kNoTensor || fg.t(out).dtype != DType::F32) continue;
        const std::string& nm = fg.t(out).name;
        TensorId q = find(nm + "_quantized");
        if (q == kNoTensor) q = find(nm + "_quantized_int8");  // normalize-int8's retyped copy
        const TensorId s = find(nm + "_scale"), z = find(nm + "_zero_point");
        if (q == kNoTensor || s == kNoTensor || z == kNoTensor || qg.t(q).is_constant() || !qg.t(s).is_constant() ||
            !qg.t(z).is_constant() || qg.t(s).numel() != 1 || qg.t(z).numel() != 1 || qg.t(q).numel() != fg.t(out).numel())
          continue;
        // Only a layer's own output: pass-through int8 ops (MaxPool, Reshape, ...) add no error.
        if (n.op == OpKind::MaxPool || n.op == OpKind::Reshape || n.op == OpKind::Flatten || n.op == OpKind::Squeeze ||
            n.op == OpKind::Unsqueeze || n.op == OpKind::Transpose)
          continue;
        pairs.push_back({out, q, s, z});
      }
    sig.assign(pairs.size(), 0.0);
    noise.assign(pairs.size(), 0.0);
  }
  void add(const HostInterpreter& f, const HostInterpreter& q) {
    for (size_t k = 0; k < pairs.size(); ++k) {
      const auto a = f.as_f32(pairs[k].f);
      const auto b = dequantized(q, pairs[k].q, pairs[k].scale, pairs[k].zp);
      for (size_t i = 0; i < a.size(); ++i) {
        sig[k] += static_cast<double>(a[i]) * a[i];
        noise[k] += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
      }
    }
    for (size_t o = 0; o < fg.outputs.size(); ++o) {
      const auto a = f.as_f32(fg.outputs[o]);
      const auto b = q.as_f32(q.graph().outputs[o]);
      for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        out_sig += static_cast<double>(a[i]) * a[i];
        out_noise += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
      }
    }
  }
  std::vector<LayerSqnr> layers() const {
    std::vector<LayerSqnr> r;
    for (size_t k = 0; k < pairs.size(); ++k) {
      auto p = fg.producer(pairs[k].f);
      const Node* n = p ? &fg.nodes[*p] : nullptr;
      // The Relu/Clip output belongs to the layer before it.
      if (n && (n->op == OpKind::Relu || n->op == OpKind::Clip)) {
        auto pp = fg.producer(n->inputs[0]);
        if (pp) n = &fg.nodes[*pp];
      }
      r.push_back({n ? n->name : std::string(), n ? op_info(n->op).onnx_type : "", fg.t(pairs[k].f).name,
                   sqnr_db(sig[k], noise[k])});
    }
    return r;
  }
};

std::map<TensorId, QParams> choose_qparams(const Graph& g, const Plan& plan, const std::map<TensorId, TensorStats>& st,
                                           const RangeChoice& c, bool uint8) {
  std::map<TensorId, QParams> q;
  const int32_t qmin = uint8 ? 0 : -128, qmax = uint8 ? 255 : 127;
  // In execution order, so that a pass-through output finds its input's parameters.
  std::vector<TensorId> order(g.inputs.begin(), g.inputs.end());
  for (const Node& n : g.nodes) order.insert(order.end(), n.outputs.begin(), n.outputs.end());
  for (TensorId t : order) {
    if (!plan.activations.count(t)) continue;
    auto same = plan.same_as.find(t);
    if (same != plan.same_as.end() && q.count(same->second)) {
      q[t] = q[same->second];
      continue;
    }
    auto s = st.find(t);
    q[t] = s == st.end() ? QParams{} : qparams_for(select_range(s->second, c), qmin, qmax);
  }
  // A Clip absorbed into its producer's output range: the quantized range must lie inside the Clip's
  // bounds (in float32, as ONNX Runtime checks it), so that the Clip is redundant and every runtime
  // drops it; shrink the scale by ulps where rounding put an end outside.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (plan.fused_act[i] < 0) continue;
    const Node& a = g.nodes[static_cast<size_t>(plan.fused_act[i])];
    if (a.op != OpKind::Clip || !q.count(a.outputs[0])) continue;
    QParams& p = q[a.outputs[0]];
    const auto bound = [&](size_t slot, float def) {
      return slot < a.inputs.size() && a.inputs[slot] != kNoTensor ? g.t(a.inputs[slot]).as_f32().at(0) : def;
    };
    const float lo = bound(1, -INFINITY), hi = bound(2, INFINITY);
    for (int k = 0; k < 64; ++k) {
      const float top = p.scale * static_cast<float>(qmax - p.zero_point), bottom = p.scale * static_cast<float>(qmin - p.zero_point);
      if (top <= hi && bottom >= lo) break;
      p.scale = std::nextafter(p.scale, 0.f);
    }
  }
  return q;
}

// Cross-layer equalization (Nagel et al., "Data-free quantization through weight equalization and
// bias correction", 2019): where a Conv's output, directly or through Relu / LeakyRelu / MaxPool
// (which commute with a positive per-channel scale), is read only by another Conv, output channel c of the first is
// divided by s_c and input channel c of the second multiplied by it, s_c = sqrt(r1_c / r2_c) with r1_c,
// r2_c the channels' largest |weight|: both get the range sqrt(r1_c r2_c), which per-channel weight
// quantization then represents better (depthwise-separable networks have channels that differ by
// orders of magnitude). The float function is unchanged (up to float rounding). Returns the pairs.
size_t equalize(Graph& g) {
  size_t pairs = 0;
  for (int sweep = 0; sweep < 4; ++sweep) {
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      const Node& a = g.nodes[i];
      if (a.op != OpKind::Conv || a.inputs.size() < 2 || !is_float_constant(g, a.inputs[1]) || g.t(a.inputs[1]).shape.size() != 4)
        continue;
      if (a.inputs.size() > 2 && a.inputs[2] != kNoTensor && !is_float_constant(g, a.inputs[2])) continue;
      TensorId t = a.outputs[0];
      auto single_reader = [&](TensorId x) -> const Node* {
        if (g.is_graph_output(x)) return nullptr;
        const auto r = g.consumers(x);
        return r.size() == 1 ? &g.nodes[r[0]] : nullptr;
      };
      const Node* b = single_reader(t);
      // Channel-wise operators that commute with a positive per-channel scale may sit in between.
      while (b && (b->op == OpKind::Relu || b->op == OpKind::LeakyRelu || b->op == OpKind::MaxPool) && b->outputs.size() == 1)
        b = single_reader(b->outputs[0]);
      if (!b || b->op != OpKind::Conv || b->inputs.size() < 2 || !is_float_constant(g, b->inputs[1]) ||
          g.t(b->inputs[1]).shape.size() != 4)
        continue;
      const size_t bi = static_cast<size_t>(b - g.nodes.data());
      Tensor& w1 = g.t(a.inputs[1]);
      Tensor& w2 = g.t(g.nodes[bi].inputs[1]);
      const int64_t c1 = w1.shape[0], k1 = w1.shape[1] * w1.shape[2] * w1.shape[3];
      const int64_t co2 = w2.shape[0], ci2 = w2.shape[1], k2 = w2.shape[2] * w2.shape[3];
      const int64_t g2 = g.nodes[bi].attrs.i("group", 1);
      if (g2 <= 0 || ci2 * g2 != c1 || co2 % g2 != 0) continue;
      const int64_t co2_g = co2 / g2;
      // Shared weights would be rescaled for another reader too.
      if (g.consumers(a.inputs[1]).size() != 1 || g.consumers(g.nodes[bi].inputs[1]).size() != 1) continue;
      if (a.inputs.size() > 2 && a.inputs[2] != kNoTensor && g.consumers(a.inputs[2]).size() != 1) continue;
      std::vector<float> v1 = w1.as_f32(), v2 = w2.as_f32();
      std::vector<double> r1(static_cast<size_t>(c1), 0.0), r2(static_cast<size_t>(c1), 0.0);
      for (int64_t c = 0; c < c1; ++c)
        for (int64_t k = 0; k < k1; ++k) r1[static_cast<size_t>(c)] = std::max(r1[static_cast<size_t>(c)], std::fabs(static_cast<double>(v1[static_cast<size_t>(c * k1 + k)])));
      auto for_input_channel = [&](int64_t c, auto&& f) {  // W2 elements that read input channel c
        const int64_t grp = c / ci2, local = c % ci2;
        for (int64_t o = grp * co2_g; o < (grp + 1) * co2_g; ++o)
          for (int64_t k = 0; k < k2; ++k) f(static_cast<size_t>((o * ci2 + local) * k2 + k));
      };
      for (int64_t c = 0; c < c1; ++c)
        for_input_channel(c, [&](size_t e) { r2[static_cast<size_t>(c)] = std::max(r2[static_cast<size_t>(c)], std::fabs(static_cast<double>(v2[e]))); });
      bool changed = false;
      std::vector<float> scale(static_cast<size_t>(c1), 1.f);
      for (int64_t c = 0; c < c1; ++c) {
        const double x = r1[static_cast<size_t>(c)], y = r2[static_cast<size_t>(c)];
        if (x > 0.0 && y > 0.0) {
          const auto sc = static_cast<float>(std::sqrt(x / y));
          if (std::isfinite(sc) && sc > 0.f && std::fabs(sc - 1.f) > 1e-3f) {
            scale[static_cast<size_t>(c)] = sc;
            changed = true;
          }
        }
      }
      if (!changed) continue;
      for (int64_t c = 0; c < c1; ++c) {
        const float sc = scale[static_cast<size_t>(c)];
        for (int64_t k = 0; k < k1; ++k) v1[static_cast<size_t>(c * k1 + k)] /= sc;
        for_input_channel(c, [&](size_t e) { v2[e] *= sc; });
      }
      std::memcpy(w1.data->data(), v1.data(), v1.size() * 4);
      std::memcpy(w2.data->data(), v2.data(), v2.size() * 4);
      if (a.inputs.size() > 2 && a.inputs[2] != kNoTensor) {
        Tensor& b1 = g.t(a.inputs[2]);
        std::vector<float> bv = b1.as_f32();
        for (size_t c = 0; c < bv.size() && c < scale.size(); ++c) bv[c] /= scale[c];
        std::memcpy(b1.data->data(), bv.data(), bv.size() * 4);
      }
      if (sweep == 0) ++pairs;
    }
  }
  return pairs;
}

}  // namespace

Expected<Graph> load_float_model(const std::string& path, const ImportOptions& import) {
  auto g = import_onnx(path, import);
  if (!g) return g.error();
  for (const Node& n : g->nodes)
    if (n.op == OpKind::QuantizeLinear || n.op == OpKind::DequantizeLinear || n.op == OpKind::QLinearConv ||
        n.op == OpKind::QLinearMatMul || n.op == OpKind::ConvInteger || n.op == OpKind::MatMulInteger)
      return make_error("'{}' is already quantized ({}): `ferrite quantize` takes a float model", path, n.display_name());
  for (TensorId in : g->inputs)
    if (g->t(in).dtype != DType::F32)
      return make_error("input '{}' is {}: `ferrite quantize` feeds float32 inputs", g->t(in).name, dtype_name(g->t(in).dtype));
  PassContext ctx;
  for (auto pass : {pass_constant_fold, pass_remove_identity, pass_fold_batchnorm, pass_dead_node}) {
    auto r = pass(*g, ctx);
    if (!r) return r.error();
  }
  FERRITE_TRY(verify(*g));
  return g;
}

static Expected<QuantizedModel> quantize_graph(const Graph& fg, const Samples& calib, const QuantizeOptions& o,
                                               const std::set<std::string>& keep, const std::vector<RangeChoice>& methods,
                                               bool need_hist, size_t equalized_pairs, const QuantizeProgress& progress);

Expected<QuantizedModel> quantize_model(const Graph& fg, const Samples& calib, const QuantizeOptions& o,
                                        const QuantizeProgress& progress) {
  if (calib.empty()) return make_error("no calibration samples");
  std::set<std::string> keep(o.keep_float.begin(), o.keep_float.end());
  for (const std::string& k : keep) {
    bool found = false;
    for (const Node& n : fg.nodes) found = found || n.name == k;
    if (!found) {
      std::string names;
      size_t shown = 0;
      for (const Node& n : fg.nodes)
        if (!n.name.empty() && shown++ < 12) names += (names.empty() ? "" : ", ") + n.name;
      return make_error("--keep-float '{}': the model has no node of that name (nodes: {}{})", k, names,
                        shown > 12 ? ", ..." : "");
    }
  }
  std::vector<RangeChoice> methods;
  if (o.calibrate == "auto") {
    methods = {RangeChoice{RangeMethod::MinMax, 0}, RangeChoice{RangeMethod::Percentile, 99.99},
               RangeChoice{RangeMethod::Mse, 0}, RangeChoice{RangeMethod::Entropy, 0}};
  } else {
    auto c = parse_range_choice(o.calibrate);
    if (!c) return c.error();
    methods = {*c};
  }
  bool need_hist = false;
  for (const auto& m : methods) need_hist = need_hist || m.method != RangeMethod::MinMax;

  if (o.bias_correction != "auto" && o.bias_correction != "on" && o.bias_correction != "off")
    return make_error("--bias-correction '{}': expected auto, on or off", o.bias_correction);

  // Cross-layer equalization rescales the float weights before anything is measured.
  Graph equalized;
  size_t equalized_pairs = 0;
  if (o.equalize) {
    equalized = fg;
    equalized_pairs = equalize(equalized);
  }
  const Graph& g = o.equalize ? equalized : fg;
  return quantize_graph(g, calib, o, keep, methods, need_hist, equalized_pairs, progress);
}

static Expected<QuantizedModel> quantize_graph(const Graph& fg, const Samples& calib, const QuantizeOptions& o,
                                               const std::set<std::string>& keep, const std::vector<RangeChoice>& methods,
                                               bool need_hist, size_t equalized_pairs, const QuantizeProgress& progress) {
  std::vector<bool> corrections;
  if (o.bias_correction == "auto") corrections = {false, true};
  else corrections = {o.bias_correction == "on"};
  const Plan plan = make_plan(fg, keep);
  std::set<TensorId> mean_of;  // inputs of quantized Conv / Gemm (bias correction)
  for (size_t i = 0; i < fg.nodes.size(); ++i)
    if (plan.quantized[i] && (fg.nodes[i].op == OpKind::Conv || fg.nodes[i].op == OpKind::Gemm)) mean_of.insert(fg.nodes[i].inputs[0]);
  auto fi = HostInterpreter::create(fg);
  if (!fi) return fi.error();
  auto st = collect_stats(*fi, calib, need_hist, mean_of, progress);
  if (!st) return st.error();

  QuantizedModel best;
  double best_sqnr = -1e300;
  const size_t nscore = std::min(calib.size(), std::max<size_t>(o.auto_samples, 1));
  const bool several = methods.size() * corrections.size() > 1;
  for (const RangeChoice& c : methods)
  for (const bool corr : corrections) {
    const std::string cname = range_choice_name(c) + (corr ? " + bias correction" : "");
    const auto aq = choose_qparams(fg, plan, st->ranges, c, o.uint8_activations);
    auto bytes = write_qdq(fg, plan, aq, o, st->means, corr);
    if (!bytes) return bytes.error();
    auto qi = int8_interpreter(*bytes);
    if (!qi) return qi.error();
    Scorer sc{fg, {}, {}, {}};
    sc.bind(qi->graph());
    for (size_t k = 0; k < nscore; ++k) {
      if (progress) progress("scoring " + cname, k, nscore);
      FERRITE_TRY(fi->run(input_bytes(calib[k])));
      FERRITE_TRY(qi->run(input_bytes(calib[k])));
      sc.add(*fi, *qi);
    }
    const double s = sqnr_db(sc.out_sig, sc.out_noise);
    if (several) best.report.candidates.emplace_back(cname, s);
    if (s > best_sqnr) {
      best_sqnr = s;
      best.onnx_bytes = std::move(*bytes);
      best.report.method = cname;
      best.report.output_sqnr_db = s;
      best.report.layers = sc.layers();
    }
  }
  best.report.calibration_samples = calib.size();
  best.report.equalized_pairs = equalized_pairs;
  for (size_t i = 0; i < fg.nodes.size(); ++i) {
    if (plan.quantized[i] || plan.absorbed[i]) {
      ++best.report.quantized_nodes;
    } else {
      ++best.report.float_nodes;
      best.report.float_ops.push_back(fg.nodes[i].display_name());
    }
  }
  return best;
}

Expected<Evaluation> evaluate_quantized(const Graph& fg, const std::string& qdq_bytes, const Samples& data,
                                        const std::vector<int64_t>* labels, const QuantizeProgress& progress) {
  if (labels && labels->size() < data.size())
    return make_error("{} labels for {} samples", labels->size(), data.size());
  auto fi = HostInterpreter::create(fg);
  if (!fi) return fi.error();
  auto qi = int8_interpreter(qdq_bytes);
  if (!qi) return qi.error();
  Evaluation e;
  e.samples = data.size();
  e.classification = labels != nullptr;
  Scorer sc{fg, {}, {}, {}};
  sc.bind(qi->graph());
  size_t f_ok = 0, q_ok = 0;
  double se = 0.0, sig = 0.0;
  size_t count = 0;
  for (size_t k = 0; k < data.size(); ++k) {
    if (progress) progress("evaluation", k, data.size());
    FERRITE_TRY(fi->run(input_bytes(data[k])));
    FERRITE_TRY(qi->run(input_bytes(data[k])));
    sc.add(*fi, *qi);
    const auto a = fi->as_f32(fg.outputs[0]);
    const auto b = qi->as_f32(qi->graph().outputs[0]);
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      se += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
      sig += static_cast<double>(a[i]) * a[i];
      ++count;
    }
    if (labels) {
      const auto fa = std::max_element(a.begin(), a.end()) - a.begin();
      const auto qa = std::max_element(b.begin(), b.end()) - b.begin();
      f_ok += fa == (*labels)[k];
      q_ok += qa == (*labels)[k];
      e.differing_predictions += fa != qa;
    }
  }
  e.float_top1 = data.empty() ? 0.0 : static_cast<double>(f_ok) / static_cast<double>(data.size());
  e.int8_top1 = data.empty() ? 0.0 : static_cast<double>(q_ok) / static_cast<double>(data.size());
  e.output_mse = count ? se / static_cast<double>(count) : 0.0;
  e.output_sqnr_db = sqnr_db(sig, se);
  e.layers = sc.layers();
  return e;
}

}  // namespace ferrite
