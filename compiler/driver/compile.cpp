// Compile driver: runs the stages in order and produces the generated files.
#include "driver/compile.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "backends/portable/emit.h"
#include "passes/memory/memory_stage.h"
#include "passes/memory_plan.h"
#include "driver/progress.h"
#include "driver/report.h"
#include "driver/report_html.h"
#include "ir/op_traits.h"
#include "support/sanitize.h"
#include "frontend/tflite_import.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <signal.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace ferrite {

const char* const kVersion = FERRITE_VERSION;

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
  auto quantized = [&](TensorId t) { return g.t(t).dtype == DType::I8 || g.t(t).dtype == DType::U8; };
  std::vector<TensorId> io = g.inputs;
  io.insert(io.end(), g.outputs.begin(), g.outputs.end());
  for (TensorId t : io) {
    if (!quantized(t) || g.io_quant.count(t)) continue;
    for (const Node& n : g.nodes)
      for (const QSlot& s : int8_slots(n)) {  // the op traits' int8 slots
        // (QLinearConcat's inputs are not consulted, as before the traits table: only its output)
        if (s.scale < 0 || (n.op == OpKind::QLinearConcat && s.data >= 0) || g.io_quant.count(t)) continue;
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

// --weights-format/--weights-section/--weights-align: the section name goes into assembler and
// __attribute__((section)) text, so it is limited to the characters ELF section names use.
static Status check_weights_options(const WeightsOptions& w) {
  if (w.format != "incbin" && w.format != "text" && w.format != "array")
    return make_error("--weights-format '{}': expected incbin (default), text or array", w.format);
  bool ok = !w.section.empty() && w.section.size() <= 128;
  for (char ch : w.section) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '$');
  if (!ok || std::isdigit(static_cast<unsigned char>(w.section[0])))
    return make_error("--weights-section '{}': expected a section name of letters, digits, '.', '_' or '$' "
                      "(e.g. .rodata.weights)", w.section);
  if (w.align < 16 || w.align > 65536 || (w.align & (w.align - 1)))
    return make_error("--weights-align {}: expected a power of two from 16 to 65536", w.align);
  return {};
}

Expected<CompiledModel> compile_model(const CompileOptions& o) {
  auto target = find_target(o.target);
  if (!target) return target.error();
  FERRITE_TRY(check_weights_options(o.weights));
  auto stage = [&](const char* name) {
    if (o.progress) o.progress->begin(name);
  };
  stage("import (parse, check, shape inference)");
  // A TFLite flatbuffer (identifier "TFL3") goes through the TFLite frontend, whatever its extension;
  // its rank-4 inputs are NHWC, as the model states them (docs/tflite.md).
  const bool tflite = is_tflite_file(o.model_path);
  auto graph = tflite ? import_tflite(o.model_path) : import_onnx(o.model_path, o.import);
  if (!graph) return graph.error();
  PassContext passes = o.passes;
  if (tflite) passes.input_nhwc = true;
  CompiledModel m;
  m.model_file = fs::path(o.model_path).filename().string();
  m.name = sanitize_identifier(o.name.empty() ? fs::path(o.model_path).stem().string() : o.name, 40);
  m.target = *target;
  m.profile = o.profile;
  m.weights_options = o.weights;
  m.graph = std::move(*graph);
  record_io_quant(m.graph);
  stage("graph passes");
  FERRITE_TRY(run_pipeline(m.graph, passes));
  stage("lowering (kernel selection, weight packing)");

  // Lowering: every node must map to kernels; collect every failure so the user sees them all.
  std::string errors;
  int nerr = 0;
  for (size_t ni = 0; ni < m.graph.nodes.size(); ++ni) {
    const Node n = m.graph.nodes[ni];  // a copy: add_tensor below may not touch nodes, but stay safe
    auto l = lower_node(m.graph, n, m.target);
    if (!l) {
      errors += "\n  " + l.error().message;
      ++nerr;
      continue;
    }
    m.macs += l->macs;
    // Constants computed by lowering become graph constants named after their node (once each, even
    // when both the normal and the in-place variant refer to them).
    std::map<const Tensor*, TensorId> made;
    auto name_of = [&](size_t ci, size_t ai) { return fmt::format("{}_k{}_{}", n.name.empty() ? "node" : n.name, ci, ai); };
    adopt_data_operands(m.graph, l->calls, made, name_of);
    adopt_data_operands(m.graph, l->inplace_calls, made, name_of);
    adopt_data_operands(m.graph, l->reference_calls, made, name_of);
    m.lowered.push_back(std::move(*l));
  }
  if (nerr) return make_error("{} node{} cannot be compiled:{}", nerr, nerr == 1 ? "" : "s", errors);

  stage("memory plan (order, patches, placement)");
  const PlanStats plans_before = plan_stats();
  FERRITE_TRY(run_memory_stage(m, o.memory));
  if (o.progress) o.progress->end();
  if (o.progress && o.progress->timing)
    fmt::print(stderr, "ferrite: memory plans: {} full, {} incremental (a patch candidate replaying the layers after its cut)\n",
               plan_stats().full - plans_before.full, plan_stats().incremental - plans_before.incremental);

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
  if (m.patch)
    for (const auto& patch : m.patch->patches)
      for (const auto& [node, c] : patch)
        for (const auto& op : c.args)
          if (op.kind == Operand::Kind::Tensor && m.graph.t(op.id).is_constant()) w.insert(op.id);
  for (TensorId out : m.graph.outputs)
    if (m.graph.t(out).is_constant() && !m.graph.producer(out)) w.insert(out);
  m.weights.assign(w.begin(), w.end());
  for (TensorId id : m.weights) m.weights_bytes += m.graph.t(id).bytes();

  if (m.plan.arena_bytes > kMaxArenaBytes)
    return make_error("the arena needs {} bytes, more than the {} bytes Ferrite can address from 32-bit code",
                      m.plan.arena_bytes, kMaxArenaBytes);
  if (o.memory.sram_budget && m.plan.arena_bytes > o.memory.sram_budget) {
    size_t peak = 0;
    for (size_t s = 0; s < m.plan.live.size(); ++s)
      if (m.plan.live[s] > m.plan.live[peak]) peak = s;
    std::string at = m.graph.nodes.empty() ? std::string("(no layers)") : m.graph.nodes[peak].display_name();
    Error e = make_error("SRAM budget exceeded: the arena needs {} bytes, the budget is {} bytes ({} bytes over); "
                      "the peak is at layer {} {} with {} live bytes",
                      m.plan.arena_bytes, o.memory.sram_budget, m.plan.arena_bytes - o.memory.sram_budget, peak, at,
                      m.plan.live.empty() ? 0 : m.plan.live[peak]);
    e.kind = Error::Kind::CheckFailed;
    return e;
  }
  return m;
}

Expected<std::vector<GeneratedFile>> generate_files(const CompiledModel& m, std::vector<ProfileRow>* profile_rows) {
  auto src = emit_portable(m);
  if (!src) return src.error();
  if (profile_rows) *profile_rows = src->profile;
  std::vector<GeneratedFile> files;
  files.push_back({m.name + ".h", src->header});
  files.push_back({m.name + ".cpp", src->source});
  files.push_back({m.name + "_weights.cpp", src->weights});
  if (m.weights_options.format == "incbin") files.push_back({m.name + "_weights.bin", src->weights_blob});
  const nlohmann::json rj = report_json(m);  // (built once: it is most of the time on a 100,000-node model)
  files.push_back({m.name + "_report.json", rj.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"});
  files.push_back({m.name + "_report.txt", report_text(m)});
  files.push_back({m.name + "_memory.html", report_html(rj)});
  return files;
}

namespace {

// What a SIGINT/SIGTERM/SIGHUP during the write phase must remove: the temporary files and their
// folder. Fixed-size C strings, so that the handler only calls async-signal-safe functions.
struct WriteCleanup {
  static constexpr int kMaxFiles = 16;
  char files[kMaxFiles][4096];
  int count = 0;
  char dir[4096];
  volatile std::sig_atomic_t active = 0;
};
WriteCleanup g_cleanup;
constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temporaries_and_die(int sig) {
  if (g_cleanup.active) {
    for (int i = 0; i < g_cleanup.count; ++i) unlink(g_cleanup.files[i]);
    rmdir(g_cleanup.dir);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

bool copy_path(char* dst, const std::string& src) {
  if (src.size() >= 4096) return false;
  std::memcpy(dst, src.c_str(), src.size() + 1);
  return true;
}

}  // namespace

// Writes every file into a temporary folder beside the output folder, then swaps them in: each
// existing file is first moved aside into the temporary folder, so that a failure part way (a
// folder named like an output file, a full disk, a permission) puts every old file back and removes
// the new ones. A SIGINT/SIGTERM/SIGHUP while the files are written removes the temporary folder;
// during the swap those signals are held until it is complete (or rolled back).
Status write_files_atomically(const std::string& dir, const std::vector<GeneratedFile>& files) {
  std::error_code ec;
  fs::path out(dir);
  if (out.filename().empty()) out = out.parent_path();
  const fs::path parent = out.has_parent_path() ? out.parent_path() : fs::path(".");
  if (files.size() > static_cast<size_t>(WriteCleanup::kMaxFiles))
    return make_error("internal error: {} files to write, at most {}", files.size(), WriteCleanup::kMaxFiles);
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    return make_error("cannot write into '{}': it exists and is not a folder", out.string());
  fs::create_directories(parent, ec);
  if (ec) return make_error("cannot create '{}': {}", parent.string(), ec.message());
  // The signals are held from before the temporary folder exists until the handler knows it.
  sigset_t block, prev;
  sigemptyset(&block);
  for (int sig : kCleanupSignals) sigaddset(&block, sig);
  sigprocmask(SIG_BLOCK, &block, &prev);
  std::string tmpl = (parent / ".ferrite-tmp-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    const int err = errno;
    sigprocmask(SIG_SETMASK, &prev, nullptr);
    return make_error("cannot create a temporary directory in '{}': {}", parent.string(), std::strerror(err));
  }
  const fs::path tmp = tmpl;

  // Write phase: a signal removes the temporaries.
  g_cleanup.count = 0;
  bool paths_ok = copy_path(g_cleanup.dir, tmp.string());
  for (const auto& f : files) paths_ok = paths_ok && copy_path(g_cleanup.files[g_cleanup.count++], (tmp / f.name).string());
  struct sigaction sa {}, old[3];
  sa.sa_handler = remove_temporaries_and_die;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(kCleanupSignals[i], &sa, &old[i]);
  g_cleanup.active = paths_ok ? 1 : 0;
  sigprocmask(SIG_SETMASK, &prev, nullptr);
  auto restore_handlers = [&] {
    g_cleanup.active = 0;
    for (int i = 0; i < 3; ++i) sigaction(kCleanupSignals[i], &old[i], nullptr);
  };
  auto fail = [&](const std::string& msg) -> Status {
    fs::remove_all(tmp, ec);
    restore_handlers();
    return Error{msg};
  };
  for (const auto& f : files) {
    std::ofstream os(tmp / f.name, std::ios::binary);
    os.write(f.content.data(), static_cast<std::streamsize>(f.content.size()));
    os.close();
    if (!os) return fail(fmt::format("cannot write '{}' (disk full?)", (out / f.name).string()));
  }

  // Swap phase, with the signals held.
  sigprocmask(SIG_BLOCK, &block, &prev);
  const bool created_out = !fs::exists(out, ec);
  fs::create_directories(out, ec);
  std::string error;
  if (ec) error = fmt::format("cannot create '{}': {}", out.string(), ec.message());
  std::vector<std::pair<fs::path, bool>> moved;  // target, whether an old file was set aside
  for (size_t i = 0; error.empty() && i < files.size(); ++i) {
    const fs::path target = out / files[i].name, aside = tmp / (files[i].name + ".old");
    const auto st = fs::symlink_status(target, ec);
    if (fs::is_directory(st)) {  // never moved aside: only files Ferrite may replace are
      error = fmt::format("cannot write '{}': a folder has that name", target.string());
      break;
    }
    const bool had_old = fs::exists(st);
    if (had_old) {
      fs::rename(target, aside, ec);
      if (ec) {
        error = fmt::format("cannot move the old '{}' aside: {}", target.string(), ec.message());
        break;
      }
    }
    fs::rename(tmp / files[i].name, target, ec);
    if (ec) {
      error = fmt::format("cannot move '{}' into place: {}", target.string(), ec.message());
      if (had_old) fs::rename(aside, target, ec);
      break;
    }
    moved.emplace_back(target, had_old);
  }
  if (!error.empty()) {  // roll back: the old files return, the new ones go
    for (auto it = moved.rbegin(); it != moved.rend(); ++it) {
      const fs::path aside = tmp / (it->first.filename().string() + ".old");
      if (it->second) fs::rename(aside, it->first, ec);
      else fs::remove(it->first, ec);
    }
    if (created_out) fs::remove(out, ec);  // only when empty
  }
  fs::remove_all(tmp, ec);
  restore_handlers();
  sigprocmask(SIG_SETMASK, &prev, nullptr);
  if (!error.empty()) return Error{error + "; the output folder is unchanged"};
  return Status::ok();
}

}  // namespace ferrite
