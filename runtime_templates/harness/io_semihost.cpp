// Ferrite harness platform API: Arm semihosting implementation.
//
// Works on every M-profile core (Armv6-M .. Armv8.1-M): the only instruction
// used is `bkpt 0xAB` plus plain register moves, all valid Thumb-1.
// Under QEMU, enable it with `-semihosting-config enable=on,target=native`.
// Without a debugger/semihosting host attached, `bkpt` faults or halts, so
// this file is for emulator/debug-probe runs only.
#include "fe_io.h"

namespace {

// Semihosting operation numbers (Arm "Semihosting for AArch32 and AArch64").
constexpr unsigned kSysOpen = 0x01;
constexpr unsigned kSysClose = 0x02;
constexpr unsigned kSysWrite0 = 0x04;
constexpr unsigned kSysWrite = 0x05;
constexpr unsigned kSysExit = 0x18;
constexpr unsigned kSysExitExtended = 0x20;

// SYS_OPEN modes index the ISO C fopen() modes:
// 0 "r", 1 "rb", 2 "r+", 3 "r+b", 4 "w", 5 "wb", 6 "w+", 7 "w+b", 8 "a", ...
constexpr unsigned kOpenModeWb = 5;

// ADP_Stopped_* reason codes used by SYS_EXIT / SYS_EXIT_EXTENDED.
constexpr unsigned kAdpStoppedApplicationExit = 0x20026;
constexpr unsigned kAdpStoppedRunTimeErrorUnknown = 0x20023;

// Operation in r0, pointer to the argument block in r1, result in r0.
inline long semihost_call(unsigned op, const void* arg) {
  long result;
  __asm__ volatile(
      "mov r0, %1\n\t"
      "mov r1, %2\n\t"
      "bkpt 0xAB\n\t"
      "mov %0, r0"
      : "=r"(result)
      : "r"(op), "r"(arg)
      : "r0", "r1", "memory");
  return result;
}

unsigned long c_strlen(const char* s) {
  unsigned long n = 0;
  while (s[n] != '\0') ++n;
  return n;
}

}  // namespace

extern "C" void fe_print(const char* s) {
  if (s == nullptr || *s == '\0') return;
  semihost_call(kSysWrite0, s);
}

extern "C" int fe_write_file(const char* path, const void* data,
                             unsigned long n) {
  if (path == nullptr || (data == nullptr && n != 0)) return 1;
  const unsigned long open_args[3] = {
      reinterpret_cast<unsigned long>(path), kOpenModeWb, c_strlen(path)};
  const long handle = semihost_call(kSysOpen, open_args);
  if (handle == -1) return 1;

  // SYS_WRITE returns the number of bytes NOT written (0 on success).
  // Write in chunks so a short write can be retried for the remainder.
  const unsigned char* p = static_cast<const unsigned char*>(data);
  int rc = 0;
  while (n != 0) {
    const unsigned long chunk = n > 0x100000ul ? 0x100000ul : n;
    const unsigned long write_args[3] = {static_cast<unsigned long>(handle),
                                         reinterpret_cast<unsigned long>(p),
                                         chunk};
    const long not_written = semihost_call(kSysWrite, write_args);
    if (not_written < 0 || static_cast<unsigned long>(not_written) >= chunk) {
      rc = 1;  // error, or no progress at all
      break;
    }
    const unsigned long done = chunk - static_cast<unsigned long>(not_written);
    p += done;
    n -= done;
  }

  const unsigned long close_args[1] = {static_cast<unsigned long>(handle)};
  if (semihost_call(kSysClose, close_args) != 0) rc = 1;
  return rc;
}

extern "C" void fe_exit(int code) {
  // SYS_EXIT_EXTENDED: block {reason, subcode}; QEMU exits with `subcode`.
  const unsigned long exit_args[2] = {kAdpStoppedApplicationExit,
                                      static_cast<unsigned long>(code)};
  semihost_call(kSysExitExtended, exit_args);
  // Fallback for hosts without SYS_EXIT_EXTENDED: on AArch32 SYS_EXIT takes
  // the reason code directly in r1 and can only signal success/failure.
  semihost_call(kSysExit,
                reinterpret_cast<const void*>(static_cast<unsigned long>(
                    code == 0 ? kAdpStoppedApplicationExit
                              : kAdpStoppedRunTimeErrorUnknown)));
  for (;;) {
    __asm__ volatile("" ::: "memory");
  }
}
