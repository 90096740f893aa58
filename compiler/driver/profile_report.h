// The per-layer profile of `ferrite run --profile`: from the rows the backend emitted
// (backends/portable/profile.h) and the counter values the harness printed, the JSON written to
// <output-dir>/profile.json and the table printed (docs/cli.md#profile).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backends/portable/profile.h"
#include "support/error.h"

namespace ferrite {

struct ProfileRun {
  std::string model_file, target, machine;  // machine: the QEMU board ("" on the host)
  std::string unit;                         // "instructions" (QEMU) or "ns" (host)
  double scale = 1;                         // units per counter step (QEMU: instructions per SysTick tick)
  uint64_t macs = 0;                        // the whole model's
  uint64_t inferences = 1;
  double invoke_total = -1;  // units per inference measured around invoke() (marks included); < 0: not measured
};

// Parses the harness lines "ferrite: profile_calibration N" (counter steps of 1024 marks) and
// "ferrite: profile V" (kProfileRows per inference, in row order).
Expected<nlohmann::json> make_profile(const ProfileRun& run, const std::vector<ProfileRow>& rows,
                                      const std::string& program_output);

// The table `ferrite run --profile` prints, from make_profile's JSON.
std::string profile_text(const nlohmann::json& profile);

}  // namespace ferrite
