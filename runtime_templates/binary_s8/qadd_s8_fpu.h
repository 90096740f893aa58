// int8 Add of two same-shape tensors (the residual Add), and of the broadcasts whose innermost runs
// have operand strides 0 / 1 (per-channel and scalar operands), on a core with a single-precision
// FPU that has VFMA (M4F, M7, M33, M55): the portable binary_s8 computes ORT's Add as
// t = fma(a, rA, fma(b, rB, F)) with an exact software fma; VFMA computes the same fused
// operations in hardware (one IEEE rounding each), so the results are bit-identical.
// Needs binary_s8.h and binary_s8_runs.h pasted before it.
//
//   qadd_s8_fpu(p, a, b, y, table)
// table (4-byte aligned, made at compile time by ferrite::kernels::pack_qadd_s8_fpu in
// compiler/kernels/pack_binary_s8.h): 256 floats T[u] = fma(int8(u), rB, F), the inner fma for
// every value of b (indexed by b's byte as unsigned), computed on the host with binary_s8_fma (the
// exact fma); when the output clamp is not the full int8 range, followed by 512 bytes
// C[i] = binary_s8_finish(i - 256) (saturation to int8, then the activation clamp).
//
// Per element: LDRSB a, LDRB b, LDR T[b], VCVT a, VFMA, VCVTR, SSAT #8 (or SSAT #9 + LDRSB C),
// STRB, and half a VMOV for each of a, T[b] and the result (two elements per VMOV): 9.5
// instructions (10.5 with the clamp table), 8 elements per loop iteration.
//
// Rounding: VCVTR rounds with FPSCR's mode, round to nearest with ties to even after reset (the
// harness and CMSIS startups leave it so). round_half_even clamps to +-2^22 first; any value that
// large saturates to the int8 range below either way, and VCVTR saturates instead of overflowing.
// Denormals: rA, rB are ratios of positive scales and F a small float; a flush-to-zero FPSCR could
// only change results whose magnitude is below 2^-126, far inside the half-LSB rounding interval.
inline int32_t qadd_s8_fpu_round(float v) {
  float r;
  __asm__("vcvtr.s32.f32 %0, %1" : "=t"(r) : "t"(v));
  int32_t q;
  std::memcpy(&q, &r, sizeof q);
  return q;
}

// Two elements: a (int8) and T[b] to the FPU, VCVT, VFMA, VCVTR, back; CLAMP saturates and stores.
#define FE_QADD_PAIR(CLAMP)                          \
  "ldrsb %[x0], [%[pa]], #1\n\t"                     \
  "ldrsb %[x1], [%[pa]], #1\n\t"                     \
  "ldrb %[t0], [%[pb]], #1\n\t"                      \
  "ldrb %[t1], [%[pb]], #1\n\t"                      \
  "ldr %[t0], [%[tb], %[t0], lsl #2]\n\t"            \
  "ldr %[t1], [%[tb], %[t1], lsl #2]\n\t"            \
  "vmov s0, s1, %[x0], %[x1]\n\t"                    \
  "vmov s2, s3, %[t0], %[t1]\n\t"                    \
  "vcvt.f32.s32 s0, s0\n\t"                          \
  "vcvt.f32.s32 s1, s1\n\t"                          \
  "vfma.f32 s2, s0, %[ra]\n\t"                       \
  "vfma.f32 s3, s1, %[ra]\n\t"                       \
  "vcvtr.s32.f32 s2, s2\n\t"                         \
  "vcvtr.s32.f32 s3, s3\n\t"                         \
  "vmov %[x0], %[x1], s2, s3\n\t" CLAMP              \
  "strb %[x0], [%[py]], #1\n\t"                      \
  "strb %[x1], [%[py]], #1\n\t"
#define FE_QADD_SAT8 "ssat %[x0], #8, %[x0]\n\t" "ssat %[x1], #8, %[x1]\n\t"
#define FE_QADD_TABLE                                \
  "ssat %[x0], #9, %[x0]\n\t"                        \
  "ssat %[x1], #9, %[x1]\n\t"                        \
  "ldrsb %[x0], [%[ct], %[x0]]\n\t"                  \
  "ldrsb %[x1], [%[ct], %[x1]]\n\t"

// n elements with both operands varying: y[i] = clamp(vcvtr(fma(a[i], rA, T[b[i]]))). In place
// (y == a or y == b) is fine: each y[i] is written after a[i] and b[i] are read.
inline void qadd_s8_fpu_flat(const int8_t* a, const int8_t* b, int8_t* y, int32_t n, const float* tb, float rA,
                             int32_t lo, int32_t hi) {
  const bool full = lo == -128 && hi == 127;
  const int8_t* ct = reinterpret_cast<const int8_t*>(tb + 256) + 256;  // clamp table centre (if any)
  int32_t blocks = n >> 3;
  if (blocks > 0) {
    int32_t x0, x1, t0, t1;
    if (full)
      __asm__ volatile("1:\n\t" FE_QADD_PAIR(FE_QADD_SAT8) FE_QADD_PAIR(FE_QADD_SAT8) FE_QADD_PAIR(FE_QADD_SAT8)
                           FE_QADD_PAIR(FE_QADD_SAT8)
                       "subs %[n], %[n], #1\n\t"
                       "bne 1b\n\t"
                       : [pa] "+r"(a), [pb] "+r"(b), [py] "+r"(y), [n] "+r"(blocks), [x0] "=&r"(x0),
                         [x1] "=&r"(x1), [t0] "=&r"(t0), [t1] "=&r"(t1)
                       : [tb] "r"(tb), [ra] "t"(rA)
                       : "s0", "s1", "s2", "s3", "cc", "memory");
    else
      __asm__ volatile("1:\n\t" FE_QADD_PAIR(FE_QADD_TABLE) FE_QADD_PAIR(FE_QADD_TABLE) FE_QADD_PAIR(FE_QADD_TABLE)
                           FE_QADD_PAIR(FE_QADD_TABLE)
                       "subs %[n], %[n], #1\n\t"
                       "bne 1b\n\t"
                       : [pa] "+r"(a), [pb] "+r"(b), [py] "+r"(y), [n] "+r"(blocks), [x0] "=&r"(x0),
                         [x1] "=&r"(x1), [t0] "=&r"(t0), [t1] "=&r"(t1)
                       : [tb] "r"(tb), [ra] "t"(rA), [ct] "r"(ct)
                       : "s0", "s1", "s2", "s3", "cc", "memory");
  }
  for (int32_t i = 0; i < (n & 7); ++i) {
    const float t = tb[static_cast<uint8_t>(b[i])];
    int32_t q = qadd_s8_fpu_round(__builtin_fmaf(static_cast<float>(a[i]), rA, t));
    q = q < -128 ? -128 : (q > 127 ? 127 : q);
    q = q < lo ? lo : (q > hi ? hi : q);
    y[i] = static_cast<int8_t>(q);
  }
}

// n elements of a run in which the other operand is one value: y[i] = clamp(vcvtr(fma(v[i], r, c)))
// with c = F + other * r_other computed by the caller as binary_s8 does.
template <bool kFull>
inline void qadd_s8_fpu_scalar_run(const int8_t* v, int8_t* y, int32_t n, float r, float c, int32_t lo, int32_t hi) {
  for (int32_t i = 0; i < n; ++i) {
    int32_t q = qadd_s8_fpu_round(__builtin_fmaf(static_cast<float>(v[i]), r, c));
    __asm__("ssat %0, #8, %0" : "+r"(q));
    if (!kFull) q = q < lo ? lo : (q > hi ? hi : q);
    y[i] = static_cast<int8_t>(q);
  }
}

// Requires p.op == Add, -128 <= act_min <= act_max <= 127, finite rA, rB, F, and p.same_shape or
// runs along the innermost dim with operand strides 0 / 1 (not both 0) (the selection rule,
// ferrite::kernels::qadd_s8_fpu_applies). Runs in which both operands vary use the table; runs in
// which one operand is one value use binary_s8's per-run constant (F + v * r, unfused, as there)
// and VFMA. In place (y == a or y == b, that operand not broadcast) is fine.
inline void qadd_s8_fpu(const BinaryS8Params& p, const int8_t* a, const int8_t* b, int8_t* y, const void* table) {
  const float* tb = static_cast<const float*>(table);
  const float rA = p.a_scale / p.y_scale;
  if (p.same_shape) {
    qadd_s8_fpu_flat(a, b, y, p.total, tb, rA, p.act_min, p.act_max);
    return;
  }
  if (p.total <= 0) return;
  // binary_s8's Add constants, same float32 operations in the same order.
  const float rB = p.b_scale / p.y_scale;
  const float prodA = rA * static_cast<float>(p.a_zp);
  const float prodB = rB * static_cast<float>(p.b_zp);
  const float sumAB = prodA + prodB;
  const float F = static_cast<float>(p.y_zp) - sumAB;
  const bool full = p.act_min == -128 && p.act_max == 127;
  const int32_t lo = p.act_min, hi = p.act_max;
  const BinaryS8Runs v = binary_s8_runs(p);
  const int32_t inner = v.inner;
  // binary_s8's choice of formula from the innermost strides: a one value, b one value, both vary.
  binary_s8_runs_walk(v, [&](ptrdiff_t ao, ptrdiff_t bo) {
    const int8_t* ap = a + ao;
    const int8_t* bp = b + bo;
    if (v.sa == 0) {
      const float tA = static_cast<float>(static_cast<int32_t>(ap[0])) * rA;
      const float Fa = F + tA;
      if (full) qadd_s8_fpu_scalar_run<true>(bp, y, inner, rB, Fa, lo, hi);
      else qadd_s8_fpu_scalar_run<false>(bp, y, inner, rB, Fa, lo, hi);
    } else if (v.sb == 0) {
      const float tB = static_cast<float>(static_cast<int32_t>(bp[0])) * rB;
      const float Fb = F + tB;
      if (full) qadd_s8_fpu_scalar_run<true>(ap, y, inner, rA, Fb, lo, hi);
      else qadd_s8_fpu_scalar_run<false>(ap, y, inner, rA, Fb, lo, hi);
    } else {
      qadd_s8_fpu_flat(ap, bp, y, inner, tb, rA, lo, hi);
    }
    y += inner;
  });
}
#undef FE_QADD_PAIR
#undef FE_QADD_SAT8
#undef FE_QADD_TABLE
