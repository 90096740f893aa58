// The quantizer's range selection (compiler/quantizer/ranges.h) on known distributions.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "quantizer/ranges.h"

using namespace ferrite;

namespace {
TensorStats stats_of(const std::vector<float>& v) {
  TensorStats s;
  s.add_minmax(v.data(), v.size());
  s.begin_histogram();
  s.add_histogram(v.data(), v.size());
  return s;
}
// Mean squared error of quantizing v to 256 levels over r.
double mse(const std::vector<float>& v, Range r) {
  const QParams q = qparams_for(r, -128, 127);
  double e = 0;
  for (float x : v) {
    const double qv = std::clamp(std::nearbyint(static_cast<double>(x) / q.scale) + q.zero_point, -128.0, 127.0);
    e += ((qv - q.zero_point) * q.scale - x) * ((qv - q.zero_point) * q.scale - x);
  }
  return e / static_cast<double>(v.size());
}
}  // namespace

TEST_CASE("quantizer: the zero point represents 0 exactly and the range is kept", "[quantizer]") {
  const QParams q = qparams_for({-1.f, 3.f}, -128, 127);
  CHECK(q.scale == Approx(4.0 / 255));
  CHECK(q.zero_point == -128 + static_cast<int>(std::nearbyint(1.0 / (4.0 / 255))));
  const QParams r = qparams_for({0.5f, 2.f}, -128, 127);  // widened to include 0
  CHECK(r.zero_point == -128);
  CHECK(r.scale == Approx(2.0 / 255));
  const QParams z = qparams_for({0.f, 0.f}, 0, 255);
  CHECK(z.scale > 0.f);
}

TEST_CASE("quantizer: on a heavy tail the clipping methods cut the range, MSE beats min-max", "[quantizer]") {
  const bool relu = GENERATE(false, true);
  // Laplace-distributed values (a heavy tail, as activations have): max |x| about 12.
  std::mt19937 rng(7);
  std::exponential_distribution<float> e(1.f);
  std::bernoulli_distribution sign(0.5);
  std::vector<float> v(200000);
  for (float& x : v) x = relu ? e(rng) : (sign(rng) ? e(rng) : -e(rng));
  const TensorStats s = stats_of(v);
  const Range mm = select_range(s, {RangeMethod::MinMax, 0});
  CHECK(mm.hi == s.max);
  CHECK(mm.lo == (relu ? 0.f : s.min));
  for (const RangeChoice c : {RangeChoice{RangeMethod::Percentile, 99.99}, RangeChoice{RangeMethod::Mse, 0},
                              RangeChoice{RangeMethod::Entropy, 0}}) {
    INFO(range_choice_name(c));
    const Range r = select_range(s, c);
    CHECK(r.hi < mm.hi);
    CHECK(r.hi > 5.f);  // the bulk of the distribution stays (P(x > 5) = 0.7 %)
    if (relu) CHECK(r.lo == 0.f);
    else CHECK(r.lo < -5.f);
    CHECK(mse(v, r) < 2.0 * mse(v, mm));
  }
  CHECK(mse(v, select_range(s, {RangeMethod::Mse, 0})) < mse(v, mm));
}

TEST_CASE("quantizer: far outliers cost more clipped than kept, and MSE keeps them", "[quantizer]") {
  std::mt19937 rng(3);
  std::normal_distribution<float> d(0.f, 1.f);
  std::vector<float> v(100000);
  for (float& x : v) x = d(rng);
  for (int i = 0; i < 100; ++i) v.push_back(30.f);  // 0.1 % of the values at 30 sigma
  const TensorStats s = stats_of(v);
  const Range r = select_range(s, {RangeMethod::Mse, 0});
  CHECK(r.hi > 25.f);
  CHECK(select_range(s, {RangeMethod::Percentile, 99.0}).hi < 5.f);
}

TEST_CASE("quantizer: --calibrate values", "[quantizer]") {
  CHECK(parse_range_choice("percentile:99.9")->percentile == 99.9);
  CHECK(parse_range_choice("mse")->method == RangeMethod::Mse);
  CHECK_FALSE(parse_range_choice("percentile:101"));
  CHECK_FALSE(parse_range_choice("kl"));
}
