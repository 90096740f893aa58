// Ferrite harness: a deterministic retired-instruction counter for Cortex-M under QEMU.
//
// Run QEMU with `-icount shift=0`: every retired instruction then advances QEMU's virtual clock by
// exactly 1 ns, and SysTick, clocked from the processor clock, ticks once per (10^9 / f_sysclk)
// instructions. That factor is the board's (QEMU's sysclk: 25 MHz on mps2-an385/an386/an500 = 40
// instructions per tick, 20 MHz on mps2-an505 = 50, 32 MHz on mps3-an547 = 31.25); it lives in the
// board table of compiler/driver/run.cpp (QemuBoard::instructions_per_tick) and is checked by the
// cortex_m_calibration test. This file counts ticks only; the driver converts.
//
// The 24-bit down-counter's wraps are counted in SysTick_Handler; a read takes the wraps before and
// after the counter value and retries if they differ. Resolution: one tick. Include it in exactly
// one translation unit (it defines SysTick_Handler).
#ifndef FERRITE_HARNESS_FE_COUNTER_H
#define FERRITE_HARNESS_FE_COUNTER_H

#include "fe_io.h"

static volatile unsigned long fe_wraps = 0;
extern "C" void SysTick_Handler(void) { fe_wraps = fe_wraps + 1; }
static volatile unsigned long* const fe_syst = reinterpret_cast<volatile unsigned long*>(0xE000E010ul);

// (Re)starts the counter at 0.
static inline void fe_counter_start() {
  fe_syst[0] = 0;           // CSR: stop
  fe_syst[1] = 0xFFFFFFul;  // RVR
  fe_syst[2] = 0;           // CVR
  fe_wraps = 0;
  fe_syst[0] = 7;           // CSR: enable, interrupt, processor clock
  // The cleared counter reads 0 until its first reload (to RVR, with no wrap counted): wait for it,
  // so that the count starts at 0 instead of reading 0xFFFFFF before the first tick.
  while (fe_syst[2] == 0) {
  }
}

// Ticks since fe_counter_start().
static inline unsigned long long fe_counter_ticks() {
  unsigned long w, v;
  do {
    w = fe_wraps;
    v = fe_syst[2];
  } while (w != fe_wraps);
  return static_cast<unsigned long long>(w) * 0x1000000ull + (0xFFFFFFull - v);
}

// Prints "<label><n>\n" without printf.
static inline void fe_print_u64(const char* label, unsigned long long n) {
  char buf[96];
  char* p = buf;
  while (*label && p < buf + 64) *p++ = *label++;
  char digits[24];
  int len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n);
  while (len) *p++ = digits[--len];
  *p++ = '\n';
  *p = 0;
  fe_print(buf);
}

#endif  // FERRITE_HARNESS_FE_COUNTER_H
