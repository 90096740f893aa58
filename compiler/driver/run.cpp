// `ferrite run` implementation. The build directory (<output-dir>/build) keeps the generated code,
// the harness, the build log and the program, so a failure can be reproduced by hand.
#include "driver/run.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "backends/portable/profile.h"
#include "driver/npy.h"
#include "driver/process.h"
#include "driver/progress.h"
#include "driver/profile_report.h"
#include "driver/report.h"
#include "driver/report_html.h"
#include "support/embedded.h"
#include "support/sanitize.h"
#include "frontend/tflite_import.h"

namespace fs = std::filesystem;

namespace ferrite {

const std::vector<QemuBoard>& qemu_boards() {
  // instructions_per_tick: with -icount shift=0 one retired instruction = 1 ns of virtual time, and
  // SysTick runs from the board's processor clock (QEMU 7.2: 25 MHz on the MPS2 FPGA images AN385,
  // AN386 and AN500, 20 MHz on the AN505 (SSE-200), 32 MHz on the MPS3 AN547), so one tick is
  // 10^9 / f instructions. Checked by the cortex_m_calibration test with a loop of known length.
  static const std::vector<QemuBoard> b = {
      {"qemu-cortex-m3", "mps2-an385", "boards/mps2-an385.ld", {"-mcpu=cortex-m3", "-mthumb", "-mfloat-abi=soft"}, 40.0},
      {"qemu-cortex-m4", "mps2-an386", "boards/mps2-an386.ld",
       {"-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"}, 40.0},
      {"qemu-cortex-m7", "mps2-an500", "boards/mps2-an500.ld", {"-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16", "-mfloat-abi=hard"},
       40.0},
      {"qemu-cortex-m33", "mps2-an505", "boards/mps2-an505.ld",
       {"-mcpu=cortex-m33", "-mthumb", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard"}, 50.0},
      {"qemu-cortex-m55", "mps3-an547", "boards/mps3-an547.ld", {"-mcpu=cortex-m55", "-mthumb", "-mfloat-abi=hard"}, 31.25},
  };
  return b;
}

namespace {

size_t count_lines(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return static_cast<size_t>(std::count(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>(), '\n'));
}

int fail(const RunOptions& o, const std::string& msg) {
  (void)o;
  fmt::print(stderr, "ferrite run: error: {}\n", msg);
  return 2;
}

Status write_text(const fs::path& p, std::string_view s) {
  std::ofstream f(p, std::ios::binary);
  f.write(s.data(), static_cast<std::streamsize>(s.size()));
  if (!f) return make_error("cannot write '{}'", p.string());
  return Status::ok();
}

struct Compare {
  bool ok = true;
  size_t mismatches = 0;
  double max_abs = 0, max_rel = 0, range = 0;
};

Compare compare(const Tensor& out, const Tensor& ref, const RunOptions& o) {
  Compare c;
  auto a = out.as_f32(), b = ref.as_f32();
  float lo = INFINITY, hi = -INFINITY;
  for (float v : b) { lo = std::min(lo, v); hi = std::max(hi, v); }
  c.range = b.empty() ? 0.0 : static_cast<double>(hi) - static_cast<double>(lo);
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = a[i], y = b[i];
    const double err = std::fabs(x - y);
    if (std::isnan(x) != std::isnan(y)) { ++c.mismatches; continue; }
    if (std::isnan(x)) continue;
    if (std::isinf(x) || std::isinf(y)) { if (x != y) ++c.mismatches; continue; }
    c.max_abs = std::max(c.max_abs, err);
    if (y != 0) c.max_rel = std::max(c.max_rel, err / std::fabs(y));
    const bool pass = o.range_tol >= 0 ? err <= o.range_tol * c.range + 1e-30 : err <= o.atol + o.rtol * std::fabs(y);
    if (!pass) ++c.mismatches;
  }
  c.ok = c.mismatches == 0;
  return c;
}

// FNV-1a over the parts of a cache key, each part followed by a separator byte.
uint64_t fnv1a(uint64_t h, std::string_view part) {
  for (unsigned char c : part) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= 0xffu;
  return h * 1099511628211ull;
}

// The compiler's identity for the build cache: the file PATH resolves it to (symlinks followed), its
// size and modification time; an upgraded compiler gets new objects. Empty when it cannot be found.
std::string tool_identity(const std::string& name) {
  std::vector<fs::path> candidates;
  if (name.find('/') != std::string::npos) {
    candidates.push_back(name);
  } else if (const char* path = std::getenv("PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      const size_t colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) candidates.push_back(fs::path(std::string(dir)) / name);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  for (const auto& c : candidates) {
    std::error_code ec;
    const fs::path real = fs::canonical(c, ec);
    if (ec || !fs::is_regular_file(real, ec) || ::access(real.c_str(), X_OK) != 0) continue;
    const auto size = fs::file_size(real, ec);
    if (ec) continue;
    const auto mtime = fs::last_write_time(real, ec);
    if (ec) continue;
    return fmt::format("{}|{}|{}", real.string(), size, static_cast<long long>(mtime.time_since_epoch().count()));
  }
  return {};
}

// --build-cache: the harness sources (the same for every model) compiled once per compiler, flags and
// harness text into <cache>/<key>/<source>.o, written under a temporary name and renamed into place
// (concurrent runs may race; the loser's rename replaces an identical file). Returns the objects, or
// nothing when the cache cannot serve (unknown compiler, unwritable folder, a source that does not
// compile): the caller then builds the sources with the model as without a cache, so errors show as before.
std::optional<std::vector<std::string>> harness_objects(const fs::path& cache, const std::string& cc,
                                                        const std::vector<std::string>& flags,
                                                        const std::vector<std::string>& sources, const fs::path& build,
                                                        int timeout_s) {
  const std::string tool = tool_identity(cc);
  if (tool.empty()) return std::nullopt;
  uint64_t key = fnv1a(1469598103934665603ull, kVersion);
  key = fnv1a(key, tool);
  for (const auto& f : flags) key = fnv1a(key, f);
  for (const char* f : {"fe_io.h", "fe_counter.h", "io_host.cpp", "io_semihost.cpp", "startup_cortex_m.cpp"})
    key = fnv1a(fnv1a(key, f), embedded(std::string("harness/") + f));
  for (const auto& src : sources) key = fnv1a(key, src);
  std::error_code ec;
  const fs::path dir = fs::absolute(cache, ec) / fmt::format("{:016x}", key);
  if (ec) return std::nullopt;
  fs::create_directories(dir, ec);
  if (ec) return std::nullopt;
  std::vector<std::string> objects;
  for (const auto& src : sources) {
    const fs::path obj = dir / (fs::path(src).stem().string() + ".o");
    if (!fs::is_regular_file(obj, ec)) {
      const fs::path tmp = dir / fmt::format(".{}.{}.tmp.o", fs::path(src).stem().string(), ::getpid());
      std::vector<std::string> cmd = {cc};
      cmd.insert(cmd.end(), flags.begin(), flags.end());
      cmd.insert(cmd.end(), {"-c", src, "-o", tmp.string()});
      const auto r = run_process(cmd, build.string(), timeout_s);
      if (r.exit_code != 0) {
        fs::remove(tmp, ec);
        return std::nullopt;
      }
      fs::rename(tmp, obj, ec);
      if (ec) {
        fs::remove(tmp, ec);
        return std::nullopt;
      }
    }
    objects.push_back(obj.string());
  }
  return objects;
}

}  // namespace

int run_model(const RunOptions& o) {
  if (o.output_dir.empty()) return fail(o, "--output-dir is required");
  const QemuBoard* board = nullptr;
  if (o.target != "host") {
    for (const auto& b : qemu_boards())
      if (b.target == o.target) board = &b;
    if (!board) return fail(o, fmt::format("unknown run target '{}' (valid run targets: host, qemu-cortex-m3, qemu-cortex-m4, "
                                            "qemu-cortex-m7, qemu-cortex-m33, qemu-cortex-m55)", o.target));
  }
  // Inputs: loaded first, so that inputs feeding constant-only slots (shapes, axes, pads, clip
  // bounds, as ONNX's node tests pass them) can be frozen into the model.
  // A bare FILE (no NAME=) goes to the next graph input in order (initializers excluded).
  auto input_names = is_tflite_file(o.compile.model_path) ? tflite_input_names(o.compile.model_path)
                                                          : graph_input_names(o.compile.model_path);
  if (!input_names) return fail(o, input_names.error().message);
  std::map<std::string, Tensor> data;
  size_t next = 0;
  for (const auto& [given, file] : o.inputs) {
    std::string name = given;
    if (name.empty()) {
      if (next >= input_names->size()) return fail(o, fmt::format("--input {}: the model has only {} inputs", file, input_names->size()));
      name = (*input_names)[next++];
    }
    if (std::find(input_names->begin(), input_names->end(), name) == input_names->end()) {
      std::string valid;
      for (const auto& n : *input_names) valid += (valid.empty() ? "'" : ", '") + comment_safe(n) + "'";
      return fail(o, fmt::format("--input {}: the model has no input of that name (its inputs: {})", comment_safe(name),
                                 valid.empty() ? "none" : valid));
    }
    if (data.count(name)) return fail(o, fmt::format("--input {}: given twice", comment_safe(name)));
    auto t = read_tensor_file(file);
    if (!t) return fail(o, fmt::format("--input {}: {}", name, t.error().message));
    t->name = name;
    data[name] = std::move(*t);
  }
  CompileOptions co = o.compile;
  co.profile = co.profile || o.profile;
  co.target = "host";
  if (board) co.target = o.target.substr(5);
  co.import.const_slot_inputs = data;
  auto m = compile_model(co);
  if (!m) {
    fail(o, m.error().message);
    return m.error().kind == Error::Kind::CheckFailed ? 1 : 2;
  }
  const Graph& g = m->graph;
  int64_t count = -1;
  for (TensorId id : g.inputs) {
    const Tensor& t = g.t(id);
    auto it = data.find(t.name);
    if (o.dataset && it != data.end()) {
      Shape s = it->second.shape;
      if (s.empty()) return fail(o, fmt::format("--input {}: a --dataset file needs a leading axis", t.name));
      const int64_t n = s[0];
      if (count >= 0 && n != count)
        return fail(o, fmt::format("--input {}: {} entries, other inputs have {}", t.name, n, count));
      count = n;
      s.erase(s.begin());
      if (s != t.storage_shape())
        return fail(o, fmt::format("--input {}: entries have shape {}, the model expects {}", t.name, shape_str(s),
                                   shape_str(t.storage_shape())));
      continue;
    }
    if (it == data.end()) return fail(o, fmt::format("no --input given for model input '{}'", t.name));
    if (!match_bf16_bits(it->second, t.dtype))
      return fail(o, fmt::format("--input {}: file holds {}, the model expects {}", t.name, dtype_name(it->second.dtype),
                                 dtype_name(t.dtype)));
    if (it->second.shape != t.storage_shape())
      return fail(o, fmt::format("--input {}: file has shape {}, the model expects {}{}", t.name,
                                 shape_str(it->second.shape), shape_str(t.storage_shape()), t.nhwc ? " (NHWC)" : ""));
  }

  const fs::path out_dir = fs::absolute(o.output_dir);
  const fs::path build = out_dir / "build";
  std::error_code ec;
  fs::remove_all(build, ec);
  fs::create_directories(build / "harness" / "boards", ec);
  if (ec) return fail(o, fmt::format("cannot create '{}': {}", build.string(), ec.message()));
  std::vector<ProfileRow> profile_rows;
  if (o.compile.progress) o.compile.progress->begin("emit C++");
  auto files = generate_files(*m, &profile_rows);
  if (!files) return fail(o, files.error().message);
  Status st = write_files_atomically((build / "gen").string(), *files);
  if (!st) return fail(o, st.error().message);
  for (const char* f : {"fe_io.h", "fe_counter.h", "io_host.cpp", "io_semihost.cpp", "startup_cortex_m.cpp"}) {
    st = write_text(build / "harness" / f, embedded(std::string("harness/") + f));
    if (!st) return fail(o, st.error().message);
  }
  if (board) {
    st = write_text(build / "harness" / board->linker_script, embedded("harness/" + board->linker_script));
    if (!st) return fail(o, st.error().message);
  }
  if (o.count_instructions && !board) return fail(o, "--count-instructions needs a qemu-cortex-* target");
  // --profile on a QEMU board counts instructions (SysTick under -icount); on the host, nanoseconds.
  const bool profile = m->profile;
  const bool count_instructions = o.count_instructions || (profile && board);

  if (count < 0) count = 1;
  // Harness: inputs embedded with .incbin (fast for large inputs, identical on host and target).
  std::string decls, incbin, copies, writes, ptrs;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Tensor& t = g.t(g.inputs[i]);
    const Tensor& d = data[t.name];
    st = write_text(build / fmt::format("input_{}.bin", i),
                    std::string_view(reinterpret_cast<const char*>(d.data->data()), d.data->size()));
    if (!st) return fail(o, st.error().message);
    decls += fmt::format("extern \"C\" const unsigned char fe_input_{}[];\n", i);
    incbin += fmt::format("__asm__(\".section .rodata.fe_inputs,\\\"a\\\"\\n.balign 16\\n.global fe_input_{0}\\n"
                          "fe_input_{0}:\\n.incbin \\\"input_{0}.bin\\\"\\n.byte 0\\n.previous\\n\");\n", i);
    if (m->plan.tensor_buffer[static_cast<size_t>(g.inputs[i])] < 0) {  // caller-owned: pass a pointer
      ptrs += fmt::format("{}fe_input_{} + set * {}::kInputs[{}].bytes", ptrs.empty() ? "" : ", ", i, m->name, i);
      continue;
    }
    copies += fmt::format(
        "    std::memcpy(a + {ns}::kInputs[{i}].offset, fe_input_{i} + set * {ns}::kInputs[{i}].bytes, {ns}::kInputs[{i}].bytes);\n",
        fmt::arg("ns", m->name), fmt::arg("i", i));
  }
  for (size_t i = 0; i < g.outputs.size(); ++i)
    writes += fmt::format(
        "    fe_format_name(name, \"out_{i}_\", set);\n"
        "    if (fe_write_file(name, a + {ns}::kOutputs[{i}].offset, {ns}::kOutputs[{i}].bytes) != 0) return 2;\n",
        fmt::arg("ns", m->name), fmt::arg("i", i));
  if (!ptrs.empty()) copies += "    const void* const inputs[] = {" + ptrs + "};\n";
  std::string main_cpp = fmt::format(fmt::runtime(embedded("harness/run_main.cpp.in")), fmt::arg("version", kVersion),
                                     fmt::arg("ns", m->name), fmt::arg("input_decls", decls),
                                     fmt::arg("input_asm", incbin), fmt::arg("copy_inputs", copies),
                                     fmt::arg("count", count),
                                     fmt::arg("input_ptrs", ptrs.empty() ? std::string() : ", inputs"),
                                     fmt::arg("write_outputs", writes));
  st = write_text(build / "main.cpp", main_cpp);
  if (!st) return fail(o, st.error().message);

  // The build: compile flags (the same for every source), then link flags; the harness sources are
  // the same for every model (prebuilt objects with --build-cache), the generated ones are the model's.
  const std::vector<std::string> common = {"-std=c++17", "-O2", "-ffp-contract=off", "-fno-exceptions", "-fno-rtti",
                                           "-Wall", "-Wextra", "-Werror", "-Igen", "-Iharness"};
  const std::string gen_cpp = "gen/" + m->name + ".cpp", gen_w = "gen/" + m->name + "_weights.cpp";
  std::string program, compiler;
  std::vector<std::string> flags, link_flags, harness, output;
  if (!board) {
    compiler = o.cxx;
    flags = common;
    flags.insert(flags.end(), o.extra_cxx_flags.begin(), o.extra_cxx_flags.end());
    if (profile) flags.push_back("-DFE_PROFILE");
    harness = {"harness/io_host.cpp"};
    output = {"-o", "prog"};
    program = "./prog";
  } else {
    compiler = "arm-none-eabi-g++";
    flags = board->cpu_flags;
    flags.insert(flags.end(), common.begin(), common.end());
    flags.insert(flags.end(), o.extra_cxx_flags.begin(), o.extra_cxx_flags.end());
    if (count_instructions) flags.push_back("-DFE_COUNT_INSTRUCTIONS");
    if (profile) flags.push_back("-DFE_PROFILE");
    flags.insert(flags.end(), {"-ffunction-sections", "-fdata-sections", "-nostartfiles", "--specs=nano.specs",
                               "--specs=nosys.specs"});
    link_flags = {"-T", "harness/" + board->linker_script, "-Wl,--gc-sections"};
    harness = {"harness/startup_cortex_m.cpp", "harness/io_semihost.cpp"};
    output = {"-o", "prog.elf"};
  }
  // cached: the harness objects from --build-cache (nullopt: the sources are built with the model).
  auto command = [&](const std::vector<std::string>* cached) {
    std::vector<std::string> cc = {compiler};
    cc.insert(cc.end(), flags.begin(), flags.end());
    cc.insert(cc.end(), link_flags.begin(), link_flags.end());
    const std::vector<std::string>& h = cached ? *cached : harness;
    if (!board) {
      cc.insert(cc.end(), {gen_cpp, gen_w});
      cc.insert(cc.end(), h.begin(), h.end());
    } else {
      cc.insert(cc.end(), h.begin(), h.end());
      cc.insert(cc.end(), {gen_cpp, gen_w});
    }
    cc.push_back("main.cpp");
    cc.insert(cc.end(), output.begin(), output.end());
    return cc;
  };
  std::optional<std::vector<std::string>> cached;
  if (!o.build_cache.empty()) cached = harness_objects(o.build_cache, compiler, flags, harness, build, o.timeout_s);
  std::vector<std::string> cc = command(cached ? &*cached : nullptr);
  Progress* const progress = o.compile.progress;
  if (progress) progress->begin(fmt::format("build with {} ({} generated lines)", cc[0], count_lines(build / gen_cpp) + count_lines(build / gen_w)), true);
  auto built = run_process(cc, build.string(), o.timeout_s);
  std::string log;
  if (cached) {
    log = fmt::format("harness objects from the build cache: {}\n", fmt::join(*cached, " "));
    if (built.exit_code != 0) {
      // A damaged cache must not fail a run: drop its objects and build the harness from source.
      std::error_code ec;
      for (const auto& obj : *cached) fs::remove(obj, ec);
      log += built.output + "\nthe build with cached harness objects failed; they were removed, building from source:\n";
      cc = command(nullptr);
      built = run_process(cc, build.string(), o.timeout_s);
    }
  }
  log += built.output;
  (void)write_text(build / "build.log", log);
  if (built.exit_code != 0)
    return fail(o, fmt::format("building the generated code failed (log: {}):\n{}", (build / "build.log").string(),
                               built.output.substr(0, 4000)));
  std::vector<std::string> runcmd =
      board ? std::vector<std::string>{"qemu-system-arm", "-M", board->machine, "-nographic", "-semihosting-config",
                                       "enable=on,target=native", "-kernel", "prog.elf"}
            : std::vector<std::string>{program};
  if (count_instructions) runcmd.insert(runcmd.begin() + 1, {"-icount", "shift=0"});
  if (progress) progress->begin(board ? fmt::format("run in QEMU ({})", board->machine) : std::string("run on the host"), true);
  auto ran = run_process(runcmd, build.string(), o.timeout_s);
  if (progress) progress->end();
  (void)write_text(build / "run.log", ran.output);
  if (ran.timed_out) return fail(o, fmt::format("the program did not finish within {} s", o.timeout_s));
  if (ran.exit_code != 0)
    return fail(o, fmt::format("the program exited with {} (log: {}):\n{}", ran.exit_code, (build / "run.log").string(),
                               ran.output.substr(0, 4000)));

  // Outputs -> .npy files + outputs.json.
  nlohmann::json index = nlohmann::json::object();
  std::set<std::string> used_names;
  std::map<std::string, Tensor> outputs;
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const Tensor& t = g.t(g.outputs[i]);
    std::string raw;
    for (int64_t set = 0; set < count; ++set) {
      std::ifstream f(build / fmt::format("out_{}_{}.bin", i, set), std::ios::binary);
      std::string part((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      if (part.size() != t.bytes())
        return fail(o, fmt::format("output '{}': the program wrote {} bytes, expected {}", t.name, part.size(), t.bytes()));
      raw += part;
    }
    Tensor out;
    out.name = t.name;
    out.dtype = t.dtype;
    out.shape = t.storage_shape();
    if (o.dataset) out.shape.insert(out.shape.begin(), count);
    out.data = std::vector<uint8_t>(raw.begin(), raw.end());
    std::string file = sanitize_filename(t.name);
    if (file.size() < 4 || file.substr(file.size() - 4) != ".npy") file += ".npy";
    if (file == "outputs.json.npy" || used_names.count(file)) file = fmt::format("output_{}_{}", i, file);
    used_names.insert(file);
    st = write_npy((out_dir / file).string(), out);
    if (!st) return fail(o, st.error().message);
    nlohmann::json entry;
    entry["file"] = file;
    entry["shape"] = out.shape;
    entry["dtype"] = dtype_name(t.dtype);
    index[t.name] = entry;
    outputs[t.name] = std::move(out);
  }
  st = write_text(out_dir / "outputs.json", index.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!st) return fail(o, st.error().message);
  if (!o.quiet)
    fmt::print("ran {} on {}: {} output{} written to {}\n", m->model_file, o.target, g.outputs.size(),
               g.outputs.size() == 1 ? "" : "s", out_dir.string());
  // Retired instructions (QEMU) from the harness's "ferrite: systicks N" lines, one per inference.
  double invoke_instr = -1;
  if (count_instructions) {
    uint64_t ticks = 0, runs = 0;
    for (size_t pos = 0; (pos = ran.output.find("ferrite: systicks ", pos)) != std::string::npos; ++runs) {
      pos += 18;
      ticks += std::stoull(ran.output.substr(pos, ran.output.find('\n', pos) - pos));
    }
    if (runs == 0) return fail(o, "the program printed no instruction count");
    invoke_instr = board->instructions_per_tick * static_cast<double>(ticks) / static_cast<double>(runs);
  }
  if (o.count_instructions)
    fmt::print("{}: {:.0f} instructions per inference, {:.2f} per MAC ({} MACs, {} on QEMU {} -icount shift=0, "
               "{} instructions per SysTick tick){}\n",
               m->model_file, invoke_instr, m->macs ? invoke_instr / static_cast<double>(m->macs) : 0.0, m->macs,
               o.target, board->machine, board->instructions_per_tick, profile ? ", with the profile marks" : "");
  if (profile) {
    ProfileRun pr;
    pr.model_file = m->model_file;
    pr.target = o.target;
    pr.machine = board ? board->machine : "";
    pr.unit = board ? "instructions" : "ns";
    pr.scale = board ? board->instructions_per_tick : 1.0;
    pr.macs = m->macs;
    pr.inferences = static_cast<uint64_t>(count);
    pr.invoke_total = board ? invoke_instr : -1;
    auto pj = make_profile(pr, profile_rows, ran.output);
    if (!pj) return fail(o, pj.error().message);
    st = write_text(out_dir / "profile.json", pj->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    if (!st) return fail(o, st.error().message);
    fmt::print("{}", profile_text(*pj));
    // The memory picture with the profile: kernel variant, patches and time per layer (report-html.md).
    st = write_text(out_dir / "profile.html", report_html(report_json(*m), &*pj));
    if (!st) return fail(o, st.error().message);
    if (!o.quiet)
      fmt::print("profile written to {} (and the memory picture with it to {})\n", (out_dir / "profile.json").string(),
                 (out_dir / "profile.html").string());
  }

  int rc = 0;
  size_t next_out = 0;
  for (const auto& [given, file] : o.references) {
    std::string name = given;
    if (name.empty()) {
      if (next_out >= g.outputs.size()) return fail(o, fmt::format("--reference {}: the model has only {} outputs", file, g.outputs.size()));
      name = g.t(g.outputs[next_out++]).name;
    }
    auto it = outputs.find(name);
    if (it == outputs.end()) {
      std::string valid;
      for (const auto& [n, t] : outputs) valid += (valid.empty() ? "'" : ", '") + comment_safe(n) + "'";
      return fail(o, fmt::format("--reference {}: the model has no output of that name (its outputs: {})",
                                 comment_safe(name), valid));
    }
    auto ref = read_tensor_file(file);
    if (!ref) return fail(o, fmt::format("--reference {}: {}", name, ref.error().message));
    match_bf16_bits(*ref, it->second.dtype);  // bfloat16 references come as uint16 bits
    if (ref->numel() != it->second.numel())
      return fail(o, fmt::format("--reference {}: shape {} differs from the output's {}", name, shape_str(ref->shape),
                                 shape_str(it->second.shape)));
    Compare c = compare(it->second, *ref, o);
    fmt::print("  {} {}: max abs err {:.3g}, max rel err {:.3g}, ref range {:.3g}, {} of {} outside tolerance\n",
               c.ok ? "PASS" : "FAIL", comment_safe(name), c.max_abs, c.max_rel, c.range, c.mismatches,
               it->second.numel());
    if (!c.ok) rc = 1;
  }
  return rc;
}

}  // namespace ferrite
