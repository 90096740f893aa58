// Helium (MVE, Cortex-M55) TFLite int8 ADD of two tensors of the same shape: add_s8_tfl
// (tflite_s8.h) as the table lookups of add_s8_dsp_tfl (binary_s8/add_s8_dsp_tfl.h, same table from
// ferrite::kernels::pack_add_s8_dsp_tfl, checked there on all 65,536 operand pairs), four elements
// per int32 vector: VLDRB.U32 of each operand, two VLDRW gathers (P, Q), VADD, VSHL by -F, a VLDRB
// gather of T and VSTRB.32 in a tail-predicated DLSTP/LETP loop (9 instructions per 4 elements). Needs
// <arm_mve.h> and binary_s8.h pasted before it. In place (y == a or y == b) is allowed: every
// element is read before its output is written.
inline void add_s8_mve_tfl(const BinaryS8Params& p, const int8_t* a, const int8_t* b, const int32_t* /*q*/, int8_t* y,
                           const void* table) {
  const int32_t* P = static_cast<const int32_t*>(table);
  const int32_t* Q = P + 256;
  const int32_t nF = -P[512];
  const int8_t* T = reinterpret_cast<const int8_t*>(P + 514);
  const int32_t n = p.total;
  if (n <= 0) return;
  const uint8_t* pa = reinterpret_cast<const uint8_t*>(a);
  const uint8_t* pb = reinterpret_cast<const uint8_t*>(b);
  int8_t* py = y;
  // Tail-predicated loop (DLSTP/LETP): 9 instructions per 4 elements, the last 1-3 predicated.
  __asm__ volatile(
      "dlstp.32 lr, %[n]\n"
      "1:\n\t"
      "vldrb.u32 q0, [%[pa]], #4\n\t"
      "vldrb.u32 q1, [%[pb]], #4\n\t"
      "vldrw.u32 q2, [%[P], q0, uxtw #2]\n\t"
      "vldrw.u32 q3, [%[Q], q1, uxtw #2]\n\t"
      "vadd.i32 q2, q2, q3\n\t"
      "vshl.s32 q2, %[nF]\n\t"
      "vldrb.u32 q3, [%[T], q2]\n\t"
      "vstrb.32 q3, [%[py]], #4\n\t"
      "letp lr, 1b"
      : [pa] "+l"(pa), [pb] "+l"(pb), [py] "+l"(py)  // VLDRB.U32 / VSTRB.32 take r0-r7
      : [n] "r"(n), [P] "r"(P), [Q] "r"(Q), [nF] "r"(nF), [T] "r"(T)
      : "q0", "q1", "q2", "q3", "lr", "memory");
}
