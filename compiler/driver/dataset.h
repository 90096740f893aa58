// Calibration and evaluation data for `ferrite quantize` (docs/quantization.md, "Data"). DATA is
//  - a folder of .npy / .pb (ONNX TensorProto) files, sorted by name; a model with several inputs
//    takes one sub-folder per input, named as the input, with the same number of files in each;
//  - an .npz archive (numpy.savez / savez_compressed) with one array per input, named as the input
//    (a single-input model also takes an archive of one array under any name);
//  - one .npy file, or an IDX file (Fashion-MNIST's format, optionally gzip'ed; unsigned bytes are
//    scaled by `idx_scale`, 1/255 by default) for a single-input model.
// Every array holds one sample (the input's shape) or N samples (N x the input's shape without its
// batch dimension of 1, or N x the input's shape; with `nhwc`, 4-D inputs channels-last, transposed
// to the model's NCHW on reading). Values are float32 (float64 is converted); NaN
// and infinities are refused, naming the file and the sample.
#pragma once
#include <string>
#include <vector>

#include "ir/ir.h"

namespace ferrite {

struct DatasetInput {
  std::string name;
  Shape shape;  // the model input's (static) shape, batch included
};

struct DatasetOptions {
  float idx_scale = 1.f / 255.f;
  size_t limit = 0;  // 0 = every sample; else the first `limit`
  bool nhwc = false;  // --input-layout nhwc: 4-D samples are stored channels-last (N x H x W x C)
};

struct Dataset {
  // samples[k][i]: sample k of input i, float32 values in the input's logical (NCHW) order.
  std::vector<std::vector<std::vector<float>>> samples;
  std::string description;  // "500 samples from 'calib.npz'"
};

Expected<Dataset> read_dataset(const std::string& path, const std::vector<DatasetInput>& inputs, const DatasetOptions& o);

// Integer class labels: a 1-D .npy of integers or an IDX label file (optionally gzip'ed).
Expected<std::vector<int64_t>> read_labels(const std::string& path);

// Decompresses zlib's raw deflate (`gzip` = false) or a gzip stream, refusing more than `max_bytes`.
Expected<std::string> inflate_bytes(const std::string& in, bool gzip, size_t max_bytes);

}  // namespace ferrite
