#include "driver/quantize_cmd.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "driver/dataset.h"
#include "quantizer/quantize.h"

namespace fs = std::filesystem;

namespace ferrite {

namespace {

int fail(const std::string& msg) {
  fmt::print(stderr, "ferrite quantize: error: {}\n", msg);
  return 2;
}

// Writes `bytes` to `path` all or nothing (a temporary file beside it, then a rename).
Status write_atomically(const std::string& path, const std::string& bytes) {
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return make_error("cannot write '{}': no folder '{}'", path, dir.string());
  if (fs::is_directory(p, ec)) return make_error("cannot write '{}': it is a folder", path);
  std::string tmpl = (dir / ".ferrite-tmp-XXXXXX").string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) return make_error("cannot create a temporary file in '{}'", dir.string());
  FILE* f = fdopen(fd, "wb");
  bool ok = f && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = f && std::fclose(f) == 0 && ok;
  if (ok) ok = std::rename(tmpl.c_str(), path.c_str()) == 0;
  if (!ok) {
    std::remove(tmpl.c_str());
    return make_error("cannot write '{}'", path);
  }
  return Status::ok();
}

nlohmann::json layers_json(const std::vector<LayerSqnr>& layers) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& l : layers) a.push_back({{"node", l.node}, {"op", l.op}, {"tensor", l.tensor}, {"sqnr_db", l.sqnr_db}});
  return a;
}

}  // namespace

int quantize_command(const QuantizeCli& c) {
  const bool show = !c.quiet && (c.progress || isatty(fileno(stderr)));
  size_t last_pct = 101;
  std::string last_step;
  QuantizeProgress progress = [&](const std::string& step, size_t done, size_t total) {
    if (!show || total == 0) return;
    const size_t pct = done * 100 / total;
    if (step == last_step && pct / 10 == last_pct / 10) return;
    last_step = step;
    last_pct = pct;
    fmt::print(stderr, "ferrite quantize: {} {}/{}\n", step, done, total);
  };
  if (c.activations != "int8" && c.activations != "uint8")
    return fail(fmt::format("--activations '{}': expected int8 or uint8", c.activations));
  ImportOptions import;
  for (const auto& s : c.input_shapes) {
    const auto p = s.find('=');
    if (p == std::string::npos || p == 0) return fail(fmt::format("--input-shape '{}': expected NAME=1x3x96x96", s));
    auto shape = parse_shape(s.substr(p + 1));
    if (!shape) return fail(shape.error().message);
    import.input_shapes[s.substr(0, p)] = *shape;
  }
  auto fg = load_float_model(c.model, import);
  if (!fg) return fail(fg.error().message);
  std::vector<DatasetInput> inputs;
  for (TensorId in : fg->inputs) inputs.push_back({fg->t(in).name, fg->t(in).shape});
  DatasetOptions dopt;
  dopt.idx_scale = c.idx_scale;
  dopt.limit = c.limit;
  if (c.input_layout != "nchw" && c.input_layout != "nhwc")
    return fail(fmt::format("--input-layout '{}': expected nchw or nhwc", c.input_layout));
  dopt.nhwc = c.input_layout == "nhwc";
  auto calib = read_dataset(c.calibration, inputs, dopt);
  if (!calib) return fail("--calibration: " + calib.error().message);
  std::optional<Dataset> eval;
  std::vector<int64_t> labels;
  if (!c.labels.empty() && c.evaluate.empty()) return fail("--labels needs --evaluate DATA");
  if (!c.evaluate.empty()) {
    DatasetOptions eo = dopt;
    eo.limit = c.eval_limit;
    auto e = read_dataset(c.evaluate, inputs, eo);
    if (!e) return fail("--evaluate: " + e.error().message);
    eval = std::move(*e);
    if (!c.labels.empty()) {
      auto l = read_labels(c.labels);
      if (!l) return fail("--labels: " + l.error().message);
      if (l->size() < eval->samples.size())
        return fail(fmt::format("--labels: {} labels for {} evaluation samples", l->size(), eval->samples.size()));
      labels = std::move(*l);
    }
  }
  QuantizeOptions qo;
  qo.calibrate = c.calibrate;
  qo.per_channel = !c.per_tensor;
  qo.uint8_activations = c.activations == "uint8";
  qo.keep_float = c.keep_float;
  qo.bias_correction = c.bias_correction;
  qo.equalize = c.equalize;
  auto q = quantize_model(*fg, calib->samples, qo, progress);
  if (!q) return fail(q.error().message);

  std::optional<Evaluation> ev;
  if (eval) {
    auto e = evaluate_quantized(*fg, q->onnx_bytes, eval->samples, labels.empty() ? nullptr : &labels, progress);
    if (!e) return fail(e.error().message);
    ev = std::move(*e);
  }
  Status st = write_atomically(c.output, q->onnx_bytes);
  if (!st) return fail(st.error().message);

  const QuantizeReport& r = q->report;
  fmt::print("quantized {} -> {} ({} calibration samples, ranges: {})\n", c.model, c.output, r.calibration_samples, r.method);
  for (const auto& [m, s] : r.candidates) fmt::print("  {:<34} output SQNR {:6.2f} dB{}\n", m, s, m == r.method ? "  <- chosen" : "");
  if (c.equalize) fmt::print("cross-layer equalization: {} Conv pairs rescaled\n", r.equalized_pairs);
  fmt::print("int8 nodes: {}, float nodes: {}{}\n", r.quantized_nodes, r.float_nodes, r.float_ops.empty() ? "" : " (listed below)");
  fmt::print("output SQNR on the calibration data: {:.2f} dB\n", r.output_sqnr_db);
  fmt::print("per-layer SQNR (int8 output vs float, calibration data):\n");
  for (const auto& l : r.layers) fmt::print("  {:>7.2f} dB  {:<18} {}\n", l.sqnr_db, l.op, l.node.empty() ? l.tensor : l.node);
  for (const auto& f : r.float_ops) fmt::print("  float: {}\n", f);
  if (ev) {
    if (ev->classification)
      fmt::print("evaluation ({} samples): top-1 float {:.2f} %, int8 {:.2f} % ({:+.2f} points), {} predictions differ\n",
                 ev->samples, 100.0 * ev->float_top1, 100.0 * ev->int8_top1, 100.0 * (ev->int8_top1 - ev->float_top1),
                 ev->differing_predictions);
    fmt::print("evaluation ({} samples): output MSE vs float {:.6g}, SQNR {:.2f} dB\n", ev->samples, ev->output_mse,
               ev->output_sqnr_db);
    fmt::print("per-layer SQNR (int8 output vs float, evaluation data):\n");
    for (const auto& l : ev->layers) fmt::print("  {:>7.2f} dB  {:<18} {}\n", l.sqnr_db, l.op, l.node.empty() ? l.tensor : l.node);
  }
  if (!c.json_file.empty()) {
    nlohmann::json j;
    j["model"] = c.model;
    j["output"] = c.output;
    j["calibration_samples"] = r.calibration_samples;
    j["method"] = r.method;
    j["equalized_pairs"] = r.equalized_pairs;
    j["candidates"] = nlohmann::json::array();
    for (const auto& [m, s] : r.candidates) j["candidates"].push_back({{"method", m}, {"output_sqnr_db", s}});
    j["int8_nodes"] = r.quantized_nodes;
    j["float_nodes"] = r.float_nodes;
    j["float_ops"] = r.float_ops;
    j["output_sqnr_db"] = r.output_sqnr_db;
    j["layers"] = layers_json(r.layers);
    if (ev) {
      nlohmann::json e = {{"samples", ev->samples}, {"output_mse", ev->output_mse}, {"output_sqnr_db", ev->output_sqnr_db},
                          {"layers", layers_json(ev->layers)}};
      if (ev->classification) {
        e["float_top1"] = ev->float_top1;
        e["int8_top1"] = ev->int8_top1;
        e["differing_predictions"] = ev->differing_predictions;
      }
      j["evaluation"] = e;
    }
    Status js = write_atomically(c.json_file, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    if (!js) return fail(js.error().message);
  }
  return 0;
}

Expected<std::string> quantize_for_compile(const std::string& model, const std::string& data, const ImportOptions& import,
                                           bool show_progress) {
  auto fg = load_float_model(model, import);
  if (!fg) return make_error("--quantize: {}", fg.error().message);
  std::vector<DatasetInput> inputs;
  for (TensorId in : fg->inputs) inputs.push_back({fg->t(in).name, fg->t(in).shape});
  auto calib = read_dataset(data, inputs, {});
  if (!calib) return make_error("--quantize: {}", calib.error().message);
  size_t last = 101;
  QuantizeProgress progress = [&](const std::string& step, size_t done, size_t total) {
    if (!show_progress || total == 0 || done * 10 / total == last) return;
    last = done * 10 / total;
    fmt::print(stderr, "ferrite: quantize: {} {}/{}\n", step, done, total);
  };
  auto q = quantize_model(*fg, calib->samples, {}, progress);
  if (!q) return make_error("--quantize: {}", q.error().message);
  return std::move(q->onnx_bytes);
}

}  // namespace ferrite
