// Patch-based inference: stage cut points, per-patch regions (backward receptive-field propagation,
// halos recomputed), and per-patch lowering that reuses the ordinary kernels: each stage node is
// lowered again on a copy of the graph whose stage tensors have the patch's region shapes, with
// convolution pads expressed relative to the input region (negative = start inside a larger buffer,
// which the kernels' bounds checks handle), and additions reading larger buffers through strided
// views. The first layer reads its window of the input image directly (an int8 model's
// QuantizeLinear through a windowed quantize; a float model's first layer from a window copy made at
// the start of each patch); each patch ends by copying its part of T into T.
#include "passes/memory_patches.h"

#include <algorithm>
#include <cstring>

#include "ir/op_traits.h"
#include "ops/plan_lowering.h"
#include "ops/pads.h"

namespace ferrite {

namespace {

enum class Kind { Unsupported, Conv, Pool, Add, Unary, Quantize };

bool spatial(const Tensor& t) { return t.shape.size() == 4 && t.shape[0] == 1; }

// The op's patch role (the op traits), refined by what the patch lowering can do with this node.
Kind kind_of(const Graph& g, const Node& n) {
  // TFLite's 16x8 (int16) layers are not run patch by patch (their kernels take no window views).
  if (!n.inputs.empty() && n.inputs[0] != kNoTensor && g.t(n.inputs[0]).dtype == DType::I16) return Kind::Unsupported;
  // A windowed layer runs patch by patch only on 4-D maps of batch 1 (a 1-D or 3-D conv or pool has
  // no 2-D window: its rows and columns are not there to read).
  const auto windowed = [&] {
    return !n.inputs.empty() && n.inputs[0] != kNoTensor && n.outputs.size() == 1 && spatial(g.t(n.inputs[0])) &&
           spatial(g.t(n.outputs[0]));
  };
  switch (op_traits(n.op).patch) {
    case PatchRole::Conv: return windowed() ? Kind::Conv : Kind::Unsupported;
    case PatchRole::Pool: return windowed() ? Kind::Pool : Kind::Unsupported;
    case PatchRole::Add:
      // TFLite's broadcasting ADD/SUB (a constant or broadcast operand) has no patch window. The
      // frontend marks it ("tfl_broadcast"): once the stage's tensors have their patch regions, a
      // residual ADD's operands (with halos) no longer have the output's shape either.
      if (g.numerics == Numerics::TFLite && n.op == OpKind::QLinearAdd) {
        if (n.attrs.i("tfl_broadcast", 0) != 0) return Kind::Unsupported;
        for (size_t s : data_input_slots(n))
          if (g.t(n.inputs[s]).is_constant() || g.t(n.inputs[s]).shape.size() != g.t(n.outputs[0]).shape.size())
            return Kind::Unsupported;
      }
      return Kind::Add;
    case PatchRole::Quantize:  // (the windowed quantize rounds as ONNX Runtime: not for TFLite numerics)
      return g.t(n.inputs[1]).numel() == 1 && g.numerics != Numerics::TFLite && !quantize_params_at_run_time(g, n)
                 ? Kind::Quantize
                 : Kind::Unsupported;
    case PatchRole::Unary: return Kind::Unary;
    case PatchRole::None: return Kind::Unsupported;
  }
  return Kind::Unsupported;
}

using Window = PatchWindow;

// Kernel geometry of a conv/pool node along rows (axis 0) or cols (axis 1).
Window window_of(const Graph& g, const Node& n, int axis) {
  const Tensor& x = g.t(n.inputs[0]);
  const Tensor& y = g.t(n.outputs[0]);
  std::vector<int64_t> k;
  if (n.op == OpKind::MaxPool) k = n.attrs.ints("kernel_shape");
  else k = {g.t(n.inputs[n.op == OpKind::Conv ? 1 : 3]).shape[2], g.t(n.inputs[n.op == OpKind::Conv ? 1 : 3]).shape[3]};
  const auto s = n.attrs.ints("strides", {1, 1}), d = n.attrs.ints("dilations", {1, 1});
  const auto pads = n.attrs.ints("pads", {0, 0, 0, 0});
  const auto a = static_cast<size_t>(axis);
  const int64_t pad = ops::resolve_pad_begin(n.attrs.s("auto_pad", "NOTSET"), x.shape[2 + a], y.shape[2 + a], k[a], s[a],
                                             d[a], pads[a]);
  return {k[a], s[a], d[a], pad};
}

Rect unite(const Rect& a, const Rect& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.r0, b.r0), std::max(a.r1, b.r1), std::min(a.c0, b.c0), std::max(a.c1, b.c1)};
}

}  // namespace

std::vector<size_t> patch_cut_points(const Graph& g) {
  std::vector<size_t> cuts;
  std::vector<int> last_use(g.tensors.size(), -1);
  for (size_t s = 0; s < g.nodes.size(); ++s)
    for (TensorId in : g.nodes[s].inputs)
      if (in != kNoTensor) last_use[static_cast<size_t>(in)] = static_cast<int>(s);
  for (size_t k = 1; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k - 1];
    if (kind_of(g, n) == Kind::Unsupported || n.outputs.size() != 1 || !spatial(g.t(n.outputs[0]))) break;
    bool ok = true;
    for (size_t j = 0; j < k && ok; ++j) {
      const Node& m = g.nodes[j];
      for (TensorId in : m.inputs)  // stage inputs: constants, the graph input, or stage tensors
        if (in != kNoTensor && !g.t(in).is_constant() && !g.is_graph_input(in) && !g.producer(in)) ok = false;
      for (size_t s : data_input_slots(m))
        if (!spatial(g.t(m.inputs[s]))) ok = false;
      if (j + 1 < k && (g.is_graph_output(m.outputs[0]) || last_use[static_cast<size_t>(m.outputs[0])] >= static_cast<int>(k)))
        ok = false;  // only T may be read after the stage
    }
    for (TensorId i : g.inputs)  // the graph input must not be read after the stage either
      if (last_use[static_cast<size_t>(i)] >= static_cast<int>(k)) ok = false;
    if (g.is_graph_output(n.outputs[0])) ok = false;
    if (ok) cuts.push_back(k);
  }
  return cuts;
}

PatchNodeFacts patch_node_facts(const Graph& g) {
  PatchNodeFacts f;
  f.kind.resize(g.nodes.size());
  f.window.resize(g.nodes.size());
  f.group.assign(g.nodes.size(), 1);
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Kind kind = kind_of(g, g.nodes[k]);
    f.kind[k] = static_cast<uint8_t>(kind);
    if (kind == Kind::Conv || kind == Kind::Pool) f.window[k] = {window_of(g, g.nodes[k], 0), window_of(g, g.nodes[k], 1)};
    if (kind == Kind::Conv) f.group[k] = g.nodes[k].attrs.i("group", 1);
  }
  return f;
}

Expected<PatchGeometry> patch_geometry(const Graph& g, const PatchSpec& spec, const PatchNodeFacts* facts) {
  if (spec.stage == 0 || spec.stage >= g.nodes.size()) return make_error("patch stage of {} nodes is out of range", spec.stage);
  const TensorId t = g.nodes[spec.stage - 1].outputs[0];
  const Shape& ts = g.t(t).shape;
  if (spec.grid_rows < 1 || spec.grid_cols < 1 || spec.grid_rows > ts[2] || spec.grid_cols > ts[3])
    return make_error("patch grid {}x{} does not fit '{}' ({}x{})", spec.grid_rows, spec.grid_cols, g.t(t).name, ts[2], ts[3]);
  // Node facts: from the shared table when given, else computed here.
  auto kind_at = [&](size_t k) { return facts ? static_cast<Kind>(facts->kind[k]) : kind_of(g, g.nodes[k]); };
  auto window_at = [&](size_t k, int axis) {
    return facts ? facts->window[k][static_cast<size_t>(axis)] : window_of(g, g.nodes[k], axis);
  };
  auto group_at = [&](size_t k) { return facts ? facts->group[k] : g.nodes[k].attrs.i("group", 1); };
  PatchGeometry geo;
  for (int pr = 0; pr < spec.grid_rows; ++pr)
    for (int pc = 0; pc < spec.grid_cols; ++pc) {
      std::map<TensorId, Rect> need;
      need[t] = {ts[2] * pr / spec.grid_rows, ts[2] * (pr + 1) / spec.grid_rows, ts[3] * pc / spec.grid_cols,
                 ts[3] * (pc + 1) / spec.grid_cols};
      for (size_t k = spec.stage; k-- > 0;) {
        const Node& n = g.nodes[k];
        auto it = need.find(n.outputs[0]);
        if (it == need.end()) continue;  // not needed by this patch (cannot happen for a chain)
        const Rect out = it->second;
        const Kind kind = kind_at(k);
        for (size_t s : data_input_slots(n)) {
          const TensorId x = n.inputs[s];
          const Shape& xs = g.t(x).shape;
          Rect r = out;
          if (kind == Kind::Conv || kind == Kind::Pool) {
            const Window wr = window_at(k, 0), wc = window_at(k, 1);
            r = {std::max<int64_t>(0, out.r0 * wr.s - wr.pad),
                 std::min<int64_t>(xs[2], (out.r1 - 1) * wr.s - wr.pad + (wr.k - 1) * wr.d + 1),
                 std::max<int64_t>(0, out.c0 * wc.s - wc.pad),
                 std::min<int64_t>(xs[3], (out.c1 - 1) * wc.s - wc.pad + (wc.k - 1) * wc.d + 1)};
          }
          need[x] = unite(need[x], r);
        }
      }
      // Elementwise unary outputs (and the quantized input) cover their input's whole region.
      for (size_t k = 0; k < spec.stage; ++k) {
        const Node& n = g.nodes[k];
        const Kind kind = kind_at(k);
        if (kind == Kind::Unary || kind == Kind::Quantize) need[n.outputs[0]] = need[n.inputs[0]];
      }
      for (size_t k = 0; k < spec.stage; ++k) {
        const Node& n = g.nodes[k];
        if (kind_at(k) != Kind::Conv) continue;
        const Rect& o = need[n.outputs[0]];
        const Shape& ys = g.t(n.outputs[0]).shape;
        geo.patched_macs += static_cast<uint64_t>(ys[1] * o.rows() * o.cols()) *
                            static_cast<uint64_t>(g.t(n.inputs[0]).shape[1] / group_at(k)) *
                            static_cast<uint64_t>(window_at(k, 0).k * window_at(k, 1).k);
      }
      for (const auto& [id, r] : need) {
        auto& m = geo.max_dims[id];
        m.first = std::max(m.first, r.rows());
        m.second = std::max(m.second, r.cols());
      }
      geo.regions.push_back(std::move(need));
    }
  for (size_t k = 0; k < spec.stage; ++k) {
    const Node& n = g.nodes[k];
    if (kind_at(k) != Kind::Conv) continue;
    const Shape& ys = g.t(n.outputs[0]).shape;
    geo.plain_macs += static_cast<uint64_t>(ys[1] * ys[2] * ys[3]) *
                      static_cast<uint64_t>(g.t(n.inputs[0]).shape[1] / group_at(k)) *
                      static_cast<uint64_t>(window_at(k, 0).k * window_at(k, 1).k);
  }
  return geo;
}

Expected<PatchExec> lower_patches(const Graph& g, const PatchSpec& spec, const PatchGeometry& geo,
                                  const std::vector<bool>& inplace, TensorId split, TensorId split_patch,
                                  const Target& target, const std::vector<Lowered>& planned) {
  PatchExec ex;
  ex.spec = spec;
  ex.plain_macs = geo.plain_macs;
  ex.patched_macs = geo.patched_macs;
  ex.split = split;
  ex.split_patch = split_patch;
  const Tensor& T = g.t(ex.split);
  // Constants lowering computes (relaid-out weights, scales, tables) are the same for every patch:
  // keep the first patch's, so the weights file holds them once.
  std::map<std::tuple<size_t, int, size_t, size_t>, std::vector<Operand>> shared;
  // One copy of the graph for all patches (with the weights: lowering reads them), not one per patch.
  Graph pg = g;
  for (size_t p = 0; p < geo.regions.size(); ++p) {
    std::map<TensorId, Rect> reg = geo.regions[p];
    reg[ex.split_patch] = reg[ex.split];
    for (const auto& [win, src] : g.patch_windows) reg[win] = reg.at(src);
    // The stage's tensors get this patch's region shapes (put back at the end of the patch).
    std::vector<std::pair<TensorId, Shape>> full_shapes;
    for (const auto& [id, r] : reg) {
      Tensor& t = pg.t(id);
      if (t.is_constant() || pg.is_graph_input(id) || id == ex.split) continue;
      full_shapes.emplace_back(id, t.shape);
      t.shape = {1, t.shape[1], r.rows(), r.cols()};
    }
    std::vector<std::pair<size_t, KernelCall>> calls;
    for (const auto& [win, src] : g.patch_windows)  // the input image's window for this patch
      calls.emplace_back(0, lower_window_copy(g.t(src), reg.at(src), src, win, false, "window_copy_from_input"));
    for (size_t k = 0; k < spec.stage; ++k) {
      Node n = pg.nodes[k];
      const Kind kind = kind_of(pg, n);
      const Rect out = reg.at(n.outputs[0]);
      bool reads_input = false;
      for (size_t s : data_input_slots(n)) reads_input = reads_input || pg.is_graph_input(n.inputs[s]);
      if (reads_input && kind != Kind::Quantize)
        return make_error("{}: internal error: the input image has no patch window", n.display_name());
      if (kind == Kind::Conv || kind == Kind::Pool) {
        const Rect in = reg.at(n.inputs[0]);
        const Window wr = window_of(g, g.nodes[k], 0), wc = window_of(g, g.nodes[k], 1);
        n.attrs.values["auto_pad"] = std::string("NOTSET");
        n.attrs.values["pads"] = std::vector<int64_t>{in.r0 - (out.r0 * wr.s - wr.pad), in.c0 - (out.c0 * wc.s - wc.pad), 0, 0};
      }
      std::vector<size_t> add_slots;
      if (kind == Kind::Add) {  // lower with same-shape inputs, then give each input its real view
        for (size_t s : data_input_slots(n)) pg.t(n.inputs[s]).shape = pg.t(n.outputs[0]).shape;
        add_slots = data_input_slots(n);
      }
      // Adds get strided views below (their parameters change after lowering): portable kernel.
      auto l = lower_node(pg, n, kind == Kind::Add ? host_target() : target);
      if (kind == Kind::Add)
        for (size_t s : add_slots) {
          const Rect in = reg.at(n.inputs[s]);
          pg.t(n.inputs[s]).shape = {1, pg.t(n.inputs[s]).shape[1], in.rows(), in.cols()};
        }
      if (!l) return make_error("patch {}: {}", p, l.error().message);
      // A layer the whole-graph plan runs as a copy into its own buffer can lower to an alias for a
      // patch (a Relayout of a 1x1 patch is the same bytes in either layout): copy the bytes then,
      // since the plan gave input and output different storage.
      if (l->alias && l->calls.empty() && k < planned.size() && !planned[k].alias && !planned[k].calls.empty()) {
        l->calls.push_back(lower_dense_copy(pg.t(n.outputs[0]), n.inputs[0], n.outputs[0], "patch_alias_copy"));
        l->alias = false;
      }
      if (ex.node_macs.size() < spec.stage) ex.node_macs.assign(spec.stage, 0);
      ex.node_macs[k] += l->macs;
      if (ex.patch_macs.size() <= p) ex.patch_macs.resize(p + 1, 0);
      ex.patch_macs[p] += l->macs;
      const bool ip = k < inplace.size() && inplace[k] && !l->inplace_calls.empty();
      if (k < inplace.size() && inplace[k] && l->inplace_calls.empty() && !l->calls.empty() &&
          k < planned.size() && !planned[k].inplace_calls.empty())
        return make_error("{}: internal error: patch {} has no in-place kernel for a layer planned in place",
                          n.display_name(), p);
      if (k < planned.size() &&
          (ip ? l->inplace_scratch_bytes : l->scratch_bytes) > (ip ? planned[k].inplace_scratch_bytes : planned[k].scratch_bytes))
        return make_error("{}: internal error: patch {} needs {} B of kernel scratch, {} B were planned", n.display_name(), p,
                          ip ? l->inplace_scratch_bytes : l->scratch_bytes,
                          ip ? planned[k].inplace_scratch_bytes : planned[k].scratch_bytes);
      std::vector<KernelCall>& chosen = ip ? l->inplace_calls : l->calls;
      for (size_t ci = 0; ci < chosen.size(); ++ci) {
        KernelCall c = chosen[ci];
        for (size_t ai = 0; ai < c.args.size(); ++ai)
          if (c.args[ai].kind == Operand::Kind::Data) {
            // Reuse an earlier patch's constant when it holds the same bytes (a target variant's
            // packing can depend on the patch's shape).
            auto& seen = shared[std::make_tuple(k, ip ? 1 : 0, ci, ai)];
            const Tensor& d = *c.args[ai].data;
            auto same = std::find_if(seen.begin(), seen.end(), [&](const Operand& o) {
              return o.data->dtype == d.dtype && o.data->shape == d.shape && *o.data->data == *d.data;
            });
            if (same == seen.end()) seen.push_back(c.args[ai]);
            else c.args[ai] = *same;
          }
        if (kind == Kind::Add) {  // each input read through its view (ops/plan_lowering.h)
          const Tensor& yt = g.t(n.outputs[0]);
          bool same[2];
          for (size_t which = 0; which < 2; ++which) {
            const Rect xr = reg.at(n.inputs[add_slots[which]]);
            same[which] = xr.rows() == out.rows() && xr.cols() == out.cols() && xr.r0 == out.r0 && xr.c0 == out.c0;
            if (!same[which]) view_add_input(c, which, yt, xr, out);
          }
          view_add_output(c, yt, out, same);
        }
        if (kind == Kind::Quantize) {  // read the window of the full input image
          auto w = lower_quantize_window(c, g.t(n.inputs[0]), g.t(n.outputs[0]), out);
          if (!w) return make_error("{}: {}", n.display_name(), w.error().message);
          c = std::move(*w);
        }
        calls.emplace_back(k, std::move(c));
      }
    }
    for (auto& [id, shape] : full_shapes) pg.t(id).shape = std::move(shape);
    // T' -> its window of T.
    calls.emplace_back(spec.stage - 1,
                       lower_window_copy(T, reg.at(ex.split_patch), ex.split, ex.split_patch, true, "window_copy_to_split"));
    ex.patches.push_back(std::move(calls));
  }
  return ex;
}

}  // namespace ferrite
