// Ferrite Cortex-M board-support smoke test.
//
// Exercises: fe_print, float math (expf/tanhf from newlib libm), a 300 KB
// activation arena in .bss.arena, 1 MB of const weights in .rodata.weights,
// fe_write_file, and the exit-code path (main returns 7).
// Builds unchanged on the host with io_host.cpp.
//
// -DFE_SMOKE_FAULT builds a variant that executes an undefined instruction
// after the banner; on Cortex-M the fault handler must exit with code 3.
#include <cmath>
#include <cstdint>

#include "fe_io.h"

namespace {

constexpr unsigned kArenaBytes = 300u * 1024u;
constexpr unsigned kWeightWords = (1024u * 1024u) / 4u;  // 1 MB

// 1 MB of deterministic, non-trivial constant data (so a partial load of
// the weights segment would be noticed). Two words per iteration keeps the
// constexpr loop well under GCC's default -fconstexpr-loop-limit.
struct Weights {
  std::uint32_t w[kWeightWords];
  constexpr Weights() : w() {
    for (unsigned i = 0; i < kWeightWords; i += 2) {
      w[i] = i * 2654435761u + 12345u;
      w[i + 1] = (i + 1) * 2654435761u + 12345u;
    }
  }
};

__attribute__((section(".rodata.weights"), used))
constexpr Weights kWeights{};

alignas(16) __attribute__((section(".bss.arena"), used))
float g_arena[kArenaBytes / sizeof(float)];

// Defeat constant folding of the math inputs.
volatile float g_one = 1.0f;
volatile float g_half = 0.5f;
volatile unsigned g_stride = 4099u;

void print_uint(std::uint32_t v) {
  char buf[12];
  int i = 11;
  buf[i] = '\0';
  do {
    buf[--i] = static_cast<char>('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  fe_print(&buf[i]);
}

bool check(bool ok, const char* what) {
  fe_print(ok ? "smoke: ok   " : "smoke: FAIL ");
  fe_print(what);
  fe_print("\n");
  return ok;
}

}  // namespace

int main() {
  fe_print("ferrite smoke: hello from the harness\n");

#if defined(FE_SMOKE_FAULT) && defined(__arm__)
  __asm__ volatile("udf #0");
#endif

  bool ok = true;

  // 1. Float math through libm.
  const float e = std::exp(g_one);    // expf
  const float t = std::tanh(g_half);  // tanhf
  ok &= check(std::fabs(e - 2.71828183f) < 1e-5f, "expf(1)");
  ok &= check(std::fabs(t - 0.46211716f) < 1e-6f, "tanhf(0.5)");
  fe_print("smoke: expf(1)*1e6 = ");
  print_uint(static_cast<std::uint32_t>(e * 1e6f + 0.5f));
  fe_print(", tanhf(0.5)*1e6 = ");
  print_uint(static_cast<std::uint32_t>(t * 1e6f + 0.5f));
  fe_print("\n");

  // 2. Arena: must start zeroed, be fully writable and read back.
  constexpr unsigned kN = kArenaBytes / sizeof(float);
  bool zero = true;
  for (unsigned i = 0; i < kN; ++i) zero &= (g_arena[i] == 0.0f);
  ok &= check(zero, "arena zero-initialised");
  float table[64];
  for (unsigned k = 0; k < 64u; ++k) {
    table[k] = std::tanh(static_cast<float>(k) * 0.03125f - 1.0f);
  }
  for (unsigned i = 0; i < kN; ++i) g_arena[i] = table[(i * 7u) % 64u];
  bool readback = true;
  float acc = 0.0f;
  for (unsigned i = 0; i < kN; ++i) {
    readback &= (g_arena[i] == table[(i * 7u) % 64u]);
    acc += g_arena[i] * g_arena[i];
  }
  ok &= check(readback && acc > 0.0f && std::isfinite(acc),
              "arena read/write");

  // 3. Weights: spot checks across the whole 1 MB plus a full checksum.
  const volatile std::uint32_t* w = kWeights.w;
  bool spots = true;
  for (unsigned i = 0; i < kWeightWords; i += g_stride) {
    spots &= (w[i] == i * 2654435761u + 12345u);
  }
  spots &= (w[kWeightWords - 1] == (kWeightWords - 1) * 2654435761u + 12345u);
  ok &= check(spots, "weights spot checks");
  std::uint32_t sum = 0;
  std::uint32_t expect = 0;
  for (unsigned i = 0; i < kWeightWords; ++i) {
    sum += w[i] ^ (i << 3);
    expect += (i * 2654435761u + 12345u) ^ (i << 3);
  }
  ok &= check(sum == expect, "weights checksum");

  // 4. File output: 16 deterministic bytes.
  const unsigned char blob[16] = {'F', 'E', 'S', 'M', 0x01, 0x02, 0x03, 0x04,
                                  0x00, 0x7f, 0x80, 0xff, 0x0a, 0x0d, 0x1a,
                                  0x55};
  ok &= check(fe_write_file("smoke_out.bin", blob, sizeof blob) == 0,
              "fe_write_file");

  if (!ok) {
    fe_print("ferrite smoke: FAILED\n");
    return 1;
  }
  fe_print("ferrite smoke: done, exiting with 7\n");
  return 7;
}
