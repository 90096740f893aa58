// TFLite int8 ADD (add_s8_tfl in tflite_s8/tflite_s8.h), same-shape operands, as three table
// lookups per element: y = T[(P[a] + Q[b]) >> F] (bytes loaded unsigned). Each element is LDRB,
// LDRB, LDR, LDR, ADD, ASR, LDRB, STRB: on Thumb-2 cores with the DSP extension an assembly loop
// of 8 elements per pass (+ SUBS, BNE), elsewhere (host, tails) the same in C++. Needs
// binary_s8/binary_s8.h pasted before it.
//
//   add_s8_dsp_tfl(p, a, b, q, y, table)   y may alias a or b (each y[i] is written after a[i], b[i]
//                                          are read); q: add_s8_tfl's constants (unused here).
// table (ferrite::kernels::pack_add_s8_dsp_tfl, compiler/kernels/pack_binary_s8.h): int32 P[256],
// Q[256] indexed by the operand byte read as uint8, int32 F, int32 n, then the n int8 outputs T. The
// packer writes it only after checking all 65,536 operand pairs against add_s8_tfl's arithmetic, so
// the result is bit-identical for every input.
inline void add_s8_dsp_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, const int32_t* /*q*/, int8_t* y,
                           const void* table) {
  const int32_t* P = static_cast<const int32_t*>(table);
  const int32_t* Q = P + 256;
  const int32_t F = P[512];
  const int8_t* T = reinterpret_cast<const int8_t*>(P + 514);
  const uint8_t* ua = reinterpret_cast<const uint8_t*>(a);
  const uint8_t* ub = reinterpret_cast<const uint8_t*>(b);
  const int32_t n = p.total;
  int32_t i = 0;
#if defined(__ARM_FEATURE_DSP) && defined(__thumb2__)
  // 8 elements per pass, 8.25 instructions per element: elements 1..7 through immediate offsets,
  // element 0 last through the post-incrementing accesses (each element's bytes are read before its
  // output is written, so y == a or y == b is still fine).
  if (n >= 8) {
    const uint8_t* pa = ua;
    const uint8_t* pb = ub;
    int8_t* py = y;
    int32_t blocks = n >> 3;
    int32_t ra, rb;
#define FERRITE_ADD_LUT_EL(K)                 \
  "ldrb %[ra], [%[pa], #" #K "]\n\t"          \
  "ldrb %[rb], [%[pb], #" #K "]\n\t"          \
  "ldr %[ra], [%[P], %[ra], lsl #2]\n\t"      \
  "ldr %[rb], [%[Q], %[rb], lsl #2]\n\t"      \
  "add %[ra], %[ra], %[rb]\n\t"               \
  "asr %[ra], %[ra], %[F]\n\t"                \
  "ldrb %[ra], [%[T], %[ra]]\n\t"             \
  "strb %[ra], [%[py], #" #K "]\n\t"
    __asm__ volatile(
        "1:\n\t"
        FERRITE_ADD_LUT_EL(1) FERRITE_ADD_LUT_EL(2) FERRITE_ADD_LUT_EL(3) FERRITE_ADD_LUT_EL(4)
        FERRITE_ADD_LUT_EL(5) FERRITE_ADD_LUT_EL(6) FERRITE_ADD_LUT_EL(7)
        "ldrb %[ra], [%[pa]], #8\n\t"
        "ldrb %[rb], [%[pb]], #8\n\t"
        "ldr %[ra], [%[P], %[ra], lsl #2]\n\t"
        "ldr %[rb], [%[Q], %[rb], lsl #2]\n\t"
        "add %[ra], %[ra], %[rb]\n\t"
        "asr %[ra], %[ra], %[F]\n\t"
        "ldrb %[ra], [%[T], %[ra]]\n\t"
        "strb %[ra], [%[py]], #8\n\t"
        "subs %[blocks], %[blocks], #1\n\t"
        "bne 1b"
        : [pa] "+r"(pa), [pb] "+r"(pb), [py] "+r"(py), [blocks] "+r"(blocks), [ra] "=&r"(ra), [rb] "=&r"(rb)
        : [P] "r"(P), [Q] "r"(Q), [F] "r"(F), [T] "r"(T)
        : "cc", "memory");
#undef FERRITE_ADD_LUT_EL
    i = n & ~7;
  }
#endif
  for (; i + 4 <= n; i += 4) {
    y[i] = T[(P[ua[i]] + Q[ub[i]]) >> F];
    y[i + 1] = T[(P[ua[i + 1]] + Q[ub[i + 1]]) >> F];
    y[i + 2] = T[(P[ua[i + 2]] + Q[ub[i + 2]]) >> F];
    y[i + 3] = T[(P[ua[i + 3]] + Q[ub[i + 3]]) >> F];
  }
  for (; i < n; ++i) y[i] = T[(P[ua[i]] + Q[ub[i]]) >> F];
}
