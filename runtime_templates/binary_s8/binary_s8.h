// int8 elementwise Add / Mul with numpy broadcasting and independent scales (com.microsoft
// QLinearAdd / QLinearMul, QDQ Add / Mul), computed in float as ONNX Runtime's MLAS does, rounded
// half to even, saturated to [act_min, act_max].
//
// Exact ORT arithmetic followed (x64 build, the kernels GetMlasPlatform() selects on an AVX2+FMA
// CPU; ONNX Runtime's SSE2-only x64 and Arm64 builds compute it differently, see docs/numerics.md):
//
// Add -- MlasQLinearAddKernelAvx2Helper (onnxruntime/core/mlas/lib/intrinsics/avx2/qladd_avx2.cpp):
//   rA = a_scale / y_scale, rB = b_scale / y_scale                       (float divisions)
//   F  = (float)y_zp - (rA * (float)a_zp + rB * (float)b_zp)            (each op rounded to float)
//   both operands vary:  t = fma(a, rA, fma(b, rB, F))                   (fused, single rounding each)
//   b is one value for the run (ORT's "input1 scalar" span):  t = fma(a, rA, F + (float)b * rB)
//   a is one value for the run (ORT swaps the operands):      t = fma(b, rB, F + (float)a * rA)
//   y = saturate_int8(round_half_even(t))
//   a, b are the raw int8 values (zero points are folded into F). fma is emulated exactly in integer
//   arithmetic (binary_s8_fma) since the kernels may not use FMA instructions.
//   "One value for the run" = the operand's innermost stride is 0 in this kernel's (merged) view;
//   the compiler must merge dims the way ORT's InputBroadcaster does for this to match.
//
// Mul -- MlasQLinearMulKernel, SSE2 path (onnxruntime/core/mlas/lib/qlmul.cpp):
//   r = (a_scale * b_scale) / y_scale                                   (float, left to right)
//   t = (float)((a - a_zp) * (b - b_zp)) * r + (float)y_zp               (int32 product; mul, then add)
//   y = saturate_int8(round_half_even(t))   -- the zero point is added BEFORE rounding.
enum class BinOpS8 : int32_t { Add = 0, Mul = 1 };

struct BinaryS8Params {
  BinOpS8 op;
  int32_t rank;
  int32_t out_shape[6];
  int32_t a_stride[6];
  int32_t b_stride[6];
  int32_t total;
  int32_t same_shape;
  int32_t a_zp, b_zp, y_zp;
  float a_scale, b_scale, y_scale;
  int32_t act_min, act_max;
};

// Splits a finite float into m * 2^e with |m| < 2^24 (m = 0 for zeros).
inline void binary_s8_split(float f, int32_t& m, int32_t& e) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  const int32_t ex = static_cast<int32_t>((bits >> 23) & 0xFFu);
  int32_t mant = static_cast<int32_t>(bits & 0x7FFFFFu);
  if (ex == 0) {
    e = -149;
  } else {
    mant |= 0x800000;
    e = ex - 150;
  }
  m = (bits >> 31) ? -mant : mant;
}

// Multiplies by 2^e (exact while the result stays a normal float).
inline float binary_s8_ldexp(float f, int32_t e) {
  while (e > 127) { f *= 1.7014118e38f; e -= 127; }   // 2^127
  while (e < -126) { f *= 1.1754944e-38f; e += 126; }  // 2^-126
  const uint32_t bits = static_cast<uint32_t>(e + 127) << 23;
  float s;
  std::memcpy(&s, &bits, sizeof s);
  return f * s;
}

// Rounds the exact value v * 2^e (v an int64) to the nearest float, ties to even.
FERRITE_NO_PREDICATED_VCVT inline float binary_s8_round_to_float(int64_t v, int32_t e) {
  if (v == 0) return 0.0f;
  const bool neg = v < 0;
  uint64_t u = neg ? (~static_cast<uint64_t>(v) + 1u) : static_cast<uint64_t>(v);
  int32_t nb = 0;
  for (uint64_t t = u; t != 0; t >>= 1) ++nb;
  if (nb > 24) {
    const int32_t sh = nb - 24;
    const uint64_t rem = u & ((static_cast<uint64_t>(1) << sh) - 1u);
    const uint64_t half = static_cast<uint64_t>(1) << (sh - 1);
    u >>= sh;
    e += sh;
    if (rem > half || (rem == half && (u & 1u))) {
      ++u;
      if (u == (static_cast<uint64_t>(1) << 24)) {
        u >>= 1;
        ++e;
      }
    }
  }
  const float f = binary_s8_ldexp(static_cast<float>(static_cast<uint32_t>(u)), e);
  return neg ? -f : f;
}

// Exact fused multiply-add a * r + c with one rounding (IEEE fmaf), for an integer |a| < 2^8 and
// finite floats r, c; no FMA instruction and no double are used.
//
// Algorithm: with r = mr * 2^er and c = mc * 2^ec, the product is the integer a*mr (< 2^31) times
// 2^er. When the exponents are within 30 of each other both terms are aligned exactly in int64.
// Otherwise the smaller term lies far below the result's rounding position: it is replaced by its
// floor at a fine scale plus a sticky bit, which rounds identically.
inline float binary_s8_fma(int32_t a, float r, float c) {
  int32_t mr, er, mc, ec;
  binary_s8_split(r, mr, er);
  binary_s8_split(c, mc, ec);
  const int64_t prod = static_cast<int64_t>(a) * mr;
  if (prod == 0) return c;
  if (mc == 0) return binary_s8_round_to_float(prod, er);
  int64_t hi = prod, lo = mc;
  int32_t ehi = er, elo = ec;
  if (ec > er) {
    hi = mc; lo = prod; ehi = ec; elo = er;
  }
  const int32_t d = ehi - elo;
  if (d <= 30) return binary_s8_round_to_float(hi * (static_cast<int64_t>(1) << d) + lo, elo);
  int32_t sh = d - 30;
  if (sh > 40) sh = 40;
  // q = floor(lo / 2^sh) without a 64-bit division; sticky = any bit shifted out.
  const int64_t q = lo >= 0 ? (lo >> sh) : -((-lo - 1) >> sh) - 1;
  const bool sticky = (static_cast<uint64_t>(lo) & ((static_cast<uint64_t>(1) << sh) - 1u)) != 0;
  const int64_t v = 2 * (hi * (static_cast<int64_t>(1) << 30) + q) + (sticky ? 1 : 0);
  return binary_s8_round_to_float(v, ehi - 31);
}

// Saturates to int8 (ORT's packs), then applies the fused activation clamp.
inline int8_t binary_s8_finish(const BinaryS8Params& p, int32_t q) {
  q = q < -128 ? -128 : (q > 127 ? 127 : q);
  q = q < p.act_min ? p.act_min : (q > p.act_max ? p.act_max : q);
  return static_cast<int8_t>(q);
}

// In place is allowed when the operand is not broadcast.
//
// Algorithm: same odometer as binary_f32 (flat loop when same_shape; otherwise outer dims walked by
// an odometer and the innermost dim as a strided inner loop). For Add the inner run decides which
// of ORT's three span kernels applies (see above). Each y[i] is written after its inputs are read.
inline void binary_s8(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y) {
  if (p.total <= 0) return;
  const bool is_add = p.op == BinOpS8::Add;
  // Add constants.
  const float rA = p.a_scale / p.y_scale;
  const float rB = p.b_scale / p.y_scale;
  const float prodA = rA * static_cast<float>(p.a_zp);
  const float prodB = rB * static_cast<float>(p.b_zp);
  const float sumAB = prodA + prodB;
  const float F = static_cast<float>(p.y_zp) - sumAB;
  // Mul constants.
  const float ab = p.a_scale * p.b_scale;
  const float rM = ab / p.y_scale;
  const float zpC = static_cast<float>(p.y_zp);

  const int32_t r = p.same_shape ? 1 : p.rank;
  const int32_t inner = p.same_shape ? p.total : p.out_shape[r - 1];
  const int32_t sa = p.same_shape ? 1 : p.a_stride[r - 1];
  const int32_t sb = p.same_shape ? 1 : p.b_stride[r - 1];
  const int32_t outer = p.total / inner;
  int32_t idx[6] = {0, 0, 0, 0, 0, 0};
  ptrdiff_t ao = 0, bo = 0;
  int8_t* yp = y;
  for (int32_t o = 0; o < outer; ++o) {
    const int8_t* ap = a + ao;
    const int8_t* bp = b + bo;
    if (is_add) {
      if (sa == 0) {
        const float tA = static_cast<float>(static_cast<int32_t>(ap[0])) * rA;
        const float Fa = F + tA;
        for (int32_t i = 0; i < inner; ++i) {
          const int32_t bv = bp[static_cast<ptrdiff_t>(i) * sb];
          yp[i] = binary_s8_finish(p, round_half_even(binary_s8_fma(bv, rB, Fa)));
        }
      } else if (sb == 0) {
        const float tB = static_cast<float>(static_cast<int32_t>(bp[0])) * rB;
        const float Fb = F + tB;
        for (int32_t i = 0; i < inner; ++i) {
          const int32_t av = ap[static_cast<ptrdiff_t>(i) * sa];
          yp[i] = binary_s8_finish(p, round_half_even(binary_s8_fma(av, rA, Fb)));
        }
      } else {
        for (int32_t i = 0; i < inner; ++i) {
          const int32_t av = ap[static_cast<ptrdiff_t>(i) * sa];
          const int32_t bv = bp[static_cast<ptrdiff_t>(i) * sb];
          const float t = binary_s8_fma(bv, rB, F);
          yp[i] = binary_s8_finish(p, round_half_even(binary_s8_fma(av, rA, t)));
        }
      }
    } else {
      for (int32_t i = 0; i < inner; ++i) {
        const int32_t av = static_cast<int32_t>(ap[static_cast<ptrdiff_t>(i) * sa]) - p.a_zp;
        const int32_t bv = static_cast<int32_t>(bp[static_cast<ptrdiff_t>(i) * sb]) - p.b_zp;
        const float m = static_cast<float>(av * bv) * rM;
        const float t = m + zpC;
        yp[i] = binary_s8_finish(p, round_half_even(t));
      }
    }
    yp += inner;
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      ao += p.a_stride[d];
      bo += p.b_stride[d];
      if (idx[d] < p.out_shape[d]) break;
      ao -= static_cast<ptrdiff_t>(p.a_stride[d]) * p.out_shape[d];
      bo -= static_cast<ptrdiff_t>(p.b_stride[d]) * p.out_shape[d];
      idx[d] = 0;
    }
  }
}
