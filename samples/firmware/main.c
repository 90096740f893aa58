/* Minimal firmware: one inference of a Ferrite-compiled model on a built-in test input, then the
   top class on the console (semihosting under QEMU, stdout on the host). Exit status: 0 when the
   run completed (and, if built with FW_EXPECTED_CLASS, the top class is that class), 1 otherwise.
   The model is compiled by ferrite_add_model(... NAME net ...), so the C API is net_*(). */
#include <stdint.h>
#include <string.h>

#include "fe_io.h"
#include "net.h"

/* The input: FW_INPUT_NPY (a float32 .npy file) embedded with .incbin; the header is skipped at
   run time. */
#define FW_STR2(x) #x
#define FW_STR(x) FW_STR2(x)
__asm__(".section .rodata.fw_input,\"a\"\n"
        ".balign 16\n"
        "fw_input_npy:\n"
        ".incbin \"" FW_STR(FW_INPUT_NPY) "\"\n"
        "fw_input_npy_end:\n"
        ".previous\n");
extern const uint8_t fw_input_npy[], fw_input_npy_end[];

static void print_uint(const char* label, unsigned long v) {
  char buf[24];
  int i = (int)sizeof buf - 1;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0 && i > 0);
  fe_print(label);
  fe_print(&buf[i]);
}

int main(void) {
  /* .npy v1/v2: magic(6) version(2) header_len(u16 v1 / u32 v2) header; then the raw data. */
  const uint8_t* npy = fw_input_npy;
  const unsigned long npy_size = (unsigned long)(fw_input_npy_end - fw_input_npy);
  unsigned long data_at = npy[6] == 1 ? 10ul + (npy[8] | (npy[9] << 8))
                                      : 12ul + (npy[8] | (npy[9] << 8) | ((unsigned long)npy[10] << 16));
  if (npy_size < data_at || npy_size - data_at != NET_INPUT0_BYTES) {
    fe_print("firmware: input file does not match the model's input 0\n");
    return 1;
  }

  void* arena = net_arena(); /* the static arena, section .bss.arena */
  memcpy(net_input(arena, 0), npy + data_at, NET_INPUT0_BYTES);
  net_invoke(arena);

  const float* out = (const float*)net_output(arena, 0);
  unsigned best = 0;
  for (unsigned c = 1; c < NET_OUTPUT0_BYTES / sizeof(float); ++c)
    if (out[c] > out[best]) best = c;
  print_uint("firmware: top class ", best);
  print_uint(" of ", (unsigned long)(NET_OUTPUT0_BYTES / sizeof(float)));
  print_uint(", arena ", (unsigned long)net_arena_bytes());
  fe_print(" bytes\n");
#ifdef FW_EXPECTED_CLASS
  return best == FW_EXPECTED_CLASS ? 0 : 1;
#else
  return 0;
#endif
}
