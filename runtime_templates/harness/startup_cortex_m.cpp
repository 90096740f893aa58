// Ferrite board support: Cortex-M startup (vector table + reset handler).
//
// Compiled as C++17 with arm-none-eabi-g++ and linked with -nostartfiles and
// one of the boards/<board>.ld linker scripts, which provide the symbols
// declared below. Works for Armv7-M (M3/M4/M7) and Armv8-M / Armv8.1-M
// mainline (M33/M55); the fault trampoline is also valid Thumb-1.
//
// Exit codes produced here (besides main()'s own return value):
//   3  any fault (HardFault, MemManage, BusFault, UsageFault, SecureFault)
//   4  an exception/interrupt without a handler fired (Default_Handler)
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fe_io.h"

// ---------------------------------------------------------------------------
// Linker-script symbols (see boards/*.ld).
extern "C" {
extern char __StackTop[];      // initial MSP (end of RAM)
extern char __StackLimit[];    // lowest valid stack address
extern char __data_load__[];   // .data initialisers in the code region
extern char __data_start__[];
extern char __data_end__[];
extern char __bss_start__[];
extern char __bss_end__[];
extern char __arena_start__[];  // NOLOAD .bss.arena
extern char __arena_end__[];
extern char __HeapBase[];      // == end: free RAM between .bss and the stack
extern char __HeapLimit[];     // == __StackLimit

void __libc_init_array(void);

// The program's `int main()`, called without naming ::main in C++ (ISO C++
// forbids that). Declared with the same type as the harness' main so that
// -flto's cross-unit type check is happy; an `int main(int, char**)` also
// works (without LTO) but sees unspecified argc/argv.
int fe_call_main(void) __asm__("main");

void Reset_Handler(void);
void Default_Handler(void);
void fe_fault_report(const std::uint32_t* frame, std::uint32_t exc_return);

void fe_fault_entry(void) __attribute__((naked, nothrow));

// Weak so that a benchmark/application can provide its own handlers.
void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, nothrow, alias("fe_fault_entry")));
void MemManage_Handler(void) __attribute__((weak, nothrow, alias("fe_fault_entry")));
void BusFault_Handler(void) __attribute__((weak, nothrow, alias("fe_fault_entry")));
void UsageFault_Handler(void) __attribute__((weak, nothrow, alias("fe_fault_entry")));
void SecureFault_Handler(void) __attribute__((weak, nothrow, alias("fe_fault_entry")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));
}  // extern "C"

// ---------------------------------------------------------------------------
// Vector table.
namespace {

using Handler = void (*)(void);

// Number of external interrupt slots. The QEMU boards use at most 96
// (AN547: 96, AN505: 92, AN385/AN386/AN500: 32); unused ones are harmless.
constexpr int kNumIrqs = 96;

struct VectorTable {
  void* initial_sp;
  Handler exceptions[15];  // exception numbers 1..15
  Handler irqs[kNumIrqs];  // exception numbers 16..
};

}  // namespace

#define FE_IRQ8                                                       \
  Default_Handler, Default_Handler, Default_Handler, Default_Handler, \
      Default_Handler, Default_Handler, Default_Handler, Default_Handler
#define FE_IRQ32 FE_IRQ8, FE_IRQ8, FE_IRQ8, FE_IRQ8

extern "C" __attribute__((section(".isr_vector"), used))
const VectorTable __isr_vector = {
    __StackTop,
    {
        Reset_Handler,       // 1  Reset
        NMI_Handler,         // 2  NMI
        HardFault_Handler,   // 3  HardFault
        MemManage_Handler,   // 4  MemManage
        BusFault_Handler,    // 5  BusFault
        UsageFault_Handler,  // 6  UsageFault
        SecureFault_Handler, // 7  SecureFault (Armv8-M; reserved on v7-M)
        nullptr,             // 8  reserved
        nullptr,             // 9  reserved
        nullptr,             // 10 reserved
        SVC_Handler,         // 11 SVCall
        DebugMon_Handler,    // 12 DebugMonitor
        nullptr,             // 13 reserved
        PendSV_Handler,      // 14 PendSV
        SysTick_Handler,     // 15 SysTick
    },
    {FE_IRQ32, FE_IRQ32, FE_IRQ32},
};
static_assert(sizeof(VectorTable) == (16 + kNumIrqs) * 4,
              "vector table layout");

#undef FE_IRQ32
#undef FE_IRQ8

// ---------------------------------------------------------------------------
// Small output helpers (no printf: keep the harness free of newlib stdio).
namespace {

void print_hex(const char* label, std::uint32_t v) {
  char buf[48];
  std::size_t i = 0;
  for (const char* p = label; *p != '\0' && i < 32; ++p) buf[i++] = *p;
  buf[i++] = '0';
  buf[i++] = 'x';
  for (int shift = 28; shift >= 0; shift -= 4) {
    buf[i++] = "0123456789abcdef"[(v >> shift) & 0xFu];
  }
  buf[i] = '\0';
  fe_print(buf);
}

volatile std::uint32_t& reg(std::uintptr_t addr) {
  return *reinterpret_cast<volatile std::uint32_t*>(addr);
}

constexpr std::uintptr_t kScbCpacr = 0xE000ED88u;
constexpr std::uintptr_t kScbIcsr = 0xE000ED04u;
constexpr std::uintptr_t kScbCfsr = 0xE000ED28u;
constexpr std::uintptr_t kScbHfsr = 0xE000ED2Cu;

// Everything after the FPU has been switched on. Kept out of line so that no
// FP/MVE instruction (e.g. from auto-vectorised copies) can be scheduled
// before the CPACR write in Reset_Handler.
__attribute__((noinline, noreturn)) void fe_runtime_start() {
  std::memcpy(__data_start__, __data_load__,
              static_cast<std::size_t>(__data_end__ - __data_start__));
  std::memset(__bss_start__, 0,
              static_cast<std::size_t>(__bss_end__ - __bss_start__));
  std::memset(__arena_start__, 0,
              static_cast<std::size_t>(__arena_end__ - __arena_start__));
  __libc_init_array();
  const int rc = fe_call_main();
  fe_exit(rc);
}

}  // namespace

// ---------------------------------------------------------------------------
// Handlers.
extern "C" void Reset_Handler(void) {
#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
  // Armv8-M: let the hardware catch main-stack overflow (UsageFault STKOF,
  // escalated to HardFault -> exit code 3).
  __asm__ volatile("msr msplim, %0" ::"r"(__StackLimit) : "memory");
#endif
#if defined(__ARM_FP)
  // Grant full access to CP10/CP11 (FPU, and MVE on Armv8.1-M).
  reg(kScbCpacr) = reg(kScbCpacr) | (0xFu << 20);
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  fe_runtime_start();
}

// Common entry for all fault vectors: find the stacked exception frame
// (MSP or PSP, selected by EXC_RETURN bit 2) and report it.
extern "C" __attribute__((naked)) void fe_fault_entry(void) {
  __asm__ volatile(
      "movs r0, #4\n\t"
      "mov  r1, lr\n\t"
      "tst  r0, r1\n\t"
      "beq  1f\n\t"
      "mrs  r0, psp\n\t"
      "b    2f\n"
      "1:\n\t"
      "mrs  r0, msp\n"
      "2:\n\t"
      "ldr  r2, =fe_fault_report\n\t"
      "bx   r2\n\t"
      ".ltorg");
}

extern "C" __attribute__((noreturn, used)) void fe_fault_report(
    const std::uint32_t* frame, std::uint32_t exc_return) {
  fe_print("ferrite: hard fault\n");
  print_hex("ferrite: HFSR=", reg(kScbHfsr));
  print_hex(" CFSR=", reg(kScbCfsr));
  print_hex(" ICSR=", reg(kScbIcsr));
  print_hex(" EXC_RETURN=", exc_return);
  fe_print("\n");
  // The frame may itself be unreadable (e.g. after a stack overflow); only
  // dereference it when it lies inside the RAM stack/heap area.
  const char* f = reinterpret_cast<const char*>(frame);
  if (f >= __HeapBase && f + 32 <= __StackTop &&
      (reinterpret_cast<std::uintptr_t>(frame) & 3u) == 0) {
    print_hex("ferrite: PC=", frame[6]);
    print_hex(" LR=", frame[5]);
    fe_print("\n");
  }
  fe_exit(3);
}

extern "C" void Default_Handler(void) {
  std::uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  fe_print("ferrite: unhandled exception\n");
  print_hex("ferrite: IPSR=", ipsr & 0x1FFu);
  fe_print("\n");
  fe_exit(4);
}

// ---------------------------------------------------------------------------
// Minimal C/C++ runtime glue for -nostartfiles + newlib(-nano).
extern "C" {

// newlib's __libc_init_array() calls _init(); crti.o is not linked.
void _init(void) {}
void _fini(void) {}

// Normally provided by crtbegin.o (not linked with -nostartfiles); needed
// as soon as a static object with a destructor exists.
__attribute__((weak)) void* __dso_handle = nullptr;

// Bounded heap for malloc(): the free RAM between the end of .bss/.bss.arena
// and the bottom of the stack. Overrides libnosys' unbounded _sbrk.
void* _sbrk(std::ptrdiff_t incr) {
  static char* heap_end = nullptr;
  char* const prev = heap_end != nullptr ? heap_end : __HeapBase;
  if (incr > __HeapLimit - prev || incr < __HeapBase - prev) {
    errno = ENOMEM;
    return reinterpret_cast<void*>(-1);
  }
  heap_end = prev + incr;
  return prev;
}

}  // extern "C"
