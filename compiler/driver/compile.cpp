// Compile driver: runs the stages in order and produces the generated files.
#include "driver/compile.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <map>
#include <set>

#include "backends/portable/emit.h"
#include "driver/report.h"
#include "driver/report_html.h"
#include "support/sanitize.h"

namespace fs = std::filesystem;

namespace ferrite {

const char* const kVersion = FERRITE_VERSION;

const std::vector<std::string>& known_targets() {
  static const std::vector<std::string> t = {"host",      "cortex-m0plus", "cortex-m3",  "cortex-m4",
                                             "cortex-m7", "cortex-m33",    "cortex-m55"};
  return t;
}

Expected<uint64_t> parse_bytes(const std::string& s) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == 0 || i > 15) return make_error("bad byte size '{}': expected e.g. 65536, 64KiB, 1MiB", s);
  uint64_t v = std::stoull(s.substr(0, i));
  const std::string unit = s.substr(i);
  if (unit.empty() || unit == "B") return v;
  if (unit == "KiB" || unit == "K" || unit == "k") return v * 1024;
  if (unit == "MiB" || unit == "M") return v * 1024 * 1024;
  if (unit == "KB" || unit == "kB") return v * 1000;
  if (unit == "MB") return v * 1000 * 1000;
  return make_error("bad byte size '{}': unknown unit '{}' (use B, KiB, MiB, KB, MB)", s, unit);
}

// Scale and zero point of each quantized graph input/output, read off the quantized operator that
// consumes (inputs) or produces (outputs) it, before the passes rewrite anything.
static void record_io_quant(Graph& g) {
  struct Slot { OpKind op; int data; int scale; int zp; };  // data -1 = output 0
  static const Slot slots[] = {
      {OpKind::DequantizeLinear, 0, 1, 2}, {OpKind::QLinearConv, 0, 1, 2}, {OpKind::QLinearMatMul, 0, 1, 2},
      {OpKind::QLinearMatMul, 3, 4, 5},    {OpKind::QLinearAdd, 0, 1, 2},  {OpKind::QLinearAdd, 3, 4, 5},
      {OpKind::QLinearMul, 0, 1, 2},       {OpKind::QLinearMul, 3, 4, 5},  {OpKind::QGemm, 0, 1, 2},
      {OpKind::QLinearSigmoid, 0, 1, 2},   {OpKind::QLinearLeakyRelu, 0, 1, 2},
      {OpKind::QLinearGlobalAveragePool, 0, 1, 2}, {OpKind::QLinearAveragePool, 0, 1, 2},
      {OpKind::QuantizeLinear, -1, 1, 2},  {OpKind::QLinearConv, -1, 6, 7}, {OpKind::QLinearMatMul, -1, 6, 7},
      {OpKind::QLinearAdd, -1, 6, 7},      {OpKind::QLinearMul, -1, 6, 7},  {OpKind::QGemm, -1, 7, 8},
      {OpKind::QLinearSigmoid, -1, 3, 4},  {OpKind::QLinearLeakyRelu, -1, 3, 4},
      {OpKind::QLinearGlobalAveragePool, -1, 3, 4}, {OpKind::QLinearAveragePool, -1, 3, 4},
      {OpKind::QLinearConcat, -1, 0, 1}};
  auto quantized = [&](TensorId t) { return g.t(t).dtype == DType::I8 || g.t(t).dtype == DType::U8; };
  std::vector<TensorId> io = g.inputs;
  io.insert(io.end(), g.outputs.begin(), g.outputs.end());
  for (TensorId t : io) {
    if (!quantized(t) || g.io_quant.count(t)) continue;
    for (const Node& n : g.nodes)
      for (const Slot& s : slots) {
        if (n.op != s.op || g.io_quant.count(t)) continue;
        const TensorId d = s.data < 0 ? n.outputs[0] : (static_cast<size_t>(s.data) < n.inputs.size() ? n.inputs[static_cast<size_t>(s.data)] : kNoTensor);
        if (d != t || static_cast<size_t>(s.scale) >= n.inputs.size() || n.inputs[static_cast<size_t>(s.scale)] == kNoTensor) continue;
        const Tensor& sc = g.t(n.inputs[static_cast<size_t>(s.scale)]);
        if (!sc.is_constant() || sc.numel() != 1) continue;
        IoQuant q;
        q.scale = sc.as_f32()[0];
        const size_t zs = static_cast<size_t>(s.zp);
        if (zs < n.inputs.size() && n.inputs[zs] != kNoTensor && g.t(n.inputs[zs]).is_constant())
          q.zero_point = static_cast<int32_t>(g.t(n.inputs[zs]).as_i64().at(0));
        g.io_quant[t] = q;
      }
  }
}

Expected<CompiledModel> compile_model(const CompileOptions& o) {
  if (std::find(known_targets().begin(), known_targets().end(), o.target) == known_targets().end())
    return make_error("unknown target '{}'", o.target);
  auto graph = import_onnx(o.model_path, o.import);
  if (!graph) return graph.error();
  CompiledModel m;
  m.model_file = fs::path(o.model_path).filename().string();
  m.name = sanitize_identifier(o.name.empty() ? fs::path(o.model_path).stem().string() : o.name, 40);
  m.target = o.target;
  m.graph = std::move(*graph);
  record_io_quant(m.graph);
  FERRITE_TRY(run_pipeline(m.graph, o.passes));

  // Lowering: every node must map to kernels; collect every failure so the user sees them all.
  std::string errors;
  int nerr = 0;
  for (size_t ni = 0; ni < m.graph.nodes.size(); ++ni) {
    const Node n = m.graph.nodes[ni];  // a copy: add_tensor below may not touch nodes, but stay safe
    auto l = lower_node(m.graph, n);
    if (!l) {
      errors += "\n  " + l.error().message;
      ++nerr;
      continue;
    }
    m.macs += l->macs;
    // Constants computed by lowering become graph constants named after their node (once each, even
    // when both the normal and the in-place variant refer to them).
    std::map<const Tensor*, TensorId> made;
    auto convert = [&](std::vector<KernelCall>& calls) {
      for (size_t ci = 0; ci < calls.size(); ++ci)
        for (size_t ai = 0; ai < calls[ci].args.size(); ++ai) {
          Operand& op = calls[ci].args[ai];
          if (op.kind != Operand::Kind::Data) continue;
          auto it = made.find(op.data.get());
          if (it == made.end()) {
            Tensor t = *op.data;
            if (t.name.empty()) t.name = fmt::format("{}_k{}_{}", n.name.empty() ? "node" : n.name, ci, ai);
            it = made.emplace(op.data.get(), m.graph.add_tensor(std::move(t))).first;
          }
          op = Operand::tensor(it->second);
        }
    };
    convert(l->calls);
    convert(l->inplace_calls);
    m.lowered.push_back(std::move(*l));
  }
  if (nerr) return make_error("{} node{} cannot be compiled:{}", nerr, nerr == 1 ? "" : "s", errors);

  auto plan = plan_memory(m.graph, m.lowered, o.plan);
  if (!plan) return plan.error();
  m.plan = std::move(*plan);
  for (size_t s = 0; s < m.lowered.size(); ++s)
    if (m.plan.inplace_variant[s]) {
      m.lowered[s].calls = m.lowered[s].inplace_calls;
      m.lowered[s].scratch_bytes = m.lowered[s].inplace_scratch_bytes;
    }

  // The constants the generated code reads.
  std::set<TensorId> w;
  for (size_t s = 0; s < m.graph.nodes.size(); ++s) {
    const Lowered& l = m.lowered[s];
    if (l.alias && m.graph.t(m.graph.nodes[s].inputs[0]).is_constant()) w.insert(m.graph.nodes[s].inputs[0]);
    for (const auto& c : l.calls)
      for (const auto& op : c.args)
        if (op.kind == Operand::Kind::Tensor && m.graph.t(op.id).is_constant() &&
            m.plan.tensor_buffer[static_cast<size_t>(op.id)] < 0)
          w.insert(op.id);
  }
  for (TensorId out : m.graph.outputs)
    if (m.graph.t(out).is_constant() && !m.graph.producer(out)) w.insert(out);
  m.weights.assign(w.begin(), w.end());
  for (TensorId id : m.weights) m.weights_bytes += m.graph.t(id).bytes();

  if (o.sram_budget && m.plan.arena_bytes > o.sram_budget) {
    size_t peak = 0;
    for (size_t s = 0; s < m.plan.live.size(); ++s)
      if (m.plan.live[s] > m.plan.live[peak]) peak = s;
    std::string at = m.graph.nodes.empty() ? std::string("(no layers)") : m.graph.nodes[peak].display_name();
    Error e = make_error("SRAM budget exceeded: the arena needs {} bytes, the budget is {} bytes ({} bytes over); "
                      "the peak is at layer {} {} with {} live bytes",
                      m.plan.arena_bytes, o.sram_budget, m.plan.arena_bytes - o.sram_budget, peak, at,
                      m.plan.live.empty() ? 0 : m.plan.live[peak]);
    e.kind = Error::Kind::CheckFailed;
    return e;
  }
  return m;
}

Expected<std::vector<GeneratedFile>> generate_files(const CompiledModel& m) {
  auto src = emit_portable(m);
  if (!src) return src.error();
  std::vector<GeneratedFile> files;
  files.push_back({m.name + ".h", src->header});
  files.push_back({m.name + ".cpp", src->source});
  files.push_back({m.name + "_weights.cpp", src->weights});
  files.push_back({m.name + "_report.json",
                   report_json(m).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"});
  files.push_back({m.name + "_report.txt", report_text(m)});
  files.push_back({m.name + "_memory.html", report_html(report_json(m))});
  return files;
}

Status write_files_atomically(const std::string& dir, const std::vector<GeneratedFile>& files) {
  std::error_code ec;
  fs::path out(dir);
  fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (out.filename().empty()) { out = out.parent_path(); parent = out.has_parent_path() ? out.parent_path() : fs::path("."); }
  fs::create_directories(parent, ec);
  if (ec) return make_error("cannot create '{}': {}", parent.string(), ec.message());
  std::random_device rd;
  fs::path tmp = parent / fmt::format(".ferrite-tmp-{:08x}", rd());
  fs::create_directory(tmp, ec);
  if (ec) return make_error("cannot create a temporary directory in '{}': {}", parent.string(), ec.message());
  auto fail = [&](const std::string& msg) -> Status {
    fs::remove_all(tmp, ec);
    return Error{msg};
  };
  for (const auto& f : files) {
    std::ofstream os(tmp / f.name, std::ios::binary);
    os.write(f.content.data(), static_cast<std::streamsize>(f.content.size()));
    if (!os) return fail(fmt::format("cannot write '{}'", (out / f.name).string()));
  }
  // Move each file into the output directory (created if needed); existing files are replaced.
  fs::create_directories(out, ec);
  if (ec) return fail(fmt::format("cannot create '{}': {}", out.string(), ec.message()));
  for (const auto& f : files) {
    fs::rename(tmp / f.name, out / f.name, ec);
    if (ec) return fail(fmt::format("cannot move '{}' into place: {}", f.name, ec.message()));
  }
  fs::remove_all(tmp, ec);
  return Status::ok();
}

}  // namespace ferrite
