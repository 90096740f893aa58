// Randomized bit-exactness tests (and, with -DFE_BENCH, instruction counts) of the Arm DSP-extension
// int8 kernel variants against the portable kernels of runtime_templates/conv_s8/conv_s8.h.
//
// Built for Cortex-M4/M7/M33 under QEMU by tests/kernels/variants/run_variants.sh (and for the host,
// where the kernels use their portable SIMD emulation). The kernels are included the way the emitter
// pastes them: prelude (+ <arm_acle.h> on DSP targets), then the kernel bodies inside ferrite_rt.
//
// Test mode: for every variant >= 200 random cases (shapes with tails and tiny sizes, zero points
// incl. -128/127, per-channel scales incl. exact .5 ties and saturating ones, Relu/Relu6-like and
// random clamps, null and non-null biases, in place and out of place, pads at every border), each
// compared byte for byte with the portable kernel; guard bytes around outputs, packed weights and
// scratch catch out-of-bounds writes. Prints each failure's parameters and ends with exactly
// "N passed, M failed"; returns 1 on any failure.
//
// Bench mode (-DFE_BENCH -DFE_TICK_INSNS=<instructions per SysTick tick>, run with QEMU -icount
// shift=0): per MobileNetV2-0.35-96 layer shape, MACs and retired instructions of the portable
// kernel and of the DSP variant.
#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif
#include "common/prelude.h"
namespace ferrite_rt {
#include "common/requant.h"
#include "conv_s8/conv_s8.h"
#include "conv_s8/dsp_s8_common.h"
#include "conv_s8/conv1x1_s8_dsp.h"
#include "conv_s8/dwconv_s8_dsp.h"
#include "conv_s8/conv_s8_dsp.h"
#include "conv_s8/bottleneck_s8_dsp.h"
#include "binary_s8/binary_s8.h"
#include "quantize/quantize.h"
#include "fc_s8/fc_s8.h"
#include "fc_s8/fc_s8_dsp.h"
#include "pool_s8/pool_s8.h"
#include "pool_s8/global_avgpool_s8_dsp.h"
#include "pool_s8/avgpool_s8_fpu.h"
#include "pool_s8/maxpool_s8_dsp.h"
#include "pool_s8/avgpool_s8_dsp_tfl.h"
#include "softmax_s8/softmax_s8.h"
#include "pad/pad_f32.h"  // PadParams: tflite_s8.h's pad_s8_tfl
#include "tflite_s8/tflite_s8.h"
#include "binary_s8/add_s8_dsp_tfl.h"
#if defined(__ARM_FP)
#include "binary_s8/binary_s8_runs.h"
#include "binary_s8/qadd_s8_fpu.h"
#include "binary_s8/qmul_s8_fpu.h"
#include "quantize/quantize_f32_fpu.h"
#endif
}  // namespace ferrite_rt
#include "kernels/pack_s8_dsp.h"
#include "kernels/pack_binary_s8.h"
#include "kernels/pack_fc_s8_dsp.h"
#include "kernels/pack_pool_s8.h"

#include "fe_io.h"

using ferrite_rt::ConvS8Params;

namespace {

// ---- output helpers (no printf) ----
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
  // fixed point with 3 decimals
  Line& f3(double v) {
    long long m = static_cast<long long>(v * 1000.0 + 0.5);
    i(m / 1000);
    s(".");
    const long long r = m % 1000;
    if (r < 100) s("0");
    if (r < 10) s("0");
    return i(r);
  }
  void print() {
    buf[n++] = '\n';
    buf[n] = 0;
    fe_print(buf);
    n = 0;
  }
};

// ---- deterministic PRNG (splitmix64) ----
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int32_t range(int32_t lo, int32_t hi) {  // inclusive
    return lo + static_cast<int32_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(0, 99) < percent; }
  float unit() { return static_cast<float>(next() >> 40) / 16777216.0f; }
};

// ---- buffers (static: no heap) ----
#if defined(FE_BENCH)
constexpr size_t kAct = 112 * 1024;
constexpr size_t kW = 150 * 1024;
#else
constexpr size_t kAct = 24 * 1024;
constexpr size_t kW = 16 * 1024;
#endif
constexpr size_t kGuard = 16;
constexpr int8_t kGuardByte = 0x5A;
alignas(16) int8_t g_x[kAct];
alignas(16) int8_t g_buf[kAct + kGuard];  // DSP output / in-place buffer
alignas(16) int8_t g_ref[kAct];
alignas(16) int8_t g_w[kW];
alignas(16) int8_t g_wp[2 * kW + 64 + kGuard];
alignas(16) int32_t g_bias[2048];
alignas(16) int32_t g_pbias[2048 + 4];
alignas(16) float g_scale[2048];
alignas(16) uint8_t g_scratch[kAct * 2 + 4096 + kGuard];

int g_passed = 0, g_failed = 0;

void fill_s8(Rng& r, int8_t* p, size_t n, int mode) {
  for (size_t k = 0; k < n; ++k) {
    int32_t v;
    if (mode == 1)
      v = r.chance(50) ? 127 : -128;  // extremes: large accumulators
    else if (mode == 2)
      v = r.range(-3, 3);
    else
      v = r.range(-128, 127);
    p[k] = static_cast<int8_t>(v);
  }
}

int32_t pick_zp(Rng& r) {
  const int k = r.range(0, 9);
  if (k == 0) return -128;
  if (k == 1) return 127;
  if (k == 2) return 0;
  return r.range(-128, 127);
}

// Per-channel scales: exact powers of two (many .5 ties), random, tiny, huge (|v| > 2^22).
void fill_scales(Rng& r, float* s, int32_t n, int32_t depth) {
  const int style = r.range(0, 4);
  for (int32_t c = 0; c < n; ++c) {
    float base = 1.0f / (static_cast<float>(depth) * 256.0f);
    float v;
    const int k = style == 4 ? r.range(0, 3) : style;
    if (k == 0) {
      int e = r.range(1, 14);
      v = 1.0f;
      for (int i = 0; i < e; ++i) v *= 0.5f;
    } else if (k == 1) {
      v = base * (0.25f + 8.0f * r.unit());
    } else if (k == 2) {
      v = r.chance(50) ? base * 1e-3f * r.unit() : 3e4f * (1.0f + r.unit());
    } else {
      v = base * (0.5f + 2.0f * r.unit());
    }
    if (r.chance(3)) v = -v;
    s[c] = v;
  }
}

void pick_act(Rng& r, ConvS8Params& p) {
  const int k = r.range(0, 4);
  p.out_zp = pick_zp(r);
  if (k == 0 || k == 1) {
    p.act_min = -128;
    p.act_max = 127;
  } else if (k == 2) {  // Relu
    p.act_min = p.out_zp;
    p.act_max = 127;
  } else if (k == 3) {  // Relu6-like
    p.act_min = p.out_zp;
    p.act_max = p.out_zp + r.range(0, 255);
    if (p.act_max > 127) p.act_max = 127;
  } else {
    p.act_min = r.range(-128, 127);
    p.act_max = r.range(p.act_min, 127);
  }
}

void fill_bias(Rng& r, int32_t* b, int32_t n) {
  const int k = r.range(0, 3);
  for (int32_t c = 0; c < n; ++c) b[c] = k == 3 ? r.range(-(1 << 28), 1 << 28) : r.range(-40000, 40000);
}

bool guard_ok(const void* p, size_t n) {
  const int8_t* b = static_cast<const int8_t*>(p);
  for (size_t k = 0; k < n; ++k)
    if (b[k] != kGuardByte) return false;
  return true;
}

void report_conv(const char* variant, const ConvS8Params& p, bool has_bias, bool inplace, const char* what,
                 long long where) {
  Line l;
  l.s("FAIL ").s(variant).s(": ").s(what).s(" at ").i(where).s(" | n=").i(p.n).s(" c_in=").i(p.c_in).s(" h_in=")
      .i(p.h_in).s(" w_in=").i(p.w_in).s(" c_out=").i(p.c_out).s(" h_out=").i(p.h_out).s(" w_out=").i(p.w_out)
      .s(" k=").i(p.kh).s("x").i(p.kw).s(" s=").i(p.stride_h).s(" pad_t=").i(p.pad_top).s(" pad_l=").i(p.pad_left)
      .s(" in_zp=").i(p.in_zp).s(" w_zp=").i(p.w_zp).s(" out_zp=").i(p.out_zp).s(" act=[").i(p.act_min).s(",")
      .i(p.act_max).s("] bias=").s(has_bias ? "yes" : "null").s(inplace ? " in-place" : " out-of-place");
  l.print();
}

// ---- 1x1 ----
typedef void (*Conv1x1Fn)(const ConvS8Params&, const int8_t*, const int8_t*, const int32_t*, const float*, void*);
typedef bool (*AppliesFn)(const ConvS8Params&);
typedef size_t (*PackBytesFn)(const ConvS8Params&);
typedef void (*PackFn)(const ConvS8Params&, const int8_t*, const int32_t*, int8_t*, int32_t*);

struct Conv1x1Variant {
  const char* name;
  Conv1x1Fn fn;
  AppliesFn applies;
  PackBytesFn bytes;
  PackFn pack;
  bool w8;
};

ConvS8Params pw_params(int32_t n, int32_t h, int32_t w, int32_t ci, int32_t co) {
  ConvS8Params p{};
  p.n = n;
  p.c_in = ci;
  p.h_in = h;
  p.w_in = w;
  p.c_out = co;
  p.h_out = h;
  p.w_out = w;
  p.kh = p.kw = 1;
  p.stride_h = p.stride_w = 1;
  p.dil_h = p.dil_w = 1;
  p.group = 1;
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

[[maybe_unused]] void test_conv1x1(const Conv1x1Variant& v, uint64_t seed, int cases) {
  Rng r{seed};
  int fails = 0;
  for (int t = 0; t < cases; ++t) {
    const int32_t shapes[] = {1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 31, 48, 56};
    int32_t ci = r.chance(50) ? shapes[r.range(0, 12)] : r.range(1, 70);
    int32_t co = r.chance(50) ? shapes[r.range(0, 12)] : r.range(1, 40);
    int32_t n = r.chance(10) ? 2 : 1;
    int32_t h = r.range(1, 6), w = r.range(1, 7);
    if (t < 8) {  // tiny corners
      ci = 1 + t % 4;
      co = 1 + t / 4;
      h = w = 1;
      n = 1;
    }
    while (static_cast<size_t>(n * h * w) * static_cast<size_t>(ci > co ? ci : co) > kAct || ci * co > 8000) {
      if (h > 1) --h; else if (w > 1) --w; else if (ci > co) --ci; else --co;
    }
    ConvS8Params p = pw_params(n, h, w, ci, co);
    p.in_zp = pick_zp(r);
    p.w_zp = v.w8 ? 0 : pick_zp(r);
    pick_act(r, p);
    const int mode = r.range(0, 5) == 0 ? 1 : (r.range(0, 5) == 0 ? 2 : 0);
    const size_t xn = static_cast<size_t>(n * h * w * ci), yn = static_cast<size_t>(n * h * w * co);
    fill_s8(r, g_x, xn, mode);
    fill_s8(r, g_w, static_cast<size_t>(ci * co), mode);
    const bool has_bias = r.chance(70);
    fill_bias(r, g_bias, co);
    fill_scales(r, g_scale, co, ci);
    if (!v.applies(p)) {
      report_conv(v.name, p, has_bias, false, "rule rejects a valid case", 0);
      ++fails;
      ++g_failed;
      continue;
    }
    const size_t wb = v.bytes(p);
    std::memset(g_wp, kGuardByte, wb + kGuard);
    v.pack(p, g_w, has_bias ? g_bias : nullptr, g_wp, g_pbias);
    ferrite_rt::conv1x1_s8_nhwc(p, g_x, g_w, has_bias ? g_bias : nullptr, g_scale, g_ref);
    std::memset(g_buf, kGuardByte, yn + kGuard);
    v.fn(p, g_x, g_wp, g_pbias, g_scale, g_buf);
    bool ok = true;
    if (!guard_ok(g_wp + wb, kGuard)) {
      report_conv(v.name, p, has_bias, false, "pack wrote past packed_weight_bytes", static_cast<long long>(wb));
      ok = false;
    }
    for (size_t k = 0; k < yn && ok; ++k)
      if (g_buf[k] != g_ref[k]) {
        report_conv(v.name, p, has_bias, false, "output mismatch", static_cast<long long>(k));
        ok = false;
      }
    if (ok && !guard_ok(g_buf + yn, kGuard)) {
      report_conv(v.name, p, has_bias, false, "wrote past the output", static_cast<long long>(yn));
      ok = false;
    }
    if (ok) ++g_passed; else { ++g_failed; ++fails; }
  }
  Line l;
  l.s(v.name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}

// ---- depthwise ----
typedef void (*DwFn)(const ConvS8Params&, int8_t*, const int8_t*, const int32_t*, const float*, int8_t*, void*);
struct DwVariant {
  const char* name;
  DwFn fn;
  AppliesFn applies;
  PackBytesFn bytes;
  PackFn pack;
  int k, s;
};

ConvS8Params dw_params(int32_t n, int32_t c, int32_t h, int32_t w, int32_t k, int32_t s, int32_t pt, int32_t pl,
                       int32_t pb, int32_t pr) {
  ConvS8Params p{};
  p.n = n;
  p.c_in = p.c_out = p.group = c;
  p.h_in = h;
  p.w_in = w;
  p.kh = p.kw = k;
  p.stride_h = p.stride_w = s;
  p.dil_h = p.dil_w = 1;
  p.pad_top = pt;
  p.pad_left = pl;
  p.h_out = (h + pt + pb - k) / s + 1;
  p.w_out = (w + pl + pr - k) / s + 1;
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

[[maybe_unused]] void test_dw(const DwVariant& v, uint64_t seed, int cases) {
  Rng r{seed};
  int fails = 0;
  for (int t = 0; t < cases; ++t) {
    const int32_t k = v.k, s = v.s;
    int32_t c = r.chance(30) ? r.range(1, 3) : r.range(1, 24);
    int32_t h = r.range(1, 13), w = r.range(1, 15);
    if (r.chance(30)) {  // wide rows: several 4-output blocks per row (plane path at stride 2 too)
      h = r.range(1, 4);
      w = r.range(12, 40);
      if (c > 12) c = 12;
    }
    bool large = false;
    if (r.chance(4)) {  // large map: the plane path at stride 2 with c >= 4 (group plane > 16 KB)
      large = true;
      h = r.range(44, 48);
      w = r.range(44, 48);
      c = r.range(4, 6);
    }
    int32_t pt = r.range(0, k - 1), pl = r.range(0, k - 1), pb = r.range(0, k - 1), pr = r.range(0, k - 1);
    if (r.chance(15)) pt = pl = pb = pr = k / 2;  // "same"
    if (r.chance(5)) pt = pl = pb = pr = 0;       // "valid"
    if (r.chance(3)) { pt += k; pb += 1; }        // pads beyond the kernel
    if (h + pt + pb < k) pb = k - h - pt;
    if (w + pl + pr < k) pr = k - w - pl;
    int32_t n = r.chance(10) && !large ? 2 : 1;
    ConvS8Params p = dw_params(n, c, h, w, k, s, pt, pl, pb, pr);
    const size_t xn = static_cast<size_t>(n * h * w * c);
    const size_t yn = static_cast<size_t>(n * p.h_out * p.w_out * c);
    const bool inplace = n == 1 && p.h_out * p.w_out <= h * w && r.chance(60);
    p.in_zp = pick_zp(r);
    p.w_zp = r.chance(30) ? pick_zp(r) : 0;
    pick_act(r, p);
    const int mode = r.range(0, 5) == 0 ? 1 : (r.range(0, 5) == 0 ? 2 : 0);
    fill_s8(r, g_x, xn, mode);
    fill_s8(r, g_w, static_cast<size_t>(k * k * c), mode);
    const bool has_bias = r.chance(70);
    fill_bias(r, g_bias, c);
    fill_scales(r, g_scale, c, k * k);
    if (!v.applies(p)) {
      report_conv(v.name, p, has_bias, inplace, "rule rejects a valid case", 0);
      ++fails;
      ++g_failed;
      continue;
    }
    const size_t wb = v.bytes(p);
    std::memset(g_wp, kGuardByte, wb + kGuard);
    v.pack(p, g_w, has_bias ? g_bias : nullptr, g_wp, g_pbias);
    ferrite_rt::dwconv_s8_nhwc(p, g_x, g_w, has_bias ? g_bias : nullptr, g_scale, g_ref);
    const size_t sb = ferrite_rt::dwconv_s8_dsp_scratch_bytes(p);
    if (sb + kGuard > sizeof g_scratch || xn + kGuard > sizeof g_buf) {
      report_conv(v.name, p, has_bias, inplace, "test buffers too small for scratch", static_cast<long long>(sb));
      ++fails;
      ++g_failed;
      continue;
    }
    std::memset(g_scratch, kGuardByte, sb + kGuard);
    const size_t bufn = inplace ? xn : yn;
    std::memset(g_buf, kGuardByte, (xn > yn ? xn : yn) + kGuard);
    if (inplace) {
      std::memcpy(g_buf, g_x, xn);
      v.fn(p, g_buf, g_wp, g_pbias, g_scale, g_buf, g_scratch);
    } else {
      v.fn(p, g_x, g_wp, g_pbias, g_scale, g_buf, g_scratch);
    }
    bool ok = true;
    if (!guard_ok(g_wp + wb, kGuard)) {
      report_conv(v.name, p, has_bias, inplace, "pack wrote past packed_weight_bytes", static_cast<long long>(wb));
      ok = false;
    }
    if (!guard_ok(g_scratch + sb, kGuard)) {
      report_conv(v.name, p, has_bias, inplace, "wrote past the scratch", static_cast<long long>(sb));
      ok = false;
    }
    for (size_t q = 0; q < yn && ok; ++q)
      if (g_buf[q] != g_ref[q]) {
        report_conv(v.name, p, has_bias, inplace, "output mismatch", static_cast<long long>(q));
        ok = false;
      }
    if (ok && !guard_ok(g_buf + bufn, kGuard)) {
      report_conv(v.name, p, has_bias, inplace, "wrote past the buffer", static_cast<long long>(bufn));
      ok = false;
    }
    if (ok) ++g_passed; else { ++g_failed; ++fails; }
  }
  Line l;
  l.s(v.name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}


// ---- general conv ----
ConvS8Params conv_params(int32_t n, int32_t ci, int32_t h, int32_t w, int32_t co, int32_t kh, int32_t kw, int32_t sh,
                         int32_t sw, int32_t dh, int32_t dw, int32_t pt, int32_t pl, int32_t pb, int32_t pr) {
  ConvS8Params p{};
  p.n = n;
  p.c_in = ci;
  p.h_in = h;
  p.w_in = w;
  p.c_out = co;
  p.kh = kh;
  p.kw = kw;
  p.stride_h = sh;
  p.stride_w = sw;
  p.dil_h = dh;
  p.dil_w = dw;
  p.pad_top = pt;
  p.pad_left = pl;
  p.group = 1;
  p.h_out = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
  p.w_out = (w + pl + pr - dw * (kw - 1) - 1) / sw + 1;
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

[[maybe_unused]] void test_conv(uint64_t seed, int cases) {
  const char* name = "conv_s8_dsp";
  Rng r{seed};
  int fails = 0;
  for (int t = 0; t < cases; ++t) {
    const int32_t ks[] = {1, 2, 3, 3, 3, 5, 7};
    int32_t kh = ks[r.range(0, 6)], kw = r.chance(80) ? kh : ks[r.range(0, 6)];
    int32_t ci = r.chance(40) ? r.range(1, 3) : r.range(1, 12);
    if (r.chance(20)) ci = 1;  // single-plane path
    int32_t co = r.range(1, 20);
    int32_t sh = r.range(1, 3), sw = r.chance(80) ? sh : r.range(1, 3);
    int32_t dh = r.chance(85) ? 1 : 2, dw = r.chance(85) ? dh : r.range(1, 2);
    int32_t h = r.range(1, 11), w = r.range(1, 11);
    if (ci == 1 && r.chance(30)) w = r.range(12, 30);  // several 4-output blocks per row
    int32_t pt = r.range(0, kh - 1), pl = r.range(0, kw - 1), pb = r.range(0, kh - 1), pr = r.range(0, kw - 1);
    if (h + pt + pb < dh * (kh - 1) + 1) pb = dh * (kh - 1) + 1 - h - pt;
    if (w + pl + pr < dw * (kw - 1) + 1) pr = dw * (kw - 1) + 1 - w - pl;
    int32_t n = r.chance(10) ? 2 : 1;
    ConvS8Params p = conv_params(n, ci, h, w, co, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr);
    p.in_zp = pick_zp(r);
    p.w_zp = r.chance(30) ? pick_zp(r) : 0;
    pick_act(r, p);
    const int mode = r.range(0, 5) == 0 ? 1 : (r.range(0, 5) == 0 ? 2 : 0);
    const size_t xn = static_cast<size_t>(n * h * w * ci);
    const size_t yn = static_cast<size_t>(n * p.h_out * p.w_out * co);
    const size_t wn = static_cast<size_t>(co * kh * kw * ci);
    fill_s8(r, g_x, xn, mode);
    fill_s8(r, g_w, wn, mode);
    const bool has_bias = r.chance(70);
    fill_bias(r, g_bias, co);
    fill_scales(r, g_scale, co, kh * kw * ci);
    const size_t sb = ferrite_rt::conv_s8_dsp_scratch_bytes(p);
    const size_t wb = ferrite::kernels::conv_s8_dsp_packed_weight_bytes(p);
    if (!ferrite::kernels::conv_s8_dsp_applies(p) || sb + kGuard > sizeof g_scratch || yn + kGuard > sizeof g_buf ||
        wb + kGuard > sizeof g_wp || ferrite_rt::conv_s8_scratch_bytes(p) > sizeof g_scratch) {
      report_conv(name, p, has_bias, false, "rule rejects a valid case or test buffers too small", 0);
      ++fails;
      ++g_failed;
      continue;
    }
    std::memset(g_wp, kGuardByte, wb + kGuard);
    ferrite::kernels::pack_conv_s8_dsp(p, g_w, has_bias ? g_bias : nullptr, g_wp, g_pbias);
    ferrite_rt::conv_s8_nhwc(p, g_x, g_w, has_bias ? g_bias : nullptr, g_scale, g_ref, g_scratch);
    std::memset(g_scratch, kGuardByte, sb + kGuard);
    std::memset(g_buf, kGuardByte, yn + kGuard);
    ferrite_rt::conv_s8_dsp(p, g_x, g_wp, g_pbias, g_scale, g_buf, g_scratch);
    bool ok = true;
    if (!guard_ok(g_wp + wb, kGuard)) {
      report_conv(name, p, has_bias, false, "pack wrote past packed_weight_bytes", static_cast<long long>(wb));
      ok = false;
    }
    if (!guard_ok(g_scratch + sb, kGuard)) {
      report_conv(name, p, has_bias, false, "wrote past the scratch", static_cast<long long>(sb));
      ok = false;
    }
    for (size_t q = 0; q < yn && ok; ++q)
      if (g_buf[q] != g_ref[q]) {
        report_conv(name, p, has_bias, false, "output mismatch", static_cast<long long>(q));
        ok = false;
      }
    if (ok && !guard_ok(g_buf + yn, kGuard)) {
      report_conv(name, p, has_bias, false, "wrote past the output", static_cast<long long>(yn));
      ok = false;
    }
    if (ok) ++g_passed; else { ++g_failed; ++fails; }
  }
  Line l;
  l.s(name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}

// ---- inverted bottleneck (expand 1x1 -> depthwise KxK -> project 1x1) ----
typedef void (*BnFn)(const ferrite_rt::BottleneckS8Params&, const int8_t*, const int8_t*, const int32_t*, const float*,
                     const int8_t*, const int32_t*, const float*, const int8_t*, const int32_t*, const float*, int8_t*,
                     void*);
struct BnVariant {
  const char* name;
  BnFn fn;
  int k, s;
};

void report_bn(const char* variant, const ferrite_rt::BottleneckS8Params& p, const char* what, long long where) {
  Line l;
  l.s("FAIL ").s(variant).s(": ").s(what).s(" at ").i(where).s(" | c_in=").i(p.expand.c_in).s(" c_mid=")
      .i(p.expand.c_out).s(" c_out=").i(p.project.c_out).s(" in=").i(p.expand.h_in).s("x").i(p.expand.w_in)
      .s(" out=").i(p.dw.h_out).s("x").i(p.dw.w_out).s(" pad_t=").i(p.dw.pad_top).s(" pad_l=").i(p.dw.pad_left)
      .s(" zp e/d/q in=").i(p.expand.in_zp).s("/").i(p.dw.in_zp).s("/").i(p.project.in_zp).s(" w_zp=")
      .i(p.expand.w_zp).s("/").i(p.dw.w_zp).s("/").i(p.project.w_zp).s(" act e=[").i(p.expand.act_min).s(",")
      .i(p.expand.act_max).s("] d=[").i(p.dw.act_min).s(",").i(p.dw.act_max).s("] q=[").i(p.project.act_min)
      .s(",").i(p.project.act_max).s("]");
  l.print();
}

[[maybe_unused]] void test_bottleneck(const BnVariant& v, uint64_t seed, int cases) {
  Rng r{seed};
  int fails = 0;
  for (int t = 0; t < cases; ++t) {
    const int32_t k = v.k, s = v.s;
    int32_t ci = r.chance(40) ? 4 * r.range(1, 6) : r.range(1, 24);
    int32_t cm = r.chance(40) ? 4 * r.range(1, 12) : r.range(1, 48);
    int32_t co = r.chance(50) ? 4 * r.range(1, 6) : r.range(1, 24);
    int32_t h = r.range(1, 12), w = r.range(1, 14);
    if (r.chance(25)) {  // wide rows
      h = r.range(1, 5);
      w = r.range(12, 40);
    }
    if (r.chance(5)) {  // MobileNetV2-like block (smaller)
      h = w = 24;
      ci = 8;
      cm = 12;
      co = 8;
    }
    if (t < 6) {  // tiny corners
      h = w = 1 + t / 2;
      ci = 1 + t;
      cm = 1 + t % 3;
      co = 1 + t % 2;
    }
    int32_t pt = r.range(0, k - 1), pl = r.range(0, k - 1), pb = r.range(0, k - 1), pr = r.range(0, k - 1);
    if (r.chance(20)) pt = pl = pb = pr = k / 2;
    if (r.chance(5)) pt = pl = pb = pr = 0;
    if (r.chance(3)) { pt += k; pb += 1; }
    if (h + pt + pb < k) pb = k - h - pt;
    if (w + pl + pr < k) pr = k - w - pl;
    ferrite_rt::BottleneckS8Params p{};
    p.expand = pw_params(1, h, w, ci, cm);
    p.dw = dw_params(1, cm, h, w, k, s, pt, pl, pb, pr);
    p.project = pw_params(1, p.dw.h_out, p.dw.w_out, cm, co);
    ferrite_rt::ConvS8Params* layers[3] = {&p.expand, &p.dw, &p.project};
    for (ferrite_rt::ConvS8Params* c : layers) {
      c->in_zp = pick_zp(r);
      c->w_zp = r.chance(30) ? pick_zp(r) : 0;
      pick_act(r, *c);
    }
    if (r.chance(60)) {  // chained quantization, as a real model has
      p.dw.in_zp = p.expand.out_zp;
      p.project.in_zp = p.dw.out_zp;
    }
    const int mode = r.range(0, 5) == 0 ? 1 : (r.range(0, 5) == 0 ? 2 : 0);
    const size_t xn = static_cast<size_t>(h * w * ci);
    const size_t yn = static_cast<size_t>(p.dw.h_out * p.dw.w_out * co);
    const size_t nwe = static_cast<size_t>(ci * cm), nwd = static_cast<size_t>(k * k * cm),
                 nwq = static_cast<size_t>(cm * co);
    int8_t* we = g_w;
    int8_t* wd = g_w + ((nwe + 15) & ~static_cast<size_t>(15));
    int8_t* wq = wd + ((nwd + 15) & ~static_cast<size_t>(15));
    fill_s8(r, g_x, xn, mode);
    fill_s8(r, we, nwe, mode);
    fill_s8(r, wd, nwd, mode);
    fill_s8(r, wq, nwq, mode);
    const bool has_bias = r.chance(70);
    int32_t* be = g_bias;
    int32_t* bd = g_bias + 64;
    int32_t* bq = g_bias + 128;
    fill_bias(r, be, cm);
    fill_bias(r, bd, cm);
    fill_bias(r, bq, co);
    float* se = g_scale;
    float* sd = g_scale + 64;
    float* sq = g_scale + 128;
    fill_scales(r, se, cm, ci);
    fill_scales(r, sd, cm, k * k);
    fill_scales(r, sq, co, cm);
    const ferrite::kernels::BottleneckS8DspSizes sz = ferrite::kernels::bottleneck_s8_dsp_packed_sizes(p);
    const size_t sb = ferrite_rt::bottleneck_s8_dsp_scratch_bytes(p);
    const size_t sref = ferrite_rt::bottleneck_s8_scratch_bytes(p);
    int8_t* pwe = g_wp;
    int8_t* pwd = pwe + ((sz.we + kGuard + 15) & ~static_cast<size_t>(15));
    int8_t* pwq = pwd + ((sz.wd + kGuard + 15) & ~static_cast<size_t>(15));
    const size_t wp_end = static_cast<size_t>(pwq - g_wp) + sz.wq + kGuard;
    if (!ferrite::kernels::bottleneck_s8_dsp_applies(p, k, s) || xn > kAct || yn + kGuard > sizeof g_buf ||
        sb + kGuard > sizeof g_scratch || sref > sizeof g_scratch || wp_end > sizeof g_wp ||
        nwe + nwd + nwq + 32 > kW) {
      report_bn(v.name, p, "rule rejects a valid case or test buffers too small", static_cast<long long>(sb));
      ++fails;
      ++g_failed;
      continue;
    }
    std::memset(g_wp, kGuardByte, wp_end);
    int32_t* pbe = g_pbias;
    int32_t* pbd = g_pbias + 64;
    int32_t* pbq = g_pbias + 128;
    ferrite::kernels::pack_bottleneck_s8_dsp(p, we, has_bias ? be : nullptr, wd, has_bias ? bd : nullptr, wq,
                                             has_bias ? bq : nullptr, pwe, pbe, pwd, pbd, pwq, pbq);
    ferrite_rt::bottleneck_s8_nhwc(p, g_x, we, has_bias ? be : nullptr, se, wd, has_bias ? bd : nullptr, sd, wq,
                                   has_bias ? bq : nullptr, sq, g_ref, g_scratch);
    std::memset(g_scratch, kGuardByte, sb + kGuard);
    std::memset(g_buf, kGuardByte, yn + kGuard);
    v.fn(p, g_x, pwe, pbe, se, pwd, pbd, sd, pwq, pbq, sq, g_buf, g_scratch);
    bool ok = true;
    if (!guard_ok(pwe + sz.we, kGuard) || !guard_ok(pwd + sz.wd, kGuard) || !guard_ok(pwq + sz.wq, kGuard)) {
      report_bn(v.name, p, "pack wrote past a packed size", 0);
      ok = false;
    }
    if (!guard_ok(g_scratch + sb, kGuard)) {
      report_bn(v.name, p, "wrote past the scratch", static_cast<long long>(sb));
      ok = false;
    }
    for (size_t q = 0; q < yn && ok; ++q)
      if (g_buf[q] != g_ref[q]) {
        report_bn(v.name, p, "output mismatch", static_cast<long long>(q));
        ok = false;
      }
    if (ok && !guard_ok(g_buf + yn, kGuard)) {
      report_bn(v.name, p, "wrote past the output", static_cast<long long>(yn));
      ok = false;
    }
    if (ok) ++g_passed; else { ++g_failed; ++fails; }
  }
  Line l;
  l.s(v.name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}

const BnVariant kBn[] = {
    {"bottleneck3x3_s1_s8_dsp", ferrite_rt::bottleneck3x3_s1_s8_dsp, 3, 1},
    {"bottleneck3x3_s2_s8_dsp", ferrite_rt::bottleneck3x3_s2_s8_dsp, 3, 2},
    {"bottleneck5x5_s1_s8_dsp", ferrite_rt::bottleneck5x5_s1_s8_dsp, 5, 1},
    {"bottleneck5x5_s2_s8_dsp", ferrite_rt::bottleneck5x5_s2_s8_dsp, 5, 2},
    {"bottleneck7x7_s1_s8_dsp", ferrite_rt::bottleneck7x7_s1_s8_dsp, 7, 1},
    {"bottleneck7x7_s2_s8_dsp", ferrite_rt::bottleneck7x7_s2_s8_dsp, 7, 2},
};

// ---- residual Add (qadd_s8_fpu, FPU cores only) vs binary_s8 ----
#if defined(__ARM_FP)
float pick_scale(Rng& r) {
  const int k = r.range(0, 3);
  if (k == 0) {  // powers of two: many exact .5 ties
    float v = 1.0f;
    for (int e = r.range(0, 12); e > 0; --e) v *= 0.5f;
    return v;
  }
  if (k == 1) return 1e-3f + 0.2f * r.unit();
  if (k == 2) return 0.01f + 0.05f * r.unit();
  return r.chance(50) ? 1e-5f * (1.0f + r.unit()) : 10.0f * (1.0f + r.unit());
}

[[maybe_unused]] void test_qadd(uint64_t seed, int cases) {
  const char* name = "qadd_s8_fpu";
  Rng r{seed};
  int fails = 0;
  alignas(16) static uint8_t table[1536 + kGuard];
  for (int t = 0; t < cases; ++t) {
    ferrite_rt::BinaryS8Params p{};
    p.op = ferrite_rt::BinOpS8::Add;
    p.rank = 1;
    int32_t n = r.chance(50) ? r.range(1, 40) : r.range(1, 3000);
    if (r.chance(20)) n = 8 * r.range(1, 50);
    p.total = n;
    p.out_shape[0] = n;
    p.a_stride[0] = p.b_stride[0] = 1;
    p.same_shape = 1;
    p.a_zp = pick_zp(r);
    p.b_zp = pick_zp(r);
    p.y_zp = pick_zp(r);
    p.a_scale = pick_scale(r);
    p.b_scale = r.chance(20) ? p.a_scale : pick_scale(r);
    p.y_scale = r.chance(20) ? p.a_scale : pick_scale(r);
    const int act = r.range(0, 3);
    p.act_min = -128;
    p.act_max = 127;
    if (act == 2) p.act_min = p.y_zp;  // Relu
    if (act == 3) {
      p.act_min = r.range(-128, 127);
      p.act_max = r.range(p.act_min, 127);
    }
    const int mode = r.range(0, 5) == 0 ? 1 : (r.range(0, 5) == 0 ? 2 : 0);
    fill_s8(r, g_x, static_cast<size_t>(n), mode);
    fill_s8(r, g_w, static_cast<size_t>(n), mode);
    if (!ferrite::kernels::qadd_s8_fpu_applies(p)) {
      Line l;
      l.s("FAIL ").s(name).s(": rule rejects a valid case, n=").i(n);
      l.print();
      ++fails;
      ++g_failed;
      continue;
    }
    const size_t tbytes = ferrite::kernels::qadd_s8_fpu_table_bytes(p);
    std::memset(table, kGuardByte, tbytes + kGuard);
    ferrite::kernels::pack_qadd_s8_fpu(p, table);
    ferrite_rt::binary_s8(p, g_x, g_w, g_ref);
    const int where = r.range(0, 2);  // out of place, in place on a, in place on b
    int8_t* y = g_buf;
    std::memset(g_buf, kGuardByte, static_cast<size_t>(n) + kGuard);
    if (where == 0) {
      ferrite_rt::qadd_s8_fpu(p, g_x, g_w, g_buf, table);
    } else if (where == 1) {
      std::memcpy(g_buf, g_x, static_cast<size_t>(n));
      ferrite_rt::qadd_s8_fpu(p, g_buf, g_w, g_buf, table);
    } else {
      std::memcpy(g_buf, g_w, static_cast<size_t>(n));
      ferrite_rt::qadd_s8_fpu(p, g_x, g_buf, g_buf, table);
    }
    bool ok = guard_ok(table + tbytes, kGuard) && guard_ok(g_buf + n, kGuard);
    int32_t bad = -1;
    for (int32_t i = 0; i < n && ok; ++i)
      if (y[i] != g_ref[i]) {
        ok = false;
        bad = i;
      }
    if (ok) {
      ++g_passed;
    } else {
      ++g_failed;
      ++fails;
      Line l;
      l.s("FAIL ").s(name).s(": n=").i(n).s(" at ").i(bad).s(" zp a/b/y=").i(p.a_zp).s("/").i(p.b_zp).s("/").i(p.y_zp)
          .s(" act=[").i(p.act_min).s(",").i(p.act_max).s("] where=").i(where);
      if (bad >= 0) l.s(" got ").i(y[bad]).s(" want ").i(g_ref[bad]);
      l.print();
    }
  }
  Line l;
  l.s(name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}
#endif

// ---- QuantizeLinear float -> int8 (quantize_f32_fpu, FPU cores only) vs quantize_f32 ----
#if defined(__ARM_FP)
float bits_float(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

[[maybe_unused]] void test_quantize(uint64_t seed, int cases) {
  const char* name = "quantize_f32_fpu";
  Rng r{seed};
  int fails = 0;
  alignas(16) static float xs[2048 + 4];
  alignas(16) static uint8_t yb[8192 + kGuard];
  alignas(16) static uint8_t yr[8192];
  for (int t = 0; t < cases; ++t) {
    ferrite_rt::QuantizeParams p{};
    p.outer = r.chance(20) ? r.range(2, 3) : 1;
    p.channels = r.chance(40) ? 3 : r.range(1, 6);
    p.inner = r.chance(30) ? r.range(1, 20) : r.range(8, 200);
    p.per_channel = r.chance(40) ? 1 : 0;
    p.relayout = r.chance(60) ? 1 : 0;
    p.qmin = -128;
    p.qmax = 127;
    const int32_t total = p.outer * p.channels * p.inner;
    if (total > 2048) p.inner = 2048 / (p.outer * p.channels);
    const int32_t n = p.outer * p.channels * p.inner;
    float sc[8];
    int32_t zp[8];
    for (int c = 0; c < 8; ++c) {
      const int k = r.range(0, 5);
      sc[c] = k == 0 ? 1.0f / 256.0f : k == 1 ? 0.5f : k == 2 ? 0.02f * (0.1f + r.unit()) : k == 3 ? 1e-6f : 1.0f;
      if (r.chance(2)) sc[c] = 0.0f;  // x / 0: infinities and NaN
      zp[c] = pick_zp(r);
    }
    const int style = r.range(0, 3);
    for (int32_t i = 0; i < n; ++i) {
      const int32_t c = p.per_channel ? (i / p.inner) % p.channels : 0;
      float v;
      if (style == 0) {
        v = (static_cast<float>(r.range(-400, 400)) + (r.chance(50) ? 0.5f : 0.0f)) * sc[c];  // ties
      } else if (style == 1) {
        v = (r.unit() * 2.0f - 1.0f) * 300.0f * sc[c];
      } else if (style == 2) {
        v = r.unit();  // an image in [0, 1)
      } else {
        const int k = r.range(0, 9);
        v = k == 0 ? bits_float(0x7FC00000u) : k == 1 ? bits_float(0x7F800000u) : k == 2 ? bits_float(0xFF800000u)
            : k == 3 ? 3e9f : k == 4 ? -3e9f : k == 5 ? bits_float(0xFFC00001u) : (r.unit() - 0.5f) * 600.0f * sc[c];
      }
      xs[i] = v;
    }
    const bool inplace = (!p.relayout || p.channels <= 4) && r.chance(50);
    ferrite_rt::quantize_f32(p, xs, sc, zp, yr);
    std::memset(yb, kGuardByte, 4 * static_cast<size_t>(n) + kGuard);
    if (inplace) {
      std::memcpy(yb, xs, 4 * static_cast<size_t>(n));
      ferrite_rt::quantize_f32_fpu(p, reinterpret_cast<const float*>(yb), sc, zp, yb);
    } else {
      ferrite_rt::quantize_f32_fpu(p, xs, sc, zp, yb);
    }
    bool ok = guard_ok(yb + 4 * n, kGuard) || inplace;
    if (!inplace && !guard_ok(yb + n, kGuard)) ok = false;
    int32_t bad = -1;
    for (int32_t i = 0; i < n && ok; ++i)
      if (yb[i] != yr[i]) {
        ok = false;
        bad = i;
      }
    if (ok) {
      ++g_passed;
    } else {
      ++g_failed;
      ++fails;
      Line l;
      l.s("FAIL ").s(name).s(": outer=").i(p.outer).s(" C=").i(p.channels).s(" I=").i(p.inner).s(" per_channel=")
          .i(p.per_channel).s(" relayout=").i(p.relayout).s(inplace ? " in-place" : "").s(" style=").i(style)
          .s(" at ").i(bad);
      if (bad >= 0) l.s(" got ").i(static_cast<int8_t>(yb[bad])).s(" want ").i(static_cast<int8_t>(yr[bad]));
      l.print();
    }
  }
  Line l;
  l.s(name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}
#endif

// ---- fully connected (fc_s8_dsp, fc_s8_dsp_w8) vs fc_s8 ----
typedef void (*FcFn)(const ferrite_rt::FcS8Params&, const int8_t*, const int8_t*, const int32_t*, const float*, void*);
struct FcVariant {
  const char* name;
  FcFn fn;
  bool (*applies)(const ferrite_rt::FcS8Params&);
  size_t (*bytes)(const ferrite_rt::FcS8Params&);
  void (*pack)(const ferrite_rt::FcS8Params&, const int8_t*, const int32_t*, int8_t*, int32_t*);
  bool w8;
};

[[maybe_unused]] void test_fc(const FcVariant& v, uint64_t seed, int cases) {
  Rng r{seed};
  int fails = 0;
  for (int t = 0; t < cases; ++t) {
    ferrite_rt::FcS8Params p{};
    p.rows = r.chance(60) ? 1 : r.range(2, 5);
    p.in_features = r.chance(40) ? 8 * r.range(1, 40) : r.range(1, 300);
    p.out_features = r.range(1, 24);
    while (p.in_features * p.out_features > 8000) --p.out_features;
    p.in_zp = pick_zp(r);
    p.w_zp = v.w8 ? 0 : pick_zp(r);
    ConvS8Params act{};
    pick_act(r, act);
    p.out_zp = act.out_zp;
    p.act_min = act.act_min;
    p.act_max = act.act_max;
    p.per_channel = 1;
    const size_t xn = static_cast<size_t>(p.rows * p.in_features), yn = static_cast<size_t>(p.rows * p.out_features);
    const int mode = r.range(0, 5) == 0 ? 1 : 0;
    fill_s8(r, g_x, xn, mode);
    fill_s8(r, g_w, static_cast<size_t>(p.in_features * p.out_features), mode);
    const bool has_bias = r.chance(70);
    fill_bias(r, g_bias, p.out_features);
    fill_scales(r, g_scale, p.out_features, p.in_features);
    if (!v.applies(p)) {
      Line l;
      l.s("FAIL ").s(v.name).s(": rule rejects a valid case");
      l.print();
      ++fails;
      ++g_failed;
      continue;
    }
    const size_t wb = v.bytes(p);
    std::memset(g_wp, kGuardByte, wb + kGuard);
    v.pack(p, g_w, has_bias ? g_bias : nullptr, g_wp, g_pbias);
    ferrite_rt::fc_s8(p, g_x, g_w, has_bias ? g_bias : nullptr, g_scale, g_ref);
    std::memset(g_buf, kGuardByte, yn + kGuard);
    v.fn(p, g_x, g_wp, g_pbias, g_scale, g_buf);
    bool ok = guard_ok(g_wp + wb, kGuard) && guard_ok(g_buf + yn, kGuard);
    long long bad = -1;
    for (size_t q = 0; q < yn && ok; ++q)
      if (g_buf[q] != g_ref[q]) {
        ok = false;
        bad = static_cast<long long>(q);
      }
    if (ok) {
      ++g_passed;
    } else {
      ++g_failed;
      ++fails;
      Line l;
      l.s("FAIL ").s(v.name).s(": rows=").i(p.rows).s(" in=").i(p.in_features).s(" out=").i(p.out_features).s(" at ")
          .i(bad);
      l.print();
    }
  }
  Line l;
  l.s(v.name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}

const FcVariant kFc[] = {
    {"fc_s8_dsp", ferrite_rt::fc_s8_dsp, ferrite::kernels::fc_s8_dsp_applies, ferrite::kernels::fc_s8_dsp_packed_weight_bytes,
     ferrite::kernels::pack_fc_s8_dsp, false},
    {"fc_s8_dsp_w8", ferrite_rt::fc_s8_dsp_w8, ferrite::kernels::fc_s8_dsp_w8_applies,
     ferrite::kernels::fc_s8_dsp_w8_packed_weight_bytes, ferrite::kernels::pack_fc_s8_dsp_w8, true},
};

// ---- global average pooling (global_avgpool_s8_dsp) vs global_avgpool_s8_nhwc ----
[[maybe_unused]] void test_global_pool(uint64_t seed, int cases) {
  const char* name = "global_avgpool_s8_dsp";
  Rng r{seed};
  int fails = 0;
  for (int t = 0; t < cases; ++t) {
    ferrite_rt::GlobalPoolS8Params p{};
    p.n = r.chance(15) ? 2 : 1;
    p.c = r.chance(40) ? 4 * r.range(1, 40) : r.range(1, 100);
    p.spatial = r.chance(70) ? r.range(1, 50) : r.range(200, 700);
    while (static_cast<size_t>(p.n * p.c * p.spatial) > kAct) p.spatial /= 2;
    p.in_zp = pick_zp(r);
    ConvS8Params act{};
    pick_act(r, act);
    p.out_zp = act.out_zp;
    p.act_min = act.act_min;
    p.act_max = act.act_max;
    const int k = r.range(0, 3);
    p.in_scale = k == 0 ? 0.0625f : 0.01f + 0.1f * r.unit();
    p.out_scale = k == 0 ? 0.0625f : k == 1 ? 1e-5f : 0.01f + 0.1f * r.unit();
    const size_t xn = static_cast<size_t>(p.n * p.c * p.spatial), yn = static_cast<size_t>(p.n * p.c);
    const int mode = r.range(0, 3) == 0 ? 1 : 0;
    fill_s8(r, g_x, xn, mode);
    ferrite_rt::global_avgpool_s8_nhwc(p, g_x, g_ref);
    const bool inplace = r.chance(50);
    std::memset(g_buf, kGuardByte, xn + kGuard);
    if (inplace) {
      std::memcpy(g_buf, g_x, xn);
      ferrite_rt::global_avgpool_s8_dsp(p, g_buf, g_buf);
    } else {
      ferrite_rt::global_avgpool_s8_dsp(p, g_x, g_buf);
    }
    bool ok = guard_ok(g_buf + (inplace ? xn : yn), kGuard);
    long long bad = -1;
    for (size_t q = 0; q < yn && ok; ++q)
      if (g_buf[q] != g_ref[q]) {
        ok = false;
        bad = static_cast<long long>(q);
      }
    if (ok) {
      ++g_passed;
    } else {
      ++g_failed;
      ++fails;
      Line l;
      l.s("FAIL ").s(name).s(": n=").i(p.n).s(" c=").i(p.c).s(" spatial=").i(p.spatial).s(inplace ? " in-place" : "")
          .s(" at ").i(bad);
      l.print();
    }
  }
  Line l;
  l.s(name).s(": ").i(cases - fails).s("/").i(cases).s(" cases bit-exact");
  l.print();
}

// ---- requantization edge cases (ties, saturation, every act range corner) ----
[[maybe_unused]] void test_requant_edges() {
  // Accumulators that hit .5 ties, huge values and int32 extremes; scales exact and inexact.
  const int32_t accs[] = {0, 1, -1, 2, 3, -3, 5, -5, 127, 128, 129, -129, 255, 256, 257, -256, -257, 511, -511,
                          1 << 22, -(1 << 22), (1 << 23) + 1, 0x7FFFFFFF, static_cast<int32_t>(0x80000000u),
                          16777217, -16777217, 1000001, -999999};
  const float scales[] = {0.5f, 0.25f, 1.5f, 1.0f, 0.125f, 0.0039215689f, 3.0e-5f, 7.5e-3f, 1.0e6f, 1.0e-12f,
                          -0.5f, 2.0f, 0.33333334f, 1e30f};
  const int32_t zps[] = {-128, -1, 0, 5, 127};
  int fails = 0, total = 0;
  int8_t tstore[512];
  for (int32_t zp : zps)
    for (int32_t lo = -128; lo <= 127; lo += 51)
      for (int32_t hi = lo; hi <= 127; hi += 37) {
        const int8_t* tbl = ferrite_rt::dsp_requant_table(tstore, zp, lo, hi);
        for (float sc : scales)
          for (size_t i = 0; i + 1 < sizeof accs / sizeof accs[0]; i += 2) {
            int32_t a = accs[i], b = accs[i + 1];
            ferrite_rt::dsp_requant_idx2(a, b, sc, sc);
            int32_t c1 = accs[i];
            ferrite_rt::dsp_requant_idx1(c1, sc);
            const int32_t ra = ferrite_rt::requantize(accs[i], sc, zp, lo, hi);
            const int32_t rb = ferrite_rt::requantize(accs[i + 1], sc, zp, lo, hi);
            total += 3;
            if (tbl[a] != ra || tbl[b] != rb || tbl[c1] != ra) {
              ++fails;
              if (fails < 10) {
                Line l;
                l.s("FAIL requant: acc=").i(accs[i]).s("/").i(accs[i + 1]).s(" zp=").i(zp).s(" lo=").i(lo).s(" hi=")
                    .i(hi).s(" got ").i(tbl[a]).s("/").i(tbl[b]).s(" want ").i(ra).s("/").i(rb);
                l.print();
              }
            }
          }
      }
  if (fails) ++g_failed; else ++g_passed;
  Line l;
  l.s("requant edges: ").i(total).s(" values, ").i(fails).s(" mismatches");
  l.print();
}

const Conv1x1Variant kConv1x1[] = {
    {"conv1x1_s8_dsp", ferrite_rt::conv1x1_s8_dsp, ferrite::kernels::conv1x1_s8_dsp_applies,
     ferrite::kernels::conv1x1_s8_dsp_packed_weight_bytes, ferrite::kernels::pack_conv1x1_s8_dsp, false},
    {"conv1x1_s8_dsp_w8", ferrite_rt::conv1x1_s8_dsp_w8, ferrite::kernels::conv1x1_s8_dsp_w8_applies,
     ferrite::kernels::conv1x1_s8_dsp_w8_packed_weight_bytes, ferrite::kernels::pack_conv1x1_s8_dsp_w8, true},
};

const DwVariant kDw[] = {
    {"dwconv3x3_s1_s8_dsp", ferrite_rt::dwconv3x3_s1_s8_dsp, ferrite::kernels::dwconv3x3_s1_s8_dsp_applies,
     ferrite::kernels::dwconv3x3_s1_s8_dsp_packed_weight_bytes, ferrite::kernels::pack_dwconv3x3_s1_s8_dsp, 3, 1},
    {"dwconv3x3_s2_s8_dsp", ferrite_rt::dwconv3x3_s2_s8_dsp, ferrite::kernels::dwconv3x3_s2_s8_dsp_applies,
     ferrite::kernels::dwconv3x3_s2_s8_dsp_packed_weight_bytes, ferrite::kernels::pack_dwconv3x3_s2_s8_dsp, 3, 2},
    {"dwconv5x5_s1_s8_dsp", ferrite_rt::dwconv5x5_s1_s8_dsp, ferrite::kernels::dwconv5x5_s1_s8_dsp_applies,
     ferrite::kernels::dwconv5x5_s1_s8_dsp_packed_weight_bytes, ferrite::kernels::pack_dwconv5x5_s1_s8_dsp, 5, 1},
    {"dwconv5x5_s2_s8_dsp", ferrite_rt::dwconv5x5_s2_s8_dsp, ferrite::kernels::dwconv5x5_s2_s8_dsp_applies,
     ferrite::kernels::dwconv5x5_s2_s8_dsp_packed_weight_bytes, ferrite::kernels::pack_dwconv5x5_s2_s8_dsp, 5, 2},
    {"dwconv7x7_s1_s8_dsp", ferrite_rt::dwconv7x7_s1_s8_dsp, ferrite::kernels::dwconv7x7_s1_s8_dsp_applies,
     ferrite::kernels::dwconv7x7_s1_s8_dsp_packed_weight_bytes, ferrite::kernels::pack_dwconv7x7_s1_s8_dsp, 7, 1},
    {"dwconv7x7_s2_s8_dsp", ferrite_rt::dwconv7x7_s2_s8_dsp, ferrite::kernels::dwconv7x7_s2_s8_dsp_applies,
     ferrite::kernels::dwconv7x7_s2_s8_dsp_packed_weight_bytes, ferrite::kernels::pack_dwconv7x7_s2_s8_dsp, 7, 2},
};

#if defined(__ARM_FP) && !defined(FE_BENCH)
#include "binary_s8_cases.inc"
// qadd_s8_fpu with its table made for each case (the shared cases call kernels without one).
alignas(16) uint8_t g_qadd_table[1536];
void qadd_s8_fpu_tabled(const ferrite_rt::BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) {
  ferrite::kernels::pack_qadd_s8_fpu(p, g_qadd_table);
  ferrite_rt::qadd_s8_fpu(p, a, b, y, g_qadd_table);
}
#endif
// ---- average pooling (avgpool_s8_fpu; whole-input windows through global_avgpool_s8_dsp) ----
#include "test_pool_s8.inc"
[[maybe_unused]] void test_avgpool(uint64_t seed, int cases) {
  Rng r{seed};
  const PoolBufs b{g_x, g_buf, g_ref, kAct};
  int ran = 0;
  const int fails = pool_run_avg("avgpool_s8_fpu", "global_avgpool_s8_dsp", ferrite_rt::avgpool_s8_fpu,
                                 ferrite::kernels::avgpool_s8_fpu_applies, ferrite_rt::global_avgpool_s8_dsp,
                                 ferrite::kernels::global_avgpool_s8_dsp_applies, r, cases, b, &ran);
  g_passed += ran - fails;
  g_failed += fails;
  Line l;
  l.s("avgpool_s8_fpu / global_avgpool_s8_dsp: ").i(ran - fails).s("/").i(ran).s(" cases bit-exact");
  l.print();
}
[[maybe_unused]] void test_maxpool(uint64_t seed, int cases) {
  Rng r{seed};
  const PoolBufs b{g_x, g_buf, g_ref, kAct};
  int ran = 0;
  const int fails =
      pool_run_max("maxpool_s8_dsp", ferrite_rt::maxpool_s8_dsp, ferrite::kernels::maxpool_s8_dsp_applies, r, cases, b, &ran);
  g_passed += ran - fails;
  g_failed += fails;
  Line l;
  l.s("maxpool_s8_dsp: ").i(ran - fails).s("/").i(ran).s(" cases bit-exact");
  l.print();
}

// ---- TFLite AVERAGE_POOL_2D (avgpool_s8_dsp_tfl vs avgpool_s8_nhwc_tfl) and its division ----
[[maybe_unused]] void test_avgpool_tfl(uint64_t seed, int cases) {
  Rng r{seed};
  const PoolBufs b{g_x, g_buf, g_ref, kAct};
  int ran = 0;
  const int fails = pool_run_avg_tfl("avgpool_s8_dsp_tfl", ferrite_rt::avgpool_s8_dsp_tfl,
                                     ferrite::kernels::avgpool_s8_tfl_variant_applies, r, cases, b, &ran);
  g_passed += ran - fails;
  g_failed += fails;
  Line l;
  l.s("avgpool_s8_dsp_tfl: ").i(ran - fails).s("/").i(ran).s(" cases bit-exact");
  l.print();
  // Every int8 sum of every count on the host, the ends of the range on the cores (QEMU time).
#if defined(__arm__)
  const bool full = false;
#else
  const bool full = true;
#endif
  long long checked = 0;
  const long long bad = pool_tfl_div_check(
      [](const int32_t* acc, int32_t n, int32_t cnt, int8_t* y) {
        ferrite_rt::avgpool_tfl_dsp_out(acc, n, cnt, ferrite_rt::tfl_pool_recip(cnt), -128, 127, y);
      },
      full, &checked);
  if (bad) ++g_failed; else ++g_passed;
  l.s("avgpool_s8_dsp_tfl division: ").i(static_cast<int32_t>(checked / 1000)).s("k sums, ").i(static_cast<int32_t>(bad))
      .s(" wrong");
  l.print();
}

}  // namespace

#include "test_variants_dsp_tfl.inc"

#if defined(FE_BENCH)
#include "bench_variants_dsp.inc"
#endif

int main() {
#if defined(FE_BENCH)
  return bench_main();
#else
#ifndef FE_CASES
#define FE_CASES 250
#endif
  test_requant_edges();
  uint64_t seed = 0x5EED0001ull;
  for (const Conv1x1Variant& v : kConv1x1) test_conv1x1(v, seed++, FE_CASES);
  for (const DwVariant& v : kDw) test_dw(v, seed++, FE_CASES);
  test_conv(seed++, FE_CASES);
  for (const BnVariant& v : kBn) test_bottleneck(v, seed++, FE_CASES);
  for (const FcVariant& v : kFc) test_fc(v, seed++, FE_CASES);
  test_global_pool(seed++, FE_CASES);
  test_avgpool(seed++, 2 * FE_CASES);
  test_maxpool(seed++, FE_CASES);
  test_avgpool_tfl(seed++, 2 * FE_CASES);
  // TFLite requantization (*_dsp_tfl vs the portable *_tfl kernels).
  test_tfl_epilogue(seed++, 4 * FE_CASES);
  for (const Conv1x1TflVariant& v : kConv1x1Tfl) test_conv1x1_tfl(v, seed++, FE_CASES);
  for (const DwTflVariant& v : kDwTfl) test_dw_tfl(v, seed++, FE_CASES);
  test_conv_tfl(seed++, FE_CASES);
  for (const FcTflVariant& v : kFcTfl) test_fc_tfl(v, seed++, FE_CASES);
  test_add_tfl(seed++, FE_CASES);
#if defined(__ARM_FP)
  test_qadd(seed++, 2 * FE_CASES);
  test_quantize(seed++, 2 * FE_CASES);
  // int8 Add (broadcast runs too) and Mul (same shape and broadcast runs) vs binary_s8.
  bincase::run("qadd_s8_fpu (runs)", qadd_s8_fpu_tabled, ferrite::kernels::qadd_s8_fpu_applies, ferrite_rt::BinOpS8::Add,
               seed++, 2 * FE_CASES, g_passed, g_failed);
  bincase::run("qmul_s8_fpu", ferrite_rt::qmul_s8_fpu, ferrite::kernels::qmul_s8_fpu_applies, ferrite_rt::BinOpS8::Mul,
               seed++, 2 * FE_CASES, g_passed, g_failed);
#endif
  Line l;
  l.i(g_passed).s(" passed, ").i(g_failed).s(" failed");
  l.print();
  return g_failed ? 1 : 0;
#endif
}
