// Progress and per-step timing on stderr for `compile`, `report` and `run` (docs/cli.md#progress):
// a step that takes a second or more prints "ferrite: <step> <seconds> s" when it ends (steps known
// to be long — building, running — also announce their start); --timing prints every step and the
// total. Shown when stderr is a terminal or with --progress, never with -q/--quiet; never on stdout.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

#include <fmt/format.h>

namespace ferrite {

class Progress {
 public:
  bool show = false;    // steps of a second or more (and the start of long steps)
  bool timing = false;  // every step and the total

  // Ends the current step (printing it when due) and starts `name`; `announce`: print its start.
  void begin(const std::string& name, bool announce = false) {
    end();
    step_ = name;
    start_ = clock::now();
    if (announce && (show || timing)) fmt::print(stderr, "ferrite: {} ...\n", name);
  }
  void end() {
    if (step_.empty()) return;
    const double s = std::chrono::duration<double>(clock::now() - start_).count();
    if (timing || (show && s >= 1.0)) fmt::print(stderr, "ferrite: {} {:.2f} s\n", step_, s);
    step_.clear();
  }
  void finish() {
    end();
    if (timing)
      fmt::print(stderr, "ferrite: total {:.2f} s\n", std::chrono::duration<double>(clock::now() - t0_).count());
  }

 private:
  using clock = std::chrono::steady_clock;
  clock::time_point t0_ = clock::now(), start_ = t0_;
  std::string step_;
};

}  // namespace ferrite
