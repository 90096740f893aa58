#include "quantizer/ranges.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ferrite {

Expected<RangeChoice> parse_range_choice(const std::string& s) {
  RangeChoice c;
  if (s == "minmax") return c;
  if (s == "mse") {
    c.method = RangeMethod::Mse;
    return c;
  }
  if (s == "entropy") {
    c.method = RangeMethod::Entropy;
    return c;
  }
  if (s == "percentile" || s.rfind("percentile:", 0) == 0) {
    c.method = RangeMethod::Percentile;
    if (s.size() > 11) {
      char* end = nullptr;
      const std::string v = s.substr(11);
      c.percentile = std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0' || !(c.percentile > 50.0 && c.percentile <= 100.0))
        return make_error("--calibrate {}: the percentile must be a number in (50, 100]", s);
    }
    return c;
  }
  return make_error("--calibrate '{}' is not one of: minmax, percentile[:P], mse, entropy, auto", s);
}

std::string range_choice_name(const RangeChoice& c) {
  switch (c.method) {
    case RangeMethod::MinMax: return "minmax";
    case RangeMethod::Percentile: return fmt::format("percentile:{:g}", c.percentile);
    case RangeMethod::Mse: return "mse";
    case RangeMethod::Entropy: return "entropy";
  }
  return "?";
}

void TensorStats::add_minmax(const float* v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!seen) {
      min = max = v[i];
      seen = true;
    }
    min = std::min(min, v[i]);
    max = std::max(max, v[i]);
  }
}

void TensorStats::begin_histogram() {
  lo = std::min(min, 0.f);
  hi = std::max(max, 0.f);
  hist.assign(kBins, 0.0);
}

void TensorStats::add_histogram(const float* v, size_t n) {
  if (!(hi > lo)) return;
  const double k = kBins / (static_cast<double>(hi) - lo);
  for (size_t i = 0; i < n; ++i) {
    if (v[i] == 0.f) continue;  // every range represents 0 exactly (the ReLU spike would drown the rest)
    const auto b = static_cast<int64_t>((static_cast<double>(v[i]) - lo) * k);
    hist[static_cast<size_t>(std::clamp<int64_t>(b, 0, kBins - 1))] += 1.0;
  }
}

QParams qparams_for(Range r, int32_t qmin, int32_t qmax) {
  const double lo = std::min(0.0, static_cast<double>(r.lo)), hi = std::max(0.0, static_cast<double>(r.hi));
  QParams q;
  if (!(hi > lo)) return q;  // a tensor that is always 0: any scale represents it
  q.scale = static_cast<float>((hi - lo) / (qmax - qmin));
  if (!(q.scale > 0.f) || !std::isfinite(q.scale)) q.scale = std::numeric_limits<float>::min();
  const double z = std::nearbyint(qmin - lo / q.scale);
  q.zero_point = static_cast<int32_t>(std::clamp(z, static_cast<double>(qmin), static_cast<double>(qmax)));
  return q;
}

namespace {

double bin_center(const TensorStats& s, int b) {
  return s.lo + (b + 0.5) * (static_cast<double>(s.hi) - s.lo) / TensorStats::kBins;
}

// Candidate ranges: the min-max range scaled by (i / steps) on each side that is not 0 (both sides
// shrink together, keeping the zero point's place).
std::vector<Range> candidates(const TensorStats& s, int steps) {
  std::vector<Range> r;
  for (int i = steps; i >= 1; --i) {
    const float a = static_cast<float>(i) / static_cast<float>(steps);
    r.push_back({s.lo * a, s.hi * a});
  }
  return r;
}

// Expected squared error of quantizing the histogram with range r (bin centres stand for their bins).
double quant_mse(const TensorStats& s, Range r, int levels) {
  const QParams q = qparams_for(r, 0, levels - 1);
  double e = 0.0;
  for (int b = 0; b < TensorStats::kBins; ++b) {
    if (s.hist[static_cast<size_t>(b)] == 0.0) continue;
    const double x = bin_center(s, b);
    const double qv = std::clamp(std::nearbyint(x / q.scale) + q.zero_point, 0.0, static_cast<double>(levels - 1));
    const double d = (qv - q.zero_point) * q.scale - x;
    e += s.hist[static_cast<size_t>(b)] * d * d;
  }
  return e;
}

// KL(P || Q) as TensorRT's calibrator defines it: P is the histogram restricted to r's bins with
// the clipped mass folded into its end bins; Q is the restricted histogram without that mass, merged
// into `levels` buckets and spread back evenly over each bucket's non-empty bins. Clipping costs
// through P's end bins, coarse levels through Q's merging.
double quant_kl(const TensorStats& s, Range r, int levels) {
  const double w = (static_cast<double>(s.hi) - s.lo) / TensorStats::kBins;
  const int b0 = std::clamp(static_cast<int>(std::floor((r.lo - s.lo) / w + 1e-9)), 0, TensorStats::kBins - 1);
  const int b1 = std::clamp(static_cast<int>(std::ceil((r.hi - s.lo) / w - 1e-9)), b0 + 1, TensorStats::kBins);
  const int n = b1 - b0;
  const std::vector<double> raw(s.hist.begin() + b0, s.hist.begin() + b1);
  std::vector<double> p = raw;
  for (int b = 0; b < b0; ++b) p.front() += s.hist[static_cast<size_t>(b)];
  for (int b = b1; b < TensorStats::kBins; ++b) p.back() += s.hist[static_cast<size_t>(b)];
  std::vector<double> q(static_cast<size_t>(n), 0.0);
  const int buckets = std::min(levels, n);
  for (int k = 0; k < buckets; ++k) {
    const int s0 = k * n / buckets, s1 = (k + 1) * n / buckets;
    double mass = 0.0;
    int nonzero = 0;
    for (int b = s0; b < s1; ++b) {
      mass += raw[static_cast<size_t>(b)];
      nonzero += p[static_cast<size_t>(b)] > 0.0;
    }
    for (int b = s0; b < s1; ++b)
      if (p[static_cast<size_t>(b)] > 0.0) q[static_cast<size_t>(b)] = nonzero ? mass / nonzero : 0.0;
  }
  double pt = 0.0, qt = 0.0;
  for (int b = 0; b < n; ++b) pt += p[static_cast<size_t>(b)], qt += q[static_cast<size_t>(b)];
  if (pt == 0.0 || qt == 0.0) return std::numeric_limits<double>::infinity();
  double kl = 0.0;
  for (int b = 0; b < n; ++b) {
    const double pb = p[static_cast<size_t>(b)] / pt;
    if (pb == 0.0) continue;
    const double qb = q[static_cast<size_t>(b)] / qt;
    kl += qb > 0.0 ? pb * std::log(pb / qb) : pb * 50.0;  // mass Q cannot represent: heavily penalized
  }
  return kl;
}

}  // namespace

Range select_range(const TensorStats& s, const RangeChoice& c, int levels) {
  const Range full{std::min(s.min, 0.f), std::max(s.max, 0.f)};
  if (c.method == RangeMethod::MinMax || s.hist.empty() || !(s.hi > s.lo)) return full;
  if (c.method == RangeMethod::Percentile) {
    double total = 0.0;
    for (double v : s.hist) total += v;
    const double tail = total * (100.0 - c.percentile) / 100.0;
    const double w = (static_cast<double>(s.hi) - s.lo) / TensorStats::kBins;
    Range r = full;
    // Each side that is not 0 drops the `tail` share of the values beyond it.
    if (s.min < 0.f) {
      double acc = 0.0;
      int b = 0;
      while (b < TensorStats::kBins - 1 && acc + s.hist[static_cast<size_t>(b)] <= tail) acc += s.hist[static_cast<size_t>(b++)];
      r.lo = std::min(0.f, static_cast<float>(s.lo + b * w));
    }
    if (s.max > 0.f) {
      double acc = 0.0;
      int b = TensorStats::kBins - 1;
      while (b > 0 && acc + s.hist[static_cast<size_t>(b)] <= tail) acc += s.hist[static_cast<size_t>(b--)];
      r.hi = std::max(0.f, static_cast<float>(s.lo + (b + 1) * w));
    }
    return r;
  }
  Range best = full;
  double best_err = std::numeric_limits<double>::infinity();
  for (const Range& r : candidates(s, 200)) {
    // As in TensorRT, a candidate spans at least `levels` histogram bins (with fewer, Q is P).
    if (c.method == RangeMethod::Entropy && (r.hi - r.lo) * TensorStats::kBins < (s.hi - s.lo) * levels) break;
    const double e = c.method == RangeMethod::Mse ? quant_mse(s, r, levels) : quant_kl(s, r, levels);
    if (e < best_err) {
      best_err = e;
      best = r;
    }
  }
  return best;
}

}  // namespace ferrite
