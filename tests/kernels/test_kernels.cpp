// Unit tests for the float32 runtime kernels in runtime_templates/. The kernels are included the
// same way the emitter and the constant folder include them: prelude first, then the kernel bodies
// inside namespace ferrite_rt. Expectations are hand-computed on small integer data so that float
// results are exact (Approx only for exp/log/tanh-based results).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "common/prelude.h"
namespace ferrite_rt {
#include "common/act.h"
#include "common/convert.h"
#include "cast/cast.h"
#include "copy/copy.h"
#include "conv/conv_f32.h"
#include "gemm/gemm_f32.h"
#include "matmul/matmul_f32.h"
#include "binary/binary_f32.h"
#include "unary/unary_f32.h"
#include "elu/elu_f32.h"
#include "softmax/softmax_f32.h"
#include "pool/pool_f32.h"
#include "global_pool/global_pool_f32.h"
#include "strided_copy/strided_copy_f32.h"
#include "concat/concat.h"
#include "pad/pad_f32.h"
#include "reduce/reduce_f32.h"
#include "reduce/reduce_acc_f32.h"
#include "where/where.h"
#include "tile/tile.h"
#include "argmax/argmax_f32.h"
#include "instancenorm/instancenorm_f32.h"
#include "batchnorm/batchnorm_train_f32.h"
#include "resize/resize_f32.h"
}  // namespace ferrite_rt

using namespace ferrite_rt;

namespace {

ActParams act_none() { return ActParams{Act::None, 0.0f, 0.0f, 0.0f, 0.0f}; }
ActParams act_relu() { return ActParams{Act::Relu, 0.0f, 0.0f, 0.0f, 0.0f}; }
ActParams act_clip(float lo, float hi) { return ActParams{Act::Clip, 0.0f, 0.0f, lo, hi}; }

template <typename T>
void check_eq(const T* y, const std::vector<T>& e) {
  for (size_t i = 0; i < e.size(); ++i) {
    INFO("index " << i);
    REQUIRE(y[i] == e[i]);
  }
}

void check_approx(const float* y, const std::vector<float>& e) {
  for (size_t i = 0; i < e.size(); ++i) {
    INFO("index " << i);
    REQUIRE(y[i] == Approx(e[i]).epsilon(1e-6));
  }
}

std::vector<float> iota(int n, float start = 1.0f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = start + static_cast<float>(i);
  return v;
}

ConvParams conv_params(int n, int c_in, int h_in, int w_in, int c_out, int kh, int kw, int sh, int sw,
                       int dh, int dw, int pt, int pl, int pb, int pr, int group) {
  ConvParams p{};
  p.n = n; p.c_in = c_in; p.h_in = h_in; p.w_in = w_in;
  p.c_out = c_out;
  p.kh = kh; p.kw = kw;
  p.stride_h = sh; p.stride_w = sw;
  p.dil_h = dh; p.dil_w = dw;
  p.pad_top = pt; p.pad_left = pl;
  p.h_out = (h_in + pt + pb - ((kh - 1) * dh + 1)) / sh + 1;
  p.w_out = (w_in + pl + pr - ((kw - 1) * dw + 1)) / sw + 1;
  p.group = group;
  p.d_in = p.d_out = p.kd = p.stride_d = p.dil_d = 1;
  p.act = act_none();
  return p;
}

// Straightforward reference straight from the ONNX formula.
std::vector<float> conv_ref(const ConvParams& p, const float* x, const float* w, const float* bias) {
  std::vector<float> y(static_cast<size_t>(p.n * p.c_out * p.h_out * p.w_out));
  const int cin_g = p.c_in / p.group, cout_g = p.c_out / p.group;
  for (int n = 0; n < p.n; ++n)
    for (int oc = 0; oc < p.c_out; ++oc)
      for (int oh = 0; oh < p.h_out; ++oh)
        for (int ow = 0; ow < p.w_out; ++ow) {
          const int g = oc / cout_g;
          float acc = bias ? bias[oc] : 0.0f;
          for (int ic = 0; ic < cin_g; ++ic)
            for (int ky = 0; ky < p.kh; ++ky)
              for (int kx = 0; kx < p.kw; ++kx) {
                const int ih = oh * p.stride_h - p.pad_top + ky * p.dil_h;
                const int iw = ow * p.stride_w - p.pad_left + kx * p.dil_w;
                if (ih < 0 || ih >= p.h_in || iw < 0 || iw >= p.w_in) continue;
                acc += x[((n * p.c_in + g * cin_g + ic) * p.h_in + ih) * p.w_in + iw] *
                       w[((oc * cin_g + ic) * p.kh + ky) * p.kw + kx];
              }
          y[static_cast<size_t>(((n * p.c_out + oc) * p.h_out + oh) * p.w_out + ow)] =
              apply_act(p.act, acc);
        }
  return y;
}

std::vector<float> run_conv(const ConvParams& p, const std::vector<float>& x, const std::vector<float>& w,
                            const float* bias) {
  std::vector<float> y(static_cast<size_t>(p.n * p.c_out * p.h_out * p.w_out), -777.0f);
  std::vector<float> scratch(conv2d_f32_scratch_bytes(p) / sizeof(float) + 1, -555.0f);
  conv2d_f32(p, x.data(), w.data(), bias, y.data(), scratch.data());
  return y;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Conv
// ---------------------------------------------------------------------------------------------

TEST_CASE("conv 3-D and transposed conv 3-D against the ONNX formulas", "[conv]") {
  // x [1, 4, 3, 4, 5], w [2 groups: 4 out, 2 in][2][3][2], stride (2, 1, 2), dilation (1, 2, 1), pads
  // front 1, top 2, left 0.
  ConvParams p{};
  p.n = 1; p.c_in = 4; p.c_out = 4; p.group = 2;
  p.d_in = 3; p.h_in = 4; p.w_in = 5;
  p.kd = 2; p.kh = 3; p.kw = 2;
  p.stride_d = 2; p.stride_h = 1; p.stride_w = 2;
  p.dil_d = 1; p.dil_h = 2; p.dil_w = 1;
  p.pad_front = 1; p.pad_top = 2; p.pad_left = 0;
  p.d_out = (3 + 1 + 1 - 2) / 2 + 1;      // pad_back 1: 2
  p.h_out = (4 + 2 + 0 - 5) / 1 + 1;      // 2
  p.w_out = (5 + 0 + 0 - 2) / 2 + 1;      // 2
  p.act = act_none();
  const int cin_g = 2, cout_g = 2;
  std::vector<float> x(static_cast<size_t>(4 * 3 * 4 * 5)), w(static_cast<size_t>(4 * cin_g * 2 * 3 * 2));
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 7) % 11) - 5.0f;
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 5) % 7) - 3.0f;
  const float bias[4] = {0.5f, -1.0f, 2.0f, 0.0f};
  std::vector<float> ref(static_cast<size_t>(4 * p.d_out * p.h_out * p.w_out));
  for (int oc = 0; oc < 4; ++oc)
    for (int od = 0; od < p.d_out; ++od)
      for (int oh = 0; oh < p.h_out; ++oh)
        for (int ow = 0; ow < p.w_out; ++ow) {
          float acc = bias[oc];
          for (int ic = 0; ic < cin_g; ++ic)
            for (int kz = 0; kz < p.kd; ++kz)
              for (int ky = 0; ky < p.kh; ++ky)
                for (int kx = 0; kx < p.kw; ++kx) {
                  const int id = od * p.stride_d - p.pad_front + kz * p.dil_d;
                  const int ih = oh * p.stride_h - p.pad_top + ky * p.dil_h;
                  const int iw = ow * p.stride_w - p.pad_left + kx * p.dil_w;
                  if (id < 0 || id >= p.d_in || ih < 0 || ih >= p.h_in || iw < 0 || iw >= p.w_in) continue;
                  const int c = (oc / cout_g) * cin_g + ic;
                  acc += x[static_cast<size_t>(((c * p.d_in + id) * p.h_in + ih) * p.w_in + iw)] *
                         w[static_cast<size_t>((((oc * cin_g + ic) * p.kd + kz) * p.kh + ky) * p.kw + kx)];
                }
          ref[static_cast<size_t>(((oc * p.d_out + od) * p.h_out + oh) * p.w_out + ow)] = acc;
        }
  std::vector<float> y(ref.size(), -777.0f);
  std::vector<float> scratch(conv2d_f32_scratch_bytes(p) / sizeof(float), -555.0f);
  REQUIRE(scratch.size() == static_cast<size_t>(cin_g * 2 * 3 * 2));
  conv2d_f32(p, x.data(), w.data(), bias, y.data(), scratch.data());
  check_eq(y.data(), ref);

  // Transposed: x [1, 4, 2, 2, 3] -> y [1, 4, d, h, w], weights [c_in][c_out/group][kd][kh][kw]; the
  // reference scatters every input value (ONNX's definition), the kernel gathers.
  ConvParams t = p;
  t.d_in = 2; t.h_in = 2; t.w_in = 3;
  t.stride_d = 2; t.stride_h = 1; t.stride_w = 2;
  t.pad_front = 1; t.pad_top = 0; t.pad_left = 1;
  t.d_out = (2 - 1) * 2 + (2 - 1) * 1 + 1 - 1 - 0;  // end pad 0: 2
  t.h_out = (2 - 1) * 1 + (3 - 1) * 2 + 1 - 0 - 1;  // end pad 1: 5
  t.w_out = (3 - 1) * 2 + (2 - 1) * 1 + 1 - 1 - 0;  // 5
  std::vector<float> tx(static_cast<size_t>(4 * 2 * 2 * 3));
  for (size_t i = 0; i < tx.size(); ++i) tx[i] = static_cast<float>((i * 3) % 5) - 2.0f;
  std::vector<float> tref(static_cast<size_t>(4 * t.d_out * t.h_out * t.w_out));
  for (int oc = 0; oc < 4; ++oc)
    for (size_t i = 0; i < static_cast<size_t>(t.d_out * t.h_out * t.w_out); ++i)
      tref[static_cast<size_t>(oc * t.d_out * t.h_out * t.w_out) + i] = bias[oc];
  for (int ic = 0; ic < 4; ++ic)
    for (int id = 0; id < t.d_in; ++id)
      for (int ih = 0; ih < t.h_in; ++ih)
        for (int iw = 0; iw < t.w_in; ++iw)
          for (int ocg = 0; ocg < cout_g; ++ocg)
            for (int kz = 0; kz < t.kd; ++kz)
              for (int ky = 0; ky < t.kh; ++ky)
                for (int kx = 0; kx < t.kw; ++kx) {
                  const int od = id * t.stride_d + kz * t.dil_d - t.pad_front;
                  const int oh = ih * t.stride_h + ky * t.dil_h - t.pad_top;
                  const int ow = iw * t.stride_w + kx * t.dil_w - t.pad_left;
                  if (od < 0 || od >= t.d_out || oh < 0 || oh >= t.h_out || ow < 0 || ow >= t.w_out) continue;
                  const int oc = (ic / cin_g) * cout_g + ocg;
                  tref[static_cast<size_t>(((oc * t.d_out + od) * t.h_out + oh) * t.w_out + ow)] +=
                      tx[static_cast<size_t>(((ic * t.d_in + id) * t.h_in + ih) * t.w_in + iw)] *
                      w[static_cast<size_t>((((ic * cout_g + ocg) * t.kd + kz) * t.kh + ky) * t.kw + kx)];
                }
  std::vector<float> ty(tref.size(), -777.0f);
  conv_transpose2d_f32(t, tx.data(), w.data(), bias, ty.data());
  check_eq(ty.data(), tref);  // integer-valued sums: exact in either order
}

TEST_CASE("conv2d: plain 2x2 kernel, with and without bias", "[conv]") {
  auto p = conv_params(1, 1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1);
  REQUIRE(p.h_out == 2);
  REQUIRE(p.w_out == 2);
  const auto x = iota(9);
  const std::vector<float> w = {1, 0, 0, 1};
  check_eq(run_conv(p, x, w, nullptr).data(), {6, 8, 12, 14});
  const float b[1] = {1};
  check_eq(run_conv(p, x, w, b).data(), {7, 9, 13, 15});
  REQUIRE(conv2d_f32_scratch_bytes(p) == 4 * sizeof(float));
}

TEST_CASE("conv2d: pad 1, stride 2, 3x3 ones", "[conv]") {
  auto p = conv_params(1, 1, 3, 3, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
  REQUIRE(p.h_out == 2);
  const auto x = iota(9);
  const std::vector<float> w(9, 1.0f);
  check_eq(run_conv(p, x, w, nullptr).data(), {12, 16, 24, 28});
}

TEST_CASE("conv2d: dilation 2", "[conv]") {
  auto p = conv_params(1, 1, 3, 3, 1, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0, 1);
  REQUIRE(p.h_out == 1);
  REQUIRE(p.w_out == 1);
  check_eq(run_conv(p, iota(9), {1, 2, 3, 4}, nullptr).data(), {64});
}

TEST_CASE("conv2d: groups", "[conv]") {
  // c_in 4, c_out 2, group 2, 1x1 kernel over a 1x2 image.
  auto p = conv_params(1, 4, 1, 2, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2);
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<float> w = {1, 10, 100, 1000};
  check_eq(run_conv(p, x, w, nullptr).data(), {31, 42, 7500, 8600});
  // c_in 2, c_out 4, group 2: two output channels per group.
  auto q = conv_params(1, 2, 1, 2, 4, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2);
  const std::vector<float> x2 = {1, 2, 3, 4};
  const std::vector<float> w2 = {1, 2, 3, 4};
  const float b[4] = {0, 1, 0, 1};
  check_eq(run_conv(q, x2, w2, b).data(), {1, 2, 3, 5, 9, 12, 13, 17});
}

TEST_CASE("conv2d: fused activation", "[conv]") {
  auto p = conv_params(1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1);
  p.act = act_relu();
  check_eq(run_conv(p, {-1, 0, 2}, {3}, nullptr).data(), {0, 0, 6});
  p.act = act_clip(-1.0f, 4.0f);
  check_eq(run_conv(p, {-1, 1, 2}, {3}, nullptr).data(), {-1, 3, 4});
}

TEST_CASE("conv2d: matches the ONNX formula over a parameter sweep", "[conv]") {
  struct Case { int n, c_in, h, w, c_out, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, g; };
  const Case cases[] = {
      {2, 3, 5, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 4, 7, 5, 6, 3, 2, 2, 1, 1, 2, 1, 0, 2, 1, 2},
      {1, 6, 6, 6, 6, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 3},
      {2, 4, 4, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 4},
      {1, 2, 1, 9, 3, 1, 4, 1, 3, 1, 2, 0, 3, 0, 2, 1},
      {1, 3, 5, 5, 2, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0, 1},
  };
  for (const Case& c : cases) {
    auto p = conv_params(c.n, c.c_in, c.h, c.w, c.c_out, c.kh, c.kw, c.sh, c.sw, c.dh, c.dw, c.pt, c.pl,
                         c.pb, c.pr, c.g);
    std::vector<float> x(static_cast<size_t>(c.n * c.c_in * c.h * c.w));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(static_cast<int>(i * 7 % 11) - 5);
    std::vector<float> w(static_cast<size_t>(c.c_out * (c.c_in / c.g) * c.kh * c.kw));
    for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(static_cast<int>(i * 5 % 7) - 3);
    std::vector<float> b(static_cast<size_t>(c.c_out));
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i) - 1.0f;
    const auto ref = conv_ref(p, x.data(), w.data(), b.data());
    check_eq(run_conv(p, x, w, b.data()).data(), ref);
    if (c.g == c.c_in && c.c_in == c.c_out) {
      std::vector<float> y(ref.size(), -777.0f);
      dwconv2d_f32(p, x.data(), w.data(), b.data(), y.data());
      check_eq(y.data(), ref);
    }
  }
}

TEST_CASE("dwconv2d: pad 1 stride 2, bias, per-channel weights", "[conv]") {
  auto p = conv_params(1, 2, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 2);
  REQUIRE(p.h_out == 2);
  REQUIRE(p.w_out == 2);
  const auto x = iota(18);  // channel 0: 1..9, channel 1: 10..18
  const std::vector<float> w = {1, 1, 1, 1, 0, 0, 0, 2};
  const float b[2] = {0, 1};
  std::vector<float> y(8, -777.0f);
  dwconv2d_f32(p, x.data(), w.data(), b, y.data());
  check_eq(y.data(), {1, 5, 11, 28, 21, 25, 33, 37});
  dwconv2d_f32(p, x.data(), w.data(), nullptr, y.data());
  check_eq(y.data(), {1, 5, 11, 28, 20, 24, 32, 36});
  // Same through the general kernel.
  check_eq(run_conv(p, x, w, b).data(), {1, 5, 11, 28, 21, 25, 33, 37});
}

// ---------------------------------------------------------------------------------------------
// Gemm / MatMul
// ---------------------------------------------------------------------------------------------

namespace {
GemmParams gemm_params(float alpha, float beta, GemmBias kind, int ta, int tb) {
  GemmParams p{};
  p.m = 2; p.n = 2; p.k = 3;
  p.trans_a = ta; p.trans_b = tb;
  p.alpha = alpha; p.beta = beta;
  p.c_kind = kind;
  p.act = act_none();
  return p;
}
const std::vector<float> kA = {1, 2, 3, 4, 5, 6};   // [2][3]
const std::vector<float> kAT = {1, 4, 2, 5, 3, 6};  // [3][2]
const std::vector<float> kB = {1, 2, 3, 4, 5, 6};   // [3][2]
const std::vector<float> kBT = {1, 3, 5, 2, 4, 6};  // [2][3]
}  // namespace

TEST_CASE("gemm: transposes", "[gemm]") {
  float y[4];
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      INFO("trans_a " << ta << " trans_b " << tb);
      auto p = gemm_params(1.0f, 1.0f, GemmBias::None, ta, tb);
      gemm_f32(p, ta ? kAT.data() : kA.data(), tb ? kBT.data() : kB.data(), nullptr, y);
      check_eq(y, {22, 28, 49, 64});
    }
}

TEST_CASE("gemm: alpha and every C broadcast kind", "[gemm]") {
  float y[4];
  for (int tb = 0; tb < 2; ++tb) {
    const float* b = tb ? kBT.data() : kB.data();
    gemm_f32(gemm_params(2.0f, 5.0f, GemmBias::None, 0, tb), kA.data(), b, nullptr, y);
    check_eq(y, {44, 56, 98, 128});
    const float cs[1] = {1};
    gemm_f32(gemm_params(1.0f, 3.0f, GemmBias::Scalar, 0, tb), kA.data(), b, cs, y);
    check_eq(y, {25, 31, 52, 67});
    const float cr[2] = {1, 2};
    gemm_f32(gemm_params(1.0f, 1.0f, GemmBias::Row, 0, tb), kA.data(), b, cr, y);
    check_eq(y, {23, 30, 50, 66});
    const float cc[2] = {10, 20};
    gemm_f32(gemm_params(1.0f, 1.0f, GemmBias::Col, 0, tb), kA.data(), b, cc, y);
    check_eq(y, {32, 38, 69, 84});
    const float cf[4] = {1, 2, 3, 4};
    gemm_f32(gemm_params(0.5f, 2.0f, GemmBias::Full, 0, tb), kA.data(), b, cf, y);
    check_eq(y, {13, 18, 30.5f, 40});
  }
}

TEST_CASE("gemm: fused activation and odd shapes", "[gemm]") {
  auto p = gemm_params(-1.0f, 1.0f, GemmBias::Row, 0, 0);
  p.act = act_relu();
  const float cr[2] = {30, 0};
  float y[4];
  gemm_f32(p, kA.data(), kB.data(), cr, y);
  check_eq(y, {8, 0, 0, 0});
  // m=1, k=1, n=3 (outer product row), trans_a with k=1.
  GemmParams q{};
  q.m = 1; q.n = 3; q.k = 1; q.trans_a = 1; q.trans_b = 1;
  q.alpha = 1.0f; q.beta = 1.0f; q.c_kind = GemmBias::Scalar; q.act = act_none();
  const float a[1] = {2}, b[3] = {1, 2, 3}, c[1] = {-1};
  float y3[3];
  gemm_f32(q, a, b, c, y3);
  check_eq(y3, {1, 3, 5});
}

namespace {
MatMulParams matmul_params(int m, int n, int k) {
  MatMulParams p{};
  p.batch_rank = 0;
  p.m = m; p.n = n; p.k = k;
  p.act = act_none();
  return p;
}
}  // namespace

TEST_CASE("matmul: single matrix", "[matmul]") {
  auto p = matmul_params(2, 2, 3);
  float y[4];
  matmul_f32(p, kA.data(), kB.data(), y);
  check_eq(y, {22, 28, 49, 64});
  p.act = act_clip(0.0f, 30.0f);
  matmul_f32(p, kA.data(), kB.data(), y);
  check_eq(y, {22, 28, 30, 30});
}

TEST_CASE("matmul: batch with broadcast B", "[matmul]") {
  auto p = matmul_params(2, 2, 2);
  p.batch_rank = 1;
  p.batch_shape[0] = 2;
  p.a_bstride[0] = 4;
  p.b_bstride[0] = 0;
  const float a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  const float b[4] = {1, 0, 1, 1};
  float y[8];
  matmul_f32(p, a, b, y);
  check_eq(y, {3, 2, 7, 4, 11, 6, 15, 8});
}

TEST_CASE("matmul: two batch dims broadcast in opposite operands", "[matmul]") {
  // A: [2,1,1,2], B: [1,2,2,1] -> Y: [2,2,1,1]
  auto p = matmul_params(1, 1, 2);
  p.batch_rank = 2;
  p.batch_shape[0] = 2; p.batch_shape[1] = 2;
  p.a_bstride[0] = 2; p.a_bstride[1] = 0;
  p.b_bstride[0] = 0; p.b_bstride[1] = 2;
  const float a[4] = {1, 2, 3, 4};
  const float b[4] = {1, 1, 10, 100};
  float y[4];
  matmul_f32(p, a, b, y);
  check_eq(y, {3, 210, 7, 430});
}

TEST_CASE("matmul: three batch dims", "[matmul]") {
  // A: [2,3,2,1,1] as [2][3][2] scalars, B broadcast over dim 1: [2,1,2,1,1]; m=n=k=1.
  auto p = matmul_params(1, 1, 1);
  p.batch_rank = 3;
  p.batch_shape[0] = 2; p.batch_shape[1] = 3; p.batch_shape[2] = 2;
  p.a_bstride[0] = 6; p.a_bstride[1] = 2; p.a_bstride[2] = 1;
  p.b_bstride[0] = 2; p.b_bstride[1] = 0; p.b_bstride[2] = 1;
  const auto a = iota(12);
  const float b[4] = {1, 10, 100, 1000};
  float y[12];
  matmul_f32(p, a.data(), b, y);
  check_eq(y, {1, 20, 3, 40, 5, 60, 700, 8000, 900, 10000, 1100, 12000});
}

// ---------------------------------------------------------------------------------------------
// Binary / unary
// ---------------------------------------------------------------------------------------------

namespace {
BinaryParams bin_params(BinOp op, std::vector<int32_t> shape, std::vector<int32_t> as,
                        std::vector<int32_t> bs) {
  BinaryParams p{};
  p.op = op;
  p.rank = static_cast<int32_t>(shape.size());
  p.total = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    p.out_shape[d] = shape[d];
    p.a_stride[d] = as[d];
    p.b_stride[d] = bs[d];
    p.total *= shape[d];
  }
  p.same_shape = 0;
  p.act = act_none();
  return p;
}
BinaryParams bin_same(BinOp op, int32_t total) {
  BinaryParams p{};
  p.op = op;
  p.rank = 1;
  p.out_shape[0] = total;
  p.a_stride[0] = 1;
  p.b_stride[0] = 1;
  p.total = total;
  p.same_shape = 1;
  p.act = act_none();
  return p;
}
}  // namespace

TEST_CASE("binary: same-shape ops", "[binary]") {
  const float a[4] = {-2, 3, 6, 2};
  const float b[4] = {0.5f, 0.5f, 3, 3};
  float y[4];
  binary_f32(bin_same(BinOp::Add, 4), a, b, y);
  check_eq(y, {-1.5f, 3.5f, 9, 5});
  binary_f32(bin_same(BinOp::Sub, 4), a, b, y);
  check_eq(y, {-2.5f, 2.5f, 3, -1});
  binary_f32(bin_same(BinOp::Mul, 4), a, b, y);
  check_eq(y, {-1, 1.5f, 18, 6});
  binary_f32(bin_same(BinOp::Div, 4), a, b, y);
  check_eq(y, {-4, 6, 2, 2.0f / 3.0f});
  binary_f32(bin_same(BinOp::PRelu, 4), a, b, y);
  check_eq(y, {-1, 3, 6, 2});
  binary_f32(bin_same(BinOp::Max, 4), a, b, y);
  check_eq(y, {0.5f, 3, 6, 3});
  binary_f32(bin_same(BinOp::Min, 4), a, b, y);
  check_eq(y, {-2, 0.5f, 3, 2});
  binary_f32(bin_same(BinOp::Pow, 4), a, b, y);
  REQUIRE(std::isnan(y[0]));
  REQUIRE(y[1] == Approx(std::sqrt(3.0)).epsilon(1e-6));
  REQUIRE(y[2] == 216.0f);
  REQUIRE(y[3] == 8.0f);
  auto p = bin_same(BinOp::Sub, 4);
  p.act = act_relu();
  binary_f32(p, a, b, y);
  check_eq(y, {0, 2.5f, 3, 0});
}

TEST_CASE("binary typed: integer wrap-around, division toward zero, Min/Max", "[binary]") {
  const uint8_t a8[4] = {250, 3, 7, 0};
  const uint8_t b8[4] = {10, 5, 2, 0};
  uint8_t y8[4];
  binary_u8(bin_same(BinOp::Add, 4), a8, b8, y8);
  check_eq(y8, {uint8_t{4}, uint8_t{8}, uint8_t{9}, uint8_t{0}});  // 260 wraps to 4
  binary_u8(bin_same(BinOp::Sub, 4), a8, b8, y8);
  check_eq(y8, {uint8_t{240}, uint8_t{254}, uint8_t{5}, uint8_t{0}});  // 3 - 5 wraps to 254
  binary_u8(bin_same(BinOp::Mul, 4), a8, b8, y8);
  check_eq(y8, {uint8_t{196}, uint8_t{15}, uint8_t{14}, uint8_t{0}});  // 2500 mod 256
  binary_u8(bin_same(BinOp::Div, 4), a8, b8, y8);
  check_eq(y8, {uint8_t{25}, uint8_t{0}, uint8_t{3}, uint8_t{0}});  // x / 0 gives 0
  const int32_t a32[4] = {-7, 7, INT32_MIN, INT32_MAX};
  const int32_t b32[4] = {2, -2, -1, 2};
  int32_t y32[4];
  binary_i32(bin_same(BinOp::Div, 4), a32, b32, y32);
  check_eq(y32, {-3, -3, INT32_MIN, INT32_MAX / 2});  // toward zero; INT_MIN / -1 wraps
  binary_i32(bin_same(BinOp::Add, 4), a32, b32, y32);
  check_eq(y32, {-5, 5, INT32_MAX, INT32_MIN + 1});
  binary_i32(bin_same(BinOp::Max, 4), a32, b32, y32);
  check_eq(y32, {2, 7, -1, INT32_MAX});
  const uint16_t a16[2] = {65535, 2};
  const uint16_t b16[2] = {65535, 3};
  uint16_t y16[2];
  binary_u16(bin_same(BinOp::Mul, 2), a16, b16, y16);  // (no int overflow: computed in uint32)
  check_eq(y16, {uint16_t{1}, uint16_t{6}});
  const int64_t a64[2] = {INT64_MAX, -5};
  const int64_t b64[1] = {3};
  int64_t y64[2];
  binary_i64(bin_params(BinOp::Mul, {2}, {1}, {0}), a64, b64, y64);
  check_eq(y64, {INT64_MAX - 2, int64_t{-15}});  // wraps modulo 2^64
  const double ad[2] = {1.5, -2};
  const double bd[2] = {0.25, 4};
  double yd[2];
  binary_f64(bin_same(BinOp::Min, 2), ad, bd, yd);
  check_eq(yd, {0.25, -2.0});
}

TEST_CASE("pow_mixed: ONNX Runtime's Pow for integer bases and exponents", "[binary]") {
  auto typed = [](BinaryParams p, ElemType a, ElemType b) {
    p.a_type = a;
    p.b_type = b;
    return p;
  };
  const int32_t xi[6] = {2, -3, 7, 1, -1, 0};
  const int32_t ei[6] = {10, 3, 12, -2, -3, -1};
  int32_t yi[6];
  pow_mixed(typed(bin_same(BinOp::Pow, 6), ElemType::I32, ElemType::I32), xi, ei, yi);
  // 7^12 = 13841287201 wraps modulo 2^32; negative exponents truncate x^y toward zero
  check_eq(yi, {1024, -27, static_cast<int32_t>(13841287201LL - 3LL * 4294967296LL), 1, -1, 0});
  const float ef[3] = {0.5f, 2.5f, 40.0f};
  const int32_t xb[3] = {10, 3, 3};
  pow_mixed(typed(bin_same(BinOp::Pow, 3), ElemType::I32, ElemType::F32), xb, ef, yi);
  check_eq(yi, {3, 15, INT32_MAX});  // trunc(3.16), trunc(15.59), saturated
  const float xf[3] = {1.5f, 2.0f, -3.0f};
  const uint64_t eu[3] = {2, 3, 5};
  float yf[3];
  pow_mixed(typed(bin_same(BinOp::Pow, 3), ElemType::F32, ElemType::U64), xf, eu, yf);
  check_eq(yf, {2.25f, 8.0f, -243.0f});
  const int64_t x64[2] = {3, -2};
  const int8_t e8[1] = {3};
  int64_t y64[2];
  pow_mixed(typed(bin_params(BinOp::Pow, {2}, {1}, {0}), ElemType::I64, ElemType::I8), x64, e8, y64);
  check_eq(y64, {int64_t{27}, int64_t{-8}});
}

TEST_CASE("binary: in place on same shape", "[binary]") {
  float a[3] = {1, 2, 3};
  float b[3] = {10, 20, 30};
  binary_f32(bin_same(BinOp::Sub, 3), a, b, b);  // y == b
  check_eq(b, {-9, -18, -27});
  binary_f32(bin_same(BinOp::Mul, 3), a, b, a);  // y == a
  check_eq(a, {-9, -36, -81});
  float c[3] = {1, 2, 3};
  binary_f32(bin_same(BinOp::Add, 3), c, c, c);  // y == a == b
  check_eq(c, {2, 4, 6});
}

TEST_CASE("binary: broadcasting", "[binary]") {
  const auto a = iota(6);  // [2][3]
  float y[6];
  const float brow[3] = {10, 20, 30};
  binary_f32(bin_params(BinOp::Add, {2, 3}, {3, 1}, {0, 1}), a.data(), brow, y);
  check_eq(y, {11, 22, 33, 14, 25, 36});
  const float bcol[2] = {1, 2};
  binary_f32(bin_params(BinOp::Sub, {2, 3}, {3, 1}, {1, 0}), a.data(), bcol, y);
  check_eq(y, {0, 1, 2, 2, 3, 4});
  // scalar on the left: b - a broadcast
  const float s[1] = {10};
  binary_f32(bin_params(BinOp::Div, {2, 3}, {0, 0}, {3, 1}), s, a.data(), y);
  check_eq(y, {10, 5, 10.0f / 3.0f, 2.5f, 2, 10.0f / 6.0f});
  // both operands broadcast: [2,1] * [1,3]
  const float ac[2] = {1, 2};
  const float br[3] = {1, 2, 3};
  binary_f32(bin_params(BinOp::Mul, {2, 3}, {1, 0}, {0, 1}), ac, br, y);
  check_eq(y, {1, 2, 3, 2, 4, 6});
  // rank 3: [2,2,2] + [2,1,2]
  const auto a3 = iota(8);
  const float b3[4] = {10, 20, 30, 40};
  float y3[8];
  binary_f32(bin_params(BinOp::Add, {2, 2, 2}, {4, 2, 1}, {2, 0, 1}), a3.data(), b3, y3);
  check_eq(y3, {11, 22, 13, 24, 35, 46, 37, 48});
  // PRelu with per-channel slope [1,2,1,1] over [1,2,2,1]-like data, plus fused clip
  const float x4[8] = {-1, 2, -3, 4, -5, 6, -7, 8};
  const float slope[2] = {2, 0.5f};
  auto p = bin_params(BinOp::PRelu, {2, 2, 2}, {4, 2, 1}, {0, 1, 0});
  p.act = act_clip(-3.0f, 5.0f);
  binary_f32(p, x4, slope, y3);
  check_eq(y3, {-2, 2, -1.5f, 4, -3, 5, -3, 5});
}

TEST_CASE("binary: in place with the other operand broadcast", "[binary]") {
  auto a = iota(6);
  const float brow[3] = {10, 20, 30};
  binary_f32(bin_params(BinOp::Add, {2, 3}, {3, 1}, {0, 1}), a.data(), brow, a.data());
  check_eq(a.data(), {11, 22, 33, 14, 25, 36});
  auto b = iota(6);
  const float acol[2] = {100, 200};
  binary_f32(bin_params(BinOp::Sub, {2, 3}, {1, 0}, {3, 1}), acol, b.data(), b.data());
  check_eq(b.data(), {99, 98, 97, 196, 195, 194});
}

TEST_CASE("binary: rank 6 odometer", "[binary]") {
  // out [2,1,2,1,2,2]; a dense, b broadcast along dims 0 and 4.
  std::vector<int32_t> shape = {2, 1, 2, 1, 2, 2};
  const auto a = iota(16, 0.0f);
  std::vector<float> b = {100, 200, 300, 400};  // indexed by (dim2, dim5)
  float y[16];
  binary_f32(bin_params(BinOp::Add, shape, {8, 8, 4, 4, 2, 1}, {0, 0, 2, 0, 0, 1}), a.data(), b.data(), y);
  std::vector<float> e(16);
  for (int i0 = 0; i0 < 2; ++i0)
    for (int i2 = 0; i2 < 2; ++i2)
      for (int i4 = 0; i4 < 2; ++i4)
        for (int i5 = 0; i5 < 2; ++i5) {
          const int o = i0 * 8 + i2 * 4 + i4 * 2 + i5;
          e[static_cast<size_t>(o)] = static_cast<float>(o) + b[static_cast<size_t>(i2 * 2 + i5)];
        }
  check_eq(y, e);
}

TEST_CASE("unary: math ops, in place", "[unary]") {
  auto run = [](UnOp op, std::vector<float> x, ActParams act) {
    UnaryParams p{op, static_cast<int32_t>(x.size()), act};
    unary_f32(p, x.data(), x.data());
    return x;
  };
  check_eq(run(UnOp::Abs, {-2, 0, 3}, act_none()).data(), {2, 0, 3});
  check_eq(run(UnOp::Neg, {-2, 0, 3}, act_none()).data(), {2, -0.0f, -3});
  check_eq(run(UnOp::Sqrt, {4, 0, 2.25f}, act_none()).data(), {2, 0, 1.5f});
  check_eq(run(UnOp::Reciprocal, {4, -0.5f, 1}, act_none()).data(), {0.25f, -2, 1});
  check_eq(run(UnOp::Floor, {1.5f, -1.5f, 2}, act_none()).data(), {1, -2, 2});
  check_eq(run(UnOp::Ceil, {1.5f, -1.5f, 2}, act_none()).data(), {2, -1, 2});
  check_eq(run(UnOp::Exp, {0}, act_none()).data(), {1});
  check_eq(run(UnOp::Log, {1}, act_none()).data(), {0});
  check_approx(run(UnOp::Exp, {1, -2}, act_none()).data(), {std::exp(1.0f), std::exp(-2.0f)});
  check_approx(run(UnOp::Log, {2, 10}, act_none()).data(), {std::log(2.0f), std::log(10.0f)});
  // op first, then the fused activation
  check_eq(run(UnOp::Neg, {-2, 0, 3}, act_relu()).data(), {2, 0, 0});
  check_eq(run(UnOp::Abs, {-5, 1, 3}, act_clip(0, 2)).data(), {2, 1, 2});
}

TEST_CASE("elu: both branches, alpha, in place", "[elu]") {
  auto run = [](float alpha, std::vector<float> x) {
    EluParams p{static_cast<int32_t>(x.size()), alpha};
    elu_f32(p, x.data(), x.data());
    return x;
  };
  check_eq(run(1.0f, {0, 2, 0.5f}).data(), {0, 2, 0.5f});  // x >= 0: identity (0 stays +0)
  check_eq(run(2.0f, {-0.0f}).data(), {-0.0f});            // -0 is not < 0: passed through
  check_approx(run(1.0f, {-1, -3}).data(), {std::exp(-1.0f) - 1.0f, std::exp(-3.0f) - 1.0f});
  check_approx(run(2.0f, {-1, 4}).data(), {2.0f * (std::exp(-1.0f) - 1.0f), 4});
  check_eq(run(0.5f, {-100}).data(), {-0.5f});  // saturates at -alpha
}

TEST_CASE("instancenorm: per (batch, channel) plane, per-channel scale and bias, in place", "[instancenorm]") {
  // epsilon 3 and planes of variance 1 (or 0): 1 / sqrt(var + eps) is 0.5 (or 1 / sqrt(3), times 0).
  const InstanceNormParams p{2, 2, 2, 3.0f};
  const std::vector<float> scale{2.0f, -1.0f}, bias{0.5f, 0.0f};
  const std::vector<float> x{1, 3, -4, -6, 7, 7, 0.5f, 2.5f};
  const std::vector<float> e{-0.5f, 1.5f, -0.5f, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f};
  std::vector<float> y(x.size());
  instancenorm_f32(p, x.data(), scale.data(), bias.data(), y.data());
  check_eq(y.data(), e);
  std::vector<float> z = x;
  instancenorm_f32(p, z.data(), scale.data(), bias.data(), z.data());
  check_eq(z.data(), e);
  // A plane of 3: mean 2, var 2/3, eps 1/3: r = 1.
  const InstanceNormParams q{1, 1, 3, 1.0f / 3.0f};
  const std::vector<float> one{1.0f}, zero{0.0f}, x3{1, 2, 3};
  std::vector<float> y3(3);
  instancenorm_f32(q, x3.data(), one.data(), zero.data(), y3.data());
  check_approx(y3.data(), {-1, 0, 1});
}

TEST_CASE("batchnorm training mode: batch statistics, running statistics, in place", "[batchnorm]") {
  // Channel 0 over two images of one value: {1, 3}, mean 2, var 1; eps 3: scale / 2.
  // Channel 1: {5, 5}, mean 5, var 0: y = bias.
  BatchNormTrainParams p{2, 2, 1, 3.0f, 0.5f, act_none()};
  const std::vector<float> scale{2.0f, 1.0f}, bias{0.5f, -1.0f}, mean{4.0f, 1.0f}, var{3.0f, 2.0f};
  std::vector<float> x{1, 5, 3, 5};  // [n][c]
  float rm[2], rv[2];
  batchnorm_train_f32(p, x.data(), scale.data(), bias.data(), mean.data(), var.data(), x.data(), rm, rv);
  check_eq(x.data(), {-0.5f, -1.0f, 1.5f, -1.0f});
  check_eq(rm, {3.0f, 3.0f});  // 4 * 0.5 + 2 * 0.5, 1 * 0.5 + 5 * 0.5
  check_eq(rv, {2.0f, 1.0f});  // 3 * 0.5 + 1 * 0.5, 2 * 0.5 + 0 * 0.5
  std::vector<float> x2{1, 5, 3, 5}, y(4);
  p.act = act_relu();
  batchnorm_train_f32(p, x2.data(), scale.data(), bias.data(), mean.data(), var.data(), y.data(), nullptr, nullptr);
  check_eq(y.data(), {0, 0, 1.5f, 0});
}

TEST_CASE("resize: cubic taps and tf_crop_and_resize extrapolation", "[resize]") {
  // 1x1x1x4 -> 1x1x1x2: axes 0-2 keep index 0 (tap 1, weight 1); output column 0 weighs columns
  // 0..3 by Keys' A = -0.75 coefficients at 0.5, column 1 is outside the roi (index -1).
  ResizeParams p{{1, 1, 1, 4}, {1, 1, 1, 2}, 2, 1, 10.0f};
  const std::vector<int32_t> idx{0, 0, 0, 0,  0, 0, 0, 0,  0, 0, 0, 0,  0, 1, 2, 3,  -1, -1, -1, -1};
  const std::vector<float> wt{0, 1, 0, 0,  0, 1, 0, 0,  0, 1, 0, 0,  -0.09375f, 0.59375f, 0.59375f, -0.09375f,  0, 0, 0, 0};
  const float x[4] = {1, 2, 4, 8};
  float y[2];
  resize_f32(p, x, idx.data(), wt.data(), y);
  check_eq(y, {2.71875f, 10.0f});
}

TEST_CASE("unary: activations", "[unary]") {
  auto run = [](std::vector<float> x, ActParams act) {
    UnaryParams p{UnOp::Act, static_cast<int32_t>(x.size()), act};
    std::vector<float> y(x.size());
    unary_f32(p, x.data(), y.data());
    return y;
  };
  check_eq(run({-2, 0, 3}, act_none()).data(), {-2, 0, 3});
  check_eq(run({-2, 0, 3}, act_relu()).data(), {0, 0, 3});
  check_eq(run({-2, 0, 3, 7}, act_clip(0, 6)).data(), {0, 0, 3, 6});
  check_eq(run({-2, 4}, ActParams{Act::LeakyRelu, 0.25f, 0, 0, 0}).data(), {-0.5f, 4});
  check_eq(run({-2, 0, 1, 3}, ActParams{Act::HardSigmoid, 0.5f, 0.5f, 0, 0}).data(), {0, 0.5f, 1, 1});
  check_eq(run({-4, 0, 5}, ActParams{Act::HardSwish, 0, 0, 0, 0}).data(), {-0.0f, 0, 5});
  check_approx(run({1, -1.5f, 3}, ActParams{Act::HardSwish, 0, 0, 0, 0}).data(),
               {1.0f * (1.0f / 6.0f + 0.5f), -1.5f * 0.25f, 3.0f});
  check_eq(run({0}, ActParams{Act::Sigmoid, 0, 0, 0, 0}).data(), {0.5f});
  check_approx(run({1, -2}, ActParams{Act::Sigmoid, 0, 0, 0, 0}).data(),
               {1.0f / (1.0f + std::exp(-1.0f)), 1.0f / (1.0f + std::exp(2.0f))});
  check_approx(run({0.5f, -1}, ActParams{Act::Tanh, 0, 0, 0, 0}).data(), {std::tanh(0.5f), std::tanh(-1.0f)});
}

// ---------------------------------------------------------------------------------------------
// Softmax
// ---------------------------------------------------------------------------------------------

TEST_CASE("softmax: last axis and middle axis", "[softmax]") {
  SoftmaxParams p{2, 3, 1, 0};
  const float x[6] = {1, 2, 3, 5, 5, 5};
  float y[6];
  softmax_f32(p, x, y);
  const double s = std::exp(-2.0) + std::exp(-1.0) + 1.0;
  check_approx(y, {static_cast<float>(std::exp(-2.0) / s), static_cast<float>(std::exp(-1.0) / s),
                   static_cast<float>(1.0 / s)});
  // Equal logits give exactly 1/3 (exp(0) = 1, sum 3).
  REQUIRE(y[3] == 1.0f / 3.0f);
  REQUIRE(y[4] == 1.0f / 3.0f);
  REQUIRE(y[5] == 1.0f / 3.0f);

  // [1][2][2]: axis_len 2, inner 2: columns {0,0} and {1,3}.
  SoftmaxParams q{1, 2, 2, 0};
  const float x2[4] = {0, 1, 0, 3};
  float y2[4];
  softmax_f32(q, x2, y2);
  const double e2 = std::exp(2.0);
  REQUIRE(y2[0] == 0.5f);
  REQUIRE(y2[2] == 0.5f);
  check_approx(y2 + 1, {static_cast<float>(1.0 / (1.0 + e2))});
  check_approx(y2 + 3, {static_cast<float>(e2 / (1.0 + e2))});
  // Large logits do not overflow (max subtracted).
  const float big[2] = {1000, 1000};
  float yb[2];
  softmax_f32(SoftmaxParams{1, 2, 1, 0}, big, yb);
  check_eq(yb, {0.5f, 0.5f});
}

TEST_CASE("softmax: TFLite's float beta, exactly its order of operations", "[softmax]") {
  // TFLite's reference_ops::Softmax (float): max; e = exp((x - max) * float(beta)); sum in order;
  // y = e / sum. The kernel must give these floats bit for bit for any beta.
  const float x[2][5] = {{0.3f, -1.7f, 2.25f, 0.1f, -0.6f}, {3.f, 3.f, -2.5f, 1e-3f, 0.7f}};
  for (const float beta : {0.3f, 1.7f, -0.45f, 1.0f, 0.0f, 1e-3f}) {
    SoftmaxParams p{2, 5, 1, 0};
    p.beta = beta;
    float y[2][5];
    softmax_f32(p, &x[0][0], &y[0][0]);
    for (int r = 0; r < 2; ++r) {
      float mx = std::numeric_limits<float>::lowest();
      for (float v : x[r]) mx = std::max(mx, v);
      float e[5], sum = 0.f;
      for (int c = 0; c < 5; ++c) {
        e[c] = std::exp((x[r][c] - mx) * beta);
        sum += e[c];
      }
      for (int c = 0; c < 5; ++c) REQUIRE(y[r][c] == e[c] / sum);
    }
  }
  // beta 1 (ONNX's Softmax) is the default: the same floats as exp(x - max).
  REQUIRE(SoftmaxParams{1, 2, 1, 0}.beta == 1.0f);
}

TEST_CASE("softmax: log", "[softmax]") {
  SoftmaxParams p{1, 3, 1, 1};
  const float x[3] = {1, 2, 3};
  float y[3];
  softmax_f32(p, x, y);
  const double l = std::log(std::exp(-2.0) + std::exp(-1.0) + 1.0);
  check_approx(y, {static_cast<float>(-2.0 - l), static_cast<float>(-1.0 - l), static_cast<float>(-l)});
  SoftmaxParams q{1, 2, 2, 1};
  const float x2[4] = {7, 1, 7, 3};
  float y2[4];
  softmax_f32(q, x2, y2);
  REQUIRE(y2[0] == -std::log(2.0f));
  REQUIRE(y2[2] == -std::log(2.0f));
  check_approx(y2 + 1, {static_cast<float>(-2.0 - std::log(1.0 + std::exp(-2.0)))});
}

// ---------------------------------------------------------------------------------------------
// Pools
// ---------------------------------------------------------------------------------------------

namespace {
PoolParams pool_params(int n, int c, int h_in, int w_in, int h_out, int w_out, int kh, int kw, int sh, int sw,
                       int pt, int pl, int pb, int pr) {
  PoolParams p{};
  p.n = n; p.c = c; p.h_in = h_in; p.w_in = w_in;
  p.h_out = h_out; p.w_out = w_out;
  p.kh = kh; p.kw = kw;
  p.stride_h = sh; p.stride_w = sw;
  p.dil_h = 1; p.dil_w = 1;
  p.pad_top = pt; p.pad_left = pl; p.pad_bottom = pb; p.pad_right = pr;
  p.count_include_pad = 0;
  p.d_in = p.d_out = p.kd = p.stride_d = p.dil_d = 1;
  p.act = act_none();
  return p;
}
}  // namespace

TEST_CASE("maxpool: 2x2 stride 2, two planes", "[pool]") {
  auto p = pool_params(1, 2, 4, 4, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0);
  const auto x = iota(32);
  float y[8];
  maxpool2d_f32(p, x.data(), y, nullptr);
  check_eq(y, {6, 8, 14, 16, 22, 24, 30, 32});
}

TEST_CASE("pools: ceil-mode window past the input", "[pool]") {
  // 3x3 input, 2x2 kernel stride 2, ceil_mode: 2x2 output, last window hangs over by one.
  auto p = pool_params(1, 1, 3, 3, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0);
  const auto x = iota(9);
  float y[4];
  maxpool2d_f32(p, x.data(), y, nullptr);
  check_eq(y, {5, 6, 8, 9});
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {3, 4.5f, 7.5f, 9});
  p.count_include_pad = 1;  // no pads: the window is clipped at the input edge
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {3, 4.5f, 7.5f, 9});
}

TEST_CASE("avgpool: pads with and without count_include_pad", "[pool]") {
  auto p = pool_params(1, 1, 3, 3, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1);
  const auto x = iota(9);
  float y[4];
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {3, 4, 6, 7});
  p.count_include_pad = 1;
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {12.0f / 9.0f, 16.0f / 9.0f, 24.0f / 9.0f, 28.0f / 9.0f});
  maxpool2d_f32(p, x.data(), y, nullptr);
  check_eq(y, {5, 6, 8, 9});
}

TEST_CASE("pools: 1-D ceil-mode window running past the end pad", "[pool]") {
  // w_in 4, k 3, stride 2, pads 1/1, ceil_mode -> w_out 3; window 2 covers cols 3 (input), 4 (pad),
  // 5 (beyond the pad).
  auto p = pool_params(1, 1, 1, 4, 1, 3, 1, 3, 1, 2, 0, 1, 0, 1);
  const float x[4] = {1, 2, 3, 4};
  float y[3];
  avgpool2d_f32(p, x, y);
  check_eq(y, {1.5f, 3, 4});
  p.count_include_pad = 1;
  avgpool2d_f32(p, x, y);
  check_eq(y, {1, 3, 2});
  maxpool2d_f32(p, x, y, nullptr);
  check_eq(y, {2, 4, 4});
}

TEST_CASE("maxpool: dilation, negative values, padding never wins, activation", "[pool]") {
  auto p = pool_params(1, 1, 1, 5, 1, 3, 1, 2, 1, 1, 0, 0, 0, 0);
  p.dil_w = 2;
  const float x[5] = {5, 1, 4, 2, 3};
  float y[4];
  maxpool2d_f32(p, x, y, nullptr);
  check_eq(y, {5, 2, 4});
  auto q = pool_params(1, 1, 1, 3, 1, 4, 1, 2, 1, 1, 0, 1, 0, 1);
  const float xn[3] = {-3, -1, -2};
  maxpool2d_f32(q, xn, y, nullptr);
  check_eq(y, {-3, -1, -1, -2});
  q.act = act_relu();
  maxpool2d_f32(q, xn, y, nullptr);
  check_eq(y, {0, 0, 0, 0});
}

TEST_CASE("maxpool: Indices, row-major and column-major, batch and channel offsets", "[pool]") {
  // Two planes of 3x3, 2x2 windows stride 1: ONNX Runtime's flat index includes plane * 9.
  auto p = pool_params(1, 2, 3, 3, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);
  const std::vector<float> x{1, 9, 2, 3, 4, 5, 8, 6, 7,  // plane 0
                             0, 0, 0, 0, 0, 0, 0, 0, 0};  // plane 1: ties, the first position wins
  float y[8];
  int64_t idx[8];
  maxpool2d_f32(p, x.data(), y, idx);
  check_eq(y, {9, 9, 8, 7, 0, 0, 0, 0});
  check_eq(idx, std::vector<int64_t>{1, 1, 6, 8, 9, 10, 12, 13});
  p.storage_order = 1;  // index h + w * h_in within the plane
  maxpool2d_f32(p, x.data(), y, idx);
  check_eq(idx, std::vector<int64_t>{3, 3, 2, 8, 9, 12, 10, 13});
}

TEST_CASE("pools: 3-D window with depth stride, pads and count_include_pad", "[pool]") {
  // 3x2x2 input (depth 3), kernel 2x2x2, stride 2 in depth, pad 1 in front: output depth 2.
  auto p = pool_params(1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0);
  p.d_in = 3; p.d_out = 2; p.kd = 2; p.stride_d = 2; p.pad_front = 1;
  const auto x = iota(12);  // depth slices {1..4}, {5..8}, {9..12}
  float y[2];
  int64_t idx[2];
  maxpool2d_f32(p, x.data(), y, idx);
  check_eq(y, {4, 12});
  check_eq(idx, std::vector<int64_t>{3, 11});
  p.storage_order = 1;  // d + d_in * (h + h_in * w): depth 2, h 1, w 1 -> 2 + 3 * 3
  maxpool2d_f32(p, x.data(), y, idx);
  check_eq(idx, std::vector<int64_t>{0 + 3 * 3, 2 + 3 * 3});
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {2.5f, 8.5f});  // window 0: slice 0 only (the front pad is not counted)
  p.count_include_pad = 1;
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {10.0f / 8.0f, 8.5f});
}

TEST_CASE("avgpool: dilation and activation", "[pool]") {
  auto p = pool_params(1, 1, 3, 3, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0);
  p.dil_h = 2; p.dil_w = 2;
  const auto x = iota(9);
  float y[1];
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {5});  // (1 + 3 + 7 + 9) / 4
  p.act = act_clip(0, 4);
  avgpool2d_f32(p, x.data(), y);
  check_eq(y, {4});
  // Dilated window with pads: 1x3 input, k=2, dil 2, pad 1/1 -> positions {-1,1},{0,2},{1,3}.
  auto q = pool_params(1, 1, 1, 3, 1, 3, 1, 2, 1, 1, 0, 1, 0, 1);
  q.dil_w = 2;
  const float x1[3] = {2, 4, 8};
  float y1[3];
  avgpool2d_f32(q, x1, y1);
  check_eq(y1, {4, 5, 4});
  q.count_include_pad = 1;
  avgpool2d_f32(q, x1, y1);
  check_eq(y1, {2, 5, 2});
}

TEST_CASE("global pools: avg and max, in place", "[pool]") {
  GlobalPoolParams p{2, 3, act_none()};
  const float x[6] = {1, 2, 3, 4, 5, 9};
  float y[2];
  global_avgpool_f32(p, x, y);
  check_eq(y, {2, 6});
  global_maxpool_f32(p, x, y);
  check_eq(y, {3, 9});
  float z[6] = {1, 2, 3, 4, 5, 9};
  global_avgpool_f32(p, z, z);
  check_eq(z, {2, 6});
  float w[6] = {-1, -2, -3, -4, -5, -9};
  global_maxpool_f32(p, w, w);
  check_eq(w, {-1, -4});
  float v[4] = {-1, 2, -3, -4};
  GlobalPoolParams q{4, 1, act_relu()};
  global_avgpool_f32(q, v, v);
  check_eq(v, {0, 2, 0, 0});
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Strided copy / concat / copy
// ---------------------------------------------------------------------------------------------

namespace {
StridedCopyParams sc_params(std::vector<int32_t> shape, std::vector<int32_t> stride, int32_t offset,
                            int32_t elem_size) {
  StridedCopyParams p{};
  p.rank = static_cast<int32_t>(shape.size());
  p.total = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    p.out_shape[d] = shape[d];
    p.in_stride[d] = stride[d];
    p.total *= shape[d];
  }
  p.in_offset = offset;
  p.elem_size = elem_size;
  return p;
}
}  // namespace

TEST_CASE("strided_copy: transpose, reverse, step, expand", "[copy]") {
  const auto x = iota(12, 0.0f);
  float y[12];
  strided_copy(sc_params({3, 2}, {1, 3}, 0, 4), x.data(), y);  // 2x3 -> 3x2 transpose
  check_eq(y, {0, 3, 1, 4, 2, 5});
  strided_copy(sc_params({5}, {-1}, 4, 4), x.data(), y);  // x[4::-1]
  check_eq(y, {4, 3, 2, 1, 0});
  strided_copy(sc_params({2, 2}, {4, -2}, 7, 4), x.data(), y);  // 3x4: x[1:, ::-2]
  check_eq(y, {7, 5, 11, 9});
  strided_copy(sc_params({3, 2}, {0, 1}, 0, 4), x.data(), y);  // expand [2] -> [3,2]
  check_eq(y, {0, 1, 0, 1, 0, 1});
  // rank 3 permutation (2,0,1) of a [2,3,2] tensor -> [2,2,3]
  strided_copy(sc_params({2, 2, 3}, {1, 6, 2}, 0, 4), x.data(), y);
  check_eq(y, {0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11});
  // reversed outer dim, reversed inner dim (x[::-1, ::-1] of 3x4)
  strided_copy(sc_params({3, 4}, {-4, -1}, 11, 4), x.data(), y);
  check_eq(y, {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0});
}

TEST_CASE("strided_copy: other element sizes", "[copy]") {
  const uint8_t x1[6] = {1, 2, 3, 4, 5, 6};
  uint8_t y1[6];
  strided_copy(sc_params({3, 2}, {1, 3}, 0, 1), x1, y1);
  check_eq(y1, {1, 4, 2, 5, 3, 6});
  const int16_t x2[4] = {-1, 300, -500, 7};
  int16_t y2[4];
  strided_copy(sc_params({4}, {-1}, 3, 2), x2, y2);
  check_eq(y2, {7, -500, 300, -1});
  const int64_t x8[3] = {int64_t(1) << 40, -2, 3};
  int64_t y8[6];
  strided_copy(sc_params({2, 3}, {0, 1}, 0, 8), x8, y8);
  check_eq(y8, {int64_t(1) << 40, -2, 3, int64_t(1) << 40, -2, 3});
}

TEST_CASE("concat: parts along axis 1 and axis 0", "[concat]") {
  const float a[4] = {1, 2, 3, 4};  // [2][2]
  const float b[2] = {5, 6};        // [2][1]
  float y[6] = {0};
  concat_part(ConcatPartParams{2, 2, 3, 0, 4}, a, y);
  concat_part(ConcatPartParams{2, 1, 3, 2, 4}, b, y);
  check_eq(y, {1, 2, 5, 3, 4, 6});
  // axis 0: outer 1
  float z[6] = {0};
  concat_part(ConcatPartParams{1, 4, 6, 0, 4}, a, z);
  concat_part(ConcatPartParams{1, 2, 6, 4, 4}, b, z);
  check_eq(z, {1, 2, 3, 4, 5, 6});
  const int64_t i0[2] = {7, -8};
  const int64_t i1[4] = {1, 2, 3, 4};
  int64_t yi[6] = {0};
  concat_part(ConcatPartParams{2, 1, 3, 0, 8}, i0, yi);
  concat_part(ConcatPartParams{2, 2, 3, 1, 8}, i1, yi);
  check_eq(yi, {7, 1, 2, -8, 3, 4});
}

TEST_CASE("copy_bytes", "[copy]") {
  float a[3] = {1, 2, 3}, b[3] = {0, 0, 0};
  copy_bytes(a, b, sizeof a);
  check_eq(b, {1, 2, 3});
  copy_bytes(a, a, sizeof a);
  check_eq(a, {1, 2, 3});
}

// ---------------------------------------------------------------------------------------------
// Pad
// ---------------------------------------------------------------------------------------------

namespace {
PadParams pad_params(PadMode mode, std::vector<int32_t> in, std::vector<int32_t> begin,
                     std::vector<int32_t> end, float value = 0.0f) {
  PadParams p{};
  p.rank = static_cast<int32_t>(in.size());
  p.total = 1;
  for (size_t d = 0; d < in.size(); ++d) {
    p.in_shape[d] = in[d];
    p.pad_begin[d] = begin[d];
    p.out_shape[d] = in[d] + begin[d] + end[d];
    p.total *= p.out_shape[d];
  }
  p.mode = mode;
  p.value = value;
  return p;
}
}  // namespace

TEST_CASE("pad: 1-D modes", "[pad]") {
  const float x[3] = {1, 2, 3};
  float y[8];
  pad_f32(pad_params(PadMode::Constant, {3}, {2}, {2}, -1.5f), x, y);
  check_eq(y, {-1.5f, -1.5f, 1, 2, 3, -1.5f, -1.5f});
  pad_f32(pad_params(PadMode::Edge, {3}, {2}, {2}), x, y);
  check_eq(y, {1, 1, 1, 2, 3, 3, 3});
  pad_f32(pad_params(PadMode::Reflect, {3}, {2}, {2}), x, y);
  check_eq(y, {3, 2, 1, 2, 3, 2, 1});
  // Reflect wider than the input (numpy 'reflect' is periodic with period 2*(n-1)).
  pad_f32(pad_params(PadMode::Reflect, {3}, {5}, {0}), x, y);
  check_eq(y, {2, 1, 2, 3, 2, 1, 2, 3});
}

TEST_CASE("pad_any: int32 edge / reflect, int64 and uint8 constants", "[pad]") {
  const int32_t x[3] = {-7, 2, 2147483647};
  int32_t y[7];
  auto p = pad_params(PadMode::Edge, {3}, {2}, {2});
  p.elem_size = 4;
  pad_any(p, x, y);
  check_eq(y, {-7, -7, -7, 2, 2147483647, 2147483647, 2147483647});
  p.mode = PadMode::Reflect;
  pad_any(p, x, y);
  check_eq(y, {2147483647, 2, -7, 2, 2147483647, 2, -7});
  const int64_t x64[2] = {1, -2};
  int64_t y64[4];
  auto q = pad_params(PadMode::Constant, {2}, {1}, {1});
  q.elem_size = 8;
  const int64_t v = -1234567890123LL;  // the constant's bytes, low word first
  std::memcpy(q.value_bits, &v, 8);
  pad_any(q, x64, y64);
  check_eq(y64, {v, 1, -2, v});
  const uint8_t x8[2] = {200, 3};
  uint8_t y8[3];
  auto r = pad_params(PadMode::Constant, {2}, {0}, {1});
  r.elem_size = 1;
  r.value_bits[0] = 255;
  pad_any(r, x8, y8);
  check_eq(y8, {uint8_t{200}, uint8_t{3}, uint8_t{255}});
}

TEST_CASE("pad: negative pads crop", "[pad]") {
  const float x[5] = {1, 2, 3, 4, 5};
  float y[5];
  pad_f32(pad_params(PadMode::Constant, {5}, {-1}, {-1}), x, y);
  check_eq(y, {2, 3, 4});
  pad_f32(pad_params(PadMode::Constant, {5}, {-1}, {1}, 9.0f), x, y);
  check_eq(y, {2, 3, 4, 5, 9});
  pad_f32(pad_params(PadMode::Edge, {5}, {1}, {-2}), x, y);
  check_eq(y, {1, 1, 2, 3});
  pad_f32(pad_params(PadMode::Reflect, {5}, {-2}, {2}), x, y);
  check_eq(y, {3, 4, 5, 4, 3});
}

TEST_CASE("pad: 2-D and 4-D", "[pad]") {
  const float x[6] = {1, 2, 3, 4, 5, 6};  // [2][3]
  float y[28];
  pad_f32(pad_params(PadMode::Reflect, {2, 3}, {1, 2}, {1, 2}), x, y);
  check_eq(y, {6, 5, 4, 5, 6, 5, 4,  //
               3, 2, 1, 2, 3, 2, 1,  //
               6, 5, 4, 5, 6, 5, 4,  //
               3, 2, 1, 2, 3, 2, 1});
  pad_f32(pad_params(PadMode::Edge, {2, 3}, {1, 0}, {0, 1}), x, y);
  check_eq(y, {1, 2, 3, 3, 1, 2, 3, 3, 4, 5, 6, 6});
  pad_f32(pad_params(PadMode::Constant, {2, 3}, {1, -1}, {0, 0}, 7.0f), x, y);
  check_eq(y, {7, 7, 2, 3, 5, 6});
  // NCHW pad of H and W by 1 (zeros) on a [1,2,1,2] tensor -> [1,2,3,4]
  const float x4[4] = {1, 2, 3, 4};
  float y4[24];
  pad_f32(pad_params(PadMode::Constant, {1, 2, 1, 2}, {0, 0, 1, 1}, {0, 0, 1, 1}), x4, y4);
  check_eq(y4, {0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0,  //
                0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0});
}

// ---------------------------------------------------------------------------------------------
// Reduce
// ---------------------------------------------------------------------------------------------

namespace {
ReduceParams reduce_params(ReduceOp op, std::vector<int32_t> shape, int32_t mask) {
  ReduceParams p{};
  p.op = op;
  p.rank = static_cast<int32_t>(shape.size());
  p.out_total = 1;
  p.reduce_count = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    p.in_shape[d] = shape[d];
    if (mask & (1 << d)) p.reduce_count *= shape[d];
    else p.out_total *= shape[d];
  }
  p.reduce_mask = mask;
  return p;
}
}  // namespace

TEST_CASE("reduce: non-contiguous axes {0, 2} of [2,3,4]", "[reduce]") {
  const auto x = iota(24, 0.0f);
  float y[3];
  reduce_f32(reduce_params(ReduceOp::Sum, {2, 3, 4}, 0b101), x.data(), y);
  check_eq(y, {60, 92, 124});
  reduce_f32(reduce_params(ReduceOp::Mean, {2, 3, 4}, 0b101), x.data(), y);
  check_eq(y, {7.5f, 11.5f, 15.5f});
  reduce_f32(reduce_params(ReduceOp::Max, {2, 3, 4}, 0b101), x.data(), y);
  check_eq(y, {15, 19, 23});
  reduce_f32(reduce_params(ReduceOp::Min, {2, 3, 4}, 0b101), x.data(), y);
  check_eq(y, {0, 4, 8});
}

TEST_CASE("reduce: single axes and all axes", "[reduce]") {
  const auto x = iota(24, 0.0f);
  float y[12];
  reduce_f32(reduce_params(ReduceOp::Sum, {2, 3, 4}, 0b010), x.data(), y);
  check_eq(y, {12, 15, 18, 21, 48, 51, 54, 57});
  reduce_f32(reduce_params(ReduceOp::Sum, {2, 3, 4}, 0b100), x.data(), y);
  check_eq(y, {6, 22, 38, 54, 70, 86});
  reduce_f32(reduce_params(ReduceOp::Max, {2, 3, 4}, 0b001), x.data(), y);
  check_eq(y, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23});
  reduce_f32(reduce_params(ReduceOp::Sum, {2, 3, 4}, 0b111), x.data(), y);
  check_eq(y, {276});
  reduce_f32(reduce_params(ReduceOp::Mean, {2, 3, 4}, 0b111), x.data(), y);
  check_eq(y, {11.5f});
  reduce_f32(reduce_params(ReduceOp::Sum, {2, 3, 4}, 0b011), x.data(), y);
  check_eq(y, {60, 66, 72, 78});
}

TEST_CASE("reduce: max/min start from the data, size-1 dims", "[reduce]") {
  const float x[6] = {-5, -2, -7, -1, -3, -4};  // [2][1][3]
  float y[6];
  reduce_f32(reduce_params(ReduceOp::Max, {2, 1, 3}, 0b011), x, y);
  check_eq(y, {-1, -2, -4});
  reduce_f32(reduce_params(ReduceOp::Max, {2, 1, 3}, 0b110), x, y);
  check_eq(y, {-2, -1});
  reduce_f32(reduce_params(ReduceOp::Min, {2, 1, 3}, 0b010), x, y);
  check_eq(y, {-5, -2, -7, -1, -3, -4});
  const float p[4] = {1, 2, 3, 4};
  reduce_f32(reduce_params(ReduceOp::Min, {2, 2}, 0b010), p, y);
  check_eq(y, {1, 3});
}

TEST_CASE("reduce: summation order is increasing input index", "[reduce]") {
  // Sum over axis 0 of [3][1]: ((1e8 + 1) + -1e8) = 0 in float, not 1.
  const float x[3] = {1e8f, 1.0f, -1e8f};
  float y[1];
  reduce_f32(reduce_params(ReduceOp::Sum, {3, 1}, 0b01), x, y);
  REQUIRE(y[0] == 0.0f);
  const float x2[3] = {1e8f, -1e8f, 1.0f};
  reduce_f32(reduce_params(ReduceOp::Sum, {1, 3}, 0b10), x2, y);
  REQUIRE(y[0] == 1.0f);
}

// ---------------------------------------------------------------------------------------------
// reduce_acc_f32 (ReduceProd/L1/L2/SumSquare/LogSum/LogSumExp) and where_select
// ---------------------------------------------------------------------------------------------

namespace {
ReduceAccParams acc_params(std::vector<int32_t> shape, int32_t mask, int32_t prod, ReduceMap m, ReduceFinal f) {
  ReduceAccParams p{};
  p.rank = static_cast<int32_t>(shape.size());
  p.out_total = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    p.in_shape[d] = shape[d];
    if (!(mask & (1 << d))) p.out_total *= shape[d];
  }
  p.reduce_mask = mask;
  p.prod = prod;
  p.map = m;
  p.fin = f;
  return p;
}
}  // namespace

TEST_CASE("reduce_acc_f64: max and log-sum-exp in double", "[reduce]") {
  const double x[6] = {1e-3, 2.0, -1.0, 700.0, 701.0, 0.5};  // [2][3], reduce the last axis
  double m[2], y[2];
  reduce_acc_f64(acc_params({2, 3}, 0b10, 2, ReduceMap::None, ReduceFinal::None), x, nullptr, m);
  check_eq(m, {2.0, 701.0});
  reduce_acc_f64(acc_params({2, 3}, 0b10, 0, ReduceMap::ExpShift, ReduceFinal::LogShift), x, m, y);
  REQUIRE(std::fabs(y[0] - std::log(std::exp(1e-3) + std::exp(2.0) + std::exp(-1.0))) < 1e-14);
  REQUIRE(std::fabs(y[1] - (701.0 + std::log(std::exp(-1.0) + 1.0 + std::exp(-700.5)))) < 1e-12);
}

TEST_CASE("reduce_acc: prod, l1, sumsquare, l2 over axes {0, 2} of [2,2,2]", "[reduce]") {
  const float x[8] = {1, -2, 3, -4, 5, -6, 7, -8};
  float y[2];
  reduce_acc_f32(acc_params({2, 2, 2}, 0b101, 1, ReduceMap::None, ReduceFinal::None), x, nullptr, y);
  check_eq(y, {1.0f * -2 * 5 * -6, 3.0f * -4 * 7 * -8});
  reduce_acc_f32(acc_params({2, 2, 2}, 0b101, 0, ReduceMap::Abs, ReduceFinal::None), x, nullptr, y);
  check_eq(y, {14, 22});
  reduce_acc_f32(acc_params({2, 2, 2}, 0b101, 0, ReduceMap::Square, ReduceFinal::None), x, nullptr, y);
  check_eq(y, {66, 138});
  reduce_acc_f32(acc_params({2, 2, 2}, 0b101, 0, ReduceMap::Square, ReduceFinal::Sqrt), x, nullptr, y);
  check_eq(y, {std::sqrt(66.0f), std::sqrt(138.0f)});
  const float e[4] = {1, 2, 3, 4};
  reduce_acc_f32(acc_params({2, 2}, 0b01, 0, ReduceMap::None, ReduceFinal::Log), e, nullptr, y);
  check_eq(y, {std::log(4.0f), std::log(6.0f)});
}

TEST_CASE("reduce_acc: logsumexp with the max shift, large and -inf inputs", "[reduce]") {
  const float x[4] = {1000, 1000, -INFINITY, -INFINITY};  // [2][2], reduce the last axis
  float m[2];
  reduce_f32(reduce_params(ReduceOp::Max, {2, 2}, 0b10), x, m);
  float y[2];
  reduce_acc_f32(acc_params({2, 2}, 0b10, 0, ReduceMap::ExpShift, ReduceFinal::LogShift), x, m, y);
  CHECK(y[0] == 1000.0f + std::log(2.0f));
  CHECK(std::isinf(y[1]));
  CHECK(y[1] < 0);
}

TEST_CASE("where: broadcast condition, in place, 8-byte elements", "[where]") {
  const bool c[3] = {true, false, true};  // [3], broadcast over rows of [2][3]
  float a[6] = {1, 2, 3, 4, 5, 6};
  const float b[1] = {-1};
  WhereParams p{};
  p.rank = 2;
  p.out_shape[0] = 2;
  p.out_shape[1] = 3;
  p.c_stride[0] = 0;
  p.c_stride[1] = 1;
  p.a_stride[0] = 3;
  p.a_stride[1] = 1;
  p.total = 6;
  p.elem_size = 4;
  where_select(p, c, a, b, a);  // in place over a
  check_eq(a, {1, -1, 3, 4, -1, 6});
  const int64_t ia[3] = {10, 20, 30}, ib[3] = {-10, -20, -30};
  int64_t iy[3];
  WhereParams q{};
  q.rank = 1;
  q.out_shape[0] = 3;
  q.c_stride[0] = q.a_stride[0] = q.b_stride[0] = 1;
  q.total = 3;
  q.elem_size = 8;
  where_select(q, c, ia, ib, iy);
  CHECK(iy[0] == 10);
  CHECK(iy[1] == -20);
  CHECK(iy[2] == 30);
}

TEST_CASE("tile: [2,3] by (2,2), 1-byte and 4-byte elements", "[tile]") {
  const float x[6] = {1, 2, 3, 4, 5, 6};
  float y[24];
  TileParams p{};
  p.rank = 2;
  p.in_shape[0] = 2;
  p.in_shape[1] = 3;
  p.out_shape[0] = 4;
  p.out_shape[1] = 6;
  p.total = 24;
  p.elem_size = 4;
  tile_copy(p, x, y);
  check_eq(y, {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6});
  const unsigned char b[2] = {7, 9};  // [2,1] by (1,3)
  unsigned char yb[6];
  TileParams q{};
  q.rank = 2;
  q.in_shape[0] = 2;
  q.in_shape[1] = 1;
  q.out_shape[0] = 2;
  q.out_shape[1] = 3;
  q.total = 6;
  q.elem_size = 1;
  tile_copy(q, b, yb);
  check_eq(yb, std::vector<unsigned char>{7, 7, 7, 9, 9, 9});
}

TEST_CASE("argmax/argmin: first or last of equal extremes, inner axis", "[argmax]") {
  const float x[6] = {1, 5, 5, 2, 0, 0};  // [2][3]
  int64_t y[3];
  ArgMaxParams p{1, 2, 3, 0, 0};  // axis 0
  argmax_f32(p, x, y);
  check_eq(y, std::vector<int64_t>{1, 0, 0});
  p = ArgMaxParams{2, 3, 1, 0, 0};  // axis 1
  argmax_f32(p, x, y);
  check_eq(y, std::vector<int64_t>{1, 0});
  p.select_last = 1;
  argmax_f32(p, x, y);
  check_eq(y, std::vector<int64_t>{2, 0});
  p.is_min = 1;
  argmax_f32(p, x, y);
  check_eq(y, std::vector<int64_t>{0, 2});
  p.select_last = 0;
  argmax_f32(p, x, y);
  check_eq(y, std::vector<int64_t>{0, 1});
}

// float16 / bfloat16 conversions (common/convert.h): round to nearest even with subnormals,
// overflow and NaN; double -> float16 rounds once (via float would round twice).
TEST_CASE("f32_to_f16 rounds to nearest even", "[kernels][cast]") {
  CHECK(f32_to_f16(1.0f) == 0x3c00);
  CHECK(f32_to_f16(-2.0f) == 0xc000);
  CHECK(f32_to_f16(-0.0f) == 0x8000);
  CHECK(f32_to_f16(65504.0f) == 0x7bff);
  CHECK(f32_to_f16(65519.99f) == 0x7bff);
  CHECK(f32_to_f16(65520.0f) == 0x7c00);  // the tie rounds to even: infinity
  CHECK(f32_to_f16(1e10f) == 0x7c00);
  CHECK(f32_to_f16(-std::numeric_limits<float>::infinity()) == 0xfc00);
  CHECK(f32_to_f16(std::nanf("")) == 0x7e00);
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);      // tie -> even
  CHECK(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);  // tie -> even (up)
  CHECK(f32_to_f16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) == 0x3c01);
  CHECK(f32_to_f16(std::ldexp(1.0f, -24)) == 0x0001);  // smallest subnormal
  CHECK(f32_to_f16(std::ldexp(1.0f, -25)) == 0x0000);  // tie -> 0
  CHECK(f32_to_f16(std::ldexp(1.5f, -25)) == 0x0001);
  CHECK(f32_to_f16(std::ldexp(3.0f, -25)) == 0x0002);  // 1.5 units: tie -> 2
  CHECK(f32_to_f16(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -25)) == 0x0400);  // up to the smallest normal
  CHECK(f32_to_f16(std::ldexp(1.0f, -30)) == 0x0000);
  CHECK(f32_to_f16(-std::ldexp(1.0f, -24)) == 0x8001);
}

TEST_CASE("f16_to_f32 is exact", "[kernels][cast]") {
  CHECK(f16_to_f32(0x0001) == std::ldexp(1.0f, -24));
  CHECK(f16_to_f32(0x03ff) == std::ldexp(1023.0f, -24));
  CHECK(f16_to_f32(0x7bff) == 65504.0f);
  CHECK(f16_to_f32(0x3555) == 0.333251953125f);
  CHECK(f16_to_f32(0xfc00) == -std::numeric_limits<float>::infinity());
  CHECK(std::isnan(f16_to_f32(0x7e00)));
  CHECK(std::signbit(f16_to_f32(0x8000)));
  for (uint32_t h = 0; h < 0x10000u; ++h) {  // every finite value converts back to itself
    const uint16_t b = static_cast<uint16_t>(h);
    if ((b & 0x7c00u) == 0x7c00u) continue;
    REQUIRE(f32_to_f16(f16_to_f32(b)) == b);
    REQUIRE(f64_to_f16(static_cast<double>(f16_to_f32(b))) == b);
  }
}

TEST_CASE("f64_to_f16 rounds once, from the double", "[kernels][cast]") {
  const double d = 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40);  // just above a tie
  CHECK(f32_to_f16(static_cast<float>(d)) == 0x3c00);  // via float: the tie, rounded to even
  CHECK(f64_to_f16(d) == 0x3c01);                      // directly: up
  CHECK(f64_to_f16(65520.0) == 0x7c00);
  CHECK(f64_to_f16(65519.999) == 0x7bff);
  CHECK(f64_to_f16(std::ldexp(1.0, -25)) == 0x0000);
  CHECK(f64_to_f16(std::ldexp(1.0, -25) + std::ldexp(1.0, -60)) == 0x0001);
  CHECK(f64_to_f16(1e-300) == 0x0000);
  CHECK(f64_to_f16(-1e300) == 0xfc00);
}

TEST_CASE("bfloat16 truncates, NaN stays NaN", "[kernels][cast]") {
  float v;
  const uint32_t bits = 0x3ef5eeb0u;  // ONNX's test_cast_FLOAT_to_BFLOAT16 expects 0x3ef5
  std::memcpy(&v, &bits, 4);
  CHECK(f32_to_bf16(v) == 0x3ef5);
  const uint32_t snan = 0x7f800001u;  // truncation alone would give infinity
  std::memcpy(&v, &snan, 4);
  CHECK(f32_to_bf16(v) == 0x7fc0);
  CHECK(f32_to_bf16(-std::numeric_limits<float>::infinity()) == 0xff80);
  CHECK(bf16_to_f32(0x3f80) == 1.0f);
  CHECK(bf16_to_f32(0xc0a0) == -5.0f);
}

TEST_CASE("saturate_from_double truncates and saturates", "[kernels][cast]") {
  CHECK(saturate_from_double<uint8_t>(300.7) == 255);
  CHECK(saturate_from_double<uint8_t>(-3.7) == 0);
  CHECK(saturate_from_double<uint8_t>(2.9) == 2);
  CHECK(saturate_from_double<uint8_t>(std::nan("")) == 0);
  CHECK(saturate_from_double<int8_t>(-128.9) == -128);
  CHECK(saturate_from_double<int8_t>(-200.0) == -128);
  CHECK(saturate_from_double<int8_t>(127.9) == 127);
  CHECK(saturate_from_double<int8_t>(-1.9) == -1);
  CHECK(saturate_from_double<int64_t>(1e19) == std::numeric_limits<int64_t>::max());
  CHECK(saturate_from_double<int64_t>(-1e19) == std::numeric_limits<int64_t>::min());
  CHECK(saturate_from_double<uint64_t>(2e19) == std::numeric_limits<uint64_t>::max());
  CHECK(saturate_from_double<int32_t>(-2147483648.5) == std::numeric_limits<int32_t>::min());
}

TEST_CASE("cast_to_<type> converts every source type", "[kernels][cast]") {
  CastParams p{};
  p.from = CastType::F32;
  p.to = CastType::U8;
  p.total = 6;
  const float xf[6] = {-1.5f, 0.5f, 254.7f, 255.5f, 1e10f, std::nanf("")};
  uint8_t yu8[6];
  cast_to_u8(p, xf, yu8);
  check_eq(yu8, std::vector<uint8_t>{0, 0, 254, 255, 255, 0});
  bool yb[6];
  p.to = CastType::Bool;
  cast_to_bool(p, xf, yb);
  CHECK((yb[0] && yb[1] && yb[2] && yb[5]));
  const int64_t xi[3] = {(int64_t{1} << 32) + 5, -1, (int64_t{1} << 24) + 1};
  p.from = CastType::I64;
  p.to = CastType::I32;
  p.total = 3;
  int32_t yi[3];
  cast_to_i32(p, xi, yi);
  check_eq(yi, std::vector<int32_t>{5, -1, (1 << 24) + 1});
  float yf[3];
  p.to = CastType::F32;
  cast_to_f32(p, xi, yf);
  CHECK(yf[2] == 16777216.0f);  // one rounding, to even
  const double xd[2] = {1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40), 3.5};
  uint16_t yh[2];
  p.from = CastType::F64;
  p.to = CastType::F16;
  p.total = 2;
  cast_to_f16(p, xd, yh);
  CHECK(yh[0] == 0x3c01);
  CHECK(yh[1] == 0x4300);
  const uint16_t xh[2] = {0x3c01, 0xc300};  // float16 -> int8: -3.5 -> -3
  int8_t y8[2];
  p.from = CastType::F16;
  p.to = CastType::I8;
  cast_to_i8(p, xh, y8);
  CHECK(y8[0] == 1);
  CHECK(y8[1] == -3);
  const uint8_t xbool[2] = {0, 1};
  uint16_t ybf[2];
  p.from = CastType::Bool;
  p.to = CastType::BF16;
  cast_to_bf16(p, xbool, ybf);
  CHECK(ybf[0] == 0x0000);
  CHECK(ybf[1] == 0x3f80);
}

TEST_CASE("binary_f16 Max and Min pick an input's bits", "[kernels][cast]") {
  const uint16_t a[3] = {0x3c00, 0xc000, 0x7e00};  // 1, -2, NaN
  const uint16_t b[3] = {0x4000, 0x8000, 0x3c00};  // 2, -0, 1
  uint16_t y[3];
  BinaryParams p{};
  p.op = BinOp::Max;
  p.rank = 1;
  p.out_shape[0] = 3;
  p.total = 3;
  p.same_shape = 1;
  p.a_type = p.b_type = ElemType::F16;
  binary_f16(p, a, b, y);
  check_eq(y, std::vector<uint16_t>{0x4000, 0x8000, 0x7e00});
  p.op = BinOp::Min;
  binary_f16(p, a, b, y);
  check_eq(y, std::vector<uint16_t>{0x3c00, 0xc000, 0x7e00});
}
