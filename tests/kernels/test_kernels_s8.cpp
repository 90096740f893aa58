// Unit tests for the int8 runtime kernels in runtime_templates/. The kernels are included the way
// the emitter includes them: prelude first, then the kernel bodies inside namespace ferrite_rt
// (common/requant.h before every *_s8 file). Expectations are hand-computed on small data; larger
// random cases are checked against naive references written here.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <vector>

#include "common/prelude.h"
namespace ferrite_rt {
#include "common/act.h"
#include "common/requant.h"
#include "quantize/quantize.h"
#include "conv_s8/conv_s8.h"
#include "fc_s8/fc_s8.h"
#include "binary_s8/binary_s8.h"
#include "pool_s8/pool_s8.h"
#include "concat_s8/concat_s8.h"
#include "lut_s8/lut_s8.h"
#include "softmax_s8/softmax_s8.h"
#include "conv_s8/conv_transpose_s8.h"
}  // namespace ferrite_rt

using namespace ferrite_rt;

namespace {

template <typename T, typename U>
void check_eq_s8(const T* y, const std::vector<U>& e) {
  for (size_t i = 0; i < e.size(); ++i) {
    INFO("index " << i);
    REQUIRE(static_cast<int32_t>(y[i]) == static_cast<int32_t>(e[i]));
  }
}

float f32_from_bits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

ConvS8Params conv_s8_params(int n, int c_in, int h_in, int w_in, int c_out, int kh, int kw, int sh, int sw, int dh,
                            int dw, int pt, int pl, int pb, int pr, int group) {
  ConvS8Params p{};
  p.n = n; p.c_in = c_in; p.h_in = h_in; p.w_in = w_in; p.c_out = c_out;
  p.kh = kh; p.kw = kw; p.stride_h = sh; p.stride_w = sw; p.dil_h = dh; p.dil_w = dw;
  p.pad_top = pt; p.pad_left = pl; p.group = group;
  p.h_out = (h_in + pt + pb - dh * (kh - 1) - 1) / sh + 1;
  p.w_out = (w_in + pl + pr - dw * (kw - 1) - 1) / sw + 1;
  p.act_min = -128; p.act_max = 127;
  return p;
}

// Naive accumulators: x NHWC, w OHWI; padded taps skipped.
std::vector<int32_t> ref_conv_acc(const ConvS8Params& p, const std::vector<int8_t>& x, const std::vector<int8_t>& w,
                                  const int32_t* bias) {
  const int cin_g = p.c_in / p.group, cout_g = p.c_out / p.group;
  std::vector<int32_t> y(static_cast<size_t>(p.n * p.h_out * p.w_out * p.c_out));
  for (int n = 0; n < p.n; ++n)
    for (int oh = 0; oh < p.h_out; ++oh)
      for (int ow = 0; ow < p.w_out; ++ow)
        for (int oc = 0; oc < p.c_out; ++oc) {
          const int g = oc / cout_g;
          int32_t acc = bias ? bias[oc] : 0;
          for (int ky = 0; ky < p.kh; ++ky)
            for (int kx = 0; kx < p.kw; ++kx)
              for (int ic = 0; ic < cin_g; ++ic) {
                const int ih = oh * p.stride_h - p.pad_top + ky * p.dil_h;
                const int iw = ow * p.stride_w - p.pad_left + kx * p.dil_w;
                if (ih < 0 || ih >= p.h_in || iw < 0 || iw >= p.w_in) continue;
                const int xv = x[static_cast<size_t>(((n * p.h_in + ih) * p.w_in + iw) * p.c_in + g * cin_g + ic)];
                const int wv = w[static_cast<size_t>(((oc * p.kh + ky) * p.kw + kx) * cin_g + ic)];
                acc += (xv - p.in_zp) * (wv - p.w_zp);
              }
          y[static_cast<size_t>(((n * p.h_out + oh) * p.w_out + ow) * p.c_out + oc)] = acc;
        }
  return y;
}

std::vector<int8_t> random_s8(std::mt19937& rng, size_t n) {
  std::uniform_int_distribution<int> d(-128, 127);
  std::vector<int8_t> v(n);
  for (auto& e : v) e = static_cast<int8_t>(d(rng));
  return v;
}

BinaryS8Params bin_params(BinOpS8 op, int total) {
  BinaryS8Params p{};
  p.op = op; p.rank = 1; p.out_shape[0] = total; p.a_stride[0] = 1; p.b_stride[0] = 1;
  p.total = total; p.same_shape = 1;
  p.a_scale = 1.0f; p.b_scale = 1.0f; p.y_scale = 1.0f;
  p.act_min = -128; p.act_max = 127;
  return p;
}

PoolS8Params pool_params(int n, int c, int h, int w, int kh, int kw, int s, int pt, int pl, int pb, int pr) {
  PoolS8Params p{};
  p.n = n; p.c = c; p.h_in = h; p.w_in = w; p.kh = kh; p.kw = kw; p.stride_h = s; p.stride_w = s;
  p.dil_h = 1; p.dil_w = 1; p.pad_top = pt; p.pad_left = pl; p.pad_bottom = pb; p.pad_right = pr;
  p.h_out = (h + pt + pb - kh) / s + 1;
  p.w_out = (w + pl + pr - kw) / s + 1;
  p.in_scale = 1.0f; p.out_scale = 1.0f; p.act_min = -128; p.act_max = 127;
  return p;
}

}  // namespace

TEST_CASE("round_half_even matches nearbyintf on [-2^22, 2^22]", "[s8][requant]") {
  // All half-way points (and integers, and neighbours) in [-300, 300].
  for (int k = -600; k <= 600; ++k) {
    const float h = static_cast<float>(k) * 0.5f;
    REQUIRE(round_half_even(h) == static_cast<int32_t>(std::nearbyintf(h)));
    REQUIRE(round_half_even(std::nextafterf(h, 1e9f)) == static_cast<int32_t>(std::nearbyintf(std::nextafterf(h, 1e9f))));
    REQUIRE(round_half_even(std::nextafterf(h, -1e9f)) == static_cast<int32_t>(std::nearbyintf(std::nextafterf(h, -1e9f))));
  }
  REQUIRE(round_half_even(2.5f) == 2);
  REQUIRE(round_half_even(3.5f) == 4);
  REQUIRE(round_half_even(-2.5f) == -2);
  REQUIRE(round_half_even(-0.5f) == 0);
  REQUIRE(round_half_even(0.49999997f) == 0);
  // Dense sample of every float in [0, 2^22] and its negative (every 61st bit pattern, plus all
  // patterns in [2^21, 2^22] where the spacing is 0.25).
  const uint32_t top = 0x4A800000u;  // 2^22
  int64_t mismatches = 0;
  for (uint32_t u = 0; u <= top; u += 61u) {
    const float f = f32_from_bits(u);
    if (round_half_even(f) != static_cast<int32_t>(std::nearbyintf(f))) ++mismatches;
    if (round_half_even(-f) != static_cast<int32_t>(std::nearbyintf(-f))) ++mismatches;
  }
  for (uint32_t u = 0x4A000000u; u <= top; ++u) {
    const float f = f32_from_bits(u);
    if (round_half_even(f) != static_cast<int32_t>(std::nearbyintf(f))) ++mismatches;
    if (round_half_even(-f) != static_cast<int32_t>(std::nearbyintf(-f))) ++mismatches;
  }
  REQUIRE(mismatches == 0);
  // Out of range: clamped to +-2^22.
  REQUIRE(round_half_even(1e9f) == 4194304);
  REQUIRE(round_half_even(-1e9f) == -4194304);
}

TEST_CASE("requantize: ties to even, zero point, saturation, fused clamp", "[s8][requant]") {
  REQUIRE(requantize(5, 0.5f, 0, -128, 127) == 2);    // 2.5 -> 2
  REQUIRE(requantize(7, 0.5f, 0, -128, 127) == 4);    // 3.5 -> 4
  REQUIRE(requantize(-5, 0.5f, 0, -128, 127) == -2);  // -2.5 -> -2
  REQUIRE(requantize(5, 0.5f, 3, -128, 127) == 5);    // round first, then + zp
  REQUIRE(requantize(1000, 1.0f, 0, -128, 127) == 127);
  REQUIRE(requantize(-1000, 1.0f, 10, -128, 127) == -128);
  REQUIRE(requantize(-7, 1.0f, -3, -3, 127) == -3);   // fused Relu: clamp at zp
  REQUIRE(requantize(100, 1.0f, 0, -128, 6) == 6);
  REQUIRE(requantize(2147483647, 1.0f, 0, -128, 127) == 127);
}

TEST_CASE("quantize_f32_rt: run-time scale and zero point (int8 / uint8 storage), in place", "[s8][quantize]") {
  SECTION("int8: the zero point byte read as int8, ties to even, saturation, NaN") {
    QuantizeParams p{1, 1, 7, 0, -128, 127, 0};
    const float x[7] = {0.25f, 0.75f, -0.25f, 100.0f, -100.0f, 0.5f, NAN};
    const float s = 0.5f;  // x / s = 0.5, 1.5, -0.5, 200, -200, 1
    const int8_t zp = -3;
    uint8_t y[7];
    quantize_f32_rt(p, x, &s, &zp, y);
    check_eq_s8(reinterpret_cast<const int8_t*>(y), std::vector<int>{-3, -1, -3, 127, -128, -2, -128});
  }
  SECTION("uint8: the zero point byte read as uint8") {
    QuantizeParams p{1, 1, 4, 0, 0, 255, 0};
    const float x[4] = {-1.0f, 1.0f, 1000.0f, -2.5f};
    const float s = 1.0f;
    const uint8_t zp = 200;
    uint8_t y[4];
    quantize_f32_rt(p, x, &s, &zp, y);
    check_eq_s8(y, std::vector<int>{199, 201, 255, 198});
  }
  SECTION("in place over the float input") {
    QuantizeParams p{1, 1, 9, 0, 0, 255, 0};
    float buf[9] = {0, 1, 2, 3, 4, 5, 6, 7, 300};
    const float s = 0.5f;
    const uint8_t zp = 10;
    quantize_f32_rt(p, buf, &s, &zp, buf);
    check_eq_s8(reinterpret_cast<const uint8_t*>(buf), std::vector<int>{10, 12, 14, 16, 18, 20, 22, 24, 255});
  }
}

TEST_CASE("quantize_f32 / dequantize_f32 per tensor, per axis, relayout", "[s8][quantize]") {
  SECTION("per tensor int8: division, ties to even, saturation") {
    QuantizeParams p{1, 1, 6, 0, -128, 127, 0};
    const float x[6] = {0.25f, 0.75f, -0.25f, 100.0f, -100.0f, 0.5f};
    const float s = 0.5f;  // x / s = 0.5, 1.5, -0.5, 200, -200, 1
    const int32_t zp = 1;
    uint8_t y[6];
    quantize_f32(p, x, &s, &zp, y);
    const int8_t* ys = reinterpret_cast<const int8_t*>(y);
    check_eq_s8(ys, std::vector<int>{1, 3, 1, 127, -128, 2});
  }
  SECTION("uint8 storage") {
    QuantizeParams p{1, 1, 3, 0, 0, 255, 0};
    const float x[3] = {-1.0f, 1.0f, 1000.0f};
    const float s = 1.0f;
    const int32_t zp = 128;
    uint8_t y[3];
    quantize_f32(p, x, &s, &zp, y);
    check_eq_s8(y, std::vector<int>{127, 129, 255});
    float d[3];
    dequantize_f32(p, y, &s, &zp, d);
    REQUIRE(d[0] == -1.0f);
    REQUIRE(d[1] == 1.0f);
    REQUIRE(d[2] == 127.0f);
  }
  SECTION("per axis with NCHW -> NHWC relayout and back") {
    // [outer=1][channels=2][inner=3]
    QuantizeParams p{1, 2, 3, 1, -128, 127, 1};
    const float x[6] = {1.0f, 2.0f, 3.0f, 10.0f, 20.0f, 30.0f};
    const float s[2] = {1.0f, 10.0f};
    const int32_t zp[2] = {0, -5};
    uint8_t y[6];
    quantize_f32(p, x, s, zp, y);
    check_eq_s8(reinterpret_cast<const int8_t*>(y), std::vector<int>{1, -4, 2, -3, 3, -2});
    float d[6];
    dequantize_f32(p, y, s, zp, d);
    for (int i = 0; i < 6; ++i) REQUIRE(d[i] == x[i]);
  }
  SECTION("quantize uses x / scale, not x * (1 / scale)") {
    // Pick values where the two differ after rounding.
    const float s = 0.1f;
    const float recip = 1.0f / s;
    int differs = 0;
    for (int k = -2000; k <= 2000; ++k) {
      const float xv = static_cast<float>(k) * 0.05f;
      QuantizeParams p{1, 1, 1, 0, -128, 127, 0};
      const int32_t zp = 0;
      uint8_t y;
      quantize_f32(p, &xv, &s, &zp, &y);
      int32_t e = static_cast<int32_t>(std::nearbyintf(xv / s));
      e = e < -128 ? -128 : (e > 127 ? 127 : e);
      REQUIRE(static_cast<int8_t>(y) == e);
      if (static_cast<int32_t>(std::nearbyintf(xv * recip)) != static_cast<int32_t>(std::nearbyintf(xv / s))) ++differs;
    }
    (void)differs;
  }
}

TEST_CASE("requantize_s8 and flip_sign_bytes", "[s8][quantize]") {
  RequantizeParams p{5, 1, -2, 0.5f, 1.0f, -128, 127};
  int8_t x[5] = {1, 2, 4, 127, -128};  // (x - 1) * 0.5 = 0, 0.5, 1.5, 63, -64.5
  requantize_s8(p, x, x);               // in place
  check_eq_s8(x, std::vector<int>{-2, -2, 0, 61, -66});
  uint8_t b[3] = {0x00, 0x80, 0xFF};
  flip_sign_bytes(FlipSignParams{3}, b, b);
  check_eq_s8(b, std::vector<int>{0x80, 0x00, 0x7F});
}

TEST_CASE("conv_s8: padding with in_zp != 0, w_zp != 0, out_int32 and requant ties", "[s8][conv]") {
  ConvS8Params p = conv_s8_params(1, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
  p.in_zp = 2; p.w_zp = 1;
  const std::vector<int8_t> x{1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int8_t> w(9, 2);  // w - w_zp = 1
  std::vector<int16_t> scratch(conv_s8_scratch_bytes(p) / sizeof(int16_t));
  REQUIRE(conv_s8_scratch_bytes(p) == 18);
  p.out_int32 = 1;
  int32_t acc[9];
  conv_s8_nhwc(p, x.data(), w.data(), nullptr, nullptr, acc, scratch.data());
  // Sum of (x - 2) over the in-range taps; padded taps contribute 0.
  check_eq_s8(acc, std::vector<int>{4, 9, 8, 15, 27, 21, 16, 27, 20});
  p.out_int32 = 0;
  p.out_zp = -1;
  const float scale = 0.5f;
  int8_t y[9];
  conv_s8_nhwc(p, x.data(), w.data(), nullptr, &scale, y, scratch.data());
  // 2-1, 4.5->4 -1, 4-1, 7.5->8 -1, 13.5->14 -1, 10.5->10 -1, 8-1, 13.5->14 -1, 10-1
  check_eq_s8(y, std::vector<int>{1, 3, 3, 7, 13, 9, 7, 13, 9});
  // Bias (int32, before scaling) and fused Relu (act_min = out_zp).
  const int32_t bias = -20;
  p.act_min = -1;
  conv_s8_nhwc(p, x.data(), w.data(), &bias, &scale, y, scratch.data());
  // (acc - 20) * 0.5: -8, -5.5->-6, -6, -2.5->-2, 3.5->4, 0.5->0, -2, 3.5->4, 0 ; -1 then clamp >= -1
  check_eq_s8(y, std::vector<int>{-1, -1, -1, -1, 3, -1, -1, 3, -1});
}

TEST_CASE("conv_s8: groups, strides, dilation, per-channel scales vs reference", "[s8][conv]") {
  std::mt19937 rng(1234);
  struct Case { int n, ci, h, w, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g; };
  const Case cases[] = {
      {1, 4, 5, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2},
      {2, 3, 6, 7, 4, 3, 2, 2, 1, 1, 2, 0, 1, 1, 0, 1},
      {1, 6, 4, 4, 6, 2, 2, 2, 2, 1, 1, 1, 0, 0, 1, 3},
  };
  for (const Case& c : cases) {
    ConvS8Params p = conv_s8_params(c.n, c.ci, c.h, c.w, c.co, c.kh, c.kw, c.sh, c.sw, c.dh, c.dw, c.pt, c.pl, c.pb,
                                    c.pr, c.g);
    p.in_zp = -7; p.w_zp = 3; p.out_zp = 5;
    const auto x = random_s8(rng, static_cast<size_t>(c.n * c.h * c.w * c.ci));
    const auto w = random_s8(rng, static_cast<size_t>(c.co * c.kh * c.kw * (c.ci / c.g)));
    std::vector<int32_t> bias(static_cast<size_t>(c.co));
    std::vector<float> scale(static_cast<size_t>(c.co));
    for (int i = 0; i < c.co; ++i) {
      bias[static_cast<size_t>(i)] = (i * 37) % 200 - 100;
      scale[static_cast<size_t>(i)] = 0.0007f * static_cast<float>(i + 1);
    }
    const auto ref = ref_conv_acc(p, x, w, bias.data());
    std::vector<int16_t> scratch(conv_s8_scratch_bytes(p) / sizeof(int16_t) + 1);
    std::vector<int32_t> acc(ref.size());
    p.out_int32 = 1;
    conv_s8_nhwc(p, x.data(), w.data(), bias.data(), nullptr, acc.data(), scratch.data());
    check_eq_s8(acc.data(), ref);
    p.out_int32 = 0;
    std::vector<int8_t> y(ref.size());
    conv_s8_nhwc(p, x.data(), w.data(), bias.data(), scale.data(), y.data(), scratch.data());
    for (size_t i = 0; i < ref.size(); ++i) {
      const int oc = static_cast<int>(i % static_cast<size_t>(c.co));
      int32_t e = static_cast<int32_t>(std::nearbyintf(static_cast<float>(ref[i]) * scale[static_cast<size_t>(oc)])) + 5;
      e = e < -128 ? -128 : (e > 127 ? 127 : e);
      REQUIRE(y[i] == e);
    }
  }
}

TEST_CASE("conv1x1_s8 equals the general conv; dwconv_s8 vs reference", "[s8][conv]") {
  std::mt19937 rng(99);
  {
    ConvS8Params p = conv_s8_params(2, 5, 3, 4, 7, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    p.in_zp = 11; p.w_zp = -4; p.out_zp = -9;
    const auto x = random_s8(rng, 2 * 3 * 4 * 5);
    const auto w = random_s8(rng, 7 * 5);
    std::vector<float> scale(7, 0.003f);
    scale[3] = 0.01f;
    std::vector<int8_t> y1(2 * 3 * 4 * 7), y2(y1.size());
    std::vector<int16_t> scratch(conv_s8_scratch_bytes(p) / 2);
    conv_s8_nhwc(p, x.data(), w.data(), nullptr, scale.data(), y1.data(), scratch.data());
    conv1x1_s8_nhwc(p, x.data(), w.data(), nullptr, scale.data(), y2.data());
    REQUIRE(y1 == y2);
    p.out_int32 = 1;
    std::vector<int32_t> a1(y1.size()), a2(y1.size());
    conv_s8_nhwc(p, x.data(), w.data(), nullptr, nullptr, a1.data(), scratch.data());
    conv1x1_s8_nhwc(p, x.data(), w.data(), nullptr, nullptr, a2.data());
    REQUIRE(a1 == a2);
  }
  {
    ConvS8Params p = conv_s8_params(1, 3, 5, 5, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 3);
    p.in_zp = -3; p.w_zp = 2; p.out_int32 = 1;
    const auto x = random_s8(rng, 5 * 5 * 3);
    const auto w_hwc = random_s8(rng, 3 * 3 * 3);  // [kh][kw][c]
    std::vector<int8_t> w_ohwi(w_hwc.size());       // [c][kh][kw][1]
    for (int ky = 0; ky < 3; ++ky)
      for (int kx = 0; kx < 3; ++kx)
        for (int c = 0; c < 3; ++c)
          w_ohwi[static_cast<size_t>((c * 3 + ky) * 3 + kx)] = w_hwc[static_cast<size_t>((ky * 3 + kx) * 3 + c)];
    const int32_t bias[3] = {5, -6, 7};
    const auto ref = ref_conv_acc(p, x, w_ohwi, bias);
    std::vector<int32_t> acc(ref.size());
    dwconv_s8_nhwc(p, x.data(), w_hwc.data(), bias, nullptr, acc.data());
    check_eq_s8(acc.data(), ref);
    // Hand check of output (0,0), channel 0: taps (ky,kx) in {1,2}x{1,2} -> input (0..1, 0..1).
    int32_t e = 5;
    for (int ky = 1; ky < 3; ++ky)
      for (int kx = 1; kx < 3; ++kx)
        e += (x[static_cast<size_t>(((ky - 1) * 5 + (kx - 1)) * 3)] + 3) * (w_hwc[static_cast<size_t>((ky * 3 + kx) * 3)] - 2);
    REQUIRE(acc[0] == e);
    p.out_int32 = 0;
    const float scale[3] = {0.01f, 0.02f, 0.5f};
    std::vector<int8_t> y(ref.size());
    dwconv_s8_nhwc(p, x.data(), w_hwc.data(), bias, scale, y.data());
    for (size_t i = 0; i < ref.size(); ++i) REQUIRE(y[i] == requantize(ref[i], scale[i % 3], 0, -128, 127));
  }
}

TEST_CASE("fc_s8 and matmul_s8", "[s8][fc]") {
  SECTION("fc: zero points, bias, per-channel scale, out_int32") {
    FcS8Params p{2, 3, 2, 1, -1, 2, -128, 127, 1, 1};
    const int8_t x[6] = {1, 2, 3, -1, 0, 5};
    const int8_t w[6] = {0, 1, 2, -1, -1, 3};  // rows: out features; (w + 1)
    const int32_t bias[2] = {10, -10};
    int32_t acc[4];
    fc_s8(p, x, w, bias, nullptr, acc);
    // row0: (0,1,2)*(1,2,3)=8 +10=18 ; (0,0,4)*(...)=8 -10=-2
    // row1: (-2,-1,4)*(1,2,3)=8 +10=18 ; (-2,-1,4)*(0,0,4)=16 -10=6
    check_eq_s8(acc, std::vector<int>{18, -2, 18, 6});
    p.out_int32 = 0;
    const float scale[2] = {0.25f, 0.75f};
    int8_t y[4];
    fc_s8(p, x, w, bias, scale, y);
    // 4.5->4 +2 ; -1.5->-2 +2 ; 6 ; 4.5->4 +2
    check_eq_s8(y, std::vector<int>{6, 0, 6, 6});
    p.per_channel = 0;
    fc_s8(p, x, w, nullptr, scale, y);  // scale[0] = 0.25 for all: 8*0.25=2, 2, 2, 4
    check_eq_s8(y, std::vector<int>{4, 4, 4, 6});
  }
  SECTION("matmul: batch broadcasting of B, int8 and int32 outputs") {
    MatMulS8Params p{};
    p.batch_rank = 1; p.batch_shape[0] = 2; p.a_bstride[0] = 4; p.b_bstride[0] = 0;
    p.m = 2; p.n = 2; p.k = 2; p.a_zp = 1; p.b_zp = -1; p.out_zp = 0;
    p.act_min = -128; p.act_max = 127; p.per_channel = 1; p.out_int32 = 1;
    const int8_t a[8] = {1, 2, 3, 4, 0, 1, 2, 2};  // a - 1: [[0,1],[2,3]], [[-1,0],[1,1]]
    const int8_t b[4] = {0, 1, 2, 3};              // b + 1: [[1,2],[3,4]]
    int32_t acc[8];
    matmul_s8(p, a, b, nullptr, acc);
    check_eq_s8(acc, std::vector<int>{3, 4, 11, 16, -1, -2, 4, 6});
    p.out_int32 = 0; p.out_zp = 1;
    const float scale[2] = {0.5f, 2.0f};
    int8_t y[8];
    matmul_s8(p, a, b, scale, y);
    // col0 *0.5: 1.5->2, 5.5->6, -0.5->0, 2 ; col1 *2: 8, 32, -4, 12 ; + 1
    check_eq_s8(y, std::vector<int>{3, 9, 7, 33, 1, -3, 3, 13});
  }
}

TEST_CASE("binary_s8 fma emulation is exact", "[s8][binary]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> ai(-128, 127);
  std::uniform_real_distribution<float> rr(-12.0f, 8.0f);
  std::uniform_real_distribution<float> cr(-30.0f, 30.0f);
  for (int it = 0; it < 200000; ++it) {
    const int a = ai(rng);
    const float r = std::ldexp(1.0f + std::fabs(rr(rng)) / 16.0f, static_cast<int>(rr(rng)));
    float c = cr(rng);
    if (it % 7 == 0) c = std::ldexp(c, static_cast<int>(rr(rng)) * 3);
    if (it % 11 == 0) c = -static_cast<float>(a) * r;  // cancellation
    const float e = std::fmaf(static_cast<float>(a), r, c);
    const float g = binary_s8_fma(a, r, c);
    INFO("a=" << a << " r=" << r << " c=" << c);
    REQUIRE(((g == e) || (g == 0.0f && e == 0.0f)));
  }
}

TEST_CASE("binary_s8 Add: ratios, ties to even, saturation, broadcast, in place", "[s8][binary]") {
  SECTION("same scales") {
    BinaryS8Params p = bin_params(BinOpS8::Add, 4);
    int8_t a[4] = {1, 100, -100, 5};
    const int8_t b[4] = {2, 100, -100, -7};
    binary_s8(p, a, b, a);  // in place
    check_eq_s8(a, std::vector<int>{3, 127, -128, -2});
  }
  SECTION("scale ratio 0.5, ties to even, zero points, fused clamp") {
    BinaryS8Params p = bin_params(BinOpS8::Add, 5);
    p.a_scale = 0.5f; p.b_scale = 0.5f; p.a_zp = 1; p.b_zp = 0; p.y_zp = 0;
    const int8_t a[5] = {4, 6, 0, 2, -3};   // a - 1: 3, 5, -1, 1, -4
    const int8_t b[5] = {0, 0, 0, 2, 0};
    int8_t y[5];
    binary_s8(p, a, b, y);  // 1.5->2, 2.5->2, -0.5->0, 1.5->2, -2
    check_eq_s8(y, std::vector<int>{2, 2, 0, 2, -2});
    p.act_min = 0;
    binary_s8(p, a, b, y);
    check_eq_s8(y, std::vector<int>{2, 2, 0, 2, 0});
  }
  SECTION("broadcast of b (innermost stride 0) and of a") {
    BinaryS8Params p{};
    p.op = BinOpS8::Add; p.rank = 2; p.out_shape[0] = 2; p.out_shape[1] = 3;
    p.a_stride[0] = 3; p.a_stride[1] = 1; p.b_stride[0] = 1; p.b_stride[1] = 0;
    p.total = 6; p.same_shape = 0; p.a_scale = 1.0f; p.b_scale = 2.0f; p.y_scale = 1.0f;
    p.b_zp = 1; p.act_min = -128; p.act_max = 127;
    int8_t a[6] = {1, 2, 3, 4, 5, 6};
    const int8_t b[2] = {3, -1};  // (b - 1) * 2 = 4, -4
    binary_s8(p, a, b, a);         // in place on the non-broadcast operand
    check_eq_s8(a, std::vector<int>{5, 6, 7, 0, 1, 2});
    // Swap roles: a broadcast along the inner dim.
    BinaryS8Params q = p;
    q.a_stride[0] = 1; q.a_stride[1] = 0; q.b_stride[0] = 3; q.b_stride[1] = 1;
    q.a_scale = 2.0f; q.b_scale = 1.0f; q.a_zp = 1; q.b_zp = 0;
    const int8_t a2[2] = {3, -1};
    const int8_t b2[6] = {1, 2, 3, 4, 5, 6};
    int8_t y[6];
    binary_s8(q, a2, b2, y);
    check_eq_s8(y, std::vector<int>{5, 6, 7, 0, 1, 2});
  }
  SECTION("general path equals the fused formula computed with fmaf") {
    std::mt19937 rng(5);
    BinaryS8Params p = bin_params(BinOpS8::Add, 512);
    p.a_scale = 0.0123f; p.b_scale = 0.0371f; p.y_scale = 0.0419f; p.a_zp = -3; p.b_zp = 9; p.y_zp = 4;
    const auto a = random_s8(rng, 512), b = random_s8(rng, 512);
    std::vector<int8_t> y(512);
    binary_s8(p, a.data(), b.data(), y.data());
    const float rA = p.a_scale / p.y_scale, rB = p.b_scale / p.y_scale;
    const float F = static_cast<float>(p.y_zp) - (rA * static_cast<float>(p.a_zp) + rB * static_cast<float>(p.b_zp));
    for (size_t i = 0; i < 512; ++i) {
      const float t = std::fmaf(static_cast<float>(a[i]), rA, std::fmaf(static_cast<float>(b[i]), rB, F));
      int32_t e = static_cast<int32_t>(std::nearbyintf(t));
      e = e < -128 ? -128 : (e > 127 ? 127 : e);
      REQUIRE(y[i] == e);
    }
  }
}

TEST_CASE("binary_s8 Mul: zero point added before rounding", "[s8][binary]") {
  BinaryS8Params p = bin_params(BinOpS8::Mul, 5);
  p.a_scale = 0.5f; p.b_scale = 0.5f; p.y_scale = 1.0f;  // ratio 0.25
  p.a_zp = 1; p.b_zp = -1;
  const int8_t a[5] = {4, 3, 127, -128, 1};  // a - 1: 3, 2, 126, -129, 0
  const int8_t b[5] = {4, 4, 127, 127, 9};   // b + 1: 5, 5, 128, 128, 10
  int8_t y[5];
  binary_s8(p, a, b, y);  // 3.75->4, 2.5->2, 4032->127, -4128->-128, 0
  check_eq_s8(y, std::vector<int>{4, 2, 127, -128, 0});
  p.y_zp = 1;
  binary_s8(p, a, b, y);  // 4.75->5, 3.5->4 (round(2.5)+1 would be 3), 127, -128, 1
  check_eq_s8(y, std::vector<int>{5, 4, 127, -128, 1});
  // Broadcast b as a scalar along the inner dim.
  BinaryS8Params q = p;
  q.same_shape = 0; q.rank = 1; q.out_shape[0] = 5; q.a_stride[0] = 1; q.b_stride[0] = 0; q.y_zp = 0;
  const int8_t s = 3;  // b + 1 = 4 -> ratio * 4 = 1
  binary_s8(q, a, &s, y);
  check_eq_s8(y, std::vector<int>{3, 2, 126, -128, 0});
}

TEST_CASE("maxpool_s8 and avgpool_s8", "[s8][pool]") {
  // 1x3x3x2 NHWC; channel 0: 1..9, channel 1: -1..-9
  std::vector<int8_t> x(18);
  for (int i = 0; i < 9; ++i) {
    x[static_cast<size_t>(2 * i)] = static_cast<int8_t>(i + 1);
    x[static_cast<size_t>(2 * i + 1)] = static_cast<int8_t>(-(i + 1));
  }
  SECTION("max with padding (padding never wins) and fused clamp") {
    PoolS8Params p = pool_params(1, 2, 3, 3, 2, 2, 2, 1, 1, 1, 1);  // out 2x2
    int8_t y[8];
    maxpool_s8_nhwc(p, x.data(), y);
    check_eq_s8(y, std::vector<int>{1, -1, 3, -2, 7, -4, 9, -5});
    p.act_min = -3;
    maxpool_s8_nhwc(p, x.data(), y);
    check_eq_s8(y, std::vector<int>{1, -1, 3, -2, 7, -3, 9, -3});
  }
  SECTION("avg, count_include_pad off/on, zero points, ties to even") {
    PoolS8Params p = pool_params(1, 2, 3, 3, 2, 2, 2, 1, 1, 1, 1);
    p.in_zp = 1; p.out_zp = 0;
    int8_t y[8];
    avgpool_s8_nhwc(p, x.data(), y);
    // ch0 windows: {1}->0 ; {2,3}->(1+2)/2=1.5->2 ; {4,7}->(3+6)/2=4.5->4 ; {5,6,8,9}->(4+5+7+8)/4=6
    // ch1: {-1}->-2 ; {-2,-3}->(-3-4)/2=-3.5->-4 ; {-4,-7}->(-5-8)/2=-6.5->-6 ; (-6-7-9-10)/4=-8
    check_eq_s8(y, std::vector<int>{0, -2, 2, -4, 4, -6, 6, -8});
    p.count_include_pad = 1;
    avgpool_s8_nhwc(p, x.data(), y);
    // divide by 4: 0, -0.5->0 ; 0.75->1, -1.75->-2 ; 2.25->2, -3.25->-3 ; 6, -8
    check_eq_s8(y, std::vector<int>{0, 0, 1, -2, 2, -3, 6, -8});
  }
  SECTION("avg with scales: out zero point added before rounding") {
    PoolS8Params p = pool_params(1, 1, 1, 2, 1, 2, 1, 0, 0, 0, 0);
    p.in_scale = 0.5f; p.out_scale = 1.0f; p.out_zp = 1;
    // kernel covers the whole input, no pads -> ORT's global-pool integer path:
    // (3 + 4) = 7 * (0.5 / 2) = 1.75 -> 2, + 1 = 3
    const int8_t xi[2] = {3, 4};
    int8_t y[1];
    avgpool_s8_nhwc(p, xi, y);
    REQUIRE(y[0] == 3);
    // Window smaller than the input: float path. (0.5*3 + 0.5*4)/2 = 1.75; 1.75 + 1 = 2.75 -> 3.
    PoolS8Params q = pool_params(1, 1, 1, 3, 1, 2, 1, 0, 0, 0, 0);
    q.in_scale = 0.5f; q.out_scale = 1.0f; q.out_zp = 1;
    const int8_t x3[3] = {3, 4, 1};  // windows {3,4}: 1.75+1 -> 3 ; {4,1}: 1.25 + 1 = 2.25 -> 2
    int8_t y2[2];
    avgpool_s8_nhwc(q, x3, y2);
    check_eq_s8(y2, std::vector<int>{3, 2});
    // A tie that only exists after adding the zero point: avg 1.5, zp 1 -> 2.5 -> 2.
    const int8_t x4[3] = {1, 5, 0};  // 0.5*(1+5)/2 = 1.5 ; 0.5*(5+0)/2 = 1.25
    avgpool_s8_nhwc(q, x4, y2);
    check_eq_s8(y2, std::vector<int>{2, 2});
  }
}

TEST_CASE("global_avgpool_s8_nhwc, in place", "[s8][pool]") {
  // n=2, spatial=3, c=2
  int8_t x[12] = {1, 10, 2, 20, 4, 31, -1, -10, -2, -20, -3, -30};
  GlobalPoolS8Params p{2, 2, 3, 1, -2, 1.0f, 1.0f, -128, 127};
  // scale = 1 / (1 * 3). n0c0: (7 - 3)/3 = 1.33 -> 1 ; n0c1: (61-3)/3 = 19.33 -> 19
  // n1c0: (-6-3)/3 = -3 ; n1c1: (-60-3)/3 = -21 ; then + zp (-2)
  global_avgpool_s8_nhwc(p, x, x);
  check_eq_s8(x, std::vector<int>{-1, 17, -5, -23});
  // Exact ORT scale formula: in_scale / (out_scale * spatial), then float(acc) * scale.
  int8_t z[4] = {3, 3, 3, 0};
  GlobalPoolS8Params q{1, 1, 4, 0, 0, 0.3f, 0.1f, -128, 127};
  int8_t y[1];
  global_avgpool_s8_nhwc(q, z, y);
  const float sc = 0.3f / (0.1f * 4.0f);
  REQUIRE(y[0] == static_cast<int8_t>(std::nearbyintf(9.0f * sc)));
}

TEST_CASE("concat_s8_part with and without requantization", "[s8][concat]") {
  int8_t y[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const int8_t x0[4] = {1, 2, 3, 4};   // [2][2]
  const int8_t x1[4] = {10, 11, -128, 127};  // [2][2]
  ConcatS8PartParams p0{2, 2, 4, 0, 0, 0, 0, 1.0f, 1.0f};
  concat_s8_part(p0, x0, y);
  ConcatS8PartParams p1{2, 2, 4, 2, 1, 10, 1, 0.5f, 1.0f};
  concat_s8_part(p1, x1, y);
  // (x - 10) * 0.5 = 0, 0.5->0, -69, 58.5->58 ; + 1
  check_eq_s8(y, std::vector<int>{1, 2, 1, 1, 3, 4, -68, 59});
  ConcatS8PartParams p2{2, 2, 4, 2, 1, 0, 0, 4.0f, 1.0f};  // saturation
  concat_s8_part(p2, x1, y);
  check_eq_s8(y, std::vector<int>{1, 2, 40, 44, 3, 4, -128, 127});
}

TEST_CASE("lut_s8", "[s8][lut]") {
  int8_t table[256];
  for (int i = 0; i < 256; ++i) table[i] = static_cast<int8_t>(127 - i);  // y = -x - 1
  int8_t x[4] = {-128, -1, 0, 127};
  LutParams p{4};
  lut_s8(p, x, table, x);
  check_eq_s8(x, std::vector<int>{127, 0, -1, -128});
}

TEST_CASE("softmax_s8", "[s8][softmax]") {
  SECTION("uniform and dominated rows over the middle axis") {
    // [outer=1][axis=4][inner=2]: column 0 uniform, column 1 one large value.
    const int8_t x[8] = {5, 0, 5, 0, 5, 100, 5, 0};
    SoftmaxS8Params p{1, 4, 2, 0, -128, 1.0f, 1.0f / 256.0f, -128, 127};
    int8_t y[8];
    softmax_s8(p, x, y);
    // column 0: 0.25 * 256 = 64 -> -64 ; column 1: ~1 -> saturates at 127, ~0 -> -128
    check_eq_s8(y, std::vector<int>{-64, -128, -64, -128, -64, 127, -64, -128});
  }
  SECTION("against a float reference") {
    const int8_t x[5] = {-20, 3, 17, 0, 9};
    SoftmaxS8Params p{1, 5, 1, 3, -128, 0.1f, 1.0f / 256.0f, -128, 127};
    int8_t y[5];
    softmax_s8(p, x, y);
    float e[5], s = 0.0f;
    for (int j = 0; j < 5; ++j) {
      e[j] = std::exp(0.1f * static_cast<float>(x[j] - 3) - 0.1f * static_cast<float>(17 - 3));
      s += e[j];
    }
    for (int j = 0; j < 5; ++j) {
      int32_t q = static_cast<int32_t>(std::nearbyintf((e[j] / s) * 256.0f)) - 128;
      q = q > 127 ? 127 : q;
      REQUIRE(std::abs(static_cast<int32_t>(y[j]) - q) <= 1);
    }
  }
}

TEST_CASE("bottleneck_s8 equals expand, depthwise and project run one after another", "[s8][conv][bottleneck]") {
  std::mt19937 rng(7);
  // (h, w, c_in, c_mid, c_out, depthwise kernel, stride, pad, with biases)
  struct Case { int32_t h, w, ci, cm, co, k, s, pad; bool bias; };
  for (const Case& t : {Case{6, 5, 3, 8, 4, 3, 1, 1, true}, Case{7, 6, 4, 12, 5, 3, 2, 1, false},
                        Case{5, 5, 2, 6, 3, 5, 2, 2, true}, Case{4, 4, 8, 8, 2, 1, 1, 0, true}}) {
    INFO("case " << t.h << "x" << t.w << " ci " << t.ci << " cm " << t.cm << " k " << t.k << " s " << t.s);
    const int32_t ho = (t.h + 2 * t.pad - t.k) / t.s + 1, wo = (t.w + 2 * t.pad - t.k) / t.s + 1;
    ConvS8Params e = conv_s8_params(1, t.ci, t.h, t.w, t.cm, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    ConvS8Params d = conv_s8_params(1, t.cm, t.h, t.w, t.cm, t.k, t.k, t.s, t.s, 1, 1, t.pad, t.pad, t.pad, t.pad, t.cm);
    ConvS8Params q = conv_s8_params(1, t.cm, ho, wo, t.co, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    REQUIRE((d.h_out == ho && d.w_out == wo));
    e.in_zp = 7; e.w_zp = -2; e.out_zp = -128; e.act_min = -128; e.act_max = 40;  // fused Relu6-style clamp
    d.in_zp = -128; d.w_zp = 3; d.out_zp = -100; d.act_min = -100; d.act_max = 127;
    q.in_zp = -100; q.w_zp = 0; q.out_zp = 5;
    const auto x = random_s8(rng, static_cast<size_t>(t.h * t.w * t.ci));
    const auto we = random_s8(rng, static_cast<size_t>(t.cm * t.ci));
    const auto wd = random_s8(rng, static_cast<size_t>(t.k * t.k * t.cm));
    const auto wp = random_s8(rng, static_cast<size_t>(t.co * t.cm));
    std::vector<int32_t> be(static_cast<size_t>(t.cm)), bd(be.size()), bp(static_cast<size_t>(t.co));
    for (auto* b : {&be, &bd, &bp})
      for (auto& v : *b) v = static_cast<int32_t>(rng() % 2001) - 1000;
    std::vector<float> se(be.size()), sd(be.size()), sp(bp.size());
    for (auto* s : {&se, &sd, &sp})
      for (auto& v : *s) v = 0.0005f + 0.0001f * static_cast<float>(rng() % 50);
    const int32_t* Be = t.bias ? be.data() : nullptr;
    const int32_t* Bd = t.bias ? bd.data() : nullptr;
    const int32_t* Bp = t.bias ? bp.data() : nullptr;
    std::vector<int8_t> mid(static_cast<size_t>(t.h * t.w * t.cm)), dw(static_cast<size_t>(ho * wo * t.cm)),
        ref(static_cast<size_t>(ho * wo * t.co)), y(ref.size(), 0);
    conv1x1_s8_nhwc(e, x.data(), we.data(), Be, se.data(), mid.data());
    dwconv_s8_nhwc(d, mid.data(), wd.data(), Bd, sd.data(), dw.data());
    conv1x1_s8_nhwc(q, dw.data(), wp.data(), Bp, sp.data(), ref.data());
    const BottleneckS8Params p{e, d, q};
    std::vector<uint8_t> scratch(bottleneck_s8_scratch_bytes(p) + 4);
    REQUIRE(bottleneck_s8_scratch_bytes(p) ==
            static_cast<size_t>(4 * ho * wo * t.co + t.h * t.w + ho * wo));
    bottleneck_s8_nhwc(p, x.data(), we.data(), Be, se.data(), wd.data(), Bd, sd.data(), wp.data(), Bp, sp.data(),
                       y.data(), reinterpret_cast<int32_t*>(scratch.data()));
    REQUIRE(y == ref);
    // The data are not degenerate: outputs vary and some saturate or sit at the clamp.
    REQUIRE(std::set<int8_t>(ref.begin(), ref.end()).size() > 3);
  }
}

TEST_CASE("dwconv_s8_nhwc_inplace equals dwconv_s8_nhwc (stride 1 and 2, padding, dilation)", "[s8][conv]") {
  std::mt19937 rng(3);
  struct Case { int32_t h, w, c, k, s, d, pad; };
  for (const Case& t : {Case{6, 7, 5, 3, 1, 1, 1}, Case{9, 8, 4, 3, 2, 1, 1}, Case{7, 7, 3, 3, 1, 2, 2},
                        Case{8, 6, 6, 5, 2, 1, 2}}) {
    INFO("case " << t.h << "x" << t.w << "x" << t.c << " k " << t.k << " s " << t.s << " d " << t.d);
    ConvS8Params p = conv_s8_params(1, t.c, t.h, t.w, t.c, t.k, t.k, t.s, t.s, t.d, t.d, t.pad, t.pad, t.pad, t.pad, t.c);
    p.in_zp = 9; p.w_zp = -3; p.out_zp = -20; p.act_min = -100; p.act_max = 90;
    const auto x = random_s8(rng, static_cast<size_t>(t.h * t.w * t.c));
    const auto w = random_s8(rng, static_cast<size_t>(t.k * t.k * t.c));
    std::vector<int32_t> bias(static_cast<size_t>(t.c));
    std::vector<float> scale(bias.size());
    for (size_t i = 0; i < bias.size(); ++i) {
      bias[i] = static_cast<int32_t>(rng() % 801) - 400;
      scale[i] = 0.002f + 0.001f * static_cast<float>(i);
    }
    std::vector<int8_t> ref(static_cast<size_t>(p.h_out * p.w_out * t.c));
    dwconv_s8_nhwc(p, x.data(), w.data(), bias.data(), scale.data(), ref.data());
    std::vector<int8_t> buf = x, temp(static_cast<size_t>(t.h * t.w));
    dwconv_s8_nhwc_inplace(p, buf.data(), w.data(), bias.data(), scale.data(), temp.data());
    REQUIRE(std::vector<int8_t>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(ref.size())) == ref);
    REQUIRE(std::set<int8_t>(ref.begin(), ref.end()).size() > 3);
  }
}

TEST_CASE("reduce_mean_s8: ONNX Runtime's float ReduceMean order (Eigen SSE sum), NCHW and NHWC", "[s8][reduce]") {
  // Two rows of 9: row 0 starts 16-byte aligned (two packets from element 0, one trailing element),
  // row 1 starts at element 9 (first aligned element 3: one packet 3..6, then 0..2, then 7..8).
  const std::vector<int8_t> x = {17, -3, 99, 5, -128, 127, 33, -77, 2, 64, -1, 12, 100, -90, 45, 3, -50, 7};
  GlobalPoolS8Params p{1, 2, 9, 3, -4, 0.1f, 0.05f, -128, 127};
  auto d = [&](int i) { return static_cast<float>(static_cast<int32_t>(x[static_cast<size_t>(i)]) - 3) * 0.1f; };
  auto q = [&](float s) {
    const float v = (s / 9.0f) / 0.05f;
    const float c = v < -124.f ? -124.f : (v > 131.f ? 131.f : v);
    return static_cast<int32_t>(std::nearbyint(c)) - 4;
  };
  float a0 = d(0) + d(4), a1 = d(1) + d(5), a2 = d(2) + d(6), a3 = d(3) + d(7);
  float s0 = (a0 + a2) + (a1 + a3);
  s0 += d(8);
  const int o = 9;
  float s1 = (d(o + 3) + d(o + 5)) + (d(o + 4) + d(o + 6));
  s1 += d(o + 0);
  s1 += d(o + 1);
  s1 += d(o + 2);
  s1 += d(o + 7);
  s1 += d(o + 8);
  int8_t y[2];
  reduce_mean_s8(p, x.data(), y);
  check_eq_s8(y, std::vector<int32_t>{q(s0), q(s1)});
  // The same rows stored NHWC ([1][9][2]): ORT's FastReduceRK order, left to right per channel.
  std::vector<int8_t> xh(18);
  for (int c = 0; c < 2; ++c)
    for (int i = 0; i < 9; ++i) xh[static_cast<size_t>(i * 2 + c)] = x[static_cast<size_t>(c * 9 + i)];
  float h0 = d(0), h1 = d(o);
  for (int i = 1; i < 9; ++i) {
    h0 += d(i);
    h1 += d(o + i);
  }
  int8_t yh[2];
  reduce_mean_s8_nhwc(p, xh.data(), yh);
  check_eq_s8(yh, std::vector<int32_t>{q(h0), q(h1)});
  // Saturation: a mean far above the output range clamps to 127.
  GlobalPoolS8Params big{1, 1, 4, 0, 0, 1.0f, 0.01f, -128, 127};
  const int8_t xb[4] = {100, 100, 100, 100};
  int8_t yb;
  reduce_mean_s8(big, xb, &yb);
  CHECK(yb == 127);
}

TEST_CASE("conv_transpose_s8_fma: the integer fused multiply-add equals fmaf on every operand range", "[s8][conv_transpose]") {
  std::mt19937 rng(77);
  std::uniform_real_distribution<float> mant(1.0f, 2.0f);
  std::uniform_int_distribution<int> ex(-40, 40), sign(0, 1), kind(0, 5);
  size_t checked = 0;
  for (int i = 0; i < 300000; ++i) {
    const auto val = [&](int e) { return std::ldexp(mant(rng), e) * (sign(rng) ? -1.0f : 1.0f); };
    const float a = val(ex(rng)), b = val(ex(rng));
    float c;
    switch (kind(rng)) {
      case 0: c = 0.0f; break;
      case 1: c = -a * b; break;                                       // heavy cancellation
      case 2: c = std::nextafter(-a * b, 0.0f); break;
      case 3: c = val(ex(rng) * 2); break;                              // far apart exponents
      default: c = val(std::ilogb(a) + std::ilogb(b) + ex(rng) / 8); break;  // near the product
    }
    const float want = std::fma(a, b, c), got = conv_transpose_s8_fma(a, b, c);
    INFO(a << " * " << b << " + " << c);
    REQUIRE((std::memcmp(&want, &got, 4) == 0 || (want == 0.0f && got == 0.0f)));
    ++checked;
  }
  CHECK(checked == 300000);
  // A product whose exact sum with c lies half an ulp from a float: one rounding (fmaf), not two.
  const float a = 1.0f + std::ldexp(1.0f, -12), b = 1.0f + std::ldexp(1.0f, -12);
  const float c = -1.0f;
  CHECK(conv_transpose_s8_fma(a, b, c) == std::fma(a, b, c));
  CHECK(conv_transpose_s8_fma(a, b, c) != a * b + c);
}

TEST_CASE("conv_transpose_s8: 2x2 stride 2, bias, output clamp, by hand", "[s8][conv_transpose]") {
  // One input channel of 2x2, one output channel: each output pixel gets exactly one tap.
  ConvS8Params p{};
  p.n = 1; p.c_in = 1; p.h_in = 2; p.w_in = 2; p.c_out = 1; p.h_out = 4; p.w_out = 4;
  p.kh = 2; p.kw = 2; p.stride_h = 2; p.stride_w = 2; p.dil_h = 1; p.dil_w = 1; p.group = 1;
  p.in_zp = 1; p.w_zp = 0; p.out_zp = -3; p.act_min = -128; p.act_max = 127;
  const int8_t x[4] = {3, -1, 1, 11};   // x - zp = 2, -2, 0, 10
  const int8_t w[4] = {1, 2, -3, 4};
  const float fs[3] = {0.5f, 0.25f, 1.0f};  // x_scale, y_scale, w_scale
  const float bias[1] = {0.25f};
  int8_t y[16];
  conv_transpose_s8(p, x, w, fs, bias, y);
  // y[oh][ow] = (x[oh/2][ow/2] - 1) * 0.5 * w[oh%2][ow%2] + 0.25, / 0.25, round half even, - 3.
  std::vector<int32_t> e(16);
  for (int oh = 0; oh < 4; ++oh)
    for (int ow = 0; ow < 4; ++ow) {
      const float v = static_cast<float>(x[(oh / 2) * 2 + ow / 2] - 1) * 0.5f * static_cast<float>(w[(oh % 2) * 2 + ow % 2]) + 0.25f;
      e[static_cast<size_t>(oh * 4 + ow)] = std::max(-128, std::min(127, static_cast<int32_t>(std::nearbyint(v / 0.25f)) - 3));
    }
  check_eq_s8(y, e);
  CHECK(y[0] == 2);     // 2 * 0.5 * 1 + 0.25 = 1.25 -> 5 - 3
  CHECK(y[15] == 78);   // 10 * 0.5 * 4 + 0.25 = 20.25 -> 81 - 3
  p.act_min = 0;        // a fused Relu of out_zp -3 clamps at 0 (Q(0) = -3 < 0: a Clip at 0.75)
  conv_transpose_s8(p, x, w, fs, bias, y);
  for (int i = 0; i < 16; ++i) CHECK(y[i] == std::max<int32_t>(0, e[static_cast<size_t>(i)]));
}
