// The `ferrite` command line: compile, report, run, ops. Only this file prints errors and chooses
// exit codes: 0 success, 1 a check failed (budget exceeded, outputs differ), 2 usage or model error.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "driver/compile.h"
#include "driver/npy.h"
#include "driver/progress.h"
#include "driver/quantize_cmd.h"
#include "driver/report.h"
#include "driver/report_diff.h"
#include "driver/report_html.h"
#include "driver/run.h"
#include "frontend/onnx_fold.h"
#include "frontend/onnx_opset.h"
#include "frontend/tflite_import.h"

using namespace ferrite;

namespace {

struct Common {
  std::string model, name, target = "host", sram_budget, flash_budget, input_layout = "nchw", inplace_depthwise = "on",
              concat_in_place = "on";
  std::string schedule = "auto";
  std::vector<std::string> input_shapes, freeze_inputs, print_after;
  bool caller_owned_inputs = false, quantized_io = false, profile = false;
  std::string patch = "auto", max_patch_overhead = "20%", fuse_bottlenecks = "auto";
  WeightsOptions weights;
  bool quiet = false, progress = false, timing = false;
  std::string quantize;  // --quantize DATA: quantize the float model first (docs/quantization.md)
};

void add_common(CLI::App* c, Common& o, bool run) {
  c->add_option("model", o.model, "ONNX model file")->required();
  c->add_option("--name", o.name, "C++ namespace and file stem of the generated code (default: model file stem)");
  c->add_option("--target", o.target,
                run ? "where to run: host, qemu-cortex-m3, qemu-cortex-m4, qemu-cortex-m7, qemu-cortex-m33, qemu-cortex-m55"
                    : "the core the code is for (its kernels): host, cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, "
                      "cortex-m33, cortex-m55");
  c->add_option("--sram-budget", o.sram_budget, "fail when the arena exceeds this (e.g. 256KiB)");
  if (!run) c->add_option("--flash-budget", o.flash_budget, "fail when the weights exceed this (code not included)");
  c->add_option("--input-shape", o.input_shapes, "NAME=1x3x96x96: static shape for an input with dynamic dims");
  c->add_option("--input-layout", o.input_layout,
                "nchw (the model's layout, default) or nhwc: 4-D inputs are given channels-last (e.g. a camera "
                "buffer), no transpose needed")
      ->check(CLI::IsMember({"nchw", "nhwc"}));
  c->add_option("--patch", o.patch,
                "patch-based inference of the first stage: auto (default: only when it lowers the arena within "
                "--max-patch-overhead), off, RxC (grid; best split) or RxC@LAYER");
  c->add_option("--max-patch-overhead", o.max_patch_overhead,
                "with --patch auto: most extra MACs allowed for halo recomputation (default 20%)");
  c->add_flag("--quantized-io", o.quantized_io,
              "int8 models: inputs read only by a QuantizeLinear and outputs made by a DequantizeLinear are passed "
              "quantized (uint8/int8 as in the model; scale and zero point in the generated header)");
  c->add_flag("--caller-owned-inputs", o.caller_owned_inputs,
              "inputs stay in the caller's buffers (passed to invoke, only read), outside the arena");
  c->add_option("--inplace-depthwise", o.inplace_depthwise,
                "on (default): depthwise convolutions overwrite their input through a one-channel temporary "
                "where legal; off: separate output buffers")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--fuse-bottlenecks", o.fuse_bottlenecks,
                "int8 expand 1x1 -> depthwise -> project 1x1 chains and float expand -> depthwise chains run "
                "channel by channel without storing the expanded tensor: auto (default: the blocks that decide the arena, while that lowers it), all, off")
      ->check(CLI::IsMember({"auto", "all", "off"}));
  c->add_option("--schedule", o.schedule,
                "auto (default): with parallel branches, run the layers in the order that gives the smallest "
                "arena; model: keep the model's node order")
      ->check(CLI::IsMember({"auto", "model"}));
  c->add_option("--concat-in-place", o.concat_in_place,
                "on (default): the producers of a Concat's inputs write straight into their slice of its output "
                "where legal (contiguous slice, same int8 quantization), no copy; off: separate buffers and copies")
      ->check(CLI::IsMember({"on", "off"}));
  c->add_option("--weights-format", o.weights.format,
                "incbin (default): <name>_weights.bin placed by an assembler .incbin stub (GNU as); text: the "
                "same bytes as C++ string literals (any compiler); array: one typed C++ array per constant (slow "
                "to compile)")
      ->check(CLI::IsMember({"incbin", "text", "array"}));
  c->add_option("--weights-section", o.weights.section, "section of the constants (default .rodata.weights)");
  c->add_option("--weights-align", o.weights.align, "alignment of the constants' blob: a power of two >= 16 (default 16)");
  c->add_option("--freeze-input", o.freeze_inputs, "NAME=FILE (.npy/.pb): bake an input into the model as a constant");
  c->add_option("--print-after", o.print_after, "dump the IR after the named pass ('all' for every pass)");
  if (!run)
    c->add_option("--quantize", o.quantize,
                  "DATA: quantize the float model to int8 first, as `ferrite quantize --calibration DATA` does "
                  "(compile also writes <name>_int8.onnx)");
  if (!run) c->add_flag("-q,--quiet", o.quiet, "no progress lines on stderr");
  c->add_flag("--progress", o.progress,
              "progress lines on stderr (steps of a second or more) even when stderr is not a terminal");
  c->add_flag("--timing", o.timing, "print every step's time and the total on stderr");
}

// The stage lines of a command (driver/progress.h): on a terminal by default, never with --quiet.
Progress make_progress(const Common& c, bool quiet) {
  Progress p;
  p.show = !quiet && (c.progress || isatty(fileno(stderr)));
  p.timing = c.timing && !quiet;
  return p;
}

std::pair<std::string, std::string> split_eq(const std::string& s, const char* opt) {
  auto p = s.find('=');
  if (p == std::string::npos || p == 0) throw CLI::ValidationError(opt, "expected NAME=VALUE, got '" + s + "'");
  return {s.substr(0, p), s.substr(p + 1)};
}

// Builds CompileOptions; returns an error message on bad values.
Expected<CompileOptions> make_options(const Common& c) {
  CompileOptions o;
  o.model_path = c.model;
  o.name = c.name;
  o.target = c.target;
  if (!c.sram_budget.empty()) {
    auto b = parse_bytes(c.sram_budget);
    if (!b) return b.error();
    o.memory.sram_budget = *b;
  }
  for (const auto& s : c.input_shapes) {
    auto [name, dims] = split_eq(s, "--input-shape");
    auto shape = parse_shape(dims);
    if (!shape) return shape.error();
    o.import.input_shapes[name] = *shape;
  }
  for (const auto& s : c.freeze_inputs) {
    auto [name, file] = split_eq(s, "--freeze-input");
    auto t = read_tensor_file(file);
    if (!t) return make_error("--freeze-input {}: {}", name, t.error().message);
    o.import.frozen_inputs[name] = std::move(*t);
  }
  o.passes.print_after = c.print_after;
  o.passes.input_nhwc = c.input_layout == "nhwc";
  o.passes.quantized_io = c.quantized_io;
  o.memory.plan.inplace_depthwise = c.inplace_depthwise == "on";
  o.memory.plan.concat_in_place = c.concat_in_place == "on";
  o.memory.plan.caller_owned_inputs = c.caller_owned_inputs;
  o.memory.schedule.search = c.schedule == "auto";
  auto patch = parse_patch_choice(c.patch);
  if (!patch) return patch.error();
  o.memory.patch = *patch;
  auto fuse = parse_fuse_bottlenecks(c.fuse_bottlenecks);
  if (!fuse) return fuse.error();
  o.memory.fuse = *fuse;
  o.profile = c.profile;
  o.weights = c.weights;
  {
    std::string v = c.max_patch_overhead;
    const bool pct = !v.empty() && v.back() == '%';
    if (pct) v.pop_back();
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (v.empty() || *end || d < 0) return make_error("--max-patch-overhead '{}': expected e.g. 20%", c.max_patch_overhead);
    o.memory.max_patch_overhead = pct ? d / 100.0 : d;
  }
  o.passes.log = [](const std::string& s) { std::cerr << s; };
  return o;
}

int error(const std::string& cmd, const Error& e) {
  // A failed check such as a budget overrun is 1; everything else is a usage or model error (2).
  fmt::print(stderr, "ferrite {}: error: {}\n", cmd, e.message);
  return e.kind == Error::Kind::CheckFailed ? 1 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ferrite — compiles ONNX models into allocation-free C++ for Cortex-M microcontrollers"};
  app.set_version_flag("--version", std::string("ferrite ") + kVersion);
  app.require_subcommand(1);

  Common cc;
  std::string out_dir;
  auto* compile = app.add_subcommand("compile", "generate <name>.h/.cpp/_weights.cpp and the memory report");
  add_common(compile, cc, false);
  compile->add_option("-o,--output", out_dir, "output directory")->required();
  compile->add_flag("--profile", cc.profile,
                    "invoke() records a counter per layer (DWT->CYCCNT cycles on Cortex-M by default, or a "
                    "ferrite_profile_counter() you define): <name>::profile_counts(), kProfile[]");

  Common rc;
  bool json = false;
  auto* report = app.add_subcommand("report", "print the memory report of a model (arena, lower bound, layers)");
  add_common(report, rc, false);
  report->add_flag("--json", json, "print the report as JSON (schema: docs/report-schema.md)");
  std::string baseline, max_growth = "0%", html_file;
  report->add_option("--html", html_file, "also write the memory picture (self-contained HTML, docs/report-html.md) to FILE");
  std::string profile_json_file;
  report->add_option("--profile-json", profile_json_file,
                     "with --html: add the per-layer profile of this profile.json (from `ferrite run --profile`)");
  report->add_option("--baseline", baseline, "previous --json report: print the diff, exit 1 if it grew too much");
  report->add_option("--max-growth", max_growth, "with --baseline: allowed arena/weights growth (default 0%)");

  Common uc;
  RunOptions ro;
  std::vector<std::string> run_inputs, run_refs;
  auto* run = app.add_subcommand("run", "compile, build and run the model on inputs; compare with references");
  add_common(run, uc, true);
  run->add_option("--input", run_inputs, "NAME=FILE (.npy or ONNX TensorProto .pb)");
  run->add_option("--reference", run_refs, "NAME=FILE: expected output");
  run->add_option("--output-dir", ro.output_dir, "where outputs (<name>.npy, outputs.json) and the build go")->required();
  run->add_option("--rtol", ro.rtol, "relative tolerance (default 1e-3)");
  run->add_option("--atol", ro.atol, "absolute tolerance (default 1e-7)");
  run->add_option("--range-tol", ro.range_tol, "instead of rtol/atol: max |err| <= T * (max(ref) - min(ref))");
  run->add_option("--cxx", ro.cxx, "host C++ compiler (default g++)");
  run->add_option("--cxx-flag", ro.extra_cxx_flags, "extra flag for the compiler building the generated code");
  run->add_option("--timeout", ro.timeout_s, "seconds allowed for building and for running (default 900)");
  run->add_flag("-q,--quiet", ro.quiet, "print only comparison lines and errors (no progress lines)");
  run->add_flag("--count-instructions", ro.count_instructions,
                "qemu targets: count retired instructions per inference (-icount shift=0 + SysTick)");
  run->add_flag("--profile", ro.profile,
                "compile with --profile and print a per-layer table (instructions on qemu targets, ns on the "
                "host); also writes <output-dir>/profile.json and profile.html (the memory picture with the profile)");
  run->add_option("--build-cache", ro.build_cache,
                  "DIR: keep the harness's compiled objects (startup code, I/O) here and reuse them in later runs "
                  "with the same compiler, flags and harness (default: $FERRITE_BUILD_CACHE, or none)")
      ->envname("FERRITE_BUILD_CACHE");
  run->add_flag("--dataset", ro.dataset,
                "inputs carry an extra leading axis of N entries: run N inferences, outputs get that axis too");

  QuantizeCli qc;
  auto* quantize = app.add_subcommand("quantize", "post-training int8 quantization: float ONNX model + calibration data -> QDQ ONNX model");
  quantize->add_option("model", qc.model, "float ONNX model")->required();
  quantize->add_option("--calibration", qc.calibration,
                       "DATA: a folder of .npy/.pb files, an .npz, an .npy or an IDX file (docs/quantization.md)")
      ->required();
  quantize->add_option("-o,--output", qc.output, "the quantized model (.onnx) to write")->required();
  quantize->add_option("--calibrate", qc.calibrate,
                       "activation ranges: auto (default: the method whose int8 outputs are closest to the float "
                       "model's on the calibration data), minmax, percentile[:P], mse, entropy");
  quantize->add_option("--activations", qc.activations,
                       "uint8 (default, as ONNX Runtime's quantizer) or int8 activations (Ferrite runs both alike)");
  quantize->add_option("--bias-correction", qc.bias_correction,
                       "off (default), on, or auto (kept when it brings the int8 outputs closer to the float model's)");
  quantize->add_flag("--equalize", qc.equalize,
                     "cross-layer equalization of Conv -> [Relu, MaxPool] -> Conv pairs before calibration");
  quantize->add_flag("--per-tensor", qc.per_tensor, "one scale per weight tensor (default: per output channel)");
  quantize->add_option("--keep-float", qc.keep_float, "NODE...: nodes (the model's names) that stay float");
  quantize->add_option("--input-shape", qc.input_shapes, "NAME=1x3x96x96: static shape for an input with dynamic dims");
  quantize->add_option("--input-layout", qc.input_layout,
                       "nchw (default: data as the model's inputs) or nhwc (4-D data channels-last, as a camera gives it)");
  quantize->add_option("--idx-scale", qc.idx_scale, "IDX data: factor for the unsigned bytes (default 1/255)");
  quantize->add_option("--limit", qc.limit, "use only the first N calibration samples");
  quantize->add_option("--evaluate", qc.evaluate, "DATA: held-out samples; prints float vs int8 accuracy (with --labels) or MSE");
  quantize->add_option("--evaluate-limit", qc.eval_limit, "use only the first N evaluation samples");
  quantize->add_option("--labels", qc.labels, "FILE: class labels of the --evaluate samples (1-D integer .npy or IDX labels)");
  quantize->add_option("--json", qc.json_file, "also write the report as JSON to FILE");
  quantize->add_flag("-q,--quiet", qc.quiet, "no progress lines on stderr");
  quantize->add_flag("--progress", qc.progress, "progress lines on stderr even when it is not a terminal");

  auto* ops = app.add_subcommand("ops", "list the supported operators");
  std::string ops_check;
  ops->add_option("--check", ops_check, "MODEL: list the model's operators, exit 3 if any is unsupported");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  try {
    if (*ops && !ops_check.empty() && is_tflite_file(ops_check)) {  // TFLite: builtin operator names
      auto used = tflite_operators(ops_check);
      if (!used) return error("ops", used.error());
      bool all = true;
      for (const auto& [name, count] : *used) {
        const bool ok = tflite_operator_supported(name);
        all = all && ok;
        fmt::print("{:<24} {:<10} {:>4}  {}\n", name, "tflite", count, ok ? "supported" : "UNSUPPORTED");
      }
      if (all) {  // every operator is known: the types and attributes must fit too (e.g. float models)
        auto g = import_tflite(ops_check);
        if (!g) {
          fmt::print("UNSUPPORTED: {}\n", g.error().message);
          all = false;
        }
      }
      return all ? 0 : 3;
    }
    if (*ops && !ops_check.empty()) {
      auto used = model_operators(ops_check);
      if (!used) return error("ops", used.error());
      bool all = true;
      for (const auto& [key, count] : *used) {
        auto k = op_from_onnx(key.first, key.second);
        const bool fold = !k && is_fold_only_op(key.first, key.second);
        const bool decomposed =
            !k && key.first.empty() &&
            std::any_of(decomposed_ops().begin(), decomposed_ops().end(),
                        [&](const DecomposedOp& d) { return key.second == d.op; });
        const bool ok = fold || decomposed || (k.has_value() && std::string(op_info(*k).domain) != "ferrite");
        all = all && ok;
        fmt::print("{:<24} {:<10} {:>4}  {}\n", key.second, key.first.empty() ? "ai.onnx" : key.first, count,
                   fold         ? "supported where it folds at compile time"
                   : decomposed ? "supported (rewritten into opset-17 operators)"
                   : ok         ? "supported"
                                : "UNSUPPORTED");
      }
      return all ? 0 : 3;
    }
    if (*ops) {
      fmt::print("{:<26} {:<14} {}\n", "operator", "domain", "opsets (ai.onnx)");
      for (const auto& o : all_ops()) {
        if (std::string(o.domain) == "ferrite") continue;  // internal, never imported
        fmt::print("{:<26} {:<14} {}-{}\n", o.onnx_type, *o.domain ? o.domain : "ai.onnx", o.min_opset, o.max_opset);
      }
      for (const auto& op : fold_only_ops())
        fmt::print("{:<26} {:<14} 1-{}, folded at compile time only\n", op, "ai.onnx", kCanonicalOpset);
      for (const auto& d : decomposed_ops())
        fmt::print("{:<26} {:<14} {}-{}, rewritten into {}\n", d.op, "ai.onnx", d.since, kMaxOpset, d.into);
      fmt::print("(float32 and int8/uint8 quantized; models of opsets 1 to {} are converted to opset {} (below it\n"
                 " by ONNX's version converter, above it by Ferrite's rewrite: docs/onnx-support.md);\n"
                 " the operators marked 'folded' have no kernel: they must compute constants or shapes, which the\n"
                 " frontend evaluates before the graph is built)\n",
                 kMaxOpset, kCanonicalOpset);
      const auto [tfl_int8, tfl_f32] = tflite_supported_lists();
      fmt::print("\nTFLite (.tflite, docs/tflite.md), TFLite's integer arithmetic:\n  int8: {}\n  float32: {}\n", tfl_int8,
                 tfl_f32);
      return 0;
    }
    if (*compile || *report) {
      const Common& c = *compile ? cc : rc;
      const std::string cmd = *compile ? "compile" : "report";
      auto opts = make_options(c);
      if (!opts) return error(cmd, opts.error());
      // --flash-budget, --baseline and --max-growth (compiler/driver/report_diff.cpp).
      std::optional<uint64_t> flash_budget;
      if (!c.flash_budget.empty()) {
        auto b = parse_bytes(c.flash_budget);
        if (!b) return error(cmd, b.error());
        flash_budget = *b;
      }
      double growth = 0;
      std::optional<nlohmann::json> base;
      if (*report && !baseline.empty()) {
        auto g = parse_percent(max_growth);
        if (!g) return error(cmd, g.error());
        growth = *g;
        auto b = read_report_file(baseline);
        if (!b) return error(cmd, b.error());
        base = std::move(*b);
      }
      if (*report && !profile_json_file.empty() && html_file.empty())
        return error(cmd, Error{"--profile-json needs --html FILE"});
      Progress progress = make_progress(c, c.quiet);
      opts->progress = &progress;
      // --quantize DATA: the QDQ model goes to a temporary file that is compiled instead.
      std::string quantized_bytes, quantized_path;
      struct RemoveFile {
        std::string* path;
        ~RemoveFile() {
          if (!path->empty()) std::remove(path->c_str());
        }
      } remove_quantized{&quantized_path};
      if (!c.quantize.empty()) {
        progress.begin("quantize (calibration, range selection)", true);
        auto q = quantize_for_compile(c.model, c.quantize, opts->import, progress.show);
        if (!q) return error(cmd, q.error());
        quantized_bytes = std::move(*q);
        std::string tmpl = (std::filesystem::temp_directory_path() / "ferrite-quantized-XXXXXX").string();
        const int fd = mkstemp(tmpl.data());
        if (fd < 0) return error(cmd, Error{"cannot create a temporary file"});
        quantized_path = tmpl;
        const bool written = ::write(fd, quantized_bytes.data(), quantized_bytes.size()) ==
                             static_cast<ssize_t>(quantized_bytes.size());
        ::close(fd);
        if (!written) return error(cmd, Error{"cannot write a temporary file"});
        if (opts->name.empty()) opts->name = std::filesystem::path(c.model).stem().string();
        opts->model_path = quantized_path;
      }
      auto m = compile_model(*opts);
      if (!m) return error(cmd, m.error());
      if (flash_budget) {
        Status st = check_flash_budget(report_json(*m), *flash_budget);
        if (!st) return error(cmd, st.error());
      }
      if (*report) {
        progress.begin("report");
        const nlohmann::json rj = report_json(*m);
        if (json) std::cout << rj.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        else std::cout << report_text(*m);
        if (!html_file.empty()) {
          std::optional<nlohmann::json> prof;
          if (!profile_json_file.empty()) {
            std::ifstream pf(profile_json_file, std::ios::binary);
            prof = nlohmann::json::parse(pf, nullptr, false);
            if (!pf || prof->is_discarded() || !prof->is_object() || !prof->contains("rows"))
              return error(cmd, Error{"--profile-json: '" + profile_json_file + "' is not a profile.json of ferrite run --profile"});
          }
          std::ofstream hf(html_file, std::ios::binary);
          hf << report_html(rj, prof ? &*prof : nullptr);
          if (!hf) return error(cmd, Error{"cannot write '" + html_file + "'"});
        }
        progress.finish();
        if (base) {
          auto d = diff_reports(*base, rj, growth);
          if (!d) return error(cmd, d.error());
          // With --json the diff goes to stderr so that stdout stays one JSON document.
          (json ? std::cerr : std::cout) << "diff against baseline " << baseline << ":\n" << d->text;
          if (d->exceeded) {
            Error e{d->summary, Error::Kind::CheckFailed};
            return error(cmd, e);
          }
        }
        return 0;
      }
      progress.begin("emit C++");
      auto files = generate_files(*m);
      if (!files) return error(cmd, files.error());
      if (!quantized_bytes.empty()) files->push_back({m->name + "_int8.onnx", quantized_bytes});
      progress.begin("write files");
      Status st = write_files_atomically(out_dir, *files);
      if (!st) return error(cmd, st.error());
      progress.finish();
      std::cout << report_text(*m, false);
      fmt::print("wrote {} files to {}\n", files->size(), out_dir);
      return 0;
    }
    if (*quantize) return quantize_command(qc);
    if (*run) {
      auto opts = make_options(uc);
      if (!opts) return error("run", opts.error());
      ro.compile = *opts;
      Progress progress = make_progress(uc, ro.quiet);
      ro.compile.progress = &progress;
      // run's --target is where the code runs: host, or qemu-cortex-m3/m4/m7/m33/m55.
      ro.target = uc.target;
      // NAME=FILE, or a bare FILE that goes to the next input/output in graph order ("" name).
      auto pairs = [](const std::vector<std::string>& v) {
        std::vector<std::pair<std::string, std::string>> r;
        for (const auto& s : v) {
          auto p = s.find('=');
          if (p == std::string::npos || p == 0) r.emplace_back("", s);
          else r.emplace_back(s.substr(0, p), s.substr(p + 1));
        }
        return r;
      };
      ro.inputs = pairs(run_inputs);
      ro.references = pairs(run_refs);
      const int rc = run_model(ro);
      progress.finish();
      return rc;
    }
  } catch (const CLI::ValidationError& e) {
    fmt::print(stderr, "ferrite: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "ferrite: internal error: {}\n", e.what());
    return 2;
  }
  return 2;
}
