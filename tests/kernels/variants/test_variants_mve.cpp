// Randomized bit-exactness tests (and, with -DFE_BENCH, instruction counts) of the Helium (MVE)
// int8 conv kernels against the portable reference kernels, on Cortex-M55 (QEMU mps3-an547).
// Built and run by run_variants_mve.sh. Test mode prints every failing case with its parameters
// and ends with "N passed, M failed" (exit 1 on any failure). Bench mode prints, per variant and
// layer shape, MACs and retired instructions of the portable and the MVE kernel (QEMU -icount
// shift=0, SysTick calibrated against a loop of 10^8 instructions).
#include "common/prelude.h"

#include <arm_mve.h>

#include "fe_io.h"

namespace ferrite_rt {
#include "common/requant.h"
#include "conv_s8/conv_s8.h"
#include "conv_s8/mve_s8_common.h"
#include "conv_s8/conv1x1_s8_mve.h"
#include "conv_s8/dwconv_s8_mve.h"
#include "conv_s8/bottleneck_s8_mve.h"
#include "conv_s8/conv_s8_mve.h"
#include "fc_s8/fc_s8.h"
#include "fc_s8/fc_s8_mve.h"
#include "binary_s8/binary_s8.h"
#include "binary_s8/binary_s8_runs.h"
#include "binary_s8/binary_s8_mve.h"
#include "pool_s8/pool_s8.h"
#include "pool_s8/pool_s8_mve.h"
#include "pool_s8/avgpool_s8_mve_tfl.h"
#include "quantize/quantize.h"
#include "softmax_s8/softmax_s8.h"
#include "pad/pad_f32.h"  // PadParams: tflite_s8.h's pad_s8_tfl
#include "tflite_s8/tflite_s8.h"
#include "tflite_s8/add_s8_mve_tfl.h"
}  // namespace ferrite_rt

#include "kernels/pack_s8_mve.h"
#include "kernels/pack_binary_s8.h"
#include "kernels/pack_pool_s8.h"

using ferrite_rt::ConvS8Params;
namespace fk = ferrite::kernels;

namespace {

// ------------------------------------------------------------------------------------------------
// Output helpers (no printf).
struct Line {
  char buf[512];
  int n = 0;
  Line& s(const char* t) {
    while (*t && n < 510) buf[n++] = *t++;
    return *this;
  }
  Line& i(long long v) {
    char d[24];
    int k = 0;
    unsigned long long u = v < 0 ? static_cast<unsigned long long>(-v) : static_cast<unsigned long long>(v);
    do {
      d[k++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u);
    if (v < 0 && n < 510) buf[n++] = '-';
    while (k && n < 510) buf[n++] = d[--k];
    return *this;
  }
  // v / 100 with two decimals
  Line& fix2(unsigned long long v100) {
    i(static_cast<long long>(v100 / 100));
    s(".");
    const unsigned r = static_cast<unsigned>(v100 % 100);
    char t[3] = {static_cast<char>('0' + r / 10), static_cast<char>('0' + r % 10), 0};
    return s(t);
  }
  Line& hexf(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    char t[11] = "0x";
    for (int k = 0; k < 8; ++k) t[2 + k] = "0123456789abcdef"[(b >> (28 - 4 * k)) & 15u];
    t[10] = 0;
    return s(t);
  }
  void print() {
    buf[n++] = '\n';
    buf[n] = 0;
    fe_print(buf);
    n = 0;
  }
};

// Deterministic PRNG (splitmix64).
struct Rng {
  uint64_t s;
  uint32_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return static_cast<uint32_t>((z ^ (z >> 31)) >> 16);
  }
  int32_t range(int32_t lo, int32_t hi) {  // inclusive
    return lo + static_cast<int32_t>(next() % static_cast<uint32_t>(hi - lo + 1));
  }
  bool chance(int pct) { return range(0, 99) < pct; }
  int8_t s8() { return static_cast<int8_t>(next()); }
};

// ------------------------------------------------------------------------------------------------
// Buffers (sized for the largest bench shape).
constexpr size_t kAct = 160 * 1024;
constexpr size_t kW = 160 * 1024;
constexpr size_t kCh = 2048;
constexpr size_t kGuard = 64;
alignas(16) int8_t g_x[kAct + kGuard];
alignas(16) int8_t g_y[kAct + kGuard];
alignas(16) int8_t g_yref[kAct + kGuard];
alignas(16) int8_t g_w[kW];
alignas(16) int8_t g_wp[2 * kW];
alignas(16) int32_t g_bias[kCh];
alignas(16) int32_t g_biasp[kCh];
alignas(16) float g_scale[kCh];
alignas(16) uint8_t g_scratch[64 * 1024 + kGuard];

constexpr int8_t kSentinel = 0x5A;

// ------------------------------------------------------------------------------------------------
// Random operands.
int32_t pick_zp(Rng& r) {
  switch (r.range(0, 5)) {
    case 0: return -128;
    case 1: return 127;
    case 2: return 0;
    default: return r.range(-128, 127);
  }
}

float pick_scale(Rng& r, int mode) {
  switch (mode) {
    case 0: {  // typical: 2^-14 .. 2^-4 with a random mantissa
      const float m = 1.0f + static_cast<float>(r.next() % 1000000u) / 1000000.0f;
      float f = m;
      for (int e = r.range(4, 14); e > 0; --e) f *= 0.5f;
      return f;
    }
    case 1: {  // exact powers of two: many products land exactly on .5 (ties)
      float f = 1.0f;
      for (int e = r.range(1, 6); e > 0; --e) f *= 0.5f;
      return f;
    }
    case 2: return r.chance(50) ? 1.0e9f : 3.0e38f;            // saturation / overflow to inf
    case 3: return r.chance(50) ? 1.0e-40f : 1.0e-45f;         // denormal scales
    case 4: {                                                  // specials
      switch (r.range(0, 4)) {
        case 0: return __builtin_inff();
        case 1: return __builtin_nanf("");
        case 2: return 0.0f;
        case 3: return -0.0078125f;
        default: return -__builtin_inff();
      }
    }
    default: {  // random bit patterns of moderate magnitude
      uint32_t b = (r.next() & 0x807FFFFFu) | (static_cast<uint32_t>(r.range(100, 140)) << 23);
      float f;
      std::memcpy(&f, &b, 4);
      return f;
    }
  }
}

// Fills bias/scale/zero points/activation range of p and the per-channel arrays.
bool fill_common(Rng& r, ConvS8Params& p, int32_t C, bool* bias_null) {
  p.in_zp = pick_zp(r);
  p.out_zp = pick_zp(r);
  p.out_int32 = 0;
  switch (r.range(0, 4)) {
    case 0: p.act_min = -128; p.act_max = 127; break;
    case 1: p.act_min = p.out_zp; p.act_max = 127; break;  // Relu
    case 2: p.act_min = r.range(-128, 127); p.act_max = r.range(p.act_min, 127); break;
    case 3: p.act_min = p.out_zp; p.act_max = p.out_zp + r.range(0, 127 - p.out_zp); break;  // Relu6-like
    default:
      p.act_min = r.range(-128, 127);
      p.act_max = r.range(-128, 127);  // possibly min > max
      break;
  }
  const int smode_all = r.range(0, 9);
  for (int32_t c = 0; c < C; ++c) {
    int mode = smode_all < 6 ? smode_all % 2 : r.range(0, 5);
    if (smode_all >= 6 && mode > 1 && r.chance(60)) mode = 0;
    g_scale[c] = pick_scale(r, mode);
  }
  *bias_null = r.chance(20);
  const int bmode = r.range(0, 3);
  for (int32_t c = 0; c < C; ++c) {
    if (bmode == 0) g_bias[c] = r.range(-5000, 5000);
    else if (bmode == 1) g_bias[c] = static_cast<int32_t>(r.next() << 16 | r.next());  // anything, wraps
    else if (bmode == 2) g_bias[c] = r.chance(50) ? 2147483647 - r.range(0, 100000) : -2147483647 - 1 + r.range(0, 100000);
    else g_bias[c] = r.range(-200000, 200000);
  }
  return true;
}

void fill_s8(Rng& r, int8_t* d, size_t n, int mode) {
  for (size_t i = 0; i < n; ++i) {
    switch (mode) {
      case 0: d[i] = r.s8(); break;
      case 1: d[i] = r.chance(50) ? -128 : 127; break;
      case 2: d[i] = static_cast<int8_t>(r.range(-3, 3)); break;
      default: d[i] = -128; break;
    }
  }
}

void print_params(Line& l, const ConvS8Params& p) {
  l.s(" n=").i(p.n).s(" c_in=").i(p.c_in).s(" h_in=").i(p.h_in).s(" w_in=").i(p.w_in).s(" c_out=").i(p.c_out);
  l.s(" h_out=").i(p.h_out).s(" w_out=").i(p.w_out).s(" k=").i(p.kh).s("x").i(p.kw).s(" s=").i(p.stride_h);
  l.s(" pad=").i(p.pad_top).s(",").i(p.pad_left).s(" in_zp=").i(p.in_zp).s(" w_zp=").i(p.w_zp);
  l.s(" out_zp=").i(p.out_zp).s(" act=[").i(p.act_min).s(",").i(p.act_max).s("]");
}

// Compares y with yref over n bytes plus the guard; prints the first mismatch.
bool compare(const char* what, int case_no, const ConvS8Params& p, size_t n, bool bias_null) {
  for (size_t i = 0; i < n + kGuard; ++i) {
    const bool guard = i >= n;
    const int8_t want = guard ? kSentinel : g_yref[i];
    if (g_y[i] != want) {
      Line l;
      l.s("FAIL ").s(what).s(" case ").i(case_no).s(guard ? ": wrote past the output at byte " : ": byte ").i(
          static_cast<long long>(i));
      l.s(" got ").i(g_y[i]).s(" want ").i(want);
      print_params(l, p);
      l.s(bias_null ? " bias=null" : " bias=yes");
      if (!guard) {
        const size_t c = i % static_cast<size_t>(p.c_out);
        l.s(" ch=").i(static_cast<long long>(c)).s(" scale=").hexf(g_scale[c]);
      }
      l.print();
      return false;
    }
  }
  return true;
}

// ------------------------------------------------------------------------------------------------
// conv1x1_s8_mve
[[maybe_unused]] bool test_conv1x1(Rng& r, int case_no) {
  ConvS8Params p{};
  p.n = r.chance(15) ? r.range(2, 3) : 1;
  p.h_in = p.h_out = r.range(1, 7);
  p.w_in = p.w_out = r.range(1, 7);
  const int cm = r.range(0, 9);
  p.c_in = cm < 3 ? r.range(1, 16) : cm < 6 ? r.range(17, 64) : cm < 8 ? 16 * r.range(1, 6) : r.range(1, 200);
  p.c_out = r.chance(70) ? r.range(1, 24) : r.range(25, 90);
  p.kh = p.kw = 1;
  p.stride_h = p.stride_w = 1;
  p.dil_h = p.dil_w = 1;
  p.group = 1;
  p.w_zp = 0;
  bool bias_null;
  fill_common(r, p, p.c_out, &bias_null);
  if (!fk::conv1x1_s8_mve_applies(p)) {
    Line l;
    l.s("FAIL conv1x1 case ").i(case_no).s(": rule rejects a valid case");
    l.print();
    return false;
  }
  const size_t pixels = static_cast<size_t>(p.n) * static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in);
  const size_t nx = pixels * static_cast<size_t>(p.c_in), ny = pixels * static_cast<size_t>(p.c_out);
  fill_s8(r, g_x, nx, r.chance(80) ? 0 : r.range(1, 3));
  fill_s8(r, g_w, static_cast<size_t>(p.c_in) * static_cast<size_t>(p.c_out), r.chance(80) ? 0 : r.range(1, 3));
  const int32_t* bias = bias_null ? nullptr : g_bias;
  ferrite_rt::conv1x1_s8_nhwc(p, g_x, g_w, bias, g_scale, g_yref);
  fk::pack_conv1x1_s8_mve(p, g_w, bias, g_wp, g_biasp);
  std::memset(g_y, kSentinel, ny + kGuard);
  ferrite_rt::conv1x1_s8_mve(p, g_x, g_wp, g_biasp, g_scale, g_y);
  return compare("conv1x1_s8_mve", case_no, p, ny, bias_null);
}

// ------------------------------------------------------------------------------------------------
// conv_s8_mve (general, group 1)
[[maybe_unused]] bool test_conv(Rng& r, int case_no) {
  ConvS8Params p{};
  p.n = r.chance(10) ? 2 : 1;
  const int sm = r.range(0, 9);
  p.kh = sm < 5 ? 3 : r.range(1, 5);
  p.kw = sm < 5 ? 3 : r.range(1, 5);
  p.stride_h = r.range(1, 3);
  p.stride_w = r.chance(70) ? p.stride_h : r.range(1, 3);
  p.dil_h = r.chance(80) ? 1 : 2;
  p.dil_w = r.chance(80) ? 1 : 2;
  p.c_in = sm < 4 ? r.range(1, 4) : r.range(1, 24);
  p.c_out = r.range(1, 24);
  p.h_in = r.range(1, 14);
  p.w_in = r.range(1, 14);
  const int32_t ekh = (p.kh - 1) * p.dil_h + 1, ekw = (p.kw - 1) * p.dil_w + 1;
  p.pad_top = r.range(0, ekh - 1);
  p.pad_left = r.range(0, ekw - 1);
  const int32_t pb = r.range(0, ekh - 1), pr = r.range(0, ekw - 1);
  if (p.h_in + p.pad_top + pb < ekh) p.h_in = ekh;
  if (p.w_in + p.pad_left + pr < ekw) p.w_in = ekw;
  p.h_out = (p.h_in + p.pad_top + pb - ekh) / p.stride_h + 1;
  p.w_out = (p.w_in + p.pad_left + pr - ekw) / p.stride_w + 1;
  p.group = 1;
  p.w_zp = 0;
  bool bias_null;
  fill_common(r, p, p.c_out, &bias_null);
  if (!fk::conv_s8_mve_applies(p)) {
    Line l;
    l.s("FAIL conv_s8_mve case ").i(case_no).s(": rule rejects a valid case");
    l.print();
    return false;
  }
  const size_t nx = static_cast<size_t>(p.n * p.h_in * p.w_in * p.c_in);
  const size_t ny = static_cast<size_t>(p.n * p.h_out * p.w_out * p.c_out);
  fill_s8(r, g_x, nx, r.chance(80) ? 0 : r.range(1, 3));
  fill_s8(r, g_w, static_cast<size_t>(p.c_out * p.kh * p.kw * p.c_in), r.chance(80) ? 0 : r.range(1, 3));
  const int32_t* bias = bias_null ? nullptr : g_bias;
  ferrite_rt::conv_s8_nhwc(p, g_x, g_w, bias, g_scale, g_yref, g_scratch);
  fk::pack_conv_s8_mve(p, g_w, bias, g_wp, g_biasp);
  const size_t sb = ferrite_rt::conv_s8_mve_scratch_bytes(p);
  if (sb != fk::conv_s8_mve_scratch_bytes(p)) {
    Line l;
    l.s("FAIL conv_s8_mve case ").i(case_no).s(": host scratch size differs from the kernel's");
    l.print();
    return false;
  }
  std::memset(g_scratch, 0x33, sb + kGuard);
  std::memset(g_y, kSentinel, ny + kGuard);
  ferrite_rt::conv_s8_mve(p, g_x, g_wp, g_biasp, g_scale, g_y, g_scratch);
  for (size_t i = sb; i < sb + kGuard; ++i)
    if (g_scratch[i] != 0x33) {
      Line l;
      l.s("FAIL conv_s8_mve case ").i(case_no).s(": wrote past the scratch");
      print_params(l, p);
      l.print();
      return false;
    }
  return compare("conv_s8_mve", case_no, p, ny, bias_null);
}

// ------------------------------------------------------------------------------------------------
// fc_s8_mve
[[maybe_unused]] bool test_fc(Rng& r, int case_no) {
  ConvS8Params c{};
  ferrite_rt::FcS8Params p{};
  p.rows = r.chance(50) ? r.range(1, 3) : r.range(4, 9);
  p.in_features = r.chance(50) ? r.range(1, 40) : r.range(41, 300);
  p.out_features = r.range(1, 40);
  p.per_channel = r.chance(70) ? 1 : 0;
  c.c_out = p.out_features;
  bool bias_null;
  fill_common(r, c, p.out_features, &bias_null);
  p.in_zp = c.in_zp;
  p.out_zp = c.out_zp;
  p.act_min = c.act_min;
  p.act_max = c.act_max;
  p.w_zp = 0;
  p.out_int32 = 0;
  if (!fk::fc_s8_mve_applies(p)) {
    Line l;
    l.s("FAIL fc_s8_mve case ").i(case_no).s(": rule rejects a valid case");
    l.print();
    return false;
  }
  const size_t nx = static_cast<size_t>(p.rows * p.in_features), ny = static_cast<size_t>(p.rows * p.out_features);
  fill_s8(r, g_x, nx, r.chance(80) ? 0 : r.range(1, 3));
  fill_s8(r, g_w, static_cast<size_t>(p.in_features * p.out_features), r.chance(80) ? 0 : r.range(1, 3));
  const int32_t* bias = bias_null ? nullptr : g_bias;
  ferrite_rt::fc_s8(p, g_x, g_w, bias, g_scale, g_yref);
  fk::pack_fc_s8_mve(p, g_w, bias, g_wp, g_biasp);
  std::memset(g_y, kSentinel, ny + kGuard);
  ferrite_rt::fc_s8_mve(p, g_x, g_wp, g_biasp, g_scale, g_y);
  ConvS8Params shown = fk::fc_s8_mve_as_conv(p);
  return compare(p.per_channel ? "fc_s8_mve (per channel)" : "fc_s8_mve (per tensor)", case_no, shown, ny,
                 bias_null);
}

// ------------------------------------------------------------------------------------------------
// Depthwise
using DwFn = void (*)(const ConvS8Params&, int8_t*, const int8_t*, const int32_t*, const float*, int8_t*, void*);

struct DwVariant {
  const char* name;
  int k, s;
  DwFn fn;
  bool (*applies)(const ConvS8Params&);
};

const DwVariant kDw[] = {
    {"dwconv3x3_s1_s8_mve", 3, 1, ferrite_rt::dwconv3x3_s1_s8_mve, fk::dwconv3x3_s1_s8_mve_applies},
    {"dwconv3x3_s2_s8_mve", 3, 2, ferrite_rt::dwconv3x3_s2_s8_mve, fk::dwconv3x3_s2_s8_mve_applies},
    {"dwconv5x5_s1_s8_mve", 5, 1, ferrite_rt::dwconv5x5_s1_s8_mve, fk::dwconv5x5_s1_s8_mve_applies},
    {"dwconv5x5_s2_s8_mve", 5, 2, ferrite_rt::dwconv5x5_s2_s8_mve, fk::dwconv5x5_s2_s8_mve_applies},
    {"dwconv7x7_s1_s8_mve", 7, 1, ferrite_rt::dwconv7x7_s1_s8_mve, fk::dwconv7x7_s1_s8_mve_applies},
    {"dwconv7x7_s2_s8_mve", 7, 2, ferrite_rt::dwconv7x7_s2_s8_mve, fk::dwconv7x7_s2_s8_mve_applies},
};

// Fixed in-place shapes per variant (k, s, h_in, w_in, pad top/bottom/left/right) where an output
// row overwrites input rows below its window (the ring band must copy them ahead), plus pads
// larger than the kernel.
struct DwEdge {
  int32_t k, s, h_in, w_in, pt, pb, pl, pr;
  int32_t c = 0;  // channels (0: random 1..9)
};
const DwEdge kDwEdges[] = {
    {3, 1, 60, 4, 3, 0, 0, 1}, {3, 2, 60, 1, 2, 0, 2, 2}, {5, 1, 60, 2, 5, 0, 0, 3}, {5, 2, 60, 1, 4, 0, 2, 4},
    {7, 1, 60, 2, 7, 0, 0, 5}, {7, 2, 60, 1, 6, 0, 2, 6}, {3, 1, 5, 40, 4, 4, 4, 4}, {3, 2, 9, 9, 5, 0, 0, 5},
};

// A random depthwise shape for a k x k, stride s variant (or the fixed in-place edge shape).
void dw_random_shape(int32_t k, int32_t s, Rng& r, const DwEdge* edge, ConvS8Params& p) {
  p.n = 1;
  p.kh = p.kw = k;
  p.stride_h = p.stride_w = s;
  p.dil_h = p.dil_w = 1;
  // Shapes: tiny, small, medium, wide (3x3 plane mode, every pitch class) and tall (ring band).
  const int sm = r.range(0, 9);
  p.h_in = sm < 3 ? r.range(1, 4) : sm < 7 ? r.range(1, 14) : sm == 7 ? r.range(10, 30) : sm == 8 ? r.range(1, 6)
                                                                                          : r.range(20, 60);
  p.w_in = sm < 3 ? r.range(1, 4) : sm < 7 ? r.range(1, 14) : sm == 7 ? r.range(10, 30) : sm == 8 ? r.range(14, 130)
                                                                                          : r.range(1, 14);
  const int cm = r.range(0, 9);
  p.c_in = p.c_out = p.group = sm >= 8 ? r.range(1, 9) : cm < 4 ? r.range(1, 8) : cm < 8 ? r.range(9, 40)
                                                                                        : r.range(41, 100);
  // Padding: usually "same"-like, sometimes none or large; bottom/right independent.
  const int pm = r.range(0, 9);
  int32_t pt, pl, pb, pr;
  if (pm < 5) {
    pt = pl = (k - 1) / 2;
    pb = pr = pm < 3 ? (k - 1) / 2 : r.range(0, k - 1);
  } else if (pm < 7) {
    pt = pl = pb = pr = 0;
  } else {
    pt = r.range(0, k - 1);
    pl = r.range(0, k - 1);
    pb = r.range(0, k);
    pr = r.range(0, k);
  }
  p.pad_top = pt;
  p.pad_left = pl;
  const int32_t hspan = p.h_in + pt + pb - k, wspan = p.w_in + pl + pr - k;
  if (hspan < 0 || wspan < 0) {  // too small for the kernel: pad up to it
    p.h_in += hspan < 0 ? -hspan : 0;
    p.w_in += wspan < 0 ? -wspan : 0;
  }
  if (edge) {
    p.h_in = edge->h_in;
    p.w_in = edge->w_in;
    p.c_in = p.c_out = p.group = edge->c ? edge->c : r.range(1, 9);
    pt = edge->pt;
    pb = edge->pb;
    pl = edge->pl;
    pr = edge->pr;
    p.pad_top = pt;
    p.pad_left = pl;
  }
  p.h_out = (p.h_in + pt + pb - k) / s + 1;
  p.w_out = (p.w_in + pl + pr - k) / s + 1;
}

int g_ort_win_cases = 0;  // cases the window mode ran (dwconv3x3_s8_mve_win_ok(p, false))

// A random small 3x3 map of the window mode (hp * wp <= 64, at most 13 outputs), stride s: sizes,
// padding (up to 3 on each side) and 1..70 channels (chunk and block tails).
DwEdge dw_win_shape(Rng& r, int32_t s) {
  for (;;) {
    DwEdge e{3, s, r.range(1, 9), r.range(1, 9), r.range(0, 3), r.range(0, 3), r.range(0, 3), r.range(0, 3),
             r.chance(30) ? r.range(1, 16) : r.range(17, 70)};
    const int32_t hs = e.h_in + e.pt + e.pb - 3, ws = e.w_in + e.pl + e.pr - 3;
    if (hs < 0 || ws < 0) continue;
    const int32_t ho = hs / s + 1, wo = ws / s + 1;
    if (((ho - 1) * s + 3) * ((wo - 1) * s + 3) <= 64 && ho * wo <= 13) return e;
  }
}

[[maybe_unused]] bool test_dw(const DwVariant& v, Rng& r, int case_no, const DwEdge* edge, bool win = false) {
  ConvS8Params p{};
  const int32_t k = v.k;
  dw_random_shape(v.k, v.s, r, edge, p);
  p.w_zp = win || r.chance(70) ? 0 : pick_zp(r);
  bool bias_null;
  fill_common(r, p, p.c_out, &bias_null);
  if (!v.applies(p)) {
    Line l;
    l.s("FAIL ").s(v.name).s(" case ").i(case_no).s(": rule rejects a valid case");
    print_params(l, p);
    l.print();
    return false;
  }
  const size_t C = static_cast<size_t>(p.c_out);
  const size_t nx = static_cast<size_t>(p.h_in) * static_cast<size_t>(p.w_in) * C;
  const size_t ny = static_cast<size_t>(p.h_out) * static_cast<size_t>(p.w_out) * C;
  const bool inplace = ny <= nx && ((edge && !edge->c) || r.chance(50));
  if (ferrite_rt::dwconv3x3_s8_mve_win_ok(p, false)) ++g_ort_win_cases;
  fill_s8(r, g_x, nx, r.chance(80) ? 0 : r.range(1, 3));
  fill_s8(r, g_w, static_cast<size_t>(k * k) * C, r.chance(80) ? 0 : r.range(1, 3));
  const int32_t* bias = bias_null ? nullptr : g_bias;
  ferrite_rt::dwconv_s8_nhwc(p, g_x, g_w, bias, g_scale, g_yref);
  fk::pack_dwconv_s8_mve(p, g_w, bias, g_wp, g_biasp);
  const size_t sb = ferrite_rt::dwconv_s8_mve_scratch_bytes(p);
  if (sb != fk::dwconv_s8_mve_scratch_bytes(p)) {
    Line l;
    l.s("FAIL ").s(v.name).s(" case ").i(case_no).s(": host scratch size ").i(
        static_cast<long long>(fk::dwconv_s8_mve_scratch_bytes(p)));
    l.s(" != kernel's ").i(static_cast<long long>(sb));
    l.print();
    return false;
  }
  if (sb > sizeof g_scratch - kGuard) {
    Line l;
    l.s("FAIL ").s(v.name).s(" case ").i(case_no).s(": scratch too large for the test");
    l.print();
    return false;
  }
  std::memset(g_scratch, 0x33, sb + kGuard);
  std::memset(g_y, kSentinel, (inplace ? nx : ny) + kGuard);
  if (inplace) {
    std::memcpy(g_y, g_x, nx);
    // Beyond the output, the buffer keeps the input bytes the kernel did not overwrite.
    std::memcpy(g_yref + ny, g_x + ny, nx - ny);
    v.fn(p, g_y, g_wp, g_biasp, g_scale, g_y, g_scratch);
  } else {
    v.fn(p, g_x, g_wp, g_biasp, g_scale, g_y, g_scratch);
  }
  for (size_t i = sb; i < sb + kGuard; ++i)
    if (g_scratch[i] != 0x33) {
      Line l;
      l.s("FAIL ").s(v.name).s(" case ").i(case_no).s(": wrote past the scratch");
      print_params(l, p);
      l.print();
      return false;
    }
  char what[64];
  {
    Line l;
    l.s(v.name).s(inplace ? " (in place)" : " (out of place)");
    l.buf[l.n] = 0;
    std::memcpy(what, l.buf, static_cast<size_t>(l.n) + 1);
  }
  return compare(what, case_no, p, inplace ? nx : ny, bias_null);
}

// Rule checks: cases each rule must reject.
[[maybe_unused]] int test_rules() {
  int failed = 0;
  ConvS8Params p{};
  p.n = 1; p.c_in = p.c_out = 8; p.h_in = p.w_in = p.h_out = p.w_out = 4;
  p.kh = p.kw = 1; p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 1; p.group = 1;
  p.act_min = -128; p.act_max = 127;
  if (!fk::conv1x1_s8_mve_applies(p)) ++failed;
  ConvS8Params q = p; q.w_zp = 1; if (fk::conv1x1_s8_mve_applies(q)) ++failed;
  q = p; q.out_int32 = 1; if (fk::conv1x1_s8_mve_applies(q)) ++failed;
  q = p; q.group = 2; if (fk::conv1x1_s8_mve_applies(q)) ++failed;
  q = p; q.act_max = 200; if (fk::conv1x1_s8_mve_applies(q)) ++failed;
  q = p; q.kh = q.kw = 3; if (fk::conv1x1_s8_mve_applies(q)) ++failed;
  q = p; q.kh = q.kw = 3; q.group = 8; q.pad_top = q.pad_left = 1;
  if (!fk::dwconv3x3_s1_s8_mve_applies(q)) ++failed;
  if (fk::dwconv3x3_s2_s8_mve_applies(q)) ++failed;
  if (fk::dwconv5x5_s1_s8_mve_applies(q)) ++failed;
  ConvS8Params d = q; d.dil_h = 2; if (fk::dwconv3x3_s1_s8_mve_applies(d)) ++failed;
  d = q; d.n = 2; if (fk::dwconv3x3_s1_s8_mve_applies(d)) ++failed;
  d = q; d.c_out = 16; if (fk::dwconv3x3_s1_s8_mve_applies(d)) ++failed;
  d = q; d.out_int32 = 1; if (fk::dwconv3x3_s1_s8_mve_applies(d)) ++failed;
  if (failed) {
    Line l;
    l.s("FAIL selection rules: ").i(failed).s(" wrong answers");
    l.print();
  }
  return failed ? 1 : 0;
}

// ------------------------------------------------------------------------------------------------
// Average pooling (avgpool_s8_mve, global_avgpool_s8_mve) vs the portable kernels.
#include "test_pool_s8.inc"
// Adds the cases that ran to *passed / *failed.
[[maybe_unused]] void test_pools(Rng& r, int cases, int* passed, int* failed) {
  const PoolBufs b{g_x, g_y, g_yref, kAct};
  int ran = 0;
  int f = pool_run_global("global_avgpool_s8_mve", ferrite_rt::global_avgpool_s8_mve, fk::global_avgpool_s8_mve_applies,
                          r, cases, b, &ran);
  *passed += ran - f;
  *failed += f;
  Line l;
  l.s("global_avgpool_s8_mve: ").i(ran - f).s("/").i(ran).s(" cases bit-exact");
  l.print();
  f = pool_run_avg("avgpool_s8_mve", "global_avgpool_s8_mve", ferrite_rt::avgpool_s8_mve, fk::avgpool_s8_mve_applies,
                   ferrite_rt::global_avgpool_s8_mve, fk::global_avgpool_s8_mve_applies, r, 2 * cases, b, &ran);
  *passed += ran - f;
  *failed += f;
  l.s("avgpool_s8_mve / global_avgpool_s8_mve: ").i(ran - f).s("/").i(ran).s(" cases bit-exact");
  l.print();
  f = pool_run_max("maxpool_s8_mve", ferrite_rt::maxpool_s8_mve, fk::maxpool_s8_mve_applies, r, cases, b, &ran);
  *passed += ran - f;
  *failed += f;
  l.s("maxpool_s8_mve: ").i(ran - f).s("/").i(ran).s(" cases bit-exact");
  l.print();
  // TFLite AVERAGE_POOL_2D vs avgpool_s8_nhwc_tfl, and the vector division alone.
  f = pool_run_avg_tfl("avgpool_s8_mve_tfl", ferrite_rt::avgpool_s8_mve_tfl, fk::avgpool_s8_tfl_variant_applies, r,
                       2 * cases, b, &ran);
  *passed += ran - f;
  *failed += f;
  l.s("avgpool_s8_mve_tfl: ").i(ran - f).s("/").i(ran).s(" cases bit-exact");
  l.print();
  long long checked = 0;
  const long long bad = pool_tfl_div_check(
      [](const int32_t* acc, int32_t n, int32_t cnt, int8_t* y) {
        ferrite_rt::AvgPoolTflMveDiv div;
        div.set(cnt);
        div.lo = vdupq_n_s32(-128);
        div.hi = vdupq_n_s32(127);
        for (int32_t i = 0; i < n; i += 4) {
          int32_t a[4] = {0, 0, 0, 0};
          for (int32_t k = 0; k < 4 && i + k < n; ++k) a[k] = acc[i + k];
          int32_t q[4];
          vst1q_s32(q, div(vld1q_s32(a)));
          for (int32_t k = 0; k < 4 && i + k < n; ++k) y[i + k] = static_cast<int8_t>(q[k]);
        }
      },
      false, &checked);
  if (bad) ++*failed; else ++*passed;
  l.s("avgpool_s8_mve_tfl division: ").i(static_cast<int32_t>(checked / 1000)).s("k sums, ").i(static_cast<int32_t>(bad))
      .s(" wrong");
  l.print();
}

#ifdef FE_BENCH
// ------------------------------------------------------------------------------------------------
// Instruction counting: under -icount shift=0 SysTick counts retired instructions / ipt.
volatile unsigned long g_wraps = 0;
volatile unsigned long* const kSyst = reinterpret_cast<volatile unsigned long*>(0xE000E010ul);
void counter_start() {
  kSyst[0] = 0;
  kSyst[1] = 0xFFFFFFul;
  kSyst[2] = 0;
  g_wraps = 0;
  kSyst[0] = 7;
  while (kSyst[2] == 0) {  // CVR reloads from RVR at the first tick
  }
}
unsigned long long counter_ticks() {
  unsigned long w, v;
  do {
    w = g_wraps;
    v = kSyst[2];
  } while (w != g_wraps);
  return static_cast<unsigned long long>(w) * 0x1000000ull + (0xFFFFFFull - v);
}
// Instructions per 1000 ticks, measured.
unsigned long long g_ipkt = 31250;
unsigned long long g_overhead_ticks = 0;

[[maybe_unused]] void calibrate() {
  // 2 * 5e7 + 1 instructions (subs + bne per iteration).
  counter_start();
  const unsigned long long t0 = counter_ticks();
  unsigned n = 50000000u;
  __asm__ volatile(
      "1:\n\t"
      "subs %0, %0, #1\n\t"
      "bne 1b"
      : "+r"(n)::"cc");
  const unsigned long long t = counter_ticks() - t0;
  g_ipkt = (100000000ull * 1000ull + t / 2) / t;
  counter_start();
  const unsigned long long a = counter_ticks();
  g_overhead_ticks = counter_ticks() - a;
  Line l;
  l.s("calibration: 10^8-instruction loop = ").i(static_cast<long long>(t)).s(" ticks -> ");
  l.fix2(g_ipkt / 10).s(" instructions per tick; counter overhead ").i(static_cast<long long>(g_overhead_ticks));
  l.s(" ticks");
  l.print();
}

// Bench shapes must fit the static buffers.
bool fits(const char* what, size_t nx, size_t nw, size_t ny, size_t nch) {
  if (nx <= kAct && ny <= kAct && nw <= kW && nch <= kCh) return true;
  Line l;
  l.s("bench ").s(what).s(": shape too large for the test buffers");
  l.print();
  return false;
}

unsigned long long to_instr(unsigned long long ticks) {
  ticks = ticks > g_overhead_ticks ? ticks - g_overhead_ticks : 0;
  return (ticks * g_ipkt + 500) / 1000;
}

void bench_line(const char* variant, const ConvS8Params& p, unsigned long long macs, unsigned long long ref,
                unsigned long long mve, bool ok) {
  Line l;
  l.s(variant).s(" ").i(p.h_in).s("x").i(p.w_in).s("x").i(p.c_in).s("->").i(p.h_out).s("x").i(p.w_out).s("x").i(
      p.c_out);
  l.s(" macs=").i(static_cast<long long>(macs)).s(" portable=").i(static_cast<long long>(ref)).s(" (");
  l.fix2(ref * 100 / macs).s("/MAC) mve=").i(static_cast<long long>(mve)).s(" (").fix2(mve * 100 / macs);
  l.s("/MAC)").s(ok ? "" : " MISMATCH");
  l.print();
}

bool bench_1x1(Rng& r, int32_t hw, int32_t cin, int32_t cout) {
  ConvS8Params p{};
  p.n = 1; p.h_in = p.h_out = hw; p.w_in = p.w_out = hw; p.c_in = cin; p.c_out = cout;
  p.kh = p.kw = 1; p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 1; p.group = 1;
  p.in_zp = -3; p.out_zp = -128; p.act_min = -128; p.act_max = 127;
  const size_t pixels = static_cast<size_t>(hw * hw);
  if (!fits("conv1x1", pixels * static_cast<size_t>(cin), static_cast<size_t>(cin * cout),
            pixels * static_cast<size_t>(cout), static_cast<size_t>(cout)))
    return false;
  fill_s8(r, g_x, pixels * static_cast<size_t>(cin), 0);
  fill_s8(r, g_w, static_cast<size_t>(cin * cout), 0);
  for (int32_t c = 0; c < cout; ++c) {
    g_bias[c] = r.range(-3000, 3000);
    g_scale[c] = 0.0009f + 0.00001f * static_cast<float>(c % 7);
  }
  counter_start();
  unsigned long long tref = counter_ticks();
  ferrite_rt::conv1x1_s8_nhwc(p, g_x, g_w, g_bias, g_scale, g_yref);
  const unsigned long long ref = to_instr(counter_ticks() - tref);
  fk::pack_conv1x1_s8_mve(p, g_w, g_bias, g_wp, g_biasp);
  counter_start();
  unsigned long long tmve = counter_ticks();
  ferrite_rt::conv1x1_s8_mve(p, g_x, g_wp, g_biasp, g_scale, g_y);
  const unsigned long long mve = to_instr(counter_ticks() - tmve);
  const size_t ny = pixels * static_cast<size_t>(cout);
  const bool ok = std::memcmp(g_y, g_yref, ny) == 0;
  bench_line("conv1x1_s8_mve", p, pixels * static_cast<size_t>(cin * cout), ref, mve, ok);
  return ok;
}

bool bench_conv(Rng& r, int32_t hw, int32_t cin, int32_t cout, int32_t k, int32_t s) {
  ConvS8Params p{};
  p.n = 1; p.h_in = p.w_in = hw; p.c_in = cin; p.c_out = cout;
  p.kh = p.kw = k; p.stride_h = p.stride_w = s; p.dil_h = p.dil_w = 1; p.group = 1;
  p.pad_top = p.pad_left = (k - 1) / 2;
  p.h_out = p.w_out = (hw + 2 * p.pad_top - k) / s + 1;
  p.in_zp = -3; p.out_zp = -128; p.act_min = -128; p.act_max = 127;
  if (!fits("conv", static_cast<size_t>(hw * hw * cin), static_cast<size_t>(cout * k * k * cin),
            static_cast<size_t>(p.h_out * p.w_out * cout), static_cast<size_t>(cout)))
    return false;
  fill_s8(r, g_x, static_cast<size_t>(hw * hw * cin), 0);
  fill_s8(r, g_w, static_cast<size_t>(cout * k * k * cin), 0);
  for (int32_t c = 0; c < cout; ++c) {
    g_bias[c] = r.range(-3000, 3000);
    g_scale[c] = 0.0009f + 0.00001f * static_cast<float>(c % 7);
  }
  counter_start();
  unsigned long long tref = counter_ticks();
  ferrite_rt::conv_s8_nhwc(p, g_x, g_w, g_bias, g_scale, g_yref, g_scratch);
  const unsigned long long ref = to_instr(counter_ticks() - tref);
  fk::pack_conv_s8_mve(p, g_w, g_bias, g_wp, g_biasp);
  counter_start();
  unsigned long long tmve = counter_ticks();
  ferrite_rt::conv_s8_mve(p, g_x, g_wp, g_biasp, g_scale, g_y, g_scratch);
  const unsigned long long mve = to_instr(counter_ticks() - tmve);
  const size_t ny = static_cast<size_t>(p.h_out * p.w_out * cout);
  const bool ok = std::memcmp(g_y, g_yref, ny) == 0;
  bench_line("conv_s8_mve", p, ny * static_cast<size_t>(k * k * cin), ref, mve, ok);
  return ok;
}

bool bench_fc(Rng& r, int32_t rows, int32_t in, int32_t out) {
  ferrite_rt::FcS8Params p{};
  p.rows = rows; p.in_features = in; p.out_features = out; p.per_channel = 1;
  p.in_zp = -3; p.out_zp = -128; p.act_min = -128; p.act_max = 127;
  if (!fits("fc", static_cast<size_t>(rows * in), static_cast<size_t>(in * out), static_cast<size_t>(rows * out),
            static_cast<size_t>(out)))
    return false;
  fill_s8(r, g_x, static_cast<size_t>(rows * in), 0);
  fill_s8(r, g_w, static_cast<size_t>(in * out), 0);
  for (int32_t c = 0; c < out; ++c) {
    g_bias[c] = r.range(-3000, 3000);
    g_scale[c] = 0.0009f + 0.00001f * static_cast<float>(c % 7);
  }
  counter_start();
  unsigned long long tref = counter_ticks();
  ferrite_rt::fc_s8(p, g_x, g_w, g_bias, g_scale, g_yref);
  const unsigned long long ref = to_instr(counter_ticks() - tref);
  fk::pack_fc_s8_mve(p, g_w, g_bias, g_wp, g_biasp);
  counter_start();
  unsigned long long tmve = counter_ticks();
  ferrite_rt::fc_s8_mve(p, g_x, g_wp, g_biasp, g_scale, g_y);
  const unsigned long long mve = to_instr(counter_ticks() - tmve);
  const size_t ny = static_cast<size_t>(rows * out);
  const bool ok = std::memcmp(g_y, g_yref, ny) == 0;
  bench_line("fc_s8_mve", fk::fc_s8_mve_as_conv(p), ny * static_cast<size_t>(in), ref, mve, ok);
  return ok;
}

// int8 Add / Mul: y[rows][cols] = a op b; bkind 0: b same shape, 1: b[cols] (NHWC per-channel,
// squeeze-excitation), 2: b[rows][1] (one value per run of cols: NCHW per-channel). Figures per
// output element; the portable kernel and the variant are checked equal.
bool bench_binary(Rng& r, ferrite_rt::BinOpS8 op, int32_t rows, int32_t cols, int bkind) {
  ferrite_rt::BinaryS8Params p{};
  p.op = op;
  p.rank = 2;
  p.out_shape[0] = rows;
  p.out_shape[1] = cols;
  p.a_stride[0] = cols;
  p.a_stride[1] = 1;
  p.b_stride[0] = bkind == 0 ? cols : (bkind == 1 ? 0 : 1);
  p.b_stride[1] = bkind == 2 ? 0 : 1;
  p.total = rows * cols;
  p.same_shape = bkind == 0;
  p.a_zp = -3; p.b_zp = 5; p.y_zp = -1;
  p.a_scale = 0.031f; p.b_scale = 0.027f; p.y_scale = 0.04f;
  p.act_min = -128; p.act_max = 127;
  const size_t n = static_cast<size_t>(p.total);
  if (!fits("binary", n, n, n, 0)) return false;
  fill_s8(r, g_x, n, 0);
  fill_s8(r, g_w, n, 0);
  counter_start();
  unsigned long long t0 = counter_ticks();
  ferrite_rt::binary_s8(p, g_x, g_w, g_yref);
  const unsigned long long ref = to_instr(counter_ticks() - t0);
  const bool add = op == ferrite_rt::BinOpS8::Add;
  counter_start();
  t0 = counter_ticks();
  if (add) ferrite_rt::qadd_s8_mve(p, g_x, g_w, g_y);
  else ferrite_rt::qmul_s8_mve(p, g_x, g_w, g_y);
  const unsigned long long mve = to_instr(counter_ticks() - t0);
  const bool ok = (add ? fk::qadd_s8_mve_applies(p) : fk::qmul_s8_mve_applies(p)) && std::memcmp(g_y, g_yref, n) == 0;
  Line l;
  l.s(add ? "qadd_s8_mve " : "qmul_s8_mve ").i(rows).s("x").i(cols).s(bkind == 0 ? " same shape" : (bkind == 1 ? " b[c] (NHWC per-channel)" : " b[row] (one value per run)"));
  l.s(" elements=").i(static_cast<long long>(n)).s(" portable=").i(static_cast<long long>(ref)).s(" (");
  l.fix2(ref * 100 / n).s("/element) mve=").i(static_cast<long long>(mve)).s(" (").fix2(mve * 100 / n).s("/element)");
  l.s(ok ? "" : " MISMATCH");
  l.print();
  return ok;
}

bool bench_dw(Rng& r, const DwVariant& v, int32_t hw, int32_t c) {
  ConvS8Params p{};
  p.n = 1; p.h_in = p.w_in = hw; p.c_in = p.c_out = p.group = c;
  p.kh = p.kw = v.k; p.stride_h = p.stride_w = v.s; p.dil_h = p.dil_w = 1;
  // TF/PyTorch-style padding: "same" for stride 1, (k-1)/2 for stride 2.
  p.pad_top = p.pad_left = (v.k - 1) / 2;
  p.h_out = p.w_out = (hw + 2 * p.pad_top - v.k) / v.s + 1;
  p.in_zp = -128; p.out_zp = -128; p.act_min = -128; p.act_max = 127;
  const size_t nx = static_cast<size_t>(hw * hw * c);
  if (!fits("dw", nx, static_cast<size_t>(v.k * v.k * c), nx, static_cast<size_t>(c)) ||
      ferrite_rt::dwconv_s8_mve_scratch_bytes(p) > sizeof g_scratch)
    return false;
  fill_s8(r, g_x, nx, 0);
  fill_s8(r, g_w, static_cast<size_t>(v.k * v.k * c), 0);
  for (int32_t i = 0; i < c; ++i) {
    g_bias[i] = r.range(-3000, 3000);
    g_scale[i] = 0.009f + 0.0001f * static_cast<float>(i % 7);
  }
  counter_start();
  unsigned long long tref = counter_ticks();
  ferrite_rt::dwconv_s8_nhwc(p, g_x, g_w, g_bias, g_scale, g_yref);
  const unsigned long long ref = to_instr(counter_ticks() - tref);
  fk::pack_dwconv_s8_mve(p, g_w, g_bias, g_wp, g_biasp);
  counter_start();
  unsigned long long tmve = counter_ticks();
  v.fn(p, g_x, g_wp, g_biasp, g_scale, g_y, g_scratch);
  const unsigned long long mve = to_instr(counter_ticks() - tmve);
  const size_t ny = static_cast<size_t>(p.h_out * p.w_out * c);
  const bool ok = std::memcmp(g_y, g_yref, ny) == 0;
  bench_line(v.name, p, ny * static_cast<size_t>(v.k * v.k), ref, mve, ok);
  return ok;
}
// Depthwise with TFLite requantization (*_mve_tfl vs dwconv_s8_nhwc_tfl), TFLite "SAME" padding
// (stride 2 on an even input: pad 0 before, 1 after), per-channel multipliers and shifts like a
// converted model's; out of place, or in place (dwconv_s8_nhwc_inplace_tfl) with inplace.
[[maybe_unused]] bool bench_dw_tfl(Rng& r, int32_t k, int32_t s, int32_t hw, int32_t c, bool inplace) {
  using DwTflFn = void (*)(const ConvS8Params&, int8_t*, const int8_t*, const int32_t*, const int32_t*, int8_t*, void*);
  const DwTflFn fns[] = {ferrite_rt::dwconv3x3_s1_s8_mve_tfl, ferrite_rt::dwconv3x3_s2_s8_mve_tfl,
                         ferrite_rt::dwconv5x5_s1_s8_mve_tfl, ferrite_rt::dwconv5x5_s2_s8_mve_tfl,
                         ferrite_rt::dwconv7x7_s1_s8_mve_tfl, ferrite_rt::dwconv7x7_s2_s8_mve_tfl};
  const char* names[] = {"dwconv3x3_s1_s8_mve_tfl", "dwconv3x3_s2_s8_mve_tfl", "dwconv5x5_s1_s8_mve_tfl",
                         "dwconv5x5_s2_s8_mve_tfl", "dwconv7x7_s1_s8_mve_tfl", "dwconv7x7_s2_s8_mve_tfl"};
  const int vi = (k - 3) + (s - 1);
  ConvS8Params p{};
  p.n = 1; p.h_in = p.w_in = hw; p.c_in = p.c_out = p.group = c;
  p.kh = p.kw = k; p.stride_h = p.stride_w = s; p.dil_h = p.dil_w = 1;
  p.h_out = p.w_out = (hw + s - 1) / s;
  const int32_t pad = (p.h_out - 1) * s + k - hw;
  p.pad_top = p.pad_left = pad / 2;
  p.in_zp = -128; p.out_zp = -128; p.act_min = -128; p.act_max = 127;
  const size_t nx = static_cast<size_t>(hw * hw * c);
  if (!fits("dw", nx, static_cast<size_t>(k * k * c), nx, static_cast<size_t>(c)) ||
      ferrite_rt::dwconv_s8_mve_tfl_scratch_bytes(p) > sizeof g_scratch)
    return false;
  fill_s8(r, g_x, nx, 0);
  fill_s8(r, g_w, static_cast<size_t>(k * k * c), 0);
  static int32_t qm[2 * kCh], qmp[3 * kCh + 12];
  for (int32_t i = 0; i < c; ++i) {
    g_bias[i] = r.range(-3000, 3000);
    qm[2 * i] = static_cast<int32_t>((1u << 30) + (r.next() & ((1u << 30) - 1)));
    qm[2 * i + 1] = -r.range(6, 10);
  }
  const size_t ny = static_cast<size_t>(p.h_out * p.w_out * c);
  static uint8_t temp[64 * 64 * 4];
  if (inplace) std::memcpy(g_yref, g_x, nx);
  counter_start();
  unsigned long long tref = counter_ticks();
  if (inplace)
    ferrite_rt::dwconv_s8_nhwc_inplace_tfl(p, g_yref, g_w, g_bias, qm, temp);
  else
    ferrite_rt::dwconv_s8_nhwc_tfl(p, g_x, g_w, g_bias, qm, g_yref);
  const unsigned long long ref = to_instr(counter_ticks() - tref);
  fk::pack_dwconv_s8_mve(p, g_w, g_bias, g_wp, g_biasp);
  fk::pack_dw_requant_s8_mve_tfl(p, qm, qmp);
  int8_t* x = g_x;
  if (inplace) {
    std::memcpy(g_y, g_x, nx);
    x = g_y;
  }
  counter_start();
  unsigned long long tmve = counter_ticks();
  fns[vi](p, x, g_wp, g_biasp, qmp, g_y, g_scratch);
  const unsigned long long mve = to_instr(counter_ticks() - tmve);
  const bool ok = std::memcmp(g_y, g_yref, ny) == 0;
  bench_line(names[vi], p, ny * static_cast<size_t>(k * k), ref, mve, ok);
  return ok;
}
// Average pools (h x w x c input, kh x kw window, stride s, pad on every side): instructions per
// output element; whole-input windows through global_avgpool_s8_mve, as the selection does.
bool bench_avgpool(Rng& r, int32_t h, int32_t w, int32_t c, int32_t kh, int32_t kw, int32_t s, int32_t pad) {
  ferrite_rt::PoolS8Params p{};
  p.n = 1; p.c = c; p.h_in = h; p.w_in = w; p.kh = kh; p.kw = kw;
  p.stride_h = p.stride_w = s; p.dil_h = p.dil_w = 1;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  p.h_out = (h + 2 * pad - kh) / s + 1;
  p.w_out = (w + 2 * pad - kw) / s + 1;
  p.in_zp = -5; p.out_zp = 3; p.in_scale = 0.02f; p.out_scale = 0.015f; p.act_min = -128; p.act_max = 127;
  const size_t nx = static_cast<size_t>(h * w * c), ny = static_cast<size_t>(p.h_out * p.w_out * c);
  if (!fits("avgpool", nx, 0, ny, 0)) return false;
  fill_s8(r, g_x, nx, 0);
  counter_start();
  unsigned long long t0 = counter_ticks();
  ferrite_rt::avgpool_s8_nhwc(p, g_x, g_yref);
  const unsigned long long ref = to_instr(counter_ticks() - t0);
  const bool global = fk::avgpool_s8_is_global(p);
  counter_start();
  t0 = counter_ticks();
  if (global)
    ferrite_rt::global_avgpool_s8_mve(fk::avgpool_s8_global_params(p), g_x, g_y);
  else
    ferrite_rt::avgpool_s8_mve(p, g_x, g_y);
  const unsigned long long mve = to_instr(counter_ticks() - t0);
  const bool ok = std::memcmp(g_y, g_yref, ny) == 0;
  Line l;
  l.s(global ? "global_avgpool_s8_mve " : "avgpool_s8_mve ").i(h).s("x").i(w).s("x").i(c).s(" k").i(kh).s("x").i(kw)
      .s(" s").i(s).s(" pad ").i(pad).s(" outputs=").i(static_cast<long long>(ny)).s(" portable=")
      .i(static_cast<long long>(ref)).s(" (").fix2(ref * 100 / ny).s("/output) mve=").i(static_cast<long long>(mve))
      .s(" (").fix2(mve * 100 / ny).s("/output)").s(ok ? "" : " MISMATCH");
  l.print();
  return ok;
}

#endif

#ifndef FE_BENCH
#include "binary_s8_cases.inc"
#include "test_tfl_mve.inc"
#endif


// ------------------------------------------------------------------------------------------------
// Inverted bottleneck (bottleneck{K}x{K}_s{S}_s8_mve) against bottleneck_s8_nhwc.
using BnFn = void (*)(const ferrite_rt::BottleneckS8Params&, const int8_t*, const int8_t*, const int32_t*,
                      const float*, const int8_t*, const int32_t*, const float*, const int8_t*, const int32_t*,
                      const float*, int8_t*, void*);
struct BnVariant {
  const char* name;
  int k, s;
  BnFn fn;
};
const BnVariant kBn[] = {
    {"bottleneck3x3_s1_s8_mve", 3, 1, ferrite_rt::bottleneck3x3_s1_s8_mve},
    {"bottleneck3x3_s2_s8_mve", 3, 2, ferrite_rt::bottleneck3x3_s2_s8_mve},
    {"bottleneck5x5_s1_s8_mve", 5, 1, ferrite_rt::bottleneck5x5_s1_s8_mve},
    {"bottleneck5x5_s2_s8_mve", 5, 2, ferrite_rt::bottleneck5x5_s2_s8_mve},
    {"bottleneck7x7_s1_s8_mve", 7, 1, ferrite_rt::bottleneck7x7_s1_s8_mve},
    {"bottleneck7x7_s2_s8_mve", 7, 2, ferrite_rt::bottleneck7x7_s2_s8_mve},
};

// Per-layer operands of a bottleneck (expand, depthwise, project).
constexpr size_t kBnW = 24 * 1024;
constexpr size_t kBnCh = 512;
alignas(16) int8_t g_bnw[3][kBnW];
alignas(16) int8_t g_bnwp[3][2 * kBnW];
alignas(16) int32_t g_bnb[3][kBnCh];
alignas(16) int32_t g_bnbp[3][kBnCh];
alignas(16) float g_bns[3][kBnCh];
alignas(16) uint8_t g_bnscratch[48 * 1024];
bool g_bnnull[3];

ConvS8Params bn_layer(int32_t h, int32_t w, int32_t cin, int32_t cout, int32_t k, int32_t s, int32_t pad, bool dw) {
  ConvS8Params p{};
  p.n = 1;
  p.h_in = h;
  p.w_in = w;
  p.c_in = cin;
  p.c_out = cout;
  p.kh = p.kw = k;
  p.stride_h = p.stride_w = s;
  p.dil_h = p.dil_w = 1;
  p.group = dw ? cin : 1;
  p.pad_top = p.pad_left = pad;
  p.h_out = (h + 2 * pad - k) / s + 1;
  p.w_out = (w + 2 * pad - k) / s + 1;
  return p;
}

// Random zero points, activation ranges, scales and biases for layer i of the block.
void bn_fill_layer(Rng& r, ConvS8Params& p, int i, bool realistic) {
  if (realistic) {
    p.in_zp = r.range(-128, 0);
    p.out_zp = -128;
    p.act_min = -128;
    p.act_max = 127;
    for (int32_t c = 0; c < p.c_out; ++c) {
      g_bnb[i][c] = r.range(-3000, 3000);
      g_bns[i][c] = 0.004f + 0.0001f * static_cast<float>(c % 11);
    }
    g_bnnull[i] = false;
  } else {
    fill_common(r, p, p.c_out, &g_bnnull[i]);
    std::memcpy(g_bnb[i], g_bias, sizeof(int32_t) * static_cast<size_t>(p.c_out));
    std::memcpy(g_bns[i], g_scale, sizeof(float) * static_cast<size_t>(p.c_out));
  }
}

// Whether a block's tensors, packed weights and scratch fit the static test buffers.
bool bn_fits(const ferrite_rt::BottleneckS8Params& p) {
  const size_t nx = static_cast<size_t>(p.expand.h_in * p.expand.w_in * p.expand.c_in);
  const size_t ny = static_cast<size_t>(p.project.h_out * p.project.w_out * p.project.c_out);
  const fk::BottleneckS8MveSizes z = fk::bottleneck_s8_mve_packed_sizes(p);
  return ferrite_rt::bottleneck_s8_mve_scratch_bytes(p) + kGuard <= sizeof g_scratch &&
         ferrite_rt::bottleneck_s8_scratch_bytes(p) <= sizeof g_bnscratch && z.we <= 2 * kBnW &&
         z.wd <= 2 * kBnW && z.wq <= 2 * kBnW && nx <= kAct && ny <= kAct;
}

// Runs the portable and the MVE kernel on the block set up in p and g_bn*; false on a mismatch
// (or a scratch/size disagreement). instr: when non-null, the two instruction counts (bench).
bool bn_run(const BnVariant& v, const ferrite_rt::BottleneckS8Params& p, int case_no, unsigned long long* instr) {
  const size_t nx = static_cast<size_t>(p.expand.h_in * p.expand.w_in * p.expand.c_in);
  const size_t ny = static_cast<size_t>(p.project.h_out * p.project.w_out * p.project.c_out);
  const int32_t* b[3];
  for (int i = 0; i < 3; ++i) b[i] = g_bnnull[i] ? nullptr : g_bnb[i];
  const size_t sb = ferrite_rt::bottleneck_s8_mve_scratch_bytes(p);
  const fk::BottleneckS8MveSizes z = fk::bottleneck_s8_mve_packed_sizes(p);
  Line l;
  l.s("FAIL ").s(v.name).s(" case ").i(case_no);
  if (sb != fk::bottleneck_s8_mve_scratch_bytes(p)) {
    l.s(": host scratch size differs from the kernel's").print();
    return false;
  }
  if (sb + kGuard > sizeof g_scratch || ferrite_rt::bottleneck_s8_scratch_bytes(p) > sizeof g_bnscratch ||
      z.we > 2 * kBnW || z.wd > 2 * kBnW || z.wq > 2 * kBnW || nx > kAct || ny > kAct) {
    l.s(": shape too large for the test buffers").print();
    return false;
  }
  if (!fk::bottleneck_s8_mve_applies(p, v.k, v.s)) {
    l.s(": rule rejects a valid case").print();
    return false;
  }
  unsigned long long t0 = 0;
#ifdef FE_BENCH
  counter_start();
  t0 = counter_ticks();
#endif
  ferrite_rt::bottleneck_s8_nhwc(p, g_x, g_bnw[0], b[0], g_bns[0], g_bnw[1], b[1], g_bns[1], g_bnw[2], b[2],
                                 g_bns[2], g_yref, g_bnscratch);
#ifdef FE_BENCH
  if (instr) instr[0] = to_instr(counter_ticks() - t0);
#endif
  fk::pack_bottleneck_s8_mve(p, g_bnw[0], b[0], g_bnw[1], b[1], g_bnw[2], b[2], g_bnwp[0], g_bnbp[0], g_bnwp[1],
                             g_bnbp[1], g_bnwp[2], g_bnbp[2]);
  std::memset(g_scratch, 0x33, sb + kGuard);
  std::memset(g_y, kSentinel, ny + kGuard);
#ifdef FE_BENCH
  counter_start();
  t0 = counter_ticks();
#endif
  v.fn(p, g_x, g_bnwp[0], g_bnbp[0], g_bns[0], g_bnwp[1], g_bnbp[1], g_bns[1], g_bnwp[2], g_bnbp[2], g_bns[2], g_y,
       g_scratch);
#ifdef FE_BENCH
  if (instr) instr[1] = to_instr(counter_ticks() - t0);
#endif
  (void)t0;
  (void)instr;
  for (size_t i = sb; i < sb + kGuard; ++i)
    if (g_scratch[i] != 0x33) {
      l.s(": wrote past the scratch").print();
      return false;
    }
  for (size_t i = 0; i < ny + kGuard; ++i) {
    const int8_t want = i >= ny ? kSentinel : g_yref[i];
    if (g_y[i] != want) {
      l.s(i >= ny ? ": wrote past the output at byte " : ": byte ").i(static_cast<long long>(i));
      l.s(" got ").i(g_y[i]).s(" want ").i(want);
      l.s(" in=").i(p.expand.h_in).s("x").i(p.expand.w_in).s("x").i(p.expand.c_in).s(" mid=").i(p.expand.c_out);
      l.s(" out=").i(p.project.h_out).s("x").i(p.project.w_out).s("x").i(p.project.c_out);
      l.s(" pad=").i(p.dw.pad_top).s(",").i(p.dw.pad_left);
      l.print();
      return false;
    }
  }
  return true;
}

[[maybe_unused]] bool test_bn(const BnVariant& v, Rng& r, int case_no) {
  const int32_t k = v.k, s = v.s;
  ferrite_rt::BottleneckS8Params p{};
  // Shapes are drawn until the block fits the static buffers (a large draw is redrawn, not failed).
  for (;;) {
    const int sm = r.range(0, 9);
    const int32_t h = sm < 3 ? r.range(1, 5) : sm < 8 ? r.range(3, 12) : r.range(12, 20);
    const int32_t w = sm < 3 ? r.range(1, 5) : sm < 8 ? r.range(3, 12) : r.range(12, 28);
    const int cm = r.range(0, 9);
    const int32_t cin = cm < 4 ? r.range(1, 8) : cm < 8 ? r.range(9, 40) : r.range(41, 140);
    const int32_t cmid = r.chance(30) ? r.range(1, 16) : r.range(17, 100);
    const int32_t cout = sm >= 8 || r.chance(70) ? r.range(1, 24) : r.range(25, 72);
    // Padding: "same"-like (pad (k-1)/2, the output rounds as the model's would), sometimes none,
    // sometimes asymmetric (bottom/right implied by a smaller output).
    const int pm = r.range(0, 9);
    int32_t pt = (k - 1) / 2, pl = (k - 1) / 2;
    if (pm >= 6) {
      pt = r.range(0, (k - 1) / 2);
      pl = r.range(0, (k - 1) / 2);
    }
    p = ferrite_rt::BottleneckS8Params{};
    p.expand = bn_layer(h, w, cin, cmid, 1, 1, 0, false);
    p.dw = bn_layer(h, w, cmid, cmid, k, s, 0, true);
    p.dw.pad_top = pt;
    p.dw.pad_left = pl;
    const int32_t pb = pm >= 8 ? r.range(0, (k - 1) / 2) : pt, pr = pm >= 8 ? r.range(0, (k - 1) / 2) : pl;
    int32_t hh = h + pt + pb - k, ww = w + pl + pr - k;
    if (hh < 0 || ww < 0) {  // too small for the kernel: grow the input
      p.expand.h_in = p.expand.h_out = p.dw.h_in = h + (hh < 0 ? -hh : 0);
      p.expand.w_in = p.expand.w_out = p.dw.w_in = w + (ww < 0 ? -ww : 0);
      hh = hh < 0 ? 0 : hh;
      ww = ww < 0 ? 0 : ww;
    }
    p.dw.h_out = hh / s + 1;
    p.dw.w_out = ww / s + 1;
    p.project = bn_layer(p.dw.h_out, p.dw.w_out, cmid, cout, 1, 1, 0, false);
    if (bn_fits(p)) break;
  }
  const bool realistic = r.chance(30);
  bn_fill_layer(r, p.expand, 0, realistic);
  bn_fill_layer(r, p.dw, 1, realistic);
  bn_fill_layer(r, p.project, 2, realistic);
  p.dw.w_zp = r.chance(70) ? 0 : pick_zp(r);
  const int wm = r.chance(80) ? 0 : r.range(1, 3);
  const int32_t cin = p.expand.c_in, cmid = p.expand.c_out, cout = p.project.c_out;
  fill_s8(r, g_bnw[0], static_cast<size_t>(cin * cmid), wm);
  fill_s8(r, g_bnw[1], static_cast<size_t>(k * k * cmid), wm);
  fill_s8(r, g_bnw[2], static_cast<size_t>(cmid * cout), wm);
  fill_s8(r, g_x, static_cast<size_t>(p.expand.h_in * p.expand.w_in * cin), r.chance(80) ? 0 : r.range(1, 3));
  return bn_run(v, p, case_no, nullptr);
}

// Rule checks of the bottleneck variants.
[[maybe_unused]] int test_bn_rules() {
  int failed = 0;
  ferrite_rt::BottleneckS8Params p{};
  p.expand = bn_layer(8, 8, 8, 24, 1, 1, 0, false);
  p.dw = bn_layer(8, 8, 24, 24, 3, 1, 1, true);
  p.project = bn_layer(8, 8, 24, 8, 1, 1, 0, false);
  ConvS8Params* layers[3] = {&p.expand, &p.dw, &p.project};
  for (ConvS8Params* c : layers) {
    c->act_min = -128;
    c->act_max = 127;
  }
  if (!fk::bottleneck3x3_s1_s8_mve_applies(p)) ++failed;
  if (fk::bottleneck3x3_s2_s8_mve_applies(p) || fk::bottleneck5x5_s1_s8_mve_applies(p)) ++failed;
  ferrite_rt::BottleneckS8Params q = p;
  q.expand.w_zp = 3;
  if (fk::bottleneck3x3_s1_s8_mve_applies(q)) ++failed;
  q = p;
  q.project.w_zp = -1;
  if (fk::bottleneck3x3_s1_s8_mve_applies(q)) ++failed;
  q = p;
  q.dw.w_zp = 5;  // any depthwise weight zero point
  if (!fk::bottleneck3x3_s1_s8_mve_applies(q)) ++failed;
  q = p;
  q.project.out_int32 = 1;
  if (fk::bottleneck3x3_s1_s8_mve_applies(q)) ++failed;
  q = p;
  q.project.c_in = 23;  // broken chain
  if (fk::bottleneck3x3_s1_s8_mve_applies(q)) ++failed;
  q = p;
  q.dw.pad_top = q.dw.pad_left = 2;  // more output than input pixels: no in-place group buffer
  q.dw.h_out = q.dw.w_out = q.project.h_in = q.project.w_in = q.project.h_out = q.project.w_out = 10;
  if (fk::bottleneck3x3_s1_s8_mve_applies(q)) ++failed;
  if (failed) {
    Line l;
    l.s("FAIL bottleneck selection rules: ").i(failed).s(" wrong answers");
    l.print();
  }
  return failed ? 1 : 0;
}

}  // namespace

#ifdef FE_BENCH
extern "C" void SysTick_Handler(void) { g_wraps = g_wraps + 1; }

int main() {
#if !defined(FE_PROFILE_DW) && !defined(FE_PROFILE_1X1) && !defined(FE_PROFILE_CONV)
  calibrate();
#endif
  Rng r{12345};
  bool ok = true;
#ifdef FE_PROFILE_POOL  // -DFE_PROFILE_POOL: the average pools only
  goto pools;
#endif
#ifdef FE_PROFILE_DW  // one depthwise shape only: -DFE_PROFILE_DW=<variant index>,<hw>,<c>
  {
    const int32_t prof[] = {FE_PROFILE_DW};
    return bench_dw(r, kDw[prof[0]], prof[1], prof[2]) ? 0 : 1;
  }
#endif
#ifdef FE_PROFILE_CONV  // one general conv shape only: -DFE_PROFILE_CONV=<hw>,<cin>,<cout>,<k>,<s>
  {
    const int32_t prof[] = {FE_PROFILE_CONV};
    return bench_conv(r, prof[0], prof[1], prof[2], prof[3], prof[4]) ? 0 : 1;
  }
#endif
#ifdef FE_PROFILE_DW_TFL  // TFLite depthwise shapes only: MLPerf Tiny VWW's (MobileNetV1-0.25, 96x96), in place
  {
    static const int32_t kv[][4] = {{3, 1, 48, 8},  {3, 2, 48, 16}, {3, 1, 24, 32}, {3, 2, 24, 32}, {3, 1, 12, 64},
                                    {3, 2, 12, 64}, {3, 1, 6, 128}, {3, 2, 6, 128}, {3, 1, 3, 256}};
    for (const auto& v : kv) ok = bench_dw_tfl(r, v[0], v[1], v[2], v[3], true) && ok;
    return ok ? 0 : 1;
  }
#endif
#ifdef FE_PROFILE_1X1  // one pointwise shape only: -DFE_PROFILE_1X1=<hw>,<cin>,<cout>
  {
    const int32_t prof[] = {FE_PROFILE_1X1};
    return bench_1x1(r, prof[0], prof[1], prof[2]) ? 0 : 1;
  }
#endif
  // MobileNetV2-0.35-96 pointwise layers (and the brief's examples).
  static const int32_t k1x1[][3] = {{48, 16, 8},  {48, 8, 48},  {24, 48, 8},   {24, 8, 48},   {24, 16, 96},
                                    {12, 48, 16}, {12, 16, 96}, {12, 96, 16},  {6, 96, 24},   {6, 24, 144},
                                    {6, 144, 24}, {6, 144, 32}, {6, 32, 192},  {6, 192, 32},  {6, 56, 336},
                                    {3, 192, 56}, {3, 56, 336}, {3, 336, 56},  {3, 336, 112}, {3, 112, 1280}};
  // int8 Add / Mul: residual Add (flat runs), per-channel broadcasts (SE-style Mul x * s[c]).
  static const int32_t kbin[][3] = {{1, 4608, 0}, {1, 504, 0}, {144, 96, 1}, {96, 144, 2}, {36, 144, 1}, {576, 16, 1}};
  for (const auto& s : kbin) {
    ok = bench_binary(r, ferrite_rt::BinOpS8::Add, s[0], s[1], s[2]) && ok;
    ok = bench_binary(r, ferrite_rt::BinOpS8::Mul, s[0], s[1], s[2]) && ok;
  }
#ifdef FE_BENCH_BINARY  // -DFE_BENCH_BINARY: only the Add / Mul figures
  if (r.s != 0) return ok ? 0 : 1;
#endif
  for (const auto& s : k1x1) ok = bench_1x1(r, s[0], s[1], s[2]) && ok;
  // First conv of MobileNetV2 (96x96x3 -> 48x48x16, 3x3 s2) and a few general convolutions.
  static const int32_t kconv[][5] = {{96, 3, 16, 3, 2}, {80, 3, 16, 3, 2}, {24, 16, 24, 3, 1}, {12, 32, 32, 3, 1}};
  for (const auto& s : kconv) ok = bench_conv(r, s[0], s[1], s[2], s[3], s[4]) && ok;
  // Fully connected: MobileNetV2's classifier (1280 -> 10, one row) and others.
  static const int32_t kfc[][3] = {{1, 1280, 10}, {1, 1280, 100}, {1, 256, 64}, {8, 256, 64}};
  for (const auto& s : kfc) ok = bench_fc(r, s[0], s[1], s[2]) && ok;
  // Depthwise: MobileNetV2 shapes (input side) per variant.
  static const int32_t kdw[][2] = {{48, 16}, {48, 48}, {24, 48}, {24, 96}, {12, 96}, {12, 192}, {6, 144}, {6, 192}, {3, 336}};
  for (const DwVariant& v : kDw)
    for (const auto& s : kdw) {
      if (v.k >= 5 && s[0] * s[0] * s[1] > 48 * 48 * 16) continue;
      ok = bench_dw(r, v, s[0], s[1]) && ok;
    }
  // Fused inverted bottlenecks: MobileNetV2-0.35-96's fused block and MCUNet-style shapes.
  static const int32_t kbn[][6] = {{48, 8, 48, 8, 3, 2}, {24, 8, 48, 8, 3, 1}, {24, 16, 96, 16, 5, 2},
                                   {20, 16, 48, 16, 7, 1}, {12, 16, 96, 24, 3, 1}};
  for (const auto& s : kbn) {
    for (const BnVariant& v : kBn) {
      if (v.k != s[4] || v.s != s[5]) continue;
      ferrite_rt::BottleneckS8Params p{};
      const int32_t pad = (v.k - 1) / 2;
      p.expand = bn_layer(s[0], s[0], s[1], s[2], 1, 1, 0, false);
      p.dw = bn_layer(s[0], s[0], s[2], s[2], v.k, v.s, pad, true);
      p.project = bn_layer(p.dw.h_out, p.dw.w_out, s[2], s[3], 1, 1, 0, false);
      for (int i = 0; i < 3; ++i) bn_fill_layer(r, i == 0 ? p.expand : i == 1 ? p.dw : p.project, i, true);
      fill_s8(r, g_bnw[0], static_cast<size_t>(s[1] * s[2]), 0);
      fill_s8(r, g_bnw[1], static_cast<size_t>(v.k * v.k * s[2]), 0);
      fill_s8(r, g_bnw[2], static_cast<size_t>(s[2] * s[3]), 0);
      fill_s8(r, g_x, static_cast<size_t>(s[0] * s[0] * s[1]), 0);
      unsigned long long n[2] = {0, 0};
      const bool good = bn_run(v, p, 0, n);
      const unsigned long long macs =
          static_cast<unsigned long long>(s[0] * s[0]) * static_cast<unsigned long long>(s[1] * s[2]) +
          static_cast<unsigned long long>(p.dw.h_out * p.dw.w_out) *
              static_cast<unsigned long long>(s[2] * (v.k * v.k + s[3]));
      bench_line(v.name, p.dw, macs, n[0], n[1], good);
      ok = good && ok;
    }
  }
#ifdef FE_PROFILE_POOL
pools:
#endif
  // Average pools: DS-CNN's whole-input 25x5 window, MobileNetV2's 3x3x1280 global pool, 2x2 / 3x3.
  static const int32_t kpool[][7] = {{25, 5, 64, 25, 5, 25, 0}, {3, 3, 1280, 3, 3, 1, 0}, {24, 24, 16, 2, 2, 2, 0},
                                     {12, 12, 32, 3, 3, 1, 1},  {12, 12, 32, 3, 3, 2, 1}, {25, 5, 64, 5, 5, 1, 0}};
  for (const auto& q : kpool) ok = bench_avgpool(r, q[0], q[1], q[2], q[3], q[4], q[5], q[6]) && ok;
  return ok ? 0 : 1;
}
#else
int main() {
  constexpr int kCases = 220;
  int passed = 0, failed = 0;
  [[maybe_unused]] Rng r{0xFE11A7Eull};
  if (test_rules()) ++failed; else ++passed;
#ifndef FE_ONLY_BINARY  // -DFE_ONLY_BINARY: only the Add / Mul cases (quicker while working on them)
  for (int i = 0; i < kCases; ++i) {
    if (test_conv1x1(r, i)) ++passed; else ++failed;
  }
  for (int i = 0; i < kCases; ++i) {
    if (test_conv(r, i)) ++passed; else ++failed;
  }
  for (int i = 0; i < kCases; ++i) {
    if (test_fc(r, i)) ++passed; else ++failed;
  }
  for (const DwVariant& v : kDw) {
    for (int i = 0; i < kCases; ++i) {
      if (test_dw(v, r, i, nullptr)) ++passed; else ++failed;
    }
    int e = 0;
    for (const DwEdge& edge : kDwEdges) {
      if (edge.k != v.k || edge.s != v.s) continue;
      for (int rep = 0; rep < 3; ++rep, ++e) {
        if (test_dw(v, r, kCases + e, &edge)) ++passed; else ++failed;
      }
    }
    // The window mode (dwconv3x3_s8_mve_win with the float epilogue): random small maps, w_zp 0
    // (zero points, biases, activation bounds and in / out of place as above).
    for (int i = 0; v.k == 3 && i < kCases / 2; ++i) {
      const DwEdge edge = dw_win_shape(r, v.s);
      if (test_dw(v, r, 2000 + i, &edge, true)) ++passed; else ++failed;
    }
  }
  if (g_ort_win_cases < 2 * (kCases / 2)) {  // each such case must reach the window mode
    Line l;
    l.s("FAIL depthwise (Ort) window mode ran in ").i(g_ort_win_cases).s(" cases only");
    l.print();
    ++failed;
  } else {
    ++passed;
  }
  test_pools(r, kCases, &passed, &failed);
  if (test_bn_rules()) ++failed; else ++passed;
  for (const BnVariant& v : kBn)
    for (int i = 0; i < kCases / 2; ++i) {
      if (test_bn(v, r, i)) ++passed; else ++failed;
    }
#endif
  // TFLite requantization variants vs the portable *_tfl kernels (test_tfl_mve.inc).
  tflcase::run(kCases, &passed, &failed);
  // int8 Add / Mul (same shape and broadcast runs) vs binary_s8.
  bincase::run("qadd_s8_mve", ferrite_rt::qadd_s8_mve, fk::qadd_s8_mve_applies, ferrite_rt::BinOpS8::Add,
               0xADD5EEDull, 2 * kCases, passed, failed);
  bincase::run("qmul_s8_mve", ferrite_rt::qmul_s8_mve, fk::qmul_s8_mve_applies, ferrite_rt::BinOpS8::Mul,
               0x3A15EEDull, 2 * kCases, passed, failed);
  Line l;
  l.i(passed).s(" passed, ").i(failed).s(" failed");
  l.print();
  return failed ? 1 : 0;
}
#endif
