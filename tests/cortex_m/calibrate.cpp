// Calibration of the harness instruction counter (fe_counter.h) on one QEMU board.
//
// spin(n) runs a hand-written Thumb-2 loop of exactly two instructions per iteration ("subs; bne",
// the last bne not taken) = 2n retired instructions, plus a fixed number of instructions for the
// call that does not depend on n. main() measures spin(N1) and spin(N2) with the same code path and
// prints both tick counts; the test (test_calibration.cpp) checks
//   (ticks(N2) - ticks(N1)) * instructions_per_tick == 2 * (N2 - N1)   within 0.1 %,
// in which the fixed part cancels exactly. Run with `qemu-system-arm -icount shift=0`.
#include "fe_counter.h"
#include "fe_io.h"

namespace {

// Read at run time, so both measurements execute the very same instructions.
volatile unsigned g_n[2] = {FE_CAL_N1, FE_CAL_N2};

__attribute__((noinline)) void spin(unsigned n) {
  __asm__ volatile(
      "1:\n\t"
      "subs %0, %0, #1\n\t"
      "bne 1b"
      : "+r"(n)
      :
      : "cc");
}

}  // namespace

int main() {
  for (int i = 0; i < 2; ++i) {
    const unsigned n = g_n[i];
    fe_counter_start();
    const unsigned long long t0 = fe_counter_ticks();
    spin(n);
    const unsigned long long t1 = fe_counter_ticks();
    fe_print_u64("calibrate: iterations ", n);
    fe_print_u64("calibrate: ticks ", t1 - t0);
  }
  fe_print("calibrate: done\n");
  return 0;
}
