// `ferrite quantize` on the command line (docs/quantization.md): reads the calibration (and
// evaluation) data, runs the quantizer (compiler/quantizer/), writes the QDQ model atomically and
// prints the report (text; JSON with --json FILE). Returns the process exit code.
#pragma once
#include <string>
#include <vector>

#include "support/error.h"

namespace ferrite {

struct QuantizeCli {
  std::string model, calibration, output, calibrate = "auto", activations = "uint8", bias_correction = "off", input_layout = "nchw", evaluate, labels, json_file;
  std::vector<std::string> input_shapes, keep_float;
  bool per_tensor = false, quiet = false, progress = false, equalize = false;
  float idx_scale = 1.f / 255.f;
  size_t limit = 0, eval_limit = 0;
};

int quantize_command(const QuantizeCli& c);

// `ferrite compile|report --quantize DATA`: quantizes `model` (with the defaults of `ferrite quantize`)
// from the calibration DATA and returns the serialized QDQ model.
struct ImportOptions;
Expected<std::string> quantize_for_compile(const std::string& model, const std::string& data, const ImportOptions& import,
                                           bool show_progress);

}  // namespace ferrite
