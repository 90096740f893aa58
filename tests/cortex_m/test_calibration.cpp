// Calibration of `ferrite run --count-instructions` / `--profile` on every supported QEMU board.
//
// For each board of ferrite's own table (qemu_boards(), compiler/driver/run.cpp) this builds
// tests/cortex_m/calibrate.cpp with the harness files exactly as `ferrite run` writes them (the
// embedded startup, semihosting I/O, linker script and fe_counter.h) and the board's CPU flags, runs
// it under `qemu-system-arm -icount shift=0`, and checks that the board's instructions_per_tick
// turns the measured SysTick ticks of a loop of exactly 2 * (N2 - N1) retired instructions into
// that number within 0.1 %. A wrong factor in the table (e.g. 40 on mps2-an505, whose SysTick runs
// at 20 MHz: 50 instructions per tick) fails here.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "driver/process.h"
#include "driver/run.h"
#include "support/embedded.h"

namespace fs = std::filesystem;
using namespace ferrite;

namespace {

constexpr unsigned long long kN1 = 1000000, kN2 = 6000000;  // loop iterations; 2 instructions each

void write(const fs::path& p, std::string_view s) {
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f.write(s.data(), static_cast<std::streamsize>(s.size()));
  REQUIRE(f.good());
}

std::vector<unsigned long long> numbers_after(const std::string& text, const std::string& label) {
  std::vector<unsigned long long> r;
  std::regex re(label + "([0-9]+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    r.push_back(std::stoull((*it)[1].str()));
  return r;
}

}  // namespace

TEST_CASE("the instruction counter is calibrated on every QEMU board", "[cortex-m][calibration]") {
  const fs::path out = fs::path(FERRITE_CAL_OUT);
  const fs::path src = fs::path(FERRITE_SOURCE_DIR) / "tests" / "cortex_m" / "calibrate.cpp";
  REQUIRE(fs::exists(src));
  REQUIRE(qemu_boards().size() >= 5);
  for (const QemuBoard& b : qemu_boards()) {
    DYNAMIC_SECTION(b.target << " on " << b.machine) {
      const fs::path dir = out / b.machine;
      fs::remove_all(dir);
      for (const char* f : {"fe_io.h", "fe_counter.h", "io_semihost.cpp", "startup_cortex_m.cpp"})
        write(dir / "harness" / f, embedded(std::string("harness/") + f));
      write(dir / "harness" / b.linker_script, embedded("harness/" + b.linker_script));
      std::vector<std::string> cc = {"arm-none-eabi-g++"};
      cc.insert(cc.end(), b.cpu_flags.begin(), b.cpu_flags.end());
      cc.insert(cc.end(), {"-std=c++17", "-O2", "-fno-exceptions", "-fno-rtti", "-Wall", "-Wextra", "-Werror",
                           "-Iharness", "-DFE_CAL_N1=" + std::to_string(kN1) + "u",
                           "-DFE_CAL_N2=" + std::to_string(kN2) + "u", "-ffunction-sections", "-fdata-sections",
                           "-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs", "-T",
                           "harness/" + b.linker_script, "-Wl,--gc-sections", "harness/startup_cortex_m.cpp",
                           "harness/io_semihost.cpp", src.string(), "-o", "cal.elf"});
      auto built = run_process(cc, dir.string(), 120);
      INFO(built.output);
      REQUIRE(built.exit_code == 0);
      auto ran = run_process({"qemu-system-arm", "-M", b.machine, "-icount", "shift=0", "-nographic",
                              "-semihosting-config", "enable=on,target=native", "-kernel", "cal.elf"},
                             dir.string(), 60);
      INFO(ran.output);
      REQUIRE(ran.exit_code == 0);
      const auto iters = numbers_after(ran.output, "calibrate: iterations ");
      const auto ticks = numbers_after(ran.output, "calibrate: ticks ");
      REQUIRE(iters == std::vector<unsigned long long>{kN1, kN2});
      REQUIRE(ticks.size() == 2);
      REQUIRE(ticks[1] > ticks[0]);
      const double expected = 2.0 * static_cast<double>(kN2 - kN1);
      const double measured = static_cast<double>(ticks[1] - ticks[0]) * b.instructions_per_tick;
      const double err = (measured - expected) / expected;
      // One line per board for the log (ctest -V).
      std::printf("%-16s %-11s %8.2f instructions/tick: loop of %.0f instructions measured %.0f (%+.4f %%); "
                  "%.3f instructions/tick observed\n",
                  b.target.c_str(), b.machine.c_str(), b.instructions_per_tick, expected, measured, 100 * err,
                  expected / static_cast<double>(ticks[1] - ticks[0]));
      CHECK(std::abs(err) <= 0.001);
    }
  }
}
