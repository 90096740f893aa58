// Activation statistics and range selection for `ferrite quantize` (docs/quantization.md):
// min-max, percentile, MSE-optimal and entropy (KL divergence) ranges from a histogram of the
// values a tensor took over the calibration data.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "support/error.h"

namespace ferrite {

enum class RangeMethod { MinMax, Percentile, Mse, Entropy };

struct RangeChoice {
  RangeMethod method = RangeMethod::MinMax;
  double percentile = 99.99;  // RangeMethod::Percentile
};
// "minmax", "percentile:99.99" (or "percentile"), "mse", "entropy".
Expected<RangeChoice> parse_range_choice(const std::string& s);
std::string range_choice_name(const RangeChoice& c);

// What one tensor took: min/max, then a histogram of `kBins` equal bins over [lo, hi] (the min-max
// range widened to include 0), filled in a second pass. Exact zeros are not counted: every range
// represents 0 exactly, and the spike of a ReLU output at 0 would decide the entropy method alone.
struct TensorStats {
  static constexpr int kBins = 8192;
  float min = 0.f, max = 0.f;
  bool seen = false;
  float lo = 0.f, hi = 0.f;
  std::vector<double> hist;
  void add_minmax(const float* v, size_t n);
  void begin_histogram();
  void add_histogram(const float* v, size_t n);
};

// The [lo, hi] range (lo <= 0 <= hi) that `c` picks for a tensor quantized to `levels` levels
// (256 for 8 bits).
struct Range {
  float lo = 0.f, hi = 0.f;
};
Range select_range(const TensorStats& s, const RangeChoice& c, int levels = 256);

// Affine quantization parameters for a range: scale > 0 and a zero point in [qmin, qmax] that
// represents 0 exactly.
struct QParams {
  float scale = 1.f;
  int32_t zero_point = 0;
};
QParams qparams_for(Range r, int32_t qmin, int32_t qmax);

}  // namespace ferrite
